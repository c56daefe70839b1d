"""Excel workbooks for the import tests, built in memory with openpyxl (no binary fixtures)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook


def xlsx(rows: Sequence[Sequence[Any]], title: str = "Упоминания") -> bytes:
    """A workbook whose first sheet holds these rows (the first one the header)."""
    book = Workbook()
    sheet = book.active
    sheet.title = title
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
