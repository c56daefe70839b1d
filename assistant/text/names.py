"""People's names: is a word a first name, and which Russian name a Latin handle spells.

App stores and review sites show handles like «Kseniya_T» or «tatiana.vl»; an operator answering
in Russian greets «Ксения», not «Kseniya». Latin spellings of Russian names are many
(«Tatiana», «Tatyana», «Tatjana»), so the handle is read back letter group by letter group into
every Cyrillic spelling it may stand for, and the first one that is a common name
(`first_names.txt`) is taken. pymorphy3 alone would accept rare spellings («Татяна», «Игор»)
that no operator would write.
"""

from __future__ import annotations

import re
from functools import lru_cache
from itertools import islice
from pathlib import Path

from pymorphy3.analyzer import Parse

from assistant.text.normalize import morph

NAMES_FILE = Path(__file__).with_name("first_names.txt")
MOST_SPELLINGS = 4096  # a long handle's spellings are cut here: names are short

# Latin letter groups, longest first, with the Cyrillic letters each may stand for, likeliest first.
_SPELLINGS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("shch", ("щ",)),
    ("sch", ("щ", "сх")),
    ("zh", ("ж",)),
    ("kh", ("х",)),
    ("ts", ("ц", "тс")),
    ("tz", ("ц",)),
    ("ch", ("ч",)),
    ("sh", ("ш",)),
    ("iya", ("ия", "ья")),
    ("yu", ("ю",)),
    ("iu", ("ю", "ию", "ью")),
    ("ju", ("ю",)),
    ("ya", ("я", "ья", "ия")),
    ("ia", ("ия", "ья", "я")),
    ("ja", ("я",)),
    ("yo", ("ё", "йо", "ьо")),
    ("ye", ("е", "ье")),
    ("ie", ("ье", "ие")),
    ("iy", ("ий", "ый")),
    ("yi", ("ый", "ий")),
    ("ey", ("ей",)),
    ("er", ("ер", "р")),
    ("ay", ("ай",)),
    ("oy", ("ой",)),
    ("ph", ("ф",)),
    ("th", ("т",)),
    ("ck", ("к",)),
    ("x", ("кс",)),
    ("w", ("в",)),
    ("q", ("к",)),
    ("j", ("й", "дж")),
    ("h", ("х",)),
    ("a", ("а",)),
    ("b", ("б",)),
    ("c", ("к", "ц")),
    ("d", ("д",)),
    ("e", ("е", "э", "ё")),
    ("f", ("ф",)),
    ("g", ("г",)),
    ("i", ("и", "й", "ь", "ий")),
    ("k", ("к",)),
    ("l", ("л", "ль")),
    ("m", ("м",)),
    ("n", ("н",)),
    ("o", ("о",)),
    ("p", ("п",)),
    ("r", ("р", "рь")),
    ("s", ("с",)),
    ("t", ("т",)),
    ("u", ("у", "ю")),
    ("v", ("в",)),
    ("y", ("ы", "й", "и", "ий")),
    ("z", ("з",)),
)


def russian_name(latin: str) -> str | None:
    """The common Russian first name a Latin word spells, capitalised: «Tatiana» → «Татьяна»,
    «kseniya» → «Ксения»; None for a word that spells none («John», «kotik»)."""
    common = common_names()
    for spelling in islice(_cyrillic_spellings(latin.lower()), MOST_SPELLINGS):
        if spelling in common:
            return spelling.capitalize()
    return None


@lru_cache(maxsize=1)
def common_names() -> frozenset[str]:
    lines = NAMES_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def _cyrillic_spellings(word: str):
    """Every Cyrillic spelling of a lowercase Latin word, likeliest letters first; none when
    a character is no Latin letter."""
    if not word:
        yield ""
        return
    for group, letters in _SPELLINGS:
        if word.startswith(group):
            for rest in _cyrillic_spellings(word[len(group) :]):
                for letter in letters:
                    yield letter + rest
            return


# Capitalised English words that are no names: «the manager spoke English», «came on Monday»
_CAPITALISED_WORDS = frozenset(
    ["English", "Russian", "French", "German", "Spanish", "Italian", "Chinese", "Turkish", "Arabic", "Monday",
     "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "January", "February", "March", "April",
     "June", "July", "August", "September", "October", "November", "December"]
)  # fmt: skip


def is_first_name(word: str) -> bool:
    if re.fullmatch(r"[A-Z][a-z]+", word):
        return word not in _CAPITALISED_WORDS
    return any("Name" in parse.tag for parse in _parses(word))


def is_patronymic(word: str) -> bool:
    """«Петровна», «Иванович»: a patronymic by pymorphy3's tag, capitalised as written."""
    return len(word) > 3 and word[:1].isupper() and any("Patr" in parse.tag for parse in _parses(word))


def could_be_name(word: str) -> bool:
    """Not a word the dictionary knows only as something else: «Клиент», «Гость» are no names,
    a name it does not know («Айжан») may be one."""
    parses = _parses(word)
    return not parses or not parses[0].is_known or any("Name" in parse.tag for parse in parses)


def nominative(name: str) -> str:
    """«Андрею» → «Андрей»: a name as the author declined it, back to its dictionary form; a
    common name's reading first («Анне» is «Анна», not the indeclinable «Анне»)."""
    readings = [parse for parse in _parses(name) if "Name" in parse.tag]
    common = [parse for parse in readings if parse.normal_form in common_names()]
    return next((parse.normal_form.capitalize() for parse in common or readings), name)


def dative(name: str) -> str:
    """«Андрей» → «Андрею», «Ольга» → «Ольге», «Наталья Андреевна» → «Наталье Андреевне»; a name
    pymorphy3 does not know stays as it is."""
    if " " in name:
        return " ".join(map(dative, name.split()))
    for parse in _parses(name):
        if ("Name" in parse.tag or "Patr" in parse.tag) and (inflected := parse.inflect({"datv"})):
            return inflected.word.capitalize()
    return name


def patronymic_nominative(word: str) -> str | None:
    """«Андреевну» → «Андреевна», «Петровичу» → «Петрович»; None for a word that is no patronymic."""
    if not is_patronymic(word):
        return None
    parse = next(p for p in _parses(word) if "Patr" in p.tag)
    inflected = parse.inflect({"nomn"})
    return inflected.word.capitalize() if inflected else None


@lru_cache(maxsize=4096)
def _parses(word: str) -> tuple:
    return tuple(morph().parse(word))


# A city's everyday names, as the brand's facts write it
_PLACE_ALIASES = {"питер": "петербург", "спб": "петербург", "санкт-петербург": "петербург", "мск": "москва"}
LISTED_PLACES = 2  # a text naming this many places lists where the brand is


def unlisted_place(question: str, listing: str) -> str | None:
    """The place the question asks about that a listing of places leaves out, in the genitive
    («в Балашиху доставляете?» and the delivery zones: «Балашихи»); None when the text lists
    no places or names this one. Places are pymorphy3's geographical names (Geox); a district
    of a listed city («в Хамовники») would read as left out, so the reply goes to an operator
    as every draft does."""
    listed = {_place_key(word) for word in _places(listing)}
    if len(listed) < LISTED_PLACES:
        return None
    for word in _places(question, after_in=True):
        if _place_key(word) not in listed:
            place = _geographical(word)
            genitive = place.inflect({"gent"})
            return (genitive.word if genitive else place.normal_form).capitalize()
    return None


def _places(text: str, after_in: bool = False) -> list[str]:
    """Capitalised geographical names; `after_in`, only those after «в»/«во»: a town is «в
    Балашиху», a street «на Арбат» (a street of a listed city is in no list of towns)."""
    before = r"\bво?\s+" if after_in else ""
    words = re.findall(before + r"([А-ЯЁ][а-яё]+(?:-[А-ЯЁа-яё][а-яё]+)*)", text)
    return [word for word in words if _geographical(word) is not None]


def _place_key(word: str) -> str:
    normal = _geographical(word).normal_form
    return _PLACE_ALIASES.get(normal, normal)


def _geographical(word: str) -> Parse | None:
    """The word's reading as a geographical name (Geox), if it has one."""
    return next((parse for parse in _parses(word) if "Geox" in parse.tag), None)
