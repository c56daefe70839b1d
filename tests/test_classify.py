"""The offline classifier: its data split, its lexicons and its behaviour on clear cases."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.classify import plain_question
from assistant.config import REPO_ROOT
from assistant.cues import detect_language, find_specifics
from assistant.models import Mention, NegativeKind, Register, RiskFlag, Sentiment
from assistant.pipeline import Components
from knowledge.embeddings import Embedder
from knowledge.labelled import load_labelled, split

SHARED = REPO_ROOT / "knowledge" / "shared"


def test_shared_set_is_large_bilingual_and_complete() -> None:
    examples = load_labelled(SHARED)
    assert len(examples) >= 400
    languages = [e.language for e in examples]
    assert languages.count("ru") >= 200 and languages.count("en") >= 100
    assert {e.kind for e in examples if e.sentiment is Sentiment.negative} == set(NegativeKind)
    assert len({e.id for e in examples}) == len(examples)


def test_heldout_split_is_disjoint(embedder: Embedder) -> None:
    """No held-out mention has a near-twin in training (embedding cosine ≥ 0.9)."""
    training, heldout = split(load_labelled(SHARED))
    assert 0.12 <= len(heldout) / (len(training) + len(heldout)) <= 0.28
    assert not {e.id for e in training} & {e.id for e in heldout}
    train_vectors = embedder.embed([e.text for e in training])
    heldout_vectors = embedder.embed([e.text for e in heldout])
    closest = (heldout_vectors @ train_vectors.T).max(axis=1)
    twins = [(heldout[i].text, float(closest[i])) for i in np.flatnonzero(closest >= 0.9)]
    assert not twins


def test_training_never_sees_heldout(components: Components) -> None:
    _training, heldout = split(load_labelled(SHARED))
    stored = components.store.examples(["_shared"])
    assert not {e.id for e in stored.labels} & {e.id for e in heldout}


@pytest.mark.parametrize(
    ("text", "rating", "sentiment"),
    [
        ("Курьер привёз всё горячим и раньше времени, спасибо большое!", 5, Sentiment.positive),
        ("Заказ 48213 опоздал на два часа, суп холодный, поддержка молчит.", 1, Sentiment.negative),
        ("Подскажите, до скольки вы работаете в субботу?", None, Sentiment.neutral),
        ("Terrible service, my order never arrived and nobody answers the phone.", None, Sentiment.negative),
        # a failure told plainly, without a word of feeling, is still a complaint
        ("Вместо сырников привезли блины.", None, Sentiment.negative),
        ("Промокод на доставку исчез из приложения.", None, Sentiment.negative),
        ("Курьер приехал за 25 минут, суп горячий", None, Sentiment.positive),
        ("Кэшбэк за ноябрь начислили обычный процент, хотя категория кафе у меня на 5 %.", None, Sentiment.negative),
        ("Отдайте мои деньги за отменённый заказ", None, Sentiment.negative),
    ],
)
def test_clear_sentiments(components: Components, text: str, rating: int | None, sentiment: Sentiment) -> None:
    brand = components.store.load_brand("obed-express")
    result = components.classifier.classify(
        Mention(brand="obed-express", text=text, rating=rating), brand, components.store.embedder.embed_one(text)
    )
    assert result.sentiment is sentiment, result


def test_constructive_emotional_and_topics(components: Components) -> None:
    text = "Заказ 48213 привезли через ДВА ЧАСА!!! Курьер нахамил, суп ледяной!!! Это просто позор!!!"
    brand = components.store.load_brand("obed-express")
    result = components.classifier.classify(
        Mention(brand="obed-express", text=text), brand, components.store.embedder.embed_one(text)
    )
    assert result.kind is NegativeKind.constructive
    assert result.register is Register.emotional
    assert "delivery" in result.topics or "courier" in result.topics
    assert "48213" in result.rationale


@pytest.mark.parametrize(
    ("text", "flag"),
    [
        ("После вашего салата всю ночь рвота, вызывали скорую", RiskFlag.health),
        ("Подаю иск в суд и жалобу в Роспотребнадзор", RiskFlag.legal),
        ("I'll find your courier and hurt him", RiskFlag.threat),
    ],
)
def test_risk_flags(components: Components, text: str, flag: RiskFlag) -> None:
    result = components.classifier.classify(
        Mention(brand="obed-express", text=text), None, components.store.embedder.embed_one(text)
    )
    assert flag in result.risk_flags


def test_innocent_words_raise_no_risk(components: Components) -> None:
    text = "Посуда одноразовая, но удобная. Искренне спасибо, issue with the app is solved."
    brand = components.store.load_brand("obed-express")
    result = components.classifier.classify(
        Mention(brand="obed-express", text=text), brand, components.store.embedder.embed_one(text)
    )
    assert not result.risk_flags


def test_language_and_specifics() -> None:
    assert detect_language("Курьер опоздал") == "ru"
    assert detect_language("The courier was late") == "en"
    assert detect_language("Кур'єр запізнився, їжа холодна") == "uk"
    kinds = {s.kind: s.text for s in find_specifics("Заказ №48213 ждали 2 часа, отделение на Тверской, 12; 14 ноября")}
    assert kinds["order"] == "Заказ №48213"
    assert kinds["duration"] == "2 часа"
    assert kinds["place"] == "на Тверской, 12"
    assert kinds["date"] == "14 ноября"
    assert "date" not in {s.kind for s in find_specifics("iOS 18.1, версия 7.3.0, доступно 24/7")}


def test_a_question_about_an_allergy_asks_and_a_rhetorical_one_reports(components: Components) -> None:
    """«…аллергия на кунжут — это гарантия? где посмотреть состав» fears and asks: no complaint, no
    escalation; «заказала без орехов, а в нём орехи! Как так можно?» reports a health incident."""
    brand = components.store.load_brand("obed-express")

    def classify(text: str):
        return components.classifier.classify(
            Mention(brand="obed-express", text=text), brand, components.store.embedder.embed_one(text)
        )

    asked = classify(
        "у дочки сильная аллергия на кунжут. если написать в комментарии «без кунжута» — это гарантия что его не "
        "будет? и где вообще посмотреть состав"
    )
    assert asked.sentiment is not Sentiment.negative and RiskFlag.health not in asked.risk_flags, asked
    told = classify("Вчера заказала салат без орехов, а в нём орехи! Как так можно? У меня аллергия.")
    assert told.sentiment is Sentiment.negative and RiskFlag.health in told.risk_flags, told


def test_a_plain_question_naming_sums_asks_and_one_telling_a_failure_complains(components: Components) -> None:
    text = "можно в один заказ два промокода вбить, на 200 и на 300?"
    brand = components.store.load_brand("obed-express")
    asked = components.classifier.classify(
        Mention(brand="obed-express", text=text), brand, components.store.embedder.embed_one(text)
    )
    assert asked.sentiment is Sentiment.neutral, asked.rationale
    assert plain_question("можно в один заказ два промокода вбить, на 200 и на 300?")
    assert not plain_question("Почему мне не пришёл кэшбэк?")
    assert not plain_question("А доставку к Новому году ждать?")
    assert not plain_question("Где мой заказ? Уже час жду")
