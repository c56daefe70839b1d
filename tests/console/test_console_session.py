"""Signing in and out, the session cookie, CSRF, revoked keys and the interface language."""

from __future__ import annotations

import stat
import time

from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.console.i18n import TEXT
from api.console.session import COOKIE, SECRET_FILE, ConsoleSession, decode, encode, load_secret
from api.keys import Role, revoke_key
from tests.console.conftest import OBED, csrf_token, secret_of, sign_in


def _set_cookie_headers(response) -> list[str]:
    return [value for name, value in response.headers.multi_items() if name == "set-cookie"]


def test_a_key_signs_in_with_an_httponly_cookie_that_holds_only_its_id(anonymous: TestClient, make_key) -> None:
    headers = make_key(Role.operator, OBED)
    response = sign_in(anonymous, secret_of(headers))
    assert response.status_code == 303 and response.headers["location"] == "/console/"
    cookie = next(c for c in _set_cookie_headers(response) if c.startswith(f"{COOKIE}="))
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/console" in cookie
    assert "Secure" not in cookie  # plain http on 127.0.0.1; https adds it
    random_part = secret_of(headers).split("_", 2)[2]  # otk_<key id>_<random part, which may hold "_">
    assert secret_of(headers) not in cookie and random_part not in cookie
    inbox = anonymous.get("/console/")
    assert inbox.status_code == 200 and headers["X-Key-Id"] in inbox.text


def test_an_unknown_key_is_refused(anonymous: TestClient) -> None:
    response = sign_in(anonymous, "otk_nothing_really")
    assert response.status_code == 401 and "Ключ не подходит" in response.text
    assert anonymous.get("/console/", follow_redirects=False).status_code == 303


def test_pages_send_a_visitor_without_a_session_to_sign_in(anonymous: TestClient) -> None:
    response = anonymous.get("/console/cases?overdue=true", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/console/login?next=%2Fconsole%2Fcases%3Foverdue%3Dtrue"


def test_sign_in_returns_to_a_console_page_but_never_to_another_site(anonymous: TestClient, make_key) -> None:
    secret = secret_of(make_key(Role.operator, OBED))
    for wanted, landed in (
        ("/console/cases", "/console/cases"),
        ("https://evil.example/", "/console/"),
        ("//evil", "/console/"),
    ):
        token = csrf_token(anonymous, "/console/login")
        data = {"api_key": secret, "csrf_token": token, "next": wanted}
        assert anonymous.post("/console/login", data=data, follow_redirects=False).headers["location"] == landed


def test_a_forged_or_expired_cookie_is_no_session(operator: TestClient, app: FastAPI) -> None:
    real = operator.cookies[COOKIE]
    body, signature = real.split(".")
    operator.cookies.clear()
    operator.cookies.set(COOKIE, f"{body}x.{signature}")
    assert operator.get("/console/", follow_redirects=False).status_code == 303
    secret = app.state.console_secret
    expired = ConsoleSession(operator.key_id, int(time.time()) - 1, "t")  # type: ignore[attr-defined]
    assert decode(encode(expired, secret), secret) is None
    assert decode(encode(expired, b"another secret"), secret) is None


def test_a_revoked_key_loses_its_session_at_once(operator: TestClient, app: FastAPI) -> None:
    assert operator.get("/console/").status_code == 200
    with app.state.sessions() as db:
        revoke_key(db, operator.key_id)  # type: ignore[attr-defined]
    response = operator.get("/console/", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/console/login")


def test_signing_out_ends_the_session(operator: TestClient) -> None:
    token = csrf_token(operator, "/console/")
    stolen = operator.cookies[COOKIE]
    response = operator.post("/console/logout", data={"csrf_token": token}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/console/login"
    assert any(c.startswith(f'{COOKIE}=""') or "Max-Age=0" in c for c in _set_cookie_headers(response))
    assert operator.get("/console/", follow_redirects=False).status_code == 303
    del stolen  # the cookie is signed and still unexpired: revoke the key to end it everywhere


def test_a_form_without_the_session_token_is_refused(operator: TestClient) -> None:
    form = {"brand": OBED, "text": "Где мой заказ?"}
    assert operator.post("/console/paste", data=form).status_code == 403
    assert operator.post("/console/paste", data={**form, "csrf_token": "forged"}).status_code == 403
    assert operator.post("/console/logout", data={}).status_code == 403
    assert operator.get("/console/").status_code == 200  # still signed in


def test_the_sign_in_form_is_protected_too(anonymous: TestClient, make_key) -> None:
    csrf_token(anonymous, "/console/login")  # a session without a key
    data = {"api_key": secret_of(make_key(Role.operator, OBED)), "csrf_token": "guessed"}
    assert anonymous.post("/console/login", data=data).status_code == 403


def test_the_session_token_changes_when_signing_in(anonymous: TestClient, make_key) -> None:
    before = csrf_token(anonymous, "/console/login")
    assert sign_in(anonymous, secret_of(make_key(Role.operator, OBED))).status_code == 303
    assert csrf_token(anonymous, "/console/") != before


def test_russian_by_default_english_on_request_and_remembered(operator: TestClient) -> None:
    assert '<html lang="ru">' in operator.get("/console/").text and "Входящие" in operator.get("/console/").text
    english = operator.get("/console/?lang=en")
    assert "Inbox" in english.text and "Входящие" not in english.text
    assert any(c.startswith("lang=en") and "Path=/console" in c for c in _set_cookie_headers(english))
    assert "Paste a mention" in operator.get("/console/cases").text  # the cookie remembers it
    assert "Входящие" in operator.get("/console/cases?lang=ru").text


def test_a_secret_is_made_once_and_readable_by_its_owner_only(tmp_path) -> None:
    first = load_secret(None, tmp_path)
    assert load_secret(None, tmp_path) == first and len(first) == 64
    assert stat.S_IMODE((tmp_path / SECRET_FILE).stat().st_mode) == 0o600
    assert load_secret("configured-" + "x" * 32, tmp_path) == b"configured-" + b"x" * 32


def test_pages_forbid_inline_scripts_and_framing(operator: TestClient) -> None:
    policy = operator.get("/console/").headers["content-security-policy"]
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert operator.get("/console/static/console.js").status_code == 200


def test_no_interface_text_is_shadowed_by_a_dict_method() -> None:
    """Templates read `t.copy_text`; a key named like a dict method would print the method."""
    assert not set(TEXT) & set(dir(dict))
    assert all(len(texts) == 2 and all(texts) for texts in TEXT.values())
