"""Reports: a brand's mentions, replies and cases over a period, against the period just before.

The figures are defined once, here (docs/reports.md says the same in prose):

- The period is `start`..`end`, both inclusive, as calendar days in the brand's timezone
  (`BrandProfile.timezone`); the previous period has the same length and ends the day before
  `start`. A mention belongs to the period it was *written* in (`created_at`, the author's
  clock), so mentions imported with their original dates fall into the right weeks.
- Buckets: days for a period of up to 14 days, else ISO weeks (Monday to Sunday), the first
  and last clipped to the period.
- Shares of sentiment are of the classified mentions; mentions not classified yet are counted
  as `unclassified`. Kinds of negative: a suspected fake counts as `fake`, not as its kind.
- Response times: from when the author wrote the mention (the customer's wait, which the
  brand's `response_time_hours` is about) and from when Otklik received it, to the first
  draft (the earliest stored result with a draft), the approval (the first `approve` audit
  record) and the publication (`published_at`). Median and 90th percentile by nearest rank.
- A negative is answered when its reply was approved (status approved or published); those
  the decision kept from a public reply (hidden, escalated: status `no_reply`) need none.
- Statuses are as they are when the report is built; cases opened or resolved count by when
  that happened, and the open and overdue ones as of `now`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from api.cases import is_overdue
from api.schemas import (
    CaseFigures,
    Change,
    Durations,
    MentionStatus,
    PlatformFigures,
    ReplyFigures,
    Report,
    ReportBucket,
    ReportPeriod,
    ReportStage,
    SentimentCounts,
    Share,
    StageTimes,
    TopicFigures,
)
from api.tables import AuditRow, CaseRow, MentionRow, ResultRow
from assistant.errors import InputError
from assistant.models import BrandProfile, CaseStatus, NegativeKind, Sentiment

MAX_DAYS = 366
DAILY_UP_TO = 14  # days; a longer period is bucketed by ISO week
TOP_TOPICS = 10
ANSWERED = frozenset({MentionStatus.approved.value, MentionStatus.published.value})
AWAITING_DRAFT = frozenset({MentionStatus.pending.value, MentionStatus.drafting.value, MentionStatus.failed.value})
FAKE, UNSPECIFIED = "fake", "unspecified"
KINDS = (*(kind.value for kind in NegativeKind), FAKE, UNSPECIFIED)
EARLIEST, LATEST = date(2000, 1, 1), date(2099, 12, 31)
T = TypeVar("T")
_Labels = tuple[bool, tuple[str, ...]]  # suspected fake, topics


class PeriodError(InputError):
    """A period that cannot be reported on; `parameter` is the one to fix (`from` or `to`)."""

    def __init__(self, parameter: str, message: str):
        super().__init__(message)
        self.parameter = parameter


# --- the period -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Span:
    label: str
    start: date
    end: date  # inclusive


@dataclass(frozen=True)
class Period:
    """Calendar days `start`..`end` (inclusive) in a timezone."""

    start: date
    end: date
    zone: ZoneInfo

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def bucket(self) -> Literal["day", "week"]:
        return "day" if self.days <= DAILY_UP_TO else "week"

    def previous(self) -> Period:
        """The same number of days, ending the day before this one starts."""
        return Period(self.start - timedelta(days=self.days), self.start - timedelta(days=1), self.zone)

    def utc_start(self) -> datetime:
        return datetime.combine(self.start, time(), self.zone).astimezone(UTC)

    def utc_end(self) -> datetime:
        """The first moment after the period."""
        return datetime.combine(self.end + timedelta(days=1), time(), self.zone).astimezone(UTC)

    def day_of(self, moment: datetime) -> date:
        return moment.astimezone(self.zone).date()

    def contains(self, moment: datetime) -> bool:
        return self.start <= self.day_of(moment) <= self.end

    def spans(self) -> list[Span]:
        """Its days, or its ISO weeks clipped to it."""
        if self.bucket == "day":
            days = (self.start + timedelta(days=n) for n in range(self.days))
            return [Span(day.isoformat(), day, day) for day in days]
        spans, monday = [], self.start - timedelta(days=self.start.weekday())
        while monday <= self.end:
            year, week, _ = monday.isocalendar()
            spans.append(
                Span(f"{year}-W{week:02d}", max(monday, self.start), min(monday + timedelta(days=6), self.end))
            )
            monday += timedelta(days=7)
        return spans

    def public(self) -> ReportPeriod:
        return ReportPeriod(start=self.start, end=self.end, days=self.days)


def make_period(start: date, end: date, timezone: str) -> Period:
    """The period, or PeriodError naming the parameter at fault."""
    if start < EARLIEST:
        raise PeriodError("from", f"`from` ({start}) is before {EARLIEST}: reports cover {EARLIEST} to {LATEST}")
    if end > LATEST:
        raise PeriodError("to", f"`to` ({end}) is after {LATEST}: reports cover {EARLIEST} to {LATEST}")
    if end < start:
        raise PeriodError("to", f"`to` ({end}) is before `from` ({start})")
    days = (end - start).days + 1
    if days > MAX_DAYS:
        raise PeriodError("to", f"the period is {days} days long; a report covers at most {MAX_DAYS}")
    try:
        return Period(start, end, ZoneInfo(timezone))
    except (ZoneInfoNotFoundError, ValueError):
        raise InputError(f"the brand's timezone {timezone!r} is not a known IANA timezone") from None


# --- what the database holds ---------------------------------------------------------------


@dataclass(frozen=True)
class MentionFacts:
    """What the figures need of one mention: its classification, status and when each stage was reached."""

    written: datetime
    received: datetime
    platform: str
    sentiment: str | None = None
    kind: str | None = None
    fake: bool = False
    topics: tuple[str, ...] = ()
    status: str = MentionStatus.pending.value
    edit_distance: int | None = None
    first_draft: datetime | None = None
    approved: datetime | None = None
    published: datetime | None = None


def load_mentions(db: Session, brand: str, since: datetime, until: datetime) -> list[MentionFacts]:
    """The brand's mentions written in [since, until), with their latest classification and stage times."""
    ids = select(MentionRow.id).where(
        MentionRow.brand == brand, MentionRow.created_at >= since, MentionRow.created_at < until
    )
    drafts, approvals, labels = _first_drafts(db, ids), _approvals(db, ids), _latest_labels(db, ids)
    rows = db.scalars(select(MentionRow).where(MentionRow.id.in_(ids)).order_by(MentionRow.created_at))
    return [_facts(row, drafts.get(row.id), approvals.get(row.id), labels.get(row.id)) for row in rows]


def _facts(
    row: MentionRow, first_draft: datetime | None, approved: datetime | None, labels: _Labels | None
) -> MentionFacts:
    fake, topics = labels or (False, ())
    return MentionFacts(
        written=row.created_at,
        received=row.received_at,
        platform=row.platform,
        sentiment=row.sentiment,
        kind=row.kind,
        fake=fake,
        topics=topics,
        status=row.status,
        edit_distance=row.edit_distance,
        first_draft=first_draft,
        approved=approved,
        published=row.published_at,
    )


def _first_drafts(db: Session, ids: Select[tuple[str]]) -> dict[str, datetime]:
    """When each mention's earliest result with a draft was stored (a result without one stores JSON null)."""
    query = (
        select(ResultRow.mention_id, func.min(ResultRow.created_at))
        .where(ResultRow.mention_id.in_(ids), ResultRow.draft["text"].as_string().is_not(None))
        .group_by(ResultRow.mention_id)
    )
    return {mention_id: at for mention_id, at in db.execute(query)}


def _approvals(db: Session, ids: Select[tuple[str]]) -> dict[str, datetime]:
    query = (
        select(AuditRow.mention_id, func.min(AuditRow.at))
        .where(AuditRow.action == "approve", AuditRow.mention_id.in_(ids))
        .group_by(AuditRow.mention_id)
    )
    return {mention_id: at for mention_id, at in db.execute(query)}


def _latest_labels(db: Session, ids: Select[tuple[str]]) -> dict[str, _Labels]:
    """Each mention's suspected-fake flag and topics, from its latest result (a regeneration may change them)."""
    latest = select(func.max(ResultRow.id)).where(ResultRow.mention_id.in_(ids)).group_by(ResultRow.mention_id)
    query = select(
        ResultRow.mention_id,
        ResultRow.classification["suspected_fake"].as_boolean(),
        ResultRow.classification["topics"],
    ).where(ResultRow.id.in_(latest))
    return {mention_id: (bool(fake), tuple(topics or ())) for mention_id, fake, topics in db.execute(query)}


def load_cases(db: Session, brand: str, until: datetime) -> list[CaseRow]:
    """The brand's cases opened before `until`."""
    return list(db.scalars(select(CaseRow).where(CaseRow.brand == brand, CaseRow.opened_at < until)))


# --- the report ------------------------------------------------------------------------------


def build_report(db: Session, profile: BrandProfile, start: date, end: date, now: datetime) -> Report:
    """The brand's report for `start`..`end` (its own calendar days), as of `now`."""
    period = make_period(start, end, profile.timezone)
    before = period.previous()
    mentions = load_mentions(db, profile.id, before.utc_start(), period.utc_end())
    current = [m for m in mentions if period.contains(m.written)]
    previous = [m for m in mentions if before.contains(m.written)]
    target = profile.response_time_hours
    return Report(
        brand=profile.id,
        brand_name=profile.name,
        timezone=profile.timezone,
        target_hours=target,
        generated_at=now,
        period=period.public(),
        previous_period=before.public(),
        bucket=period.bucket,
        mentions=change(len(current), len(previous)),
        sentiment=shares(_sentiments(current), _sentiments(previous), [s.value for s in Sentiment]),
        unclassified=sum(m.sentiment is None for m in current),
        buckets=bucket_figures(period, current, target),
        platforms=platform_figures(current, previous),
        topics=topic_figures(current, previous, topic_labels(profile)),
        negatives_by_kind=kind_shares(current, previous),
        suspected_fakes=sum(m.fake for m in current),
        response_times=stage_times(current, target),
        replies=reply_figures(current),
        cases=case_figures(load_cases(db, profile.id, period.utc_end()), period, now),
    )


# --- small pure figures ------------------------------------------------------------------------


def ratio(part: int, whole: int) -> float | None:
    """part / whole to 4 places; None for an empty whole."""
    return round(part / whole, 4) if whole else None


def points(now: float | None, before: float | None) -> float | None:
    """The move of a share in percentage points, to 2 places; None when either share is undefined."""
    return None if now is None or before is None else round((now - before) * 100, 2)


def change(current: int, previous: int) -> Change:
    delta_pct = round((current - previous) / previous * 100, 1) if previous else None
    return Change(current=current, previous=previous, delta=current - previous, delta_pct=delta_pct)


def nearest_rank(values: Sequence[T], percent: int) -> T:
    """The nearest-rank percentile: the smallest value with at least `percent` % of the values at or
    below it, always one of the values (so the median of 4 values is the 2nd smallest)."""
    if not values or not 0 < percent <= 100:
        raise ValueError("nearest_rank needs values and a percent in 1..100")
    rank = -(-percent * len(values) // 100)  # ceil(percent/100 × n) in integers: no 0.9 × 10 = 9.000…01
    return sorted(values)[rank - 1]  # type: ignore[type-var]


def shares(current: Counter[str], previous: Counter[str], keys: Iterable[str]) -> list[Share]:
    """Each key's count and share of the breakdown's total, now and before."""
    whole_now, whole_before = sum(current.values()), sum(previous.values())
    found = []
    for key in keys:
        share, previous_share = ratio(current[key], whole_now), ratio(previous[key], whole_before)
        found.append(
            Share(
                key=key,
                count=current[key],
                share=share,
                previous_count=previous[key],
                previous_share=previous_share,
                change_pts=points(share, previous_share),
            )
        )
    return found


def _sentiments(mentions: Iterable[MentionFacts]) -> Counter[str]:
    return Counter(m.sentiment for m in mentions if m.sentiment is not None)


def sentiment_counts(mentions: Iterable[MentionFacts]) -> SentimentCounts:
    counts = Counter(m.sentiment or "unclassified" for m in mentions)
    return SentimentCounts(**{field: counts[field] for field in SentimentCounts.model_fields})


def negative_share(counts: SentimentCounts) -> float | None:
    """Negatives among the classified mentions."""
    return ratio(counts.negative, counts.classified)


def negative_kind(mention: MentionFacts) -> str:
    """A suspected fake is a fake first: answered, and reported, as one whatever its kind."""
    return FAKE if mention.fake else mention.kind or UNSPECIFIED


def kind_shares(current: Sequence[MentionFacts], previous: Sequence[MentionFacts]) -> list[Share]:
    """Negatives by kind; `unspecified` (a negative without a kind) only when there is one."""

    def kinds(mentions: Sequence[MentionFacts]) -> Counter[str]:
        return Counter(negative_kind(m) for m in mentions if m.sentiment == Sentiment.negative.value)

    found = shares(kinds(current), kinds(previous), KINDS)
    return [s for s in found if s.key != UNSPECIFIED or s.count or s.previous_count]


def bucket_figures(period: Period, mentions: Sequence[MentionFacts], target_hours: int) -> list[ReportBucket]:
    figures = []
    for span, inside in _by_span(period, mentions).items():
        counts = sentiment_counts(inside)
        approval = durations(_waits(inside, _STAGE_MOMENTS[ReportStage.approval], "written"), target_hours)
        figures.append(
            ReportBucket(
                label=span.label,
                start=span.start,
                end=span.end,
                sentiment=counts,
                negative_share=negative_share(counts),
                approval=approval,
            )
        )
    return figures


def _by_span(period: Period, mentions: Sequence[MentionFacts]) -> dict[Span, list[MentionFacts]]:
    """The period's mentions grouped by its buckets, in order (every bucket, empty ones too)."""
    spans = period.spans()
    span_of = {span.start + timedelta(days=n): span for span in spans for n in range((span.end - span.start).days + 1)}
    grouped: dict[Span, list[MentionFacts]] = {span: [] for span in spans}
    for mention in mentions:
        grouped[span_of[period.day_of(mention.written)]].append(mention)
    return grouped


def platform_figures(current: Sequence[MentionFacts], previous: Sequence[MentionFacts]) -> list[PlatformFigures]:
    """Every platform of either period, the busiest now first."""
    now, before = Counter(m.platform for m in current), Counter(m.platform for m in previous)
    ordered = sorted(now.keys() | before.keys(), key=lambda platform: (-now[platform], platform))
    return [
        PlatformFigures(
            platform=platform,
            mentions=change(now[platform], before[platform]),
            sentiment=sentiment_counts(m for m in current if m.platform == platform),
        )
        for platform in ordered
    ]


def topic_labels(profile: BrandProfile) -> dict[str, str]:
    """The brand's name for each of its topics (Russian where it has one)."""
    return {topic.id: topic.label.get("ru") or next(iter(topic.label.values()), topic.id) for topic in profile.topics}


def topic_figures(
    current: Sequence[MentionFacts], previous: Sequence[MentionFacts], labels: dict[str, str]
) -> list[TopicFigures]:
    """The period's most mentioned topics and how the negative share of each moved."""
    now = Counter(topic for m in current for topic in set(m.topics))
    top = sorted(now, key=lambda topic: (-now[topic], topic))[:TOP_TOPICS]
    return [_topic(topic, current, previous, labels.get(topic, topic)) for topic in top]


def _topic(topic: str, current: Sequence[MentionFacts], previous: Sequence[MentionFacts], label: str) -> TopicFigures:
    counts = sentiment_counts(m for m in current if topic in m.topics)
    earlier = sentiment_counts(m for m in previous if topic in m.topics)
    share, previous_share = negative_share(counts), negative_share(earlier)
    return TopicFigures(
        topic=topic,
        label=label,
        mentions=change(counts.total, earlier.total),
        sentiment=counts,
        negative_share=share,
        previous_negative_share=previous_share,
        negative_share_change_pts=points(share, previous_share),
    )


_STAGE_MOMENTS: dict[ReportStage, Callable[[MentionFacts], datetime | None]] = {
    ReportStage.first_draft: lambda m: m.first_draft,
    ReportStage.approval: lambda m: m.approved,
    ReportStage.publication: lambda m: m.published,
}


def _waits(
    mentions: Iterable[MentionFacts],
    moment: Callable[[MentionFacts], datetime | None],
    since: Literal["written", "received"],
) -> list[timedelta]:
    """How long each mention that reached the stage took, since written or received (never below 0:
    an author's clock ahead of ours is no negative wait)."""
    waits = []
    for mention in mentions:
        reached = moment(mention)
        if reached is not None:
            waits.append(max(reached - getattr(mention, since), timedelta(0)))
    return waits


def durations(waits: Sequence[timedelta], target_hours: int) -> Durations:
    within = sum(wait <= timedelta(hours=target_hours) for wait in waits)
    return Durations(
        count=len(waits),
        median_hours=_hours(nearest_rank(waits, 50)) if waits else None,
        p90_hours=_hours(nearest_rank(waits, 90)) if waits else None,
        within_target=within,
        within_target_share=ratio(within, len(waits)),
    )


def _hours(wait: timedelta) -> float:
    return round(wait.total_seconds() / 3600, 2)


def stage_times(mentions: Sequence[MentionFacts], target_hours: int) -> list[StageTimes]:
    return [
        StageTimes(
            stage=stage,
            since_written=durations(_waits(mentions, moment, "written"), target_hours),
            since_received=durations(_waits(mentions, moment, "received"), target_hours),
        )
        for stage, moment in _STAGE_MOMENTS.items()
    ]


def reply_figures(mentions: Sequence[MentionFacts]) -> ReplyFigures:
    negatives = [m for m in mentions if m.sentiment == Sentiment.negative.value]
    needing = [m for m in negatives if m.status != MentionStatus.no_reply.value]
    answered = sum(m.status in ANSWERED for m in needing)
    approved = [m for m in mentions if m.status in ANSWERED]
    unchanged = sum(m.edit_distance == 0 for m in approved)
    edited = sum(m.edit_distance is not None and m.edit_distance > 0 for m in approved)
    statuses = Counter(m.status for m in mentions)
    return ReplyFigures(
        negatives=len(negatives),
        negatives_needing_reply=len(needing),
        negatives_answered=answered,
        negatives_answered_share=ratio(answered, len(needing)),
        negatives_published=sum(m.status == MentionStatus.published.value for m in negatives),
        drafted=sum(m.first_draft is not None for m in mentions),
        approved=len(approved),
        approved_unchanged=unchanged,
        approved_edited=edited,
        unchanged_share=ratio(unchanged, len(approved)),
        rejected=statuses[MentionStatus.rejected.value],
        awaiting_review=statuses[MentionStatus.drafted.value],
        awaiting_draft=sum(statuses[status] for status in AWAITING_DRAFT),
    )


def case_figures(cases: Sequence[CaseRow], period: Period, now: datetime) -> CaseFigures:
    """Opened and resolved in the period; unresolved and overdue as of `now` (of those opened by its end)."""
    started, ended = period.utc_start(), period.utc_end()
    unresolved = [c for c in cases if c.status != CaseStatus.resolved.value and c.opened_at < ended]
    return CaseFigures(
        opened=sum(started <= c.opened_at < ended for c in cases),
        resolved=sum(c.resolved_at is not None and started <= c.resolved_at < ended for c in cases),
        open_now=len(unresolved),
        overdue_now=sum(is_overdue(c, now) for c in unresolved),
    )
