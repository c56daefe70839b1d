"""Cases: what a reply to a genuine negative promises to see through (rule 5).

A replied genuine negative opens a case whose reference its draft names, due within the
brand's response-time target. Then:

    open → waiting_customer              we asked the customer for details
    waiting_customer → open              they answered
    open | waiting_customer → resolved   with a note of what was done
    resolved → open                      reopened

Overdue means open and past due. Waiting for the customer pauses the clock: the next move is
theirs, and counting their silence against the team would bury the cases that really are
late. When they answer, the case has the time it had left: its due time moves on by the
length of the pause (due at 14:00, waiting from 12:00 to 18:00: due at 20:00; a case that was
late already stays late). A reopened case gets the brand's whole target again, from now.

Each change is audited on the case's mention (`case_status`: the reference, from, to, note).
Follow-up drafts are the chain's (assistant/followup.py); they are stored here with the
status they were written for.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, select, update
from sqlalchemy.orm import Session

from api import inbox
from api.chain import CHAIN
from api.errors import ConflictError, NotFoundError
from api.keys import Caller
from api.schemas import CaseDetail, CaseMention, CasePublic, CaseStatus, FollowUpPublic, MentionStatus
from api.tables import CaseRow, FollowUpRow, MentionRow, utcnow
from assistant.followup import FollowUpRequest, write_follow_up
from assistant.hours import follow_up_due
from assistant.models import Brand, CaseTicket, Classification, Draft, Mention, PipelineResult
from assistant.pipeline import Components, case_reference

REFERENCE_ATTEMPTS = 50  # each draws another of 10,000 numbers of the day

TRANSITIONS: dict[CaseStatus, frozenset[CaseStatus]] = {
    CaseStatus.open: frozenset({CaseStatus.waiting_customer, CaseStatus.resolved}),
    CaseStatus.waiting_customer: frozenset({CaseStatus.open, CaseStatus.resolved}),
    CaseStatus.resolved: frozenset({CaseStatus.open}),
}


def open_case(db: Session, row: MentionRow, result: PipelineResult) -> None:
    """A replied genuine negative opens the case its draft names, due by the brand's target."""
    ticket = result.case  # the case the pipeline opened for this draft: same reference, same due date
    if result.draft is not None and ticket is not None:
        db.add(CaseRow(reference=ticket.reference, mention_id=row.id, brand=row.brand, due_at=ticket.due))


def free_reference(db: Session, mention: Mention) -> str:
    """The mention's case number, or, when another case already holds it (four digits a day
    repeat), the first free number it draws next."""
    for attempt in range(REFERENCE_ATTEMPTS):
        reference = case_reference(mention, attempt)
        if db.scalar(select(CaseRow.id).where(CaseRow.reference == reference)) is None:
            return reference
    raise ConflictError(f"no free case number for mention {mention.id} on {mention.created_at:%d.%m}")


def get_case(db: Session, reference: str) -> CaseRow:
    case = db.scalar(select(CaseRow).where(CaseRow.reference == reference))
    if case is None:
        raise NotFoundError(f"case {reference!r} not found")
    return case


def list_cases(
    db: Session,
    caller: Caller,
    brand: str | None,
    status: CaseStatus | None,
    overdue: bool,
    now: datetime | None = None,
) -> list[CaseRow]:
    """Cases of the caller's brands: by default the unresolved ones, soonest due first; `overdue`: the late ones."""
    query = select(CaseRow)
    if not caller.all_brands:
        query = query.where(CaseRow.brand.in_(sorted(caller.brands)))
    if brand:
        query = query.where(CaseRow.brand == brand)
    if status:
        query = query.where(CaseRow.status == status.value)
    else:
        query = query.where(CaseRow.status != CaseStatus.resolved.value)
    if overdue:
        query = query.where(*_late(now or utcnow()))
    return list(db.scalars(query.order_by(CaseRow.due_at)))


def _late(now: datetime) -> tuple[ColumnElement[bool], ...]:
    """`is_overdue` in SQL."""
    return CaseRow.status == CaseStatus.open.value, CaseRow.due_at < now


def is_overdue(case: CaseRow, now: datetime) -> bool:
    """Open and past due: a case waiting for the customer has its clock paused."""
    return case.status == CaseStatus.open.value and case.due_at < now


def case_public(case: CaseRow, now: datetime | None = None) -> CasePublic:
    return CasePublic(
        reference=case.reference,
        mention_id=case.mention_id,
        brand=case.brand,
        status=CaseStatus(case.status),
        due_at=case.due_at,
        opened_at=case.opened_at,
        resolved_at=case.resolved_at,
        status_changed_at=case.status_changed_at,
        note=case.note,
        overdue=is_overdue(case, now or utcnow()),
    )


def change_status(
    db: Session,
    parts: Components,
    case: CaseRow,
    caller: Caller,
    wanted: CaseStatus,
    note: str | None,
    now: datetime | None = None,
) -> CaseRow:
    """Move the case on (ConflictError naming both statuses if that is no move it can make); audited."""
    current = CaseStatus(case.status)
    if wanted not in TRANSITIONS[current]:
        allowed = " or ".join(sorted(TRANSITIONS[current]))
        raise ConflictError(
            f"case {case.reference} is {current.value!r} and cannot become {wanted.value!r} (from {current.value!r}: {allowed})"
        )
    now = now or utcnow()
    values = {"status": wanted.value, "note": note, "status_changed_at": now}
    values |= _clock(parts, case, current, wanted, now)
    if not _move(db, case, current, values):
        raise ConflictError(f"case {case.reference} was changed by someone else meanwhile: read it again")
    detail = {"reference": case.reference, "from": current.value, "to": wanted.value, "note": note}
    inbox.audit(db, caller, "case_status", inbox.get_mention(db, case.mention_id), **detail)
    db.commit()
    return case


def _move(db: Session, case: CaseRow, current: CaseStatus, values: dict[str, object]) -> bool:
    """One conditional UPDATE, so that of two moves made at once from the same status only one
    happens (two operators resolving at once: one 409, one audit record)."""
    moved = db.execute(update(CaseRow).where(CaseRow.id == case.id, CaseRow.status == current.value).values(**values))
    if moved.rowcount != 1:  # type: ignore[attr-defined]  # a CursorResult
        db.rollback()
        return False
    return True


def _clock(
    parts: Components, case: CaseRow, current: CaseStatus, wanted: CaseStatus, now: datetime
) -> dict[str, datetime | None]:
    """`due_at` and `resolved_at` as this move leaves them (the module's docstring says how)."""
    if wanted is CaseStatus.resolved:
        return {"resolved_at": now}
    if current is CaseStatus.resolved:  # reopened: the brand's whole target again
        return {"resolved_at": None, "due_at": follow_up_due(now, _brand(parts, case.brand).profile)}
    if current is CaseStatus.waiting_customer:  # the customer answered: the paused time is given back
        return {"due_at": case.due_at + (now - (case.status_changed_at or case.opened_at))}
    return {}


def draft_follow_up(
    db: Session, parts: Components, case: CaseRow, caller: Caller, now: datetime | None = None
) -> FollowUpRow:
    """A new follow-up draft for the case as it stands, checked, stored and audited."""
    now = now or utcnow()
    mention_row = inbox.get_mention(db, case.mention_id)
    request = _follow_up_request(db, parts, case, mention_row, now)
    with CHAIN:
        draft = write_follow_up(request, parts.follow_up_writer, parts.checker)
    if is_overdue(case, now):
        draft = _with_overdue_warning(draft, case)
    row = FollowUpRow(
        case_id=case.id, key_id=caller.key_id, draft={**draft.model_dump(mode="json"), "case_status": case.status}
    )
    db.add(row)
    db.flush()  # its id, for the audit record
    failed = [check.name for check in draft.failed_checks]
    inbox.audit(
        db,
        caller,
        "case_follow_up",
        mention_row,
        reference=case.reference,
        follow_up_id=row.id,
        case_status=case.status,
        failed_checks=failed,
    )
    db.commit()
    return row


def _follow_up_request(
    db: Session, parts: Components, case: CaseRow, mention_row: MentionRow, now: datetime
) -> FollowUpRequest:
    result = inbox.latest_result(db, mention_row.id)
    if result is None:
        raise ConflictError(f"case {case.reference}: its mention has not been classified")
    brand = _brand(parts, case.brand)
    return FollowUpRequest(
        status=CaseStatus(case.status),
        mention=Mention.model_validate(mention_row.payload),
        classification=Classification.model_validate(result.classification),
        brand=brand,
        case=CaseTicket(reference=case.reference, due=_promised_due(case, brand, now)),
        note=case.note,
        now=now,
    )


def _promised_due(case: CaseRow, brand: Brand, now: datetime) -> datetime:
    """When a progress update says they will hear back: the case's due time, or once that has
    passed, the brand's target from now. The case's own due time does not move: a draft is no
    promise kept, and the overdue listing keeps showing the case until someone moves it on."""
    return case.due_at if case.due_at > now else follow_up_due(now, brand.profile)


def _with_overdue_warning(draft: Draft, case: CaseRow) -> Draft:
    warning = (
        f"case {case.reference} was due {case.due_at:%Y-%m-%d %H:%M} UTC and is overdue: the update names a new time"
    )
    return draft.model_copy(update={"warnings": [*draft.warnings, warning]})


def follow_ups(db: Session, case: CaseRow) -> list[FollowUpRow]:
    return list(db.scalars(select(FollowUpRow).where(FollowUpRow.case_id == case.id).order_by(FollowUpRow.id)))


def follow_up_public(row: FollowUpRow, case: CaseRow) -> FollowUpPublic:
    return FollowUpPublic(
        id=row.id,
        reference=case.reference,
        case_status=CaseStatus(row.draft["case_status"]),
        draft=Draft.model_validate(row.draft),
        created_at=row.created_at,
    )


def case_detail(db: Session, case: CaseRow) -> CaseDetail:
    """The case, the mention it was opened for, and its follow-up drafts."""
    return CaseDetail(
        case=case_public(case),
        mention=_case_mention(inbox.get_mention(db, case.mention_id)),
        follow_ups=[follow_up_public(row, case) for row in follow_ups(db, case)],
    )


def _case_mention(row: MentionRow) -> CaseMention:
    mention = Mention.model_validate(row.payload)
    return CaseMention(
        id=row.id,
        status=MentionStatus(row.status),
        platform=mention.platform,
        author_name=mention.author_name,
        text=mention.text,
        rating=mention.rating,
        url=mention.url,
        created_at=mention.created_at,
        approved_text=row.approved_text,
        published_at=row.published_at,
    )


def _brand(parts: Components, brand_id: str) -> Brand:
    with CHAIN:
        return parts.store.load_brand(brand_id)
