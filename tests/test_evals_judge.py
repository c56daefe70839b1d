"""The LLM-as-judge: its agreement measure, its wiring to a model, and `otklik eval` with a
model configured (against our scripted OpenAI-compatible server)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from evals.datasets import ReplyCase, ReplyLabels, load_replies
from evals.scorers import JudgeAgreement
from otklik.cli import main
from tests import fake_openai_server as fake
from tests.fake_openai_server import FakeOpenAI

DATA = Path(__file__).parent / "data"
ALL = ("polite", "acknowledge", "regret", "help", "follow_up", "grounded", "register")


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[FakeOpenAI, str]]:
    openai = FakeOpenAI()
    url = openai.start()
    yield openai, url
    openai.stop()


def test_judge_agreement_on_known_verdicts() -> None:
    replies = load_replies(DATA, "eval_replies_small.yaml")

    def grade(reply: ReplyCase) -> ReplyLabels:  # says every reply is fine
        return ReplyLabels(**dict.fromkeys(ALL, True))

    details = JudgeAgreement(grade).score(replies).details
    # it never flags anything: precision counts as 1 with no flags, recall is 0 where faults exist
    assert details["acknowledge_recall"] == 0.0 and details["acknowledge_faults"] == 1
    assert details["grounded_recall"] == 0.0 and details["grounded_faults"] == 1
    assert details["polite_recall"] == 1.0  # no labelled fault to miss


def test_otklik_eval_with_a_model_reports_the_judge(server, tmp_path: Path, monkeypatch, capsys) -> None:
    openai, url = server
    openai.reset()
    # The judge flags the second reply for acknowledgement and regret, and the third as ungrounded.
    verdicts = {
        "Тимур, привет! Пришли номер": {"acknowledge": False, "regret": False},
        "Мы отменим эту комиссию": {"grounded": False},
    }

    def judge_payload(body: dict) -> dict | None:
        text = "\n".join(str(m.get("content", "")) for m in body.get("messages", []))
        if "quality reviewer" not in text:
            return None
        flags = next((v for k, v in verdicts.items() if k in text), {})
        return dict.fromkeys(ALL, True) | flags | {"reason": "scripted"}

    monkeypatch.setattr(fake, "default_answer", _with_judge(fake.default_answer, judge_payload))
    for name, value in {
        "OTKLIK_MODEL": "openai",
        "OTKLIK_BASE_URL": url,
        "OTKLIK_MODEL_NAME": "fake",
        "OTKLIK_DATA_DIR": str(tmp_path / "data"),
    }.items():
        monkeypatch.setenv(name, value)
    cases = yaml.safe_load((DATA / "eval_small.yaml").read_text(encoding="utf-8"))[:2]
    dataset = tmp_path / "two.yaml"
    dataset.write_text(yaml.safe_dump(cases, allow_unicode=True), encoding="utf-8")
    out = tmp_path / "run"
    argv = [
        "eval",
        "--dataset",
        str(dataset),
        "--replies",
        str(DATA / "eval_replies_small.yaml"),
        "--out",
        str(out),
        "--no-progress",
        "--no-situations",
        "--no-fact-questions",
        "--no-slices",  # the judge reads the labelled replies; slices and traps have tests of their own
        "--no-traps",
    ]
    assert main(argv) == 0
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert results["judge"]["acknowledge_recall"] == 1.0
    assert results["judge"]["grounded_recall"] == 1.0
    assert results["summary"]["judge_agreement"]["value"] == 1.0
    assert any("quality reviewer" in json.dumps(body, ensure_ascii=False) for body in openai.requests)
    assert "judge_agreement" in capsys.readouterr().out


def _with_judge(original, judge_payload):
    def answer(schema: str, body: dict, writer):
        return judge_payload(body) if schema == "JudgeOut" else original(schema, body, writer)

    return answer
