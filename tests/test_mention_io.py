"""Reading mentions: the canonical schema, presets and column mappings, dates, the JSON forms,
Excel workbooks, and bad input reported by line (or, for an unreadable upload, as one InputError)."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

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
from tests.workbooks import xlsx

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
    with pytest.raises(InputError, match=r"unknown file type '\.xls'; use .jsonl, .json, .csv or .xlsx"):
        read_mentions(tmp_path / "export.xls")


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


# --- monitoring exports: Brand Analytics and YouScan, as CSV and as XLSX -------------------------

# Their columns as public descriptions of these exports give them (not vendor-certified), with the
# extra columns every such export carries: none of them may cost a row.
BRAND_ANALYTICS = [
    ["Дата", "Автор", "Текст", "Ссылка", "Источник", "Тип площадки", "Тональность", "Тип сообщения", "Аудитория", "Охват", "Оценка"],
    [datetime(2026, 11, 25, 14, 5), "Ирина", "Суп холодный, курьер опоздал", "https://vk.com/wall-1_2", "vk.com", "Социальные сети", "Негатив", "Комментарий", 1200, 5400, None],
    ["26.11.2026 09:30", "Олег", "Доставили за 30 минут, спасибо", "https://t.me/obed/15", "t.me", "Мессенджеры", "Позитив", "Пост", 300, 900, None],
    [datetime(2026, 11, 27, 8, 0), "Анна", "Приложение вылетает при оплате", "", "play.google.com", "Отзывы", "Негатив", "Отзыв", "", "", 2],
    [datetime(2026, 11, 27, 9, 0), "Ред.", "Обед Экспресс открыл кухню в Купчино", "https://ria.ru/1", "ria.ru", "СМИ", "Нейтрально", "Статья", 90000, "", None],
]  # fmt: skip
YOUSCAN = [
    ["Date", "Source", "Source type", "Post type", "Author", "Text", "URL", "Sentiment", "Engagement", "Potential reach"],
    [datetime(2026, 11, 25, 11, 5), "x.com", "Social networks", "Post", "@irina", "Cold soup again, 2 hours late", "https://x.com/i/1", "negative", 14, 5000],
    [datetime(2026, 11, 25, 12, 0), "www.instagram.com", "Social networks", "Comment", "oleg", "Best delivery in town", "https://instagram.com/p/2", "positive", 3, 800],
    ["2026-11-25T13:00:00Z", "youtube.com", "Video", "Comment", "Anna", "Where is my order 48213?", "https://youtu.be/3", "neutral", 0, 100],
    [datetime(2026, 11, 25, 14, 0), "market.yandex.ru", "Reviews", "Review", "Пётр", "Курьер нагрубил", "", "negative", "", ""],
]  # fmt: skip


def _csv_export(rows: Sequence[Sequence[Any]], delimiter: str) -> bytes:
    """The rows as the export's CSV: dates written the way the export writes them."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    for row in rows:
        writer.writerow(cell.strftime("%d.%m.%Y %H:%M") if isinstance(cell, datetime) else cell for cell in row)
    return out.getvalue().encode()


def _export(rows: Sequence[Sequence[Any]], source: SourceFormat, delimiter: str = ";") -> bytes:
    return xlsx(rows) if source is SourceFormat.xlsx else _csv_export(rows, delimiter)


@pytest.mark.parametrize("source", [SourceFormat.csv, SourceFormat.xlsx])
def test_a_brand_analytics_export_imports_every_row(source: SourceFormat) -> None:
    batch = _read(_export(BRAND_ANALYTICS, source), source, mapping=column_mapping("brand-analytics"))
    assert batch.errors == [] and batch.lines == [2, 3, 4, 5]
    assert [m.platform for m in batch.mentions] == [Platform.vk, Platform.telegram, Platform.google_play, Platform.news]
    irina, oleg, anna, _news = batch.mentions
    assert irina.created_at == datetime(2026, 11, 25, 11, 5, tzinfo=UTC)  # Moscow time, as the export writes it
    assert oleg.created_at == datetime(2026, 11, 26, 6, 30, tzinfo=UTC)
    assert (irina.author_name, irina.url, anna.rating, anna.url) == ("Ирина", "https://vk.com/wall-1_2", 2, None)
    assert batch.ignored == ["Аудитория", "Охват", "Тип сообщения", "Тональность"]


@pytest.mark.parametrize("source", [SourceFormat.csv, SourceFormat.xlsx])
def test_a_youscan_export_imports_every_row(source: SourceFormat) -> None:
    batch = _read(_export(YOUSCAN, source, delimiter=","), source, mapping=column_mapping("youscan"))
    assert batch.errors == [] and len(batch.mentions) == 4
    expected = [Platform.twitter, Platform.instagram, Platform.youtube, Platform.yandex_market]
    assert [m.platform for m in batch.mentions] == expected
    assert batch.mentions[0].created_at == datetime(2026, 11, 25, 11, 5, tzinfo=UTC)  # UTC unless the mapping says
    assert batch.mentions[2].created_at == datetime(2026, 11, 25, 13, 0, tzinfo=UTC)
    assert batch.ignored == ["Engagement", "Post type", "Potential reach", "Sentiment"]


@pytest.mark.parametrize(
    ("name", "platform"),
    [
        ("X", Platform.twitter),
        ("x.com", Platform.twitter),
        ("Twitter.com", Platform.twitter),
        ("twitter", Platform.twitter),
        ("www.instagram.com", Platform.instagram),
        ("youtu.be", Platform.youtube),
        ("Телеграм-канал", Platform.telegram),
        ("Ozon", Platform.ozon),
        ("ozon.ru", Platform.ozon),
        ("Wildberries", Platform.wildberries),
        ("Яндекс Маркет", Platform.yandex_market),
        ("market.yandex.ru", Platform.yandex_market),
        ("маркетплейс", Platform.marketplace),
        ("banki.ru", Platform.banki_ru),
        ("Банки.ру", Platform.banki_ru),
        ("Google Play", Platform.google_play),
        ("play.google.com", Platform.google_play),
        ("Форум", Platform.forum),
        ("СМИ", Platform.news),
    ],
)
def test_platform_names_in_exports(name: str, platform: Platform) -> None:
    [mention] = _read(f"Текст;Площадка\nГде заказ?;{name}\n", mapping=column_mapping("russian-export")).mentions
    assert mention.platform is platform


def test_the_platform_is_the_first_source_column_we_know() -> None:
    mapping = column_mapping("brand-analytics")
    rows = "Текст;Источник;Тип площадки\nНовость;ria.ru;СМИ\nПост;vk.com;Социальные сети\nЧто-то;blog.example;Блоги\n"
    assert [m.platform for m in _read(rows, mapping=mapping).mentions] == [Platform.news, Platform.vk, Platform.other]


def test_a_workbook_reads_like_its_csv(tmp_path: Path) -> None:
    rows = [["text", "rating", "external_id", "created_at"], ["Суп холодный", 2, 98765, datetime(2026, 11, 25, 14, 5)]]
    path = tmp_path / "export.xlsx"
    path.write_bytes(xlsx(rows))
    [mention] = read_mentions(path, BRAND).mentions
    assert (mention.rating, mention.external_id) == (2, "98765")  # numbers read as a CSV holds them
    assert mention.created_at == datetime(2026, 11, 25, 14, 5, tzinfo=UTC)
    renamed = tmp_path / "export.csv"  # a workbook saved under the wrong name still reads
    renamed.write_bytes(path.read_bytes())
    assert read_mentions(renamed, BRAND).mentions[0].text == "Суп холодный"


def test_a_workbook_counts_its_rows_against_the_limit() -> None:
    book = xlsx([["text"], *[[f"Отзыв {n}"] for n in range(5)]])
    assert _read(book, SourceFormat.xlsx, max_rows=5).rows == 5
    with pytest.raises(TooManyRowsError, match="6 rows; the limit is 5"):
        _read(xlsx([["text"], *[[f"Отзыв {n}"] for n in range(6)]]), SourceFormat.xlsx, max_rows=5)


def _zip(**files: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"text\n\xd0\x9f\n", "not an .xlsx workbook"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100), "an old Excel .xls workbook"),
        (b"PK\x03\x04" + bytes(100), "not a readable .xlsx workbook"),
        (_zip(**{"export.csv": "text\nПривет\n"}), "not a readable .xlsx workbook"),
        (xlsx([]), "sheet 'Упоминания' is empty"),
        (xlsx([["Сообщение", "Автор"], ["Где заказ?", "Ирина"]]), "row 1: the header needs a 'text' column"),
    ],
    ids=["text", "old-xls", "damaged-zip", "zip-of-csv", "empty-sheet", "no-text-column"],
)
def test_a_bad_workbook_is_one_clear_error(data: bytes, message: str) -> None:
    with pytest.raises(InputError, match=re.escape(message)):
        _read(data, SourceFormat.xlsx)
