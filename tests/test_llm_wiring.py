"""The language-model backend wired with a scripted chat model: structured output, re-ask,
mapping into the domain, token budget, settings. No server, no network."""

from __future__ import annotations

from dataclasses import replace

import pytest
from langchain_core.messages import BaseMessage

from assistant.breaker import CircuitBreaker, CircuitOpenError
from assistant.config import Settings
from assistant.errors import ConfigurationError, ModelOutputError, ModelUnavailableError, PromptTooLongError
from assistant.llm import make_chat_model
from assistant.llm_draft import DraftOut, reply_values
from assistant.models import DraftStatus, Mention, Platform
from assistant.pipeline import Components, build_components, run, with_language_model
from assistant.prompts import load_prompts
from assistant.structured import StructuredCaller
from assistant.tokens import TokenCounter
from tests.fake_openai_server import good_reply
from tests.llm_helpers import CLASSIFICATION, ScriptedChatModel, broken_tool_reply, fixture_request, tool_reply

COMPLAINT = "Заказ 48213 привезли через два часа, суп холодный"


def _text(messages: list[BaseMessage]) -> str:
    return "\n".join(str(m.content) for m in messages)


def good_draft(messages: list[BaseMessage]):
    return tool_reply("DraftOut", {"text": good_reply(_text(messages)), "cited_fact_ids": ["delivery-time", "x"]})


def _parts(components: Components, model: ScriptedChatModel, **settings: object) -> Components:
    llm_settings = components.settings.model_copy(update={"model": "openai", "base_url": "http://x/v1", **settings})
    return with_language_model(replace(components, settings=llm_settings), model)


def _mention(text: str = COMPLAINT) -> Mention:
    return Mention(brand="obed-express", platform=Platform.vk, author_name="Ирина", rating=2, text=text)


def test_classify_and_draft_through_the_model(components: Components) -> None:
    model = ScriptedChatModel(replies=[tool_reply("ClassificationOut", CLASSIFICATION), good_draft])
    result = run(_mention(), _parts(components, model))
    assert result.classification.backend == "openai"
    assert result.classification.topics == ["delivery"]  # topics outside the brand's taxonomy are dropped
    draft = result.draft
    assert draft.backend == "openai" and draft.status is DraftStatus.ready, draft.failed_checks
    assert "x" not in draft.cited_ids and any("not given: x" in w for w in draft.warnings)
    assert [c.prompt for c in result.calls] == ["classify", "draft"]
    assert all(c.prompt_tokens == 100 and c.completion_tokens == 20 and c.counted_prompt_tokens for c in result.calls)


def test_a_language_code_in_cyrillic_is_read_as_russian(components: Components) -> None:
    """SmolLM2 once answered «мо»: valid for the output schema, not a language code."""
    answer = {**CLASSIFICATION, "language": "мо"}
    model = ScriptedChatModel(replies=[tool_reply("ClassificationOut", answer), good_draft])
    result = run(_mention(), _parts(components, model))
    assert (result.classification.backend, result.classification.language) == ("openai", "ru")


def test_an_answer_that_makes_no_classification_falls_back_to_the_offline_one(components: Components) -> None:
    answer = {**CLASSIFICATION, "confidence": float("nan")}
    model = ScriptedChatModel(replies=[tool_reply("ClassificationOut", answer), good_draft])
    result = run(_mention(), _parts(components, model))
    assert result.classification.backend == "offline-fallback"
    assert "confidence" in result.classification.rationale and result.draft.backend == "openai"


def test_invalid_output_gets_one_reask_carrying_the_error(components: Components) -> None:
    missing_text = tool_reply("DraftOut", {"cited_fact_ids": []})
    model = ScriptedChatModel(replies=[tool_reply("ClassificationOut", CLASSIFICATION), missing_text, good_draft])
    result = run(_mention(), _parts(components, model))
    assert result.draft.backend == "openai"
    assert [c.outcome for c in result.draft.calls] == ["invalid_output", "ok"]
    reask = _text(model.received[2][-1:])
    assert "did not match" in reask and "text: Field required" in reask
    assert model.received[2][:2] == model.received[1]  # the original conversation, then the re-ask


def test_output_invalid_twice_raises_model_output_error_with_attempts_and_raw(components: Components) -> None:
    model = ScriptedChatModel(replies=[broken_tool_reply("DraftOut"), broken_tool_reply("DraftOut")])
    settings = components.settings
    prompts = load_prompts(settings.prompts_dir, ("draft", "reask"))
    caller = StructuredCaller(model, settings, TokenCounter(settings.tiktoken_cache_dir), prompts["reask"])
    request = fixture_request()
    ledger: list = []
    with pytest.raises(ModelOutputError) as caught:
        caller.ask(prompts["draft"], reply_values(request, request.knowledge), DraftOut, ledger)
    assert len(caught.value.attempts) == 2 and "unterminated string" in caught.value.attempts[0]
    assert '{"text": "Привет' in caught.value.raw
    assert "after 2 attempts" in str(caught.value)
    assert [c.outcome for c in ledger] == ["invalid_output", "invalid_output"]


def test_invalid_output_twice_falls_back_and_says_why(components: Components) -> None:
    bad = [broken_tool_reply("ClassificationOut"), broken_tool_reply("ClassificationOut")]
    model = ScriptedChatModel(replies=[*bad, broken_tool_reply("DraftOut"), broken_tool_reply("DraftOut")])
    result = run(_mention(), _parts(components, model))
    assert result.classification.backend == "offline-fallback"
    assert "invalid model output" in result.classification.rationale
    assert result.draft.backend == "offline-fallback"
    assert any("offline draft used" in w and "invalid model output" in w for w in result.draft.warnings)
    assert result.draft.status is DraftStatus.ready  # the offline draft passes its checks


def test_a_failing_draft_is_revised_once(components: Components) -> None:
    rude = tool_reply("DraftOut", {"text": "Сами виноваты.", "cited_fact_ids": []})
    model = ScriptedChatModel(replies=[tool_reply("ClassificationOut", CLASSIFICATION), rude, good_draft])
    result = run(_mention(), _parts(components, model))
    assert result.draft.status is DraftStatus.ready
    assert [c.prompt for c in result.draft.calls] == ["draft", "revise"]
    assert any(w.startswith("revised once after failed checks: rule1_polite") for w in result.draft.warnings)
    revise_prompt = _text(model.received[2])
    assert "Сами виноваты." in revise_prompt and "rule1_polite" in revise_prompt


def test_a_draft_still_failing_after_revision_needs_review(components: Components) -> None:
    rude = tool_reply("DraftOut", {"text": "Сами виноваты.", "cited_fact_ids": []})
    model = ScriptedChatModel(replies=[tool_reply("ClassificationOut", CLASSIFICATION), rude, rude])
    result = run(_mention(), _parts(components, model))
    assert result.draft.status is DraftStatus.needs_review
    assert {"rule1_polite", "rule5_follow_through"} <= {c.name for c in result.draft.failed_checks}
    assert len(model.received) == 3  # one revision, no more


def test_retrieved_context_is_trimmed_to_the_prompt_budget(components: Components) -> None:
    model = ScriptedChatModel(replies=[tool_reply("ClassificationOut", CLASSIFICATION), good_draft])
    run(_mention(), _parts(components, model, max_prompt_tokens=1500))
    roomy = ScriptedChatModel(replies=[tool_reply("ClassificationOut", CLASSIFICATION), good_draft])
    run(_mention(), _parts(components, roomy, max_prompt_tokens=20000))
    tight, full = _text(model.received[1]), _text(roomy.received[1])
    assert len(tight) < len(full)
    assert "approved to similar mentions" in full and "approved to similar mentions" not in tight


def test_non_openai_models_count_with_a_safety_factor() -> None:
    assert Settings(_env_file=None, model="openai", base_url="http://127.0.0.1:1/v1").token_factor == 1.5
    assert Settings(_env_file=None, model="openai", api_key="sk-x").token_factor == 1.0
    assert Settings(_env_file=None, model="openai", base_url="http://h/v1", token_safety_factor=2).token_factor == 2


def test_openai_without_key_or_url_is_a_configuration_error(tmp_path) -> None:
    settings = Settings(_env_file=None, data_dir=tmp_path, model="openai")
    with pytest.raises(ConfigurationError, match="OTKLIK_API_KEY"):
        build_components(settings)


def test_the_chat_model_gets_timeout_retries_and_a_reply_cap_once() -> None:
    settings = Settings(
        _env_file=None,
        model="openai",
        base_url="http://127.0.0.1:9/v1",
        api_key="sk-secret",
        request_timeout=7,
        max_retries=1,
        max_tokens=333,
    )
    model = make_chat_model(settings)
    assert (model.request_timeout, model.max_retries, model.max_tokens) == (7, 1, 333)
    assert model.extra_body == {"max_tokens": 333}  # llama.cpp reads max_tokens, not max_completion_tokens
    assert "sk-secret" not in repr(settings) and "sk-secret" not in str(settings.model_dump())


def test_the_breaker_opens_after_failures_in_a_row_and_closes_after_the_cooldown() -> None:
    now = [100.0]
    breaker = CircuitBreaker(threshold=2, cooldown=30, clock=lambda: now[0])
    down = ModelUnavailableError("HTTP 503 after retries")
    breaker.failure(down)
    breaker.success()  # an answer in between: the count starts again
    breaker.failure(down)
    breaker.check()
    breaker.failure(PromptTooLongError("too long"))  # the prompt's fault, not the server's
    breaker.check()
    breaker.failure(down)
    with pytest.raises(CircuitOpenError, match="30 s more after 2 failures in a row"):
        breaker.check()
    now[0] += 31
    breaker.check()  # the cooldown is over: the model is called again
    breaker.failure(down)  # and one more failure opens it at once
    with pytest.raises(CircuitOpenError):
        breaker.check()
