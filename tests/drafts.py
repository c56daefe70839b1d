"""One mention through the real offline pipeline, for the tests that read its draft."""

from __future__ import annotations

from assistant.models import Mention, Platform, ReplyMode
from assistant.pipeline import Components, PipelineResult, run


def ran(
    components: Components, brand: str, text: str, platform: Platform = Platform.vk, rating: int | None = None
) -> PipelineResult:
    return run(Mention(brand=brand, text=text, platform=platform, rating=rating), components)


def drafted(
    components: Components, brand: str, text: str, platform: Platform = Platform.vk, rating: int | None = None
) -> str:
    """The draft's text; a mention that got none fails the test with its decision."""
    result = ran(components, brand, text, platform, rating)
    assert result.draft is not None, result.decision
    return result.draft.text


def complaint_reply(components: Components, brand: str, text: str) -> PipelineResult:
    """The run of a mention that must be answered as a complaint; it fails the test otherwise."""
    result = ran(components, brand, text)
    assert result.decision.reply_mode is ReplyMode.negative, result.classification
    assert result.draft is not None, result.decision
    return result
