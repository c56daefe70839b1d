"""Decide what to do with a classified mention: a pure function of the classification and
the brand's reaction matrix (DOMAIN.md: «Kinds of mention»)."""

from __future__ import annotations

from assistant.models import (
    Action,
    Brand,
    Classification,
    Decision,
    NegativeKind,
    ReplyMode,
    RiskFlag,
    Sentiment,
)


def decide(classification: Classification, brand: Brand) -> Decision:
    sentiment, register = classification.sentiment, classification.register
    actions, mode, reasons = _actions(classification)
    return Decision(
        actions=actions,
        reply_mode=mode,
        matrix_key=f"{sentiment.value}-{register.value}",
        cell=brand.matrix.cell(sentiment, register),
        reasons=reasons,
    )


def _actions(c: Classification) -> tuple[list[Action], ReplyMode | None, list[str]]:
    flags = set(c.risk_flags)
    if c.kind is NegativeKind.abusive:
        actions = [Action.hide_and_report] + ([Action.escalate] if RiskFlag.threat in flags else [])
        return actions, None, ["profanity or insults: do not enter a dialogue; hide and report", *_risk_reasons(flags)]
    if RiskFlag.threat in flags:
        return [Action.escalate, Action.hide_and_report], None, ["a threat: escalate to security, hide"]
    if flags & {RiskFlag.legal, RiskFlag.health}:
        return (
            [Action.escalate, Action.reply],
            ReplyMode.holding,
            [*_risk_reasons(flags), "a holding reply is drafted for an operator to confirm"],
        )
    if c.suspected_fake:
        return (
            [Action.reply, Action.request_removal],
            ReplyMode.fake,
            [
                "suspected fake: " + "; ".join(c.fake_signals),
                "reply calmly and ask for order details; request removal after an operator confirms",
            ],
        )
    return _ordinary(c)


def _ordinary(c: Classification) -> tuple[list[Action], ReplyMode | None, list[str]]:
    if c.sentiment is Sentiment.negative:
        reason = f"{c.kind.value if c.kind else 'negative'} negative: reply by the five rules"
        return [Action.reply], ReplyMode.negative, [reason]
    if c.sentiment is Sentiment.positive:
        return [Action.reply], ReplyMode.thanks, ["positive: thank personally"]
    if c.is_question:
        return [Action.reply], ReplyMode.answer, ["a question: answer from the brand's facts"]
    return [Action.no_action], None, ["neutral mention without a question: nothing to answer"]


def _risk_reasons(flags: set[RiskFlag]) -> list[str]:
    return [
        f"risk: {flag.value} — escalate to a specialist" for flag in sorted(flags) if flag is not RiskFlag.threat
    ] + (["risk: threat — escalate to security"] if RiskFlag.threat in flags else [])
