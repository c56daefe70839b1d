"""Forms for a brand's knowledge, made from the section's own JSON, and their errors by field.

A section (voice guide, matrix, a fact) is flattened into fields named by dotted paths:
`languages.ru.avoid_words` (a list of words: a textarea, one per line), `negative.rational.tone`
(a text box), a list of objects as JSON. The posted fields are put back into the section's
JSON and validated by its pydantic model; each error is shown next to the field its `loc` is in.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from pydantic import ValidationError

Kind = Literal["text", "optional", "lines", "json", "bool"]  # optional: a text that may be null


@dataclass(frozen=True)
class FormField:
    path: str
    kind: Kind
    value: str


def fields(value: Any, path: str = "") -> list[FormField]:
    """The editable fields of a JSON value, in its order."""
    if isinstance(value, dict):
        return [found for key, item in value.items() for found in fields(item, _join(path, key))]
    if isinstance(value, list):
        if all(not isinstance(item, dict | list) for item in value):
            return [FormField(path, "lines", "\n".join(str(item) for item in value))]
        return [FormField(path, "json", json.dumps(value, ensure_ascii=False, indent=1))]
    if isinstance(value, bool):
        return [FormField(path, "bool", "true" if value else "false")]
    if value is None:
        return [FormField(path, "optional", "")]
    return [FormField(path, "text", str(value))]


def merge(current: Any, form: dict[str, str]) -> tuple[Any, dict[str, str]]:
    """The section's JSON with the posted fields put in (the model coerces "900" to 900), and the
    fields that could not be read (bad JSON). A field missing from the form keeps its value."""
    merged, errors = copy.deepcopy(current), {}
    for field in fields(current):
        if field.path not in form:
            continue
        try:
            _put(merged, field.path.split("."), _read(field, form[field.path]))
        except json.JSONDecodeError as error:
            errors[field.path] = f"JSON: {error.msg} (line {error.lineno})"
    return merged, errors


def _read(field: FormField, raw: str) -> Any:
    if field.kind == "lines":
        return [line.strip() for line in raw.splitlines() if line.strip()]
    if field.kind == "json":
        return json.loads(raw)
    if field.kind == "bool":
        return raw == "true"
    return raw.strip() or (None if field.kind == "optional" else "")


def _put(target: Any, keys: list[str], value: Any) -> None:
    for key in keys[:-1]:
        target = target[key]
    target[keys[-1]] = value


def error_map(error: ValidationError, paths: list[str]) -> dict[str, str]:
    """Each error's message under the deepest field path its `loc` falls in ("" for the rest)."""
    found: dict[str, str] = {}
    for item in error.errors():
        loc = ".".join(str(part) for part in item["loc"])
        field = max((p for p in paths if loc == p or loc.startswith(p + ".")), key=len, default="")
        found[field] = f"{found[field]}; {item['msg']}" if field in found else item["msg"]
    return found


def _join(path: str, key: Any) -> str:
    return f"{path}.{key}" if path else str(key)


def parse_date(text: str | None) -> date | None:
    """A date from a form's YYYY-MM-DD, or None for an empty or malformed one (a filter left open)."""
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None
