"""Follow-ups on a tracked case: composed in each brand's voice from its own phrases, checked for
voice and grounding (an invented outcome or promise is caught), and drafted by a scripted model
with the offline composer as its fallback."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from assistant.check import Checker, load_promises
from assistant.config import Settings
from assistant.followup import FollowUpRequest, OfflineFollowUpWriter, compose_follow_up, write_follow_up
from assistant.models import (
    CaseStatus,
    Classification,
    Draft,
    DraftStatus,
    Mention,
    Phrases,
    Platform,
    Sentiment,
    VoiceGuide,
)
from assistant.pipeline import Components, with_language_model
from assistant.profanity import load_lexicon
from assistant.reply_checks import ReplyChecks, load_reply_lexicon
from knowledge.brands import load_brand
from tests.conftest import BRANDS_DIR
from tests.llm_helpers import ScriptedChatModel, broken_tool_reply, fixture_follow_up, tool_reply

REFERENCE = "OE-2011-M0001"  # the fixture's case
DUE = "сегодня до 14:30"  # its due time in Moscow, the same day it is written
ASKED = "номер заказа и фото чека"
DONE = "вернули 350 ₽ за доставку на карту"
# A claim that something was done, refunded, compensated: what a note-free follow-up must not make.
OUTCOME = re.compile(r"верн|возврат|возмест|компенс|refund|compensat|reimburs", re.I)


@pytest.fixture(scope="module")
def checker() -> Checker:
    shared = Settings(_env_file=None).shared_dir
    return Checker(
        load_lexicon(shared / "profanity.yaml"),
        load_promises(shared / "promises.yaml"),
        ReplyChecks(load_reply_lexicon(shared / "reply_checks.yaml")),
    )


def _write(request: FollowUpRequest, checker: Checker) -> Draft:
    return write_follow_up(request, OfflineFollowUpWriter(), checker)


def _check(draft: Draft, name: str) -> bool:
    return next(check.passed for check in draft.checks if check.name == name)


def _kedr(status: CaseStatus, note: str | None = None, language: str = "ru") -> FollowUpRequest:
    brand = load_brand(BRANDS_DIR / "kedr-bank")
    mention = Mention(
        id="k-1", brand="kedr-bank", platform=Platform.vk, author_name="Олег Петров", text="Перевод завис на сутки."
    )
    classification = Classification(sentiment=Sentiment.negative, topics=["transfers"], language=language)
    base = fixture_follow_up(status, note)
    return FollowUpRequest(
        status, mention, classification, brand, base.case.model_copy(update={"reference": "KB-1"}), note, now=base.now
    )


def test_a_progress_update_names_the_case_and_when_they_hear_back_in_the_brands_ты(checker: Checker) -> None:
    draft = _write(fixture_follow_up(CaseStatus.open, note="клиент грубил оператору"), checker)
    assert draft.status is DraftStatus.ready, draft.failed_checks
    assert draft.text.startswith("Привет, Ирина!") and REFERENCE in draft.text and DUE in draft.text
    assert re.search(r"\b(тебе|твоём)\b", draft.text) and _check(draft, "register")
    assert "грубил" not in draft.text  # an open case's note is the operator's, not the customer's


def test_a_reminder_asks_for_what_the_note_says_through_the_brands_channel(checker: Checker) -> None:
    draft = _write(fixture_follow_up(CaseStatus.waiting_customer, note=f"{ASKED.capitalize()}."), checker)
    assert draft.status is DraftStatus.ready, draft.failed_checks
    assert ASKED in draft.text and REFERENCE in draft.text and "личные сообщения сообщества" in draft.text
    assert re.search(r"\b(пришли|скинь)\b", draft.text, re.I)


def test_a_reminder_without_a_note_asks_for_the_brands_usual_details(checker: Checker) -> None:
    draft = _write(fixture_follow_up(CaseStatus.waiting_customer), checker)
    assert draft.status is DraftStatus.ready and "номер заказа" in draft.text and "{note}" not in draft.text


def test_a_resolution_tells_what_the_operator_did_and_thanks(checker: Checker) -> None:
    draft = _write(fixture_follow_up(CaseStatus.resolved, note=f"{DONE.capitalize()}."), checker)
    assert draft.status is DraftStatus.ready, draft.failed_checks  # 350 ₽ and the refund: the note's word
    assert f"{DONE}." in draft.text and REFERENCE in draft.text and "Спасибо" in draft.text
    assert not any(check.name.startswith("rule") for check in draft.checks)  # a follow-up is not a first reply


def test_a_resolution_without_a_note_claims_nothing_was_done(checker: Checker) -> None:
    request = fixture_follow_up(CaseStatus.resolved)
    assert "полный возврат" in request.mention.text  # what the author asks for is no note of what was done
    draft = _write(request, checker)
    assert draft.status is DraftStatus.ready and REFERENCE in draft.text
    assert not OUTCOME.search(draft.text), draft.text
    assert any("no note of what was done" in warning for warning in draft.warnings)


def test_review_sites_get_the_formal_voice(checker: Checker) -> None:
    request = fixture_follow_up(CaseStatus.waiting_customer, note=ASKED)
    draft = _write(replace(request, mention=request.mention.model_copy(update={"platform": Platform.otzovik})), checker)
    assert draft.text.startswith("Здравствуйте, Ирина!") and re.search(r"\bВас\b|\bпришлите\b", draft.text)
    assert draft.status is DraftStatus.ready, draft.failed_checks
    assert "чат поддержки в приложении" in draft.text  # no links on otzovik: the in-app chat


KEDR_NOTES = {
    CaseStatus.open: "ждём ответа банка-получателя",
    CaseStatus.waiting_customer: "дата и сумма перевода",
    CaseStatus.resolved: "перевод вернулся на Ваш счёт",
}
ENGLISH_NOTES = {
    CaseStatus.open: "waiting for the kitchen",
    CaseStatus.waiting_customer: "your order number and a photo of the receipt",
    CaseStatus.resolved: "the transfer has been credited to your account",
}


@pytest.mark.parametrize("status", list(CaseStatus))
def test_the_bank_says_вы_in_every_status(checker: Checker, status: CaseStatus) -> None:
    draft = _write(_kedr(status, note=KEDR_NOTES[status]), checker)
    assert draft.status is DraftStatus.ready, draft.failed_checks
    assert draft.text.startswith("Здравствуйте, Олег!") and "KB-1" in draft.text
    assert re.search(r"\bВ(ы|ам|ас|аш\w*)\b", draft.text) and not re.search(r"\bты\b|\bтебе\b", draft.text)
    assert draft.text.endswith("С уважением, команда «Кедр Банка» ВКонтакте")


@pytest.mark.parametrize("status", list(CaseStatus))
def test_english_follow_ups_in_both_brands(checker: Checker, status: CaseStatus) -> None:
    request = fixture_follow_up(status, note=ENGLISH_NOTES[status])
    english = replace(request, classification=request.classification.model_copy(update={"language": "en"}))
    kedr = _kedr(status, note=ENGLISH_NOTES[status], language="en")
    for draft, greeting in ((_write(english, checker), "Hi Ирина!"), (_write(kedr, checker), "Dear Олег,")):
        assert draft.language == "en" and draft.status is DraftStatus.ready, (draft.text, draft.failed_checks)
        body = draft.text.removeprefix(greeting)
        assert body != draft.text and not re.search("[а-яё]", body, re.I)
        assert re.search(r"\b(case|request)\b", body, re.I)
        assert (ENGLISH_NOTES[status] in body) is (status is not CaseStatus.open)


def test_a_note_free_english_resolution_claims_no_refund(checker: Checker) -> None:
    request = fixture_follow_up(CaseStatus.resolved)
    english = replace(request, classification=request.classification.model_copy(update={"language": "en"}))
    draft = _write(english, checker)
    assert draft.status is DraftStatus.ready and not OUTCOME.search(draft.text)
    invented = write_follow_up(
        english, _Scripted(f"Hi Ирина! Case {REFERENCE}: we refunded your delivery fee."), checker
    )
    assert not _check(invented, "grounding_promises")


def test_an_invented_outcome_or_promise_is_caught(checker: Checker) -> None:
    invented = f"Привет, Ирина! По обращению {REFERENCE}: мы вернули тебе деньги за доставку. Команда «Обед Экспресс»"
    promised = f"Привет, Ирина! По обращению {REFERENCE} мы оформим полный возврат. Команда «Обед Экспресс»"
    for text in (invented, promised):
        draft = write_follow_up(fixture_follow_up(CaseStatus.resolved), _Scripted(text), checker)
        assert draft.status is DraftStatus.needs_review and not _check(draft, "grounding_promises"), text
    noted = write_follow_up(
        fixture_follow_up(CaseStatus.resolved, note="Вернули деньги за доставку"), _Scripted(invented), checker
    )
    assert _check(noted, "grounding_promises")  # what the operator's note says was done may be said


def test_a_follow_up_must_name_its_case(checker: Checker) -> None:
    draft = write_follow_up(
        fixture_follow_up(CaseStatus.open), _Scripted("Привет, Ирина! Мы всё ещё разбираемся."), checker
    )
    assert draft.status is DraftStatus.needs_review
    assert [check.name for check in draft.failed_checks] == ["case_reference"]


def test_a_brand_without_follow_up_phrases_still_loads_and_its_follow_up_goes_to_review(checker: Checker) -> None:
    request = fixture_follow_up(CaseStatus.open)
    old = request.brand.voice.model_dump(mode="json")
    for profile in old["languages"].values():
        profile["phrases"] = {k: v for k, v in profile["phrases"].items() if not k.startswith("case_")}
    brand = request.brand.model_copy(update={"voice": VoiceGuide.model_validate(old)})
    draft = _write(replace(request, brand=brand), checker)
    assert Phrases().case_progress == [] and draft.status is DraftStatus.needs_review
    assert any("no usable case_progress phrase" in warning for warning in draft.warnings)


def test_the_same_case_and_status_get_the_same_text() -> None:
    request = fixture_follow_up(CaseStatus.resolved, note=DONE)
    assert compose_follow_up(request).text == compose_follow_up(request).text


# --- through a scripted language model


def _with_model(components: Components, model: ScriptedChatModel) -> Components:
    llm_settings = components.settings.model_copy(update={"model": "openai", "base_url": "http://x/v1"})
    return with_language_model(replace(components, settings=llm_settings), model)


def test_the_model_drafts_the_follow_up_from_the_note(components: Components) -> None:
    text = f"Привет, Ирина! Обращение {REFERENCE} закрыто: мы {DONE}. Спасибо за терпение!\n\nКоманда «Обед Экспресс»"
    model = ScriptedChatModel(
        replies=[tool_reply("DraftOut", {"text": text, "cited_fact_ids": ["delivery-cost", "x"]})]
    )
    parts = _with_model(components, model)
    draft = write_follow_up(fixture_follow_up(CaseStatus.resolved, note=DONE), parts.follow_up_writer, parts.checker)
    assert draft.backend == "openai" and draft.status is DraftStatus.ready, draft.failed_checks
    assert draft.text == text and draft.cited_ids == ["delivery-cost"] and draft.case_ref == REFERENCE
    assert [(c.prompt, c.outcome) for c in draft.calls] == [("followup", "ok")]
    sent = "\n".join(str(message.content) for message in model.received[0])
    assert f"<<<NOTE\n{DONE}\n>>>END NOTE" in sent and "<<<MENTION" in sent and "status: resolved" in sent


def test_an_outcome_the_model_invents_goes_to_review(components: Components) -> None:
    text = (
        f"Привет, Ирина! Обращение {REFERENCE} закрыто, мы вернули тебе деньги за доставку.\n\nКоманда «Обед Экспресс»"
    )
    model = ScriptedChatModel(replies=[tool_reply("DraftOut", {"text": text, "cited_fact_ids": []})])
    parts = _with_model(components, model)
    draft = write_follow_up(fixture_follow_up(CaseStatus.resolved), parts.follow_up_writer, parts.checker)
    assert draft.status is DraftStatus.needs_review and not _check(draft, "grounding_promises")


def test_invalid_model_output_twice_falls_back_to_the_offline_composer(components: Components) -> None:
    model = ScriptedChatModel(replies=[broken_tool_reply("DraftOut"), broken_tool_reply("DraftOut")])
    parts = _with_model(components, model)
    request = fixture_follow_up(CaseStatus.open)
    draft = write_follow_up(request, parts.follow_up_writer, parts.checker)
    assert draft.backend == "offline-fallback" and draft.text == compose_follow_up(request).text
    assert any("offline draft used" in w and "invalid model output" in w for w in draft.warnings)
    assert [c.outcome for c in draft.calls] == ["invalid_output", "invalid_output"]
    assert draft.status is DraftStatus.ready


class _Scripted:
    """A writer that returns a fixed text: what a model might write."""

    name = "scripted"

    def __init__(self, text: str):
        self.text = text

    def write(self, request: FollowUpRequest) -> Draft:
        return Draft(text=self.text, language="ru", backend=self.name, case_ref=request.case.reference)
