"""The author's request to be called, a repeat, a review's remark and what a praised employee did
are answered in the reply."""

from assistant.models import Address, Mention, Minus, Platform
from assistant.pipeline import Components, run
from assistant.text.phrases import ReviewPoints, plus_and_minus, review_points
from assistant.text.situation import find_details, happened_before, staff_deed, wants_call
from tests.drafts import drafted, ran


def test_a_request_to_be_called_is_told_from_a_story_of_calling() -> None:
    for asked in ("Перезвоните мне сегодня!", "Прошу перезвонить.", "Жду звонка от менеджера", "Please call me back"):
        assert wants_call(asked), asked
    for told in (
        "Звоню на горячую линию третий раз.",
        "Не могу позвонить в банк",
        "I called twice",
        "при оплате ужина",
    ):
        assert not wants_call(told), told


def test_a_request_to_be_called_is_passed_on_in_thedrafted(components: Components) -> None:
    text = drafted(
        components, "kedr-bank",
        "Обращение KB-1234-5678 висит две недели, на горячей линии никто не отвечает. Перезвоните мне, пожалуйста.",
    )  # fmt: skip
    assert "просьбу перезвонить" in text, text
    without = drafted(
        components, "kedr-bank", "Обращение KB-1234-5678 висит две недели, на горячей линии никто не отвечает."
    )
    assert "просьбу перезвонить" not in without, without


def test_one_who_asks_to_be_called_is_not_asked_to_get_in_touch_again(components: Components) -> None:
    text = drafted(
        components, "kedr-bank",
        "Перевод 38 000 ₽ в другой банк ушёл 1 декабря и не дошёл. По обращению KB-0112-0533 в чате отвечают "
        "«ожидайте». Прошу перезвонить мне сегодня.",
    )  # fmt: skip
    assert "свяжитесь с нами" not in text and "напишите нам" not in text, text


def test_a_missing_dark_theme_is_a_remark() -> None:
    points = review_points("Приложение быстрое, вклад открыл за минуту. Не хватает тёмной темы.")
    assert points.remark == "тёмную тему"


def test_the_remark_is_what_follows_the_but_and_a_word_of_trouble_names_nothing() -> None:
    assert review_points("Роллы свежие, но соус забыли положить.") == ReviewPoints(["роллы"], "соус")
    assert review_points("Роллы свежие, но курьер опоздал.").remark == ""  # a remark, no thing to name
    assert review_points("Приложение удобное. Но с кэшбэком какая-то беда.").remark == ""


def test_a_minus_told_as_a_story_is_a_problem_and_a_passing_one_a_remark() -> None:
    story = (
        "Карту наконец выдали, но пришлось приходить три раза: то не привезли, то сотрудник ушёл на обед. "
        "В остальном банк нравится."
    )
    assert plus_and_minus(story) == (True, Minus.problem)
    assert plus_and_minus("Роллы вкусные, но курьер опоздал и не извинился.") == (True, Minus.remark)
    habit = "Роллы вкусные, курьеры вежливые. Минус один — вечером везут долго, минут 80, поэтому заказываю заранее к 19:00."
    assert plus_and_minus(habit)[1] is Minus.remark  # how it usually goes, lived with: no case to open
    assert plus_and_minus("Приложение быстрое, вклад открыл за минуту. Не хватает тёмной темы.")[1] is Minus.remark


def test_the_remark_is_a_thing_in_the_case_a_reader_expects() -> None:
    minus = "Приложение удобное. Минусы: при каждом звонке на горячую линию долго гоняют по вопросам."
    assert review_points(minus).remark == "звонок"  # «при» is a preposition, not the archaic «пря»
    assert review_points("Вкусно. Из минусов — очень много пластика в упаковке.").remark == "пластик"
    star = "Еда всегда тёплая, вкусно. Звезду снимаю за то, что курьеры не могут найти наш подъезд."
    assert review_points(star).remark == "подъезд"  # the lost star names the remark


def test_a_review_that_takes_a_star_off_gets_the_mixed_reviewdrafted(components: Components) -> None:
    result = run(
        Mention(
            brand="obed-express",
            text="Еда всегда тёплая, вкусно, цены норм. Звезду снимаю за то, что курьеры не могут найти наш подъезд.",
            platform=Platform.vk,
        ),
        components,
    )
    assert result.draft is not None and result.draft.situation == "mixed_review", result.draft
    assert "про курьера" not in result.draft.text, result.draft.text  # the courier was not praised


def test_praise_with_a_remark_answers_the_remark_even_when_its_situation_has_no_words_for_one(
    components: Components,
) -> None:
    text = drafted(
        components, "obed-express", "Очень вкусные роллы и быстрая доставка! Единственное — маловато соуса в комплекте."
    )
    assert "роллы" in text and "про соус" in text, text
    plain = drafted(components, "obed-express", "Очень вкусные роллы и быстрая доставка!")
    assert "замечани" not in plain.lower(), plain


def _deed(text: str, address: Address = Address.formal) -> str:
    employee = find_details(text)["employee"]
    return staff_deed(employee, address, text)


def test_what_a_praised_employee_did_is_retold_to_the_reader() -> None:
    assert _deed("Курьер Алексей поднялся на 9 этаж пешком, лифт не работал.") == "поднялся на 9 этаж пешком"
    assert (
        _deed("Спасибо менеджеру Екатерине: терпеливо объяснила условия вклада.")
        == "терпеливо объяснила условия вклада"
    )
    assert _deed("Благодарю оператора Ольгу, которая быстро помогла мне.", Address.informal) == "быстро помогла тебе"


def test_the_deed_told_in_the_next_sentence_is_found_through_he_or_she() -> None:
    told_after = "Огромное спасибо курьеру Денису! Лифт не работал, а он поднялся на 12 этаж пешком. Суп горячий."
    assert _deed(told_after) == "поднялся на 12 этаж пешком"
    assert (
        _deed("Спасибо сотруднице Марине. Она за 15 минут переоформила мне карту.")
        == "за 15 минут переоформила Вам карту"
    )
    assert _deed("Спасибо курьеру Денису! Погода была ужасная.") == ""  # no «он», no deed


def test_praise_with_a_remark_passes_the_remark_on_once(components: Components) -> None:
    text = drafted(
        components,
        "kedr-bank",
        "Пользуюсь приложением второй год. Переводы по СБП мгновенные, вклад открыл за пару минут вечером. "
        "Пожелание одно — добавьте виджет баланса. Пять звёзд.",
    )
    assert "про переводы и вклад" in text and "про виджет" in text, text
    assert text.count("передадим") == 1, text


def test_no_deed_is_retold_from_a_complaint_a_negation_or_the_authors_own_things() -> None:
    assert _deed("Курьер Иван опоздал на час, но извинился.") == ""
    assert _deed("Курьер Олег не опоздал ни разу.") == ""
    assert _deed("Оператор Дмитрий разблокировал мою карту за 4 минуты.") == ""  # «мою» is not turned yet


def test_thanks_for_a_courier_say_what_the_courier_did(components: Components) -> None:
    text = drafted(
        components, "obed-express", "Курьер Алексей поднялся на 9 этаж пешком, лифт не работал. Дайте ему премию!"
    )
    assert "поднялся на 9 этаж пешком" in text, text


def test_it_happened_before_is_told_from_a_first_time() -> None:
    for again in (
        "В третий раз за месяц не кладут напиток.",
        "Опять холодный суп",
        "Уже не первый раз такое",
        "third time",
    ):
        assert happened_before(again), again
    for first in ("Первый раз заказала, не понравилось.", "Раз в неделю заказываем", "Суп холодный."):
        assert not happened_before(first), first
    # asking about doing it another time: nothing has happened twice
    for ahead in ("Отказали в кредите 10 дней назад. Когда можно пробовать снова?", "Можно ли повторно подать заявку?"):
        assert not happened_before(ahead), ahead
    assert happened_before("Снова холодный суп, можно уже нормально готовить?")


def test_a_complaint_about_a_repeat_owns_that_it_repeats(components: Components) -> None:
    voice = components.store.load_brand("obed-express").voice.resolve(Platform.vk, "ru")
    again = drafted(
        components, "obed-express", "В третий раз за месяц не кладут напиток. Сегодня морс, до этого компот."
    )
    assert any(variant in again for variant in voice.phrases.again), again
    once = drafted(components, "obed-express", "Сегодня не положили морс, хотя в чеке он есть.")
    assert not any(variant in once for variant in voice.phrases.again), once


def test_an_approved_mortgage_is_not_asked_where_its_application_stands(components: Components) -> None:
    text = drafted(
        components, "kedr-bank",
        "Ипотеку мне одобрили 20 ноября, сделка назначена на 10.12. Но менеджер Олег не отвечает на звонки уже "
        "неделю, а мне нужно согласовать отчёт об оценке. Что делать?",
    )  # fmt: skip
    assert "на каком этапе" not in text and "статус" not in text, text
    assert "сделк" in text, text
    waiting = drafted(components, "kedr-bank", "Заявку на ипотеку рассматривают уже третью неделю, хотя обещали 3 дня.")
    assert "на каком этапе" in waiting, waiting


def test_cashback_that_came_short_is_not_said_to_be_missing(components: Components) -> None:
    text = drafted(
        components,
        "kedr-bank",
        "Кэшбэк за ноябрь начислили не полностью: пришло 200 ₽ вместо 600 ₽. Разберитесь, пожалуйста.",
    )
    assert "не полностью" in text, text
    assert "не был начислен" not in text and "не приходит" not in text, text
    rate = drafted(
        components,
        "kedr-bank",
        "Выбрала категорию кафе с повышенным кэшбэком, а начислили обычный процент. Где мои 5 %?",
    )
    assert "не был начислен" not in rate and "не полностью" in rate, rate


def test_a_sum_is_given_the_role_of_its_own_clause() -> None:
    details = find_details("Потратил на бензин 8 000 рублей, получил кэшбэк 80 рублей вместо 400.")
    assert details["spent"].roubles == 8_000 and details["received"].roubles == 80
    assert "spent" not in find_details("Потратил на бензин 8 000, получил 80 рублей вместо 400.")  # 80 came, not spent


def test_a_purchase_told_with_its_figures_is_a_customer_not_news(components: Components) -> None:
    text = "Купил телевизор за 45 000 ₽ в категории «Электроника», которую выбрал в начале месяца. Кэшбэк 5% так и не пришёл, уже 12 число."
    result = run(Mention(brand="kedr-bank", text=text, platform=Platform.vk), components)
    assert result.classification.mention_kind.value == "customer"
    assert find_details(text)["spent"].roubles == 45_000


def test_again_after_a_fix_the_author_tried_is_not_the_problem_come_back() -> None:
    for tried in (
        "Приложение не открывается, белый экран. Нажала «Забыли код?», ввела новый — и снова белый экран.",
        "Перезагрузила телефон, опять то же самое.",
        "Переустановил приложение — снова ошибка.",
    ):
        assert not happened_before(tried), tried
    for again in (
        "Заказала вчера — опять привезли холодное.",
        "Написала в чат. Опять холодный суп.",
        "Третий раз за месяц привозят холодный суп.",
    ):
        assert happened_before(again), again


def test_the_deed_told_in_a_next_sentence_without_he_or_she_is_found() -> None:
    """«…сотрудницу офиса на Садовой, Анну. Терпеливо объяснила маме…»: the name after a comma,
    and a next sentence that leaves its subject out tells what she did."""
    text = "Хочу поблагодарить сотрудницу офиса на Садовой, Анну. Терпеливо объяснила маме все условия вклада."
    employee = find_details(text)["employee"]
    assert employee.text == "Анна"
    assert staff_deed(employee, text=text) == "терпеливо объяснила маме все условия вклада"
    assert _deed("Спасибо курьеру Денису! Погода была ужасная.") == ""  # «погода» is its subject
    # «забыли» is what «они» did, not the operator thanked: «как Алина забыли положить рамен» blames her
    assert _deed("Спасибо оператору Алине! Забыли положить рамен, через 40 минут уже привезли новый.") == ""


def test_a_thing_after_a_preposition_of_the_genitive_is_one() -> None:
    assert review_points("Спасибо ребятам из поддержки, всё решили быстро!").praised == ["поддержку"]


def test_thanks_for_an_employee_also_thanks_for_what_else_the_review_praised(components: Components) -> None:
    text = drafted(
        components, "obed-express",
        "Курьер Максим позвонил заранее и подождал, пока я спущусь. Пицца горячая, салат свежий. Спасибо!",
    )  # fmt: skip
    assert "Максим позвонил заранее" in text and "пиццу и салат" in text, text
    helped = drafted(
        components, "kedr-bank",
        "Хочу поблагодарить сотрудницу офиса на Садовой, Анну. Терпеливо объяснила маме все условия вклада, "
        "помогла установить приложение.",
    )  # fmt: skip
    assert "Анна терпеливо объяснила" in helped and "про приложение" not in helped, helped  # part of her deed


def test_a_delayed_transfer_with_a_request_to_call_is_called(components: Components) -> None:
    text = drafted(
        components, "kedr-bank",
        "1 декабря перевёл 60 000 ₽ по реквизитам в Т-банк, до сих пор не дошли. В чате приложения третий день "
        "пишут «ожидайте». Прошу перезвонить мне сегодня.",
    )  # fmt: skip
    assert "просьбу перезвонить" in text, text
    assert "имя и город" not in text, text  # not the voice's generic step when the playbook has words for it


def test_a_name_with_a_praise_word_praises_nothing_and_an_adverb_is_no_remark() -> None:
    hotline = "Менеджер отвечал раз в три дня, а на горячей линии просили рассказать всё сначала."
    assert review_points(hotline).praised == []  # «горячая линия» is a name, not hot food
    assert review_points("Горячая линия ответила быстро, спасибо").praised == ["горячую линию"]
    assert review_points("Одобрили быстро. Но потом сделку переносили трижды.").remark == "сделку"  # not «пот»


def test_praise_of_several_things_is_passed_on_to_all_it_names(components: Components) -> None:
    text = "Понравились сырники, свежий салат и горячий суп! Приложение удобное."
    reply = drafted(components, "obed-express", text)
    assert "про сырники, свежий салат и горячий суп" in reply, reply
    assert "всем, о ком ты пишешь" in reply and "команде приложения" not in reply, reply
    courier_only = drafted(
        components, "obed-express", "Курьер Алексей помог донести заказ до пятого этажа, спасибо ему!"
    )
    assert "всем, о ком" not in courier_only and "Алекс" in courier_only, courier_only


def test_a_complaint_about_what_is_already_over_is_not_asked_where_it_stands(components: Components) -> None:
    text = (
        "Ипотечную сделку откладывали три недели: сначала банк потерял справку о доходах, потом сменился "
        "юрист. Продавец грозился уйти к другому покупателю. Сделку провели только 2 декабря в отделении "
        "на Тверской. Нервов потратили на год вперёд."
    )
    result = run(Mention(brand="kedr-bank", text=text, platform=Platform.irecommend, rating=2), components)
    assert result.draft is not None and result.draft.situation == "mortgage_delay", result.draft
    reply = result.draft.text
    assert "на каком этапе" not in reply and "статус" not in reply, reply
    assert "Одобрение действует" not in reply, reply  # how it usually goes helps no one now


def test_a_complaint_that_praises_before_its_but_owns_the_praise(components: Components) -> None:
    text = "Обожаю ваши вареники и борщ, но сегодня суп протёк прямо в пакете, всё в бульоне. Заказ 51874."
    reply = drafted(components, "obed-express", text)
    assert "про вареники и борщ" in reply, reply  # «Спасибо за добрые слова про …» or «Приятно читать про …»
    # sarcasm has no «но» before its complaint: nothing in it is thanked
    sarcasm = drafted(components, "obed-express", "Отличный сервис: ждал два с половиной часа и получил чужой заказ 👏")
    assert "добрые слова" not in sarcasm and "Приятно читать" not in sarcasm, sarcasm
    # «привезли вовремя» tells how the delivery went: no «добрые слова про еду» to a complaint
    on_time = drafted(components, "obed-express", "Обед привезли вовремя, но суп пролился и залил весь пакет.")
    assert "добрые слова" not in on_time and "Приятно читать" not in on_time, on_time


def test_cashback_that_came_in_part_is_not_called_missing(components: Components) -> None:
    text = "Кэшбэк за октябрь пришёл 377 ₽, хотя в категории «Аптеки» потратила 21 000 ₽ при 5%. Почему так мало?"
    reply = drafted(components, "kedr-bank", text)
    assert "не полностью" in reply and "не был начислен" not in reply, reply


def test_a_wish_in_a_glowing_review_is_passed_on_not_investigated(components: Components) -> None:
    text = "Заказываем у вас каждую пятницу, сырники лучшие, курьеры всегда вовремя. Хотелось бы больше супов в меню."
    reply = drafted(components, "obed-express", text, rating=5)
    assert "Пожелание про" in reply and "разберёмся" not in reply, reply


def test_praise_of_how_it_went_is_thanked_for_the_service_it_names(components: Components) -> None:
    """No praised thing («приятно», «прозрачно»): the reply names the service the story is about,
    not «команде, которая работает над этим направлением»."""
    cases = {
        "кедр банк прислал кэшбэк 2 380 р за апрель, до 10-го, как и обещали. приятно": "про кэшбэк",
        "Открыл вклад через приложение на год, ставка зафиксирована в договоре. Прозрачно, без сюрпризов.": "про вклад",
    }
    for text, named in cases.items():
        mention = Mention(brand="kedr-bank", text=text, platform=Platform.google_maps, rating=5)
        reply = run(mention, components).draft.text
        assert named in reply and "этим направлением" not in reply, reply


def test_a_four_star_rave_with_a_minus_it_lives_with_is_thanked_not_apologised_to(components: Components) -> None:
    text = (
        "Борщ как дома, порции честные, курьеры вежливые. Минус один — вечером везут долго, минут 80, поэтому "
        "заказываю заранее к 19:00. В целом рекомендую."
    )
    result = run(Mention(brand="obed-express", text=text, platform=Platform.irecommend, rating=4), components)
    assert result.draft is not None and result.draft.situation != "late_delivery", result.draft
    assert "Спасибо" in result.draft.text and "промокод" not in result.draft.text, result.draft.text


def test_a_courier_who_wished_a_good_meal_made_no_remark(components: Components) -> None:
    """«пожелал приятного аппетита» is the courier's kindness; «пожелаю добавить…» would be a wish for us."""
    text = "Курьер Тимур — золото. Поднялся на 5 этаж без лифта и ещё пожелал приятного аппетита ☺️ Спасибо ему"
    assert plus_and_minus(text)[1] is None
    assert plus_and_minus("Всё вкусно. Пожелаю только добавить больше супов.")[1] is not None
    result = ran(components, "obed-express", text)
    assert result.draft is not None and result.draft.situation == "praise_courier", result.draft
