"""The service over the real offline components (built once: slow) and a fresh SQLite file per test.

The API tests get their own knowledge store: approving replies and remembering mentions
change it, and the rest of the suite must not see that.

The scale-out tier (.ci/scaleout.sh) runs the storage tests (marked `storage`) against
PostgreSQL and a Chroma server: OTKLIK_TEST_POSTGRES_URL gives each test a fresh database on that server, and
OTKLIK_TEST_CHROMA_HOST/PORT put the knowledge store there. Tests that only make sense on
SQLite and embedded Chroma are marked `sqlite_only`.
"""

from __future__ import annotations

import itertools
import os
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

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
POSTGRES = os.environ.get("OTKLIK_TEST_POSTGRES_URL")  # an administrator's URL: databases are made per test
CHROMA_HOST = os.environ.get("OTKLIK_TEST_CHROMA_HOST")
CHROMA_PORT = int(os.environ.get("OTKLIK_TEST_CHROMA_PORT", "8000"))


@pytest.fixture(scope="session")
def api_components(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Components:
    chroma = {"chroma_host": CHROMA_HOST, "chroma_port": CHROMA_PORT} if CHROMA_HOST else {}
    settings = Settings(data_dir=tmp_path_factory.mktemp("otklik-api"), _env_file=None, **chroma)
    parts = build_offline(settings, embedder)
    for brand_id in (OBED, KEDR):
        parts.store.ingest(load_brand(BRANDS_DIR / brand_id), replace_api_edits=True)
    return parts


@pytest.fixture
def db_settings(tmp_path: Path) -> Iterator[ApiSettings]:
    if not POSTGRES:
        yield ApiSettings(database_url=f"sqlite:///{tmp_path / 'otklik.db'}", max_text_chars=2000, _env_file=None)
        return
    with postgres_database(POSTGRES) as url:
        yield ApiSettings(database_url=url, max_text_chars=2000, _env_file=None)


@contextmanager
def postgres_database(admin_url: str) -> Iterator[str]:
    """A new, empty database on the server for one test; dropped afterwards (its connections too)."""
    name = f"otklik_test_{secrets.token_hex(6)}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def app(api_components: Components, db_settings: ApiSettings) -> Iterator[FastAPI]:
    made = create_app(api_components.settings, api_components, db_settings)
    yield made
    made.state.jobs.stop()  # a job request starts the worker; it must not outlive the test's database


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
