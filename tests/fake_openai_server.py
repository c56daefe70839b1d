"""A scripted OpenAI-compatible chat server on 127.0.0.1, for the fault tests (stdlib only).

Each request takes the next scripted `Reply` (or `always`, when set); with nothing
scripted it answers well: a plausible classification, or a reply to a negative built
from the case reference, due time and name found in the prompt, in the brand's «ты» or
«Вы». It answers tool calls (`function_calling`) and `response_format` requests alike,
and remembers every request it got.

    python -m tests.fake_openai_server --port 8011 --latency 0.5   # for the benchmark or by hand
"""

from __future__ import annotations

import argparse
import json
import re
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Reply:
    """One scripted answer: `payload` is the structured answer (None: the default for the schema)."""

    payload: dict[str, Any] | None = None
    status: int = 200
    delay: float = 0.0
    error: str = ""
    error_code: str | None = None
    raw_arguments: str | None = None  # sent as the tool call's arguments verbatim (malformed JSON)
    text: str | None = None  # a plain-text answer with no tool call


def ok(payload: dict[str, Any] | None = None, delay: float = 0.0) -> Reply:
    return Reply(payload=payload, delay=delay)


def draft(text: str, cited: list[str] | None = None) -> Reply:
    return Reply(payload={"text": text, "cited_fact_ids": cited or []})


def failure(status: int, message: str = "scripted failure", code: str | None = None) -> Reply:
    return Reply(status=status, error=message, error_code=code)


def slow(seconds: float) -> Reply:
    return Reply(delay=seconds)


def malformed() -> Reply:
    return Reply(raw_arguments='{"text": "Привет, это обрыв')


OVERFLOW = failure(400, "This model's maximum context length is 8192 tokens.", "context_length_exceeded")


@dataclass
class FakeOpenAI:
    """The server's script and memory; `start()` returns the base URL (…/v1)."""

    latency: float = 0.0
    models: set[str] | None = None  # None: any model name is known
    script: deque[Reply] = field(default_factory=deque)
    always: Reply | None = None
    writer: Callable[[str], str] | None = None  # the default reply's text from the prompt (else `good_reply`)
    requests: list[dict[str, Any]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    in_flight: int = 0
    most_in_flight: int = 0  # the most requests the server was answering at one time
    _server: ThreadingHTTPServer | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def enqueue(self, *replies: Reply) -> None:
        self.script.extend(replies)

    def start(self, port: int = 0) -> str:
        self._server = _Server(("127.0.0.1", port), _handler(self))
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()

    def reset(self) -> None:
        with self._lock:
            self.script.clear()
            self.always = None
            self.writer = None
            self.requests.clear()
            self.headers.clear()
            self.most_in_flight = 0

    def schemas_asked(self) -> list[str]:
        return [_schema_name(body) for body in self.requests]

    def answer(self, body: dict[str, Any], headers: dict[str, str]) -> tuple[int, dict[str, Any], float]:
        with self._lock:
            self.requests.append(body)
            self.headers.append(headers)
            reply = self.always or (self.script.popleft() if self.script else Reply())
        if self.models is not None and body.get("model") not in self.models:
            reply = failure(404, f"The model `{body.get('model')}` does not exist", "model_not_found")
        if reply.status != 200:
            error = {"message": reply.error, "type": "scripted", "code": reply.error_code}
            return reply.status, {"error": error}, reply.delay + self.latency
        return 200, _completion(body, reply, self.writer or good_reply), reply.delay + self.latency


class _Server(ThreadingHTTPServer):
    request_queue_size = 128  # the default backlog of 5 drops concurrent connects (a 1 s SYN retry)
    daemon_threads = True


def _handler(fake: FakeOpenAI) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
            status, payload, delay = fake.answer(body, {k.lower(): v for k, v in self.headers.items()})
            with fake._lock:
                fake.in_flight += 1
                fake.most_in_flight = max(fake.most_in_flight, fake.in_flight)
            time.sleep(delay)
            with fake._lock:
                fake.in_flight -= 1
            data = json.dumps(payload, ensure_ascii=False).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.send_header("retry-after-ms", "10")  # the client's retries need not wait long here
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):  # the client timed out and left
                pass

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


def _completion(body: dict[str, Any], reply: Reply, writer: Callable[[str], str]) -> dict[str, Any]:
    schema = _schema_name(body)
    payload = reply.payload if reply.payload is not None else default_answer(schema, body, writer)
    arguments = reply.raw_arguments or json.dumps(payload, ensure_ascii=False)
    if reply.text is not None:
        message = {"role": "assistant", "content": reply.text}
    elif body.get("tools"):
        call = {"id": "call_1", "type": "function", "function": {"name": schema, "arguments": arguments}}
        message = {"role": "assistant", "content": None, "tool_calls": [call]}
    else:
        message = {"role": "assistant", "content": arguments}
    prompt_tokens = sum(len(str(m.get("content", ""))) for m in body.get("messages", [])) // 3
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": body.get("model", "fake"),
        "choices": [{"index": 0, "message": message, "finish_reason": "tool_calls" if body.get("tools") else "stop"}],
        "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": len(arguments) // 3, "total_tokens": 0},
    }


def _schema_name(body: dict[str, Any]) -> str:
    if body.get("tools"):
        return body["tools"][0]["function"]["name"]
    response_format = body.get("response_format") or {}
    if name := response_format.get("json_schema", {}).get("name"):
        return name
    return "ClassificationOut" if "classify" in _all_text(body).lower() else "DraftOut"


def _all_text(body: dict[str, Any]) -> str:
    return "\n".join(str(m.get("content", "")) for m in body.get("messages", []))


CLASSIFICATION = {
    "sentiment": "negative",
    "kind": "constructive",
    "register": "rational",
    "is_question": False,
    "suspected_fake": False,
    "fake_signals": [],
    "risk_flags": [],
    "topics": ["delivery"],
    "language": "ru",
    "confidence": 0.9,
    "rationale": "a concrete complaint about a late delivery",
}


def default_answer(schema: str, body: dict[str, Any], writer: Callable[[str], str]) -> dict[str, Any]:
    if schema == "ClassificationOut":
        return dict(CLASSIFICATION)
    if schema == "JudgeOut":
        points = ("polite", "acknowledge", "regret", "help", "follow_up", "grounded", "register")
        return {point: True for point in points} | {"reason": ""}
    return {"text": writer(_all_text(body)), "cited_fact_ids": []}


def good_reply(prompt: str) -> str:
    """A reply that passes the checks for a negative mention, made from what the prompt says."""
    name = _found(r"author=(\w+)", prompt)
    name = None if name == "unknown" else name
    informal = "Address the author as «ты»" in prompt
    ref = _found(r"Case reference: (\S+)", prompt)
    due = _found(r"When the reply promises to come back: (.+?) \(write it", prompt)
    hello = ("Привет" if informal else "Здравствуйте") + (f", {name}!" if name else "!")
    if informal:
        body = "Спасибо, что рассказываешь об этом. Твоё недовольство понятно, и нам очень жаль, что так вышло. Напиши нам в личные сообщения сообщества — разберёмся."
    else:
        body = "Спасибо, что рассказали об этом. Ваше недовольство понятно, и нам очень жаль, что так вышло. Напишите нам в чат поддержки — разберёмся."
    follow = f" Номер обращения {ref}, вернёмся с ответом {due.strip()}." if ref and due else ""
    return f"{hello}\n\n{body}{follow}"


def _found(pattern: str, text: str) -> str | None:
    match = re.search(pattern, text)
    return match.group(1) if match else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8011)
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added to every answer")
    args = parser.parse_args()
    fake = FakeOpenAI(latency=args.latency)
    print(fake.start(args.port), flush=True)
    threading.Event().wait()


if __name__ == "__main__":
    main()
