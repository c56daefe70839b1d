"""The loop through a real `otklik serve` process on 127.0.0.1: a batch in, drafts out, an
edit and an approval that a later draft retrieves, a case seen through, and data and pending
jobs surviving a restart and a SIGKILL in the middle of a batch.

Each server is a fresh process over one data directory (SQLite file, embedded Chroma), as an
operator would run it; the keys are made with `otklik keys create`.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import BRANDS_DIR
from tests.serving import (
    COMPLAINT,
    DEADLINE_S,
    OBED,
    Server,
    call,
    complaints,
    job_results,
    job_status,
    otklik,
    upload,
    wait_done,
)

pytestmark = pytest.mark.sqlite_only  # its servers run the default set-up; the scale-out tier has its own


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("otklik-serve")
    otklik(data, "ingest", str(BRANDS_DIR))
    return data


@pytest.fixture(scope="module")
def key(data_dir: Path) -> dict[str, str]:
    secret = otklik(data_dir, "keys", "create", "--role", "operator", "--brand", OBED, "--label", "uvicorn test")
    return {"Authorization": f"Bearer {secret.strip()}"}


@pytest.fixture
def server(data_dir: Path) -> Iterator[Server]:
    running = Server(data_dir)
    yield running
    if running.process.poll() is None:
        running.stop()


def test_the_review_loop_through_a_real_server(server: Server, key: dict[str, str]) -> None:
    url = server.url
    job = upload(url, key, complaints(1, 3, "loop"))
    assert job["accepted"] == 3
    assert wait_done(url, key, job["id"])["progress"] == {"drafted": 3}
    first = job_results(url, key, job["id"])[0]
    found = call("GET", f"{url}/mentions/{first['mention_id']}", key)
    assert found["draft"]["text"] == first["draft_text"] and found["case"]["status"] == "open"

    edited = found["draft"]["text"] + " Ирина, мы на связи в личных сообщениях."
    call("PATCH", f"{url}/mentions/{found['id']}/draft", key, json={"text": edited})
    approved = call("POST", f"{url}/mentions/{found['id']}/approve", key)
    assert approved["status"] == "approved" and approved["edit_distance"] > 0

    later_body = {"brand": OBED, "platform": "vk", "author_name": "Ирина Соколова", "text": COMPLAINT.format(n=90)}
    later = call("POST", f"{url}/mentions", key, expected=201, json=later_body)
    assert f"svc-{found['id']}" in later["draft"]["retrieved_ids"]  # the approved reply, anonymized, is an example

    reference = found["case"]["reference"]
    assert reference in found["draft"]["text"]
    waiting = {"status": "waiting_customer", "note": "Пришли, пожалуйста, номер заказа в личные сообщения."}
    assert call("POST", f"{url}/cases/{reference}/status", key, json=waiting)["status"] == "waiting_customer"
    resolved = {"status": "resolved", "note": "Мы начислили тебе 300 бонусных баллов."}
    case = call("POST", f"{url}/cases/{reference}/status", key, json=resolved)
    assert case["status"] == "resolved" and case["resolved_at"]
    assert reference not in {c["reference"] for c in call("GET", f"{url}/cases", key)["data"]}


def test_data_and_pending_jobs_survive_a_restart(data_dir: Path, key: dict[str, str]) -> None:
    idle = Server(data_dir, OTKLIK_BACKGROUND_JOBS="false")  # stores the batch, drafts nothing
    job = upload(idle.url, key, complaints(100, 4, "restart"))
    assert job_status(idle.url, key, job["id"])["progress"] == {"pending": 4}
    inbox_before = call("GET", f"{idle.url}/mentions", key, params={"limit": 200})
    idle.stop()

    again = Server(data_dir)
    try:
        assert wait_done(again.url, key, job["id"])["progress"] == {"drafted": 4}
        inbox_after = call("GET", f"{again.url}/mentions", key, params={"limit": 200})
        assert {m["id"] for m in inbox_before["data"]} <= {m["id"] for m in inbox_after["data"]}
    finally:
        again.stop()


def test_a_sigkill_mid_batch_loses_nothing_and_duplicates_nothing(data_dir: Path, key: dict[str, str]) -> None:
    rows = complaints(200, 80, "kill")
    doomed = Server(data_dir)
    job = upload(doomed.url, key, rows)
    deadline = time.monotonic() + DEADLINE_S
    while (seen := job_status(doomed.url, key, job["id"]))["progress"].get(
        "drafted", 0
    ) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    doomed.kill()
    assert seen["progress"].get("pending", 0) > 0  # killed in the middle of the batch

    again = Server(data_dir)
    try:
        finished = wait_done(again.url, key, job["id"])
        assert finished["accepted"] == len(rows) and finished["progress"] == {"drafted": len(rows)}
        results = job_results(again.url, key, job["id"])
        assert sorted(r["line"] for r in results) == list(range(2, 2 + len(rows)))
        assert len({r["mention_id"] for r in results}) == len(rows)  # each row stored once
        resent = upload(again.url, key, rows)  # the monitoring system sends the export again
        assert resent["duplicates"] == len(rows)
        assert {r["mention_id"] for r in job_results(again.url, key, resent["id"])} == {
            r["mention_id"] for r in results
        }
    finally:
        again.stop()
    with sqlite3.connect(data_dir / "otklik.db") as db:  # each drafted once: one pipeline result apiece
        ids = [r["mention_id"] for r in results]
        counts = db.execute(
            f"SELECT count(*) FROM results WHERE mention_id IN ({','.join('?' * len(ids))}) GROUP BY mention_id", ids
        ).fetchall()
    assert [count for (count,) in counts] == [1] * len(rows)
