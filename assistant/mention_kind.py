"""Which kind of mention is this: customer voice, media, chatter, spam or crisis?

The first thing an operator decides is whether to react at all. A logistic regression over
the sentiment model's text features and style cues (links, handles, first and second
person, figures, promotion and incident words) learns it from
`knowledge/shared/mention_kinds.jsonl` (news, chatter, spam and crises of many invented
brands, plus customer look-alikes) and the shared labelled mentions, which are all
customer voice. `otklik train` fits it beside the sentiment model; a fixed share of the
examples is held out by a hash of the id (knowledge/labelled.py) and never trained on.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import razdel
import yaml
from scipy.sparse import csr_matrix, hstack

from assistant.models import Language, MentionKind, Platform, Sentiment, Strict
from assistant.text.normalize import brand_pattern, fold, morph
from assistant.text.sentiment import LinearHead
from knowledge.labelled import read_examples

KIND_EXAMPLES_GLOB = "mention_kinds*.jsonl"
CRISIS_FILE = "crisis.yaml"
KIND_WEIGHTS_PATH = Path(__file__).resolve().parent / "text" / "mention_kind.npz"
THREATS_GLOB = "threats*.jsonl"
THREAT_MIN_PROBABILITY = 0.5
STYLE_WEIGHT = 1.0  # the style cues against the unit-norm text blocks
# Another kind than customer voice needs this much probability: leaving a customer
# unanswered costs more than answering chatter; a crisis needs less, because escalating
# in doubt costs an operator's minute and missing one costs the brand.
MIN_PROBABILITY = {MentionKind.media: 0.5, MentionKind.chatter: 0.5, MentionKind.spam: 0.5, MentionKind.crisis: 0.35}

# A text that names no crisis (no injury, death, poisoning, outage, leak…) is one only when the
# model is this sure: a team lunch that «arrived at 12:55» is not an incident.
CRISIS_UNNAMED = 0.6
HINT_GROUPS = frozenset(["mass", "viral"])  # crisis.yaml groups that hint at a crisis without naming one

_FIRST_PERSON = re.compile(
    r"\b(я|мне|меня|мной|мой|моя|моё|мое|мои|моего|моей|мы|нас|нам|наш\w*|i|me|my|we|us|our)\b", re.I
)
_SECOND_PERSON = re.compile(r"\b(вы|вас|вам|вами|ваш\w*|ты|тебя|тебе|твой|твоя|твои|you|your)\b", re.I)
_FIGURES = re.compile(r"\d+(?:[.,]\d+)?\s*(?:%|млн|млрд|трлн|тыс|п\.п\.|б\.п\.|руб|₽|\$)", re.I)
_LINK = re.compile(r"https?://|www\.|t\.co/|t\.me/", re.I)
_HANDLE = re.compile(r"(?<![\w@])@\w{2,}")
_RETWEET = re.compile(r"(?<!\w)RT\b")
_PROMO = re.compile(
    r"\b(промокод\w*|скидк\w*|подписыва\w*|подпишись|заработ\w*|доход\w*|крипт\w*|ставк\w* на спорт|казино|бонус\w*|"
    r"переходи\w*|регистрируй\w*|реферал\w*|promo ?code|discount|subscribe|earn|casino|crypto)\b",
    re.I,
)


_PROMO_CODE = re.compile(r"(промокод\w*|promo\s?code|код)\s*:?\s*«?[A-Z0-9]{4,}", re.I)
_GO_THERE = re.compile(
    r"\b(оформляйте|оформите|закажите\s+в|заказывайте\s+в|переходите\s+(в|на)|по\s+моей\s+ссылке|"
    r"то\s+ли\s+дело|вот\s+в\s+«?\w+»?\s+(все|всё)|лучше\s+(в|закажите|оформите)|советую\s+«?\w+»?\s*$)",
    re.I,
)
_SITE = r"\b[\w-]+\.(ru|com|site|shop|online|click|school|store|net|org|club|pro|co|io|me)\b"  # «kedr-bonus.ru»
# Where an ad sends the reader besides a link or a handle: a site, a phone, a profile, private messages
_ELSEWHERE = re.compile(
    _SITE + r"|\+?\d[\d\s()-]{9,}|"
    r"профил\w*|\bлс\b|\bв\s+личк\w*|ссылк\w*|в\s+шапке|канал\w*|пиши\w*\s+(мне|в\s+лс|«)|приходите\s+в\b|"
    r"по\s+(моему|моей)\s+(коду|ссылке|приглашению)|\b(dm|bio|link)\b",
    re.I,
)


# An offer an ad makes («недорого и быстро», «получите компенсацию 15 000 ₽»), and where it sends the
# reader: a site or a link, private messages, a messenger. A customer's «можно соус в компенсацию?» sends no one.
_OFFER = re.compile(
    r"\b(недорого|дёшево|бесплатн\w*|получите|получи|заработ\w*|выплат\w*|компенсаци\w*|накрутк\w*|халяв\w*)", re.I
)
_SENT_AWAY = re.compile(
    r"https?://|" + _SITE + r"|\bпиши\w*\s+(в\s+)?(лс|личк\w*|директ|whatsapp|вотсап|телеграм\w*|tg)\b", re.I
)
# A question put to the brand: «у вас», «ваш», «вы доставляете», in a sentence that ends with «?»
_ASKS_US = re.compile(r"\b(у\s+вас|ваш\w*|вы|вам)\b[^.!?]*\?", re.IGNORECASE)
# «что вы с этим будете делать»: «вы» with a verb of the second person plural, said to the brand
_YOU_DO = re.compile(r"\bвы\s+(?:\w+\s+){0,3}?(\w+(?:ете|ите|ёте))\b", re.IGNORECASE)
# A post's call to its own readers («делитесь в комментариях 👇», «а вы уже заказывали?»): a
# community page writing about the brand, not a customer writing to it
_TO_READERS = re.compile(
    r"\b(пишите|делитесь|поделитесь|расскажите|рассказывайте|ставьте|отмечайте|напишите)\b[^.!?]{0,30}\bкоммент\w*|"
    r"\bв\s+комментари(ях|и)\b[^.!?]{0,20}(пишите|делитесь|расскажите)|"
    r"\b(делитесь|поделитесь)\s+(впечатлениями|опытом|мнением)|"
    r"\bкто\s+(уже\s+)?(с\s+ними\s+)?(пробовал|заказывал|был|ходил|сталкивался|пользовался)\w*|"
    r"\bа\s+вы\s+(уже\s+)?(пробовали|заказывали|были|ходили|пользовались)\b|"
    r"\b(share|tell us|let us know)\b[^.!?]{0,30}\bcomments\b|\bhave you (tried|been|ordered)\b",
    re.I,
)


def _speaks_to_us(text: str) -> bool:
    """A question put to us, or «вы» doing something («что вы с этим будете делать?» without its
    question mark): a customer talking to the brand, not chatter about it."""
    return bool(_ASKS_US.search(text)) or any(_second_plural(m.group(1)) for m in _YOU_DO.finditer(text))


def _second_plural(word: str) -> bool:
    return any({"VERB", "2per", "plur"} <= parse.tag.grammemes for parse in morph().parse(word.lower()))


def _without_own_codes(text: str) -> str:
    """The text less the promo codes the author holds or asks about («можно ли использовать
    промокод WELCOME300 с баллами?», «у меня есть промокод OBED50»): a customer's code sends no
    reader anywhere, an ad's «вводите промокод SALE20» does."""
    sentences = [s.text for s in razdel.sentenize(text)]
    return " ".join(
        _PROMO_CODE.sub("промокод", s) if s.rstrip().endswith("?") or _FIRST_PERSON.search(s) else s for s in sentences
    )


def points_elsewhere(text: str) -> bool:
    """The mention sends its reader somewhere: a link, a handle, a site, a phone, a code to type."""
    searches = (_LINK.search(text), _HANDLE.search(text), _PROMO_CODE.search(text), _ELSEWHERE.search(text))
    return any(searches) or bool(_GO_THERE.search(fold(text)))


class KindExample(Strict):
    """A labelled mention of some brand, for the mention-kind model."""

    id: str
    text: str
    platform: Platform = Platform.other
    mention_kind: MentionKind
    sentiment: Sentiment
    language: Language


def load_kind_examples(shared_dir: Path) -> list[KindExample]:
    """Every `mention_kinds*.jsonl` of the shared folder, validated line by line."""
    return read_examples(shared_dir, KIND_EXAMPLES_GLOB, KindExample)


def promotes_competitor(text: str, competitors: Sequence[str]) -> bool:
    """A competitor named with a call to go there («оформляйте карту Сосны по моей ссылке») or
    a promo code of its own: a competitor's promotion, not a customer's review that compares."""
    names = [*competitors, *(c.split()[-1] for c in competitors if len(c.split()) > 1)]
    pattern = brand_pattern(names)
    folded = fold(text)
    return bool(pattern and pattern.search(folded)) and bool(_PROMO_CODE.search(text) or _calls_to_go_there(folded))


def _calls_to_go_there(folded: str) -> bool:
    """A call to go elsewhere, not a question about it: «Или лучше в ЕдаСразу брать?» asks readers."""
    return any(not re.match(r"[^.!?]*\?", folded[call.end() :]) for call in _GO_THERE.finditer(folded))


@dataclass(frozen=True)
class CrisisPattern:
    """One of crisis.yaml's patterns with its group (death, injury, …, mass, viral)."""

    group: str
    pattern: re.Pattern[str]

    def search(self, text: str) -> re.Match[str] | None:
        return self.pattern.search(text)

    @property
    def names_incident(self) -> bool:
        """«everyone», «видео» hint at a crisis; «погиб», «утечка», «сбой» name one."""
        return self.group not in HINT_GROUPS


def load_crisis_patterns(path: Path) -> list[CrisisPattern]:
    """Incident words (death, injury, fire, breach, mass outage, criminal case): one list."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [CrisisPattern(group, re.compile(p, re.IGNORECASE)) for group, patterns in data.items() for p in patterns]


def style_features(text: str, rating: int | None, crisis: Sequence[CrisisPattern]) -> np.ndarray:
    """What sets a headline, a joke, an ad and an incident apart from a customer's own words."""
    words = max(len(text.split()), 1)
    folded = fold(text)
    return np.array(
        [
            rating is not None,
            bool(_LINK.search(text)),
            min(len(_HANDLE.findall(text)), 3) / 3,
            bool(_RETWEET.search(text)),
            "#" in text,
            min(len(_FIRST_PERSON.findall(text)) / words * 10, 1.0),
            min(len(_SECOND_PERSON.findall(text)) / words * 10, 1.0),
            min(len(_FIGURES.findall(text)), 3) / 3,
            min(len(_PROMO.findall(text)), 3) / 3,
            min(sum(bool(p.search(folded)) for p in crisis), 3) / 3,
            "?" in text,
            "!" in text,
            math.log1p(words) / 5,
        ],
        dtype=np.float32,
    )


@dataclass(frozen=True)
class KindExampleRow:
    """One training row of the kind model: any labelled mention with its kind."""

    text: str
    rating: int | None
    kind: MentionKind


class ThreatExample(Strict):
    """A message that threatens someone or something (or, as a look-alike, does not)."""

    id: str
    text: str
    threat: bool
    language: Language


def load_threat_examples(shared_dir: Path) -> list[ThreatExample]:
    return read_examples(shared_dir, THREATS_GLOB, ThreatExample)


def style_rows(texts: Sequence[str], ratings: Sequence[int | None], crisis: Sequence[CrisisPattern]) -> csr_matrix:
    return csr_matrix(
        np.stack([style_features(t, r, crisis) for t, r in zip(texts, ratings, strict=True)]) * STYLE_WEIGHT
    )


@dataclass(frozen=True)
class MentionKindModel:
    """Two linear heads over the sentiment model's text features (assistant/text/sentiment.py)
    and the style cues: the kind of mention, and whether it threatens anyone (a threat needs
    no obscenity: «приеду и разберусь», «пусть оглядывается»). Trained with the sentiment
    model by `otklik train`, shipped as weights; the threat lexicon (risk.yaml) stays beside it."""

    head: LinearHead
    threat: LinearHead
    crisis: Sequence[CrisisPattern]

    def probabilities(self, text: csr_matrix, texts: Sequence[str], ratings: Sequence[int | None]) -> np.ndarray:
        rows = hstack([text, style_rows(texts, ratings, self.crisis)]).tocsr()
        return np.exp(self.head.log_probabilities(rows))

    def threatens(self, text: csr_matrix, mention_text: str) -> bool:
        rows = hstack([text, style_rows([mention_text], [None], self.crisis)]).tocsr()
        log_probabilities = self.threat.log_probabilities(rows)[0]
        return float(np.exp(log_probabilities[self.threat.classes.index("True")])) >= THREAT_MIN_PROBABILITY

    def kind_of(self, text: csr_matrix, mention_text: str, rating: int | None) -> tuple[MentionKind, float]:
        """A crisis when it reaches its bar and names an incident (or is very likely); else the
        likeliest other kind that reaches its bar; else customer voice (MIN_PROBABILITY)."""
        row = self.probabilities(text, [mention_text], [rating])[0]
        by_kind = {MentionKind(k): float(p) for k, p in zip(self.head.classes, row, strict=True)}
        crisis = by_kind[MentionKind.crisis]
        if crisis >= MIN_PROBABILITY[MentionKind.crisis] and (
            crisis >= CRISIS_UNNAMED or self.names_crisis(mention_text)
        ):
            return MentionKind.crisis, crisis
        best = max((k for k in by_kind if k is not MentionKind.crisis), key=by_kind.__getitem__)
        if best is MentionKind.spam and "?" in mention_text and not points_elsewhere(_without_own_codes(mention_text)):
            best = MentionKind.customer  # «а можно промокод и баллы в один заказ?» asks us, advertises nothing
        if best is MentionKind.chatter and _speaks_to_us(mention_text) and not _TO_READERS.search(mention_text):
            best = MentionKind.customer  # «Смотрим квартиру. Какой у вас взнос по ипотеке?» asks us, not readers
        if best is not MentionKind.customer and by_kind[best] < MIN_PROBABILITY[best]:
            best = MentionKind.customer
        if best is MentionKind.customer and _OFFER.search(mention_text) and _SENT_AWAY.search(mention_text):
            best = MentionKind.spam  # «всем рекомендую!!! кому нужна накрутка отзывов — пишите в лс»: an ad
        if best is MentionKind.customer and _TO_READERS.search(mention_text):
            best = MentionKind.media  # «делитесь в комментариях 👇»: a page writing about us to its readers
        return best, by_kind[best]

    def names_crisis(self, text: str) -> bool:
        folded = fold(text)
        return any(pattern.names_incident and pattern.search(folded) for pattern in self.crisis)

    def save(self, path: Path) -> None:
        arrays = {}
        for name, head in (("kind", self.head), ("threat", self.threat)):
            arrays |= {f"{name}_classes": np.array(head.classes), f"{name}_coef": head.coef.astype(np.float16)}
            arrays[f"{name}_intercept"] = head.intercept
        np.savez_compressed(path, **arrays)

    @classmethod
    def load(cls, crisis: Sequence[CrisisPattern], path: Path | None = None) -> MentionKindModel:
        with np.load(path or KIND_WEIGHTS_PATH, allow_pickle=False) as data:

            def head(name: str) -> LinearHead:
                classes = tuple(str(c) for c in data[f"{name}_classes"])
                return LinearHead(
                    classes, data[f"{name}_coef"].astype(np.float32), data[f"{name}_intercept"].astype(np.float64)
                )

            return cls(head("kind"), head("threat"), crisis)
