"""Read and validate a brand folder (`knowledge/brands/<brand>/`), see its README.md."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from assistant.cues import numbers_in
from assistant.errors import BrandFileError
from assistant.models import (
    ApprovedReply,
    Brand,
    BrandProfile,
    Fact,
    LabelledMention,
    Playbook,
    Playbooks,
    ReactionMatrix,
    SituationExamples,
    VoiceGuide,
)

Model = TypeVar("Model", bound=BaseModel)
_FACT_HEADING = re.compile(r"^##\s+(?P<id>\S+)\s+·\s+(?P<topic>\S+)(?:\s+·\s+(?P<audience>public|internal))?\s*$")


def load_brand(folder: Path) -> Brand:
    """Load every file of a brand folder; the first problem raises BrandFileError."""
    if not folder.is_dir():
        raise BrandFileError(folder, "not a brand folder (expected brand.yaml, voice.yaml, ...)")
    profile = _load_yaml(folder / "brand.yaml", BrandProfile)
    if profile.id != folder.name:
        raise BrandFileError(folder / "brand.yaml", f"id: {profile.id!r} differs from folder name")
    facts = parse_facts(folder / "facts.md")
    return Brand(
        profile=profile,
        voice=_load_yaml(folder / "voice.yaml", VoiceGuide),
        matrix=_load_yaml(folder / "matrix.yaml", ReactionMatrix),
        facts=facts,
        approved_replies=_load_jsonl(folder / "approved_replies.jsonl", ApprovedReply),
        examples=_load_jsonl(folder / "examples.jsonl", LabelledMention),
        playbooks=_with_examples(
            _load_playbooks(folder / "playbooks.yaml", profile, facts), folder / "situation_examples.yaml"
        ),
    )


def _load_playbooks(path: Path, profile: BrandProfile, facts: list[Fact]) -> list[Playbook]:
    """The optional situation playbooks; each names only facts and topics the brand has."""
    if not path.exists():
        return []
    playbooks = _load_yaml(path, Playbooks).situations
    fact_ids, topic_ids = {f.id for f in facts}, {t.id for t in profile.topics}
    for playbook in playbooks:
        unknown = [f for f in playbook.facts if f not in fact_ids] + [
            t for t in playbook.when.topics if t not in topic_ids
        ]
        if unknown:
            raise BrandFileError(path, f"situation {playbook.id}: no fact or topic {', '.join(unknown)}")
        _check_rule(path, playbook, {f.id: f for f in facts})
    return playbooks


def _check_rule(path: Path, playbook: Playbook, facts: dict[str, Fact]) -> None:
    """A figure rule names a fact of the brand that states its figure: the reply applies the
    brand's rule, never one of its own."""
    rule = playbook.rule
    if rule is None:
        return
    fact = facts.get(rule.fact)
    if fact is None:
        raise BrandFileError(path, f"situation {playbook.id}: its rule names no fact {rule.fact}")
    stated = numbers_in(fact.text.get("ru", ""))
    figures = [rule.limit, rule.cap, rule.percent]
    missing = [f"{figure:g}" for figure in figures if figure is not None and _digits(figure) not in stated]
    if missing:
        raise BrandFileError(
            path, f"situation {playbook.id}: fact {rule.fact} does not state the rule's {', '.join(missing)}"
        )


def _digits(figure: float) -> str:
    """A figure as `numbers_in` reads it from a fact: 100000 for «100 000», 05 for «0,5»."""
    return f"{figure:g}".replace(".", "")


def _with_examples(playbooks: list[Playbook], path: Path) -> list[Playbook]:
    """The optional example mentions per situation id (`situation_examples.yaml`), added to each playbook."""
    if not path.exists():
        return playbooks
    examples = _validate(path, SituationExamples, yaml.safe_load(_read(path)) or {}).root
    unknown = sorted(set(examples) - {p.id for p in playbooks})
    if unknown:
        raise BrandFileError(path, f"no playbook for situation {', '.join(unknown)}")
    return [p.model_copy(update={"examples": p.examples + examples.get(p.id, [])}) for p in playbooks]


def _load_yaml(path: Path, model: type[Model]) -> Model:
    try:
        data = yaml.safe_load(_read(path))
    except yaml.YAMLError as error:
        raise BrandFileError(path, f"not valid YAML: {error}") from None
    return _validate(path, model, data)


def _validate(path: Path | str, model: type[Model], data: object) -> Model:
    try:
        return model.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or "(top level)"
        more = f" (and {error.error_count() - 1} more)" if error.error_count() > 1 else ""
        raise BrandFileError(path, f"field {field}: {first['msg']}{more}") from None


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BrandFileError(path, "file is missing") from None
    except (OSError, UnicodeDecodeError) as error:
        raise BrandFileError(path, f"cannot be read: {error}") from None


def parse_facts(path: Path) -> list[Fact]:
    """Parse `## <id> · <topic>` sections (`## <id> · <topic> · internal` for a rule for staff,
    never quoted in a reply): Russian text, then a line `EN: ...`, then lines `Q: ...`, the
    questions it answers in the customers' words."""
    facts: list[Fact] = []
    current: dict | None = None
    for number, line in enumerate(_read(path).splitlines(), start=1):
        heading = _FACT_HEADING.match(line)
        if heading:
            current = {**heading.groupdict(), "ru": [], "en": [], "questions": [], "line": number}
            facts.append(current)  # type: ignore[arg-type]
        elif line.startswith("## "):
            raise BrandFileError(path, f"line {number}: expected '## <fact-id> · <topic-id>'")
        elif current is not None and line.startswith("Q:"):
            current["questions"].append(line.removeprefix("Q:").strip())
        elif current is not None and line.strip():
            is_english = line.startswith("EN:")
            current["en" if is_english else "ru"].append(line.removeprefix("EN:").strip())
    return [_fact(path, raw) for raw in facts]  # type: ignore[arg-type]


def _fact(path: Path, raw: dict) -> Fact:
    where = f"{path} (line {raw['line']})"
    text = {lang: " ".join(raw[lang]) for lang in ("ru", "en") if raw[lang]}
    if "ru" not in text:
        raise BrandFileError(where, f"fact {raw['id']}: no Russian text")
    audience = raw["audience"] or "public"
    fields = {"id": raw["id"], "topic": raw["topic"], "text": text, "audience": audience, "questions": raw["questions"]}
    return _validate(where, Fact, fields)


def _load_jsonl(path: Path, model: type[Model]) -> list[Model]:
    """One model per line; an optional file that is absent means none."""
    if not path.exists():
        return []
    records = []
    for number, line in enumerate(_read(path).splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{path} (line {number})"
        try:
            data = json.loads(line)
        except json.JSONDecodeError as error:
            raise BrandFileError(where, f"not valid JSON: {error.msg}") from None
        records.append(_validate(where, model, data))
    return records
