"""The inbox answers while submissions wait for the pipeline. Every sync route runs in one of
anyio's worker threads, and a submission waiting for the pipeline lock holds its thread: with
anyio's default of 40, forty waiting submissions left no thread for an inbox listing until the
pipeline freed up. The service raises the limit at start (OTKLIK_HTTP_THREADS)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor, wait
from contextlib import contextmanager

import httpx
import uvicorn
from fastapi import FastAPI

from api.chain import CHAIN
from api.keys import Role
from tests.api.conftest import NEGATIVE, OBED, mention, order_number
from tests.serving import free_port

WAITING = 60  # submissions held at the pipeline lock: more than anyio's default 40 threads
LIVENESS_S = 60.0  # a bound for "never", not a speed: the lock stays held all along


@contextmanager
def serving(app: FastAPI) -> Iterator[str]:
    """The app under a real uvicorn in this process, so the test can hold the pipeline lock."""
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=free_port(), log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    _until(lambda: server.started, "uvicorn to start")
    try:
        yield f"http://127.0.0.1:{server.config.port}"
    finally:
        server.should_exit = True
        thread.join(LIVENESS_S)


def _until(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + LIVENESS_S
    while not condition():
        assert time.monotonic() < deadline, f"waited {LIVENESS_S:.0f} s for {what}"
        time.sleep(0.05)


def _worker_threads(before: set[int]) -> int:
    return sum(t.name == "AnyIO worker thread" and t.ident not in before for t in threading.enumerate())


def test_the_inbox_answers_while_submissions_wait_for_the_pipeline(app: FastAPI, make_key) -> None:
    headers = make_key(Role.operator, OBED)
    before = {t.ident for t in threading.enumerate() if t.ident is not None}
    with serving(app) as url, ThreadPoolExecutor(WAITING + 1) as pool:
        CHAIN.acquire()
        try:
            bodies = [mention(NEGATIVE.format(order=order_number())) for _ in range(WAITING)]
            waiting = [
                pool.submit(httpx.post, f"{url}/mentions", json=body, headers=headers, timeout=120) for body in bodies
            ]
            _until(lambda: _worker_threads(before) >= WAITING, f"{WAITING} submissions to hold a thread each")
            listing = pool.submit(httpx.get, f"{url}/mentions", headers=headers, timeout=LIVENESS_S)
            wait([listing], timeout=LIVENESS_S)
            assert listing.done(), "the inbox listing waited behind the submissions"
            assert listing.result().status_code == 200
            assert not any(submission.done() for submission in waiting)  # all still at the lock
        finally:
            CHAIN.release()
        assert [submission.result().status_code for submission in waiting] == [201] * WAITING
