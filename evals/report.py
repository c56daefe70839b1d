"""A self-contained HTML report of an eval run: summary table, SVG charts, per-case table.

No scripts, no CDN: charts are inline SVG, so the file opens anywhere and prints.
"""

from __future__ import annotations

from html import escape
from typing import Any

TAG_METRICS = ("decision_correct", "sentiment_correct", "grounding", "personalization", "voice")
BAR_WIDTH = 320

STYLE = """
body{font:14px/1.45 system-ui,sans-serif;margin:24px;color:#1d2330;max-width:1200px}
h1{font-size:22px} h2{font-size:17px;margin-top:28px}
table{border-collapse:collapse;width:100%;margin:8px 0}
th,td{border-bottom:1px solid #e3e6ec;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f5f6f9} td.num{text-align:right;font-variant-numeric:tabular-nums}
.bad{color:#b42318} .ok{color:#067647} .muted{color:#667085}
.case-text{max-width:380px} .draft{white-space:pre-wrap;max-width:420px}
svg text{font:12px system-ui,sans-serif}
"""


def render(results: dict[str, Any]) -> str:
    meta = results["meta"]
    title = f"Otklik eval — {meta['dataset']} ({meta['backend']})"
    return "\n".join(
        [
            f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{escape(title)}</title>",
            f"<style>{STYLE}</style></head><body><h1>{escape(title)}</h1>",
            f"<p class='muted'>{meta['cases']} cases, {meta['replies']} labelled replies, "
            f"{meta['seconds']} s, finished {escape(meta['finished'])}</p>",
            "<h2>Summary</h2>",
            _summary_table(results["summary"]),
            _bar_chart("Scores (0–1)", {k: v["value"] for k, v in results["summary"].items() if _unit(v)}),
            _agreement_table("Checker against the labelled replies", results.get("checker", {})),
            _agreement_table("LLM judge against the labelled replies", results.get("judge", {})),
            "<h2>Per mention kind</h2>",
            *(_bar_chart(metric, _per_tag(results["by_tag"], metric)) for metric in TAG_METRICS),
            "<h2>Cases</h2>",
            _cases_table(results["cases"]),
            "</body></html>",
        ]
    )


def _unit(entry: dict[str, Any]) -> bool:
    return entry["value"] is not None and entry["higher_is_better"]


def _summary_table(summary: dict[str, Any]) -> str:
    rows = "".join(
        f"<tr><td>{escape(name)}</td><td class='num'>{_fmt(entry['value'])}</td>"
        f"<td>{'higher' if entry['higher_is_better'] else 'lower'} is better</td>"
        f"<td class='num'>{entry['n']}</td><td class='muted'>{escape(str(entry['reason']))}</td></tr>"
        for name, entry in summary.items()
    )
    return f"<table><tr><th>scorer</th><th>value</th><th></th><th>n</th><th>how</th></tr>{rows}</table>"


def _agreement_table(title: str, details: dict[str, float]) -> str:
    """Precision and recall per labelled fault, for the checker or the judge."""
    labels = sorted({key.rsplit("_", 1)[0] for key in details})
    if not labels:
        return ""
    rows = "".join(
        f"<tr><td>{escape(label)}</td><td class='num'>{_fmt(details.get(label + '_precision'))}</td>"
        f"<td class='num'>{_fmt(details.get(label + '_recall'))}</td>"
        f"<td class='num'>{int(details.get(label + '_faults', 0))}</td></tr>"
        for label in labels
    )
    return (
        f"<h2>{escape(title)}</h2><table><tr><th>fault</th><th>precision</th>"
        f"<th>recall</th><th>labelled faults</th></tr>{rows}</table>"
    )


def _per_tag(by_tag: dict[str, dict[str, float]], metric: str) -> dict[str, float | None]:
    return {tag: metrics.get(metric) for tag, metrics in by_tag.items() if metric in metrics}


def _bar_chart(title: str, values: dict[str, float | None]) -> str:
    """Horizontal bars for values in 0..1."""
    items = [(label, value) for label, value in values.items() if value is not None]
    if not items:
        return ""
    row, label_width = 20, 190
    height = row * len(items) + 30
    bars = []
    for i, (label, value) in enumerate(items):
        y = 24 + i * row
        width = max(0.0, min(1.0, value)) * BAR_WIDTH
        colour = "#2e90fa" if value >= 0.8 else "#f79009" if value >= 0.5 else "#f04438"
        bars.append(
            f"<text x='0' y='{y + 12}'>{escape(label)}</text>"
            f"<rect x='{label_width}' y='{y}' width='{width:.1f}' height='14' fill='{colour}'/>"
            f"<text x='{label_width + width + 6:.1f}' y='{y + 12}'>{value:.2f}</text>"
        )
    return (
        f"<svg width='{label_width + BAR_WIDTH + 60}' height='{height}' role='img' aria-label='{escape(title)}'>"
        f"<text x='0' y='14' font-weight='600'>{escape(title)}</text>{''.join(bars)}</svg>"
    )


def _cases_table(cases: list[dict[str, Any]]) -> str:
    rows = "".join(_case_row(case) for case in cases)
    return (
        "<table><tr><th>case</th><th>mention</th><th>classification → actions</th><th>draft</th>"
        f"<th>failures</th></tr>{rows}</table>"
    )


def _case_row(case: dict[str, Any]) -> str:
    c = case["classification"]
    kind = f"/{c['kind']}" if c.get("kind") else ""
    failures = [
        f"<li class='bad'>{escape(name)}: {escape(score['reason'])}</li>"
        for name, score in case["scores"].items()
        if score["value"] is not None and score["value"] < 1
    ]
    return (
        f"<tr><td>{escape(case['id'])}<br><span class='muted'>{escape(', '.join(case['tags']))}</span></td>"
        f"<td class='case-text'>{escape(case['text'])}</td>"
        f"<td>{escape(c['sentiment'] + kind)}, {escape(c['register'])}<br>→ {escape(', '.join(case['actions']))}</td>"
        f"<td class='draft'>{escape(case['draft'] or '—')}</td>"
        f"<td><ul>{''.join(failures) or '<li class=ok>none</li>'}</ul></td></tr>"
    )


def _fmt(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"
