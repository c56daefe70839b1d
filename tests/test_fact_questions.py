"""A question is answered from the fact whose own questions it resembles (facts.md `Q:` lines)."""

from pathlib import Path

from assistant.draft import answering_facts, common_words
from assistant.models import Fact
from knowledge.brands import load_brand, parse_facts

BRANDS = Path(__file__).resolve().parents[1] / "knowledge" / "brands"


def test_q_lines_are_the_questions_a_fact_answers(tmp_path):
    path = tmp_path / "facts.md"
    path.write_text(
        "## delivery-hours · delivery\nЗаказы принимаем с 8:00 до 23:00.\nEN: Orders from 8 am to 11 pm.\n"
        "Q: До скольки можно заказать?\nQ: What time do you close?\n",
        encoding="utf-8",
    )
    [fact] = parse_facts(path)
    assert fact.questions == ["До скольки можно заказать?", "What time do you close?"]
    assert fact.text == {"ru": "Заказы принимаем с 8:00 до 23:00.", "en": "Orders from 8 am to 11 pm."}


def _facts(with_questions: bool) -> list[Fact]:
    hours = Fact(
        id="delivery-hours",
        topic="delivery",
        text={"ru": "Заказы принимаем ежедневно с 8:00 до 23:00."},
        questions=["Во сколько утром начинаете принимать заказы?"] if with_questions else [],
    )
    zones = Fact(id="delivery-zones", topic="delivery", text={"ru": "Доставляем в пределах МКАД и КАД."})
    return [hours, zones]


def test_a_question_in_other_words_finds_its_fact_through_the_facts_questions():
    question = "Подскажите, во сколько утром вы начинаете брать заказы?"
    assert answering_facts(question, _facts(False), "ru", frozenset()) == []
    found = answering_facts(question, _facts(True), "ru", frozenset())
    assert [f.id for f in found] == ["delivery-hours"]


def test_the_demo_brands_facts_carry_questions_and_internal_ones_none():
    facts = load_brand(BRANDS / "obed-express").facts
    public = [f for f in facts if f.audience == "public"]
    assert all(len(f.questions) >= 3 for f in public)
    assert common_words(public, "ru")  # the word weights still come from the facts' own text
