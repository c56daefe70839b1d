"""The real OpenAI protocol end to end against llama.cpp's server with SmolLM2-135M
(`.ci/llm-tier.sh` starts it and sets OTKLIK_LLAMACPP_URL). The model is tiny and writes
poor text: these tests assert the protocol and the chain's behaviour, not the prose."""

from __future__ import annotations

import os
from dataclasses import replace

import pytest

from assistant.errors import ModelOutputError
from assistant.llm import make_chat_model
from assistant.llm_classify import ClassificationOut, classify_values
from assistant.models import DraftStatus, Mention, Platform
from assistant.pipeline import Components, run, with_language_model
from assistant.prompts import load_prompts
from assistant.structured import StructuredCaller
from assistant.tokens import TokenCounter

URL = os.environ.get("OTKLIK_LLAMACPP_URL")
pytestmark = [
    pytest.mark.llamacpp,
    pytest.mark.skipif(not URL, reason="needs llama.cpp's server: run .ci/llm-tier.sh"),
]
BUDGET = 3500  # the server's window is 8192
SMOLLM2_FACTOR = 2.2  # its tokenizer spends ~2.1 tokens per o200k token on our Russian prompts


def _settings(components: Components):
    return components.settings.model_copy(
        update={
            "model": "openai",
            "base_url": URL,
            "model_name": "smollm2",
            "temperature": 0.0,
            "max_tokens": 200,
            "max_prompt_tokens": BUDGET,
            "token_safety_factor": SMOLLM2_FACTOR,
            "request_timeout": 180.0,
            "max_retries": 0,
            "structured_method": "function_calling",
        }
    )


def test_structured_classification_over_the_real_protocol(components: Components) -> None:
    settings = _settings(components)
    prompts = load_prompts(settings.prompts_dir, ("classify", "reask"))
    counter = TokenCounter(settings.tiktoken_cache_dir, factor=settings.token_factor)
    caller = StructuredCaller(make_chat_model(settings), settings, counter, prompts["reask"])
    mention = Mention(brand="obed-express", text="Курьер опоздал на два часа, суп холодный")
    ledger: list = []
    try:
        out = caller.ask(prompts["classify"], classify_values(mention, None), ClassificationOut, ledger)
        assert out.sentiment in ("positive", "neutral", "negative")
    except ModelOutputError as error:  # a 135M model may fail the schema twice: that is the contract too
        assert len(error.attempts) == 2 and error.raw is not None
    assert ledger and all(call.prompt_tokens and call.completion_tokens for call in ledger)
    assert all(call.completion_tokens <= settings.max_tokens for call in ledger)


def _complaint() -> Mention:
    text = "Заказ 48213 привезли через два часа, суп холодный"
    return Mention(brand="obed-express", platform=Platform.vk, author_name="Ирина", rating=2, text=text)


def test_the_full_chain_classifies_through_the_model(components: Components) -> None:
    settings = _settings(components)
    parts = with_language_model(replace(components, settings=settings), make_chat_model(settings))
    result = run(_complaint(), parts)
    assert result.classification.backend in ("openai", "offline-fallback")
    assert result.classification.calls and result.classification.calls[0].prompt == "classify"
    if result.classification.backend == "offline-fallback":
        assert "language model failed" in result.classification.rationale


def test_drafting_revision_and_token_accounting_through_the_model(components: Components) -> None:
    """The tiny model's classification is a coin toss, so the offline one decides that a reply is due."""
    settings = _settings(components)
    parts = with_language_model(replace(components, settings=settings), make_chat_model(settings))
    result = run(_complaint(), replace(parts, classifier=components.classifier))
    assert result.draft is not None and result.draft.text and result.draft.checks
    draft_calls = [c for c in result.draft.calls if c.prompt in ("draft", "revise")]
    assert draft_calls and draft_calls[0].prompt == "draft", result.draft.warnings
    assert all(c.counted_prompt_tokens and (c.prompt_tokens or 0) < 8192 for c in draft_calls)
    assert all(c.prompt_tokens and c.latency_ms > 0 for c in draft_calls if c.outcome in ("ok", "invalid_output"))
    revisions = [c for c in draft_calls if c.prompt == "revise"]
    if result.draft.backend == "openai" and revisions:  # the revision is used, or the draft says why not
        said = "revised once" if revisions[-1].outcome == "ok" else "revision failed"
        assert any(w.startswith(said) for w in result.draft.warnings), result.draft.warnings
    if result.draft.failed_checks:
        assert result.draft.status is DraftStatus.needs_review
    print({"backend": result.draft.backend, "calls": [c.model_dump() for c in result.draft.calls]})
