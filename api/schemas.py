"""Request and response bodies. The domain objects are assistant.models' own; these only
add what the service knows: ids it assigned, inbox status, the case, the review."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints
from pydantic.json_schema import SkipJsonSchema

from assistant.models import Classification, Decision, Draft, Mention, Strict

NonBlank = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class MentionStatus(StrEnum):
    pending = "pending"  # stored, not drafted yet
    failed = "failed"  # the pipeline failed; re-send or regenerate
    no_reply = "no_reply"  # the decision calls for no public reply (escalate, hide, ...)
    drafted = "drafted"
    approved = "approved"
    rejected = "rejected"
    published = "published"


class CaseStatus(StrEnum):
    open = "open"
    waiting_customer = "waiting_customer"
    resolved = "resolved"


class MentionCreate(Mention):
    """A mention as a monitoring system sends it. Otklik assigns the id; the source's own id
    goes in `external_id` (re-sending the same one returns the stored record)."""

    id: SkipJsonSchema[None] = Field(default=None, exclude=True)
    external_id: str | None = Field(default=None, min_length=1, max_length=256)


class CasePublic(BaseModel):
    reference: str
    mention_id: str
    brand: str
    status: CaseStatus
    due_at: datetime
    opened_at: datetime
    resolved_at: datetime | None = None
    overdue: bool = False


class MentionPublic(BaseModel):
    id: str
    status: MentionStatus
    mention: Mention
    received_at: datetime
    classification: Classification | None = None
    decision: Decision | None = None
    draft: Draft | None = None
    case: CasePublic | None = None
    error: str | None = None
    original_text: str | None = None
    approved_text: str | None = None
    edit_distance: int | None = None
    rejected_reason: str | None = None
    published_at: datetime | None = None


class MentionsPublic(BaseModel):
    data: list[MentionPublic]
    count: int


class CasesPublic(BaseModel):
    data: list[CasePublic]
    count: int


class DraftUpdate(Strict):
    text: NonBlank = Field(max_length=10_000)


class ApproveRequest(Strict):
    text: NonBlank | None = Field(default=None, max_length=10_000, description="approve this text instead (an edit)")


class RejectRequest(Strict):
    reason: NonBlank = Field(max_length=2000)


class Health(BaseModel):
    status: str
    database: str
    brands: int  # how many the knowledge store holds (their names need a key: unknown-brand errors list them)
    backend: str
