"""The console over the API tests' app (its own knowledge store and a fresh database per test),
and a signed-in TestClient per key."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.keys import Role
from tests.api.conftest import KEDR, OBED, api_components, app, db_settings, make_key  # noqa: F401

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_token(client: TestClient, path: str) -> str:
    """The CSRF token a page's forms carry."""
    page = client.get(path)
    assert page.status_code == 200, page.text
    found = TOKEN.search(page.text)
    assert found, page.text
    return found.group(1)


def sign_in(client: TestClient, secret: str):
    token = csrf_token(client, "/console/login")
    return client.post("/console/login", data={"api_key": secret, "csrf_token": token}, follow_redirects=False)


def secret_of(headers: dict[str, str]) -> str:
    return headers["Authorization"].removeprefix("Bearer ")


@pytest.fixture
def browser_for(app: FastAPI, make_key) -> Callable[..., TestClient]:  # noqa: F811
    """A TestClient signed in with a new key of this role and brands (its id in `.key_id`)."""

    def make(role: Role = Role.operator, *brands: str) -> TestClient:
        headers = make_key(role, *brands)
        client = TestClient(app, raise_server_exceptions=False)
        assert sign_in(client, secret_of(headers)).status_code == 303
        client.key_id = headers["X-Key-Id"]  # type: ignore[attr-defined]
        client.secret = secret_of(headers)  # type: ignore[attr-defined]
        return client

    return make


@pytest.fixture
def operator(browser_for) -> TestClient:
    return browser_for(Role.operator, OBED)


@pytest.fixture
def anonymous(app: FastAPI) -> TestClient:  # noqa: F811
    return TestClient(app, raise_server_exceptions=False)


__all__ = ["KEDR", "OBED"]
