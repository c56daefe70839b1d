"""What every console page shares: templates, the signed-in visitor, CSRF, language, errors.

Console routes use `ConsoleRoute`: an error raised by a dependency or a service call (403 for
another brand's record, 404, 409) becomes an HTML page, and a visitor without a session is sent
to the sign-in page; the JSON API's handlers stay as they are.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, Form, HTTPException, Request, Response, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from api.console import i18n
from api.console.session import COOKIE, ConsoleSession, decode, encode
from api.deps import SessionDep
from api.errors import assistant_error_body
from api.keys import Caller, Permission, find_caller_by_id
from assistant.errors import AssistantError

HERE = Path(__file__).parent
PREFIX = "/console"
# Pages load only their own scripts and styles and cannot be framed: a pasted mention's text is
# escaped by the templates, and even if it were not, an inline script would not run.
CSP = "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
templates = Jinja2Templates(
    env=Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=True, undefined=StrictUndefined)
)


class SignInRequired(Exception):
    """No session, an expired one, or its key was revoked: the visitor signs in (again)."""


@dataclass(frozen=True)
class Visitor:
    """A signed-in console user: the key's caller (re-read on every request) and the session."""

    caller: Caller
    session: ConsoleSession


def current_session(request: Request) -> ConsoleSession | None:
    return decode(request.cookies.get(COOKIE), request.app.state.console_secret)


def signed_in(request: Request, db: SessionDep) -> Visitor:
    """The visitor, if their session is valid and its key is not revoked (looked up every time)."""
    session = current_session(request)
    caller = find_caller_by_id(db, session.key_id) if session and session.key_id else None
    if session is None or caller is None:
        raise SignInRequired
    return Visitor(caller, session)


def allowed(permission: Permission) -> Callable[[Visitor], Visitor]:
    """A dependency: the visitor, if their key's role grants this permission; else a 403 page."""

    def check(visitor: Annotated[Visitor, Depends(signed_in)]) -> Visitor:
        if not visitor.caller.may(permission):
            raise HTTPException(status.HTTP_403_FORBIDDEN, f"role may not {permission.value}")
        return visitor

    return check


def csrf_checked(
    visitor: Annotated[Visitor, Depends(signed_in)], csrf_token: Annotated[str | None, Form()] = None
) -> Visitor:
    """Every console POST carries the session's CSRF token in a hidden field; else 403."""
    if not visitor.session.valid_token(csrf_token):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "csrf")
    return visitor


Reading = Annotated[Visitor, Depends(allowed(Permission.read))]
Submitting = Annotated[Visitor, Depends(allowed(Permission.submit))]
Reviewing = Annotated[Visitor, Depends(allowed(Permission.review))]
Posting = Annotated[Visitor, Depends(csrf_checked)]


def language(request: Request) -> str:
    return i18n.choose(request.query_params.get("lang"), request.cookies.get("lang"))


def render(request: Request, template: str, visitor: Visitor | None, code: int = 200, **context: Any) -> HTMLResponse:
    """A page in the visitor's language; a `?lang=` choice is remembered in a cookie."""
    lang = language(request)
    response = templates.TemplateResponse(
        request,
        template,
        {
            "t": i18n.translator(lang),
            "lang": lang,
            "visitor": visitor,
            "caller": visitor.caller if visitor else None,
            "csrf": visitor.session.csrf if visitor else "",
            "Permission": Permission,
            "path": request.url.path,
            **context,
        },
        status_code=code,
    )
    response.headers["Content-Security-Policy"] = CSP
    if request.query_params.get("lang") in i18n.LANGUAGES:
        response.set_cookie("lang", lang, max_age=365 * 24 * 3600, path=PREFIX, samesite="lax")
    return response


def redirect(url: str) -> RedirectResponse:
    """POST/redirect/GET: a form's success always ends in a GET."""
    return RedirectResponse(url, status.HTTP_303_SEE_OTHER)


def set_session(request: Request, response: Response, session: ConsoleSession) -> None:
    response.set_cookie(
        COOKIE,
        encode(session, request.app.state.console_secret),
        max_age=max(0, session.expires - int(time.time())),
        path=PREFIX,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )


def error_page(request: Request, code: int, detail: str) -> HTMLResponse:
    """An error as a page. A 403 says only that access is refused: never whose record it is."""
    shown = "" if code == status.HTTP_403_FORBIDDEN else detail
    if detail == "csrf":
        shown = i18n.translator(language(request))["csrf"]
    return render(request, "error.html", None, code, status_code=code, detail=shown)


class ConsoleRoute(APIRoute):
    """A route whose errors are pages (and whose missing session is a redirect to sign in)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()

        async def handler(request: Request) -> Response:
            try:
                return await handle(request)
            except SignInRequired:
                return redirect(f"{PREFIX}/login?next={quote(_local(request), safe='')}")
            except HTTPException as error:
                return error_page(request, error.status_code, str(error.detail))
            except AssistantError as error:
                return error_page(request, assistant_error_body(error)[0], str(error))
            except RequestValidationError as error:
                return error_page(request, 422, "; ".join(str(e.get("msg")) for e in error.errors()))

        return handler


def _local(request: Request) -> str:
    """Where to come back to after signing in: this page (a GET), else the inbox."""
    if request.method != "GET":
        return f"{PREFIX}/"
    query = f"?{request.url.query}" if request.url.query else ""
    return f"{request.url.path}{query}"


def safe_next(target: str | None) -> str:
    """Only a console path: an absolute or protocol-relative URL would be an open redirect."""
    if target and target.startswith(f"{PREFIX}/") and not target.startswith("//") and "\\" not in target:
        return target
    return f"{PREFIX}/"
