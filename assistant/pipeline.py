"""The path of one mention, top to bottom:

    mention → classify → decide → retrieve → draft → check

`run` is the whole flow; `build_offline` wires the default, offline components from the
settings. The CLI, the API and the evals all call `run` with the same inputs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from assistant.check import Checker, load_promises
from assistant.classify import Classifier, OfflineClassifier, load_risk_patterns
from assistant.config import Settings
from assistant.decide import decide
from assistant.draft import Drafter, DraftRequest, OfflineDrafter
from assistant.models import Brand, CaseTicket, Mention, PipelineResult, ReplyMode
from assistant.profanity import load_lexicon
from assistant.retrieve import retrieve
from assistant.tokens import TokenCounter
from knowledge.embeddings import Embedder
from knowledge.labelled import load_labelled, split
from knowledge.store import KnowledgeStore, make_client


@dataclass(frozen=True)
class Components:
    """Everything the chain needs, chosen once from Settings and passed in."""

    settings: Settings
    store: KnowledgeStore
    classifier: Classifier
    drafter: Drafter
    checker: Checker
    counter: TokenCounter


def run(
    mention: Mention, parts: Components, case_ref: str | None = None, now: datetime | None = None
) -> PipelineResult:
    """Classify, decide, and — when a reply is due — retrieve, draft and check."""
    brand = parts.store.load_brand(mention.brand)
    vector = parts.store.embedder.embed_one(mention.text)  # once, for classification and retrieval
    duplicates = parts.store.near_duplicates(mention, vector)
    classification = parts.classifier.classify(mention, brand, vector, duplicates)
    parts.store.remember_mention(mention, vector)
    decision = decide(classification, brand)
    if not decision.replies:
        return PipelineResult(mention=mention, classification=classification, decision=decision)
    settings = parts.settings
    knowledge = retrieve(
        parts.store,
        mention,
        classification,
        vector,
        parts.counter,
        settings.retrieval_token_budget,
        settings.facts_per_draft,
        settings.examples_per_draft,
    )
    case = _case(mention, brand, decision.reply_mode, case_ref, now)
    request = DraftRequest(mention, classification, decision, brand, knowledge, case)
    draft = parts.checker.check(parts.drafter.draft(request), request)
    return PipelineResult(mention=mention, classification=classification, decision=decision, draft=draft)


def case_reference(mention: Mention) -> str:
    """A readable case reference made from the brand and the mention id: OE-2511-S001."""
    prefix = "".join(part[0] for part in mention.brand.split("-") if part).upper()[:4]
    suffix = re.sub(r"[^A-Za-z0-9]", "", mention.id).upper()[-6:] or "0"
    return f"{prefix}-{mention.created_at:%d%m}-{suffix}"


def _case(
    mention: Mention, brand: Brand, mode: ReplyMode | None, case_ref: str | None, now: datetime | None
) -> CaseTicket | None:
    """Genuine negatives open a case (rule 5): due within the brand's response-time target."""
    if mode not in (ReplyMode.negative, ReplyMode.holding):
        return None
    due = (now or datetime.now(UTC)) + timedelta(hours=brand.profile.response_time_hours)
    return CaseTicket(reference=case_ref or case_reference(mention), due=due)


def build_offline(settings: Settings, embedder: Embedder | None = None) -> Components:
    """The default components: no key, no network."""
    store = KnowledgeStore(make_client(settings), embedder or Embedder())
    ensure_examples(store, settings)
    profanity = load_lexicon(settings.shared_dir / "profanity.yaml")
    return Components(
        settings=settings,
        store=store,
        classifier=OfflineClassifier(store, profanity, load_risk_patterns(settings.shared_dir / "risk.yaml")),
        drafter=OfflineDrafter(),
        checker=Checker(profanity, load_promises(settings.shared_dir / "promises.yaml")),
        counter=TokenCounter(settings.tiktoken_cache_dir),
    )


def ensure_examples(store: KnowledgeStore, settings: Settings) -> None:
    """Keep the store's shared training examples in step with knowledge/shared (held-out excluded)."""
    training, _heldout = split(load_labelled(settings.shared_dir))
    store.sync_examples(training)
