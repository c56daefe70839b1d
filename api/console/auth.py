"""Signing in with an API key (the session cookie holds its id, never the key) and signing out."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Request, status
from fastapi.responses import HTMLResponse

from api.console.session import ANONYMOUS_SECONDS, COOKIE, new_session
from api.console.web import (
    PREFIX,
    ConsoleRoute,
    Posting,
    current_session,
    redirect,
    render,
    safe_next,
    set_session,
)
from api.deps import SessionDep
from api.keys import find_caller

router = APIRouter(prefix=PREFIX, route_class=ConsoleRoute, include_in_schema=False)


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request) -> HTMLResponse:
    """The sign-in form, under a session without a key whose CSRF token the form carries."""
    session = current_session(request)
    if session is None or session.key_id is not None:
        session = new_session(None, ANONYMOUS_SECONDS)
    response = _form(request, session.csrf, None, status.HTTP_200_OK)
    set_session(request, response, session)
    return response


@router.post("/login")
def login(
    request: Request,
    db: SessionDep,
    api_key: Annotated[str, Form()] = "",
    csrf_token: Annotated[str | None, Form()] = None,
    next: Annotated[str | None, Form()] = None,
) -> Any:
    session = current_session(request)
    if session is None or not session.valid_token(csrf_token):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "csrf")
    caller = find_caller(db, api_key.strip()) if api_key.strip() else None
    if caller is None:
        return _form(request, session.csrf, "bad_key", status.HTTP_401_UNAUTHORIZED)
    response = redirect(safe_next(next))
    set_session(request, response, new_session(caller.key_id, request.app.state.api_settings.session_hours * 3600))
    return response


@router.post("/logout")
def logout(_: Posting) -> Any:
    response = redirect(f"{PREFIX}/login")
    response.delete_cookie(COOKIE, path=PREFIX)
    return response


def _form(request: Request, csrf: str, error: str | None, code: int) -> HTMLResponse:
    return render(
        request,
        "login.html",
        None,
        code,
        login_csrf=csrf,
        error=error,
        next=safe_next(request.query_params.get("next")),
    )
