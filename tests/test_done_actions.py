"""A reply does not tell the author to do what they say they did."""

from assistant.models import Mention, Platform
from assistant.pipeline import Components, run
from assistant.text.situation import done_actions, instructed


def test_the_authors_past_actions_and_not_someone_elses():
    assert {"блок", "писа", "звон"} <= done_actions("Я сразу заблокировала карту, писала в чат и звонила на линию.")
    assert "писа" not in done_actions("Курьер оставил заказ у шлагбаума и написал в чат «заберите сами».")


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
