"""Classify a mention with the language model; the offline classifier is the fallback.

The model answers into `ClassificationOut`, a small schema of its own (strict structured
output rejects defaults the domain model has); we map it into `Classification`, keeping
only topics from the brand's taxonomy.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, Field, ValidationError

from assistant.classify import OfflineClassifier
from assistant.draft import first_name
from assistant.errors import ModelOutputError, ModelUnavailableError
from assistant.models import Brand, Classification, Mention
from assistant.prompts import Prompt
from assistant.structured import Ledger, StructuredCaller

FALLBACK = "offline-fallback"


class ClassificationOut(BaseModel):
    """The classification of one brand mention."""

    mention_kind: Literal["customer", "media", "chatter", "spam", "crisis"] = "customer"
    sentiment: Literal["positive", "neutral", "negative"]
    kind: Literal["constructive", "non_constructive", "abusive"] | None
    # "register" would shadow BaseModel.register (pydantic then takes that method as the default)
    register_: Literal["rational", "emotional"] = Field(alias="register")
    is_question: bool
    suspected_fake: bool
    fake_signals: list[str]
    risk_flags: list[Literal["threat", "legal", "health"]]
    topics: list[str]
    language: str
    confidence: float
    rationale: str


def classify_values(mention: Mention, brand: Brand | None) -> dict[str, Any]:
    """The classify prompt's variables; the mention's text goes in as a value."""
    language = mention.language or "ru"
    topics = brand.profile.topics if brand else []
    return {
        "brand_name": brand.profile.name if brand else "unknown brand",
        "topics": [{"id": t.id, "label": t.label.get(language) or next(iter(t.label.values()))} for t in topics],
        "mention": {"text": mention.text, "platform": mention.platform.value, "rating": mention.rating},
        "author": first_name(mention.author_name),
    }


def to_classification(out: ClassificationOut, brand: Brand | None, duplicates: Sequence[str]) -> Classification:
    """The domain's classification; ModelOutputError if the answer, valid for its own schema,
    still makes no classification (a NaN confidence, say)."""
    try:
        return _mapped(out, brand, duplicates)
    except ValidationError as error:
        raise ModelOutputError("classify", [str(error)], out.model_dump_json()) from error


def _mapped(out: ClassificationOut, brand: Brand | None, duplicates: Sequence[str]) -> Classification:
    known_topics = {t.id for t in brand.profile.topics} if brand else set()
    language = out.language.strip().lower()[:2]
    signals = [*out.fake_signals, *([f"near-duplicate of {len(duplicates)} other mentions"] if duplicates else [])]
    return Classification(
        sentiment=out.sentiment,
        mention_kind=out.mention_kind,
        kind=out.kind if out.sentiment == "negative" else None,
        register=out.register_,
        is_question=out.is_question,
        suspected_fake=out.suspected_fake,
        fake_signals=signals,
        risk_flags=list(dict.fromkeys(out.risk_flags)),
        topics=[t for t in out.topics if t in known_topics],
        language=language if re.fullmatch("[a-z]{2}", language) else "ru",  # a model may answer «ру»
        confidence=min(max(out.confidence, 0.0), 1.0),
        rationale=out.rationale,
        backend=LLMClassifier.name,
    )


class LLMClassifier:
    """The model classifies; when it cannot (unavailable, invalid output twice) the offline one does.
    The offline lexicons back the model up either way: a threat or an obscenity the model
    missed still escalates or hides the mention."""

    name = "openai"

    def __init__(self, caller: StructuredCaller, prompt: Prompt, fallback: OfflineClassifier):
        self._caller = caller
        self._prompt = prompt
        self._fallback = fallback

    def classify(
        self, mention: Mention, brand: Brand | None, vector: np.ndarray, duplicates: Sequence[str] = ()
    ) -> Classification:
        ledger: Ledger = []
        try:
            out = self._caller.ask(self._prompt, classify_values(mention, brand), ClassificationOut, ledger)
            classification = to_classification(out, brand, duplicates).model_copy(update={"calls": ledger})
        except (ModelUnavailableError, ModelOutputError) as error:
            return self._offline(mention, brand, vector, duplicates, error, ledger)
        return self._fallback.backstop(classification, mention, brand)

    async def aclassify(
        self, mention: Mention, brand: Brand | None, vector: np.ndarray, duplicates: Sequence[str] = ()
    ) -> Classification:
        ledger: Ledger = []
        try:
            out = await self._caller.aask(self._prompt, classify_values(mention, brand), ClassificationOut, ledger)
            classification = to_classification(out, brand, duplicates).model_copy(update={"calls": ledger})
        except (ModelUnavailableError, ModelOutputError) as error:
            return self._offline(mention, brand, vector, duplicates, error, ledger)
        return self._fallback.backstop(classification, mention, brand)

    def _offline(
        self,
        mention: Mention,
        brand: Brand | None,
        vector: np.ndarray,
        duplicates: Sequence[str],
        error: Exception,
        ledger: Ledger,
    ) -> Classification:
        result = self._fallback.classify(mention, brand, vector, duplicates)
        rationale = f"language model failed ({error}); offline classifier used. {result.rationale}".strip()
        return result.model_copy(update={"backend": FALLBACK, "rationale": rationale, "calls": ledger})
