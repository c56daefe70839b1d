"""Train the sentiment model (`otklik train-sentiment`) and measure it honestly
(`otklik sentiment-cv`): nested cross-validation on the SentiRuEval-2016 telecom tweets.

Training data: the public corpora in `../shared/corpora` (see its README: SentiRuEval-2016
telecom, sentiment toward the brand; RuSentiTweet, general-domain tweets, weighted lower
because they label the author's mood, not an attitude to a brand) plus the project's own
labelled mentions (their training split only) and the brands' examples. Only retraining
needs the corpora; the product ships the weights.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.sparse import csr_matrix, hstack
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedKFold

from assistant.errors import InputError
from assistant.mention_kind import CrisisPattern, KindExampleRow, MentionKindModel, style_rows
from assistant.models import LabelledMention
from assistant.text.normalize import brand_pattern, normalize
from assistant.text.sentiment import Inputs, LinearHead, SentimentModel, brand_rows, idf, rating_shift, text_rows

TELECOM = "sentirueval2016-telecom.jsonl"
RUSENTITWEET = "rusentitweet-train.jsonl"
# The telecom tweets name these brands; as «xbrand» they cannot carry sentiment.
TELECOM_BRANDS = (
    "МТС", "MTS", "Билайн", "Beeline", "Вымпелком", "Мегафон", "MegaFon", "Теле2", "Tele2", "Ростелеком",
    "Rostelecom", "Комстар", "Komstar",
)  # fmt: skip
OWN_WEIGHT = 2.0
GENERAL_TWEET_WEIGHT = 0.3  # RuSentiTweet labels the author's mood, not an attitude to a brand
C_GRID = (3.0, 10.0)  # the brand head's; chosen inside the folds
MOOD_C = 3.0
KIND_C = 3.0
SEED = 0


@dataclass(frozen=True)
class Corpus:
    """A labelled corpus ready to train on: what the model reads of each text, its label,
    its sample weight."""

    inputs: Inputs
    labels: np.ndarray
    weights: np.ndarray

    def __len__(self) -> int:
        return len(self.labels)

    def subset(self, rows: np.ndarray) -> Corpus:
        return Corpus(self.inputs.subset(rows), self.labels[rows], self.weights[rows])


Embed = Callable[[list[str]], np.ndarray]


def _read_jsonl(path: Path) -> list[dict]:
    if not path.is_file():
        raise InputError(f"{path}: no such corpus file (retraining needs ../shared/corpora; see its README)")
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def telecom(corpora: Path, embed_texts: Embed) -> Corpus:
    rows = _read_jsonl(corpora / TELECOM)
    pattern = brand_pattern(TELECOM_BRANDS)
    texts = [normalize(r["text"], pattern) for r in rows]
    return _corpus(texts, [r["sentiment"] for r in rows], 1.0, embed_texts, tweets=True)


def general_tweets(corpora: Path, embed_texts: Embed) -> Corpus:
    """RuSentiTweet's positive, neutral and negative tweets (speech acts and unclear ones left out)."""
    rows = [r for r in _read_jsonl(corpora / RUSENTITWEET) if r["label"] in ("positive", "neutral", "negative")]
    return _corpus([normalize(r["text"]) for r in rows], [r["label"] for r in rows], GENERAL_TWEET_WEIGHT, embed_texts)


def own_mentions(labelled: Sequence[LabelledMention], brand_names: Sequence[str], embed_texts: Embed) -> Corpus:
    """The project's labelled mentions, weighted up: they are the product's own domain."""
    pattern = brand_pattern(brand_names)
    texts = [normalize(m.text, pattern) for m in labelled]
    labels = [m.sentiment.value for m in labelled]
    return _corpus(texts, labels, OWN_WEIGHT, embed_texts, ratings=[m.rating for m in labelled])


def _corpus(
    texts: list[str],
    labels: list[str],
    weight: float,
    embed_texts: Embed,
    ratings: list[int | None] | None = None,
    tweets: bool = False,
) -> Corpus:
    inputs = Inputs(texts, embed_texts(texts), ratings or [None] * len(texts), tweets)
    return Corpus(inputs, np.array(labels), np.full(len(texts), weight))


@dataclass(frozen=True)
class Shared:
    """What does not depend on the target's folds: the idf weights (from the general tweets
    and the project's mentions) and the mood head (from the general tweets)."""

    char_idf: np.ndarray
    word_idf: np.ndarray
    mood: LinearHead


def shared_parts(general: Corpus, own: Corpus) -> Shared:
    both = Inputs.joined([general.inputs, own.inputs])
    char_idf, word_idf = idf(both.counts[0]), idf(both.counts[1])
    rows = text_rows(general.inputs, char_idf, word_idf)
    return Shared(char_idf, word_idf, LinearHead.of(_regression(MOOD_C).fit(rows, general.labels)))


def _regression(c: float, balanced: bool = True) -> LogisticRegression:
    return LogisticRegression(
        C=c, class_weight="balanced" if balanced else None, solver="saga", tol=1e-3, max_iter=300, random_state=SEED
    )


def _balanced(labels: np.ndarray) -> np.ndarray:
    """Class weights balanced within one corpus: each corpus's classes weigh alike, so no
    domain's class balance leaks into the other's (telecom tweets are 8 % positive, the
    project's mentions about a third)."""
    classes, counts = np.unique(labels, return_counts=True)
    per_class = dict(zip(classes, len(labels) / (len(classes) * counts), strict=True))
    return np.array([per_class[label] for label in labels])


def fit(shared: Shared, parts: Sequence[Corpus], c: float, about: str = "") -> SentimentModel:
    """The brand head on `parts` (each with its inputs), over the shared text features and mood."""
    inputs = Inputs.joined([p.inputs for p in parts])
    text = text_rows(inputs, shared.char_idf, shared.word_idf)
    tweets = [p.inputs.tweets for p in parts for _ in range(len(p))]
    rows = brand_rows(text, shared.mood.log_probabilities(text), tweets)
    labels = np.concatenate([p.labels for p in parts])
    weights = np.concatenate([p.weights * _balanced(p.labels) for p in parts])
    head = LinearHead.of(_regression(c, balanced=False).fit(rows, labels, sample_weight=weights))
    shift = rating_shift(inputs.ratings, list(labels), head.classes)
    return SentimentModel(shared.char_idf, shared.word_idf, shared.mood, head, shift, about)


def f_macro(truth: Sequence[str], predicted: Sequence[str]) -> float:
    """SentiRuEval's measure: the mean F1 of the positive and the negative class."""
    return float(f1_score(truth, predicted, labels=["positive", "negative"], average="macro", zero_division=0))


def predict(model: SentimentModel, inputs: Inputs) -> np.ndarray:
    return np.array(model.classes)[model.probabilities(inputs).argmax(axis=1)]


@dataclass(frozen=True)
class FoldResult:
    f_macro: float
    chosen_c: float


def choose_c(target: Corpus, own: Corpus, shared: Shared, folds: int = 2) -> float:
    """The brand head's C by cross-validation on `target` alone (`own` always trains)."""
    scores: dict[float, list[float]] = {c: [] for c in C_GRID}
    for train, test in StratifiedKFold(folds, shuffle=True, random_state=SEED).split(target.labels, target.labels):
        for c in C_GRID:
            scores[c].append(_score(fit(shared, [target.subset(train), own], c), target.subset(test)))
    return max(C_GRID, key=lambda c: float(np.mean(scores[c])))


def nested_cv(target: Corpus, own: Corpus, shared: Shared, folds: int = 5) -> list[FoldResult]:
    """Outer folds over `target`; in each, C is chosen inside its training part only."""
    results = []
    for train, test in StratifiedKFold(folds, shuffle=True, random_state=SEED).split(target.labels, target.labels):
        chosen = choose_c(target.subset(train), own, shared)
        model = fit(shared, [target.subset(train), own], chosen)
        results.append(FoldResult(_score(model, target.subset(test)), chosen))
    return results


def _score(model: SentimentModel, test: Corpus) -> float:
    return f_macro(list(test.labels), list(predict(model, test.inputs)))


@dataclass(frozen=True)
class TrainingSet:
    target: Corpus  # SentiRuEval-2016 telecom: sentiment toward a brand, the measured corpus
    general: Corpus  # RuSentiTweet: the author's mood
    own: Corpus  # the project's labelled mentions


def load_training_set(
    corpora: Path, labelled: Sequence[LabelledMention], brand_names: Sequence[str], embed_texts: Embed
) -> TrainingSet:
    return TrainingSet(
        telecom(corpora, embed_texts),
        general_tweets(corpora, embed_texts),
        own_mentions(labelled, brand_names, embed_texts),
    )


def train(data: TrainingSet) -> SentimentModel:
    """The shipped model: every corpus, C chosen by cross-validation on the telecom tweets."""
    shared = shared_parts(data.general, data.own)
    c = choose_c(data.target, data.own, shared)
    about = (
        f"brand head C={c:g} on {len(data.target)} SentiRuEval-2016 telecom tweets and {len(data.own)} rows of "
        f"the project's labelled mentions; mood head on {len(data.general)} RuSentiTweet tweets"
    )
    return fit(shared, [data.target, data.own], c, about)


def fit_kinds(
    sentiment: SentimentModel,
    rows: Sequence[KindExampleRow],
    threats: Sequence[tuple[str, bool]],
    brand_names: Sequence[str],
    embed_texts: Embed,
    crisis: Sequence[CrisisPattern],
) -> MentionKindModel:
    """The mention-kind and threat heads over the sentiment model's text features and the style cues."""
    pattern = brand_pattern(brand_names)

    def features(raw: list[str], ratings: list[int | None]) -> csr_matrix:
        inputs = Inputs([normalize(text, pattern) for text in raw], embed_texts(raw), ratings)
        return hstack([sentiment.text_features(inputs), style_rows(raw, ratings, crisis)]).tocsr()

    kind_rows = features([r.text for r in rows], [r.rating for r in rows])
    kind = LinearHead.of(_regression(KIND_C).fit(kind_rows, [row.kind.value for row in rows]))
    threat_rows = features([text for text, _ in threats], [None] * len(threats))
    threat = LinearHead.of(_regression(KIND_C).fit(threat_rows, [str(flag) for _, flag in threats]))
    return MentionKindModel(kind, threat, crisis)
