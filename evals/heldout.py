"""How well the offline classifier does on the held-out labelled mentions it never saw.

`otklik heldout` prints macro-F1 per field; README quotes its figures.
"""

from __future__ import annotations

from dataclasses import dataclass

from sklearn.metrics import f1_score

from assistant.classify import Classifier
from assistant.models import Classification, LabelledMention, Mention
from evals.scorers import FIELDS
from knowledge.embeddings import Embedder


@dataclass(frozen=True)
class FieldScore:
    field: str
    macro_f1: float
    support: int


def _truth(example: LabelledMention) -> Classification:
    return Classification(
        sentiment=example.sentiment,
        kind=example.kind,
        register=example.register,
        is_question=example.is_question,
        suspected_fake=example.suspected_fake,
        language=example.language,
    )


def evaluate(classifier: Classifier, embedder: Embedder, heldout: list[LabelledMention]) -> list[FieldScore]:
    """Classify every held-out mention (no brand) and score each field against its label."""
    vectors = embedder.embed([example.text for example in heldout])
    predicted = [
        classifier.classify(Mention(brand="generic", text=e.text, rating=e.rating), None, vector)
        for e, vector in zip(heldout, vectors, strict=True)
    ]
    truth = [_truth(example) for example in heldout]
    scores = []
    for field, value in FIELDS.items():
        pairs = [(value(t), value(p)) for t, p in zip(truth, predicted, strict=True)]
        if field == "kind":  # scored on the mentions that truly are negative
            pairs = [(t, p) for (t, p), e in zip(pairs, heldout, strict=True) if e.sentiment.value == "negative"]
            field = "kind (negatives)"
        gold, guess = [str(t) for t, _ in pairs], [str(p) for _, p in pairs]
        scores.append(FieldScore(field, round(float(f1_score(gold, guess, average="macro")), 3), len(pairs)))
    return scores
