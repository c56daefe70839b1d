"""A fact's «клиент» in the third person is said to the reader (pymorphy3)."""

import pytest

from assistant.models import Address
from assistant.text.reader import for_english_reader, for_reader, retold_question


@pytest.mark.parametrize(
    ("fact", "formal", "informal"),
    [
        ("Клиент получает push-уведомление.", "Вы получаете push-уведомление.", "Ты получаешь push-уведомление."),
        ("Результат банк сообщает клиенту.", "Результат банк сообщает Вам.", "Результат банк сообщает тебе."),
        ("Карта доставляется в выбранное клиентом отделение.", "Карта доставляется в выбранное Вами отделение.",
         "Карта доставляется в выбранное тобой отделение."),
        ("Банк может изменить ставку, уведомив клиента.", "Банк может изменить ставку, уведомив Вас.",
         "Банк может изменить ставку, уведомив тебя."),
    ],
)  # fmt: skip
def test_the_customer_becomes_the_reader_in_the_right_case(fact: str, formal: str, informal: str) -> None:
    assert for_reader(fact, Address.formal) == formal
    assert for_reader(fact, Address.informal) == informal


def test_the_customers_noun_becomes_the_readers_own() -> None:
    text = "Оператор проверяет личность клиента по контрольным вопросам. По желанию клиента заказ оставляют у двери."
    assert for_reader(text, Address.formal) == (
        "Оператор проверяет Вашу личность по контрольным вопросам. По Вашему желанию заказ оставляют у двери."
    )


def test_after_a_condition_the_reader_is_asked_to_act() -> None:
    text = "Если деньги не дошли, клиент пишет в чат приложения с датой и суммой перевода."
    assert (
        for_reader(text, Address.formal) == "Если деньги не дошли, пишите в чат приложения с датой и суммой перевода."
    )
    assert for_reader(text, Address.informal).startswith("Если деньги не дошли, пиши в чат")


def test_a_short_adjective_and_a_later_pronoun_agree_with_the_reader() -> None:
    text = "Если клиенту удобнее, специалист может перезвонить ему. Если клиент не согласен со списанием, он пишет нам."
    formal = for_reader(text, Address.formal)
    assert formal.startswith("Если Вам удобнее, специалист может перезвонить Вам.")
    assert "Если Вы не согласны со списанием" in formal


def test_text_without_the_customer_or_with_a_clause_about_them_stays_as_written() -> None:
    plain = "Доставляем в пределах МКАД. Клиентам банка перевод бесплатный."
    assert for_reader(plain, Address.formal) == plain
    relative = "Клиент, который оплатил заказ картой, получает чек."
    assert for_reader(relative, Address.formal) == relative


@pytest.mark.parametrize(
    ("question", "formal", "informal"),
    [
        ("Курьер обязан подниматься на этаж?", "обязан ли курьер подниматься на этаж", None),
        ("а вы возите в Мурино?", "возим ли мы в Мурино", None),
        ("где мой заказ?", "где Ваш заказ", "где твой заказ"),
        (
            "Я могу забрать карту в воскресенье?",
            "можете ли Вы забрать карту в воскресенье",
            "можешь ли ты забрать карту в воскресенье",
        ),
        ("Подскажите, у вас есть детское меню?", "есть ли у нас детское меню", None),
    ],
)
def test_a_question_retold_by_the_brand(question: str, formal: str, informal: str | None) -> None:
    assert retold_question(question, Address.formal) == formal
    assert retold_question(question, Address.informal) == (informal or formal)


@pytest.mark.parametrize(
    "question",
    [
        "Это платно?",
        "кто уже пробовал?",
        "До скольки работает отделение на Ленина?",
        "Я заказал вчера в 19:00 роллы. Где они, почему их до сих пор нет, кто за это ответит и когда?",
    ],
)
def test_a_question_not_retold_when_its_shape_is_unsure(question: str) -> None:
    assert retold_question(question, Address.formal) == ""


def test_an_english_fact_speaks_to_the_reader():
    fact = "If a customer disagrees with a card charge, they file a dispute claim in the app."
    assert for_english_reader(fact) == "If you disagree with a card charge, you file a dispute claim in the app."
    assert for_english_reader("The customer is notified by SMS.") == "You are notified by SMS."
    assert for_english_reader("The bank checks the customer's identity.") == "The bank checks your identity."
    assert for_english_reader("The app lets customers block a card.") == "The app lets you block a card."
