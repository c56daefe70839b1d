"""The eval suite: each scorer on hand-made cases whose right score is known, the datasets'
promises, the gate, the comparison, and `otklik eval` end to end."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import yaml

from assistant.models import (
    Action,
    CheckResult,
    Classification,
    Decision,
    Draft,
    MatrixCell,
    Mention,
    NegativeKind,
    PipelineResult,
    Register,
    ReplyFormat,
    ReplyMode,
    Sentiment,
)
from evals.compare import compare
from evals.datasets import MentionCase, ReplyCase, load_mentions, load_replies, load_slices
from evals.gate import Threshold, failures
from evals.scorers import (
    CaseRun,
    CheckerAgreement,
    DecisionCorrect,
    FieldCorrect,
    FieldMacroF1,
    Genericness,
    Grounding,
    LanguageMatch,
    Personalization,
    RuleCompliance,
    VoiceAdherence,
)
from otklik.cli import main

CELL = MatrixCell(format=ReplyFormat.facts_and_steps, style="s", tone="t")


def make_case(**expect: object) -> MentionCase:
    base = {
        "sentiment": "negative",
        "kind": "constructive",
        "register": "rational",
        "language": "ru",
        "actions": ["reply"],
        "must_mention": ["48213", "два час|2 час"],
        "must_not_claim": ["верн\\w* деньг"],
    }
    return MentionCase.model_validate(
        {
            "id": "c1",
            "brand": "obed-express",
            "author_name": "Ирина Петрова",
            "text": "Заказ 48213 опоздал на два часа",
            "tags": ["constructive"],
            "expect": base | expect,
        }
    )


def make_run(
    case: MentionCase,
    text: str | None = "Привет, Ирина! Заказ 48213 проверим.",
    checks: dict[str, bool] | None = None,
    sentiment: Sentiment = Sentiment.negative,
    kind: NegativeKind | None = NegativeKind.constructive,
    actions: tuple[Action, ...] = (Action.reply,),
    language: str = "ru",
) -> CaseRun:
    classification = Classification(sentiment=sentiment, kind=kind, register=Register.rational, language=language)
    mode = ReplyMode.negative if sentiment is Sentiment.negative and text else None
    decision = Decision(actions=list(actions), reply_mode=mode, matrix_key="negative-rational", cell=CELL)
    draft = None
    if text is not None:
        results = [CheckResult(name=n, passed=p, detail=f"{n} detail") for n, p in (checks or {}).items()]
        draft = Draft(text=text, language=language, checks=results)
    mention = Mention(brand=case.brand, text=case.text, author_name=case.author_name)
    return CaseRun(case, PipelineResult(mention=mention, classification=classification, decision=decision, draft=draft))


# --- case scorers ------------------------------------------------------------------------------


def test_field_and_decision_scorers() -> None:
    case = make_case()
    assert FieldCorrect("kind").score(make_run(case)).value == 1.0
    wrong = make_run(case, kind=NegativeKind.non_constructive)
    assert FieldCorrect("kind").score(wrong).value == 0.0
    assert "expected constructive, got non_constructive" in FieldCorrect("kind").score(wrong).reason
    assert DecisionCorrect().score(make_run(case)).value == 1.0
    escalated = make_run(case, actions=(Action.escalate, Action.reply))
    assert DecisionCorrect().score(escalated).value == 0.0


def test_rule_compliance_applies_to_negative_drafts_only() -> None:
    case = make_case()
    assert RuleCompliance("rule3_regret").score(make_run(case, checks={"rule3_regret": True})).value == 1.0
    assert RuleCompliance("rule3_regret").score(make_run(case, checks={"rule3_regret": False})).value == 0.0
    assert RuleCompliance("rule3_regret").score(make_run(case, checks={})).value == 0.0  # the check must run
    positive = make_case(sentiment="positive", kind=None)
    run = make_run(positive, sentiment=Sentiment.positive, kind=None)
    assert RuleCompliance("rule3_regret").score(run).value is None


def test_grounding_counts_checker_failures_and_forbidden_claims() -> None:
    case = make_case()
    assert Grounding().score(make_run(case, checks={"grounding_numbers": True})).value == 1.0
    assert Grounding().score(make_run(case, checks={"grounding_numbers": False})).value == 0.0
    claim = make_run(case, text="Привет, Ирина! Вернём деньги за заказ 48213.", checks={"grounding_promises": True})
    score = Grounding().score(claim)
    assert score.value == 0.0 and "верн" in score.reason
    assert Grounding().score(make_run(case, text=None)).value is None


def test_personalization_needs_name_and_a_specific() -> None:
    case = make_case()
    assert Personalization().score(make_run(case, text="Привет, Ирина! Заказ 48213 проверим.")).value == 1.0
    assert Personalization().score(make_run(case, text="Привет, Ирина! Проверим.")).value == 0.5
    assert Personalization().score(make_run(case, text="Привет! Проверим.")).value == 0.0
    anonymous = make_case(must_mention=[])
    anonymous = anonymous.model_copy(update={"author_name": None})
    assert Personalization().score(make_run(anonymous, text="Привет!")).value is None


def test_language_match() -> None:
    assert LanguageMatch().score(make_run(make_case())).value == 1.0
    english_case = make_case(language="en")
    assert LanguageMatch().score(make_run(english_case, text="Hi Irina, sorry!", language="en")).value == 1.0
    assert LanguageMatch().score(make_run(english_case, text="Привет!", language="en")).value == 0.0


def test_voice_adherence_is_the_share_of_voice_checks_passed() -> None:
    checks = {"forbidden_words": True, "register": False, "emoji": True, "length": True, "links_and_phones": True}
    score = VoiceAdherence().score(make_run(make_case(), checks=checks))
    assert score.value == pytest.approx(0.8)
    assert "register" in score.reason


# --- dataset scorers ----------------------------------------------------------------------------


def test_field_macro_f1_on_a_known_confusion() -> None:
    case = make_case()
    runs = [
        make_run(case),  # constructive → constructive
        make_run(case, kind=NegativeKind.non_constructive),  # constructive → non_constructive
        make_run(make_case(kind="non_constructive"), kind=NegativeKind.non_constructive),
        make_run(make_case(kind="non_constructive"), kind=NegativeKind.non_constructive),
    ]
    # constructive: precision 1, recall 0.5 → F1 2/3; non_constructive: precision 2/3, recall 1 → F1 0.8
    assert FieldMacroF1("kind").score(runs).value == pytest.approx((2 / 3 + 0.8) / 2, abs=1e-4)


def test_genericness_is_the_mean_pairwise_cosine() -> None:
    def embed(texts: list[str]) -> np.ndarray:
        table = {"a": [1.0, 0.0], "b": [1.0, 0.0], "c": [0.0, 1.0]}
        return np.array([table[t] for t in texts])

    case = make_case()
    runs = [make_run(case, text=t) for t in ("a", "b", "c")]
    # pairs: a·b = 1, a·c = 0, b·c = 0 → mean 1/3
    assert Genericness(embed).score(runs).value == pytest.approx(1 / 3, abs=1e-4)
    assert Genericness(embed).score(runs[:1]).value is None


def test_checker_agreement_precision_and_recall() -> None:
    def reply(number: int, regret: bool) -> ReplyCase:
        labels = {
            "polite": True,
            "acknowledge": True,
            "regret": regret,
            "help": True,
            "follow_up": True,
            "grounded": True,
        }
        return ReplyCase(
            id=f"r{number}",
            brand="obed-express",
            mention="m",
            case_ref="OE-1",
            due="26.11 18:00",
            reply=f"reply {number}",
            labels=labels,
        )

    replies = [reply(1, False), reply(2, False), reply(3, True), reply(4, True)]
    flagged_regret = {"reply 1", "reply 3"}  # one true fault found, one missed, one false alarm

    def check(case: ReplyCase) -> Draft:
        passed = case.reply not in flagged_regret
        return Draft(text=case.reply, language="ru", checks=[CheckResult(name="rule3_regret", passed=passed)])

    details = CheckerAgreement(check).score(replies).details
    assert details["regret_precision"] == 0.5
    assert details["regret_recall"] == 0.5
    assert details["regret_faults"] == 2
    assert details["polite_precision"] == 1.0 and details["polite_recall"] == 1.0


# --- gate and comparison -------------------------------------------------------------------------


def test_gate_reports_every_threshold_missed() -> None:
    thresholds = {
        "grounding": Threshold(min=0.95, reason="no invented promises reach an operator"),
        "genericness": Threshold(max=0.6, reason="replies must not read like one template"),
        "voice": Threshold(min=0.9, reason="the brand's voice is kept"),
    }
    summary = {"grounding": {"value": 0.9}, "genericness": {"value": 0.7}}
    problems = failures(summary, thresholds)
    assert len(problems) == 3
    assert any("voice: no value" in p for p in problems)
    with pytest.raises(ValueError):
        Threshold(min=0.5, max=0.9, reason="both bounds are not allowed")


def test_compare_lists_improvements_and_regressions() -> None:
    def results(grounding: float, generic: float, case_score: float) -> dict:
        return {
            "summary": {
                "grounding": {"value": grounding, "higher_is_better": True},
                "genericness": {"value": generic, "higher_is_better": False},
            },
            "cases": [{"id": "c1", "scores": {"grounding": {"value": case_score, "reason": "r"}}}],
        }

    lines = compare(results(0.9, 0.5, 1.0), results(0.95, 0.6, 0.0))
    text = "\n".join(lines)
    assert "grounding" in text and "improved" in text
    assert "genericness" in text and "REGRESSED" in text
    assert "cases regressed: 1" in text and "c1 grounding: 1.00 → 0.00" in text


# --- the datasets ---------------------------------------------------------------------------------


def test_datasets_are_big_varied_and_mostly_russian() -> None:
    cases, replies = load_mentions(), load_replies()
    assert len(cases) >= 200 and len(replies) >= 80
    assert sum(c.expect.language == "ru" for c in cases) / len(cases) >= 0.7
    tags = {tag for case in cases for tag in case.tags}
    assert {
        "positive",
        "question",
        "constructive",
        "non_constructive",
        "abusive",
        "fake",
        "threat",
        "legal",
        "health",
        "injection",
        "english",
        "short",
        "long",
    } <= tags
    assert len({c.id for c in cases}) == len(cases) and len({r.id for r in replies}) == len(replies)
    good = sum(all(r.labels.model_dump().values()) for r in replies)
    assert 0.25 <= good / len(replies) <= 0.6


def test_datasets_are_not_in_the_training_examples(embedder) -> None:
    """No eval mention or slice case is (nearly) one of the models' training examples."""
    from assistant.config import REPO_ROOT
    from assistant.mention_kind import load_kind_examples, load_threat_examples
    from knowledge.brands import load_brand
    from knowledge.labelled import load_labelled

    shared = REPO_ROOT / "knowledge" / "shared"
    training = [e.text for e in load_labelled(shared)]
    training += [e.text for e in load_kind_examples(shared)] + [e.text for e in load_threat_examples(shared)]
    for brand in ("obed-express", "kedr-bank"):
        training += [e.text for e in load_brand(REPO_ROOT / "knowledge" / "brands" / brand).examples]
    texts = [c.text for c in load_mentions()] + [c.text for c in load_slices()]
    assert not set(texts) & set(training)
    similarity = embedder.embed(texts) @ embedder.embed(training).T
    assert float(similarity.max()) < 0.95, texts[int(np.argmax(similarity.max(axis=1)))]


def test_near_duplicates_within_the_datasets_are_rare(embedder) -> None:
    texts = [c.text for c in load_mentions()] + [r.reply for r in load_replies()]
    vectors = embedder.embed(texts)
    similarity = vectors @ vectors.T
    np.fill_diagonal(similarity, 0)
    pairs = [(texts[i], texts[j]) for i, j in zip(*np.nonzero(np.triu(similarity) >= 0.95), strict=True)]
    print(f"near-duplicate pairs (cosine ≥ 0.95): {len(pairs)}")
    assert len(pairs) <= len(texts) // 50, pairs[:5]


# --- end to end -----------------------------------------------------------------------------------


def test_otklik_eval_runs_reports_and_compares(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("OTKLIK_DATA_DIR", str(tmp_path / "data"))
    cases = yaml.safe_load((Path(__file__).parent / "data" / "eval_small.yaml").read_text(encoding="utf-8"))
    dataset = tmp_path / "small.yaml"
    dataset.write_text(yaml.safe_dump(cases, allow_unicode=True), encoding="utf-8")
    first, second = tmp_path / "a", tmp_path / "b"
    argv = ["eval", "--dataset", str(dataset), "--replies", "none", "--no-progress"]
    # these have tests of their own (tests/test_triage.py, test_reply_checks.py, below), and CI's
    # `make eval` gates on every one of them: here the command's own work, twice, and the compare
    argv += ["--no-situations", "--no-fact-questions", "--no-slices", "--no-traps"]
    assert main([*argv, "--out", str(first)]) == 0
    assert main([*argv, "--out", str(second)]) == 0
    results = json.loads((first / "results.json").read_text(encoding="utf-8"))
    assert results["meta"]["cases"] == len(cases)
    assert {"sentiment_macro_f1", "decision_correct", "grounding", "genericness"} <= results["summary"].keys()
    html = (first / "report.html").read_text(encoding="utf-8")
    assert "<svg" in html
    assert not any(external in html for external in ("<script", "src=", "<link"))  # self-contained
    capsys.readouterr()
    assert main(["eval", "compare", str(first / "results.json"), str(second / "results.json")]) == 0
    assert "cases regressed: 0" in capsys.readouterr().out


def test_eval_errors_are_one_line(tmp_path: Path, capsys) -> None:
    assert main(["eval", "--dataset", str(tmp_path / "missing.yaml")]) != 0
    assert "no such dataset" in capsys.readouterr().err
    bad = tmp_path / "bad.yaml"
    bad.write_text("- id: x\n  brand: obed-express\n  text: hi\n  expect: {sentiment: great}\n", encoding="utf-8")
    assert main(["eval", "--dataset", str(bad), "--replies", "none"]) != 0
    err = capsys.readouterr().err
    assert "case x" in err and "Traceback" not in err


def test_situations_are_scored_on_their_held_out_half(components) -> None:
    from evals.datasets import is_heldout_id
    from evals.situations import accuracy, load_situations, recognise, summary_entries

    cases = load_situations()
    assert {case.situation for case in cases} >= {"late_delivery", "card_blocked", "praise_employee"}
    sample = [cases[0], cases[1], *[c for c in cases if is_heldout_id(c.id)][:2]]
    outcomes = [recognise(case, components) for case in sample]
    assert all(o.chosen is None or isinstance(o.chosen, str) for o in outcomes)
    entry = summary_entries(outcomes)["situation_accuracy"]
    assert entry["n"] == sum(is_heldout_id(o.case.id) for o in outcomes)
    assert entry["value"] == accuracy([o for o in outcomes if is_heldout_id(o.case.id)])


def test_fact_questions_are_scored_on_their_held_out_half(components) -> None:
    from evals.datasets import is_heldout_id
    from evals.fact_questions import answer, figures, load_questions, summary_entries

    cases = load_questions()
    assert all(case.answers for case in cases)
    sample = [c for c in cases if is_heldout_id(c.id)][:3]
    outcomes = [answer(case, components) for case in sample]
    entries = summary_entries(outcomes)
    assert entries["fact_question_answered"]["value"] == figures(outcomes)["answered"]
    assert entries["fact_question_stray"]["higher_is_better"] is False


def test_two_reviews_are_compared_on_the_drafts_that_stayed_and_those_that_changed() -> None:
    from evals.review_compare import accepted, packet_drafts, verdicts

    old = "## 1. a · vk · X\n\n```\nПривет!\n```\n\n## 2. a · vk · Y\n\n**Actions:** no_action\n\n## 3. a · vk · Z\n\n```\nСтарый.\n```\n"
    new = old.replace("Старый.", "Новый.")
    before, after = packet_drafts(old), packet_drafts(new)
    assert before == {1: "Привет!", 3: "Старый."}  # item 2 has no draft
    assert [n for n in after if before.get(n) == after[n]] == [1]
    review = verdicts(
        "| # | Action | Verdict | Tags | Note |\n|---|---|---|---|---|\n| 1 | yes | send | — | ok |\n| 3 | yes | heavy_edit | generic | no |\n"
    )
    assert review == {1: "send", 3: "heavy_edit"}
    assert accepted([1, 3], [review, {1: "light_edit", 3: "reject"}]) == (2, 4)


def test_a_review_packet_of_ones_own_mentions_drafts_each_of_them(tmp_path, monkeypatch) -> None:
    """`--input`: a fresh file nobody has read becomes a blind packet; a missing file is a usage error."""
    import sys

    from evals import review_packet

    mentions = tmp_path / "fresh.jsonl"
    rows = [
        {"brand": "obed-express", "text": "Суп привезли холодный, заказ 51234. Замените, пожалуйста.", "rating": 2},
        {"brand": "kedr-bank", "text": "Сколько стоит обслуживание карты «Кедр Классика»?", "platform": "telegram"},
    ]
    mentions.write_text("\n".join(json.dumps(row, ensure_ascii=False) for row in rows), encoding="utf-8")
    packet = tmp_path / "packet.md"
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setattr(sys, "argv", ["review_packet", "--out", str(packet), "--input", str(mentions)])
    review_packet.main()
    text = packet.read_text(encoding="utf-8")
    assert text.startswith("# Review packet: 2 mentions")
    assert "Суп привезли холодный" in text and "Кедр Классика" in text and text.count("**Draft:**") == 2
    monkeypatch.setattr(sys, "argv", ["review_packet", "--out", str(packet), "--input", str(tmp_path / "none.jsonl")])
    with pytest.raises(SystemExit) as stopped:
        review_packet.main()
    assert stopped.value.code == 2
