"""Run the real pipeline over an eval dataset, score it, and write results.json + report.html.

The runner calls `assistant.pipeline.run` exactly as the CLI and the API do.
"""

from __future__ import annotations

import json
import time
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
from tqdm import tqdm

from assistant.decide import decide
from assistant.draft import DraftRequest
from assistant.models import (
    CaseTicket,
    Classification,
    Draft,
    Mention,
    PipelineResult,
    Register,
    Retrieved,
    Sentiment,
)
from assistant.pipeline import Components, case_reference, run
from evals import report
from evals.datasets import EVAL_NOW, MentionCase, ReplyCase
from evals.judge import JudgeScore, LLMJudge
from evals.scorers import (
    FIELDS,
    CaseRun,
    CheckerAgreement,
    FieldMacroF1,
    Genericness,
    JudgeAgreement,
    Score,
    case_scorers,
)


def run_eval(
    cases: Sequence[MentionCase],
    replies: Sequence[ReplyCase],
    parts: Components,
    dataset: str,
    progress: bool = True,
    judge: LLMJudge | None = None,
) -> dict[str, Any]:
    """Every case through the pipeline, then every scorer; returns the results document.
    With a judge (a model is configured), its verdicts and its agreement with the labelled
    replies are added."""
    started = time.perf_counter()
    runs = [
        CaseRun(case, run_case(case, parts)) for case in tqdm(cases, desc="eval", unit="case", disable=not progress)
    ]
    parts.store.flush()
    scorers = [*case_scorers(), *([JudgeScore(judge)] if judge else [])]
    per_case = [{scorer.name: scorer.score(r) for scorer in scorers} for r in runs]
    summary = _summary(runs, per_case, parts)
    checker = CheckerAgreement(lambda reply: check_reply(parts, reply)).score(replies) if replies else None
    if checker:
        summary["checker_agreement"] = _entry(checker, True, len(replies))
    judged = JudgeAgreement(judge.grade).score(replies) if judge and replies else None
    if judged:
        summary["judge_agreement"] = _entry(judged, True, len(replies))
    return {
        "meta": {
            "dataset": dataset,
            "backend": parts.drafter.name,
            "cases": len(runs),
            "replies": len(replies),
            "finished": datetime.now(UTC).isoformat(timespec="seconds"),
            "seconds": round(time.perf_counter() - started, 1),
        },
        "summary": summary,
        "checker": checker.details if checker else {},
        "judge": judged.details if judged else {},
        "by_tag": _by_tag(runs, per_case),
        "cases": [_case_entry(r, s) for r, s in zip(runs, per_case, strict=True)],
    }


def run_case(case: MentionCase, parts: Components) -> PipelineResult:
    """The case through the pipeline at the eval's pinned moment (`EVAL_NOW`, its mention's time)."""
    mention = case.mention()
    return run(mention, parts, case_ref=case_reference(mention), now=mention.created_at)


def write_results(results: dict[str, Any], out_dir: Path) -> tuple[Path, Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    json_path, html_path = out_dir / "results.json", out_dir / "report.html"
    json_path.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    html_path.write_text(report.render(results), encoding="utf-8")
    return json_path, html_path


def check_reply(parts: Components, reply: ReplyCase) -> Draft:
    """Run the checker on a hand-written reply, as if the pipeline had drafted it."""
    brand = parts.store.load_brand(reply.brand)
    mention = Mention(brand=reply.brand, platform=reply.platform, author_name=reply.author_name, text=reply.mention)
    classification = Classification(sentiment=Sentiment.negative, register=Register.rational, language=reply.language)
    request = DraftRequest(
        mention,
        classification,
        decide(classification, brand),
        brand,
        Retrieved(),
        CaseTicket(reference=reply.case_ref, due=_due(reply.due, brand.profile.timezone)),
    )
    return parts.checker.check(Draft(text=reply.reply, language=reply.language), request)


def _due(text: str, timezone: str) -> datetime:
    """ "28.11 18:00" in the brand's timezone, this year."""
    day, clock = text.split()
    year = EVAL_NOW.year
    return datetime.strptime(f"{day}.{year} {clock}", "%d.%m.%Y %H:%M").replace(tzinfo=ZoneInfo(timezone))


def _entry(score: Score, higher_is_better: bool, n: int) -> dict[str, Any]:
    return {"value": score.value, "higher_is_better": higher_is_better, "n": n, "reason": score.reason}


def _summary(runs: list[CaseRun], per_case: list[dict[str, Score]], parts: Components) -> dict[str, Any]:
    summary: dict[str, Any] = {}
    for field in FIELDS:
        summary[f"{field}_macro_f1"] = _entry(FieldMacroF1(field).score(runs), True, len(runs))
    for name in per_case[0] if per_case else []:
        values = [scores[name].value for scores in per_case if scores[name].value is not None]
        mean = round(float(np.mean(values)), 4) if values else None
        summary[name] = {"value": mean, "higher_is_better": True, "n": len(values), "reason": "mean over cases"}
    generic = Genericness(parts.store.embedder.embed).score(runs)
    summary["genericness"] = _entry(generic, False, sum(1 for r in runs if r.result.draft))
    return summary


def _by_tag(runs: list[CaseRun], per_case: list[dict[str, Score]]) -> dict[str, dict[str, float]]:
    """Mean of each case scorer per tag (mention kind)."""
    collected: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for case_run, scores in zip(runs, per_case, strict=True):
        for tag in case_run.case.tags:
            for name, score in scores.items():
                if score.value is not None:
                    collected[tag][name].append(score.value)
    return {
        tag: {name: round(float(np.mean(values)), 4) for name, values in metrics.items()}
        for tag, metrics in sorted(collected.items())
    }


def _case_entry(case_run: CaseRun, scores: dict[str, Score]) -> dict[str, Any]:
    result, case = case_run.result, case_run.case
    return {
        "id": case.id,
        "brand": case.brand,
        "tags": case.tags,
        "text": case.text,
        "classification": result.classification.model_dump(mode="json"),
        "expected": case.expect.model_dump(mode="json"),
        "actions": [a.value for a in result.decision.actions],
        "draft": result.draft.text if result.draft else None,
        "scores": {name: {"value": s.value, "reason": s.reason} for name, s in scores.items()},
    }
