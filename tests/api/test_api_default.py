"""The app as `otklik serve` builds it: its own components from Settings, the schema migrated at start-up."""

from __future__ import annotations

from fastapi.testclient import TestClient

from api.keys import Role, create_key
from api.main import create_app
from api.settings import ApiSettings
from assistant.pipeline import Components
from tests.api.conftest import OBED, mention


def test_the_default_app_drafts_end_to_end_and_keeps_its_data(
    api_components: Components, db_settings: ApiSettings
) -> None:
    # The same data directory as the session's components: the brands are ingested and the
    # examples embedded already, so building the default components here is quick.
    settings = api_components.settings.model_copy()
    app = create_app(settings, api_settings=db_settings)
    with app.state.sessions() as db:
        _row, secret = create_key(db, Role.operator, [OBED])
    headers = {"Authorization": f"Bearer {secret}"}
    with TestClient(app) as client:
        body = mention("Заказ 51234 опоздал на полтора часа, роллы развалились. Очень обидно!", platform="vk")
        created = client.post("/mentions", json=body, headers=headers)
        assert created.status_code == 201, created.text
        found = created.json()
        assert found["draft"]["backend"] == "offline" and found["case"]["reference"] in found["draft"]["text"]

    restarted = create_app(settings, app.state.components, db_settings)  # a restart: same database
    with TestClient(restarted) as client:
        assert client.get(f"/mentions/{found['id']}", headers=headers).json() == found
