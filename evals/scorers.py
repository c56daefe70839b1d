"""Small, named scorers. Each returns a score with its reason.

Case scorers judge one pipeline result against its case (a value of None means the scorer
does not apply, e.g. rule compliance for a positive mention). Dataset scorers judge a whole
run: macro-F1 per field, how alike the drafts are, how far the checker agrees with the
hand-labelled replies.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
from sklearn.metrics import f1_score

from assistant.cues import detect_language
from assistant.draft import first_name
from assistant.models import Classification, Draft, NegativeKind, PipelineResult, ReplyMode
from evals.datasets import Expected, MentionCase, ReplyCase, ReplyLabels

FIVE_RULES = ("rule1_polite", "rule2_acknowledge", "rule3_regret", "rule4_help", "rule5_follow_through")
GROUNDING = ("grounding_numbers", "grounding_promises", "grounding_links", "grounding_content")
VOICE = ("forbidden_words", "register", "emoji", "length", "links_and_phones")


@dataclass(frozen=True)
class Score:
    value: float | None  # 0..1 (or a similarity for genericness); None: does not apply
    reason: str
    details: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class CaseRun:
    case: MentionCase
    result: PipelineResult


class CaseScorer(Protocol):
    name: str

    def score(self, run: CaseRun) -> Score: ...


class DatasetScorer(Protocol):
    name: str
    higher_is_better: bool

    def score(self, runs: Sequence[CaseRun]) -> Score: ...


# --- classification and decision -----------------------------------------------------------

FieldOf = Callable[[Classification | Expected], object]
FIELDS: dict[str, FieldOf] = {
    "sentiment": lambda c: c.sentiment.value,
    "kind": lambda c: c.kind.value if c.kind else "none",
    "register": lambda c: c.register.value,
    "question": lambda c: c.is_question,
    "fake": lambda c: c.suspected_fake,
    "abuse": lambda c: c.kind is NegativeKind.abusive,
}


@dataclass(frozen=True)
class FieldCorrect:
    """Is one classification field right for this case?"""

    field_name: str

    @property
    def name(self) -> str:
        return f"{self.field_name}_correct"

    def score(self, run: CaseRun) -> Score:
        read = FIELDS[self.field_name]
        want, got = read(run.case.expect), read(run.result.classification)
        return Score(float(want == got), f"expected {want}, got {got}")


@dataclass(frozen=True)
class FieldMacroF1:
    """Macro-F1 of one classification field over the dataset."""

    field_name: str
    higher_is_better: bool = True

    @property
    def name(self) -> str:
        return f"{self.field_name}_macro_f1"

    def score(self, runs: Sequence[CaseRun]) -> Score:
        read = FIELDS[self.field_name]
        gold = [str(read(r.case.expect)) for r in runs]
        guess = [str(read(r.result.classification)) for r in runs]
        value = float(f1_score(gold, guess, average="macro", zero_division=0)) if runs else 0.0
        return Score(round(value, 4), f"{len(runs)} cases, classes {sorted(set(gold))}")


class DecisionCorrect:
    """Are the decided actions exactly the expected ones?"""

    name = "decision_correct"

    def score(self, run: CaseRun) -> Score:
        want = sorted(a.value for a in run.case.expect.actions)
        got = sorted(a.value for a in run.result.decision.actions)
        return Score(float(want == got), f"expected {want}, got {got}")


# --- drafts --------------------------------------------------------------------------------


def _negative_draft(run: CaseRun) -> Draft | None:
    mode = run.result.decision.reply_mode
    return run.result.draft if mode in (ReplyMode.negative, ReplyMode.holding) else None


@dataclass(frozen=True)
class RuleCompliance:
    """Does a reply to a genuine negative follow one of the five rules (by the checker)?"""

    rule: str

    @property
    def name(self) -> str:
        return self.rule

    def score(self, run: CaseRun) -> Score:
        draft = _negative_draft(run)
        if draft is None:
            return Score(None, "not a reply to a genuine negative")
        check = next((c for c in draft.checks if c.name == self.rule), None)
        if check is None:
            return Score(0.0, "the check did not run")
        return Score(float(check.passed), check.detail)


class Grounding:
    """No claim outside the brand's facts: the checker's grounding checks and the case's
    list of claims a reply must not make."""

    name = "grounding"

    def score(self, run: CaseRun) -> Score:
        draft = run.result.draft
        if draft is None:
            return Score(None, "no draft")
        problems = [f"{c.name}: {c.detail}" for c in draft.checks if c.name in GROUNDING and not c.passed]
        problems += [f"claims /{p}/" for p in run.case.expect.must_not_claim if re.search(p, draft.text, re.I)]
        return Score(float(not problems), "; ".join(problems) or "no unsupported claim")


class Personalization:
    """The author's name used (when known) and at least one of the mention's specifics."""

    name = "personalization"

    def score(self, run: CaseRun) -> Score:
        draft = run.result.draft
        if draft is None:
            return Score(None, "no draft")
        parts, reasons = [], []
        name = first_name(run.case.author_name, draft.language)  # the name as the reply greets it
        if name:
            used = name[:-1].lower() in draft.text.lower() if len(name) >= 4 else name in draft.text
            parts.append(float(used))
            reasons.append(f"name {name} {'used' if used else 'missing'}")
        wanted = run.case.expect.must_mention
        if wanted:
            picked = [p for p in wanted if re.search(p, draft.text, re.I)]
            parts.append(float(bool(picked)))
            reasons.append(f"specifics picked up: {len(picked)}/{len(wanted)}")
        if not parts:
            return Score(None, "no name and no specifics to pick up")
        return Score(sum(parts) / len(parts), "; ".join(reasons))


class LanguageMatch:
    """The reply is in the mention's language."""

    name = "language_match"

    def score(self, run: CaseRun) -> Score:
        draft = run.result.draft
        if draft is None:
            return Score(None, "no draft")
        want = run.case.expect.language
        written = detect_language(draft.text)
        return Score(float(draft.language == want == written), f"expected {want}, wrote {written}")


class VoiceAdherence:
    """Forbidden words, «ты»/«Вы», emoji policy, length and link rules of the platform."""

    name = "voice"

    def score(self, run: CaseRun) -> Score:
        draft = run.result.draft
        if draft is None:
            return Score(None, "no draft")
        checks = [c for c in draft.checks if c.name in VOICE]
        failed = [f"{c.name}: {c.detail}" for c in checks if not c.passed]
        return Score(1 - len(failed) / len(checks) if checks else 0.0, "; ".join(failed) or "voice kept")


# --- the dataset as a whole -------------------------------------------------------------------


@dataclass(frozen=True)
class Genericness:
    """How alike the drafts are: mean pairwise cosine of their embeddings, per brand,
    averaged. Lower is better: two different complaints deserve different replies."""

    embed: Callable[[list[str]], np.ndarray]
    name: str = "genericness"
    higher_is_better: bool = False

    def score(self, runs: Sequence[CaseRun]) -> Score:
        by_brand: dict[str, list[str]] = {}
        for run in runs:
            if run.result.draft:
                by_brand.setdefault(run.case.brand, []).append(run.result.draft.text)
        means = {}
        for brand, texts in by_brand.items():
            if len(texts) >= 2:
                vectors = self.embed(texts)
                means[brand] = float(np.mean([a @ b for a, b in itertools.combinations(vectors, 2)]))
        if not means:
            return Score(None, "fewer than two drafts per brand")
        value = round(float(np.mean(list(means.values()))), 4)
        return Score(value, ", ".join(f"{b}: {m:.3f}" for b, m in means.items()), details=means)


REPLY_LABELS = {
    "polite": ("rule1_polite",),
    "acknowledge": ("rule2_acknowledge",),
    "regret": ("rule3_regret",),
    "help": ("rule4_help",),
    "follow_up": ("rule5_follow_through",),
    "grounded": GROUNDING,
    "register": ("register",),
}


@dataclass(frozen=True)
class CheckerAgreement:
    """Precision and recall of the checker in finding each labelled fault in the replies
    dataset ('positive' = the reply breaks the rule)."""

    check: Callable[[ReplyCase], Draft]
    name: str = "checker_agreement"

    def score(self, replies: Sequence[ReplyCase]) -> Score:
        def verdict(reply: ReplyCase) -> dict[str, bool]:
            results = {c.name: c.passed for c in self.check(reply).checks}
            return {label: all(results.get(n, True) for n in names) for label, names in REPLY_LABELS.items()}

        return agreement(replies, verdict)


@dataclass(frozen=True)
class JudgeAgreement:
    """The same measure for an LLM judge: how far its verdicts match the hand labels."""

    grade: Callable[[ReplyCase], ReplyLabels]
    name: str = "judge_agreement"

    def score(self, replies: Sequence[ReplyCase]) -> Score:
        return agreement(replies, lambda reply: self.grade(reply).model_dump())


def agreement(replies: Sequence[ReplyCase], verdict: Callable[[ReplyCase], dict[str, bool]]) -> Score:
    """Mean precision and recall over the labelled faults; details per label."""
    verdicts = [(reply, verdict(reply)) for reply in replies]
    details: dict[str, float] = {}
    for label in REPLY_LABELS:
        truth = [not getattr(reply.labels, label) for reply, _ in verdicts]
        flagged = [not given[label] for _, given in verdicts]
        details |= _precision_recall(label, truth, flagged)
    mean = float(np.mean([v for k, v in details.items() if k.endswith(("_precision", "_recall"))]))
    return Score(round(mean, 4), f"{len(replies)} labelled replies", details=details)


def _precision_recall(label: str, truth: list[bool], flagged: list[bool]) -> dict[str, float]:
    hits = sum(t and f for t, f in zip(truth, flagged, strict=True))
    precision = hits / sum(flagged) if any(flagged) else 1.0
    recall = hits / sum(truth) if any(truth) else 1.0
    return {
        f"{label}_precision": round(precision, 4),
        f"{label}_recall": round(recall, 4),
        f"{label}_faults": sum(truth),
    }


def case_scorers() -> list[CaseScorer]:
    return [
        *(FieldCorrect(name) for name in FIELDS),
        DecisionCorrect(),
        *(RuleCompliance(rule) for rule in FIVE_RULES),
        Grounding(),
        Personalization(),
        LanguageMatch(),
        VoiceAdherence(),
    ]
