"""Ask the language model for a typed answer: render, count, call, validate, re-ask once.

Every call to the model is recorded on a ledger (`ModelCall`: tokens, latency, outcome)
and logged as one structured record; the API key never reaches this module. Output that
does not fit the schema gets exactly one re-ask carrying the validation error, then a
`ModelOutputError` with both attempts and the raw output.
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any, TypeVar

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage
from langchain_core.runnables import Runnable
from pydantic import BaseModel, ValidationError

from assistant.breaker import CircuitBreaker, CircuitOpenError
from assistant.config import Settings
from assistant.errors import ConfigurationError, ModelOutputError, ModelUnavailableError, PromptTooLongError
from assistant.llm import translate_error
from assistant.models import ModelCall
from assistant.prompts import Message, Prompt
from assistant.tokens import TokenCounter

T = TypeVar("T", bound=BaseModel)
log = logging.getLogger("otklik.llm")
Ledger = list[ModelCall]


class StructuredCaller:
    """Calls one chat model with our prompts and output schemas; sync and async alike."""

    def __init__(
        self,
        model: BaseChatModel,
        settings: Settings,
        counter: TokenCounter,
        reask: Prompt,
        breaker: CircuitBreaker | None = None,
    ):
        self._model = model
        self._settings = settings
        self._counter = counter
        self._reask = reask
        self._breaker = breaker or CircuitBreaker(settings.breaker_failures, settings.breaker_cooldown)
        self._runnables: dict[type[BaseModel], Runnable] = {}

    def count(self, messages: list[Message]) -> int:
        return self._counter.count("\n\n".join(m.content for m in messages))

    def ask(self, prompt: Prompt, values: dict[str, Any], schema: type[T], ledger: Ledger) -> T:
        messages = _to_langchain(prompt.render(values))
        first = self._invoke(prompt, schema, messages, 1, ledger)
        if (problem := _problem(first)) is None:
            return first["parsed"]
        second = self._invoke(prompt, schema, self._with_reask(messages, problem, first), 2, ledger)
        return _accept(prompt, schema, problem, second)

    async def aask(self, prompt: Prompt, values: dict[str, Any], schema: type[T], ledger: Ledger) -> T:
        messages = _to_langchain(prompt.render(values))
        first = await self._ainvoke(prompt, schema, messages, 1, ledger)
        if (problem := _problem(first)) is None:
            return first["parsed"]
        second = await self._ainvoke(prompt, schema, self._with_reask(messages, problem, first), 2, ledger)
        return _accept(prompt, schema, problem, second)

    def _invoke(self, prompt: Prompt, schema: type[T], messages: list[BaseMessage], attempt: int, ledger: Ledger):
        started, base = time.perf_counter(), self._counter.count_base(_joined(messages))
        try:
            self._breaker.check()
            result = self._structured(schema).invoke(messages)
        except Exception as error:
            raise self._failed(error, prompt, attempt, base, started, ledger) from error
        self._record(prompt, attempt, base, started, result, ledger)
        return result

    async def _ainvoke(
        self, prompt: Prompt, schema: type[T], messages: list[BaseMessage], attempt: int, ledger: Ledger
    ):
        started, base = time.perf_counter(), self._counter.count_base(_joined(messages))
        try:
            self._breaker.check()
            result = await self._structured(schema).ainvoke(messages)
        except Exception as error:
            raise self._failed(error, prompt, attempt, base, started, ledger) from error
        self._record(prompt, attempt, base, started, result, ledger)
        return result

    def _structured(self, schema: type[BaseModel]) -> Runnable:
        if schema not in self._runnables:
            method = self._settings.structured_method
            self._runnables[schema] = self._model.with_structured_output(schema, method=method, include_raw=True)
        return self._runnables[schema]

    def _with_reask(self, messages: list[BaseMessage], problem: str, result: dict[str, Any]) -> list[BaseMessage]:
        reask = self._reask.render({"error": problem, "raw_output": _raw_text(result["raw"])})
        return [*messages, *_to_langchain(reask)]

    def _record(
        self, prompt: Prompt, attempt: int, base: int, started: float, result: dict[str, Any], ledger: Ledger
    ) -> None:
        self._breaker.success()
        usage = getattr(result["raw"], "usage_metadata", None) or {}
        outcome = "ok" if _problem(result) is None else "invalid_output"
        call = self._call(prompt, attempt, base, started, outcome)
        call.prompt_tokens, call.completion_tokens = usage.get("input_tokens"), usage.get("output_tokens")
        self._counter.observe(base, call.prompt_tokens)
        _log(call, ledger)

    def _failed(
        self, error: Exception, prompt: Prompt, attempt: int, base: int, started: float, ledger: Ledger
    ) -> Exception:
        translated = translate_error(error, self._settings)
        self._breaker.failure(translated)
        _log(self._call(prompt, attempt, base, started, _outcome_of(translated)), ledger, str(translated))
        return translated

    def _call(self, prompt: Prompt, attempt: int, base: int, started: float, outcome: str) -> ModelCall:
        return ModelCall(
            prompt=prompt.name,
            prompt_version=prompt.version,
            model=self._settings.model_name,
            attempt=attempt,
            counted_prompt_tokens=self._counter.scale(base),
            latency_ms=round((time.perf_counter() - started) * 1000, 1),
            outcome=outcome,
        )


def _log(call: ModelCall, ledger: Ledger, error: str = "") -> None:
    """One record per model call; `extra` carries it for structured log handlers."""
    ledger.append(call)
    record = call.model_dump() | ({"error": error} if error else {})
    level = logging.INFO if call.outcome == "ok" else logging.WARNING
    log.log(level, "model call %s", json.dumps(record, ensure_ascii=False), extra={"model_call": record})


def _outcome_of(error: Exception) -> str:
    if isinstance(error, CircuitOpenError):
        return "circuit_open"
    if isinstance(error, PromptTooLongError):
        return "context_overflow"
    if isinstance(error, ModelUnavailableError):
        return "unavailable"
    return "configuration" if isinstance(error, ConfigurationError) else "error"


def _problem(result: dict[str, Any]) -> str | None:
    """Why a structured result cannot be used, or None when it can."""
    error = result.get("parsing_error")
    if error is not None:
        return _describe(error)
    if result.get("parsed") is None:
        invalid = getattr(result["raw"], "invalid_tool_calls", None)
        return f"the tool call could not be parsed: {invalid[0].get('error')}" if invalid else "no structured answer"
    return None


def _accept(prompt: Prompt, schema: type[T], first_problem: str, result: dict[str, Any]) -> T:
    if (problem := _problem(result)) is None:
        return result["parsed"]
    raise ModelOutputError(
        f"prompt {prompt.name} ({schema.__name__})", [first_problem, problem], _raw_text(result["raw"])
    )


def _describe(error: BaseException) -> str:
    cause = error.__cause__ if isinstance(error.__cause__, ValidationError) else error
    if isinstance(cause, ValidationError):
        return "; ".join(f"{'.'.join(map(str, e['loc'])) or 'root'}: {e['msg']}" for e in cause.errors())
    return " ".join(str(error).split())[:500]


def _raw_text(raw: Any) -> str:
    if not isinstance(raw, AIMessage):
        return str(raw)
    calls = [json.dumps(c["args"], ensure_ascii=False) for c in raw.tool_calls]
    calls += [str(c.get("args")) for c in raw.invalid_tool_calls]  # verbatim: it did not parse
    return "\n".join(calls) if calls else str(raw.content)


def _joined(messages: list[BaseMessage]) -> str:
    return "\n\n".join(str(m.content) for m in messages)


def _to_langchain(messages: list[Message]) -> list[BaseMessage]:
    kinds = {"system": SystemMessage, "user": HumanMessage}
    return [kinds[m.role](content=m.content) for m in messages]
