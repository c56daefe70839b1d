"""The vocabulary of Otklik: one definition of each domain object.

The chain, the CLI, the API and the evals all speak in these models; brand folders
(`knowledge/brands/<brand>/*.yaml`) are validated by them too.
"""

from __future__ import annotations

import re
import uuid
import warnings
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    RootModel,
    StringConstraints,
    ValidationError,
    field_validator,
    model_validator,
)

# "register" (rational/emotional) is the domain's word; pydantic warns that it shadows
# ABCMeta.register, which no model here uses.
warnings.filterwarnings("ignore", message='Field name "register"', category=UserWarning)

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]{1,62}$")]
Language = Annotated[str, StringConstraints(pattern=r"^[a-z]{2}$")]


class Strict(BaseModel):
    """Base for models read from files or requests: unknown fields are errors, not silence."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="before")
    @classmethod
    def _only_text(cls, value: Any) -> Any:
        """Refuse NUL bytes and unpaired surrogates anywhere in a field: JSON allows them as
        escapes, but no database, embedder or UTF-8 encoder takes them."""
        if _holds_non_text(value):
            raise ValueError("contains a NUL byte or an unpaired surrogate, which are not text")
        return value


_NON_TEXT = re.compile("[\x00\ud800-\udfff]")


def _holds_non_text(value: Any) -> bool:
    if isinstance(value, str):
        return _NON_TEXT.search(value) is not None
    if isinstance(value, dict):
        return any(_holds_non_text(key) or _holds_non_text(item) for key, item in value.items())
    if isinstance(value, list | tuple):
        return any(_holds_non_text(item) for item in value)
    return False


# --- enumerations -------------------------------------------------------------------


class Platform(StrEnum):
    """Where a mention was written. Stored as its value (a string), so a value once used stays."""

    vk = "vk"
    telegram = "telegram"  # channels (and their comments), groups and chats alike
    twitter = "twitter"  # X; exports also say "x", "x.com", "twitter.com"
    instagram = "instagram"
    youtube = "youtube"
    otzovik = "otzovik"
    irecommend = "irecommend"
    banki_ru = "banki_ru"  # banki.ru: the bank review site, where a bank's official representative answers
    marketplace = "marketplace"  # a marketplace not listed below (kept: stored mentions use it)
    ozon = "ozon"
    wildberries = "wildberries"
    yandex_market = "yandex_market"
    yandex_maps = "yandex_maps"
    google_maps = "google_maps"
    two_gis = "2gis"
    app_store = "app_store"
    google_play = "google_play"
    forum = "forum"
    news = "news"  # comments under a news or media item
    website = "website"
    other = "other"


class Sentiment(StrEnum):
    positive = "positive"
    neutral = "neutral"
    negative = "negative"


class MentionKind(StrEnum):
    """What kind of mention it is, which decides whether to react at all (DOMAIN.md)."""

    customer = "customer"  # a review, complaint, question or praise from a (would-be) customer
    media = "media"  # news and media items, market and financial news about the company
    chatter = "chatter"  # jokes, memes, general or political talk naming the brand in passing
    spam = "spam"  # advertising, spam, a competitor's promotion
    crisis = "crisis"  # an incident beyond one customer's case: death, injury, breach, mass outage…


class NegativeKind(StrEnum):
    constructive = "constructive"
    non_constructive = "non_constructive"
    abusive = "abusive"


class Register(StrEnum):
    rational = "rational"
    emotional = "emotional"


class RiskFlag(StrEnum):
    threat = "threat"
    legal = "legal"
    health = "health"


class Action(StrEnum):
    reply = "reply"
    escalate = "escalate"
    hide_and_report = "hide_and_report"
    request_removal = "request_removal"
    no_action = "no_action"


class Address(StrEnum):
    """How the brand addresses a person in Russian: informal «ты» or formal «Вы»."""

    informal = "ты"
    formal = "Вы"


class EmojiPolicy(StrEnum):
    none = "none"
    sparing = "sparing"
    allowed = "allowed"


class ReplyFormat(StrEnum):
    """What the reply is built around; set by the reaction matrix."""

    facts_and_steps = "facts_and_steps"
    empathy_first = "empathy_first"
    answer = "answer"
    personal_thanks = "personal_thanks"


class DraftStatus(StrEnum):
    ready = "ready"
    needs_review = "needs_review"


# --- the mention and what the chain makes of it ---------------------------------------


def _new_id() -> str:
    return uuid.uuid4().hex[:12]


def _now() -> datetime:
    return datetime.now(UTC)


class Mention(Strict):
    id: str = Field(default_factory=_new_id, min_length=1, max_length=128)
    external_id: str | None = None
    brand: Slug
    platform: Platform = Platform.other
    author_name: str | None = Field(default=None, max_length=200)
    text: str = Field(min_length=1, max_length=20_000)
    rating: int | None = Field(default=None, ge=1, le=5)
    url: str | None = None
    created_at: datetime = Field(default_factory=_now)
    language: Language | None = None

    @field_validator("text")
    @classmethod
    def _text_not_blank(cls, text: str) -> str:
        if not text.strip():
            raise ValueError("text is empty")
        return text

    @field_validator("author_name")
    @classmethod
    def _blank_name_is_none(cls, name: str | None) -> str | None:
        return name.strip() or None if name is not None else None


class ModelCall(BaseModel):
    """One call to the language model: what it cost and how it ended (the cost of a draft is their sum)."""

    prompt: str
    prompt_version: str
    model: str
    attempt: int = 1
    counted_prompt_tokens: int = 0  # our own count (tiktoken × safety factor), before sending
    prompt_tokens: int | None = None  # as the server reports them
    completion_tokens: int | None = None
    latency_ms: float = 0.0
    outcome: str = "ok"  # ok | invalid_output | unavailable | circuit_open | context_overflow | configuration


class Minus(StrEnum):
    """What a calm mention's «но» or remark is: a wish («но тёмной темы нет») or a problem
    told with its figures («но кэшбэк пришёл 280 ₽ вместо 1 000»)."""

    remark = "remark"
    problem = "problem"


class Classification(BaseModel):
    sentiment: Sentiment  # toward the brand, not the author's mood
    mention_kind: MentionKind = MentionKind.customer
    kind: NegativeKind | None = None
    register: Register = Register.rational
    is_question: bool = False
    criticism: Minus | None = None  # the minus it names, if any: a mixed review is answered
    praises: bool = False  # names something the author liked («приложение в целом удобное»)
    suspected_fake: bool = False
    fake_signals: list[str] = Field(default_factory=list)
    risk_flags: list[RiskFlag] = Field(default_factory=list)
    # the threat flag is the threat model's reading alone, with no threatening words: a complaint
    # it flags is escalated and answered by a holding reply, not hidden
    threat_read_only: bool = False
    # the threatening words are quoted by the one threatened («пришло сообщение: «я знаю, где ты
    # живёшь». Мне страшно»): escalated to security and answered, never hidden
    threat_reported: bool = False
    # the author tells of our own people's abuse («курьер… послал матом»): a threat back is
    # escalated, but the report of our misconduct is answered by a holding reply, not hidden
    abused_by_staff: bool = False
    topics: list[str] = Field(default_factory=list)
    language: Language = "ru"
    confidence: float = Field(default=0.5, ge=0.0, le=1.0)
    rationale: str = ""
    backend: str = "offline"
    calls: list[ModelCall] = Field(default_factory=list)


class ClassifiedMention(Classification):
    """A classification with the id of its mention: one line of `otklik classify` output."""

    id: str


class MatrixCell(Strict):
    """One cell of the reaction matrix: how to answer this kind of mention."""

    format: ReplyFormat
    style: str
    tone: str
    move_to_private: bool = False
    max_sentences: int | None = Field(default=None, ge=1, le=20)


class ReplyMode(StrEnum):
    """Which kind of reply a decision calls for."""

    negative = "negative"  # the five rules
    holding = "holding"  # legal/health escalation: a holding reply for an operator
    fake = "fake"  # calm, factual, asks for order details
    answer = "answer"  # a question or neutral mention answered from the facts
    thanks = "thanks"  # personal thanks
    follow_up = "follow_up"  # a later message on a tracked case (assistant/followup.py), not a first reply


class Decision(BaseModel):
    actions: list[Action]
    reply_mode: ReplyMode | None = None
    matrix_key: str
    cell: MatrixCell
    reasons: list[str] = Field(default_factory=list)
    operator_confirms: bool = False  # an escalated holding reply (crisis, health, legal): never ready

    @property
    def replies(self) -> bool:
        return Action.reply in self.actions


class KnowledgeItem(BaseModel):
    """A retrieved piece of brand knowledge: a fact or an approved reply."""

    id: str
    kind: Literal["fact", "approved_reply", "example"]
    text: str
    score: float = 0.0
    metadata: dict[str, str | int | float | bool] = Field(default_factory=dict)


class Retrieved(BaseModel):
    facts: list[KnowledgeItem] = Field(default_factory=list)
    approved_replies: list[KnowledgeItem] = Field(default_factory=list)
    tokens: int = 0
    # each question of the mention → the fact whose customers' questions (facts.md `Q:`) read
    # closest by sentence embeddings, when close enough: the drafter's answer when no fact shares its words
    answers: dict[str, list[str]] = Field(default_factory=dict)

    @property
    def ids(self) -> list[str]:
        return [item.id for item in (*self.facts, *self.approved_replies)]


class CaseStatus(StrEnum):
    """Where a tracked case stands; the moves between them are the service's (api/cases.py)."""

    open = "open"
    waiting_customer = "waiting_customer"  # we asked the customer for details: the clock is paused
    resolved = "resolved"


class CaseTicket(BaseModel):
    """The tracked case a reply to a negative promises to see through (rule 5)."""

    reference: str
    due: datetime


class CheckResult(BaseModel):
    name: str
    passed: bool
    detail: str = ""


class Draft(BaseModel):
    text: str
    language: Language
    cited_ids: list[str] = Field(default_factory=list)
    retrieved_ids: list[str] = Field(default_factory=list)  # the facts and approved replies it was drafted from
    checks: list[CheckResult] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)
    backend: str = "offline"
    case_ref: str | None = None
    situation: str | None = None  # the playbook the offline drafter followed; None for a generic plan or a model
    status: DraftStatus = DraftStatus.ready
    calls: list[ModelCall] = Field(default_factory=list)

    @property
    def failed_checks(self) -> list[CheckResult]:
        return [check for check in self.checks if not check.passed]


class PipelineResult(BaseModel):
    """Everything the chain produced for one mention; `draft` is None when no reply is due."""

    mention: Mention
    classification: Classification
    decision: Decision
    draft: Draft | None = None
    case: CaseTicket | None = None  # the case a reply to a genuine negative opened (rule 5)

    @property
    def calls(self) -> list[ModelCall]:
        """Every language-model call made for this mention: its cost is their sum."""
        return [*self.classification.calls, *(self.draft.calls if self.draft else [])]


# --- the brand ---------------------------------------------------------------------------


class PlatformRules(Strict):
    max_length: int = Field(default=1000, ge=50, le=10_000)
    links_allowed: bool = True
    phones_allowed: bool = True

    def within(self, limits: PlatformRules) -> PlatformRules:
        """These rules held to a platform's limits: the shorter length, links and phones only where both allow."""
        return PlatformRules(
            max_length=min(self.max_length, limits.max_length),
            links_allowed=self.links_allowed and limits.links_allowed,
            phones_allowed=self.phones_allowed and limits.phones_allowed,
        )


def _limits(max_length: int, links: bool = True, phones: bool = True) -> PlatformRules:
    return PlatformRules(max_length=max_length, links_allowed=links, phones_allowed=phones)


# What a platform itself allows in a reply, for a platform brand.yaml does not list: the brand's
# `other` rules (or PlatformRules()) are held within these. A length is the platform's own limit
# where one is known (X: 280 for an ordinary account; Google Play: a developer reply of 350;
# Telegram: a message of 4096; Instagram: a comment of 2200), else what a reply there should stay
# within (YouTube takes 10,000 characters in a comment; a reply to one is kept to 1000).
# Marketplaces, app stores and review sites: a seller's reply carries no links and no phone numbers
# (their rules for replies, and their moderation, remove contact details). Instagram does not make
# a link in a comment clickable, and YouTube often holds comments with links back as spam.
# Platforms not here (vk, the maps, forum, news, website, other) take the brand's `other` rules.
# These come from the platforms' public rules, not checked against each one's latest terms: list a
# platform in brand.yaml to set its rules (knowledge/brands/README.md).
PLATFORM_LIMITS: dict[Platform, PlatformRules] = {
    Platform.twitter: _limits(280),
    Platform.telegram: _limits(4096),
    Platform.instagram: _limits(2200, links=False),
    Platform.youtube: _limits(1000, links=False),
    **dict.fromkeys(
        [Platform.otzovik, Platform.irecommend, Platform.banki_ru], _limits(2000, links=False, phones=False)
    ),
    **dict.fromkeys(
        [Platform.marketplace, Platform.ozon, Platform.wildberries, Platform.yandex_market, Platform.app_store],
        _limits(1000, links=False, phones=False),
    ),
    Platform.google_play: _limits(350, links=False, phones=False),
}


class ContactChannel(Strict):
    """A way for a customer to reach the brand; `value` is a URL, phone or e-mail."""

    id: Slug
    label: dict[Language, str]
    value: str
    kind: Literal["url", "phone", "email", "in_platform"] = "url"


class Topic(Strict):
    id: Slug
    label: dict[Language, str]
    keywords: list[str] = Field(default_factory=list)


class EscalationTrigger(Strict):
    flag: RiskFlag
    patterns: list[str] = Field(min_length=1)


WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_HOURS = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-4]):([0-5]\d)$")


class WorkingHours(Strict):
    """When the brand's people answer, in the brand's timezone: `{"mon-fri": "09:00-20:00",
    "sat": "10:00-17:00"}`; a day not named is closed. The default: every day 09:00-21:00."""

    days: dict[str, str] = Field(default_factory=lambda: {"daily": "09:00-21:00"})

    @model_validator(mode="before")
    @classmethod
    def _bare_mapping(cls, data: object) -> object:
        """brand.yaml writes the days directly under working_hours."""
        return {"days": data} if isinstance(data, dict) and data and "days" not in data else data

    @field_validator("days")
    @classmethod
    def _valid_days(cls, days: dict[str, str]) -> dict[str, str]:
        for key, hours in days.items():
            _weekday_numbers(key)
            match = _HOURS.match(hours.replace(" ", ""))
            if not match or (int(match[1]), int(match[2])) >= (int(match[3]), int(match[4])):
                raise ValueError(f"{key}: {hours!r} is not a range like 09:00-21:00")
        if not days:
            raise ValueError("no working day")
        return days

    def opening(self, weekday: int) -> tuple[tuple[int, int], tuple[int, int]] | None:
        """((open hour, minute), (close hour, minute)) on a weekday (0 = Monday); None when closed."""
        for key, hours in self.days.items():
            if weekday in _weekday_numbers(key):
                match = _HOURS.match(hours.replace(" ", ""))
                assert match is not None  # validated on load
                return (int(match[1]), int(match[2])), (int(match[3]), int(match[4]))
        return None


def _weekday_numbers(key: str) -> list[int]:
    """ "mon-fri" → [0..4]; "sat" → [5]; "daily" → all."""
    if key == "daily":
        return list(range(7))
    first, _, last = key.partition("-")
    if first not in WEEKDAYS or (last and last not in WEEKDAYS):
        raise ValueError(f"{key!r}: days are mon..sun, a range like mon-fri, or daily")
    start, end = WEEKDAYS.index(first), WEEKDAYS.index(last or first)
    return list(range(start, end + 1))


class BrandProfile(Strict):
    id: Slug
    name: str
    audience: str
    industry: str = ""
    timezone: str = "Europe/Moscow"
    response_time_hours: int = Field(default=24, ge=1, le=24 * 14)
    platforms: dict[Platform, PlatformRules] = Field(default_factory=dict)
    contact_channels: list[ContactChannel] = Field(min_length=1)
    topics: list[Topic] = Field(default_factory=list)
    escalation_triggers: list[EscalationTrigger] = Field(default_factory=list)
    may_promise: list[str] = Field(default_factory=list)
    must_not_promise: list[str] = Field(default_factory=list)
    competitors: list[str] = Field(default_factory=list)
    aliases: list[str] = Field(default_factory=list)  # other spellings and nicknames of the brand's name
    crisis_contact: str | None = None  # who takes a crisis (a name, phone or e-mail): named in the escalation
    working_hours: WorkingHours = Field(default_factory=lambda: WorkingHours())  # when replies promise to come back

    @property
    def names(self) -> list[str]:
        """The brand's name and aliases: none of them may act as sentiment."""
        return [self.name, *self.aliases]

    def rules_for(self, platform: Platform) -> PlatformRules:
        """The platform's rules as brand.yaml lists them; else the brand's `other` rules (or the
        defaults) held within what the platform allows (PLATFORM_LIMITS)."""
        if platform in self.platforms:
            return self.platforms[platform]
        fallback = self.platforms.get(Platform.other) or PlatformRules()
        limits = PLATFORM_LIMITS.get(platform)
        return fallback.within(limits) if limits else fallback


class Phrases(Strict):
    """Sentences in the brand's own words that the offline drafter composes replies from.

    Each list holds variants; placeholders: {name}, {case_ref}, {channel}, {due},
    {specifics}, {topic}, and in follow-ups {note} (the operator's note on the case).
    """

    thanks_negative: list[str] = Field(default_factory=list)
    acknowledge: list[str] = Field(default_factory=list)
    regret: list[str] = Field(default_factory=list)
    again: list[str] = Field(default_factory=list)  # the author says it happened before («опять», «в третий раз»)
    contacted: list[str] = Field(default_factory=list)  # the author already wrote or called us about it
    praised: list[str] = Field(default_factory=list)  # a calm review's praise, {praised}, before its minus is answered
    help: list[str] = Field(default_factory=list)
    # the next step for someone who already wrote or called us: we act, they need not write again
    help_contacted: list[str] = Field(default_factory=list)
    follow_up: list[str] = Field(default_factory=list)
    thanks_positive: list[str] = Field(default_factory=list)
    thanks_specifics: list[str] = Field(default_factory=list)
    answer_intro: list[str] = Field(default_factory=list)
    no_answer: list[str] = Field(default_factory=list)  # a question no fact answers: who will answer, {when}
    # a place asked about that the answering fact's list of places leaves out: {unlisted}, in the genitive
    not_listed: list[str] = Field(default_factory=list)
    fake_ask_details: list[str] = Field(default_factory=list)
    holding: list[str] = Field(default_factory=list)
    specifics_intro: list[str] = Field(default_factory=list)
    # Follow-ups on a tracked case (assistant/followup.py). A variant with {note} is used when the
    # operator left one; the others must make sense without it.
    case_progress: list[str] = Field(default_factory=list)  # open: still in work; {case_ref}, {due}
    case_reminder: list[str] = Field(default_factory=list)  # waiting_customer: what we need ({note}), {channel}
    case_resolved: list[str] = Field(default_factory=list)  # resolved: what was done ({note}); {case_ref}
    case_thanks: list[str] = Field(default_factory=list)  # resolved: thanks, after what was done


class VoiceProfile(Strict):
    """The voice for one platform and language, after overrides are applied."""

    address: Address = Address.formal
    greeting: str = "Здравствуйте, {name}!"
    greeting_anonymous: str = "Здравствуйте!"
    sign_off: str = ""
    use_words: list[str] = Field(default_factory=list)
    avoid_words: list[str] = Field(default_factory=list)
    emoji: EmojiPolicy = EmojiPolicy.none
    max_length: int = Field(default=900, ge=100, le=10_000)
    phrases: Phrases = Field(default_factory=Phrases)
    notes: str = ""


VOICE_SITUATIONS = ("crisis", "formal")


class VoiceOverride(Strict):
    """Voice fields set when a reply matches: a platform, a language, or a situation (`crisis`:
    health, safety, legal, threats get a formal, calm voice on every platform; `formal`: the
    author signs with a patronymic)."""

    when: dict[Literal["platform", "language", "situation"], str]
    set: dict[str, object]

    @field_validator("when")
    @classmethod
    def _known_situation(cls, when: dict[str, str]) -> dict[str, str]:
        if when.get("situation", "crisis") not in VOICE_SITUATIONS:
            raise ValueError(f"situation: only «crisis» and «formal» are known, not {when['situation']!r}")
        return when

    @field_validator("set")
    @classmethod
    def _sets_voice_fields(cls, values: dict[str, object]) -> dict[str, object]:
        """Only VoiceProfile fields, with valid values: checked on load, not when a draft resolves the voice."""
        try:
            VoiceProfile.model_validate({**VoiceProfile().model_dump(), **values})
        except ValidationError as error:
            first = error.errors()[0]
            raise ValueError(f"{'.'.join(str(part) for part in first['loc'])}: {first['msg']}") from None
        return values


class VoiceGuide(Strict):
    """A brand's tone of voice: a default per language plus overrides for platforms."""

    languages: dict[Language, VoiceProfile] = Field(min_length=1)
    overrides: list[VoiceOverride] = Field(default_factory=list)

    def resolve(self, platform: Platform, language: str, crisis: bool = False, formal: bool = False) -> VoiceProfile:
        """The voice for a platform and language; in a crisis, or `formal` (the author signs with
        a patronymic), the overrides for that situation apply last."""
        base = self.languages.get(language) or next(iter(self.languages.values()))
        merged = base.model_dump()
        situation = "crisis" if crisis else "formal" if formal else None
        for override in self.overrides:
            wanted = override.when
            if (
                wanted.get("platform", platform.value) == platform.value
                and wanted.get("language", language) == language
                and wanted.get("situation", situation) == situation
            ):
                merged.update(override.set)
        return VoiceProfile.model_validate(merged)


class ReactionMatrix(Strict):
    """Sentiment × register → how to answer (DOMAIN.md, «матрица реагирования»)."""

    negative: dict[Register, MatrixCell]
    neutral: dict[Register, MatrixCell]
    positive: dict[Register, MatrixCell]

    @field_validator("negative", "neutral", "positive")
    @classmethod
    def _every_register(cls, row: dict[Register, MatrixCell]) -> dict[Register, MatrixCell]:
        missing = [register.value for register in Register if register not in row]
        if missing:
            raise ValueError(f"no cell for {', '.join(missing)}: each sentiment needs one per register")
        return row

    def cell(self, sentiment: Sentiment, register: Register) -> MatrixCell:
        return getattr(self, sentiment.value)[register]


class Fact(Strict):
    id: Slug
    topic: str
    text: dict[Language, str]
    # Internal facts (rules for staff) inform the checks and never reach a reply.
    audience: Literal["public", "internal"] = "public"
    # questions it answers, as customers ask them: the drafter finds the fact by them too
    questions: list[str] = Field(default_factory=list)


PlaybookMove = Literal[
    "opening", "acknowledge", "regret", "details", "fact", "answer",
    "next_step", "follow_up", "holding", "thanks", "pass_on", "fake", "closing",
    "also",  # this situation as a complaint's second problem: the drafter inserts it into another's reply
    "remark",  # a review's remark when the praise it follows has no words for one (the drafter inserts it)
    "again",  # a complaint about something that happened before (the drafter inserts it after the regret)
    "contacted",  # the author already wrote or called us about it (the drafter inserts it after the regret)
    "praised",  # a calm review's praise, owned first when its minus is answered (the drafter opens with it)
]  # fmt: skip
# no_answer: the answer move when no fact answers; applied: the answer when the playbook's figure
# rule covers the author's figure («40 минут — больше 30, промокод положен»), instead of the rule's fact
_PHRASE_KEYS = (*PlaybookMove.__args__, "no_answer", "applied")
_VOICE_KEY = re.compile(r"^[a-z]{2}(_ty|_vy)?$")


class SituationCue(Strict):
    """What makes a mention this situation: the brand's topics, words (matched by lemma), risk flags."""

    topics: list[str] = Field(default_factory=list)
    words: list[str] = Field(default_factory=list)
    flags: list[RiskFlag] = Field(default_factory=list)
    # only a mention with one of the words fits: a mixed review names its minus («но», «жаль»)
    words_required: bool = False
    # told, not negated, these say the situation did not happen: «приходит смс, опять белый экран»
    # is no code that never arrives
    ruled_out_by: list[str] = Field(default_factory=list)


class FigureRule(Strict):
    """A brand rule that turns on a figure the author gives («если заказ опоздал больше чем на
    30 минут — промокод», «СБП бесплатно до 100 000 ₽ в месяц, сверх — 0,5 %»): a reply applies it
    to their figure (`{?over}`, `{?within}` variants, `{fee}`) instead of quoting the rule to
    someone it plainly covers or plainly does not."""

    # the author's detail it measures: a delay in minutes, a portion's shortfall from its stated
    # weight in percent, or a sum in roubles by what it is for
    detail: Literal["delay", "shortfall", "transfer", "spent"]
    limit: int = Field(gt=0)  # more than this is over
    percent: float | None = Field(default=None, gt=0, le=100)  # charged on what is over the limit: {fee}
    cap: int | None = Field(default=None, gt=0)  # the fee is at most this
    fact: Slug  # the fact that states the rule; its text must carry its figures
    # words of a question that asks what the rule decides («комиссия», «сколько возьмут»); when
    # given, a question without one («когда дойдёт перевод 150 000 ₽?») gets the facts, not the sum
    asked_by: list[str] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _minutes_is_the_old_limit(cls, data: Any) -> Any:
        """Brands stored before sums had rules name a delay's limit `minutes`."""
        if isinstance(data, dict) and "minutes" in data and "limit" not in data:
            data = {**data, "limit": data["minutes"]}
            del data["minutes"]
        return data

    @model_validator(mode="after")
    def _fee_on_sums_only(self) -> FigureRule:
        if self.detail in ("delay", "shortfall") and (self.percent or self.cap):
            raise ValueError(f"a {self.detail} rule has no fee: percent and cap are for sums")
        if self.cap and not self.percent:
            raise ValueError("a cap needs the percent it caps")
        return self

    def fee(self, roubles: int) -> tuple[int, int]:
        """What of the sum is over the limit, and the fee on it, capped: 150 000 ₽ against a
        100 000 ₽ limit at 0,5 % is 50 000 ₽ over and 250 ₽ of fee."""
        excess = max(0, roubles - self.limit)
        fee = round(excess * (self.percent or 0) / 100)
        return excess, min(fee, self.cap) if self.cap else fee

    def worked_out(self, roubles: int) -> dict[str, int]:
        """The figures a reply may state for the author's sum, by slot: what is over the limit
        ({excess}), its fee ({fee}) and what the limit leaves ({left}); the ones that are nothing,
        left out. The drafter fills its phrases with them; the checker accepts them as the brand's."""
        excess, fee = self.fee(roubles)
        figures = {"excess": excess, "fee": fee, "left": self.limit - roubles}
        return {slot: figure for slot, figure in figures.items() if figure > 0}


class Playbook(Strict):
    """How the brand answers one situation: the reply's moves in order and, per voice
    (`ru_ty`, `ru_vy`, `en`), phrase variants for each move (knowledge/brands/README.md)."""

    id: Slug
    label: dict[Language, str]
    mode: ReplyMode
    when: SituationCue = Field(default_factory=SituationCue)
    facts: list[Slug] = Field(default_factory=list)  # the facts that bear on it; a reply states at most two
    moves: list[PlaybookMove] = Field(min_length=1)
    phrases: dict[str, dict[str, list[str]]] = Field(default_factory=dict)
    # mentions in this situation, as people write them: the drafter recognises the situation by them
    examples: list[str] = Field(default_factory=list)
    # the situation is itself about reaching us (support, a silent manager): its reply says so in
    # its own words, without the «Ваше прошлое обращение не решило вопрос» sentence
    about_contact: bool = False
    rule: FigureRule | None = None
    # conditions the brand names by phrases: `{?cooking}` holds when the mention tells, not negated,
    # one of its phrases («уже готовится»), `{!cooking}` when it tells none
    conditions: dict[Slug, list[str]] = Field(default_factory=dict)

    def speaks_of(self, slot: str) -> bool:
        """Some phrase of the playbook, in any voice and move, fills the slot («{missing}»)."""
        return any(
            slot in variant for moves in self.phrases.values() for variants in moves.values() for variant in variants
        )

    @field_validator("phrases")
    @classmethod
    def _known_keys(cls, phrases: dict[str, dict[str, list[str]]]) -> dict[str, dict[str, list[str]]]:
        for voice, moves in phrases.items():
            if not _VOICE_KEY.match(voice):
                raise ValueError(f"{voice!r}: voices are a language code, optionally with _ty or _vy (ru_ty, en)")
            unknown = [move for move in moves if move not in _PHRASE_KEYS]
            if unknown:
                raise ValueError(f"{voice}: unknown moves {', '.join(unknown)}; moves are {', '.join(_PHRASE_KEYS)}")
        return phrases


class SituationExamples(RootModel[dict[Slug, list[str]]]):
    """`situation_examples.yaml`: example mentions per situation id."""


class Playbooks(Strict):
    situations: list[Playbook] = Field(default_factory=list)


class ApprovedReply(Strict):
    """A reply an operator approved, stored with personal data replaced by placeholders."""

    id: str = Field(default_factory=_new_id)
    mention: str
    reply: str
    language: Language = "ru"
    platform: Platform = Platform.other
    sentiment: Sentiment = Sentiment.negative
    topics: list[str] = Field(default_factory=list)
    source: Literal["seed", "service"] = "seed"


class Brand(BaseModel):
    """A brand folder, loaded and validated."""

    profile: BrandProfile
    voice: VoiceGuide
    matrix: ReactionMatrix
    facts: list[Fact]
    approved_replies: list[ApprovedReply]
    examples: list[LabelledMention] = Field(default_factory=list)
    playbooks: list[Playbook] = Field(default_factory=list)

    @property
    def public_facts(self) -> list[Fact]:
        return [fact for fact in self.facts if fact.audience == "public"]


class LabelledMention(Strict):
    """A mention with its true labels: the classifier's training and held-out data."""

    id: str
    text: str = Field(min_length=1)
    rating: int | None = Field(default=None, ge=1, le=5)
    language: Language
    sentiment: Sentiment
    kind: NegativeKind | None = None
    register: Register = Field(...)  # explicit: a bare annotation would inherit ABCMeta.register as its default
    is_question: bool
    suspected_fake: bool
    risk_flags: list[RiskFlag] = Field(default_factory=list)


Brand.model_rebuild()
