"""Running `otklik` the way an operator does, for the tests that need a real process:
`otklik serve` on 127.0.0.1 over a data directory, `otklik ingest` and `otklik keys create`
beside it, and the HTTP calls of a batch upload. Used by the uvicorn, scale-out and console
browser tests and by the screenshot scripts in docs/."""

from __future__ import annotations

import csv
import io
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

DEADLINE_S = 600  # generous: the machine is shared; the tests assert outcomes, never durations
OBED = "obed-express"
COMPLAINT = "Заказ №{n} привезли через два часа вместо сорока минут, суп холодный. Верните деньги за доставку!"


class Server:
    """`otklik serve` as a child process; `stop()` asks it to finish, `kill()` is a SIGKILL."""

    def __init__(self, data_dir: Path, workers: int = 1, **env: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        log = (data_dir / f"serve-{self.port}.log").open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "otklik.cli", "serve", "--port", str(self.port), "--workers", str(workers)],
            env=otklik_env(data_dir, **env),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self.log_path = Path(log.name)
        try:
            self._wait_ready(workers)
        except BaseException:
            self.kill()  # a server that did not come up must not outlive the test
            raise

    def _wait_ready(self, workers: int) -> None:
        """Until /health answers and every worker has started."""
        deadline = time.monotonic() + DEADLINE_S
        while time.monotonic() < deadline:
            log = self.log_path.read_text(errors="replace")
            assert self.process.poll() is None, log
            try:
                healthy = httpx.get(f"{self.url}/health", timeout=2).status_code == 200
            except httpx.TransportError:
                healthy = False
            if healthy and log.count("Application startup complete") >= workers:
                return
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


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def otklik_env(data_dir: Path, **extra: str) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if not k.startswith("OTKLIK_")}
    return {**keep, "OTKLIK_DATA_DIR": str(data_dir), **extra}


def otklik(data_dir: Path, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "otklik.cli", *args],
        env=otklik_env(data_dir),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def csv_bytes(rows: list[dict[str, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def complaints(first: int, count: int, prefix: str) -> list[dict[str, str]]:
    return [
        {
            "external_id": f"{prefix}-{n}",
            "platform": "vk",
            "author_name": "Ирина Соколова",
            "text": COMPLAINT.format(n=n),
        }
        for n in range(first, first + count)
    ]


def upload(url: str, key: dict[str, str], rows: list[dict[str, str]]) -> dict[str, Any]:
    files = {"file": ("export.csv", csv_bytes(rows), "text/csv")}
    response = httpx.post(f"{url}/jobs", headers=key, files=files, data={"brand": OBED}, timeout=120)
    assert response.status_code == 202, response.text
    return response.json()


def job_status(url: str, key: dict[str, str], job_id: str) -> dict[str, Any]:
    response = httpx.get(f"{url}/jobs/{job_id}", headers=key, timeout=30)
    assert response.status_code == 200, response.text
    return response.json()


def wait_done(url: str, key: dict[str, str], job_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + DEADLINE_S
    while not (job := job_status(url, key, job_id))["done"] and time.monotonic() < deadline:
        time.sleep(0.3)
    assert job["done"], job
    return job


def job_results(url: str, key: dict[str, str], job_id: str) -> list[dict[str, Any]]:
    response = httpx.get(f"{url}/jobs/{job_id}/results", headers=key, params={"limit": 200}, timeout=30)
    assert response.status_code == 200, response.text
    return response.json()["data"]


def call(method: str, url: str, key: dict[str, str], expected: int = 200, **request: Any) -> dict[str, Any]:
    response = httpx.request(method, url, headers=key, timeout=120, **request)
    assert response.status_code == expected, response.text
    return response.json()
