"""The author's request to be called, and a review's remark, are answered in the reply."""

from assistant.models import Mention, Platform
from assistant.pipeline import Components, run
from assistant.text.phrases import review_points
from assistant.text.situation import wants_call


def _reply(components: Components, brand: str, text: str, platform: Platform = Platform.vk) -> str:
    result = run(Mention(brand=brand, text=text, platform=platform), components)
    assert result.draft is not None
    return result.draft.text


def test_a_request_to_be_called_is_told_from_a_story_of_calling() -> None:
    for asked in ("Перезвоните мне сегодня!", "Прошу перезвонить.", "Жду звонка от менеджера", "Please call me back"):
        assert wants_call(asked), asked
    for told in ("Звоню на горячую линию третий раз.", "Не могу позвонить в банк", "I called twice"):
        assert not wants_call(told), told


def test_a_request_to_be_called_is_passed_on_in_the_reply(components: Components) -> None:
    text = _reply(
        components, "kedr-bank",
        "Обращение KB-1234-5678 висит две недели, на горячей линии никто не отвечает. Перезвоните мне, пожалуйста.",
    )  # fmt: skip
    assert "просьбу перезвонить" in text, text
    without = _reply(components, "kedr-bank", "Обращение KB-1234-5678 висит две недели, на горячей линии никто не отвечает.")
    assert "просьбу перезвонить" not in without, without


def test_a_missing_dark_theme_is_a_remark() -> None:
    points = review_points("Приложение быстрое, вклад открыл за минуту. Не хватает тёмной темы.")
    assert points.remark == "тёмную тему"


def test_praise_with_a_remark_answers_the_remark_even_when_its_situation_has_no_words_for_one(
    components: Components,
) -> None:
    text = _reply(components, "obed-express", "Очень вкусные роллы и быстрая доставка! Единственное — маловато соуса в комплекте.")
    assert "роллы" in text and "про соус" in text, text
    plain = _reply(components, "obed-express", "Очень вкусные роллы и быстрая доставка!")
    assert "замечани" not in plain.lower(), plain
