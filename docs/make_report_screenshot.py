"""Seed a temporary database with four weeks of made-up but plausible mentions of obed-express,
build the report for the last two, and screenshot its HTML in Chromium: docs/report.png.

    .venv/bin/python docs/make_report_screenshot.py [--keep DIR] [--chromium /usr/bin/chromium]

Needs the `playwright` package (the dev extras) and a Chromium (Debian: `apt-get install chromium`).
`--keep DIR` also writes the report as report.html, report.md and report.json there.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from sqlalchemy.orm import Session  # noqa: E402

from api.db import make_engine, make_sessions, migrate  # noqa: E402
from api.report_render import FORMATS, render  # noqa: E402
from api.reports import build_report  # noqa: E402
from api.tables import AuditRow, CaseRow, MentionRow, ResultRow  # noqa: E402
from knowledge.brands import load_brand  # noqa: E402

START, END = date(2026, 11, 2), date(2026, 11, 15)
NOW = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)
PLATFORMS = {"vk": 40, "yandex_maps": 20, "otzovik": 14, "telegram": 10, "2gis": 10, "app_store": 6}
TOPICS = {"delivery": 30, "food_quality": 22, "courier": 12, "order_accuracy": 10, "app": 9, "payment": 7, "promo": 6}
KINDS = {"constructive": 60, "non_constructive": 28, "abusive": 12}


def pick(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), list(weights.values()))[0]


def hours(rng: random.Random, median: float) -> timedelta:
    """A skewed wait: most close to the median, a few much longer."""
    return timedelta(hours=rng.lognormvariate(0, 0.8) * median)


@dataclass
class Made:
    """One mention as the service would have stored it, with its review and case."""

    row: MentionRow
    results: list[ResultRow]
    audit: list[AuditRow]
    case: CaseRow | None


def make_mention(rng: random.Random, n: int, written: datetime, negative_weight: int) -> Made:
    sentiment = pick(rng, {"negative": negative_weight, "positive": 36, "neutral": 24})
    kind = pick(rng, KINDS) if sentiment == "negative" else None
    fake = sentiment == "negative" and rng.random() < 0.08
    topics = sorted({pick(rng, TOPICS) for _ in range(rng.choice((1, 1, 2)))})
    received = written + (hours(rng, 3) if rng.random() < 0.1 else timedelta(minutes=rng.randint(1, 15)))
    row = MentionRow(
        id=f"demo{n:04d}", brand="obed-express", platform=pick(rng, PLATFORMS), dedup_key=f"ext:demo{n}",
        payload={}, created_at=written, received_at=received, sentiment=sentiment, kind=kind, status="no_reply",
    )  # fmt: skip
    classification = {"sentiment": sentiment, "kind": kind, "suspected_fake": fake, "topics": topics}
    if kind == "abusive":  # hidden, no reply
        return Made(row, [_result(row, classification, received, draft=False)], [], None)
    return review(rng, row, _result(row, classification, received + hours(rng, 0.2), draft=True), fake)


def _result(row: MentionRow, classification: dict[str, object], at: datetime, draft: bool) -> ResultRow:
    text = {"text": "Здравствуйте!", "language": "ru"} if draft else None
    return ResultRow(
        mention_id=row.id, source="pipeline", classification=classification, decision={}, draft=text, created_at=at
    )


def review(rng: random.Random, row: MentionRow, result: ResultRow, fake: bool) -> Made:
    """Approve (mostly unchanged), reject or leave the draft waiting; publish most approved replies."""
    row.status, approved_at = "drafted", result.created_at + hours(rng, 1.1)
    audit, waiting = [], approved_at > NOW or rng.random() < 0.08
    if not waiting and rng.random() < 0.05:
        row.status = "rejected"
    elif not waiting:
        row.status, row.edit_distance = "approved", 0 if rng.random() < 0.72 else rng.randint(3, 80)
        audit.append(AuditRow(at=approved_at, action="approve", brand=row.brand, mention_id=row.id, detail={}))
        if rng.random() < 0.85:
            row.status, row.published_at = "published", approved_at + hours(rng, 0.4)
    case = None if fake or row.sentiment != "negative" else make_case(rng, row, result.created_at)
    return Made(row, [result], audit, case)


def make_case(rng: random.Random, row: MentionRow, opened: datetime) -> CaseRow:
    case = CaseRow(
        reference=f"OE-{row.id}",
        mention_id=row.id,
        brand=row.brand,
        opened_at=opened,
        due_at=opened + timedelta(hours=2),
    )
    resolved = opened + hours(rng, 8)
    if resolved < NOW and rng.random() < 0.8:
        case.status, case.resolved_at = "resolved", resolved
    elif rng.random() < 0.3:
        case.status = "waiting_customer"
    return case


def seed(db: Session) -> int:
    """Four weeks of mentions, busier and more negative in the last two (a delivery problem)."""
    rng, n = random.Random(2026), 0
    for day in range(28):
        when = datetime.combine(START - timedelta(days=14 - day), datetime.min.time(), UTC) - timedelta(hours=3)
        busy = 1.6 if day in (19, 20) else 1.0  # a bad weekend
        for _ in range(int(rng.randint(6, 14) * busy)):
            n += 1
            written = when + timedelta(minutes=rng.randint(7 * 60, 23 * 60 + 59))
            made = make_mention(rng, n, written, negative_weight=46 if day >= 14 else 32)
            db.add(made.row)
            db.flush()
            db.add_all([*made.results, *made.audit, *([made.case] if made.case else [])])
    db.commit()
    return n


def screenshot(page_html: str, target: Path, chromium: str) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=chromium, args=["--headless", "--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 1100, "height": 900}, device_scale_factor=1)
        page.set_content(page_html, wait_until="load")
        page.screenshot(path=str(target), full_page=True)
        browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", type=Path, help="also write report.html, .md and .json to this folder")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args()
    profile = load_brand(REPO / "knowledge" / "brands" / "obed-express").profile
    with tempfile.TemporaryDirectory(prefix="otklik-report-") as scratch:
        engine = make_engine(f"sqlite:///{Path(scratch) / 'otklik.db'}")
        migrate(engine)
        with make_sessions(engine)() as db:
            print(f"seeded {seed(db)} mentions", file=sys.stderr)
            report = build_report(db, profile, START, END, NOW)
        engine.dispose()
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        for fmt in FORMATS:
            (args.keep / f"report.{fmt}").write_text(render(report, fmt), encoding="utf-8")
    target = REPO / "docs" / "report.png"
    screenshot(render(report, "html"), target, args.chromium)
    print(f"wrote {target}", file=sys.stderr)


if __name__ == "__main__":
    main()
