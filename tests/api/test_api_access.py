"""Keys, roles and brands: every route is checked, no listing leaks another brand's records."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from api.keys import Role, revoke_key
from knowledge.brands import load_brand
from tests.api.conftest import KEDR, NEGATIVE, OBED, mention, order_number
from tests.conftest import BRANDS_DIR

_OBED = load_brand(BRANDS_DIR / OBED)

PUBLIC = {("GET", "/health")}
BODIES = {
    ("POST", "/mentions"): mention("Курьер опоздал на час, всё остыло."),
    ("PATCH", "/mentions/{mention_id}/draft"): {"text": "Новый текст"},
    ("POST", "/mentions/{mention_id}/reject"): {"reason": "не то"},
    ("POST", "/cases/{reference}/status"): {"status": "resolved", "note": "вернули деньги за доставку"},
    ("PUT", "/brands/{brand_id}/profile"): _OBED.profile.model_dump(mode="json"),
    ("PUT", "/brands/{brand_id}/voice"): _OBED.voice.model_dump(mode="json"),
    ("PUT", "/brands/{brand_id}/matrix"): _OBED.matrix.model_dump(mode="json"),
    ("POST", "/brands/{brand_id}/facts"): {"id": "new-fact", "topic": "delivery", "text": {"ru": "Новый факт."}},
    ("PUT", "/brands/{brand_id}/facts/{fact_id}"): _OBED.facts[0].model_dump(mode="json"),
    ("POST", "/jobs"): [mention("Курьер опоздал на час, всё остыло.")],  # none of the key's brands: 403
}


def _routes(app: FastAPI) -> set[tuple[str, str]]:
    return {(method, route.path) for route in app.routes if isinstance(route, APIRoute) for method in route.methods}


def _obed_records(client: TestClient, headers: dict[str, str]) -> dict[str, str]:
    """One record of brand A behind every kind of path parameter the app has (add yours here)."""
    found = client.post("/mentions", json=mention(NEGATIVE.format(order=order_number())), headers=headers).json()
    return {
        "mention_id": found["id"],
        "reference": found["case"]["reference"],
        "brand_id": OBED,
        "fact_id": _OBED.facts[0].id,
        "job_id": client.post("/jobs", json=[mention("Где мой заказ?")], headers=headers).json()["id"],
    }


@pytest.mark.parametrize("role", [Role.operator, Role.brand_owner, Role.qa])
def test_a_key_of_another_brand_gets_403_on_every_route(
    app: FastAPI, client: TestClient, obed_operator, make_key, role: Role
) -> None:
    """Every role of brand B, so each route's brand check is reached by a role its permission admits."""
    records = _obed_records(client, obed_operator)
    kedr_key = make_key(role, KEDR)
    checked = set()
    for method, path in sorted(_routes(app) - PUBLIC):
        url = path.format(**records)
        params = {"brand": OBED} if "{" not in path and method == "GET" else None
        response = client.request(method, url, json=BODIES.get((method, path)), params=params, headers=kedr_key)
        assert response.status_code == 403, (method, path, response.text)
        assert OBED not in response.text  # a 403 must not tell whose record this is
        checked.add((method, path))
    assert checked == _routes(app) - PUBLIC
    mine = client.get(f"/mentions/{records['mention_id']}", headers=obed_operator).json()
    assert mine["status"] == "drafted"  # untouched


def test_listings_show_only_the_keys_brands(client: TestClient, obed_operator, kedr_operator, make_key) -> None:
    client.post("/mentions", json=mention(NEGATIVE.format(order=order_number())), headers=obed_operator)
    kedr_body = mention("Перевод завис на сутки, поддержка молчит. Верните деньги!", brand=KEDR)
    client.post("/mentions", json=kedr_body, headers=kedr_operator)
    for headers, brand in ((obed_operator, OBED), (kedr_operator, KEDR)):
        inbox = client.get("/mentions", headers=headers).json()
        assert {m["mention"]["brand"] for m in inbox["data"]} == {brand} and inbox["count"] == 1
        assert {c["brand"] for c in client.get("/cases", headers=headers).json()["data"]} == {brand}
    admin = make_key(Role.admin)
    assert client.get("/mentions", headers=admin).json()["count"] == 2


def test_roles(client: TestClient, obed_operator, make_key) -> None:
    found = client.post("/mentions", json=mention(NEGATIVE.format(order=order_number())), headers=obed_operator).json()
    qa, owner = make_key(Role.qa, OBED), make_key(Role.brand_owner, OBED)
    assert client.get(f"/mentions/{found['id']}", headers=qa).status_code == 200
    denied = client.post(f"/mentions/{found['id']}/approve", headers=qa)
    assert denied.status_code == 403 and denied.json() == {"detail": "role 'qa' may not review"}
    assert client.post("/mentions", json=mention("Где заказ?"), headers=owner).status_code == 403
    assert client.post(f"/mentions/{found['id']}/approve", headers=owner).json()["status"] == "approved"


def test_missing_unknown_and_revoked_keys_get_401(app: FastAPI, client: TestClient, obed_operator) -> None:
    assert client.get("/mentions").status_code == 401
    assert client.get("/mentions", headers={"Authorization": "Bearer otk_nope"}).status_code == 401
    secret = obed_operator["Authorization"].removeprefix("Bearer ")
    assert client.get("/mentions", headers={"X-API-Key": secret}).status_code == 200
    with app.state.sessions() as db:
        revoke_key(db, obed_operator["X-Key-Id"])
    response = client.get("/mentions", headers=obed_operator)
    assert response.status_code == 401 and response.json() == {"detail": "invalid or revoked API key"}
    assert response.headers["WWW-Authenticate"] == "Bearer"


@pytest.mark.sqlite_only  # reads the database file
def test_only_a_hash_of_the_key_is_stored(app: FastAPI, obed_operator) -> None:
    secret = obed_operator["Authorization"].removeprefix("Bearer ")
    database = Path(app.state.engine.url.database)
    content = b"".join(path.read_bytes() for path in database.parent.glob(database.name + "*"))  # with the WAL
    assert content and secret.encode() not in content
    assert re.fullmatch(r"otk_[0-9a-f]{8}_[\w-]{32}", secret)
