"""Draft a reply. The offline drafter composes it from the brand's own material.

No language model runs on a CPU well enough to write replies (OFFLINE.md), so the
default drafter builds the reply from the brand's voice guide: its greeting, its phrase
variants for each of the five rules, the matrix cell's format, the author's specifics and
the most relevant fact — in the mention's language. Variants are chosen by a hash of the
mention, so two complaints get visibly different replies and a rerun gets the same one —
except where the platform's limit is tight (X: 280 characters) and the reply does not fit
even without its optional sentences: then each part takes its shortest variant.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from zoneinfo import ZoneInfo

from assistant import cues
from assistant.models import (
    Brand,
    CaseTicket,
    Classification,
    ContactChannel,
    Decision,
    Draft,
    Mention,
    PlatformRules,
    ReplyFormat,
    ReplyMode,
    Retrieved,
    VoiceProfile,
)

SUPPORTED_LANGUAGES = ("ru", "en")


@dataclass(frozen=True)
class DraftRequest:
    mention: Mention
    classification: Classification
    decision: Decision
    brand: Brand
    knowledge: Retrieved
    case: CaseTicket | None
    operator_note: str | None = None  # a follow-up's note from the operator: it grounds what the follow-up reports


class Drafter(Protocol):
    name: str

    def draft(self, request: DraftRequest) -> Draft: ...


def reply_language(request: DraftRequest) -> str:
    language = request.classification.language
    return language if language in SUPPORTED_LANGUAGES and language in request.brand.voice.languages else "ru"


def avoided_words(text: str, avoid_words: list[str]) -> list[str]:
    """The brand's forbidden words and phrases the text uses: whole words, any case, «ё» as «е»."""
    folded = _fold(text)
    return [
        word for word in avoid_words if word.strip() and re.search(rf"(?<!\w){re.escape(_fold(word))}(?!\w)", folded)
    ]


def _fold(text: str) -> str:
    return text.replace("ё", "е").replace("Ё", "Е").lower()


def first_name(author_name: str | None) -> str | None:
    """The name to greet: the first word of a display name, if it looks like a name."""
    if not author_name:
        return None
    word = author_name.split()[0].strip("@.,!")
    return word if word[:1].isupper() and word.isalpha() else None


def choose_channel(brand: Brand, rules: PlatformRules, platform: str) -> ContactChannel:
    """The brand's contact channel fitting the platform: its own messages where possible,
    else the first channel whose kind the platform allows."""
    channels = brand.profile.contact_channels
    for channel in channels:
        if platform in channel.id or platform in channel.value:
            return channel
    allowed = [c for c in channels if _allowed(c, rules) and not _belongs_elsewhere(c)]
    return allowed[0] if allowed else channels[0]


def _allowed(channel: ContactChannel, rules: PlatformRules) -> bool:
    if channel.kind == "phone":
        return rules.phones_allowed
    if channel.kind in ("url", "email"):
        return rules.links_allowed
    return True


def _belongs_elsewhere(channel: ContactChannel) -> bool:
    """A social network's private messages only make sense on that network."""
    return any(network in channel.id for network in ("vk", "telegram", "tg"))


def channel_text(channel: ContactChannel, language: str) -> str:
    label = channel.label.get(language) or next(iter(channel.label.values()))
    return label if channel.kind == "in_platform" or channel.value in label else f"{label} {channel.value}"


def format_due(due: datetime, timezone: str, language: str) -> str:
    local = due.astimezone(ZoneInfo(timezone))
    return local.strftime("%d.%m %H:%M") if language == "ru" else local.strftime("%d %b, %H:%M")


def placeholders(request: DraftRequest, rules: PlatformRules, language: str) -> dict[str, str]:
    """The values any reply fills its phrases with: {name}, {channel} (the one fitting the
    platform), {case_ref} and {due}; empty when unknown."""
    mention, brand, case = request.mention, request.brand, request.case
    channel = choose_channel(brand, rules, mention.platform.value)
    return {
        "name": first_name(mention.author_name) or "",
        "channel": channel_text(channel, language),
        "case_ref": case.reference if case else "",
        "due": format_due(case.due, brand.profile.timezone, language) if case else "",
    }


def pick_phrase(variants: list[str], values: dict[str, str], seed: str) -> str:
    """One variant, filled in, chosen by a hash of `seed` among those whose placeholders all have
    values ("" when none has): the same seed always gets the same variant."""
    usable = [v for v in variants if fillable(v, values)]
    if not usable:
        return ""
    digest = hashlib.sha256(seed.encode()).digest()
    return fill(usable[digest[0] % len(usable)], values)


def fillable(template: str, values: dict[str, str]) -> bool:
    """A variant that needs a value we do not have (no topic, no case) is skipped."""
    return all(values.get(key) for key in re.findall(r"{(\w+)}", template))


def shortest_variant(variants: list[str], values: dict[str, str]) -> list[str]:
    """The variant that is shortest once filled in, among those that can be (none if none can)."""
    usable = [v for v in variants if fillable(v, values)]
    return [min(usable, key=lambda v: len(fill(v, values)))] if usable else []


def greeting(voice: VoiceProfile, values: dict[str, str]) -> str:
    """The voice's greeting, by name when the author gave one."""
    return fill(voice.greeting if values.get("name") else voice.greeting_anonymous, values)


class OfflineDrafter:
    """Composes replies from the brand's voice guide and facts; no model, no network."""

    name = "offline"

    def draft(self, request: DraftRequest) -> Draft:
        language = reply_language(request)
        mention, brand = request.mention, request.brand
        voice = brand.voice.resolve(mention.platform, language)
        rules = brand.profile.rules_for(mention.platform)
        limit = min(voice.max_length, rules.max_length)
        kept = fitted(_Composer(request, voice, language, rules).sentences(), limit)
        if len(joined(kept)) > limit:
            kept = fitted(_Composer(request, voice, language, rules, shortest=True).sentences(), limit)
        return Draft(
            text=joined(kept),
            language=language,
            cited_ids=[s.fact_id for s in kept if s.fact_id],  # a fact dropped for length is not cited
            backend=self.name,
            case_ref=request.case.reference if request.case else None,
        )


class _Composer:
    """Builds the sentences of one reply; each method returns sentences for one part."""

    def __init__(
        self, request: DraftRequest, voice: VoiceProfile, language: str, rules: PlatformRules, shortest: bool = False
    ):
        self.request = request
        self.shortest = shortest  # each phrase's shortest variant, for a platform whose limit is tight
        self.voice = voice
        self.language = language
        self.phrases = voice.phrases
        self.seed = request.mention.id + request.mention.text
        self.values = {
            **placeholders(request, rules, language),
            "specifics": self._specifics_text(),
            "topic": self._topic_label(),
        }
        self.facts = [
            f for f in request.knowledge.facts if _fits_platform(f.text, rules) and self._voice_permits(f.text)
        ]

    def sentences(self) -> list[Sentence]:
        mode = self.request.decision.reply_mode
        parts = {
            ReplyMode.negative: self._negative,
            ReplyMode.holding: self._holding,
            ReplyMode.fake: self._fake,
            ReplyMode.answer: self._answer,
            ReplyMode.thanks: self._thanks,
        }[mode or ReplyMode.answer]()
        sentences = [Sentence(greeting(self.voice, self.values)), *parts, Sentence(self.voice.sign_off, priority=3)]
        return [s for s in sentences if s.text]

    # --- the parts -------------------------------------------------------------------

    def _negative(self) -> list[Sentence]:
        specifics = self._pick("specifics_intro", priority=2) if self.values["specifics"] else Sentence("")
        rules = [self._pick("acknowledge"), self._pick("regret")]
        if self.request.decision.cell.format is ReplyFormat.empathy_first:
            rules.reverse()
            return [*rules, specifics, self._pick("help"), self._fact(priority=2), self._pick("follow_up")]
        opening = self._pick("thanks_negative", priority=2)
        return [opening, specifics, *rules, self._fact(priority=2), self._pick("help"), self._pick("follow_up")]

    def _holding(self) -> list[Sentence]:
        return [
            self._pick("regret"),
            self._pick("specifics_intro", priority=2),
            self._pick("acknowledge"),
            self._pick("holding"),
            self._pick("help"),
            self._pick("follow_up"),
        ]

    def _fake(self) -> list[Sentence]:
        return [self._pick("fake_ask_details"), self._fact(priority=2)]

    def _answer(self) -> list[Sentence]:
        facts = [self._fact(0), self._fact(1, priority=2)]  # a second fact goes before the first when space is short
        return [self._pick("answer_intro", priority=2), *facts, self._pick("help", priority=2)]

    def _thanks(self) -> list[Sentence]:
        return [self._pick("thanks_positive"), self._pick("thanks_specifics", priority=2)]

    # --- pieces ----------------------------------------------------------------------

    def _pick(self, phrase_list: str, priority: int = 1) -> Sentence:
        variants = [v for v in getattr(self.phrases, phrase_list) if self._voice_permits(fill(v, self.values))]
        if self.shortest:
            variants = shortest_variant(variants, self.values)
        return Sentence(pick_phrase(variants, self.values, f"{self.seed}|{phrase_list}"), priority)

    def _voice_permits(self, text: str) -> bool:
        """No word the voice guide forbids: such a variant or fact is passed over, not sent to review."""
        return not avoided_words(text, self.voice.avoid_words)

    def _fact(self, index: int = 0, priority: int = 1) -> Sentence:
        if index >= len(self.facts):
            return Sentence("")
        return Sentence(self.facts[index].text, priority, fact_id=self.facts[index].id)

    def _specifics_text(self) -> str:
        """The author's details as noun phrases, one of each kind, at most three."""
        first_of_kind: dict[str, cues.Specific] = {}
        text, mode = self.request.mention.text, self.request.decision.reply_mode
        for detail in cues.find_specifics(text):
            if detail.kind in _RENDER and not _RELATIVE_DATES.match(detail.text) and not _demanded(detail, text, mode):
                first_of_kind.setdefault(detail.kind, detail)
        phrases = [_specific_phrase(first_of_kind[kind], self.language) for kind in _RENDER if kind in first_of_kind]
        return ", ".join(phrases[:3])

    def _topic_label(self) -> str:
        topics = {t.id: t for t in self.request.brand.profile.topics}
        for topic_id in self.request.classification.topics:
            if topic_id in topics:
                return topics[topic_id].label.get(self.language, "")
        return ""


@dataclass(frozen=True)
class Sentence:
    text: str
    priority: int = 1  # 1 must stay; 2 and 3 go first when the platform's limit is tight
    fact_id: str | None = None  # the fact this sentence states


_RENDER = ("order", "person", "duration", "amount", "date", "place")
_RELATIVE_DATES = re.compile(r"^(вчера|позавчера|сегодня|yesterday|today)$", re.I)
# A sum the author demands («верните 5000 ₽») must not reappear in our words.
_DEMAND = re.compile(r"верн|возврат|компенс|требу|выплат|refund|compensat|pay me|give me|promise|пообещ", re.I)
_LEADING_PREPOSITION = re.compile(r"^(на|через|почти|больше|более|целых|уже|for|after|over|almost)\s+", re.I)


def _specific_phrase(detail: cues.Specific, language: str) -> str:
    if detail.kind == "duration":
        value = _LEADING_PREPOSITION.sub("", detail.text)
        return f"{value} ожидания" if language == "ru" else f"{value} of waiting"
    if detail.kind in ("order", "person"):
        return detail.text[:1].lower() + detail.text[1:]
    if detail.kind == "amount":
        return f"сумма {detail.text}" if language == "ru" else f"the amount of {detail.text}"
    if detail.kind == "place" and language == "ru":
        return f"адрес {detail.text}" if detail.text.startswith(("на ", "в ")) else detail.text
    return detail.text


def _demanded(detail: cues.Specific, text: str, mode: ReplyMode | None) -> bool:
    """Amounts are echoed only in replies to complaints, and never one the author demands
    («верните 5000 ₽»): that is the author's claim, not a detail to repeat."""
    if detail.kind != "amount":
        return False
    if mode not in (ReplyMode.negative, ReplyMode.holding):
        return True
    sentence = next((s for s in re.split(r"(?<=[.!?])\s+", text) if detail.text in " ".join(s.split())), "")
    return bool(_DEMAND.search(sentence))


def _fits_platform(text: str, rules: PlatformRules) -> bool:
    """A fact with a link or phone cannot be quoted where the platform forbids them."""
    return (rules.links_allowed or not cues.has_link(text)) and (rules.phones_allowed or not cues.has_phone(text))


def fill(template: str, values: dict[str, str]) -> str:
    return re.sub(r"{(\w+)}", lambda m: values.get(m.group(1), m.group(0)), template).strip()


def fit_length(sentences: list[Sentence], limit: int) -> str:
    """Join sentences; drop optional ones (highest priority number first) until it fits."""
    return joined(fitted(sentences, limit))


def fitted(sentences: list[Sentence], limit: int) -> list[Sentence]:
    """The sentences left once optional ones are dropped (highest priority number first) to fit."""
    kept = list(sentences)
    for priority in (3, 2):
        while len(joined(kept)) > limit and any(s.priority == priority for s in kept):
            kept.remove(next(s for s in reversed(kept) if s.priority == priority))
    return kept


def joined(sentences: list[Sentence]) -> str:
    opening, *body = [s.text for s in sentences]  # the greeting stands apart
    if not body:
        return opening
    *middle, last = body
    sign_off_apart = sentences[-1].priority == 3
    main = " ".join(middle if sign_off_apart else body)
    return f"{opening}\n\n{main}\n\n{last}" if sign_off_apart else f"{opening}\n\n{main}"
