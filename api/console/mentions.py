"""Console pages for mentions: the inbox, one mention with its review buttons, and pasting one.

Every step is the service's (api/service.py, api/inbox.py) with the same permission and brand
checks as the JSON API; these routes only turn forms into calls and results into pages.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from enum import StrEnum
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError
from sqlalchemy.orm import Session

from api import cases, inbox, knowledge, service
from api.access import own_mention  # the API's own check: 404 if none, 403 if not theirs
from api.console.forms import error_map, parse_date
from api.console.web import PREFIX, ConsoleRoute, Posting, Reading, Reviewing, Submitting, Visitor, redirect, render
from api.deps import ApiSettingsDep, ComponentsDep, SessionDep, check_brand
from api.errors import NotFoundError
from api.keys import Caller
from api.schemas import MentionPublic, MentionStatus
from api.tables import MentionRow
from assistant.models import Mention, NegativeKind, Platform, Sentiment
from assistant.pipeline import Components

router = APIRouter(prefix=PREFIX, route_class=ConsoleRoute, include_in_schema=False)
E = TypeVar("E", bound=StrEnum)
PAGE = 50
FILTERS: dict[str, type[StrEnum]] = {
    "sentiment": Sentiment,
    "kind": NegativeKind,
    "platform": Platform,
    "status": MentionStatus,
}
Text = Annotated[str, Form()]
REQUIRED = "required"  # an error key the template translates


def _choice(kind: type[E], value: str | None) -> E | None:
    """A filter's value, or None for "any" (or a value that is not one of the choices)."""
    return kind(value) if value in kind._value2member_map_ else None


@router.get("/", response_class=HTMLResponse)
def inbox_page(request: Request, db: SessionDep, parts: ComponentsDep, visitor: Reading) -> HTMLResponse:
    """The mentions of the key's brands, newest first, with the filters in the query."""
    query = request.query_params
    brand = query.get("brand") or None
    if brand is not None:
        check_brand(visitor.caller, brand)
    chosen = {name: _choice(kind, query.get(name)) for name, kind in FILTERS.items()}
    offset = min(int(query["offset"]), 10**6) if query.get("offset", "").isdigit() else 0
    start, end = parse_date(query.get("from")), parse_date(query.get("to"))
    since = datetime.combine(start, time(), UTC) if start else None
    until = datetime.combine(end + timedelta(days=1), time(), UTC) if end else None  # the whole last day
    wanted = inbox.InboxFilter(brand=brand, since=since, until=until, limit=PAGE, offset=offset, **chosen)  # type: ignore[arg-type]
    rows, total = inbox.list_mentions(db, visitor.caller, wanted)
    return render(
        request,
        "inbox.html",
        visitor,
        mentions=[service.to_public(db, row) for row in rows],
        total=total,
        offset=offset,
        page=PAGE,
        brands=_brands(parts, visitor.caller),
        choices={name: [m.value for m in kind] for name, kind in FILTERS.items()},
        chosen={
            "brand": brand or "",
            "from": start.isoformat() if start else "",
            "to": end.isoformat() if end else "",
            **{name: value or "" for name, value in chosen.items()},
        },
    )


@router.get("/mentions/{mention_id}", response_class=HTMLResponse)
def mention_page(
    request: Request, mention_id: str, db: SessionDep, parts: ComponentsDep, visitor: Reading
) -> HTMLResponse:
    return _mention_view(request, db, parts, visitor, own_mention(db, visitor.caller, mention_id))


@router.post("/mentions/{mention_id}/regenerate")
def regenerate(
    mention_id: str,
    db: SessionDep,
    parts: ComponentsDep,
    visitor: Submitting,
    _: Posting,
) -> RedirectResponse:
    service.regenerate(db, parts, own_mention(db, visitor.caller, mention_id), visitor.caller)
    return redirect(_url(mention_id))


@router.post("/mentions/{mention_id}/follow-up")
def follow_up(
    mention_id: str,
    db: SessionDep,
    parts: ComponentsDep,
    visitor: Submitting,
    _: Posting,
) -> RedirectResponse:
    """A new follow-up draft for the mention's case, as the case stands (POST /cases/{reference}/follow-up)."""
    case = inbox.case_of(db, own_mention(db, visitor.caller, mention_id).id)
    if case is None:
        raise NotFoundError(f"mention {mention_id} has no case to follow up")
    cases.draft_follow_up(db, parts, case, visitor.caller)
    return redirect(f"{_url(mention_id)}#follow-ups")


@router.post("/mentions/{mention_id}/edit")
def edit(
    request: Request, mention_id: str, text: Text, db: SessionDep, parts: ComponentsDep, visitor: Reviewing, _: Posting
) -> Any:
    row = own_mention(db, visitor.caller, mention_id)
    if not text.strip():
        return _mention_view(request, db, parts, visitor, row, {"text": REQUIRED}, 422)
    service.edit(db, parts, row, visitor.caller, text.strip())
    return redirect(_url(mention_id))


@router.post("/mentions/{mention_id}/approve")
def approve(
    mention_id: str, text: Text, db: SessionDep, parts: ComponentsDep, visitor: Reviewing, _: Posting
) -> RedirectResponse:
    """Approve the draft; a text changed in the box is saved (and checked) first."""
    row = own_mention(db, visitor.caller, mention_id)
    current = service.to_public(db, row).draft
    changed = text.strip() if current is None or text.strip() != current.text.strip() else None
    service.approve(db, parts, row, visitor.caller, changed or None)
    return redirect(_url(mention_id))


@router.post("/mentions/{mention_id}/reject")
def reject(
    request: Request,
    mention_id: str,
    reason: Text,
    db: SessionDep,
    parts: ComponentsDep,
    visitor: Reviewing,
    _: Posting,
) -> Any:
    row = own_mention(db, visitor.caller, mention_id)
    if not reason.strip():
        return _mention_view(request, db, parts, visitor, row, {"reason": REQUIRED}, 422)
    service.reject(db, row, visitor.caller, reason.strip()[:2000])
    return redirect(_url(mention_id))


@router.post("/mentions/{mention_id}/published")
def published(mention_id: str, db: SessionDep, visitor: Reviewing, _: Posting) -> RedirectResponse:
    service.mark_published(db, own_mention(db, visitor.caller, mention_id), visitor.caller)
    return redirect(_url(mention_id))


@router.get("/paste", response_class=HTMLResponse)
def paste_page(request: Request, parts: ComponentsDep, visitor: Submitting) -> HTMLResponse:
    return _paste_form(request, parts, visitor, {}, {})


@router.post("/paste")
def paste(
    request: Request,
    db: SessionDep,
    parts: ComponentsDep,
    limits: ApiSettingsDep,
    visitor: Submitting,
    _: Posting,
    brand: Text = "",
    platform: Text = "other",
    author_name: Text = "",
    text: Text = "",
    rating: Text = "",
    url: Text = "",
) -> Any:
    """Draft a reply for a mention pasted by hand (the same path as POST /mentions)."""
    form = {
        "brand": brand,
        "platform": platform,
        "author_name": author_name,
        "text": text,
        "rating": rating,
        "url": url,
    }
    check_brand(visitor.caller, brand)
    fields = {name: value.strip() for name, value in form.items() if value.strip()}
    try:
        mention = Mention.model_validate(fields)
    except ValidationError as error:
        return _paste_form(request, parts, visitor, form, error_map(error, list(form)), 422)
    if len(mention.text) > limits.max_text_chars:
        return _paste_form(request, parts, visitor, form, {"text": f"> {limits.max_text_chars}"}, 413)
    service.known_brand(parts, mention.brand)
    row, _created = inbox.store_mention(db, mention)
    service.draft_mention(db, parts, row)
    return redirect(_url(row.id))


def _paste_form(
    request: Request, parts: Components, visitor: Visitor, form: dict[str, str], errors: dict[str, str], code: int = 200
) -> HTMLResponse:
    return render(
        request,
        "paste.html",
        visitor,
        code,
        form=form,
        errors=errors,
        brands=_brands(parts, visitor.caller),
        platforms=[p.value for p in Platform],
    )


def _mention_view(
    request: Request,
    db: Session,
    parts: Components,
    visitor: Visitor,
    row: MentionRow,
    errors: dict[str, str] | None = None,
    code: int = 200,
) -> HTMLResponse:
    found = service.to_public(db, row)
    case = inbox.case_of(db, row.id)
    follow_ups = [cases.follow_up_public(f, case) for f in cases.follow_ups(db, case)] if case else []
    return render(
        request,
        "mention.html",
        visitor,
        code,
        m=found,
        cited=_cited(parts, found),
        follow_ups=follow_ups[::-1],  # newest first
        errors=errors or {},
    )


def _cited(parts: Components, found: MentionPublic) -> list[tuple[str, str]]:
    """The facts the draft cites, (id, text in the draft's language), as the knowledge store has them now."""
    if found.draft is None or not found.draft.cited_ids:
        return []
    facts = {f.id: f for f in knowledge.facts(parts, found.mention.brand).value}
    lang = found.draft.language
    return [
        (fid, facts[fid].text.get(lang) or next(iter(facts[fid].text.values())) if fid in facts else "—")
        for fid in found.draft.cited_ids
    ]


def _brands(parts: Components, caller: Caller) -> list[str]:
    return [b.id for b in knowledge.brands(parts, caller)]


def _url(mention_id: str) -> str:
    return f"{PREFIX}/mentions/{mention_id}"
