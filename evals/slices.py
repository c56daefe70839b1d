"""The slices: the hard kinds of real-world mention, each measured on its held-out half.

Each slice has one headline measure (what «right» means for it) besides sentiment and
decision accuracy; `otklik eval` adds the held-out figures to its summary as
`slice_<name>_<measure>`, so evals/thresholds.yaml can gate them. The tuning halves are
reported too, marked so: the models were trained on them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from tqdm import tqdm

from assistant.models import Action, DraftStatus, MentionKind, PipelineResult, RiskFlag
from assistant.pipeline import Components
from evals.datasets import MentionCase, is_heldout_case, slice_of
from evals.runner import run_case

Measure = Callable[[MentionCase, PipelineResult], bool | None]  # None: the case does not count


def sentiment_right(case: MentionCase, result: PipelineResult) -> bool:
    return case.expect.sentiment is result.classification.sentiment


def decision_right(case: MentionCase, result: PipelineResult) -> bool:
    return case.expect.actions == result.decision.actions


def _no_action(case: MentionCase, result: PipelineResult) -> bool:
    return result.decision.actions == [Action.no_action]


def _crisis_escalated(case: MentionCase, result: PipelineResult) -> bool | None:
    """Counted over the true crises: escalated, and no reply marked ready."""
    if case.expect.mention_kind is not MentionKind.crisis:
        return None
    ready = result.draft is not None and result.draft.status is DraftStatus.ready
    return Action.escalate in result.decision.actions and not ready


def _threat_escalated(case: MentionCase, result: PipelineResult) -> bool | None:
    if RiskFlag.threat not in case.expect.risk_flags:
        return None
    return Action.escalate in result.decision.actions


def _replied(case: MentionCase, result: PipelineResult) -> bool:
    return Action.reply in result.decision.actions


@dataclass(frozen=True)
class Slice:
    name: str  # as in the case ids: sl-<name>-001
    title: str
    measure: str
    headline: Measure


SLICES = (
    Slice("short", "short unrated comments", "sentiment", sentiment_right),
    Slice("sarc", "sarcasm and irony", "sentiment", sentiment_right),
    Slice("mixed", "mixed reviews", "replied", _replied),
    Slice("news", "news and chatter", "no_action", _no_action),
    Slice("spam", "advertising and spam", "decision", decision_right),
    Slice("crisis", "crises", "escalated", _crisis_escalated),
    Slice("threat", "threats without obscenity", "escalated", _threat_escalated),
)


def _rate(values: Sequence[bool | None]) -> tuple[float | None, int]:
    counted = [v for v in values if v is not None]
    return (round(sum(counted) / len(counted), 4) if counted else None), len(counted)


def run_slices(cases: Sequence[MentionCase], parts: Components, progress: bool = True) -> dict[str, Any]:
    """Every slice case through the pipeline; per slice and half, the three measures."""
    results = [(case, run_case(case, parts)) for case in tqdm(cases, desc="slices", unit="case", disable=not progress)]
    report: dict[str, Any] = {}
    for spec in SLICES:
        mine = [(c, r) for c, r in results if slice_of(c) == spec.name]
        report[spec.name] = {"title": spec.title, "measure": spec.measure}
        for half, wanted in (("heldout", True), ("tuning", False)):
            rows = [(c, r) for c, r in mine if is_heldout_case(c) is wanted]
            headline, n = _rate([spec.headline(c, r) for c, r in rows])
            report[spec.name][half] = {
                spec.measure: headline,
                "n": n,
                "sentiment": _rate([sentiment_right(c, r) for c, r in rows])[0],
                "decision": _rate([decision_right(c, r) for c, r in rows])[0],
                "cases": len(rows),
            }
        report[spec.name]["misread"] = [
            _misread(c, r) for c, r in mine if is_heldout_case(c) and not decision_right(c, r)
        ]
    return report


def _misread(case: MentionCase, result: PipelineResult) -> dict[str, Any]:
    return {
        "id": case.id,
        "text": case.text,
        "expected": [a.value for a in case.expect.actions],
        "got": [a.value for a in result.decision.actions],
        "kind": result.classification.mention_kind.value,
        "sentiment": result.classification.sentiment.value,
    }


def summary_entries(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The held-out headline figures, in the form of the eval summary (gated by thresholds.yaml)."""
    entries = {}
    for spec in SLICES:
        held = report[spec.name]["heldout"]
        entries[f"slice_{spec.name}_{spec.measure}"] = {
            "value": held[spec.measure],
            "higher_is_better": True,
            "n": held["n"],
            "reason": f"{spec.title}, held-out half",
        }
    return entries
