"""Records by id, for a caller: 404 if there is none, 403 if the caller's key does not cover
its brand. The API's routes and the console share these, so both enforce the same checks."""

from __future__ import annotations

from sqlalchemy.orm import Session

from api import cases, inbox, jobs
from api.deps import check_brand
from api.keys import Caller
from api.tables import CaseRow, JobRow, MentionRow


def own_mention(db: Session, caller: Caller, mention_id: str) -> MentionRow:
    row = inbox.get_mention(db, mention_id)
    check_brand(caller, row.brand)
    return row


def own_case(db: Session, caller: Caller, reference: str) -> CaseRow:
    case = cases.get_case(db, reference)
    check_brand(caller, case.brand)
    return case


def own_job(db: Session, caller: Caller, job_id: str) -> JobRow:
    """The job, if the caller's key covers every brand in it."""
    job = jobs.get_job(db, job_id)
    for brand in job.brands:
        check_brand(caller, brand)
    return job
