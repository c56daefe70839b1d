"""A scripted GigaChat API on 127.0.0.1 (stdlib only), speaking the protocol as Sber documents it.

- `POST /api/v2/oauth`: `Authorization: Basic <authorization key>`, a `RqUID` header (uuid4),
  a form body `scope=GIGACHAT_API_PERS|B2B|CORP`; answers `{"access_token", "expires_at"}`
  (milliseconds since the epoch; tokens live 30 minutes unless scripted otherwise), 401 for
  an unknown key.
- `POST /api/v1/chat/completions`: `Authorization: Bearer <access token>`; 401 for an unknown
  or expired token; `functions` and `function_call: {"name": ...}` for structured output,
  answered with `message.function_call.arguments` as a JSON object (not a string, as
  OpenAI's); a system message only first.

Tokens expire on the server's say (`expire_tokens`, `expire_after`), not by the clock, so the
tests never wait. Answers default to `fake_openai_server.default_answer`.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs

from tests.fake_openai_server import Reply, _Server, default_answer, good_reply

SCOPES = {"GIGACHAT_API_PERS", "GIGACHAT_API_B2B", "GIGACHAT_API_CORP"}
TOKEN_LIFETIME_MS = 30 * 60 * 1000


@dataclass
class FakeGigaChat:
    """The server's keys, tokens, script and memory; `start()` returns (base URL, OAuth URL)."""

    credentials: str
    models: set[str] = field(default_factory=lambda: {"GigaChat-2-Max"})
    script: deque[Reply] = field(default_factory=deque)
    lifetimes_ms: deque[int] = field(default_factory=deque)  # of the next tokens issued (else 30 min)
    expire_after: int | None = None  # chat requests after which the tokens issued so far expire
    refuse_after: int | None = None  # chat requests after which every token is refused (no access)
    valid_tokens: set[str] = field(default_factory=set)
    issued: list[str] = field(default_factory=list)
    oauth_requests: list[dict[str, Any]] = field(default_factory=list)
    requests: list[dict[str, Any]] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)  # the tokens answered with 401
    _server: _Server | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self) -> tuple[str, str]:
        self._server = _Server(("127.0.0.1", 0), _handler(self))
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        root = f"http://127.0.0.1:{self._server.server_address[1]}"
        return f"{root}/api/v1", f"{root}/api/v2/oauth"

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()

    def reset(self) -> None:
        with self._lock:
            for kept in (self.script, self.lifetimes_ms, self.valid_tokens, self.issued):
                kept.clear()
            for kept in (self.oauth_requests, self.requests, self.rejected):
                kept.clear()
            self.expire_after = self.refuse_after = None

    def enqueue(self, *replies: Reply) -> None:
        self.script.extend(replies)

    def expire_tokens(self) -> None:
        with self._lock:
            self.valid_tokens.clear()

    def token_of(self, request: int) -> str:
        return self.requests[request]["authorization"].removeprefix("Bearer ")

    def oauth(self, headers: dict[str, str], form: dict[str, list[str]]) -> tuple[int, dict[str, Any]]:
        with self._lock:
            self.oauth_requests.append({"headers": headers, "form": form})
        problem = _oauth_problem(headers, form, self.credentials)
        if problem:
            return 401 if "key" in problem else 400, {"code": 6, "message": problem}
        with self._lock:
            token = f"giga-token-{uuid.uuid4().hex}"
            self.valid_tokens.add(token)
            self.issued.append(token)
            lifetime = self.lifetimes_ms.popleft() if self.lifetimes_ms else TOKEN_LIFETIME_MS
        return 200, {"access_token": token, "expires_at": int(time.time() * 1000) + lifetime}

    def chat(self, headers: dict[str, str], body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        token = headers.get("authorization", "").removeprefix("Bearer ")
        with self._lock:
            self.requests.append({"authorization": headers.get("authorization", ""), "body": body})
            if self.expire_after is not None and len(self.requests) > self.expire_after:
                self.valid_tokens.clear()
                self.expire_after = None
            refused = self.refuse_after is not None and len(self.requests) > self.refuse_after
            if refused or token not in self.valid_tokens:
                self.rejected.append(token)
                return 401, {"status": 401, "message": "Token has expired"}
            reply = self.script.popleft() if self.script else Reply()
        if problem := _chat_problem(body, self.models):
            return problem
        if reply.status != 200:
            return reply.status, {"status": reply.status, "message": reply.error}
        return 200, _completion(body, reply)


def _oauth_problem(headers: dict[str, str], form: dict[str, list[str]], credentials: str) -> str:
    if headers.get("authorization") != f"Basic {credentials}":
        return "Can't decode 'Authorization' header: unknown authorization key"
    try:
        uuid.UUID(headers.get("rquid", ""), version=4)
    except ValueError:
        return "RqUID must be a uuid4"
    if form.get("scope", [""])[0] not in SCOPES:
        return "scope is required: GIGACHAT_API_PERS, GIGACHAT_API_B2B or GIGACHAT_API_CORP"
    return ""


def _chat_problem(body: dict[str, Any], models: set[str]) -> tuple[int, dict[str, Any]] | None:
    if body.get("model") not in models:
        return 404, {"status": 404, "message": f"No such model: {body.get('model')}"}
    roles = [m.get("role") for m in body.get("messages", [])]
    if not roles or "system" in roles[1:] or not set(roles) <= {"system", "user", "assistant", "function"}:
        return 422, {"status": 422, "message": f"Invalid messages roles: {roles}"}
    names = {f["name"] for f in body.get("functions") or []}
    wanted = body.get("function_call")
    if isinstance(wanted, dict) and wanted.get("name") not in names:
        return 422, {"status": 422, "message": f"function_call names no given function: {wanted}"}
    return None


def _completion(body: dict[str, Any], reply: Reply) -> dict[str, Any]:
    functions = body.get("functions") or []
    name = functions[0]["name"] if functions else "DraftOut"
    text = "\n".join(str(m.get("content", "")) for m in body.get("messages", []))
    arguments = reply.payload if reply.payload is not None else default_answer(name, body, good_reply)
    if functions:
        message = {"role": "assistant", "content": "", "function_call": {"name": name, "arguments": arguments}}
    else:
        message = {"role": "assistant", "content": json.dumps(arguments, ensure_ascii=False)}
    return {
        "choices": [{"message": message, "index": 0, "finish_reason": "function_call" if functions else "stop"}],
        "created": int(time.time()),
        "model": body.get("model"),
        "object": "chat.completion",
        "usage": {"prompt_tokens": len(text) // 4, "completion_tokens": 40, "total_tokens": len(text) // 4 + 40},
    }


def _handler(fake: FakeGigaChat) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            headers = {k.lower(): v for k, v in self.headers.items()}
            if self.path == "/api/v2/oauth":
                status, payload = fake.oauth(headers, parse_qs(raw.decode()))
            elif self.path == "/api/v1/chat/completions":
                status, payload = fake.chat(headers, json.loads(raw or b"{}"))
            else:
                status, payload = 404, {"status": 404, "message": f"no route {self.path}"}
            self._send(status, payload)

        def _send(self, status: int, payload: dict[str, Any]) -> None:
            data = json.dumps(payload, ensure_ascii=False).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            if status == 429:
                self.send_header("Retry-After", "0.01")  # the client's retry need not wait long here
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler
