"""Dependencies, declared once; tests override them through `app.dependency_overrides`."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from api.keys import Caller, Permission, find_caller
from api.settings import ApiSettings
from assistant.config import Settings
from assistant.pipeline import Components

_bearer = HTTPBearer(auto_error=False, description="Authorization: Bearer <key>")
_header = APIKeyHeader(name="X-API-Key", auto_error=False, description="or X-API-Key: <key>")


def get_db(request: Request) -> Iterator[Session]:
    with request.app.state.sessions() as session:
        yield session


def get_components(request: Request) -> Components:
    return request.app.state.components


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_api_settings(request: Request) -> ApiSettings:
    return request.app.state.api_settings


# The largest page offset: any larger integer may overflow the database's (SQLite: 64-bit), a 500.
MAX_OFFSET = 1_000_000_000

SessionDep = Annotated[Session, Depends(get_db)]
ComponentsDep = Annotated[Components, Depends(get_components)]
ApiSettingsDep = Annotated[ApiSettings, Depends(get_api_settings)]


def get_caller(
    db: SessionDep,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    header_key: Annotated[str | None, Depends(_header)],
) -> Caller:
    """The key's owner; 401 for a missing, unknown or revoked key (checked on every request)."""
    secret = bearer.credentials if bearer else header_key
    caller = find_caller(db, secret) if secret else None
    if caller is None:
        detail = "invalid or revoked API key" if secret else "missing API key (Authorization: Bearer <key>)"
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, detail, headers={"WWW-Authenticate": "Bearer"})
    return caller


def require(permission: Permission) -> Callable[[Caller], Caller]:
    """A dependency: the caller, if their role grants this permission; else 403."""

    def check(caller: Annotated[Caller, Depends(get_caller)]) -> Caller:
        if not caller.may(permission):
            raise HTTPException(status.HTTP_403_FORBIDDEN, f"role {caller.role.value!r} may not {permission.value}")
        return caller

    return check


def check_brand(caller: Caller, brand: str) -> None:
    """403 unless the caller's key covers this brand. The message does not name the brand: for a
    record of another brand, that would tell the caller whose it is."""
    if not caller.may_touch(brand):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "this key does not cover the brand of this request")


Reader = Annotated[Caller, Depends(require(Permission.read))]
Submitter = Annotated[Caller, Depends(require(Permission.submit))]
Reviewer = Annotated[Caller, Depends(require(Permission.review))]
KnowledgeManager = Annotated[Caller, Depends(require(Permission.manage_knowledge))]
