"""Retrieve the brand's relevant facts and similar approved replies, within
a token budget counted by our own token counter."""

from __future__ import annotations

import json
from functools import lru_cache

import numpy as np

from assistant.models import Classification, KnowledgeItem, Mention, Retrieved
from assistant.text.situation import asked_questions
from assistant.tokens import TokenCounter
from knowledge.store import KnowledgeStore

TOPIC_BOOST = 0.15  # a fact on the mention's topic beats a slightly closer one off-topic
MIN_FACT_RELEVANCE = 0.3  # below this (cosine, after the boost) a fact is off the point: better none
QUESTION_MATCH = 0.55  # cosine between a question and a fact's own question that makes the fact its answer


def retrieve(
    store: KnowledgeStore,
    mention: Mention,
    classification: Classification,
    vector: np.ndarray,
    counter: TokenCounter,
    budget: int,
    facts_wanted: int = 4,
    replies_wanted: int = 3,
) -> Retrieved:
    """Best facts first, then approved replies, until the budget is spent. The voice guide
    and the matrix cell are not retrieved: the drafters get them whole, resolved for the platform."""
    language = classification.language if classification.language in ("ru", "en") else "ru"
    found = store.search(mention.brand, "facts", vector, k=facts_wanted * 3, language=language)
    facts = _relevant_facts(found, classification.topics)[:facts_wanted]
    replies = [_as_reply(item) for item in store.search(mention.brand, "approved_replies", vector, k=replies_wanted)]
    retrieved = Retrieved()
    for field, items in (("facts", facts), ("approved_replies", replies)):
        for item in items:
            cost = counter.count(item.text)
            if retrieved.tokens + cost > budget:
                break
            getattr(retrieved, field).append(item)
            retrieved.tokens += cost
    if language == "ru":  # the facts' own questions are Russian: across languages the match is loose
        questions = asked_questions(mention.text)
        retrieved.answers = question_answers(
            store, mention.brand, questions or [mention.text], None if questions else vector
        )
    return retrieved


def question_answers(
    store: KnowledgeStore, brand_id: str, questions: list[str], embedded: np.ndarray | None = None
) -> dict[str, list[str]]:
    """Each question's answering fact: the one with the customers' question (`Q:` lines) closest
    by the sentence embeddings, at least QUESTION_MATCH. On held-out labelled questions the
    closest fact is the right one about four times in five, where shared words find one in two.
    `embedded`: the one question's vector when it is already known (the whole mention's)."""
    if not questions:
        return {}
    ids, vectors = _fact_questions(store, brand_id, tuple(sorted(store.versions(brand_id).items())))
    if not ids:
        return {}
    asked = embedded[None, :] if embedded is not None else store.embedder.embed(questions)
    similarity = asked @ vectors.T
    answers = {}
    for question, row in zip(questions, similarity, strict=True):
        best = int(row.argmax())
        if row[best] >= QUESTION_MATCH:
            answers[question] = [ids[best]]
    return answers


@lru_cache(maxsize=32)
def _fact_questions(store: KnowledgeStore, brand_id: str, versions: tuple) -> tuple[list[str], np.ndarray]:
    """The brand's public facts' own questions, embedded once per version of its facts."""
    pairs = [(f.id, q) for f in store.load_brand(brand_id).public_facts for q in f.questions]
    if not pairs:
        return [], np.zeros((0, 0), dtype=np.float32)
    return [fact_id for fact_id, _ in pairs], store.embedder.embed([q for _, q in pairs])


def _relevant_facts(items: list[KnowledgeItem], topics: list[str]) -> list[KnowledgeItem]:
    """Facts on the mention's topics first; those too far from the mention are dropped."""
    boosted = [
        item.model_copy(update={"score": item.score + (TOPIC_BOOST if item.metadata.get("topic") in topics else 0.0)})
        for item in items
    ]
    return sorted((i for i in boosted if i.score >= MIN_FACT_RELEVANCE), key=lambda i: i.score, reverse=True)


def _as_reply(item: KnowledgeItem) -> KnowledgeItem:
    """Approved replies are found by their mention; what the drafter needs is the reply."""
    stored = json.loads(str(item.metadata["reply"]))
    return item.model_copy(update={"text": stored["reply"], "metadata": {**item.metadata, "mention": item.text}})
