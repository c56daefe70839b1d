"""A holding reply names who was harmed when it was not the author: «Вашей дочке», not «Вам»."""

import pytest

from assistant.models import Address, Mention, Platform
from assistant.pipeline import Components, run
from assistant.text.reader import yours
from assistant.text.situation import close_person, other_close_person


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("У дочки после вашего супа сыпь", ("дочка", False, False)),
        ("мои дети отравились после обеда", ("ребёнок", True, False)),
        ("пожилому мужчине стало плохо. Надеюсь, с дедушкой всё хорошо", None),
        ("Мужа увезли на скорой", ("муж", False, False)),
        ("Через четыре часа у мужа и у меня рвота.", ("муж", False, True)),
        ("Отравилась вашим пловом, всю ночь рвало", None),
    ],
)
def test_the_close_person_the_mention_is_about(text: str, expected: tuple[str, bool, bool] | None) -> None:
    assert close_person(text) == expected


def test_the_readers_own_person_in_the_dative() -> None:
    assert yours("дочка", Address.formal, "datv") == "Вашей дочке"
    assert yours("сын", Address.informal, "datv") == "твоему сыну"
    assert yours("ребёнок", Address.formal, "datv", plural=True) == "Вашим детям"


def test_a_holding_reply_speaks_of_the_daughter_not_the_author(components: Components) -> None:
    text = (
        "Заказали на ужин суп и салат, через три часа у дочки началась рвота и температура, всю ночь провели "
        "с ней в приёмном покое, сейчас она под капельницей."
    )
    result = run(Mention(brand="obed-express", platform=Platform.otzovik, text=text, rating=1), components)
    assert result.draft is not None and result.draft.situation == "food_poisoning"
    assert "Вашей дочке" in result.draft.text
    assert "обратитесь к врачу" not in result.draft.text  # she is in a doctor's care already


def test_the_author_harmed_with_her_husband_is_named_too(components: Components) -> None:
    text = "Заказали шаурму, через четыре часа у мужа и у меня рвота и температура, утром вызывали врача."
    result = run(Mention(brand="obed-express", platform=Platform.otzovik, text=text, rating=1), components)
    assert result.draft is not None
    assert "Вам и Вашему мужу" in result.draft.text, result.draft.text


def test_the_author_who_was_harmed_is_spoken_to(components: Components) -> None:
    result = run(
        Mention(brand="obed-express", platform=Platform.otzovik, text="Отравилась вашим пловом, всю ночь рвало"),
        components,
    )
    assert result.draft is not None
    assert "пришлось через это пройти" not in result.draft.text


def test_an_allergen_caught_before_the_child_ate_gets_no_advice_to_see_a_doctor(components: Components) -> None:
    text = (
        "У ребенка аллергия на кунжут. В карточке «Куриные котлеты с пюре» кунжута в составе НЕТ. Открываем — "
        "котлеты сверху посыпаны кунжутом!!! Хорошо, что я заметил до того, как сын начал есть. Заказ 60412."
    )
    result = run(Mention(brand="obed-express", platform=Platform.vk, text=text), components)
    assert result.draft is not None and "врач" not in result.draft.text, result.draft
    assert "заметить вовремя" in result.draft.text, result.draft.text


def test_two_close_people_harmed_together_are_both_named(components: Components) -> None:
    """«у мужа и у дочки рвота… ребёнка забрали в больницу»: the reply wishes both well, not the husband alone."""
    assert other_close_person("Ночью у мужа и у дочки рвота, у дочки температура.", "муж") == "дочка"
    assert other_close_person("Через четыре часа у мужа и у меня рвота.", "муж") is None
    text = (
        "Заказали шаурму на семью (заказ 47719). Ночью у мужа и у дочки рвота, дочку забрали в больницу "
        "с подозрением на отравление."
    )
    result = run(Mention(brand="obed-express", text=text, platform=Platform.vk), components)
    assert result.draft is not None and "мужу и дочке" in result.draft.text, result.draft.text
