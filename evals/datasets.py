"""The eval datasets (see evals/datasets/README.md for the format): loaded and validated."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, TypeVar

import yaml
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

from assistant.errors import InputError
from assistant.models import (
    Action,
    LabelledMention,
    Mention,
    MentionKind,
    NegativeKind,
    PipelineResult,
    Platform,
    Register,
    RiskFlag,
    Sentiment,
)

DATASETS_DIR = Path(__file__).resolve().parent / "datasets"
# Every eval mention is "written" and drafted at this moment, so that a score does not
# depend on the hour the eval runs (business hours, follow-up deadlines, case references).
EVAL_NOW = datetime(2026, 12, 3, 11, 0, tzinfo=UTC)  # a Thursday, 14:00 in Moscow: inside every brand's hours


def _compiles(pattern: str) -> str:
    re.compile(pattern)
    return pattern


Pattern = Annotated[str, AfterValidator(_compiles)]


class _Case(BaseModel):
    model_config = ConfigDict(extra="forbid")


CaseModel = TypeVar("CaseModel", bound=_Case)


class Expected(_Case):
    sentiment: Sentiment
    mention_kind: MentionKind = MentionKind.customer
    kind: NegativeKind | None = None
    register: Register = Field(...)  # explicit: a bare annotation would inherit ABCMeta.register as its default
    is_question: bool = False
    suspected_fake: bool = False
    risk_flags: list[RiskFlag] = Field(default_factory=list)
    language: str
    actions: list[Action]
    must_mention: list[Pattern] = Field(default_factory=list)
    must_not_claim: list[Pattern] = Field(default_factory=list)


class MentionCase(_Case):
    """A mention with what the pipeline should make of it."""

    id: str
    brand: str
    platform: Platform = Platform.other
    author_name: str | None = None
    rating: int | None = Field(default=None, ge=1, le=5)
    text: str
    tags: list[str] = Field(default_factory=list)
    expect: Expected

    def mention(self) -> Mention:
        return Mention(
            id=self.id,
            brand=self.brand,
            platform=self.platform,
            author_name=self.author_name,
            rating=self.rating,
            text=self.text,
            created_at=EVAL_NOW,
        )

    def labelled(self) -> LabelledMention:
        """As a training example (only the slices' tuning halves are ever used so)."""
        e = self.expect
        return LabelledMention(
            id=self.id,
            text=self.text,
            rating=self.rating,
            language=e.language,
            sentiment=e.sentiment,
            kind=e.kind,
            register=e.register,
            is_question=e.is_question,
            suspected_fake=e.suspected_fake,
            risk_flags=e.risk_flags,
        )


class ReplyLabels(_Case):
    polite: bool
    acknowledge: bool
    regret: bool
    help: bool
    follow_up: bool
    grounded: bool
    register: bool = True


class ReplyCase(_Case):
    """A reply text, good or bad, labelled per rule: the checker's own ground truth."""

    id: str
    brand: str
    platform: Platform = Platform.other
    language: str = "ru"
    author_name: str | None = None
    mention: str
    case_ref: str
    due: str
    reply: str
    labels: ReplyLabels
    note: str = ""


def load_mentions(directory: Path = DATASETS_DIR, pattern: str = "mentions_*.yaml") -> list[MentionCase]:
    return _load(directory, pattern, MentionCase)


def load_slices(directory: Path = DATASETS_DIR) -> list[MentionCase]:
    """The slices (short unrated comments, sarcasm, mixed reviews, news and chatter, spam,
    crises, threats): `slices_<name>.yaml`, each case tagged with its slice's name."""
    return _load(directory, "slices_*.yaml", MentionCase)


def slice_of(case: MentionCase) -> str:
    return case.id.split("-")[1]


def is_heldout_case(case: MentionCase) -> bool:
    """Half of each slice, chosen by a hash of the id, is held out: never trained or tuned on,
    the only half whose figures are gated."""
    return is_heldout_id(case.id)


def is_heldout_id(case_id: str) -> bool:
    return hashlib.sha256(case_id.encode()).digest()[0] % 2 == 1


def tuning_half(cases: list[MentionCase]) -> list[MentionCase]:
    return [case for case in cases if not is_heldout_case(case)]


class SampleExpectation(_Case):
    """What a bundled sample mention should get (samples/expected.yaml), written before the
    classifier was changed: `make run` and a test compare."""

    id: str
    mention_kind: MentionKind
    sentiment: Sentiment
    actions: list[Action]
    why: str = ""

    def mismatch(self, result: PipelineResult) -> str | None:
        """None when the result meets the expectation, else what it should have been."""
        c, actions = result.classification, result.decision.actions
        if c.sentiment is self.sentiment and actions == self.actions:
            return None
        return f"{self.sentiment.value}, {', '.join(a.value for a in self.actions)} ({self.why})"


def load_sample_expectations(path: Path) -> dict[str, SampleExpectation]:
    """By mention id; an absent file expects nothing."""
    if not path.is_file():
        return {}
    return {e.id: e for e in (SampleExpectation.model_validate(item) for item in _yaml_list(path))}


def load_replies(directory: Path = DATASETS_DIR, pattern: str = "replies*.yaml") -> list[ReplyCase]:
    return _load(directory, pattern, ReplyCase)


def _load(directory: Path, pattern: str, model: type[CaseModel]) -> list[CaseModel]:
    """Every case of every matching file; a bad one raises InputError naming file and case."""
    paths = sorted(directory.glob(pattern))
    if not paths:
        raise InputError(f"no dataset files {pattern} in {directory}")
    cases = []
    for path in paths:
        for item in _yaml_list(path):
            try:
                cases.append(model.model_validate(item))
            except ValidationError as error:
                first = error.errors()[0]
                case_id = item.get("id", "?") if isinstance(item, dict) else "?"
                field = ".".join(str(p) for p in first["loc"])
                raise InputError(f"{path}: case {case_id}: {field}: {first['msg']}") from None
    return cases


def _yaml_list(path: Path) -> list:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    except (OSError, yaml.YAMLError) as error:
        raise InputError(f"{path}: cannot be read as YAML: {error}") from None
    if not isinstance(data, list):
        raise InputError(f"{path}: expected a YAML list of cases")
    return data
