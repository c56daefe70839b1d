"""Draft a reply. The offline drafter composes it from the brand's own material.

No language model runs on a CPU well enough to write replies (OFFLINE.md), so the default
drafter first reads the situation (assistant/text/situation.py: the details with their
roles, the questions, what the author asks), then follows the brand's playbook for it
(knowledge/brands/<brand>/playbooks.yaml): the moves of the reply in order, each from
phrase variants with slots for details whose role is known, a fact only where it bears on
the issue or answers a question. A situation without a playbook gets the voice guide's
generic phrases and a warning for the operator. Variants are chosen by a hash of the
mention, so two complaints get visibly different replies and a rerun gets the same one —
except where the platform's limit is tight (X: 280 characters) and the reply does not fit
even without its optional sentences: then each move takes its shortest telling variant, then its shortest.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from enum import IntEnum
from functools import cached_property, lru_cache
from typing import Protocol

import razdel

from assistant import cues
from assistant.hours import follow_up_due, spoken_due
from assistant.models import (
    Brand,
    CaseTicket,
    Classification,
    ContactChannel,
    Decision,
    Draft,
    Fact,
    Mention,
    PlatformRules,
    PlaybookMove,
    ReplyFormat,
    ReplyMode,
    Retrieved,
    VoiceProfile,
)
from assistant.text.durations import minutes as duration_minutes
from assistant.text.names import could_be_name, is_first_name, is_patronymic, russian_name, unlisted_place
from assistant.text.normalize import content_words, mention_lemmas, morph
from assistant.text.phrases import asked_about, surely_noun
from assistant.text.reader import for_english_reader, for_reader, points_back, retold_question
from assistant.text.similarity import closeness
from assistant.text.situation import (
    CALL_VERBS,
    Situation,
    asking_part,
    asks_how_long,
    asks_how_much,
    asks_what_to_do,
    asks_why,
    brand_words,
    given_items,
    imperative_lemmas,
    instructed,
    names_in,
    offered_ways,
    open_questions,
    requested_items,
    states_term,
    subject_nouns,
    supposed_done,
    understand,
    warns_against_telling,
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
    now: datetime | None = None  # when the reply is written: «сегодня» and «завтра» count from it

    @cached_property
    def situation(self) -> Situation:
        """The mention read once per request: the drafter, the model's prompt and the checks share it."""
        mode = self.decision.reply_mode or ReplyMode.answer
        return understand(self.mention.text, self.classification, mode, self.brand)

    @property
    def written_at(self) -> datetime:
        return self.now or datetime.now(UTC)


class Drafter(Protocol):
    name: str

    def draft(self, request: DraftRequest) -> Draft: ...


def reply_language(request: DraftRequest) -> str:
    language = request.classification.language
    return language if language in SUPPORTED_LANGUAGES and language in request.brand.voice.languages else "ru"


def reply_voice(request: DraftRequest) -> VoiceProfile:
    """The brand's voice for this reply: its platform and language, formal in a crisis and to one
    who signs with a patronymic («Привет, Елена Викторовна! Ты вправе злиться» reads as mockery)."""
    language = reply_language(request)
    formal = signs_with_patronymic(request.mention.author_name)
    return request.brand.voice.resolve(request.mention.platform, language, request.situation.crisis, formal)


def avoided_words(text: str, avoid_words: list[str]) -> list[str]:
    """The brand's forbidden words and phrases the text uses: whole words, any case, «ё» as «е»."""
    folded = _fold(text)
    return [
        word for word in avoid_words if word.strip() and re.search(rf"(?<!\w){re.escape(_fold(word))}(?!\w)", folded)
    ]


def _fold(text: str) -> str:
    return text.replace("ё", "е").replace("Ё", "Е").lower()


def _name_words(author_name: str | None) -> list[str]:
    return [w for w in re.split(r"[\s_.,!@\d]+", author_name or "") if w]


def signs_with_patronymic(author_name: str | None) -> bool:
    words = _name_words(author_name)
    return len(words) > 1 and words[0][:1].isupper() and is_patronymic(words[1])


def first_name(author_name: str | None, language: str = "ru") -> str | None:
    """The name to greet: the first word of a display name, if it looks like a name, with the
    patronymic when the author signs with one («Галина Петровна» is not greeted «Галина»), and
    both names of a couple («Михаил и Юлия Соколовы»). A handle's Latin name is greeted in
    Russian as the Russian name it spells («Kseniya_T» → «Ксения»)."""
    words = _name_words(author_name)
    if not words:
        return None
    first, *rest = words
    if first.isascii() and first.isalpha():  # «Kseniya_T»: in Russian only the name it spells («Love_Sushi» is none)
        spelled = russian_name(first)
        if language == "ru":
            return spelled
        return first.capitalize() if spelled or is_first_name(first) else None
    if not (first[:1].isupper() and first.isalpha() and could_be_name(first)):
        return None
    if len(rest) > 1 and rest[0] in ("и", "and") and rest[1][:1].isupper() and is_first_name(rest[1]):
        return f"{first} {rest[0]} {rest[1]}"
    return f"{first} {rest[0]}" if rest and is_patronymic(rest[0]) else first


def greeting_name(request: DraftRequest) -> str | None:
    """The author's name as the reply greets them, in the reply's language."""
    return first_name(request.mention.author_name, reply_language(request))


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
    """The channel as a reply names it: its label, and its address unless the label already
    names it (a bot's @handle is its address: no link after it)."""
    label = channel.label.get(language) or next(iter(channel.label.values()))
    named = channel.kind == "in_platform" or channel.value in label or re.search(r"@\w{3,}", label)
    return label if named else f"{label} {channel.value}"


def promised_due(request: DraftRequest) -> datetime:
    """When the reply promises to come back: the case's due time, or (a question answered
    later) the brand's response time from now, within working hours."""
    return request.case.due if request.case else follow_up_due(request.written_at, request.brand.profile)


def placeholders(request: DraftRequest, rules: PlatformRules, language: str) -> dict[str, str]:
    """The values any reply fills its phrases with: {name}, {channel} (the one fitting the
    platform), {case_ref} and {when} («сегодня до 18:00»); empty when unknown."""
    mention, brand, case = request.mention, request.brand, request.case
    channel = choose_channel(brand, rules, mention.platform.value)
    when = spoken_due(promised_due(request), request.written_at, brand.profile.timezone, language)
    return {
        "name": first_name(mention.author_name, language) or "",
        "channel": channel_text(channel, language),
        "case_ref": case.reference if case else "",
        "when": when,
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
    """A variant that needs a value we do not have (no topic, no case) is skipped, and so is one
    whose condition fails: `{!order}` (it asks for the order number, which the author gave),
    `{?treated}` (it speaks to someone already in a doctor's care)."""
    needed = all(values.get(key) for key in re.findall(r"{[?]?(\w+)}", template))
    return needed and not any(values.get(key) for key in re.findall(r"{!(\w+)}", template))


def greeting(voice: VoiceProfile, values: dict[str, str]) -> str:
    """The voice's greeting, by name when the author gave one."""
    return fill(voice.greeting if values.get("name") else voice.greeting_anonymous, values)


class OfflineDrafter:
    """Composes replies from the brand's playbooks, voice guide and facts; no model, no network."""

    name = "offline"

    def draft(self, request: DraftRequest) -> Draft:
        language = reply_language(request)
        mention, brand = request.mention, request.brand
        voice = reply_voice(request)
        rules = brand.profile.rules_for(mention.platform)
        limit = min(voice.max_length, rules.max_length)
        for brevity in Brevity:  # the fullest reply that fits the platform's limit
            composer = _Composer(request, voice, language, rules, brevity)
            kept = fitted(composer.sentences(), limit)
            if len(joined(kept)) <= limit:
                break
        return Draft(
            text=joined(kept),
            language=language,
            cited_ids=list(dict.fromkeys(s.fact_id for s in kept if s.fact_id)),  # one dropped for length is not cited
            backend=self.name,
            case_ref=request.case.reference if request.case else None,
            situation=composer.situation.playbook.id if composer.situation.playbook else None,
            warnings=composer.warnings,
        )


# The plan when no playbook fits, by reply mode; each move falls back to the voice's phrase list.
GENERIC_MOVES: dict[ReplyMode, list[PlaybookMove]] = {
    ReplyMode.negative: ["opening", "acknowledge", "regret", "answer", "next_step", "follow_up"],
    ReplyMode.holding: ["regret", "holding", "follow_up"],
    ReplyMode.fake: ["fake"],
    ReplyMode.answer: ["answer"],
    ReplyMode.thanks: ["thanks"],
}
VOICE_PHRASES: dict[str, str] = {
    "opening": "thanks_negative",
    "acknowledge": "acknowledge",
    "regret": "regret",
    "again": "again",
    "contacted": "contacted",
    "praised": "praised",
    "next_step": "help",
    "follow_up": "follow_up",
    "holding": "holding",
    "thanks": "thanks_positive",
    "fake": "fake_ask_details",
    "no_answer": "no_answer",
    "not_listed": "not_listed",
}
# A reply sentence with one of these says someone will call the author back
CALL_WORDS = CALL_VERBS | {"звонок", "call", "contact"}
_OPTIONAL_MOVES = {
    "opening": 2, "details": 2, "also": 2, "again": 2, "contacted": 2, "fact": 2, "closing": 3, "pass_on": 2,
}  # fmt: skip
MAX_FACTS = 2
ANSWER_COVERAGE = 0.34  # a fact answers a question when it shares about a third of the question's content words
QUESTION_CLOSENESS = 0.5  # cosine with the nearest of a fact's questions that makes it the answer
STEM = 5  # letters that tell a word's family: «опоздание» and «опоздал», «перевести» and «перевод»
TOLD_SHARE = 0.5  # of a fact sentence's words the author also wrote, with its figure: a rule they know
COMMON_SHARE = 0.15  # a word in more of the brand's facts than this is not distinctive
REPEAT_MIN = 4  # shorter words («час», «нам») repeat unnoticed
HOUR = "<hour>"  # what «до скольки …?» asks and «до 22:30» states: the words say neither
ASKS_HOUR = re.compile(
    r"\b(до скольки|до какого часа|во сколько|со скольки|с какого часа|в котором часу|until what time|what time|"
    r"how late|how early|opening hours|круглосуточн\w*|24/7|24 часа|around the clock|open late)\b",
    re.I,
)
# «доставляете после 22:00?», «open at 8am?»: a question naming a clock time asks about the hours
ASKS_AT_HOUR = re.compile(r"\b(?:после|до|в|к|с|at|after|before|by)\s+\d{1,2}(?:[:.]\d{2}|\s?(?:am|pm))\b", re.I)
CLOCK_TIME = re.compile(r"\b\d{1,2}[:.]\d{2}\b|\b\d{1,2}\s?(?:am|pm)\b", re.I)


_INSTRUCTED_EN = re.compile(r"\b(?:message|write to|contact|call|send|text|dm) us\b|\bsend (?:your|us|the)\b", re.I)


class Brevity(IntEnum):
    """How short each phrase is, tried in turn until the reply fits the platform's limit."""

    full = 0  # the variant that says the most of the case, by a hash among equals
    telling = 1  # the shortest of those that say the most
    shortest = 2  # the shortest of all


class _Composer:
    """Builds the sentences of one reply from the situation and the playbook's moves."""

    def __init__(
        self,
        request: DraftRequest,
        voice: VoiceProfile,
        language: str,
        rules: PlatformRules,
        brevity: Brevity = Brevity.full,
    ):
        self.request = request
        self.brevity = brevity  # short variants for a platform whose limit is tight
        self.voice = voice
        self.language = language
        mode = request.decision.reply_mode or ReplyMode.answer
        self.mode = mode
        self.situation = request.situation
        self.voice_key = language if language != "ru" else f"ru_{'ty' if voice.address.value == 'ты' else 'vy'}"
        self.seed = request.mention.id + request.mention.text
        self.values = {
            **placeholders(request, rules, language),
            **self.situation.slots(language, voice.address),
            "topic": self._topic_label(),
        }
        self.given = given_items(request.mention.text, self.situation.details)
        self.facts = [
            f
            for f in request.brand.public_facts
            if _fits_platform(fact_text(f, language), rules) and self._voice_permits(fact_text(f, language))
        ]
        self.common = common_words(self.facts, language) | brand_words(request.brand)
        self.everyday = everyday_words(request.brand, language)  # as the unanswered-question check counts them
        self.vocabulary = frozenset().union(*(fact_lemmas(f, language) for f in self.facts))
        self.brand_stems = {word[:STEM] for word in brand_words(request.brand)}
        self.answers, self.unanswered, self.also_asked = self._find_answers()
        self.warnings: list[str] = []
        self.used: set[str] = set()  # sentences already in the reply
        self.words: set[str] = set()  # their distinctive words, by stem: a second «долго» reads as a template
        self.said: set[str] = set()  # the author's details already referred to
        self.deferral: Sentence | None = None  # «уточним и ответим …» for a question no fact answers
        self.applied_to: set[str] = set()  # the questions a figure rule applied to the author's figure answered

    def sentences(self) -> list[Sentence]:
        body = [sentence for move in self._moves() for sentence in self._move(move)]
        body = self._without_idle_deferral(self._without_idle_answers(body))
        sentences = [Sentence(greeting(self.voice, self.values)), *body, Sentence(self.voice.sign_off, priority=3)]
        return [s for s in sentences if s.text]

    def _without_idle_deferral(self, body: list[Sentence]) -> list[Sentence]:
        """In a complaint, «уточним — ответ будет…» stays only for a question the rest of the
        reply leaves open: «промокод за опоздание хоть дадите?» is met by the promo-code step,
        «почему так мало?» by «проверим, почему кэшбэк начислен не полностью»."""
        if self.mode is ReplyMode.answer or self.deferral is None:
            return body
        rest = [s for s in body if s is not self.deferral]
        open_questions = self._left_open(rest)
        if all(asks_why(q) for q in open_questions) and any(_FINDING_OUT_WHY.search(s.text) for s in rest):
            return rest  # «Мы проверим, почему кэшбэк начислен не полностью» already promises the why
        return body if open_questions else rest

    def _without_idle_answers(self, body: list[Sentence]) -> list[Sentence]:
        """In a complaint, a fact quoted for a question the playbook's own sentences answer goes:
        to «пропал промокод — можно его восстановить?» the step «поддержка … поможет их
        восстановить» is the answer, the late-order promo rules beside it are a pasted fact."""
        if self.mode is not ReplyMode.negative:
            return body
        rest = [s for s in body if not s.answers and s is not self.deferral]
        still_open = self._left_open(rest)
        said = _content_lemmas(" ".join(s.text for s in rest))

        def idle(answer: Sentence) -> bool:  # the rest has every word it asks with, the fact none of them
            asking = _content_lemmas(asking_part(answer.answers)) - self.everyday
            told = bool(asking) and asking <= said
            return answer.answers not in still_open and told and not asking & _content_lemmas(answer.text)

        return [s for s in body if not (s.answers and idle(s))]

    def _left_open(self, sentences: list[Sentence]) -> list[str]:
        """The questions these playbook sentences leave open: by the unanswered-question check's
        measure, or sharing none of the question's own words: «мы обязательно разберёмся» has
        the stem of «курьер обязан подниматься?» and answers nothing. «Проверим, почему кэшбэк
        не начислен» promises to find out: it answers no «почему не пришёл кэшбэк?»."""
        sentences = [s for s in sentences if not _FINDING_OUT.search(s.text)]
        by_check = self._open_questions(sentences)
        said = _content_lemmas(" ".join(s.text for s in sentences))
        own = {q: _content_lemmas(q) - self.everyday for q in self.situation.questions}
        return [
            q
            for q in self.situation.questions
            if q in by_check or (own[q] and not own[q] & said and not asks_what_to_do(q))
        ]

    def _moves(self) -> list[PlaybookMove]:
        playbook = self.situation.playbook
        if playbook is None:
            self.warnings.append("no playbook fits this situation: a generic plan, read it before sending")
            moves = list(GENERIC_MOVES[self.mode])
            if not self.values.get("detailed"):  # in a short reply a thank-you before the sympathy is one too many
                moves = [m for m in moves if m != "opening"]
        else:
            moves = list(playbook.moves)
        if self.request.decision.cell.format is ReplyFormat.empathy_first and "regret" in moves:
            moves = [m for m in moves if m not in ("opening", "regret")]
            moves.insert(0, "regret")
        if self.situation.questions and "answer" not in moves and self.mode is not ReplyMode.holding:
            at = moves.index("next_step") if "next_step" in moves else len(moves)
            moves = [m for m in moves[:at] if m != "fact"] + ["answer"] + moves[at:]
        if self.mode is ReplyMode.answer and (not self.answers or self._applies_rule()):
            # «с удовольствием поясним» would promise what no fact holds; «Да: …» needs no lead-in
            moves = [m for m in moves if m != "opening"]
        if self.mode is ReplyMode.negative and self.values.get("resolved"):
            moves = [m for m in moves if m != "fact"]  # it is behind the author: how it usually goes helps no one
        if self.situation.again and self.mode is ReplyMode.negative and "regret" in moves:
            moves.insert(moves.index("regret") + 1, "again")
        if self.mode is ReplyMode.negative and self.values.get("praised"):  # «спасибо за добрые слова про роллы»
            moves = ["praised", *(m for m in moves if m != "opening")]
        if self._contact_untold(moves):
            moves.insert(moves.index("regret") + 1 + ("again" in moves), "contacted")
        if self._unanswered_remark(moves):
            moves.insert(moves.index("thanks") + 1, "remark")
            if "employee" not in self.situation.details:  # the remark is passed on; a second «передадим» says nothing
                moves = [m for m in moves if m != "pass_on"]
        return _with_second_problem(moves) if self.situation.also else moves

    def _contact_untold(self, moves: list[PlaybookMove]) -> bool:
        """The author already wrote or called us, and the playbook's reply does not speak of it
        (or of the earlier case they name): a reply that says nothing of it sends them back
        where they got no answer."""
        playbook = self.situation.playbook
        about_contact = playbook is not None and playbook.about_contact
        if "earlier_case" in self.situation.details:  # «обращение KB-2411-0222 висит»
            about_contact = about_contact and self._playbook_says("{earlier_case}", moves)
        return self.situation.contacted and self.mode is ReplyMode.negative and "regret" in moves and not about_contact

    def _unanswered_remark(self, moves: list[PlaybookMove]) -> bool:
        """Praise with a remark («не хватает тёмной темы») whose playbook has no words for one."""
        points, playbook = self.situation.points, self.situation.playbook
        if not (points and points.remark is not None and playbook and "thanks" in moves):
            return False
        return not self._playbook_says("{remark}", moves)

    def _playbook_says(self, slot: str, moves: list[PlaybookMove]) -> bool:
        """Some phrase of the situation's playbook for these moves has the slot."""
        playbook = self.situation.playbook
        own = playbook.phrases.get(self.voice_key, {}) if playbook else {}
        return any(slot in variant for move in moves for variant in own.get(move, []))

    def _move(self, move: PlaybookMove) -> list[Sentence]:
        if move == "fact":
            facts = [f for f in self._bearing_facts if not self._rule_decided(f)]
            # a fact the author's question reads like is the answer to it, one stating the sum they were
            # charged explains it («минус 149 ₽»): either stays when space is short
            return [
                self._fact_sentence(
                    f, 1 if f.id in self._asked_by_meaning or self._their_sums(f) else _OPTIONAL_MOVES["fact"]
                )
                for f in facts[:1]
            ]
        if move == "answer":
            return self._answers()
        if move == "follow_up" and not self.request.case:
            return []
        return [self._pick(move, _OPTIONAL_MOVES.get(move, 1))]

    # --- facts -----------------------------------------------------------------------

    @cached_property
    def _asked_by_meaning(self) -> frozenset[str]:
        """The facts whose customers' questions one of the author's questions reads like."""
        return frozenset(fact_id for ids in self.request.knowledge.answers.values() for fact_id in ids)

    @cached_property
    def _bearing_facts(self) -> list[Fact]:
        """The playbook's facts that share at least two distinctive words or sums with the mention, or
        whose customers' questions the author's question reads like («спросили код из смс… это
        правда были вы?» and «Звонят из банка и просят код из СМС — это вы?»), closest first."""
        playbook = self.situation.playbook
        if playbook is None:
            return []
        asked = self._asked_by_meaning
        listed = [f for f in self.facts if f.id in playbook.facts]
        listed += self._public_facts(set(playbook.facts) & asked - {f.id for f in listed})  # retrieval left it out
        wanted = self.situation.lemmas - self.common
        scored = [
            (
                overlap(wanted, fact_lemmas(f, self.language)) + len(self._their_sums(f)) + 2 * (f.id in asked),
                f,
            )
            for f in listed
        ]
        return [f for score, f in sorted(scored, key=lambda pair: -pair[0]) if score >= 2]

    def _their_sums(self, fact: Fact) -> set[str]:
        """The sums the author names that the fact states: «минус 149 ₽» and «149 рублей в месяц»
        (not «30 дней» or «1 %», which many facts state for other things)."""
        return cues.sums_in(self.request.mention.text) & cues.sums_in(fact_text(fact, self.language))

    def _rule_decided(self, fact: Fact, question: str = "") -> bool:
        """The fact states the playbook's figure rule and the author's figure settles it: the
        phrases apply it («опоздание на 45 минут — больше 30, промокод положен») or leave it out."""
        rule = self.situation.rule
        return rule is not None and rule.fact == fact.id and self._rule_asked(question)

    def _rule_asked(self, question: str = "") -> bool:
        """The author's figure settles the playbook's rule and, given a question, the question asks
        what the rule decides (its `asked_by` words): «когда дойдёт перевод 150 000 ₽?» does not."""
        rule = self.situation.rule
        if rule is None or self.situation.rule_applies is None:
            return False
        return not (question and rule.asked_by) or bool(mention_lemmas(question) & set(rule.asked_by))

    def _applies_rule(self) -> bool:
        return bool(self.situation.rule_applies) and any(self._rule_decided(f, q) for f, q in self.answers)

    def _find_answers(self) -> tuple[list[tuple[Fact, str]], list[str], dict[str, list[str]]]:
        """The facts that answer the questions (each with its question), the questions none
        answers, and the later questions a fact another question took answers best, by the fact's
        id («…новую надо заказывать? и номер поменяется?»: one reissue fact, both of its sentences).
        Of facts that share the question's words equally, the one its meaning is closest
        to («Почему отказали?»: the refusal, not the decision time), else those on the mention's
        topics first; every question gets its best fact before any gets a second («…и где
        оспорить списание?» is not crowded out by two facts on the first question's cashback)."""
        questions = self.situation.questions or [self.request.mention.text]
        topics = set(self.request.classification.topics)
        ranked: list[list[Fact]] = []
        unanswered = []
        taken: list[Fact] = []  # the facts earlier questions are answered from
        terms: list[tuple[Fact, str]] = []  # «…и сколько ждать?» answered by another sentence of a taken fact
        for question in questions:
            found = answering_facts(question, self.facts, self.language, self.common, self._playbook_facts())
            # «Где оспорить списание и сколько ждать?»: the term of the fact the question before took
            if asks_how_long(question) and (term := next((f for f in taken[::-1] if self._states_term(f)), None)):
                terms.append((term, question))
                ranked.append([])
                continue
            by_meaning = self._closest_by_meaning(question)
            agreed = [f for f in found if f in by_meaning]  # of two, the one the meaning agrees on
            if not found and (self.mode is ReplyMode.negative or self._asks_beyond_facts(question)):
                by_meaning = [f for f in by_meaning if self._shares_a_word(question, f)]
            if not found:  # near in meaning only: it must speak of what is asked («детское меню», not any «меню»)
                by_meaning = [f for f in by_meaning if self._speaks_of_what_is_asked(question, f)]
            if found and all(f in taken for f in found):  # «Какая ставка и можно ли открыть его в приложении?»
                # the rates fact is the first question's: the next by meaning, else by words
                others = [f for f in self.facts if f not in taken]
                found += [f for f in by_meaning if f not in found] or answering_facts(
                    question, others, self.language, self.common, self._playbook_facts()
                )
            found = agreed or found or by_meaning or self._rule_fact_asked(question) or self._what_to_do(question)
            found = [f for f in found if self._names_its_subject(f)]
            if asks_why(question):
                found = [f for f in found if any(asks_why(q) for q in f.questions) or self._of_subject(question, f)]
            taken += found[:1]
            if self.situation.rule_applies and (ruled := [f for f in found if self._rule_decided(f, question)]):
                found = ruled  # «опоздал на 40 минут — положен промокод?»: the rule applied answers it whole
            unanswered += [] if found else [question]
            # of facts that share its words equally, the one on what it asks about («забрать карту, если
            # перевыпуск заказывала в Москве?»: the reissue, not the branch list the city put level with it)
            ranked.append(sorted(found, key=lambda f, q=question: (not self._of_subject(q, f), f.topic not in topics)))
        answers: dict[str, tuple[Fact, str]] = {}
        for _ in range(MAX_FACTS):
            for question, found in zip(questions, ranked, strict=True):
                if fresh := next((f for f in found if f.id not in answers), None):  # not one another question took
                    answers[fresh.id] = (fresh, question)
        room = max(MAX_FACTS, sum(bool(found) for found in ranked))
        also_asked: dict[str, list[str]] = {}
        for question, found in zip(questions, ranked, strict=True):
            if found and found[0].id in answers and answers[found[0].id][1] != question:
                also_asked.setdefault(found[0].id, []).append(question)
        return list(answers.values())[:room] + terms, unanswered, also_asked

    def _names_its_subject(self, fact: Fact) -> bool:
        """A complaint names what the fact is about: a noun most of the fact's own questions use, or
        two of their nouns («Вернут ли деньги за страховку?» and the rest speak of insurance; «Как
        вернуть деньги?» after a stranger's purchase names none of it). The situation's own facts
        always are; a plain question is answered as its words find (it names its subject itself)."""
        if self.mode is not ReplyMode.negative or self.language != "ru" or fact.id in self._playbook_facts():
            return True
        asked = [_nouns(q) for q in fact.questions if cues.detect_language(q) == "ru"]
        if not asked:
            return True
        named = {word[:STEM] for word in self.situation.lemmas}
        nouns = Counter(noun for question in asked for noun in question)
        most = {noun for noun, count in nouns.items() if count * 2 >= len(asked)}
        return bool(most & named) or len(nouns.keys() & named) >= 2

    def _of_subject(self, question: str, fact: Fact) -> bool:
        """The fact speaks of every noun the question is about: «промокоды не суммируются» to
        «почему не принимается второй промокод?», not the branch hours to «почему одно окно?»."""
        stems = {lemma[:STEM] for lemma in fact_lemmas(fact, self.language)}
        return all(noun[:STEM] in stems for noun in subject_nouns(question))

    def _states_term(self, fact: Fact) -> bool:
        return any(states_term(sentence) for sentence in fact_sentences(fact_text(fact, self.language)))

    def _what_to_do(self, question: str) -> list[Fact]:
        """«Куда мне обращаться?» after «навязали страховку» is answered by the situation's fact
        that bears on it (where a cancellation is accepted), not by its own words alone."""
        return self._bearing_facts[:1] if asks_what_to_do(question) else []

    def _shares_a_word(self, question: str, fact: Fact) -> bool:
        """A distinctive word of the question is in the fact or its customers' questions. In a
        complaint a question sharing none is about the incident («Почему курьер не поднимается на
        этаж?»): a fact near it in meaning only («Курьеры работают в форме…») answers nothing."""
        usual = {word[:STEM] for word in self.common}
        asked = _stems(question, usual)
        told = [fact_text(fact, self.language), *fact.questions]
        return any(asked & _stems(text, usual, stating=i == 0) for i, text in enumerate(told))

    def _speaks_of_what_is_asked(self, question: str, fact: Fact) -> bool:
        """What the question asks about, when it names a thing with a quality («детское меню»), has
        that quality in the fact or its customers' questions: «убирают блюда из меню» is no answer
        to «детское меню у вас есть?»."""
        wanted = _content_lemmas(asked_about(question))
        qualities = {word[:STEM] for word in wanted if _is_adjective(word)}
        if not qualities or len(wanted) < 2:  # a bare noun may well be the fact's in other words
            return True
        told = " ".join([fact_text(fact, self.language), *fact.questions])
        return qualities <= {word[:STEM] for word in _content_lemmas(told)}

    def _asks_beyond_facts(self, question: str) -> bool:
        """The question's subject is a word none of the brand's facts uses («будет ли сдача с
        5000?»): a fact near it in meaning only («Курьеры работают в форме…») answers nothing."""
        known = {word[:STEM] for word in self.vocabulary | self.common}
        unknown = [word for word in _content_lemmas(question) if word[:STEM] not in known and _is_noun(word)]
        return any(duration_minutes(word) is None for word in unknown)  # «полчаса назад» names no subject

    def _rule_fact_asked(self, question: str) -> list[Fact]:
        """The fact of the figure rule the author's figure settles, when the question is asked
        in the figure's own sentence: «Нужно отправить 900 000 ₽ через СБП, сколько с меня
        возьмут?» asks what the rule gives for it, though it names no word of the rule's fact."""
        rule = self.situation.rule
        detail = self.situation.details.get(rule.detail) if rule else None
        if rule is None or detail is None or not self._rule_asked(question):
            return []
        if detail.sentence.strip() not in question and question.strip() not in detail.sentence:
            return []
        return [f for f in self.facts if f.id == rule.fact] or self._public_facts({rule.fact})

    def _closest_by_meaning(self, question: str) -> list[Fact]:
        """The fact retrieval found for the question by the meaning of its customers' questions,
        from the brand's public facts when the mention's own retrieval left it out (a second
        question on another topic: «…и где оспорить списание?» after a question on cashback)."""
        wanted = set(self.request.knowledge.answers.get(question, []))
        return [f for f in self.facts if f.id in wanted] or self._public_facts(wanted)

    def _public_facts(self, ids: set[str]) -> list[Fact]:
        return [f for f in self.request.brand.public_facts if f.id in ids]

    def _playbook_facts(self) -> frozenset[str]:
        return frozenset(self.situation.playbook.facts) if self.situation.playbook else frozenset()

    def _answers(self) -> list[Sentence]:
        """Each question answered from the fact that fits it; a question no fact answers gets the
        honest «who will answer and when»."""
        # a second fact goes before the first when space is short
        sentences = []
        for i, (fact, question) in enumerate(self.answers):
            sentences.append(replace(self._answer_sentence(fact, question, 1 + (i > 0)), answers=question))
            sentences += self._left_out(fact, question)
        asked = self.situation.questions or self.mode is ReplyMode.answer
        # a question no fact was found for may still be met by another's sentences («…круглосуточно…»
        # to «а в воскресенье можно?»): «уточним» after the answer reads as a contradiction
        open_now = self._open_questions(sentences)
        asked_in_words = set(self.situation.questions)  # else the mention itself stands for its question
        still_open = [
            q
            for q in self.unanswered or open_now
            if (q in open_now or q not in asked_in_words) and q not in self.applied_to
        ]
        if asked and (still_open or not self.answers):
            # who will answer, and when, naming what («про сдачу уточним…»): never silence
            self.values |= self._what_is_deferred(still_open[0] if still_open else "")
            self.deferral = self._pick("no_answer")
            sentences.append(self.deferral)
        return sentences

    def _left_out(self, fact: Fact, question: str) -> list[Sentence]:
        """«Балашихи в этом списке пока нет» after the delivery zones, when the question asks about
        a place the fact's list leaves out: the answer is no, not only the list. Russian only."""
        place = unlisted_place(question, fact_text(fact, self.language)) if self.language == "ru" else None
        if place is None:
            return []
        self.values["unlisted"] = place
        said = self._pick("not_listed")
        return [replace(said, answers=question)] if said.text else []

    def _answer_sentence(self, fact: Fact, question: str, priority: int) -> Sentence:
        """The fact that answers the question, or, when it states a figure rule the author's figure
        settles, the rule applied to it in the playbook's words («150 000 ₽: с 50 000 ₽ сверх
        лимита комиссия 250 ₽»). A figure over a rule with no `applied` words is left to the
        playbook's {?over} phrases; one within it, to the fact."""
        if self._rule_decided(fact, question):
            applied = self._pick("applied", priority)
            if applied.text or self.situation.rule_applies:
                self.applied_to.add(question)
                return replace(applied, fact_id=fact.id) if applied.text else applied
        return self._fact_sentence(fact, priority, about=question)

    def _what_is_deferred(self, question: str) -> dict[str, str]:
        """{asked}: what the open question is about («про сдачу»); failing that, {question}: the
        question retold («уточним, обязан ли курьер подниматься на этаж»), only in words the
        brand's facts use. Russian only. {?why}: it asks why, so «выясним, почему так вышло» names it."""
        why = "1" if question and asks_why(question) else ""
        if why or not question or self.language != "ru":  # «Про субботу уточним» is no «почему одно окно?»
            return {"asked": "", "question": "", "why": why}
        asked = asked_about(question, self.common)
        retold = "" if asked else retold_question(question, self.voice.address)
        return {"asked": asked, "question": retold if self._in_own_words(retold) else "", "why": why}

    def _in_own_words(self, text: str) -> bool:
        """Every word of it is one the brand's own facts use: a question retold in a public reply
        never carries what an injection put in it («служебный промокод», another brand's name)."""
        return _content_lemmas(text) <= self.vocabulary

    def _open_questions(self, sentences: list[Sentence]) -> list[str]:
        """The questions these sentences leave open, as the unanswered-question check counts
        them: a fact was found for each question, but its sentences may leave one open («кто
        вернёт деньги или активирует сертификат?» and how refunds are decided)."""
        return open_questions(self.situation.questions, tuple(s.text for s in sentences), self.everyday)

    def _fact_sentence(self, fact: Fact, priority: int = 1, about: str = "") -> Sentence:
        """The fact's sentences that bear on the mention, never one asking for what the author gave."""
        wanted = _content_lemmas(about) if about else self.situation.lemmas
        asked = fact.id in self._asked_by_meaning

        how_long = bool(about) and asks_how_long(about) and self._states_term(fact)

        def keep(sentence: str) -> bool:  # as the reader will read it: «клиент подаёт заявление» is «подавайте»
            if how_long and not states_term(sentence):
                return False  # «Сколько ждать?» is answered by the term, not by where to apply
            told = for_reader(sentence, self.voice.address) if self.language == "ru" else for_english_reader(sentence)
            if self.mode is ReplyMode.negative and not about and (instructed(told) or self._other_case(told)):
                return False  # a complaint's next step is the playbook's, not a second one from a fact
            if self.mode is ReplyMode.negative and self._invites_like_next_step(told):
                return False
            return self._worth_quoting(told, answers_question=asked)

        # a complaint's reply quotes the one sentence that bears on it, even to its question; a question may need two
        most = 1 if self.mode is ReplyMode.negative else 2
        also = [_content_lemmas(q) for q in self.also_asked.get(fact.id, [])] if about else []
        excerpt = fact_excerpt(
            fact, self.language, wanted, most, keep, self.common, also, figures_first=asks_how_much(about)
        )
        # «клиент пишет в чат» → «пишите в чат»; "the customer writes in the chat" → "you write…"
        excerpt = for_reader(excerpt, self.voice.address) if self.language == "ru" else for_english_reader(excerpt)
        self.words |= self._distinct_words(excerpt)
        return Sentence(excerpt, priority, fact_id=fact.id if excerpt else None)

    def _invites_like_next_step(self, sentence: str) -> bool:
        """It sends the author to the channel the playbook's next step invites them to: «пишите в
        чат приложения с датой и суммой перевода» beside «напишите нам через чат в приложении,
        укажите дату и сумму» is the same step twice, even where it answers «где мои деньги?»."""
        if not (instructed(sentence) and self._playbook_says("{channel}", ["next_step"])):
            return False
        where = _content_lemmas(self.values.get("channel", ""))  # «чат», «приложение»: common, yet the place
        return bool(where) and len(where & _content_lemmas(sentence)) >= min(2, len(where))

    def _other_case(self, sentence: str) -> bool:
        """A sentence for a case the author did not tell: «Если заказ отменили или изменили,
        блокировку снимает банк…» or «При онлайн-оплате сумма сначала блокируется» to one
        charged twice for an order that came."""
        condition = _CONDITION.match(sentence)
        if condition is None:
            return False
        case = (condition.group(1) or condition.group(2)).replace("-", " ")  # «онлайн-оплата»: «оплатила онлайн»
        return not (_content_lemmas(case) - self.common) & self.situation.lemmas

    def _worth_quoting(self, sentence: str, answers_question: bool = False) -> bool:
        """A fact's sentence a reply may quote: never one asking for what the author gave or
        telling them to do what they did; in a complaint none asking for anything at all, the
        next step asks in the brand's own words («достаточно прислать номер заказа…» twice).
        A fact the author's question reads like may say what would otherwise lecture
        («Сотрудники никогда не спрашивают коды» to «…это правда были вы?»)."""
        asked = requested_items(sentence)
        if self.mode is ReplyMode.negative and asked:
            return False
        if self.values.get("approved") and DECIDING & mention_lemmas(sentence):
            return False  # «Решение банк принимает в течение 3 дней» to one whose loan was approved
        if self.mode is ReplyMode.negative and _quoted(sentence) & _quoted(self.request.mention.text):
            return False  # «восстановите через «Забыли код?»» to one who writes «через «Забыли код?» жду смс»
        if self._lectures(sentence, answers_question):
            return False
        if self.mode is ReplyMode.negative and (self._told_already(sentence) or self._waited_past(sentence)):
            return False
        return not (asked & self.given or self._repeats_done(sentence))

    def _told_already(self, sentence: str) -> bool:
        """The author stated it themselves, figures and all: «После пяти неверных попыток вход
        блокируется на 30 минут» to one who writes «после пяти попыток заблокировали на 30 минут».
        A figure they did not give is news to them: «Доставка платная, 149 ₽; заказы от 1000 ₽
        доставляем бесплатно» to one who writes «накинули 149» tells the threshold."""
        figures = cues.numbers_in(sentence)
        if not figures or not figures <= cues.numbers_in(self.request.mention.text):
            return False
        own = _stems(sentence, set())
        return len(own & self.mention_stems) >= TOLD_SHARE * len(own)

    def _waited_past(self, sentence: str) -> bool:
        """The sentence states a usual term the author has already waited past: «перевод, как
        правило, поступает в течение одного рабочего дня» to one whose transfer of 25.11 has not
        come by 03.12 reads as a taunt. What they waited: the longest wait they name, or the days
        since the date they name."""
        usual = _USUAL_TERM.search(sentence)
        term = duration_minutes(usual.group(1)) if usual else None
        return term is not None and self._waited_minutes > term[1]

    @cached_property
    def _waited_minutes(self) -> float:
        details = self.situation.details
        # «жду третий день», «опоздали на час», «прошло две недели»
        waited = [d.minutes[0] for role, d in details.items() if role in ("wait", "delay", "elapsed") and d.minutes]
        if (date := details.get("date")) and (day := _past_day(date.text, self.request.written_at)):
            waited.append((self.request.written_at - day).total_seconds() / 60)
        return max(waited, default=0.0)

    @cached_property
    def mention_stems(self) -> set[str]:
        return _stems(self.request.mention.text, set())

    # --- phrases ---------------------------------------------------------------------

    def _pick(self, move: str, priority: int = 1) -> Sentence:
        """The variant that says the most of this case, by a hash among equals; never one that
        asks for what the mention gives or that the voice forbids."""
        usable = [v for v in self._variants(move) if self._usable(v)]
        if not usable:  # every playbook variant asks for what the author gave: the voice's own phrases
            usable = self._usable_of(self._voice_variants(move))
        usable = self._not_repeating_done(move, usable)
        if move == "next_step" and self._reached_us():  # «написала в чат — тишина»: not back to the chat
            usable = [v for v in usable if not self._sends_back(v) or self._takes_call(v)] or self._usable_of(
                self.voice.phrases.help_contacted
            )
        if self.situation.locked_out:  # «приложение не открывается»: not to the app's chat
            usable = [v for v in usable if not self._sends_to_app(v)] or usable
        if "callback" in self.situation.asks and move in ("next_step", "follow_up"):  # «перезвоните мне»: say who calls
            usable = [v for v in usable if self._takes_call(v)] or usable
        if move == "no_answer":  # who will answer, and when: with the case's result when there is one
            preferred = "{?case_ref}" if self.request.case else "{when}"
            usable = [v for v in usable if preferred in v] or usable
        if not usable:
            return Sentence("")
        if self.brevity is not Brevity.full:  # rule 5's case stays; «забыли положить морс» before «за ошибку»
            says = {v: self._says(v) if self.brevity is Brevity.telling else 0 for v in usable}
            best = [min(usable, key=lambda v: ("{case_ref}" not in v, -says[v], len(fill(v, self.values))))]
        else:
            scores = {v: (self._says(v), -self._repeats(v)) for v in usable}  # among equals, the least repetitive
            best = [v for v in usable if scores[v] == max(scores.values())]
        text = pick_phrase(best, self.values, f"{self.seed}|{move}")
        if text in self.used:
            return Sentence("")
        self.used.add(text)
        self.words |= self._distinct_words(text)
        chosen = next(v for v in best if fill(v, self.values) == text)
        if "order" in self.said and "{order}" in chosen and self.language == "ru":  # «заказ № 52764» once; then «заказ»
            text = re.sub(r"\s+(?=[,.;:!?])", "", re.sub(r"\s{2,}", " ", fill(chosen, {**self.values, "order": ""})))
        self.said |= set(re.findall(r"{(\w+)}", chosen)) & DETAIL_SLOTS
        # a variant that applies the figure rule («…положен промокод на 300 ₽») states the rule's fact
        rule = self.situation.rule if "{?over}" in chosen else None
        return Sentence(text, priority, fact_id=rule.fact if rule else None)

    def _takes_call(self, variant: str) -> bool:
        """It takes up the author's request to be called («просьбу перезвонить мы передали…»);
        «свяжитесь с нами» asks the author to call."""
        text = fill(variant, self.values)
        return "callback" in self.situation.asks and bool(CALL_WORDS & (mention_lemmas(text) - imperative_lemmas(text)))

    def _reached_us(self) -> bool:
        return self.situation.contacted and self.mode is ReplyMode.negative

    def _sends_back(self, variant: str) -> bool:
        """It tells the author to write or call us through a channel, as they say they did."""
        text = fill(variant, self.values)
        return "{channel}" in variant and bool(instructed(text) or _INSTRUCTED_EN.search(text))

    def _sends_to_app(self, variant: str) -> bool:
        channel = self.values.get("channel", "").lower()
        return "{channel}" in variant and ("приложени" in channel or " app" in channel)

    def _usable_of(self, variants: list[str]) -> list[str]:
        return [v for v in variants if self._usable(v)]

    def _repeats(self, variant: str) -> int:
        """How many distinctive words of the variant the reply already has (its slots' values aside)."""
        return len(self._distinct_words(re.sub(r"{\w+}", " ", variant)) & self.words)

    def _distinct_words(self, text: str) -> set[str]:
        return {word[:STEM] for word in _content_lemmas(text) if len(word) >= REPEAT_MIN} - self.brand_stems

    def _says(self, variant: str) -> int:
        """How much a variant says of this case: each slot it fills counts, and each condition
        that holds (`{?call}`) counts half; a detail already said in the reply counts against it
        (one «на Красном проспекте, 30» is enough); each of the author's questions it answers
        counts as a slot («…поможет их восстановить» to «можно его восстановить?»)."""
        slots = set(re.findall(r"{(?!name\b)(\w+)}", variant))
        conditions = len(re.findall(r"{[?]\w+}", variant))  # written for a case like this one
        return 2 * len(slots - self.said) - len(slots & self.said) + conditions + 2 * self._answered_by(variant)

    def _answered_by(self, variant: str) -> int:
        questions = self.situation.questions
        return len(questions) - len(self._left_open([Sentence(fill(variant, self.values))])) if questions else 0

    def _variants(self, move: str) -> list[str]:
        if move == "also":  # the second problem speaks in its own playbook's words, or not at all
            return self.situation.also.phrases.get(self.voice_key, {}).get("also", []) if self.situation.also else []
        if move == "remark":  # the brand's praise playbooks' phrase lists that speak of a remark
            thanks = [
                p.phrases.get(self.voice_key, {}) for p in self.request.brand.playbooks if p.mode is ReplyMode.thanks
            ]
            lists = [variants for phrases in thanks for variants in phrases.values()]
            return [v for variants in lists if any("{remark}" in v for v in variants) for v in variants]
        playbook = self.situation.playbook
        own = playbook.phrases.get(self.voice_key, {}).get(move) if playbook else None
        return own or self._voice_variants(move)

    def _voice_variants(self, move: str) -> list[str]:
        fallback = VOICE_PHRASES.get(move)
        return list(getattr(self.voice.phrases, fallback, [])) if fallback else []

    def _usable(self, variant: str) -> bool:
        """Fillable, asking for nothing the mention gives, no word the voice forbids, no warning
        not to name codes to someone who named none."""
        if not fillable(variant, self.values):
            return False
        text = fill(variant, self.values)
        if self._lectures(text):
            return False
        return self._voice_permits(text) and not (requested_items(text) & self.given)

    def _not_repeating_done(self, move: str, variants: list[str]) -> list[str]:
        """The variants that do not tell the author to do what they did; a next step keeps an
        invitation to act (rule 4), so when none is left the original choice stands."""
        fresh = [v for v in variants if not self._repeats_done(fill(v, self.values))]
        if move == "next_step":
            fresh = [v for v in fresh if instructed(fill(v, self.values))]
        return fresh or variants

    def _lectures(self, text: str, answers_question: bool = False) -> bool:
        """«Никогда не называйте коды» to someone who says they named none reads as blame; a
        statement («Сотрудники никогда не спрашивают коды») answering their question does not."""
        if not (self.situation.kept_quiet and warns_against_telling(text)):
            return False
        return not answers_question or bool(instructed(text))

    def _repeats_done(self, text: str) -> bool:
        """It tells the author to do what they say they did («заблокируйте карту» to «я заблокировала
        карту»), wonders whether they did («если Вы его уже подали» to «заявление я подала»), or
        offers it as a way out («доступ можно восстановить…» to «пробовала восстановить вход»)."""
        return bool((instructed(text) | supposed_done(text) | offered_ways(text)) & self.situation.done)

    def _voice_permits(self, text: str) -> bool:
        """No word the voice guide forbids: such a variant or fact is passed over, not sent to review."""
        return not avoided_words(text, self.voice.avoid_words)

    def _topic_label(self) -> str:
        topics = {t.id: t for t in self.request.brand.profile.topics}
        for topic_id in self.request.classification.topics:
            if topic_id in topics:
                return topics[topic_id].label.get(self.language, "")
        return ""


# «выясним, почему…», «проверим, куда делись…»: what we will find out, not an answer
_WE_FIND_OUT = r"\b(?:выясн|провер|разбер|уточн|узна|find out|check|look into)\w*\b[^.]*?\b"
_FINDING_OUT = re.compile(_WE_FIND_OUT + r"(?:почему|куда|где|как|что|зачем|когда|why|where|how|what|when)\b", re.I)
_FINDING_OUT_WHY = re.compile(_WE_FIND_OUT + r"(?:почему|зачем|why)\b", re.I)
# «как правило, поступает в течение одного рабочего дня», «usually within 3 working days»
_USUAL_TERM = re.compile(
    r"\b(?:как правило|обычно|usually|as a rule)\b[^.;]*?\b(?:в течение|за|within|in)\s+([^.,;]+)", re.I
)
_DAY_MONTH = re.compile(r"\b(\d{1,2})\.(\d{1,2})(?:\.(\d{2}|\d{4}))?\b")


def _past_day(text: str, now: datetime) -> datetime | None:
    """The day a «25.11» or «25.11.2026» names, at the start of the day in `now`'s time zone,
    when it is past: «25.11» written in January is last year's; «10.12» written on 03.12 is a
    day to come (a deal date), not a wait. None for anything else."""
    match = _DAY_MONTH.search(text)
    if match is None:
        return None
    day, month, year = int(match.group(1)), int(match.group(2)), match.group(3)
    for named_year in [int(year) % 100 + 2000] if year else [now.year, now.year - 1]:
        try:
            named = datetime(named_year, month, day, tzinfo=now.tzinfo)
        except ValueError:
            return None
        if named <= now:
            return named
        if not year and named - now < SOON:
            return None  # a day this year still to come
    return None


SOON = timedelta(days=60)  # a day and month this close ahead are to come, not last year's


def _with_second_problem(moves: list[PlaybookMove]) -> list[PlaybookMove]:
    """The complaint's second problem gets its sentence after the details of the first (or
    after the regret, or the acknowledgement), before the next step."""
    for anchor in ("details", "regret", "acknowledge"):
        if anchor in moves:
            at = moves.index(anchor) + 1
            return [*moves[:at], "also", *moves[at:]]
    return moves


@dataclass(frozen=True)
class Sentence:
    text: str
    priority: int = 1  # 1 must stay; 2 and 3 go first when the platform's limit is tight
    fact_id: str | None = None  # the fact this sentence states
    answers: str = ""  # the author's question it was chosen to answer


DETAIL_SLOTS = frozenset(
    {"order", "earlier_case", "delay", "wait", "hold_time", "charged", "employee", "employee_dat", "place", "date"}
)


def _quoted(text: str) -> set[str]:
    """The labels a text quotes («Забыли код?», «Оспорить операцию»): buttons and screens."""
    return {label.lower() for label in re.findall(r"«([^«»]{2,40})»", text)}


# A fact's sentence on how an application is decided: nothing to one told it was approved.
DECIDING = frozenset(["решение", "рассмотрение", "рассматривать", "рассмотреть"])


def fact_text(fact: Fact, language: str) -> str:
    return fact.text.get(language) or fact.text["ru"]


def fact_lemmas(fact: Fact, language: str) -> frozenset[str]:
    return _content_lemmas(fact_text(fact, language))


def fact_excerpt(
    fact: Fact,
    language: str,
    wanted: frozenset[str],
    most: int = 2,
    keep: Callable[[str], bool] = lambda _: True,
    common: frozenset[str] = frozenset(),
    also: Sequence[frozenset[str]] = (),
    figures_first: bool = False,
) -> str:
    """The fact's sentences that bear on what the author wrote (at most two, in their order);
    its first sentence when none does: a reply quotes what answers, not the whole paragraph.
    A sentence bears by a word of the mention that is not one of the brand's everyday `common`
    ones (a second sentence sharing only «карта» is padding); by any word when none does.
    `also`: the words of further questions this fact answers, each given its own sentence
    («…сама придёт? и номер поменяется?»: the reissue, and «Номер карты сохраняется»).
    `figures_first`: the question asks how much, so of two sentences bearing alike the one with
    figures answers («Минимальная сумма вклада — 10 000 рублей», not where to open one)."""
    every = fact_sentences(fact_text(fact, language))
    sentences = [s for s in every if keep(s)]
    if not sentences:
        return ""
    chosen = _bearing_by_words(sentences, wanted, most, common, figures_first) or [0]
    for words in also:
        chosen = sorted({*chosen, *_bearing_by_words(sentences, words, 1, common)})
    chosen = _with_antecedents(chosen, sentences, most + len(also))
    quoted = [sentences[i] for i in chosen]
    quoted = [s for s in quoted if not _orphaned(s, every, quoted)]
    return " ".join(_standing_alone(s, every, quoted) for s in quoted)


def _orphaned(sentence: str, every: list[str], quoted: list[str]) -> bool:
    """It names by a pronoun what a sentence the reply leaves out named: «Он приходит в
    приложение…» without «…мы выдаём промокод на 300 ₽» is not quoted."""
    at = every.index(sentence)
    return at > 0 and every[at - 1] not in quoted and points_back(sentence)


def fact_sentences(text: str) -> list[str]:
    """The fact's sentences; a list whose items end in «;» is one («Отделения: Москва, …; Новосибирск, …»)."""
    sentences: list[str] = []
    for piece in (s.text for s in razdel.sentenize(text)):
        if sentences and sentences[-1].endswith(";"):
            sentences[-1] += " " + piece
        else:
            sentences.append(piece)
    return sentences


def _with_antecedents(chosen: list[int], sentences: list[str], most: int) -> list[int]:
    """A sentence that speaks of what the one before it named («Если звонящий просит их назвать…»
    after «…никогда не спрашивают коды из СМС») is quoted with that one, room permitting."""
    for i in list(chosen):
        if i > 0 and i - 1 not in chosen and len(chosen) < max(most, 2) and points_back(sentences[i]):
            chosen = sorted([*chosen, i - 1])
    return chosen


# «Если не помогло, …» goes on from the sentence before it («сначала обновите приложение»)
_GOES_ON = re.compile(
    r"^(?:Если (?:это )?не (?:помогло|помогает|получилось|сработало)|If (?:that|this|it) (?:does not|doesn't) (?:help|work)),\s*"
)


def _standing_alone(sentence: str, every: list[str], quoted: list[str]) -> str:
    """A quoted sentence that goes on from one the reply leaves out («Если не помогло, нужно
    написать…» without «сначала стоит обновить…», told to someone who updated) loses its lead."""
    at = every.index(sentence)
    lead = _GOES_ON.match(sentence)
    if not lead or at == 0 or every[at - 1] in quoted:
        return sentence
    rest = sentence[lead.end() :]
    return rest[:1].upper() + rest[1:]


_FIGURE = re.compile(r"\d+(?:[\s,.]\d+)*")
_CONDITION = re.compile(r"^(?:Если|If)\s+([^,—:]+)[,—:]|^При\s+([^\s,]+)")


def _bearing_by_words(
    sentences: list[str], wanted: frozenset[str], most: int, common: frozenset[str], figures_first: bool = False
) -> list[int]:
    """The sentences bearing on the words, by those not `common` first («заказал» is «заказ»)."""
    words = content_words(wanted)
    distinctive = {word[:STEM] for word in words} - {word[:STEM] for word in common}
    all_stems = {w[:STEM] for w in words}
    return _bearing(sentences, distinctive, most, figures_first) or _bearing(sentences, all_stems, most, figures_first)


def _bearing(sentences: list[str], stems: set[str], most: int, figures_first: bool = False) -> list[int]:
    """The sentences sharing the most stems, in their order; a second one only when it shares
    more than half as many as the best («кэшбэк» alone after «категории кэшбэка выбираете в
    начале месяца»; «ипотечный менеджер» after «одобрение действует 90 дней»). Of two sharing as
    many, the one quoting fewer figures: «перевод … обычно поступает получателю в течение
    нескольких секунд» to a stuck transfer, not the fee table beside it; the one quoting more when
    the question asks how much (`figures_first`), where a figure also counts as a shared word."""
    shared = [len({w[:STEM] for w in _content_lemmas(s)} & stems) for s in sentences]
    if figures_first:  # the figure is the answer: it counts as a word shared
        shared = [score + (score > 0 and bool(_FIGURE.search(s))) for s, score in zip(sentences, shared, strict=True)]
    sign = 1 if figures_first else -1
    scored = [
        (score, sign * len(_FIGURE.findall(s)), i) for i, (s, score) in enumerate(zip(sentences, shared, strict=True))
    ]
    best = max((score for score, _, _ in scored), default=0)
    ranked = sorted(scored, key=lambda p: (-p[0], -p[1]))[:most]
    return sorted(i for score, _, i in ranked if score > 0 and 2 * score > best)


def _is_adjective(word: str) -> bool:
    return "ADJF" in morph().parse(word)[0].tag


def _is_noun(word: str) -> bool:
    return "NOUN" in morph().parse(word)[0].tag


def overlap(words: frozenset[str] | set[str], other: frozenset[str]) -> int:
    return len(content_words(words) & other)


def answering_facts(
    question: str, facts: list[Fact], language: str, common: frozenset[str], preferred: frozenset[str] = frozenset()
) -> list[Fact]:
    """The facts sharing the most distinctive words with the question, in their text or in one of
    the questions they answer (two facts at most, equally good): two words at least, and about a
    third of them, compared by their first letters («перевести» and «перевод»). Words most of the
    brand's facts use («заказ», «карта») do not count."""
    usual = {word[:STEM] for word in common}
    asked = _stems(question, usual)
    named = asked & {word[:STEM] for word in _content_lemmas(" ".join(names_in(question)))}
    needed = max(2, round(len(asked) * ANSWER_COVERAGE))
    scored, naming = [], []
    for fact in facts:
        said = _stems(fact_text(fact, language), usual, stating=True)
        shared = max([len(asked & said), *(_shared_with_question(asked, q, usual) for q in fact.questions)])
        shared += fact.id in preferred  # the situation's own facts need one word less
        if shared >= needed:
            scored.append((shared, fact))
        elif named & said:
            naming.append(fact)
    top = max((score for score, _ in scored), default=0)
    if scored:
        return [fact for score, fact in scored if score == top][:MAX_FACTS]  # two that answer it equally well
    # too short to share two words («И в Коммунарку возите?»): the one fact that names the place asked about
    return naming if len(naming) == 1 and len(asked) <= 2 else _closest_by_questions(question, facts)


@lru_cache(maxsize=8192)
def _nouns(text: str) -> frozenset[str]:
    """The text's nouns by their first letters (a fact's questions are read for every complaint)."""
    return frozenset(word[:STEM] for word in _content_lemmas(text) if surely_noun(word))


def _stems(text: str, usual: set[str], stating: bool = False) -> set[str]:
    """The text's distinctive words by their first letters, and «which hour» as a word of its
    own: a question asks it («до скольки», «во сколько»), a fact states it (22:30)."""
    stems = {word[:STEM] for word in _content_lemmas(text)} - usual
    hour = CLOCK_TIME.search(text) if stating else ASKS_HOUR.search(text) or ASKS_AT_HOUR.search(text)
    return stems | {HOUR} if hour else stems


def _shared_with_question(asked: set[str], question: str, usual: set[str]) -> int:
    """The words shared with one of a fact's own questions, counted only when they are most of
    that question: «снять наличные» is not «наличные» of a question about cashback."""
    own = _stems(question, usual)
    shared = len(asked & own)
    return shared if shared >= max(2, math.ceil(0.5 * len(own))) else 0


def _closest_by_questions(question: str, facts: list[Fact]) -> list[Fact]:
    """No fact shares enough words: the fact one of whose customers' questions reads closest,
    when it is close enough («с какого часа утром можно заказать?» and «во сколько утром
    начинаете принимать заказы?»)."""
    examples = tuple((f.id, tuple(f.questions)) for f in facts if f.questions)
    near = closeness(examples, frozenset(mention_lemmas(question)), unseen_counts=True)
    best = max(near, key=near.__getitem__, default=None)
    return [f for f in facts if f.id == best] if best and near[best] >= QUESTION_CLOSENESS else []


def everyday_words(brand: Brand, language: str) -> frozenset[str]:
    """The brand's everyday words: common to its public facts, or its own names."""
    return common_words(brand.public_facts, language) | brand_words(brand)


def common_words(facts: list[Fact], language: str, share: float = COMMON_SHARE) -> frozenset[str]:
    """Words in more than `share` of the brand's facts: they tell no fact from another."""
    counts = Counter(word for fact in facts for word in fact_lemmas(fact, language))
    return frozenset(word for word, count in counts.items() if count > share * len(facts))


@lru_cache(maxsize=16384)
def _content_lemmas(text: str) -> frozenset[str]:
    return content_words(mention_lemmas(text))


def _fits_platform(text: str, rules: PlatformRules) -> bool:
    """A fact with a link or phone cannot be quoted where the platform forbids them."""
    return (rules.links_allowed or not cues.has_link(text)) and (rules.phones_allowed or not cues.has_phone(text))


def fill(template: str, values: dict[str, str]) -> str:
    """The template with its slots filled; a condition (`{!order}`, `{?treated}`) writes nothing."""
    template = re.sub(r"\s*{[!?]\w+}", "", template)
    return re.sub(r"{(\w+)}", lambda m: values.get(m.group(1), m.group(0)), template).strip()


def fit_length(sentences: list[Sentence], limit: int) -> str:
    """Join sentences; drop optional ones (highest priority number first) until it fits."""
    return joined(fitted(sentences, limit))


def fitted(sentences: list[Sentence], limit: int) -> list[Sentence]:
    """The sentences left once optional ones are dropped (highest priority number first) to fit;
    the brand's sign-off goes last of all, after every optional sentence of the body, and only
    when that makes the reply fit: one too long either way goes to an operator signed."""
    kept = list(sentences)
    for priority in (3, 2):
        while len(joined(kept)) > limit and any(s.priority == priority for s in kept[:-1]):
            kept.remove(next(s for s in reversed(kept[:-1]) if s.priority == priority))
    if len(joined(kept)) > limit and kept[-1].priority == 3 and len(joined(kept[:-1])) <= limit:
        kept.pop()
    return kept


def joined(sentences: list[Sentence]) -> str:
    opening, *body = [s.text for s in sentences]  # the greeting stands apart
    if not body:
        return opening
    *middle, last = body
    sign_off_apart = sentences[-1].priority == 3
    main = " ".join(middle if sign_off_apart else body)
    return f"{opening}\n\n{main}\n\n{last}" if sign_off_apart else f"{opening}\n\n{main}"
