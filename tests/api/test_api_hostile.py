"""Hostile HTTP input: oversized and chunked bodies, wrong content types on every route with a
body, bytes that are not UTF-8, malformed multipart, deep nesting, NUL bytes and lone
surrogates, floods of query parameters. Each is a clear 4xx with a JSON body, never a 500 or a
traceback, and nothing of it is stored. (Upload-specific cases, the 10,000-row CSV among them,
are in test_api_jobs.py; field validation in test_api_errors.py.)"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import anyio
import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from api.keys import Role
from api.main import create_app
from api.settings import ApiSettings
from api.tables import JobRow
from assistant.pipeline import Components
from tests.api.conftest import OBED, mention

LIMIT = 4096


def _refused(response: httpx.Response, *statuses: int) -> Any:
    """The JSON body of a clear refusal with one of these statuses."""
    assert response.status_code in statuses, (response.status_code, response.text)
    assert "Traceback" not in response.text and 'File "' not in response.text
    return response.json()


def _nothing_stored(client: TestClient, headers: dict[str, str]) -> None:
    assert client.get("/mentions", headers=headers).json()["count"] == 0


@pytest.fixture
def small_client(api_components: Components, db_settings: ApiSettings) -> Iterator[TestClient]:
    """A client of an app whose request bodies may be at most LIMIT bytes."""
    app = create_app(
        api_components.settings, api_components, db_settings.model_copy(update={"max_request_bytes": LIMIT})
    )
    yield TestClient(app, raise_server_exceptions=False)
    app.state.jobs.stop()


def test_an_oversized_body_is_413_before_it_is_read(small_client: TestClient, make_key) -> None:
    headers = make_key(Role.operator, OBED)  # same database file as small_client's app
    body = json.dumps(mention("Суп холодный. " * 400), ensure_ascii=False).encode()
    response = small_client.post("/mentions", content=body, headers={**headers, "Content-Type": "application/json"})
    [error] = _refused(response, 413)["detail"]
    assert error["loc"] == ["body"] and f"the limit is {LIMIT} bytes (OTKLIK_MAX_REQUEST_BYTES)" in error["msg"]
    _nothing_stored(small_client, headers)


def test_an_oversized_chunked_body_is_413_as_it_arrives(small_client: TestClient, make_key) -> None:
    headers = make_key(Role.operator, OBED)
    body = json.dumps(mention("Суп холодный. " * 400), ensure_ascii=False).encode()
    chunks = (body[start : start + 1000] for start in range(0, len(body), 1000))  # no Content-Length
    response = small_client.post("/mentions", content=chunks, headers={**headers, "Content-Type": "application/json"})
    [error] = _refused(response, 413)["detail"]
    assert "the body is larger" in error["msg"]
    _nothing_stored(small_client, headers)


def test_a_batch_upload_keeps_its_own_larger_limit(small_client: TestClient, make_key) -> None:
    rows = [mention(f"Отзыв номер {n}: курьер опоздал на полчаса, суп остыл.") for n in range(60)]
    assert len(json.dumps(rows).encode()) > LIMIT
    response = small_client.post("/jobs", json=rows, headers=make_key(Role.operator, OBED))
    assert response.status_code == 202, response.text


def test_a_chunked_multipart_upload_over_its_limit_is_413_as_it_arrives(
    api_components: Components, db_settings: ApiSettings, make_key
) -> None:
    """Without a Content-Length the form parser would spool the whole file to disk first. The app
    is driven as ASGI directly (TestClient reads the whole body before the app sees it), so the
    test sees how much of the body the app asked for."""
    app = create_app(
        api_components.settings, api_components, db_settings.model_copy(update={"max_upload_bytes": LIMIT})
    )
    headers = make_key(Role.operator, OBED)
    rows = "".join(f"r-{n},Отзыв номер {n}: курьер опоздал на полчаса\n" for n in range(200)).encode()
    body = (
        b'--b0undary\r\nContent-Disposition: form-data; name="file"; filename="e.csv"\r\n'
        b"Content-Type: text/csv\r\n\r\nexternal_id,text\n" + rows + b"\r\n--b0undary--\r\n"
    )
    chunks = [body[start : start + 1000] for start in range(0, len(body), 1000)]
    read, sent = 0, []

    async def receive() -> dict[str, Any]:
        nonlocal read
        read += 1
        return {"type": "http.request", "body": chunks[read - 1], "more_body": read < len(chunks)}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
        "path": "/jobs", "raw_path": b"/jobs", "root_path": "", "query_string": f"brand={OBED}".encode(),
        "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 80),
        "headers": [
            (b"authorization", headers["Authorization"].encode()),
            (b"content-type", b"multipart/form-data; boundary=b0undary"),
            (b"transfer-encoding", b"chunked"),
        ],
    }  # fmt: skip
    anyio.run(app, scope, receive, send)
    start = next(message for message in sent if message["type"] == "http.response.start")
    detail = json.loads(
        b"".join(message.get("body", b"") for message in sent if message["type"] == "http.response.body")
    )
    assert start["status"] == 413
    assert f"the limit is {LIMIT} bytes (OTKLIK_MAX_UPLOAD_BYTES)" in detail["detail"][0]["msg"]
    assert len(chunks) > 10 and read <= LIMIT // 1000 + 1  # the rest of the body was never read
    with app.state.sessions() as db:
        assert db.scalar(select(func.count()).select_from(JobRow)) == 0
    app.state.jobs.stop()


def _body_routes(client: TestClient) -> list[tuple[str, str, bool]]:
    """Every operation with a request body, from the OpenAPI schema: method, path, body required."""
    paths = client.get("/openapi.json").json()["paths"]
    return [
        (method.upper(), path, operation["requestBody"].get("required", False))
        for path, operations in paths.items()
        for method, operation in operations.items()
        if "requestBody" in operation
    ]


WRONG_BODIES = {
    "xml": ({"Content-Type": "application/xml"}, b"<mention><text>hi</text></mention>"),
    "text": ({"Content-Type": "text/plain"}, b"hi"),
    "form": ({"Content-Type": "application/x-www-form-urlencoded"}, b"text=hi&brand=obed-express"),
    "no-type": ({}, b'{"text": "hi"}'),
    "json-not-utf8": ({"Content-Type": "application/json"}, b'{"brand": "obed-express", "text": "\xcf\xf0\xe8"}'),
    "json-truncated": ({"Content-Type": "application/json"}, b'{"brand": "obed-e'),
}


@pytest.mark.parametrize("kind", list(WRONG_BODIES))
def test_a_wrong_body_on_every_route_is_a_clear_4xx(client: TestClient, make_key, kind: str) -> None:
    """An admin key passes every role and brand check, so the body is what is judged."""
    admin = make_key(Role.admin)
    extra, content = WRONG_BODIES[kind]
    routes = _body_routes(client)
    assert ("POST", "/mentions", True) in routes and ("POST", "/jobs", True) in routes
    for method, path, required in routes:
        url = path.replace("{brand_id}", OBED).replace("{", "").replace("}", "")  # other ids: unknown records
        response = client.request(method, url, content=content, headers={**admin, **extra})
        allowed = (400, 413, 415, 422) if required else (400, 404, 409, 413, 415, 422)
        _refused(response, *allowed)
    _nothing_stored(client, admin)


@pytest.mark.parametrize(
    ("media_type", "content"),
    [
        ("text/csv", "text\nПривет, суп холодный\n".encode("cp1251")),
        ("application/json", b'[{"brand": "obed-express", "text": "\xff\xfe"}]'),
        ("application/x-ndjson", b'{"brand": "obed-express", "text": "ok"}\n{"text": "\xc3\x28"}\n'),
    ],
    ids=["csv", "json", "jsonl"],
)
def test_an_upload_body_that_is_not_utf8_is_422(
    client: TestClient, obed_operator, media_type: str, content: bytes
) -> None:
    response = client.post("/jobs", content=content, headers={**obed_operator, "Content-Type": media_type})
    [error] = _refused(response, 422)["detail"]
    assert error["loc"] == ["body"] and "UTF-8" in error["msg"]


@pytest.mark.parametrize(
    "content_type",
    [
        "multipart/form-data",  # no boundary
        "multipart/form-data; boundary=xyz",
    ],
)
@pytest.mark.parametrize(
    "content",
    [
        b'--xyz\r\nContent-Disposition: form-data; name="file"; filename="e.csv"\r\n\r\ntext\nhi',  # never closed
        b"not multipart at all",
        b"--xyz\r\nContent-Disposition: form-data\r\n\r\nno name\r\n--xyz--\r\n",
    ],
    ids=["unterminated", "garbage", "nameless-part"],
)
def test_a_malformed_multipart_upload_is_a_clear_4xx(
    client: TestClient, obed_operator, content_type: str, content: bytes
) -> None:
    response = client.post("/jobs", content=content, headers={**obed_operator, "Content-Type": content_type})
    _refused(response, 400, 422)
    assert client.get("/jobs", headers=obed_operator).json()["count"] == 0


@pytest.mark.parametrize(("path", "wrap"), [("/mentions", "{}"), ("/jobs", "[]")])
def test_deeply_nested_json_is_a_clear_4xx(client: TestClient, obed_operator, path: str, wrap: str) -> None:
    depth = 100_000
    content = (wrap[0] * depth + wrap[1] * depth).encode() if wrap == "[]" else b'{"a":' * depth + b"1" + b"}" * depth
    response = client.post(path, content=content, headers={**obed_operator, "Content-Type": "application/json"})
    _refused(response, 400, 422)
    _nothing_stored(client, obed_operator)


@pytest.mark.parametrize("field", ["text", "author_name", "external_id", "url"])
@pytest.mark.parametrize("bad", ["\u0000", "\ud800", "\udfff"], ids=["nul", "high-surrogate", "low-surrogate"])
def test_nul_bytes_and_lone_surrogates_in_a_mention_are_422(
    client: TestClient, obed_operator, field: str, bad: str
) -> None:
    body = mention("Курьер опоздал на час, всё остыло.") | {field: f"Ирина{bad}Соколова"}
    content = json.dumps(body).encode()  # ASCII with \\u escapes: the bad code point survives the transport
    response = client.post("/mentions", content=content, headers={**obed_operator, "Content-Type": "application/json"})
    [error] = _refused(response, 422)["detail"]
    assert error["loc"] == ["body", field]
    _nothing_stored(client, obed_operator)


def test_a_lone_surrogate_in_an_upload_row_is_a_bad_row(client: TestClient, obed_operator) -> None:
    rows = [mention("Курьер опоздал на час, всё остыло."), mention("Суп \ud800 холодный")]
    response = client.post(
        "/jobs", content=json.dumps(rows).encode(), headers={**obed_operator, "Content-Type": "application/json"}
    )
    job = _refused(response, 202)
    assert job["accepted"] == 1 and [row["line"] for row in job["rejected"]] == [2]


def test_a_flood_of_query_parameters_is_answered(client: TestClient, obed_operator) -> None:
    flood = [("status", "drafted")] * 2000 + [(f"p{n}", "x") for n in range(2000)]
    assert client.get("/mentions", params=flood, headers=obed_operator).status_code == 200
    bad = [("limit", str(n)) for n in range(2000)]  # the last one wins: 1999 is over the maximum
    [error] = _refused(client.get("/mentions", params=bad, headers=obed_operator), 422)["detail"]
    assert error["loc"] == ["query", "limit"]
    long_value = client.get("/mentions", params={"brand": "x" * 30_000}, headers=obed_operator)
    _refused(long_value, 403, 422)
