"""Brand owners edit their knowledge through the API: each section read and replaced, validated
by the brand folders' models, versioned, audited, and used by the very next draft."""

from __future__ import annotations

import copy
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api import knowledge
from api.keys import Role
from api.service import CHAIN
from assistant.models import VoiceGuide
from assistant.pipeline import Components
from knowledge.brands import load_brand
from tests.api.conftest import KEDR, NEGATIVE, OBED, mention, order_number
from tests.conftest import BRANDS_DIR

pytestmark = pytest.mark.storage  # also run against PostgreSQL and a Chroma server (.ci/scaleout.sh)

BRAND = f"/brands/{OBED}"
QUESTION = "Подскажите, можно ли заказать торт на день рождения к обеду?"
CAKE = {
    "id": "birthday-cakes",
    "topic": "food_quality",
    "text": {"ru": "Торт на день рождения можно заказать к обеду в приложении, не позже чем за сутки."},
    "audience": "public",
    "questions": [],
}


@pytest.fixture(autouse=True)
def restore_obed(api_components: Components) -> Iterator[None]:
    """The API tests share one knowledge store: a test that edited the brand gets the folder back."""
    store = api_components.store
    with CHAIN:
        before = store.versions(OBED)
    yield
    with CHAIN:
        if store.versions(OBED) != before:
            store.ingest(load_brand(BRANDS_DIR / OBED), replace_api_edits=True)


@pytest.fixture
def owner(make_key) -> dict[str, str]:
    return make_key(Role.brand_owner, OBED)


def _read(client: TestClient, path: str, headers: dict[str, str]) -> tuple[Any, str]:
    response = client.get(path, headers=headers)
    assert response.status_code == 200, response.text
    return response.json(), response.headers["ETag"]


def _put(client: TestClient, path: str, body: Any, headers: dict[str, str], etag: str | None = None):
    return client.put(path, json=body, headers={**headers, **({"If-Match": etag} if etag else {})})


def _with_avoided(voice: dict[str, Any], word: str) -> dict[str, Any]:
    voice["languages"]["ru"]["avoid_words"].append(word)
    return voice


def _versions(client: TestClient, headers: dict[str, str]) -> dict[str, int]:
    return client.get(BRAND, headers=headers).json()["versions"]


# --- reading and replacing each section ------------------------------------------------------


def _profile_edit(profile: dict[str, Any]) -> dict[str, Any]:
    profile["competitors"] = [*profile["competitors"], "ОбедНаРаз"]
    return profile


def _voice_edit(voice: dict[str, Any]) -> dict[str, Any]:
    return _with_avoided(voice, "в кратчайшие сроки")


def _matrix_edit(matrix: dict[str, Any]) -> dict[str, Any]:
    matrix["neutral"]["rational"]["tone"] = "деловой и короткий"
    return matrix


@pytest.mark.parametrize(
    ("section", "edit"), [("profile", _profile_edit), ("voice", _voice_edit), ("matrix", _matrix_edit)]
)
def test_a_brand_owner_reads_and_replaces_each_section(client: TestClient, owner, section, edit) -> None:
    before = _versions(client, owner)
    current, etag = _read(client, f"{BRAND}/{section}", owner)
    assert etag == f'"{before[section]}"'
    changed = edit(current)
    response = _put(client, f"{BRAND}/{section}", changed, owner, etag)
    assert response.status_code == 200, response.text
    assert response.json() == changed and response.headers["ETag"] == f'"{before[section] + 1}"'
    assert _read(client, f"{BRAND}/{section}", owner) == (changed, response.headers["ETag"])
    assert _versions(client, owner) == {**before, section: before[section] + 1}  # only this section moved


def test_a_put_that_changes_nothing_keeps_the_version(client: TestClient, owner) -> None:
    voice, etag = _read(client, f"{BRAND}/voice", owner)
    response = _put(client, f"{BRAND}/voice", voice, owner, etag)
    assert response.status_code == 200 and response.headers["ETag"] == etag
    assert client.get(f"{BRAND}/history", headers=owner).json()["count"] == 0


def test_the_brand_at_a_glance_and_the_listing(client: TestClient, owner, make_key) -> None:
    folder = load_brand(BRANDS_DIR / OBED)
    brand = client.get(BRAND, headers=owner).json()
    assert brand["profile"]["name"] == folder.profile.name and brand["facts"] == len(folder.facts)
    assert brand["approved_replies"] >= len(folder.approved_replies)
    assert set(brand["versions"]) == {"profile", "voice", "matrix", "facts", "playbooks"}
    listed = client.get("/brands", headers=owner).json()
    assert [b["id"] for b in listed["data"]] == [OBED] and listed["count"] == 1
    assert {b["id"] for b in client.get("/brands", headers=make_key(Role.admin)).json()["data"]} == {OBED, KEDR}


# --- bad input ---------------------------------------------------------------------------------


def _locs(response) -> list[list[Any]]:
    assert response.status_code == 422, response.text
    return [error["loc"] for error in response.json()["detail"]]


def test_validation_errors_name_the_field_and_change_nothing(client: TestClient, owner) -> None:
    before = _versions(client, owner)
    voice, _ = _read(client, f"{BRAND}/voice", owner)
    voice["languages"]["ru"]["emoji"] = "lots"
    assert ["body", "languages", "ru", "emoji"] in _locs(_put(client, f"{BRAND}/voice", voice, owner))
    voice, _ = _read(client, f"{BRAND}/voice", owner)
    voice["overrides"].append({"when": {"platform": "vk"}, "set": {"emojii": "none"}})
    assert ["body", "overrides", len(voice["overrides"]) - 1, "set"] in _locs(
        _put(client, f"{BRAND}/voice", voice, owner)
    )
    matrix, _ = _read(client, f"{BRAND}/matrix", owner)
    del matrix["negative"]["emotional"]
    assert ["body", "negative"] in _locs(_put(client, f"{BRAND}/matrix", matrix, owner))
    profile, _ = _read(client, f"{BRAND}/profile", owner)
    assert _locs(_put(client, f"{BRAND}/profile", {**profile, "id": KEDR}, owner)) == [["body", "id"]]
    assert ["body", "text"] in _locs(client.post(f"{BRAND}/facts", json={**CAKE, "text": {}}, headers=owner))
    assert ["body", "colour"] in _locs(client.post(f"{BRAND}/facts", json={**CAKE, "colour": "red"}, headers=owner))
    stale_header = _put(client, f"{BRAND}/profile", profile, owner, etag="latest")
    assert _locs(stale_header) == [["header", "If-Match"]]
    assert _versions(client, owner) == before


def test_fact_ids_are_unique_and_must_exist(client: TestClient, owner) -> None:
    existing = client.get(f"{BRAND}/facts", headers=owner).json()["data"][0]
    duplicate = client.post(f"{BRAND}/facts", json=existing, headers=owner)
    assert duplicate.status_code == 409 and existing["id"] in duplicate.json()["detail"]
    assert (
        client.put(f"{BRAND}/facts/no-such-fact", json={**CAKE, "id": "no-such-fact"}, headers=owner).status_code == 404
    )
    assert client.delete(f"{BRAND}/facts/no-such-fact", headers=owner).status_code == 404
    renamed = client.put(f"{BRAND}/facts/{existing['id']}", json=CAKE, headers=owner)
    assert _locs(renamed) == [["body", "id"]]


def test_an_unknown_brand_is_404_for_an_admin(client: TestClient, make_key) -> None:
    response = client.get("/brands/no-such-brand/voice", headers=make_key(Role.admin))
    assert response.status_code == 404 and response.json()["type"] == "not_found"


# --- the next draft uses the edit ------------------------------------------------------------


def _submit(client: TestClient, headers: dict[str, str], text: str) -> dict[str, Any]:
    response = client.post("/mentions", json=mention(text, platform="vk"), headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


def _regenerate(client: TestClient, headers: dict[str, str], mention_id: str) -> dict[str, Any]:
    response = client.post(f"/mentions/{mention_id}/regenerate", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()["draft"]


def _check(draft: dict[str, Any], name: str) -> dict[str, Any]:
    return next(check for check in draft["checks"] if check["name"] == name)


def test_a_forbidden_word_is_respected_by_the_next_draft(client: TestClient, owner, obed_operator) -> None:
    found = _submit(client, obed_operator, NEGATIVE.format(order=order_number()))
    # The key word of the regret phrase this mention got; the brand's other regret phrases lack it.
    word = next(w for w in ("жаль", "прости", "извини") if w in found["draft"]["text"].lower())
    voice, etag = _read(client, f"{BRAND}/voice", owner)
    assert _put(client, f"{BRAND}/voice", _with_avoided(voice, word), owner, etag).status_code == 200
    draft = _regenerate(client, obed_operator, found["id"])
    assert word not in draft["text"].lower()
    assert _check(draft, "forbidden_words")["passed"]
    assert _check(draft, "rule3_regret")["passed"]  # another of the brand's regret phrases, not none
    assert draft["status"] == "ready"


def test_a_new_fact_is_cited_and_a_deleted_one_no_longer(client: TestClient, owner, obed_operator) -> None:
    question = _submit(client, obed_operator, QUESTION)
    assert CAKE["id"] not in question["draft"]["cited_ids"]
    added = client.post(f"{BRAND}/facts", json=CAKE, headers=owner)
    assert added.status_code == 201 and added.json() == CAKE
    assert _read(client, f"{BRAND}/facts/{CAKE['id']}", owner) == (CAKE, added.headers["ETag"])
    draft = _regenerate(client, obed_operator, question["id"])
    assert CAKE["id"] in draft["cited_ids"] and CAKE["text"]["ru"] in draft["text"]
    assert draft["status"] == "ready", draft["checks"]  # its words pass every check, the grounding too

    deleted = client.delete(f"{BRAND}/facts/{CAKE['id']}", headers=owner, params=None)
    assert deleted.status_code == 204 and deleted.headers["ETag"] != added.headers["ETag"]
    assert client.get(f"{BRAND}/facts/{CAKE['id']}", headers=owner).status_code == 404
    draft = _regenerate(client, obed_operator, question["id"])
    assert CAKE["id"] not in draft["cited_ids"] and CAKE["text"]["ru"] not in draft["text"]


def test_a_replaced_fact_is_quoted_in_its_new_words(client: TestClient, owner, obed_operator) -> None:
    client.post(f"{BRAND}/facts", json=CAKE, headers=owner)
    reworded = {**CAKE, "text": {"ru": "Торт на день рождения можно заказать к обеду в приложении за два дня."}}
    assert client.put(f"{BRAND}/facts/{CAKE['id']}", json=reworded, headers=owner).json() == reworded
    draft = _submit(client, obed_operator, QUESTION)["draft"]
    assert reworded["text"]["ru"] in draft["text"] and CAKE["text"]["ru"] not in draft["text"]


# --- versions, history, concurrency -----------------------------------------------------------


def test_history_lists_versions_with_the_key_id(client: TestClient, owner, make_key) -> None:
    admin = make_key(Role.admin)
    voice, etag = _read(client, f"{BRAND}/voice", owner)
    first = _put(client, f"{BRAND}/voice", _with_avoided(voice, "в кратчайшие сроки"), owner, etag)
    added = client.post(f"{BRAND}/facts", json=CAKE, headers=admin)
    history = client.get(f"{BRAND}/history", headers=owner).json()
    assert history["count"] == 2
    fact_change, voice_change = history["data"]  # newest first
    assert (fact_change["section"], fact_change["key_id"]) == ("facts", admin["X-Key-Id"])
    assert fact_change["version"] == int(added.headers["ETag"].strip('"'))
    assert fact_change["changed"] == [f"facts.{CAKE['id']}"]
    assert (fact_change["before"], fact_change["after"]) == (None, CAKE)
    assert (voice_change["section"], voice_change["key_id"]) == ("voice", owner["X-Key-Id"])
    assert voice_change["version"] == int(first.headers["ETag"].strip('"'))
    assert voice_change["changed"] == ["voice.languages.ru.avoid_words"]
    assert voice_change["after"] == first.json()
    assert "в кратчайшие сроки" not in voice_change["before"]["languages"]["ru"]["avoid_words"]
    only_voice = client.get(f"{BRAND}/history", params={"section": "voice"}, headers=owner).json()
    assert [c["section"] for c in only_voice["data"]] == ["voice"]


def test_a_stale_if_match_gets_409_and_changes_nothing(client: TestClient, owner, make_key) -> None:
    other_owner = make_key(Role.brand_owner, OBED)
    voice, etag = _read(client, f"{BRAND}/voice", owner)
    assert (
        _put(client, f"{BRAND}/voice", _with_avoided(voice, "в кратчайшие сроки"), other_owner, etag).status_code == 200
    )
    mine = _with_avoided(_read(client, f"{BRAND}/voice", owner)[0], "в порядке очереди")
    mine["languages"]["ru"]["avoid_words"].remove("в кратчайшие сроки")  # an edit of the version read before
    lost = _put(client, f"{BRAND}/voice", mine, owner, etag)
    assert lost.status_code == 409 and lost.json()["type"] == "conflict"
    stored, now = _read(client, f"{BRAND}/voice", owner)
    assert "в кратчайшие сроки" in stored["languages"]["ru"]["avoid_words"]
    assert "в порядке очереди" not in stored["languages"]["ru"]["avoid_words"] and now != etag

    facts_etag = _read(client, f"{BRAND}/facts", owner)[1]
    client.post(f"{BRAND}/facts", json={**CAKE, "id": "first-cake"}, headers=other_owner)
    stale_add = client.post(f"{BRAND}/facts", json=CAKE, headers={**owner, "If-Match": facts_etag})
    assert stale_add.status_code == 409
    assert client.get(f"{BRAND}/facts/{CAKE['id']}", headers=owner).status_code == 404
    assert client.get(f"{BRAND}/history", headers=owner).json()["count"] == 2  # the two that went through


def test_an_edit_waits_for_another_workers_edit_of_the_brand_then_finds_it_stale(
    app: FastAPI, client: TestClient, owner
) -> None:
    """Another worker (here a second session on the same database, writing the shared store) is
    mid-edit of the brand: it holds the brand's row. An edit sent meanwhile with the version both
    read waits for it, then sees the new version and gets 409; neither edit is lost unseen."""
    voice, etag = _read(client, f"{BRAND}/voice", owner)
    theirs = VoiceGuide.model_validate(_with_avoided(copy.deepcopy(voice), "чужой вариант"))
    with app.state.sessions() as other, ThreadPoolExecutor(1) as pool:
        knowledge.lock_brand(other, OBED)
        mine = _with_avoided(copy.deepcopy(voice), "мой вариант")
        sent = pool.submit(_put, client, f"{BRAND}/voice", mine, owner, etag)
        time.sleep(1.0)  # unheld, the edit would be through by now and theirs would overwrite it
        store = app.state.components.store  # not under CHAIN: the waiting edit holds it, touching nothing
        store.update_brand(store.load_brand(OBED).model_copy(update={"voice": theirs}))
        other.commit()
        assert sent.result().status_code == 409
    avoided = _read(client, f"{BRAND}/voice", owner)[0]["languages"]["ru"]["avoid_words"]
    assert "чужой вариант" in avoided and "мой вариант" not in avoided


def test_approved_replies_survive_knowledge_edits(client: TestClient, owner, obed_operator) -> None:
    found = _submit(client, obed_operator, NEGATIVE.format(order=order_number()))
    assert client.post(f"/mentions/{found['id']}/approve", headers=obed_operator).status_code == 200
    reply_id = f"svc-{found['id']}"

    def service_replies() -> list[str]:
        page = client.get(f"{BRAND}/approved-replies", params={"source": "service", "limit": 200}, headers=owner)
        return [reply["id"] for reply in page.json()["data"]]

    assert reply_id in service_replies()
    voice, etag = _read(client, f"{BRAND}/voice", owner)
    _put(client, f"{BRAND}/voice", _with_avoided(voice, "в кратчайшие сроки"), owner, etag)
    client.post(f"{BRAND}/facts", json=CAKE, headers=owner)
    client.delete(f"{BRAND}/facts/{CAKE['id']}", headers=owner)
    assert reply_id in service_replies()
    stored = client.get(f"{BRAND}/approved-replies", params={"source": "service", "limit": 200}, headers=owner)
    reply = next(r for r in stored.json()["data"] if r["id"] == reply_id)
    assert "Ирин" not in reply["mention"] + reply["reply"]  # anonymized


def test_approved_replies_are_paginated(client: TestClient, owner) -> None:
    everything = client.get(f"{BRAND}/approved-replies", params={"limit": 200}, headers=owner).json()
    page = client.get(f"{BRAND}/approved-replies", params={"limit": 2, "offset": 1}, headers=owner).json()
    assert page["count"] == everything["count"] > 3
    assert page["data"] == everything["data"][1:3]


# --- roles -------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.operator, Role.qa])
def test_operators_and_qa_read_but_may_not_write(client: TestClient, make_key, role: Role) -> None:
    key = make_key(role, OBED)
    before = _versions(client, key)
    voice, etag = _read(client, f"{BRAND}/voice", key)
    for path in ("profile", "matrix", "facts", "history", "approved-replies"):
        assert client.get(f"{BRAND}/{path}", headers=key).status_code == 200, path
    denied = [
        _put(client, f"{BRAND}/voice", _with_avoided(voice, "в кратчайшие сроки"), key, etag),
        client.post(f"{BRAND}/facts", json=CAKE, headers=key),
        client.delete(f"{BRAND}/facts/delivery-time", headers=key),
    ]
    for response in denied:
        assert response.status_code == 403
        assert response.json() == {"detail": f"role {role.value!r} may not manage knowledge"}
    assert _versions(client, key) == before
