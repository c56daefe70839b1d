"""The loop through TestClient on the real offline components: submit, inbox, edit, approve, cases."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from api import inbox, service
from api.deps import get_components
from api.main import create_app
from api.service import edit_distance
from api.tables import AuditRow, MentionRow, ResultRow
from assistant.errors import ModelUnavailableError
from assistant.hours import follow_up_due
from assistant.models import Mention
from assistant.pipeline import Components
from knowledge.brands import load_brand
from tests.api.conftest import KEDR, NEGATIVE, OBED, mention, order_number
from tests.conftest import BRANDS_DIR

pytestmark = pytest.mark.storage  # also run against PostgreSQL and a Chroma server (.ci/scaleout.sh)


def _submit(client: TestClient, headers: dict[str, str], body: dict) -> dict:
    response = client.post("/mentions", json=body, headers=headers)
    assert response.status_code in (200, 201), response.text
    return response.json()


def test_a_replied_negative_is_drafted_and_opens_a_case(client: TestClient, obed_operator) -> None:
    before = datetime.now(UTC)
    body = mention(NEGATIVE.format(order=order_number()), platform="vk", rating=1)
    found = _submit(client, obed_operator, body)
    assert found["status"] == "drafted"
    assert found["classification"]["sentiment"] == "negative"
    assert "reply" in found["decision"]["actions"]
    case = found["case"]
    assert case["reference"] == found["draft"]["case_ref"]
    assert case["reference"] in found["draft"]["text"]
    due = datetime.fromisoformat(case["due_at"])
    obed = load_brand(BRANDS_DIR / "obed-express").profile  # response_time_hours 2, in its working hours
    assert follow_up_due(before, obed) <= due <= follow_up_due(datetime.now(UTC), obed)
    cases = client.get("/cases", headers=obed_operator).json()
    assert [c["reference"] for c in cases["data"]] == [case["reference"]]
    assert client.get(f"/mentions/{found['id']}", headers=obed_operator).json() == found


def test_a_resent_mention_returns_the_same_record(client: TestClient, obed_operator) -> None:
    with_id = mention("Спасибо, курьер Олег приехал раньше срока, всё горячее!", platform="vk", external_id="vk-1")
    first = client.post("/mentions", json=with_id, headers=obed_operator)
    again = client.post("/mentions", json={**with_id, "text": "edited later by the author"}, headers=obed_operator)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["mention"]["text"] == with_id["text"]

    no_id = mention("Подскажите, до скольки вы доставляете в Купчино?", platform="telegram")
    ids = {_submit(client, obed_operator, no_id)["id"] for _ in range(3)}
    other_platform = _submit(client, obed_operator, {**no_id, "platform": "vk"})
    assert len(ids) == 1 and other_platform["id"] not in ids
    assert client.get("/mentions", headers=obed_operator).json()["count"] == 3


def test_the_mention_is_stored_before_any_model_call(
    app: FastAPI, client: TestClient, obed_operator, api_components: Components
) -> None:
    seen_status: list[str] = []

    class Crashing:
        name = "crashing"

        def classify(self, mention, *args):
            with app.state.sessions() as db:
                seen_status.append(db.get(MentionRow, mention.id).status)
            raise RuntimeError("the model server fell over")

    app.dependency_overrides[get_components] = lambda: replace(api_components, classifier=Crashing())
    body = mention(NEGATIVE.format(order=order_number()), external_id="otz-77")
    response = client.post("/mentions", json=body, headers=obed_operator)
    assert response.status_code == 500
    assert response.json() == {"detail": "internal error; see the server log", "type": "internal"}
    assert seen_status == ["drafting"]  # stored, and claimed by this request, before the model is called
    with app.state.sessions() as db:
        row = db.scalar(select(MentionRow).where(MentionRow.external_id == "otz-77"))
    assert row.status == "failed" and "fell over" in row.error and row.payload["text"] == body["text"]

    app.dependency_overrides.clear()  # the model is back: re-sending the mention drafts the same record
    again = _submit(client, obed_operator, body)
    assert again["id"] == row.id and again["status"] == "drafted" and again["error"] is None


def test_a_model_outage_is_a_503_naming_the_reason(
    app: FastAPI, client: TestClient, obed_operator, api_components: Components
) -> None:
    class Unavailable:
        name = "unavailable"

        def classify(self, *args):
            raise ModelUnavailableError("timeout after 2 retries")

    app.dependency_overrides[get_components] = lambda: replace(api_components, classifier=Unavailable())
    response = client.post("/mentions", json=mention("Где мой заказ? Жду уже час."), headers=obed_operator)
    assert response.status_code == 503
    assert response.json() == {
        "detail": "language model unavailable: timeout after 2 retries",
        "type": "model_unavailable",
    }


def test_inbox_filters(client: TestClient, obed_operator) -> None:
    negative = _submit(client, obed_operator, mention(NEGATIVE.format(order=order_number()), platform="otzovik"))
    positive = _submit(
        client,
        obed_operator,
        mention(
            "Обожаю ваши сырники, всегда свежие и горячие, курьеры вежливые!",
            platform="vk",
            created_at="2026-01-05T10:00:00Z",
        ),
    )

    def ids(**params) -> set[str]:
        found = client.get("/mentions", params=params, headers=obed_operator)
        assert found.status_code == 200, found.text
        return {m["id"] for m in found.json()["data"]}

    assert ids() == {negative["id"], positive["id"]}
    assert ids(sentiment="negative") == {negative["id"]}
    assert ids(kind=negative["classification"]["kind"], sentiment="negative") == {negative["id"]}
    assert ids(platform="vk") == {positive["id"]}
    assert ids(status=positive["status"]) >= {positive["id"]}
    assert ids(status="approved") == set()
    assert ids(brand=OBED, until="2026-02-01T00:00:00Z") == {positive["id"]}
    assert ids(since="2026-02-01T00:00:00Z") == {negative["id"]}
    assert ids(limit=1, offset=1) and len(ids(limit=1)) == 1


def test_edit_is_checked_again_and_approval_feeds_the_knowledge_store(
    app: FastAPI, client: TestClient, obed_operator, api_components: Components
) -> None:
    order = order_number()
    found = _submit(client, obed_operator, mention(NEGATIVE.format(order=order), platform="vk"))
    original = found["draft"]["text"]

    rude = client.patch(
        f"/mentions/{found['id']}/draft", json={"text": "Уважаемый клиент, сами виноваты."}, headers=obed_operator
    )
    assert rude.status_code == 200
    assert rude.json()["draft"]["status"] == "needs_review"
    assert {c["name"] for c in rude.json()["draft"]["checks"] if not c["passed"]} >= {"rule3_regret", "forbidden_words"}

    edited = original + " Ирина, если удобнее, позвони нам: +7 912 345-67-89."
    fixed = client.patch(f"/mentions/{found['id']}/draft", json={"text": edited}, headers=obed_operator).json()
    assert fixed["draft"]["text"] == edited and fixed["original_text"] == original

    approved = client.post(f"/mentions/{found['id']}/approve", headers=obed_operator).json()
    assert approved["status"] == "approved" and approved["approved_text"] == edited
    assert approved["edit_distance"] == edit_distance(original, edited) == len(edited) - len(original)

    replies = {r.id: r for r in api_components.store.load_brand(OBED).approved_replies}
    stored = replies[f"svc-{found['id']}"]
    assert stored.source == "service"
    for personal in ("Ирин", "345-67-89", str(order), found["case"]["reference"]):
        assert personal not in stored.reply + stored.mention
    assert "<PHONE>" in stored.reply and "<NAME>" in stored.reply and "<CASE>" in stored.reply

    with app.state.sessions() as db:
        trail = db.scalars(select(AuditRow).where(AuditRow.mention_id == found["id"]).order_by(AuditRow.id)).all()
    assert [row.action for row in trail] == ["edit", "edit", "approve"]
    assert {row.key_id for row in trail} == {obed_operator["X-Key-Id"]}
    assert trail[-1].detail["edit_distance"] == approved["edit_distance"]

    later = _submit(client, obed_operator, mention(NEGATIVE.format(order=order_number()), platform="vk"))
    assert f"svc-{found['id']}" in later["draft"]["retrieved_ids"]  # the approved reply is an example now


def test_reject_publish_and_the_states_that_forbid_them(client: TestClient, obed_operator) -> None:
    first = _submit(client, obed_operator, mention(NEGATIVE.format(order=order_number())))
    second = _submit(client, obed_operator, mention(NEGATIVE.format(order=order_number()), platform="vk"))

    early = client.post(f"/mentions/{first['id']}/published", headers=obed_operator)
    assert early.status_code == 409 and "approved" in early.json()["detail"]
    rejected = client.post(f"/mentions/{first['id']}/reject", json={"reason": "не тот тон"}, headers=obed_operator)
    assert rejected.json()["status"] == "rejected" and rejected.json()["rejected_reason"] == "не тот тон"
    assert client.post(f"/mentions/{first['id']}/approve", headers=obed_operator).status_code == 409

    regenerated = client.post(f"/mentions/{first['id']}/regenerate", headers=obed_operator).json()
    assert regenerated["status"] == "drafted" and regenerated["case"]["reference"] == first["case"]["reference"]

    client.post(f"/mentions/{second['id']}/approve", json={"text": second["draft"]["text"]}, headers=obed_operator)
    published = client.post(f"/mentions/{second['id']}/published", headers=obed_operator).json()
    assert published["status"] == "published" and published["published_at"]
    assert client.post(f"/mentions/{second['id']}/regenerate", headers=obed_operator).status_code == 409


def test_cases_are_listed_per_brand_and_overdue(client: TestClient, obed_operator, kedr_operator) -> None:
    _submit(client, obed_operator, mention(NEGATIVE.format(order=order_number())))
    kedr = mention("Карту заблокировали без объяснений, комиссию списали дважды. Верните деньги!", brand=KEDR)
    _submit(client, kedr_operator, kedr)
    assert {c["brand"] for c in client.get("/cases", headers=obed_operator).json()["data"]} == {OBED}
    assert client.get("/cases", params={"overdue": True}, headers=obed_operator).json()["count"] == 0
    assert client.get("/cases", params={"status": "resolved"}, headers=obed_operator).json()["count"] == 0


def test_health_needs_no_key(app: FastAPI, client: TestClient) -> None:
    database = app.state.engine.dialect.name
    assert client.get("/health").json() == {"status": "ok", "database": database, "brands": 2, "backend": "offline"}


@pytest.mark.parametrize(
    ("before", "after", "distance"),
    [("", "abc", 3), ("kitten", "sitting", 3), ("same", "same", 0), ("привет мир", "привет, мир!", 2)],
)
def test_edit_distance(before: str, after: str, distance: int) -> None:
    assert edit_distance(before, after) == distance


def test_a_mention_being_drafted_is_not_drafted_twice(
    app: FastAPI, client: TestClient, obed_operator, api_components: Components
) -> None:
    """The jobs worker and a re-sent mention (or two API workers) meet at one conditional UPDATE."""
    body = mention(NEGATIVE.format(order=order_number()), external_id="otz-claim")
    second_try: list[str] = []

    class DraftedAgainMidway:
        name = "drafted-again-midway"

        def classify(self, mention, *args):
            if not second_try:  # another drafter takes up the same mention while this one is at it
                with app.state.sessions() as db:
                    row = service.draft_mention(db, api_components, db.get(MentionRow, mention.id))
                    second_try.append(row.status)
            return api_components.classifier.classify(mention, *args)

    app.dependency_overrides[get_components] = lambda: replace(api_components, classifier=DraftedAgainMidway())
    first = client.post("/mentions", json=body, headers=obed_operator).json()
    assert second_try == ["drafting"] and first["status"] == "drafted"
    with app.state.sessions() as db:
        assert len(db.scalars(select(ResultRow).where(ResultRow.mention_id == first["id"])).all()) == 1


def test_a_claim_left_by_a_killed_server_is_released_at_start(
    app: FastAPI, api_components: Components, db_settings, obed_operator
) -> None:
    """Released at once with embedded Chroma (one process); with a Chroma server, once older than the lease."""
    body = mention(NEGATIVE.format(order=order_number()))
    with app.state.sessions() as db:
        row, _created = inbox.store_mention(db, Mention.model_validate(body))
        row.status = "drafting"  # as a SIGKILL mid-draft leaves it
        db.commit()
        lease = timedelta(seconds=db_settings.draft_lease_seconds + 1)
        db.execute(update(MentionRow).where(MentionRow.id == row.id).values(updated_at=datetime.now(UTC) - lease))
        db.commit()
    restarted = create_app(api_components.settings, api_components, db_settings)
    with restarted.state.sessions() as db:
        assert db.get(MentionRow, row.id).status == "pending"
    again = TestClient(restarted).post("/mentions", json=body, headers=obed_operator).json()
    assert again["id"] == row.id and again["status"] == "drafted"
