"""The schema: the Alembic migration matches the ORM models; SQLite waits instead of failing."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from api.db import make_engine, migrate
from api.settings import ApiSettings
from api.tables import Base

pytestmark = pytest.mark.storage  # also run against PostgreSQL and a Chroma server (.ci/scaleout.sh)


def test_the_migration_creates_exactly_the_models_schema(db_settings: ApiSettings) -> None:
    """On SQLite, and on PostgreSQL in the scale-out tier."""
    engine = make_engine(db_settings.database_url or "")
    migrate(engine)
    migrate(engine)  # at every start-up: a second run changes nothing
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True, "compare_server_default": True})
        assert compare_metadata(context, Base.metadata) == []
        assert context.get_current_revision() == "0003"
    assert set(inspect(engine).get_table_names()) == {*Base.metadata.tables, "alembic_version"}


@pytest.mark.sqlite_only
def test_sqlite_connections_use_wal_and_a_busy_timeout(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'pragmas.db'}", busy_timeout_ms=3210)
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 3210
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
