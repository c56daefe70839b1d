"""Replace a customer's personal data with placeholders before a reply becomes an example."""

from __future__ import annotations

import re

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(r"(?<![\w])(?:\+7|8|\+\d{1,3})[\s(-]*\d{3}[\s)-]*\d{3}[\s-]*\d{2}[\s-]*\d{2}(?!\d)")
_CARD = re.compile(r"(?<!\d)(?:\d{4}[ -]?){3}\d{4}(?!\d)")
_ORDER = re.compile(r"(?<![\d\w-])(?:№\s?|#)?\d{4,12}(?![\d])")
_CASE = re.compile(r"\b[A-Z]{2,4}-\d{4}-[A-Z0-9]{4,10}\b")


def redact(text: str, names: list[str] | tuple[str, ...] = ()) -> str:
    """Replace e-mails, phones, card and order numbers, case references and given names."""
    text = _EMAIL.sub("<EMAIL>", text)
    text = _CASE.sub("<CASE>", text)
    text = _CARD.sub("<CARD>", text)
    text = _PHONE.sub("<PHONE>", text)
    text = _ORDER.sub("<ORDER>", text)
    for name in names:
        for part in name.split():
            if len(part) >= 2:
                text = _name_pattern(part).sub("<NAME>", text)
    return text


def redact_contacts(text: str) -> str:
    """Replace only e-mails, phones and card numbers: for log lines, whose other numbers
    (ports, counts, durations) must stay readable."""
    return _PHONE.sub("<PHONE>", _CARD.sub("<CARD>", _EMAIL.sub("<EMAIL>", text)))


def _name_pattern(name: str) -> re.Pattern[str]:
    """A name with its Russian case endings: Ирина, Ирины, Ирине, Ириной."""
    stem = name[:-1] if len(name) >= 4 and name[-1].lower() in "аяьйоеи" else name
    return re.compile(rf"(?<!\w){re.escape(stem)}\w{{0,3}}(?!\w)", re.IGNORECASE)
