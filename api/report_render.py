"""A Report as a self-contained HTML page (inline SVG charts, print CSS), Markdown or JSON.

Every string that comes from data (topic ids and labels, platforms, the brand's name) is
escaped: topics come from a language model's classification of what strangers wrote.
The tables are built once (`_sections`) and written as HTML or as Markdown.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from html import escape
from typing import Literal

from api.schemas import Change, Durations, Report, ReportBucket, SentimentCounts, Share, StageTimes

Format = Literal["html", "md", "json"]
FORMATS: tuple[Format, ...] = ("html", "md", "json")

SENTIMENT_COLOURS = {"negative": "#e5484d", "neutral": "#98a2b3", "positive": "#30a46c", "unclassified": "#d8dce3"}
MEDIAN_COLOUR, P90_COLOUR, TARGET_COLOUR = "#4f7cff", "#1d3f9e", "#b42318"
STAGE_NAMES = {"first_draft": "first draft", "approval": "approval", "publication": "publication"}
KIND_NAMES = {"non_constructive": "non-constructive"}

STYLE = """
*{-webkit-print-color-adjust:exact;print-color-adjust:exact;box-sizing:border-box}
body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;padding:0 16px;color:#1d2330;max-width:1040px}
h1{font-size:22px;margin:0 0 4px} h2{font-size:17px;margin:28px 0 8px}
.muted{color:#667085} .num{text-align:right;font-variant-numeric:tabular-nums} td.num{white-space:nowrap}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(220px,1fr));gap:10px;margin:16px 0}
.card{border:1px solid #e3e6ec;border-radius:8px;padding:10px 12px}
.card b{display:block;font-size:22px} .card span{color:#667085;font-size:12px}
table{border-collapse:collapse;width:100%;margin:8px 0}
th,td{border-bottom:1px solid #e3e6ec;padding:4px 8px;text-align:left}
th{background:#f5f6f9;font-weight:600} td:first-child{min-width:7.5em}
.legend span{display:inline-block;margin-right:14px;font-size:12px}
.legend i{display:inline-block;width:10px;height:10px;margin-right:4px;vertical-align:-1px}
svg{max-width:100%;height:auto;display:block;margin:6px 0}
svg text{font:12px system-ui,sans-serif;fill:#344054}
@page{size:A4;margin:12mm}
@media print{body{margin:0;padding:0;max-width:none;font-size:11px}section{break-inside:avoid}
.cards{grid-template-columns:repeat(3,1fr)}h2{margin-top:16px}}
"""


def render(report: Report, fmt: Format) -> str:
    return {"html": html, "md": markdown, "json": as_json}[fmt](report)


def as_json(report: Report) -> str:
    return report.model_dump_json(indent=2) + "\n"


# --- numbers as a person reads them ---------------------------------------------------------------


def pct(share: float | None) -> str:
    return "—" if share is None else f"{share * 100:.1f}%"


def pts(change: float | None) -> str:
    return "—" if change is None else f"{change:+.1f} pts"


def hours(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f} h"


def moved(change: Change) -> str:
    """'+5 (+100.0%)'; 'new' when there was nothing before."""
    relative = "new" if change.delta_pct is None else f"{change.delta_pct:+.1f}%"
    return f"{change.delta:+d} ({relative})" if change.current or change.previous else "0"


def kind_name(key: str) -> str:
    return KIND_NAMES.get(key, key)


# --- what both formats show ------------------------------------------------------------------------


@dataclass(frozen=True)
class Table:
    headers: tuple[str, ...]
    rows: list[tuple[str, ...]]


@dataclass(frozen=True)
class Section:
    title: str
    tables: list[Table]
    note: str = ""
    chart: Callable[[], str] | None = field(default=None, compare=False)  # inline SVG, HTML only


def headline(report: Report) -> str:
    period, before = report.period, report.previous_period
    return (
        f"{period.start} – {period.end} ({period.days} days, by {report.bucket}, {report.timezone}); "
        f"compared with {before.start} – {before.end}"
    )


def key_figures(report: Report) -> list[tuple[str, str, str]]:
    """(what, value, detail) for the cards at the top."""
    negative = next(s for s in report.sentiment if s.key == "negative")
    approval = _stage(report, "approval").since_written
    replies, cases = report.replies, report.cases
    return [
        ("Mentions", str(report.mentions.current), f"{moved(report.mentions)} vs the previous period"),
        ("Negative", pct(negative.share), f"{pts(negative.change_pts)} · of classified mentions"),
        (
            "Negatives answered",
            pct(replies.negatives_answered_share),
            f"{replies.negatives_answered} of {replies.negatives_needing_reply} needing a reply",
        ),
        (
            "Time to approval, median",
            hours(approval.median_hours),
            f"p90 {hours(approval.p90_hours)} · target {report.target_hours} h",
        ),
        (
            "Open cases",
            str(cases.open_now),
            f"{cases.overdue_now} overdue · {cases.opened} opened, {cases.resolved} resolved",
        ),
        (
            "Approved unchanged",
            pct(replies.unchanged_share),
            f"{replies.approved_unchanged} of {replies.approved} approved drafts",
        ),
    ]


def _stage(report: Report, stage: str) -> StageTimes:
    return next(s for s in report.response_times if s.stage == stage)


def _sections(report: Report) -> list[Section]:
    return [
        Section(
            "Sentiment",
            [_shares_table("sentiment", report.sentiment), _buckets_table(report.buckets)],
            f"Shares of classified mentions; not classified yet: {report.unclassified}.",
            lambda: _legend() + _columns(report.buckets, report.bucket),
        ),
        Section(
            "Platforms",
            [_platforms_table(report)],
            chart=lambda: _legend() + _sentiment_bars([(p.platform, p.sentiment) for p in report.platforms]),
        ),
        Section(
            "Topics",
            [_topics_table(report)],
            "Negative share: negatives among the topic's classified mentions; move: against the previous period.",
            lambda: _legend() + _sentiment_bars([(t.label, t.sentiment) for t in report.topics]),
        ),
        Section(
            "Negatives by kind",
            [_shares_table("kind", report.negatives_by_kind)],
            f"A suspected fake counts as fake whatever its kind. Suspected fakes of any sentiment: "
            f"{report.suspected_fakes}.",
        ),
        Section(
            "Response times",
            [_times_table(report.response_times, report.target_hours)],
            f"Since written: the customer's wait, which the target ({report.target_hours} h) is about. "
            "Since received: from when Otklik got the mention. Median and 90th percentile by nearest rank.",
            lambda: _times_chart(report.response_times, report.target_hours),
        ),
        Section("Replies and draft quality", [_replies_table(report)]),
        Section(
            "Cases",
            [_cases_table(report)],
            "Opened and resolved in the period; open and overdue as of when the report was built.",
        ),
    ]


def _shares_table(what: str, shares: Sequence[Share]) -> Table:
    rows = [
        (kind_name(s.key), str(s.count), pct(s.share), str(s.previous_count), pct(s.previous_share), pts(s.change_pts))
        for s in shares
    ]
    return Table((what, "count", "share", "before", "share before", "move"), rows)


def _buckets_table(buckets: Sequence[ReportBucket]) -> Table:
    rows = [
        (
            b.label,
            str(b.sentiment.total),
            *(str(getattr(b.sentiment, key)) for key in SENTIMENT_COLOURS),
            pct(b.negative_share),
            hours(b.approval.median_hours),
            hours(b.approval.p90_hours),
        )
        for b in buckets
    ]
    headers = ("bucket", "mentions", *SENTIMENT_COLOURS, "negative share", "approval median", "approval p90")
    return Table(headers, rows)


def _platforms_table(report: Report) -> Table:
    rows = [
        (p.platform, str(p.mentions.current), moved(p.mentions), *_sentiment_cells(p.sentiment))
        for p in report.platforms
    ]
    return Table(("platform", "mentions", "change", *SENTIMENT_COLOURS), rows)


def _topics_table(report: Report) -> Table:
    rows = [
        (
            t.label if t.label == t.topic else f"{t.label} ({t.topic})",
            str(t.mentions.current),
            moved(t.mentions),
            *_sentiment_cells(t.sentiment),
            pct(t.negative_share),
            pct(t.previous_negative_share),
            pts(t.negative_share_change_pts),
        )
        for t in report.topics
    ]
    headers = ("topic", "mentions", "change", *SENTIMENT_COLOURS, "negative share", "before", "move")
    return Table(headers, rows)


def _sentiment_cells(counts: SentimentCounts) -> tuple[str, ...]:
    return tuple(str(getattr(counts, key)) for key in SENTIMENT_COLOURS)


def _times_table(stages: Sequence[StageTimes], target: int) -> Table:
    def cells(times: Durations) -> tuple[str, ...]:
        return (str(times.count), hours(times.median_hours), hours(times.p90_hours), pct(times.within_target_share))

    rows = [(STAGE_NAMES[s.stage], *cells(s.since_written), *cells(s.since_received)) for s in stages]
    clock = ("n", "median", "p90", f"within {target} h")
    return Table(("stage", *(f"written: {h}" for h in clock), *(f"received: {h}" for h in clock)), rows)


def _replies_table(report: Report) -> Table:
    r = report.replies
    rows = [
        ("negatives", str(r.negatives)),
        ("negatives needing a reply (the decision called for one)", str(r.negatives_needing_reply)),
        ("negatives answered (reply approved)", f"{r.negatives_answered} ({pct(r.negatives_answered_share)})"),
        ("negatives with the reply published", str(r.negatives_published)),
        ("mentions drafted", str(r.drafted)),
        ("drafts approved", str(r.approved)),
        ("approved unchanged", f"{r.approved_unchanged} ({pct(r.unchanged_share)})"),
        ("approved after an edit", str(r.approved_edited)),
        ("drafts rejected", str(r.rejected)),
        ("awaiting review", str(r.awaiting_review)),
        ("awaiting a draft (pending or failed)", str(r.awaiting_draft)),
    ]
    return Table(("replies", "count"), rows)


def _cases_table(report: Report) -> Table:
    c = report.cases
    rows = [
        ("opened in the period", str(c.opened)),
        ("resolved in the period", str(c.resolved)),
        ("open now (opened by the period's end)", str(c.open_now)),
        ("overdue now", str(c.overdue_now)),
    ]
    return Table(("cases", "count"), rows)


# --- HTML ------------------------------------------------------------------------------------------


def html(report: Report) -> str:
    title = f"{report.brand_name} — mentions report {report.period.start} – {report.period.end}"
    cards = "".join(
        f"<div class='card'>{escape(what)}<b>{escape(value)}</b><span>{escape(detail)}</span></div>"
        for what, value, detail in key_figures(report)
    )
    return "\n".join(
        [
            "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
            f"<title>{escape(title)}</title><style>{STYLE}</style></head><body>",
            f"<h1>{escape(title)}</h1><p class='muted'>{escape(headline(report))}. "
            f"Built {report.generated_at:%Y-%m-%d %H:%M} UTC.</p>",
            f"<div class='cards'>{cards}</div>",
            *(_html_section(section) for section in _sections(report)),
            "<p class='muted'>What each figure means: docs/reports.md.</p></body></html>",
        ]
    )


def _html_section(section: Section) -> str:
    note = f"<p class='muted'>{escape(section.note)}</p>" if section.note else ""
    chart = section.chart() if section.chart else ""
    return (
        f"<section><h2>{escape(section.title)}</h2>{chart}{note}{''.join(map(_html_table, section.tables))}</section>"
    )


def _html_table(table: Table) -> str:
    head = "".join(
        f"<th>{escape(h)}</th>" if i == 0 else f"<th class='num'>{escape(h)}</th>" for i, h in enumerate(table.headers)
    )
    body = "".join(
        "<tr>" + "".join(_html_cell(cell, first=i == 0) for i, cell in enumerate(row)) + "</tr>" for row in table.rows
    )
    return f"<table><tr>{head}</tr>{body or _empty_row(len(table.headers))}</table>"


def _html_cell(cell: str, first: bool) -> str:
    return f"<td>{escape(cell)}</td>" if first else f"<td class='num'>{escape(cell)}</td>"


def _empty_row(columns: int) -> str:
    return f"<tr><td colspan='{columns}' class='muted'>none in this period</td></tr>"


def _legend() -> str:
    items = "".join(
        f"<span><i style='background:{colour}'></i>{key}</span>" for key, colour in SENTIMENT_COLOURS.items()
    )
    return f"<div class='legend'>{items}</div>"


def _nice_ceiling(value: float) -> float:
    """The smallest 1, 2 or 5 × 10ⁿ at or above value: an axis maximum a person can read."""
    if value <= 0:
        return 1
    power = 10 ** math.floor(math.log10(value))
    return next(step * power for step in (1, 2, 5, 10) if step * power >= value)


def _svg(width: int, height: int, label: str, body: str) -> str:
    return (
        f"<svg viewBox='0 0 {width} {height}' width='{width}' height='{height}' role='img' "
        f"aria-label='{escape(label)}' xmlns='http://www.w3.org/2000/svg'>{body}</svg>"
    )


def _columns(buckets: Sequence[ReportBucket], bucket: str) -> str:
    """Mentions per bucket as columns stacked by sentiment (negative at the bottom)."""
    if not buckets:
        return ""
    left, top, plot_height, step = 40, 14, 180, max(22, min(64, 900 // len(buckets)))
    scale = _nice_ceiling(max(b.sentiment.total for b in buckets))
    parts = [_gridline(left, top, plot_height, step * len(buckets), scale, fraction) for fraction in (0, 0.5, 1)]
    for i, b in enumerate(buckets):
        x, y = left + i * step + step * 0.15, top + plot_height
        for key, colour in SENTIMENT_COLOURS.items():
            height = getattr(b.sentiment, key) / scale * plot_height
            y -= height
            tip = f"{b.label}: {getattr(b.sentiment, key)} {key}"
            parts.append(_rect(x, y, step * 0.7, height, colour, tip))
        parts.append(_text(x + step * 0.35, y - 3, str(b.sentiment.total), anchor="middle"))
        name = b.start.strftime("%d.%m") if bucket == "day" else b.label.split("-")[-1]
        parts.append(_text(x + step * 0.35, top + plot_height + 14, name, anchor="middle"))
    return _svg(left + step * len(buckets) + 10, top + plot_height + 22, "mentions by sentiment", "".join(parts))


def _gridline(left: int, top: int, height: int, width: int, scale: float, fraction: float) -> str:
    y = top + height * (1 - fraction)
    line = f"<line x1='{left}' x2='{left + width}' y1='{y:.1f}' y2='{y:.1f}' stroke='#e3e6ec'/>"
    return line + _text(left - 6, y + 4, f"{scale * fraction:g}", anchor="end")


def _rect(x: float, y: float, width: float, height: float, colour: str, tip: str) -> str:
    if height <= 0 or width <= 0:
        return ""
    return (
        f"<rect x='{x:.1f}' y='{y:.1f}' width='{width:.1f}' height='{height:.1f}' fill='{colour}'>"
        f"<title>{escape(tip)}</title></rect>"
    )


def _text(x: float, y: float, text: str, anchor: str = "start", **attributes: str) -> str:
    extra = "".join(f" {name.replace('_', '-')}='{escape(value)}'" for name, value in attributes.items())
    return f"<text x='{x:.1f}' y='{y:.1f}' text-anchor='{anchor}'{extra}>{escape(text)}</text>"


@dataclass(frozen=True)
class Bar:
    label: str
    segments: list[tuple[float, str, str]]  # value, colour, tooltip
    caption: str  # written after the bar


LABEL_WIDTH, BAR_WIDTH, ROW = 210, 560, 22


def _bars(bars: Sequence[Bar], marker: tuple[float, str] | None = None) -> str:
    """Horizontal bars, each stacked from its segments; `marker`: a dashed line at a value (a target)."""
    if not bars:
        return ""
    peak = max([sum(v for v, _, _ in bar.segments) for bar in bars] + [marker[0] if marker else 0])
    scale, top = _nice_ceiling(peak), 18 if marker else 4
    parts = [_marker(marker, scale, top + len(bars) * ROW)] if marker else []  # under the bars and captions
    for i, bar in enumerate(bars):
        y, x = top + i * ROW, float(LABEL_WIDTH)
        parts.append(_text(0, y + 13, _shorten(bar.label, 32)))
        for value, colour, tip in bar.segments:
            parts.append(_rect(x, y + 2, value / scale * BAR_WIDTH, 14, colour, tip))
            x += value / scale * BAR_WIDTH
        parts.append(_text(x + 6, y + 13, bar.caption))
    return _svg(LABEL_WIDTH + BAR_WIDTH + 90, top + len(bars) * ROW + 4, "bar chart", "".join(parts))


def _marker(marker: tuple[float, str], scale: float, bottom: int) -> str:
    value, label = marker
    x = LABEL_WIDTH + value / scale * BAR_WIDTH
    line = f"<line x1='{x:.1f}' x2='{x:.1f}' y1='14' y2='{bottom}' stroke='{TARGET_COLOUR}' stroke-dasharray='4 3'/>"
    return line + _text(x, 11, label, anchor="middle", fill=TARGET_COLOUR)


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _sentiment_bars(rows: Sequence[tuple[str, SentimentCounts]]) -> str:
    bars = [
        Bar(
            label,
            [
                (getattr(counts, key), colour, f"{label}: {getattr(counts, key)} {key}")
                for key, colour in SENTIMENT_COLOURS.items()
            ],
            str(counts.total),
        )
        for label, counts in rows
    ]
    return _bars(bars)


def _times_chart(stages: Sequence[StageTimes], target: int) -> str:
    """Median and 90th percentile of each stage since written, against the brand's target."""
    bars = []
    for stage in stages:
        times, name = stage.since_written, STAGE_NAMES[stage.stage]
        for what, value, colour in (
            ("median", times.median_hours, MEDIAN_COLOUR),
            ("p90", times.p90_hours, P90_COLOUR),
        ):
            bars.append(Bar(f"{name}, {what}", [(value or 0, colour, f"{name} {what}: {hours(value)}")], hours(value)))
    return _bars(bars, marker=(target, f"target {target} h"))


# --- Markdown --------------------------------------------------------------------------------------


def markdown(report: Report) -> str:
    lines = [
        f"# {_md(report.brand_name)} — mentions report {report.period.start} – {report.period.end}",
        "",
        f"{_md(headline(report))}. Built {report.generated_at:%Y-%m-%d %H:%M} UTC.",
        "",
        *(f"- **{_md(what)}: {_md(value)}** — {_md(detail)}" for what, value, detail in key_figures(report)),
        "",
    ]
    for section in _sections(report):
        lines += [f"## {_md(section.title)}", ""]
        lines += [_md(section.note), ""] if section.note else []
        for table in section.tables:
            lines += [*_md_table(table), ""]
    return "\n".join(lines).rstrip() + "\n"


def _md_table(table: Table) -> list[str]:
    align = ["---", *("---:" for _ in table.headers[1:])]
    rows = table.rows or [("none in this period", *("" for _ in table.headers[1:]))]
    return [_md_row(table.headers), _md_row(align, escaped=True), *(_md_row(row) for row in rows)]


def _md_row(cells: Sequence[str], escaped: bool = False) -> str:
    return "| " + " | ".join(cell if escaped else _md(cell) for cell in cells) + " |"


MD_SPECIAL = str.maketrans({char: "\\" + char for char in "\\`*_[]#|<>!"})


def _md(text: str) -> str:
    """Data as literal text: Markdown's specials escaped, no raw HTML, one line."""
    return " ".join(text.translate(MD_SPECIAL).split())
