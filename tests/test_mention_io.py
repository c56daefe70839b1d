"""Reading mentions: the canonical schema, presets and column mappings, dates, the JSON forms,
and bad input reported by line (or, for an unreadable upload, as one InputError)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pydantic import ValidationError

from assistant.errors import InputError
from assistant.mention_io import (
    PRESETS,
    MentionBatch,
    SourceFormat,
    TooManyRowsError,
    column_mapping,
    parse_mentions,
    read_mentions,
)
from assistant.models import Platform

BRAND = "obed-express"
RUSSIAN_EXPORT = (
    "Дата;Автор;Текст;Площадка;Источник;Охват;Рейтинг\n"
    "25.11.2026 14:05;Ирина;Суп холодный, курьер опоздал;;vk.com;1200;2\n"
    '26.11.2026;Олег;"Заказ привезли вовремя,\nвсё горячее";Отзовик;;15;5\n'
    "27.11.2026 09:30;Анна;Где мой заказ?;dzen.ru;;3;\n"
    "вчера;Пётр;Спасибо!;ВКонтакте;;1;5\n"
)


def _read(text: str | bytes, source: SourceFormat = SourceFormat.csv, **options) -> MentionBatch:
    return parse_mentions(text.encode() if isinstance(text, str) else text, source, BRAND, **options)


def _messages(batch: MentionBatch) -> dict[int, str]:
    return {error.line: error.message for error in batch.errors}


def test_a_file_and_its_bytes_read_alike(tmp_path: Path) -> None:
    content = "text,author_name,platform,rating\nСуп холодный,Ирина,vk,2\nСпасибо,,telegram,\n"
    path = tmp_path / "mentions.csv"
    path.write_text(content, encoding="utf-8")
    from_file, from_bytes = read_mentions(path, BRAND), _read(content)
    strip_ids = [m.model_dump(exclude={"id", "created_at"}) for m in from_file.mentions]
    assert strip_ids == [m.model_dump(exclude={"id", "created_at"}) for m in from_bytes.mentions]
    assert from_file.lines == from_bytes.lines == [2, 3] and not from_file.errors
    assert from_bytes.mentions[0].platform is Platform.vk and from_bytes.mentions[1].rating is None


def test_the_russian_preset_reads_a_semicolon_export() -> None:
    batch = _read(RUSSIAN_EXPORT, mapping=column_mapping("russian-export"))
    irina, oleg, anna = batch.mentions
    assert batch.lines == [2, 3, 5]  # a quoted cell spanning two lines: the record's first line
    assert (irina.author_name, irina.rating, irina.platform) == ("Ирина", 2, Platform.vk)  # first non-empty column
    assert irina.created_at == datetime(2026, 11, 25, 11, 5, tzinfo=UTC)  # Moscow time, no offset written
    assert oleg.platform is Platform.otzovik and oleg.text == "Заказ привезли вовремя,\nвсё горячее"
    assert oleg.created_at == datetime(2026, 11, 25, 21, 0, tzinfo=UTC)
    assert anna.platform is Platform.other and anna.rating is None  # a source we have no name for
    assert list(_messages(batch)) == [6] and _messages(batch)[6].startswith("created_at: ")  # "вчера"


def test_the_english_preset_and_iso_dates() -> None:
    export = (
        "ID,Date,Author,Text,URL,Source,Reach\n"
        "yt-1,2026-11-25T14:05:00Z,Jane,Cold soup again,https://example.com/1,Google Maps,10\n"
        "yt-2,2026-11-25 16:00,Bob,Thanks!,,app store,\n"
    )
    jane, bob = _read(export, mapping=column_mapping("english-export")).mentions
    assert (jane.external_id, jane.url, jane.platform) == ("yt-1", "https://example.com/1", Platform.google_maps)
    assert jane.created_at == datetime(2026, 11, 25, 14, 5, tzinfo=UTC)
    assert bob.platform is Platform.app_store and bob.created_at == datetime(2026, 11, 25, 16, 0, tzinfo=UTC)


def test_a_custom_mapping_is_laid_over_a_preset() -> None:
    mapping = column_mapping(
        "russian-export",
        {"columns": {"Сообщение": "text"}, "platforms": {"Мой район": "vk"}, "timezone": "Asia/Yekaterinburg"},
    )
    assert mapping.columns["текст"] == "text" and mapping.columns["сообщение"] == "text"  # the preset's stay
    [mention] = _read("Сообщение;Площадка;Дата\nОпять опоздали;мой  РАЙОН;25.11.2026 14:05\n", mapping=mapping).mentions
    assert mention.platform is Platform.vk  # values match ignoring case and extra spaces
    assert mention.created_at == datetime(2026, 11, 25, 9, 5, tzinfo=UTC)
    assert PRESETS["russian-export"].columns.get("сообщение") is None  # the preset itself is untouched


def test_the_canonical_schema_sets_unknown_columns_aside_and_is_strict_about_platforms() -> None:
    batch = _read("text,colour,platform\nХолодный суп,red,vk\nГде заказ?,,myspace\nСпасибо,,VK\n")
    messages = _messages(batch)
    assert list(messages) == [3] and messages[3].startswith("platform: ")
    assert batch.ignored == ["colour"]
    assert batch.mentions[0].platform is Platform.vk  # only the case of a platform's own name is forgiven


def test_a_mapping_can_still_refuse_unknown_columns() -> None:
    strict = column_mapping(custom={"ignore_other_columns": False})
    batch = _read("text,colour\nХолодный суп,red\n", mapping=strict)
    assert batch.errors and batch.errors[0].message.startswith("colour: Extra inputs")


@pytest.mark.parametrize(
    ("preset", "custom", "named"),
    [
        ("dropbox-export", None, "dropbox-export"),
        (None, {"columns": {"Текст": "txt"}}, "'Текст' -> 'txt'"),
        (None, {"platforms": {"ВК": "vkontakte"}}, "vkontakte"),
        (None, {"timezone": "Mars/Olympus"}, "Mars/Olympus"),
        (None, {"colums": {"Текст": "text"}}, "colums"),
    ],
)
def test_a_bad_preset_or_mapping_names_what_is_wrong(preset: str | None, custom: dict | None, named: str) -> None:
    with pytest.raises((InputError, ValidationError)) as raised:
        column_mapping(preset, custom)
    assert named in str(raised.value)


def test_a_header_without_text_names_its_columns() -> None:
    with pytest.raises(InputError, match=r"needs a 'text' column.*'Сообщение', 'Автор'"):
        _read("Сообщение,Автор\nГде заказ?,Ирина\n")
    mapped = _read(
        "Сообщение,Автор\nГде заказ?,Ирина\n",
        mapping=column_mapping(None, {"columns": {"Сообщение": "text", "Автор": "author_name"}}),
    )
    assert [(m.text, m.author_name) for m in mapped.mentions] == [("Где заказ?", "Ирина")]


def test_invalid_utf8_names_the_byte_and_line() -> None:
    with pytest.raises(InputError, match="not UTF-8 text: byte 0xcf on line 2"):
        _read("text\nПривет\n".encode("cp1251"))
    assert _read("\ufefftext\nПривет\n").mentions[0].text == "Привет"  # a byte-order mark is no column name


def test_a_row_with_more_cells_than_the_header_is_bad() -> None:
    batch = _read("text,rating\nХолодный суп,2,лишнее\nСпасибо,5,\n")
    assert _messages(batch) == {2: "the row has 3 cells; the header has 2 columns"}
    assert [m.text for m in batch.mentions] == ["Спасибо"]


@pytest.mark.parametrize(
    ("content", "texts", "bad_lines"),
    [
        ('[{"text": "a"}, 5, {"text": "b", "rating": 9}, {"text": "c"}]', ["a", "c"], [2, 3]),
        ('{"mentions": [{"text": "a"}, {"text": ""}]}', ["a"], [2]),
        ('{"text": "a"}', ["a"], []),
        ('{"text": "a"}\n\n{"text": "b"\n{"text": "c"}\n', ["a", "c"], [3]),  # one object per line
    ],
    ids=["list", "mentions-object", "one-object", "lines"],
)
def test_the_json_forms(content: str, texts: list[str], bad_lines: list[int]) -> None:
    batch = _read(content, SourceFormat.json)
    assert [m.text for m in batch.mentions] == texts and list(_messages(batch)) == bad_lines


def test_json_that_is_no_list_of_mentions_is_refused() -> None:
    with pytest.raises(InputError, match="not valid JSON"):
        _read('[{"text": "a"', SourceFormat.json)
    with pytest.raises(InputError, match="expected a JSON list"):
        _read('"text"', SourceFormat.json)


def test_json_lines_keep_a_line_separator_inside_a_string() -> None:
    batch = _read('{"text": "one\u2028two", "external_id": 123}\n', SourceFormat.jsonl)
    assert batch.mentions[0].text == "one\u2028two" and batch.mentions[0].external_id == "123"


def test_more_rows_than_allowed() -> None:
    content = "text\n" + "".join(f"Отзыв {n}\n" for n in range(11))
    assert _read(content, max_rows=11).rows == 11
    with pytest.raises(TooManyRowsError, match="12 rows; the limit is 11"):
        _read(content + "Ещё один\n", max_rows=11)


def test_read_mentions_names_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "export.csv"
    bad.write_bytes("text\nПривет\n".encode("cp1251"))
    with pytest.raises(InputError, match=re.escape(f"{bad}: not UTF-8 text")):
        read_mentions(bad)
    with pytest.raises(InputError, match=r"unknown file type '\.xlsx'"):
        read_mentions(tmp_path / "export.xlsx")


def test_fields_otklik_does_not_know_are_set_aside_not_a_rejected_row(tmp_path: Path) -> None:
    jsonl = tmp_path / "export.jsonl"
    jsonl.write_text(
        '{"text": "Суп привезли ледяной", "brand": "obed-express", "reach": 1200, "sentiment_ba": "neg"}\n'
        '{"text": "Спасибо за доставку", "brand": "obed-express", "reach": 40}\n',
        encoding="utf-8",
    )
    csv_file = tmp_path / "export.csv"
    csv_file.write_text("text,brand,Охват,Тональность\nКурьер нагрубил,kedr-bank,300,негатив\n", encoding="utf-8")
    from_jsonl, from_csv = read_mentions(jsonl), read_mentions(csv_file)
    assert (len(from_jsonl.mentions), from_jsonl.errors) == (2, [])
    assert from_jsonl.ignored == ["reach", "sentiment_ba"]
    assert (len(from_csv.mentions), from_csv.errors) == (1, [])
    assert from_csv.ignored == ["Охват", "Тональность"]
