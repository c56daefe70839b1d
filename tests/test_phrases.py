"""What a review praised and its remark, in the case a reply says them back (pymorphy3)."""

from pathlib import Path

import pytest
from pydantic import ValidationError

from assistant.models import Platform, VoiceOverride
from assistant.text.phrases import plus_and_minus, review_points, thanked_for_a_defect
from knowledge.brands import load_brand

BRANDS = Path(__file__).resolve().parents[1] / "knowledge" / "brands"


def test_praised_things_come_back_in_the_accusative():
    points = review_points("Лучшая пицца в городе! Отслеживание курьера на карте очень удобное.")
    assert points.praised == ["пиццу", "отслеживание"]
    assert points.remark is None


def test_the_remark_is_kept_apart_from_the_praise():
    points = review_points("Бизнес-ланчи за 390 ₽ честно сытные. Из минусов — маловато вегетарианских позиций.")
    assert points.praised == ["бизнес-ланчи"]
    assert points.remark == "вегетарианские позиции"


def test_an_abbreviation_keeps_its_capitals_and_a_shouted_review_does_not():
    assert review_points("Приложение удобное. Минус один — нельзя сменить ПИН в приложении.").remark == "ПИН"
    assert review_points("Удобное приложение, но нет QR-оплаты.").remark == "QR-оплаты"
    assert review_points("ОТЛИЧНОЕ ПРИЛОЖЕНИЕ, но нет тёмной темы.").praised == ["отличное приложение"]


def test_a_remark_named_as_one_wins_over_a_but():
    """«…но сами прислали промокод» is praise with a «но»; «из пожеланий — …» is the remark."""
    points = review_points(
        "Любимое — тыквенный крем-суп. Один раз опоздали на час, но сами прислали промокод. "
        "Из пожеланий — добавьте побольше блюд без глютена."
    )
    assert points.praised == ["тыквенный крем-суп"]
    assert points.remark == "блюда без глютена"


def test_only_the_only_minus_is_a_remark_and_a_remark_is_about_no_time_or_trifle():
    """«единственная доставка, которая сюда возит» praises; «единственное, что…» remarks. «В обеденный
    пик приложение тупит, но это мелочи»: neither the rush hour nor the trifle is the remark's thing."""
    praise = "Живу в Мурино, и это единственная доставка, которая сюда нормально возит. Рекомендую."
    assert plus_and_minus(praise)[1] is None and review_points(praise).remark is None
    assert plus_and_minus("Суп вкусный. Единственное, что огорчило — курьер опоздал.")[1] is not None
    remark = review_points("Супы вкусные. Из минусов — в обеденный пик приложение иногда тупит, но это мелочи.").remark
    assert remark is not None and "пик" not in remark and "мелоч" not in remark, remark
    starred = review_points("Приложение удобное. Минус звезда за тёмную тему, она до сих пор кривая.")
    assert starred.remark == "тёмную тему"  # what the star is taken for; «до сих пор» names no thing


def test_an_adjective_agrees_with_its_noun_after_inflection():
    assert review_points("Очень понравилась сырная лепёшка.").praised == ["сырную лепёшку"]


def test_people_places_time_and_the_brand_are_not_praised_things():
    points = review_points(
        "Спасибо менеджеру Дмитрию! Вечер на Павелецкой прошёл отлично, Обед Экспресс лучший.",
        brand_words=frozenset(["обед", "экспресс"]),
    )
    assert points.praised == []


def test_a_sentence_without_praise_names_nothing():
    assert review_points("Курьер поднялся на девятый этаж под дождём.").praised == []


def test_an_unknown_word_in_an_oblique_case_is_not_guessed():
    assert review_points("Пользуюсь кэшбэком уже год, очень удобно.").praised == []


def test_a_crisis_gets_the_formal_voice_on_any_platform():
    voice = load_brand(BRANDS / "obed-express").voice
    assert voice.resolve(Platform.vk, "ru").address.value == "ты"
    crisis = voice.resolve(Platform.vk, "ru", crisis=True)
    assert crisis.address.value == "Вы"
    assert crisis.greeting.startswith("Здравствуйте")
    assert crisis.emoji.value == "none"


def test_an_override_for_an_unknown_situation_is_refused():
    with pytest.raises(ValidationError, match="only «crisis»"):
        VoiceOverride(when={"situation": "holiday"}, set={"emoji": "none"})


def test_praised_things_keep_their_number_and_whose_they_are():
    points = review_points("За месяц выбрал категории кэшбэка за 30 секунд. Единственное — не хватает виджета баланса.")
    assert points.praised == ["категории кэшбэка"]  # not «категорию»: the author chose several
    assert points.remark == "виджет баланса"


def test_praise_with_no_thing_named_names_the_quality_or_the_portion() -> None:
    points = review_points("Вкусно, порции большие, но доставка в этот раз шла полтора часа.")
    assert points.praised == ["вкус", "порции"]
    assert review_points("Вкусно и быстро.").praised == ["вкус и скорость"]
    assert review_points("Очередь большая, ждала час.").praised == []  # big is praise for a portion only


def test_a_sentence_opening_with_только_turns_to_the_minus() -> None:
    assert review_points("Очень быстро привезли, спасибо! Только соус забыли положить.").remark == "соус"
    assert review_points("Только что привезли, всё горячее!").remark is None


def test_every_thing_a_list_praises_is_kept_with_its_own_praise_word():
    points = review_points("Понравились сырники, свежий салат и горячий суп!")
    assert points.praised == ["сырники", "свежий салат", "горячий суп"]
    assert review_points("Вкусный борщ, горячие пельмени и курьер очень вежливый.").praised == [
        "вкусный борщ",
        "горячие пельмени",  # «горячие» is the dumplings' adjective, not «горячее»
    ]


def test_what_a_deed_was_done_to_or_where_it_happened_is_not_praised():
    thanked = "Хочу отметить оператора поддержки Анну — быстро разобралась с моим промокодом и вернула баллы."
    assert review_points(thanked).praised == []
    assert review_points("Курьер помог донести заказ до пятого этажа, очень приятно.").praised == []
    # a quick deed praises what it was done to
    assert review_points("Открыл вклад за пять минут, удобно.").praised == ["вклад"]


def test_what_the_author_thanked_for_stays_as_written():
    assert review_points("Отдельное спасибо повару за идеальный рамен.").praised == ["идеальный рамен"]


def test_things_joined_after_a_praise_verb_are_all_praised():
    assert review_points("Обожаю ваши сырники и борщ, но сегодня суп протёк.").praised == ["сырники", "борщ"]
    assert review_points("Понравились роллы и суп.").praised == ["роллы", "суп"]
    # the praise is the second clause's: the first only lists what was ordered
    assert review_points("Заказал роллы и суп, роллы вкусные.").praised == ["роллы"]


def test_thanks_for_a_defect_is_sarcasm_and_thanks_in_cold_weather_or_with_a_but_is_not():
    assert thanked_for_a_defect("Спасибо за новое блюдо в меню: ледяной борщ 👏") == "ледяной"
    assert thanked_for_a_defect("thanks for the cold soup lol") == "cold"
    assert thanked_for_a_defect("Спасибо курьеру за доставку в холодную погоду!") is None
    assert thanked_for_a_defect("Спасибо за суп, но он был холодный") is None  # a mixed review
