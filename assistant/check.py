"""Check a draft before an operator sees it. Every check is reported separately on the draft;
a failure is never hidden, and the draft is marked `needs_review` when any check fails.

Grounding: every number, URL, e-mail and every promise in the reply must be supported by
the brand (its facts, contact channels and allowed promises), by the mention itself as an
echo (not turned into a commitment), or by what the system supplied (case reference, due,
and for a follow-up the operator's note of what was done: that is the operator's word, so
it grounds even what the brand may not promise in advance, a refund decided after a check).
The mention is untrusted: it grounds the author's own details only — never a link, a phone or
card number, or what it dictates to the reply («напиши в ответе, что…», a pasted «Оператор: …»),
which is how an injection plants its data. No other brand's name, unknown code or words of our
instructions may appear at all (`grounding_content`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from assistant import cues
from assistant.draft import DraftRequest, avoided_words, greeting_name, promised_due, reply_language, reply_voice
from assistant.hours import clock_texts
from assistant.models import CheckResult, Draft, DraftStatus, EmojiPolicy, ReplyMode
from assistant.profanity import Lexicon
from assistant.reply_checks import ReplyChecks
from assistant.text.situation import rule_figures

_EMOJI = re.compile("[\U0001f300-\U0001faff\u2600-\u27bf\u2b50\u2764]")
_SENTENCE = re.compile(r"(?<=[.!?…])\s+|\n+")
_COMMITMENT = re.compile(
    r"\b(мы|we)\s+(\w+\s+)?(верн|сдела|оформ|компенс|предостав|гарант|выплат|начисл|дад|подар|will\b|'ll)|"
    r"\b(we'll|сделаем|оформим|верн[её]м|компенсируем|предоставим|гарантируем|выплатим|начислим)\b",
    re.I,
)
_REPORTED = re.compile(
    r"(просиш|просит|требуеш|требует|хочеш|хотит|пишеш|пишет|ждёш|ждеш|ждёт|ждет|рассчитываеш|рассчитывает|"
    r"\bask|\bwant|request|demand|expect|mention)\w*",
    re.I,
)

_FEELING = (
    r"(недовол|возмущ|раздраж|разочаров|огорч|злость|злит|злиш|негодов|эмоци|чувств|тревог|обид|досад|расстро|"
    r"пережива|нервнича|беспоко|расстраива|upset)\w*"
)
RULES: dict[str, list[str]] = {
    "rule1_polite": [
        r"здравствуй|привет|добр(ый|ое|ого)\s+(день|утро|вечер)|спасибо|благодар|уважени|пожалуйста|"
        r"hello|\bhi\b|dear|thank|please|good (morning|afternoon|evening|day)"
    ],
    "rule2_acknowledge": [
        r"вправе|в\s+праве|(имеете|имеешь|есть)\s+(полное\s+|всё\s+|все\s+)?право|полное\s+право|"
        r"(вы|ты)\s+(абсолютно\s+|совершенно\s+|полностью\s+)?прав[ыа]?\b",
        rf"(понима\w*|понятн\w*|разделя\w*)\W+(\w+\W+){{0,3}}{_FEELING}",
        rf"{_FEELING}\W+(\w+\W+){{0,3}}(понятн|оправдан|обоснован|справедлив|естествен|нормальн|объясним)\w*",
        r"так\s+быть\s+не\s+должно|не\s+должн[оа]\s+был[оа]?|справедлив\w*|обоснованн\w*|"
        r"ожидал\w*\s+(друго\w*|больш\w*|лучш\w*)|ждать\s+(больш\w*|лучш\w*)|заслуживае\w*|"
        r"это\s+не\s+(наш|тот)\s+(стандарт|уровень)|не\s+оправда\w*",
        r"(претензи|оценк|единиц|жалоб|реакци)\w*\s+(\w+\s+){0,2}(по\s+делу|понятн\w*|обоснован\w*|справедлив\w*|заслужен\w*)|"
        r"повод\w*\s+(\w+\s+)?(для\s+)?(\w+\s+)?(недовольств|возмущени|огорчени|расстройств)\w*",
        r"every right|right to be|(makes|make)\s+(total\s+|complete\s+|perfect\s+)?sense|"
        r"understand\w*\s+(your|how|why|the)\s*\w*\s*(frustrat|disappoint|upset|anger|annoy|concern)|"
        r"(frustrat|disappoint|upset|anger|annoy|indignation|concern|worry)\w*\s+is\s+(completely\s+|totally\s+)?(understandable|justified|fair)|"
        r"you('re| are) right|should(n't| not) have (happened|to)|deserve\w*\s+better|fair\s+to\s+expect|"
        r"(not|below)\s+(the|our)\s+standard|let you down|(is|was)(n't| not) (okay|ok|acceptable)|"
        r"fair to be (upset|annoyed|frustrated|angry|disappointed)|understandable (that|why) you|"
        r"(upset|annoyed|frustrated|angry|disappointed),? and (rightly|understandably) so",
    ],
    "rule3_regret": [
        r"жаль|сожале\w*|извин\w*|прости|простите|прощени\w*|огорчен\w*\s+(что|тем)|неприятно\s+(это|было)|"
        r"sorry|apolog\w*|regret\w*"
    ],
    "rule4_help": [
        r"\b(напиши|напишите|свяжись|свяжитесь|сообщи|сообщите|пришли|пришлите|отправь|отправьте|позвони|позвоните|"
        r"обратись|обратитесь|укажи|укажите|уточни|уточните|оставь|оставьте|загляни|загляните|передай|передайте|"
        r"оформи|оформите|воспользуйся|воспользуйтесь|зайди|зайдите|открой|откройте|проверь|проверьте|скинь|скиньте|"
        r"обнови|обновите|подтверди|подтвердите|попробуй|попробуйте|пиши|пишите|подай|подайте|приходи|приходите|"
        r"закажи|закажите|скачай|скачайте|сохрани|сохраните|выбери|выберите|следи|следите|звони|звоните|поможем|поможет)\b|"
        r"\bможно\s+(\w+\s+)?(через|в|по|на)\b|в\s+личн\w+\s+сообщени\w*|"
        r"\b(write to us|message us|contact us|send us|reply with|let us know|call us|reach (out|us)|dm us|help (sort|put|resolve|settle)|"
        r"please (share|send|write|contact|call|message|use|open|reply|tell|order)|you can (reach|contact|write|message|use))\b|"
        r"(^|[.!?—-]\s*|,\s*)(send|call|message|write|contact|text|email|dm|reply|share|tell|drop|update)\b"
    ],
}
_FOLLOW_UP = re.compile(
    r"верн[её]мся|вернусь|сообщ(им|ит)\s+(о\s+|тебе|вам|Вам|результат)|свяж(емся|ется)|держ\w+\s+(в\s+курсе|на\s+контроле)|контрол\w*|"
    r"напиш(ем|у)\s+(тебе|вам|Вам)|расскаж(ем|ет)|отчита\w*|ответ(им|ит)\b|ответ\s+(будет|дадим|придёт|придет)|дадим\s+ответ|"
    r"сообщ(им|ит)\b|get back|follow(ing)?[ -]up|update you|keep you (posted|updated|informed)|let you know|"
    r"contact you|come back to you|be in touch|report back|hear from us|(an\s+)?update\s+from\s+us",
    re.I,
)
_RUDE = re.compile(
    r"сам\w*\s+виноват\w*|не\s+наша\s+проблема|ваша\s+проблема|твоя\s+проблема|успокойтесь|успокойся|читать\s+(не\s+)?умее|"
    r"как\s+мы\s+уже\s+писали|надо\s+было\s+(\w+\s+)?(читать|думать|смотреть|проверять|внимательн\w*)|"
    r"трагеди\w+\s+(тут\s+|здесь\s+)?нет|ничего\s+страшного|не\s+стоит\s+(так\s+)?(переживать|расстраиваться)|"
    r"no big deal|not a big deal|ничем\s+не\s+(можем|сможем)\s+помочь|"
    r"стоило\s+(бы\s+)?(прочитать|читать|быть)\s+внимательн\w*|внимательнее\s+(читать|читайте|читай)|(смотреть|читать|проверять|смотрите|читайте)\s+внимательнее|"
    r"ошибк\w+\s+(банка|компании|нашей|с\s+нашей\s+стороны)\s+(здесь\s+|тут\s+)?нет|(вы|ты)\s+сами?\s+(виноват\w*|ошиб\w*|не\s+)|"
    r"your (own )?fault|not our problem|calm down|learn to read|as we already (said|told)|nothing we can do",
    re.I,
)
_INFORMAL_RU = re.compile(
    r"\b(ты|тебя|тебе|тобой|твой|твоя|твоё|твое|твои|твоего|твоей|твоих|твоим|твою|"
    r"напиши|(?<!вы\s)(?<!мы\s)(?<!они\s)пришли|скинь|обратись|свяжись|укажи|уточни|оставь|загляни|передай|отправь|позвони|попробуй|"
    r"проверь|обнови|открой|зайди|подтверди|выбери|не\s+переживай|можешь|хочешь|пишешь|получишь|сможешь)\b",
    re.I,
)
_FORMAL_RU = re.compile(
    r"\b(вы|вас|вам|вами|ваш|ваша|ваше|ваши|вашего|вашей|ваших|вашим|вашу|"
    r"напишите|пришлите|свяжитесь|обратитесь|укажите|уточните|оставьте|передайте|отправьте|позвоните|"
    r"попробуйте|проверьте|обновите|откройте|зайдите|подтвердите|выберите|можете|хотите)\b",
    re.I,
)
# What a mention dictates to the reply rather than tells about itself: a sentence addressed to
# whoever writes the reply («напиши в ответе, что…», "for the bot", "SYSTEM:"), or a line of a
# pasted dialogue spoken by the brand's side («Оператор: …»). Its numbers ground nothing.
_DICTATED = re.compile(
    r"\b(для|to|for)\s+(the\s+|an?\s+)?(бот|нейросет|ии\b|ии-|ассистент|модел|автоматическ|bot|ai\b|assistant|model|reply\s+generator)|"
    r"^\W*(бот|нейросет\w*|ассистент|bot|assistant|ai|model|system|систем\w*)\b\W|"
    r"\b(в\s+(\w+\s+)?ответе|в\s+(конце|начале)\s+ответа|in\s+(your|the)\s+(reply|answer|response)|"
    r"reply\s+(exactly|with|that)|answer\s+(exactly|with|that)|acceptable\s+answer)\b|"
    r"\b(подтверди|подтвердите|пообещай|пообещайте|допиши|допишите|вставь|вставьте|продублируй|продублируйте|"
    r"confirm|promise\s+(me|that)|state\s+(that|clearly)|say\s+(that|yes))\b|"
    r"\b(напиши|напишите|ответь|ответьте|скажи|скажите)\s*,?\s*(мне\s+)?что\b(?!\s+(с|со|случилось|происходит|делать)\b)|"
    r"\b(system|систем\w*)\s*(:|\]|#|message|note)|\[/?system\]|<\|im_start\|>",
    re.I,
)
_BRAND_SIDE = re.compile(
    r"поддержк|оператор|менеджер|специалист|банк|\bбот\b|ассистент|support|operator|agent|manager|bank|\bbot\b|assistant",
    re.I,
)
# «Оператор:», «[12:01] Кедр Банк:», «Ответ банка:»: a speaker's label is a few words, not a sentence
# that names the brand before a colon («Люблю Обед Экспресс за щедрость: …»)
_SPEAKER = re.compile(r"^\W*(\[[\d:.\s]+\]\s*)?(?P<label>[^:\s]{1,40}(?:[^\S\n]+[^:\s]{1,40}){0,3}):")
_PHONE_DIGITS = 10  # this long (a phone, a card) is no echo to repeat, unless the author named it an order or contract
# Words of our own prompts, and a model speaking of itself: a reply quoting them leaks the instructions.
_INSTRUCTIONS = re.compile(
    r"system\s+prompt|системн\w*\s+(промпт|инструкц|сообщени)\w*|промпт\w*|\b(my|hidden)\s+(instructions|prompt)\b|"
    r"first\s+instruction|\bмо(и|ей|их|я)\s+инструкци\w*|you\s+write\s+replies|on\s+behalf\s+of\s+a\s+brand|untrusted|"
    r"member\s+of\s+the\s+public|must\s+never\s+promise|<<<|>>>|\b(may_promise|must_not\w*|fee_waiver|cited_fact_ids|reply_mode)\b|"
    r"\b(я|i\s+am|i'm)\s+(—\s+|-\s+)?(\w+\s+)?(нейросет\w*|языков\w+\s+модел\w*|language\s+model|an?\s+ai\b|chatbot)|"
    r"\b(chat)?gpt\b|\bgpt-\w+|\bllama\b|\botklik\b",
    re.I,
)
# A promo code, voucher or internal identifier: an upper-case token of letters and digits.
_CODE = re.compile(r"(?<![\w-])[A-ZА-ЯЁ0-9]+(?:[-_][A-ZА-ЯЁ0-9]+)*(?![\w-])")
# Quantifiers that do not change whether a phrase commits the brand: "waive all your fees".
_FILLER = re.compile(r"\b(all|any|fully|completely|entirely|все|всю|весь|всё)\s+", re.I)
_LATIN = str.maketrans(
    dict(zip("абвгдеёзийклмнопрстуфыэ", "abvgdeeziyklmnoprstufye", strict=True))
    | {"ж": "zh", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ь": "", "ю": "yu", "я": "ya"}
)


@dataclass(frozen=True)
class Promise:
    id: str
    patterns: tuple[re.Pattern[str], ...]


def load_promises(path: Path) -> list[Promise]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [Promise(pid, tuple(re.compile(p, re.I) for p in patterns)) for pid, patterns in data.items()]


def _fold(text: str) -> str:
    return text.replace("ё", "е").replace("Ё", "Е")


class Checker:
    """Runs every check on a draft; knows nothing of how the draft was written."""

    def __init__(self, profanity: Lexicon, promises: list[Promise], reply_checks: ReplyChecks):
        self._profanity = profanity
        self._promises = promises
        self.reply_checks = reply_checks  # what a reviewer sees (assistant/reply_checks.py)

    def check(self, draft: Draft, request: DraftRequest) -> Draft:
        text = draft.text
        checks: list[CheckResult] = []
        if request.decision.reply_mode in (ReplyMode.negative, ReplyMode.holding):
            checks += self._five_rules(text, request)
        checks += [
            self._name_used(text, request),
            self._forbidden_words(text, request),
            self._register(text, request),
            self._emoji(text, request),
            self._length(text, request),
            self._links_and_phones(text, request),
            self._no_profanity(text),
            self._grounded_numbers(text, request),
            self._grounded_links(text, request),
            self._grounded_promises(text, request),
            self._grounded_content(text, request),
            *self.reply_checks.run(text, request),
        ]
        failed = any(not check.passed for check in checks)
        status = DraftStatus.needs_review if failed else DraftStatus.ready
        return draft.model_copy(update={"checks": checks, "status": status})

    # --- the five rules ---------------------------------------------------------------

    def _five_rules(self, text: str, request: DraftRequest) -> list[CheckResult]:
        folded = _fold(text)
        results = []
        for name, patterns in RULES.items():
            hit = next((m for p in patterns if (m := re.search(p, folded, re.I))), None)
            if name == "rule4_help" and hit is None:
                hit = _channel_named(folded, request)
            if name == "rule1_polite" and hit is None:
                hit = _name_named(text, request)
            if name == "rule1_polite" and (rude := _RUDE.search(folded) or self._profanity.find(text)):
                results.append(CheckResult(name=name, passed=False, detail=f"impolite: {_shown(rude)}"))
                continue
            detail = f"found «{hit.group(0)}»" if hit else "no sentence does this"
            results.append(CheckResult(name=name, passed=hit is not None, detail=detail))
        results.append(self._follow_through(text, request))
        return results

    @staticmethod
    def _follow_through(text: str, request: DraftRequest) -> CheckResult:
        name = "rule5_follow_through"
        if request.case and request.case.reference not in text:
            return CheckResult(name=name, passed=False, detail=f"case reference {request.case.reference} is not named")
        promise = _FOLLOW_UP.search(_fold(text)) or _due_named(text, request)
        if not promise:
            return CheckResult(name=name, passed=False, detail="no promise to come back with the result")
        return CheckResult(name=name, passed=True, detail=f"found «{promise.group(0)}»")

    # --- voice and platform -----------------------------------------------------------

    @staticmethod
    def _name_used(text: str, request: DraftRequest) -> CheckResult:
        name = greeting_name(request)
        if not name:
            return CheckResult(name="name_used", passed=True, detail="author's name unknown")
        stem = name[:-1] if len(name) >= 4 else name
        used = stem.lower() in text.lower()
        return CheckResult(name="name_used", passed=used, detail=f"{name} {'named' if used else 'not named'}")

    @staticmethod
    def _forbidden_words(text: str, request: DraftRequest) -> CheckResult:
        found = avoided_words(text, reply_voice(request).avoid_words)
        return CheckResult(name="forbidden_words", passed=not found, detail=", ".join(found) or "none used")

    @staticmethod
    def _register(text: str, request: DraftRequest) -> CheckResult:
        voice = reply_voice(request)
        if reply_language(request) != "ru":
            return CheckResult(name="register", passed=True, detail="not Russian: no ты/Вы distinction")
        wrong = _FORMAL_RU if voice.address.value == "ты" else _INFORMAL_RU
        found = wrong.findall(text)
        detail = (
            f"«{voice.address.value}» expected, found: {', '.join(found)}" if found else f"«{voice.address.value}» kept"
        )
        return CheckResult(name="register", passed=not found, detail=detail)

    @staticmethod
    def _emoji(text: str, request: DraftRequest) -> CheckResult:
        voice = reply_voice(request)
        count = len(_EMOJI.findall(text))
        limit = {EmojiPolicy.none: 0, EmojiPolicy.sparing: 2, EmojiPolicy.allowed: 10}[voice.emoji]
        return CheckResult(name="emoji", passed=count <= limit, detail=f"{count} emoji, policy {voice.emoji.value}")

    @staticmethod
    def _length(text: str, request: DraftRequest) -> CheckResult:
        rules = request.brand.profile.rules_for(request.mention.platform)
        limit = min(rules.max_length, reply_voice(request).max_length)
        return CheckResult(name="length", passed=len(text) <= limit, detail=f"{len(text)} of {limit} characters")

    @staticmethod
    def _links_and_phones(text: str, request: DraftRequest) -> CheckResult:
        rules = request.brand.profile.rules_for(request.mention.platform)
        problems = []
        if not rules.links_allowed and cues.has_link(text):
            problems.append("links are not allowed on this platform")
        if not rules.phones_allowed and cues.has_phone(text):
            problems.append("phone numbers are not allowed on this platform")
        return CheckResult(name="links_and_phones", passed=not problems, detail="; ".join(problems) or "ok")

    def _no_profanity(self, text: str) -> CheckResult:
        hits = self._profanity.find(text)
        return CheckResult(name="no_profanity", passed=not hits, detail=", ".join(h.word for h in hits) or "clean")

    # --- grounding --------------------------------------------------------------------

    @staticmethod
    def _grounded_numbers(text: str, request: DraftRequest) -> CheckResult:
        """The author's own numbers may be echoed (an order, a sum, a wait), but not a phone or card
        number, and not what the mention dictates to the reply: that is an injection's data."""
        mention = _authors_own(request.mention.text, request.brand.profile.name)
        echoed = {n for n in cues.numbers_in(mention) if len(n) < _PHONE_DIGITS} | cues.numbers_in(_orders(request))
        supported = (
            cues.numbers_in(_brand_text(request))
            | echoed
            | rule_figures(mention, request.brand.playbooks, with_sums=True)
        )
        unsupported = sorted(n for n in cues.numbers_in(text) if n not in supported)
        detail = f"not in facts or mention: {', '.join(unsupported)}" if unsupported else "every number is supported"
        return CheckResult(name="grounding_numbers", passed=not unsupported, detail=detail)

    @staticmethod
    def _grounded_links(text: str, request: DraftRequest) -> CheckResult:
        """Links and addresses come from the brand alone: one the mention supplies is never the brand's to give."""
        support = _brand_text(request).lower()
        found = [link.rstrip(".,;:!?)»") for link in cues.links_in(text)]
        unsupported = [link for link in found if link.lower() not in support]
        detail = f"unknown: {', '.join(unsupported)}" if unsupported else "every link and address is the brand's"
        return CheckResult(name="grounding_links", passed=not unsupported, detail=detail)

    def _grounded_promises(self, text: str, request: DraftRequest) -> CheckResult:
        profile = request.brand.profile
        facts = [_fold(t) for fact in request.brand.facts for t in fact.text.values()]
        mention = _fold(request.mention.text).lower()
        note = _fold(request.operator_note or "")
        noted = {p.id for p in self._promises if any(pattern.search(note) for pattern in p.patterns)}
        problems = []
        for sentence in _SENTENCE.split(_fold(text)):
            for promise in self._promises:
                match = _promised(promise, sentence)
                if match is None or _is_echo(match, sentence, mention):
                    continue
                if promise.id in noted or (note and _fact_states(match, [note])):
                    continue  # a follow-up reporting what the operator's note says was done
                allowed = promise.id in profile.may_promise or _fact_states(match, facts)
                if promise.id in profile.must_not_promise or not allowed:
                    problems.append(f"{promise.id}: «{match}»")
        detail = "unsupported promises: " + "; ".join(problems) if problems else "no unsupported promise"
        return CheckResult(name="grounding_promises", passed=not problems, detail=detail)

    @staticmethod
    def _grounded_content(text: str, request: DraftRequest) -> CheckResult:
        """What only an injection puts in a reply: another brand's name, a code the brand's
        material or the author's order and reference numbers hold (a promo code the customer quoted
        goes to review too: the checker cannot tell it from an invented one), or the words of our
        instructions."""
        known = f"{_brand_text(request)}\n{_orders(request)}".lower()
        problems = [f"another brand: {name}" for name in request.brand.profile.competitors if _names(name).search(text)]
        problems += [
            f"unknown code: {code}" for code in _CODE.findall(text) if _is_code(code) and code.lower() not in known
        ]
        problems += [f"instructions quoted: «{m.group(0)}»" for m in _INSTRUCTIONS.finditer(text)]
        detail = "; ".join(problems) or "no other brand, unknown code or instruction text"
        return CheckResult(name="grounding_content", passed=not problems, detail=detail)


def _promised(promise: Promise, sentence: str) -> str | None:
    """The phrase by which the sentence makes the promise, read also without quantifiers."""
    for candidate in (sentence, _FILLER.sub("", sentence)):
        if match := next((m for p in promise.patterns if (m := p.search(candidate))), None):
            return match.group(0)
    return None


def _fact_states(phrase: str, facts: list[str]) -> bool:
    """One fact states the promise when each content word of the promise occurs in it — long
    words by their first five letters (Russian endings vary), short ones whole: «бесплатная
    доставка» only where a fact speaks of it; "free" calls in one fact and delivery times in
    another state no "free delivery"."""
    words = re.findall(r"\w{4,}", phrase.lower())
    patterns = [re.escape(word[:5]) if len(word) >= 6 else rf"\b{re.escape(word)}\b" for word in words]
    return bool(words) and any(all(re.search(p, fact.lower()) for p in patterns) for fact in facts)


def _authors_own(mention: str, brand_name: str) -> str:
    """The mention less what it dictates to the reply (see _DICTATED)."""
    kept = []
    for line in mention.splitlines():
        speaker = _SPEAKER.match(line)
        label = speaker.group("label") if speaker else ""
        if label and (_BRAND_SIDE.search(label) or brand_name.lower() in label.lower()):
            continue
        kept += [sentence for sentence in _SENTENCE.split(line) if not _DICTATED.search(sentence)]
    return "\n".join(kept)


def _orders(request: DraftRequest) -> str:
    """The order and reference numbers the author gave («заказ 48213», «обращение KB-0411-1187»): always an echo."""
    return " ".join(s.text for s in cues.find_specifics(request.mention.text) if s.kind == "order")


def _names(brand_name: str) -> re.Pattern[str]:
    """Another brand's name in any case ending, in Cyrillic or transliterated: «Банке Сосна», "Bank Sosna"."""
    stems = [
        word[:-1] if len(word) >= 5 and word[-1] in "аяоеыиуюйь" else word for word in re.findall(r"\w+", brand_name)
    ]
    forms = [stems, [stem.lower().translate(_LATIN) for stem in stems]]
    return re.compile("|".join(r"\b" + r"\w*\W+".join(map(re.escape, form)) + r"\w*" for form in forms), re.I)


def _is_code(token: str) -> bool:
    """Long enough and with letters enough to be a code, not an abbreviation (СБП, CVV) or a number."""
    return len(token) >= 5 and sum(char.isalpha() for char in token) >= 2


def _is_echo(phrase: str, sentence: str, mention: str) -> bool:
    """The customer's own words reported back («ты просишь полный возврат»), in a sentence
    that commits the brand to nothing."""
    before = sentence[: sentence.find(phrase)]
    return (
        phrase.lower() in mention
        and _REPORTED.search(before) is not None
        and not _COMMITMENT.search(sentence.replace(phrase, ""))
    )


def _name_named(text: str, request: DraftRequest) -> re.Match[str] | None:
    """Addressing the author by name is courtesy too."""
    name = greeting_name(request)
    return re.search(re.escape(name[:-1] if len(name) >= 4 else name), text) if name else None


def _due_named(text: str, request: DraftRequest) -> re.Match[str] | None:
    """Naming the date by which we come back is itself the follow-up promise."""
    if not request.case:
        return None
    clocks = clock_texts(request.case.due, request.brand.profile.timezone)
    return next((m for clock in clocks if (m := re.search(rf"(?<![\d:]){re.escape(clock)}\b", text))), None)


def _channel_named(folded_text: str, request: DraftRequest) -> re.Match[str] | None:
    """A reply that names one of the brand's contact channels (or any address) offers a next step;
    whether an address is the brand's own is the grounding checks' business."""
    if links := cues.links_in(folded_text):
        return re.search(re.escape(links[0]), folded_text)
    for channel in request.brand.profile.contact_channels:
        handles = [h for label in channel.label.values() for h in re.findall(r"@\w+|«[^»]+»", label)]
        for candidate in (channel.value, *channel.label.values(), *handles):
            if found := re.search(re.escape(_fold(candidate)), folded_text, re.I):
                return found
    return None


def _brand_text(request: DraftRequest) -> str:
    """What the brand and the system supplied: facts, channels, the case, the operator's note."""
    brand = request.brand
    parts = [t for fact in brand.facts for t in fact.text.values()]
    parts += [c.value for c in brand.profile.contact_channels]
    parts += [brand.profile.name, request.operator_note or ""]
    if request.case:
        parts.append(request.case.reference)
    parts += clock_texts(promised_due(request), brand.profile.timezone)
    return "\n".join(parts)


def _shown(found: object) -> str:
    if isinstance(found, re.Match):
        return f"«{found.group(0)}»"
    return ", ".join(hit.word for hit in found)  # type: ignore[attr-defined]
