"""The service over the real offline components (built once: slow) and a fresh SQLite file per test.

The API tests get their own knowledge store: approving replies and remembering mentions
change it, and the rest of the suite must not see that.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.keys import Role, create_key
from api.main import create_app
from api.settings import ApiSettings
from assistant.config import Settings
from assistant.pipeline import Components, build_offline
from knowledge.brands import load_brand
from knowledge.embeddings import Embedder
from tests.conftest import BRANDS_DIR

OBED, KEDR = "obed-express", "kedr-bank"
_serial = itertools.count(1)


@pytest.fixture(scope="session")
def api_components(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Components:
    settings = Settings(data_dir=tmp_path_factory.mktemp("otklik-api"), _env_file=None)
    parts = build_offline(settings, embedder)
    for brand_id in (OBED, KEDR):
        parts.store.ingest(load_brand(BRANDS_DIR / brand_id))
    return parts


@pytest.fixture
def db_settings(tmp_path: Path) -> ApiSettings:
    return ApiSettings(database_url=f"sqlite:///{tmp_path / 'otklik.db'}", max_text_chars=2000, _env_file=None)


@pytest.fixture
def app(api_components: Components, db_settings: ApiSettings) -> FastAPI:
    return create_app(api_components.settings, api_components, db_settings)


@pytest.fixture
def client(app: FastAPI) -> TestClient:
    return TestClient(app, raise_server_exceptions=False)


@pytest.fixture
def make_key(app: FastAPI) -> Callable[..., dict[str, str]]:
    """A new key's headers: Authorization, and X-Key-Id (its id, for the audit assertions; the server ignores it)."""

    def make(role: Role = Role.operator, *brands: str) -> dict[str, str]:
        with app.state.sessions() as db:
            row, secret = create_key(db, role, list(brands))
        return {"Authorization": f"Bearer {secret}", "X-Key-Id": row.id}

    return make


@pytest.fixture
def obed_operator(make_key) -> dict[str, str]:
    return make_key(Role.operator, OBED)


@pytest.fixture
def kedr_operator(make_key) -> dict[str, str]:
    return make_key(Role.operator, KEDR)


def mention(text: str, brand: str = OBED, **fields: Any) -> dict[str, Any]:
    """A mention body. One author by default: the store remembers every mention, and the same
    text from different people would read as a copied (fake) review in later tests."""
    return {"brand": brand, "text": text, "author_name": "Ирина Соколова", **fields}


def order_number() -> int:
    return 48000 + next(_serial)


NEGATIVE = (
    "Заказ №{order} привезли через два часа вместо сорока минут, суп совсем холодный, "
    "курьер даже не извинился. Верните деньги за доставку!"
)
