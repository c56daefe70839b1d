"""Classify a mention: sentiment, kind of negative, register, question, fake, risks, topics.

The offline classifier learns from the shared labelled mentions (and a brand's own, when
it has them): logistic regressions over the mention's sentence embedding plus surface
cues (rating, concrete details, question and emotion markers). Profanity, risks and
topics come from lexicons, because they must be exact and explainable.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import dropwhile
from pathlib import Path
from typing import Protocol

import numpy as np
import razdel
import yaml
from sklearn.linear_model import LogisticRegression

from assistant import cues
from assistant.mention_kind import MentionKindModel, promotes_competitor
from assistant.models import (
    Brand,
    Classification,
    LabelledMention,
    Mention,
    MentionKind,
    NegativeKind,
    Register,
    RiskFlag,
    Sentiment,
)
from assistant.profanity import Lexicon, ProfanityHit
from assistant.text.normalize import brand_pattern, fold, mention_lemmas, morph, normalize
from assistant.text.phrases import (
    BUT_WORDS,
    missing_thing,
    plus_and_minus,
    promise_outrun,
    scare_quoted,
    thanked_for_a_defect,
)
from assistant.text.sentiment import Inputs, SentimentModel, takes_no_side
from assistant.text.situation import (
    STAFF,
    asked_questions,
    done_actions,
    find_details,
    minutes_on_line,
    order_to_door,
    thanks_given,
    thanks_our_people,
    without_rhetoric,
)
from knowledge.store import SHARED, KnowledgeStore

SPECIFIC_KINDS = tuple(cues.SPECIFIC_PATTERNS)
POSITIVE_PROFANITY_CONFIDENCE = 0.8
# Something happened to someone's health: a symptom that began, treatment, a dish that caused it.
# A question that only names a condition («аллергия на кунжут») is answered, not escalated.
HEALTH_INCIDENT = re.compile(
    r"(началас|начал[оа]?\b|появил|обсыпал|отек|отеч|опух|вызва\w*\s+скор|увезл|увез\b|приемн\w*\s+поко|госпитализ|"
    r"больниц|реанимац|капельниц|рвот|вырвал|стошнил|тошнит|отрав|понос|диаре|температур\w*\s+(под\s+)?\d|"
    r"после\s+(заказ|блюд|еды|ваш|обед|ужин|салат|суп)|"
    r"poison|vomit|threw up|hospital|ambulance|a&e|emergency room|swell|swollen|reaction|after (eating|the|your|my))",
    re.I,
)
HARM_OR_LAW = frozenset([RiskFlag.health, RiskFlag.legal])
LONG_WAIT = 90  # minutes from order to door that no one praises in earnest
LONG_HOLD = 30  # minutes on our line or in our chat that no one praises in earnest
_HOLD_HINT = re.compile(r"\b(?:лини\w*|чат\w*|оператор\w*|hotline|on hold)\b", re.I)
PRAISING_RATING = 4  # four stars and up praise whatever is put in quotes
FAKE_MIN_WORDS = 12  # praise shorter than this is not suspected of being a fake by its wording alone


class Classifier(Protocol):
    name: str

    def classify(
        self, mention: Mention, brand: Brand | None, vector: np.ndarray, duplicates: Sequence[str] = ()
    ) -> Classification:
        """`duplicates`: ids of other people's mentions that say nearly the same (a fake signal)."""
        ...


def cue_features(text: str, rating: int | None) -> np.ndarray:
    """Hand-made features that embeddings miss: rating, details, questions, emotion, length."""
    found = {specific.kind for specific in cues.find_specifics(text)}
    letters = [c for c in text if c.isalpha()]
    return np.array(
        [rating is None, *(rating == stars for stars in range(1, 6))]
        + [kind in found for kind in SPECIFIC_KINDS]
        + [
            len(found) / 3,
            "?" in text,
            cues.is_question(text),
            cues.emotion_score(text),
            len(cues.superlatives(text)),
            math.log1p(len(text)) / 5,
            min(text.count("!"), 5) / 5,
            sum(c.isupper() for c in letters) / max(len(letters), 1),
        ],
        dtype=np.float32,
    )


def features(vectors: np.ndarray, texts: list[str], ratings: list[int | None]) -> np.ndarray:
    cue_rows = np.stack([cue_features(text, rating) for text, rating in zip(texts, ratings, strict=True)])
    return np.hstack([vectors, cue_rows])


@dataclass(frozen=True)
class FittedModels:
    kind: LogisticRegression
    register: LogisticRegression
    question: LogisticRegression
    fake: LogisticRegression


def _fit(x: np.ndarray, y: list[str]) -> LogisticRegression:
    """Embedding and cue features are all of order one, so no scaling is needed."""
    return LogisticRegression(C=1.0, class_weight="balanced", max_iter=3000).fit(x, y)


def fit_models(vectors: np.ndarray, labels: list[LabelledMention]) -> FittedModels:
    """Fit the four small models on labelled mentions and their embeddings (sentiment is the
    shipped model's, assistant/text/sentiment.py)."""
    x = features(vectors, [m.text for m in labels], [m.rating for m in labels])
    negative = [i for i, m in enumerate(labels) if m.kind in (NegativeKind.constructive, NegativeKind.non_constructive)]
    return FittedModels(
        kind=_fit(x[negative], [labels[i].kind.value for i in negative]),  # type: ignore[union-attr]
        register=_fit(x, [m.register.value for m in labels]),
        question=_fit(x, [str(m.is_question) for m in labels]),
        fake=_fit(x, [str(m.suspected_fake) for m in labels]),
    )


def _probability(model: LogisticRegression, row: np.ndarray, label: str) -> float:
    classes = list(model.classes_)
    return float(model.predict_proba(row)[0][classes.index(label)]) if label in classes else 0.0


def load_risk_patterns(path: Path) -> dict[RiskFlag, list[re.Pattern[str]]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {RiskFlag(flag): [re.compile(p, re.IGNORECASE) for p in patterns] for flag, patterns in data.items()}


def _starts_word(stem: str, folded_text: str) -> bool:
    """A brand's stem matches at the start of a word: «суд» in «в суд», not in «посуда».
    Stems of three letters or fewer match whole words with a case ending («иск», not «искать»);
    English stems whole words with an English ending («court», not «courtyard»)."""
    return _stem_pattern(stem).search(folded_text) is not None


@lru_cache(maxsize=8192)
def _stem_pattern(stem: str) -> re.Pattern[str]:
    folded = fold(stem)
    if folded.isascii():  # English inflects by endings of its own: «court», «courts», not «courtyard»
        return re.compile(rf"(?<!\w){re.escape(folded)}(?:s|es|d|ed|ing|ised|ized|ulent|sters?)?\b")
    tail = r"(?:а|у|ом|е|ы|ов|ам|ами|ах)?\b" if len(folded) <= 3 else ""
    return re.compile(rf"(?<!\w){re.escape(folded)}{tail}")


class OfflineClassifier:
    """The default classifier: no network, no key; fitted once per brand per process."""

    name = "offline"

    def __init__(
        self,
        examples: KnowledgeStore,
        profanity: Lexicon,
        risks: dict[RiskFlag, list[re.Pattern[str]]],
        sentiment: SentimentModel,
        kinds: MentionKindModel,
    ):
        self._examples = examples
        self._profanity = profanity
        self._risks = risks
        self._sentiment_model = sentiment
        self._kinds = kinds
        self._fitted: dict[str, FittedModels] = {}

    def models_for(self, brand_id: str | None) -> FittedModels:
        """Fitted on the shared examples plus the brand's own; once per brand per process."""
        key = brand_id or SHARED
        if key not in self._fitted:
            found = self._examples.examples([SHARED, brand_id] if brand_id else [SHARED])
            self._fitted[key] = fit_models(found.vectors, found.labels)
        return self._fitted[key]

    def classify(
        self, mention: Mention, brand: Brand | None, vector: np.ndarray, duplicates: Sequence[str] = ()
    ) -> Classification:
        text = mention.text
        models = self.models_for(brand.profile.id if brand else None)
        row = features(vector[None, :], [text], [mention.rating])
        sentiment, confidence, mention_kind, threatens = self._read_text(mention, brand, vector)
        if sentiment is not Sentiment.negative and (plain := without_rhetoric(text)).strip() and plain != text:
            # «…менеджер пропал, договор не присылает. Сколько можно ждать?»: the «?» reads neutral
            plain_vector = self._examples.embedder.embed_one(plain)  # read as if written so
            told, told_confidence, _, _ = self._read_text(
                mention.model_copy(update={"text": plain}), brand, plain_vector
            )
            if told is Sentiment.negative:
                sentiment, confidence = told, told_confidence
        flags = self._risk_flags(text, brand)
        said = _as_the_words_say(sentiment, text, mention.rating, flags)
        sarcastic = sentiment is Sentiment.positive and said is Sentiment.negative  # its praise is not meant
        if said is Sentiment.negative and sentiment is not said and mention_kind is MentionKind.chatter:
            mention_kind = MentionKind.customer  # praise the words take back is a customer's sarcasm, not chatter
        sentiment = said
        mention_kind = self._kind_as_the_words_say(mention_kind, sentiment, text)
        if takes_no_side(text):
            sentiment = Sentiment.neutral  # a bare «норм» or «Жесть» says nothing of the brand
        hits = self._abuse_hits(text)
        abuse = [hit.word for hit in hits]
        if _is_abuse(hits, sentiment, confidence):
            sentiment = Sentiment.negative
        elif sentiment is Sentiment.negative and (self._asks_about_health(text) or plain_question(text)):
            # «у дочки аллергия на кунжут — где посмотреть состав?» fears, «можно два промокода, на 200
            # и на 300?» asks: neither blames
            sentiment = Sentiment.neutral
        kind = self._kind(models, row, text, abuse) if sentiment is Sentiment.negative else None
        fake_signals = self._fake_signals(models, row, mention, brand, duplicates, sentiment)
        # a fake praises or smears: a neutral «норм» that two people wrote is no fake review
        suspected = len(fake_signals) >= 3 and kind is not NegativeKind.abusive and sentiment is not Sentiment.neutral
        register = Register(models.register.predict(row)[0])
        details = cues.find_specifics(text)
        praises, criticism = plus_and_minus(text)
        praises = praises and not (sarcastic or mocks(text))  # «спасибо за новое блюдо: ледяной борщ» is no praise
        harassed = RiskFlag.threat not in flags and harassed_by_our_people(text)
        if harassed:  # «курьер написал мне в вотсап… звонил в 2 ночи… теперь страшно открывать дверь»
            flags = sorted({*flags, RiskFlag.threat})
        return Classification(
            sentiment=sentiment,
            mention_kind=mention_kind,
            kind=kind,
            register=register,
            is_question=_probability(models.question, row, "True") >= 0.5 or "?" in text,
            praises=praises,
            criticism=criticism,
            suspected_fake=suspected,
            fake_signals=fake_signals if suspected else [],
            risk_flags=sorted({*flags, RiskFlag.threat}) if threatens else flags,
            threat_read_only=threatens and RiskFlag.threat not in flags,
            threat_reported=harassed or (RiskFlag.threat in flags and self._threat_reported(text)),
            abused_by_staff=abused_by_our_people(text),
            topics=self._topics(text, brand),
            language=mention.language or cues.detect_language(text),
            confidence=round(confidence, 3),
            rationale=_rationale(sentiment, confidence, mention.rating, details, abuse, register),
            backend=self.name,
        )

    def _read_text(
        self, mention: Mention, brand: Brand | None, vector: np.ndarray
    ) -> tuple[Sentiment, float, MentionKind, bool]:
        """Sentiment toward the brand (its names and aliases are one token, so they carry no
        sentiment), the kind of mention and whether it threatens anyone, from one set of text features."""
        text = normalize(mention.text, brand_pattern(brand.profile.names) if brand else None)
        inputs = Inputs([text], vector[None, :], [mention.rating])
        features = self._sentiment_model.text_features(inputs)
        row = self._sentiment_model.probabilities(inputs, features)[0]
        best = int(row.argmax())
        kind, _ = self._kinds.kind_of(features, mention.text, mention.rating)
        if brand and promotes_competitor(mention.text, brand.profile.competitors):
            kind = MentionKind.spam
        threatens = self._kinds.threatens(features, mention.text)
        return Sentiment(self._sentiment_model.classes[best]), float(row[best]), kind, threatens

    @staticmethod
    def _kind(models: FittedModels, row: np.ndarray, text: str, abuse: list[str]) -> NegativeKind:
        if abuse:
            return NegativeKind.abusive
        strong = {s.kind for s in cues.find_specifics(text)} & cues.STRONG_DETAILS
        constructive = _probability(models.kind, row, NegativeKind.constructive.value)
        return NegativeKind.constructive if constructive >= 0.5 or len(strong) >= 2 else NegativeKind.non_constructive

    @staticmethod
    def _fake_signals(
        models: FittedModels,
        row: np.ndarray,
        mention: Mention,
        brand: Brand | None,
        duplicates: Sequence[str],
        sentiment: Sentiment,
    ) -> list[str]:
        """Several signals must come together: one alone never makes a review a fake."""
        text, rating = mention.text, mention.rating
        signals = []
        fake_probability = _probability(models.fake, row, "True")
        if fake_probability >= 0.5:
            signals.append(f"reads like known fake reviews (p={fake_probability:.2f})")
        superlatives = cues.superlatives(text)
        if superlatives:
            signals.append("generic superlatives: " + ", ".join(sorted(set(superlatives))[:3]))
        if not {s.kind for s in cues.find_specifics(text)} & cues.STRONG_DETAILS:
            signals.append("no concrete details of a purchase or visit")
        named = [c for c in (brand.profile.competitors if brand else []) if _starts_word(c, fold(text))]
        if named:
            signals.append("names a competitor: " + ", ".join(named))
        if rating in (1, 5) and superlatives:
            signals.append(f"extreme rating ({rating}★) with superlatives")
        if duplicates:
            signals.append("near-duplicate of other people's mentions: " + ", ".join(duplicates[:3]))
        # what the author did or is doing; pymorphy3: Russian only. «быть» counts only with «я» or «мы»: «банк, где я
        # был» tells a customer, «худшее, что со мной было» nothing
        idle = set() if _WAS_THERE.search(text) else {"быть"}
        lived = (
            (done_actions(text, lived=True) - idle or doing_now(text)) if cues.detect_language(text) == "ru" else None
        )
        if lived == frozenset() and _APP_SCREENS.search(fold(text)):
            # «кнопка «Перевести» теперь спрятана за тремя меню»: only someone who uses the app sees its screens
            lived = frozenset({"пользоваться"})
        if lived == frozenset():
            signals.append("no trace of a customer: tells nothing the author did")
        if named or duplicates:
            return signals
        if sentiment is Sentiment.negative and lived:
            return []  # an angry customer who tells what they went through is answered, never reported
        # a short thank-you has no room for details or for the overblown praise fakes are made of:
        # asking its author for an order number insults a real customer
        short_praise = sentiment is Sentiment.positive and len(text.split()) < FAKE_MIN_WORDS
        return signals if fake_probability >= 0.5 and not short_praise else []

    def backstop(self, classification: Classification, mention: Mention, brand: Brand | None) -> Classification:
        """Apply the exact lexicons to another classifier's result (a language model's): a risk
        it missed is added, and profanity makes the mention abusive, as it would offline."""
        flags = sorted(set(classification.risk_flags) | set(self._risk_flags(mention.text, brand)))
        praises, criticism = plus_and_minus(mention.text)
        update: dict[str, object] = {"risk_flags": flags, "praises": praises, "criticism": criticism}
        if _is_abuse(self._abuse_hits(mention.text), classification.sentiment, classification.confidence):
            update |= {"sentiment": Sentiment.negative, "kind": NegativeKind.abusive}
        return classification.model_copy(update=update)

    def _kind_as_the_words_say(self, kind: MentionKind, sentiment: Sentiment, text: str) -> MentionKind:
        """The model's kind, less what the words rule out: a neutral «crisis» that names no harm
        («десять курьеров на самокатах, колонна. Что-то открылось?»), «chatter» that names our
        employee («Курьер Дима — золото… а карбонара пересолена»: the author's own order)."""
        if kind is MentionKind.crisis and sentiment is Sentiment.neutral and not self._kinds.names_crisis(text):
            return MentionKind.customer
        if kind is MentionKind.chatter and "employee" in find_details(text):
            return MentionKind.customer
        if kind is MentionKind.chatter and sentiment is Sentiment.negative and missing_thing(text):
            return MentionKind.customer  # «пакет привезли… без половины картошки фри 🤡»: the author's own order
        if kind is MentionKind.spam and sentiment is Sentiment.negative and _CODE_REFUSED.search(text):
            return MentionKind.customer  # «промокод STUDENT20 пишет «недействителен»»: our offer failed them, no advert
        return kind

    def _abuse_hits(self, text: str) -> list[ProfanityHit]:
        return aimed_at_others(text, self._profanity.find(text))

    def _asks_about_health(self, text: str) -> bool:
        """A question about an allergy or a diet that tells nothing that happened: no incident, no
        verb in the past («заказала без орехов, а в салате орехи» happened)."""
        folded = fold(text)
        health = any(pattern.search(folded) for pattern in self._risks.get(RiskFlag.health, []))
        return health and _only_asks(text, folded) and not done_actions(text, lived=True)

    def _threat_reported(self, text: str) -> bool:
        """The threatening words are all inside quotes, and the author says outside them that they
        were threatened or are afraid: the author is the one threatened, not the one threatening."""
        outside = fold(_QUOTED.sub(" ", text))
        threats = self._risks.get(RiskFlag.threat, [])
        return not any(p.search(outside) for p in threats) and bool(_THREATENED.search(outside))

    def _only_away_in_hospital(self, folded: str) -> bool:
        """The one health word is the author's stay in hospital, told as why they could not act,
        with nothing of ours that caused it («после», «из-за»)."""
        rest = _AWAY_IN_HOSPITAL.sub(" ", folded)
        health = self._risks.get(RiskFlag.health, [])
        return rest != folded and not any(p.search(rest) for p in health) and not _CAUSED.search(folded)

    def _risk_flags(self, text: str, brand: Brand | None) -> list[RiskFlag]:
        """The lexicons' flags (shared and the brand's)."""
        folded = fold(text)
        flags = {flag for flag, patterns in self._risks.items() if any(p.search(folded) for p in patterns)}
        for trigger in brand.profile.escalation_triggers if brand else []:
            if any(_starts_word(stem, folded) for stem in trigger.patterns):
                flags.add(trigger.flag)
        if RiskFlag.health in flags and _only_asks(text, folded):
            flags.discard(RiskFlag.health)  # «у сына аллергия на кунжут — где посмотреть состав?» asks, reports nothing
        if RiskFlag.health in flags and self._only_away_in_hospital(folded):
            flags.discard(RiskFlag.health)  # «не успела забрать вклад — была в больнице»: why, not what we did
        return sorted(flags)

    @staticmethod
    def _topics(text: str, brand: Brand | None) -> list[str]:
        folded = fold(text)
        topics = brand.profile.topics if brand else []
        counts = {t.id: sum(_starts_word(k, folded) for k in t.keywords) for t in topics}
        return [topic for topic, count in sorted(counts.items(), key=lambda kv: -kv[1]) if count][:3]


# a code or offer that did not work for the author: a complaint about it, however much it reads like an ad
_CODE_REFUSED = re.compile(
    r"\b(?:недействител\w*|не\s+(?:работает|сработал\w*|принима\w*|примен\w*|действует|активиру\w*)|"
    r"invalid|(?:doesn'?t|does not|didn'?t) (?:work|apply))\b",
    re.I,
)


def _as_the_words_say(sentiment: Sentiment, text: str, rating: int | None, flags: list[RiskFlag]) -> Sentiment:
    """The model's sentiment, turned where the words settle it: a quality in quotes is not meant
    («Спасибо за «горячий» суп»), nor is a quoted term long run out («идёт «один рабочий день» уже
    четвёртый»), nor thanks for a defect («спасибо за ледяной борщ»), unless four or five stars
    say it is; nor is praise of an order
    that took an hour and a half or more from order to door; thanks to our people with
    nothing taken back is meant («Спасибо службе заботы: ответили за 3 часа»); four or five stars
    on a review the model reads neutral and that asks nothing praise («аллергены расписаны —
    огромный плюс»); a harm or a dispute (a health or legal flag) told with neither stars nor a
    word of thanks is no praise («позвонили "из службы безопасности"… Обращаемся в прокуратуру»)."""
    praising = (rating or 0) >= PRAISING_RATING
    if sentiment is Sentiment.positive and not praising and (mocks(text) or promise_outrun(text)):
        return Sentiment.negative
    if sentiment is not Sentiment.negative and not praising and (_waited_long(text) or _held_long(text)):
        return Sentiment.negative  # «спасибо за экспресс-обед! Заказал в 12:05, получил в 14:30 👏»
    if sentiment is Sentiment.negative and thanks_our_people(text):
        return Sentiment.positive
    if sentiment is Sentiment.neutral and praising and "?" not in text:
        return Sentiment.positive
    if sentiment is Sentiment.positive and HARM_OR_LAW.intersection(flags) and not praising and not thanks_given(text):
        return Sentiment.negative
    return sentiment


def mocks(text: str) -> bool:
    """Praise the words take back: a quality in quotes («Спасибо за «горячий» суп»), thanks for a
    defect («спасибо за новое блюдо: ледяной борщ»)."""
    return bool(scare_quoted(text) or thanked_for_a_defect(text))


def _has_but(text: str) -> bool:
    """«но» (phrases.BUT_WORDS) or "but": praise it qualifies is a mixed review's, not sarcasm."""
    return bool({token.text.lower() for token in razdel.tokenize(text)} & (BUT_WORDS | {"but"}))


def _waited_long(text: str) -> bool:
    """The author's own clock times put the order at the door LONG_WAIT minutes or more after it
    was placed, with no «но» that would make the praise a mixed review's."""
    waited = order_to_door(text)
    if waited is None or waited < LONG_WAIT:
        return False
    return not _has_but(text)


def _held_long(text: str) -> bool:
    """Thanks for LONG_HOLD minutes or more on our line («55 минут на горячей линии — почти
    медитация 🧘»), with no «но» that would make the praise a mixed review's."""
    if not _HOLD_HINT.search(text):  # the pattern first: reading every mention's details is waste
        return False
    held = minutes_on_line(find_details(text))
    return held is not None and held >= LONG_HOLD and not _has_but(text)


def harassed_by_our_people(text: str) -> bool:
    """One of our people got in touch with the author outside the order and the author is
    afraid: «курьер написал мне в вотсап… ночью звонил… теперь страшно открывать дверь». No
    threatening word needs to be said for the author to need security, not a delivery apology."""
    folded = fold(text)  # the two patterns first: lemmatising every mention for a rare case is waste
    return bool(_CONTACTED_ME.search(folded) and _AFRAID.search(folded)) and bool(mention_lemmas(text) & STAFF)


def abused_by_our_people(text: str) -> bool:
    """One of our people abused the author, as told in one sentence in the past: «курьер швырнул
    пакет мне под ноги и послал матом», «оператор наорал». A threat back is still escalated, but
    the report of our own people's misconduct is not hidden with it. «Если курьер ещё раз нахамит,
    ноги переломаю» tells what may happen: the threat alone."""
    if not _ABUSE_HINT.search(fold(text)):  # the pattern first: lemmatising every mention for a rare case is waste
        return False
    for sentence in razdel.sentenize(text):
        parses = [morph().parse(token.text.lower())[0] for token in razdel.tokenize(sentence.text)]
        done = {p.normal_form for p in parses if {"VERB", "past"} <= p.tag.grammemes}
        words = {p.normal_form for p in parses}
        abused = done & _ABUSE_VERBS or ("послать" in done and "мат" in words)
        if abused and words & STAFF:
            return True
    return False


def _only_asks(text: str, folded: str) -> bool:
    """A real question («Как так можно?» asks nothing) that reports no health incident."""
    return bool(asked_questions(text)) and not HEALTH_INCIDENT.search(folded)


def plain_question(text: str) -> bool:
    """Every sentence asks us something in the words one asks with («можно …?», «сколько …?»),
    and nothing is told as having happened or gone wrong: no verb in the past, no «не», no «!»
    («Почему мне не пришёл кэшбэк?» complains, «А доставку к Новому году ждать?» mocks)."""
    sentences = [s.text for s in razdel.sentenize(text)]
    if not sentences or "!" in text:
        return False
    # «У меня промокод на 300 ₽ и 420 баллов. Получится потратить и то и другое?»: what they have, then the question
    asking = list(dropwhile(_what_they_have, sentences))
    if not asking or not all(asked_questions(s) and _ASKING_START.match(s) for s in asking):
        return False
    words = {token.text.lower() for token in razdel.tokenize(text)}
    return not words & _NEGATIONS and not done_actions(text)


def _what_they_have(sentence: str) -> bool:
    """A statement of what the author has, with no verb and no quality: «У меня промокод на 300 ₽»
    (not «У меня холодный суп»)."""
    if "?" in sentence or not _HAVING.match(sentence):
        return False
    parses = [morph().parse(token.text.lower())[0].tag for token in razdel.tokenize(sentence)]
    return not any(tag.POS in ("VERB", "INFN", "PRTS", "GRND", "ADJF", "ADJS") for tag in parses)


def doing_now(text: str) -> frozenset[str]:
    """What the author says they are doing, in the present: «код ввожу», «жду третий день», «не могу
    войти» — a customer using the service now. Verbs of opinion, advice and writing are left out:
    «не советую», «обожаю», «пишу, чтобы предупредить» are what a made-up review says too."""
    found = set()
    for token in razdel.tokenize(text):
        parse = morph().parse(token.text.lower())[0]
        if {"VERB", "1per", "sing", "pres"} <= parse.tag.grammemes and parse.normal_form not in _OPINION_VERBS:
            found.add(parse.normal_form)
    return frozenset(found)


# the app's own parts; not «меню» or «раздел», which a restaurant's menu has too
_APP_SCREENS = re.compile(
    r"\b(кнопк\w*|вкладк\w*|экран\w*|пуш\w*|уведомлени\w*|истори\w+ операци\w*|версии|версия|"
    r"button|screen|tab|notification\w*)\b"
)
_WAS_THERE = re.compile(r"\b(?:я|мы)\s+(?:\w+\s+)?(?:был|была|были)\b", re.I)
_HAVING = re.compile(r"^\W*(?:а\s+)?(?:у\s+(?:меня|нас)|i\s+have|we\s+have)\b", re.I)
_ASKING_START = re.compile(
    r"^\W*(?:а\s+|и\s+|скажите,?\s+|подскажите,?\s+)?(?:можно|получится|есть\s+ли|где|когда|сколько|какой|какая|какие|как\s+(?!так\b)|"
    r"во\s+сколько|до\s+скольки|принимаете|работаете|доставляете|can|is|are|do|how|where|when)\b",
    re.I,
)
_OPINION_VERBS = frozenset(["рекомендовать", "советовать", "хотеть", "заклинать", "копировать", "обожать", "любить",
                            "ненавидеть", "писать", "знать", "думать", "считать", "понимать", "видеть", "требовать",
                            "просить", "предупреждать", "ставить", "говорить", "призывать", "умолять", "верить",
                            "сомневаться", "надеяться", "шутить", "аплодировать", "поздравлять", "номинировать",
                            "ценить", "благодарить"])  # fmt: skip
_NEGATIONS = frozenset(["не", "нет", "ни", "никак", "нельзя", "not", "no", "never", "can't", "doesn't", "didn't"])


_AWAY_IN_HOSPITAL = re.compile(
    r"\b(был|была|были|лежал|лежала|лежали|лежу|находил\w*|нахожусь)\s+(\w+\s+)?в\s+больниц\w*"  # not «попал»: that is news of harm
)
_CAUSED = re.compile(r"\b(после|из-за|из\s+за|от\s+ваш\w*|by\s+your|after\s+(your|eating))\b")
_CONTACTED_ME = re.compile(
    r"\b(написал\w*|пишет|писал\w*|звонил\w*|звонит|названива\w*|преследу\w*|караулил\w*|поджидал\w*)\s+(\w+\s+){0,2}?"
    r"(мне|меня)\b|\b(мне|меня)\s+(\w+\s+)?(написал\w*|звонил\w*|названива\w*|преследу\w*)"
)
_AFRAID = re.compile(
    r"\b(страшно|боюсь|боимся)\s+(\w+\s+)?(выходить|открывать|ходить|оставаться|одн\w+)|\bтеперь\s+(мне\s+)?страшно|"
    r"\b(угрожа\w*|пригрози\w*|запуга\w*|преследу\w*)|\b(i.m|i am)\s+(scared|afraid)"
)
_QUOTED = re.compile(r"«[^»]*»|\"[^\"]*\"|“[^”]*”|„[^“”]*[“”]")
_THREATENED = re.compile(
    r"\b(угрож\w*|пригрози\w*|страшн\w*|страшно|боюсь|боимся|напуга\w*|запуга\w*|"
    r"threat\w*|scared|afraid|frightened)"
)
# the cheap first look: «ор» alone would let «организация», «оригинал» through to the lemmatiser
_ABUSE_HINT = re.compile(
    r"\b(на|об|за)?(хам|груб|матер|оскорб|обозв|швыр|толкн|удар|посла)\w*|\b(на)?ор(ал|ала|али|ёт|ет|ут|ать)\b|\bматом\b"
)
_ABUSE_VERBS = frozenset(["нахамить", "хамить", "нагрубить", "грубить", "наорать", "орать", "обматерить", "материть",
                          "оскорбить", "оскорблять", "обозвать", "швырнуть", "швырять", "толкнуть", "ударить"])  # fmt: skip
_LIKE = frozenset(["как", "словно", "будто", "точно"])
_SELF_WORDS = frozenset(["я", "себя", "меня", "мне", "мной", "нас"])  # «со мной как с дурой», «нас за дураков держат»


def aimed_at_others(text: str, hits: list[ProfanityHit]) -> list[ProfanityHit]:
    """The hits less an insult the author gives themselves: «стоял как дурак с полной тележкой»,
    «чувствую себя идиоткой», «я дура, перепутала адрес», «говорила со мной как с дурой». A simile
    in the plural («работаете как идиоты») or an obscene word stays."""
    return [hit for hit in hits if not (hit.category == "insult" and _of_myself(text, hit))]


def _of_myself(text: str, hit: ProfanityHit) -> bool:
    before = [token.text.lower() for token in razdel.tokenize(text[: hit.start])][-3:]
    if _SELF_WORDS & set(before):
        return True
    singular = "sing" in morph().parse(hit.word.lower())[0].tag.grammemes
    like = bool(before) and before[-1] in _LIKE
    like_with = len(before) >= 2 and before[-2] in _LIKE and before[-1] in ("с", "со")  # «как с дурой»
    return (like or like_with) and singular


def _is_abuse(hits: list, sentiment: Sentiment, confidence: float) -> bool:
    """Insults always are; obscene words are unless the mention is clearly praise («охуенно вкусно»)."""
    if any(hit.category == "insult" for hit in hits):
        return True
    return bool(hits) and not (sentiment is Sentiment.positive and confidence >= POSITIVE_PROFANITY_CONFIDENCE)


def _rationale(
    sentiment: Sentiment,
    confidence: float,
    rating: int | None,
    details: list[cues.Specific],
    abuse: list[str],
    register: Register,
) -> str:
    parts = [f"{sentiment.value} (p={confidence:.2f})"]
    if rating:
        parts.append(f"rating {rating}★")
    if details:
        parts.append("details: " + "; ".join(d.text for d in details[:4]))
    if abuse:
        parts.append(f"profanity/insults: {len(abuse)}")
    parts.append(register.value)
    return ", ".join(parts)
