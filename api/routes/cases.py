"""Cases: the tracked follow-ups that replies to genuine negatives promise (rule 5).

Their lifecycle and what counts as overdue are in api/cases.py; the follow-up drafts are the chain's.
"""

from __future__ import annotations

from fastapi import APIRouter, status

from api import cases
from api.access import own_case
from api.deps import ComponentsDep, Reader, Reviewer, SessionDep, Submitter, check_brand
from api.schemas import (
    CaseDetail,
    CasePublic,
    CasesPublic,
    CaseStatus,
    CaseStatusUpdate,
    FollowUpPublic,
    FollowUpsPublic,
)

router = APIRouter(prefix="/cases", tags=["cases"])


@router.get("")
def list_cases(
    db: SessionDep, caller: Reader, brand: str | None = None, status: CaseStatus | None = None, overdue: bool = False
) -> CasesPublic:
    """Unresolved cases of this key's brands (or those with `status`), soonest due first; `overdue`:
    only the open ones past due (waiting for the customer pauses the clock)."""
    if brand is not None:
        check_brand(caller, brand)
    rows = cases.list_cases(db, caller, brand, status, overdue)
    return CasesPublic(data=[cases.case_public(row) for row in rows], count=len(rows))


@router.get("/{reference}")
def get_case(reference: str, db: SessionDep, caller: Reader) -> CaseDetail:
    """The case, the mention it was opened for, and its follow-up drafts."""
    return cases.case_detail(db, own_case(db, caller, reference))


@router.post("/{reference}/status", responses={409: {"description": "no such move from the case's status"}})
def change_status(
    reference: str, body: CaseStatusUpdate, db: SessionDep, parts: ComponentsDep, caller: Reviewer
) -> CasePublic:
    """open → waiting_customer → open; open or waiting_customer → resolved (with a note of what was
    done); resolved → open (reopen)."""
    case = cases.change_status(db, parts, own_case(db, caller, reference), caller, body.status, body.note)
    return cases.case_public(case)


@router.post("/{reference}/follow-up", status_code=status.HTTP_201_CREATED)
def request_follow_up(reference: str, db: SessionDep, parts: ComponentsDep, caller: Submitter) -> FollowUpPublic:
    """A new follow-up draft in the brand's voice for the case as it stands, with its checks."""
    case = own_case(db, caller, reference)
    return cases.follow_up_public(cases.draft_follow_up(db, parts, case, caller), case)


@router.get("/{reference}/follow-ups")
def list_follow_ups(reference: str, db: SessionDep, caller: Reader) -> FollowUpsPublic:
    """The case's follow-up drafts, oldest first."""
    case = own_case(db, caller, reference)
    rows = cases.follow_ups(db, case)
    return FollowUpsPublic(data=[cases.follow_up_public(row, case) for row in rows], count=len(rows))
