"""Cases through TestClient on the real offline components: opened by a replied negative, moved
open → waiting_customer → open → resolved (and reopened), listed when overdue, and followed up in
each brand's voice — offline, and through a scripted language model."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from api import cases
from api.errors import ConflictError
from api.inbox import audit_trail
from api.keys import Caller, Role
from api.schemas import CaseStatus
from api.tables import CaseRow
from assistant.hours import follow_up_due
from assistant.models import Mention
from assistant.pipeline import case_reference, with_language_model
from knowledge.brands import load_brand
from tests.api.conftest import KEDR, NEGATIVE, OBED, mention, order_number
from tests.conftest import BRANDS_DIR
from tests.llm_helpers import ScriptedChatModel, tool_reply

KEDR_NEGATIVE = (
    "Перевод №{order} завис на сутки, деньги списали, а получатель их не видит. Поддержка молчит, верните деньги!"
)
DONE = "вернули 350 ₽ за доставку на карту"
ASKED = "номер заказа и фото чека"


def _open_case(client: TestClient, headers: dict[str, str], brand: str = OBED) -> dict[str, Any]:
    """A replied negative of this brand, and the case it opened."""
    text = (NEGATIVE if brand == OBED else KEDR_NEGATIVE).format(order=order_number())
    found = client.post("/mentions", json=mention(text, brand=brand), headers=headers).json()
    assert found["case"], found
    return found


def _move(client: TestClient, reference: str, headers: dict[str, str], status: str, note: str | None = None):
    return client.post(f"/cases/{reference}/status", json={"status": status, "note": note}, headers=headers)


def _stored(app: FastAPI, reference: str) -> CaseRow:
    with app.state.sessions() as db:
        return db.scalar(select(CaseRow).where(CaseRow.reference == reference))


def _set_due(app: FastAPI, reference: str, due: datetime) -> None:
    with app.state.sessions() as db:
        db.scalar(select(CaseRow).where(CaseRow.reference == reference)).due_at = due
        db.commit()


def _at(value: str) -> datetime:
    return datetime.fromisoformat(value)


OBED_PROFILE = load_brand(BRANDS_DIR / "obed-express").profile


def _promised(due: datetime, opened: datetime) -> bool:
    """The brand's target from when the draft was written (a moment before the case row), in working hours."""
    return follow_up_due(opened - timedelta(seconds=10), OBED_PROFILE) <= due <= follow_up_due(opened, OBED_PROFILE)


def test_a_replied_negative_opens_a_case_its_draft_names(client: TestClient, obed_operator) -> None:
    found = _open_case(client, obed_operator)
    reference = found["case"]["reference"]
    assert reference in found["draft"]["text"]
    detail = client.get(f"/cases/{reference}", headers=obed_operator).json()
    case = detail["case"]
    assert case["status"] == "open" and case["note"] is None and case["status_changed_at"] is None
    assert _promised(_at(case["due_at"]), _at(case["opened_at"]))  # obed-express: a 2-hour target, in working hours
    assert detail["mention"]["id"] == found["id"] and detail["mention"]["text"] == found["mention"]["text"]
    assert detail["mention"]["status"] == "drafted" and detail["follow_ups"] == []


def test_case_numbers_follow_the_documented_form_and_never_repeat(
    app: FastAPI, client: TestClient, kedr_operator
) -> None:
    """Kedr Bank's facts tell customers their case number reads KB-ДДММ-NNNN; four digits a day
    repeat, so a number another case holds is drawn again."""
    found = _open_case(client, kedr_operator, brand=KEDR)
    reference = found["case"]["reference"]
    assert re.fullmatch(r"KB-\d{4}-\d{4}", reference), reference
    taken = Mention.model_validate(found["mention"])
    with app.state.sessions() as db:
        assert cases.free_reference(db, taken) == case_reference(taken, 1)  # its own number is held by its case
        assert cases.free_reference(db, taken.model_copy(update={"id": "another"})) == case_reference(
            taken.model_copy(update={"id": "another"})
        )


def test_the_lifecycle_open_waiting_open_resolved_and_reopened(app: FastAPI, client: TestClient, obed_operator) -> None:
    found = _open_case(client, obed_operator)
    reference = found["case"]["reference"]
    waiting = _move(client, reference, obed_operator, "waiting_customer", ASKED).json()
    assert waiting["status"] == "waiting_customer" and waiting["note"] == ASKED and waiting["status_changed_at"]
    answered = _move(client, reference, obed_operator, "open").json()
    assert answered["status"] == "open" and answered["note"] is None and answered["resolved_at"] is None
    resolved = _move(client, reference, obed_operator, "resolved", DONE).json()
    assert resolved["status"] == "resolved" and resolved["note"] == DONE
    assert resolved["resolved_at"] == resolved["status_changed_at"] and not resolved["overdue"]
    reopened = _move(client, reference, obed_operator, "open", "клиент пишет, что деньги не пришли").json()
    assert reopened["status"] == "open" and reopened["resolved_at"] is None
    assert _at(reopened["due_at"]) == follow_up_due(
        _at(reopened["status_changed_at"]), OBED_PROFILE
    )  # the whole target again
    with app.state.sessions() as db:
        moves = [r.detail for r in audit_trail(db, found["id"]) if r.action == "case_status"]
    assert [(m["reference"], m["from"], m["to"]) for m in moves] == [
        (reference, "open", "waiting_customer"),
        (reference, "waiting_customer", "open"),
        (reference, "open", "resolved"),
        (reference, "resolved", "open"),
    ]
    assert moves[0]["note"] == ASKED and moves[2]["note"] == DONE


def test_waiting_for_the_customer_pauses_the_clock(app: FastAPI, client: TestClient, obed_operator) -> None:
    reference = _open_case(client, obed_operator)["case"]["reference"]
    paused = _move(client, reference, obed_operator, "waiting_customer", ASKED).json()
    _set_due(app, reference, _at(paused["status_changed_at"]) - timedelta(minutes=30))  # late by half an hour
    listed = client.get("/cases", params={"overdue": True}, headers=obed_operator).json()
    assert reference not in [c["reference"] for c in listed["data"]]  # the customer's move: not counted
    assert client.get(f"/cases/{reference}", headers=obed_operator).json()["case"]["overdue"] is False
    resumed = _move(client, reference, obed_operator, "open").json()
    pause = _at(resumed["status_changed_at"]) - _at(paused["status_changed_at"])
    assert _at(resumed["due_at"]) == _at(paused["status_changed_at"]) - timedelta(minutes=30) + pause
    assert resumed["overdue"] is True  # late before the pause, late after it


def test_overdue_cases_are_listed(app: FastAPI, client: TestClient, obed_operator) -> None:
    late = _open_case(client, obed_operator)["case"]
    on_time = _open_case(client, obed_operator)["case"]
    assert client.get("/cases", params={"overdue": True}, headers=obed_operator).json()["count"] == 0
    _set_due(app, late["reference"], _at(late["opened_at"]) - timedelta(hours=1))
    listed = client.get("/cases", params={"overdue": True}, headers=obed_operator).json()
    assert [c["reference"] for c in listed["data"]] == [late["reference"]] and listed["data"][0]["overdue"]
    everything = client.get("/cases", headers=obed_operator).json()["data"]
    assert {c["reference"]: c["overdue"] for c in everything} == {late["reference"]: True, on_time["reference"]: False}
    _move(client, late["reference"], obed_operator, "resolved", DONE)
    assert client.get("/cases", params={"overdue": True}, headers=obed_operator).json()["count"] == 0
    resolved = client.get("/cases", params={"status": "resolved"}, headers=obed_operator).json()["data"]
    assert [(c["reference"], c["overdue"]) for c in resolved] == [(late["reference"], False)]


def test_moves_that_are_not_allowed_get_409_naming_both_statuses(
    app: FastAPI, client: TestClient, obed_operator
) -> None:
    reference = _open_case(client, obed_operator)["case"]["reference"]
    again = _move(client, reference, obed_operator, "open")
    assert again.status_code == 409 and "'open'" in again.json()["detail"]
    _move(client, reference, obed_operator, "resolved", DONE)
    wrong = _move(client, reference, obed_operator, "waiting_customer", ASKED)
    assert wrong.status_code == 409 and wrong.json()["type"] == "conflict"
    assert re.search(r"'resolved'.*'waiting_customer'", wrong.json()["detail"]) and reference in wrong.json()["detail"]
    assert _move(client, reference, obed_operator, "resolved", DONE).status_code == 409
    assert _move(client, reference, obed_operator, "nonsense").status_code == 422
    case = _stored(app, reference)
    assert (case.status, case.note) == ("resolved", DONE)  # untouched by the refused moves


def test_of_two_moves_made_at_once_from_the_same_status_one_is_refused(
    app: FastAPI, client: TestClient, obed_operator
) -> None:
    """Two operators read the open case, then both resolve it: the second write finds the case
    moved under it and gets a conflict, and only one move is audited."""
    found = _open_case(client, obed_operator)
    reference = found["case"]["reference"]
    parts, caller = app.state.components, Caller("k-test", Role.operator, frozenset({OBED}))
    with app.state.sessions() as first, app.state.sessions() as second:
        mine = first.scalar(select(CaseRow).where(CaseRow.reference == reference))
        theirs = second.scalar(select(CaseRow).where(CaseRow.reference == reference))
        first.commit()  # both have read "open"; neither holds the database
        second.commit()
        cases.change_status(first, parts, mine, caller, CaseStatus.resolved, DONE)
        with pytest.raises(ConflictError, match="changed by someone else"):
            cases.change_status(second, parts, theirs, caller, CaseStatus.resolved, "вернули деньги дважды")
    assert (_stored(app, reference).status, _stored(app, reference).note) == ("resolved", DONE)
    with app.state.sessions() as db:
        moves = [row for row in audit_trail(db, found["id"]) if row.action == "case_status"]
    assert len(moves) == 1


def test_resolving_needs_a_note_of_what_was_done(client: TestClient, obed_operator) -> None:
    reference = _open_case(client, obed_operator)["case"]["reference"]
    for note in (None, "   "):
        refused = _move(client, reference, obed_operator, "resolved", note)
        assert refused.status_code == 422, refused.text
    assert "note of what was done" in _move(client, reference, obed_operator, "resolved").text
    assert client.get(f"/cases/{reference}", headers=obed_operator).json()["case"]["status"] == "open"


def _follow_up(client: TestClient, reference: str, headers: dict[str, str]) -> dict[str, Any]:
    response = client.post(f"/cases/{reference}/follow-up", headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


def test_follow_ups_for_each_status_in_the_brands_ты(app: FastAPI, client: TestClient, obed_operator) -> None:
    found = _open_case(client, obed_operator)
    reference = found["case"]["reference"]
    progress = _follow_up(client, reference, obed_operator)
    _move(client, reference, obed_operator, "waiting_customer", ASKED)
    reminder = _follow_up(client, reference, obed_operator)
    _move(client, reference, obed_operator, "resolved", DONE)
    resolution = _follow_up(client, reference, obed_operator)
    for follow_up, status in ((progress, "open"), (reminder, "waiting_customer"), (resolution, "resolved")):
        draft = follow_up["draft"]
        assert follow_up["case_status"] == status and follow_up["reference"] == reference
        assert draft["status"] == "ready", draft["checks"]
        assert draft["text"].startswith("Привет, Ирина!") and reference in draft["text"]
        assert draft["case_ref"] == reference and not any(c["name"].startswith("rule") for c in draft["checks"])
        assert re.search(r"\b(тебе|тебя|твоём|пришли|скинь|напиши|пиши|рассказываешь|остаёшься)\b", draft["text"])
    assert ASKED in reminder["draft"]["text"] and "чат поддержки в приложении" in reminder["draft"]["text"]
    assert DONE in resolution["draft"]["text"]  # the operator's word, and nothing invented beside it
    listed = client.get(f"/cases/{reference}/follow-ups", headers=obed_operator).json()
    assert listed["count"] == 3 and [f["id"] for f in listed["data"]] == [
        progress["id"],
        reminder["id"],
        resolution["id"],
    ]
    assert client.get(f"/cases/{reference}", headers=obed_operator).json()["follow_ups"] == listed["data"]
    with app.state.sessions() as db:
        audited = [r.detail for r in audit_trail(db, found["id"]) if r.action == "case_follow_up"]
    assert [(a["follow_up_id"], a["case_status"]) for a in audited] == [
        (progress["id"], "open"),
        (reminder["id"], "waiting_customer"),
        (resolution["id"], "resolved"),
    ]


def test_a_progress_update_on_an_overdue_case_names_a_new_time(app: FastAPI, client: TestClient, obed_operator) -> None:
    case = _open_case(client, obed_operator)["case"]
    _set_due(app, case["reference"], _at(case["opened_at"]) - timedelta(hours=1))
    draft = _follow_up(client, case["reference"], obed_operator)["draft"]
    assert any("is overdue" in warning for warning in draft["warnings"]) and draft["status"] == "ready"
    assert client.get(f"/cases/{case['reference']}", headers=obed_operator).json()["case"][
        "overdue"
    ]  # still listed late


def test_the_bank_follows_up_with_вы(client: TestClient, kedr_operator) -> None:
    reference = _open_case(client, kedr_operator, brand=KEDR)["case"]["reference"]
    progress = _follow_up(client, reference, kedr_operator)["draft"]
    _move(client, reference, kedr_operator, "resolved", "перевод вернулся на Ваш счёт")
    resolution = _follow_up(client, reference, kedr_operator)["draft"]
    for draft in (progress, resolution):
        assert draft["status"] == "ready", draft["checks"]
        assert draft["text"].startswith("Здравствуйте, Ирина!") and reference in draft["text"]
        assert re.search(r"\bВ(ы|ам|ас|аш\w*)\b", draft["text"]) and not re.search(r"\b(ты|тебе|тебя)\b", draft["text"])
    assert "перевод вернулся на Ваш счёт" in resolution["text"]


def test_a_follow_up_through_a_scripted_model(app: FastAPI, client: TestClient, obed_operator) -> None:
    reference = _open_case(client, obed_operator)["case"]["reference"]
    _move(client, reference, obed_operator, "resolved", DONE)
    honest = f"Привет, Ирина! Обращение {reference} закрыто: мы {DONE}. Спасибо за терпение!\n\nКоманда «Обед Экспресс»"
    inflated = (
        f"Привет, Ирина! Обращение {reference} закрыто: мы вернули тебе 700 ₽ за весь заказ.\n\nКоманда «Обед Экспресс»"
    )
    model = ScriptedChatModel(
        replies=[tool_reply("DraftOut", {"text": text, "cited_fact_ids": []}) for text in (honest, inflated)]
    )
    parts = app.state.components
    llm_settings = parts.settings.model_copy(update={"model": "openai", "base_url": "http://x/v1"})
    app.state.components = with_language_model(replace(parts, settings=llm_settings), model)
    good = _follow_up(client, reference, obed_operator)["draft"]
    assert good["backend"] == "openai" and good["text"] == honest and good["status"] == "ready", good["checks"]
    assert [c["prompt"] for c in good["calls"]] == ["followup"]
    sent = "\n".join(str(message.content) for message in model.received[0])
    assert reference in sent and f"<<<NOTE\n{DONE}\n>>>END NOTE" in sent and "<<<MENTION" in sent
    bad = _follow_up(client, reference, obed_operator)["draft"]
    failed = {c["name"] for c in bad["checks"] if not c["passed"]}
    # a refund, but not of 700 ₽: the note grounds the refund it states, not this one
    assert bad["status"] == "needs_review" and failed == {"grounding_numbers", "forbidden_promise"}


def test_another_brands_key_gets_403_without_the_brand_named(
    app: FastAPI, client: TestClient, obed_operator, kedr_operator
) -> None:
    reference = _open_case(client, obed_operator)["case"]["reference"]
    calls = [
        ("GET", f"/cases/{reference}", None),
        ("GET", f"/cases/{reference}/follow-ups", None),
        ("POST", f"/cases/{reference}/status", {"status": "resolved", "note": DONE}),
        ("POST", f"/cases/{reference}/follow-up", None),
    ]
    for method, url, body in calls:
        response = client.request(method, url, json=body, headers=kedr_operator)
        assert response.status_code == 403 and OBED not in response.text, (url, response.text)
    case = _stored(app, reference)
    assert (
        case.status == "open"
        and client.get(f"/cases/{reference}/follow-ups", headers=obed_operator).json()["count"] == 0
    )


def test_an_unknown_reference_is_404(client: TestClient, obed_operator) -> None:
    for method, url, body in (
        ("GET", "/cases/NO-SUCH", None),
        ("GET", "/cases/NO-SUCH/follow-ups", None),
        ("POST", "/cases/NO-SUCH/status", {"status": "waiting_customer"}),
        ("POST", "/cases/NO-SUCH/follow-up", None),
    ):
        response = client.request(method, url, json=body, headers=obed_operator)
        assert response.status_code == 404 and response.json()["type"] == "not_found", url


def test_roles_read_review_and_submit(client: TestClient, obed_operator, make_key) -> None:
    reference = _open_case(client, obed_operator)["case"]["reference"]
    qa, owner = make_key(Role.qa, OBED), make_key(Role.brand_owner, OBED)
    assert client.get(f"/cases/{reference}", headers=qa).status_code == 200
    assert _move(client, reference, qa, "waiting_customer").json() == {"detail": "role 'qa' may not review"}
    assert _move(client, reference, owner, "waiting_customer").json()["status"] == "waiting_customer"
    denied = client.post(f"/cases/{reference}/follow-up", headers=owner)
    assert denied.status_code == 403 and denied.json() == {"detail": "role 'brand_owner' may not submit"}
