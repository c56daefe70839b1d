"""The checker on hand-written replies that the drafter never produced.

Paraphrased good replies must pass; replies missing a rule or inventing a promise, an
amount or a phone number must fail — each label in tests/data/checker_replies_*.jsonl is
compared with the matching check.
"""

from __future__ import annotations

import json

import pytest

from assistant.models import Draft, Platform
from evals import runner
from evals.datasets import ReplyCase, ReplyLabels
from tests.conftest import DATA

ALL_TRUE = ReplyLabels(polite=True, acknowledge=True, regret=True, help=True, follow_up=True, grounded=True)
RULE_CHECKS = {
    "polite": "rule1_polite",
    "acknowledge": "rule2_acknowledge",
    "regret": "rule3_regret",
    "help": "rule4_help",
    "follow_up": "rule5_follow_through",
}
GROUNDING_CHECKS = ("grounding_numbers", "grounding_promises", "grounding_links")


def _cases() -> list[dict]:
    cases = []
    for path in sorted(DATA.glob("checker_replies_*.jsonl")):
        brand = path.stem.removeprefix("checker_replies_")
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                cases.append({"brand": brand, **json.loads(line)})
    return cases


CASES = _cases()


def check_reply(
    components,
    brand_id: str,
    text: str,
    mention_text: str,
    *,
    author: str | None = None,
    platform: str = "vk",
    language: str = "ru",
    case_ref: str = "OE-2611-0001",
    due: str = "26.11 18:00",
) -> Draft:
    """The checker on a hand-written reply, exactly as the eval suite runs it."""
    reply = ReplyCase(
        id="t",
        brand=brand_id,
        platform=Platform(platform),
        language=language,
        author_name=author,
        mention=mention_text,
        case_ref=case_ref,
        due=due,
        reply=text,
        labels=ALL_TRUE,
    )
    return runner.check_reply(components, reply)


def test_dataset_is_big_enough_and_balanced() -> None:
    assert len(CASES) >= 30
    good = [c for c in CASES if all(c["labels"].values())]
    assert 0.3 <= len(good) / len(CASES) <= 0.7


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_checker_agrees_with_hand_labels(components, case: dict) -> None:
    draft = check_reply(
        components,
        case["brand"],
        case["reply"],
        case["mention"],
        author=case.get("author_name"),
        platform=case["platform"],
        language=case["language"],
        case_ref=case["case_ref"],
        due=case["due"],
    )
    results = {check.name: check for check in draft.checks}
    disagreements = []
    for label, check_name in RULE_CHECKS.items():
        if results[check_name].passed != case["labels"][label]:
            disagreements.append(f"{check_name}: checker {results[check_name].passed} ({results[check_name].detail})")
    grounded = all(results[name].passed for name in GROUNDING_CHECKS)
    if grounded != case["labels"]["grounded"]:
        details = "; ".join(results[name].detail for name in GROUNDING_CHECKS)
        disagreements.append(f"grounding: checker {grounded} ({details})")
    assert not disagreements, f"{case['note']} → " + " | ".join(disagreements)


@pytest.mark.parametrize(
    ("invention", "check"),
    [
        ("Мы вернём вам деньги за заказ в полном объёме.", "grounding_promises"),
        ("Компенсируем тебе неудобства!", "grounding_promises"),
        ("В качестве извинения начислим 2700 рублей на счёт.", "grounding_numbers"),
        ("В качестве извинения начислим 2700 рублей на счёт.", "grounding_promises"),
        ("Позвони нам по номеру 8 (495) 123-45-67.", "grounding_numbers"),
        ("Подробности на https://obed-promo.example.com/sorry", "grounding_links"),
        ("We will issue a full refund today.", "grounding_promises"),
        ("You will be refunded in full.", "grounding_promises"),
        ("Компания вернёт тебе деньги за заказ.", "grounding_promises"),
        ("The delivery fees are waived for you.", "grounding_promises"),
        ("The courier has been dismissed.", "grounding_promises"),
    ],
)
def test_inventions_are_flagged(components, invention: str, check: str) -> None:
    text = (
        "Привет, Ирина! Нам очень жаль, что заказ 48213 опоздал — ты вправе злиться. "
        f"{invention} Напиши нам в личные сообщения сообщества, обращение OE-2611-0001, вернёмся с ответом до 26.11 18:00."
    )
    draft = check_reply(components, "obed-express", text, "Заказ 48213 опоздал на два часа", author="Ирина")
    failed = {c.name for c in draft.failed_checks}
    assert check in failed, draft.checks
    assert draft.status.value == "needs_review"


def test_echo_of_the_customers_demand_is_not_a_promise(components) -> None:
    text = (
        "Привет, Ирина! Понимаем, почему ты просишь полный возврат, — ты вправе быть недовольной, нам очень жаль. "
        "Напиши нам в личные сообщения сообщества номер заказа, мы завели обращение OE-2611-0001 и вернёмся с ответом "
        "до 26.11 18:00."
    )
    draft = check_reply(components, "obed-express", text, "Требую полный возврат! Заказ 48213 опоздал", author="Ирина")
    assert {c.name: c.passed for c in draft.checks}["grounding_promises"], draft.checks


def test_platform_without_phones_rejects_the_hotline(components) -> None:
    text = "Здравствуйте! Нам жаль. Позвоните на горячую линию 8 800 200-10-10."
    draft = check_reply(components, "kedr-bank", text, "Карту заблокировали", platform="otzovik")
    assert "links_and_phones" in {c.name for c in draft.failed_checks}


def test_register_and_forbidden_words(components) -> None:
    text = "Здравствуйте! Ты не переживай, это не наша проблема."
    draft = check_reply(components, "kedr-bank", text, "Карту заблокировали", platform="vk")
    failed = {c.name for c in draft.failed_checks}
    assert {"register", "forbidden_words", "rule1_polite"} <= failed


def test_came_in_the_plural_is_not_the_informal_send(components) -> None:
    """«Вы пришли к закрытым дверям» is «Вы»; «Пришли фото» is «ты»."""
    formal = "Здравствуйте! Нам жаль, что Вы пришли к закрытым дверям."
    assert {c.name: c.passed for c in check_reply(components, "kedr-bank", formal, "Отделение закрыто").checks}[
        "register"
    ]
    informal = "Здравствуйте! Пришли, пожалуйста, фото."
    checks = check_reply(components, "kedr-bank", informal, "Отделение закрыто").checks
    assert not {c.name: c.passed for c in checks}["register"]
