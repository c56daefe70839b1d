"""Follow-ups on a tracked case (rule 5, «see it through»): what the brand tells the customer
as the case moves on.

- open: a progress update naming the case and when they will hear back;
- waiting_customer: a polite reminder of what we need from them and where to send it;
- resolved: what was done — the operator's note, never more — and thanks.

The offline writer composes the message from the brand's own phrases (`Phrases.case_*` in
its voice guide) with the offline drafter's helpers; with a language model configured,
`LLMFollowUpWriter` (assistant/llm_followup.py) drafts it and falls back to this one. Either
way `write_follow_up` runs the checker's voice and grounding checks on it (a follow-up is not
a first reply: the five rules are not asked of it) plus one of its own, the case named.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Protocol

from assistant.check import Checker
from assistant.draft import (
    DraftRequest,
    Sentence,
    fit_length,
    greeting,
    pick_phrase,
    placeholders,
    reply_language,
    reply_voice,
)
from assistant.models import (
    Action,
    Brand,
    CaseStatus,
    CaseTicket,
    CheckResult,
    Classification,
    Decision,
    Draft,
    DraftStatus,
    KnowledgeItem,
    Mention,
    ReplyMode,
    Retrieved,
    Sentiment,
    VoiceProfile,
)

# The phrase lists a follow-up is made of, by the case's status; later ones may go when the platform's limit is tight.
SLOTS: dict[CaseStatus, tuple[str, ...]] = {
    CaseStatus.open: ("case_progress",),
    CaseStatus.waiting_customer: ("case_reminder",),
    CaseStatus.resolved: ("case_resolved", "case_thanks"),
}


@dataclass(frozen=True)
class FollowUpRequest:
    """What a follow-up is written from: the case as it stands and the mention it was opened for."""

    status: CaseStatus
    mention: Mention
    classification: Classification  # the mention's: its language, register and topics
    brand: Brand
    case: CaseTicket  # its reference, and the time an open case promises to come back by
    note: str | None = None  # the operator's note on the case's last status change
    now: datetime | None = None  # when it is written: «сегодня» and «завтра» count from it

    @property
    def told_note(self) -> str:
        """The part of the operator's word the customer is told: what we need from them (waiting)
        or what was done (resolved). An open case's note is internal and stays out."""
        return "" if self.status is CaseStatus.open else " ".join((self.note or "").split())

    def draft_request(self) -> DraftRequest:
        """The same inputs in the shape the checker and the draft prompt's values take."""
        cell = self.brand.matrix.cell(Sentiment.negative, self.classification.register)
        decision = Decision(actions=[Action.reply], reply_mode=ReplyMode.follow_up, matrix_key="follow_up", cell=cell)
        base = DraftRequest(
            self.mention,
            self.classification,
            decision,
            self.brand,
            Retrieved(),
            self.case,
            self.told_note or None,
            now=self.now,
        )
        return replace(base, knowledge=Retrieved(facts=self._topic_facts(reply_language(base))))

    def _topic_facts(self, language: str) -> list[KnowledgeItem]:
        """The brand's facts on the mention's topics: what a model may draw on (the offline writer needs none)."""
        topics = set(self.classification.topics)
        return [
            KnowledgeItem(id=fact.id, kind="fact", text=fact.text.get(language) or next(iter(fact.text.values())))
            for fact in self.brand.facts
            if fact.topic in topics
        ]


class FollowUpWriter(Protocol):
    name: str

    def write(self, request: FollowUpRequest) -> Draft: ...


class OfflineFollowUpWriter:
    """Composes follow-ups from the brand's own phrases; no model, no network."""

    name = "offline"

    def write(self, request: FollowUpRequest) -> Draft:
        return compose_follow_up(request)


def write_follow_up(request: FollowUpRequest, writer: FollowUpWriter, checker: Checker) -> Draft:
    """The follow-up, checked: voice, platform and grounding (the operator's note grounds what it
    reports, nothing else does) and the case named; `needs_review` when any check fails."""
    draft = checker.check(writer.write(request), request.draft_request())
    checks = [*draft.checks, _case_named(draft.text, request.case.reference)]
    status = DraftStatus.needs_review if any(not check.passed for check in checks) else DraftStatus.ready
    return draft.model_copy(update={"checks": checks, "status": status})


def compose_follow_up(request: FollowUpRequest) -> Draft:
    """The follow-up in the brand's own phrases, in the mention's language and the platform's voice.

    The phrase variant is chosen by a hash of the mention, the case and its status: asking again
    gives the same text. A variant with {note} is taken whenever there is a note to tell, so
    the operator's word is passed on as written; without one only variants that need none fit,
    so a resolved case without a note is said to be closed, and nothing more.
    """
    base = request.draft_request()
    language = reply_language(base)
    platform = request.mention.platform
    voice = reply_voice(base)  # as the first reply spoke: «Вы» in a crisis and to «Елена Викторовна»
    rules = request.brand.profile.rules_for(platform)
    values = {**placeholders(base, rules, language), "note": _as_clause(request.told_note)}
    body = _body(request, voice, values)
    text = fit_length(_sentences(voice, values, body), min(voice.max_length, rules.max_length))
    warnings = _warnings(request, body, f"{language}, {platform.value}")
    return Draft(text=text, language=language, backend="offline", case_ref=request.case.reference, warnings=warnings)


def _body(request: FollowUpRequest, voice: VoiceProfile, values: dict[str, str]) -> dict[str, str]:
    """One phrase for each of the status's slots, filled in ("" where the voice has none that fits)."""
    seed = f"{request.mention.id}|{request.case.reference}|{request.status.value}"
    return {
        slot: pick_phrase(_variants(getattr(voice.phrases, slot), values["note"]), values, f"{seed}|{slot}")
        for slot in SLOTS[request.status]
    }


def _sentences(voice: VoiceProfile, values: dict[str, str], body: dict[str, str]) -> list[Sentence]:
    """Greeting, the body (its first phrase stays whatever the limit), sign-off; empty ones left out."""
    phrases = [Sentence(text, priority=1 if index == 0 else 2) for index, text in enumerate(body.values())]
    sentences = [Sentence(greeting(voice, values)), *phrases, Sentence(voice.sign_off, priority=3)]
    return [sentence for sentence in sentences if sentence.text]


def _variants(phrases: list[str], note: str) -> list[str]:
    """With a note to tell, only the variants that tell it (when the brand has any)."""
    telling = [phrase for phrase in phrases if "{note}" in phrase]
    return telling if note and telling else phrases


def _as_clause(note: str) -> str:
    """The note as the end of a sentence («Вот что мы сделали: вернули 350 ₽»): no final stop
    (the phrase has its own) and a lower-case first word unless it is an abbreviation (SMS)."""
    text = note.rstrip(" .;")
    return text[0].lower() + text[1:] if text[1:2].islower() else text


def _warnings(request: FollowUpRequest, body: dict[str, str], voice_name: str) -> list[str]:
    warnings = [
        f"the brand's voice ({voice_name}) has no usable {slot} phrase: knowledge/brands/{request.brand.profile.id}/voice.yaml"
        for slot, text in body.items()
        if not text
    ]
    if request.status is CaseStatus.resolved and not request.told_note:
        warnings.append("no note of what was done: the follow-up says only that the case is closed")
    return warnings


def _case_named(text: str, reference: str) -> CheckResult:
    named = reference in text
    detail = f"{reference} {'named' if named else 'is not named'}"
    return CheckResult(name="case_reference", passed=named, detail=detail)
