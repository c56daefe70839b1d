"""The load benchmark's core for a short while: a real `otklik serve`, ten clients submitting,
listing and approving for ten seconds; no request may fail and no mention may be lost.
The full run (50 clients, 60 s) is `python benchmarks/load.py`; this asserts outcomes only."""

from __future__ import annotations

import asyncio
from pathlib import Path

from benchmarks.load import drive, prepare, report, stored_external_ids
from tests.serving import Server


def test_ten_clients_for_ten_seconds_lose_nothing(tmp_path: Path) -> None:
    key = prepare(tmp_path)
    server = Server(tmp_path)
    try:
        run = asyncio.run(drive(server.url, key, clients=10, seconds=10))
        figures = report(run, stored_external_ids(server.url, key), clients=10, peak=None)
    finally:
        server.stop()
    assert {sample.kind for sample in run.samples} == {"submit", "list", "approve"}
    assert figures.errors == {}
    assert figures.submitted > 0 and figures.lost == 0
    assert figures.timed_out_submissions == 0
