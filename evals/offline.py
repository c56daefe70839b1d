"""What the eval scripts run outside `otklik eval` share: the offline default with the demo
brands loaded, and the split of labelled cases into their tuning and held-out halves."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from assistant.config import Settings
from assistant.pipeline import Components, build_offline
from evals.datasets import is_heldout_id
from knowledge.brands import load_brand

BRANDS_DIR = Path(__file__).parents[1] / "knowledge" / "brands"
Item = TypeVar("Item")


def offline_parts(folder: Path) -> Components:
    """The offline default over a fresh store in `folder`, with both demo brands ingested."""
    parts = build_offline(Settings(chroma_path=folder))
    for brand in ("obed-express", "kedr-bank"):
        parts.store.ingest(load_brand(BRANDS_DIR / brand))
    return parts


def halves(items: list[Item], case_id: Callable[[Item], str]) -> list[tuple[str, list[Item]]]:
    """[("tuning", …), ("heldout", …)] by the hash of each item's case id."""
    return [
        (name, [item for item in items if is_heldout_id(case_id(item)) is heldout])
        for name, heldout in (("tuning", False), ("heldout", True))
    ]
