"""A reply does not tell the author to do what they say they did."""

from assistant.models import Mention, Platform
from assistant.pipeline import Components, run
from assistant.text.situation import action_key, done_actions, instructed


def test_the_authors_past_actions_and_not_someone_elses():
    assert {"блок", "писа", "звон"} <= done_actions("Я сразу заблокировала карту, писала в чат и звонила на линию.")
    assert "писа" not in done_actions("Курьер оставил заказ у шлагбаума и написал в чат «заберите сами».")
    assert done_actions("Заказ отменили через 40 минут, деньги списали.") == frozenset()  # they did
    assert {"писа", "звон"} <= done_actions("Мы написали в чат и позвонили.")
    assert "писа" in done_actions("Написали в поддержку три раза, никто не ответил.")  # the author's family
    courier = "Курьер, который в 20:40 оставил пакет у двери, позвонил один раз и ушёл."
    assert done_actions(courier) == frozenset()  # «позвонил» goes on from «который», at any clock time
    assert "звон" in done_actions("Курьер опоздал, я позвонила в поддержку.")


def test_what_happened_to_the_author_is_not_their_act():
    assert done_actions("После обновления пропал промокод, который мне дали.") == frozenset()
    assert done_actions("Вчера пропали деньги с карты.") == frozenset()
    assert "прий" in done_actions("Я пришла в отделение, стояла в очереди час.")  # she came: her act


def test_a_way_to_fix_what_vanished_is_offered_to_the_one_it_vanished_from(components: Components) -> None:
    """«пропал промокод» is no act of the author's: the step «если промокод пропал из-за сбоя,
    поможем его восстановить» answers «можно его восстановить?», and the late-order promo rules
    are not pasted beside it."""
    text = "После обновления приложения пропал промокод, который мне дали за опоздание. Можно его как-то восстановить?"
    result = run(Mention(brand="obed-express", text=text, platform=Platform.vk), components)
    assert result.draft is not None
    reply = result.draft.text
    assert "восстановить" in reply and "больше чем на 30 минут" not in reply, reply
    assert "Уточним у коллег" not in reply, reply  # the step answers it: no deferral beside it


def test_a_courier_who_called_once_is_no_contact_of_the_author(components: Components) -> None:
    text = (
        "Курьер, который вчера в 20:40 оставил пакет у двери, позвонил один раз и ушёл, хотя в комментарии "
        "просила звонить в домофон. Пакет стоял на лестнице."
    )
    result = run(Mention(brand="obed-express", text=text, platform=Platform.vk), components)
    assert result.draft is not None and "повторно" not in result.draft.text.lower(), result.draft.text


def test_a_cancelled_order_is_told_when_the_hold_is_released(components: Components) -> None:
    """«Если заказ отменили…» is the answer to one whose order was cancelled, not a question
    whether they cancelled it."""
    text = "Заказ отменили через 40 минут ожидания, деньги за него списали. Кто мне их вернёт?"
    result = run(Mention(brand="obed-express", text=text, platform=Platform.vk), components)
    assert result.draft is not None and "3 рабочих дней" in result.draft.text, result.draft


def test_a_complaints_fact_is_one_sentence_and_no_second_next_step(components: Components) -> None:
    text = "Перевела 20 000 по СБП маме в другой банк, деньги ушли, но до неё не дошли уже второй день."
    result = run(Mention(brand="kedr-bank", text=text, platform=Platform.vk), components)
    assert result.draft is not None
    assert "одного рабочего дня" in result.draft.text, result.draft.text  # the fact that bears on it
    assert "пишите в чат" not in result.draft.text, result.draft.text  # the fact's own step is left out


def test_imperatives_are_instructions_and_our_own_plans_are_not():
    assert instructed("Пожалуйста, заблокируйте карту в приложении.") == {"блок"}
    assert instructed("Позвоните на горячую линию.") == {"звон"}  # «позвонить» and «звонить» alike
    assert instructed("Мы проверим операцию и вернёмся к Вам.") == frozenset()


def test_a_reply_does_not_tell_the_author_to_block_a_card_they_blocked(components: Components) -> None:
    text = (
        "Мне третий раз за неделю звонят «из службы безопасности Кедр Банка», знают ФИО и сумму на вкладе. "
        "Я ничего не сообщила, карту на всякий случай сразу заблокировала в приложении. Откуда у них мои данные?"
    )
    result = run(Mention(brand="kedr-bank", text=text, platform=Platform.vk, author_name="Ирина"), components)
    assert result.draft is not None
    assert "блок" not in instructed(result.draft.text), result.draft.text


def test_an_infinitive_after_нужно_is_an_instruction_too():
    assert instructed("Если звонящий просит код, нужно положить трубку.") == {"ложи"}
    assert instructed("Заказ можно оформить заранее.") == frozenset()


def test_who_wrote_is_followed_past_a_link_word_and_a_subordinate_clause() -> None:
    """«Курьер звонил, пока я была на созвоне, а потом написал в чат»: the courier wrote, not the
    author; «Курьер опоздал, а я написала в чат» the author did."""
    courier = done_actions(
        "Курьер звонил мне шесть раз подряд, пока я была на созвоне, а потом написал в чат «где вы?»."
    )
    assert action_key("написать") not in courier, courier
    assert action_key("написать") in done_actions("Курьер опоздал, а я написала в чат поддержки.")
    assert action_key("написать") in done_actions("Пока ждала курьера, написала в чат поддержки.")
