"""What the author already did shapes the reply: a fraud victim who named no codes is not told
not to name them, someone who already wrote to support hears that it is known, a request for
another manager is passed on; and the words of a customer's question are read as they are."""

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from assistant.draft import _past_day, fact_excerpt
from assistant.models import Action, Fact, Mention, Platform, ReplyMode
from assistant.pipeline import Components, run
from assistant.text.normalize import lemma, mention_lemmas
from assistant.text.phrases import missing_thing, review_points, swapped_dish
from assistant.text.playbook_choice import second_issue
from assistant.text.situation import (
    action_key,
    asked_questions,
    asks_to_bring,
    contacted_us,
    done_actions,
    filed_dispute,
    find_details,
    given_items,
    happened_before,
    has_footage,
    kept_quiet,
    locked_out_of_app,
    offered_ways,
    open_questions,
    repeated_contact,
    requested_items,
    supposed_done,
    without_rhetoric,
)
from knowledge.brands import load_brand
from tests.drafts import complaint_reply, drafted, ran


def test_an_unknown_word_keeps_its_own_start() -> None:
    assert lemma("кэшбэком") == "кэшбэк"  # pymorphy3's likeliest guess is «кэшбэкома»
    assert lemma("промиком") == "промик"
    assert lemma("зафоткал") == "зафоткать"  # a guess not built on the word's start stays


def test_an_author_who_named_nothing_kept_quiet() -> None:
    assert kept_quiet(done_actions("Я никаких кодов не называла, трубку положила."))
    assert kept_quiet(done_actions("Я ничего ему не сказала и положила трубку."))
    assert not kept_quiet(done_actions("Я назвала код из СМС, и деньги ушли."))
    assert not kept_quiet(done_actions("Оператор мне ничего не сказал."))  # someone else did not tell


def _bank_review(components: Components, text: str) -> str:
    """A one-star review of the bank on otzovik."""
    return drafted(components, "kedr-bank", text, Platform.otzovik, 1)


def test_a_victim_who_named_no_codes_is_not_lectured_on_codes(components: Components) -> None:
    text = _bank_review(
        components,
        "Мне позвонил мужчина, представился сотрудником банка, знал номер моей карты. Я никаких кодов ему не "
        "называла и положила трубку. Через час с карты списали 31 200 рублей двумя переводами. Откуда у него мои данные?",
    )
    assert "никогда не спрашивают" not in text and "положите трубку" not in text, text
    assert "правильно" in text, text
    told = _bank_review(
        components,
        "Звонят из «службы безопасности Кедр Банка», знают мой адрес и остаток по вкладу. Откуда у них мои данные?",
    )
    assert "правильно" not in told, told


def test_one_who_asks_whether_the_caller_was_us_hears_that_staff_never_ask_for_codes(components: Components) -> None:
    text = drafted(
        components, "kedr-bank",
        "Вчера вечером позвонили будто бы из банка, просили продиктовать код из смс. Я не продиктовала. Это точно были не вы?",
        Platform.vk,
    )  # fmt: skip
    assert "никогда не спрашивают коды" in text, text
    if "их назвать" in text:  # a sentence that goes on from another is quoted after it
        assert text.index("никогда не спрашивают коды") < text.index("их назвать"), text


def test_one_who_could_not_get_through_is_not_told_the_matter_went_unsolved(components: Components) -> None:
    text = _bank_review(
        components,
        "В Казани карту заблокировали при оплате гостиницы. Звоню на горячую линию — 35 минут ожидания, потом сброс. "
        "Второй раз 20 минут, то же самое. Разблокировал утром сам в приложении.",
    )
    assert "не удалось дозвониться" in text, text
    assert "не решился" not in text and "не впервые" not in text, text


def test_writing_to_support_is_told_from_a_courier_writing() -> None:
    for text in ("Написала в чат, обещали разобраться и пропали.", "Звонил на горячую линию три раза.",
                 "I have already contacted your support twice.", "Чат поддержки ответил «проверим» и замолчал."):  # fmt: skip
        assert contacted_us(text, done_actions(text), mention_lemmas(text)), text
    for text in ("Курьер написал в чат, что опоздает.", "Напишите мне в чат.", "I love your chat."):
        assert not contacted_us(text, done_actions(text), mention_lemmas(text)), text


def test_a_complaint_after_an_unanswered_chat_says_it_is_known(components: Components) -> None:
    wrote = "Кэшбэк за октябрь пришёл 150 ₽ вместо 900 ₽. Написала в чат поддержки, обещали проверить и пропали."
    text = drafted(components, "kedr-bank", wrote, Platform.irecommend, 2)
    assert "обращ" in text.split("Мы проверим")[0], text
    first = drafted(components, "kedr-bank", "Кэшбэк за октябрь пришёл 150 ₽ вместо 900 ₽.", Platform.irecommend, 2)
    assert "обращались" not in first and "повторно" not in first, first


def test_a_reply_about_unreachable_support_does_not_say_it_twice(components: Components) -> None:
    text = drafted(
        components, "kedr-bank", "Третий день пишу в чат поддержки и звоню на горячую линию — никто не отвечает!"
    )
    assert "обращаться повторно" not in text and "Вы уже обращались" not in text, text


def test_a_request_for_another_manager_is_passed_on(components: Components) -> None:
    text = drafted(
        components, "kedr-bank",
        "Кредит одобрили, осталось подписать договор, а менеджер Виктор вторую неделю не берёт трубку. "
        "Назначьте мне другого менеджера, пожалуйста.",
    )  # fmt: skip
    assert "другого менеджера" in text, text


def test_a_question_about_combining_promo_codes_is_answered(components: Components) -> None:
    result = ran(
        components, "obed-express", "а можно промокод за опоздание и скидку от подписки в один заказ? и баллы сверху"
    )
    assert result.draft is not None, result.decision
    assert "один промокод" in result.draft.text and "жаль" not in result.draft.text.lower(), result.draft.text


def test_a_community_post_about_the_brand_is_not_answered(components: Components) -> None:
    post = (
        "«Обед Экспресс» теперь возит в Парголово. Адрес можно проверить в приложении, минимальный заказ 500 ₽. "
        "Кто уже заказывал? Делитесь в комментариях 👇"
    )
    result = ran(components, "obed-express", post, Platform.telegram)
    assert result.draft is None, result.draft.text if result.draft else ""


def test_a_calm_review_answered_for_its_minus_owns_its_praise_first(components: Components) -> None:
    text = drafted(
        components, "kedr-bank",
        "Вклад открыла за пять минут, приложение нравится. Из минусов: кэшбэк за ноябрь пришёл чуть меньше, чем я ждала.",
        Platform.irecommend, 3,
    )  # fmt: skip
    body = text.split("\n\n")[1]
    assert body.startswith("Спасибо") and "про вклад и приложение" in body.split(".")[0], text
    assert "кэшбэк" in body, text
    # «с кэшбэком беда» is a complaint: answered for what came short, not as if nothing came
    trouble = drafted(
        components, "kedr-bank",
        "Вклад открыла за пять минут, приложение нравится. Но с кэшбэком беда: ждала около 700 ₽, пришло 90 ₽.",
        Platform.irecommend, 3,
    )  # fmt: skip
    assert "не был начислен" not in trouble and "не полностью" in trouble, trouble


def test_sarcastic_praise_is_not_thanked(components: Components) -> None:
    text = drafted(components, "obed-express", "Отличный сервис: ждал два часа и получил чужой заказ 👏")
    assert "добрые слова" not in text and "Приятно читать" not in text, text


def test_questions_asked_to_shame_are_not_owed_an_answer() -> None:
    for text in (
        "Мне что, самому его искать по всем отделениям?",
        "Это так вы работаете с заёмщиками?",
        "Вам не стыдно?",
        "Зачем тогда писать в приложении 45 минут?",
        "Может, сразу уберёте соусы из меню?",
        "Это вообще нормально?",
    ):
        assert asked_questions(text) == [], text
    for text in (
        "А вы что, не возите в Мурино?",
        "Что мне теперь делать с картой?",
        "Когда вернут деньги?",
        "Зачем нужен ПИН-код?",
        "Может, подскажете, где ближайший банкомат?",
    ):
        assert asked_questions(text) == [text], text


def test_a_bare_why_asks_about_the_sentence_before_it(components: Components) -> None:
    assert asked_questions("Заплатила за интернет через приложение, кэшбэк не пришёл. Почему?") == [
        "Заплатила за интернет через приложение, кэшбэк не пришёл. Почему?"
    ]
    text = drafted(components, "kedr-bank", "Заплатила за интернет через приложение, кэшбэк не пришёл. Почему?")
    assert "не начисляется" in text, text  # the exclusions answer it


def test_what_to_do_is_answered_by_the_next_step(components: Components) -> None:
    text = drafted(components, "obed-express", "Соус протёк на весь пакет, салат весь в нём. Что делать?")
    assert "Пришли" in text and "Уточним" not in text, text


def test_calling_again_is_one_case_not_a_repeat_of_it() -> None:
    assert not happened_before("Звоню на горячую линию уже третий раз за вечер — никто не берёт")
    assert repeated_contact("Звоню на горячую линию уже третий раз за вечер — никто не берёт")
    assert happened_before("Снова пишу вам: курьер опять опоздал")  # the courier's delay repeats
    second_call = "Звоню в поддержку — 40 минут ожидания, потом сброс. Второй раз 30 минут, то же самое."
    assert not happened_before(second_call) and repeated_contact(second_call)  # the second call, not the problem again
    assert happened_before("Написала в чат. Опять холодный суп.")
    assert not repeated_contact("Опять опоздали на час!")


def test_writing_again_about_a_refund_is_owned(components: Components) -> None:
    text = drafted(
        components, "obed-express", "Третий раз пишу про возврат за отменённый заказ 58812, деньги так и не вернули."
    )
    assert any(said in text for said in ("повторно", "с первого раза", "не начинать всё заново")), text
    assert "не первый раз" not in text and "не впервые" not in text, text


def test_a_street_of_two_words_is_named_whole() -> None:
    def place(text: str) -> str:
        return find_details(text)["place"].text

    assert place("Только что на Малой Бронной курьер сбил женщину.") == "на Малой Бронной"
    assert place("Забирала заказ на Новом Арбате, 15.") == "на Новом Арбате, 15"
    assert place("На Красном проспекте, 30 опять очередь.") == "на Красном проспекте, 30"
    assert place("На Невском Ольга нам очень помогла.") == "на Невском"  # a name is no street


def test_a_question_with_a_sum_in_it_is_answered_not_apologised_for(components: Components) -> None:
    result = ran(
        components, "kedr-bank",
        "Подскажите, сколько можно снять в банкомате без комиссии? Нужно 80 тыс наличными на ремонт, не хочется переплачивать",
        Platform.telegram,
    )  # fmt: skip
    assert result.decision.reply_mode is ReplyMode.answer, result.decision
    assert result.draft is not None and "жаль" not in result.draft.text.lower(), result.draft


def test_a_delay_told_by_two_clock_times_is_their_difference() -> None:
    said = "Заказ должен был приехать в 19:10, а приехал в 19:55, хотя после 30 минут опоздания положен промокод."
    assert find_details(said)["delay"].text == "45 минут"  # not the rule's «30 минут»
    assert find_details("Ждали к 18:00, курьер приехал в 19:21")["delay"].text == "1 час 21 минута"
    assert find_details("My order was due at 19:10 and came at 19:55.")["delay"].text == "45 minutes"
    assert find_details("Lunch was promised for 13:00 and showed up at 13:50, cold.")["delay"].text == "50 minutes"
    assert "delay" not in find_details("Заказала в 12:00, привезли в 13:30.")  # ordered at is no promise


def test_an_english_reply_names_the_order_without_the_russian_sign(components: Components) -> None:
    text = drafted(
        components, "obed-express",
        "My order 61240 was due at 19:10 and came at 19:55. Your rules say a code after 30 min late, so where is it?",
        Platform.google_maps, 2,
    )  # fmt: skip
    assert "45 minutes" in text and "№" not in text and "for order." not in text, text


def test_a_victim_who_blocked_the_card_is_not_told_to_block_it(components: Components) -> None:
    text = _bank_review(
        components,
        "Позвонили якобы из банка, знали остаток. Я никаких кодов не называла и положила трубку. Через час с карты "
        "списали 18 900 рублей, которые я не совершала. Карту заблокировала сама.",
    )
    assert "заблокируйте" not in text, text


def test_someone_who_updated_the_app_is_not_told_to_update_nor_left_an_if(components: Components) -> None:
    text = drafted(
        components, "obed-express", "Приложение вылетает при оплате. Обновил до последней версии — не помогло."
    )
    assert "обнови" not in text.lower(), text
    assert "Если не помогло" not in text and "Если обновление" not in text, text


def test_a_fact_sentence_that_goes_on_from_one_left_out_loses_its_lead() -> None:
    fact = Fact(
        id="app-bug-report",
        topic="app",
        text={"ru": "Сначала обновите приложение. Если не помогло, поддержка передаст описание разработчикам."},
    )
    wanted = frozenset(["поддержка", "разработчик", "описание"])
    assert fact_excerpt(fact, "ru", wanted, keep=lambda s: "обновите" not in s) == (
        "Поддержка передаст описание разработчикам."
    )
    assert fact_excerpt(fact, "ru", wanted | {"обновить", "приложение"}).startswith("Сначала обновите")


def test_a_fact_sentence_naming_by_pronoun_what_is_left_out_is_not_quoted() -> None:
    fact = Fact(
        id="late-order-promo",
        topic="delivery",
        text={
            "ru": "За опоздание больше 30 минут мы выдаём промокод на 300 ₽. Он приходит в приложение в течение суток."
        },
    )
    wanted = frozenset(["приложение", "сутки"])
    assert fact_excerpt(fact, "ru", wanted, most=1, keep=lambda s: "опоздание" not in s) == ""
    assert fact_excerpt(fact, "ru", wanted, most=1).startswith("За опоздание")


def test_a_problem_told_with_an_unanswered_chat_is_answered_for_the_problem(components: Components) -> None:
    result = ran(
        components,
        "obed-express",
        "Привезли не тот суп, заказ 61002. Написала в чат два часа назад — тишина.",
    )
    assert result.draft is not None and result.draft.situation == "wrong_or_missing_item", result.draft
    only_contact = ran(components, "obed-express", "Написала в чат два часа назад — тишина. Вы вообще работаете?")
    assert only_contact.draft is not None and only_contact.draft.situation == "support_unreachable"
    # support answered, then went silent: still the unanswered chat
    silent = ran(
        components, "kedr-bank", "Бот в чате отвечает «оператор скоро подключится», а оператор так и не подключается."
    )
    assert silent.draft is not None and silent.draft.situation == "support_unreachable", silent.draft


@pytest.mark.parametrize(
    ("brand", "text", "situation", "not_said"),
    [
        ("obed-express",
         "Уже месяц не приходят чеки на почту, а мне они нужны для компенсации обедов от работы. Почта в профиле "
         "правильная. Бот поддержки отвечает «проверьте папку спам». проверил. нету.",
         "receipt_missing", "без ответа"),
        ("obed-express",
         "You charged me twice for order 53120, 1 340 ₽ at 19:02 and again at 19:03. Support chat said 'wait 3 days'. "
         "It's been 6 working days and it's an actual debit. Please sort it out.",
         "payment_charge", "go quiet"),
        ("kedr-bank", "Перевод на 40 000 ₽ идёт третий день, в чате отвечают шаблонами. Где мои деньги?",
         "transfer_delayed", "без ответа"),
        # an answer quoted after «сказали, что»; no plan of the brand's fits Mir Pay: the generic one
        ("kedr-bank",
         "Оплата через Mir Pay не проходит, пишет «карта не поддерживается». В чате сказали, что «технические работы».",
         "generic_complaint", "без ответа"),
    ],
)  # fmt: skip
def test_support_that_answered_is_no_unanswered_chat(
    components: Components, brand: str, text: str, situation: str, not_said: str
) -> None:
    """The author quotes what support said: they were answered, and the reply is about their problem."""
    result = ran(components, brand, text)
    assert result.draft is not None and result.draft.situation == situation, result.draft
    assert not_said not in result.draft.text and "молчать" not in result.draft.text, result.draft.text


def test_receipts_that_never_arrive_are_found_out_and_sent_again(components: Components) -> None:
    text = drafted(components, "obed-express", "Уже третью неделю не приходят чеки на почту, а они нужны для отчёта.")
    assert "пришлём их заново" in text, text


def test_someone_who_already_wrote_is_not_sent_back_to_the_chat(components: Components) -> None:
    text = drafted(
        components,
        "obed-express",
        "Заказ 60933: с карты списали 1 284 ₽ два раза через СБП. Написал в чат поддержки — ответили шаблоном и "
        "пропали. Верните деньги.",
        Platform.otzovik,
        1,
    )
    assert "в чат поддержки в приложении" not in text, text
    assert "не нужно" in text and "свяжемся" in text, text
    english = drafted(
        components,
        "obed-express",
        "Order 61877 was 50 minutes late and the noodles were cold. I wrote to the support chat and nobody answered.",
        Platform.google_maps,
        2,
    )
    assert "message us via" not in english, english


def test_not_getting_through_is_a_try_to_reach_us() -> None:
    text = "Третий день не могу дозвониться на горячую линию."
    assert contacted_us(text, done_actions(text), mention_lemmas(text))


def test_someone_who_asks_for_the_missing_dish_is_not_asked_which_they_prefer(components: Components) -> None:
    text = drafted(
        components, "obed-express", "Заказ 61220: забыли положить боул с лососем. Привезите его, пожалуйста."
    )
    assert "как тебе удобнее" not in text and "в течение 60 минут" in text, text
    undecided = drafted(components, "obed-express", "Заказ 61220: забыли положить боул с лососем.")
    assert "как тебе удобнее" in undecided, undecided
    assert asks_to_bring("Please bring it, I'm home until 3.") and not asks_to_bring("Довозить не надо.")


def test_a_short_question_that_points_back_is_about_the_sentence_before() -> None:
    text = "Отменила заказ, а сумма на карте так и висит заблокированная. Когда её отпустят?"
    assert asked_questions(text) == [text]
    assert asked_questions("Заказ привезли. Когда вы начнёте работать нормально?") == [
        "Когда вы начнёте работать нормально?"
    ]


def test_a_question_that_points_back_with_little_of_its_own_is_about_the_sentence_before() -> None:
    text = "Снимаю квартиру в Кудрово, минут пять от КАДа. Привезёте или это уже далеко?"
    assert asked_questions(text) == [text]


def test_questions_that_point_back_in_a_row_are_one_question_with_their_context() -> None:
    text = (
        "Пытаюсь ввести промокод от друга, а у меня уже применён приветственный. Один заменяет другой? Так и задумано?"
    )
    assert asked_questions(text) == [text]  # not «Один заменяет другой? Так и задумано?» alone


def test_an_impatient_where_question_is_a_question_and_an_exclamation_is_not() -> None:
    assert asked_questions("Где вводить код скидки?? Всё оплатила, а поля нет") == ["Где вводить код скидки??"]
    assert asked_questions("Вы там вообще работаете?? Третий час жду") == []
    assert asked_questions("Как так?? Опять опоздали") == []


def test_a_bare_question_after_a_question_goes_on_asking_it() -> None:
    text = "Что нужно, чтобы за Кедр Классику вообще не платить? Какие условия?"
    assert asked_questions(text) == [text]
    assert asked_questions("До скольки вы работаете? И есть ли доставка в Мурино?") == [
        "До скольки вы работаете?",
        "И есть ли доставка в Мурино?",
    ]


def test_a_usual_term_is_not_quoted_to_one_who_has_waited_past_it(components: Components) -> None:
    """«как правило, поступает в течение одного рабочего дня» to a transfer nine days on the way
    reads as a taunt."""
    sent = (datetime.now(UTC) - timedelta(days=9)).strftime("%d.%m")
    text = f"Отправил перевод по реквизитам {sent} на 48 000 рублей, деньги до сих пор не дошли. Разберитесь!"
    reply = complaint_reply(components, "kedr-bank", text).draft.text
    assert "одного рабочего дня" not in reply, reply


def test_a_day_named_is_past_only_when_it_has_come() -> None:
    now = datetime(2026, 12, 3, 11, tzinfo=UTC)
    assert _past_day("25.11", now) == datetime(2026, 11, 25, tzinfo=UTC)
    assert _past_day("сделка 10.12", now) is None  # a deal date to come is no wait
    assert _past_day("25.12", datetime(2027, 1, 5, tzinfo=UTC)) == datetime(2026, 12, 25, tzinfo=UTC)


def test_two_questions_joined_by_и_are_two_questions() -> None:
    assert asked_questions("Хочу открыть вклад. Какая сейчас ставка и можно ли открыть его в приложении?") == [
        "Какая сейчас ставка?",
        "Хочу открыть вклад. Можно ли открыть его в приложении?",  # «его» points back past the first half
    ]
    assert asked_questions("What is the rate and can I open it in the app?") == [
        "What is the rate?",
        "Can I open it in the app?",
    ]
    for one in ("Можно ли оплатить картой и наличными?", "Когда и где можно забрать заказ?"):
        assert asked_questions(one) == [one]


def test_the_second_of_two_joined_questions_is_answered_too(components: Components) -> None:
    text = drafted(
        components,
        "kedr-bank",
        "Хочу открыть накопительный вклад. Какая сейчас ставка и можно ли открыть его в приложении?",
    )
    assert "kedrbank.ru/deposits" in text and "Вклад можно открыть в приложении" in text, text
    english = drafted(
        components,
        "kedr-bank",
        "Hello, I'd like to open a savings deposit. What is the current rate, and can I open it in the app "
        "or do I have to visit a branch?",
    )
    assert "kedrbank.ru/deposits" in english and ("open a deposit" in english or "can be opened" in english), english


def test_insurance_sold_without_consent_is_met_with_how_to_cancel_it(components: Components) -> None:
    """«навязали страховку… Куда мне обращаться?»: the cooling-off rule says where and by when,
    not the branch-queue apology the words «отделение» and «не могу» once drew."""
    text = (
        "Пенсионерка, 72 года. В отделении на Ленинском мне навязали страховку к вкладу, я не поняла, "
        "что подписала. Теперь не могу её отменить. Куда мне обращаться?"
    )
    result = complaint_reply(components, "kedr-bank", text)
    assert result.draft is not None and result.draft.situation == "imposed_product", result.draft
    assert "14 календарных дней" in result.draft.text and "ожидани" not in result.draft.text, result.draft.text
    humiliated = "Менеджер по кредитам разговаривала со мной как с умственно отсталой, когда я попросила объяснить график платежей. Мне 67 лет!"
    assert complaint_reply(components, "kedr-bank", humiliated).draft.situation == "rude_staff"  # nothing was sold
    question = "При оформлении кредита без спроса включили страховку на 40 тысяч. Как от неё отказаться?"
    assert asked_questions(question) == [question]  # «от неё» points back to the insurance
    assert "14 календарных дней" in drafted(components, "kedr-bank", question)


def test_hours_every_day_answer_a_question_about_one_day() -> None:
    question = "И до скольки работает доставка в пятницу?"
    assert open_questions([question], ("Заказы принимаем ежедневно с 8:00 до 23:00.",)) == []
    assert open_questions([question], ("Доставка работает быстро.",)) == [question]


def test_a_refund_answers_a_question_whether_the_money_is_returned() -> None:
    question = "Деньги хоть частично вернёте?"
    assert open_questions([question], ("Решение о возврате денег принимает служба поддержки.",)) == []
    assert open_questions([question], ("Курьер приехал на час позже.",)) == [question]


def test_a_question_that_borrowed_its_context_is_answered_by_itself_too() -> None:
    question = "С карты ушло 1 450 ₽ за какой-то сервис, который я не подключал. Как мне это оспорить?"
    reply = ("Оспорить операцию можно в приложении: «История» → операция → «Оспорить операцию».",)
    assert open_questions([question], reply) == []
    assert open_questions([question], ("Мы проверим операцию.",)) == [question]


def test_what_was_left_out_of_the_order_is_named() -> None:
    assert missing_thing("Опять забыли положить соус терияки к заказу 61423.") == "соус терияки"
    assert missing_thing("Заказывал борщ и пельмени, пельменей в пакете не оказалось.") == "пельмени"
    assert missing_thing("Не положили палочки и соевый соус, как есть роллы?") == "палочки и соевый соус"
    assert missing_thing("морс клюквенный в чеке есть, в пакете нет") == "морс клюквенный"
    assert missing_thing("В заказе не хватает двух салатов") == "салаты"
    assert missing_thing("Забыли про нас совсем, ждём второй час") == ""  # nothing left out of a bag
    assert missing_thing("Курьер приехал без звонка, суп холодный") == ""
    assert missing_thing("Заказ привезли без соуса и без приборов, есть было нечем.") == "соус и приборы"
    assert missing_thing("Доставили без салфеток и без хлеба") == "салфетки и хлеб"
    assert missing_thing("Привезли без опоздания, но суп холодный.") == ""  # how it came, not a thing
    assert missing_thing("Заказывала том ям, а привезли суп с курицей.") == ""  # a wrong dish, not a missing one
    # «самый дорогой» is an adjective, not «дорога»: nothing the reply could name
    assert missing_thing("Не положили том ям, а он был самый дорогой в заказе (590р).") == ""
    assert missing_thing("Не положили морс, а он самый вкусный") == "морс"


def test_a_swapped_dish_names_what_was_ordered_and_what_came() -> None:
    assert swapped_dish("Заказывала пасту карбонара, а привезли пасту с грибами.") == (
        "пасту карбонара",
        "пасту с грибами",
    )
    assert swapped_dish("Вместо пиццы пепперони приехала маргарита.") == ("пиццу пепперони", "")
    assert swapped_dish("Привезли том ям вместо борща, который я заказывала.") == ("борщ", "")
    assert swapped_dish("Я заказал борщ и котлеты, а привезли только борщ") == ("", "")  # a missing dish
    assert swapped_dish("Заказала пиццу, привезли через час холодную") == ("", "")  # late and cold, not swapped
    assert swapped_dish("Опять забыли положить соус терияки.") == ("", "")
    assert swapped_dish("Заказала пасту карбонара, а получила котлету с гречкой") == (
        "пасту карбонара",
        "котлету с гречкой",
    )
    assert swapped_dish("Заказал пиццу, а получил промокод на 300 ₽ за опоздание") == ("", "")  # no dish came


def test_the_reply_to_a_swapped_dish_offers_to_bring_the_one_ordered(components: Components) -> None:
    text = drafted(components, "obed-express", "Вместо пиццы пепперони приехала маргарита. Заказ 55120.")
    assert "пиццу пепперони" in text, text
    assert "забыли положить" not in text and "не то или не всё" not in text, text


def test_the_missing_item_is_what_the_reply_offers_to_bring(components: Components) -> None:
    text = drafted(
        components, "obed-express", "Опять забыли положить соус терияки к заказу 61423. Привезите, пожалуйста."
    )
    assert "забыли положить соус терияки" in text and "Довезём соус терияки" in text, text
    assert "не то или не всё" not in text and "нужное блюдо" not in text, text
    wrong = drafted(components, "obed-express", "Заказывала том ям, а привезли суп с курицей. Заказ 61430.")
    assert "забыли положить" not in wrong, wrong


def test_someone_the_app_does_not_let_in_is_told() -> None:
    assert locked_out_of_app(["После обновления приложение не открывается, белый экран."])
    assert locked_out_of_app(["Не могу войти в приложение, пишет ошибку."])
    assert locked_out_of_app(["The app crashes every time I open it."])
    assert not locked_out_of_app(["В приложении не отображается кэшбэк за ноябрь."])
    assert not locked_out_of_app(["Приложение удобное, но медленно грузится."])
    assert not locked_out_of_app(["Не могу дозвониться на горячую линию."])
    named = ["Кедр Онлайн после обновления не пускает: пин ввожу — «ошибка 503»."]
    assert locked_out_of_app(named, about_app=True) and not locked_out_of_app(named)
    assert not locked_out_of_app(["Вылетает ровно на экране оплаты."], about_app=True)  # it opens: a crash, not a lock


def test_someone_the_app_does_not_let_in_is_not_sent_to_its_chat(components: Components) -> None:
    locked = "После обновления приложение не открывается: белый экран. Переустанавливала, не помогло."
    bank = drafted(components, "kedr-bank", locked, Platform.google_play, 1)
    assert "горячую линию" in bank and "через чат в приложении" not in bank, bank
    food = drafted(
        components,
        "obed-express",
        "Не могу войти в приложение, пишет ошибку. Хотела заказать обед.",
        Platform.google_play,
        1,
    )  # on VK its messages reach us: only where the app's chat would be the channel is another way named
    assert "на нашем сайте" in food and "в чат поддержки в приложении" not in food, food
    english = drafted(
        components, "obed-express", "The app crashes every time I open it since the update.", Platform.google_play, 1
    )
    assert "website" in english and "in our app" not in english, english


def test_someone_who_filmed_it_is_asked_for_their_video(components: Components) -> None:
    assert has_footage("Я всё снял на видео.") and has_footage("Фото есть, могу прислать.")
    assert not has_footage("Можно прислать фото?") and not has_footage("Курьер сбил женщину на тротуаре.")
    text = drafted(
        components,
        "obed-express",
        "Сегодня у метро Пролетарская ваш курьер на самокате на полной скорости задел пожилого мужчину, тот упал. "
        "Я всё снял на видео. Курьер даже не остановился!",
    )
    assert "видео или фото" in text and "Если у тебя есть фото" not in text, text


def test_an_earlier_case_the_author_names_is_taken_up_and_its_author_not_sent_to_write_again(
    components: Components,
) -> None:
    text = drafted(
        components,
        "kedr-bank",
        "Моё обращение KB-2411-0222 по переводу висит уже неделю, обещали перезвонить и тишина. "
        "Перезвоните мне сегодня, пожалуйста.",
    )
    assert "KB-2411-0222" in text and "перезвонит" in text, text  # the call asked for, not «напишите нам»
    unasked = drafted(components, "kedr-bank", "Моё обращение KB-2411-0222 по переводу висит уже неделю, ответа нет.")
    assert "KB-2411-0222" in unasked and "ещё раз не нужно" in unasked, unasked


def test_money_that_arrived_is_no_second_problem() -> None:
    brand = load_brand(Path(__file__).resolve().parents[1] / "knowledge" / "brands" / "kedr-bank")
    login = next(p for p in brand.playbooks if p.id == "app_login")
    told = [mention_lemmas("Пенсия пришла, а сделать ничего не могу.")]
    assert second_issue(brand.playbooks, login, told) is None  # «пришла» is no missing cashback


def test_a_reply_wondering_whether_the_author_did_it_is_read_as_asking_again() -> None:
    assert supposed_done("если Вы его уже подали, пожалуйста, сохраните его номер") == {action_key("подать")}
    assert supposed_done("Если новая карта уже заказана, напишите нам") == {action_key("заказать")}
    assert supposed_done("Если появятся вопросы, напишите нам") == frozenset()
    assert action_key("подавать") == action_key("подать")  # «подавайте заявление» to one who «подала заявление»


def test_one_who_filed_the_dispute_is_not_told_to_file_it(components: Components) -> None:
    result = run(
        Mention(
            brand="kedr-bank",
            text="С карты списали 3 операции по 4 990 ₽, которые я не совершала. Карту заблокировала, заявление на "
            "оспаривание подала в отделении на Тверской. Что дальше?",
            platform=Platform.vk,
        ),
        components,
    )
    assert result.draft is not None
    assert "подавайте заявление" not in result.draft.text and "Если Вы уже подали" not in result.draft.text
    assert not result.draft.failed_checks, result.draft.failed_checks


def test_one_who_ordered_the_card_is_not_asked_whether_it_was_ordered(components: Components) -> None:
    text = drafted(
        components, "kedr-bank",
        "Заказал карту 20 ноября, обещали доставить за 5 дней. Сегодня 3 декабря, карты нет, курьер не звонил.",
    )  # fmt: skip
    assert "уже заказана" not in text, text
    assert "напишите нам" in text.lower(), text  # rule 4 keeps its next step


def test_a_code_that_is_not_accepted_is_a_promo_code_problem_not_a_cancelled_order(components: Components) -> None:
    result = ran(components, "obed-express", "Почему не принимается второй промокод? Их что, нельзя совмещать?")
    assert result.draft is not None and result.draft.situation == "promo_not_working", result.draft
    assert "один промокод" in result.draft.text, result.draft.text  # the combining question is answered


def test_a_plea_for_what_to_do_after_a_complaint_is_read_by_the_complaint(components: Components) -> None:
    """«…договор не присылают. Что мне делать?» complains; «Потерял карту в такси. Что делать?» asks
    for help with the author's own mishap."""
    assert without_rhetoric("Договор не присылают. Что мне делать?") == "Договор не присылают."
    assert without_rhetoric("Потерял карту в такси. Что делать?") == "Потерял карту в такси. Что делать?"
    result = complaint_reply(
        components, "kedr-bank",
        "Ипотеку одобрили, но уже две недели не могу получить от менеджера договор на согласование. "
        "Дата сделки 18 декабря. Что мне делать?",
    )  # fmt: skip
    assert result.draft and result.draft.situation in ("mortgage_delay", "manager_unresponsive")


def test_one_whose_mortgage_was_approved_is_not_told_how_long_a_decision_takes(components: Components) -> None:
    text = drafted(
        components, "kedr-bank",
        "Подскажите, сколько действует одобрение по ипотеке? Нам одобрили в феврале, а квартиру ещё ищем.",
    )  # fmt: skip
    assert "90 дней" in text and "Решение по ипотечной заявке" not in text, text
    assert "ипотечный менеджер" not in text, text  # a sentence that shares one word of the question is padding


def test_a_quoted_button_is_no_question_and_is_not_advised_to_one_who_pressed_it(components: Components) -> None:
    text = (
        "Не могу войти второй день. Через «Забыли код?» жду смс — смс не приходит. Написала в чат ночью — "
        "тишина до утра."
    )
    assert asked_questions(text) == []  # the «?» is the button's
    reply = drafted(components, "kedr-bank", text)
    assert "«Забыли код?»" not in reply and "Уточним" not in reply, reply


def test_one_who_sent_the_photo_is_not_asked_for_it(components: Components) -> None:
    assert "photo" in given_items("Фото на весах отправила в поддержку, посмотрим что ответят.")
    assert "photo" not in given_items("Могу прислать фото, если нужно.")  # an offer a reply takes up
    reply = drafted(
        components, "obed-express",
        "Брала боул с лососем, в карточке 320 г. Взвесила дома — 255 г вместе с соусом. Фото на весах отправила в "
        "поддержку, посмотрим что ответят.",
    )  # fmt: skip
    assert "photo" not in requested_items(reply), reply


def test_an_order_that_came_is_not_asked_about_as_still_on_its_way(components: Components) -> None:
    text = drafted(
        components, "obed-express",
        "В пакете не оказалось двух цезарей. Написали в чат в 13:20, довезли только в 15:05, когда обед у всех "
        "уже закончился. Ждать почти два часа в рабочий день — не вариант.",
    )  # fmt: skip
    assert "в пути" not in text, text


def test_a_question_asking_for_another_manager_is_a_request_no_fact_answers(components: Components) -> None:
    """«Можно назначить другого менеджера?» from one whose manager is silent: the request is passed
    on; «контакты менеджера указаны в приложении» would mock it."""
    text = drafted(
        components, "kedr-bank",
        "Мой менеджер по ипотеке не отвечает уже неделю, сделка 15.12. Можно назначить другого менеджера?",
    )  # fmt: skip
    assert "другого менеджера" in text and "указаны в приложении" not in text, text
    assert without_rhetoric("Менеджер молчит неделю. Кто может помочь?") == "Менеджер молчит неделю."


def test_what_is_going_on_after_a_complaint_asks_to_look_into_it(components: Components) -> None:
    """A bare «Что происходит?» is answered by the check the reply promises, not by a fact."""
    assert not asked_questions("Перевод завис, получатель ничего не получил. Что происходит?")
    assert asked_questions("Что происходит с переводами через СБП?")
    result = complaint_reply(
        components, "kedr-bank",
        "Перевод на 15 000 рублей завис, деньги списались, а получатель ничего не получил. Уже два дня прошло. "
        "Что происходит?",
    )  # fmt: skip
    assert result.draft and "комиссия" not in result.draft.text, result.draft.text


def test_of_two_sentences_bearing_as_much_the_one_saying_less_else_is_quoted() -> None:
    fact = Fact(
        id="transfers",
        topic="transfers",
        text={"ru": "Переводы бесплатны до 100 000 рублей в месяц, сверх лимита комиссия 0,5%. Перевод обычно поступает за несколько секунд."},
    )  # fmt: skip
    wanted = frozenset(["перевод", "рубль", "поступить", "деньги"])
    assert fact_excerpt(fact, "ru", wanted, most=1) == "Перевод обычно поступает за несколько секунд."


def test_one_who_already_filed_a_dispute_is_not_told_to_file_it(components: Components) -> None:
    assert filed_dispute(["Заявление на оспаривание уже написала в отделении на Мира."])
    assert filed_dispute(["Оспорила операцию в приложении, жду."])
    assert not filed_dispute(["Написала в чат, как оспорить операцию?"])
    assert not filed_dispute(["Хочу оспорить операцию."])
    text = drafted(
        components, "kedr-bank",
        "Мне позвонили «из службы безопасности», я ничего не сказала и положила трубку, но через час с карты "
        "ушло 12 000. Заявление на оспаривание уже написала в отделении на Мира.",
    )  # fmt: skip
    assert "которое Вы уже подали" in text and "если Вы его уже подали" not in text, text


def test_a_fact_for_a_case_the_author_did_not_tell_is_not_quoted_in_a_complaint(components: Components) -> None:
    """«Если заказ отменили или изменили, блокировку снимает банк» to one charged twice for an order that came."""
    text = drafted(components, "obed-express", "Списали дважды по 890 ₽ за заказ 7731. Заказ привезли один.")
    assert "Если заказ отменили" not in text, text


def test_a_complaint_question_no_fact_shares_a_word_with_is_deferred_not_answered(components: Components) -> None:
    text = drafted(
        components, "obed-express",
        "Почему курьер не поднимается на этаж? Я оплатил доставку, а он звонит и говорит спускаться.",
    )  # fmt: skip
    assert "термосумк" not in text and "в форме с логотипом" not in text, text
    assert "Выясним, почему" in text, text  # a why-question: the deferral promises the reason


def test_a_condition_on_what_others_did_does_not_suppose_the_reader_did_it() -> None:
    assert supposed_done("Если заказ отменили или изменили, блокировку снимает банк.") == frozenset()
    assert supposed_done("если Вы его уже подали, сохраните номер") == {action_key("подать")}
    assert supposed_done("если новая карта уже заказана") == {action_key("заказать")}


def test_a_try_repeated_is_not_the_problem_come_back() -> None:
    assert not happened_before("Смс с кодом не приходит, уже пятый раз запрашиваю.")
    assert not happened_before("Третий раз ввожу код — ошибка.")
    assert not happened_before("Ввожу телефон и карту, приходит смс, опять белый экран.")
    assert happened_before("Заказываю, оплачиваю, опять списали дважды.")
    assert happened_before("Третий раз за неделю не могу войти.")
    assert happened_before("Курьер опоздал уже третий раз за месяц.")


def test_a_sum_that_came_instead_of_another_came_in_part(components: Components) -> None:
    text = drafted(components, "kedr-bank", "Кэшбэк пришёл 150 рублей вместо 600. По условиям 5% на АЗС.")
    assert "не был начислен" not in text and "не полностью" in text, text


def test_a_thing_found_in_the_food_is_the_situation_whatever_is_demanded(components: Components) -> None:
    result = ran(components, "obed-express", "В супе волос. Фото прикладываю. Аппетит пропал, деньги верните.")
    assert result.draft is not None and result.draft.situation == "foreign_object", result.draft
    assert "фото" not in result.draft.text.lower(), result.draft.text  # the author sent it


def test_a_branch_closed_for_good_is_not_answered_as_a_wasted_trip(components: Components) -> None:
    text = drafted(
        components, "kedr-bank", "Закрыли отделение на Пушкина без предупреждения. Теперь ехать через весь город."
    )
    assert "пришли к закрытым дверям" not in text and "Вы приходили" not in text, text


def test_papers_handed_in_are_not_asked_for_again(components: Components) -> None:
    assert "documents" in given_items("Все документы (договоры, 2-НДФЛ) принёс в отделение на Тверской 13.11.")
    assert "documents" not in given_items("Документы готов предоставить.")
    text = drafted(
        components, "kedr-bank",
        "Банк заблокировал счёт по 115-ФЗ ещё 2 ноября. Все справки и договоры принесла в отделение на Ленина 5.11. "
        "Месяц тишины. Пишу жалобу в ЦБ и иду к юристу.",
    )  # fmt: skip
    assert "документы" not in text.lower() and "Благодарим Вас за обращение" not in text, text


def test_what_the_author_tried_counts_as_done_and_is_not_offered_again(components: Components) -> None:
    assert {action_key("пробовать"), action_key("восстановить")} <= done_actions("Пробовала восстановить вход.")
    assert "не_" + action_key("звонить") in done_actions("Не пытался звонить.")
    assert offered_ways("Доступ можно восстановить через «Забыли код?».") == {action_key("восстановить")}
    assert offered_ways("Специалист расскажет, когда можно подать новую заявку.") == frozenset()
    assert offered_ways("Заказать перевыпуск можно в приложении.") == {action_key("заказать")}  # the infinitive first
    text = drafted(
        components, "kedr-bank",
        "С новой версией приложения не могу войти: после ввода кода пустой экран. Пробовала восстановить вход — "
        "снова пустой экран. iPhone 12, iOS 17.",
        Platform.app_store, rating=1,
    )  # fmt: skip
    assert "можно восстановить" not in text, text


def test_a_rule_the_author_stated_is_not_told_back_to_them(components: Components) -> None:
    text = drafted(
        components, "kedr-bank",
        "С новой версией приложения не могу войти: после ввода кода пустой экран. После пяти попыток вход "
        "заблокировали на 30 минут. iPhone 12, iOS 17.",
        Platform.app_store, rating=1,
    )  # fmt: skip
    assert "30 минут" not in text, text


def test_a_question_solved_at_the_branch_is_not_supposed_open(components: Components) -> None:
    text = drafted(
        components, "kedr-bank",
        "Отделение на Садовой, 3. В очереди 10 человек, работало одно окно из трёх. Прождала 50 минут, в итоге "
        "вопрос решили за 5 минут. Почему нельзя открыть все окна утром?",
        Platform.yandex_maps, rating=2,
    )  # fmt: skip
    assert "ещё не решён" not in text and "50 минут" in text, text


def test_a_promise_due_within_a_day_is_late_when_days_have_passed(components: Components) -> None:
    text = drafted(
        components, "obed-express",
        "Заказ 70555 опоздал на 40 минут. Прошло 2 дня, промокода за опоздание нет. Где он?",
    )  # fmt: skip
    assert "должен был прийти" in text and "Промокод придёт" not in text, text
    assert "Промокод придёт" in drafted(components, "obed-express", "Заказ 70555 опоздал на 40 минут. Промокод будет?")


def test_a_question_whether_data_leaked_is_taken_up_by_the_holding_reply(components: Components) -> None:
    result = ran(
        components, "kedr-bank",
        "Звонили «из банка», знали ФИО, последние цифры карты и сумму последней покупки. Я ничего не назвал. "
        "Это значит, что данные клиентов Кедра утекли?",
    )  # fmt: skip
    assert result.draft is not None and result.draft.situation == "data_leak_scam_calls", result.draft
    assert "утечке данных" in result.draft.text and not result.draft.failed_checks, result.draft


def test_a_debit_the_author_did_not_make_is_handed_to_specialists(components: Components) -> None:
    result = ran(
        components, "kedr-bank",
        "Увидела списание 1 200 рублей, которого не делала. Как оспорить операцию? Кэшбэк по этой карте тоже отменят?",
    )  # fmt: skip
    assert result.draft is not None and result.draft.situation == "fraud_unauthorised_debit", result.draft
    assert "кэшбэк не был начислен" not in result.draft.text, result.draft.text


def test_a_question_on_a_subject_no_fact_knows_gets_no_fact_near_in_meaning(components: Components) -> None:
    text = drafted(components, "obed-express", "Оплачу наличкой, у меня только пятитысячная. Курьер сдачу даст?")
    assert "сдач" in text and "форме" not in text and "термосумк" not in text, text


def test_an_allergen_caught_before_eating_gets_no_doctor_advice(components: Components) -> None:
    text = drafted(
        components, "obed-express",
        "Заказ 72001: вместо Цезаря с курицей привезли Цезарь с креветками, а у меня аллергия на морепродукты. "
        "Хорошо, что заметила до того, как съела.",
    )  # fmt: skip
    assert "врач" not in text and "выздоровлени" not in text and "вовремя" in text, text


def test_a_manager_named_near_new_money_is_no_request_for_another_manager(components: Components) -> None:
    result = ran(
        components, "kedr-bank",
        "Оформил вклад «Надёжный» под 18%, а через неделю увидел, что ставка 16%. Менеджер в отделении на Тверской "
        "сказал, что 18% только для новых денег. Почему об этом не сказали сразу?",
    )  # fmt: skip
    assert result.draft is not None and result.draft.situation == "wrong_information", result.draft
    assert "другого менеджера" not in result.draft.text, result.draft.text


def test_a_silent_manager_before_a_deal_date_is_answered_with_the_date(components: Components) -> None:
    text = drafted(
        components, "kedr-bank",
        "Ипотечный менеджер не отвечает уже неделю, сделка назначена на 15 декабря, продавец нервничает. "
        "В чате приложения пишу — прочитано, без ответа. Что делать?",
    )  # fmt: skip
    assert "15 декабря" in text, text
    text = drafted(
        components, "kedr-bank",
        "Ипотеку одобрили 20 октября. Сделка назначена на 12.12, а менеджер пропал: не отвечает ни на звонки, ни в чате.",
    )  # fmt: skip
    assert "12.12" in text and "20 октября" not in text, text


def test_a_question_where_to_dispute_a_payment_is_no_fraud_report(components: Components) -> None:
    result = ran(
        components, "kedr-bank", "Подскажите, где в приложении кнопка, чтобы оспорить операцию? Хочу понять заранее."
    )
    assert "escalate" not in [a.value for a in result.decision.actions], result.decision


def test_a_name_right_after_the_thanks_is_the_employee_thanked(components: Components) -> None:
    text = drafted(
        components, "kedr-bank",
        "Спасибо Марине из отделения на Садовой, 3! Помогла разобраться с переводом за границу, всё объяснила.",
        Platform.two_gis, rating=5,
    )  # fmt: skip
    assert "Марин" in text, text
    assert find_details("Спасибо, Обед Экспресс, за быструю доставку!").get("employee") is None


def test_a_swapped_dish_told_with_its_other_filling_only() -> None:
    assert swapped_dish("Заказывала боул с тунцом, а привезли с курицей.") == ("боул с тунцом", "боул с курицей")
    assert swapped_dish("Заказала пиццу, а привезли с грибами") == ("пиццу", "пиццу с грибами")


def test_one_who_wants_their_own_dish_is_promised_it_not_a_choice(components: Components) -> None:
    text = "Заказывала боул с тунцом, а привезли с курицей. Бонусы не нужны, хочу свой боул, сижу голодная."
    reply = drafted(components, "obed-express", text)
    assert "довезём боул с тунцом" in reply.lower() and "равноценное" not in reply, reply


def test_an_english_author_s_deeds_are_read_and_not_supposed_back() -> None:
    deeds = done_actions("I've ordered a new card at the branch.")
    assert deeds and deeds == done_actions("Ordered a new card on 19 Nov.")
    assert done_actions("I ordered a new card.") & supposed_done("If a new card has already been ordered, write to us")
    assert not done_actions("Red roses for my wife. I need help.")
    assert not done_actions("The courier called me twice.")  # someone else's deed


def test_two_situations_read_equally_weakly_get_the_generic_plan_not_a_wrong_one(components: Components) -> None:
    """«Курьер звонит с чужого номера» reads a little like a courier who cannot find the address and
    a little like an order marked delivered: a reply that names either would be thrown away; the
    generic plan says nothing wrong. («верните старый дизайн приложения», once such a case, now has
    the app-redesign plan of its own.)"""
    redesign = ran(components, "kedr-bank", "верните старый дизайн приложения")
    assert redesign.draft is not None and redesign.draft.situation == "app_redesign", redesign.draft
    assert "банкомат" not in redesign.draft.text.lower(), redesign.draft.text
    courier = drafted(
        components, "obed-express",
        "Почему курьер звонит не со своего номера, а с какого-то странного? Я трубку с незнакомых не беру)",
    )  # fmt: skip
    assert "доставлен" not in courier, courier


def test_a_short_complaint_is_not_thanked_for_its_detail(components: Components) -> None:
    """The generic plan opens with thanks («Благодарим за подробный отзыв…») only for a mention
    long enough to deserve it; a short one goes straight to the sympathy."""
    for brand, text in [
        ("kedr-bank", "Почему у вас такой странный шрифт в выписке?"),
        ("obed-express", "Курьер звонит с какого-то странного номера, я не беру трубку"),
    ]:
        result = ran(components, brand, text)
        assert result.draft is not None and result.draft.situation is None, (text, result.draft)
        assert "Благодар" not in result.draft.text and "Спасибо" not in result.draft.text, result.draft.text


def test_a_fraud_story_told_as_praise_of_how_it_was_handled_is_thanked_not_held(components: Components) -> None:
    result = ran(
        components, "kedr-bank",
        "Позвонили якобы из службы безопасности, просили код. Я сбросила и перезвонила на горячую линию. "
        "Оператор Марина всё проверила, карта в порядке. Спасибо за спокойствие!",
    )  # fmt: skip
    assert result.decision.actions == [Action.reply], result.decision
    assert result.draft is not None and "Марин" in result.draft.text, result.draft
    held = ran(
        components, "kedr-bank",
        "Позвонили якобы из службы безопасности, я продиктовала код, и с карты списали 40 000. Что теперь делать?",
    )  # fmt: skip
    assert Action.escalate in held.decision.actions, held.decision


def test_a_street_after_a_staff_word_is_no_employee_to_thank(components: Components) -> None:
    reply = drafted(
        components, "obed-express",
        "Love the couriers who work on Nevsky — always on time and polite. The pelmeni are great too.",
    )  # fmt: skip
    assert "Nevsky hears" not in reply and "to Nevsky" not in reply, reply


def test_a_verb_of_the_story_is_no_thing_praised() -> None:
    """«забрал(а)» reads as «забрало» (a visor) once a noun is looked for: «Спасибо за добрые
    слова про забрала!» thanked a review that praised a quick card pickup."""
    points = review_points("Перевыпустили карту за пять дней, забрала в отделении за 10 минут. Очень удобно!")
    assert not any("забрал" in thing for thing in points.praised), points


def test_a_google_maps_review_is_answered_formally(components: Components) -> None:
    reply = drafted(
        components, "obed-express", "Заказ привезли на 40 минут позже, суп остыл.", Platform.google_maps, rating=2
    )
    assert reply.startswith("Здравствуйте") and "Вам" in reply and "Привет" not in reply and "тебе" not in reply, reply


def test_a_short_story_with_its_figures_is_not_asked_to_be_told_again(components: Components) -> None:
    """Sixteen words that give the rate before and after have told what happened: the reply
    takes up every point instead of asking «опишите ситуацию»."""
    text = "ну спасибо, кедр банк, удружили: ставка по накопительному была 16, стала 11. щедрость невероятная, аж прослезился"
    result = run(Mention(brand="kedr-bank", text=text, platform=Platform.vk), components)
    assert result.decision.reply_mode is ReplyMode.negative, result.classification
    assert "опишите" not in result.draft.text and "что случилось" not in result.draft.text, result.draft.text
    rant = "Худший банк из всех, где я был. Всё через одно место, никому ничего не надо. Бегите отсюда."
    asked = run(Mention(brand="kedr-bank", text=rant, platform=Platform.vk), components).draft.text
    assert "каждый пункт" not in asked and re.search("опишите|что случилось", asked), asked  # as long, told nothing


def test_price_rises_rate_cuts_and_missing_codes_follow_plans_of_their_own(components: Components) -> None:
    """Everyday complaints the early playbooks had no plan for once read as the nearest one: a
    dearer menu as a light portion («пришлите фото на весах»), a savings-rate cut as a refused
    loan, codes that never arrive as a forgotten app password."""
    cases = {
        ("obed-express", "Шаурму убрали из меню, а боул подорожал на сотню. Ну и зачем так делать?"): (
            "price_or_menu_change",
            "весах",
        ),
        ("kedr-bank", "Снизили ставку по накопительному счёту, а уведомление я даже не заметила. Неприятно."): (
            "terms_changed",
            "отказ",
        ),
        ("kedr-bank", "Третий день не приходят смс с кодом, ничего не могу оплатить онлайн. Что у вас там?"): (
            "sms_code_missing",
            "Забыли код",
        ),
    }
    for (brand, text), (situation, wrong_plan) in cases.items():
        draft = complaint_reply(components, brand, text).draft
        assert draft is not None and draft.situation == situation, (text, draft)
        assert wrong_plan not in draft.text, draft.text


def test_a_payment_run_twice_and_a_torn_seal_are_named_by_their_own_words(components: Components) -> None:
    """«кассир провела ещё раз… две одинаковые операции» is a double charge without «дважды» (it
    read as a guess between two plans, so the generic one); a torn seal on the bag has a plan of
    its own (it was answered as a leak: «разберёмся, почему он протёк в дороге»)."""
    cases = {
        ("kedr-bank", "В Магните на Садовой расплатилась за продукты на 1 870 ₽, терминал подвис, и кассир провела ещё "
         "раз. Теперь в приложении две одинаковые операции по 1 870. Магазин кивает на банк, банк на магазин."): (
            "double_charge", "Уточните"
        ),
        ("obed-express", "Пакет привезли с порванной наклейкой-пломбой, курьер сказал «сама отклеилась». Я его не взяла."): (
            "broken_seal", "протёк"
        ),
    }  # fmt: skip
    for (brand, text), (situation, wrong) in cases.items():
        draft = complaint_reply(components, brand, text).draft
        assert draft is not None and draft.situation == situation, (text, draft)
        assert wrong not in draft.text, draft.text


@pytest.mark.parametrize(
    ("text", "situation"),
    [
        ("Вклад на полгода под 17% закончился и сам продлился под 11%. Хотела снять деньги, теперь потеряю проценты.",
         "deposit_problem"),
        ("Без моего заявления подключили пакет «Кедр Плюс» за 399 в месяц: якобы я согласилась по телефону. Не соглашалась!",
         "imposed_product"),
        ("Заказала обратный звонок на 11:00 по вопросу кредита. Никто не перезвонил, заказала ещё раз — снова тишина.",
         "support_unreachable"),
    ],
)  # fmt: skip
def test_everyday_bank_complaints_follow_their_own_plan(components: Components, text: str, situation: str) -> None:
    result = ran(components, "kedr-bank", text)
    assert result.draft is not None and result.draft.situation == situation, result.draft


def test_a_renewed_deposit_is_checked_not_answered_with_deposit_insurance(components: Components) -> None:
    text = drafted(
        components, "kedr-bank", "Мой вклад автоматически пролонгировали под 10% вместо 16%, меня никто не спросил."
    )
    assert "страхования вкладов" not in text and re.search(r"провер\w+(?: Ваш вклад|, как обслуживался)", text), text


def test_a_code_that_arrives_is_no_code_that_never_arrives(components: Components) -> None:
    """«приходит смс, ввожу — снова экран входа»: the code comes, the app fails; not «коды не приходят»."""
    locked = ran(
        components,
        "kedr-bank",
        "После обновления не зайти в приложение: приходит смс с кодом, ввожу — белый экран и выкидывает. Карта и телефон "
        "верные.",
    )
    assert locked.draft is not None and locked.draft.situation != "sms_code_missing", locked.draft
    assert "не приходят" not in locked.draft.text, locked.draft.text
    missing = ran(
        components, "kedr-bank", "Третий день не приходит смс с кодом для входа, жму «отправить ещё раз» — ничего."
    )
    assert missing.draft is not None and missing.draft.situation == "sms_code_missing", missing.draft


def test_a_cancellation_is_answered_by_the_status_the_author_gives(components: Components) -> None:
    """While «Принят» the order is cancelled free now; once «Готовится» support decides, and we chase it."""
    early = ran(
        components, "obed-express", "Передумала через пару минут после оплаты, статус ещё «Принят». Как отменить?"
    )
    assert early.draft is not None and early.draft.situation == "order_cancelled_by_customer", early.draft
    assert "без списания" in early.draft.text and "поторопим" not in early.draft.text, early.draft.text
    late = ran(
        components,
        "obed-express",
        "Отменила заказ через две минуты, а статус уже был «Готовится», списали 1 150 ₽. Отмену рассматривают третий день.",
    )
    assert late.draft is not None and late.draft.situation == "order_cancelled_by_customer", late.draft
    assert "поддержка" in late.draft.text and "прямо сейчас" not in late.draft.text, late.draft.text
    assert "приехал так поздно" not in late.draft.text


def test_points_that_ran_out_their_term_are_explained_not_hunted_as_a_glitch(components: Components) -> None:
    expired = drafted(
        components,
        "obed-express",
        "Копил баллы полгода, было 380, сегодня смотрю — ноль, сгорели. Никто не предупредил.",
    )
    assert "180 дней" in expired and "сбо" not in expired and "не должны" not in expired, expired
    vanished = drafted(components, "obed-express", "Пропали все баллы после обновления приложения, было 520. Где они?")
    assert "сбо" in vanished, vanished  # points gone after an update are looked for


def test_a_brands_own_condition_is_told_by_its_phrase_quotes_and_all() -> None:
    from assistant.text.situation import tells_phrase

    assert tells_phrase("статус пока «Принят», передумала", ["статус пока «принят»"])
    assert not tells_phrase("статус не принят", ["принят"])
    assert not tells_phrase("статус «Готовится»", ["статус «принят»"])
    assert tells_phrase("Смотрю — ноль. Оказывается, сгорели.", ["сгорели"])
    assert not tells_phrase("Было 612, стало 240 — пишут «сгорели». Как?", ["сгорели"])  # support's word, disputed


def test_a_promo_code_the_author_says_never_came_is_not_promised_if_it_does_not_come(components: Components) -> None:
    text = drafted(
        components,
        "obed-express",
        "Заказ 48810 оформил в 18:05, обещали к 19:00, привезли в 20:10. Промокод за опоздание, который якобы приходит "
        "сам, так и не пришёл.",
    )
    assert "не придёт" not in text and "так и не пришёл" in text, text


def test_an_address_the_app_puts_outside_the_zone_is_checked_not_taken_for_an_app_crash(components: Components) -> None:
    result = ran(
        components,
        "obed-express",
        "Живу в Кудрово, новостройка. Приложение пишет «вне зоны доставки», а в соседний дом вы возите каждый день.",
    )
    assert result.draft is not None and result.draft.situation == "address_out_of_zone", result.draft
    assert "входят в нашу зону доставки" in result.draft.text and "разработчик" not in result.draft.text


def test_an_allergen_served_despite_the_note_is_escalated_though_a_fear_ends_in_a_question(
    components: Components,
) -> None:
    """«…а если бы нет?» imagines the harm; it asks nothing, so the allergen report is a health matter."""
    text = (
        "В комментарии написала: без кунжута, у дочки аллергия. В роллах кунжут. Хорошо что я всё проверяю, "
        "а если бы нет? Заказ 40117."
    )
    assert asked_questions(text) == []
    result = ran(components, "obed-express", text)
    assert Action.escalate in result.decision.actions, result.decision
    assert result.draft is not None and result.draft.situation == "allergy_reaction", result.draft
    assert "врач" not in result.draft.text and "вовремя" in result.draft.text, result.draft.text


def test_what_was_left_out_leads_when_the_chat_about_it_went_quiet(components: Components) -> None:
    """A clock time («в 19:40») is one clause; the missing dish is what the author still waits for."""
    result = complaint_reply(
        components, "obed-express",
        "Заказ 51102. Не положили пиццу и сок. Написала в чат в 18:20, ответили «передали на кухню» и тишина. "
        "Уже 19:30, я всё ещё жду.",
    )  # fmt: skip
    assert result.draft is not None and result.draft.situation == "wrong_or_missing_item", result.draft


def test_an_order_the_author_already_cancelled_is_not_to_be_cancelled_again(components: Components) -> None:
    result = complaint_reply(
        components, "obed-express",
        "Отменила заказ сразу, статус ещё «принят» был. 1 240 ₽ так и висят заблокированными на карте пятый день.",
    )  # fmt: skip
    text = result.draft.text if result.draft else ""
    assert result.draft is not None and result.draft.situation == "order_cancelled_by_customer", result.draft
    assert "отменить" not in text and "отменим" not in text and "3 рабочих дней" in text, text


@pytest.mark.parametrize(
    "text",
    [
        "После последнего обновления приложение вылетает при оплате. Удалил и поставил заново — то же самое.",
        "The app crashes at checkout since the latest update, reinstalled it twice.",
    ],
)
def test_one_who_updated_the_app_is_not_told_to_update_it(components: Components, text: str) -> None:
    for seed in range(8):  # the variant is picked by the mention's id: several ids meet every next step
        result = run(Mention(id=f"m-{seed}", brand="obed-express", text=text, platform=Platform.vk), components)
        assert result.draft is not None and result.draft.situation == "app_failure", result.draft
        told = result.draft.text
        assert "обнови" not in told.lower() and "update the app" not in told, told


def test_an_order_that_showed_up_late_is_not_asked_about_as_still_on_its_way(components: Components) -> None:
    text = "Ordered at 7pm, the app said 40 min, it showed up at 9:15. Rice was cold. Not impressed."
    for seed in range(6):
        result = run(Mention(id=f"m-{seed}", brand="obed-express", text=text, platform=Platform.twitter), components)
        assert result.draft is not None, result.decision
        assert "still on its way" not in result.draft.text, result.draft.text


def test_photos_sent_to_support_are_a_contact_not_an_unanswered_chat(components: Components) -> None:
    """Support answered with an offer («предложили 50 баллов»): the author wrote to us, and no
    second problem says support kept silent."""
    text = (
        "Взвесила салат — 180 грамм вместо 250 в карточке. Фото отправила в поддержку, предложили 50 баллов. "
        "Пятьдесят. Баллов."
    )
    assert contacted_us(text, done_actions(text), mention_lemmas(text))
    result = complaint_reply(components, "obed-express", text)
    assert result.draft is not None and "не отвечал" not in result.draft.text, result.draft.text


def test_an_order_sent_to_the_author_is_our_act_not_theirs() -> None:
    """«Мне отправили не тот заказ»: a plural «отправили» is no contact of the author's, though
    «фото отправила в поддержку» is one."""
    assert action_key("отправить") not in done_actions("Мне отправили не тот заказ.")
    text = "Фото отправила в поддержку, предложили 50 баллов."
    assert contacted_us(text, done_actions(text), mention_lemmas(text))
