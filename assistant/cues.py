"""Surface cues in a text: language, concrete details, questions, emotion, superlatives.

Shared by the classifier (as features), the drafter (the author's specifics) and the
checker (numbers a reply states). Pure functions over strings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_CYRILLIC = re.compile(r"[а-яё]", re.IGNORECASE)
_LATIN = re.compile(r"[a-z]", re.IGNORECASE)
_UKRAINIAN = re.compile(r"[іїєґ]", re.IGNORECASE)

_NUMBER_WORDS_RU = (
    r"(?:полтора|полчаса|пол|один|одну|два|две|три|четыре|пять|шесть|семь|восемь|девять|десять"
    r"|пятнадцать|двадцать|тридцать|сорок|пятьдесят|сутки|\d+(?:[.,]\d+)?)"
)
_NUMBER_WORDS_EN = r"(?:an?|one|two|three|four|five|six|ten|fifteen|twenty|thirty|forty|half an|\d+(?:\.\d+)?)"

SPECIFIC_PATTERNS: dict[str, list[re.Pattern[str]]] = {
    "order": [
        re.compile(
            r"\b((?:заказ\w*|order|заявк\w*|обращени\w*|чек\w*|договор\w*|claim|request|application|contract)"
            r"\s*(?:№|#|номер|no\.?|number)?\s*:?\s*(?:\d{4,12}(?:-\d{2,8})*|[A-ZА-Я]{2,4}-\d{2,6}(?:-\d{2,8})*))\b",
            re.I,
        ),
        re.compile(r"((?:№|#)\s?\d{4,12}(?:-\d{2,8})*)\b"),
    ],
    "duration": [
        re.compile(
            r"\b((?:на|через|почти|больше|более|целых|уже)?\s*(?:полтора\s+часа|полчаса|час(?:\s+(?:пятнадцать|двадцать|"
            r"тридцать|сорок|пятьдесят|с\s+лишним|с\s+копейками))?))(?!\w)",
            re.I,
        ),
        re.compile(
            rf"\b((?:на|через|почти|больше|более|целых|уже)?\s*{_NUMBER_WORDS_RU}\s+(?:час(?:а|ов)?|минут[аы]?|дн(?:я|ей|и)|день|недел[иья]|недель|сут(?:ки|ок)))\b",
            re.I,
        ),
        re.compile(
            rf"\b((?:for|after|over|almost)?\s*{_NUMBER_WORDS_EN}\s+(?:hours?|minutes?|mins?|days?|weeks?))\b", re.I
        ),
    ],
    "amount": [
        re.compile(r"(\d[\d\s]{0,9}(?:[.,]\d{1,2})?\s?(?:₽|руб\w*|р\.|\$|usd|долл\w*|€|eur\w*|тыс\w*))", re.I),
        re.compile(r"([$€£]\s?\d[\d,]*(?:\.\d{1,2})?)"),
        re.compile(r"\b((?:\d{1,3}(?:,\d{3})+|\d+)\s?(?:roubles?|rubles?|RUB)\b)", re.I),
        # «если переведу 150 000?», «потратил 9 870»: a sum after a verb of paying or spending needs no currency
        re.compile(
            r"\b(?:перевед\w*|перевёл\w*|перевел\w*|перевест\w*|перевож\w*|отправ\w*|заплат\w*|сним\w*|снял\w*|снять|внес\w*|внест\w*|"
            r"скин\w*|потрат\w*|истрат\w*)\s+(\d{1,3}(?:\s\d{3})+|\d{4,})(?!\d|[.,]\d|\s?(?:%|мин|час|дн|сут|нед|мес|лет|год|раз|шт|км|кг))",
            re.I,
        ),
    ],
    "date": [
        re.compile(r"\b((?:[012]?\d|3[01])[./](?:0[1-9]|1[0-2])(?:[./]\d{2,4})?)(?![\d.]*\d)"),
        re.compile(r"\b((?:[012]?\d|3[01])-?го)\b"),
        re.compile(
            r"\b(\d{1,2}\s+(?:январ|феврал|март|апрел|ма[яй]|июн|июл|август|сентябр|октябр|ноябр|декабр)\w*)", re.I
        ),
        re.compile(
            r"\b(вчера|позавчера|сегодня|в\s+(?:понедельник|вторник|среду|четверг|пятницу|субботу|воскресенье))\b", re.I
        ),
        re.compile(
            r"\b(yesterday|today|last (?:night|week|monday|tuesday|wednesday|thursday|friday|saturday|sunday)|on (?:monday|tuesday|wednesday|thursday|friday|saturday|sunday))\b",
            re.I,
        ),
    ],
    "time": [re.compile(r"\b(?:в|к|at|by)\s+(\d{1,2}[:.]\d{2}|\d{1,2}\s?(?:am|pm))\b", re.I)],
    "place": [
        re.compile(
            # «на Тверской, 12», «на Малой Бронной», «На Красном проспекте, 30»
            r"((?:[Нн]а|[Вв])\s+(?:ул\.?\s*|улице\s+|проспекте\s+|пр\.\s*)?[А-ЯЁ][а-яё]+(?:ой|ом|ском|ской|ем)\b"
            r"(?:\s+[А-ЯЁ][а-яё]+(?:ой|ом|ском|ской|ем|е|и)\b)?"
            r"(?:\s+(?:улице|проспекте|шоссе|бульваре|переулке|площади|набережной|острове))?(?:,?\s*\d{1,3})?)"
        ),
        re.compile(r"((?:ул\.|улица|пр-т|проспект|пр\.)\s*[А-ЯЁ][а-яё]+(?:\s+[а-яё]+)?,?\s*\d{0,3})"),
        re.compile(r"\b((?:on|at)\s+[A-Z][a-z]+\s+(?:street|st\.?|avenue|ave\.?|road|rd\.?|square|branch))", re.I),
    ],
    "person": [
        re.compile(
            r"\b((?i:менеджер|консультант|курьер|оператор|кассир|мастер|сотрудник|сотрудница|операционист|"
            r"операционистка|администратор|специалист)\w{0,3}\s+[А-ЯЁ][а-яё]+)\b"
        ),
        re.compile(r"\b((?i:manager|courier|agent|cashier|consultant|clerk|advisor|driver|operator)\s+[A-Z][a-z]+)\b"),
    ],
    "staff": [
        re.compile(
            r"\b(курьер\w*|оператор\w*|менеджер\w*|кассир\w*|официант\w*|администратор\w*|консультант\w*|сотрудни\w*|водител\w*|врач\w*|мастер\w*|повар\w*)\b",
            re.I,
        ),
        re.compile(
            r"\b(courier|driver|operator|manager|cashier|waiter|waitress|staff member|agent|consultant|doctor|clerk)\b",
            re.I,
        ),
    ],
}

_QUESTION_START = re.compile(
    r"(^|[.!?]\s+)(как|где|когда|почему|зачем|сколько|можно\s+ли|есть\s+ли|подскажите|скажите|"
    r"подскажи|скажи|будет\s+ли|что\s+делать|куда|кто|какой|какая|какие|"
    r"how|where|when|why|what|which|can i|could you|is there|are there|do you|does|will|is it)\b",
    re.IGNORECASE,
)
_EMOTION = re.compile(
    r"(!{2,}|\?{2,}|\){2,}|\({2,}|[\U0001F300-\U0001FAFF\u2600-\u27BF]|"
    r"\b(ужас\w*|кошмар\w*|бесит|бесят|взбеш\w*|ненавиж\w*|обожаю|восторг\w*|обалде\w*|офиг\w*|"
    r"жесть|позор\w*|отвратит\w*|никогда\s+больше|спасибо\s+огромное|"
    r"awful|terrible|disgust\w*|hate|love|amazing|furious|horrible|worst|never again|omg|wtf)\b)",
    re.IGNORECASE,
)
_SUPERLATIVE = re.compile(
    r"\b(лучш\w+|самы[йехм]\w*|идеальн\w*|безупречн\w*|потрясающ\w*|всем\s+рекоменд\w*|рекомендую\s+всем|"
    r"номер\s+один|на\s+высшем\s+уровне|худш\w+|отвратительн\w*|обходите\s+стороной|не\s+советую\s+никому|"
    r"best|perfect|flawless|highly recommend|recommend to everyone|number one|worst|avoid at all costs|"
    r"stay away|five stars|5 stars|10/10|всем\s+советую|советую\s+всем)\b",
    re.IGNORECASE,
)


_URL = re.compile(r"(?:https?://|www\.|t\.me/|vk\.com/)\S+|\b[\w-]+(?:\.[\w-]+)*\.(?:ru|com|рф|org|net)(?:/\S*)?", re.I)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(r"(?:\+7|\b8)[\s(-]*\d{3}[\s)-]*\d{3}[\s-]*\d{2}[\s-]*\d{2}\b|\+\d[\d\s()-]{8,}\d")


@dataclass(frozen=True)
class Specific:
    kind: str
    text: str
    start: int = 0  # where the detail stands in the text it was found in
    end: int = 0


def detect_language(text: str) -> str:
    """ru, uk or en by script; Russian when nothing tells (our audience's default)."""
    cyrillic, latin = len(_CYRILLIC.findall(text)), len(_LATIN.findall(text))
    if cyrillic >= latin and cyrillic:
        return "uk" if len(_UKRAINIAN.findall(text)) >= 2 else "ru"
    return "en" if latin else "ru"


# The details that show a purchase or a visit happened (a staff word or a name shows nothing)
STRONG_DETAILS = frozenset({"order", "amount", "date", "place", "duration", "time"})


def find_specifics(text: str) -> list[Specific]:
    """Concrete details the author gave: order numbers, durations, amounts, dates, places, staff."""
    found: list[Specific] = []
    taken: list[range] = []
    for kind, patterns in SPECIFIC_PATTERNS.items():
        for pattern in patterns:
            for match in pattern.finditer(text):
                span = range(*match.span(1))
                value = " ".join(match.group(1).split()).strip(" ,.")
                if value and not any(span.start in other or other.start in span for other in taken):
                    taken.append(span)
                    found.append(Specific(kind, value, span.start, span.stop))
    return found


def is_question(text: str) -> bool:
    return "?" in text or bool(_QUESTION_START.search(text.strip()))


def emotion_score(text: str) -> float:
    """Share of emotional markers: exclamations, caps, emoji, strong words (0..1)."""
    letters = [c for c in text if c.isalpha()]
    caps = sum(c.isupper() for c in letters) / len(letters) if len(letters) > 8 else 0.0
    markers = len(_EMOTION.findall(text)) + text.count("!") / 2
    return min(1.0, markers / 3 + max(0.0, caps - 0.3))


def superlatives(text: str) -> list[str]:
    return [match.group(0).lower() for match in _SUPERLATIVE.finditer(text)]


_NUMBER = re.compile(
    r"(?:\+7|\b8)[\s(-]*\d{3}[\s)-]*\d{3}[\s-]*\d{2}[\s-]*\d{2}(?!\d)"  # a phone
    r"|\d{1,3}(?:[ \u00a0]\d{3})+(?:[.,]\d+)?(?!\d)"  # 1 500 or 12 000,50
    r"|\d+(?:[.,:/-]\d+)*"  # 48213, 26.11, 18:00, 3,5
)


def numbers_in(text: str) -> set[str]:
    """Every number a text states, as digits ("1 500 ₽" → "1500", "8 800 555-35-35" → its digits)."""
    return {re.sub(r"\D", "", match) for match in _NUMBER.findall(text)}


def sums_in(text: str) -> set[str]:
    """Every sum of roubles a text states, as digits: «минус 149 ₽», «149 рублей» → "149";
    not «30 дней», «1%»."""
    return {re.sub(r"\D", "", match) for match in _SUM.findall(text)}


_SUM = re.compile(r"(?<![\d,.])(\d{1,3}(?:[ \u00a0]\d{3})+|\d+)\s?(?:₽|руб\w*|р\.|roubles?|rubles?)", re.I)


def unsupported_numbers(text: str, support: str) -> list[str]:
    """Numbers of text that support does not state, compared whole: "2:00" is not supported
    by "2 дня" and "00"; "3 000" is not supported by "3" and "000"."""
    supported = numbers_in(support)
    return sorted(number for number in numbers_in(text) if number not in supported)


def links_in(text: str) -> list[str]:
    """URLs, bare domains and e-mail addresses."""
    return [m.group(0) for m in (*_URL.finditer(text), *_EMAIL.finditer(text))]


def has_link(text: str) -> bool:
    return bool(links_in(text))


def has_phone(text: str) -> bool:
    return _PHONE.search(text) is not None
