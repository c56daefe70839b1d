"""Checks for what a reviewer sees, beyond the five rules: a reply that asks for what the
author gave, says a detail in a role it does not have, states a fact that answers nothing,
leaks an internal rule, leaves a question unanswered, jokes in a crisis, promises to come
back when nobody works, or promises what the brand may not, in any wording.

Each check is a method returning one CheckResult; the lexicons are data
(knowledge/shared/reply_checks.yaml). Their precision and recall are measured on
hand-labelled traps written before the checks (evals/traps.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import razdel
import yaml

from assistant.cues import numbers_in
from assistant.draft import DraftRequest, everyday_words, fact_text, mention_lemmas
from assistant.hours import is_within_hours
from assistant.models import CheckResult, Fact, MentionKind, ReplyMode, RiskFlag
from assistant.text.names import is_first_name, nominative
from assistant.text.normalize import content_words, english_stem, lemma, lemmas
from assistant.text.situation import (
    given_items,
    open_questions,
    requested_items,
    rule_figures,
    tag_values,
)

_EMOJI = re.compile("[\U0001f300-\U0001faff\u2600-\u27bf\u2b50\u2764]")
# A detail in one of these roles may be repeated only with its role said: «сумма 300 ₽» for the
# promo code the author called an insult, «10 дней» for a deadline, are misquotes.
ROLES_NOT_TO_ECHO = {"demanded", "offered", "symptom_time", "deadline"}
HELP_TOPICS = {"support"}  # how to reach the brand bears on any mention
CRISIS_FLAGS = {RiskFlag.health, RiskFlag.legal, RiskFlag.threat}
NAMES_OF_ITEMS = {
    "order": "the order number",
    "earlier_case": "the earlier request's number",
    "phone": "a phone number",
    "date": "the date",
    "place": "the address or branch",
    "employee": "the employee's name",
    "amount": "the amount",
    "device": "the phone model or app version",
}


@dataclass(frozen=True)
class ReplyLexicon:
    internal: tuple[re.Pattern[str], ...]
    crisis_signals: tuple[re.Pattern[str], ...]
    crisis_unfit: tuple[re.Pattern[str], ...]
    promise_cues: dict[str, tuple[tuple[str, ...], ...]]
    hedges: tuple[re.Pattern[str], ...]
    deferrals: tuple[re.Pattern[str], ...]
    deferral_times: tuple[re.Pattern[str], ...]
    come_back: tuple[re.Pattern[str], ...]


def load_reply_lexicon(path: Path) -> ReplyLexicon:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))

    def patterns(key: str) -> tuple[re.Pattern[str], ...]:
        return tuple(re.compile(p, re.I) for p in data[key])

    cues = {pid: tuple(_cue(c) for c in phrases) for pid, phrases in data["promise_cues"].items()}
    return ReplyLexicon(
        internal=patterns("internal_patterns"),
        crisis_signals=patterns("crisis_signal_patterns"),
        crisis_unfit=patterns("crisis_unfit_patterns"),
        promise_cues=cues,
        hedges=patterns("promise_hedge_patterns"),
        deferrals=patterns("deferral_patterns"),
        deferral_times=patterns("deferral_time_patterns"),
        come_back=patterns("come_back_patterns"),
    )


def _cue(phrase: str) -> tuple[str, ...]:
    return tuple(english_stem(lemma(word)) if not word.startswith("не_") else word for word in phrase.lower().split())


class ReplyChecks:
    """The eight checks; `run` gives every result, each check can be called alone (the traps do)."""

    def __init__(self, lexicon: ReplyLexicon):
        self.lexicon = lexicon

    def run(self, text: str, request: DraftRequest) -> list[CheckResult]:
        """Every check that applies: a follow-up on a case answers the case, not the first mention's questions."""
        follow_up = request.decision.reply_mode is ReplyMode.follow_up
        skipped = (self.unanswered_question, self.irrelevant_fact) if follow_up else ()
        return [check(text, request) for check in self.all() if check not in skipped]

    def all(self):
        return [
            self.asks_for_given_info,
            self.misquoted_detail,
            self.irrelevant_fact,
            self.internal_info,
            self.unanswered_question,
            self.crisis_tone,
            self.deadline_outside_hours,
            self.forbidden_promise,
        ]

    # --- the checks -------------------------------------------------------------------

    def asks_for_given_info(self, text: str, request: DraftRequest) -> CheckResult:
        again = requested_items(text) & given_items(request.mention.text, request.situation.details)
        detail = ", ".join(NAMES_OF_ITEMS.get(item, item) for item in sorted(again))
        return _result(
            "asks_for_given_info", not again, f"asks again for {detail}" if again else "asks for nothing given"
        )

    def misquoted_detail(self, text: str, request: DraftRequest) -> CheckResult:
        said: dict[tuple[str, str], set[str]] = {}
        for t in tag_values(request.mention.text):
            if t.role:
                said.setdefault((t.kind, _key(t)), set()).add(t.role)
        wrong = []
        for t in tag_values(text):
            roles = said.get((t.kind, _key(t)), set())
            if roles and t.role and t.role not in roles:
                wrong.append(f"«{t.text}» as {t.role}, the mention's {', '.join(sorted(roles))}")
            elif roles and not t.role and roles <= ROLES_NOT_TO_ECHO:
                wrong.append(f"«{t.text}» without its role ({', '.join(sorted(roles))})")
        return _result("misquoted_detail", not wrong, "; ".join(wrong) or "each detail in its role")

    def irrelevant_fact(self, text: str, request: DraftRequest) -> CheckResult:
        brand, language = request.brand, _language(text)
        common = everyday_words(brand, language)
        mention = content_words(mention_lemmas(request.mention.text)) - common
        situation = request.situation
        bearing = set(situation.playbook.facts) if situation.playbook else set()
        unrelated = [
            fact.id
            for fact in stated_facts(text, brand.public_facts, language, common)
            if fact.id not in bearing
            and fact.topic not in {*request.classification.topics, *HELP_TOPICS}
            and not (content_words(mention_lemmas(fact_text(fact, language))) & mention)
        ]
        return _result("irrelevant_fact", not unrelated, f"states {', '.join(unrelated)}" if unrelated else "")

    def internal_info(self, text: str, request: DraftRequest) -> CheckResult:
        ours = [request.case.reference] if request.case else []
        public = re.sub("|".join(re.escape(code) for code in [*ours, *_codes(request.mention.text)]) or "$^", " ", text)
        found = [m.group(0) for p in self.lexicon.internal if (m := p.search(public))]
        internal = [f for f in request.brand.facts if f.audience == "internal"]
        found += [f"the internal fact {f.id}" for f in stated_facts(text, internal, _language(text))]
        found += [f"someone else's name {name}" for name in other_people(text, request)]
        return _result("internal_info", not found, "; ".join(f"«{f}»" for f in found))

    def unanswered_question(self, text: str, request: DraftRequest) -> CheckResult:
        everyday = everyday_words(request.brand, _language(text))
        unanswered = open_questions(request.situation.questions, (text,), everyday)
        unanswered = [q for q in unanswered if not _figured(q, text, request)]
        if not unanswered or self.defers(text):
            return _result("unanswered_question", True, "every question answered or honestly deferred")
        return _result("unanswered_question", False, "not answered: " + " | ".join(f"«{q}»" for q in unanswered))

    def crisis_tone(self, text: str, request: DraftRequest) -> CheckResult:
        if not is_crisis(request) and not any(p.search(request.mention.text) for p in self.lexicon.crisis_signals):
            return _result("crisis_tone", True, "not a crisis")
        found = [m.group(0) for p in self.lexicon.crisis_unfit if (m := p.search(text))]
        found += _EMOJI.findall(text) + re.findall(r"[:;]-?[)(D]|\)\)+", text)
        return _result("crisis_tone", not found, "; ".join(f"«{f}»" for f in found) or "formal and calm")

    def deadline_outside_hours(self, text: str, request: DraftRequest) -> CheckResult:
        profile = request.brand.profile
        now = request.written_at.astimezone(ZoneInfo(profile.timezone))
        wrong = []
        for phrase, moment in promised_times(text, now, self.lexicon.come_back):
            if moment < now:
                wrong.append(f"«{phrase}» is past")
            elif moment.minute not in (0, 30):
                wrong.append(f"«{phrase}» is minute-precise")
            elif not is_within_hours(moment, profile):
                wrong.append(f"«{phrase}» is outside working hours")
        return _result("deadline_outside_hours", not wrong, "; ".join(wrong) or "within working hours")

    def forbidden_promise(self, text: str, request: DraftRequest) -> CheckResult:
        forbidden = request.brand.profile.must_not_promise
        note = content_words(mention_lemmas(request.operator_note or ""))
        found = []
        for sentence in (s.text for s in razdel.sentenize(text)):
            if any(p.search(sentence) for p in self.lexicon.hedges):
                continue
            if note and len(note & content_words(mention_lemmas(sentence))) >= 0.6 * len(note):
                continue  # what the operator's note says was done: the operator's word, not a promise
            words = _sentence_lemmas(sentence)
            found += [
                pid for pid in forbidden if any(_has_cue(c, words) for c in self.lexicon.promise_cues.get(pid, ()))
            ]
        return _result("forbidden_promise", not found, f"promises {', '.join(sorted(set(found)))}" if found else "")

    # --- pieces -----------------------------------------------------------------------

    def defers(self, text: str) -> bool:
        """«уточним у специалиста и ответим завтра до 12:00»: who answers, and when (the evals
        count deferrals by it too)."""
        return any(p.search(text) for p in self.lexicon.deferrals) and any(
            p.search(text) for p in self.lexicon.deferral_times
        )


def _codes(text: str) -> list[str]:
    """Codes the author wrote («КН-2025-118042»): quoting them back leaks nothing."""
    return re.findall(r"\b[A-ZА-ЯЁ]{2,}-[\w-]+", text)


def other_people(text: str, request: DraftRequest) -> list[str]:
    """First names in the reply that neither the author, the mention nor the brand gave: another
    customer's data («отвезли Анне К.»)."""
    known = request.mention.text + " " + (request.mention.author_name or "") + " " + _brand_words(request)
    known_names = {nominative(w) for w in re.findall(r"[А-ЯЁ][а-яё]+", known)}
    found = []
    body = (
        text.split("\n", 1)[-1] if "\n" in text else re.sub(r"^[^!.]*[!.]", "", text)
    )  # the greeting names the author
    for word in re.findall(r"(?<![.!?]\s)(?<!^)\b[А-ЯЁ][а-яё]{2,}\b", body):
        name = nominative(word)
        if is_first_name(name) and name not in known_names and name not in found:
            found.append(name)
    return found


def _brand_words(request: DraftRequest) -> str:
    brand = request.brand
    voice = brand.voice.model_dump_json()
    return " ".join([voice, brand.profile.name, *(t for f in brand.facts for t in f.text.values())])


def is_crisis(request: DraftRequest) -> bool:
    classification = request.classification
    return (
        request.decision.reply_mode is ReplyMode.holding
        or classification.mention_kind is MentionKind.crisis
        or bool(CRISIS_FLAGS & set(classification.risk_flags))
    )


def stated_facts(text: str, facts: list[Fact], language: str, common: frozenset[str] = frozenset()) -> list[Fact]:
    """The facts a reply states: for each sentence of the reply, the fact whose sentence it says
    best, when they share three distinctive words at least, half of the shorter one's, and one
    of the fact's figures if it has any («довезём или заменим» is help offered; «в течение
    60 минут» is the fact)."""
    fact_sentences = [
        (fact, content_words(mention_lemmas(sentence.text)) - common, numbers_in(sentence.text))
        for fact in facts
        for sentence in razdel.sentenize(fact_text(fact, language))
    ]
    stated: list[Fact] = []
    for reply_sentence in razdel.sentenize(text):
        said, figures = content_words(mention_lemmas(reply_sentence.text)) - common, numbers_in(reply_sentence.text)
        best: tuple[int, Fact] | None = None
        for fact, words, numbers in fact_sentences:
            shared = len(words & said)
            says_it = shared >= max(3, 0.5 * min(len(words), len(said))) and (not numbers or numbers & figures)
            if says_it and (best is None or shared > best[0]):
                best = (shared, fact)
        if best and best[1] not in stated:
            stated.append(best[1])
    return stated


def _sentence_lemmas(sentence: str) -> list[str]:
    return [english_stem(word) for word in lemmas(sentence.lower().replace("ё", "е"))]


def _has_cue(cue: tuple[str, ...], words: list[str]) -> bool:
    """The cue's words in this order (others may stand between), never one negated unless the cue says so."""
    position = 0
    for wanted in cue:
        while position < len(words) and not _same(words[position], wanted):
            position += 1
        if position == len(words):
            return False
        position += 1
    return True


def _same(word: str, wanted: str) -> bool:
    if word == wanted:
        return True
    return wanted.isascii() and len(wanted) >= 4 and word.startswith(wanted)


def _key(tagged) -> str:
    """A detail compared as its digits («1 500 ₽» = «1500 руб.»), or its words for a duration in words."""
    digits = re.sub(r"\D", "", tagged.text)
    if tagged.kind == "date":
        return digits[:2].lstrip("0") if digits else tagged.text.lower()
    if tagged.kind == "person":
        return nominative(tagged.text.split()[-1])
    return digits or re.sub(r"^(на|через|почти|больше|более|целых|уже)\s+", "", tagged.text.lower())


def _language(text: str) -> str:
    cyrillic = len(re.findall(r"[а-яё]", text, re.I))
    return "ru" if cyrillic >= len(re.findall(r"[a-z]", text, re.I)) else "en"


def _result(name: str, passed: bool, detail: str) -> CheckResult:
    return CheckResult(name=name, passed=passed, detail=detail)


# --- promised times ---------------------------------------------------------------------

_WEEKDAY_RU = {"понедельник": 0, "вторник": 1, "среду": 2, "четверг": 3, "пятницу": 4, "субботу": 5, "воскресенье": 6}
_WEEKDAY_EN = {
    d: i for i, d in enumerate(("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"))
}
_MONTHS_RU = {m: i + 1 for i, m in enumerate(
    ("январ", "феврал", "март", "апрел", "ма", "июн", "июл", "август", "сентябр", "октябр", "ноябр", "декабр")
)}  # fmt: skip
_DAY_RU = r"(?P<day>сегодня|завтра|послезавтра|во?\s+(?:понедельник|вторник|среду|четверг|пятницу|субботу|воскресенье))"  # «во вторник»
_DATE_RU = r"(?P<date>\d{1,2})(?:\s+(?P<month>январ|феврал|март|апрел|ма|июн|июл|август|сентябр|октябр|ноябр|декабр)\w*|\.(?P<mnum>\d{2}))"
_CLOCK = r"(?P<hour>\d{1,2})[:.](?P<minute>\d{2})"
_RU_TIME = re.compile(
    rf"(?:{_DAY_RU}[\s,]*)?(?:{_DATE_RU}[\s,]*)?(?:до|к|в|не\s+позднее|не\s+позже)\s+{_CLOCK}"
    rf"(?:\s+{_DAY_RU.replace('day>', 'day2>')})?",
    re.I,
)
_EN_CLOCK = (
    r"(?:(?P<hour>\d{1,2})(?::(?P<minute>\d{2}))?\s*(?P<ampm>am|pm|a\.m\.|p\.m\.)|(?P<noon>noon|midday|midnight))"
)
_EN_DAY = r"(?P<day>today|tonight|tomorrow|on\s+(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday))"
_EN_TIME = re.compile(
    rf"(?:{_EN_DAY}\s+)?(?:by|at|before|until)\s+{_EN_CLOCK}(?:\s+{_EN_DAY.replace('day>', 'day2>')})?", re.I
)


def promised_times(
    text: str, now: datetime, come_back: tuple[re.Pattern[str], ...]
) -> list[tuple[str, datetime | None]]:
    """Each time a reply promises to come back by, read against `now` (in the brand's zone): in a
    sentence that says we come back, and not the end of a range of hours («с 10:00 до 17:00»)."""
    found: list[tuple[str, datetime | None]] = []
    for sentence in (s.text for s in razdel.sentenize(text)):
        if not any(p.search(sentence) for p in come_back):
            continue
        for match in _RU_TIME.finditer(sentence):
            if not re.search(r"\bс\s+\d{1,2}[:.]\d{2}\s*$", sentence[: match.start()]):
                found.append(
                    (match.group(0).strip(), _at(_ru_day(match, now), int(match["hour"]), int(match["minute"]), now))
                )
        for match in _EN_TIME.finditer(sentence):
            hour, minute = _en_clock(match)
            found.append((match.group(0).strip(), _at(_en_day(match["day"] or match["day2"], now), hour, minute, now)))
    return [(phrase, moment) for phrase, moment in found if moment is not None]


def _ru_day(match: re.Match[str], now: datetime) -> date:
    if match["date"]:
        month = _MONTHS_RU[match["month"].lower()] if match["month"] else int(match["mnum"])
        return _next_date(int(match["date"]), month, now)
    word = (match["day"] or match["day2"] or "").lower()
    if word.startswith("в"):
        return _next_weekday(_WEEKDAY_RU[word.split()[-1]], now)
    return now.date() + timedelta(days={"": 0, "сегодня": 0, "завтра": 1, "послезавтра": 2}.get(word, 0))


def _en_day(word: str | None, now: datetime) -> date:
    word = (word or "").lower()
    if word.startswith("on "):
        return _next_weekday(_WEEKDAY_EN[word.split()[-1]], now)
    return now.date() + timedelta(days=1 if word == "tomorrow" else 0)


def _en_clock(match: re.Match[str]) -> tuple[int, int]:
    if match["noon"]:
        return (0, 0) if match["noon"].lower() == "midnight" else (12, 0)
    hour, minute = int(match["hour"]) % 12, int(match["minute"] or 0)
    return (hour + 12 if match["ampm"].lower().startswith("p") else hour), minute


def _next_weekday(weekday: int, now: datetime) -> date:
    return now.date() + timedelta(days=(weekday - now.weekday()) % 7 or 7)


def _next_date(day: int, month: int, now: datetime) -> date:
    candidate = date(now.year, month, day)
    return candidate if candidate >= now.date() - timedelta(days=180) else date(now.year + 1, month, day)


def _at(day: date, hour: int, minute: int, now: datetime) -> datetime | None:
    if hour > 23 or minute > 59:
        return None
    return datetime.combine(day, time(hour, minute), now.tzinfo)


def _figured(question: str, text: str, request: DraftRequest) -> bool:
    """The reply works out what the brand's fee rule gives for the sum the question names
    («сколько возьмут с 900 000 ₽?» — «комиссия 1 500 ₽»): that answers it in other words."""
    return bool(rule_figures(question, request.brand.playbooks) & numbers_in(text))
