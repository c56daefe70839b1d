"""Mentions: submit one, the inbox, and the review loop (regenerate, edit, approve, reject, publish)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Body, HTTPException, Query, Response, status

from api import inbox, service
from api.access import own_mention
from api.deps import MAX_OFFSET, ApiSettingsDep, ComponentsDep, Reader, Reviewer, SessionDep, Submitter, check_brand
from api.schemas import (
    ApproveRequest,
    DraftUpdate,
    MentionCreate,
    MentionPublic,
    MentionsPublic,
    MentionStatus,
    RejectRequest,
)
from api.settings import ApiSettings
from assistant.models import Mention, NegativeKind, Platform, Sentiment

router = APIRouter(prefix="/mentions", tags=["mentions"])
TOO_LARGE = {"description": "the text is longer than OTKLIK_MAX_TEXT_CHARS"}


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    responses={200: {"description": "already received: the stored record"}, 413: TOO_LARGE},
)
def submit_mention(
    body: MentionCreate,
    db: SessionDep,
    parts: ComponentsDep,
    limits: ApiSettingsDep,
    caller: Submitter,
    response: Response,
) -> MentionPublic:
    """Store one mention, then classify it, decide and draft; a re-sent mention returns its record."""
    check_brand(caller, body.brand)
    _check_length(body.text, limits)
    service.known_brand(parts, body.brand)
    row, created = inbox.store_mention(db, Mention.model_validate(body.model_dump(exclude={"id"})))
    if not created:
        response.status_code = status.HTTP_200_OK
    service.draft_mention(db, parts, row)  # unless it is drafted, or being drafted, already
    return service.to_public(db, row)


@router.get("")
def list_mentions(
    db: SessionDep,
    caller: Reader,
    brand: str | None = None,
    sentiment: Sentiment | None = None,
    kind: NegativeKind | None = None,
    status: MentionStatus | None = None,
    platform: Platform | None = None,
    since: Annotated[datetime | None, Query(description="written at or after (ISO 8601)")] = None,
    until: Annotated[datetime | None, Query(description="written before (ISO 8601)")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> MentionsPublic:
    """The inbox: newest first, only the brands this key covers."""
    if brand is not None:
        check_brand(caller, brand)
    wanted = inbox.InboxFilter(brand, sentiment, kind, status, platform, since, until, limit, offset)
    rows, total = inbox.list_mentions(db, caller, wanted)
    return MentionsPublic(data=[service.to_public(db, row) for row in rows], count=total)


@router.get("/{mention_id}")
def get_mention(mention_id: str, db: SessionDep, caller: Reader) -> MentionPublic:
    return service.to_public(db, own_mention(db, caller, mention_id))


@router.post("/{mention_id}/regenerate")
def regenerate_draft(mention_id: str, db: SessionDep, parts: ComponentsDep, caller: Submitter) -> MentionPublic:
    """Draft again with the brand's current knowledge."""
    row = service.regenerate(db, parts, own_mention(db, caller, mention_id), caller)
    return service.to_public(db, row)


@router.patch("/{mention_id}/draft")
def edit_draft(
    mention_id: str, body: DraftUpdate, db: SessionDep, parts: ComponentsDep, caller: Reviewer
) -> MentionPublic:
    """Replace the draft's text; every check runs again on the new text."""
    row = service.edit(db, parts, own_mention(db, caller, mention_id), caller, body.text)
    return service.to_public(db, row)


@router.post("/{mention_id}/approve")
def approve_draft(
    mention_id: str,
    db: SessionDep,
    parts: ComponentsDep,
    caller: Reviewer,
    body: Annotated[ApproveRequest | None, Body()] = None,
) -> MentionPublic:
    """Approve the draft (or the given text); it becomes an anonymized example for the brand."""
    text = body.text if body else None
    row = service.approve(db, parts, own_mention(db, caller, mention_id), caller, text)
    return service.to_public(db, row)


@router.post("/{mention_id}/reject")
def reject_draft(mention_id: str, body: RejectRequest, db: SessionDep, caller: Reviewer) -> MentionPublic:
    row = service.reject(db, own_mention(db, caller, mention_id), caller, body.reason)
    return service.to_public(db, row)


@router.post("/{mention_id}/published")
def mark_published(mention_id: str, db: SessionDep, caller: Reviewer) -> MentionPublic:
    """The approved reply is out on the platform."""
    row = service.mark_published(db, own_mention(db, caller, mention_id), caller)
    return service.to_public(db, row)


def _check_length(text: str, limits: ApiSettings) -> None:
    if len(text) > limits.max_text_chars:
        message = f"text is {len(text)} characters; the limit is {limits.max_text_chars} (OTKLIK_MAX_TEXT_CHARS)"
        raise HTTPException(
            status.HTTP_413_CONTENT_TOO_LARGE,
            [{"loc": ["body", "text"], "msg": message, "type": "text_too_long"}],
        )
