"""Batch uploads. A job stores every good row of an upload as a pending mention before the
upload is answered; one background thread per app drafts them, oldest job first.

Nothing about the work left is kept in memory: the worker reads it from the database (the
pending mentions of jobs that are not done), so a server stopped or killed mid-batch
finishes the batch when it starts again, and a re-sent row finds its stored mention instead
of making a second one.
"""

from __future__ import annotations

import logging
import secrets
import threading
from collections import Counter
from collections.abc import Collection
from dataclasses import asdict, dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from api import inbox, service
from api.errors import NotFoundError
from api.keys import Caller
from api.schemas import JobPublic, JobResult, JobResultsPublic, JobStatus, JobSummary, MentionStatus
from api.settings import ApiSettings
from api.tables import JobItemRow, JobRow, MentionRow, utcnow
from assistant.errors import UnknownBrandError
from assistant.mention_io import ColumnMapping, MentionBatch, RowError, SourceFormat
from assistant.models import Mention
from assistant.pipeline import Components

log = logging.getLogger("otklik.jobs")
CHUNK = 50  # pending mentions read at a time
RETRY_DELAY_S = 1.0  # after an unexpected error (the database busy or gone), before trying again
POLL_S = 2.0  # while another worker drafts the last rows of a job
STOP_TIMEOUT_S = 30.0  # a draft in flight is let finish: a model call may take about this long


@dataclass(frozen=True)
class Upload:
    """What a batch brought: its rows as read, the format and the column mapping they were read with."""

    batch: MentionBatch
    source: SourceFormat
    mapping: ColumnMapping
    filename: str | None = None


@dataclass(frozen=True)
class Screened:
    """An upload's rows sorted for one key: those to store, and the bad ones with the reason."""

    accepted: list[tuple[int, Mention]]
    rejected: list[RowError]
    foreign: int  # well-formed rows of brands the key does not cover


# --- receiving ---------------------------------------------------------------------------------


def screen(upload: Upload, caller: Caller, known_brands: Collection[str], limits: ApiSettings) -> Screened:
    """Keep the well-formed rows this key may submit; the rest are bad rows, each with its reason."""
    accepted: list[tuple[int, Mention]] = []
    rejected = list(upload.batch.errors)
    for line, mention in zip(upload.batch.lines, upload.batch.mentions, strict=True):
        problem = _problem(mention, caller, known_brands, limits)
        if problem is None:
            accepted.append((line, Mention.model_validate(mention.model_dump(exclude={"id"}))))  # a fresh id
        else:
            rejected.append(RowError(line, problem))
    foreign = sum(1 for mention in upload.batch.mentions if not caller.may_touch(mention.brand))
    return Screened(accepted, sorted(rejected, key=lambda error: error.line), foreign)


def _problem(mention: Mention, caller: Caller, known_brands: Collection[str], limits: ApiSettings) -> str | None:
    """Why a well-formed row cannot be stored, if it cannot. Coverage is checked first, and the message
    does not repeat the brand: whether another brand exists is not this key's business."""
    if not caller.may_touch(mention.brand):
        return "brand: this key does not cover this row's brand"
    if mention.brand not in known_brands:
        return f"brand: {UnknownBrandError(mention.brand, sorted(known_brands))}"
    if len(mention.text) > limits.max_text_chars:
        return f"text: {len(mention.text)} characters; the limit is {limits.max_text_chars} (OTKLIK_MAX_TEXT_CHARS)"
    return None


def create_job(db: Session, caller: Caller, upload: Upload, screened: Screened) -> JobPublic:
    """Store each accepted row as a pending mention, then the job and its items in one commit:
    a job exists only once every row of it is stored. Returns the job as received, read inside
    that commit: once it is committed, a running worker may start drafting it at any moment."""
    job_id = secrets.token_hex(8)
    stored = inbox.store_mentions(db, [mention for _line, mention in screened.accepted])
    items = [
        _item(job_id, line, row, created)
        for (line, _mention), (row, created) in zip(screened.accepted, stored, strict=True)
    ]
    db.commit()
    job = JobRow(
        id=job_id,
        key_id=caller.key_id,
        brands=sorted({mention.brand for _line, mention in screened.accepted}),
        source=upload.source.value,
        filename=upload.filename,
        mapping=upload.mapping.model_dump(mode="json"),
        status=JobStatus.queued.value,
        rows=upload.batch.rows,
        rejected=[asdict(error) for error in screened.rejected],
    )
    db.add(job)
    db.flush()  # the job before the items that point to it
    db.add_all(items)
    db.flush()
    received = job_public(db, job)
    db.commit()
    return received


def _item(job_id: str, line: int, row: MentionRow, created: bool) -> JobItemRow:
    """The job's line for a stored (or found: re-sent) mention; a re-sent one that failed is
    drafted again, as `POST /mentions` does (committed by the caller)."""
    if row.status == MentionStatus.failed:
        row.status, row.error = MentionStatus.pending.value, None
    return JobItemRow(job_id=job_id, line=line, mention_id=row.id, created=created)


# --- reading -----------------------------------------------------------------------------------


def get_job(db: Session, job_id: str) -> JobRow:
    job = db.get(JobRow, job_id)
    if job is None:
        raise NotFoundError(f"job {job_id!r} not found")
    return job


def covers(caller: Caller, brands: Collection[str]) -> bool:
    """A key sees a job only if it covers every brand in it: its results show all of them."""
    return all(caller.may_touch(brand) for brand in brands)


def list_jobs(
    db: Session, caller: Caller, brand: str | None, status: JobStatus | None, limit: int, offset: int
) -> tuple[list[JobRow], int]:
    """One page of the jobs this key may see, newest first, and how many there are."""
    query = select(JobRow.id, JobRow.brands).order_by(JobRow.created_at.desc(), JobRow.id)
    if status is not None:
        query = query.where(JobRow.status == status.value)
    rows = db.execute(query).all()
    visible = [job_id for job_id, brands in rows if covers(caller, brands) and (brand is None or brand in brands)]
    page = visible[offset : offset + limit]
    jobs = {job.id: job for job in db.scalars(select(JobRow).where(JobRow.id.in_(page)))}
    return [jobs[job_id] for job_id in page], len(visible)


def job_summary(db: Session, job: JobRow) -> JobSummary:
    return JobSummary(**_summary_fields(db, job))


def job_public(db: Session, job: JobRow) -> JobPublic:
    return JobPublic(**_summary_fields(db, job), rejected=job.rejected, mapping=job.mapping)


def _summary_fields(db: Session, job: JobRow) -> dict[str, Any]:
    counts = db.execute(
        select(MentionRow.status, JobItemRow.created, func.count())
        .join(MentionRow, MentionRow.id == JobItemRow.mention_id)
        .where(JobItemRow.job_id == job.id)
        .group_by(MentionRow.status, JobItemRow.created)
    ).all()
    progress: Counter[MentionStatus] = Counter()
    for status, _created, count in counts:
        progress[MentionStatus(status)] += count
    return {
        "id": job.id,
        "status": JobStatus(job.status),
        "done": job.status == JobStatus.done,
        "source": SourceFormat(job.source),
        "filename": job.filename,
        "brands": job.brands,
        "rows": job.rows,
        "accepted": progress.total(),
        "duplicates": sum(count for _status, created, count in counts if not created),
        "rejected_count": len(job.rejected),
        "progress": dict(progress),
        "created_at": job.created_at,
        "finished_at": job.finished_at,
    }


def job_results(db: Session, job: JobRow, limit: int, offset: int) -> JobResultsPublic:
    """One page of the job's accepted rows in line order: the mention, its status, its draft or error."""
    total = db.scalar(select(func.count()).select_from(JobItemRow).where(JobItemRow.job_id == job.id)) or 0
    page = db.execute(
        select(JobItemRow, MentionRow)
        .join(MentionRow, MentionRow.id == JobItemRow.mention_id)
        .where(JobItemRow.job_id == job.id)
        .order_by(JobItemRow.line)
        .limit(limit)
        .offset(offset)
    ).all()
    return JobResultsPublic(data=[_result(db, item, mention) for item, mention in page], count=total)


def _result(db: Session, item: JobItemRow, mention: MentionRow) -> JobResult:
    current = inbox.latest_result(db, mention.id)
    return JobResult(
        line=item.line,
        mention_id=mention.id,
        created=item.created,
        status=MentionStatus(mention.status),
        draft_text=current.draft["text"] if current and current.draft else None,
        error=mention.error,
    )


# --- drafting in the background ---------------------------------------------------------------


class JobWorker:
    """One thread per app that drafts the pending mentions of unfinished jobs, oldest job first.

    The thread runs while there is work and ends when there is none; `wake()` starts it again.
    `start()` (the app's lifespan, or the first job request of an app run without one) takes up
    every job that is not done: the resume after a restart."""

    def __init__(
        self, sessions: sessionmaker[Session], parts: Components, enabled: bool = True, lease_seconds: int = 900
    ) -> None:
        self._sessions, self._parts, self.enabled = sessions, parts, enabled
        self._lease_seconds = lease_seconds
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._started = False

    def start(self) -> None:
        with self._lock:
            self._started = True
            self._stopping.clear()
        self.wake()

    def ensure_started(self) -> None:
        """Start once, for an app whose lifespan did not run (a TestClient used without `with`)."""
        if not self._started:
            self.start()

    def wake(self) -> None:
        """There may be work: run the thread unless it runs already (or the worker is off or stopping)."""
        with self._lock:
            self._wake.set()
            if self._thread is None and self.enabled and not self._stopping.is_set():
                self._thread = threading.Thread(target=self._run, name="otklik-jobs", daemon=True)
                self._thread.start()

    def stop(self, timeout: float = STOP_TIMEOUT_S) -> None:
        """Let the draft in flight finish and end the thread; what is left waits for the next start."""
        with self._lock:
            self._stopping.set()
            thread = self._thread
        if thread is not None:
            thread.join(timeout)
            if thread.is_alive():
                log.warning("jobs worker still drafting after %.0f s; leaving it to end with the process", timeout)

    def _run(self) -> None:
        worked = True
        while True:
            with self._lock:  # decide to end under the lock that `wake` starts threads under: no wake is lost
                if self._stopping.is_set() or not (worked or self._wake.is_set()):
                    self._thread = None
                    return
                self._wake.clear()
            worked = self._work_safely()

    def _work_safely(self) -> bool:
        """Work on the oldest unfinished job; False if there is none. No error ends the thread."""
        try:
            return self._work_once()
        except Exception:
            log.exception("jobs worker: unexpected error; trying again in %.0f s", RETRY_DELAY_S)
            self._stopping.wait(RETRY_DELAY_S)
            return True

    def _work_once(self) -> bool:
        with self._sessions() as db:
            job = db.scalar(
                select(JobRow).where(JobRow.status != JobStatus.done).order_by(JobRow.created_at, JobRow.id).limit(1)
            )
            if job is None:
                return False
            self._draft_job(db, job)
            return True

    def _draft_job(self, db: Session, job: JobRow) -> None:
        _set_status(db, job, JobStatus.running)
        while not self._stopping.is_set():
            pending = _pending_mentions(db, job.id)
            if not pending and _being_drafted(db, job.id):  # by another worker sharing the database
                service.release_claims(db, utcnow() - timedelta(seconds=self._lease_seconds))
                self._stopping.wait(POLL_S)
                continue
            if not pending:
                _set_status(db, job, JobStatus.done)
                return
            for row in pending:
                if self._stopping.is_set():
                    return
                if row.status == MentionStatus.pending:  # a row repeated in the job is drafted once
                    self._draft(db, row)

    def _draft(self, db: Session, row: MentionRow) -> None:
        """Draft one mention; a failure is on its row (status failed, the error) and the job goes on."""
        try:
            service.draft_mention(db, self._parts, row)
        except Exception as error:
            db.rollback()
            db.refresh(row)
            if row.status == MentionStatus.pending:
                raise  # not even the failure could be stored: back off and try again
            log.warning("jobs worker: mention %s failed: %s", row.id, error)


def _being_drafted(db: Session, job_id: str) -> bool:
    claimed = (
        select(JobItemRow.id)
        .join(MentionRow, MentionRow.id == JobItemRow.mention_id)
        .where(JobItemRow.job_id == job_id, MentionRow.status == MentionStatus.drafting)
        .limit(1)
    )
    return db.scalar(claimed) is not None


def _pending_mentions(db: Session, job_id: str) -> list[MentionRow]:
    return list(
        db.scalars(
            select(MentionRow)
            .join(JobItemRow, JobItemRow.mention_id == MentionRow.id)
            .where(JobItemRow.job_id == job_id, MentionRow.status == MentionStatus.pending)
            .order_by(JobItemRow.line)
            .limit(CHUNK)
        )
    )


def _set_status(db: Session, job: JobRow, status: JobStatus) -> None:
    job.status = status.value
    if status is JobStatus.done:
        job.finished_at = utcnow()
    db.commit()
