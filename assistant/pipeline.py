"""The path of one mention, top to bottom:

    mention → classify → decide → retrieve → draft → check (→ revise once → check)

`_flow` is the whole path, written once; `run` drives it, `arun` drives it with the model
calls awaited (for batches);
`build_components` chooses the backend once from the settings: the offline default, or a
language model with the offline components as its fallbacks. The CLI, the API and the
evals all call `run` with the same inputs.
"""

from __future__ import annotations

import asyncio
import zlib
from collections.abc import Callable, Generator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, Protocol

import numpy as np
from langchain_core.language_models import BaseChatModel

from assistant.check import Checker, load_promises
from assistant.classify import Classifier, OfflineClassifier, load_risk_patterns
from assistant.config import Settings
from assistant.decide import decide
from assistant.draft import Drafter, DraftRequest, OfflineDrafter
from assistant.followup import FollowUpWriter, OfflineFollowUpWriter
from assistant.hours import follow_up_due
from assistant.llm import check_model_settings, make_chat_model
from assistant.llm_classify import LLMClassifier
from assistant.llm_draft import LLMDrafter
from assistant.llm_followup import LLMFollowUpWriter
from assistant.mention_kind import CRISIS_FILE, KIND_WEIGHTS_PATH, MentionKindModel, load_crisis_patterns
from assistant.models import (
    Brand,
    CaseTicket,
    Classification,
    Decision,
    Draft,
    DraftStatus,
    Mention,
    PipelineResult,
    ReplyMode,
    Retrieved,
)
from assistant.profanity import load_lexicon
from assistant.prompts import load_prompts
from assistant.reply_checks import ReplyChecks, load_reply_lexicon
from assistant.retrieve import retrieve
from assistant.structured import StructuredCaller
from assistant.text.instructions import split_instructions
from assistant.text.sentiment import WEIGHTS_PATH, SentimentModel
from assistant.tokens import TokenCounter
from knowledge.embeddings import Embedder
from knowledge.labelled import load_labelled, split
from knowledge.store import KnowledgeStore, make_client

PROMPTS = ("classify", "draft", "revise", "reask", "followup")


@dataclass(frozen=True)
class Components:
    """Everything the chain needs, chosen once from Settings and passed in."""

    settings: Settings
    store: KnowledgeStore
    classifier: Classifier
    drafter: Drafter
    checker: Checker
    counter: TokenCounter
    reviser: Reviser | None = None  # the language model revises; the offline drafter needs no second pass
    follow_up_writer: FollowUpWriter = field(default_factory=OfflineFollowUpWriter)  # a case's later messages


class Reviser(Protocol):
    def revise(self, draft: Draft, request: DraftRequest) -> Draft:
        """A new draft fixing the draft's failed checks (the checker runs again afterwards)."""
        ...


def run(
    mention: Mention, parts: Components, case_ref: str | None = None, now: datetime | None = None
) -> PipelineResult:
    """Classify, decide, and — when a reply is due — retrieve, draft, check and revise once."""
    flow = _flow(mention, parts, case_ref, now)
    try:
        call = next(flow)
        while True:
            call = flow.send(getattr(call.component, call.method)(*call.args))
    except StopIteration as finished:
        return finished.value


async def arun(
    mention: Mention, parts: Components, case_ref: str | None = None, now: datetime | None = None
) -> PipelineResult:
    """`run` with the model calls awaited, so a batch keeps several in flight."""
    flow = _flow(mention, parts, case_ref, now)
    try:
        call = next(flow)
        while True:
            call = flow.send(await _call(call.component, call.method, *call.args))
    except StopIteration as finished:
        return finished.value


@dataclass(frozen=True)
class _ModelCall:
    """A step that may call a language model: `run` calls it, `arun` awaits its async variant."""

    component: object
    method: str
    args: tuple[Any, ...]


def _flow(
    mention: Mention, parts: Components, case_ref: str | None, now: datetime | None
) -> Generator[_ModelCall, Any, PipelineResult]:
    """The flow, written once: each `yield` hands a model step to the driver and gets its result."""
    brand, vector, duplicates = _look_up(mention, parts)
    said, said_vector, set_aside = _author_says(mention, vector, parts)
    classification = yield _ModelCall(parts.classifier, "classify", (said, brand, said_vector, duplicates))
    parts.store.remember_mention(mention, vector)
    decision = decide(classification, brand, mention.platform)
    if set_aside:  # the operator sees it whether or not a reply is drafted
        decision = decision.model_copy(update={"reasons": [*decision.reasons, _set_aside_warning(set_aside)]})
    if not decision.replies:
        return PipelineResult(mention=mention, classification=classification, decision=decision)
    request = _request(said, brand, classification, decision, said_vector, parts, case_ref, now)
    draft = parts.checker.check((yield _ModelCall(parts.drafter, "draft", (request,))), request)
    if draft.failed_checks and parts.reviser:
        draft = parts.checker.check((yield _ModelCall(parts.reviser, "revise", (draft, request))), request)
    draft = _held_for_operator(draft, decision).model_copy(update={"retrieved_ids": request.knowledge.ids})
    if set_aside:
        draft = draft.model_copy(update={"warnings": [*draft.warnings, _set_aside_warning(set_aside)]})
    return PipelineResult(
        mention=mention, classification=classification, decision=decision, draft=draft, case=request.case
    )


def _held_for_operator(draft: Draft, decision: Decision) -> Draft:
    """An escalated reply (a crisis, health, legal, a possible threat) is never ready, whatever its
    checks say: an operator sends it once the responsible contact has seen the mention."""
    if not decision.operator_confirms:
        return draft
    warning = "escalated (crisis, health, legal or a possible threat): an operator confirms this reply with the responsible contact before it goes out"
    return draft.model_copy(update={"status": DraftStatus.needs_review, "warnings": [*draft.warnings, warning]})


async def run_batch(
    mentions: list[Mention], parts: Components, concurrency: int, done: Callable[[], object] | None = None
) -> list[PipelineResult | Exception]:
    """Run every mention, at most `concurrency` at a time; results keep the input order.

    A mention whose run raises gets its exception in its place and the others go on, as the
    service marks such a mention failed: one bad mention never costs a batch its results."""
    gate = asyncio.Semaphore(concurrency)

    async def one(mention: Mention) -> PipelineResult | Exception:
        async with gate:
            try:
                result: PipelineResult | Exception = await arun(mention, parts, case_ref=case_reference(mention))
            except Exception as error:  # reported with its mention by the caller
                result = error
        if done:
            done()
        return result

    return list(await asyncio.gather(*(one(mention) for mention in mentions)))


def _look_up(mention: Mention, parts: Components) -> tuple[Brand, np.ndarray, list[str]]:
    brand = parts.store.load_brand(mention.brand)
    vector = parts.store.embedder.embed_one(mention.text)  # once, for classification and retrieval
    return brand, vector, parts.store.near_duplicates(mention, vector)


def _author_says(mention: Mention, vector: np.ndarray, parts: Components) -> tuple[Mention, np.ndarray, list[str]]:
    """The mention as classified and answered: without the sentences it addresses to the
    assistant (assistant/text/instructions.py), with its own vector. The stored mention keeps
    its whole text."""
    split = split_instructions(mention.text)
    if not split.instructions:
        return mention, vector, []
    return (
        mention.model_copy(update={"text": split.said}),
        parts.store.embedder.embed_one(split.said),
        split.instructions,
    )


def _set_aside_warning(instructions: list[str]) -> str:
    quoted = " ".join(instructions)
    return f"the mention gives the assistant instructions, set aside and not followed: «{quoted[:200]}»"


def _request(
    mention: Mention,
    brand: Brand,
    classification: Classification,
    decision: Decision,
    vector: np.ndarray,
    parts: Components,
    case_ref: str | None,
    now: datetime | None,
) -> DraftRequest:
    """Retrieve the brand's knowledge within the budget and open the case: what drafting needs."""
    knowledge = retrieve_knowledge(mention, classification, vector, parts)
    case = _case(mention, brand, decision.reply_mode, case_ref, now)
    return DraftRequest(mention, classification, decision, brand, knowledge, case, now=now)


def retrieve_knowledge(
    mention: Mention, classification: Classification, vector: np.ndarray, parts: Components
) -> Retrieved:
    """The retrieve step with the settings' budget: also what the service re-checks an edit against."""
    settings = parts.settings
    return retrieve(
        parts.store,
        mention,
        classification,
        vector,
        parts.counter,
        settings.retrieval_token_budget,
        settings.facts_per_draft,
        settings.examples_per_draft,
    )


async def _call(component: object, method: str, *args: Any) -> Any:
    """The component's async variant (`a<method>`) when it has one, else the plain method."""
    asynchronous = getattr(component, f"a{method}", None)
    return await asynchronous(*args) if asynchronous else getattr(component, method)(*args)


def case_reference(mention: Mention, attempt: int = 0) -> str:
    """The case number customers are told, in the form the brands' facts give (KB-ДДММ-NNNN): the
    brand's initials, the mention's day and month, four digits from the mention id. `attempt`
    draws other digits when a store already holds these: OE-2511-0427."""
    prefix = "".join(part[0] for part in mention.brand.split("-") if part).upper()[:4]
    number = zlib.crc32(f"{mention.id}#{attempt}".encode()) % 10_000
    return f"{prefix}-{mention.created_at:%d%m}-{number:04d}"


def _case(
    mention: Mention, brand: Brand, mode: ReplyMode | None, case_ref: str | None, now: datetime | None
) -> CaseTicket | None:
    """Genuine negatives open a case (rule 5): due within the brand's response-time target, in its working hours."""
    if mode not in (ReplyMode.negative, ReplyMode.holding):
        return None
    due = follow_up_due(now or datetime.now(UTC), brand.profile)
    return CaseTicket(reference=case_ref or case_reference(mention), due=due)


def build_components(settings: Settings, embedder: Embedder | None = None) -> Components:
    """The backend named by OTKLIK_MODEL: offline, or a language model over the offline parts."""
    if settings.model == "offline":
        return build_offline(settings, embedder)
    check_model_settings(settings)  # before the slow part: a missing key is reported at once
    return with_language_model(build_offline(settings, embedder), make_chat_model(settings))


def with_language_model(parts: Components, model: BaseChatModel) -> Components:
    """The model classifies, drafts, revises and writes follow-ups; the offline components are its fallbacks."""
    settings = parts.settings
    prompts = load_prompts(settings.prompts_dir, PROMPTS)
    counter = TokenCounter(settings.tiktoken_cache_dir, factor=settings.token_factor)
    caller = StructuredCaller(model, settings, counter, prompts["reask"])
    drafter = LLMDrafter(caller, prompts, settings.max_prompt_tokens, fallback=parts.drafter)
    classifier = LLMClassifier(caller, prompts["classify"], fallback=parts.classifier)
    follow_ups = LLMFollowUpWriter(caller, prompts["followup"], fallback=parts.follow_up_writer)
    return replace(parts, classifier=classifier, drafter=drafter, reviser=drafter, follow_up_writer=follow_ups)


def build_offline(settings: Settings, embedder: Embedder | None = None) -> Components:
    """The default components: no key, no network."""
    store = KnowledgeStore(make_client(settings), embedder or Embedder(), settings.duplicate_window_days)
    ensure_examples(store, settings)
    profanity = load_lexicon(settings.shared_dir / "profanity.yaml")
    return Components(
        settings=settings,
        store=store,
        classifier=OfflineClassifier(
            store,
            profanity,
            load_risk_patterns(settings.shared_dir / "risk.yaml"),
            SentimentModel.load(settings.text_models_dir / WEIGHTS_PATH.name),
            MentionKindModel.load(
                load_crisis_patterns(settings.shared_dir / CRISIS_FILE),
                settings.text_models_dir / KIND_WEIGHTS_PATH.name,
            ),
        ),
        drafter=OfflineDrafter(),
        checker=Checker(
            profanity,
            load_promises(settings.shared_dir / "promises.yaml"),
            ReplyChecks(load_reply_lexicon(settings.shared_dir / "reply_checks.yaml")),
        ),
        counter=TokenCounter(settings.tiktoken_cache_dir),
    )


def ensure_examples(store: KnowledgeStore, settings: Settings) -> None:
    """Keep the store's shared training examples in step with knowledge/shared (held-out excluded)."""
    training, _heldout = split(load_labelled(settings.shared_dir))
    store.sync_examples(training)
