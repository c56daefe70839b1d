"""Cases: the tracked follow-ups that replies to genuine negatives promise (rule 5)."""

from __future__ import annotations

from fastapi import APIRouter

from api import inbox, service
from api.deps import Reader, SessionDep, check_brand
from api.schemas import CasesPublic, CaseStatus

router = APIRouter(prefix="/cases", tags=["cases"])


@router.get("")
def list_cases(
    db: SessionDep, caller: Reader, brand: str | None = None, status: CaseStatus | None = None, overdue: bool = False
) -> CasesPublic:
    """Unresolved cases of this key's brands (or those with `status`), soonest due first; `overdue` only late ones."""
    if brand is not None:
        check_brand(caller, brand)
    rows = inbox.list_cases(db, caller, brand, status, overdue)
    return CasesPublic(data=[service.case_public(row) for row in rows], count=len(rows))
