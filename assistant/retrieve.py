"""Retrieve the brand's relevant facts and similar approved replies, within
a token budget counted by our own token counter."""

from __future__ import annotations

import json

import numpy as np

from assistant.models import Classification, KnowledgeItem, Mention, Retrieved
from assistant.tokens import TokenCounter
from knowledge.store import KnowledgeStore

TOPIC_BOOST = 0.15  # a fact on the mention's topic beats a slightly closer one off-topic
MIN_FACT_RELEVANCE = 0.3  # below this (cosine, after the boost) a fact is off the point: better none


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
    return retrieved


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
