"""Shared fixtures: the real offline components over a temporary data directory.

Building them is the slow part (embedding the brands and the training examples), so it
happens once per test session; tests that change the store build their own.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.config import REPO_ROOT, Settings
from assistant.pipeline import Components, build_offline
from knowledge.brands import load_brand
from knowledge.embeddings import Embedder

BRANDS_DIR = REPO_ROOT / "knowledge" / "brands"
DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    return Embedder()


@pytest.fixture(scope="session")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(data_dir=tmp_path_factory.mktemp("otklik-data"), _env_file=None)


@pytest.fixture(scope="session")
def components(settings: Settings, embedder: Embedder) -> Iterator[Components]:
    parts = build_offline(settings, embedder)
    for brand_id in ("obed-express", "kedr-bank"):
        parts.store.ingest(load_brand(BRANDS_DIR / brand_id))
    yield parts


@pytest.fixture
def fresh_settings(tmp_path: Path) -> Settings:
    """Settings over an empty data directory, for tests that change the store."""
    return Settings(data_dir=tmp_path / "data", _env_file=None)
