"""The request-body size limit (OTKLIK_MAX_REQUEST_BYTES): a 413 with a JSON body, before the
body is parsed. Batch uploads (POST /jobs) have their own, larger limit, OTKLIK_MAX_UPLOAD_BYTES,
checked by their route in the same way."""

from __future__ import annotations

from fastapi import HTTPException, status
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

UPLOADS = ("/jobs", "/jobs/")  # POST: limited by OTKLIK_MAX_UPLOAD_BYTES in api/routes/jobs.py


class RequestSizeLimit:
    """ASGI middleware: a declared Content-Length over the limit is refused before the route runs;
    a chunked body is counted as it arrives and refused once it goes over."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or (scope["method"] == "POST" and scope["path"] in UPLOADS):
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.max_bytes:
            response = JSONResponse({"detail": self._detail(f"the body is {declared} bytes")}, status_code=413)
            await response(scope, receive, send)
            return
        await self.app(scope, self._counting(receive), send)

    def _counting(self, receive: Receive) -> Receive:
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.max_bytes:  # FastAPI re-raises an HTTPException met while reading the body
                raise HTTPException(status.HTTP_413_CONTENT_TOO_LARGE, self._detail("the body is larger"))
            return message

        return counted

    def _detail(self, what: str) -> list[dict[str, object]]:
        message = f"{what}; the limit is {self.max_bytes} bytes (OTKLIK_MAX_REQUEST_BYTES)"
        return [{"loc": ["body"], "msg": message, "type": "body_too_large"}]


def _content_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            return int(value) if value.isdigit() else None
    return None
