"""Triage: the text helpers, the shipped sentiment and mention-kind models, the decision
whether to react at all, the bundled samples against their expected outcome, the slices."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from assistant.config import REPO_ROOT, Settings
from assistant.decide import decide
from assistant.mention_io import read_mentions
from assistant.mention_kind import promotes_competitor
from assistant.models import (
    Action,
    Brand,
    Classification,
    Mention,
    MentionKind,
    Minus,
    NegativeKind,
    Platform,
    ReplyMode,
    RiskFlag,
    Sentiment,
)
from assistant.pipeline import Components, case_reference, run
from assistant.text import training
from assistant.text.normalize import BRAND_TOKEN, URL_TOKEN, USER_TOKEN, brand_pattern, lemmas, normalize
from assistant.text.phrases import plus_and_minus, promise_outrun
from assistant.text.sentiment import Inputs, LinearHead, SentimentModel
from evals.datasets import is_heldout_case, load_sample_expectations, load_slices, slice_of
from evals.slices import SLICES, run_slices, summary_entries
from knowledge.brands import load_brand
from otklik.cli import main
from tests.drafts import ran

SAMPLES = REPO_ROOT / "samples" / "mentions.jsonl"
# `make run` prints how many samples met samples/expected.yaml; this is that count on the
# offline default today: every one (see README, «Triage»). The misses are listed when it drops.
SAMPLES_MEETING_EXPECTATION = 55


# --- text helpers ---------------------------------------------------------------------


def test_links_handles_retweets_and_the_brand_become_tokens() -> None:
    pattern = brand_pattern(["Кедр Банк", "Кедр", "ОЭ"])
    text = normalize("RT @fin: Акции Кедр Банка упали https://t.co/x #кедрбанк, а Кедру всё равно. ОЭ", pattern)
    assert (
        text
        == f"{USER_TOKEN} : акции {BRAND_TOKEN} упали {URL_TOKEN} {BRAND_TOKEN} , а {BRAND_TOKEN} все равно. {BRAND_TOKEN}"
    )


def test_a_brand_name_matches_its_inflections_but_not_other_words() -> None:
    pattern = brand_pattern(["Банк Сосна", "Кедр"])
    assert normalize("в Банке Сосне, у Кедра", pattern).count(BRAND_TOKEN) == 2
    assert BRAND_TOKEN not in normalize("кедровые орехи и сосновый бор", pattern)


def test_lemmas_mark_the_word_after_a_negation() -> None:
    assert lemmas("курьеры не приехали 😭") == ["курьер", "не", "не_приехать", "😭"]


# --- the shipped models ---------------------------------------------------------------


def test_a_binary_head_gives_the_same_probabilities_as_its_regression() -> None:
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(60, 4)), np.array(["no", "yes"] * 30)
    model = LogisticRegression().fit(x, y)
    head = LinearHead.of(model)
    assert np.allclose(np.exp(head.log_probabilities(x)), model.predict_proba(x), atol=1e-5)


def test_sentiment_weights_survive_a_save_and_a_load(tmp_path: Path) -> None:
    texts = [
        "суп ледяной",
        "спасибо, очень вкусно",
        "привезли заказ",
        "курьер нагрубил",
        "лучший сервис",
        "обычный день",
    ]
    vectors = np.random.default_rng(6).normal(size=(len(texts), 512)).astype(np.float32)
    corpus = training.Corpus(
        Inputs(texts, vectors, [None, 5, None, 1, None, None]),
        np.array(["negative", "positive", "neutral", "negative", "positive", "neutral"]),
        np.ones(len(texts)),
    )
    model = training.fit(training.shared_parts(corpus, corpus), [corpus], c=1.0, about="tiny")
    model.save(tmp_path / "s.npz")
    loaded = SentimentModel.load(tmp_path / "s.npz")
    assert loaded.classes == model.classes and loaded.about == "tiny"
    assert np.allclose(loaded.probabilities(corpus.inputs), model.probabilities(corpus.inputs), atol=2e-2)


@pytest.mark.parametrize(
    ("text", "sentiment"),
    [
        ("Суп привезли ледяной", Sentiment.negative),
        ("Курьер нагрубил", Sentiment.negative),
        ("Опоздали на 40 минут", Sentiment.negative),
        ("Отличный сервис: ждал два часа и получил чужой заказ 👏", Sentiment.negative),
        ("Аааа, я вас обожаю!!! Всё приехало за 25 минут, тёплое 😭❤️ Лучший вечер!", Sentiment.positive),
    ],
)
def test_unrated_comments_and_sarcasm_are_read_from_their_text(
    components: Components, text: str, sentiment: Sentiment
) -> None:
    result = run(Mention(brand="obed-express", text=text, platform=Platform.vk), components)
    assert result.classification.sentiment is sentiment, result.classification.rationale


def test_the_rating_shifts_the_texts_answer_but_does_not_replace_it(components: Components) -> None:
    unrated = run(Mention(brand="obed-express", text="Суп привезли ледяной"), components).classification
    five_stars = run(Mention(brand="obed-express", text="Суп привезли ледяной", rating=5), components).classification
    assert unrated.sentiment is Sentiment.negative
    assert five_stars.confidence != unrated.confidence or five_stars.sentiment is not unrated.sentiment


def test_a_comparison_with_a_competitor_is_not_its_promotion() -> None:
    competitors = ["Банк Сосна", "Доставкин"]
    assert promotes_competitor("А в Сосне одобрили за день — оформляйте карту по моей ссылке", competitors)
    assert promotes_competitor("То ли дело «Доставкин», по промокоду DOST25 скидка", competitors)
    assert not promotes_competitor("Для сравнения, в «Банк Сосна» ставка была ниже.", competitors)
    # a question to readers about where to order is no call to go there
    assert not promotes_competitor("Кто пробовал новые роллы? Или лучше в «Доставкин» заказать?", competitors)
    assert promotes_competitor("Роллы так себе. Лучше в «Доставкин» заказывайте, там быстрее.", competitors)


def test_a_customer_asking_about_their_own_promo_code_is_answered_not_hidden(components: Components) -> None:
    for text in (
        "Подскажите, можно ли использовать промокод WELCOME300 вместе с баллами? Хочу заказать на выходных.",
        "У меня есть промокод OBED50 и ещё один от партнёра. Их можно применить к одному заказу?",
    ):
        result = run(Mention(brand="obed-express", text=text, platform=Platform.vk), components)
        assert result.classification.mention_kind is MentionKind.customer, text
        assert result.decision.actions == [Action.reply], text
    advert = "Хотите скидку? Вводите промокод SALE20 на сайте skidki-vsem.ru, работает в любой доставке!"
    result = run(Mention(brand="obed-express", text=advert, platform=Platform.vk), components)
    assert result.classification.mention_kind is MentionKind.spam


def test_a_complaint_ending_in_a_rhetorical_question_is_read_as_negative(components: Components) -> None:
    complaint = (
        "Кредит одобрили, а менеджер Сергей пропал: на звонки не отвечает, договор не присылает. Сколько можно ждать?"
    )
    result = run(Mention(brand="kedr-bank", text=complaint, platform=Platform.vk), components)
    assert result.classification.sentiment is Sentiment.negative
    assert result.draft is not None and result.draft.situation == "manager_unresponsive", result.draft
    assert "за вопрос" not in result.draft.text, result.draft.text  # not thanked for asking
    question = "Сколько можно переводить по номеру телефона без комиссии?"
    result = run(Mention(brand="kedr-bank", text=question, platform=Platform.vk), components)
    assert result.classification.sentiment is Sentiment.neutral


# --- the decision ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "platform", "actions"),
    [
        (MentionKind.media, Platform.vk, [Action.no_action]),
        (MentionKind.chatter, Platform.telegram, [Action.no_action]),
        (MentionKind.spam, Platform.vk, [Action.hide_and_report]),
        (MentionKind.spam, Platform.otzovik, [Action.request_removal]),
        (MentionKind.spam, Platform.youtube, [Action.hide_and_report]),  # comments under the brand's own videos
        (MentionKind.spam, Platform.twitter, [Action.hide_and_report]),
        (MentionKind.spam, Platform.ozon, [Action.request_removal]),
        (MentionKind.spam, Platform.google_play, [Action.request_removal]),
        (MentionKind.spam, Platform.forum, [Action.request_removal]),
        (MentionKind.crisis, Platform.vk, [Action.escalate, Action.reply]),
    ],
)
def test_the_kind_of_mention_decides_whether_to_react(
    components: Components, kind: MentionKind, platform: Platform, actions: list[Action]
) -> None:
    brand = components.store.load_brand("kedr-bank")
    decision = decide(Classification(sentiment=Sentiment.negative, mention_kind=kind), brand, platform)
    assert decision.actions == actions
    assert decision.operator_confirms is (kind is MentionKind.crisis)
    if kind is MentionKind.crisis:
        assert decision.reply_mode is ReplyMode.holding
        assert any(brand.profile.crisis_contact in reason for reason in decision.reasons)


# --- the samples and the slices, through the real offline default ---------------------------


def test_the_bundled_samples_get_their_expected_sentiment_and_decision(components: Components) -> None:
    expected = load_sample_expectations(REPO_ROOT / "samples" / "expected.yaml")
    mentions = read_mentions(SAMPLES).mentions
    assert set(expected) == {m.id for m in mentions}
    misses = {}
    for mention in mentions:
        result = run(mention, components, case_ref=case_reference(mention))
        if (miss := expected[mention.id].mismatch(result)) is not None:
            misses[mention.id] = (
                f"got {result.classification.sentiment.value}, {result.decision.actions}; wanted {miss}"
            )
    assert len(mentions) - len(misses) >= SAMPLES_MEETING_EXPECTATION, misses


def test_s001_is_thanked_and_s043_is_escalated(components: Components) -> None:
    mentions = {m.id: m for m in read_mentions(SAMPLES).mentions}
    first = run(mentions["s-001"], components)
    assert first.classification.sentiment is Sentiment.positive
    assert first.decision.reply_mode is ReplyMode.thanks
    assert Action.escalate in run(mentions["s-043"], components).decision.actions


def test_each_slice_is_split_in_two_halves_by_its_ids() -> None:
    cases = load_slices()
    for spec in SLICES:
        mine = [c for c in cases if slice_of(c) == spec.name]
        held = sum(is_heldout_case(c) for c in mine)
        assert 0 < held < len(mine), spec.name
    assert {slice_of(c) for c in cases} == {spec.name for spec in SLICES}


def test_slice_figures_reach_the_eval_summary(components: Components) -> None:
    cases = [c for c in load_slices() if c.id in ("sl-news-001", "sl-news-002", "sl-short-001", "sl-short-002")]
    report = run_slices(cases, components, progress=False)
    entries = summary_entries(report)
    assert set(entries) == {f"slice_{s.name}_{s.measure}" for s in SLICES}
    assert report["news"]["heldout"]["cases"] + report["news"]["tuning"]["cases"] == 2


def test_training_without_the_corpora_says_where_they_should_be(tmp_path: Path, capsys) -> None:
    code = main(["sentiment-cv", "--corpora", str(tmp_path / "nowhere")])
    assert code == 1
    assert "corpora" in capsys.readouterr().err


def test_the_text_models_are_read_from_the_configured_folder(tmp_path: Path) -> None:
    from assistant.pipeline import build_offline

    with pytest.raises(FileNotFoundError):
        build_offline(Settings(data_dir=tmp_path / "data", text_models_dir=tmp_path / "empty"))


def test_a_short_five_star_thank_you_is_thanked_not_suspected(components: Components) -> None:
    """Short praise has no room for details; asking its author for an order number insults a real customer."""
    mention = Mention(brand="obed-express", text="Лучшая доставка в городе, всегда вкусно и быстро, спасибо!", rating=5)
    result = run(mention, components)
    assert not result.classification.suspected_fake
    assert result.decision.reply_mode is ReplyMode.thanks


def test_plain_praise_is_not_answered_as_a_review_with_a_remark(components: Components) -> None:
    result = run(Mention(brand="obed-express", text="Отличная кухня, рекомендую.", rating=5), components)
    assert result.draft is not None and result.draft.situation != "mixed_review", result.draft
    assert "замечани" not in result.draft.text


def test_a_word_that_only_hints_at_a_crisis_does_not_make_one(components: Components) -> None:
    """«cutlery for everyone» matches the mass-incident hint, names no incident: not a crisis."""
    text = (
        "Used the pre-order for a team lunch for 9 people last Friday: everything arrived at 12:55 for a 13:00 "
        "slot, each box labelled with a name, cutlery for everyone. Made me look very organised in front of my manager."
    )
    result = run(Mention(brand="obed-express", text=text, platform=Platform.website), components)
    assert result.classification.mention_kind is not MentionKind.crisis
    assert Action.escalate not in result.decision.actions


def test_a_question_naming_an_allergy_is_answered_not_escalated(components: Components) -> None:
    text = "Здравствуйте! У дочки аллергия на арахис, сильная. Как узнать, в каких блюдах есть орехи?"
    result = run(Mention(brand="obed-express", text=text, platform=Platform.website), components)
    assert RiskFlag.health not in result.classification.risk_flags
    assert result.decision.actions == [Action.reply] and result.decision.reply_mode is ReplyMode.answer


def test_an_allergic_reaction_after_a_dish_is_still_escalated(components: Components) -> None:
    text = "У меня аллергия на орехи, после вашего салата отекло горло. Вы вообще читаете комментарии?"
    result = run(Mention(brand="obed-express", text=text, platform=Platform.vk), components)
    assert Action.escalate in result.decision.actions


def test_a_report_of_harm_with_an_angry_promise_is_escalated_not_hidden(components: Components) -> None:
    text = (
        "Вчера в отделении на Тверской охранник толкнул мою маму, она упала и сейчас в больнице с переломом. "
        "Я этого так не оставлю, вы ещё пожалеете."
    )
    result = run(Mention(brand="kedr-bank", text=text, platform=Platform.yandex_maps, rating=1), components)
    assert Action.escalate in result.decision.actions
    assert Action.hide_and_report not in result.decision.actions
    assert result.draft is not None and result.draft.status.value == "needs_review"


@pytest.mark.parametrize(
    "text",
    [
        "Кто придумал комиссию 1 500 за СБП, к тому я лично приду и объясню, что бывает с жадными.",
        "Fourth time your ATM swallowed my card. Next time I bring a crowbar and open it myself.",
        "Third cold order this week. Next time I'm burning the whole place down, I swear.",
    ],
)
def test_a_threat_without_obscenity_is_escalated_and_hidden(components: Components, text: str) -> None:
    result = run(Mention(brand="kedr-bank", text=text, platform=Platform.vk), components)
    assert RiskFlag.threat in result.classification.risk_flags
    assert result.decision.actions == [Action.escalate, Action.hide_and_report]


@pytest.mark.parametrize(
    "text",
    [
        "Вчера у дочки после ваших наггетсов высыпало на щеках, дали антигистаминное.",
        "Курьер на самокате сбил мою маму на тротуаре. Перелом руки, ей 71 год.",
        "My father collapsed in your branch and staff didn't call an ambulance for several minutes.",
    ],
)
def test_a_reaction_or_an_injury_is_a_health_risk(components: Components, text: str) -> None:
    result = run(Mention(brand="obed-express", text=text, platform=Platform.vk), components)
    assert RiskFlag.health in result.classification.risk_flags
    assert Action.escalate in result.decision.actions


def test_a_complaint_only_the_threat_model_reads_as_a_threat_is_escalated_and_answered_not_hidden() -> None:
    complaint = Classification(
        sentiment=Sentiment.negative,
        kind=NegativeKind.constructive,
        risk_flags=[RiskFlag.threat],
        threat_read_only=True,
    )
    decision = decide(complaint, _any_brand())
    assert decision.actions == [Action.escalate, Action.reply] and decision.reply_mode is ReplyMode.negative
    assert decision.operator_confirms
    harmed = complaint.model_copy(update={"risk_flags": [RiskFlag.threat, RiskFlag.health]})
    assert decide(harmed, _any_brand()).reply_mode is ReplyMode.holding  # someone was hurt: the holding reply
    worded = complaint.model_copy(update={"threat_read_only": False})
    assert decide(worded, _any_brand()).actions == [Action.escalate, Action.hide_and_report]


def test_a_pensioner_hurt_by_a_clerk_gets_a_reply_an_operator_confirms(components: Components) -> None:
    text = (
        "Мне 72 года. Пришёл в отделение на Садовой получить пенсию, девушка-операционист разговаривала "
        "со мной как с неразумным, закатывала глаза. Я понимаю, что я медленный, но уважение должно быть."
    )
    result = run(Mention(brand="kedr-bank", text=text, platform=Platform.otzovik, rating=1), components)
    assert Action.hide_and_report not in result.decision.actions
    assert result.draft is not None and result.draft.status.value == "needs_review"
    assert "претензия" not in result.draft.text, result.draft.text


def test_a_relative_hurt_by_a_guard_gets_the_holding_reply_that_wishes_recovery(components: Components) -> None:
    text = (
        "Охранник в вашем отделении на Ленинском толкнул моего деда, ему 80 лет. Дед упал, сломал руку, "
        "увезли на скорой. Никто из сотрудников даже не подошёл."
    )
    result = run(Mention(brand="kedr-bank", text=text, platform=Platform.otzovik, rating=1), components)
    assert result.decision.reply_mode is ReplyMode.holding and Action.hide_and_report not in result.decision.actions
    assert result.draft is not None and "выздоровления" in result.draft.text, result.draft and result.draft.text
    assert "ожидани" not in result.draft.text  # not the branch-queue apology


def test_breaking_someones_legs_is_a_threat_not_an_injury(components: Components) -> None:
    text = "Если ваш курьер ещё раз въедет самокатом в мою машину — ноги ему переломаю, так и передайте."
    result = run(Mention(brand="obed-express", text=text, platform=Platform.vk), components)
    assert RiskFlag.health not in result.classification.risk_flags
    assert result.decision.actions == [Action.escalate, Action.hide_and_report]


def test_a_calm_review_with_a_minus_is_answered_and_one_without_is_not() -> None:
    plain = Classification(sentiment=Sentiment.neutral)
    assert decide(plain, _any_brand()).actions == [Action.no_action]
    mixed = decide(Classification(sentiment=Sentiment.neutral, criticism=Minus.remark, praises=True), _any_brand())
    assert mixed.actions == [Action.reply] and mixed.reply_mode is ReplyMode.thanks
    for minus, praises in ((Minus.remark, False), (Minus.problem, True), (Minus.problem, False)):
        calm = decide(Classification(sentiment=Sentiment.neutral, criticism=minus, praises=praises), _any_brand())
        assert calm.actions == [Action.reply] and calm.reply_mode is ReplyMode.negative, (minus, praises)


def test_a_but_or_a_remark_is_a_minus_told_with_figures_a_problem() -> None:
    assert plus_and_minus("Роллы свежие, но курьер снова опоздал.") == (True, Minus.remark)
    assert plus_and_minus("Приложение удобное. Из минусов — нет тёмной темы.") == (True, Minus.remark)
    told = "Плюсы: приложение удобное. Но с кэшбэком беда: ждала около 1 000 ₽, пришло 280 ₽. В чате молчат."
    assert plus_and_minus(told) == (True, Minus.problem)
    assert plus_and_minus("Обычная доставка, как все. Ничего особенного.") == (False, None)


def test_a_mixed_review_with_a_problem_is_answered_for_its_problem_not_thanked(components: Components) -> None:
    text = "Плюсы: приложение удобное, вклад открыла быстро. Но кэшбэк за октябрь пришёл 280 ₽ вместо 1 000 ₽."
    result = run(Mention(brand="kedr-bank", text=text, platform=Platform.irecommend, rating=3), components)
    if result.classification.sentiment is Sentiment.neutral:  # a positive or negative reading decides by itself
        assert result.decision.reply_mode is ReplyMode.negative
    assert result.draft is not None and "приятно" not in result.draft.text, result.draft.text


def _any_brand() -> Brand:
    return load_brand(REPO_ROOT / "knowledge" / "brands" / "obed-express")


@pytest.mark.parametrize("text", ["норм", "Жесть!", "Ну ок."])
def test_a_bare_reaction_that_takes_no_side_is_neutral_and_left_alone(components: Components, text: str) -> None:
    result = run(Mention(brand="obed-express", text=text, platform=Platform.vk), components)
    assert result.classification.sentiment is Sentiment.neutral
    assert result.decision.actions == [Action.no_action]


def test_a_bare_word_of_praise_or_a_reaction_with_a_subject_keeps_its_side(components: Components) -> None:
    praise = run(Mention(brand="obed-express", text="Супер!", platform=Platform.vk), components)
    assert praise.classification.sentiment is Sentiment.positive
    told = run(Mention(brand="obed-express", text="Жесть, суп ледяной", platform=Platform.vk), components)
    assert told.classification.sentiment is Sentiment.negative


def test_three_stars_do_not_turn_a_surely_negative_story_neutral(components: Components) -> None:
    text = (
        "Сделку переносили два раза, то не готов отчёт оценщика, то менеджер на больничном. Пришлось отпрашиваться "
        "с работы трижды. В итоге сделку провели только через месяц, и нам пришлось доплатить продавцу за "
        "ожидание. Сам банк неплохой, но организация процесса отвратительная."
    )
    unrated = run(Mention(brand="kedr-bank", text=text, platform=Platform.irecommend), components).classification
    three = run(Mention(brand="kedr-bank", text=text, platform=Platform.irecommend, rating=3), components)
    assert unrated.sentiment is Sentiment.negative and unrated.confidence >= 0.9, unrated.confidence
    assert three.classification.sentiment is Sentiment.negative


def test_an_angry_customer_who_says_where_they_were_is_not_suspected_of_a_fake(components: Components) -> None:
    text = "Хуже банка я не встречал, а где я только не был. Всем плевать на клиентов. Не связывайтесь."
    result = run(Mention(brand="kedr-bank", text=text, platform=Platform.otzovik, rating=1), components)
    assert result.classification.sentiment is Sentiment.negative
    assert not result.classification.suspected_fake, result.classification.fake_signals
    assert (
        result.draft is not None and result.draft.situation == "generic_complaint"
    )  # «всем плевать» is no unanswered case
    bare = "Худший банк на свете. Бегите отсюда, пока не поздно."
    suspected = run(Mention(brand="kedr-bank", text=bare, platform=Platform.otzovik, rating=1), components)
    assert suspected.classification.suspected_fake  # no trace of a customer at all


def test_a_customer_locked_out_of_the_app_now_is_answered_not_reported_as_a_fake(components: Components) -> None:
    text = (
        "Кедр Онлайн после обновления не пускает: отпечаток не работает, пин ввожу — «ошибка 503». Второй день без "
        "доступа к счёту, а мне кредит платить."
    )
    result = run(Mention(brand="kedr-bank", text=text, platform=Platform.google_play, rating=1), components)
    assert not result.classification.suspected_fake, result.classification.fake_signals
    assert Action.request_removal not in result.decision.actions
    assert result.draft is not None and "чат в приложении" not in result.draft.text  # the app he cannot open
    advice = "Не советую этот банк никому, хочу предупредить: обманывают на каждом шагу."
    suspected = run(Mention(brand="kedr-bank", text=advice, platform=Platform.otzovik, rating=1), components)
    assert suspected.classification.suspected_fake  # advice in the present is no use of the service


@pytest.mark.parametrize(
    ("brand", "text"),
    [
        (
            "kedr-bank",
            "Новое обновление Кедр Онлайн прекрасно: кнопка «Перевести» теперь спрятана за тремя меню, а история "
            "операций грузится ровно столько, чтобы успеть заварить чай. Разработчикам премию за квест.",
        ),
        ("obed-express", "После обновления кнопку повтора заказа спрятали куда-то вниз, ищу её каждый раз. Зачем?"),
    ],
)
def test_a_user_who_describes_the_apps_screens_is_answered_about_the_update_not_reported_as_a_fake(
    components: Components, brand: str, text: str
) -> None:
    """Only someone who uses the app knows where its buttons went; a redesign they dislike is no
    «сбой» to apologise for: it goes to the app team, with help finding things meanwhile."""
    result = ran(components, brand, text, Platform.app_store, rating=1)
    assert not result.classification.suspected_fake, result.classification.fake_signals
    assert result.draft is not None and result.draft.situation == "app_redesign", result.draft
    passed_on = re.search(r"команд\w+ (?:приложения|, которая разрабатывает)", result.draft.text)
    assert "сбо" not in result.draft.text and passed_on, result.draft.text


def test_a_charge_the_author_says_they_never_made_goes_to_the_banks_fraud_desk(components: Components) -> None:
    text = "С карты ушло 4 800 ₽ в интернет-магазине техники, я там ничего не покупала. Что делать?"
    result = run(Mention(brand="kedr-bank", text=text, platform=Platform.vk), components)
    assert Action.escalate in result.decision.actions
    assert result.draft is not None and result.draft.situation == "fraud_unauthorised_debit"
    assert "дважды" not in result.draft.text  # not read as a double charge


def test_an_insult_the_author_gives_themselves_is_no_abuse(components: Components) -> None:
    """«Стоял как дурак с полной тележкой» is a complaint to answer, not abuse to hide; an insult
    aimed at the brand's people still is."""
    own = ran(
        components, "kedr-bank",
        "Карту заблокировали прямо на кассе, покупка на 1 870 р. Стоял как дурак с полной тележкой. "
        "Почему блокируете обычные покупки?",
    )  # fmt: skip
    assert own.decision.actions == [Action.reply] and own.classification.kind is not NegativeKind.abusive
    theirs = ran(components, "kedr-bank", "Карту заблокировали на кассе. Вы там все дураки?")
    assert Action.hide_and_report in theirs.decision.actions


def test_a_question_to_the_bank_is_answered_not_hidden_as_a_threat(components: Components) -> None:
    """The threat model alone, on a polite question with no threatening word («Смотрим с женой
    дом… Какой у вас взнос?»), gets a look from security but is answered, never hidden; a
    question put to us («у вас») is no chatter."""
    result = ran(
        components, "kedr-bank",
        "Смотрим с женой дом за городом. Какой у вас первоначальный взнос по ипотеке и будет ли у нас личный менеджер?",
        Platform.telegram,
    )  # fmt: skip
    assert Action.hide_and_report not in result.decision.actions, result.decision
    assert Action.reply in result.decision.actions and result.decision.reply_mode is ReplyMode.answer, result.decision
    assert result.draft is not None and "взнос" in result.draft.text, result.draft


@pytest.mark.parametrize(
    ("brand", "text", "rating", "sentiment"),
    [
        (
            "obed-express",
            "Спасибо за «горячий» суп, наконец-то попробовала окрошку из солянки 🙃",
            None,
            Sentiment.negative,
        ),
        (
            "kedr-bank",
            "Как приятно, что ипотечный менеджер «персональный»: две недели не отвечает.",
            None,
            Sentiment.negative,
        ),
        (
            "obed-express",
            "Я не верила в «быструю» доставку, но привезли за 25 минут, всё горячее!",
            5,
            Sentiment.positive,
        ),
        (
            "kedr-bank",
            "Спасибо службе заботы: ответили на письмо за 3 часа и прислали справку об остатке, нужную для визы.",
            None,
            Sentiment.positive,
        ),
    ],
)
def test_quotes_and_thanks_to_our_people_tell_which_way_the_praise_goes(
    components: Components, brand: str, text: str, rating: int | None, sentiment: Sentiment
) -> None:
    """A quality put in quotes is not meant; thanks to our people with nothing taken back is meant."""
    assert ran(components, brand, text, rating=rating).classification.sentiment is sentiment


@pytest.mark.parametrize(
    ("brand", "text", "platform"),
    [
        (
            "obed-express",
            "Отличная доставка, всё супер, всем рекомендую!!! Кстати, кому нужна накрутка отзывов — пишите в лс, недорого.",
            Platform.otzovik,
        ),
        (
            "kedr-bank",
            "Отличный банк!!! Рекомендую всем!!! Заходите на kedr-bonus-vyplata.ru и получите компенсацию 15 000 ₽ от банка!!!",
            Platform.banki_ru,
        ),
    ],
)
def test_praise_that_sends_readers_to_an_offer_elsewhere_is_an_ad_never_thanked(
    components: Components, brand: str, text: str, platform: Platform
) -> None:
    result = ran(components, brand, text, platform=platform, rating=5)
    assert result.classification.mention_kind is MentionKind.spam, result.classification
    assert Action.reply not in result.decision.actions, result.decision


def test_a_customer_asking_for_a_sauce_as_compensation_is_no_ad(components: Components) -> None:
    text = "@obedexpress ваш курьер нёс пиццу вертикально, заказ 77310, можно хоть соус в компенсацию?"
    assert ran(components, "obed-express", text).classification.mention_kind is MentionKind.customer


def test_a_five_star_review_read_neutral_is_thanked_not_left_unanswered(components: Components) -> None:
    text = (
        "У меня непереносимость глютена, и то, что у каждого блюда расписаны аллергены, — огромный плюс. "
        "А в чате поддержки ещё и уточнили по двум блюдам, есть ли риск следов. Редкость."
    )
    result = ran(components, "obed-express", text, platform=Platform.otzovik, rating=5)
    assert result.classification.sentiment is Sentiment.positive, result.classification
    assert result.decision.actions == [Action.reply] and result.draft is not None


def test_a_neutral_sighting_that_names_no_harm_is_no_crisis(components: Components) -> None:
    text = (
        "Видела вчера у Ладожской человек десять курьеров Обед Экспресс на самокатах, целая колонна. Что-то открылось?"
    )
    result = ran(components, "obed-express", text)
    assert result.classification.mention_kind is not MentionKind.crisis, result.classification
    assert Action.escalate not in result.decision.actions, result.decision


def test_a_post_naming_our_courier_is_the_authors_own_order_not_chatter(components: Components) -> None:
    text = (
        "Курьер Дима — золото, вежливый, поднялся до квартиры, хотя я просила у подъезда. "
        "А вот карбонара в этот раз была пересолена жутко. Кухне минус, Диме плюс"
    )
    result = ran(components, "obed-express", text)
    assert result.classification.mention_kind is MentionKind.customer, result.classification
    assert result.draft is not None and "Дим" in result.draft.text, result.draft


def test_a_post_telling_what_the_order_came_without_is_a_customer_to_answer(components: Components) -> None:
    text = (
        "пакет привезли с надорванной наклейкой и без половины картошки фри 🤡 курьер говорит «так и было». "
        "ну да, конечно, сама себя съела"
    )
    result = ran(components, "obed-express", text, Platform.telegram)
    assert result.classification.mention_kind is MentionKind.customer, result.classification
    assert result.decision.reply_mode is ReplyMode.negative and result.draft is not None, result.decision


@pytest.mark.parametrize(
    ("text", "sentiment"),
    [
        ("Спасибо Кедр Банку за заботу о нервах: 50 минут на горячей линии под Моцарта — почти медитация 🧘 "
         "Потом оператор сбросил. Десять из десяти", Sentiment.negative),
        ("Спасибо оператору горячей линии Анне! Ждал всего 2 минуты, всё решили.", Sentiment.positive),
    ],
)  # fmt: skip
def test_thanks_for_a_long_hold_on_our_line_is_sarcasm(components: Components, text: str, sentiment: Sentiment) -> None:
    result = ran(components, "kedr-bank", text)
    assert result.classification.sentiment is sentiment, result.classification
    if sentiment is Sentiment.negative:  # a customer's sarcasm, answered: no chatter left alone
        assert result.classification.mention_kind is MentionKind.customer and result.draft is not None, result.decision


def test_thanks_for_a_cold_dish_is_sarcasm_answered_as_a_complaint_with_no_praise_owned(components: Components) -> None:
    text = "Спасибо @obedexpress за новое блюдо в меню: ледяной суп. Заказывал горячий, но так даже интереснее 👏"
    result = ran(components, "obed-express", text, Platform.twitter)
    assert result.classification.sentiment is Sentiment.negative and not result.classification.praises
    assert result.draft is not None and result.decision.reply_mode is ReplyMode.negative, result.decision
    assert "спасибо" not in result.draft.text.lower() and "приятно" not in result.draft.text.lower(), result.draft.text


def test_a_promo_code_that_did_not_work_is_a_complaint_not_an_advert(components: Components) -> None:
    text = "@obedexpress промокод LUNCH15 пишет «недействителен», хотя в рассылке обещали до конца месяца. зачем тогда рассылать 🤷‍♀️"
    result = ran(components, "obed-express", text, Platform.twitter)
    assert result.classification.mention_kind is MentionKind.customer, result.classification
    assert result.draft is not None and result.draft.situation == "promo_not_working", result.draft


@pytest.mark.parametrize(
    "text",
    [
        # the author quotes what was written to them and says they are afraid
        "Оставила отзыв про холодный суп, а вечером мне пишут с чужого номера: «удалишь отзыв или найду тебя». "
        "Заказ 61230. Мне страшно, номер ведь был только у вас.",
        # a courier who pursues a customer: a safety matter without a threatening word
        "курьер после доставки написал мне в телеграм, звал на свидание, потом звонил ночью. "
        "номера же скрыты? теперь страшно выходить одной",
    ],
)
def test_a_threat_reported_by_the_one_threatened_is_escalated_and_answered_not_hidden(
    components: Components, text: str
) -> None:
    """Hiding the post would silence the victim, and «решайте вопросы через нас» would blame them;
    the one who threatens is hidden."""
    result = run(Mention(brand="obed-express", text=text, platform=Platform.vk), components)
    assert result.classification.threat_reported, result.classification
    assert Action.escalate in result.decision.actions and Action.hide_and_report not in result.decision.actions
    assert result.decision.reply_mode is ReplyMode.holding, result.decision
    assert result.draft is not None and result.draft.situation == "customer_threatened", result.draft
    assert "через нас" not in result.draft.text, result.draft.text
    threatening = run(
        Mention(brand="obed-express", text="Удалите мой отзыв или найду вашего курьера.", platform=Platform.vk),
        components,
    )
    assert threatening.decision.actions == [Action.escalate, Action.hide_and_report], threatening.decision


def test_a_threat_back_at_a_courier_who_abused_the_author_is_escalated_and_answered_not_hidden(
    components: Components,
) -> None:
    """Hiding the post would hide our own courier's misconduct with the threat; the holding reply
    says the courier was wrong, and asks that it be settled through us."""
    text = (
        "курьер швырнул пакет мне под ноги и послал матом когда я сказал что суп разлит. заказ 44918. "
        "если вы его не уберёте я найду этого курьера сам, район маленький"
    )
    result = ran(components, "obed-express", text)
    assert result.decision.actions == [Action.escalate, Action.reply], result.decision
    assert result.draft is not None and result.decision.reply_mode is ReplyMode.holding, result.decision
    assert "курьеры не должны" in result.draft.text and "через нас" in result.draft.text, result.draft.text
    alone = ran(
        components, "obed-express", "Курьер опоздал на час. Ещё раз так будет — найду его сам, район маленький."
    )
    assert alone.decision.actions == [Action.escalate, Action.hide_and_report], alone.decision


def test_a_fraud_told_calmly_with_a_complaint_to_the_authorities_is_held_not_thanked(components: Components) -> None:
    """No word of thanks, a scam and the prosecutor: the model's calm «positive» reading is no praise."""
    text = (
        "Бабушке позвонили из «службы безопасности банка», она продиктовала код, и через 10 минут на неё "
        "оформили кредит на 150 000 ₽, деньги сразу перевели. Как вы одобряете кредит за 10 минут? "
        "Обращаемся в прокуратуру и ЦБ."
    )
    result = run(Mention(brand="kedr-bank", text=text, platform=Platform.vk), components)
    assert result.classification.sentiment is not Sentiment.positive, result.classification
    assert Action.escalate in result.decision.actions and result.decision.reply_mode is ReplyMode.holding


def test_being_treated_like_a_fool_is_a_complaint_not_an_insult(components: Components) -> None:
    text = "Сотрудница в отделении говорила со мной как с дурой и закатывала глаза, когда я переспрашивала."
    result = run(Mention(brand="kedr-bank", text=text, platform=Platform.yandex_maps, rating=1), components)
    assert result.classification.kind is not NegativeKind.abusive, result.classification
    assert Action.hide_and_report not in result.decision.actions and result.draft is not None


def test_a_brands_english_trigger_is_a_word_not_the_start_of_one(components: Components) -> None:
    """Obed's legal trigger «court» once flagged «courtyard»: praise read as a legal risk."""
    text = "The courier got lost in our courtyard, called me, and we found each other in two minutes. Lovely pelmeni!"
    result = run(Mention(brand="obed-express", text=text, platform=Platform.google_play, rating=5), components)
    assert RiskFlag.legal not in result.classification.risk_flags, result.classification
    sued = run(
        Mention(brand="obed-express", text="Cold food again. See you in court.", platform=Platform.vk), components
    )
    assert RiskFlag.legal in sued.classification.risk_flags, sued.classification


def test_a_leak_of_the_delivery_services_customer_data_gets_a_holding_reply(components: Components) -> None:
    """Obed Express had no plan for a data leak: a post about its customers' base in a «пробив» bot
    was answered as slow support («поддержка должна отвечать, а не молчать»)."""
    text = "Нашла себя в боте пробива: база клиентов Обед Экспресс, телефон и адрес доставки с кодом домофона. Это как?"
    result = run(Mention(brand="obed-express", text=text, platform=Platform.vk), components)
    assert Action.escalate in result.decision.actions and result.decision.reply_mode is ReplyMode.holding
    assert result.draft is not None and result.draft.situation == "data_leak", result.draft


@pytest.mark.parametrize(
    ("brand", "text"),
    [
        (
            "obed-express",
            "Курьер отказался подниматься на 5 этаж: сказал, что у него «следующий заказ горит», и ждал у подъезда.",
        ),
        ("kedr-bank", "Ипотечный менеджер не отвечает неделю, а сделка с застройщиком горит. Что делать?"),
    ],
)
def test_an_order_or_a_deal_that_is_burning_is_a_hurry_not_a_fire(
    components: Components, brand: str, text: str
) -> None:
    result = run(Mention(brand=brand, text=text, platform=Platform.vk), components)
    assert result.classification.mention_kind is not MentionKind.crisis, result.classification
    assert result.decision.reply_mode is ReplyMode.negative, result.decision


def test_a_stay_in_hospital_told_as_why_the_author_could_not_act_is_no_health_incident(components: Components) -> None:
    away = (
        "Вклад закончился и сам продлился под 10 %, а я не успела его забрать — лежала в больнице. Могли бы позвонить."
    )
    result = run(Mention(brand="kedr-bank", text=away, platform=Platform.banki_ru, rating=2), components)
    assert RiskFlag.health not in result.classification.risk_flags, result.classification
    assert result.decision.reply_mode is ReplyMode.negative, result.decision
    harmed = "Заказали роллы, а ночью ребёнок попал в больницу. Мы в шоке."
    result = run(Mention(brand="obed-express", text=harmed, platform=Platform.vk), components)
    assert RiskFlag.health in result.classification.risk_flags, result.classification


def test_a_review_turning_to_its_minus_with_a_vot_is_answered(components: Components) -> None:
    """«…менеджер толковый. А вот на сделке ждали нотариуса 1,5 часа»: «А вот» turns to a minus as «но» does."""
    text = "Кредит одобрили за день, менеджер толковая. А вот в отделении на Тверской ждали подписания 1,5 часа."
    result = run(Mention(brand="kedr-bank", text=text, platform=Platform.yandex_maps, rating=3), components)
    assert result.classification.criticism is not None, result.classification
    assert Action.reply in result.decision.actions and result.draft is not None, result.decision


def test_praise_of_a_long_wait_from_order_to_door_is_sarcasm(components: Components) -> None:
    text = "Обед Экспресс, спасибо за скорость! Заказала в 13:00, привезли в 14:50. Вот это сервис 👏"
    result = run(Mention(brand="obed-express", text=text, platform=Platform.vk), components)
    assert result.classification.sentiment is Sentiment.negative, result.classification
    assert result.decision.reply_mode is ReplyMode.negative, result.decision
    quick = run(
        Mention(brand="obed-express", text="Заказала в 13:00, привезли в 13:35. Спасибо!", platform=Platform.vk),
        components,
    )
    assert quick.classification.sentiment is Sentiment.positive, quick.classification


def test_a_term_quoted_and_long_run_out_is_found() -> None:
    assert promise_outrun("Спасибо за перевод, который идёт «один рабочий день» уже четвёртый") == "«один рабочий день»"
    assert promise_outrun("Обещали «30 минут», привезли за 25. Спасибо!") is None
    assert promise_outrun("Курьер сказал «через 5 минут буду» и правда пришёл") is None


@pytest.mark.parametrize(
    ("brand", "text"),
    [
        ("kedr-bank", "С утра всё лежит: ни приложение, ни карты не работают, в чатах то же самое по всему городу."),
        ("kedr-bank", "Is anyone else's Kedr card not working today? Declined twice, the app just spins."),
        (
            "kedr-bank",
            "Кедр Онлайн лежит с 9 утра, карта не проходит ни в магазине, ни в автобусе. У коллег то же самое.",
        ),
        ("kedr-bank", "Открыл «Кедр Онлайн», а приложение показывает чужие счета — чья-то карта с балансом 90 000."),
        ("obed-express", "Dozens sought medical help after Obed Express lunches in one office, health officials said."),
    ],
)
def test_an_outage_a_privacy_breach_and_news_of_harm_are_escalated(
    components: Components, brand: str, text: str
) -> None:
    result = run(Mention(brand=brand, text=text, platform=Platform.twitter), components)
    assert Action.escalate in result.decision.actions, (result.classification, result.decision)
    assert result.draft is None or result.draft.status.value != "ready", result.draft


def test_five_stars_for_a_dispute_settled_are_praise_though_no_thanks_is_said(components: Components) -> None:
    """«Оспаривал списание… через 9 дней деньги вернулись. Всё чётко.» at 5★ was held as a fraud
    once a calm legal story without a word of thanks read as no praise."""
    text = "Оспорила покупку на 3 200 ₽, которую не делала. Заявление в приложении, через неделю деньги вернули. Всё чётко."
    result = run(Mention(brand="kedr-bank", text=text, platform=Platform.banki_ru, rating=5), components)
    assert result.classification.sentiment is Sentiment.positive, result.classification
    assert Action.escalate not in result.decision.actions, result.decision


def test_a_customer_base_posted_is_a_leak(components: Components) -> None:
    leak = (
        "В телеграме выложили базу клиентов Кедр Банка с паспортами и остатками, я там есть. Вы будете это объяснять?"
    )
    result = run(Mention(brand="kedr-bank", text=leak, platform=Platform.telegram), components)
    assert Action.escalate in result.decision.actions, result.decision


def test_an_outage_at_the_till_gets_a_holding_reply_not_fraud_advice(components: Components) -> None:
    text = (
        "у кедра всё упало: приложение не открывается, карта на кассе не проходит, банкомат пишет «операция "
        "невозможна». стою в магазине с полной корзиной. #сбой"
    )
    result = run(Mention(brand="kedr-bank", text=text, platform=Platform.twitter), components)
    assert Action.escalate in result.decision.actions, result.decision
    assert result.draft is not None and result.draft.situation == "service_outage", result.draft
    assert "заблокируйте карту" not in result.draft.text, result.draft.text
