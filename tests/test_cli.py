"""The `otklik` command line through the real offline default: real Chroma in a temporary
data directory, real embeddings, `otklik.cli.main` called in-process.

`otklik ingest knowledge/brands` runs once per module. Every in-process call shares the
session's loaded embedder (the same real model, loaded once instead of once per command);
the subprocess test runs the installed console script with nothing shared.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from assistant.classify import OfflineClassifier
from assistant.config import REPO_ROOT, Settings
from assistant.models import Classification, Mention
from knowledge.brands import load_brand
from knowledge.embeddings import Embedder
from knowledge.store import KnowledgeStore, make_client
from otklik.cli import main
from tests.conftest import BRANDS_DIR
from tests.workbooks import xlsx

BRANDS = ("kedr-bank", "obed-express")
TRACEBACK = "Traceback"

OBED_COMPLAINT = "Заказ 48213 привезли через два часа, суп холодный"
BANK_MENTIONS = [
    {
        "id": "b-1",
        "text": "Карту заблокировали без объяснений, в отделении ничем не помогли",
        "author_name": "Олег",
        "rating": 1,
        "platform": "otzovik",
    },
    {"id": "b-2", "text": "Какая ставка по вкладу на год? И можно ли пополнять?", "platform": "telegram"},
    {"id": "b-3", "text": "Спасибо Кедр Банку, перевод дошёл за минуту, в приложении всё понятно", "rating": 5},
]


def _isolate(patch: pytest.MonkeyPatch, data_dir: Path, embedder: Embedder) -> None:
    """Point the CLI at data_dir (and nothing else from the environment); share the loaded model."""
    for name in list(os.environ):
        if name.startswith("OTKLIK_"):
            patch.delenv(name)
    patch.setenv("OTKLIK_DATA_DIR", str(data_dir))
    patch.setattr("otklik.cli.Embedder", lambda: embedder)
    patch.setattr("assistant.pipeline.Embedder", lambda: embedder)


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Iterator[tuple[Path, int, str]]:
    """A data directory where `otklik ingest knowledge/brands` ran once: (dir, exit code, stdout)."""
    data_dir = tmp_path_factory.mktemp("cli-data")
    out = io.StringIO()
    with pytest.MonkeyPatch.context() as patch, contextlib.redirect_stdout(out):
        _isolate(patch, data_dir, embedder)
        code = main(["ingest", str(BRANDS_DIR)])
    yield data_dir, code, out.getvalue()


@pytest.fixture
def data_dir(ingested: tuple[Path, int, str], embedder: Embedder, monkeypatch: pytest.MonkeyPatch) -> Path:
    _isolate(monkeypatch, ingested[0], embedder)
    return ingested[0]


def _write_jsonl(path: Path, rows: list[dict | str]) -> Path:
    lines = [row if isinstance(row, str) else json.dumps(row, ensure_ascii=False) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _assert_one_line_error(err: str, *fragments: str) -> None:
    assert TRACEBACK not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("otklik: error: ")
    for fragment in fragments:
        assert fragment in lines[0]


# --- ingest and brands -----------------------------------------------------------------------


def test_ingest_loads_both_demo_brands(ingested: tuple[Path, int, str]) -> None:
    _data_dir, code, out = ingested
    assert code == 0
    lines = out.strip().splitlines()
    assert len(lines) == 2
    for brand, line in zip(BRANDS, lines, strict=True):
        assert line.startswith(f"ingested {brand}: ")
        assert re.search(r"facts [1-9]\d*", line)


def test_brands_lists_both(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["brands"]) == 0
    out = capsys.readouterr().out
    assert "Кедр Банк" in out and "Обед Экспресс" in out
    assert [line.split()[0] for line in out.strip().splitlines()] == list(BRANDS)


def test_ingest_stops_before_overwriting_api_edits(
    data_dir: Path, embedder: Embedder, capsys: pytest.CaptureFixture[str]
) -> None:
    store = KnowledgeStore(make_client(Settings()), embedder)
    brand = store.load_brand("obed-express")
    voice = brand.voice.model_copy(deep=True)
    voice.languages["ru"].avoid_words.append("в кратчайшие сроки")
    store.update_brand(brand.model_copy(update={"voice": voice}))  # what PUT /brands/obed-express/voice does
    folder = str(BRANDS_DIR / "obed-express")
    assert main(["ingest", folder]) == 1
    _assert_one_line_error(capsys.readouterr().err, "obed-express", "voice", "--force")
    assert main(["ingest", "--force", folder]) == 0
    assert store.load_brand("obed-express").voice == load_brand(BRANDS_DIR / "obed-express").voice


def test_brands_json_parses(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["brands", "--json"]) == 0
    profiles = json.loads(capsys.readouterr().out)
    assert [p["id"] for p in profiles] == list(BRANDS)
    assert all(p["name"] and p["contact_channels"] for p in profiles)


def test_brands_on_an_empty_store_says_how_to_ingest(
    tmp_path: Path, embedder: Embedder, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _isolate(monkeypatch, tmp_path / "empty", embedder)
    assert main(["brands"]) == 0
    assert "otklik ingest knowledge/brands" in capsys.readouterr().out


# --- draft: one mention ----------------------------------------------------------------------


def test_draft_one_mention(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["draft", "--brand", "obed-express", "--author", "Ирина", "--platform", "vk", "--rating", "2"]
    assert main([*argv, OBED_COMPLAINT]) == 0
    out = capsys.readouterr().out
    assert "· obed-express · vk · Ирина 2★" in out
    assert "actions: reply" in out
    draft = "\n".join(line.removeprefix("   │ ") for line in out.splitlines() if line.startswith("   │"))
    assert draft, out
    assert "Ирина" in draft
    case = re.search(r"· case (OE-\d{4}-[A-Z0-9]+) ·", out)
    assert case, out
    assert case.group(1) in draft  # the reply names its tracked case (rule 5)


def test_draft_json(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["draft", "--json", "--brand", "obed-express", "--author", "Ирина", "--rating", "2", OBED_COMPLAINT]
    assert main(argv) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["mention"]["author_name"] == "Ирина"
    assert result["classification"]["sentiment"] == "negative"
    assert "reply" in result["decision"]["actions"]
    draft = result["draft"]
    assert "Ирина" in draft["text"]
    assert draft["case_ref"] and draft["case_ref"] in draft["text"]
    assert draft["checks"] and all({"name", "passed"} <= check.keys() for check in draft["checks"])


# --- draft: files ----------------------------------------------------------------------------


def test_draft_jsonl_batch(data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = _write_jsonl(tmp_path / "mentions.jsonl", BANK_MENTIONS)
    target = tmp_path / "drafts.jsonl"
    assert main(["draft", "--brand", "kedr-bank", "--input", str(source), "--output", str(target)]) == 0
    results = _read_jsonl(target)
    assert [r["mention"]["id"] for r in results] == ["b-1", "b-2", "b-3"]
    assert {r["mention"]["brand"] for r in results} == {"kedr-bank"}
    assert all({"classification", "decision", "draft"} <= r.keys() for r in results)
    assert results[0]["draft"]["text"]
    assert f"wrote 3 results to {target}" in capsys.readouterr().err
    assert not (tmp_path / "drafts.jsonl.part").exists()


def test_a_mention_that_breaks_the_chain_fails_alone(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """An unexpected error on one row is reported with its line; the other rows are written."""
    classify = OfflineClassifier.classify

    def breaks_on_the_second(self: OfflineClassifier, mention: Mention, *args: Any) -> Classification:
        if mention.id == "b-2":
            raise RuntimeError("the classifier broke")
        return classify(self, mention, *args)

    monkeypatch.setattr(OfflineClassifier, "classify", breaks_on_the_second)
    source = _write_jsonl(tmp_path / "mentions.jsonl", BANK_MENTIONS)
    target = tmp_path / "drafts.jsonl"
    code = main(["draft", "--brand", "kedr-bank", "--input", str(source), "--output", str(target)])
    assert code != 0
    assert [r["mention"]["id"] for r in _read_jsonl(target)] == ["b-1", "b-3"]
    err = capsys.readouterr().err
    assert f"otklik: {source}:2: failed: RuntimeError: the classifier broke" in err
    assert TRACEBACK not in err


def test_draft_csv_batch(data_dir: Path, tmp_path: Path) -> None:
    source = tmp_path / "mentions.csv"
    with source.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=["id", "text", "author_name", "rating", "platform"])
        writer.writeheader()
        writer.writerows(BANK_MENTIONS)  # empty cells for the missing fields
    target = tmp_path / "drafts.jsonl"
    assert main(["draft", "--brand", "kedr-bank", "--input", str(source), "--output", str(target)]) == 0
    results = _read_jsonl(target)
    assert [r["mention"]["id"] for r in results] == ["b-1", "b-2", "b-3"]
    assert results[0]["mention"]["rating"] == 1 and results[0]["mention"]["author_name"] == "Олег"
    assert results[1]["mention"]["rating"] is None and results[1]["mention"]["author_name"] is None


def test_draft_a_brand_analytics_workbook(data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "export.xlsx"
    source.write_bytes(
        xlsx(
            [
                ["Дата", "Автор", "Текст", "Источник", "Тональность", "Тип сообщения", "Аудитория"],
                ["25.11.2026 14:05", "Олег", BANK_MENTIONS[0]["text"], "x.com", "Негатив", "Пост", 1200],
                ["25.11.2026 15:00", "Анна", BANK_MENTIONS[2]["text"], "Google Play", "Позитив", "Отзыв", 10],
            ]
        )
    )
    target = tmp_path / "drafts.jsonl"
    options = ["--preset", "brand-analytics", "--input", str(source), "--output", str(target)]
    assert main(["draft", "--brand", "kedr-bank", *options]) == 0
    results = _read_jsonl(target)
    platforms = [(r["mention"]["author_name"], r["mention"]["platform"]) for r in results]
    assert platforms == [("Олег", "twitter"), ("Анна", "google_play")]
    limits = [next(c["detail"] for c in r["draft"]["checks"] if c["name"] == "length") for r in results]
    assert [detail.split(" of ")[1] for detail in limits] == ["280 characters", "350 characters"]
    err = capsys.readouterr().err
    assert f"{source}: warning: set aside fields Otklik does not know: Аудитория, Тип сообщения, Тональность" in err
    assert TRACEBACK not in err and "skipped" not in err


@pytest.mark.parametrize(
    ("bad_row", "message"),
    [
        ({"id": "bad", "text": ""}, "text"),
        ({"id": "bad", "text": "Всё плохо", "rating": 9}, "rating"),
        ('{"id": "bad", "text": "не закрыта кавычка}', "not valid JSON"),
    ],
    ids=["empty-text", "bad-rating", "invalid-json"],
)
def test_batch_with_a_bad_row_keeps_the_good_ones(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], bad_row: dict | str, message: str
) -> None:
    source = _write_jsonl(tmp_path / "mentions.jsonl", [BANK_MENTIONS[0], bad_row, BANK_MENTIONS[1]])
    target = tmp_path / "drafts.jsonl"
    code = main(["draft", "--brand", "kedr-bank", "--input", str(source), "--output", str(target)])
    assert code != 0
    assert [r["mention"]["id"] for r in _read_jsonl(target)] == ["b-1", "b-2"]
    err = capsys.readouterr().err
    assert TRACEBACK not in err
    skipped = [line for line in err.splitlines() if "skipped" in line]
    assert len(skipped) == 1
    assert skipped[0].startswith(f"otklik: {source}:2: skipped: ")
    assert message in skipped[0]


def test_csv_batch_reports_the_bad_rows_line(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "mentions.csv"
    source.write_text(
        "id,text,rating\nc-1,Перевод завис второй день,2\nc-2,Всё плохо,десять\nc-3,Отличный банк,5\n", encoding="utf-8"
    )
    target = tmp_path / "drafts.jsonl"
    assert main(["draft", "--brand", "kedr-bank", "--input", str(source), "--output", str(target)]) != 0
    assert [r["mention"]["id"] for r in _read_jsonl(target)] == ["c-1", "c-3"]
    err = capsys.readouterr().err
    assert f"otklik: {source}:3: skipped: rating" in err
    assert TRACEBACK not in err


# --- classify --------------------------------------------------------------------------------


def test_classify_file_without_brand(data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = _write_jsonl(tmp_path / "mentions.jsonl", BANK_MENTIONS)
    target = tmp_path / "classes.jsonl"
    assert main(["classify", "--input", str(source), "--output", str(target)]) == 0
    rows = _read_jsonl(target)
    assert [row["id"] for row in rows] == ["b-1", "b-2", "b-3"]
    assert all(row["sentiment"] in ("positive", "neutral", "negative") for row in rows)
    assert rows[0]["sentiment"] == "negative" and rows[2]["sentiment"] == "positive"
    assert rows[1]["is_question"] is True
    assert f"wrote 3 classifications to {target}" in capsys.readouterr().err


def test_classify_with_brand_and_bad_rows(data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows: list[dict | str] = [BANK_MENTIONS[0], {"id": "x"}, {"id": "y", "text": "   "}, '["a"]', BANK_MENTIONS[2]]
    source = _write_jsonl(tmp_path / "mentions.jsonl", rows)
    target = tmp_path / "classes.jsonl"
    assert main(["classify", "--brand", "kedr-bank", "--input", str(source), "--output", str(target)]) != 0
    assert [row["id"] for row in _read_jsonl(target)] == ["b-1", "b-3"]
    err = capsys.readouterr().err
    assert f"otklik: {source}:2: skipped: text: Field required" in err
    assert f"otklik: {source}:3: skipped: text: Value error, text is empty" in err
    assert f"otklik: {source}:4: skipped: expected a JSON object" in err
    assert TRACEBACK not in err


# --- errors: one line, non-zero, never a traceback -------------------------------------------


def test_unknown_brand_names_the_known_ones(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["draft", "--brand", "no-such-brand", "Где мой заказ?"]) != 0
    captured = capsys.readouterr()
    assert captured.out == ""
    _assert_one_line_error(captured.err, "no-such-brand", *BRANDS)


def test_unknown_brand_in_a_batch(data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = _write_jsonl(tmp_path / "mentions.jsonl", BANK_MENTIONS)
    target = tmp_path / "drafts.jsonl"
    assert main(["draft", "--brand", "no-such-brand", "--input", str(source), "--output", str(target)]) != 0
    _assert_one_line_error(capsys.readouterr().err, "no-such-brand", *BRANDS)
    assert not target.exists()


@pytest.mark.parametrize(
    ("argv", "fragments"),
    [
        (["draft", "--brand", "obed-express", ""], ["text"]),
        (["draft", "--brand", "obed-express", "   "], ["text"]),
        (["draft", "Где мой заказ?"], ["--brand"]),
        (["draft", "--brand", "Not A Slug", "Где мой заказ?"], ["brand"]),
        (["draft", "--brand", "kedr-bank", "--input", "{tmp}/missing.jsonl"], ["missing.jsonl", "no such file"]),
        (["classify", "--input", "{tmp}/missing.jsonl", "--output", "{tmp}/out.jsonl"], ["no such file"]),
        (["draft", "--brand", "kedr-bank", "--input", "{tmp}/mentions.txt"], ["unknown file type", ".txt"]),
        (["draft", "--brand", "kedr-bank", "--input", "{tmp}/empty.jsonl"], ["no valid mentions"]),
        (["draft", "--brand", "kedr-bank", "--input", "{tmp}/no-text.csv"], ["text"]),
        (["draft", "--brand", "kedr-bank", "--input", "{tmp}/broken.xlsx"], ["broken.xlsx", "not a readable .xlsx"]),
        (["draft", "--brand", "kedr-bank", "--input", "{tmp}/old.xlsx"], ["old.xlsx", "an old Excel .xls workbook"]),
        (["classify", "--input", "{tmp}/empty.xlsx", "--output", "{tmp}/o.jsonl"], ["empty.xlsx", "is empty"]),
        (
            ["draft", "--brand", "kedr-bank", "--input", "{tmp}/ok.jsonl", "--output", "{tmp}/nodir/o.jsonl"],
            ["cannot be written"],
        ),
        (["ingest", "{tmp}"], ["no brand.yaml"]),
        (["demo", "--samples", "{tmp}/missing.jsonl"], ["no such file"]),
    ],
    ids=[
        "empty-text",
        "blank-text",
        "no-brand",
        "bad-brand-id",
        "missing-input",
        "classify-missing-input",
        "unknown-extension",
        "empty-file",
        "csv-without-text-column",
        "broken-xlsx",
        "xls-named-xlsx",
        "empty-sheet",
        "unwritable-output",
        "ingest-no-brand-folder",
        "demo-missing-samples",
    ],
)
def test_input_errors_are_one_line(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], fragments: list[str]
) -> None:
    (tmp_path / "mentions.txt").write_text('{"text": "Где мой заказ?"}\n', encoding="utf-8")
    (tmp_path / "empty.jsonl").write_text("\n", encoding="utf-8")
    (tmp_path / "no-text.csv").write_text("id,message\n1,Где мой заказ?\n", encoding="utf-8")
    (tmp_path / "broken.xlsx").write_bytes(b"PK\x03\x04" + bytes(64))  # a zip signature, then nothing
    (tmp_path / "old.xlsx").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(64))
    (tmp_path / "empty.xlsx").write_bytes(xlsx([]))
    _write_jsonl(tmp_path / "ok.jsonl", BANK_MENTIONS[:1])
    assert main([arg.replace("{tmp}", str(tmp_path)) for arg in argv]) != 0
    _assert_one_line_error(capsys.readouterr().err, *fragments)


def test_unusable_data_dir_is_one_line(
    tmp_path: Path, embedder: Embedder, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    not_a_dir = tmp_path / "data"
    not_a_dir.write_text("a file, not a directory", encoding="utf-8")
    _isolate(monkeypatch, not_a_dir, embedder)
    assert main(["brands"]) != 0
    _assert_one_line_error(capsys.readouterr().err, str(not_a_dir))


def test_bad_setting_is_one_line(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("OTKLIK_RETRIEVAL_TOKEN_BUDGET", "5")
    assert main(["brands"]) != 0
    _assert_one_line_error(capsys.readouterr().err, "retrieval_token_budget")


def test_no_arguments_prints_usage(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) != 0
    captured = capsys.readouterr()
    assert "usage: otklik" in captured.out + captured.err
    for command in ("draft", "classify", "ingest", "brands", "demo"):
        assert command in captured.out + captured.err


@pytest.mark.parametrize(
    "argv",
    [["draft", "--rating", "7", "текст"], ["draft", "--platform", "myspace", "текст"], ["classify"], ["frobnicate"]],
    ids=["rating-out-of-range", "unknown-platform", "classify-without-files", "unknown-command"],
)
def test_bad_arguments_exit_with_usage(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(argv)
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert "usage: otklik" in err and TRACEBACK not in err


# --- demo ------------------------------------------------------------------------------------


def test_demo_with_a_small_samples_file(data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    samples = REPO_ROOT / "samples" / "mentions.jsonl"
    three = samples.read_text(encoding="utf-8").splitlines()[:3]
    small = tmp_path / "three.jsonl"
    small.write_text("\n".join(three) + "\n", encoding="utf-8")
    assert main(["demo", "--samples", str(small)]) == 0
    captured = capsys.readouterr()
    ids = [json.loads(line)["id"] for line in three]
    for mention_id in ids:
        assert f"── {mention_id} · " in captured.out
    assert captured.out.count("   draft:") >= 1
    summary = captured.out.strip().splitlines()[-1]
    assert re.match(r"3 mentions · \d drafts \(\d passed every check\) · ", summary), summary
    assert all(f"ingested {brand}" in captured.err for brand in BRANDS)


def test_demo_keeps_knowledge_edited_through_the_api(
    tmp_path: Path, embedder: Embedder, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`make run` on a machine where a brand owner edited a voice guide: it drafts with the edit."""
    _isolate(monkeypatch, tmp_path, embedder)
    assert main(["ingest", str(BRANDS_DIR)]) == 0
    store = KnowledgeStore(make_client(Settings(_env_file=None)), embedder)
    brand = load_brand(BRANDS_DIR / "obed-express")
    voice = brand.voice.model_copy(deep=True)
    voice.languages["ru"].avoid_words.append("в кратчайшие сроки")
    store.update_brand(brand.model_copy(update={"voice": voice}))
    small = tmp_path / "one.jsonl"
    small.write_text((REPO_ROOT / "samples" / "mentions.jsonl").read_text(encoding="utf-8").splitlines()[0] + "\n")
    assert main(["demo", "--samples", str(small)]) == 0
    assert "obed-express: the store's API edits are kept" in capsys.readouterr().err
    assert "в кратчайшие сроки" in store.load_brand("obed-express").voice.languages["ru"].avoid_words


# --- the installed console script --------------------------------------------------------------


def test_console_script(ingested: tuple[Path, int, str]) -> None:
    script = Path(sys.executable).parent / "otklik"
    command = [str(script)] if script.exists() else [sys.executable, "-m", "otklik"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("OTKLIK_")} | {"OTKLIK_DATA_DIR": str(ingested[0])}

    def otklik(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*command, *args], env=env, cwd=REPO_ROOT, capture_output=True, text=True, timeout=300)

    listed = otklik("brands")
    assert listed.returncode == 0, listed.stderr
    assert [line.split()[0] for line in listed.stdout.strip().splitlines()] == list(BRANDS)

    failed = otklik("draft", "--brand", "no-such-brand", "Где мой заказ?")
    assert failed.returncode != 0
    assert failed.stdout == ""
    _assert_one_line_error(failed.stderr, "no-such-brand", *BRANDS)


def test_rows_of_an_unknown_brand_are_skipped_and_reported(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [
        {"id": "m1", "brand": "kedr-bank", "text": "Карту заблокировали без объяснений"},
        {"id": "m2", "brand": "no-such-brand", "text": "Где мой заказ?"},
        {"id": "m3", "brand": "obed-express", "text": "Всё вкусно, спасибо!"},
    ]
    source = _write_jsonl(tmp_path / "mixed.jsonl", rows)
    target = tmp_path / "drafts.jsonl"
    assert main(["draft", "--input", str(source), "--output", str(target)]) != 0
    err = capsys.readouterr().err
    assert f"{source}:2:" in err and "no-such-brand" in err
    written = [json.loads(line)["mention"]["id"] for line in target.read_text(encoding="utf-8").splitlines()]
    assert written == ["m1", "m3"]
