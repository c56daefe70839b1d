"""Every route's role check, by enumeration: each role of brand A calls every route on brand A's
records; a role without the route's permission gets the 403 naming the role, one with it never
does. (Brand checks are enumerated in test_api_access.py, whose records and bodies this reuses.)"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from api.keys import GRANTS, Permission, Role
from tests.api.conftest import OBED
from tests.api.test_api_access import BODIES, PUBLIC, _obed_records


def _permissions(app: FastAPI) -> dict[tuple[str, str], Permission]:
    """The permission each route requires, read off its `require(...)` dependency."""
    found: dict[tuple[str, str], Permission] = {}
    for route in app.routes:
        if not isinstance(route, APIRoute):
            continue
        for dependency in _walk(route.dependant):
            if dependency.call is not None and dependency.call.__qualname__ == "require.<locals>.check":
                permission = dependency.call.__closure__[0].cell_contents
                found.update({(method, route.path): permission for method in route.methods})
    return found


def _walk(dependant: Dependant) -> Iterator[Dependant]:
    for dependency in dependant.dependencies:
        yield dependency
        yield from _walk(dependency)


@pytest.mark.parametrize("role", [Role.qa, Role.brand_owner, Role.operator])
def test_every_route_checks_the_role(app: FastAPI, client: TestClient, obed_operator, make_key, role: Role) -> None:
    permissions = _permissions(app)
    api_routes = {(m, r.path) for r in app.routes if isinstance(r, APIRoute) for m in r.methods}
    assert set(permissions) == api_routes - PUBLIC  # no route without a role check
    records = _obed_records(client, obed_operator)
    key = make_key(role, OBED)
    for (method, path), permission in sorted(permissions.items()):
        response = client.request(method, path.format(**records), json=BODIES.get((method, path)), headers=key)
        refused = response.status_code == 403 and response.json() == {
            "detail": f"role {role.value!r} may not {permission.value}"
        }
        assert refused == (permission not in GRANTS[role]), (method, path, response.status_code, response.text)
