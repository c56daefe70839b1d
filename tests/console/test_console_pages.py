"""The console's pages over the service: the review loop, brand isolation, pasting, knowledge,
cases and eval runs, through TestClient with a signed-in session."""

from __future__ import annotations

import json
import re
from datetime import UTC, timedelta
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api import knowledge
from api.keys import Role
from api.tables import MentionRow
from knowledge.store import Section
from tests.api.conftest import NEGATIVE, order_number
from tests.console.conftest import KEDR, OBED, csrf_token

MENTION_URL = re.compile(r"^/console/mentions/([0-9a-f]+)$")


def paste(client: TestClient, text: str, **fields: str):
    token = csrf_token(client, "/console/paste")
    form = {"brand": OBED, "platform": "vk", "author_name": "Ирина Соколова", "text": text, "csrf_token": token}
    return client.post("/console/paste", data={**form, **fields}, follow_redirects=False)


def pasted(client: TestClient, text: str) -> str:
    """The id of a pasted mention, drafted."""
    response = paste(client, text)
    assert response.status_code == 303, response.text
    found = MENTION_URL.match(response.headers["location"])
    assert found, response.headers["location"]
    return found.group(1)


def post(client: TestClient, path: str, **data: str):
    token = csrf_token(client, "/console/")
    return client.post(path, data={"csrf_token": token, **data}, follow_redirects=False)


def test_a_pasted_negative_is_drafted_edited_approved_and_remembered(operator: TestClient, app: FastAPI) -> None:
    mention_id = pasted(operator, NEGATIVE.format(order=order_number()))
    page = operator.get(f"/console/mentions/{mention_id}").text
    assert "sentiment-negative" in page and 'data-check="forbidden_words"' in page and "OE-" in page
    assert "built-in method" not in page and "Копировать" in page
    edited = "Ирина, простите за холодный суп и долгую доставку. Напишите номер заказа в личные сообщения — вернём деньги за доставку."
    assert post(operator, f"/console/mentions/{mention_id}/edit", text=edited).status_code == 303
    assert edited in operator.get(f"/console/mentions/{mention_id}").text
    assert post(operator, f"/console/mentions/{mention_id}/approve", text=edited).status_code == 303
    page = operator.get(f"/console/mentions/{mention_id}").text
    assert "status-approved" in page and 'id="reply-text"' in page
    replies = knowledge.approved_replies(app.state.components, OBED, "service", 200, 0).data
    assert any(r.id == f"svc-{mention_id}" and "вернём деньги" in r.reply for r in replies)
    assert post(operator, f"/console/mentions/{mention_id}/published").status_code == 303
    assert "status-published" in operator.get(f"/console/mentions/{mention_id}").text


def test_a_draft_is_rejected_with_a_reason_which_is_required(operator: TestClient) -> None:
    mention_id = pasted(operator, NEGATIVE.format(order=order_number()))
    missing = post(operator, f"/console/mentions/{mention_id}/reject", reason="  ")
    assert missing.status_code == 422 and 'data-field="reason"' in missing.text
    assert post(operator, f"/console/mentions/{mention_id}/reject", reason="не наш заказ").status_code == 303
    page = operator.get(f"/console/mentions/{mention_id}").text
    assert "status-rejected" in page and "не наш заказ" in page
    conflict = post(operator, f"/console/mentions/{mention_id}/approve", text="текст")
    assert conflict.status_code == 409 and "rejected" in conflict.text


def test_another_brands_mention_is_forbidden_without_naming_the_brand(operator: TestClient, browser_for) -> None:
    mention_id = pasted(operator, NEGATIVE.format(order=order_number()))
    other = browser_for(Role.operator, KEDR)
    for response in (
        other.get(f"/console/mentions/{mention_id}"),
        post(other, f"/console/mentions/{mention_id}/approve", text="мой ответ"),
        post(other, f"/console/mentions/{mention_id}/regenerate"),
        other.get(f"/console/?brand={OBED}"),
        other.get(f"/console/report?brand={OBED}"),
    ):
        assert response.status_code == 403
        assert OBED not in response.text and "Обед" not in response.text and mention_id not in response.text
    assert mention_id not in other.get("/console/").text
    assert other.get("/console/mentions/nosuchmention").status_code == 404


def test_the_inbox_filters_and_marks_sentiment(operator: TestClient) -> None:
    mention_id = pasted(operator, NEGATIVE.format(order=order_number()))
    negative = operator.get("/console/?sentiment=negative&platform=vk").text
    assert f'data-id="{mention_id}"' in negative and "sentiment-negative" in negative and "action-reply" in negative
    assert f'data-id="{mention_id}"' not in operator.get("/console/?sentiment=positive").text
    assert f'data-id="{mention_id}"' not in operator.get("/console/?platform=telegram").text
    assert operator.get("/console/?sentiment=nonsense").status_code == 200  # an unknown choice is "any"


def test_the_inbox_filters_by_the_day_written(operator: TestClient, app: FastAPI) -> None:
    mention_id = pasted(operator, NEGATIVE.format(order=order_number()))  # written now
    with app.state.sessions() as db:
        today = db.get(MentionRow, mention_id).created_at.astimezone(UTC).date()
    listed = f'data-id="{mention_id}"'
    assert listed in operator.get(f"/console/?from={today}&to={today}").text
    assert listed not in operator.get(f"/console/?from={today + timedelta(days=1)}").text
    assert listed not in operator.get(f"/console/?to={today - timedelta(days=1)}").text
    page = operator.get(f"/console/?from={today}&to=not-a-date").text  # a malformed day is left open
    assert listed in page and f'name="from" value="{today}"' in page


def test_a_pasted_mention_with_bad_fields_shows_each_error_by_its_field(operator: TestClient) -> None:
    response = paste(operator, "", rating="9")
    assert response.status_code == 422
    assert 'data-field="text"' in response.text and 'data-field="rating"' in response.text
    assert 'value="Ирина Соколова"' in response.text  # what was typed is kept


def test_a_pasted_mention_is_text_not_markup(operator: TestClient) -> None:
    mention_id = pasted(operator, "<script>alert(1)</script> где мой заказ 48213?")
    page = operator.get(f"/console/mentions/{mention_id}").text
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_only_brand_owners_and_admins_edit_knowledge(operator: TestClient, browser_for) -> None:
    assert operator.get(f"/console/brands/{OBED}").status_code == 403
    assert browser_for(Role.qa, OBED).get("/console/brands").status_code == 403
    assert browser_for(Role.brand_owner, KEDR).get(f"/console/brands/{OBED}").status_code == 403
    assert browser_for(Role.admin).get(f"/console/brands/{OBED}").status_code == 200


@pytest.fixture
def owner(browser_for, app: FastAPI):
    """A brand owner of obed-express; the brand's voice guide is put back afterwards."""
    parts = app.state.components
    voice = knowledge.read_section(parts, OBED, Section.voice).value
    yield browser_for(Role.brand_owner, OBED)
    with app.state.sessions() as db:
        from api.keys import Caller

        knowledge.replace_section(db, parts, Caller("test", Role.admin, frozenset()), OBED, Section.voice, voice, None)


def _voice_form(owner: TestClient) -> dict[str, str]:
    """The voice guide form's fields as the page shows them."""
    page = owner.get(f"/console/brands/{OBED}").text
    form = page[page.index('id="voice"') : page.index("</form>", page.index('id="voice"'))]
    inputs = dict(re.findall(r'<input type="(?:text|hidden)" name="([^"]+)" value="([^"]*)"', form))
    areas = dict(re.findall(r'<textarea name="([^"]+)"[^>]*>([^<]*)</textarea>', form))
    unescape = {"&#34;": '"', "&#39;": "'", "&amp;": "&", "&lt;": "<", "&gt;": ">"}
    fields = {**inputs, **areas}
    for name, value in fields.items():
        for code, char in unescape.items():
            value = value.replace(code, char)
        fields[name] = value
    return fields


def test_a_bad_voice_field_is_shown_next_to_it_and_nothing_is_saved(owner: TestClient, app: FastAPI) -> None:
    before = knowledge.read_section(app.state.components, OBED, Section.voice)
    form = {**_voice_form(owner), "languages.ru.max_length": "много"}
    response = owner.post(f"/console/brands/{OBED}/section/voice", data=form)
    assert response.status_code == 422
    error = re.search(r'data-field="languages\.ru\.max_length">([^<]+)<', response.text)
    assert error and "integer" in error.group(1)
    assert 'value="много"' in response.text  # what was typed is kept
    assert knowledge.read_section(app.state.components, OBED, Section.voice).version == before.version


def test_a_forbidden_word_saved_in_the_console_reaches_the_store(owner: TestClient, app: FastAPI) -> None:
    form = _voice_form(owner)
    form["languages.ru.avoid_words"] += "\nв кратчайшие сроки"
    response = owner.post(f"/console/brands/{OBED}/section/voice", data=form, follow_redirects=False)
    assert response.status_code == 303 and "saved=voice" in response.headers["location"]
    voice = knowledge.read_section(app.state.components, OBED, Section.voice).value
    assert "в кратчайшие сроки" in voice.languages["ru"].avoid_words  # type: ignore[attr-defined]
    stale = owner.post(f"/console/brands/{OBED}/section/voice", data=form)  # the version it was based on is old
    assert stale.status_code == 409


def test_a_fact_is_added_and_a_bad_one_refused(owner: TestClient, app: FastAPI) -> None:
    token = csrf_token(owner, f"/console/brands/{OBED}")
    bad = {"csrf_token": token, "id": "Не слаг", "topic": "торты", "text.ru": "Торты на заказ", "text.en": ""}
    response = owner.post(f"/console/brands/{OBED}/facts", data=bad)
    assert response.status_code == 422 and 'data-field="id"' in response.text
    good = {**bad, "id": "console-cakes-test"}
    assert owner.post(f"/console/brands/{OBED}/facts", data=good, follow_redirects=False).status_code == 303
    assert knowledge.fact(app.state.components, OBED, "console-cakes-test").value.text == {"ru": "Торты на заказ"}
    deleted = owner.post(f"/console/brands/{OBED}/facts/console-cakes-test", data={"csrf_token": token, "delete": "1"})
    assert deleted.status_code == 200
    assert "console-cakes-test" not in [f.id for f in knowledge.facts(app.state.components, OBED).value]


def test_a_case_is_resolved_only_with_a_note(operator: TestClient) -> None:
    mention_id = pasted(operator, NEGATIVE.format(order=order_number()))
    reference = re.search(r"<code>(OE-[^<]+)</code>", operator.get(f"/console/mentions/{mention_id}").text).group(1)
    assert f'data-reference="{reference}"' in operator.get("/console/cases").text
    without = post(operator, f"/console/cases/{reference}/status", status="resolved")
    assert without.status_code == 422 and "note" in without.text
    assert (
        post(operator, f"/console/cases/{reference}/status", status="resolved", note="вернули 149 ₽").status_code == 303
    )
    assert f'data-reference="{reference}"' not in operator.get("/console/cases").text


def test_a_follow_up_is_drafted_for_the_case_and_shown_with_its_checks(operator: TestClient) -> None:
    mention_id = pasted(operator, NEGATIVE.format(order=order_number()))
    page = operator.get(f"/console/mentions/{mention_id}").text
    reference = re.search(r"<code>(OE-[^<]+)</code>", page).group(1)
    assert 'id="follow-ups"' in page and "data-follow-up=" not in page
    post(operator, f"/console/cases/{reference}/status", status="waiting_customer", note="номер заказа")
    drafted = post(operator, f"/console/mentions/{mention_id}/follow-up")
    assert drafted.status_code == 303 and drafted.headers["location"].endswith(f"{mention_id}#follow-ups")
    page = operator.get(f"/console/mentions/{mention_id}").text
    follow_up = page[page.index("data-follow-up=") : page.index("</details>", page.index("data-follow-up="))]
    assert reference in follow_up and "case-waiting_customer" in follow_up and 'data-check="' in follow_up


def test_a_mention_without_a_case_has_no_follow_up(operator: TestClient) -> None:
    mention_id = pasted(operator, "Спасибо, всё привезли горячим и вовремя!")
    assert 'id="follow-ups"' not in operator.get(f"/console/mentions/{mention_id}").text
    assert post(operator, f"/console/mentions/{mention_id}/follow-up").status_code == 404


def _eval_run(directory: Path) -> None:
    directory.mkdir(parents=True)
    results = {
        "meta": {"dataset": "smoke", "finished": "2026-11-20T10:00:00+00:00"},
        "summary": {"sentiment_macro_f1": {"value": 0.875, "higher_is_better": True, "n": 8}},
    }
    (directory / "results.json").write_text(json.dumps(results), encoding="utf-8")
    (directory / "report.html").write_text("<html><body>eval report smoke</body></html>", encoding="utf-8")


def test_qa_lists_eval_runs_and_opens_their_reports_but_nothing_else(
    browser_for, app: FastAPI, tmp_path: Path, operator: TestClient
) -> None:
    runs = tmp_path / "runs"
    _eval_run(runs / "eval-smoke")
    (tmp_path / "secret").mkdir()
    (tmp_path / "secret" / "report.html").write_text("not yours")
    app.state.api_settings = app.state.api_settings.model_copy(update={"eval_runs_dir": runs})
    qa = browser_for(Role.qa, OBED)
    page = qa.get("/console/evals").text
    assert "eval-smoke" in page and "0.875" in page and 'href="/console/evals/eval-smoke/report.html"' in page
    assert "eval report smoke" in qa.get("/console/evals/eval-smoke/report.html").text
    for sneaky in ("..%2Fsecret", "%2E%2E", "..", "eval-smoke%2F..%2F..%2Fsecret"):
        response = qa.get(f"/console/evals/{sneaky}/report.html")
        assert response.status_code == 404 and "not yours" not in response.text
    assert operator.get("/console/evals").status_code == 403
