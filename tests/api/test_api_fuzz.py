"""The HTTP API fuzzed from its own OpenAPI schema (schemathesis), with an admin key and with an
operator key of one brand: no 5xx, no traceback in a body, every 2xx body as the schema
describes it. Bounded for CI: a fixed number of examples per operation and generation mode,
derandomized (the same cases every run). `python benchmarks/fuzz.py` is the long version."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from fastapi import FastAPI, HTTPException
from fastapi.testclient import TestClient

from api.keys import Role
from benchmarks.fuzz import fuzz, make_keys, no_traceback_in_body
from tests.api.conftest import OBED

EXAMPLES = 6


@pytest.mark.parametrize("role", [Role.admin, Role.operator])
def test_the_api_holds_to_its_schema(app: FastAPI, role: Role) -> None:
    headers = make_keys(app, OBED)[role.value]
    failures = fuzz(app, headers, EXAMPLES)
    app.state.jobs.stop()
    assert not failures, "\n\n".join(failures)


def test_a_huge_offset_is_422_on_every_listing(app: FastAPI) -> None:
    """Found by benchmarks/fuzz.py: an offset past SQLite's 64-bit integers was a 500 (OverflowError)."""
    client = TestClient(app, raise_server_exceptions=False)
    headers = make_keys(app, OBED)[Role.admin.value]
    paths = client.get("/openapi.json").json()["paths"]
    listings = [
        path
        for path, operations in paths.items()
        if any(p["name"] == "offset" for p in operations.get("get", {}).get("parameters", []))
    ]
    assert "/mentions" in listings and "/jobs" in listings
    for path in listings:
        url = path.replace("{brand_id}", OBED).replace("{section}", "facts").replace("{job_id}", "nope")
        response = client.get(url, params={"offset": 2**63}, headers=headers)
        assert response.status_code == 422, (path, response.text)
        assert response.json()["detail"][0]["loc"] == ["query", "offset"]


def _answer(body: str, sent: bytes, url: str = "http://testserver/brands/x/voice") -> SimpleNamespace:
    return SimpleNamespace(text=body, request=SimpleNamespace(body=sent, url=url))


def test_the_traceback_check_ignores_what_the_request_itself_sent() -> None:
    """Found by benchmarks/fuzz.py: a 422 echoed a generated key "pydantic_core" from its input."""
    echoed = '{"detail": [{"input": {"pydantic_core": {}}}]}'
    assert no_traceback_in_body(None, _answer(echoed, b'{"pydantic_core": {}}'), None)
    with pytest.raises(AssertionError, match="pydantic_core"):
        no_traceback_in_body(None, _answer(echoed, b'{"other": {}}'), None)
    leaked = 'Traceback (most recent call last):\n  File "/work/api/main.py"'
    with pytest.raises(AssertionError, match="Traceback"):
        no_traceback_in_body(None, _answer(leaked, b""), None)


def test_the_fuzzer_lists_a_failing_operation_and_goes_on() -> None:
    """schemathesis raises its failures as a BaseExceptionGroup: each is listed, the next operation still runs."""
    broken = FastAPI()

    @broken.get("/broken")
    def always_500() -> dict[str, str]:
        raise HTTPException(500, "Traceback (most recent call last)")

    @broken.get("/fine")
    def fine() -> dict[str, str]:
        return {"ok": "yes"}

    failures = fuzz(broken, {}, examples=2)
    assert failures and all(failure.startswith("GET /broken") for failure in failures)
