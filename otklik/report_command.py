"""`otklik report`: a brand's report for a period from the service's database, as HTML, Markdown or JSON.

It reads the database `otklik serve` writes (OTKLIK_DATABASE_URL, else OTKLIK_DATA_DIR/otklik.db)
and the brand's profile (timezone, response-time target, topic names) from the knowledge store.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from api.report_render import FORMATS, Format, render
from api.reports import build_report
from api.tables import utcnow
from assistant.config import Settings
from assistant.models import BrandProfile
from knowledge.embeddings import Embedder
from knowledge.store import KnowledgeStore, make_client
from otklik.service_commands import open_session

SUFFIXES: dict[str, Format] = {".html": "html", ".htm": "html", ".md": "md", ".json": "json"}


def add_report_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("report", help="a brand's report for a period: HTML with charts, Markdown or JSON")
    parser.add_argument("--brand", required=True, help="brand id (see `otklik brands`)")
    parser.add_argument("--from", dest="start", required=True, type=_day, metavar="YYYY-MM-DD", help="the first day")
    parser.add_argument("--to", dest="end", required=True, type=_day, metavar="YYYY-MM-DD", help="the last day")
    parser.add_argument("--format", choices=FORMATS, help="default: from the --out suffix, else html")
    parser.add_argument("--out", type=Path, help="the file to write (default: standard output)")
    parser.set_defaults(handler=cmd_report)


def cmd_report(args: argparse.Namespace, settings: Settings) -> int:
    fmt = args.format or SUFFIXES.get(args.out.suffix.lower() if args.out else "", "html")
    profile = _profile(settings, args.brand)
    with open_session(settings) as db:
        report = build_report(db, profile, args.start, args.end, utcnow())
    text = render(report, fmt)
    if args.out is None:
        sys.stdout.write(text)
        return 0
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    print(
        f"wrote the {fmt} report ({report.mentions.current} mentions): {args.out.resolve().as_uri()}", file=sys.stderr
    )
    return 0


def _profile(settings: Settings, brand: str) -> BrandProfile:
    """The brand's profile from the knowledge store (UnknownBrandError names the known ones)."""
    return KnowledgeStore(make_client(settings), Embedder()).load_brand(brand).profile


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None
