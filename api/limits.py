"""Request-body size limits: a 413 with a JSON body before the body is parsed. Every body is
held to OTKLIK_MAX_REQUEST_BYTES but a batch upload's (POST /jobs), which is held to the larger
OTKLIK_MAX_UPLOAD_BYTES in the same way: a multipart upload without a Content-Length is refused
as it arrives, before the form parser has spooled it to disk."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import HTTPException, status
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

UPLOADS = ("/jobs", "/jobs/")  # POST: a batch upload


@dataclass(frozen=True)
class Limit:
    max_bytes: int
    setting: str  # the variable that sets it, named in the error
    kind: str  # the error's type

    def detail(self, what: str) -> list[dict[str, object]]:
        message = f"{what}; the limit is {self.max_bytes} bytes ({self.setting})"
        return [{"loc": ["body"], "msg": message, "type": self.kind}]


class RequestSizeLimit:
    """ASGI middleware: a declared Content-Length over the limit is refused before the route runs;
    a chunked body is counted as it arrives and refused once it goes over."""

    def __init__(self, app: ASGIApp, max_bytes: int, max_upload_bytes: int) -> None:
        self.app = app
        self.body = Limit(max_bytes, "OTKLIK_MAX_REQUEST_BYTES", "body_too_large")
        self.upload = Limit(max_upload_bytes, "OTKLIK_MAX_UPLOAD_BYTES", "upload_too_large")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.upload if scope["method"] == "POST" and scope["path"] in UPLOADS else self.body
        declared = _content_length(scope)
        if declared is not None and declared > limit.max_bytes:
            response = JSONResponse({"detail": limit.detail(f"the body is {declared} bytes")}, status_code=413)
            await response(scope, receive, send)
            return
        await self.app(scope, _counting(receive, limit), send)


def _counting(receive: Receive, limit: Limit) -> Receive:
    received = 0

    async def counted() -> Message:
        nonlocal received
        message = await receive()
        received += len(message.get("body", b""))
        if received > limit.max_bytes:  # FastAPI re-raises an HTTPException met while reading the body
            raise HTTPException(status.HTTP_413_CONTENT_TOO_LARGE, limit.detail("the body is larger"))
        return message

    return counted


def _content_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            return int(value) if value.isdigit() else None
    return None
