"""Bad input gets a clear 4xx JSON body naming the field; never a traceback."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from api.keys import Role
from tests.api.conftest import OBED, mention


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"brand": OBED}, ["body", "text"]),
        (mention("   "), ["body", "text"]),
        (mention("Холодный суп", platform="myspace"), ["body", "platform"]),
        (mention("Холодный суп", rating=7), ["body", "rating"]),
        (mention("Холодный суп", brand="Not A Slug!"), ["body", "brand"]),
        (mention("Холодный суп", id="mine"), ["body", "id"]),
        (mention("Холодный суп", external_id="x" * 300), ["body", "external_id"]),
        (mention("Холодный суп", colour="red"), ["body", "colour"]),
        (mention("Холодный суп", created_at="вчера"), ["body", "created_at"]),
    ],
)
def test_invalid_mentions_name_the_field(client: TestClient, obed_operator, body: dict, field: list[str]) -> None:
    response = client.post("/mentions", json=body, headers=obed_operator)
    assert response.status_code == 422, response.text
    assert field in [error["loc"] for error in response.json()["detail"]]
    assert client.get("/mentions", headers=obed_operator).json()["count"] == 0  # nothing stored


def test_an_oversized_text_is_413_with_the_limit(client: TestClient, obed_operator) -> None:
    response = client.post("/mentions", json=mention("Суп холодный. " * 200), headers=obed_operator)
    assert response.status_code == 413
    [error] = response.json()["detail"]
    assert error["loc"] == ["body", "text"] and "limit is 2000" in error["msg"]


def test_an_unknown_brand_names_the_known_ones(client: TestClient, make_key) -> None:
    response = client.post(
        "/mentions", json=mention("Холодный суп", brand="pizza-planet"), headers=make_key(Role.admin)
    )
    assert response.status_code == 422
    body = response.json()
    assert body["loc"] == ["body", "brand"] and body["type"] == "unknown_brand"
    assert "pizza-planet" in body["detail"] and "obed-express" in body["detail"] and "kedr-bank" in body["detail"]


def test_bad_queries_and_unknown_records(client: TestClient, obed_operator) -> None:
    bad_enum = client.get("/mentions", params={"sentiment": "angry"}, headers=obed_operator)
    assert bad_enum.status_code == 422 and bad_enum.json()["detail"][0]["loc"] == ["query", "sentiment"]
    bad_limit = client.get("/mentions", params={"limit": 1000}, headers=obed_operator)
    assert bad_limit.status_code == 422 and bad_limit.json()["detail"][0]["loc"] == ["query", "limit"]
    missing = client.get("/mentions/nope", headers=obed_operator)
    assert missing.status_code == 404 and missing.json() == {"detail": "mention 'nope' not found", "type": "not_found"}
    empty_reason = client.post("/mentions/nope/reject", json={"reason": " "}, headers=obed_operator)
    assert empty_reason.status_code == 422 and empty_reason.json()["detail"][0]["loc"] == ["body", "reason"]


def test_openapi_documents_every_route(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert set(paths) >= {"/mentions", "/mentions/{mention_id}", "/mentions/{mention_id}/approve", "/cases", "/health"}
    assert client.get("/docs").status_code == 200
