"""Read mentions from JSON, JSON lines, CSV or an Excel workbook (.xlsx) — a file or an upload's
bytes — and write results as JSONL.

Bad rows never stop a batch: each is reported with its line number and the good rows go
on. Input that cannot be read at all raises InputError. A `ColumnMapping` turns an
export's own columns, platform names and dates into Mention fields (docs/csv-import.md).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import date, datetime
from enum import StrEnum
from itertools import islice
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from openpyxl import load_workbook
from pydantic import BaseModel, Field, ValidationError, field_validator

from assistant.errors import InputError
from assistant.models import Mention, Platform, Strict


class SourceFormat(StrEnum):
    json = "json"  # a list of objects, {"mentions": [...]}, one object, or one object per line
    jsonl = "jsonl"  # one object per line
    csv = "csv"  # a header row, then one mention per record
    xlsx = "xlsx"  # the first sheet of an Excel workbook: a header row, then one mention per row


SUFFIXES = {
    ".csv": SourceFormat.csv,
    ".xlsx": SourceFormat.xlsx,
    ".jsonl": SourceFormat.jsonl,
    ".ndjson": SourceFormat.jsonl,
    ".json": SourceFormat.json,
}
MENTION_FIELDS = tuple(Mention.model_fields)
PLATFORM_VALUES = frozenset(platform.value for platform in Platform)
DATE_FORMATS = ("%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M", "%d.%m.%Y")  # besides ISO 8601
ZIP_MAGIC = b"PK\x03\x04"  # an .xlsx workbook is a zip archive
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # an old Excel .xls (or another OLE2 compound file)


@dataclass(frozen=True)
class RowError:
    line: int
    message: str


@dataclass(frozen=True)
class MentionBatch:
    mentions: list[Mention]
    errors: list[RowError]
    lines: list[int]  # the file line each mention came from
    ignored: list[str] = dataclass_field(
        default_factory=list
    )  # columns Otklik does not know, set aside (monitoring exports carry many)

    @property
    def rows(self) -> int:
        """Data rows read, good and bad."""
        return len(self.mentions) + len(self.errors)


class TooManyRowsError(InputError):
    def __init__(self, rows: int, limit: int):
        super().__init__(f"{rows} rows; the limit is {limit}")
        self.rows, self.limit = rows, limit


# A row as read: its line and its (column, value) pairs in source order, or what was wrong with it.
RawRow = tuple[int, list[tuple[str, Any]] | str]


def _name(text: str) -> str:
    """Column names and platform values match ignoring case and extra spaces."""
    return " ".join(text.split()).casefold()


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


class ColumnMapping(Strict):
    """How an export's columns and values become Mention fields (the same for CSV and JSON rows)."""

    columns: dict[str, str] = Field(default_factory=dict, description="source column -> Mention field")
    platforms: dict[str, Platform] = Field(default_factory=dict, description="source value -> platform")
    other_platform: Platform | None = Field(
        default=None, description="the platform of values not recognised; unset: such a row is bad"
    )
    timezone: str = Field(default="UTC", description="of dates written without an offset (IANA name)")
    ignore_other_columns: bool = Field(
        default=True,
        description="set columns neither mapped nor named like a field aside, listed once per file (false: a bad row)",
    )

    @field_validator("columns")
    @classmethod
    def _known_fields(cls, columns: dict[str, str]) -> dict[str, str]:
        unknown = {column: field for column, field in columns.items() if field not in MENTION_FIELDS}
        if unknown:
            named = ", ".join(f"{column!r} -> {field!r}" for column, field in unknown.items())
            raise ValueError(f"unknown Mention field in {named}; the fields are {', '.join(MENTION_FIELDS)}")
        return {_name(column): field for column, field in columns.items()}

    @field_validator("platforms")
    @classmethod
    def _platform_names(cls, platforms: dict[str, Platform]) -> dict[str, Platform]:
        return {_name(value): platform for value, platform in platforms.items()}

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, name: str) -> str:
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {name!r} (an IANA name such as 'Europe/Moscow' or 'UTC')") from None
        return name

    def target(self, column: str) -> str | None:
        """The field this column fills; None to drop it; an unknown column keeps its name (a bad row)."""
        name = _name(column)
        if not name:
            return None
        if name in self.columns:
            return self.columns[name]
        if name in MENTION_FIELDS:
            return name
        return None if self.ignore_other_columns else column

    def apply(self, pairs: Iterable[tuple[str, Any]]) -> dict[str, Any]:
        """Mention fields from a row: the first non-empty column for each field, values in canonical form.

        The platform is the first value, from the left, that names a platform we know (an export may
        have a source column with a site and a source-type column with a kind of site; either may
        be the one we know). An empty text is kept, so that it is reported as empty rather than missing."""
        fields: dict[str, Any] = {}
        platforms: list[Any] = []
        for column, value in pairs:
            field = self.target(column)
            if field == "platform" and not _blank(value):
                platforms.append(value)
            if field is not None and _blank(fields.get(field)) and (not _blank(value) or field == "text"):
                fields[field] = value
        if platforms and isinstance(platforms[0], str):
            fields["platform"] = self._platform(platforms)
        if isinstance(fields.get("created_at"), str | datetime):
            fields["created_at"] = self._date(fields["created_at"])
        return fields

    def merged(self, override: ColumnMapping) -> ColumnMapping:
        """This mapping with another laid over it: its columns and platforms added, its settings winning."""
        update = {name: getattr(override, name) for name in override.model_fields_set}
        update["columns"] = {**self.columns, **override.columns}
        update["platforms"] = {**self.platforms, **override.platforms}
        return self.model_copy(update=update)

    def _platform(self, values: list[Any]) -> str:
        """The first value naming a known platform; else `other_platform`, or the first value as
        written (for validation to name)."""
        for value in values:
            known = self._known_platform(value) if isinstance(value, str) else None
            if known:
                return known
        return self.other_platform.value if self.other_platform else values[0]

    def _known_platform(self, value: str) -> str | None:
        name = _name(value)
        for candidate in (name, name.removeprefix("www.")):
            if candidate in self.platforms:
                return self.platforms[candidate].value
            if candidate in PLATFORM_VALUES:
                return candidate
        return None

    def _date(self, value: str | datetime) -> datetime | str:
        """ISO 8601 or day.month.year [hours:minutes[:seconds]], or a spreadsheet's date cell; anything
        else is left for validation to name. Without an offset, in the mapping's time zone."""
        if isinstance(value, str):
            try:
                value = _parse_date(value.strip())
            except ValueError:
                return value
        return value if value.tzinfo else value.replace(tzinfo=ZoneInfo(self.timezone))


def _parse_date(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        pass
    for pattern in DATE_FORMATS:
        try:
            return datetime.strptime(text, pattern)
        except ValueError:
            continue
    raise ValueError(f"not a date: {text!r}")


# --- presets: the column sets we expect in typical monitoring exports (not vendor-certified) -------

# Platform names as exports write them (matched ignoring case and extra spaces; a leading "www."
# is dropped). A platform's own value (`twitter`, `ozon`, …) is always understood besides these.
PLATFORM_NAMES: dict[str, Platform] = {
    **dict.fromkeys(["vk.com", "vk.ru", "m.vk.com", "вконтакте", "вк", "vkontakte"], Platform.vk),
    **dict.fromkeys(
        ["t.me", "телеграм", "telegram.org", "телеграм-канал", "telegram channel", "telegram (каналы)"],
        Platform.telegram,
    ),
    **dict.fromkeys(["x", "x.com", "twitter.com", "x (twitter)", "twitter (x)", "твиттер"], Platform.twitter),
    **dict.fromkeys(["instagram.com", "инстаграм"], Platform.instagram),
    **dict.fromkeys(["youtube.com", "m.youtube.com", "youtu.be", "ютуб"], Platform.youtube),
    **dict.fromkeys(["otzovik.com", "отзовик"], Platform.otzovik),
    **dict.fromkeys(["irecommend.ru", "айрекоменд"], Platform.irecommend),
    **dict.fromkeys(["banki.ru", "банки.ру", "банки ру", "banki ru"], Platform.banki_ru),
    **dict.fromkeys(["ozon.ru", "озон"], Platform.ozon),
    **dict.fromkeys(["wildberries.ru", "wb.ru", "вайлдберриз"], Platform.wildberries),
    **dict.fromkeys(
        ["market.yandex.ru", "яндекс маркет", "яндекс.маркет", "yandex market", "yandex.market"], Platform.yandex_market
    ),
    **dict.fromkeys(["маркетплейс", "маркетплейсы"], Platform.marketplace),
    **dict.fromkeys(["яндекс карты", "яндекс.карты", "yandex maps", "yandex.ru/maps"], Platform.yandex_maps),
    **dict.fromkeys(["google maps", "google карты", "maps.google.com", "google.com/maps"], Platform.google_maps),
    **dict.fromkeys(["2гис", "2gis.ru"], Platform.two_gis),
    **dict.fromkeys(["app store", "appstore", "apps.apple.com"], Platform.app_store),
    **dict.fromkeys(["google play", "play.google.com", "гугл плей"], Platform.google_play),
    **dict.fromkeys(["форум", "форумы", "forums"], Platform.forum),
    **dict.fromkeys(["сми", "новости", "онлайн-сми", "media"], Platform.news),
    **dict.fromkeys(["сайт", "web"], Platform.website),
}


def _columns(**names: list[str]) -> dict[str, str]:
    return {column: field for field, columns in names.items() for column in columns}


RUSSIAN_EXPORT = ColumnMapping(
    columns=_columns(
        text=["Текст", "Текст сообщения", "Текст упоминания"],
        author_name=["Автор", "Имя автора"],
        created_at=["Дата", "Дата публикации"],
        url=["Ссылка", "Ссылка на сообщение"],
        platform=["Площадка", "Источник", "Ресурс"],
        rating=["Рейтинг", "Оценка"],
        external_id=["ID", "ID сообщения", "Идентификатор"],
        brand=["Бренд"],
    ),
    platforms=PLATFORM_NAMES,
    other_platform=Platform.other,
    timezone="Europe/Moscow",
    ignore_other_columns=True,
)
ENGLISH_EXPORT = ColumnMapping(
    columns=_columns(
        text=["Text", "Content", "Message"],
        author_name=["Author", "Author Name"],
        created_at=["Date", "Published", "Published At"],
        url=["URL", "Link"],
        platform=["Source", "Platform", "Site"],
        rating=["Rating"],
        external_id=["ID", "Mention ID"],
        brand=["Brand"],
    ),
    platforms=PLATFORM_NAMES,
    other_platform=Platform.other,
    ignore_other_columns=True,
)

# Brand Analytics and YouScan exports (CSV or XLSX). Their core columns are the ones public
# descriptions of these exports use, as collected in issue 14 — Brand Analytics: «Текст», «Автор»,
# «Дата», «Ссылка», «Источник», «Тональность», «Тип сообщения», «Аудитория»; YouScan: Date, Text,
# Source, Author, URL, Sentiment, Post type, Engagement — and the names added below are variants of
# our own guessing. NOT certified by either vendor, not checked against a real export of every
# version. Their other columns (sentiment, message or post type, audience, reach, engagement…) are
# set aside and named once per file; lay a mapping over the preset where an export differs.
BRAND_ANALYTICS = RUSSIAN_EXPORT.merged(
    ColumnMapping(
        columns=_columns(
            created_at=["Дата и время"],
            url=["URL"],
            platform=["Тип площадки", "Тип источника"],  # a kind of site («СМИ», «Форумы») where the source is unknown
        )
    )
)
YOUSCAN = ENGLISH_EXPORT.merged(
    ColumnMapping(
        columns=_columns(
            text=["Full text"],
            created_at=["Publication date"],
            platform=["Source type"],  # a kind of site ("Forums", "Media") where the source is unknown
        )
    )
)

PRESETS: dict[str, ColumnMapping] = {
    "canonical": ColumnMapping(),
    "russian-export": RUSSIAN_EXPORT,
    "english-export": ENGLISH_EXPORT,
    "brand-analytics": BRAND_ANALYTICS,
    "youscan": YOUSCAN,
}


def column_mapping(preset: str | None = None, custom: dict[str, Any] | None = None) -> ColumnMapping:
    """A preset (by default `canonical`) with a custom mapping laid over it.

    Raises InputError for an unknown preset and ValidationError for a bad custom mapping."""
    name = preset or "canonical"
    if name not in PRESETS:
        raise InputError(f"unknown preset {name!r}; the presets are {', '.join(PRESETS)}")
    base = PRESETS[name]
    return base.merged(ColumnMapping.model_validate(custom)) if custom else base


# --- reading ------------------------------------------------------------------------------------


def read_mentions(path: Path, default_brand: str | None = None, mapping: ColumnMapping | None = None) -> MentionBatch:
    """Mentions from a .jsonl, .json, .csv or .xlsx file; `default_brand` fills rows without a brand."""
    source = SUFFIXES.get(path.suffix.lower())
    if source is None:
        raise InputError(f"{path}: unknown file type {path.suffix!r}; use .jsonl, .json, .csv or .xlsx")
    data = _read_bytes(path)
    try:
        return parse_mentions(data, sniff_format(data, source), default_brand, mapping)
    except InputError as error:
        raise InputError(f"{path}: {error}") from None


def parse_mentions(
    data: bytes | str,
    source: SourceFormat,
    default_brand: str | None = None,
    mapping: ColumnMapping | None = None,
    *,
    model: type[Mention] = Mention,
    max_rows: int | None = None,
) -> MentionBatch:
    """Mentions (validated as `model`) from an upload's content; TooManyRowsError beyond `max_rows`."""
    mapping = mapping or PRESETS["canonical"]
    rows = _kept_rows(_split_rows(data, source, mapping), max_rows)
    mentions, errors, lines = [], [], []
    ignored: set[str] = set()
    for line, row in rows:
        if isinstance(row, str):
            errors.append(RowError(line, row))
            continue
        ignored.update(column for column, _ in row if _name(column) and mapping.target(column) is None)
        try:
            mentions.append(model.model_validate(_with_defaults(mapping.apply(row), default_brand)))
            lines.append(line)
        except ValidationError as error:
            errors.append(RowError(line, describe_validation_error(error)))
    return MentionBatch(mentions, errors, lines, sorted(ignored))


def sniff_format(data: bytes | str, claimed: SourceFormat | None) -> SourceFormat | None:
    """A zip archive is read as an .xlsx workbook whatever its name or type claims (no text
    format starts with the zip signature); anything else is what it claims to be."""
    if isinstance(data, bytes) and data.startswith(ZIP_MAGIC):
        return SourceFormat.xlsx
    return claimed


def describe_validation_error(error: ValidationError) -> str:
    """One line naming each bad field: 'text: String should have at least 1 character'."""
    return "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'row'}: {e['msg']}" for e in error.errors())


def decode_text(data: bytes | str) -> str:
    """UTF-8 text (a byte-order mark is dropped); InputError names the first bad byte and its line."""
    if isinstance(data, str):
        return data.removeprefix("\ufeff")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise InputError(
            f"not UTF-8 text: byte 0x{data[error.start]:02x} on line {line} (save the file as UTF-8)"
        ) from None


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except OSError as error:
        raise InputError(f"{path}: cannot be read ({error.strerror})") from None


def _split_rows(data: bytes | str, source: SourceFormat, mapping: ColumnMapping) -> Iterable[RawRow]:
    if source is SourceFormat.xlsx:
        return _xlsx_rows(data, mapping)
    text = decode_text(data)
    if source is SourceFormat.csv:
        return _csv_rows(text, mapping)
    if source is SourceFormat.json:
        return _json_rows(text)
    return _jsonl_rows(text)


def _kept_rows(rows: Iterable[RawRow], max_rows: int | None) -> list[RawRow]:
    """The rows, or TooManyRowsError naming how many there are: beyond `max_rows` they are
    counted, not kept (a small workbook may unpack into millions of rows)."""
    if max_rows is None:
        return list(rows)
    stream = iter(rows)
    kept = list(islice(stream, max_rows))
    more = sum(1 for _ in stream)
    if more:
        raise TooManyRowsError(len(kept) + more, max_rows)
    return kept


def _json_rows(text: str) -> list[RawRow]:
    """A list of objects or {"mentions": [...]} (a row's line is its place in the list, from 1),
    a single object, or — when the text holds several documents — one object per line."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        if error.msg == "Extra data":
            return _jsonl_rows(text)
        raise InputError(f"not valid JSON: {error.msg} (line {error.lineno}, column {error.colno})") from None
    except RecursionError:  # a hostile upload: thousands of nested brackets
        raise InputError("not valid JSON: nested too deeply") from None
    if isinstance(document, dict) and isinstance(document.get("mentions"), list):
        document = document["mentions"]
    elif isinstance(document, dict):
        document = [document]
    if not isinstance(document, list):
        raise InputError('expected a JSON list of mentions or {"mentions": [...]}')
    return [(number, _object_row(value)) for number, value in enumerate(document, start=1)]


def _jsonl_rows(text: str) -> list[RawRow]:
    rows: list[RawRow] = []
    for number, line in enumerate(text.split("\n"), start=1):  # not splitlines(): U+2028 may sit inside a string
        if not line.strip():
            continue
        try:
            rows.append((number, _object_row(json.loads(line))))
        except json.JSONDecodeError as error:
            rows.append((number, f"not valid JSON: {error.msg}"))
        except RecursionError:
            rows.append((number, "not valid JSON: nested too deeply"))
    return rows


def _object_row(value: Any) -> list[tuple[str, Any]] | str:
    return list(value.items()) if isinstance(value, dict) else "expected a JSON object"


def _csv_rows(text: str, mapping: ColumnMapping) -> list[RawRow]:
    """Records after the header, each with the line it starts on; the delimiter is read off the header."""
    first_line = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(first_line))
    records = _records(reader)
    header_line, header = next(records, (1, []))
    _check_header(header, mapping, f"CSV line {header_line}")
    return [(line, _header_row(header, cells)) for line, cells in records]


def _check_header(header: list[str], mapping: ColumnMapping, where: str) -> None:
    if not any(mapping.target(column) == "text" for column in header):
        found = ", ".join(repr(column) for column in header if column) or "nothing"
        raise InputError(f"{where}: the header needs a 'text' column (or one mapped to text); it has {found}")


def _records(reader: Any) -> Iterator[tuple[int, list[str]]]:
    """Non-empty records and the line each starts on (a quoted cell may span lines)."""
    while True:
        start = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise InputError(f"CSV line {reader.line_num}: {error}") from None
        if any(cell.strip() for cell in cells):
            yield start, cells


def _header_row(header: list[str], cells: list[Any]) -> list[tuple[str, Any]] | str:
    extra = cells[len(header) :]
    if not all(_blank(cell) for cell in extra):
        return f"the row has {len(cells)} cells; the header has {len(header)} columns"
    return list(zip(header, cells, strict=False))


# --- Excel workbooks -------------------------------------------------------------------------------


def _xlsx_rows(data: bytes | str, mapping: ColumnMapping) -> Iterator[RawRow]:
    """The rows of the first sheet after its header row, each with its row number; cells as a CSV
    would hold them (text), except date cells, which stay dates."""
    workbook = _open_workbook(data)
    try:
        if not workbook.worksheets:
            raise InputError("the workbook has no worksheet")
        sheet = workbook.worksheets[0]
        rows = _sheet_rows(sheet)
        header_row, cells = next(rows, (1, []))
        header = [str(cell) for cell in cells]  # a column named by a number or a date is named by its text
        if not header:
            raise InputError(f"sheet {sheet.title!r} is empty: its first row should name the columns")
        _check_header(header, mapping, f"sheet {sheet.title!r}, row {header_row}")
        for number, cells in rows:
            yield number, _header_row(header, cells)
    finally:
        workbook.close()


def _open_workbook(data: bytes | str) -> Any:
    """The workbook, read-only with the values formulas last computed; InputError if it is none."""
    if isinstance(data, str) or not data.startswith(ZIP_MAGIC):
        if isinstance(data, bytes) and data.startswith(OLE_MAGIC):
            raise InputError("an old Excel .xls workbook: save it as .xlsx (or CSV UTF-8) and send that")
        raise InputError("not an .xlsx workbook: an .xlsx file is a zip archive, and this is none")
    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # a damaged or hostile archive fails in many ways; each is the sender's to fix
        raise InputError(f"not a readable .xlsx workbook ({_reason(error)})") from None


def _sheet_rows(sheet: Any) -> Iterator[tuple[int, list[Any]]]:
    """Non-empty rows with their numbers, trailing empty cells dropped."""
    rows = sheet.iter_rows(values_only=True)
    number = 0
    while True:
        try:
            values = next(rows, None)
        except Exception as error:  # the sheet's XML is read as we go: a damaged part shows only here
            raise InputError(f"sheet {sheet.title!r}, row {number + 1} cannot be read ({_reason(error)})") from None
        if values is None:
            return
        number += 1
        cells = [_cell(value) for value in values]
        while cells and _blank(cells[-1]):
            cells.pop()
        if cells:
            yield number, cells


def _cell(value: Any) -> Any:
    """A cell as a CSV would hold it: text ("" when empty; a whole number without ".0", so that
    ratings and ids read alike), except dates, which stay datetimes (a date alone: at midnight)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _reason(error: Exception) -> str:
    """An exception as a short phrase for the sender: its message on one line, else its type."""
    text = " ".join(str(error).split()).strip("'\"")
    return text[:200] if text else type(error).__name__


def _delimiter(header: str) -> str:
    """Comma, semicolon (spreadsheet exports in Russian locales) or tab: whichever the header has most of."""
    counts = {delimiter: header.count(delimiter) for delimiter in (",", ";", "\t")}
    best = max(counts, key=lambda delimiter: counts[delimiter])
    return best if counts[best] else ","


def _with_defaults(fields: dict[str, Any], default_brand: str | None) -> dict[str, Any]:
    """Ids are strings (a JSON integer is accepted); the default brand fills rows without one."""
    for key in ("id", "external_id"):
        if isinstance(fields.get(key), int) and not isinstance(fields[key], bool):
            fields[key] = str(fields[key])
    if default_brand and "brand" not in fields:
        fields["brand"] = default_brand
    return fields


def write_jsonl(path: Path, records: Iterable[BaseModel]) -> int:
    """Write records to path (atomically: a temp file renamed at the end)."""
    count = 0
    tmp = path.with_name(path.name + ".part")
    try:
        with tmp.open("w", encoding="utf-8") as out:
            for record in records:
                out.write(record.model_dump_json() + "\n")
                count += 1
        tmp.replace(path)
    except OSError as error:
        raise InputError(f"{path}: cannot be written ({error.strerror})") from None
    return count
