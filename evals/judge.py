"""An LLM-as-judge for replies, run only when a model is configured.

It grades a reply on the same seven points as the labelled replies dataset, so its
agreement with those labels (precision and recall per point, as for the checker) is
reported next to its verdicts: trust it only as far as that agreement goes.
"""

from __future__ import annotations

from pydantic import Field

from assistant.llm import make_chat_model
from assistant.models import ModelCall, ReplyMode
from assistant.pipeline import Components
from assistant.prompts import Prompt, load_prompts
from assistant.structured import StructuredCaller
from assistant.tokens import TokenCounter
from evals.datasets import ReplyCase, ReplyLabels
from evals.scorers import CaseRun, Score

POINTS = tuple(ReplyLabels.model_fields)


class JudgeOut(ReplyLabels):
    """The judge's answer: the labelled replies' seven points, and a short reason."""

    register: bool = Field(...)  # restated: a subclass would inherit ABCMeta.register as its default
    reason: str = Field(default="", max_length=500)


class LLMJudge:
    def __init__(self, caller: StructuredCaller, prompt: Prompt, parts: Components):
        self._caller = caller
        self._prompt = prompt
        self._parts = parts
        self.calls: list[ModelCall] = []

    def grade(self, reply: ReplyCase) -> ReplyLabels:
        """The judge's labels for a reply, in the dataset's own terms."""
        brand = self._parts.store.load_brand(reply.brand)
        voice = brand.voice.resolve(reply.platform, reply.language)
        values = {
            "brand": {"name": brand.profile.name},
            "address": voice.address.value,
            "facts": [{"id": f.id, "text": f.text.get(reply.language) or f.text["ru"]} for f in brand.facts],
            "case": {"reference": reply.case_ref, "due": reply.due},
            "mention": {"text": reply.mention, "platform": reply.platform.value, "rating": None},
            "author": reply.author_name,
            "reply": reply.reply,
        }
        verdict = self._caller.ask(self._prompt, values, JudgeOut, self.calls)
        return ReplyLabels(**verdict.model_dump(include=set(POINTS)))


class JudgeScore:
    """The judge's share of points met by a draft replying to a genuine negative."""

    name = "judge"

    def __init__(self, judge: LLMJudge):
        self._judge = judge

    def score(self, run: CaseRun) -> Score:
        result = run.result
        if result.draft is None or result.decision.reply_mode not in (ReplyMode.negative, ReplyMode.holding):
            return Score(None, "not a reply to a genuine negative")
        labels = self._judge.grade(_as_reply_case(run))
        missed = [point for point in POINTS if not getattr(labels, point)]
        return Score(1 - len(missed) / len(POINTS), "judge: " + (", ".join(missed) or "all points met"))


def _as_reply_case(run: CaseRun) -> ReplyCase:
    """A pipeline draft in the shape of a labelled reply (labels unknown: all true)."""
    result, case = run.result, run.case
    draft = result.draft
    assert draft is not None
    return ReplyCase(
        id=case.id,
        brand=case.brand,
        platform=case.platform,
        language=draft.language,
        author_name=case.author_name,
        mention=case.text,
        case_ref=draft.case_ref or "—",
        due="—",
        reply=draft.text,
        labels=ReplyLabels(**{point: True for point in POINTS}),
    )


def make_judge(parts: Components) -> LLMJudge | None:
    """A judge on the configured model; None on the offline default (there is no model)."""
    settings = parts.settings
    if settings.model == "offline":
        return None
    prompts = load_prompts(settings.prompts_dir, ("judge", "reask"))
    counter = TokenCounter(settings.tiktoken_cache_dir, factor=settings.token_factor)
    caller = StructuredCaller(make_chat_model(settings), settings, counter, prompts["reask"])
    return LLMJudge(caller, prompts["judge"], parts)
