"""Traps for the checks of what a reviewer sees (assistant/reply_checks.py): a mention, a
draft and one check, hand-labelled «defect» or not before the check was written
(evals/datasets/traps_*.yaml). Half of them, by a hash of the id, are held out: their
precision and recall are the gated figures; the tuning half is the one to read errors on.

    python -m evals.traps [--errors]

Each trap's mention is classified and decided by the offline default, as in the product:
a check sees what the pipeline would hand it.
"""

from __future__ import annotations

import argparse
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import yaml
from pydantic import BaseModel, Field

from assistant.decide import decide
from assistant.draft import DraftRequest
from assistant.models import CheckResult, Language, Mention, Platform, Retrieved
from assistant.pipeline import Components
from evals.datasets import DATASETS_DIR, EVAL_NOW, is_heldout_id
from evals.offline import offline_parts


class Trap(BaseModel):
    id: str
    check: str
    brand: str
    platform: Platform = Platform.other
    language: Language = "ru"
    mention: str
    draft: str
    defect: bool
    note: str = ""
    now: datetime | None = Field(default=None)


@dataclass(frozen=True)
class Score:
    check: str
    heldout: bool
    true_positive: int
    false_positive: int
    false_negative: int
    true_negative: int

    @property
    def precision(self) -> float:
        flagged = self.true_positive + self.false_positive
        return self.true_positive / flagged if flagged else 1.0

    @property
    def recall(self) -> float:
        defects = self.true_positive + self.false_negative
        return self.true_positive / defects if defects else 1.0

    @property
    def count(self) -> int:
        return self.true_positive + self.false_positive + self.false_negative + self.true_negative


def load_traps(folder: Path = DATASETS_DIR) -> list[Trap]:
    traps = []
    for path in sorted(folder.glob("traps_*.yaml")):
        traps += [Trap.model_validate(item) for item in yaml.safe_load(path.read_text(encoding="utf-8"))]
    return traps


def judge(trap: Trap, parts: Components) -> CheckResult:
    """The trap's check on its draft, with the mention classified and decided as the pipeline would."""
    brand = parts.store.load_brand(trap.brand)
    mention = Mention(id=trap.id, brand=trap.brand, platform=trap.platform, text=trap.mention, language=trap.language)
    vector = parts.store.embedder.embed_one(mention.text)
    classification = parts.classifier.classify(mention, brand, vector, [])
    decision = decide(classification, brand, mention.platform)
    request = DraftRequest(mention, classification, decision, brand, Retrieved(), None, now=trap.now or EVAL_NOW)
    check: Callable[[str, DraftRequest], CheckResult] = getattr(parts.checker.reply_checks, trap.check)
    return check(trap.draft, request)


def score(traps: list[Trap], parts: Components) -> tuple[list[Score], list[tuple[Trap, CheckResult]]]:
    """Per check and half: the confusion counts; and every trap judged wrong."""
    counts: dict[tuple[str, bool], list[int]] = {}
    wrong = []
    for trap in traps:
        result = judge(trap, parts)
        flagged = not result.passed
        cell = counts.setdefault((trap.check, is_heldout_id(trap.id)), [0, 0, 0, 0])
        cell[[flagged and trap.defect, flagged and not trap.defect, trap.defect and not flagged, True].index(True)] += 1
        if flagged != trap.defect:
            wrong.append((trap, result))
    scores = [Score(check, heldout, *cell) for (check, heldout), cell in sorted(counts.items())]
    return scores, wrong


def summary_entries(scores: list[Score]) -> dict[str, dict[str, object]]:
    """The gated figures, in the form of the eval summary: each check's precision and recall on
    its held-out half."""
    entries: dict[str, dict[str, object]] = {}
    for s in (s for s in scores if s.heldout):
        for measure in ("precision", "recall"):
            entries[f"trap_{s.check}_{measure}"] = {
                "value": getattr(s, measure),
                "higher_is_better": True,
                "n": s.count,
                "reason": f"the {s.check} check's {measure} on its held-out traps",
            }
    return entries


def report(scores: list[Score]) -> dict[str, dict[str, dict[str, float | int]]]:
    """Per check and half, for results.json."""
    out: dict[str, dict[str, dict[str, float | int]]] = {}
    for s in scores:
        half = "heldout" if s.heldout else "tuning"
        out.setdefault(s.check, {})[half] = {"n": s.count, "precision": s.precision, "recall": s.recall}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--errors", action="store_true", help="list the tuning half's traps judged wrong")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        scores, wrong = score(load_traps(), offline_parts(Path(folder)))
    print(f"{'check':<24} {'half':<8} {'n':>3} {'precision':>9} {'recall':>7}")
    for s in scores:
        half = "heldout" if s.heldout else "tuning"
        print(f"{s.check:<24} {half:<8} {s.count:>3} {s.precision:>9.2f} {s.recall:>7.2f}")
    if args.errors:
        for trap, result in wrong:
            if not is_heldout_id(trap.id):
                print(f"\n{trap.id} defect={trap.defect}: {result.detail}\n  {trap.note}")


if __name__ == "__main__":
    main()
