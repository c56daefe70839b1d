"""A complaint's second problem gets a sentence of its own, from its own playbook."""

from assistant.models import Mention, Platform
from assistant.pipeline import Components, run
from assistant.text.phrases import complained_things
from assistant.text.situation import _problem_units
from tests.drafts import ran


def _reply(components: Components, brand: str, text: str) -> tuple[str | None, str]:
    result = run(Mention(brand=brand, text=text, platform=Platform.vk), components)
    assert result.draft is not None
    return result.draft.situation, result.draft.text


def _also_phrases(components: Components, brand: str, situation: str, voice: str) -> list[str]:
    playbook = next(p for p in components.store.load_brand(brand).playbooks if p.id == situation)
    return playbook.phrases[voice]["also"]


def _says_one_of(text: str, phrases: list[str]) -> bool:
    """The fixed words before a phrase's first slot (or the whole phrase) are in the text."""
    prefixes = [phrase.split("{")[0].strip(" .,:—") for phrase in phrases]
    return any(prefix and prefix in text for prefix in prefixes)


def test_a_silent_chat_after_a_double_charge_is_answered_too(components: Components) -> None:
    situation, text = _reply(
        components, "kedr-bank", "Двойное списание за такси, 890 и 890 в одну и ту же минуту. Поездка была одна. "
        "Чат приложения молчит с утра.",
    )  # fmt: skip
    assert situation == "double_charge"
    assert _says_one_of(text, _also_phrases(components, "kedr-bank", "support_unreachable", "ru_vy")), text


def test_a_question_or_a_word_of_praise_is_no_second_problem(components: Components) -> None:
    for text in (
        "Двойное списание за такси, 890 и 890 в одну минуту. Поездка была одна. А чат у вас круглосуточный?",
        "Двойное списание за такси, 890 и 890 в одну минуту. Поездка была одна. Оператор в чате был вежлив.",
    ):
        _, reply = _reply(components, "kedr-bank", text)
        assert not _says_one_of(reply, _also_phrases(components, "kedr-bank", "support_unreachable", "ru_vy")), reply


def test_a_question_about_the_problem_tells_no_second_one(components: Components) -> None:
    """«…без предупреждения?» asks why the card was blocked: no closed branch «без предупреждения»."""
    _, reply = _reply(
        components, "kedr-bank", "Карту заблокировали в поездке, дозвонился только через час. "
        "Почему блокируют без предупреждения и как сделать, чтобы это не повторялось?",
    )  # fmt: skip
    assert "отделени" not in reply, reply


def test_the_things_complained_of_are_the_subjects_the_situation_knows() -> None:
    known = frozenset(["суп", "картошка", "звонок"])
    assert complained_things("Суп тыквенный еле тёплый, картошка как резина.", known) == "суп и картошку"
    assert complained_things("Без звонка, без объяснений.", known) == ""  # an absence names no thing
    assert complained_things("Торт помят, коробка мокрая.", known) == ""  # not the situation's words


def test_a_complaint_quotes_no_fact_that_asks_what_the_next_step_asks(components: Components) -> None:
    """«достаточно прислать номер заказа и время списаний» is the next step's to say, once."""
    _, reply = _reply(
        components, "obed-express", "Отменил заказ, а деньги всё равно списали, и кажется, что дважды. Безобразие."
    )
    assert "достаточно прислать" not in reply, reply
    assert reply.count("время списаний") == 1, reply


def test_a_clause_is_the_second_problem_its_sentence_tells_not_another(components: Components) -> None:
    """«…звонить на горячую линию, а там 40 минут ожидания»: the clause alone reads like a queue in a
    branch, its sentence tells of the hotline."""
    situation, text = _reply(
        components, "kedr-bank",
        "Карту заблокировали прямо у кассы в отделении на Лесной, 5. Причину никто не объяснил, сказали "
        "звонить на горячую линию, а там 40 минут ожидания. Карта до сих пор заблокирована.",
    )  # fmt: skip
    assert situation == "card_blocked", situation
    assert not _says_one_of(text, _also_phrases(components, "kedr-bank", "branch_queue", "ru_vy")), text


def test_a_silent_chat_does_not_crowd_out_the_cold_food(components: Components) -> None:
    """One who wrote to the chat gets the `contacted` phrase for it; the second problem is then
    what else went wrong («Плов ледяной»), not the chat again."""
    situation, text = _reply(
        components, "obed-express",
        "Обед Экспресс, вы издеваетесь? Заказ 52817 оформила в 19:05, приложение обещало к 19:50, привезли в "
        "21:10. Плов ледяной, морс тёплый. Промокод за опоздание, про который вы везде пишете, так и не пришёл, "
        "уже вторые сутки пошли. В чат написала — ответили «передали специалисту» и тишина. Больше не закажу",
    )  # fmt: skip
    assert situation == "late_delivery", situation
    assert "плов" in text.lower(), text


def test_a_wait_on_our_line_is_a_contact_and_the_problem_told_besides_it_is_answered(components: Components) -> None:
    result = ran(
        components,
        "kedr-bank",
        "В отпуске в Ереване банк третий раз блокирует карту при оплате гостиницы. Подтверждаю в приложении — через "
        "час снова блок. На горячей линии 35 минут ожидания.",
    )
    assert result.draft is not None and result.draft.situation == "card_blocked", result.draft


def test_a_courier_the_author_clears_is_no_second_problem(components: Components) -> None:
    result = ran(
        components,
        "obed-express",
        "Суп разлился по всему пакету и залил пасту и десерт. Крышка была просто прижата, не защёлкнута. Курьер не "
        "виноват, он сам расстроился.",
    )
    assert result.draft is not None and "курьер" not in result.draft.text.lower(), result.draft.text


def test_trips_made_twice_are_no_double_charge(components: Components) -> None:
    result = ran(
        components, "kedr-bank",
        "Заказал перевыпуск карты 3 недели назад. В отделении на Тверской говорят, что карта «не поступала». "
        "Уже дважды ездил через весь город.",
    )  # fmt: skip
    assert result.draft is not None and "списани" not in result.draft.text, result.draft.text


def test_where_a_card_was_to_come_is_no_queue_in_the_branch(components: Components) -> None:
    """«…5 рабочих дней, в отделение на Красном проспекте» says where, in a clause of its own: no
    second problem («долгое ожидание в отделении») for one who only phoned the branch."""
    sentence = "Говорили 5 рабочих дней, в отделение на Красном проспекте."
    assert [unit for unit, _ in _problem_units([sentence])] == [sentence]  # the clause is no unit of its own
    result = ran(
        components, "kedr-bank",
        "Перевыпуск карты заказала 12 дней назад, потому что не читался чип. Говорили 5 рабочих дней, в отделение на "
        "Красном проспекте. Никаких смс, никаких пушей. Позвонила в отделение — карты нет, где она, никто не знает.",
    )  # fmt: skip
    assert result.draft is not None and "ожидани" not in result.draft.text, result.draft.text
