"""The checks for what a reviewer sees, through the real offline default (classifier, decision,
brand from the store), on the defects issue 15 names; their precision and recall are measured
on the hand-labelled traps (evals/traps.py)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from assistant.config import REPO_ROOT
from assistant.decide import decide
from assistant.draft import DraftRequest
from assistant.mention_io import read_mentions
from assistant.models import Mention, Platform, Retrieved
from assistant.pipeline import Components, run
from assistant.reply_checks import load_reply_lexicon, promised_times
from evals.traps import Trap, judge, load_traps, score, summary_entries

THURSDAY_AFTERNOON = datetime.fromisoformat("2026-12-03T14:00:00+03:00")


def request(components: Components, brand: str, text: str, platform: Platform = Platform.vk, now=THURSDAY_AFTERNOON):
    stored = components.store.load_brand(brand)
    mention = Mention(brand=brand, platform=platform, text=text)
    vector = components.store.embedder.embed_one(text)
    classification = components.classifier.classify(mention, stored, vector, [])
    return DraftRequest(
        mention, classification, decide(classification, stored, platform), stored, Retrieved(), None, now=now
    )


def failed(components: Components, check: str, text: str, req: DraftRequest) -> bool:
    return not getattr(components.checker.reply_checks, check)(text, req).passed


def test_a_refund_promised_in_any_words_fails(components: Components) -> None:
    req = request(components, "obed-express", "Суп пролился, пакет весь мокрый, верните деньги!")
    assert failed(components, "forbidden_promise", "Привет! Мы вернём тебе 500 ₽ на карту сегодня же.", req)
    assert failed(
        components, "forbidden_promise", "Привет! Деньги сами вернутся на карту, ничего делать не нужно.", req
    )
    careful = "Привет! Решение о возврате принимает поддержка после проверки заказа: напиши номер заказа в чат."
    assert not failed(components, "forbidden_promise", careful, req)


def test_asking_for_the_order_number_the_author_gave_fails(components: Components) -> None:
    req = request(components, "obed-express", "Заказ №48213 привезли холодным, суп ледяной.")
    assert failed(
        components, "asks_for_given_info", "Привет! Пришли, пожалуйста, номер заказа в личные сообщения.", req
    )
    assert not failed(components, "asks_for_given_info", "Привет! Заказ № 48213 уже проверяем: пришли фото супа.", req)


def test_a_time_until_symptoms_quoted_as_waiting_fails(components: Components) -> None:
    req = request(components, "obed-express", "Привезли вовремя, а через четыре часа у мужа началась рвота.")
    wrong = "Здравствуйте! Нам жаль, что заказ пришлось ждать четыре часа."
    assert failed(components, "misquoted_detail", wrong, req)
    assert not failed(components, "misquoted_detail", "Здравствуйте! Нам очень жаль, что Вашему мужу стало плохо.", req)


def test_a_promise_at_night_or_in_the_past_fails(components: Components) -> None:
    req = request(components, "obed-express", "Курьер нахамил у двери.")
    assert failed(components, "deadline_outside_hours", "Привет! Напишем тебе сегодня до 23:47, что выяснили.", req)
    assert failed(components, "deadline_outside_hours", "Привет! Напишем тебе сегодня до 12:00, что выяснили.", req)
    assert not failed(components, "deadline_outside_hours", "Привет! Напишем тебе сегодня до 18:00, что выяснили.", req)


def test_a_promise_on_a_named_weekday_is_read_on_that_day() -> None:
    sunday_evening = datetime(2026, 12, 6, 20, 8, tzinfo=ZoneInfo("Europe/Moscow"))
    come_back = load_reply_lexicon(REPO_ROOT / "knowledge" / "shared" / "reply_checks.yaml").come_back
    for said, day in (("во вторник до 12:00", 8), ("в среду до 12:00", 9)):
        (said_again, moment), *_ = promised_times(f"Уточним у коллег и ответим Вам {said}.", sunday_evening, come_back)
        assert said_again == said and moment.day == day and moment > sunday_evening, (said, moment)


def test_crisis_tone_applies_to_crises_only(components: Components) -> None:
    poisoning = request(components, "obed-express", "После вашей шаурмы вся семья с отравлением в больнице.")
    cold_soup = request(components, "obed-express", "Суп привезли холодным, обед испорчен.")
    light = "Привет! Извини за испорченное настроение — исправим!"
    assert failed(components, "crisis_tone", light, poisoning)
    assert not failed(components, "crisis_tone", light, cold_soup)


def test_an_internal_rule_in_a_reply_fails(components: Components) -> None:
    req = request(components, "obed-express", "Хочу вернуть деньги за холодный обед.")
    leak = "Привет! В ответах в соцсетях и на сайтах отзывов возврат не обещаем, а передаём обращение в поддержку."
    assert failed(components, "internal_info", leak, req)
    assert not failed(components, "internal_info", "Привет! Передали обращение в службу качества.", req)


def test_offline_drafts_of_the_samples_pass_the_reviewer_checks(sample_results) -> None:
    """The offline drafter is held to the same checks: nearly all of its sample drafts pass them."""
    names = {"asks_for_given_info", "misquoted_detail", "irrelevant_fact", "internal_info", "crisis_tone",
             "deadline_outside_hours", "forbidden_promise"}  # fmt: skip
    failures = [
        (r.mention.id, c.name, c.detail)
        for r in sample_results
        if r.draft
        for c in r.draft.checks
        if c.name in names and not c.passed
    ]
    assert not failures


@pytest.fixture(scope="module")
def sample_results(components: Components):
    samples = read_mentions(REPO_ROOT / "samples" / "mentions.jsonl").mentions
    return [run(mention, components, case_ref=f"T-{i:04d}") for i, mention in enumerate(samples)]


def test_traps_are_scored_per_check_and_half(components: Components) -> None:
    traps = load_traps()
    assert len(traps) >= 240 and len({t.check for t in traps}) == 8
    some = [t for t in traps if t.check == "forbidden_promise"][:8]
    scores, wrong = score(some, components)
    assert sum(s.count for s in scores) == 8 and {s.check for s in scores} == {"forbidden_promise"}
    assert len(wrong) == sum(
        s.false_positive + s.false_negative for s in scores
    )  # the errors listed are the ones counted
    held = [s for s in scores if s.heldout]
    entries = summary_entries(scores)
    assert set(entries) == ({"trap_forbidden_promise_precision", "trap_forbidden_promise_recall"} if held else set())
    assert all(0.0 <= e["value"] <= 1.0 for e in entries.values())


def test_a_trap_is_judged_with_the_pipeline_classification(components: Components) -> None:
    trap = Trap(
        id="tr-test-1",
        check="asks_for_given_info",
        brand="obed-express",
        platform=Platform.vk,
        mention="Заказ №51907 без лимонада.",
        draft="Привет! Напиши номер заказа в личные сообщения.",
        defect=True,
    )
    assert not judge(trap, components).passed


def test_a_sentence_naming_the_brand_before_a_colon_is_the_authors_own(components: Components) -> None:
    """«Люблю Обед Экспресс за щедрость: …» is no brand speaker's line: its sums may be echoed,
    as may the delay its clock times tell."""
    for text in (
        "Люблю Обед Экспресс за щедрость: один заказ на 1 245 ₽ списали два раза, 17.04 в 12:31 и в 12:32.",
        "Заказ 52817 оформила в 19:05, приложение обещало к 19:50, привезли в 21:10. Плов ледяной.",
    ):
        result = run(Mention(brand="obed-express", text=text, platform=Platform.vk), components)
        assert result.draft is not None
        numbers = next(c for c in result.draft.checks if c.name == "grounding_numbers")
        assert numbers.passed, (numbers.detail, result.draft.text)


def test_a_promise_to_find_out_why_and_answer_defers_a_why_question(components: Components) -> None:
    req = request(components, "obed-express", "Почему курьер отказался подниматься на седьмой этаж?")
    silent = "Привет! Прости, что так вышло. Мы завели обращение и вернёмся к тебе сегодня до 18:00."
    assert failed(components, "unanswered_question", silent, req)
    deferred = "Привет! Выясним, почему так вышло, — ответ будет вместе с результатом проверки, сегодня до 18:00."
    assert not failed(components, "unanswered_question", deferred, req)


def test_asking_for_the_times_of_charges_the_author_gave_fails(components: Components) -> None:
    req = request(components, "obed-express", "Списали дважды по 990 ₽ за заказ 50123, в 19:02 и 19:05.")
    asking = "Привет! Пришли, пожалуйста, в личные сообщения время списаний — проверим по платёжной системе."
    assert failed(components, "asks_for_given_info", asking, req)
    other = request(components, "obed-express", "Списали дважды по 990 ₽ за заказ 50124.")
    assert not failed(components, "asks_for_given_info", asking, other)


def test_a_charge_told_with_its_times_is_not_told_how_online_payment_holds_money(components: Components) -> None:
    result = run(
        Mention(
            brand="obed-express", platform=Platform.vk, text="Списали дважды 1 190 ₽ за заказ 50125, в 13:10 и 13:12."
        ),
        components,
    )
    assert result.draft is not None
    reply = result.draft.text
    assert "блокируется" not in reply and "время списаний" not in reply, reply
