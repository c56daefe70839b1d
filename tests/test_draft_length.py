"""A reply cut to a platform's length keeps the brand's sign-off while optional sentences can go."""

from assistant.draft import Sentence, fitted, joined


def _reply(*body: Sentence) -> list[Sentence]:
    return [Sentence("Здравствуйте!"), *body, Sentence("Команда «Обед Экспресс»", priority=3)]


def test_optional_sentences_go_before_the_sign_off():
    reply = _reply(Sentence("Нам жаль, что так вышло."), Sentence("Курьер ждёт на адресе до 10 минут.", priority=2))
    kept = fitted(reply, limit=len(joined(reply)) - 5)
    assert [s.text for s in kept] == ["Здравствуйте!", "Нам жаль, что так вышло.", "Команда «Обед Экспресс»"]
    assert joined(kept).endswith("\n\nКоманда «Обед Экспресс»")


def test_the_sign_off_goes_only_when_nothing_optional_is_left():
    reply = _reply(Sentence("Нам жаль, что так вышло."))
    kept = fitted(reply, limit=len("Здравствуйте!\n\nНам жаль, что так вышло."))
    assert [s.text for s in kept] == ["Здравствуйте!", "Нам жаль, что так вышло."]


def test_a_reply_too_long_even_unsigned_keeps_its_sign_off_for_the_operator():
    reply = _reply(Sentence("Нам жаль, что так вышло."))
    kept = fitted(reply, limit=len("Здравствуйте!\n\nНам жаль"))
    assert kept[-1].text == "Команда «Обед Экспресс»"
