"""A brand's knowledge through the service: read and replace its profile, voice guide and
reaction matrix; add, replace and remove facts. Bodies are the brand folders' own models.

Every change raises its section's version in the knowledge store and is recorded in the audit
log (who, when, the version, what changed, before and after) in the same request. A write may
name the version it was based on (`expected`, from `If-Match`): if the section has changed since,
ConflictError and nothing is written. The check and the write are atomic: within one process
they hold the pipeline lock, and across workers sharing the database they hold the brand's row
in `brand_locks` (the store has no compare-and-set of its own).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel
from sqlalchemy import update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from api import inbox
from api.errors import ConflictError, NotFoundError
from api.keys import Caller
from api.schemas import ApprovedRepliesPublic, BrandPublic, BrandSummary, KnowledgeChange, KnowledgeHistory
from api.service import CHAIN
from api.tables import AuditRow, BrandLockRow
from assistant.errors import UnknownBrandError
from assistant.models import Brand, BrandProfile, Fact, ReactionMatrix, VoiceGuide
from assistant.pipeline import Components
from knowledge.store import Section, Versions

T = TypeVar("T")
SECTION_MODELS: dict[Section, type[BaseModel]] = {
    Section.profile: BrandProfile,
    Section.voice: VoiceGuide,
    Section.matrix: ReactionMatrix,
}
ACTION = "knowledge."  # audit actions: knowledge.profile, knowledge.voice, knowledge.matrix, knowledge.facts


@dataclass(frozen=True)
class Versioned(Generic[T]):
    """A piece of knowledge and the version of the section it belongs to (its ETag)."""

    value: T
    version: int


@dataclass(frozen=True)
class _Edit:
    """One change: the section it versions, how it changes the brand, and what the audit log
    keeps of it (the section whole, or the one fact) under which path."""

    section: Section
    path: str
    apply: Callable[[Brand], Brand]
    subject: Callable[[Brand], BaseModel | None]


# --- reading ------------------------------------------------------------------------------


def brands(parts: Components, caller: Caller, only: str | None = None) -> list[BrandSummary]:
    """The brands in the store that the caller's key covers (or just `only`)."""
    with CHAIN:
        ids = [b for b in parts.store.brand_ids() if caller.may_touch(b) and only in (None, b)]
        loaded = [parts.store.load_versioned(brand_id) for brand_id in ids]
    return [
        BrandSummary(id=b.profile.id, name=b.profile.name, industry=b.profile.industry, versions=versions)
        for b, versions in loaded
    ]


def brand(parts: Components, brand_id: str) -> BrandPublic:
    with CHAIN:
        found, versions = _load(parts, brand_id)
        replies = parts.store.approved_replies(brand_id)
    return BrandPublic(
        id=brand_id,
        profile=found.profile,
        voice=found.voice,
        matrix=found.matrix,
        facts=len(found.facts),
        approved_replies=len(replies),
        versions=versions,
    )


def read_section(parts: Components, brand_id: str, section: Section) -> Versioned[BaseModel]:
    with CHAIN:
        found, versions = _load(parts, brand_id)
    return Versioned(getattr(found, section.value), versions[section])


def facts(parts: Components, brand_id: str) -> Versioned[list[Fact]]:
    with CHAIN:
        found, versions = _load(parts, brand_id)
    return Versioned(found.facts, versions[Section.facts])


def fact(parts: Components, brand_id: str, fact_id: str) -> Versioned[Fact]:
    with CHAIN:
        found, versions = _load(parts, brand_id)
    return Versioned(_existing_fact(found, fact_id), versions[Section.facts])


def approved_replies(
    parts: Components, brand_id: str, source: Literal["seed", "service"] | None, limit: int, offset: int
) -> ApprovedRepliesPublic:
    """A page of the brand's approved replies (anonymized), by id; `source` "service" for those
    the approve loop added."""
    with CHAIN:
        _load(parts, brand_id)
        replies = [r for r in parts.store.approved_replies(brand_id) if source in (None, r.source)]
    return ApprovedRepliesPublic(data=replies[offset : offset + limit], count=len(replies))


def history(db: Session, brand_id: str, section: Section | None, limit: int, offset: int) -> KnowledgeHistory:
    """The brand's knowledge changes from the audit log, newest first."""
    actions = [ACTION + s.value for s in ([section] if section else Section)]
    rows, total = inbox.brand_audit_trail(db, brand_id, actions, limit, offset)
    return KnowledgeHistory(data=[_change(row) for row in rows], count=total)


def _change(row: AuditRow) -> KnowledgeChange:
    section = Section(row.action.removeprefix(ACTION))
    return KnowledgeChange(section=section, key_id=row.key_id, at=row.at, **row.detail)


# --- writing ------------------------------------------------------------------------------


def replace_section(
    db: Session,
    parts: Components,
    caller: Caller,
    brand_id: str,
    section: Section,
    value: BaseModel,
    expected: int | None,
) -> Versioned[BaseModel]:
    """Replace the profile, voice guide or matrix whole."""
    edit = _Edit(
        section,
        section.value,
        apply=lambda b: b.model_copy(update={section.value: value}),
        subject=lambda b: getattr(b, section.value),
    )
    return Versioned(value, _commit(db, parts, caller, brand_id, edit, expected))


def add_fact(
    db: Session, parts: Components, caller: Caller, brand_id: str, new: Fact, expected: int | None
) -> Versioned[Fact]:
    """A new fact; ConflictError if the brand has one with this id."""

    def apply(found: Brand) -> Brand:
        if _find_fact(found, new.id):
            raise ConflictError(f"fact {new.id!r} exists already; PUT /brands/{brand_id}/facts/{new.id} replaces it")
        return found.model_copy(update={"facts": [*found.facts, new]})

    return Versioned(new, _commit(db, parts, caller, brand_id, _fact_edit(new.id, apply), expected))


def replace_fact(
    db: Session, parts: Components, caller: Caller, brand_id: str, new: Fact, expected: int | None
) -> Versioned[Fact]:
    edit = _fact_edit(new.id, lambda found: _with_fact(found, new.id, new))
    return Versioned(new, _commit(db, parts, caller, brand_id, edit, expected))


def delete_fact(
    db: Session, parts: Components, caller: Caller, brand_id: str, fact_id: str, expected: int | None
) -> int:
    """Remove a fact; returns the facts' new version."""
    return _commit(db, parts, caller, brand_id, _fact_edit(fact_id, lambda b: _with_fact(b, fact_id, None)), expected)


def _commit(db: Session, parts: Components, caller: Caller, brand_id: str, edit: _Edit, expected: int | None) -> int:
    """Check the version, add the audit row, write the store, commit; returns the section's version.
    The row is flushed before the store is written, so a database that refuses the row leaves
    the store as it was; an edit that changes nothing writes nothing."""
    with CHAIN:
        lock_brand(db, brand_id)
        found, versions = _load(parts, brand_id)
        current = _check_version(edit.section, versions, expected)
        updated = edit.apply(found)
        before, after = _dump(edit.subject(found)), _dump(edit.subject(updated))
        if before == after:
            db.rollback()  # lets go of the brand's row
            return current
        changed = changed_paths(before, after, edit.path)
        detail = {"version": current + 1, "changed": changed, "before": before, "after": after}
        inbox.audit_brand(db, caller, ACTION + edit.section.value, brand_id, **detail)
        db.flush()
        version = parts.store.update_brand(updated)[edit.section]
        db.commit()
    return version


def lock_brand(db: Session, brand_id: str) -> None:
    """Hold the brand's row in brand_locks until this transaction ends (PostgreSQL locks the
    row, SQLite the database): an edit of the brand in another worker waits here until this one
    has written the store and committed, and then reads the version this one wrote."""
    dialect = postgresql if db.get_bind().dialect.name == "postgresql" else sqlite
    db.execute(dialect.insert(BrandLockRow).values(brand=brand_id, edits=0).on_conflict_do_nothing())
    db.execute(update(BrandLockRow).where(BrandLockRow.brand == brand_id).values(edits=BrandLockRow.edits + 1))


def _check_version(section: Section, versions: Versions, expected: int | None) -> int:
    current = versions[section]
    if expected is not None and expected != current:
        raise ConflictError(
            f"{section.value} is at version {current}, not {expected}: it changed since you read it; "
            "read it again and redo your edit"
        )
    return current


def changed_paths(before: Any, after: Any, path: str) -> list[str]:
    """Dotted paths of what differs between two JSON values (a list counts as one value)."""
    if before == after:
        return []
    if not (isinstance(before, dict) and isinstance(after, dict)):
        return [path]
    keys = sorted(before.keys() | after.keys(), key=str)
    return [found for key in keys for found in changed_paths(before.get(key), after.get(key), f"{path}.{key}")]


# --- helpers ------------------------------------------------------------------------------


def _load(parts: Components, brand_id: str) -> tuple[Brand, Versions]:
    """The brand and its versions (call under CHAIN); NotFoundError if the store has no such brand."""
    try:
        return parts.store.load_versioned(brand_id)
    except UnknownBrandError:
        raise NotFoundError(f"no brand {brand_id!r} in the knowledge store") from None


def _fact_edit(fact_id: str, apply: Callable[[Brand], Brand]) -> _Edit:
    return _Edit(Section.facts, f"facts.{fact_id}", apply, subject=lambda b: _find_fact(b, fact_id))


def _with_fact(found: Brand, fact_id: str, new: Fact | None) -> Brand:
    """The brand with one fact replaced by `new`, or removed when new is None."""
    _existing_fact(found, fact_id)
    kept = [new if f.id == fact_id else f for f in found.facts]
    return found.model_copy(update={"facts": [f for f in kept if f is not None]})


def _find_fact(found: Brand, fact_id: str) -> Fact | None:
    return next((f for f in found.facts if f.id == fact_id), None)


def _existing_fact(found: Brand, fact_id: str) -> Fact:
    existing = _find_fact(found, fact_id)
    if existing is None:
        raise NotFoundError(f"fact {fact_id!r} not found")
    return existing


def _dump(value: BaseModel | None) -> dict[str, Any] | None:
    return value.model_dump(mode="json") if value is not None else None
