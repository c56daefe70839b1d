"""Find obscene words and insults in a text, however the author disguised them.

The lexicon (`knowledge/shared/profanity.yaml`) holds one regular expression per root,
written against a normalised word (lower case, «ё» as «е») and matched against whole
words only, so each pattern states which prefixes and endings it accepts: that is what
keeps «застрахуйте», «корабля» and «Scunthorpe» clean. Every letter of a pattern
matches one or more of itself, so «сууука» and «ебанный»/«ебаный» need no spelling
of their own.

Disguises are undone before matching: Latin look-alikes inside a Cyrillic word and the
reverse («xуй», «fuсk»), digits and symbols for letters («6ля», «sh!t», «a$$hole»),
letters spaced out («х у й», «б-л-я»), zero-width characters. A masked word («б**ть»,
«f*ck», «п@дики», «б...ь») is compared with the entries' example words, a mask standing
for a letter, and — unless its only masks are punctuation, as in «ну...ладно» — with a
second compilation of each pattern in which a mask may stand for a letter. A word
without a mask never takes that path, so wildcards cannot turn an innocent word into a
hit.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

DEFAULT_LEXICON_PATH = Path(__file__).resolve().parents[1] / "knowledge" / "shared" / "profanity.yaml"

CATEGORIES = ("obscene", "insult")
_TOP_KEYS = {"version", "entries", "allowlist"}
_ENTRY_KEYS = {"id", "category", "lang", "pattern", "examples", "note", "titlecase_is_name"}
_REQUIRED_KEYS = ("id", "category", "pattern", "examples")
_ID = re.compile(r"^[a-z][a-z0-9_]*$")

# Masks: characters standing for hidden letters. Punctuation masks are also just
# punctuation («ну...ладно», «Что?Где»), so a word with one only counts as masked when
# it fits an example word; the others may also fit a pattern.
PUNCTUATION_MASKS = ".!?…"
MASK_CHARS = "*#@$%&_" + PUNCTUATION_MASKS
_HAS_MASK = re.compile(f"[{re.escape(MASK_CHARS)}]")
_HAS_PUNCTUATION_MASK = re.compile(f"[{re.escape(PUNCTUATION_MASKS)}]")
_MASK_RUN = re.compile(r"\*{2,}")
_MASK_RUN_LETTERS = 4  # a run of two or more masks may stand for one to four letters

_CYRILLIC_LOOKALIKES = str.maketrans(
    "ABCEHKMOPTXYacehkmnoprtuxy0346@$",
    "АВСЕНКМОРТХУасенкмпоргтихуозчбас",
)
_LATIN_LOOKALIKES = str.maketrans("авекмнопрстухигь@$!013457", "abekmhonpctyxurbasioieast")
_LATIN_B_READS_AS = ("ь", "б")  # a lower-case Latin «b» in a Cyrillic word: either is tried

_LETTER = r"[^\W\d_]"
_INVISIBLE = "\u00ad\u200b\u200c\u200d\u2060\ufeff"  # soft hyphen, zero-width characters
_WITHOUT_INVISIBLE = dict.fromkeys(map(ord, _INVISIBLE))
_TOKEN = re.compile(rf"[\w*#@.!?…$%&'’{_INVISIBLE}-]+")
_PART = re.compile(r"[^\W_]+")
_SPACED = re.compile(rf"(?<![\w*]){_LETTER}(?P<sep>[ .\-_*]|\s{{2,}}){_LETTER}(?:(?P=sep){_LETTER})+(?![\w*])")
_URL = re.compile(r"(?:https?://|www\.)\S+|[\w.+-]+@[\w-]+\.[\w.-]+", re.IGNORECASE)
_CYRILLIC = re.compile(r"[а-яё]", re.IGNORECASE)
_ONE_SCRIPT = re.compile(r"[а-яё]+|[a-z]+", re.IGNORECASE)
_LATIN = re.compile(r"[a-z]", re.IGNORECASE)
_EDGE = ".!?…-'’@#_"
_SCRIPTS = ("cyrillic", "latin")
_MEMO_SIZE = 50_000


@dataclass(frozen=True)
class ProfanityHit:
    """One offending word as the author wrote it, its category and the lexicon entry's id."""

    word: str
    category: str
    pattern_id: str
    start: int
    end: int


@dataclass(frozen=True)
class Entry:
    id: str
    category: str
    pattern: str
    examples: tuple[str, ...]
    titlecase_is_name: bool = False

    @property
    def script(self) -> str:
        return "cyrillic" if _CYRILLIC.search(self.pattern) else "latin"


_UNKNOWN = Entry("", "", "", ())  # a memo sentinel, since None is an answer


# --- reading a word -----------------------------------------------------------------------


def fold(word: str) -> str:
    return word.lower().replace("ё", "е")


def readings(word: str) -> list[str]:
    """The normalised readings of one word that are matched against the lexicon.

    A word is read in each script it has letters of, with the look-alikes of the other
    script translated, since both «xyй» and «fuсk» occur.
    """
    if _ONE_SCRIPT.fullmatch(word):
        return [fold(word)]
    cyrillic, latin = bool(_CYRILLIC.search(word)), bool(_LATIN.search(word))
    found: list[str] = []
    if cyrillic:
        as_cyrillic = word.translate(_CYRILLIC_LOOKALIKES)
        found += [fold(as_cyrillic.replace("b", b)) for b in _LATIN_B_READS_AS]
    if latin:
        found.append(fold(word).translate(_LATIN_LOOKALIKES))
    return list(dict.fromkeys(found))


def masked_form(word: str) -> str | None:
    """The word with each mask as «*», or None when it is not a masked word.

    At least two real letters must stay visible for a masked word to be judged at all.
    """
    if not _HAS_MASK.search(word):
        return None
    masked = "".join("*" if ch in MASK_CHARS else ch for ch in word)
    return masked if sum(ch.isalpha() for ch in masked) >= 2 else None


def _widened(masked: str) -> str:
    """A run of two or more masks may cover one to four letters; a pattern letter can
    absorb several masks but never fewer than one, so the run is made four long."""
    return _MASK_RUN.sub(lambda run: "*" * max(_MASK_RUN_LETTERS, len(run.group())), masked)


def _wildcard(masked: str) -> re.Pattern[str]:
    """A regex for words the masked reading may hide: «*» one letter, a run one to four."""
    parts = []
    for piece in re.split(r"(\*+)", masked):
        if piece.startswith("*"):
            parts.append(_LETTER + ("" if len(piece) == 1 else f"{{1,{max(_MASK_RUN_LETTERS, len(piece))}}}"))
        else:
            parts.append(re.escape(piece))
    return re.compile("".join(parts))


def _is_name(word: str) -> bool:
    return len(word) > 1 and word[0].isupper() and word[1:].islower()


# --- compiling a pattern ------------------------------------------------------------------


_PATTERN_TOKEN = re.compile(r"\(\?(?:<?[=!]|:)|\[\^?[^\]]+\]|\{\d+(?:,\d*)?\}\??|[*+?]\??|.")
_LOOK_OPEN = ("(?=", "(?!", "(?<=", "(?<!")
_PLAIN_TOKEN = re.compile(r"[a-zа-я()|]")
_CLASS = re.compile(r"\[\^?(?:[a-zа-я](?:-[a-zа-я])?)+\]")


def _tokens(pattern: str) -> list[str]:
    """Split a lexicon pattern into regex tokens, refusing syntax the lexicon does not use."""
    tokens = _PATTERN_TOKEN.findall(pattern)
    for token in tokens:
        if token.startswith("[") and not _CLASS.fullmatch(token):
            raise ValueError(f"unsupported character class {token!r}")
        if len(token) == 1 and not _PLAIN_TOKEN.fullmatch(token) and token not in "*+?":
            raise ValueError(f"unsupported character {token!r}")
    return tokens


def _is_atom(token: str) -> bool:
    return token.startswith("[") or (len(token) == 1 and token.isalpha())


def _is_quantifier(token: str) -> bool:
    return token[:1] in ("*", "+", "?", "{")


def _atom(token: str, masked: bool) -> str:
    if not masked or token.startswith("[^"):
        return token
    return token[:-1] + r"\*]" if token.startswith("[") else f"[{token}*]"


def _class_letters(token: str) -> list[str]:
    pairs = re.findall(r"(.)(?:-(.))?", token[1:-1])
    return [chr(code) for first, last in pairs for code in range(ord(first), ord(last or first) + 1)]


def _run(token: str, masked: bool) -> str:
    """One or more of an atom; a class repeats one of its letters: «(?:а+|е+)», not «[ае]+»."""
    if token.startswith("[^"):
        return token + "+"
    runs = [_atom(letter, masked) + "+" for letter in (_class_letters(token) if token.startswith("[") else [token])]
    return runs[0] if len(runs) == 1 else "(?:" + "|".join(runs) + ")"


def compile_pattern(pattern: str, masked: bool = False) -> str:
    """Turn a lexicon pattern into the regex for normalised words.

    Each letter or class outside a lookaround, unless it carries its own quantifier,
    becomes «one or more» of itself (a doubled letter collapses into one such run), so
    repeated letters need no spelling of their own. Groups become non-capturing. In
    masked mode a letter may also be a «*», except in free runs such as a «[а-я]*»
    prefix: those take letters only and are captured, so a match can be scored by how
    many visible letters its root explains; a root may not begin with a «*» after one.
    """
    tokens = _tokens(pattern)
    out: list[str] = []
    looks: list[bool] = []
    for index, token in enumerate(tokens):
        previous = tokens[index - 1] if index else ""
        following = tokens[index + 1] if index + 1 < len(tokens) else ""
        if token == "(" or token.startswith("(?"):
            looks.append(token in _LOOK_OPEN)
            out.append("(?:" if token == "(" else token)
        elif token == ")":
            looks = looks[:-1]
            out.append(token)
        elif any(looks):
            out.append(token)
        elif _is_atom(token):
            out.append(_emit_atom(token, previous, following, masked))
        else:
            out.append(_emit_other(token, previous, masked))
    return "".join(out)


def _emit_atom(token: str, previous: str, following: str, masked: bool) -> str:
    if previous == token and not _is_quantifier(following):
        return ""  # «ss» is one run of «s»
    if not _is_quantifier(following):
        return _run(token, masked)
    if following.startswith("?"):
        return f"(?:{_run(token, masked)})"
    if masked and following.startswith("*"):
        return "(" + token  # a free run, closed by _emit_other
    return _atom(token, masked)  # «+», «*», «{m,n}» as written: «д{1}» is exactly one «д»


def _emit_other(token: str, previous: str, masked: bool) -> str:
    return token + r")(?!\*)" if masked and _is_atom(previous) and token.startswith("*") else token


# --- the lexicon ------------------------------------------------------------------------


# Letters from the most to the least frequent; an entry is filed under its rarest required
# letter, so a word is only tried against entries whose rare letter it contains.
_FREQUENCY_ORDER = "оеаинтсрвлкмдпуяыьгзбчйхжшюцщэфъ" + "etaoinshrdlcumwfgypbvkjxqz"


def required_letters(pattern: str) -> frozenset[str]:
    """Letters that every word the pattern matches must contain."""
    letters, _ = _required_in(_tokens(pattern), 0)
    return frozenset(letters)


def _required_in(tokens: list[str], index: int) -> tuple[set[str], int]:
    """The letters required by the alternation starting at `index`, and where it ends."""
    options: list[set[str]] = []
    current: set[str] = set()
    while index < len(tokens) and tokens[index] != ")":
        token = tokens[index]
        if token == "|":
            options.append(current)
            current, index = set(), index + 1
            continue
        if token == "(" or token.startswith("(?"):
            letters, index = _required_in(tokens, index + 1)
            letters = set() if token in _LOOK_OPEN else letters
        else:
            letters, index = ({token} if _is_atom(token) and len(token) == 1 else set()), index + 1
        following = tokens[index] if index < len(tokens) else ""
        if following[:1] not in ("?", "*") and not following.startswith("{0"):
            current |= letters
    options.append(current)
    return set.intersection(*options), index + 1


class _Index:
    """The plain entries of one script, each compiled alone and filed under its rarest
    required letter: a word meets only the few entries it could possibly match."""

    def __init__(self, entries: list[Entry]):
        self.entries = [
            (entry, re.compile(compile_pattern(entry.pattern)), required_letters(entry.pattern)) for entry in entries
        ]
        self.by_letter: dict[str, list[int]] = {}
        for position, (_, _, required) in enumerate(self.entries):
            rarest = max(required, key=_FREQUENCY_ORDER.find, default="")
            self.by_letter.setdefault(rarest, []).append(position)
        self.always = self.by_letter.pop("", [])
        self.keys = frozenset(self.by_letter)

    def match(self, reading: str, word: str) -> Entry | None:
        letters = set(reading)
        positions = [p for key in letters & self.keys for p in self.by_letter[key] if self.entries[p][2] <= letters]
        for position in sorted(positions + self.always):
            entry, regex, _ = self.entries[position]
            if regex.fullmatch(reading) and not (entry.titlecase_is_name and _is_name(word)):
                return entry
        return None


class Lexicon:
    """Compiled entries plus the allowlist; built once, then `find` is cheap."""

    def __init__(self, entries: list[Entry], allowlist: list[str], memo_size: int = _MEMO_SIZE):
        self.entries = entries
        self.memo_size = memo_size
        self.allowlist = frozenset(fold(word) for word in allowlist)
        self._memo: dict[str, Entry | None] = {}
        self._examples = [(fold(example), entry) for entry in entries for example in entry.examples]
        self._plain = {script: _Index([e for e in entries if e.script == script]) for script in _SCRIPTS}
        self._masked = {script: [(e, _masked_regex(e)) for e in entries if e.script == script] for script in _SCRIPTS}

    def match_word(self, word: str) -> Entry | None:
        """The entry a single word (as written, masks allowed) falls under, or None.

        Answers are remembered: mentions repeat the same few thousand words.
        """
        if (known := self._memo.get(word, _UNKNOWN)) is not _UNKNOWN:
            return known
        found = self._match_word(word)
        if self.memo_size:
            if len(self._memo) >= self.memo_size:
                self._memo.clear()
            self._memo[word] = found
        return found

    def _match_word(self, word: str) -> Entry | None:
        words = readings(word)
        if not self.allowlist.isdisjoint(words):
            return None
        for reading in words:
            if entry := self._plain[_script(reading)].match(reading, word):
                return entry
        return self._match_masked(word) if _HAS_MASK.search(word) else None

    def _match_masked(self, word: str) -> Entry | None:
        """A masked word is first compared with the examples, which names the likely word
        («s**t» is shit before slut), then, unless a mask is punctuation, with the
        patterns themselves."""
        masked = masked_form(word)
        if masked is None:
            return None
        is_name = _is_name(word)
        for reading in readings(masked):
            wildcard = _wildcard(reading)
            for example, entry in self._examples:
                if wildcard.fullmatch(example) and not (is_name and entry.titlecase_is_name):
                    return entry
        return None if _HAS_PUNCTUATION_MASK.search(word) else self._match_masked_patterns(masked, is_name)

    def _match_masked_patterns(self, masked: str, is_name: bool) -> Entry | None:
        """The entry whose root shows the most letters of a masked word around its masks."""
        best, best_score = None, 0
        for reading in readings(_widened(masked)):
            for entry, regex in self._masked[_script(reading)]:
                found = None if is_name and entry.titlecase_is_name else regex.fullmatch(reading)
                if found and (score := _root_score(found)) > best_score:
                    best, best_score = entry, score
        return best

    def find(self, text: str) -> list[ProfanityHit]:
        """Every obscene word or insult in the text, in reading order.

        Offsets refer to the text in Unicode NFC form, which is the text itself unless it
        spells letters with combining marks («й» as «и» + breve).
        """
        text = text if unicodedata.is_normalized("NFC", text) else unicodedata.normalize("NFC", text)
        hits: list[ProfanityHit] = []
        for start, end, word in _candidates(_without_addresses(text)):
            if len(word) < 2 or (hits and start < hits[-1].end):
                continue
            if entry := self.match_word(word):
                hits.append(ProfanityHit(text[start:end], entry.category, entry.id, start, end))
        return hits

    def is_abusive(self, text: str) -> bool:
        return bool(self.find(text))


def _script(reading: str) -> str:
    return "latin" if reading.isascii() else "cyrillic"


def _masked_regex(entry: Entry) -> re.Pattern[str]:
    """An entry's pattern for masked words, which may neither start nor end with a mask."""
    return re.compile(rf"(?!\*)(?:{compile_pattern(entry.pattern, masked=True)})(?<!\*)")


def _root_score(found: re.Match[str]) -> int:
    """How many visible letters a pattern's root explains in a masked word.

    Letters taken by a free run («[а-я]*») are not the root, so «б**ть» goes to «бля…»
    rather than to a pattern whose whole root hides under the stars.
    """
    free = {index for group in range(1, found.re.groups + 1) for index in range(*found.span(group))}
    return sum(ch.isalpha() for index, ch in enumerate(found.string) if index not in free)


def _without_addresses(text: str) -> str:
    """Links and e-mail addresses blanked out, offsets kept: «sukin.ivan@mail.ru» is a name."""
    if "@" not in text and "://" not in text and "www." not in text:
        return text
    return _URL.sub(lambda url: " " * len(url.group()), text)


def _candidates(text: str) -> list[tuple[int, int, str]]:
    """Spans to judge, longest first at each start: spaced-out letters joined, each token,
    each token's parts. A hit hides the spans it covers, so «бл*ть» is one hit while
    «сука.достали» still yields «сука» and «m*r*n» is judged as a masked word.
    """
    spaced = [(m.start(), m.end(), re.sub(r"[\W\d_]", "", m.group())) for m in _SPACED.finditer(text)]
    return sorted(spaced + list(_tokens_of(text)), key=lambda candidate: (candidate[0], -candidate[1]))


def _tokens_of(text: str) -> Iterator[tuple[int, int, str]]:
    """Each token (zero-width characters dropped) and, if it holds symbols, its parts."""
    for token in _TOKEN.finditer(text):
        raw = token.group()
        if raw.isalnum():
            yield token.start(), token.end(), raw
            continue
        core = raw.strip(_EDGE)
        if not core:
            continue
        offset, visible = token.start() + raw.index(core), core.translate(_WITHOUT_INVISIBLE)
        if visible.isalnum():
            yield offset, offset + len(core), visible
            continue
        parts = list(_PART.finditer(core))
        if len(parts) > 1 or (parts and parts[0].group() != core):
            yield offset, offset + len(core), visible
        for part in parts:
            yield offset + part.start(), offset + part.end(), part.group()


# --- loading ----------------------------------------------------------------------------


def load_lexicon(path: Path | str = DEFAULT_LEXICON_PATH) -> Lexicon:
    """Read and validate a lexicon file; any defect is a ValueError naming file and entry."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise ValueError(f"{path}: not valid YAML: {error}") from error
    try:
        return parse_lexicon(data)
    except ValueError as error:
        raise ValueError(f"{path}: {error}") from error


def parse_lexicon(data: Any) -> Lexicon:
    """Build a Lexicon from the parsed YAML document, checking every entry's examples."""
    if not isinstance(data, dict):
        raise ValueError("the lexicon must be a mapping with 'entries' and 'allowlist'")
    if unknown := set(data) - _TOP_KEYS:
        raise ValueError(f"unknown top-level keys: {', '.join(sorted(map(str, unknown)))}")
    raw_entries, allowlist = data.get("entries"), data.get("allowlist", [])
    if not isinstance(raw_entries, list) or not raw_entries:
        raise ValueError("'entries' must be a non-empty list")
    if not isinstance(allowlist, list) or not all(isinstance(word, str) and word for word in allowlist):
        raise ValueError("'allowlist' must be a list of words")
    entries = [_parse_entry(index, raw) for index, raw in enumerate(raw_entries, start=1)]
    ids = [entry.id for entry in entries]
    if duplicates := sorted({i for i in ids if ids.count(i) > 1}):
        raise ValueError(f"duplicate entry ids: {', '.join(duplicates)}")
    lexicon = Lexicon(entries, allowlist)
    _check_examples(lexicon)
    return lexicon


def _parse_entry(index: int, raw: Any) -> Entry:
    where = f"entry #{index}"
    if not isinstance(raw, dict):
        raise ValueError(f"{where}: must be a mapping")
    where = f"entry #{index} ({raw.get('id', 'no id')})"
    if missing := [key for key in _REQUIRED_KEYS if key not in raw]:
        raise ValueError(f"{where}: missing {', '.join(missing)}")
    if unknown := set(raw) - _ENTRY_KEYS:
        raise ValueError(f"{where}: unknown keys {', '.join(sorted(map(str, unknown)))}")
    if not isinstance(raw["id"], str) or not _ID.match(raw["id"]):
        raise ValueError(f"{where}: id must be lower-case letters, digits and '_'")
    if raw["category"] not in CATEGORIES:
        raise ValueError(f"{where}: category {raw['category']!r} is not one of {', '.join(CATEGORIES)}")
    examples = raw["examples"]
    if not isinstance(examples, list) or not examples or not all(isinstance(e, str) for e in examples):
        raise ValueError(f"{where}: examples must be a non-empty list of words")
    return Entry(
        raw["id"],
        raw["category"],
        _checked_pattern(where, raw["pattern"]),
        tuple(examples),
        bool(raw.get("titlecase_is_name", False)),
    )


def _checked_pattern(where: str, pattern: Any) -> str:
    if not isinstance(pattern, str) or not pattern.strip():
        raise ValueError(f"{where}: pattern must be a non-empty string")
    pattern = fold(pattern.strip())
    try:
        for masked in (False, True):
            re.compile(compile_pattern(pattern, masked))
    except (ValueError, re.error, IndexError) as error:
        raise ValueError(f"{where}: bad pattern {pattern!r}: {error}") from error
    return pattern


def _check_examples(lexicon: Lexicon) -> None:
    """Each example must fit its own pattern and not be allowlisted: a miss is a typo."""
    for entry in lexicon.entries:
        own = re.compile(compile_pattern(entry.pattern))
        for example in entry.examples:
            if fold(example) in lexicon.allowlist:
                raise ValueError(f"entry {entry.id}: example {example!r} is also in the allowlist")
            if not any(own.fullmatch(reading) for reading in readings(example)):
                raise ValueError(f"entry {entry.id}: example {example!r} does not match its pattern")
