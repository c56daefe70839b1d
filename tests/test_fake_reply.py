"""A suspected fake is answered by what it says: praise is thanked and asked where to pass the
thanks, never met with «если что-то пошло не так»; a complaint is asked for its details."""

from assistant.models import Action, Mention, Platform
from assistant.pipeline import Components, run


def test_suspected_fake_praise_is_thanked_not_consoled(components: Components) -> None:
    text = "Отличный банк, лучший в городе. Сотрудники вежливые, всё быстро. Советую всем друзьям и знакомым!"
    result = run(Mention(brand="kedr-bank", platform=Platform.yandex_maps, text=text, rating=5), components)
    assert Action.request_removal in result.decision.actions
    assert result.draft is not None
    assert "благодарност" in result.draft.text.lower(), result.draft.text
    assert "жаль" not in result.draft.text and "трудност" not in result.draft.text


def test_suspected_fake_complaint_is_asked_for_details(components: Components) -> None:
    text = "ОБМАН!!! Еда из просрочки, курьеры мошенники, деньги воруют с карт! Не ведитесь, это лохотрон!!!"
    result = run(Mention(brand="obed-express", platform=Platform.otzovik, text=text, rating=1), components)
    assert Action.request_removal in result.decision.actions
    assert result.draft is not None
    assert "номер заказа" in result.draft.text and "благодарност" not in result.draft.text
