"""Errors mapped to HTTP in one handler: every body is JSON naming what was wrong, never a traceback."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from assistant.errors import (
    AssistantError,
    BrandFileError,
    ConfigurationError,
    InputError,
    ModelOutputError,
    ModelUnavailableError,
    UnknownBrandError,
)

log = logging.getLogger("otklik.api")


class NotFoundError(AssistantError):
    """No such record."""


class ConflictError(AssistantError):
    """The record is not in a state that allows this (approve a rejected draft, publish an unapproved one)."""


# First match wins: subclasses before their bases.
STATUS: list[tuple[type[AssistantError], int, str]] = [
    (UnknownBrandError, 422, "unknown_brand"),
    (NotFoundError, 404, "not_found"),
    (ConflictError, 409, "conflict"),
    (InputError, 422, "invalid_input"),
    (BrandFileError, 422, "invalid_brand_file"),
    (ConfigurationError, 503, "model_configuration"),
    (ModelUnavailableError, 503, "model_unavailable"),
    (ModelOutputError, 502, "model_output"),
    (AssistantError, 400, "error"),
]


def assistant_error_body(error: AssistantError) -> tuple[int, dict[str, object]]:
    """The status and JSON body for one of Otklik's named errors."""
    status, kind = next((s, k) for cls, s, k in STATUS if isinstance(error, cls))
    body: dict[str, object] = {"detail": str(error), "type": kind}
    if isinstance(error, UnknownBrandError):
        body["loc"] = ["body", "brand"]
    return status, body


async def _assistant_error(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, AssistantError)
    status, body = assistant_error_body(error)
    return JSONResponse(body, status_code=status)


async def _invalid_request(_request: Request, error: Exception) -> JSONResponse:
    """FastAPI's 422, with the rejected input made encodable: it may hold an unpaired surrogate."""
    assert isinstance(error, RequestValidationError)
    return JSONResponse({"detail": _encodable(jsonable_encoder(error.errors()))}, status_code=422)


def _encodable(value: Any) -> Any:
    if isinstance(value, str):
        return value.encode("utf-8", "backslashreplace").decode("utf-8")
    if isinstance(value, list):
        return [_encodable(item) for item in value]
    if isinstance(value, dict):
        return {_encodable(key): _encodable(item) for key, item in value.items()}
    return value


async def _unexpected(_request: Request, error: Exception) -> JSONResponse:
    log.exception("unhandled error", exc_info=error)
    return JSONResponse({"detail": "internal error; see the server log", "type": "internal"}, status_code=500)


def install_handlers(app: FastAPI) -> None:
    app.add_exception_handler(AssistantError, _assistant_error)
    app.add_exception_handler(RequestValidationError, _invalid_request)
    app.add_exception_handler(Exception, _unexpected)
