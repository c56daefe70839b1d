"""Readable text for a person at a terminal."""

from __future__ import annotations

import textwrap
from collections import Counter

from assistant.models import PipelineResult
from knowledge.store import IngestReport


def result(item: PipelineResult) -> str:
    m, c, d = item.mention, item.classification, item.decision
    stars = f" {m.rating}★" if m.rating else ""
    author = f" · {m.author_name}" if m.author_name else ""
    kind = f"/{c.kind.value}" if c.kind else ""
    extras = [
        f"fake: {'; '.join(c.fake_signals)}" if c.suspected_fake else "",
        ", ".join(f.value for f in c.risk_flags),
    ]
    lines = [
        f"── {m.id} · {m.brand} · {m.platform.value}{author}{stars}",
        textwrap.indent(textwrap.shorten(m.text, 300, placeholder=" …"), "   > "),
        f"   {c.mention_kind.value}: {c.sentiment.value}{kind}, {c.register.value}, {c.language}"
        + (", question" if c.is_question else "")
        + "".join(f" | {e}" for e in extras if e),
        f"   actions: {', '.join(a.value for a in d.actions)} · matrix: {d.matrix_key} ({d.cell.format.value})",
        f"   why: {'; '.join(d.reasons)}",
    ]
    if item.draft:
        lines += _draft(item)
    return "\n".join(lines)


def _draft(item: PipelineResult) -> list[str]:
    draft = item.draft
    assert draft is not None
    failed = draft.failed_checks
    status = f"{len(draft.checks) - len(failed)}/{len(draft.checks)} checks passed"
    lines = ["   draft:"] + [textwrap.indent(p, "   │ ") for p in draft.text.split("\n")]
    lines.append(f"   {status}" + (f" · case {draft.case_ref}" if draft.case_ref else "") + f" · {draft.status.value}")
    lines += [f"   ✗ {check.name}: {check.detail}" for check in failed]
    return lines


def expectation(mismatch: str | None) -> str:
    return "   as expected" if mismatch is None else f"   ✗ expected: {mismatch}"


def summary(results: list[PipelineResult]) -> str:
    actions = Counter(a.value for r in results for a in r.decision.actions)
    drafts = [r.draft for r in results if r.draft]
    clean = sum(1 for d in drafts if not d.failed_checks)
    return f"{len(results)} mentions · {len(drafts)} drafts ({clean} passed every check) · " + ", ".join(
        f"{name}: {count}" for name, count in sorted(actions.items())
    )


def ingest_report(report: IngestReport) -> str:
    written = ", ".join(f"{name} {count}" for name, count in report.written.items())
    removed = sum(report.removed.values())
    return (
        f"ingested {report.brand}: {written}; removed {removed} stale; "
        f"kept {report.kept_from_service} approved via the service"
    )
