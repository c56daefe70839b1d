"""Text as monitoring tools deliver it, made comparable: URLs, @handles, "RT", hashtags and
the brand's own names become fixed tokens, so that none of them acts as sentiment.

Lemmas come from pymorphy3 over razdel's tokens; a word after «не», «нет», «ни», «без» is
marked (`не_нравиться`), which a bag of words otherwise loses.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

import pymorphy3
import razdel

URL_TOKEN, USER_TOKEN, BRAND_TOKEN = "xurl", "xuser", "xbrand"

_URL = re.compile(r"(?:https?://|www\.)\S+|\b(?:t\.me|vk\.com|vk\.cc|t\.co)/\S*", re.IGNORECASE)
_HANDLE = re.compile(r"(?<![\w@])@\w{2,}")
_RETWEET = re.compile(r"(?<!\w)RT\b:?")
_HASH = re.compile(r"#(?=\w)")
_NEGATIONS = frozenset({"не", "нет", "ни", "без", "not", "no", "never"})
_CASE_ENDING = r"(?:а|я|у|ю|ом|ем|е|ы|и|ов|ев|ам|ям|ами|ями|ах|ях|ой|ей|'s)?"
_WORD = re.compile(r"[а-яёa-z]+(?:-[а-яёa-z]+)*")


def brand_pattern(names: Iterable[str]) -> re.Pattern[str] | None:
    """One pattern for a brand's names and aliases, in any case and inflection: «Кедр Банка»,
    «кедрбанк», «@kedrbank». Words of four letters or more take a case ending (not any
    suffix: «Кедра», not «кедровый»); shorter ones («ОЭ», «МТС») match whole words only.
    Compiled once per set of names: the classifier asks for it at every mention."""
    return _brand_pattern(tuple(names))


@lru_cache(maxsize=256)
def _brand_pattern(names: tuple[str, ...]) -> re.Pattern[str] | None:
    alternatives = sorted({_alias_regex(name) for name in names if name.strip()}, key=len, reverse=True)
    if not alternatives:
        return None
    return re.compile(r"(?<![\w@])@?(?:" + "|".join(alternatives) + r")(?!\w)", re.IGNORECASE)


def _alias_regex(name: str) -> str:
    words = [word.lower().replace("ё", "е") for word in re.split(r"[\s\-]+", name.strip().lstrip("@#")) if word]
    return r"[\s\-]*".join(_inflected(word) for word in words)


def _inflected(word: str) -> str:
    """A word in any case: «сосна» as «Сосны», «Сосне»; «кедр» as «Кедра»."""
    if len(word) < 4:
        return re.escape(word)
    stem = word[:-1] if len(word) >= 5 and word[-1] in "аяоеьйыи" else word
    return re.escape(stem) + _CASE_ENDING


def fold(text: str) -> str:
    """Lower case, ё read as е: how every lexicon here is matched."""
    return text.lower().replace("ё", "е")


def normalize(text: str, brand: re.Pattern[str] | None = None) -> str:
    """Lower case, ё as е, links, handles, retweet marks and the brand's names as tokens."""
    text = _URL.sub(f" {URL_TOKEN} ", text)
    text = text.replace("ё", "е").replace("Ё", "Е")
    text = _HASH.sub("", text)
    if brand is not None:
        text = brand.sub(f" {BRAND_TOKEN} ", text)
    text = _HANDLE.sub(f" {USER_TOKEN} ", text)
    text = _RETWEET.sub(" ", text)
    return " ".join(text.lower().split())


@lru_cache(maxsize=1)
def morph() -> pymorphy3.MorphAnalyzer:
    return pymorphy3.MorphAnalyzer()


@lru_cache(maxsize=200_000)
def lemma(word: str) -> str:
    """The word's dictionary form. For a word pymorphy3 does not know, a guess that keeps the
    word's own start beats a likelier one that does not: «кэшбэком» is «кэшбэк», not «кэшбэкома»."""
    if not re.fullmatch(r"[а-яё\-]+", word):
        return word
    parses = morph().parse(word)
    if not morph().word_is_known(word):
        stems = [p.normal_form for p in parses if len(p.normal_form) < len(word) and word.startswith(p.normal_form)]
        if stems and not word.startswith(parses[0].normal_form):
            return stems[0]
    return parses[0].normal_form


def lemmas(normalized: str) -> list[str]:
    """Lemmas of the words and the other tokens as they are (emoji, «!!!», «?»); a word after
    a negation carries the mark «не_»."""
    out: list[str] = []
    negated = False
    for token in razdel.tokenize(normalized):
        if _WORD.fullmatch(token.text):
            word = lemma(token.text)
            out.append("не_" + word if negated else word)
            negated = word in _NEGATIONS
        else:
            out.append(token.text)
            negated = False
    return out


def content_words(words: set[str] | frozenset[str]) -> frozenset[str]:
    """Words that carry meaning: four letters or more, not the filler of questions and replies."""
    return frozenset(w for w in words if len(w) >= 4 and w.isalpha() and w not in FILLER)


# Words of any question or reply that tell nothing of its subject («подскажите», "please").
FILLER = frozenset(
    [
        # where, pointing: «а там закрыто» and «что там в соусе» share no subject
        "там",
        "тут",
        "здесь",
        "туда",
        "сюда",
        "оттуда",
        "отсюда",
        "этот",
        "который",
        "такой",
        "весь",
        "свой",
        "быть",
        "мочь",
        "можно",
        "нужно",
        "если",
        "когда",
        "чтобы",
        "только",
        "также",
        "есть",
        "очень",
        "сейчас",
        "здравствуйте",
        "спасибо",
        "пожалуйста",
        "подсказать",
        "скажите",
        "сказать",
        "вопрос",
        "хотеть",
        "знать",
        "that",
        "this",
        "with",
        "have",
        "from",
        "your",
        "what",
        "when",
        "will",
        "would",
        "could",
        "there",
        "about",
        "please",
        "thanks",
        "вообще",
        "какой",
        "сколько",
        "стать",
        "надо",
        "почему",
        "зачем",
        "через",
        "suppos",
        "question",
        "though",
        "still",
        "несколько",
        "does",
        "should",
        "much",
        "many",
        "long",
        # English glue: "also is there a proper vegan menu?" shares nothing with "you can also pre-order"
        "also",
        "just",
        "even",
        "only",
        "very",
        "really",
        "some",
        "they",
        "them",
        "their",
        "then",
        "than",
        "were",
        "been",
        "into",
        "here",
        "where",
        "which",
        "while",
        "these",
        "those",
        "other",
        "again",
        "ever",
        "proper",
        # how people hail the brand: «Ребята, а вы …?», "Hey guys, …"
        "ребята",
        "админ",
        "guys",
    ]
)


def mention_lemmas(text: str) -> set[str]:
    """Russian words as pymorphy3 lemmas, English ones lightly stemmed («cards» → «card»)."""
    return set(_mention_lemmas(text))


@lru_cache(maxsize=16384)
def _mention_lemmas(text: str) -> frozenset[str]:
    """Once per text: the drafter, its checks and the situation read the same sentences many times."""
    return frozenset(english_stem(word.removeprefix("не_")) for word in lemmas(text.lower().replace("ё", "е")))


_ENGLISH_SUFFIX = re.compile(r"(?<=[a-z]{3})(?:ies|ied|ing|ed|es|s)$")


def english_stem(word: str) -> str:
    return _ENGLISH_SUFFIX.sub("", word) if word.isascii() else word
