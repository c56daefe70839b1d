"""`otklik train` and `otklik sentiment-cv`: retrain the shipped sentiment and mention-kind
models from the public corpora plus the project's own labelled mentions, and measure them.

Only these two commands need `../shared/corpora`; the product runs on the weights it ships.
"""

from __future__ import annotations

import argparse
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

from assistant.config import REPO_ROOT, Settings
from assistant.mention_kind import (
    CRISIS_FILE,
    KIND_WEIGHTS_PATH,
    KindExampleRow,
    load_crisis_patterns,
    load_kind_examples,
    load_threat_examples,
)
from assistant.models import LabelledMention, MentionKind, RiskFlag
from assistant.text import training
from assistant.text.sentiment import WEIGHTS_PATH
from evals.datasets import load_slices, tuning_half
from knowledge.brands import load_brand
from knowledge.embeddings import Embedder
from knowledge.labelled import is_heldout, load_labelled, split

DEFAULT_CORPORA = REPO_ROOT.parent / "shared" / "corpora"
EXIT_BELOW_GATE = 3


def add_train_parsers(commands: argparse._SubParsersAction) -> None:
    train = commands.add_parser("train", help="retrain the shipped sentiment and mention-kind models")
    train.add_argument("--corpora", type=Path, default=DEFAULT_CORPORA, help="folder of the public corpora")
    train.add_argument("--out", type=Path, default=WEIGHTS_PATH.parent, help="folder for the weights (.npz)")
    train.set_defaults(handler=cmd_train)
    cv = commands.add_parser("sentiment-cv", help="nested 5-fold F-macro on the SentiRuEval-2016 telecom tweets")
    cv.add_argument("--corpora", type=Path, default=DEFAULT_CORPORA, help="folder of the public corpora")
    cv.add_argument("--gate", type=float, metavar="F", help=f"exit {EXIT_BELOW_GATE} when the mean is below F")
    cv.set_defaults(handler=cmd_cv)


@dataclass(frozen=True)
class OwnData:
    """What the project itself labelled and a model may learn from: the training split of
    knowledge/shared, the brands' examples, the eval slices' tuning halves (never the held-out
    halves), and every brand's names and aliases."""

    mentions: list[LabelledMention]
    kinds: list[KindExampleRow]
    threats: list[tuple[str, bool]]
    brand_names: list[str]


def own_data(settings: Settings, leave_out: frozenset[str] = frozenset()) -> OwnData:
    """`leave_out`: ids of slice cases to keep out besides the held-out halves (for
    cross-validation inside the tuning halves, benchmarks/tuning_cv.py)."""
    customers = split(load_labelled(settings.shared_dir))[0]
    names: list[str] = []
    for folder in sorted(p for p in settings.brands_dir.iterdir() if (p / "brand.yaml").is_file()):
        brand = load_brand(folder)
        customers += brand.examples
        names += brand.profile.names
    slices = [case for case in tuning_half(load_slices()) if case.id not in leave_out]
    kinds = [KindExampleRow(m.text, m.rating, MentionKind.customer) for m in customers]
    kinds += [KindExampleRow(c.text, c.rating, c.expect.mention_kind) for c in slices]
    kinds += [
        KindExampleRow(e.text, None, e.mention_kind)
        for e in load_kind_examples(settings.shared_dir)
        if not is_heldout(e)
    ]
    labelled = customers + [case.labelled() for case in slices]
    threats = [(m.text, RiskFlag.threat in m.risk_flags) for m in labelled]
    threats += [(e.text, e.threat) for e in load_threat_examples(settings.shared_dir) if not is_heldout(e)]
    return OwnData(labelled, kinds, threats, names)


def train_models(corpora: Path, own: OwnData, settings: Settings, out: Path) -> list[str]:
    """Train both models and write their weights into `out`; returns what was written."""
    embedder = Embedder()
    sentiment = training.train(training.load_training_set(corpora, own.mentions, own.brand_names, embedder.embed))
    crisis = load_crisis_patterns(settings.shared_dir / CRISIS_FILE)
    kinds = training.fit_kinds(sentiment, own.kinds, own.threats, own.brand_names, embedder.embed, crisis)
    out.mkdir(parents=True, exist_ok=True)
    sentiment.save(out / WEIGHTS_PATH.name)
    kinds.save(out / KIND_WEIGHTS_PATH.name)
    return [
        f"{out / WEIGHTS_PATH.name}: {sentiment.about}",
        f"{out / KIND_WEIGHTS_PATH.name}: mention kinds from {len(own.kinds)} labelled mentions, "
        f"threats from {len(own.threats)}",
    ]


def cmd_train(args: argparse.Namespace, settings: Settings) -> int:
    started = time.perf_counter()
    for line in train_models(args.corpora, own_data(settings), settings, args.out):
        print(line)
    print(f"trained in {time.perf_counter() - started:.0f} s")
    return 0


def cmd_cv(args: argparse.Namespace, settings: Settings) -> int:
    started = time.perf_counter()
    own = own_data(settings)
    data = training.load_training_set(args.corpora, own.mentions, own.brand_names, Embedder().embed)
    folds = training.nested_cv(data.target, data.own, training.shared_parts(data.general, data.own))
    scores = [fold.f_macro for fold in folds]
    mean = statistics.mean(scores)
    print("nested 5-fold cross-validation on SentiRuEval-2016 telecom (C chosen inside each fold)")
    for number, fold in enumerate(folds, start=1):
        print(f"  fold {number}: F-macro {fold.f_macro:.3f} (C={fold.chosen_c:g})")
    print(f"F-macro {mean:.3f} ± {statistics.stdev(scores):.3f} ({time.perf_counter() - started:.0f} s)")
    if args.gate is not None and mean < args.gate:
        print(f"otklik: F-macro {mean:.3f} is below the gate {args.gate:.3f}")
        return EXIT_BELOW_GATE
    return 0
