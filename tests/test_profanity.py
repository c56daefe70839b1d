"""The profanity lexicon: innocent words that contain its letters stay clean, abuse is caught
however it is spelt, and a broken lexicon file is refused with a reason."""

from __future__ import annotations

import dataclasses
import unicodedata
from pathlib import Path

import pytest
import yaml

from assistant.profanity import DEFAULT_LEXICON_PATH, Lexicon, ProfanityHit, load_lexicon, parse_lexicon

DATA = Path(__file__).parent / "data"


def _lines(name: str) -> list[str]:
    return [line.strip() for line in (DATA / name).read_text(encoding="utf-8").splitlines() if line.strip()]


TRAPS = _lines("profanity_traps.txt")
ABUSIVE = _lines("profanity_abusive.txt")


@pytest.fixture(scope="module")
def lexicon() -> Lexicon:
    return load_lexicon()


def _only_hit(lexicon: Lexicon, text: str) -> ProfanityHit:
    hits = lexicon.find(text)
    assert len(hits) == 1, f"{text!r}: {hits}"
    return hits[0]


# --- the corpora ---------------------------------------------------------------------------


def test_corpora_are_large_enough() -> None:
    assert len(TRAPS) >= 80
    assert len(ABUSIVE) >= 80


@pytest.mark.parametrize("line", TRAPS)
def test_trap_line_is_clean(lexicon: Lexicon, line: str) -> None:
    assert lexicon.find(line) == []
    assert not lexicon.is_abusive(line)


@pytest.mark.parametrize("line", ABUSIVE)
def test_abusive_line_is_flagged(lexicon: Lexicon, line: str) -> None:
    assert lexicon.is_abusive(line)


# --- what a hit says -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "word", "category", "pattern_id"),
    [
        ("Администратор — мудак конченый.", "мудак", "obscene", "ru_mudak"),
        ("Блядь, опять опоздали.", "Блядь", "obscene", "ru_blya"),
        ("Еда — говно, цены — космос.", "говно", "obscene", "ru_govno"),
        ("Ваши операторы — идиоты.", "идиоты", "insult", "ru_idiot"),
        ("Охранник — урод.", "урод", "insult", "ru_urod"),
        ("Развели как лохов.", "лохов", "insult", "ru_lokh"),
        ("Козлы, верните деньги.", "Козлы", "insult", "ru_kozel"),
        ("This is bullshit, I want a refund.", "bullshit", "obscene", "en_shit"),
        ("The manager was a total asshole.", "asshole", "insult", "en_asshole"),
        ("Morons at the front desk.", "Morons", "insult", "en_moron"),
    ],
)
def test_category_and_entry(lexicon: Lexicon, text: str, word: str, category: str, pattern_id: str) -> None:
    hit = _only_hit(lexicon, text)
    assert (hit.word, hit.category, hit.pattern_id) == (word, category, pattern_id)


def test_hit_is_frozen_and_points_into_the_text(lexicon: Lexicon) -> None:
    text = "Ну вы и Сууука, честно слово."
    hit = _only_hit(lexicon, text)
    assert text[hit.start : hit.end] == hit.word == "Сууука"
    with pytest.raises(dataclasses.FrozenInstanceError):
        hit.word = "x"  # type: ignore[misc]


def test_several_hits_come_in_reading_order(lexicon: Lexicon) -> None:
    hits = lexicon.find("Опять наебали с весом, суки, идиоты.")
    assert [hit.pattern_id for hit in hits] == ["ru_eb", "ru_suka", "ru_idiot"]


# --- disguises -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("word", "pattern_id"),
    [
        ("б**ть", "ru_blya"),
        ("бл*ть", "ru_blya"),
        ("х*ёвый", "ru_khuy"),
        ("х*й", "ru_khuy"),
        ("п@дики", "ru_pidor"),
        ("с*ка", "ru_suka"),
        ("ё*аные", "ru_eb"),
        ("е**нутые", "ru_eb"),
        ("ох**ли", "ru_khuy"),
        ("п****ц", "ru_pizd"),
        ("б...ь", "ru_blya"),
        ("г...о", "ru_govno"),
        ("ид*оты", "ru_idiot"),
        ("f*ck", "en_fuck"),
        ("f**king", "en_fuck"),
        ("sh!t", "en_shit"),
        ("a$$hole", "en_asshole"),
        ("m*r*n", "en_moron"),
    ],
)
def test_masked_spelling_matches(lexicon: Lexicon, word: str, pattern_id: str) -> None:
    assert _only_hit(lexicon, f"Ну вы {word} конечно.").pattern_id == pattern_id


@pytest.mark.parametrize(
    "text",
    [
        "Ну...ладно, подожду.",
        "Ладно...бывает, вкусно...но дорого.",
        "Спасибо!Очень вкусно.",
        "Т.е. вы не вернёте деньги? И т.д. и т.п.",
        "e.g. i.e. a.m. U.S.",
        "Пишите на sukin.ivan@mail.ru или https://example.com/blyat",
    ],
)
def test_punctuation_is_not_a_mask(lexicon: Lexicon, text: str) -> None:
    assert lexicon.find(text) == []


@pytest.mark.parametrize(
    ("word", "pattern_id"),
    [
        ("xуй", "ru_khuy"),  # Latin x
        ("Сyка", "ru_suka"),  # Latin y
        ("пиздeц", "ru_pizd"),  # Latin e
        ("fuсk", "en_fuck"),  # Cyrillic с
        ("6ля", "ru_blya"),
        ("пи3дец", "ru_pizd"),
        ("b1tch", "en_bitch"),
        ("сууука", "ru_suka"),
        ("бляяяя", "ru_blya"),
        ("Fuuuuck", "en_fuck"),
        ("ЕБАНУТЫЕ", "ru_eb"),
        ("х у й", "ru_khuy"),
        ("б-л-я", "ru_blya"),
        ("п.и.з.д.е.ц", "ru_pizd"),
        ("ху\u200bйня", "ru_khuy"),  # a zero-width space inside
        ("бл\u00adять", "ru_blya"),  # a soft hyphen inside
    ],
)
def test_disguised_spelling_matches(lexicon: Lexicon, word: str, pattern_id: str) -> None:
    hit = _only_hit(lexicon, f"Это {word}, честно.")
    assert (hit.word, hit.pattern_id) == (word, pattern_id)


def test_combining_marks_are_read_as_letters(lexicon: Lexicon) -> None:
    decomposed = unicodedata.normalize("NFD", "Ёбаный сервис, хуйня")
    assert [hit.pattern_id for hit in lexicon.find(decomposed)] == ["ru_eb", "ru_khuy"]


@pytest.mark.parametrize("word", ["страхуй", "корабля", "скипидар", "команда", "мудрый", "Scunthorpe", "shiitake"])
def test_an_innocent_word_never_matches_through_wildcards(lexicon: Lexicon, word: str) -> None:
    assert lexicon.match_word(word) is None


def test_title_case_names_are_not_insults(lexicon: Lexicon) -> None:
    assert lexicon.find("С уважением, Алексей Козлов.") == []
    assert _only_hit(lexicon, "Развели как козлов.").pattern_id == "ru_kozlov"
    assert lexicon.find("I read Moby Dick on the flight.") == []
    assert _only_hit(lexicon, "The driver was a dick.").pattern_id == "en_dick"


# --- the lexicon file ------------------------------------------------------------------------


def test_default_path_is_the_shared_lexicon() -> None:
    expected = Path(__file__).resolve().parents[1] / "knowledge" / "shared" / "profanity.yaml"
    assert expected == DEFAULT_LEXICON_PATH
    assert DEFAULT_LEXICON_PATH.is_file()


def test_lexicon_has_both_categories_and_languages(lexicon: Lexicon) -> None:
    assert {entry.category for entry in lexicon.entries} == {"obscene", "insult"}
    assert {entry.script for entry in lexicon.entries} == {"cyrillic", "latin"}


def test_every_example_is_caught_by_its_own_entry(lexicon: Lexicon) -> None:
    for entry in lexicon.entries:
        for example in entry.examples:
            assert lexicon.match_word(example) == entry, f"{entry.id}: {example}"


def test_every_allowlist_word_is_clean(lexicon: Lexicon) -> None:
    raw = yaml.safe_load(DEFAULT_LEXICON_PATH.read_text(encoding="utf-8"))["allowlist"]
    assert len(raw) >= 100
    assert [word for word in raw if lexicon.find(word)] == []


def test_allowlist_is_honoured() -> None:
    entry = {"id": "ru_blya_loose", "category": "obscene", "pattern": "[а-я]*бля", "examples": ["бля"]}
    lexicon = parse_lexicon({"entries": [entry], "allowlist": ["Корабля"]})
    assert lexicon.find("с корабля на бал") == []
    assert [hit.word for hit in lexicon.find("рубля, сабля")] == ["рубля", "сабля"]


GOOD_ENTRY = "  - {id: ru_test, category: insult, pattern: 'идиот[а-я]*', examples: [идиот]}\n"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("entries: [\n", "not valid YAML"),
        ("- just a list\n", "must be a mapping"),
        ("allowlist: [небо]\n", "'entries' must be a non-empty list"),
        ("entries:\n" + GOOD_ENTRY + "extra: 1\n", "unknown top-level keys: extra"),
        ("entries:\n  - {id: x1, category: rude, pattern: 'x', examples: [x]}\n", "category 'rude'"),
        ("entries:\n  - {id: x1, category: insult, examples: [x]}\n", "(x1): missing pattern"),
        ("entries:\n  - {id: X-1, category: insult, pattern: 'x', examples: [x]}\n", "id must be"),
        ("entries:\n  - {id: x1, category: insult, pattern: 'x', examples: []}\n", "examples must be"),
        ("entries:\n  - {id: x1, category: insult, pattern: 'x', examples: [x], colour: red}\n", "unknown keys colour"),
        ("entries:\n  - {id: x1, category: insult, pattern: '(идиот', examples: [идиот]}\n", "(x1): bad pattern"),
        ("entries:\n  - {id: x1, category: insult, pattern: '\\w+', examples: [идиот]}\n", "unsupported"),
        ("entries:\n  - {id: x1, category: insult, pattern: 'идиот', examples: [мудрый]}\n", "'мудрый' does not match"),
        ("entries:\n" + GOOD_ENTRY + GOOD_ENTRY, "duplicate entry ids: ru_test"),
        ("entries:\n" + GOOD_ENTRY + "allowlist: [Идиот]\n", "'идиот' is also in the allowlist"),
        ("entries:\n" + GOOD_ENTRY + "allowlist: [1]\n", "'allowlist' must be a list of words"),
    ],
)
def test_malformed_lexicon_is_refused(tmp_path: Path, text: str, problem: str) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=r"broken\.yaml") as raised:
        load_lexicon(path)
    assert problem in str(raised.value)


def test_a_minimal_lexicon_loads(tmp_path: Path) -> None:
    path = tmp_path / "tiny.yaml"
    path.write_text("entries:\n" + GOOD_ENTRY, encoding="utf-8")
    assert [hit.pattern_id for hit in load_lexicon(path).find("Вы идиоты!")] == ["ru_test"]
