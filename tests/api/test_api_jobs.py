"""Batch uploads through TestClient on the real offline components: JSON, JSON lines and CSV in,
202 at once, drafts out of the background worker; bad rows by line; brands kept apart; and
a job left by a server that stopped is finished by the next one over the same database."""

from __future__ import annotations

import csv
import io
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import event, func, select

from api import service
from api.keys import Role
from api.main import create_app
from api.settings import ApiSettings
from api.tables import JobItemRow, JobRow, MentionRow, ResultRow
from assistant.llm import make_chat_model
from assistant.pipeline import Components, with_language_model
from tests import fake_openai_server as fake
from tests.api.conftest import KEDR, NEGATIVE, OBED, mention, order_number
from tests.workbooks import xlsx

pytestmark = pytest.mark.storage  # also run against PostgreSQL and a Chroma server (.ci/scaleout.sh)

DEADLINE_S = 300  # generous: the machine is shared; the tests assert outcomes, never durations
QUESTION = "Подскажите, до скольки вы доставляете в Купчино?"
THANKS = "Спасибо, курьер Олег приехал раньше срока, всё горячее!"
JSONL = "application/x-ndjson"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def make_app(api_components: Components, db_settings: ApiSettings) -> Iterator[Callable[..., FastAPI]]:
    """Another app over the same database file: other settings or components, or a restart."""
    made: list[FastAPI] = []

    def make(components: Components = api_components, **settings: Any) -> FastAPI:
        made.append(create_app(components.settings, components, db_settings.model_copy(update=settings)))
        return made[-1]

    yield make
    for app in made:
        app.state.jobs.stop()


def _submit(client: TestClient, key: dict[str, str], expected: int = 202, **request: Any) -> dict:
    response = client.post("/jobs", headers={**key, **request.pop("headers", {})}, **request)
    assert response.status_code == expected, response.text
    return response.json()


def _jsonl(*rows: dict | str) -> bytes:
    return "\n".join(row if isinstance(row, str) else json.dumps(row, ensure_ascii=False) for row in rows).encode()


def _csv(*rows: list[str], delimiter: str = ",") -> bytes:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter).writerows(rows)
    return out.getvalue().encode()


def _wait_done(client: TestClient, headers: dict[str, str], job_id: str) -> dict:
    deadline = time.monotonic() + DEADLINE_S
    job = client.get(f"/jobs/{job_id}", headers=headers).json()
    while not job["done"] and time.monotonic() < deadline:
        time.sleep(0.1)
        job = client.get(f"/jobs/{job_id}", headers=headers).json()
    assert job["done"], job
    return job


def _results(client: TestClient, headers: dict[str, str], job_id: str, **params: Any) -> list[dict]:
    response = client.get(f"/jobs/{job_id}/results", headers=headers, params=params)
    assert response.status_code == 200, response.text
    return response.json()["data"]


# --- in and out ----------------------------------------------------------------------------------


def test_a_json_batch_is_stored_at_once_and_drafted_in_the_background(client: TestClient, obed_operator) -> None:
    negative = mention(NEGATIVE.format(order=order_number()), platform="vk", rating=1)
    response = client.post("/jobs", json=[negative, mention(QUESTION), mention(THANKS)], headers=obed_operator)
    assert response.status_code == 202, response.text
    job = response.json()
    assert response.headers["Location"] == job["url"] == f"/jobs/{job['id']}"
    assert (job["status"], job["done"], job["source"], job["brands"]) == ("queued", False, "json", [OBED])
    assert (job["rows"], job["accepted"], job["duplicates"], job["rejected"]) == (3, 3, 0, [])
    assert job["progress"] == {"pending": 3}  # stored before the answer, drafted after it

    done = _wait_done(client, obed_operator, job["id"])
    assert done["status"] == "done" and done["finished_at"] and "pending" not in done["progress"]
    results = _results(client, obed_operator, job["id"])
    assert [r["line"] for r in results] == [1, 2, 3]
    assert all(r["status"] in ("drafted", "no_reply") and r["error"] is None for r in results)
    first = client.get(f"/mentions/{results[0]['mention_id']}", headers=obed_operator).json()
    assert first["status"] == "drafted" and first["draft"]["text"] == results[0]["draft_text"]
    assert first["case"]["reference"] in results[0]["draft_text"]  # a negative: drafted and its case opened


def test_the_answer_shows_the_batch_as_received_though_a_worker_drafts_it_at_once(
    app: FastAPI, client: TestClient, api_components: Components, obed_operator
) -> None:
    """A worker that is already running may pick the job up the moment it is committed, before
    the 202 is written: the answer still shows every row pending, as stored."""
    seen = {"job_items": False, "drafted": ""}

    def note_job_items(session, _context) -> None:
        seen["job_items"] = seen["job_items"] or any(isinstance(row, JobItemRow) for row in session.new)

    def draft_one_at_once(_session) -> None:
        if seen["job_items"] and not seen["drafted"]:
            with app.state.sessions() as db:
                first = db.scalars(select(MentionRow).where(MentionRow.status == "pending")).first()
                seen["drafted"] = first.id  # before drafting: its own commits come back here
                service.draft_mention(db, api_components, first)

    event.listen(app.state.sessions, "after_flush", note_job_items)
    event.listen(app.state.sessions, "after_commit", draft_one_at_once)
    try:
        job = _submit(client, obed_operator, json=[mention(QUESTION), mention(THANKS)])
    finally:
        event.remove(app.state.sessions, "after_flush", note_job_items)
        event.remove(app.state.sessions, "after_commit", draft_one_at_once)
    assert seen["drafted"]  # the stand-in worker did draft a row of the job before the answer
    assert job["progress"] == {"pending": 2}
    assert _wait_done(client, obed_operator, job["id"])["progress"].keys() <= {"drafted", "no_reply"}


def test_jsonl_bad_rows_are_reported_by_line_and_the_good_ones_kept(client: TestClient, make_key) -> None:
    key = make_key(Role.operator, OBED, "pizza-planet")  # a key may name a brand the store does not hold
    body = _jsonl(
        mention(QUESTION),
        '{"brand": "obed-express", "text": "не закрыта кавычка}',
        {"brand": OBED, "author_name": "Ирина"},
        mention("Холодный суп", rating=9),
        mention("Суп холодный. " * 200),
        mention("Где заказ?", brand="pizza-planet"),
        mention("Перевод завис", brand=KEDR),
        mention("Холодный суп", platform="myspace"),
        mention("Холодный суп", id="mine"),
        mention(THANKS),
    )
    job = _submit(client, key, content=body, headers={"Content-Type": JSONL})
    assert (job["source"], job["rows"], job["accepted"], job["rejected_count"]) == ("jsonl", 10, 2, 8)
    rejected = {row["line"]: row["message"] for row in job["rejected"]}
    assert rejected[2].startswith("not valid JSON")
    assert rejected[3].startswith("text: Field required")
    assert rejected[4].startswith("rating: ")
    assert rejected[5] == "text: 2800 characters; the limit is 2000 (OTKLIK_MAX_TEXT_CHARS)"
    assert rejected[6].startswith("brand: unknown brand 'pizza-planet'; known brands:")
    assert rejected[7] == "brand: this key does not cover this row's brand"
    assert rejected[8].startswith("platform: ")
    assert rejected[9] == "id: Value error, Otklik assigns ids; put the source's own id in external_id"
    _wait_done(client, key, job["id"])
    assert [r["line"] for r in _results(client, key, job["id"])] == [1, 10]
    assert client.get("/mentions", headers=key).json()["count"] == 2


def test_a_csv_upload_with_the_russian_preset_imports_dates_and_platforms(client: TestClient, obed_operator) -> None:
    export = _csv(
        ["Дата", "Автор", "Текст", "Площадка", "Охват"],
        ["25.11.2026 14:05", "Ирина Соколова", NEGATIVE.format(order=order_number()), "ВКонтакте", "1200"],
        ["2026-11-26T09:30:00+03:00", "Ирина Соколова", QUESTION, "Яндекс Карты", "40"],
        delimiter=";",
    )
    files = {"file": ("export.csv", export, "text/csv")}
    job = _submit(client, obed_operator, files=files, data={"brand": OBED, "preset": "russian-export"})
    assert (job["source"], job["filename"], job["accepted"], job["rejected"]) == ("csv", "export.csv", 2, [])
    assert job["mapping"]["columns"]["текст"] == "text" and job["mapping"]["timezone"] == "Europe/Moscow"
    _wait_done(client, obed_operator, job["id"])
    found = [
        client.get(f"/mentions/{r['mention_id']}", headers=obed_operator).json()["mention"]
        for r in _results(client, obed_operator, job["id"])
    ]
    assert [(datetime.fromisoformat(m["created_at"]), m["platform"]) for m in found] == [
        (datetime(2026, 11, 25, 11, 5, tzinfo=UTC), "vk"),  # Moscow time: the preset's zone for dates without one
        (datetime(2026, 11, 26, 6, 30, tzinfo=UTC), "yandex_maps"),
    ]
    november = {"since": "2026-11-25T00:00:00Z", "until": "2026-11-26T00:00:00Z"}
    report = client.get("/mentions", params=november, headers=obed_operator).json()  # reports go by the date written
    assert [m["mention"]["text"] for m in report["data"]] == [found[0]["text"]]


def test_a_custom_mapping_and_a_raw_csv_body(client: TestClient, obed_operator) -> None:
    mapping = {"columns": {"Message": "text", "Where": "platform"}, "platforms": {"ВК": "vk"}}
    csv_body = _csv(["Message", "Where", "brand"], [QUESTION, "ВК", OBED], [THANKS, "Telegram", OBED])
    params = {"mapping": json.dumps(mapping, ensure_ascii=False)}
    job = _submit(client, obed_operator, content=csv_body, params=params, headers={"Content-Type": "text/csv"})
    assert job["accepted"] == 2 and job["mapping"]["platforms"] == {"вк": "vk"}
    english = _csv(["Text", "Source", "Author"], [NEGATIVE.format(order=order_number()), "vk.com", "Ирина Соколова"])
    job_en = _submit(
        client,
        obed_operator,
        files={"file": ("export.csv", english, "text/csv")},
        data={"brand": OBED, "preset": "english-export"},
    )
    for job_id in (job["id"], job_en["id"]):
        _wait_done(client, obed_operator, job_id)
    platforms = [
        client.get(f"/mentions/{r['mention_id']}", headers=obed_operator).json()["mention"]["platform"]
        for job_id in (job["id"], job_en["id"])
        for r in _results(client, obed_operator, job_id)
    ]
    assert platforms == ["vk", "telegram", "vk"]


def test_duplicates_inside_and_across_batches_are_one_mention(app: FastAPI, client: TestClient, obed_operator) -> None:
    first, second = mention(QUESTION, external_id="vk-1"), mention(THANKS, platform="telegram")
    job = _submit(client, obed_operator, json={"mentions": [first, second, {**first, "text": "правка автора"}]})
    assert (job["accepted"], job["duplicates"]) == (3, 1)
    again = _submit(client, obed_operator, json=[second, mention(NEGATIVE.format(order=order_number()))])
    assert (again["accepted"], again["duplicates"]) == (2, 1)
    for job_id in (job["id"], again["id"]):
        _wait_done(client, obed_operator, job_id)
    lines = {r["line"]: r for r in _results(client, obed_operator, job["id"])}
    assert lines[1]["mention_id"] == lines[3]["mention_id"] and not lines[3]["created"]
    assert _results(client, obed_operator, again["id"])[0]["mention_id"] == lines[2]["mention_id"]
    with app.state.sessions() as db:
        assert db.scalar(select(func.count()).select_from(MentionRow)) == 3
        drafts = db.execute(select(ResultRow.mention_id, func.count()).group_by(ResultRow.mention_id)).all()
    assert sorted(count for _mention, count in drafts) == [1, 1, 1]  # each drafted once


def test_results_are_paginated_in_line_order(client: TestClient, obed_operator) -> None:
    rows = [mention(f"Курьер {name} приехал вовремя, спасибо!") for name in ("Олег", "Иван", "Пётр", "Сергей", "Антон")]
    job = _submit(client, obed_operator, json=rows)
    _wait_done(client, obed_operator, job["id"])
    page = client.get(f"/jobs/{job['id']}/results", params={"limit": 2, "offset": 2}, headers=obed_operator).json()
    assert page["count"] == 5 and [r["line"] for r in page["data"]] == [3, 4]


# --- brands and keys -----------------------------------------------------------------------------


def test_a_key_sees_only_jobs_of_its_brands(client: TestClient, obed_operator, kedr_operator, make_key) -> None:
    obed_job = _submit(client, obed_operator, json=[mention(QUESTION)])
    kedr_job = _submit(client, kedr_operator, json=[mention("Какая ставка по вкладу на год?", brand=KEDR)])
    for headers, own, other in ((obed_operator, obed_job, kedr_job), (kedr_operator, kedr_job, obed_job)):
        assert [j["id"] for j in client.get("/jobs", headers=headers).json()["data"]] == [own["id"]]
        for path in (f"/jobs/{other['id']}", f"/jobs/{other['id']}/results"):
            denied = client.get(path, headers=headers)
            assert denied.status_code == 403 and OBED not in denied.text and KEDR not in denied.text
    listing = client.get("/jobs", headers=make_key(Role.admin)).json()
    assert listing["count"] == 2 and {j["id"] for j in listing["data"]} == {obed_job["id"], kedr_job["id"]}
    assert client.get("/jobs", params={"brand": OBED}, headers=kedr_operator).status_code == 403
    assert client.get("/jobs/no-such-job", headers=obed_operator).status_code == 404


def test_rows_of_another_brand(client: TestClient, obed_operator, kedr_operator, make_key) -> None:
    only_theirs = client.post("/jobs", json=[mention(QUESTION), mention(THANKS)], headers=kedr_operator)
    assert only_theirs.status_code == 403 and OBED not in only_theirs.text
    mixed = _submit(client, kedr_operator, json=[mention(QUESTION), mention("Перевод завис на сутки", brand=KEDR)])
    assert mixed["accepted"] == 1 and mixed["rejected"] == [
        {"line": 1, "message": "brand: this key does not cover this row's brand"}
    ]
    assert (
        client.post("/jobs", json=[mention(QUESTION)], params={"brand": OBED}, headers=kedr_operator).status_code == 403
    )
    assert client.get("/mentions", headers=obed_operator).json()["count"] == 0  # nothing of obed-express stored
    qa = client.post("/jobs", json=[mention(QUESTION)], headers=make_key(Role.qa, OBED))
    assert qa.status_code == 403 and qa.json() == {"detail": "role 'qa' may not submit"}


def test_an_unknown_default_brand_is_named(client: TestClient, make_key) -> None:
    response = client.post(
        "/jobs", json=[{"text": QUESTION}], params={"brand": "pizza-planet"}, headers=make_key(Role.admin)
    )
    assert response.status_code == 422, response.text
    [error] = response.json()["detail"]
    assert error["loc"] == ["query", "brand"] and "pizza-planet" in error["msg"] and OBED in error["msg"]


def test_monitoring_exports_as_workbooks(client: TestClient, obed_operator) -> None:
    """A Brand Analytics workbook as a file and a YouScan one as a raw body (the zip signature is
    enough): every row kept, the export's own columns set aside, the new platforms read."""
    complaint = NEGATIVE.format(order=order_number())
    analytics = xlsx(
        [
            ["Дата", "Автор", "Текст", "Источник", "Тональность", "Тип сообщения", "Аудитория"],
            [datetime(2026, 11, 25, 14, 5), "Ирина", complaint, "Ozon", "Негатив", "Отзыв", 10],
            [datetime(2026, 11, 25, 15, 0), "Олег", THANKS, "Google Play", "Позитив", "Отзыв", 20],
        ]
    )
    files = {"file": ("export.xlsx", analytics, XLSX)}
    job = _submit(client, obed_operator, files=files, data={"brand": OBED, "preset": "brand-analytics"})
    assert (job["source"], job["accepted"], job["rejected"]) == ("xlsx", 2, [])
    youscan = xlsx(
        [
            ["Date", "Source", "Post type", "Author", "Text", "Sentiment", "Engagement"],
            ["2026-11-25T11:05:00Z", "x.com", "Post", "@irina", QUESTION, "neutral", 4],
            ["2026-11-25T12:00:00Z", "youtube.com", "Comment", "Oleg", THANKS + " Видео супер", "positive", 1],
        ]
    )
    octet = {"Content-Type": "application/octet-stream"}
    raw = _submit(client, obed_operator, content=youscan, params={"brand": OBED, "preset": "youscan"}, headers=octet)
    assert (raw["source"], raw["accepted"], raw["rejected"]) == ("xlsx", 2, [])
    for job_id in (job["id"], raw["id"]):
        _wait_done(client, obed_operator, job_id)
    found = [
        client.get(f"/mentions/{r['mention_id']}", headers=obed_operator).json()["mention"]
        for job_id in (job["id"], raw["id"])
        for r in _results(client, obed_operator, job_id)
    ]
    assert [m["platform"] for m in found] == ["ozon", "google_play", "twitter", "youtube"]
    assert datetime.fromisoformat(found[0]["created_at"]) == datetime(2026, 11, 25, 11, 5, tzinfo=UTC)


# --- bad uploads ---------------------------------------------------------------------------------


def _error(response: Any, status: int) -> dict:
    assert response.status_code == status, response.text
    assert "Traceback" not in response.text
    body = response.json()
    return body["detail"][0] if isinstance(body["detail"], list) else body


@pytest.mark.parametrize(
    ("request_kwargs", "status", "loc", "fragment"),
    [
        ({"content": b"[{", "headers": {"Content-Type": "application/json"}}, 422, ["body"], "not valid JSON"),
        ({"content": b'"x"', "headers": {"Content-Type": "application/json"}}, 422, ["body"], "expected a JSON list"),
        (
            {"files": {"file": ("export.csv", "text\nПривет\n".encode("cp1251"), "text/csv")}},
            422,
            ["body", "file"],
            "not UTF-8 text: byte 0xcf on line 2",
        ),
        (
            {"content": b"message\nhi\n", "headers": {"Content-Type": "text/csv"}},
            422,
            ["body"],
            "needs a 'text' column",
        ),
        ({"json": [mention("x")], "params": {"preset": "brandwatch"}}, 422, ["query", "preset"], "'brandwatch'"),
        ({"json": [mention("x")], "params": {"mapping": "{"}}, 422, ["query", "mapping"], "not valid JSON"),
        ({"json": [mention("x")], "params": {"mapping": "[]"}}, 422, ["query", "mapping"], "a JSON object"),
        (
            {"json": [mention("x")], "params": {"mapping": '{"columns": {"Текст": "txt"}}'}},
            422,
            ["query", "mapping", "columns"],
            "'Текст' -> 'txt'",
        ),
        (
            {"files": {"file": ("e.csv", b"text\nhi\n", "text/csv")}, "data": {"mapping": '{"timezone": "Mars"}'}},
            422,
            ["body", "mapping", "timezone"],
            "Mars",
        ),
        ({"files": {"brand": (None, OBED)}}, 422, ["body", "file"], "a file in the field 'file'"),
        ({"files": {"upload": ("e.csv", b"text\n", "text/csv")}}, 422, ["body", "upload"], "unknown form field"),
        ({"json": [{"text": "x"}, {"brand": OBED}]}, 422, ["body"], "brand: Field required"),
        ({"json": []}, 422, ["body"], "no rows"),
        ({"content": b"text\nhi", "headers": {"Content-Type": "text/plain"}}, 415, None, "'text/plain'"),
        ({"files": {"file": ("export.pdf", b"%PDF-1.7", "application/pdf")}}, 415, None, "export.pdf"),
        (
            {"files": {"file": ("export.xlsx", b"PK\x03\x04" + bytes(64), XLSX)}},
            422,
            ["body", "file"],
            "not a readable .xlsx workbook",
        ),
        (
            {"files": {"file": ("export.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(64), XLSX)}},
            422,
            ["body", "file"],
            "an old Excel .xls workbook",
        ),
        ({"content": xlsx([]), "headers": {"Content-Type": XLSX}}, 422, ["body"], "is empty"),
        (
            {"content": b"text\nhi\n", "headers": {"Content-Type": "application/octet-stream"}},
            415,
            None,
            "no .xlsx workbook",
        ),
    ],
    ids=[
        "json-syntax",
        "json-shape",
        "invalid-utf8",
        "csv-without-text",
        "unknown-preset",
        "mapping-not-json",
        "mapping-not-object",
        "mapping-unknown-field",
        "mapping-bad-zone",
        "form-without-file",
        "unknown-form-field",
        "no-good-row",
        "no-rows",
        "unsupported-type",
        "unsupported-file",
        "broken-xlsx",
        "xls-named-xlsx",
        "empty-sheet",
        "octet-stream-not-xlsx",
    ],
)
def test_a_bad_upload_is_a_clear_4xx(
    client: TestClient, obed_operator, request_kwargs: dict, status: int, loc: list | None, fragment: str
) -> None:
    headers = {**obed_operator, **request_kwargs.pop("headers", {})}
    error = _error(client.post("/jobs", headers=headers, **request_kwargs), status)
    if loc is not None:
        assert error["loc"] == loc
    assert fragment in (error.get("msg") or error["detail"])
    assert client.get("/jobs", headers=obed_operator).json()["count"] == 0


def test_the_upload_limits_are_413(make_app, obed_operator) -> None:
    client = TestClient(make_app(max_upload_rows=3, max_upload_bytes=2048), raise_server_exceptions=False)
    rows = [mention(f"Отзыв номер {n}") for n in range(4)]
    too_many = _error(client.post("/jobs", json=rows, headers=obed_operator), 413)
    assert too_many["msg"] == "the upload has 4 rows; the limit is 3 (OTKLIK_MAX_UPLOAD_ROWS)"
    too_big = _error(client.post("/jobs", json=[mention("Суп " * 600)], headers=obed_operator), 413)
    assert "the limit is 2048 bytes (OTKLIK_MAX_UPLOAD_BYTES)" in too_big["msg"]
    big_file = {"file": ("e.csv", b"text\n" + "Суп ".encode() * 600, "text/csv")}
    assert _error(client.post("/jobs", files=big_file, headers=obed_operator), 413)["loc"] == ["body"]


def test_ten_thousand_rows_are_accepted(make_app, obed_operator) -> None:
    client = TestClient(make_app(background_jobs=False), raise_server_exceptions=False)
    export = "external_id,text\n" + "".join(f"r-{n},Отзыв номер {n}: курьер опоздал\n" for n in range(10_000))
    job = _submit(client, obed_operator, files={"file": ("big.csv", export.encode(), "text/csv")}, data={"brand": OBED})
    assert (job["rows"], job["accepted"], job["progress"]) == (10_000, 10_000, {"pending": 10_000})


# --- the worker: failures and restarts -----------------------------------------------------------


class _FailsOn:
    """A classifier that fails on one text and defers to the real one otherwise."""

    def __init__(self, real: Any, text: str) -> None:
        self.real, self.text, self.name = real, text, "fails-on"

    def classify(self, mention: Any, *args: Any) -> Any:
        if mention.text == self.text:
            raise RuntimeError("the model server fell over")
        return self.real.classify(mention, *args)


def test_a_failed_draft_is_recorded_and_the_job_goes_on(make_app, api_components: Components, obed_operator) -> None:
    fails = mention("Где мой заказ? Жду уже три часа!", platform="telegram")
    flaky = make_app(replace(api_components, classifier=_FailsOn(api_components.classifier, fails["text"])))
    client = TestClient(flaky, raise_server_exceptions=False)
    job = _submit(client, obed_operator, json=[mention(QUESTION), fails, mention(THANKS)])
    done = _wait_done(client, obed_operator, job["id"])
    assert done["progress"].get("failed") == 1 and sum(done["progress"].values()) == 3
    failed = _results(client, obed_operator, job["id"])[1]
    assert failed["status"] == "failed" and "fell over" in failed["error"] and failed["draft_text"] is None

    healthy = TestClient(make_app(), raise_server_exceptions=False)  # the model is back: send the row again
    again = _submit(healthy, obed_operator, json=[fails])
    assert again["duplicates"] == 1 and again["progress"] == {"pending": 1}
    _wait_done(healthy, obed_operator, again["id"])
    assert _results(healthy, obed_operator, again["id"])[0]["status"] in ("drafted", "no_reply")


@pytest.mark.parametrize("start", ["lifespan", "first-request"])
def test_a_job_left_unfinished_is_drafted_after_a_restart(make_app, obed_operator, start: str) -> None:
    """A server that stored a job and stopped mid-batch (one row drafted, the job running); the next
    one over the same database finishes it, each mention once."""
    stopped = make_app(background_jobs=False)
    rows = [mention(NEGATIVE.format(order=order_number())), mention(QUESTION), mention(THANKS)]
    job = _submit(TestClient(stopped), obed_operator, json=rows)
    with stopped.state.sessions() as db:
        first = db.get(MentionRow, _results(TestClient(stopped), obed_operator, job["id"])[0]["mention_id"])
        service.draft_mention(db, stopped.state.components, first)
        db.get(JobRow, job["id"]).status = "running"
        db.commit()
    assert TestClient(stopped).get(f"/jobs/{job['id']}", headers=obed_operator).json()["progress"]["pending"] == 2

    restarted = make_app()
    if start == "lifespan":
        with TestClient(restarted) as client:
            done = _wait_done(client, obed_operator, job["id"])
    else:
        done = _wait_done(TestClient(restarted), obed_operator, job["id"])
    assert done["accepted"] == 3 and "pending" not in done["progress"]
    with restarted.state.sessions() as db:
        assert db.scalar(select(func.count()).select_from(MentionRow)) == 3
        assert db.scalar(select(func.count()).select_from(ResultRow)) == 3  # the drafted row was not drafted again


# --- the model server down for a whole batch ---------------------------------------------------


@pytest.fixture
def dead_model_server() -> Iterator[str]:
    """The scripted OpenAI-compatible server, answering every call with a 503."""
    scripted = fake.FakeOpenAI()
    url = scripted.start()
    scripted.always = fake.failure(503)
    yield url
    scripted.stop()


def test_a_batch_with_the_model_down_loses_nothing_and_says_so(
    make_app, api_components: Components, dead_model_server: str, obed_operator
) -> None:
    """Every row is drafted by the offline fallback, marked as such with the reason; the circuit
    breaker stops calling the dead server after a few failures."""
    llm_settings = api_components.settings.model_copy(
        update={"model": "openai", "base_url": dead_model_server, "max_retries": 0, "breaker_failures": 3}
    )
    with_model = with_language_model(replace(api_components, settings=llm_settings), make_chat_model(llm_settings))
    client = TestClient(make_app(with_model), raise_server_exceptions=False)
    rows = [mention(NEGATIVE.format(order=order_number()), external_id=f"down-{n}") for n in range(6)]
    job = _wait_done(client, obed_operator, _submit(client, obed_operator, json=rows)["id"])
    assert job["progress"] == {"drafted": len(rows)}
    for result in _results(client, obed_operator, job["id"]):
        found = client.get(f"/mentions/{result['mention_id']}", headers=obed_operator).json()
        assert found["classification"]["backend"] == "offline-fallback"
        assert found["draft"]["backend"] == "offline-fallback" and found["draft"]["text"]
        assert any("language model unavailable" in w for w in found["draft"]["warnings"])
