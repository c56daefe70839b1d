"""Request and response bodies. The domain objects are assistant.models' own; these only
add what the service knows: ids it assigned, inbox status, the case, the review."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, StringConstraints, computed_field, field_validator, model_validator
from pydantic.json_schema import SkipJsonSchema

from assistant.mention_io import ColumnMapping, RowError, SourceFormat
from assistant.models import (
    ApprovedReply,
    BrandProfile,
    CaseStatus,
    Classification,
    Decision,
    Draft,
    Fact,
    Mention,
    Platform,
    ReactionMatrix,
    Strict,
    VoiceGuide,
)
from knowledge.store import Section

NonBlank = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class MentionStatus(StrEnum):
    pending = "pending"  # stored, not drafted yet
    drafting = "drafting"  # claimed by one request or worker, which is running the chain on it
    failed = "failed"  # the pipeline failed; re-send or regenerate
    no_reply = "no_reply"  # the decision calls for no public reply (escalate, hide, ...)
    drafted = "drafted"
    approved = "approved"
    rejected = "rejected"
    published = "published"


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
    status_changed_at: datetime | None = None
    note: str | None = Field(default=None, description="the operator's note on the last status change")
    overdue: bool = Field(
        default=False, description="open and past its due time (waiting for the customer pauses the clock)"
    )


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


# --- jobs


class JobStatus(StrEnum):
    queued = "queued"  # stored, not taken up by the background worker yet
    running = "running"
    done = "done"  # no row is pending any more: each is drafted, or failed (see the results)


class UploadedMention(MentionCreate):
    """One row of a batch upload: a MentionCreate, with a plain word for a row that brings its own id."""

    @field_validator("id", mode="before")
    @classmethod
    def _no_own_id(cls, value: object) -> None:
        if value is not None:
            raise ValueError("Otklik assigns ids; put the source's own id in external_id")
        return None


class JobSummary(BaseModel):
    id: str
    status: JobStatus
    done: bool
    source: SourceFormat
    filename: str | None = None
    brands: list[str]
    rows: int = Field(description="data rows read, good and bad")
    accepted: int = Field(description="rows stored as mentions, new ones and duplicates")
    duplicates: int = Field(description="accepted rows whose mention was stored already, in this upload or before")
    rejected_count: int
    progress: dict[MentionStatus, int] = Field(description="accepted rows by the status of their mention")
    created_at: datetime
    finished_at: datetime | None = None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def url(self) -> str:
        return f"/jobs/{self.id}"

    @computed_field  # type: ignore[prop-decorator]
    @property
    def results_url(self) -> str:
        return f"/jobs/{self.id}/results"


class JobPublic(JobSummary):
    rejected: list[RowError] = Field(description="bad rows: the line (in a JSON list: the place, from 1) and why")
    mapping: ColumnMapping = Field(description="the column mapping the rows were read with")


class JobsPublic(BaseModel):
    data: list[JobSummary]
    count: int


class JobResult(BaseModel):
    line: int
    mention_id: str
    created: bool = Field(description="false: the mention was stored already (a duplicate)")
    status: MentionStatus
    draft_text: str | None = None
    error: str | None = None


class JobResultsPublic(BaseModel):
    data: list[JobResult]
    count: int


# --- knowledge


class FactCreate(Fact):
    """A fact as POST and PUT take it: the brand folder's model, with text in at least one
    language (a fact without text could never be retrieved)."""

    @field_validator("text")
    @classmethod
    def _has_text(cls, text: dict[str, str]) -> dict[str, str]:
        if not text or any(not value.strip() for value in text.values()):
            raise ValueError('needs non-blank text in at least one language, e.g. {"ru": "..."}')
        return text


class BrandSummary(BaseModel):
    id: str
    name: str
    industry: str
    versions: dict[Section, int]


class BrandsPublic(BaseModel):
    data: list[BrandSummary]
    count: int


class BrandPublic(BaseModel):
    """A brand's knowledge at a glance: the sections edited whole, how many facts and approved
    replies it has, and each section's current version."""

    id: str
    profile: BrandProfile
    voice: VoiceGuide
    matrix: ReactionMatrix
    facts: int
    approved_replies: int
    versions: dict[Section, int]


class FactsPublic(BaseModel):
    data: list[Fact]
    count: int
    version: int  # of the facts section, also the ETag


class ApprovedRepliesPublic(BaseModel):
    data: list[ApprovedReply]
    count: int


class KnowledgeChange(BaseModel):
    """One change to a brand's knowledge, as the audit log keeps it."""

    section: Section
    version: int  # the section's version this change made
    key_id: str | None  # whose key (None: the command line)
    at: datetime
    changed: list[str]  # dotted paths: "voice.languages.ru.avoid_words", "facts.late-delivery"
    before: dict[str, Any] | None  # the section, or for facts the one fact (None: added)
    after: dict[str, Any] | None  # (None: deleted)


class KnowledgeHistory(BaseModel):
    data: list[KnowledgeChange]
    count: int


# --- cases


class CaseStatusUpdate(Strict):
    """A case's next status: waiting_customer (we asked the customer for details), open (they
    answered, or the case is reopened) or resolved, which needs a note of what was done."""

    status: CaseStatus
    note: NonBlank | None = Field(
        default=None,
        max_length=2000,
        description="resolved: what was done, as the customer may read it («вернули 350 ₽ за доставку»); "
        "waiting_customer: what we need from them («номер заказа и фото чека»)",
    )

    @model_validator(mode="after")
    def _resolution_has_a_note(self) -> CaseStatusUpdate:
        if self.status is CaseStatus.resolved and self.note is None:
            raise ValueError("resolving a case needs a note of what was done")
        return self


class CaseMention(BaseModel):
    """The mention a case was opened for, in brief."""

    id: str
    status: MentionStatus
    platform: Platform
    author_name: str | None = None
    text: str
    rating: int | None = None
    url: str | None = None
    created_at: datetime
    approved_text: str | None = None  # the reply the brand approved, if any
    published_at: datetime | None = None


class FollowUpPublic(BaseModel):
    id: int
    reference: str
    case_status: CaseStatus = Field(description="the status the follow-up was written for")
    draft: Draft
    created_at: datetime


class FollowUpsPublic(BaseModel):
    data: list[FollowUpPublic]
    count: int


class CaseDetail(BaseModel):
    case: CasePublic
    mention: CaseMention
    follow_ups: list[FollowUpPublic]


# --- reports (the figures are defined in api/reports.py and docs/reports.md)


class SentimentCounts(BaseModel):
    positive: int = 0
    neutral: int = 0
    negative: int = 0
    unclassified: int = Field(default=0, description="not classified yet: pending, or the pipeline failed")

    @property
    def classified(self) -> int:
        return self.positive + self.neutral + self.negative

    @property
    def total(self) -> int:
        return self.classified + self.unclassified


class Change(BaseModel):
    """A count in the period against the same-length period just before it."""

    current: int
    previous: int
    delta: int
    delta_pct: float | None = Field(description="the change in per cent of the previous count; null when that was 0")


class Share(BaseModel):
    """One category of a breakdown (a sentiment, a kind of negative): its count and share, now and before."""

    key: str
    count: int
    share: float | None = Field(description="of the breakdown's total (0..1); null when that is 0")
    previous_count: int
    previous_share: float | None
    change_pts: float | None = Field(description="share minus previous share, in percentage points")


class Durations(BaseModel):
    """How long mentions took to reach a stage, nearest-rank median and 90th percentile."""

    count: int = Field(description="mentions that reached the stage")
    median_hours: float | None
    p90_hours: float | None
    within_target: int = Field(description="how many took no longer than the brand's response_time_hours")
    within_target_share: float | None


class ReportStage(StrEnum):
    first_draft = "first_draft"
    approval = "approval"
    publication = "publication"


class StageTimes(BaseModel):
    stage: ReportStage
    since_written: Durations = Field(description="the customer's clock, which the brand's target is about")
    since_received: Durations = Field(description="from when Otklik received the mention (the team's own speed)")


class ReportBucket(BaseModel):
    """One day or ISO week of the period (the first and last weeks clipped to it)."""

    label: str
    start: date
    end: date
    sentiment: SentimentCounts
    negative_share: float | None
    approval: Durations = Field(description="time to approval, since written")


class PlatformFigures(BaseModel):
    platform: str
    mentions: Change
    sentiment: SentimentCounts


class TopicFigures(BaseModel):
    topic: str
    label: str
    mentions: Change
    sentiment: SentimentCounts
    negative_share: float | None
    previous_negative_share: float | None
    negative_share_change_pts: float | None


class ReplyFigures(BaseModel):
    negatives: int
    negatives_needing_reply: int = Field(description="negatives less those the decision kept from a public reply")
    negatives_answered: int = Field(description="of those, with an approved reply (approved or published)")
    negatives_answered_share: float | None
    negatives_published: int
    drafted: int = Field(description="mentions that got a draft")
    approved: int
    approved_unchanged: int
    approved_edited: int
    unchanged_share: float | None = Field(description="approved unchanged, of all approved")
    rejected: int
    awaiting_review: int = Field(description="drafted, neither approved nor rejected yet")
    awaiting_draft: int = Field(description="pending, or the pipeline failed")


class CaseFigures(BaseModel):
    opened: int = Field(description="cases opened in the period")
    resolved: int = Field(description="cases resolved in the period (and not reopened since)")
    open_now: int = Field(description="opened by the period's end and unresolved when the report was built")
    overdue_now: int = Field(description="of those, open and past due (waiting for the customer pauses the clock)")


class ReportPeriod(BaseModel):
    start: date
    end: date = Field(description="inclusive")
    days: int


class Report(BaseModel):
    """A brand's mentions, replies and cases over a period, against the period just before."""

    brand: str
    brand_name: str
    timezone: str = Field(description="the brand's: days and weeks are its calendar days and ISO weeks")
    target_hours: int = Field(description="the brand's response_time_hours")
    generated_at: datetime
    period: ReportPeriod
    previous_period: ReportPeriod
    bucket: Literal["day", "week"]
    mentions: Change
    sentiment: list[Share]
    unclassified: int
    buckets: list[ReportBucket]
    platforms: list[PlatformFigures]
    topics: list[TopicFigures]
    negatives_by_kind: list[Share]
    suspected_fakes: int
    response_times: list[StageTimes]
    replies: ReplyFigures
    cases: CaseFigures
