"""No secret and no personal data in the logs: every log record of the process (the service's,
uvicorn's, the libraries') has API keys, e-mails, phones and card numbers replaced before any
handler sees it, its traceback included."""

from __future__ import annotations

import logging
import re
from typing import Any
from urllib.parse import unquote, unquote_plus

from api.keys import KEY_PREFIX
from knowledge.redact import redact_contacts

# A key is `otk_<public id>_<secret>`: the id may be logged, the secret never.
_KEY = re.compile(rf"({re.escape(KEY_PREFIX)}[0-9a-f]{{8}})_[A-Za-z0-9_-]+")
_BEARER = re.compile(r"(Bearer\s+)\S+", re.IGNORECASE)
_formatter = logging.Formatter()


def scrub(text: str) -> str:
    """The text with API keys, bearer tokens, e-mails, phones and card numbers replaced; a URL
    (an access log line) is looked at percent-decoded too, and printed decoded if it held any."""
    for candidate in (text, unquote(text), unquote_plus(text)) if "%" in text else (text,):
        scrubbed = _scrub_plain(candidate)
        if scrubbed != candidate:
            return scrubbed
    return text


def _scrub_plain(text: str) -> str:
    return redact_contacts(_BEARER.sub(r"\1<KEY>", _KEY.sub(r"\1_<KEY>", text)))


def install_log_redaction() -> None:
    """Wrap the process's log record factory once: each record is scrubbed as it is made."""
    factory = logging.getLogRecordFactory()
    if getattr(factory, "scrubs", False):
        return

    def scrubbing(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = factory(*args, **kwargs)
        _scrub_record(record)
        return record

    scrubbing.scrubs = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(scrubbing)


def _scrub_record(record: logging.LogRecord) -> None:
    """The message and its arguments scrubbed (an argument may be a mention's text, or an error
    quoting it), numbers kept for `%d`-style formats and formatters that unpack the arguments
    (uvicorn's access log); the traceback too: handlers print `exc_text` when it is set."""
    if isinstance(record.msg, str):
        record.msg = scrub(record.msg)
    if isinstance(record.args, tuple):
        record.args = tuple(_scrub_value(arg) for arg in record.args)
    elif isinstance(record.args, dict):
        record.args = {key: _scrub_value(value) for key, value in record.args.items()}
    if record.exc_info and record.exc_info[1] is not None:
        record.exc_text = scrub(_formatter.formatException(record.exc_info))
    if record.stack_info:
        record.stack_info = scrub(record.stack_info)


def _scrub_value(value: object) -> object:
    if value is None or isinstance(value, bool | int | float):
        return value
    return scrub(value if isinstance(value, str) else str(value))
