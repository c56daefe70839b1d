"""The author's own details said back once and rightly: a named employee, a patronymic, the order number."""

import re

from assistant.draft import first_name, signs_with_patronymic
from assistant.models import Mention, Platform
from assistant.pipeline import Components, run
from assistant.text.situation import find_details, named_device
from tests.drafts import ran


def test_a_name_a_few_words_after_a_staff_word_is_the_employee():
    assert find_details("Хочу поблагодарить оператора горячей линии Дмитрия.")["employee"].text == "Дмитрий"
    assert find_details("Спасибо сотруднице Екатерине из отделения на Тверской.")["employee"].text == "Екатерина"
    assert "employee" not in find_details("Оператор сказал ждать. Дмитрий Петрович, мой сосед, тоже ждал.")


def test_an_employee_named_with_a_patronymic_is_thanked_by_it(components: Components) -> None:
    text = (
        "Хочу отметить управляющую отделением на Ленинском, 45 Наталью Андреевну. Вопрос со счётом, "
        "который я неделю не мог решить по телефону, она решила за 20 минут."
    )
    assert find_details(text)["employee"].text == "Наталья Андреевна"
    mention = Mention(brand="kedr-bank", text=text, platform=Platform.yandex_maps, rating=5, author_name="Геннадий")
    draft = run(mention, components).draft
    assert "Наталье Андреевне" in draft.text, draft.text
    assert "employee" not in find_details("С уважением, Ольга Петровна, менеджер проекта.")


def test_a_patronymic_the_author_signs_with_is_kept_in_the_greeting():
    assert first_name("Галина Петровна") == "Галина Петровна"
    assert first_name("Алексей К.") == "Алексей"
    assert first_name("Ирина Соколова") == "Ирина"
    assert signs_with_patronymic("Галина Петровна") and not signs_with_patronymic("Ирина Соколова")


def test_a_couple_is_greeted_by_both_names_and_not_as_a_patronymic_signer():
    assert first_name("Михаил и Юлия Соколовы") == "Михаил и Юлия"
    assert not signs_with_patronymic("Михаил и Юлия Соколовы")


def test_a_language_or_a_weekday_is_no_employee_name():
    assert "employee" not in find_details("Great branch: the manager spoke English and helped me set up the app.")


def test_a_latin_handle_is_greeted_by_the_russian_name_it_spells():
    assert first_name("Kseniya_T") == "Ксения"
    assert first_name("tatyana.vl") == "Татьяна"
    assert first_name("Daria K") == "Дарья"
    assert first_name("Igor_P") == "Игорь"
    assert first_name("denis_k88") == "Денис"
    assert first_name("Kseniya_T", "en") == "Kseniya"


def test_a_handle_that_spells_no_name_is_not_greeted():
    assert first_name("kotik2000") is None
    assert first_name("user12345") is None
    assert first_name("anonymous") is None
    assert first_name("Love_Sushi") is None and first_name("ExpatInSPb") is None
    assert first_name("John_Smith") is None  # no Russian name: a Russian reply greets no one
    assert first_name("John_Smith", "en") == "John"  # an English reply greets a name as written


def test_a_reply_in_russian_greets_a_latin_handle_in_cyrillic(components: Components) -> None:
    text = "После обновления приложение закрывается при входе, третий день не могу оплатить коммуналку. Pixel 7."
    mention = Mention(brand="kedr-bank", text=text, platform=Platform.google_play, rating=1, author_name="Tatiana_Vl")
    result = run(mention, components)
    assert result.draft is not None and "Татьяна" in result.draft.text, result.draft and result.draft.text
    assert "Tatiana" not in result.draft.text


def test_thanks_reach_the_employee_named_after_their_role(components: Components) -> None:
    text = "Хочу поблагодарить оператора горячей линии Дмитрия: помог с зависшим переводом, всё объяснил спокойно."
    result = run(Mention(brand="kedr-bank", text=text, platform=Platform.otzovik, rating=5), components)
    assert result.draft is not None and "Дмитрию" in result.draft.text, result.draft and result.draft.text


def test_a_delivery_brand_thanks_a_named_manager_not_the_kitchen(components: Components) -> None:
    text = "Третий месяц берём обеды на весь отдел, менеджер Светлана каждый раз подбирает меню и пересчитывает порции. Спасибо!"
    result = run(Mention(brand="obed-express", text=text, platform=Platform.yandex_maps, rating=5), components)
    assert result.draft is not None and "Светлане" in result.draft.text, result.draft and result.draft.text
    assert "шеф-повар" not in result.draft.text


def test_a_tight_platform_limit_keeps_the_phrase_that_names_what_was_missing(components: Components) -> None:
    """Google Play allows 350 characters: the short variants that still name the missing thing come first."""
    text = "Взяла лапшу вок и компот, компота в пакете не оказалось, хотя в чеке он есть. Курьер при этом приятный."
    result = run(Mention(brand="obed-express", text=text, platform=Platform.google_play, rating=2), components)
    assert result.draft is not None and "компот" in result.draft.text, result.draft and result.draft.text
    assert len(result.draft.text) <= 350


def test_the_order_number_is_given_once_in_a_reply(components: Components) -> None:
    text = "Заказ 61999. Заказывала лапшу с говядиной, привезли с курицей, хотя на пакете мой номер."
    result = run(Mention(brand="obed-express", text=text, platform=Platform.yandex_maps, rating=2), components)
    assert result.draft is not None
    assert result.draft.text.count("61999") == 1, result.draft.text


def test_a_thank_you_does_not_say_the_same_word_twice(components: Components) -> None:
    """Among equally fitting phrases the drafter takes the one whose words the reply has not used yet."""
    for text in (
        "Полгода заказываю обеды на работу, ни одного опоздания. Плов всегда одинаково вкусный. Рекомендую.",
        "Очень вкусные сырники и том ям, заказываю уже не первый раз.",
    ):
        for platform in (Platform.otzovik, Platform.vk):
            result = run(Mention(brand="obed-express", text=text, platform=platform, rating=5), components)
            assert result.draft is not None
            assert result.draft.text.lower().count("приятн") <= 1, result.draft.text


def test_an_author_who_told_the_story_is_not_asked_what_happened(components: Components) -> None:
    text = (
        "Раньше заказывала у вас каждую неделю и всем советовала. Последние два месяца всё хуже: блюда стали безвкусные, "
        "доставка то через час, то через два, в поддержке вежливо отвечают, но ничего не меняется. Очень жаль."
    )
    result = run(Mention(brand="obed-express", text=text, platform=Platform.otzovik, rating=2), components)
    assert result.draft is not None
    assert "что случилось" not in result.draft.text, result.draft.text
    assert not result.draft.failed_checks, result.draft.failed_checks


def test_the_phone_and_app_version_named_are_read_and_a_date_is_not():
    assert named_device("После обновления до 5.3.1 на iphone 12 всё пропало") == "на iPhone 12 в версии 5.3.1"
    assert named_device("Приложение глючит. Android, версия 6.1.") == "в версии 6.1"
    assert named_device("The app crashes on my Pixel 7", "en") == "on Pixel 7"
    assert named_device("Перевод от 25.11.2026 так и не дошёл") is None


def test_an_app_failure_is_passed_on_with_the_phone_the_author_named(components: Components) -> None:
    """The developers look for the bug where it happened: a reply that names the phone shows it
    was read; of the variants, the one naming the device says the most, whatever the hash."""
    text = "После обновления до 6.2.0 на iPhone 13 приложение вылетает при оплате. Невозможно заказать!"
    result = run(Mention(brand="obed-express", text=text, platform=Platform.vk), components)
    assert result.draft is not None and "на iPhone 13 в версии 6.2.0" in result.draft.text, result.draft


def test_an_author_who_signs_with_a_patronymic_is_addressed_formally(components: Components) -> None:
    """The delivery brand says «ты» on VK; to «Елена Викторовна» that reads as mockery."""
    text = "Заказывали на юбилей сет из 40 роллов, соус не положили. Курьер приехал на час позже."
    formal = run(
        Mention(brand="obed-express", text=text, platform=Platform.vk, author_name="Елена Викторовна"), components
    )
    plain = run(
        Mention(brand="obed-express", text=text + " Ужас.", platform=Platform.vk, author_name="Лена"), components
    )
    assert formal.draft is not None and plain.draft is not None
    assert formal.draft.text.startswith("Здравствуйте, Елена Викторовна!"), formal.draft.text
    assert not re.search(r"\b(ты|тебе|тебя|твой|твоя|твоё|твои)\b", formal.draft.text.lower()), formal.draft.text
    assert plain.draft.text.startswith("Привет, Лена!"), plain.draft.text


def test_a_queue_told_without_a_figure_is_passed_to_the_branch_manager(components: Components) -> None:
    """No «Мы внимательно прочитали, как прошёл Ваш визит в отделение»: the feedback goes to the
    branch's manager (the bank's own rule), and «визит в отделение» is said once at most."""
    result = ran(components, "kedr-bank", "Отделение на Ленинском: одно окно из пяти, народу толпа, ушла ни с чем.")
    assert result.draft is not None and result.draft.situation == "branch_queue", result.draft
    assert "руководителю отделения" in result.draft.text, result.draft.text
    assert result.draft.text.count("визит") <= 1, result.draft.text


def test_hours_sat_in_a_branch_are_a_wait() -> None:
    assert find_details("В отделении просидела час сорок ради одной справки.")["wait"].minutes == (100, 100)


def test_a_courier_who_left_the_order_is_named_as_the_author_named_him(components: Components) -> None:
    for seed in range(4):
        result = run(
            Mention(
                id=f"m-{seed}", brand="obed-express", platform=Platform.vk,
                text="Курьер (в приложении Тимур) оставил пакет у двери подъезда и уехал, хотя я просила поднять на 5 этаж.",
            ),
            components,
        )  # fmt: skip
        assert result.draft is not None and result.draft.situation == "courier_left_at_door", result.draft
        assert "Тимур" in result.draft.text, result.draft.text
