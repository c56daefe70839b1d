"""Two API workers sharing PostgreSQL and a Chroma server (`otklik serve --workers 2`), as
README's scale-out set-up runs them; .ci/scaleout.sh starts the servers. Each mention of a
batch is stored once and drafted once although both workers' job threads take it up, and
mentions sent at once to both workers all land in the shared database."""

from __future__ import annotations

import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, func, select

from api.tables import MentionRow, ResultRow
from tests.api.conftest import CHROMA_HOST, CHROMA_PORT, OBED, POSTGRES, postgres_database
from tests.serving import COMPLAINT, Server, complaints, otklik_env, upload, wait_done

pytestmark = [pytest.mark.scaleout, pytest.mark.storage]


@pytest.fixture
def shared_servers(tmp_path: Path, api_components) -> dict[str, str]:
    """Settings for workers sharing the test servers; the brands are in the Chroma server already."""
    assert POSTGRES and CHROMA_HOST, "run through .ci/scaleout.sh: it starts PostgreSQL and a Chroma server"
    with postgres_database(POSTGRES) as url:
        yield {
            "OTKLIK_DATABASE_URL": url,
            "OTKLIK_CHROMA_HOST": CHROMA_HOST,
            "OTKLIK_CHROMA_PORT": str(CHROMA_PORT),
            "OTKLIK_DATA_DIR": str(tmp_path),
        }


def _key(env: dict[str, str], data_dir: Path) -> dict[str, str]:
    command = [sys.executable, "-m", "otklik.cli", "keys", "create", "--role", "operator", "--brand", OBED]
    done = subprocess.run(command, env=otklik_env(data_dir, **env), capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return {"Authorization": f"Bearer {done.stdout.strip()}"}


def test_two_workers_share_the_database_and_the_knowledge_store(shared_servers: dict[str, str], tmp_path: Path) -> None:
    key = _key(shared_servers, tmp_path)
    server = Server(tmp_path, workers=2, **shared_servers)
    try:
        assert server.log_path.read_text(errors="replace").count("Started server process") == 2  # two workers
        rows = complaints(500, 30, "scale")
        job = upload(server.url, key, rows)
        assert wait_done(server.url, key, job["id"])["progress"] == {"drafted": len(rows)}

        def submit(n: int) -> int:
            body = {"brand": OBED, "platform": "vk", "author_name": "Ирина Соколова", "text": COMPLAINT.format(n=n)}
            return httpx.post(f"{server.url}/mentions", json=body, headers=key, timeout=300).status_code

        with ThreadPoolExecutor(max_workers=8) as pool:
            assert sorted(pool.map(submit, range(600, 616))) == [201] * 16
    finally:
        server.stop()
    engine = create_engine(shared_servers["OTKLIK_DATABASE_URL"])
    with engine.connect() as db:
        assert db.scalar(select(func.count()).select_from(MentionRow)) == len(rows) + 16
        per_mention = db.execute(select(func.count()).select_from(ResultRow).group_by(ResultRow.mention_id)).scalars()
        assert set(per_mention) == {1}  # both workers' job threads took the batch up: each drafted once
    engine.dispose()
