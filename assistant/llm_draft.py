"""Draft and revise replies with the language model; the offline drafter is the fallback.

The model writes only `DraftOut` (the text and the ids of the facts it used); the checks
are ours and run after it. Retrieved context is trimmed to `OTKLIK_MAX_PROMPT_TOKENS`
before the call, and trimmed by half once more when the server still finds it too long.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, field_validator

from assistant.draft import (
    Drafter,
    DraftRequest,
    channel_text,
    choose_channel,
    first_name,
    promised_due,
    reply_language,
    reply_voice,
)
from assistant.errors import ModelOutputError, ModelUnavailableError, PromptTooLongError
from assistant.hours import spoken_due
from assistant.models import Draft, PlatformRules, ReplyMode, Retrieved
from assistant.prompts import Prompt
from assistant.structured import Ledger, StructuredCaller

FALLBACK = "offline-fallback"
_TRIM_ORDER = ("approved_replies", "facts")  # what goes first when the prompt is too long


class DraftOut(BaseModel):
    """A reply to the mention, and the ids of the facts it uses."""

    text: str
    cited_fact_ids: list[str]

    @field_validator("text")
    @classmethod
    def _not_blank(cls, text: str) -> str:
        if not text.strip():
            raise ValueError("the reply text is empty")
        return text.strip()


def reply_values(request: DraftRequest, knowledge: Retrieved) -> dict[str, Any]:
    """The draft prompt's variables: the brand's brief for this mention, and the mention as a value."""
    mention, brand, case = request.mention, request.brand, request.case
    profile, language = brand.profile, reply_language(request)
    voice = reply_voice(request)
    rules = profile.rules_for(mention.platform)
    mode = request.decision.reply_mode or ReplyMode.answer
    return {
        "brand": {"name": profile.name, "industry": profile.industry, "audience": profile.audience},
        "language": language,
        "reply_mode": mode.value,
        "voice": voice.model_dump(mode="json", exclude={"phrases"}),
        "cell": request.decision.cell.model_dump(mode="json"),
        "five_rules": mode in (ReplyMode.negative, ReplyMode.holding),
        "facts": [{"id": fact.id, "text": fact.text} for fact in knowledge.facts],
        "examples": [{"mention": r.metadata.get("mention", ""), "reply": r.text} for r in knowledge.approved_replies],
        "case": {
            "reference": case.reference,
            "due": spoken_due(case.due, request.written_at, profile.timezone, language),
        }
        if case
        else None,
        "come_back": spoken_due(promised_due(request), request.written_at, profile.timezone, language),
        "situation": situation_brief(request, mode),
        "promises": {"may": profile.may_promise, "must_not": profile.must_not_promise},
        "channels": _channels(request, rules, language),
        "limits": {
            "max_length": min(voice.max_length, rules.max_length),
            "links_allowed": rules.links_allowed,
            "phones_allowed": rules.phones_allowed,
        },
        "author": first_name(mention.author_name, language),
        "mention": {"text": mention.text, "platform": mention.platform.value, "rating": mention.rating},
    }


# How the prompt names each role of a detail: what it is, so the model says it only in that role.
ROLE_NAMES = {
    "order": "the order or contract number the author gave",
    "earlier_case": "the number of an earlier request the author names",
    "delay": "how late the order or service was",
    "hold_time": "how long the author waited on the line or for an answer",
    "symptom_time": "the time until symptoms began (not waiting)",
    "deadline": "a deadline the author sets (not waiting)",
    "charged": "an amount that was charged",
    "demanded": "an amount the author demands (never promise it)",
    "offered": "an amount or code the brand offered earlier",
    "delivery_time": "how long the delivery took",
    "queue": "how long the author stood in a queue",
    "operation": "how long the operation itself took",
    "ordering": "how long placing the order took",
    "tenure": "how long the author has been a customer",
    "total": "the order's or purchase's total",
    "spent": "an amount the author spent",
    "transfer": "an amount the author sends or sent",
    "balance": "an amount the author keeps on the account",
    "sent": "when the author sent or ordered it",
    "arrived": "when it arrived",
    "employee": "a named employee",
    "place": "the place or branch",
    "date": "when it happened",
}


def situation_brief(request: DraftRequest, mode: ReplyMode) -> dict[str, Any]:
    """What the offline drafter understands of the mention, for the model to write from."""
    situation = request.situation
    playbook, language = situation.playbook, reply_language(request)
    public = {f.id for f in request.brand.public_facts}
    return {
        "label": playbook.label.get(language) or next(iter(playbook.label.values())) if playbook else None,
        "moves": list(playbook.moves) if playbook else [],
        "fact_ids": [f for f in playbook.facts if f in public] if playbook else [],
        "details": [{"role": ROLE_NAMES.get(d.role, d.role), "text": d.text} for d in situation.details.values()],
        "questions": situation.questions,
        "asks": sorted(situation.asks),
        "happened_before": situation.again,
        "crisis": situation.crisis,
    }


def _channels(request: DraftRequest, rules: PlatformRules, language: str) -> list[str]:
    """The channel fitting the platform first, then the others the platform allows."""
    brand, platform = request.brand, request.mention.platform.value
    best = choose_channel(brand, rules, platform)
    allowed = [
        c
        for c in brand.profile.contact_channels
        if c is not best
        and (rules.phones_allowed or c.kind != "phone")
        and (rules.links_allowed or c.kind not in ("url", "email"))
    ]
    return [channel_text(c, language) for c in (best, *allowed)]


def halve(knowledge: Retrieved) -> Retrieved:
    return knowledge.model_copy(
        update={field: getattr(knowledge, field)[: len(getattr(knowledge, field)) // 2] for field in _TRIM_ORDER}
    )


def drop_one(knowledge: Retrieved) -> Retrieved | None:
    """The same knowledge less its least needed item, or None when nothing is left to drop."""
    for field in _TRIM_ORDER:
        if items := getattr(knowledge, field):
            return knowledge.model_copy(update={field: items[:-1]})
    return None


class LLMDrafter:
    """Drafts with the model, revises once on failed checks, falls back to the offline drafter."""

    name = "openai"

    def __init__(self, caller: StructuredCaller, prompts: dict[str, Prompt], max_prompt_tokens: int, fallback: Drafter):
        self._caller = caller
        self._prompts = prompts
        self._budget = max_prompt_tokens
        self._fallback = fallback

    def draft(self, request: DraftRequest) -> Draft:
        ledger: Ledger = []
        try:
            out = self._ask("draft", request, {}, ledger)
        except (ModelUnavailableError, ModelOutputError) as error:
            return self._offline(request, error, ledger)
        return model_draft(out, request, ledger, [])

    async def adraft(self, request: DraftRequest) -> Draft:
        ledger: Ledger = []
        try:
            out = await self._aask("draft", request, {}, ledger)
        except (ModelUnavailableError, ModelOutputError) as error:
            return self._offline(request, error, ledger)
        return model_draft(out, request, ledger, [])

    def revise(self, draft: Draft, request: DraftRequest) -> Draft:
        """One revision listing the failed checks; a fallback draft is not the model's to revise."""
        if draft.backend != self.name:
            return draft
        ledger: Ledger = list(draft.calls)
        try:
            out = self._ask("revise", request, _revision_values(draft), ledger)
        except (ModelUnavailableError, ModelOutputError) as error:
            return draft.model_copy(
                update={"calls": ledger, "warnings": [*draft.warnings, f"revision failed: {error}"]}
            )
        return model_draft(out, request, ledger, [*draft.warnings, _revised_note(draft)])

    async def arevise(self, draft: Draft, request: DraftRequest) -> Draft:
        if draft.backend != self.name:
            return draft
        ledger: Ledger = list(draft.calls)
        try:
            out = await self._aask("revise", request, _revision_values(draft), ledger)
        except (ModelUnavailableError, ModelOutputError) as error:
            return draft.model_copy(
                update={"calls": ledger, "warnings": [*draft.warnings, f"revision failed: {error}"]}
            )
        return model_draft(out, request, ledger, [*draft.warnings, _revised_note(draft)])

    def _ask(self, name: str, request: DraftRequest, extra: dict[str, Any], ledger: Ledger) -> DraftOut:
        prompt = self._prompts[name]
        try:
            return self._caller.ask(prompt, self._fit(prompt, request, extra, request.knowledge), DraftOut, ledger)
        except PromptTooLongError:  # the server's tokenizer disagrees with ours: trim harder, once
            return self._caller.ask(
                prompt, self._fit(prompt, request, extra, halve(request.knowledge)), DraftOut, ledger
            )

    async def _aask(self, name: str, request: DraftRequest, extra: dict[str, Any], ledger: Ledger) -> DraftOut:
        prompt = self._prompts[name]
        try:
            return await self._caller.aask(
                prompt, self._fit(prompt, request, extra, request.knowledge), DraftOut, ledger
            )
        except PromptTooLongError:
            values = self._fit(prompt, request, extra, halve(request.knowledge))
            return await self._caller.aask(prompt, values, DraftOut, ledger)

    def _fit(
        self, prompt: Prompt, request: DraftRequest, extra: dict[str, Any], knowledge: Retrieved
    ) -> dict[str, Any]:
        """Drop retrieved items until the rendered prompt fits the token budget (the mention stays whole)."""
        while True:
            values = {**reply_values(request, knowledge), **extra}
            smaller = drop_one(knowledge)
            if smaller is None or self._caller.count(prompt.render(values)) <= self._budget:
                return values
            knowledge = smaller

    def _offline(self, request: DraftRequest, error: Exception, ledger: Ledger) -> Draft:
        return as_fallback(self._fallback.draft(request), error, ledger)


def model_draft(out: DraftOut, request: DraftRequest, ledger: Ledger, warnings: list[str]) -> Draft:
    """The model's answer as a draft: only the facts it was given are kept as cited."""
    known = {fact.id for fact in request.knowledge.facts}
    unknown = [i for i in out.cited_fact_ids if i not in known]
    notes = [f"the model cited facts it was not given: {', '.join(unknown)}"] if unknown else []
    return Draft(
        text=out.text,
        language=reply_language(request),
        cited_ids=[i for i in dict.fromkeys(out.cited_fact_ids) if i in known],
        warnings=[*warnings, *notes],
        backend=LLMDrafter.name,
        case_ref=request.case.reference if request.case else None,
        calls=ledger,
    )


def as_fallback(draft: Draft, error: Exception, ledger: Ledger) -> Draft:
    """The offline draft standing in for the model's, saying why and keeping the failed calls."""
    warning = f"language model failed, offline draft used: {error}"
    return draft.model_copy(update={"backend": FALLBACK, "warnings": [*draft.warnings, warning], "calls": ledger})


def _revision_values(draft: Draft) -> dict[str, Any]:
    failures = [{"name": check.name, "detail": check.detail} for check in draft.failed_checks]
    return {"previous_draft": draft.text, "failures": failures}


def _revised_note(draft: Draft) -> str:
    return "revised once after failed checks: " + ", ".join(check.name for check in draft.failed_checks)
