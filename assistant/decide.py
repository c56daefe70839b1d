"""Decide what to do with a classified mention: a pure function of the classification, the
platform and the brand's reaction matrix (DOMAIN.md: «Kinds of mention»).

Whether to react at all comes first: news and chatter are monitored, not answered; spam is
hidden or reported; a crisis goes to the brand's crisis contact with at most a holding reply.
"""

from __future__ import annotations

from assistant.models import (
    Action,
    Brand,
    Classification,
    Decision,
    MentionKind,
    Minus,
    NegativeKind,
    Platform,
    ReplyMode,
    RiskFlag,
    Sentiment,
)

# Where the brand moderates the space itself and can hide a comment; elsewhere (review sites,
# maps, marketplaces, app stores, forums, news sites) it can only ask the platform to remove one.
# The social networks count as the brand's own: spam that reaches it there is mostly in the
# comments under its own posts, videos and channel (hidden by the brand; Telegram channel comments,
# Instagram and YouTube comments, X replies), and "hide and report" also reports what sits elsewhere.
OWN_SPACES = frozenset(
    {
        Platform.vk,
        Platform.telegram,
        Platform.twitter,
        Platform.instagram,
        Platform.youtube,
        Platform.website,
        Platform.other,
    }
)


# «Пришёл в отделение… разговаривала со мной как с неразумным»: the threat model reads staff
# rudeness as a threat at times; a complaint with no threatening words is answered, not hidden.
THREAT_READ_ONLY = (
    "a possible threat, read by the model in a complaint without threatening words: escalated to security, "
    "not hidden; answered as a complaint once an operator confirms"
)


def decide(classification: Classification, brand: Brand, platform: Platform = Platform.other) -> Decision:
    sentiment, register = classification.sentiment, classification.register
    actions, mode, reasons = _actions(classification, brand, platform)
    return Decision(
        actions=actions,
        reply_mode=mode,
        matrix_key=f"{sentiment.value}-{register.value}",
        cell=brand.matrix.cell(sentiment, register),
        reasons=reasons,
        # an escalated reply (a holding reply, or one to a possible threat) waits for the contact's word
        operator_confirms=Action.escalate in actions and mode is not None,
    )


def _actions(c: Classification, brand: Brand, platform: Platform) -> tuple[list[Action], ReplyMode | None, list[str]]:
    flags = set(c.risk_flags)
    if c.kind is NegativeKind.abusive:
        actions = [Action.hide_and_report] + ([Action.escalate] if RiskFlag.threat in flags else [])
        return actions, None, ["profanity or insults: do not enter a dialogue; hide and report", *_risk_reasons(flags)]
    if (
        RiskFlag.threat in flags
        and c.threat_read_only
        and c.kind is NegativeKind.constructive
        and RiskFlag.health not in flags
    ):
        return (
            [Action.escalate, Action.reply],
            ReplyMode.negative,
            [THREAT_READ_ONLY, *_risk_reasons(flags - {RiskFlag.threat})],
        )
    if RiskFlag.threat in flags and c.threat_read_only and c.sentiment is not Sentiment.negative:
        # «Смотрим с женой дом… Какой у вас взнос?»: the model alone, in a mention that does not
        # even read negative: escalated for a look, answered as it reads, never hidden
        actions, mode, reasons = _ordinary(c)
        return [Action.escalate, *(a for a in actions if a is not Action.no_action)], mode, [THREAT_READ_ONLY, *reasons]
    if RiskFlag.threat in flags and c.threat_reported:
        return _holding(flags, "the author reports a threat made to them: escalate to security, never hide")
    if RiskFlag.threat in flags and c.abused_by_staff:
        return _holding(
            flags,
            "the author tells of our people's abuse and threatens back: escalate to security; "
            "the report of our misconduct is not hidden; a holding reply for an operator to confirm",
        )
    if RiskFlag.threat in flags and RiskFlag.health not in flags:
        return [Action.escalate, Action.hide_and_report], None, ["a threat: escalate to security, hide"]
    if RiskFlag.threat in flags:  # «отец в больнице… я этого так не оставлю»: a report of harm is never hidden
        return _holding(flags, "someone was harmed: not hidden; a holding reply for an operator to confirm")
    if c.mention_kind is MentionKind.crisis:
        contact = brand.profile.crisis_contact or "the brand's crisis team (no crisis_contact in brand.yaml)"
        return (
            [Action.escalate, Action.reply],
            ReplyMode.holding,
            [
                f"crisis: an incident beyond one customer's case — escalate to {contact}",
                *_risk_reasons(flags),
                "at most a holding reply, never ready: an operator confirms it",
            ],
        )
    if c.mention_kind is MentionKind.media and RiskFlag.health in flags:
        # «23 человека обратились к врачам после обеда от …»: news of harm is the crisis team's to
        # know at once, and not answered; news that names a court or the central bank is only news
        return [Action.escalate], None, [*_risk_reasons(flags), "news of harm: escalate, not answered"]
    if c.mention_kind in (MentionKind.media, MentionKind.chatter):
        what = "a news or media item" if c.mention_kind is MentionKind.media else "chatter naming the brand in passing"
        return [Action.no_action], None, [f"{what}: monitored and counted, not answered"]
    if c.mention_kind is MentionKind.spam:
        if platform in OWN_SPACES:
            return [Action.hide_and_report], None, ["advertising or spam on the brand's own page: hide and report"]
        return (
            [Action.request_removal],
            None,
            ["advertising or spam on a platform's page: ask the platform to remove it"],
        )
    if flags & {RiskFlag.legal, RiskFlag.health} and not _thanks_for_how_it_went(c):
        return _holding(flags, "a holding reply is drafted for an operator to confirm")
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


def _thanks_for_how_it_went(c: Classification) -> bool:
    """«Звонили мошенники… оператор всё проверил и успокоил. Спасибо!», «оспорила списание — деньги
    вернули»: a story of fraud or harm told as praise of how it was handled, with no minus, is
    thanked, not held."""
    return c.sentiment is Sentiment.positive and c.criticism is None


def _holding(flags: set[RiskFlag], reason: str) -> tuple[list[Action], ReplyMode | None, list[str]]:
    return [Action.escalate, Action.reply], ReplyMode.holding, [*_risk_reasons(flags), reason]


def _ordinary(c: Classification) -> tuple[list[Action], ReplyMode | None, list[str]]:
    if c.sentiment is Sentiment.negative:
        reason = f"{c.kind.value if c.kind else 'negative'} negative: reply by the five rules"
        return [Action.reply], ReplyMode.negative, [reason]
    if c.criticism is Minus.problem and not c.is_question:  # «…, но кэшбэк пришёл 280 ₽ вместо 1 000»
        return [Action.reply], ReplyMode.negative, ["a review with a problem: answer it by the five rules"]
    if c.sentiment is Sentiment.positive:
        return [Action.reply], ReplyMode.thanks, ["positive: thank personally"]
    if c.is_question:
        return [Action.reply], ReplyMode.answer, ["a question: answer from the brand's facts"]
    if c.criticism is Minus.remark and c.praises:  # «приложение удобное, но тёмной темы нет»: thanks, remark taken
        return [Action.reply], ReplyMode.thanks, ["a mixed review: thank for its plus and take its remark"]
    if c.criticism:  # «…, но кэшбэк пришёл 280 ₽ вместо 1 000»: a problem to solve, not a remark to pass on
        return [Action.reply], ReplyMode.negative, ["a calm complaint: answer its minus by the five rules"]
    return [Action.no_action], None, ["neutral mention without a question or a minus: nothing to answer"]


def _risk_reasons(flags: set[RiskFlag]) -> list[str]:
    return [
        f"risk: {flag.value} — escalate to a specialist" for flag in sorted(flags) if flag is not RiskFlag.threat
    ] + (["risk: threat — escalate to security"] if RiskFlag.threat in flags else [])
