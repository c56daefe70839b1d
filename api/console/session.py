"""The console's session: a signed cookie holding the key's id, an expiry and a CSRF token.

The cookie never holds the key itself. It is `base64url(json).base64url(hmac_sha256)`, signed
with OTKLIK_SESSION_SECRET or, when unset, a random secret made once and kept in the data
directory (mode 0600), so sessions survive a restart. A visitor who has not signed in gets a
session without a key id: its CSRF token protects the sign-in form itself.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

COOKIE = "otklik_session"
SECRET_FILE = "console-secret"
ANONYMOUS_SECONDS = 2 * 3600  # a sign-in form left open this long has to be loaded again


@dataclass(frozen=True)
class ConsoleSession:
    """What the cookie says: whose key (None before signing in), until when, the CSRF token."""

    key_id: str | None
    expires: int
    csrf: str

    def valid_token(self, token: str | None) -> bool:
        """The form's CSRF token is this session's (compared in constant time)."""
        return token is not None and hmac.compare_digest(token.encode(), self.csrf.encode())


def new_session(key_id: str | None, seconds: int) -> ConsoleSession:
    """A fresh session with a new CSRF token (signing in replaces the anonymous one)."""
    return ConsoleSession(key_id, int(time.time()) + seconds, secrets.token_urlsafe(32))


def encode(session: ConsoleSession, secret: bytes) -> str:
    payload = json.dumps({"k": session.key_id, "e": session.expires, "c": session.csrf}, separators=(",", ":"))
    body = _b64(payload.encode())
    return f"{body}.{_b64(_sign(body, secret))}"


def decode(cookie: str | None, secret: bytes) -> ConsoleSession | None:
    """The session in a cookie, or None if it is missing, forged, malformed or expired."""
    if not cookie or cookie.count(".") != 1:
        return None
    body, signature = cookie.split(".")
    try:
        if not hmac.compare_digest(_unb64(signature), _sign(body, secret)):
            return None
        data = json.loads(_unb64(body))
        session = ConsoleSession(data["k"], int(data["e"]), str(data["c"]))
    except (ValueError, KeyError, TypeError):
        return None
    return session if session.expires > time.time() else None


def load_secret(configured: str | None, data_dir: Path) -> bytes:
    """The signing secret: the configured one, else the data directory's (made on first use)."""
    if configured:
        return configured.encode()
    path = data_dir / SECRET_FILE
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return _create_secret(path)


def _create_secret(path: Path) -> bytes:
    """Write a new secret readable by this user only; if another process won the race, use theirs."""
    secret = secrets.token_hex(32).encode()
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_bytes()
    with os.fdopen(fd, "wb") as out:
        out.write(secret)
    return secret


def _sign(body: str, secret: bytes) -> bytes:
    return hmac.new(secret, body.encode(), hashlib.sha256).digest()


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
