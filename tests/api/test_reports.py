"""Reports: every figure checked exactly on a seeded database with known counts; the routes and the CLI.

The seed (`SEEDS`, `CASES`) is written through the ORM with fixed dates, so nothing depends on the
classifier or the wall clock. The brand is obed-express: Europe/Moscow (UTC+3), target 2 hours.
Period: 2026-11-02 .. 2026-11-15 (14 days, by day); the previous period: 2026-10-19 .. 2026-11-01.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from api.db import make_engine, make_sessions, migrate
from api.keys import Role
from api.report_render import html, markdown, render
from api.reports import (
    MentionFacts,
    Period,
    PeriodError,
    build_report,
    case_figures,
    change,
    kind_shares,
    make_period,
    nearest_rank,
)
from api.settings import ApiSettings
from api.tables import AuditRow, CaseRow, MentionRow, ResultRow
from assistant.pipeline import Components
from knowledge.brands import load_brand
from otklik.cli import main
from tests.api.conftest import KEDR, OBED
from tests.conftest import BRANDS_DIR

PROFILE = load_brand(BRANDS_DIR / OBED).profile
START, END = date(2026, 11, 2), date(2026, 11, 15)
NOW = datetime(2026, 11, 17, 12, 0, tzinfo=UTC)


def utc(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


@dataclass(frozen=True)
class Seed:
    """One mention; times in hours after it was written."""

    id: str
    written: datetime
    platform: str = "vk"
    sentiment: str | None = None
    kind: str | None = None
    fake: bool = False
    topics: tuple[str, ...] = ()
    status: str = "pending"
    received: float = 0
    results: tuple[tuple[float, bool, tuple[str, ...] | None], ...] = ()  # (at, has a draft, topics or None: .topics)
    approved: float | None = None
    published: float | None = None
    edit_distance: int | None = None
    brand: str = OBED


def drafted(at: float) -> tuple[tuple[float, bool, None]]:
    return ((at, True, None),)


SEEDS = [
    # --- the period, week 1
    Seed(
        "m1", utc(2, 9), "vk", "negative", "constructive", topics=("delivery", "food_quality"), status="published",
        results=((0.5, True, ("delivery",)), (0.8, True, None)),  # a regeneration added a topic: the latest counts
        approved=1.0, published=1.5, edit_distance=0,
    ),
    Seed(
        "m2", utc(3, 10), "otzovik", "negative", "non_constructive", topics=("delivery",), status="published",
        received=0.5, results=drafted(1.0), approved=3.0, published=4.0, edit_distance=12,
    ),
    Seed(
        "m3", utc(4, 12), "vk", "negative", "abusive", topics=("courier",), status="no_reply",
        results=((0.2, False, None),),  # hidden: a result without a draft
    ),
    Seed(
        "m4", utc(5, 8), "yandex_maps", "negative", "constructive", fake=True, topics=("food_quality",),
        status="drafted", results=drafted(2.0),
    ),
    Seed(
        "m5", utc(6, 14), "vk", "positive", fake=True, topics=("food_quality",), status="approved",
        results=drafted(0.5), approved=2.0, edit_distance=0,
    ),
    Seed(  # 22:30 UTC on 1 Nov is 01:30 on 2 Nov in Moscow: inside the period
        "m6", utc(1, 22, 30), "otzovik", "neutral", topics=("app",), status="rejected",
        results=((0.2, False, None), (1.0, True, None)),  # the first draft is the first result *with* a draft
    ),
    # --- the period, week 2
    Seed(
        "m7", utc(9, 9), "vk", "negative", "constructive", topics=("delivery",), status="published",
        results=drafted(0.25), approved=0.75, published=1.0, edit_distance=5,
    ),
    Seed(  # found by monitoring 5 hours late
        "m8", utc(10, 9), "otzovik", "positive", topics=("delivery",), status="published",
        received=5.0, results=drafted(5.5), approved=6.0, published=8.0, edit_distance=0,
    ),
    Seed("m9", utc(12, 15), "vk"),  # pending: not classified yet
    Seed(  # 23:59 on 15 Nov in Moscow: the last minute of the period
        "m10", utc(15, 20, 59), "yandex_maps", "negative", "non_constructive", topics=("support",),
        status="drafted", results=drafted(0.5),
    ),
    # --- outside the period, or another brand: counted nowhere
    Seed("x1", utc(15, 21, 30), "vk", "negative", "constructive", topics=("delivery",), status="drafted", results=drafted(0.5)),
    Seed(
        "k1", utc(5, 10), "vk", "negative", "constructive", topics=("delivery",), status="approved",
        results=drafted(0.5), approved=1.0, edit_distance=3, brand=KEDR,
    ),
    Seed("q0", utc(18, 20, month=10), "vk", "positive", topics=("delivery",), status="drafted", results=drafted(1)),
    # --- the previous period
    Seed("p1", utc(20, 10, month=10), "vk", "positive", topics=("delivery",), status="approved", results=drafted(1), approved=3, edit_distance=0),
    Seed("p2", utc(22, 10, month=10), "vk", "negative", "constructive", topics=("delivery",), status="drafted", results=drafted(0.5)),
    Seed("p3", utc(28, 10, month=10), "otzovik", "neutral", topics=("app",), status="no_reply", results=((0.2, False, None),)),
    Seed("p4", utc(1, 20), "vk", "positive", topics=("food_quality",), status="drafted", results=drafted(1)),  # 23:00 MSK
    Seed("p5", utc(30, 10, month=10), "vk", "negative", "constructive", topics=("delivery",), status="published", results=drafted(0.5), approved=1, published=2, edit_distance=0),
]  # fmt: skip

# (mention, opened, due, status, resolved)
CASES = [
    ("m1", utc(2, 9, 30), utc(2, 11, 30), "resolved", utc(3, 10)),
    ("m2", utc(3, 11), utc(3, 13), "open", None),  # overdue
    ("m7", utc(9, 9, 15), utc(9, 11, 15), "waiting_customer", None),  # past due, but the clock is paused
    ("m10", utc(15, 21, 29), utc(15, 23, 29), "open", None),  # opened after the period: not counted
    ("p2", utc(22, 10, 30, month=10), utc(22, 12, 30, month=10), "open", None),  # the backlog: overdue
    ("p5", utc(30, 10, 30, month=10), utc(30, 12, 30, month=10), "resolved", utc(4, 12)),  # resolved in the period
    ("k1", utc(5, 10, 30), utc(5, 12, 30), "open", None),  # another brand
]


def _add(db: Session, seed: Seed) -> None:
    def at(hours: float) -> datetime:
        return seed.written + timedelta(hours=hours)

    db.add(
        MentionRow(
            id=seed.id, brand=seed.brand, platform=seed.platform, dedup_key=f"ext:{seed.id}",
            payload={"id": seed.id, "brand": seed.brand, "text": "…"}, created_at=seed.written,
            received_at=at(seed.received), status=seed.status, sentiment=seed.sentiment, kind=seed.kind,
            edit_distance=seed.edit_distance, published_at=at(seed.published) if seed.published is not None else None,
        )
    )  # fmt: skip
    db.flush()
    for n, (hours, has_draft, topics) in enumerate(seed.results):
        classification = {
            "sentiment": seed.sentiment,
            "suspected_fake": seed.fake,
            "topics": list(topics or seed.topics),
        }
        draft = {"text": "Здравствуйте!", "language": "ru"} if has_draft else None
        source = "pipeline" if n == 0 else "regenerate"
        db.add(
            ResultRow(
                mention_id=seed.id,
                source=source,
                classification=classification,
                decision={},
                draft=draft,
                created_at=at(hours),
            )
        )
        db.flush()  # ids in time order: the latest result has the highest id
    if seed.approved is not None:
        db.add(AuditRow(at=at(seed.approved), action="approve", brand=seed.brand, mention_id=seed.id, detail={}))
        if seed.edit_distance:  # an edit before the approval: only the approval's time counts
            db.add(AuditRow(at=at(seed.approved - 0.1), action="edit", brand=seed.brand, mention_id=seed.id, detail={}))


def seed(sessions: sessionmaker[Session]) -> None:
    with sessions() as db:
        for item in SEEDS:
            _add(db, item)
        brands = {s.id: s.brand for s in SEEDS}
        for mention_id, opened, due, status, resolved in CASES:
            db.add(
                CaseRow(
                    reference=f"C-{mention_id}", mention_id=mention_id, brand=brands[mention_id], status=status,
                    opened_at=opened, due_at=due, resolved_at=resolved,
                )
            )  # fmt: skip
        db.commit()


@pytest.fixture
def sessions(db_settings: ApiSettings) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(db_settings.url(Path()))
    migrate(engine)
    seed(make_sessions(engine))
    yield make_sessions(engine)
    engine.dispose()


@pytest.fixture
def report(sessions: sessionmaker[Session]) -> dict[str, Any]:
    with sessions() as db:
        return build_report(db, PROFILE, START, END, NOW).model_dump(mode="json")


# --- every figure of the seeded report ---------------------------------------------------------


def test_the_period_and_the_volume(report: dict[str, Any]) -> None:
    assert report["brand"] == OBED and report["brand_name"] == "Обед Экспресс"
    assert report["timezone"] == "Europe/Moscow" and report["target_hours"] == 2
    assert report["generated_at"] == "2026-11-17T12:00:00Z"
    assert report["period"] == {"start": "2026-11-02", "end": "2026-11-15", "days": 14}
    assert report["previous_period"] == {"start": "2026-10-19", "end": "2026-11-01", "days": 14}
    assert report["bucket"] == "day"
    assert report["mentions"] == {"current": 10, "previous": 5, "delta": 5, "delta_pct": 100.0}


def test_sentiment_shares_of_classified_mentions_and_their_move(report: dict[str, Any]) -> None:
    assert report["unclassified"] == 1
    assert report["sentiment"] == [
        {"key": "positive", "count": 2, "share": 0.2222, "previous_count": 2, "previous_share": 0.4, "change_pts": -17.78},
        {"key": "neutral", "count": 1, "share": 0.1111, "previous_count": 1, "previous_share": 0.2, "change_pts": -8.89},
        {"key": "negative", "count": 6, "share": 0.6667, "previous_count": 2, "previous_share": 0.4, "change_pts": 26.67},
    ]  # fmt: skip


def test_daily_buckets_in_the_brands_timezone(report: dict[str, Any]) -> None:
    buckets = {b["label"]: b for b in report["buckets"]}
    assert list(buckets) == [(START + timedelta(days=n)).isoformat() for n in range(14)]
    assert [sum(b["sentiment"].values()) for b in report["buckets"]] == [2, 1, 1, 1, 1, 0, 0, 1, 1, 0, 1, 0, 0, 1]
    first = buckets["2026-11-02"]  # m1 and m6, written at 01:30 Moscow time
    assert first["sentiment"] == {"positive": 0, "neutral": 1, "negative": 1, "unclassified": 0}
    assert first["negative_share"] == 0.5 and first["start"] == first["end"] == "2026-11-02"
    assert first["approval"] == {
        "count": 1,
        "median_hours": 1.0,
        "p90_hours": 1.0,
        "within_target": 1,
        "within_target_share": 1.0,
    }
    assert buckets["2026-11-03"]["approval"]["within_target_share"] == 0.0  # m2: 3 hours
    assert buckets["2026-11-12"]["negative_share"] is None  # only m9, unclassified
    assert buckets["2026-11-15"]["sentiment"]["negative"] == 1  # m10 at 23:59 Moscow time; x1 at 00:30 is not


def test_weekly_buckets_are_iso_weeks_clipped_to_the_period(sessions: sessionmaker[Session]) -> None:
    with sessions() as db:
        weekly = build_report(db, PROFILE, date(2026, 11, 1), date(2026, 11, 16), NOW)
    assert weekly.bucket == "week"
    spans = [(b.label, b.start.isoformat(), b.end.isoformat(), b.sentiment.total) for b in weekly.buckets]
    assert spans == [
        ("2026-W44", "2026-11-01", "2026-11-01", 1),  # p4 (a Sunday)
        ("2026-W45", "2026-11-02", "2026-11-08", 6),  # m1..m6
        ("2026-W46", "2026-11-09", "2026-11-15", 4),  # m7..m10
        ("2026-W47", "2026-11-16", "2026-11-16", 1),  # x1 (a Monday)
    ]
    assert weekly.mentions.current == 12 and weekly.mentions.previous == 5  # 16 Oct .. 31 Oct: q0, p1, p2, p3, p5


def test_platforms_with_their_sentiment_and_change(report: dict[str, Any]) -> None:
    found = {p["platform"]: (p["mentions"], p["sentiment"]) for p in report["platforms"]}
    assert list(found) == ["vk", "otzovik", "yandex_maps"]
    assert found["vk"] == (
        {"current": 5, "previous": 4, "delta": 1, "delta_pct": 25.0},
        {"positive": 1, "neutral": 0, "negative": 3, "unclassified": 1},
    )
    assert found["otzovik"] == (
        {"current": 3, "previous": 1, "delta": 2, "delta_pct": 200.0},
        {"positive": 1, "neutral": 1, "negative": 1, "unclassified": 0},
    )
    assert found["yandex_maps"][0] == {"current": 2, "previous": 0, "delta": 2, "delta_pct": None}


def test_top_topics_from_the_latest_classification_and_how_their_sentiment_moved(report: dict[str, Any]) -> None:
    topics = [
        (t["topic"], t["label"], t["mentions"]["current"], t["mentions"]["previous"],
         t["negative_share"], t["previous_negative_share"], t["negative_share_change_pts"])
        for t in report["topics"]
    ]  # fmt: skip
    assert topics == [
        ("delivery", "доставка", 4, 3, 0.75, 0.6667, 8.33),
        ("food_quality", "качество блюд", 3, 1, 0.6667, 0.0, 66.67),  # m1's regeneration added it
        ("app", "приложение и сайт", 1, 1, 0.0, 0.0, 0.0),
        ("courier", "курьер", 1, 0, 1.0, None, None),
        ("support", "поддержка", 1, 0, 1.0, None, None),
    ]
    assert report["topics"][0]["sentiment"] == {"positive": 1, "neutral": 0, "negative": 3, "unclassified": 0}


def test_negatives_by_kind_with_fakes_apart(report: dict[str, Any]) -> None:
    kinds = [
        (k["key"], k["count"], k["share"], k["previous_count"], k["change_pts"]) for k in report["negatives_by_kind"]
    ]
    assert kinds == [
        ("constructive", 2, 0.3333, 2, -66.67),
        ("non_constructive", 2, 0.3333, 0, 33.33),
        ("abusive", 1, 0.1667, 0, 16.67),
        ("fake", 1, 0.1667, 0, 16.67),  # m4, a constructive negative suspected fake
    ]
    assert report["suspected_fakes"] == 2  # m4, and the positive m5


def test_response_times_median_and_p90_against_the_target(report: dict[str, Any]) -> None:
    def times(median: float, p90: float, within: int, n: int) -> dict[str, Any]:
        return {
            "count": n,
            "median_hours": median,
            "p90_hours": p90,
            "within_target": within,
            "within_target_share": round(within / n, 4),
        }

    stages = {s["stage"]: s for s in report["response_times"]}
    # first drafts, since written: 0.25 0.5 0.5 0.5 1 1 2 5.5 (m8 reached Otklik 5 h late)
    assert stages["first_draft"]["since_written"] == times(0.5, 5.5, 7, 8)
    assert stages["first_draft"]["since_received"] == times(0.5, 2.0, 8, 8)  # 0.25 0.5×5 1 2
    # approvals, since written: 0.75 1 2 3 6 (nearest rank: the 3rd and the 5th)
    assert stages["approval"]["since_written"] == times(2.0, 6.0, 3, 5)
    assert stages["approval"]["since_received"] == times(1.0, 2.5, 4, 5)  # 0.75 1 1 2 2.5
    # publications, since written: 1 1.5 4 8 (the median of 4 values is the 2nd)
    assert stages["publication"]["since_written"] == times(1.5, 8.0, 2, 4)
    assert stages["publication"]["since_received"] == times(1.5, 3.5, 2, 4)  # 1 1.5 3 3.5


def test_replies_and_draft_quality(report: dict[str, Any]) -> None:
    assert report["replies"] == {
        "negatives": 6,
        "negatives_needing_reply": 5,  # m3 was hidden
        "negatives_answered": 3,  # m1, m2, m7; m4 and m10 still await review
        "negatives_answered_share": 0.6,
        "negatives_published": 3,
        "drafted": 8,  # all but m3 (no reply) and m9 (pending)
        "approved": 5,
        "approved_unchanged": 3,  # m1, m5, m8
        "approved_edited": 2,  # m2, m7
        "unchanged_share": 0.6,
        "rejected": 1,
        "awaiting_review": 2,
        "awaiting_draft": 1,
    }


def test_cases_opened_resolved_and_overdue(report: dict[str, Any]) -> None:
    # opened: m1, m2, m7 (m10's opened after the period); resolved: m1's and p5's; open now: m2, m7, p2; overdue: m2, p2
    assert report["cases"] == {"opened": 3, "resolved": 2, "open_now": 3, "overdue_now": 2}


def test_overdue_depends_on_the_now_passed_in(sessions: sessionmaker[Session]) -> None:
    with sessions() as db:
        early = build_report(db, PROFILE, START, END, utc(3, 12))  # before m2's case was due
    assert early.cases.overdue_now == 1  # only p2's


# --- the pure parts on hand-made inputs ---------------------------------------------------------


def test_nearest_rank_percentiles() -> None:
    values = [50, 15, 40, 20, 35]
    assert [nearest_rank(values, p) for p in (5, 30, 40, 50, 100)] == [15, 20, 20, 35, 50]
    assert nearest_rank(list(range(1, 11)), 90) == 9  # ceil(0.9 × 10) = 9 exactly, no float rounding up to 10
    assert nearest_rank([1, 2, 3, 4], 50) == 2
    with pytest.raises(ValueError):
        nearest_rank([], 50)


def test_periods_buckets_and_bounds() -> None:
    period = make_period(date(2026, 12, 20), date(2027, 1, 6), "Europe/Moscow")
    assert [(s.label, s.start.day, s.end.day) for s in period.spans()] == [
        ("2026-W51", 20, 20),
        ("2026-W52", 21, 27),
        ("2026-W53", 28, 3),
        ("2027-W01", 4, 6),
    ]
    assert period.utc_start() == datetime(2026, 12, 19, 21, tzinfo=UTC)
    assert period.utc_end() == datetime(2027, 1, 6, 21, tzinfo=UTC)
    assert period.previous() == Period(date(2026, 12, 2), date(2026, 12, 19), period.zone)
    assert make_period(date(2026, 1, 1), date(2026, 1, 14), "UTC").bucket == "day"
    assert make_period(date(2026, 1, 1), date(2026, 1, 15), "UTC").bucket == "week"
    assert make_period(date(2024, 1, 1), date(2024, 12, 31), "UTC").days == 366


@pytest.mark.parametrize(
    ("start", "end", "parameter", "words"),
    [
        (date(2026, 11, 5), date(2026, 11, 4), "to", "before `from`"),
        (date(2025, 1, 1), date(2026, 1, 2), "to", "367 days long; a report covers at most 366"),
        (date(1999, 12, 31), date(2000, 1, 5), "from", "before 2000-01-01"),
    ],
)
def test_periods_that_cannot_be_reported_name_the_parameter(start: date, end: date, parameter: str, words: str) -> None:
    with pytest.raises(PeriodError, match=words) as raised:
        make_period(start, end, "UTC")
    assert raised.value.parameter == parameter


def test_change_against_nothing_has_no_percentage() -> None:
    assert change(3, 0).delta_pct is None and change(0, 0).delta == 0
    assert change(3, 4).model_dump() == {"current": 3, "previous": 4, "delta": -1, "delta_pct": -25.0}


def test_a_negative_without_a_kind_is_unspecified_and_shown_only_then() -> None:
    written = utc(2, 9)

    def negative(kind: str | None, fake: bool = False) -> MentionFacts:
        return MentionFacts(written, written, "vk", "negative", kind, fake)

    found = kind_shares([negative(None), negative("abusive", fake=True)], [])
    assert [(s.key, s.count) for s in found] == [
        ("constructive", 0), ("non_constructive", 0), ("abusive", 0), ("fake", 1), ("unspecified", 1)
    ]  # fmt: skip
    assert "unspecified" not in [s.key for s in kind_shares([negative("abusive")], [])]


def test_case_figures_on_hand_made_cases() -> None:
    period = make_period(START, END, "Europe/Moscow")

    def case(opened: datetime, status: str = "open", resolved: datetime | None = None) -> CaseRow:
        return CaseRow(opened_at=opened, due_at=opened + timedelta(hours=2), status=status, resolved_at=resolved)

    cases = [
        case(utc(1, 20, 59)),  # 23:59 Moscow time on 1 Nov: before the period, still open and overdue
        case(utc(1, 21)),  # 00:00 on 2 Nov: opened in the period
        case(utc(14, 9), "resolved", utc(15, 21)),  # resolved at 00:00 on 16 Nov: after the period
    ]
    assert case_figures(cases, period, NOW).model_dump() == {
        "opened": 2,
        "resolved": 0,
        "open_now": 2,
        "overdue_now": 2,
    }


# --- rendering ----------------------------------------------------------------------------------


def _evil_report(sessions: sessionmaker[Session]) -> Any:
    evil = Seed("e1", utc(3, 9), "vk", "negative", "constructive", topics=("<script>alert(1)</script>|x", "**bold**"),
                status="drafted", results=drafted(0.5))  # fmt: skip
    with sessions() as db:
        _add(db, evil)
        db.commit()
        return build_report(db, PROFILE, START, END, NOW)


def test_html_is_self_contained_with_charts_and_escapes_data(sessions: sessionmaker[Session]) -> None:
    page = html(_evil_report(sessions))
    assert page.startswith("<!doctype html>") and page.count("<svg") == 4  # sentiment, platforms, topics, times
    assert "<script" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;|x" in page
    assert "src=" not in page and "<link" not in page and "@media print" in page
    assert "Обед Экспресс — mentions report 2026-11-02 – 2026-11-15" in page
    assert "target 2 h" in page  # the target line on the response-time chart


def test_markdown_tables_escape_data(sessions: sessionmaker[Session]) -> None:
    text = markdown(_evil_report(sessions))
    assert text.startswith("# Обед Экспресс — mentions report 2026-11-02 – 2026-11-15\n")
    assert r"| \<script\>alert(1)\</script\>\|x | 1 | +1 (new) |" in text
    assert r"| \*\*bold\*\* | 1 |" in text and "<script>" not in text
    assert "- **Mentions: 11** — +6 (+120.0%) vs the previous period" in text


def test_json_is_the_report(report: dict[str, Any], sessions: sessionmaker[Session]) -> None:
    with sessions() as db:
        assert json.loads(render(build_report(db, PROFILE, START, END, NOW), "json")) == report


# --- the API ------------------------------------------------------------------------------------

QUERY = {"from": "2026-11-02", "to": "2026-11-15"}


def test_the_api_returns_the_report_as_json_and_html(
    client: TestClient, make_key, sessions: sessionmaker[Session], report: dict[str, Any]
) -> None:
    qa = make_key(Role.qa, OBED)  # read permission is enough
    response = client.get(f"/reports/{OBED}", params=QUERY, headers=qa)
    assert response.status_code == 200, response.text
    body = response.json()
    volatile = ("generated_at", "cases")  # the route's now is the wall clock
    assert {k: v for k, v in body.items() if k not in volatile} == {
        k: v for k, v in report.items() if k not in volatile
    }
    assert body["cases"]["opened"] == 3 and body["cases"]["resolved"] == 2
    assert (
        response.headers["Link"]
        == f'</reports/{OBED}.html?from=2026-11-02&to=2026-11-15>; rel="alternate"; type="text/html"'
    )
    for url, params in ((f"/reports/{OBED}.html", QUERY), (f"/reports/{OBED}", {**QUERY, "format": "html"})):
        page = client.get(url, params=params, headers=qa)
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        assert "<svg" in page.text and "Обед Экспресс — mentions report" in page.text


def test_a_key_of_another_brand_gets_403_naming_no_brand(client: TestClient, make_key) -> None:
    kedr_owner = make_key(Role.brand_owner, KEDR)
    for url in (f"/reports/{OBED}", f"/reports/{OBED}.html"):
        for params in (QUERY, {"from": "bad"}):  # the brand is checked before the dates
            response = client.get(url, params=params, headers=kedr_owner)
            assert response.status_code == 403 and OBED not in response.text


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"from": "2026-11-31", "to": "2026-12-01"}, "from"),
        ({"from": "2026-11-02"}, "to"),
        ({"from": "2026-11-05", "to": "2026-11-04"}, "to"),
        ({"from": "2025-01-01", "to": "2026-01-02"}, "to"),
    ],
)
def test_bad_dates_are_a_422_naming_the_parameter(
    client: TestClient, obed_operator, params: dict[str, str], parameter: str
) -> None:
    for url in (f"/reports/{OBED}", f"/reports/{OBED}.html"):
        response = client.get(url, params=params, headers=obed_operator)
        assert response.status_code == 422, response.text
        assert [error["loc"] for error in response.json()["detail"]] == [["query", parameter]]


def test_an_unknown_brand_is_a_404(client: TestClient, make_key) -> None:
    response = client.get("/reports/no-such-brand", params=QUERY, headers=make_key(Role.admin))
    assert response.status_code == 404 and "no-such-brand" in response.json()["detail"]


# --- the command line ---------------------------------------------------------------------------


@pytest.fixture
def service_env(
    monkeypatch: pytest.MonkeyPatch, api_components: Components, db_settings: ApiSettings, sessions: Any
) -> None:
    """The CLI over the seeded database and the knowledge store holding obed-express."""
    monkeypatch.setenv("OTKLIK_DATA_DIR", str(api_components.settings.data_dir))
    monkeypatch.setenv("OTKLIK_DATABASE_URL", db_settings.url(Path()))
    settings = api_components.settings  # embedded Chroma, or the scale-out tier's Chroma server
    if settings.chroma_host:
        monkeypatch.setenv("OTKLIK_CHROMA_HOST", settings.chroma_host)
        monkeypatch.setenv("OTKLIK_CHROMA_PORT", str(settings.chroma_port))
    else:
        monkeypatch.delenv("OTKLIK_CHROMA_HOST", raising=False)


def test_the_cli_writes_the_report_in_each_format(
    service_env: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    period = ["--brand", OBED, "--from", "2026-11-02", "--to", "2026-11-15"]
    assert main(["report", *period, "--out", str(tmp_path / "week.json")]) == 0
    assert json.loads((tmp_path / "week.json").read_text())["mentions"]["current"] == 10
    assert "(10 mentions): file://" in capsys.readouterr().err  # the path, as a link
    assert main(["report", *period, "--format", "md", "--out", str(tmp_path / "out" / "week.txt")]) == 0
    assert "| vk | 5 | +1 (+25.0%) | 3 | 0 | 1 | 1 |" in (tmp_path / "out" / "week.txt").read_text()
    assert main(["report", *period, "--out", str(tmp_path / "week.html")]) == 0
    assert (tmp_path / "week.html").read_text().count("<svg") == 4


def test_the_cli_rejects_bad_input_in_one_line(
    service_env: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as usage:
        main(["report", "--brand", OBED, "--from", "2026-11-31", "--to", "2026-12-01"])
    assert usage.value.code == 2 and "'2026-11-31' is not a date" in capsys.readouterr().err
    cases = [
        (["--brand", OBED, "--from", "2026-11-05", "--to", "2026-11-04"], "`to` (2026-11-04) is before `from`"),
        (["--brand", "no-such-brand", "--from", "2026-11-02", "--to", "2026-11-15"], "no-such-brand"),
        (["--brand", OBED, "--from", "2026-11-02", "--to", "2026-11-15", "--out", str(tmp_path / "file" / "r.html")], str(tmp_path / "file")),
    ]  # fmt: skip
    (tmp_path / "file").write_text("a file, not a folder")
    for args, words in cases:
        assert main(["report", *args]) == 1
        error = capsys.readouterr().err
        assert error.startswith("otklik: error: ") and words in error and "Traceback" not in error
