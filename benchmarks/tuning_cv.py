"""Cross-validation inside the eval slices' tuning halves: what the classifier and the
decision make of slice cases the models were not trained on, without touching the held-out
halves. Two folds: train on the other fold of the tuning halves (plus everything else the
models learn from), classify and decide this fold.

    python benchmarks/tuning_cv.py [--corpora ../shared/corpora] [-v]

Prints per slice: sentiment accuracy, decision accuracy, mention-kind accuracy.
"""

from __future__ import annotations

import argparse
import hashlib
import tempfile
from collections import defaultdict
from pathlib import Path

from assistant.config import Settings
from assistant.models import PipelineResult
from assistant.pipeline import build_offline, run
from evals.datasets import MentionCase, load_slices, slice_of, tuning_half
from evals.slices import decision_right, sentiment_right
from knowledge.brands import load_brand
from otklik.train_commands import DEFAULT_CORPORA, own_data, train_models


def fold_of(case: MentionCase) -> int:
    return hashlib.sha256(f"fold:{case.id}".encode()).digest()[0] % 2


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpora", type=Path, default=DEFAULT_CORPORA)
    parser.add_argument("-v", action="store_true", help="list the cases read wrong")
    args = parser.parse_args()
    cases = tuning_half(load_slices())
    rows: dict[str, list[tuple[MentionCase, PipelineResult]]] = defaultdict(list)
    for fold in (0, 1):
        held = [case for case in cases if fold_of(case) == fold]
        with tempfile.TemporaryDirectory() as folder:
            settings = Settings(text_models_dir=Path(folder), data_dir=Path(folder) / "data")
            train_models(args.corpora, own_data(settings, frozenset(c.id for c in held)), settings, Path(folder))
            parts = build_offline(settings)
            for brand in sorted({case.brand for case in held}):
                parts.store.ingest(load_brand(settings.brands_dir / brand))
            for case in held:
                rows[slice_of(case)].append((case, run(case.mention(), parts)))
    for name, found in sorted(rows.items()):
        sentiment = sum(sentiment_right(c, r) for c, r in found) / len(found)
        decision = sum(decision_right(c, r) for c, r in found) / len(found)
        kind = sum(c.expect.mention_kind is r.classification.mention_kind for c, r in found) / len(found)
        print(f"{name:8s} n={len(found):3d}  sentiment {sentiment:.2f}  decision {decision:.2f}  kind {kind:.2f}")
        for case, result in found if args.v else []:
            if (
                case.expect.sentiment is not result.classification.sentiment
                or case.expect.actions != result.decision.actions
            ):
                got = f"{result.classification.sentiment.value}/{result.classification.mention_kind.value} {[a.value for a in result.decision.actions]}"
                want = f"{case.expect.sentiment.value}/{case.expect.mention_kind.value} {[a.value for a in case.expect.actions]}"
                print(f"    {case.id}: got {got}, want {want} | {case.text[:90]!r}")


if __name__ == "__main__":
    main()
