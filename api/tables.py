"""The service's tables (SQLAlchemy 2, typed ORM). The schema is created by Alembic
(api/migrations); a test keeps the migration and these classes in step."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, String, Text, TypeDecorator, UniqueConstraint
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on every backend (SQLite keeps no offset: store UTC, read it back as UTC)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        aware = value if value.tzinfo else value.replace(tzinfo=UTC)
        return aware.astimezone(UTC).replace(tzinfo=None) if dialect.name == "sqlite" else aware

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    pass


class MentionRow(Base):
    """A mention as received; stored before any model call. `status` is its place in the inbox."""

    __tablename__ = "mentions"
    __table_args__ = (
        UniqueConstraint("brand", "platform", "dedup_key", name="uq_mentions_dedup"),
        Index("ix_mentions_inbox", "brand", "status", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    brand: Mapped[str] = mapped_column(String(64))
    platform: Mapped[str] = mapped_column(String(32))
    external_id: Mapped[str | None] = mapped_column(String(256))
    dedup_key: Mapped[str] = mapped_column(String(300))  # "ext:<external id>" or "sha256:<content hash>"
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)  # the Mention, as received
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)  # when the author wrote it
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    sentiment: Mapped[str | None] = mapped_column(String(16))
    kind: Mapped[str | None] = mapped_column(String(32))
    error: Mapped[str | None] = mapped_column(Text)
    original_text: Mapped[str | None] = mapped_column(Text)  # the draft as the pipeline wrote it
    approved_text: Mapped[str | None] = mapped_column(Text)
    edit_distance: Mapped[int | None] = mapped_column(Integer)
    rejected_reason: Mapped[str | None] = mapped_column(Text)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class ResultRow(Base):
    """One outcome for a mention: a pipeline run, a regeneration or an operator's edit (latest wins)."""

    __tablename__ = "results"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    mention_id: Mapped[str] = mapped_column(ForeignKey("mentions.id", ondelete="CASCADE"), index=True)
    source: Mapped[str] = mapped_column(String(16))  # pipeline | regenerate | edit
    classification: Mapped[dict[str, Any]] = mapped_column(JSON)
    decision: Mapped[dict[str, Any]] = mapped_column(JSON)
    draft: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CaseRow(Base):
    """The tracked case a reply to a genuine negative promises to see through (rule 5)."""

    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    reference: Mapped[str] = mapped_column(String(64), unique=True)
    mention_id: Mapped[str] = mapped_column(ForeignKey("mentions.id", ondelete="CASCADE"), unique=True)
    brand: Mapped[str] = mapped_column(String(64), index=True)
    status: Mapped[str] = mapped_column(String(24), default="open")  # open | waiting_customer | resolved
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    note: Mapped[str | None] = mapped_column(Text)  # the operator's word on the last status change


class FollowUpRow(Base):
    """A follow-up draft for a case: what to tell the customer as the case moves on."""

    __tablename__ = "case_followups"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    key_id: Mapped[str | None] = mapped_column(String(32))
    draft: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class JobRow(Base):
    """A batch upload. Its rows are stored as pending mentions when it arrives and drafted in
    the background; a job that is not `done` is taken up again when the server starts."""

    __tablename__ = "jobs"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    key_id: Mapped[str | None] = mapped_column(String(32))
    brands: Mapped[list[str]] = mapped_column(JSON)  # the brands of its mentions (for access checks)
    source: Mapped[str] = mapped_column(String(16))  # json | jsonl | csv | xlsx
    filename: Mapped[str | None] = mapped_column(String(256))
    mapping: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # CSV column -> field, as used
    status: Mapped[str] = mapped_column(String(16), default="queued")  # queued | running | done
    rows: Mapped[int] = mapped_column(Integer, default=0)  # data rows read, good and bad
    rejected: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)  # [{line, message}]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class JobItemRow(Base):
    """One good row of a job: the line it came from and the mention it is stored as."""

    __tablename__ = "job_items"
    __table_args__ = (UniqueConstraint("job_id", "line", name="uq_job_items_line"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    job_id: Mapped[str] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), index=True)
    line: Mapped[int] = mapped_column(Integer)
    mention_id: Mapped[str] = mapped_column(ForeignKey("mentions.id", ondelete="CASCADE"), index=True)
    created: Mapped[bool] = mapped_column(default=True)  # False: the mention was already stored (re-sent)


class AuditRow(Base):
    """Who did what to which record, and when."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    key_id: Mapped[str | None] = mapped_column(String(32))  # None: the command line
    action: Mapped[str] = mapped_column(String(32))
    brand: Mapped[str | None] = mapped_column(String(64), index=True)
    mention_id: Mapped[str | None] = mapped_column(String(32), index=True)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class BrandLockRow(Base):
    """One row per brand whose knowledge was edited through the service. An edit updates its
    brand's row first and holds it until it commits, so edits of one brand wait for each other
    in every worker sharing the database (api/knowledge.py)."""

    __tablename__ = "brand_locks"

    brand: Mapped[str] = mapped_column(String(64), primary_key=True)
    edits: Mapped[int] = mapped_column(Integer, default=0)


class ApiKeyRow(Base):
    """An API key: only the sha256 of the secret is kept; the key itself is shown once."""

    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    brands: Mapped[list[str]] = mapped_column(JSON)
    label: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
