"""Read mentions from JSONL or CSV files, and write results as JSONL.

Bad rows never stop a batch: each is reported with its line number and the good rows go
on. A file that cannot be read at all raises InputError.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from assistant.errors import InputError
from assistant.models import Mention


@dataclass(frozen=True)
class RowError:
    line: int
    message: str


@dataclass(frozen=True)
class MentionBatch:
    mentions: list[Mention]
    errors: list[RowError]
    lines: list[int]  # the file line each mention came from


def read_mentions(path: Path, default_brand: str | None = None) -> MentionBatch:
    """Mentions from a .jsonl or .csv file; `default_brand` fills rows without a brand."""
    rows = _rows(path)
    mentions, errors, lines = [], [], []
    for line, row in rows:
        if isinstance(row, str):
            errors.append(RowError(line, row))
            continue
        try:
            mentions.append(Mention.model_validate(_clean(row, default_brand)))
            lines.append(line)
        except ValidationError as error:
            errors.append(RowError(line, describe_validation_error(error)))
    return MentionBatch(mentions, errors, lines)


def describe_validation_error(error: ValidationError) -> str:
    """One line naming each bad field: 'text: String should have at least 1 character'."""
    return "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'row'}: {e['msg']}" for e in error.errors())


def _rows(path: Path) -> list[tuple[int, dict[str, Any] | str]]:
    text = _read_text(path)
    if path.suffix.lower() == ".csv":
        return _csv_rows(text)
    if path.suffix.lower() in (".jsonl", ".ndjson", ".json"):
        return _jsonl_rows(text)
    raise InputError(f"{path}: unknown file type {path.suffix!r}; use .jsonl or .csv")


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8 text") from None
    except OSError as error:
        raise InputError(f"{path}: cannot be read ({error.strerror})") from None


def _jsonl_rows(text: str) -> list[tuple[int, dict[str, Any] | str]]:
    rows: list[tuple[int, dict[str, Any] | str]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as error:
            rows.append((number, f"not valid JSON: {error.msg}"))
            continue
        rows.append((number, value if isinstance(value, dict) else "expected a JSON object"))
    return rows


def _csv_rows(text: str) -> list[tuple[int, dict[str, Any] | str]]:
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames or "text" not in reader.fieldnames:
        raise InputError("CSV needs a header row with at least a 'text' column")
    return [(reader.line_num, dict(row)) for row in reader]


def _clean(row: dict[str, Any], default_brand: str | None) -> dict[str, Any]:
    """Empty CSV cells mean 'not given' (but an empty text is reported as empty); ids are
    strings; the default brand fills gaps."""
    cleaned = {key: value for key, value in row.items() if key and (value not in ("", None) or key == "text")}
    if "id" in cleaned:
        cleaned["id"] = str(cleaned["id"])
    if default_brand and "brand" not in cleaned:
        cleaned["brand"] = default_brand
    return cleaned


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
