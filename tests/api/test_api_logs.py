"""No API key and no author's personal data in any log record: the loop runs through uvicorn
(its access log included) with every logger at DEBUG, a mention carrying a phone and an
e-mail is drafted, approved and, through a failing component, made a 500 whose error quotes it;
a wrong key gets its 401. Not one record, message or traceback, holds the secrets."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from uvicorn.logging import AccessFormatter

from api.keys import Role, create_key
from api.logs import scrub
from api.main import create_app
from api.settings import ApiSettings
from assistant.pipeline import Components
from tests.api.conftest import OBED, mention
from tests.serving import free_port

PHONE, EMAIL = "+7 912 345-67-89", "ivan.petrov@example.com"
TEXT = f"Заказ 48213 привезли холодным, курьер нагрубил. Позвоните мне: {PHONE} или {EMAIL}"
BAD_KEY = "otk_0badc0de_ThisIsNotARealSecretButLooksLikeOne"
ACCESS = AccessFormatter('%(client_addr)s - "%(request_line)s" %(status_code)s', use_colors=False)


class _Fails:
    """A classifier that fails on the phone's mention, its error quoting the text (as a model server's might)."""

    def __init__(self, real: Any) -> None:
        self.real, self.name = real, "fails"

    def classify(self, mention: Any, *args: Any) -> Any:
        if "Ещё раз" in mention.text:
            raise RuntimeError(f"the model server fell over on {mention.text!r}")
        return self.real.classify(mention, *args)


@pytest.fixture
def served(api_components: Components, db_settings: ApiSettings) -> Iterator[tuple[str, FastAPI]]:
    """The app under an in-process uvicorn, its logging left to the root logger (caplog sees it all)."""
    parts = replace(api_components, classifier=_Fails(api_components.classifier))
    app = create_app(api_components.settings, parts, db_settings)
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, log_level="debug", access_log=True)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started and thread.is_alive():
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", app
    server.should_exit = True
    thread.join(60)


def _key(app: FastAPI) -> str:
    with app.state.sessions() as db:
        _row, secret = create_key(db, Role.operator, [OBED])
    return secret


def _formatted(caplog: pytest.LogCaptureFixture) -> str:
    """Every record as handlers would print it: message, traceback, and uvicorn's access line."""
    lines = [caplog.text]
    lines += [ACCESS.format(record) for record in caplog.records if record.name == "uvicorn.access"]
    return "\n".join(lines)


def test_no_key_and_no_personal_data_in_the_logs(served: tuple[str, FastAPI], caplog: pytest.LogCaptureFixture) -> None:
    url, app = served
    secret = _key(app)
    caplog.set_level(logging.DEBUG)
    for name in ("uvicorn", "uvicorn.access", "uvicorn.error", "otklik", "httpx", "sqlalchemy"):
        caplog.set_level(logging.DEBUG, logger=name)
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {secret}"}, timeout=120) as http:
        found = http.post("/mentions", json=mention(TEXT, platform="vk"))
        assert found.status_code == 201 and found.json()["status"] == "drafted", found.text
        assert http.post(f"/mentions/{found.json()['id']}/approve").status_code == 200
        # uvicorn closes the connection after an unhandled error: this request gets one of its own
        failed = http.post("/mentions", json=mention(f"Ещё раз: {TEXT}"), headers={"Connection": "close"})
        assert failed.status_code == 500 and PHONE not in failed.text
        wrong = http.get("/mentions", headers={"Authorization": f"Bearer {BAD_KEY}"}, params={"q": EMAIL})
        assert wrong.status_code == 401

    logged = _formatted(caplog)
    assert "unhandled error" in logged and "fell over" in logged  # the 500 was logged, traceback and all
    assert '"POST /mentions HTTP/1.1" 201' in logged  # and the access log was captured
    public_id = secret.split("_")[1]
    for leaked in (
        secret,
        secret.removeprefix(f"otk_{public_id}_")[:8],
        BAD_KEY,
        PHONE,
        EMAIL,
        "912 345",
        "ivan.petrov",
    ):
        assert leaked not in logged, leaked


def test_scrub_keeps_the_key_id_and_replaces_the_rest() -> None:
    line = f"Bearer abc.def key otk_1a2b3c4d_Zx-9_q call {PHONE} mail {EMAIL} card 4276 1234 5678 9012 port 8000"
    assert scrub(line) == "Bearer <KEY> key otk_1a2b3c4d_<KEY> call <PHONE> mail <EMAIL> card <CARD> port 8000"
    assert scrub("GET /mentions?q=ivan.petrov%40example.com&limit=50") == "GET /mentions?q=<EMAIL>&limit=50"
    assert scrub("GET /mentions?q=%2B7+912+345-67-89") == "GET /mentions?q=<PHONE>"
    assert scrub("50% of 1200 ms") == "50% of 1200 ms"
