"""Reading and writing the service's records: mentions (idempotent), results, cases, audit."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api.errors import NotFoundError
from api.keys import Caller
from api.schemas import MentionStatus
from api.tables import AuditRow, CaseRow, MentionRow, ResultRow
from assistant.models import Mention, NegativeKind, Platform, Sentiment


@dataclass(frozen=True)
class InboxFilter:
    brand: str | None = None
    sentiment: Sentiment | None = None
    kind: NegativeKind | None = None
    status: MentionStatus | None = None
    platform: Platform | None = None
    since: datetime | None = None
    until: datetime | None = None
    limit: int = 50
    offset: int = 0


def dedup_key(mention: Mention) -> str:
    """The source's own id when there is one, else a hash of what the author wrote."""
    if mention.external_id:
        return f"ext:{mention.external_id}"
    content = json.dumps([mention.author_name, mention.text, mention.rating, mention.url], ensure_ascii=False)
    return "sha256:" + hashlib.sha256(content.encode()).hexdigest()


def store_mention(db: Session, mention: Mention) -> tuple[MentionRow, bool]:
    """The stored record for this mention, and whether it is new (a re-sent one is not)."""
    existing = _duplicate(db, mention)
    if existing is not None:
        return existing, False
    row = _new_row(mention)
    db.add(row)
    try:
        db.commit()
    except IntegrityError:  # the same mention arrived twice at once: the first one wins
        db.rollback()
        return _duplicate(db, mention) or _raise_missing(mention.id), False
    return row, True


def store_mentions(db: Session, mentions: list[Mention]) -> list[tuple[MentionRow, bool]]:
    """`store_mention` for a batch, in one commit: the stored record of each and whether it is new
    (a mention repeated within the batch is new once). If another writer stores one of them
    at the same moment, the batch falls back to storing one at a time."""
    keys = [(m.brand, m.platform.value, dedup_key(m)) for m in mentions]
    rows = _stored_by_key(db, set(keys))
    stored: list[tuple[MentionRow, bool]] = []
    for mention, key in zip(mentions, keys, strict=True):
        created = key not in rows
        if created:
            rows[key] = _new_row(mention)
            db.add(rows[key])
        stored.append((rows[key], created))
    try:
        db.commit()
    except IntegrityError:
        db.rollback()
        return [store_mention(db, mention) for mention in mentions]
    return stored


def _stored_by_key(db: Session, keys: set[tuple[str, str, str]]) -> dict[tuple[str, str, str], MentionRow]:
    """The stored mentions with these (brand, platform, dedup key), looked up by dedup key in chunks."""
    found: dict[tuple[str, str, str], MentionRow] = {}
    wanted = sorted({key for _brand, _platform, key in keys})
    for start in range(0, len(wanted), 500):
        chunk = db.scalars(select(MentionRow).where(MentionRow.dedup_key.in_(wanted[start : start + 500])))
        for row in chunk:
            key = (row.brand, row.platform, row.dedup_key)
            if key in keys:
                found[key] = row
    return found


def _new_row(mention: Mention) -> MentionRow:
    return MentionRow(
        id=mention.id,
        brand=mention.brand,
        platform=mention.platform.value,
        external_id=mention.external_id,
        dedup_key=dedup_key(mention),
        payload=mention.model_dump(mode="json"),
        created_at=mention.created_at,
        status=MentionStatus.pending.value,
    )


def _duplicate(db: Session, mention: Mention) -> MentionRow | None:
    return db.scalar(
        select(MentionRow).where(
            MentionRow.brand == mention.brand,
            MentionRow.platform == mention.platform.value,
            MentionRow.dedup_key == dedup_key(mention),
        )
    )


def _raise_missing(mention_id: str) -> MentionRow:
    raise NotFoundError(f"mention {mention_id!r} not found")


def get_mention(db: Session, mention_id: str) -> MentionRow:
    return db.get(MentionRow, mention_id) or _raise_missing(mention_id)


def list_mentions(db: Session, caller: Caller, wanted: InboxFilter) -> tuple[list[MentionRow], int]:
    """One page of the inbox, newest first, only from the caller's brands; and the total count."""
    query = _inbox_query(caller, wanted)
    total = db.scalar(select(func.count()).select_from(query.subquery())) or 0
    page = query.order_by(MentionRow.created_at.desc(), MentionRow.id).limit(wanted.limit).offset(wanted.offset)
    return list(db.scalars(page)), total


def _inbox_query(caller: Caller, wanted: InboxFilter) -> Select[tuple[MentionRow]]:
    query = select(MentionRow)
    if not caller.all_brands:
        query = query.where(MentionRow.brand.in_(sorted(caller.brands)))
    equals = {
        MentionRow.brand: wanted.brand,
        MentionRow.sentiment: wanted.sentiment,
        MentionRow.kind: wanted.kind,
        MentionRow.status: wanted.status,
        MentionRow.platform: wanted.platform,
    }
    for column, value in equals.items():
        if value is not None:
            query = query.where(column == str(value))
    if wanted.since:
        query = query.where(MentionRow.created_at >= wanted.since)
    if wanted.until:
        query = query.where(MentionRow.created_at < wanted.until)
    return query


def latest_result(db: Session, mention_id: str, sources: Collection[str] | None = None) -> ResultRow | None:
    query = select(ResultRow).where(ResultRow.mention_id == mention_id)
    if sources:
        query = query.where(ResultRow.source.in_(list(sources)))
    return db.scalar(query.order_by(ResultRow.id.desc()).limit(1))


def case_of(db: Session, mention_id: str) -> CaseRow | None:
    return db.scalar(select(CaseRow).where(CaseRow.mention_id == mention_id))


def audit(db: Session, caller: Caller | None, action: str, row: MentionRow, **detail: Any) -> None:
    """Record who did what to which mention (committed with the change it describes)."""
    _audit(db, caller, action, row.brand, row.id, detail)


def audit_brand(db: Session, caller: Caller | None, action: str, brand: str, **detail: Any) -> None:
    """Record who changed what of a brand itself, e.g. its knowledge (committed with the change)."""
    _audit(db, caller, action, brand, None, detail)


def _audit(
    db: Session, caller: Caller | None, action: str, brand: str, mention_id: str | None, detail: dict[str, Any]
) -> None:
    db.add(
        AuditRow(
            key_id=caller.key_id if caller else None,
            action=action,
            brand=brand,
            mention_id=mention_id,
            detail=detail,
        )
    )


def brand_audit_trail(
    db: Session, brand: str, actions: Collection[str], limit: int, offset: int
) -> tuple[list[AuditRow], int]:
    """One page of a brand's audit records with these actions, newest first; and the total count."""
    query = select(AuditRow).where(AuditRow.brand == brand, AuditRow.action.in_(list(actions)))
    total = db.scalar(select(func.count()).select_from(query.subquery())) or 0
    return list(db.scalars(query.order_by(AuditRow.id.desc()).limit(limit).offset(offset))), total


def audit_trail(db: Session, mention_id: str) -> list[AuditRow]:
    return list(db.scalars(select(AuditRow).where(AuditRow.mention_id == mention_id).order_by(AuditRow.id)))
