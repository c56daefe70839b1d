"""The situation a reply answers: details in their roles, questions, what not to ask again."""

import pytest

from assistant.text.names import dative, nominative
from assistant.text.situation import find_details, given_items, requested_items


def roles(text: str) -> dict[str, str]:
    return {role: detail.text for role, detail in find_details(text).items()}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Заказ №48213 привезли через час двадцать, суп ледяной.",
            {"order": "№ 48213", "delivery_time": "час двадцать"},
        ),
        ("Ждали заказ час двадцать, суп ледяной.", {"wait": "час двадцать"}),
        ("Привезли на 40 минут позже обещанного.", {"delay": "40 минут"}),
        (
            "Оформила в 12:10, приложение обещало 45 минут. Привезли в 13:55. За опоздание больше 30 минут дают код.",
            {"ordering": "45 минут", "delay": "1 час"},
        ),  # ordered, promised within, delivered: the rule's «больше 30 минут» is no delay of theirs
        ("40 минут в очереди ради операции на 5 минут", {"queue": "40 минут", "operation": "5 минут"}),
        ("Через четыре часа у мужа началась рвота. Заказ 47731.", {"symptom_time": "четыре часа", "order": "№ 47731"}),
        ("Даю вам 10 дней на ответ, иначе подаю в суд.", {"deadline": "10 дней"}),
        ("Промокод на 300 ₽ за такое — издевательство.", {"offered": "300 ₽"}),
        (
            "Обращение № 2611-3384 висит пятый день, а списали дважды 1 290 ₽",
            {"earlier_case": "№ 2611-3384", "charged": "1 290 ₽"},
        ),
        ("Висел на линии 40 минут, верните 5000 ₽", {"hold_time": "40 минут", "demanded": "5000 ₽"}),
        ("Огромное спасибо курьеру Андрею!", {"employee": "Андрей"}),
    ],
)
def test_details_get_the_role_their_sentence_gives(text, expected):
    assert roles(text) == expected


def test_a_duration_without_a_role_is_not_a_detail():
    assert roles("Пользуюсь уже три года, всё нравится") == {}


def test_names_in_the_dative():
    assert (dative("Андрей"), dative("Ольга"), dative("Priya")) == ("Андрею", "Ольге", "Priya")


def test_a_declined_name_back_in_the_nominative_is_the_common_name():
    assert [nominative(w) for w in ("Анне", "Анну", "Андрею", "Айжан")] == ["Анна", "Анна", "Андрей", "Айжан"]


def test_what_a_reply_asks_for_and_what_the_mention_gives():
    reply = "Пришлите, пожалуйста, номер заказа и телефон в личные сообщения."
    assert requested_items(reply) == {"order", "phone"}
    assert requested_items("Заказ № 48213 уже проверяем.") == set()
    assert given_items("Заказ №48213, мой телефон +7 916 123-45-67") == {"order", "phone"}
