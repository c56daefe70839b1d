"""Fuzz the HTTP API from its own OpenAPI schema (schemathesis), in process, the long version.

    python benchmarks/fuzz.py [--examples 200] [--seed 0]

Every operation of the schema gets `--examples` generated requests in each generation mode
(valid requests, and requests that break the schema), sent with an admin key and with an
operator key of one brand, over the offline components, a temporary data directory and the
two demo brands. The checks: no 5xx, no traceback or internal exception name in a body, and
every 2xx body as the schema describes it. Exits 1 on any failure, listing them.
tests/api/test_api_fuzz.py runs the same with a few examples per operation.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import response_schema_conformance

TRACEBACK_MARKERS = ("Traceback (most recent call last)", 'File "/', "sqlalchemy.exc", "pydantic_core")
MODES = (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE)
BRANDS = ("obed-express", "kedr-bank")


def no_traceback_in_body(_ctx: Any, response: Any, _case: Any) -> bool:
    """A body never carries a traceback or an internal exception's name, unless the request
    itself did (a 422 echoes the input it refuses: a generated key "pydantic_core" comes back)."""
    sent = _sent(response.request)
    found = [marker for marker in TRACEBACK_MARKERS if marker in (response.text or "") and marker not in sent]
    assert not found, f"internal detail in the body: {found}"
    return True


def _sent(request: Any) -> str:
    """The request's URL and body as text (the markers are ASCII: JSON leaves them as they are)."""
    body = request.body or b""
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else str(body)
    return f"{unquote(request.url or '')}\n{text}"


def documented_when_successful(ctx: Any, response: Any, case: Any) -> bool | None:
    """A 2xx body conforms to the schema. Refusals are the hostile-input tests' business:
    FastAPI documents 422 in its own shape, and the service's named errors add `type` and `loc`."""
    if 200 <= response.status_code < 300:
        return response_schema_conformance(ctx, response, case)
    return None


CHECKS = [not_a_server_error, no_traceback_in_body, documented_when_successful]


def fuzz(app: FastAPI, headers: dict[str, str], examples: int, seed: int = 0) -> list[str]:
    """Every operation of the app's schema, `examples` cases per generation mode; the failures."""
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    failures: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        for mode in MODES:
            try:
                _fuzz_operation(operation, mode, headers, examples, seed)
            except Unsatisfiable:  # no parameter and no body: nothing can break the schema
                continue
            except (Exception, FailureGroup) as error:  # hypothesis re-raises the shrunk failure(s)
                failures.append(f"{operation.label} ({mode.value}): {error}")
    return failures


def _fuzz_operation(operation: Any, mode: Any, headers: dict[str, str], examples: int, seed: int) -> None:
    @settings(
        max_examples=examples,
        derandomize=seed == 0,  # the same cases every run (CI); another seed: other cases
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
        print_blob=False,
    )
    @given(case=operation.as_strategy(mode))
    def check(case: Any) -> None:
        case.call_and_validate(headers=headers, checks=CHECKS)

    if seed:
        check._hypothesis_internal_use_seed = seed  # what @seed(n) sets
    check()


def make_keys(app: FastAPI, brand: str) -> dict[str, dict[str, str]]:
    """An admin key (every brand) and an operator key of one brand, as request headers."""
    from api.keys import Role, create_key

    made = {}
    with app.state.sessions() as db:
        for role, brands in ((Role.admin, []), (Role.operator, [brand])):
            _row, secret = create_key(db, role, brands)
            made[role.value] = {"Authorization": f"Bearer {secret}"}
    return made


def offline_app(data_dir: Path) -> FastAPI:
    """The service over the offline components, the demo brands ingested, in `data_dir`."""
    from api.main import create_app
    from assistant.config import REPO_ROOT, Settings
    from assistant.pipeline import build_offline
    from knowledge.brands import load_brand

    settings = Settings(data_dir=data_dir, _env_file=None)
    parts = build_offline(settings)
    for brand in BRANDS:
        parts.store.ingest(load_brand(REPO_ROOT / "knowledge" / "brands" / brand))
    return create_app(settings, parts)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=200, help="cases per operation and mode (default: 200)")
    parser.add_argument("--seed", type=int, default=0, help="0: derandomized, as in CI; else a random seed")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="otklik-fuzz-") as tmp:
        app = offline_app(Path(tmp))
        failures: list[str] = []
        started = time.perf_counter()
        for role, headers in make_keys(app, BRANDS[0]).items():
            failures += [f"[{role}] {failure}" for failure in fuzz(app, headers, args.examples, args.seed)]
        app.state.jobs.stop()
    print(f"{args.examples} examples per operation and mode, 2 keys, {time.perf_counter() - started:.0f} s")
    print("\n\n".join(failures) if failures else "no failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
