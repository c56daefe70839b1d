"""The loop through a real `otklik serve` process on 127.0.0.1: a batch in, drafts out, an
edit and an approval that a later draft retrieves, a case seen through, and data and pending
jobs surviving a restart and a SIGKILL in the middle of a batch.

Each server is a fresh process over one data directory (SQLite file, embedded Chroma), as an
operator would run it; the keys are made with `otklik keys create`.
"""

from __future__ import annotations

import csv
import io
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import BRANDS_DIR

DEADLINE_S = 600  # generous: the machine is shared; the tests assert outcomes, never durations
OBED = "obed-express"
COMPLAINT = "Заказ №{n} привезли через два часа вместо сорока минут, суп холодный. Верните деньги за доставку!"


class Server:
    """`otklik serve` as a child process; `stop()` asks it to finish, `kill()` is a SIGKILL."""

    def __init__(self, data_dir: Path, **env: str) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        log = (data_dir / f"serve-{self.port}.log").open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "otklik.cli", "serve", "--port", str(self.port)],
            env=_env(data_dir, **env),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self.log_path = Path(log.name)
        self._wait_ready()

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + DEADLINE_S
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log_path.read_text(errors="replace")
            try:
                if httpx.get(f"{self.url}/health", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.5)
        raise AssertionError(f"the server did not start: {self.log_path.read_text(errors='replace')}")

    def stop(self) -> None:
        """A graceful stop (uvicorn re-raises the SIGTERM after its shutdown, hence that exit status)."""
        self.process.send_signal(signal.SIGTERM)
        assert self.process.wait(timeout=120) in (0, -signal.SIGTERM)
        assert "Application shutdown complete" in self.log_path.read_text(errors="replace")

    def kill(self) -> None:
        self.process.kill()
        self.process.wait(timeout=30)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _env(data_dir: Path, **extra: str) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if not k.startswith("OTKLIK_")}
    return {**keep, "OTKLIK_DATA_DIR": str(data_dir), **extra}


def _otklik(data_dir: Path, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "otklik.cli", *args], env=_env(data_dir), capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("otklik-serve")
    _otklik(data, "ingest", str(BRANDS_DIR))
    return data


@pytest.fixture(scope="module")
def key(data_dir: Path) -> dict[str, str]:
    secret = _otklik(data_dir, "keys", "create", "--role", "operator", "--brand", OBED, "--label", "uvicorn test")
    return {"Authorization": f"Bearer {secret.strip()}"}


@pytest.fixture
def server(data_dir: Path) -> Iterator[Server]:
    running = Server(data_dir)
    yield running
    if running.process.poll() is None:
        running.stop()


def _csv(rows: list[dict[str, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def _complaints(first: int, count: int, prefix: str) -> list[dict[str, str]]:
    return [
        {
            "external_id": f"{prefix}-{n}",
            "platform": "vk",
            "author_name": "Ирина Соколова",
            "text": COMPLAINT.format(n=n),
        }
        for n in range(first, first + count)
    ]


def _upload(url: str, key: dict[str, str], rows: list[dict[str, str]]) -> dict[str, Any]:
    files = {"file": ("export.csv", _csv(rows), "text/csv")}
    response = httpx.post(f"{url}/jobs", headers=key, files=files, data={"brand": OBED}, timeout=120)
    assert response.status_code == 202, response.text
    return response.json()


def _job(url: str, key: dict[str, str], job_id: str) -> dict[str, Any]:
    response = httpx.get(f"{url}/jobs/{job_id}", headers=key, timeout=30)
    assert response.status_code == 200, response.text
    return response.json()


def _wait_done(url: str, key: dict[str, str], job_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + DEADLINE_S
    while not (job := _job(url, key, job_id))["done"] and time.monotonic() < deadline:
        time.sleep(0.3)
    assert job["done"], job
    return job


def _results(url: str, key: dict[str, str], job_id: str) -> list[dict[str, Any]]:
    response = httpx.get(f"{url}/jobs/{job_id}/results", headers=key, params={"limit": 200}, timeout=30)
    assert response.status_code == 200, response.text
    return response.json()["data"]


def _call(method: str, url: str, key: dict[str, str], expected: int = 200, **request: Any) -> dict[str, Any]:
    response = httpx.request(method, url, headers=key, timeout=120, **request)
    assert response.status_code == expected, response.text
    return response.json()


def test_the_review_loop_through_a_real_server(server: Server, key: dict[str, str]) -> None:
    url = server.url
    job = _upload(url, key, _complaints(1, 3, "loop"))
    assert job["accepted"] == 3
    assert _wait_done(url, key, job["id"])["progress"] == {"drafted": 3}
    first = _results(url, key, job["id"])[0]
    found = _call("GET", f"{url}/mentions/{first['mention_id']}", key)
    assert found["draft"]["text"] == first["draft_text"] and found["case"]["status"] == "open"

    edited = found["draft"]["text"] + " Ирина, мы на связи в личных сообщениях."
    _call("PATCH", f"{url}/mentions/{found['id']}/draft", key, json={"text": edited})
    approved = _call("POST", f"{url}/mentions/{found['id']}/approve", key)
    assert approved["status"] == "approved" and approved["edit_distance"] > 0

    later_body = {"brand": OBED, "platform": "vk", "author_name": "Ирина Соколова", "text": COMPLAINT.format(n=90)}
    later = _call("POST", f"{url}/mentions", key, expected=201, json=later_body)
    assert f"svc-{found['id']}" in later["draft"]["retrieved_ids"]  # the approved reply, anonymized, is an example

    reference = found["case"]["reference"]
    assert reference in found["draft"]["text"]
    waiting = {"status": "waiting_customer", "note": "Пришли, пожалуйста, номер заказа в личные сообщения."}
    assert _call("POST", f"{url}/cases/{reference}/status", key, json=waiting)["status"] == "waiting_customer"
    resolved = {"status": "resolved", "note": "Мы начислили тебе 300 бонусных баллов."}
    case = _call("POST", f"{url}/cases/{reference}/status", key, json=resolved)
    assert case["status"] == "resolved" and case["resolved_at"]
    assert reference not in {c["reference"] for c in _call("GET", f"{url}/cases", key)["data"]}


def test_data_and_pending_jobs_survive_a_restart(data_dir: Path, key: dict[str, str]) -> None:
    idle = Server(data_dir, OTKLIK_BACKGROUND_JOBS="false")  # stores the batch, drafts nothing
    job = _upload(idle.url, key, _complaints(100, 4, "restart"))
    assert _job(idle.url, key, job["id"])["progress"] == {"pending": 4}
    inbox_before = _call("GET", f"{idle.url}/mentions", key, params={"limit": 200})
    idle.stop()

    again = Server(data_dir)
    try:
        assert _wait_done(again.url, key, job["id"])["progress"] == {"drafted": 4}
        inbox_after = _call("GET", f"{again.url}/mentions", key, params={"limit": 200})
        assert {m["id"] for m in inbox_before["data"]} <= {m["id"] for m in inbox_after["data"]}
    finally:
        again.stop()


def test_a_sigkill_mid_batch_loses_nothing_and_duplicates_nothing(data_dir: Path, key: dict[str, str]) -> None:
    rows = _complaints(200, 80, "kill")
    doomed = Server(data_dir)
    job = _upload(doomed.url, key, rows)
    deadline = time.monotonic() + DEADLINE_S
    while (seen := _job(doomed.url, key, job["id"]))["progress"].get("drafted", 0) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    doomed.kill()
    assert seen["progress"].get("pending", 0) > 0  # killed in the middle of the batch

    again = Server(data_dir)
    try:
        finished = _wait_done(again.url, key, job["id"])
        assert finished["accepted"] == len(rows) and finished["progress"] == {"drafted": len(rows)}
        results = _results(again.url, key, job["id"])
        assert sorted(r["line"] for r in results) == list(range(2, 2 + len(rows)))
        assert len({r["mention_id"] for r in results}) == len(rows)  # each row stored once
        resent = _upload(again.url, key, rows)  # the monitoring system sends the export again
        assert resent["duplicates"] == len(rows)
        assert {r["mention_id"] for r in _results(again.url, key, resent["id"])} == {r["mention_id"] for r in results}
    finally:
        again.stop()
    with sqlite3.connect(data_dir / "otklik.db") as db:  # each drafted once: one pipeline result apiece
        ids = [r["mention_id"] for r in results]
        counts = db.execute(
            f"SELECT count(*) FROM results WHERE mention_id IN ({','.join('?' * len(ids))}) GROUP BY mention_id", ids
        ).fetchall()
    assert [count for (count,) in counts] == [1] * len(rows)
