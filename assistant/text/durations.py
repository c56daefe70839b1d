"""How long a duration the author wrote lasts, in minutes, as a range: «час двадцать» is 80
to 80, «почти час» 45 to 59, «больше часа» 61 to 75. A brand rule that turns on a figure
(«опоздал больше чем на 30 минут — промокод») is applied only when the whole range falls on
one side of it; «полчаса» against 30 decides nothing."""

from __future__ import annotations

import re

from assistant.text.normalize import lemma

Minutes = tuple[float, float]

_NUMBERS = {
    "один": 1, "одна": 1, "одну": 1, "a": 1, "an": 1, "one": 1, "два": 2, "две": 2, "two": 2, "три": 3,
    "three": 3, "четыре": 4, "four": 4, "пять": 5, "five": 5, "шесть": 6, "six": 6, "семь": 7, "восемь": 8,
    "девять": 9, "десять": 10, "ten": 10, "пятнадцать": 15, "fifteen": 15, "двадцать": 20, "twenty": 20,
    "тридцать": 30, "thirty": 30, "сорок": 40, "forty": 40, "пятьдесят": 50, "полтора": 1.5, "пол": 0.5,
}  # fmt: skip
_UNITS = {
    "минута": 1, "минут": 1, "minute": 1, "min": 1, "mins": 1, "час": 60, "hour": 60, "день": 1440, "сутки": 1440,
    "day": 1440, "неделя": 10080, "week": 10080,
}  # fmt: skip
_TOKEN = re.compile(r"\d+(?:[.,]\d+)?|[а-яёa-z]+", re.I)
# «почти час» is less than an hour, «больше часа» more, «час с лишним» more: by how much, a guess
_ALMOST = frozenset(["почти", "almost", "nearly", "около", "about"])
_MORE = frozenset(["больше", "более", "over", "целых"])
_AND_MORE = re.compile(r"с\s+(?:лишним|копейками|хвостиком)|\band (?:a bit|more)\b", re.I)
SLACK = 0.25  # «почти час»: 45–59 minutes; «больше часа»: 61–75


def minutes(duration: str) -> Minutes | None:
    """The range of minutes a duration means (None: not one we can read)."""
    spelled = re.sub(r"\bhalf an?\b|\bпол(?=час)", "пол ", duration.lower().replace("ё", "е"))
    words = _TOKEN.findall(spelled)
    total, number, unit_seen = 0.0, None, False
    for word in words:
        if (value := _number(word)) is not None:
            number = value if number is None else number + value  # «двадцать пять»
            continue
        unit = _UNITS.get(lemma(word)) or _UNITS.get(word.rstrip("s"))
        if unit is None:
            continue
        if unit_seen and number is not None and unit == 60:
            break  # «час двадцать» reads its minutes after the hour; a second hour word is another figure
        total += (1 if number is None else number) * unit
        number, unit_seen = None, True
    if not unit_seen:
        return None
    if number is not None:  # «час двадцать»: the minutes after the hour
        total += number
    return _hedged(total, words, duration)


def _number(word: str) -> float | None:
    if word[0].isdigit():
        return float(word.replace(",", "."))
    return _NUMBERS.get(word)


def _hedged(total: float, words: list[str], duration: str) -> Minutes:
    if _ALMOST & set(words):
        return (total * (1 - SLACK), total - 1)
    if _MORE & set(words) or _AND_MORE.search(duration):
        return (total + 1, total * (1 + SLACK))
    return (total, total)


def over(duration: Minutes, limit: float) -> bool | None:
    """True: the whole range is past the limit; False: the whole range is short of it; None: either."""
    low, high = duration
    if low > limit:
        return True
    if high < limit:
        return False
    return None
