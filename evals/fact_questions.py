"""Does a reply answer the question from the right fact? Customers' questions hand-labelled with
the fact(s) whose text answers them (evals/datasets/fact_questions.yaml, written before the
drafter matched questions against the questions each fact answers, and without seeing them).
Half of them, by a hash of the id, are held out: their figures are the gated ones; the tuning
half is the one to read errors on.

    python -m evals.fact_questions [--errors]

Each mention goes through the whole offline pipeline, as in the product; a fact counts as given
when the draft cites it (`Draft.cited_ids`: its sentences are in the reply).
"""

from __future__ import annotations

import argparse
import tempfile
from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import BaseModel, Field

from assistant.models import Mention, Platform
from assistant.pipeline import Components, run
from evals.datasets import DATASETS_DIR, EVAL_NOW, is_heldout_id
from evals.offline import halves, offline_parts


class LabelledQuestion(BaseModel):
    id: str
    brand: str
    platform: Platform = Platform.other
    text: str
    answers: list[str] = Field(min_length=1)


@dataclass(frozen=True)
class Answered:
    case: LabelledQuestion
    cited: tuple[str, ...]
    deferred: bool = False  # the reply also promises who will answer and when (the unanswered-question check's reading)

    @property
    def found(self) -> bool:
        """Every labelled fact is in the reply."""
        return set(self.case.answers) <= set(self.cited)

    @property
    def stray(self) -> int:
        """Facts in the reply that answer none of the questions."""
        return len(set(self.cited) - set(self.case.answers))


def load_questions(path: Path = DATASETS_DIR / "fact_questions.yaml") -> list[LabelledQuestion]:
    return [LabelledQuestion.model_validate(item) for item in yaml.safe_load(path.read_text(encoding="utf-8"))]


def answer(case: LabelledQuestion, parts: Components) -> Answered:
    mention = Mention(id=case.id, brand=case.brand, platform=case.platform, text=case.text, created_at=EVAL_NOW)
    result = run(mention, parts, now=EVAL_NOW)
    draft = result.draft
    deferred = bool(draft and parts.checker.reply_checks.defers(draft.text))
    return Answered(case, tuple(draft.cited_ids) if draft else (), deferred)


def figures(outcomes: list[Answered]) -> dict[str, float]:
    """The share of questions answered by all their facts, and stray facts per reply."""
    if not outcomes:
        return {"answered": 1.0, "stray_per_reply": 0.0}
    return {
        "answered": sum(o.found for o in outcomes) / len(outcomes),
        "stray_per_reply": sum(o.stray for o in outcomes) / len(outcomes),
    }


def summary_entries(outcomes: list[Answered]) -> dict[str, dict[str, object]]:
    """The gated figures, in the form of the eval summary, on the held-out half."""
    heldout = [o for o in outcomes if is_heldout_id(o.case.id)]
    measured = figures(heldout)
    return {
        "fact_question_answered": {
            "value": measured["answered"],
            "higher_is_better": True,
            "n": len(heldout),
            "reason": "a question is answered by the fact(s) that hold its answer (held-out questions)",
        },
        "fact_question_stray": {
            "value": measured["stray_per_reply"],
            "higher_is_better": False,
            "n": len(heldout),
            "reason": "facts in a reply that answer none of its questions, per reply (held-out questions)",
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--errors", action="store_true", help="list the tuning half's questions answered wrong")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        parts = offline_parts(Path(folder))
        outcomes = [answer(case, parts) for case in load_questions()]
    for name, half in halves(outcomes, lambda o: o.case.id):
        measured = figures(half)
        print(f"{name:<8} n={len(half):>3} answered={measured['answered']:.3f} stray={measured['stray_per_reply']:.2f}")
        # the two ways a deferral misleads: «уточним» after the right answer, and none after a wrong one
        right_deferred = sum(o.found and o.deferred for o in half)
        wrong_silent = sum(not o.found and not o.deferred for o in half)
        print(
            f"{'':<8} answered yet deferred {right_deferred}/{sum(o.found for o in half)}, "
            f"not answered and not deferred {wrong_silent}/{sum(not o.found for o in half)}"
        )
    if args.errors:
        for o in outcomes:
            if not o.found and not is_heldout_id(o.case.id):
                print(f"\n{o.case.id} want {o.case.answers}, cited {list(o.cited)}\n  {o.case.text[:200]}")


if __name__ == "__main__":
    main()
