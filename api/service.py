"""The review loop over stored mentions: draft, regenerate, edit, approve, reject, publish.

Every decision about a mention is the chain's (assistant.pipeline.run, the checker, the
knowledge store); this module stores what they return and moves the inbox status.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlalchemy.orm import Session

from api import cases, inbox
from api.chain import CHAIN  # the one pipeline lock: service.CHAIN for the service modules
from api.errors import ConflictError
from api.keys import Caller
from api.schemas import MentionPublic, MentionStatus
from api.tables import MentionRow, ResultRow, utcnow
from assistant.draft import DraftRequest
from assistant.models import ApprovedReply, CaseTicket, Classification, Decision, Draft, Mention, PipelineResult
from assistant.pipeline import Components, retrieve_knowledge, run

REVIEWABLE = (MentionStatus.drafted.value,)
DRAFTABLE = (MentionStatus.pending.value, MentionStatus.failed.value)
REGENERABLE = tuple(
    s.value for s in MentionStatus if s not in (MentionStatus.drafting, MentionStatus.approved, MentionStatus.published)
)


def draft_mention(
    db: Session, parts: Components, row: MentionRow, source: str = "pipeline", claimable: tuple[str, ...] = DRAFTABLE
) -> MentionRow:
    """Run the chain on a stored mention; on failure the row says so and the error goes on up.
    A mention someone else is drafting right now (or has drafted) is returned as it is."""
    if not _claim(db, row, claimable):
        return row
    mention = Mention.model_validate(row.payload)
    case = inbox.case_of(db, row.id)
    now = utcnow()
    try:
        with CHAIN:
            result = run(
                mention, parts, case_ref=case.reference if case else cases.free_reference(db, mention), now=now
            )
    except Exception as error:
        row.status, row.error = MentionStatus.failed.value, f"{type(error).__name__}: {error}"
        db.commit()
        raise
    _save_result(db, row, result, source)
    if case is None:
        cases.open_case(db, row, result)
    db.commit()
    return row


def _claim(db: Session, row: MentionRow, allowed: tuple[str, ...]) -> bool:
    """Mark the mention `drafting` if its status is one of `allowed`, in one conditional UPDATE:
    of two callers (a re-sent mention and the jobs worker, two API workers) only one drafts it."""
    claim = (
        update(MentionRow)
        .where(MentionRow.id == row.id, MentionRow.status.in_(allowed))
        .values(status=MentionStatus.drafting.value, updated_at=utcnow())
    )
    claimed = db.execute(claim).rowcount == 1
    db.commit()
    db.refresh(row)
    return claimed


def release_claims(db: Session, older_than: datetime) -> int:
    """Put mentions claimed before `older_than` back to pending: their drafter died (a crash, a
    SIGKILL) before finishing. Returns how many."""
    stale = (
        update(MentionRow)
        .where(MentionRow.status == MentionStatus.drafting.value, MentionRow.updated_at < older_than)
        .values(status=MentionStatus.pending.value)
    )
    released = db.execute(stale).rowcount
    db.commit()
    return released


def _save_result(db: Session, row: MentionRow, result: PipelineResult, source: str) -> None:
    db.add(
        ResultRow(
            mention_id=row.id,
            source=source,
            classification=result.classification.model_dump(mode="json"),
            decision=result.decision.model_dump(mode="json"),
            draft=result.draft.model_dump(mode="json") if result.draft else None,
        )
    )
    row.status = (MentionStatus.drafted if result.draft else MentionStatus.no_reply).value
    row.sentiment = result.classification.sentiment.value
    row.kind = result.classification.kind.value if result.classification.kind else None
    row.original_text = result.draft.text if result.draft else None
    row.error = None


def regenerate(db: Session, parts: Components, row: MentionRow, caller: Caller) -> MentionRow:
    """A new draft from the current knowledge (the case, if any, keeps its reference)."""
    _require(row, REGENERABLE, "regenerate")
    inbox.audit(db, caller, "regenerate", row, previous_status=row.status)
    return draft_mention(db, parts, row, source="regenerate", claimable=REGENERABLE)


def edit(db: Session, parts: Components, row: MentionRow, caller: Caller, text: str) -> MentionRow:
    """Replace the draft's text with the operator's and check it again."""
    _require(row, REVIEWABLE, "edit")
    current = _current(db, row)
    draft = Draft.model_validate(current.draft).model_copy(update={"text": text, "backend": "operator", "calls": []})
    with CHAIN:
        checked = parts.checker.check(draft, _draft_request(db, parts, row, current))
    db.add(
        ResultRow(
            mention_id=row.id,
            source="edit",
            classification=current.classification,
            decision=current.decision,
            draft=checked.model_dump(mode="json"),
        )
    )
    inbox.audit(db, caller, "edit", row, failed_checks=[c.name for c in checked.failed_checks])
    db.commit()
    return row


def approve(db: Session, parts: Components, row: MentionRow, caller: Caller, text: str | None = None) -> MentionRow:
    """Approve the current draft; it joins the brand's approved replies, personal data replaced."""
    if text is not None:
        edit(db, parts, row, caller, text)
    _require(row, REVIEWABLE, "approve")
    current = _current(db, row)
    draft = Draft.model_validate(current.draft)
    stored = _remember_reply(parts, Mention.model_validate(row.payload), current, draft)
    row.status, row.approved_text = MentionStatus.approved.value, draft.text
    row.edit_distance = edit_distance(row.original_text or "", draft.text)
    inbox.audit(
        db,
        caller,
        "approve",
        row,
        edit_distance=row.edit_distance,
        approved_reply_id=stored.id,
        failed_checks=[c.name for c in draft.failed_checks],
    )
    db.commit()
    return row


def _remember_reply(parts: Components, mention: Mention, current: ResultRow, draft: Draft) -> ApprovedReply:
    classification = Classification.model_validate(current.classification)
    reply = ApprovedReply(
        id=f"svc-{mention.id}",
        mention=mention.text,
        reply=draft.text,
        language=draft.language,
        platform=mention.platform,
        sentiment=classification.sentiment,
        topics=classification.topics,
    )
    names = [mention.author_name] if mention.author_name else []
    with CHAIN:
        return parts.store.add_approved_reply(mention.brand, reply, names=names)


def reject(db: Session, row: MentionRow, caller: Caller, reason: str) -> MentionRow:
    _require(row, REVIEWABLE, "reject")
    row.status, row.rejected_reason = MentionStatus.rejected.value, reason
    inbox.audit(db, caller, "reject", row, reason=reason)
    db.commit()
    return row


def mark_published(db: Session, row: MentionRow, caller: Caller) -> MentionRow:
    _require(row, (MentionStatus.approved.value,), "mark published")
    row.status, row.published_at = MentionStatus.published.value, utcnow()
    inbox.audit(db, caller, "published", row)
    db.commit()
    return row


def _require(row: MentionRow, allowed: tuple[str, ...], action: str) -> None:
    if row.status not in allowed:
        raise ConflictError(
            f"cannot {action} mention {row.id}: its status is {row.status!r} (needs {' or '.join(allowed)})"
        )


def _current(db: Session, row: MentionRow) -> ResultRow:
    current = inbox.latest_result(db, row.id)
    if current is None or current.draft is None:
        raise ConflictError(f"mention {row.id} has no draft")
    return current


def _draft_request(db: Session, parts: Components, row: MentionRow, current: ResultRow) -> DraftRequest:
    """What the checker needs to judge an edited text: the same inputs the draft was made from."""
    mention = Mention.model_validate(row.payload)
    classification = Classification.model_validate(current.classification)
    knowledge = retrieve_knowledge(mention, classification, parts.store.embedder.embed_one(mention.text), parts)
    case = inbox.case_of(db, row.id)
    ticket = CaseTicket(reference=case.reference, due=case.due_at) if case else None
    decision = Decision.model_validate(current.decision)
    return DraftRequest(mention, classification, decision, parts.store.load_brand(mention.brand), knowledge, ticket)


def edit_distance(before: str, after: str) -> int:
    """Levenshtein distance in characters (the common start and end are skipped first: edits are local)."""
    start = 0
    while start < min(len(before), len(after)) and before[start] == after[start]:
        start += 1
    end = 0
    while end < min(len(before), len(after)) - start and before[-1 - end] == after[-1 - end]:
        end += 1
    a, b = before[start : len(before) - end], after[start : len(after) - end]
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, start=1):
        current = [i]
        for j, char_b in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char_a != char_b)))
        previous = current
    return previous[-1]


def to_public(db: Session, row: MentionRow) -> MentionPublic:
    """The mention with its latest classification, decision, draft and case."""
    current = inbox.latest_result(db, row.id)
    case = inbox.case_of(db, row.id)
    return MentionPublic(
        id=row.id,
        status=MentionStatus(row.status),
        mention=Mention.model_validate(row.payload),
        received_at=row.received_at,
        classification=current.classification if current else None,
        decision=current.decision if current else None,
        draft=current.draft if current and current.draft else None,
        case=cases.case_public(case) if case else None,
        error=row.error,
        original_text=row.original_text,
        approved_text=row.approved_text,
        edit_distance=row.edit_distance,
        rejected_reason=row.rejected_reason,
        published_at=row.published_at,
    )


def known_brand(parts: Components, brand: str) -> None:
    """UnknownBrandError (naming the known brands) unless the knowledge store holds this brand."""
    with CHAIN:
        parts.store.load_brand(brand)


def brand_ids(parts: Components) -> list[str]:
    with CHAIN:
        return parts.store.brand_ids()
