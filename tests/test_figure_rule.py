"""A brand rule that turns on the author's own figure is applied to it: a delivery 50 minutes
late is told the 300 ₽ code is theirs, one 20 minutes late is not quoted a rule it misses, and
«полчаса» against 30 decides nothing."""

import shutil
from pathlib import Path

import pytest

from assistant.errors import BrandFileError
from assistant.models import Draft, FigureRule, Mention, Platform
from assistant.pipeline import Components, run
from assistant.text.durations import minutes, over
from assistant.text.reader import points_back
from assistant.text.situation import find_details, roubles, shortfall
from knowledge.brands import load_brand

BRANDS = Path(__file__).resolve().parents[1] / "knowledge" / "brands"


@pytest.mark.parametrize(
    ("duration", "expected"),
    [
        ("40 минут", (40, 40)),
        ("на 40 минут", (40, 40)),
        ("час двадцать", (80, 80)),
        ("полтора часа", (90, 90)),
        ("полчаса", (30, 30)),
        ("1 час 5 минут", (65, 65)),
        ("двадцать пять минут", (25, 25)),
        ("почти час", (45, 59)),
        ("больше часа", (61, 75)),
        ("час с лишним", (61, 75)),
        ("an hour", (60, 60)),
        ("half an hour", (30, 30)),
        ("1 hour 5 minutes", (65, 65)),
    ],
)
def test_a_duration_is_read_as_a_range_of_minutes(duration: str, expected: tuple[int, int]) -> None:
    assert minutes(duration) == expected


def test_a_figure_too_close_to_the_limit_decides_nothing() -> None:
    assert over((45, 59), 30) is True
    assert over((20, 20), 30) is False
    assert over((30, 30), 30) is None
    assert minutes("сразу") is None


def test_a_delay_detail_carries_its_minutes() -> None:
    assert find_details("Опоздали почти на час, всё остыло.")["delay"].minutes == (45, 59)
    assert find_details("Обещали к 19:10, привезли в 19:55.")["delay"].minutes == (45, 45)


def _reply(components: Components, text: str, platform: Platform = Platform.otzovik, rating: int | None = 2) -> str:
    result = run(Mention(brand="obed-express", text=text, platform=platform, rating=rating), components)
    assert result.draft is not None, result.decision
    return result.draft.text


def test_a_delay_over_the_limit_is_told_the_code_is_theirs(components: Components) -> None:
    text = _reply(components, "Заказ №58821 опоздал на 50 минут. Курьер даже не извинился. Больше не закажу.")
    assert "положен промокод на 300 ₽" in text, text
    assert "Если заказ опоздал больше чем на 30 минут" not in text, text  # the rule applied, not recited
    assert "номер заказа" not in text, text  # the author gave it


def test_a_delay_told_by_two_clock_times_is_measured(components: Components) -> None:
    text = _reply(components, "Обещали к 19:10, привезли в 19:55. Заказ 61552. Это уже какой-то позор.", rating=1)
    assert "45 минут — это больше 30 минут" in text, text


def test_a_delay_short_of_the_limit_hears_no_rule_and_no_code(components: Components) -> None:
    text = _reply(components, "Опоздали на 20 минут, ну такое. Заказ 60311, ждал к обеду.", Platform.vk, None)
    assert "промокод" not in text.lower(), text
    assert "20 минут" in text, text


def test_a_delay_at_the_limit_is_checked_not_decided(components: Components) -> None:
    text = _reply(components, "Опоздали на полчаса, заказ 60412 приехал холодный.", Platform.vk, None)
    assert "положен промокод" not in text and "тебе положен" not in text, text


def test_a_question_about_the_code_for_a_long_delay_is_answered_yes(components: Components) -> None:
    text = _reply(components, "Заказ 58001 опоздал на 40 минут, положен ли мне промокод?", Platform.vk, None)
    assert text.split("\n\n")[1].startswith("Да: заказ № 58001 опоздал на 40 минут"), text
    assert "в корзине до оплаты" not in text, text  # how to enter a code answers another question


def test_a_rule_whose_fact_does_not_state_its_figure_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "obed-express"
    shutil.copytree(BRANDS / "obed-express", folder)
    playbooks = folder / "playbooks.yaml"
    text = playbooks.read_text(encoding="utf-8")
    playbooks.write_text(text.replace("{detail: delay, limit: 30,", "{detail: delay, limit: 25,", 1), encoding="utf-8")
    with pytest.raises(BrandFileError, match="does not state the rule's 25"):
        load_brand(folder)


def test_a_complaint_asking_for_the_code_hears_it_applied_not_recited_nor_deferred(components: Components) -> None:
    result = run(
        Mention(
            brand="obed-express",
            text="Заказ привезли на 50 минут позже, чем обещали. Говорят, за такое промокод дают — где он?",
            platform=Platform.vk,
        ),
        components,
    )
    assert result.draft is not None
    text = result.draft.text
    assert "тебе положен промокод на 300 ₽" in text, text
    assert "Если заказ опоздал больше чем на 30 минут" not in text and "Уточним" not in text, text
    assert "late-order-promo" in result.draft.cited_ids  # the sentence that applies the rule states its fact


def test_a_fee_is_charged_on_what_is_over_the_limit_and_capped() -> None:
    rule = FigureRule(detail="transfer", limit=100_000, percent=0.5, cap=1_500, fact="sbp-transfers")
    assert rule.fee(150_000) == (50_000, 250)
    assert rule.fee(900_000) == (800_000, 1_500)  # 4 000 by the percent, capped
    assert rule.fee(40_000) == (0, 0)


def test_a_delay_has_no_fee_and_a_brand_stored_with_minutes_still_loads() -> None:
    with pytest.raises(ValueError, match="no fee"):
        FigureRule(detail="delay", limit=30, percent=1, fact="late-order-promo")
    assert FigureRule.model_validate({"detail": "delay", "minutes": 30, "fact": "late-order-promo"}).limit == 30


@pytest.mark.parametrize(
    ("amount", "expected"),
    [("150 000 ₽", 150_000), ("150 тыс. рублей", 150_000), ("1 290,50 ₽", 1_290), ("149 руб.", 149),
     ("120,000 roubles", 120_000), ("$40", None), ("30 евро", None)],
)  # fmt: skip
def test_a_sum_is_read_in_roubles(amount: str, expected: int | None) -> None:
    assert roubles(amount) == expected


def _answer(components: Components, text: str) -> Draft:
    result = run(Mention(brand="kedr-bank", text=text, platform=Platform.vk), components)
    assert result.draft is not None, result.decision
    return result.draft


def test_a_fee_question_hears_the_fee_on_its_own_sum(components: Components) -> None:
    draft = _answer(components, "Хочу перевести сестре 150 000 ₽ через СБП. Сколько будет комиссия?")
    assert "с 50 000 ₽ сверх лимита" in draft.text and "250 ₽" in draft.text, draft.text
    assert "не более 1 500 рублей" not in draft.text, draft.text  # applied, not recited
    assert not draft.failed_checks, draft.failed_checks


def test_a_sum_past_the_cap_hears_the_cap_and_a_sum_within_hears_what_the_limit_leaves(
    components: Components,
) -> None:
    capped = _answer(components, "Нужно отправить продавцу машины 900 000 ₽ через СБП, сколько с меня возьмут?")
    assert "комиссия составит 1 500 ₽" in capped.text, capped.text
    assert "то есть" not in capped.text, capped.text  # not «0,5 %, то есть 1 500 ₽»
    assert not capped.failed_checks, capped.failed_checks
    within = _answer(components, "Если перевести по номеру телефона 40 тысяч рублей, будет комиссия?")
    assert "40 000 ₽" in within.text and "60 000 ₽" in within.text, within.text
    assert not within.failed_checks, within.failed_checks


def test_a_question_about_something_else_is_not_answered_with_the_fee(components: Components) -> None:
    draft = _answer(components, "Перевёл 150 000 ₽ по СБП маме, когда дойдут деньги?")
    assert "250 ₽" not in draft.text and "50 000" not in draft.text, draft.text


def test_an_english_fee_question_is_worked_out_too(components: Components) -> None:
    draft = _answer(components, "How much is the fee if I transfer 120,000 roubles via SBP?")
    assert "20,000 roubles above the limit" in draft.text and "100 roubles" in draft.text, draft.text
    assert not draft.failed_checks, draft.failed_checks


def test_a_delay_short_of_the_limit_is_told_plainly_the_code_is_not_due(components: Components) -> None:
    text = _reply(components, "Заказ опоздал на 20 минут, положен ли мне промокод?", Platform.vk, None)
    assert "за опоздание на 20 минут его, к сожалению, не будет" in text, text


def test_a_fee_rule_whose_fact_lacks_its_percent_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "kedr-bank"
    shutil.copytree(BRANDS / "kedr-bank", folder)
    playbooks = folder / "playbooks.yaml"
    playbooks.write_text(
        playbooks.read_text(encoding="utf-8").replace("percent: 0.5", "percent: 0.7"), encoding="utf-8"
    )
    with pytest.raises(BrandFileError, match=r"does not state the rule's 0\.7"):
        load_brand(folder)


def test_purchases_over_the_free_service_limit_are_told_the_fee_is_checked_not_explained(
    components: Components,
) -> None:
    result = run(
        Mention(
            brand="kedr-bank",
            text="В начале месяца списали 149 ₽ за обслуживание карты, хотя я в ноябре сделал покупок на 12 000 ₽. "
            "Условия знаю: от 10 000 — бесплатно. Верните деньги.",
            platform=Platform.otzovik,
            rating=2,
        ),
        components,
    )
    assert result.draft is not None
    text = result.draft.text
    assert "Покупки на 12 000 ₽ — это больше 10 000 ₽" in text, text
    assert "не знали заранее" not in text and "неожиданностью" not in text, text  # he quoted the rule himself
    assert "В остальных случаях плата за обслуживание" not in text, text  # the rule applied, not recited
    assert not result.draft.failed_checks, result.draft.failed_checks


def test_a_sum_lying_on_the_account_is_not_a_sum_spent() -> None:
    details = find_details("Покупок было мало, но на счёте лежит 50 000 ₽. Почему платно?")
    assert "spent" not in details


@pytest.mark.parametrize(
    ("sentence", "percent"),
    [("в карточке 380 г, а на весах 310.", 18), ("Цезарь заявлен 250 грамм, пришло 200 грамм ровно.", 20),
     ("Weighed it: 280 g instead of 350 g", 20), ("Суп заявлен 400 г, на весах 390 г.", 2),
     ("Вес 350 г, а цена 390.", None), ("Заказ 61822 привезли в 19:40, вес нормальный.", None),
     ("На весах 420 г, в карточке 400 г.", None)],  # heavier is no shortfall
)  # fmt: skip
def test_a_portion_weighed_against_its_card_is_short_by_a_percent(sentence: str, percent: int | None) -> None:
    found = shortfall([sentence])
    assert (found.percent if found else None) == percent


def test_a_portion_well_under_its_weight_is_told_by_how_much_and_one_within_the_tolerance_is_not_blamed(
    components: Components,
) -> None:
    text = _reply(
        components, "Взвесила гречку с котлетой: в карточке 380 г, а на весах 310. Заказ 61822.", Platform.vk, None
    )
    assert "легче заявленной на 18%" in text and "больше допустимых 5%" in text, text
    assert "номер заказа" not in text, text
    within = _reply(components, "Суп заявлен 400 г, на весах 390 г. Придираюсь, конечно, но всё же.", Platform.vk, None)
    assert "укладывается в допустимое отклонение" in within, within
    assert "легче заявленной" not in within, within


def test_a_sum_is_written_back_as_a_reply_writes_it(components: Components) -> None:
    draft = _answer(components, "Кэшбэк за октябрь не начислили вообще, хотя покупок было на 26 тыс. Разберитесь.")
    assert "26 тыс" not in draft.text and "26 000 ₽" in draft.text, draft.text
    assert not draft.failed_checks, draft.failed_checks


def test_a_fee_rule_works_out_only_the_figures_that_are_something() -> None:
    rule = FigureRule(detail="transfer", limit=100_000, percent=0.5, cap=1_500, fact="sbp-transfers")
    assert rule.worked_out(150_000) == {"excess": 50_000, "fee": 250}
    assert rule.worked_out(40_000) == {"left": 60_000}


def test_a_sum_after_a_verb_of_paying_needs_no_currency(components: Components) -> None:
    from assistant.cues import find_specifics

    amounts = [s.text for s in find_specifics("сколько возьмут, если переведу 150 000? сняла 5000 в банкомате")]
    assert amounts == ["150 000", "5000"]
    assert [s.kind for s in find_specifics("отправил 2000 минут назад, перевела 3 раза")] == ["duration"]
    text = "Какой лимит по СБП без комиссии и сколько возьмут, если переведу 150 000?"
    result = run(Mention(brand="kedr-bank", text=text, platform=Platform.vk), components)
    assert result.draft is not None and "250 ₽" in result.draft.text, result.draft  # 0.5 % of the 50 000 ₽ over


def test_a_fee_the_author_names_brings_the_fact_that_states_it_with_its_condition(components: Components) -> None:
    """«минус 149 ₽» shares no word with the fee fact but its figure: the fact is quoted, and its
    «В остальных случаях… 149 рублей» only after the sentence that says when the card is free."""
    text = "Не потратил с карты и 10к за месяц — держи минус 149 ₽ за то, что карта лежала в кошельке. Спасибо, очень щедро."
    result = run(Mention(brand="kedr-bank", text=text, platform=Platform.vk), components)
    assert result.draft is not None and result.draft.situation == "unexpected_fee", result.draft
    draft = result.draft.text
    assert "от 10 000 рублей" in draft, draft
    assert draft.index("от 10 000 рублей") < draft.index("В остальных случаях"), draft


def test_a_sentence_for_the_other_cases_goes_on_from_the_one_before() -> None:
    assert points_back("В остальных случаях плата за обслуживание — 149 рублей в месяц.")
    assert points_back("Otherwise the service charge is 149 roubles a month.")
    assert not points_back("Минимальная сумма вклада — 10 000 рублей.")
