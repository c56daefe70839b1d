"""Does the drafter recognise the situation? Mentions hand-labelled with the playbook a reply
should follow (evals/datasets/situations.yaml, written before the example-based choice and
without seeing the brands' example mentions). Half of them, by a hash of the id, are held
out: their accuracy is the gated figure; the tuning half is the one to read errors on.

    python -m evals.situations [--errors]

Each mention is classified and decided by the offline default, as in the product, so a
wrong reply mode (a complaint read as a question) counts as a wrong situation.
"""

from __future__ import annotations

import argparse
import tempfile
from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import BaseModel

from assistant.decide import decide
from assistant.models import Mention, Platform
from assistant.pipeline import Components
from assistant.text.situation import understand
from evals.datasets import DATASETS_DIR, is_heldout_id
from evals.offline import halves, offline_parts


class LabelledSituation(BaseModel):
    id: str
    brand: str
    platform: Platform = Platform.other
    rating: int | None = None
    author: str | None = None
    text: str
    situation: str


@dataclass(frozen=True)
class Outcome:
    case: LabelledSituation
    chosen: str | None
    mode: str | None

    @property
    def right(self) -> bool:
        return self.chosen == self.case.situation


def load_situations(path: Path = DATASETS_DIR / "situations.yaml") -> list[LabelledSituation]:
    return [LabelledSituation.model_validate(item) for item in yaml.safe_load(path.read_text(encoding="utf-8"))]


def recognise(case: LabelledSituation, parts: Components) -> Outcome:
    """The playbook the drafter would follow for this mention."""
    brand = parts.store.load_brand(case.brand)
    mention = Mention(
        id=case.id, brand=case.brand, platform=case.platform, text=case.text, rating=case.rating,
        author_name=case.author,
    )  # fmt: skip
    classification = parts.classifier.classify(mention, brand, parts.store.embedder.embed_one(mention.text), [])
    decision = decide(classification, brand, mention.platform)
    mode = decision.reply_mode
    playbook = understand(case.text, classification, mode, brand).playbook if mode else None
    return Outcome(case, playbook.id if playbook else None, mode.value if mode else None)


def accuracy(outcomes: list[Outcome]) -> float:
    return sum(o.right for o in outcomes) / len(outcomes) if outcomes else 1.0


def summary_entries(outcomes: list[Outcome]) -> dict[str, dict[str, object]]:
    """The gated figure, in the form of the eval summary: accuracy on the held-out half."""
    heldout = [o for o in outcomes if is_heldout_id(o.case.id)]
    return {
        "situation_accuracy": {
            "value": accuracy(heldout),
            "higher_is_better": True,
            "n": len(heldout),
            "reason": "the playbook the drafter follows is the labelled one (held-out situations)",
        }
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--errors", action="store_true", help="list the tuning half's mentions recognised wrong")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        parts = offline_parts(Path(folder))
        outcomes = [recognise(case, parts) for case in load_situations()]
    for name, half in halves(outcomes, lambda o: o.case.id):
        print(f"{name:<8} n={len(half):>3} accuracy={accuracy(half):.3f}")
    if args.errors:
        for o in outcomes:
            if not o.right and not is_heldout_id(o.case.id):
                print(f"\n{o.case.id} {o.case.brand} want {o.case.situation}, got {o.chosen} (mode {o.mode})")
                print(f"  {o.case.text[:220]}")


if __name__ == "__main__":
    main()
