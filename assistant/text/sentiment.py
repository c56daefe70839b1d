"""Sentiment toward the brand, learned from real text and shipped as weights.

Three views of a mention, each a block of one feature row:
- character n-grams (2–5, within words) of the normalised text: spelling, slang, emoji
  runs, «!!!», masked words;
- lemmas and lemma bigrams (pymorphy3), with negation marked;
- the Universal Sentence Encoder vector the pipeline already computes.
A mood head, trained on general-domain tweets (RuSentiTweet: the author's mood), reads
these; a brand head, trained on sentiment toward a brand (SentiRuEval-2016 telecom tweets
and the project's labelled mentions), reads them too, with the mood head's answer. The
text decides; a star rating, when there is one, only shifts the answer by how far that
rating moves sentiment in the labelled mentions (`rating_shift`), so an unrated comment is
read exactly as well as a rated one.

The n-gram blocks are hashed (no vocabulary, so the weights hold no text of the corpora)
and weighted by inverse document frequency learned at training. `otklik train-sentiment`
writes the weights (assistant/text/training.py); the product only loads them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from itertools import pairwise
from pathlib import Path

import numpy as np
import razdel
from scipy.sparse import csr_matrix, hstack, vstack
from sklearn.feature_extraction.text import HashingVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import normalize as l2_rows

from assistant.text.normalize import lemmas

WEIGHTS_PATH = Path(__file__).resolve().parent / "sentiment.npz"
CHAR_FEATURES = 2**18
WORD_FEATURES = 2**17
VECTOR_WEIGHT = 1.0  # the sentence vector's block against the two unit-norm n-gram blocks
RATING_COLUMNS = 6  # no rating, 1..5
VECTOR_COLUMNS = 512  # the sentence vector, the last block of text_rows
MOOD_WEIGHT = 0.5  # the mood head's log-probabilities in the brand head's input
RATING_WEIGHT = 1.0  # the rating's evidence added to the text's, as Bayes would; never alone
MIDDLE_RATING = 3
SURE_TEXT = 0.9  # the text's probability for its side above which a middle rating moves nothing


# A bare reaction that takes no side: «норм», «Жесть», «ок». Alone, with no subject and no
# emoji, it says nothing of the brand an operator could answer (the model reads «норм» as praise).
# Words as written (ё as е): pymorphy3 reads «норм» as «норма» and «ок» as «около».
NO_STANCE_WORDS = frozenset(
    ["норм", "нормально", "ок", "окей", "ok", "okay", "жесть", "капец", "ого", "хм", "мда", "ну", "ясно",
     "понятно", "лол", "lol", "hmm", "пойдет", "сойдет", "ничего", "бывает"]
)  # fmt: skip
MAX_BARE_WORDS = 2


def takes_no_side(text: str) -> bool:
    """The whole text is one or two no-stance words and punctuation: nothing else, no emoji."""
    tokens = [t.text.lower().replace("ё", "е") for t in razdel.tokenize(text)]
    words = [t for t in tokens if t.isalpha()]
    marks_only = all(t.isalpha() or re.fullmatch(r"[.!?…,)(]+", t) for t in tokens)
    return 0 < len(words) <= MAX_BARE_WORDS and marks_only and set(words) <= NO_STANCE_WORDS


def _lemma_ngrams(normalized: str) -> list[str]:
    words = lemmas(normalized)
    return words + [f"{a} {b}" for a, b in pairwise(words)]


_CHARS = HashingVectorizer(
    analyzer="char_wb", ngram_range=(2, 5), n_features=CHAR_FEATURES, alternate_sign=False, norm=None
)
_WORDS = HashingVectorizer(analyzer=_lemma_ngrams, n_features=WORD_FEATURES, alternate_sign=False, norm=None)


@dataclass(frozen=True)
class Inputs:
    """What the model reads of each mention: normalised texts, sentence vectors, ratings."""

    texts: Sequence[str]
    vectors: np.ndarray
    ratings: Sequence[int | None]
    tweets: bool = False  # SentiRuEval's brand tweets rather than mentions as Otklik meets them

    @cached_property
    def counts(self) -> tuple[csr_matrix, csr_matrix]:
        """Hashed n-gram counts (the slow part: computed once, reused across folds)."""
        return _CHARS.transform(self.texts), _WORDS.transform(self.texts)

    @classmethod
    def joined(cls, parts: Sequence[Inputs]) -> Inputs:
        """Several inputs as one, their counts joined rather than computed again."""
        joined = cls(
            [t for p in parts for t in p.texts],
            np.vstack([p.vectors for p in parts]),
            [r for p in parts for r in p.ratings],
        )
        joined.__dict__["counts"] = tuple(vstack([p.counts[i] for p in parts]).tocsr() for i in (0, 1))
        return joined

    def subset(self, rows: Sequence[int] | np.ndarray) -> Inputs:
        picked = Inputs([self.texts[i] for i in rows], self.vectors[rows], [self.ratings[i] for i in rows], self.tweets)
        chars, words = self.counts
        picked.__dict__["counts"] = (chars[rows], words[rows])
        return picked


def idf(counts: csr_matrix) -> np.ndarray:
    """Smoothed inverse document frequency of each hashed column (as sklearn's TfidfTransformer)."""
    documents = np.bincount(counts.indices, minlength=counts.shape[1])
    return (np.log((1 + counts.shape[0]) / (1 + documents)) + 1).astype(np.float32)


def text_rows(inputs: Inputs, char_idf: np.ndarray, word_idf: np.ndarray) -> csr_matrix:
    """The three text blocks: character n-grams, lemma n-grams, the sentence vector."""
    chars, words = inputs.counts
    return hstack(
        [
            l2_rows(_sublinear(chars).multiply(char_idf).tocsr()),
            l2_rows(_sublinear(words).multiply(word_idf).tocsr()),
            csr_matrix(inputs.vectors * VECTOR_WEIGHT),
        ]
    ).tocsr()


def brand_rows(text: csr_matrix, mood: np.ndarray, tweets: Sequence[bool]) -> csr_matrix:
    """The brand head's input: the text blocks, the mood head's log-probabilities, and which
    of the two domains a row comes from (brand tweets or mentions), so that each domain keeps
    its own class balance: SentiRuEval's tweets are mostly news and neutral, mentions are not.
    The sentence vector and the mood come once shared and once per domain («frustratingly
    easy» domain adaptation, Daumé 2007): what a review-like vector means differs between
    a telecom news feed and a brand's comments."""
    domain = np.array([[t, not t] for t in tweets], dtype=np.float32)
    dense = np.hstack([text[:, -VECTOR_COLUMNS:].toarray(), mood * MOOD_WEIGHT])
    own_copies = [dense * domain[:, [0]], dense * domain[:, [1]]]  # each domain may weigh them its own way
    return hstack([text, csr_matrix(mood * MOOD_WEIGHT), csr_matrix(domain), *map(csr_matrix, own_copies)]).tocsr()


def rating_shift(ratings: Sequence[int | None], labels: Sequence[str], classes: Sequence[str]) -> np.ndarray:
    """How much each star rating moves each class's log-odds: log P(class | stars) − log P(class),
    smoothed, from labelled rated mentions; no rating moves nothing."""
    shift = np.zeros((RATING_COLUMNS, len(classes)))
    rated = [(r, label) for r, label in zip(ratings, labels, strict=True) if r]
    overall = np.array([sum(label == c for _, label in rated) + 1 for c in classes], dtype=float)
    overall /= overall.sum()
    for stars in range(1, RATING_COLUMNS):
        counts = np.array([sum(r == stars and label == c for r, label in rated) + 1 for c in classes], dtype=float)
        shift[stars] = np.log(counts / counts.sum()) - np.log(overall)
    return shift


def _sublinear(counts: csr_matrix) -> csr_matrix:
    scaled = counts.astype(np.float32)
    scaled.data = 1 + np.log(scaled.data)
    return scaled


@dataclass(frozen=True)
class LinearHead:
    """A fitted multinomial logistic regression, kept as plain arrays."""

    classes: tuple[str, ...]
    coef: np.ndarray  # classes × features
    intercept: np.ndarray

    @classmethod
    def of(cls, model: LogisticRegression) -> LinearHead:
        """A binary model keeps one row of weights (the second class's log-odds); as a softmax
        that is a zero row for the first class."""
        coef, intercept = model.coef_.astype(np.float32), np.asarray(model.intercept_, dtype=np.float64)
        if coef.shape[0] == 1:
            coef, intercept = np.vstack([np.zeros_like(coef), coef]), np.array([0.0, intercept[0]])
        return cls(tuple(str(c) for c in model.classes_), coef, intercept)

    def log_probabilities(self, rows: csr_matrix) -> np.ndarray:
        scores = np.asarray(rows @ self.coef.T, dtype=np.float64) + self.intercept
        scores -= scores.max(axis=1, keepdims=True)
        return scores - np.log(np.exp(scores).sum(axis=1, keepdims=True))


@dataclass(frozen=True)
class SentimentModel:
    """Two heads over one set of text features: the mood head (trained on general tweets,
    the author's mood) feeds the brand head (trained on sentiment toward a brand)."""

    char_idf: np.ndarray
    word_idf: np.ndarray
    mood: LinearHead
    brand: LinearHead
    rating_shift: np.ndarray  # 6 × classes: no rating, 1..5 stars
    about: str = ""  # what it was trained on

    @property
    def classes(self) -> tuple[str, ...]:
        return self.brand.classes

    def text_features(self, inputs: Inputs) -> csr_matrix:
        """The text blocks, shared with the mention-kind model."""
        return text_rows(inputs, self.char_idf, self.word_idf)

    def probabilities(self, inputs: Inputs, text: csr_matrix | None = None) -> np.ndarray:
        text = self.text_features(inputs) if text is None else text
        tweets = [inputs.tweets] * len(inputs.texts)
        scores = self.brand.log_probabilities(brand_rows(text, self.mood.log_probabilities(text), tweets))
        shift = RATING_WEIGHT * self.rating_shift[[rating or 0 for rating in inputs.ratings]]
        # three stars tell a mixed experience, not which side outweighs it: a text read surely decides
        sure = (np.exp(scores).max(axis=1) >= SURE_TEXT) & (np.array(inputs.ratings, dtype=object) == MIDDLE_RATING)
        shift[sure] = 0.0
        scores += shift
        scores -= scores.max(axis=1, keepdims=True)
        return np.exp(scores) / np.exp(scores).sum(axis=1, keepdims=True)

    def save(self, path: Path) -> None:
        arrays = {"char_idf": self.char_idf, "word_idf": self.word_idf, "rating_shift": self.rating_shift}
        for name, head in (("mood", self.mood), ("brand", self.brand)):
            arrays |= {
                f"{name}_classes": np.array(head.classes),
                f"{name}_coef": head.coef,
                f"{name}_intercept": head.intercept,
            }
        np.savez_compressed(path, about=np.array(self.about), **{k: _half(v) for k, v in arrays.items()})

    @classmethod
    def load(cls, path: Path = WEIGHTS_PATH) -> SentimentModel:
        with np.load(path, allow_pickle=False) as data:

            def head(name: str) -> LinearHead:
                classes = tuple(str(c) for c in data[f"{name}_classes"])
                return LinearHead(
                    classes, data[f"{name}_coef"].astype(np.float32), data[f"{name}_intercept"].astype(np.float64)
                )

            return cls(
                data["char_idf"].astype(np.float32),
                data["word_idf"].astype(np.float32),
                head("mood"),
                head("brand"),
                data["rating_shift"].astype(np.float64),
                str(data["about"]),
            )


def _half(values: np.ndarray) -> np.ndarray:
    """Weights are stored as float16 (half the size; the predictions do not move)."""
    return values.astype(np.float16) if values.dtype.kind == "f" else values
