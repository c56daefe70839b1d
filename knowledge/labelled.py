"""The shared, brand-independent labelled mentions the offline classifier learns from.

A fixed share of them is held out (chosen by a hash of the id, so the split never moves):
training never sees it, and the held-out report measures on it alone.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Protocol, TypeVar

from pydantic import BaseModel, ValidationError

from assistant.errors import BrandFileError
from assistant.models import LabelledMention

HELDOUT_PERCENT = 20
Example = TypeVar("Example", bound=BaseModel)


def load_labelled(shared_dir: Path) -> list[LabelledMention]:
    """Every `labelled_*.jsonl` file of the shared folder, validated line by line."""
    return read_examples(shared_dir, "labelled_*.jsonl", LabelledMention)


def read_examples(shared_dir: Path, pattern: str, model: type[Example]) -> list[Example]:
    """One `model` per line of every file matching `pattern`; a bad line names its file and line."""
    examples = []
    for path in sorted(shared_dir.glob(pattern)):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if line.strip():
                try:
                    examples.append(model.model_validate(json.loads(line)))
                except (json.JSONDecodeError, ValidationError) as error:
                    raise BrandFileError(f"{path} (line {number})", str(error).splitlines()[0]) from None
    return examples


class HasId(Protocol):
    @property
    def id(self) -> str: ...


def is_heldout(example: HasId) -> bool:
    digest = hashlib.sha256(example.id.encode()).digest()
    return int.from_bytes(digest[:4], "big") % 100 < HELDOUT_PERCENT


def split(examples: list[LabelledMention]) -> tuple[list[LabelledMention], list[LabelledMention]]:
    """(training, held-out)."""
    return [e for e in examples if not is_heldout(e)], [e for e in examples if is_heldout(e)]
