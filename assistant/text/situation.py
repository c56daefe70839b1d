"""A mention read for the reply: which situation it is, each detail with its role, what the
author asks, and what a reply must not ask for again.

A duration is not "waiting" until the sentence says so: «ждали час двадцать» is a delay,
«через четыре часа началась рвота» is the time until a symptom, «10 дней на ответ» is a
deadline. Roles come from the lemmas of the detail's own sentence (razdel splits the
sentences, pymorphy3 gives the lemmas); a detail whose role is unclear is not repeated.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import pairwise

import razdel
from pymorphy3.analyzer import Parse

from assistant import cues
from assistant.models import Address, Brand, Classification, FigureRule, Playbook, ReplyMode, Sentiment
from assistant.text.durations import Minutes, over
from assistant.text.durations import minutes as duration_minutes
from assistant.text.names import dative, is_first_name, is_patronymic, nominative, patronymic_nominative
from assistant.text.normalize import content_words, english_stem, fold, lemma, lemmas, mention_lemmas, morph
from assistant.text.phrases import (
    BUT_WORDS,
    PRAISE_WORDS,
    ReviewPoints,
    asked_about,
    complained_things,
    listing,
    minus_text,
    missing_thing,
    names_a_remark,
    review_points,
    scare_quoted,
    service_named,
    surely_noun,
    swapped_dish,
)
from assistant.text.playbook_choice import GENERIC, choose_playbook, second_issue
from assistant.text.reader import PRONOUN, noun_in_case, said_to_reader, yours

# The roles a sentence gives a duration, an amount or a date: the role whose word stands
# nearest to the detail in its sentence («40 минут в очереди ради операции на 5 минут»).
ROLE_WORDS: dict[str, dict[str, frozenset[str]]] = {
    "duration": {
        "symptom_time": frozenset(["рвота", "тошнить", "тошнота", "стошнить", "плохо", "сыпь", "отёк", "отек", "температура", "скорый", "больница", "живот", "отравление", "отравиться", "аллергия", "отекать", "symptom", "vomit", "sick", "rash", "hospital", "ambulance"]),
        "deadline": frozenset(["срок", "иначе", "суд", "претензия", "прокуратура", "роспотребнадзор", "deadline", "otherwise", "court"]),
        "hold_time": frozenset(["линия", "трубка", "дозвониться", "висеть", "оператор", "звонить", "hold", "call", "line", "phone", "operator"]),
        "queue": frozenset(["очередь", "простоять", "стоять", "окно", "queue"]),
        "operation": frozenset(["операция", "справка", "обслуживание", "operation"]),
        "ordering": frozenset(["оформить", "оформление", "корзина", "checkout", "place"]),
        "delivery_time": frozenset(["доставка", "доставить", "привезти", "ехать", "delivery", "deliver"]),
        "delay": frozenset(["опоздать", "опоздание", "задержка", "задержать", "задержаться", "позже", "поздно", "поздний", "дольше", "late", "delay", "later"]),
        "wait": frozenset(["ждать", "ожидать", "ожидание", "прождать", "подождать", "просидеть", "wait", "waited", "waiting"]),
        "tenure": frozenset(["пользоваться", "клиент", "заказывать", "customer"]),
        "elapsed": frozenset(["пройти", "спустя", "been", "passed", "ago"]),
    },
    "amount": {
        "demanded": frozenset(["вернуть", "возврат", "компенсировать", "компенсация", "требовать", "выплатить", "заплатить", "нерв", "хотеть", "refund", "compensate", "compensation", "demand"]),
        "offered": frozenset(["промокод", "скидка", "бонус", "балл", "подарок", "купон", "предложить", "извинение", "promo", "coupon", "offer", "discount", "voucher"]),
        "charged": frozenset(["списать", "списание", "снять", "комиссия", "дважды", "двойной", "charge", "charged", "debit", "fee"]),
        "total": frozenset(["заказ", "стоимость", "стоить", "чек", "обед", "ужин", "order", "cost", "total"]),
        "spent": frozenset(["покупка", "купить", "оплатить", "потратить", "тратить", "purchase", "bought", "spent", "spend"]),
        "balance": frozenset(["остаток", "баланс", "счёт", "счет", "лежать", "держать", "накопить", "balance", "account"]),
        "transfer": frozenset(["перевести", "перевод", "переводить", "отправить", "скинуть", "перечислить", "transfer", "send"]),
        "received": frozenset(["получить", "начислить", "зачислить", "прийти", "received", "credited"]),  # «получил 80 рублей вместо 400»: not what was spent
    },
    "date": {
        "sent": frozenset(["отправить", "отправлять", "перевести", "перевод", "оформить", "заказать", "подать", "send", "sent", "ordered"]),
        "arrived": frozenset(["увидеть", "получить", "поступить", "прийти", "дойти", "зачислить", "привезти", "arrive", "arrived", "receive", "received"]),
    },
}  # fmt: skip
TREATED = re.compile(
    r"больниц|скор(?:ая|ую|ой)\b|приёмн\w+ поко|приемн\w+ поко|травмпункт|реанимаци|госпитализ|капельниц|врач\w*|"
    r"\bhospital|\bambulance|\ba&e\b|\bER\b|\bdoctor|\bepipen|\bparamedic",
    re.I,
)
# A review's minus told as a wish: «хотелось бы больше соуса», «не хватает тёмной темы», "I wish"
_WISH = re.compile(
    r"\bхотел\w*\s+бы\b|\bхочется\b|\bне\s+хвата\w*|\bбыло\s+бы\s+(?:здорово|круто|хорошо|классно|удобно)|"
    r"\bдобав(?:ьте|ить\s+бы)\b|\bI\s+wish\b|\bwould\s+(?:love|like)\b|\bwould\s+be\s+(?:nice|great)\b",
    re.I,
)
# What came, came only in part («кэшбэк пришёл меньше, чем я ждал», «начислили не весь», «150 рублей вместо 600»)
_PARTIAL = re.compile(
    r"\b(меньше|не\s+весь|не\s+полностью|частично|недоначисл\w*|недосчита\w*|less than|only part\w*|partly)\b|"
    r"\bобычн\w*\s+(?:процент|кэшбэк)|\bне\s+по\s+повышенн\w*|"  # «начислили обычный процент»: the rate, not nothing
    r"\bждал\w*[^.!?]*\d[^.!?]*\bпришл\w*\s+(?:всего\s+|только\s+)?\d|"  # «ждала около 700 ₽, пришло 90 ₽»
    r"\b(?:пришл\w*|пришёл|начислил\w*|начислен\w*)\s+(?:всего\s+|только\s+|лишь\s+)?[1-9]|"  # «пришёл 412 ₽, хотя…»
    r"\b(?:так|слишком|очень)\s+мало\b|\bso\s+little\b|"
    r"\d\s*(?:₽|р\.|руб\w*|%)?\s+вместо\s+\d|\d\s*(?:₽|р\.|руб\w*)?,?\s+а\s+должн\w*\s+(?:было\s+)?(?:быть\s+)?\d",
    re.I,
)
# An application already approved («ипотеку одобрили», «кредит одобрен», "approved"), not one
# refused («не одобрили») or awaited («когда одобрят?», «ждём одобрения»)
_APPROVED = re.compile(
    r"(?<!\bне\s)\b(одобрил[аио]?|одобрен[аоы]?|(?:получил[аи]?|есть)\s+одобрение|одобрение\s+(?:есть|получил\w*|пришло))\b|"
    r"(?<!\bnot\s)(?<!n't\s)\bapproved\b",
    re.I,
)
# The author's close people: a reply to «у дочки после вашего обеда сыпь» names her, not «Вас».
# Spouses and children are the author's; other kin only with «мой», «наш» before them: «с
# дедушкой в очереди» is a stranger.
CLOSE_PEOPLE = frozenset({"дочь", "дочка", "сын", "сынок", "муж", "жена", "супруг", "супруга"})
KIN = frozenset(
    {"ребенок", "малыш", "малышка", "мама", "мать", "папа", "отец", "бабушка", "дедушка", "дед", "внук", "внучка"}
    | {"брат", "сестра"}
)
_AUTHOR = frozenset({"меня", "мне"})  # «у меня», «мне плохо»: «я заказала» harms nobody
TOLD_WORDS = 25  # a mention this long has told what happened: «расскажите, что случилось» would not read it
TOLD_WITH_FIGURES = 15  # … and one this long that gives a figure or quotes something («была 16, стала 11»)
_EARLIER_CASE = re.compile(r"^(обращени|заявк|claim|request|ticket|тикет)", re.I)
_CODE = re.compile(r"(\d{4,12}(?:-\d{2,8})*|[A-ZА-Я]{2,4}-\d{2,6}(?:-\d{2,8})*)")
_LEADING = re.compile(r"^(на|через|почти|больше|более|целых|уже|for|after|over|almost)\s+", re.I)
_OTHERS = frozenset([
    "он", "она", "они", "вы", "оператор", "бот", "поддержка", "банк", "который", "которая", "которые", "he", "she", "they",
])  # fmt: skip
_LATER = frozenset(["поздний", "поздно", "долгий", "later", "late"])  # «позже», «дольше» by their lemmas
_REQUEST = re.compile(
    r"(подскажите|подскажи|скажите|скажи|расскажите|объясните|уточните|tell me|please advise)\b", re.I
)
# A question typed without its «?», as chats do: «и до какого часа можно заказать, я поздно с работы»
_UNMARKED_QUESTION = re.compile(
    r"^(?:(?:и|а|ещё|еще|также|и ещё|и еще)\s+)?(?:до скольки|до какого|во сколько|со скольки|с какого|сколько|"
    r"когда|где|можно ли|есть ли|какой|какая|какое|какие)(?![-\w])(?!\s+же\b)",
    re.I,
)
_RHETORICAL = re.compile(
    r"\?\s*!|!\s*\?|\?\?|\bиздева\w*|\b(как так|сколько можно(?:\s+(?:ещё|еще|уже))?(?:\s+(?:ждать|терпеть|тянуть|издеваться))?(?=\s*[?!.…]|$)|за что|серь[её]зно|это\s+(?:вообще\s+)?нормально|это сервис|"
    r"где совесть|how is this|are you kidding|seriously)\b|"
    # «Мне что, самому его искать?», «Так вы работаете с клиентами?», «Вам не стыдно?»: asked to shame, not to learn
    r"\b(мне|я|нам|мы)\s+что\s*,|\bтак\s+(вы|теперь)\s+(и\s+)?работаете\b|\bэто\s+так\s+вы\b|"
    r"\b(вам|тебе)\s+не\s+стыдно\b|\bкуда\s+смотр\w+|\bкто\s+так\s+работает\b|"
    # «…и почему никто не предупреждает?», "why did no one tell us?": a reproach the apology answers
    r"\bпочему\s+(?:же\s+|вообще\s+)?никто\s+(?:из\s+\w+\s+)?не\b|\bwhy\s+(?:did|does|has)\s+no\s?(?:one|body)\b|"
    # «С каких пор доставка платная?», "since when…?": indignation at a change, answered by the terms as they are
    r"\bс\s+каких\s+(?:это\s+)?пор\b|\bsince\s+when\b|"
    # «Зачем тогда писать 45 минут?», «Может, сразу уберёте напитки из меню?»: a reproach, a sarcastic advice
    r"\b(?:зачем|тогда\s+зачем)\s+(?:же\s+)?(?:тогда|вообще)\b|^\W*(?:а\s+|так\s+)?может\s*,?\s+(?:вообще|сразу|уж\s+сразу)\b|"
    # «Хорошо, что я всё проверяю… а если бы нет?»: a fear imagined, not a question to answer
    r"(?:^\W*|\b[аи]\s+)(?:что\s+(?:было\s+бы\s*,?\s*)?)?если\s+бы\b|"
    # «…два дня прошло. Что происходит?»: the complaint asks to be looked into, no fact answers it
    r"^\W*(?:и\s+|а\s+|так\s+)?(?:что\s+(?:вообще\s+|у\s+вас\s+)?(?:происходит|случилось)|в\s+ч[её]м\s+(?:дело|проблема))\W*$",
    re.I,
)

# What a reply may ask the author for, by the words that name it; a detail the mention gives is never asked again.
REQUESTABLE: dict[str, re.Pattern[str]] = {
    "order": re.compile(
        r"номер\w*\s+(?:\w+\s+){0,2}?(?:заказ|договор|заявк)\w*|(?:order|contract|application) (?:number|id|no)", re.I
    ),
    "earlier_case": re.compile(
        r"номер\w*\s+(?:\w+\s+){0,2}?(?:обращени|заявк)\w*|(?:case|ticket|request|reference) (?:number|id)", re.I
    ),
    "phone": re.compile(r"(?<!модель )(?<!модели )(?<!моделью )\bтелефон(?:а|ом|у)?\b|phone number", re.I),
    "amount": re.compile(r"\bсумм\w*|\bamount\b", re.I),
    "device": re.compile(
        r"модел\w*\s+(?:телефона|смартфона|устройства)|верси\w*\s+(?:приложения|ios|android|системы)|phone model|app version",
        re.I,
    ),
    "date": re.compile(r"\bдат\w*\b|\bdate\b|когда (?:это )?(?:было|случилось|произошло)", re.I),
    "photo": re.compile(r"\bфот\w*|\bphotos?\b|\bpictures?\b", re.I),
    "place": re.compile(
        r"адрес\w*|(?:в\s+)?каком\s+отделени\w*|отделени\w*,? в котором|which branch|the address", re.I
    ),
    "employee": re.compile(
        r"им\w*\s+(?:курьер|сотрудник|менеджер)\w*|(?:courier|employee|manager)'s name|name of the (?:employee|courier|manager)",
        re.I,
    ),
    "documents": re.compile(r"\bдокумент\w*|\bdocuments?\b", re.I),
    "time": re.compile(
        r"\bврем\w*\s+(?:списани|операци|оплат|платеж|платёж|покупк|звонк)\w*|\btimes?\s+of\s+the\s+(?:charge|transaction|payment|call)",
        re.I,
    ),
}
_ASKING = re.compile(
    r"\b(пришл\w*|присл\w*|напиш\w*|написать|укаж\w*|указать|сообщ\w*|уточн\w*|скин\w*|назов\w*|продублир\w*|отправ\w*|подскаж\w*|"
    r"оставь\w*|направ\w*|send|share|tell us|let us know|provide|dm us|give us|confirm|could you|can you|what is)\b",
    re.I,
)
_VISITED = frozenset(["приехать", "прийти", "подойти", "зря", "напрасно", "дверь", "табличка", "came", "went", "door"])
_SOMEONE_ELSE = frozenset(["другой", "сменить", "заменить", "поменять", "новый", "another", "new", "replace"])
_CONTACT_PERSON = frozenset(["менеджер", "специалист", "manager", "specialist"])
NEAR_WORDS = 2  # «другого менеджера», «смените мне специалиста»; not «для новых денег… Менеджер»


def _deal_date(text: str) -> str | None:
    """The date of the sentence that names the deal («…сделка назначена на 10.12»): a mention of
    a mortgage may name the approval date first."""
    for sentence in (s.text for s in razdel.sentenize(text)):
        if _DEAL.search(sentence) and (date := find_details(sentence, [sentence]).get("date")):
            return date.text
    return None


_DEAL = re.compile(r"\bсделк\w*|\bdeal\b|\bclosing\b", re.I)


def _wants_someone_else(text: str) -> bool:
    """«Можно назначить другого менеджера?», «смените специалиста», «менеджера поменяйте»: the
    other one and the person are said together."""
    words = [lemma(token.text.lower()) for token in razdel.tokenize(text) if token.text.isalpha()]
    people = [i for i, word in enumerate(words) if word in _CONTACT_PERSON]
    return any(
        words[j] in _SOMEONE_ELSE
        for i in people
        for j in range(max(0, i - NEAR_WORDS), min(len(words), i + NEAR_WORDS + 1))
    )


def _granted_by(playbook: Playbook | None, question: str) -> bool:
    """A question that asks for what the playbook's own phrase grants («Можно назначить другого
    менеджера?» and «Вашу просьбу назначить другого менеджера мы передадим»): a request, no fact
    answers it, and the manager's contacts «указаны в приложении» would mock it."""
    return bool(playbook and playbook.speaks_of("{?reassign}") and _wants_someone_else(question))


ASKS_OF_AUTHOR: dict[str, frozenset[str]] = {
    "refund": frozenset(["вернуть", "возврат", "refund", "money"]),
    "replacement": frozenset(["заменить", "замена", "переделать", "довезти", "привезти", "replace", "replacement"]),
}


@dataclass(frozen=True)
class Detail:
    role: str  # order, earlier_case, delay, wait, hold_time, symptom_time, deadline, charged, demanded, offered, employee, place, date
    text: str  # as a reply writes it: «№ 48213», «час двадцать», «1 290 ₽», «Андрей», «на Тверской, 12»
    sentence: str = ""
    minutes: Minutes | None = None  # a duration's length as the author hedged it: «почти час» is 45–59
    roubles: int | None = None  # an amount in roubles: «150 000 ₽», «150 тыс. рублей»
    percent: int | None = None  # a shortfall in percent: «в карточке 380 г, на весах 310» is 18

    @property
    def figure(self) -> Minutes | None:
        """What a figure rule measures: the minutes as a range, the roubles or the percent."""
        exact = self.roubles if self.roubles is not None else self.percent
        return (exact, exact) if exact is not None else self.minutes


@dataclass(frozen=True)
class Situation:
    playbook: Playbook | None
    details: dict[str, Detail] = field(default_factory=dict)  # the first detail of each role
    questions: list[str] = field(default_factory=list)  # the sentences that ask something of us
    asks: frozenset[str] = frozenset()  # refund, callback, replacement
    lemmas: frozenset[str] = frozenset()
    crisis: bool = False
    text: str = ""
    points: ReviewPoints | None = None  # what a review praised and its remark (thanks; a calm review's minus)
    done: frozenset[str] = frozenset()  # what the author says they did («заблокировала карту»), by action_key
    also: Playbook | None = None  # a complaint's second problem («…и суп еле тёплый»): one sentence of its own
    things: str = ""  # what the second problem is about, in the accusative («суп и картошку»)
    missing: str = ""  # what the author says was left out of the order, in the accusative («морс клюквенный»)
    # the dish ordered and the one that came instead («пасту карбонара», «пасту с грибами»)
    swap: tuple[str, str] = ("", "")
    harmed: tuple[str, bool, bool] | None = None  # the close person it happened to: lemma, plural, the author too
    praise: bool = False  # the mention praises: a suspected fake of praise is not met with «если что-то пошло не так»
    again: bool = False  # the author says it happened before: the reply owns that it repeats
    contacted: bool = False  # the author already wrote or called us about it («написала в чат — тишина»)
    locked_out: bool = False  # the app will not open or let the author in: its chat is out of their reach
    disputed: bool = False  # the author already filed a dispute («заявление на оспаривание уже написала»)
    praised_beyond: bool = False  # a thanked review praises what other praise playbooks speak of too

    @property
    def kept_quiet(self) -> bool:
        return kept_quiet(self.done)

    @property
    def rule(self) -> FigureRule | None:
        """The playbook's rule that turns on the author's figure, if it has one."""
        return self.playbook.rule if self.playbook else None

    @property
    def rule_applies(self) -> bool | None:
        """Whether the playbook's figure rule covers the author's figure: True over it, False
        short of it, None when the figure is missing or too close to tell («полчаса» and 30)."""
        detail = self.details.get(self.rule.detail) if self.rule else None
        if self.rule is None or detail is None or detail.figure is None:
            return None
        return over(detail.figure, self.rule.limit)

    def _fee_slots(self, language: str) -> dict[str, str]:
        """A fee rule applied to the author's sum (which `slots` writes as «150 000 ₽» under its
        role, {transfer}): what is over the limit ({excess}) and its fee ({fee}), or what the
        limit leaves ({left})."""
        rule, detail = self.rule, self.details.get(self.rule.detail) if self.rule else None
        if rule is None or rule.percent is None or detail is None or detail.roubles is None:
            return {}
        figures = rule.worked_out(detail.roubles)
        slots = {slot: money(value, language) for slot, value in figures.items()}
        if rule.cap and figures.get("fee") == rule.cap:
            slots["capped"] = "yes"  # a condition only: «1 500 ₽ — её предел», not «0,5 %, то есть 1 500 ₽»
        return slots

    def slots(self, language: str, address: Address = Address.formal) -> dict[str, str]:
        """The playbook slots the mention fills: {order}, {delay}, {employee}, {employee_dat},
        {deed} (what the praised employee did: «поднялся на 9 этаж пешком»), {also_praised} (what
        else the review praised, the deed aside: «пиццу и салат»), {harmed} (the
        close person it happened to, in the dative: «Вашей дочери»), …"""
        values = {role: detail.text for role, detail in self.details.items()}
        # a sum as the reply writes it: «26 тыс» is «26 000 ₽»
        values |= {role: money(d.roubles, language) for role, d in self.details.items() if d.roubles is not None}
        if language != "ru":  # «№» is Russian typography: "order 61240"
            values |= {role: values[role].removeprefix("№ ") for role in ("order", "earlier_case") if role in values}
        if self.praise:
            values["praise"] = "yes"  # a condition only: {?praise}, {!praise}
        if self.playbook:  # the brand's own conditions, by phrase: {?cooking} for «уже готовится»
            conditions = self.playbook.conditions.items()
            values |= {name: "yes" for name, phrases in conditions if tells_phrase(self.text, phrases)}
        if self.harmed and language == "ru":
            person, plural, author_too = self.harmed
            values["harmed"] = yours(person, address, "datv", plural=plural)
            if other := other_close_person(self.text, person):  # «у мужа и у дочки рвота»: both
                values["harmed"] += f" и {noun_in_case(other, 'datv')}"
            if author_too:  # «Вам и Вашему мужу»
                values["harmed"] = f"{PRONOUN[address]['datv']} и {values['harmed']}"
        if TREATED.search(self.text):
            values["treated"] = "yes"  # a condition only: the author is already in a doctor's care
        if self.rule_applies is not None:  # a condition only: {?over} applies the rule, {?within} leaves it out
            values["over" if self.rule_applies else "within"] = "yes"
            values |= self._fee_slots(language)
        if self.kept_quiet:
            values["kept"] = "yes"  # a condition only: the author gave the caller no code
        if self.disputed:
            values["disputed"] = "yes"  # a condition only: no «если Вы его уже подали» to one who did
        if self.contacted and self.lemmas & _UNREACHED:
            values["unreached"] = "yes"  # a condition only: «не дозвониться», «сброс»: nobody answered
        if action_key("заблокировать") in self.done:
            values["blocked"] = "yes"  # a condition only: «карту заблокировала сама»
        if _wants_someone_else(self.text):
            values["reassign"] = "yes"  # a condition only: «дайте другого менеджера»
        if _PARTIAL.search(self.text):
            values["partial"] = "yes"  # a condition only: «кэшбэк пришёл меньше»: not «не был начислен»
        if self.lemmas & _VISITED:
            values["visited"] = "yes"  # a condition only: «приехала, а там табличка», not «закрыли отделение»
        lived = done_actions(self.text, lived=True)  # what happened to the author, read once for both conditions
        if lived & _RESOLVED:
            values["resolved"] = "yes"  # a condition only: «в итоге вопрос решили»: no «если вопрос ещё не решён»
        if (elapsed := self.details.get("elapsed")) and elapsed.minutes and elapsed.minutes[0] >= DAY_MINUTES:
            values["days_passed"] = "yes"  # a condition only: «прошло три дня»: what comes «в течение 24 часов» is late
        if sum(token.text[0].isalnum() for token in razdel.tokenize(self.text)) >= DETAILED_WORDS:
            values["detailed"] = "yes"  # a condition only: «спасибо за подробный отзыв» to a review that is one
        if _UNHARMED.search(self.text):
            values["unharmed"] = "yes"  # a condition only: «заметила до того, как съела»: no «обратитесь к врачу»
        if deal_date := _deal_date(self.text):
            values["deal_date"] = deal_date  # «сделка назначена на 10.12», not the approval date before it
        if self.lemmas & _LEAK:
            values["leak"] = "yes"  # a condition only: «откуда у них мои данные? у вас утечка?»
        if _APPROVED.search(self.text):
            values["approved"] = "yes"  # a condition only: «ипотеку одобрили»: no «на каком этапе Ваша заявка»
        if "callback" in self.asks:
            values["call"] = "yes"  # a condition only: the author asks to be called
        if self.locked_out:
            values["locked"] = "yes"  # a condition only: «приложение не открывается» is not sent to the app's chat
        if lived & _DELIVERED or _DELIVERED_EN.search(self.text):
            values["delivered"] = "yes"  # a condition only: «привезли в 15:05» is no order «ещё в пути»
        if has_footage(self.text):
            values["filmed"] = "yes"  # a condition only: «я снял всё на видео» is not asked «если у Вас есть видео»
        if asks_to_bring(self.text):
            values["bring"] = "yes"  # a condition only: «привезите его» needs no «довезти или заменить?»
        if told_story(self.text):
            values["told"] = "yes"  # a condition only: the author told their story, a reply does not ask for it
        if device := named_device(self.text, language):
            values["device"] = device  # «на iPhone 12 в версии 5.3.1»: where the developers look for the bug
        if "employee" in values and language == "ru":
            values["employee_dat"] = dative(values["employee"])
        elif "employee" in values:
            values["employee_dat"] = values["employee"]
        if self.things and language == "ru":
            values["things"] = self.things
        if self.missing and language == "ru":
            values["missing"] = self.missing
        ordered, came = self.swap
        if ordered and language == "ru":
            values |= {"ordered": ordered} | ({"came": came} if came else {})
        deed = ""
        if self.points is not None and "employee" in self.details and language == "ru":  # thanks only
            values |= {"deed": deed} if (deed := staff_deed(self.details["employee"], address, self.text)) else {}
        if self.praised_beyond:
            values["several"] = "yes"  # a condition only: «передадим всем, о ком Вы пишете»
        if any(specific.kind == "time" for specific in cues.find_specifics(self.text)):
            values["times"] = "yes"  # a condition only: «в 12:41 и 12:43»: no «пришли время списаний»
        if self.points and self.points.remark is not None and _WISH.search(self.text):
            values["wish"] = "yes"  # a condition only: «хотелось бы больше соуса» is passed on, not investigated
        if self.points and language == "ru":
            values |= {"praised": listing(self.points.praised)} if self.points.praised else {}
            if deed and (others := self._praised_besides(deed)):
                values["also_praised"] = listing(others)  # «…разблокировал карту, и за слова про приложение»
            values |= {"remark": self.points.remark} if self.points.remark else {}
        return values

    def _praised_besides(self, deed: str) -> list[str]:
        """The praised things the deed's sentence does not name: «помогла установить приложение»
        thanks the employee, it does not praise the app."""
        told = mention_lemmas(deed)
        sentences = [mention_lemmas(s.text) for s in razdel.sentenize(self.text)]
        around = set().union(*(lemmas for lemmas in sentences if len(lemmas & told) * 2 >= len(told)))
        return [thing for thing in self.points.praised if not mention_lemmas(thing) & around] if self.points else []


def understand(text: str, classification: Classification, mode: ReplyMode | None, brand: Brand) -> Situation:
    """The situation a reply answers, from the mention's text and its classification."""
    sentences = [s.text for s in razdel.sentenize(text)] or [text]
    found = mention_lemmas(text)
    details = find_details(text, sentences)
    done = done_actions(text) | _updated_by_now(text)
    crisis = mode is ReplyMode.holding or classification.mention_kind.value == "crisis"
    about = found  # a calm review answered for its minus is about its minus, not its praise
    calm_minus = (
        classification.criticism is not None
        and classification.sentiment is not Sentiment.negative
        and mode is ReplyMode.negative
    )
    if calm_minus:
        about = mention_lemmas(minus_text(text)) or found
    missing = missing_thing(text, brand_words(brand)) if mode is ReplyMode.negative else ""
    swap = swapped_dish(text, brand_words(brand)) if mode is ReplyMode.negative and not missing else ("", "")
    given = frozenset(details) | ({"missing"} if missing else set()) | ({"ordered"} if swap[0] else set())
    playbooks = [p for p in brand.playbooks if not ruled_out(p, text)]
    playbook = choose_playbook(playbooks, mode, about, classification, given=given)
    reached = contacted_us(text, done, found)
    # «на линии 40 минут ожидания»: a call, though no verb tells it (nor whether they got through);
    # the problem it was about is answered
    if playbook is not None and playbook.about_contact and (reached or minutes_on_line(details) is not None):
        besides = _problem_besides_contact(sentences, mode, classification, playbooks, given)
        if besides is None and _SUPPORT_SAID.search(text) and not _NO_ANSWER & set(lemmas(fold(text))):
            # support answered («в чате сказали, что «технические работы»»): no «поддержка должна отвечать»
            besides = next((p for p in brand.playbooks if p.id == GENERIC and p.mode is mode), None)
        playbook = besides or playbook
    # a lost star is the mixed review's, «волос в супе» the foreign object's, whatever else is asked
    if mode is ReplyMode.negative or (mode is ReplyMode.thanks and classification.criticism is not None):
        named = [p for p in playbooks if p.when.words_required]
        playbook = choose_playbook(named, mode, about, classification) or playbook
    if mode is ReplyMode.thanks and "employee" in details and playbook and not playbook.speaks_of("{employee}"):
        thanking = [p for p in brand.playbooks if p.speaks_of("{employee}")]  # «менеджер Алина помогает»: thank Алина
        playbook = choose_playbook(thanking, mode, about, classification) or playbook
    # what a review praised: thanked, or owned before its minus is answered («спасибо за добрые слова про …»)
    # a complaint that praises before its «но» («обожаю ваши сырники, но суп протёк») owns the praise too
    praised_first = mode is ReplyMode.negative and classification.praises and classification.criticism is not None
    thanked = mode is ReplyMode.thanks or calm_minus or praised_first
    liked_only = not (mode is ReplyMode.thanks or calm_minus)  # a complaint owns praise, not «привезли вовремя»
    points = review_points(text, brand_words(brand), liked_only=liked_only) if thanked else None
    if points is not None and not points.praised and mode is ReplyMode.thanks and "employee" not in details:
        # praise of how it went names no praised thing: the service it tells of («кэшбэк пришёл до 10-го»);
        # a story of what an employee did is thanked through them («остывшую пасту… Марина извинилась»)
        keywords = [word for topic in brand.profile.topics for word in topic.keywords]
        service = service_named(text, keywords, brand_words(brand))
        points = ReviewPoints(praised=[service], remark=points.remark) if service else points
    units = _problem_units(sentences)
    told = [_problem_told(unit) for unit, _ in units]
    contacted = reached or "earlier_case" in details  # an open case is a contact
    # the unanswered chat is said by the `contacted` phrase: never a second problem that repeats it
    others = [p for p in brand.playbooks if not (contacted and p.about_contact)]
    second = second_issue(others, playbook, told, [_problem_told(sentence) for _, sentence in units])
    return Situation(
        playbook=playbook,
        details=details,
        questions=[q for q in asked_questions(text, sentences) if not _granted_by(playbook, q)],
        asks=frozenset(ask for ask, words in ASKS_OF_AUTHOR.items() if words & found)
        | (
            {"callback"} if wants_call(text) else set()  # «перезвоните мне», not «звоню третий раз»
        ),
        lemmas=frozenset(found),
        crisis=crisis,
        text=text,
        points=points,
        done=done,
        also=second[0] if second else None,
        things=_second_things(units[second[1]][1], second[0], brand) if second else "",
        missing=missing,
        swap=swap,
        harmed=close_person(text),
        praise=classification.sentiment is Sentiment.positive,
        again=happened_before(text),
        contacted=contacted,
        locked_out=locked_out_of_app(sentences, about_app="app" in classification.topics),
        disputed=bool(found & _DISPUTE) and filed_dispute(sentences),  # read per sentence only when it can hold
        praised_beyond=mode is ReplyMode.thanks and _praises_beyond(playbook, points, classification, brand),
    )


def _praises_beyond(
    playbook: Playbook | None, points: ReviewPoints | None, classification: Classification, brand: Brand
) -> bool:
    """The review praises two things or more and its topics reach another praise playbook's and
    not the chosen one's: «вкусная пицца, свежие роллы, курьер приехал вовремя» praises the kitchen
    and the courier, and a reply that passes the words on to the cooks alone leaves the courier
    out. Thanks to one person are passed on to them, never «всем, о ком Вы пишете». The praised
    things are read in Russian only: an English review is judged by its topics alone."""
    one_thing = points is None or (len(points.praised) < 2 and classification.language == "ru")
    if playbook is None or one_thing:
        return False
    others = {t for p in brand.playbooks if p.mode is ReplyMode.thanks and p is not playbook for t in p.when.topics}
    return bool((set(classification.topics) - set(playbook.when.topics)) & others)


_NEGATIONS = frozenset(["не", "ни", "not", "never", "no"])


def ruled_out(playbook: Playbook, text: str) -> bool:
    """The mention tells, not negated, one of the playbook's `ruled_out_by` phrases."""
    return tells_phrase(text, playbook.when.ruled_out_by)


def tells_phrase(text: str, phrases: list[str]) -> bool:
    """The mention tells one of the phrases, word for word (folded, punctuation aside) and not after
    a negation. Quotes count: «статус «принят»» is a status as the app shows it, while a bare
    «сгорели» is not met by support's words the author quotes back («пишут «сгорели»»)."""
    if not phrases:
        return False
    words = _folded_words(text)
    for phrase in phrases:
        told = _folded_words(phrase)
        for at in range(len(words) - len(told) + 1):
            if words[at : at + len(told)] != told or (at and words[at - 1] in _NEGATIONS):
                continue
            before, after = words[at - 1] if at else "", words[at + len(told)] if at + len(told) < len(words) else ""
            if told[0] != QUOTE and QUOTE in (before, after) and told[-1] != QUOTE:
                continue  # a bare phrase quoted in the mention is someone else's words
            return True
    return False


QUOTE = '"'


@lru_cache(maxsize=2048)  # the playbooks' phrases as well as the mentions
def _folded_words(text: str) -> tuple[str, ...]:
    """The text's words, folded, with its quotes as one mark and other punctuation left out
    («Оказывается, сгорели» is «оказывается сгорели»); once per mention however many playbooks ask."""
    tokens = (token.text for token in razdel.tokenize(text))
    return tuple(QUOTE if t in _QUOTES else fold(t) for t in tokens if t in _QUOTES or any(c.isalnum() for c in t))


_QUOTES = frozenset('«»„“”"')


def _problem_units(sentences: list[str]) -> list[tuple[str, str]]:
    """Where a second problem may be told, each with its sentence: every sentence, and every
    clause of a sentence that has several («Курьер не извинился, роллы остыли, заказ привезли
    на 50 минут позже» tells the cold rolls in its middle clause). A question asks about what
    was told: «Почему блокируют без предупреждения?» is the blocked card, no closed branch; a
    reproach in a question's form tells («Час ждала ради этого??»)."""
    sentences = [s for s in sentences if not (s.rstrip().endswith("?") and _WH_QUESTION.match(s))]
    units = [(sentence, sentence) for sentence in sentences]
    for sentence in sentences:
        clauses = [c.strip() for c in _clauses_of(sentence) if len(c.split()) >= 2 and not _circumstance(c)]
        units += [(clause, sentence) for clause in clauses] if len(clauses) > 1 else []
    return units


def _circumstance(clause: str) -> bool:
    """«…5 рабочих дней, в отделение на Красном проспекте»: a clause that opens with a preposition
    and has no verb says where or when of the clause before it, no problem of its own."""
    tags = [_parses(token.text.lower())[0].tag for token in razdel.tokenize(clause) if token.text.isalpha()]
    verbs = {"VERB", "INFN", "PRTF", "PRTS", "GRND", "PRED"}
    return bool(tags) and "PREP" in tags[0] and not any(verbs & tag.grammemes for tag in tags)


_WH_QUESTION = re.compile(
    r"\W*(?:(?:а|и|но)\s+)?(?:почему|зачем|как|когда|где|куда|что|кто|сколько|можно ли|будет ли|есть ли|"
    r"why|how|when|where|what|can|could|is|are|do|does)\b",
    re.I,
)


PROBLEM_SCORE = 3.0  # the rest must name its situation plainly: «заказ приехал, когда меня не было дома» does not


def minutes_on_line(details: dict[str, Detail]) -> float | None:
    """How long the author says they held on our line («на горячей линии 40 минут ожидания»), or
    None. A hold is minutes or hours: «раз в два-три дня» near «горячей линии» is no time on the line."""
    hold = details.get("hold_time")
    if hold is None or hold.minutes is None or hold.minutes[0] >= DAY_MINUTES:
        return None
    return hold.minutes[0]


def _updated_by_now(text: str) -> frozenset[str]:
    """«После последнего обновления вылетает», «удалял и ставил заново»: the app the author runs is
    the latest, as if they had updated it (no «обновите приложение»)."""
    return frozenset([action_key("обновить")]) if _UPDATED.search(text) else frozenset()


_UPDATED = re.compile(
    r"\bпосле\s+(?:последнего\s+|свежего\s+|нового\s+)?(?:обновлени|апдейт)\w*|\bпереустан\w+|"
    r"\b(?:удалял|удалила?|снес|снесла)\w*\s+и\s+(?:заново\s+)?(?:поставил|ставил|установил)\w*(?:\s+заново)?|"
    r"\b(?:since|after)\s+the\s+(?:latest\s+|last\s+|new\s+)?update\b|\breinstall\w*",
    re.I,
)


def _problem_besides_contact(
    sentences: list[str],
    mode: ReplyMode | None,
    classification: Classification,
    playbooks: list[Playbook],
    given: frozenset[str] = frozenset(),
) -> Playbook | None:
    """What the author wrote to us about, when they tell that too: «списали дважды… Написал в
    чат — ответили шаблоном» is the double charge, and the unanswered chat is said by the
    `contacted` phrase. The clauses that tell of the contact are left out («Перевод идёт третий
    день, в чате отвечают шаблонами» is the transfer); None when the rest is no situation of its own.
    `playbooks`: the brand's, less those the mention rules out; `given`: the roles of the author's
    details, as `choose_playbook` takes them («не положили вок и морс» gives what was missing)."""
    clauses = [clause for sentence in sentences for clause in _clauses_of(sentence) if clause.strip()]
    rest = [c for c in clauses if not (_contact_told(c) or mention_lemmas(c) & _OUR_CHANNELS)]
    if not rest or len(rest) == len(clauses):
        return None
    problem = choose_playbook(playbooks, mode, mention_lemmas(" ".join(rest)), classification, PROBLEM_SCORE, given)
    return problem if problem is not None and not problem.about_contact and problem.id != GENERIC else None


_APP = frozenset(["приложение", "приложуха", "прила"])
_LOCKED = frozenset(["не_открываться", "не_открыться", "не_запускаться", "не_загружаться", "не_грузиться",
                     "не_пускать", "не_войти", "не_зайти", "вылетать", "вылететь", "крашиться"])  # fmt: skip
_SHUT_OUT = _LOCKED - {"вылетать", "вылететь", "крашиться"}
_CANNOT_GET_IN = frozenset(["войти", "зайти", "открыть", "запустить"])  # «не могу войти»
_LOCKED_EN = re.compile(r"\bapp\b.*\b(?:won'?t open|doesn'?t open|crash\w*|can'?t (?:log|sign) in)", re.IGNORECASE)


def locked_out_of_app(sentences: list[str], about_app: bool = False) -> bool:
    """The author says the app will not open or let them in («приложение не открывается»,
    «не могу войти в приложение», «после обновления вылетает»); `about_app`: the mention is about
    the app by the brand's own words for it («Кедр Онлайн после обновления не пускает»)."""
    for sentence in sentences:
        words = set(lemmas(sentence.lower().replace("ё", "е")))
        cannot = "не_мочь" in words and bool(words & _CANNOT_GET_IN)
        named = words & _APP and (words & _LOCKED or cannot)
        shut_out = about_app and (words & _SHUT_OUT or cannot)  # «Кедр Онлайн не пускает», not «вылетает на оплате»
        if named or shut_out or _LOCKED_EN.search(sentence):
            return True
    return False


_FOOTAGE = frozenset(["фото", "видео", "запись", "фотография", "скрин", "скриншот", "видеозапись", "фотка"])
_SHOT = frozenset(["есть", "снять", "заснять", "записать", "сфотографировать", "сфоткать", "сделать"])


def has_footage(text: str) -> bool:
    """The author says they have a photo or a video of it («снял всё на видео», «фото есть»)."""
    for sentence in razdel.sentenize(text):
        words = mention_lemmas(sentence.text)
        if "?" not in sentence.text and words & _FOOTAGE and words & _SHOT:
            return True
    return False


def close_person(text: str) -> tuple[str, bool, bool] | None:
    """The first of the author's close people the mention names: lemma, whether many («у
    детей»; «у дочки» is one, a singular reading wins) and whether the author was harmed with
    them («у мужа и у меня рвота»: «меня», «мне» in the same sentence); None when it names none."""
    for sentence in razdel.sentenize(text):
        words = [t.text.lower() for t in razdel.tokenize(sentence.text)]
        for i, word in enumerate(words):
            mine = i > 0 and _parses(words[i - 1])[0].normal_form in ("мой", "наш")
            people = [p for p in _parses(word) if "NOUN" in p.tag and _is_close(fold(p.normal_form), mine)]
            if people:
                plural = all(p.tag.number == "plur" for p in people)
                return people[0].normal_form, plural, bool(_AUTHOR & set(words))
    return None


def other_close_person(text: str, first: str) -> str | None:
    """A second close person told with the first by «и» («у мужа и у дочки 7 лет рвота»): its
    lemma, or None."""
    for sentence in razdel.sentenize(text):
        words = [t.text.lower() for t in razdel.tokenize(sentence.text)]
        lemmas = [_parses(word)[0].normal_form if _parses(word) else word for word in words]
        if first not in lemmas:
            continue
        at = lemmas.index(first)
        for i in range(at + 1, min(at + 4, len(words))):
            people = [p for p in _parses(words[i]) if "NOUN" in p.tag and _is_close(fold(p.normal_form), False)]
            if people and people[0].normal_form != first and "и" in words[at + 1 : i]:
                return people[0].normal_form
        return None
    return None


def _is_close(lemma: str, mine: bool) -> bool:
    return lemma in CLOSE_PEOPLE or (mine and lemma in KIN)


def _problem_told(sentence: str) -> frozenset[str]:
    """The sentence's lemmas when it tells of a problem: a question or a word of praise
    («курьер, надо отдать должное, был вежлив») tells none; a praise word played down
    («суп еле тёплый», «не горячий») is no praise."""
    lemmas = frozenset(mention_lemmas(sentence))
    return frozenset() if "?" in sentence or _praises(sentence) or _absolves(sentence) else lemmas


def _absolves(sentence: str) -> bool:
    """«Курьер не виноват, он сам расстроился», «к курьеру претензий нет»: whoever it names is
    cleared, so no second problem («грубость курьера») is read into it."""
    words = lemmas(fold(sentence))
    return bool(_CLEARED & set(words)) or ("претензия" in words and bool({"нет", "никакой", "без"} & set(words)))


_CLEARED = frozenset(["не_виноватый", "не_виновный", "не_при"])


_PLAYED_DOWN = frozenset(["не", "еле", "чуть", "едва", "ни", "недостаточно", "слегка"])


def _praises(sentence: str) -> bool:
    words = [token.text.lower() for token in razdel.tokenize(sentence)]
    return any(
        lemma(word) in PRAISE_WORDS and (i == 0 or words[i - 1] not in _PLAYED_DOWN) for i, word in enumerate(words)
    )


def _second_things(sentence: str, playbook: Playbook, brand: Brand) -> str:
    """The things a second problem is about, among the nouns its situation's examples use:
    «суп» and «картошка» are food, «должное» is nothing a reply could name."""
    known = frozenset(word for text in playbook.examples for word in mention_lemmas(text))
    return complained_things(sentence, known, brand_words(brand))


def brand_words(brand: Brand) -> frozenset[str]:
    """The brand's own names: «Кедр Банк» in a fact and in a question makes them no closer."""
    return frozenset(word for name in brand.profile.names for word in mention_lemmas(name))


def find_details(text: str, sentences: Iterable[str] | None = None) -> dict[str, Detail]:
    """The author's details with the role their sentence gives them, the first of each role."""
    details: dict[str, Detail] = {}
    sentences = list(sentences or [s.text for s in razdel.sentenize(text)])
    for tagged in tag_values(text, sentences):
        detail = _as_detail(tagged)
        if detail and detail.role not in details:
            details[detail.role] = detail
    if "employee" not in details:
        named = next((d for d in map(_named_staff, sentences) if d), None)
        details |= {"employee": named} if named else {}
    if late := clock_delay(text):  # «обещали к 19:10, привезли в 19:55»: 45 minutes, whatever rule is quoted
        details["delay"] = late
    if short := shortfall(sentences):
        details["shortfall"] = short
    return details


# A weight as people write it («380 г», «250 грамм», «310» beside one with a unit), not a time,
# a percent, a price or an order number; and the words that say the sentence is about weighing
_WEIGHT = re.compile(
    r"(?<!цена )(?<!стоит )(?<!стоил )(?<!за )(?<![\d:.,])(\d{2,4})(?:\s*(г|гр|грамм\w*|g|grams?)\b)?(?![\d:%₽]|[.,]\d|\s*(?:₽|руб|%|мин|час|шт))",
    re.I,
)
_WEIGHED = re.compile(r"\b(?:вес\w*|взвес\w*|грамм\w*|граммовк\w*|weigh\w*|scales?|grams?)\b|\d\s*г\b", re.I)


def shortfall(sentences: Iterable[str]) -> Detail | None:
    """How much lighter the portion came than its stated weight, in percent, from the first
    sentence that weighs two figures («в карточке 380 г, а на весах 310»: 18); None when nothing
    was weighed or the portion was not lighter. The figure after «на весах», «пришло» is what
    came, after «в карточке», «заявлено» what was stated; failing both, the larger is stated."""
    for sentence in sentences:
        if not _WEIGHED.search(sentence):
            continue
        weights = list(_WEIGHT.finditer(sentence))[:2]
        if len(weights) < 2 or not any(w.group(2) for w in weights):
            continue
        figures = sorted(weights, key=lambda w: _weighed_first(sentence[max(0, w.start() - 30) : w.start()]))
        stated, got = (int(w.group(1)) for w in figures)
        if not _WEIGHED_AS.search(sentence):
            stated, got = max(stated, got), min(stated, got)
        if got < stated:
            percent = round((stated - got) * 100 / stated)
            return Detail("shortfall", f"{percent}%", sentence, percent=percent)
    return None


# What the words before a weight say it is: what came («на весах», «пришло») or what was stated
_CAME = re.compile(
    r"(на\s+весах|весит|взвес\w*|пришл\w*|вышло|по\s+факту|реально|scales?|weighed|got|actually)\W*\w*\W*$", re.I
)
_STATED = re.compile(
    r"(карточк\w*|заявлен\w*|указан\w*|по\s+меню|обещан\w*|должн\w*|stated|says|menu|listed)\W*\w*\W*$", re.I
)
_WEIGHED_AS = re.compile(
    r"на\s+весах|весит|пришл|вышло|по\s+факту|карточк|заявлен|указан|по\s+меню|scales|stated|instead", re.I
)


def _weighed_first(before: str) -> int:
    """0 for a stated weight, 1 for one that came, by the words just before it; 0 by default."""
    return 1 if _CAME.search(before) and not _STATED.search(before) else 0


# A promised time («к 19:10», «должен был приехать в 19:10», "due at 7:10") and a later time it came
_PROMISED_AT = re.compile(
    r"(?:\bк|обещал\w*(?:\s+\w+){0,2}\s+(?:к|в|на)|(?:пред)?заказ\w*\s+на|долж\w*(?:\s+\w+){0,3}\s+(?:к|в)|ожидал\w*\s+(?:к|в)|"
    r"\b(?:due|promised|expected|supposed to (?:arrive|come|be here))(?:\s+\w+){0,2}\s+(?:at|by|for))\s+(\d{1,2})[:.](\d{2})\b",
    re.I,
)
_CAME_AT = re.compile(
    r"(?:привез\w*|приехал\w*|доставил\w*|привёз\w*|пришёл|пришел|пришла|курьер\s+(?:\w+\s+)?был|"
    r"came|arrived|delivered|showed up|turned up)(?:\s+\w+){0,3}?\s+(?:в|at|around|only at)\s+(\d{1,2})[:.](\d{2})\b",
    re.I,
)
_PROMISED_WITHIN = re.compile(
    r"(?:обещал\w*|показывал\w*|обещан\w*|promised|said|showed)(?:\s+\w+){0,2}?\s+(?:за\s+|in\s+)?(\d{1,3})\s*(?:мин|min)",
    re.I,
)
LATE_MINUTES = (5, 300)  # a delay told by two clock times: shorter is no delay, longer is another day
_ORDERED_AT = re.compile(
    r"(?:заказ\w*|оформил\w*|ordered|placed (?:my|the|an) order)(?:\s+\w+){0,3}?\s+(?:в|at|around)\s+(\d{1,2})[:.](\d{2})\b",
    re.I,
)
_RECEIVED_AT = re.compile(
    r"(?:получ\w*|привез\w*|привёз\w*|приехал\w*|доставил\w*|got it|received|arrived|came)(?:\s+\w+){0,3}?"
    r"\s+(?:в|at|around|only at)\s+(\d{1,2})[:.](\d{2})\b",
    re.I,
)


def order_to_door(text: str) -> int | None:
    """Minutes from the time the author ordered to the time the order came, by their two clock
    times («заказал в 12:05, получил в 14:30»: 145), when no promised time is given."""
    ordered, came = _ORDERED_AT.search(text), _RECEIVED_AT.search(text)
    if not (ordered and came) or came.start() < ordered.start() or _PROMISED_AT.search(text):
        return None
    minutes = _minutes(came) - _minutes(ordered)
    return minutes if LATE_MINUTES[0] <= minutes <= LATE_MINUTES[1] else None


def clock_delay(text: str) -> Detail | None:
    """The delay as the author's two clock times tell it, promised and delivered, or ordered,
    promised within so many minutes and delivered («оформила в 12:10, приложение обещало 45
    минут. Привезли в 13:55»: an hour)."""
    promised, came = _PROMISED_AT.search(text), _CAME_AT.search(text)
    if promised and came and promised.start() < came.start():
        minutes = _minutes(came) - _minutes(promised)
    elif (ordered := _ORDERED_AT.search(text)) and (within := _PROMISED_WITHIN.search(text)) and came:
        if not ordered.start() < within.start() < came.start():
            return None
        promised = ordered
        minutes = _minutes(came) - _minutes(ordered) - int(within.group(1))
    else:
        return None
    if not LATE_MINUTES[0] <= minutes <= LATE_MINUTES[1]:
        return None
    spoken = _spoken_minutes(minutes, "en" if cues.detect_language(text) == "en" else "ru")
    return Detail("delay", spoken, text[promised.start() : came.end()], (minutes, minutes))


def _minutes(match: re.Match[str]) -> int:
    return int(match.group(1)) * 60 + int(match.group(2))


def _spoken_minutes(minutes: int, language: str) -> str:
    """«45 минут», «1 час 5 минут»; "45 minutes", "1 hour 5 minutes"."""
    hours, rest = divmod(minutes, 60)
    if language == "en":
        parts = [f"{hours} hour{'s' * (hours > 1)}"] * bool(hours) + [f"{rest} minute{'s' * (rest != 1)}"] * bool(rest)
        return " ".join(parts)
    parts = [f"{hours} {_agreed('час', hours)}"] * bool(hours) + [f"{rest} {_agreed('минута', rest)}"] * bool(rest)
    return " ".join(parts)


def _agreed(noun: str, number: int) -> str:
    return morph().parse(noun)[0].make_agree_with_number(number).word


STAFF = frozenset([
    "курьер", "оператор", "менеджер", "кассир", "консультант", "сотрудник", "сотрудница", "операционист",
    "операционистка", "администратор", "специалист", "мастер", "повар", "официант", "водитель", "девушка",
    "управлять", "руководитель", "директор",  # «управляющая отделением»: pymorphy3 reads the participle as its verb
    "courier", "operator", "manager", "cashier", "consultant", "agent", "driver", "advisor", "clerk",
])  # fmt: skip
NAME_REACH = 4  # «оператора горячей линии Дмитрия»: the name a few words after the staff word


def _named_staff(sentence: str) -> Detail | None:
    """A first name a few words after a staff word («сотруднице Екатерине», «оператора горячей
    линии Дмитрия», «сотрудницу офиса на Садовой, Анну»), by pymorphy3's name tag, in the
    nominative; commas and dashes between them are not counted as words."""
    words = [t.text for t in razdel.tokenize(sentence) if t.text not in (",", "—", "–")]
    for i, word in enumerate(words):
        thanked = word.lower() in _THANKS  # «Спасибо Марине из отделения…»: the name right after the thanks
        if english_stem(lemma(word.lower())) not in STAFF and not thanked:
            continue
        reach = words[i + 1 : i + 1 + (1 if thanked else NAME_REACH)]
        for before, name in zip([word, *reach], reach, strict=False):
            if name[:1].isupper() and is_first_name(nominative(name)) and before.lower() not in _PLACE_BEFORE:
                return Detail("employee", _full_name(words, words.index(name, i)), sentence)
            if name in (".", "!", "?", ";"):
                break
    return _named_with_patronymic(words, sentence)


def _full_name(words: list[str], at: int) -> str:
    """The name in the nominative, with its patronymic when one follows («Наталью Андреевну» →
    «Наталья Андреевна»: a bank thanks a manager so named in full)."""
    following = words[at + 1] if at + 1 < len(words) else ""
    patronymic = patronymic_nominative(following)
    return f"{nominative(words[at])} {patronymic}" if patronymic else nominative(words[at])


def _named_with_patronymic(words: list[str], sentence: str) -> Detail | None:
    """A first name with a patronymic, in a sentence with a staff word or a thanks however far
    before it («Хочу отметить управляющую отделением на Ленинском, 45 Наталью Андреевну»); not
    a neighbour («Дмитрий Петрович, мой сосед») nor the author's own signature."""
    lemmas = {english_stem(lemma(word.lower())) for word in words}
    if not lemmas & STAFF and not {word.lower() for word in words} & _THANKS:
        return None
    for at, (name, following) in enumerate(pairwise(words)):
        signed = any(w.lower().startswith("уважени") for w in words[max(0, at - 3) : at])
        if name[:1].isupper() and is_first_name(nominative(name)) and is_patronymic(following) and not signed:
            return Detail("employee", _full_name(words, at), sentence)
    return None


_PLACE_BEFORE = frozenset(["на", "on", "at", "in", "near", "from"])  # «couriers who worked on Nevsky»: a street


_THANKS = frozenset(["спасибо", "благодарю", "благодарим", "thanks", "thank"])
OUR_PEOPLE = STAFF | {"служба", "команда", "поддержка", "ребята", "кухня", "парень"}  # thanked by the dative
_TAKEN_BACK = frozenset(["не", "нет", "ни", "но", "однако", "зато", "никто", "ничего", "никогда"])
THANKS_OPENS = 6  # «Хочу сказать спасибо службе заботы…»: the thanks within the first words


def told_story(text: str) -> bool:
    """The author told what happened: at length, or briefly with its figures or words quoted
    («ставка по накопительному была 16, стала 11»; «спрятать кнопку «Оспорить операцию»»). A
    rant of the same length («Худший банк… Бегите отсюда») told nothing to take up point by point."""
    words = len(text.split())
    return words >= TOLD_WORDS or (words >= TOLD_WITH_FIGURES and bool(re.search(r"\d|«", text)))


def thanks_our_people(text: str) -> bool:
    """The mention opens by thanking our people («Спасибо службе заботы: ответили на письмо за 3
    часа…», «Благодарю курьеру…»), with nothing taken back: no «не», no «но», no quotes. A
    sarcastic thanks goes to the brand by name («Спасибо Одёжкину за незабываемый опыт возврата»)
    or takes it back, so a story of a fast answer read as a complaint is praise after all."""
    words = [t.text for t in razdel.tokenize(text)]
    if {w.lower() for w in words} & _TAKEN_BACK or scare_quoted(text) or "«" in text:
        return False
    for at, word in enumerate(words[:THANKS_OPENS]):
        if word.lower() in _THANKS:
            thanked = next((w for w in words[at + 1 : at + 3] if w.isalpha()), "")
            return any("datv" in p.tag and p.normal_form in OUR_PEOPLE for p in _parses(thanked))
    return False


GRATITUDE = frozenset([
    "спасибо", "благодарить", "благодарность", "благодарный", "признательный", "молодец", "thank", "thanks", "grateful",
])  # fmt: skip


def thanks_given(text: str) -> bool:
    """A word of thanks anywhere («Спасибо за спокойствие!», «благодарна оператору»)."""
    return any(p.normal_form in GRATITUDE for token in razdel.tokenize(text) for p in _parses(token.text.lower()))


DEED_WORDS = (2, 9)  # «всё объяснила» … «поднялся на 9 этаж пешком»: longer is a story, not a deed
_WHO = frozenset(["который", "которая", "которые", "кто"])
_STOP = frozenset([".", "!", "?", ";", ",", ":", "—", "–", "(", ")", "а", "но", "и"])


def staff_deed(employee: Detail, address: Address = Address.formal, text: str = "") -> str:
    """What the named employee did, in the author's words turned to the reader («Алексей
    поднялся на 9 этаж пешком» → «поднялся на 9 этаж пешком»; «Дарье…, которая всё объяснила
    мне» → «всё объяснила Вам»): the first clause after the name that tells it with a verb in the
    past, or, when the name's sentence tells none («Спасибо курьеру Артёму!»), the clause after
    «он» or «она» in the next sentence of `text`, or the one it opens with («Терпеливо
    объяснила…»); "" when none does, when the sentence has a «но» or a remark, when the deed has
    a «не», or when it speaks of the author's own things («мою карту»)."""
    words = [t.text for t in razdel.tokenize(employee.sentence)]
    at = next((i for i, w in enumerate(words) if nominative(w) == employee.text), None)
    deed = _deed_after(words, at, address)
    if deed is None and text:
        sentences = [s.text for s in razdel.sentenize(text)]
        following = sentences[sentences.index(employee.sentence) + 1] if employee.sentence in sentences[:-1] else ""
        words = [t.text for t in razdel.tokenize(following)]
        at = next((i for i, w in enumerate(words) if w.lower() in ("он", "она")), None)
        if at is None and _opens_with_deed(words):  # «Терпеливо объяснила маме все условия»
            words, at = [words[0].lower(), *words[1:]], -1
        deed = _deed_after(words, at, address)
    return deed or ""


def _deed_after(words: list[str], at: int | None, address: Address) -> str | None:
    """The deed told by the first two clauses after word `at`: None when they tell none, "" when
    the one that does cannot be said back."""
    if at is None:
        return None
    lemmas = [lemma(w.lower()) for w in words]
    if set(lemmas) & BUT_WORDS or names_a_remark(lemmas):
        return ""  # «опоздал на час, но извинился» is no deed to thank for
    clauses: list[list[str]] = [[]]
    for word in words[at + 1 :]:
        if word in _STOP:
            if word not in ",:—–" or clauses[-1]:
                clauses.append([])
            if word in ".!?;":
                break
        else:
            clauses[-1].append(word)
    for clause in (c for c in clauses[:2] if c):
        clause = clause[1:] if clause[0].lower() in _WHO else clause
        if verb := next((w for w in clause if _past(w)), None):
            fits = DEED_WORDS[0] <= len(clause) <= DEED_WORDS[1] and "не" not in (w.lower() for w in clause)
            return said_to_reader(clause, address) if fits and _singular(verb) else ""
    return None


def _opens_with_deed(words: list[str]) -> bool:
    """The sentence goes on about the person just named, its subject left out: it opens with a
    verb in the past («Объяснила…») or an adverb and one («Терпеливо объяснила…»)."""
    if words and _past(words[0]):
        return True
    return len(words) > 1 and _parses(words[0].lower())[0].tag.POS == "ADVB" and _past(words[1])


def _past(word: str) -> bool:
    return any({"VERB", "past", "indc"} <= p.tag.grammemes for p in _parses(word.lower()))


def _singular(verb: str) -> bool:
    """One person did it: «забыли положить рамен» after «спасибо Алине» is what «они» did."""
    return any({"VERB", "past", "sing"} <= p.tag.grammemes for p in _parses(verb.lower()))


@dataclass(frozen=True)
class Tagged:
    """A detail as found, with the role its nearest role word gives it (None: no role word)."""

    kind: str  # order, duration, amount, date, place, person
    text: str
    role: str | None
    sentence: str


def tag_values(text: str, sentences: Iterable[str] | None = None) -> list[Tagged]:
    tagged: list[Tagged] = []
    for sentence in sentences or [s.text for s in razdel.sentenize(text)]:
        tokens = [
            (t.start, t.stop, english_stem(lemma(t.text.lower().replace("ё", "е")))) for t in razdel.tokenize(sentence)
        ]
        for specific in cues.find_specifics(sentence):
            role = _staff_word(specific.text) if specific.kind == "person" else _nearest_role(specific, tokens)
            tagged.append(Tagged(specific.kind, specific.text, role, sentence))
    return tagged


def _staff_word(person: str) -> str:
    """«курьеру Андрею» → «курьер»: the role a named employee has in the text."""
    return english_stem(lemma(person.split()[0].lower()))


_CLAUSE_BREAKS = frozenset([",", ";", "—"])


def _nearest_role(specific: cues.Specific, tokens: list[tuple[int, int, str]]) -> str | None:
    """The role whose word stands nearest the detail, counted in words, in its own clause first
    («потратил 8 000 рублей, получил 80»: 8 000 were spent); on a tie the word before it."""
    roles = ROLE_WORDS.get(specific.kind)
    if not roles:
        return None
    inside = [i for i, (start, stop, _) in enumerate(tokens) if start < specific.end and stop > specific.start]
    if not inside:
        return None
    first, last = inside[0], inside[-1]
    if specific.kind == "date" and first > 0 and tokens[first - 1][2] in ("от", "from", "dated"):
        return "sent"  # «перевод от 14 мая»: the date it was made
    if specific.kind == "duration" and last + 1 < len(tokens) and tokens[last + 1][2] in _LATER:
        return "delay"  # «привезли на 40 минут позже»: the comparative is the detail's own
    best: tuple[int, int, str] | None = None
    for i, (_, _, word) in enumerate(tokens):
        if first <= i <= last and specific.kind != "date":
            continue
        role = next((name for name, words in roles.items() if word in words), None)
        if role is None:
            continue
        distance = first - i if i < first else max(0, i - last)
        between = tokens[i + 1 : first] if i < first else tokens[last + 1 : i]
        marks = sum(1 for _, _, token in between if token in _CLAUSE_BREAKS)
        rank = (marks, distance, 0 if i < first else 1, role)
        if best is None or rank[:3] < best[:3]:
            best = rank
    return best[3] if best else None


def _as_detail(tagged: Tagged) -> Detail | None:
    value, context = tagged.text, mention_lemmas(tagged.sentence)
    if tagged.kind == "order":
        code = _CODE.search(value)
        if not code:
            return None
        role = "earlier_case" if _EARLIER_CASE.match(value) or {"обращение", "заявка"} & context else "order"
        return Detail(role, f"№ {code.group(1)}", tagged.sentence)
    if tagged.kind == "duration" and tagged.role:
        return Detail(tagged.role, _LEADING.sub("", value).lower(), tagged.sentence, _duration(value, tagged.sentence))
    if tagged.kind == "amount" and tagged.role:
        return Detail(tagged.role, value, tagged.sentence, roubles=roubles(value))
    if tagged.kind == "person":
        name = nominative(value.split()[-1])
        return Detail("employee", name, tagged.sentence) if is_first_name(name) else None
    if tagged.kind == "place":  # «На Красном проспекте» opens the author's sentence, not the reply's
        preposition, _, rest = value.partition(" ")
        return Detail(
            "place", f"{preposition.lower()} {rest}" if preposition in ("На", "В") else value, tagged.sentence
        )
    if tagged.kind == "date":
        return Detail("date", value, tagged.sentence)
    return None


_ROUBLES = re.compile(r"^(\d[\d\s]*)(?:[.,](\d{1,2}))?\s?(тыс\w*\.?\s*)?(?:₽|руб\w*\.?|р\.)?$", re.I)


_ROUBLES_EN = re.compile(r"^(\d{1,3}(?:,\d{3})+|\d+)\s?(?:roubles?|rubles?|RUB)$", re.I)


def roubles(amount: str) -> int | None:
    """«150 000 ₽» → 150000, «150 тыс. рублей» → 150000, «1 290,50 ₽» → 1290, "120,000 roubles"; None for
    dollars, euros and what is not a sum."""
    if english := _ROUBLES_EN.match(amount.strip()):
        return int(english.group(1).replace(",", ""))
    found = _ROUBLES.match(amount.strip())
    if not found:
        return None
    whole = int(re.sub(r"\s", "", found.group(1)))
    return whole * 1000 if found.group(3) else whole


def rule_figures(text: str, playbooks: Iterable[Playbook], with_sums: bool = False) -> set[str]:
    """The figures the brand's fee rules give for the sums a text names, as digits (150 000 ₽
    over a 100 000 ₽ limit at 0,5 %: 50000 over, 250 of fee; 40 000 ₽: 60000 left), and with
    `with_sums` the sums themselves («40 тысяч» is 40000), and the delay two clock times tell:
    the brand's arithmetic, not an invention."""
    sums = [found for s in cues.find_specifics(text) if s.kind == "amount" and (found := roubles(s.text))]
    figures = {str(amount) for amount in sums} if with_sums else set()
    if any(p.rule and p.rule.detail == "shortfall" for p in playbooks) and (
        short := shortfall(s.text for s in razdel.sentenize(text))
    ):
        figures.add(str(short.percent))
    for rule in (p.rule for p in playbooks if p.rule and p.rule.percent):
        figures |= {str(figure) for amount in sums for figure in rule.worked_out(amount).values()}
    if late := clock_delay(text):  # «обещали к 19:50, привезли в 21:10»: «1 час 20 минут» is the author's own
        figures |= cues.numbers_in(late.text)
    return figures


def money(roubles: int, language: str) -> str:
    """150000 → «150 000 ₽», "150,000 roubles"."""
    return f"{roubles:,} roubles" if language == "en" else f"{roubles:,} ₽".replace(",", " ")


def _duration(value: str, sentence: str) -> Minutes | None:
    """The duration's minutes with the word before it, which may hedge it: «почти на час»."""
    before = sentence[: sentence.find(value)].split()[-1:] if value in sentence else []
    return duration_minutes(" ".join([*before, value]))


@lru_cache(maxsize=4096)
def _parses(word: str) -> tuple:
    return tuple(morph().parse(word))


def asked_questions(text: str, sentences: list[str] | None = None) -> list[str]:
    """The questions the mention asks of us, one per «?» or request, in its order. A bare
    «Почему?» asks about the sentence before it: that sentence is part of the question; after
    a question («Сколько стоит доставка? А в Мурино?») the two are one question."""
    sentences = sentences or [s.text for s in razdel.sentenize(text)] or [text]
    parts: list[str] = []
    second_halves: set[int] = set()  # the indices of a conjoined question's second half
    for part in (q for s in sentences for q in re.split(r"(?<=\?)\s+", s)):
        halves = _conjoined_questions(part)
        second_halves |= {len(parts) + 1} if len(halves) == 2 else set()
        parts += halves
    questions: list[str] = []
    for i, part in enumerate(parts):
        if not _asks_us(part):
            continue
        if i in second_halves:  # «…и можно ли открыть его в приложении?» points back past the first half
            questions.append(_with_context([*parts[: i - 1], part], i - 1, joined=True))
            continue
        question = _with_context(parts, i, first_half=i + 1 in second_halves)
        if questions and i > 0 and question.startswith(parts[i - 1]) and questions[-1].endswith(parts[i - 1]):
            # «…не платить? Какие условия?» goes on asking the question before, with its own context
            questions[-1] += question[len(parts[i - 1]) :]
        else:
            questions.append(question)
    return questions


def _conjoined_questions(part: str) -> list[str]:
    """«Какая сейчас ставка и можно ли открыть его в приложении?» asks two things, each owed its
    own answer: «Какая сейчас ставка?» and «Можно ли открыть его в приложении?». «Можно оплатить
    картой и наличными?» asks one."""
    match = _CONJOINED.search(part) if part.rstrip().endswith("?") else None
    if match is None or not _QUESTION_WORD.search(part[: match.start()]) or not _content(part[: match.start()]):
        return [part]  # «Когда и где можно забрать?» asks one thing
    first, second = part[: match.start()].rstrip(" ,;"), part[match.end() :].strip()
    return [f"{first}?", second[:1].upper() + second[1:]]


# « и можно ли …», «, and can I …»: a second question joined to the first
_CONJOINED = re.compile(
    r",?\s+(?:а\s+)?(?:и|and)\s+(?=(?:можно ли|нужно ли|надо ли|есть ли|будет ли|где|когда|куда|откуда|как|сколько|какой|"
    r"какая|какое|какие|почему|зачем|до скольки|во сколько|что (?:будет|делать|нужно|надо)|кто|can|could|do|does|is|are|will|how|where|when|what)\b)",
    re.I,
)
_QUESTION_WORD = re.compile(
    r"\b(?:ли|какой|какая|какое|какие|сколько|когда|где|куда|как|почему|зачем|what|how|where|when|which|can|do|is)\b",
    re.I,
)


BARE_QUESTION_WORDS = 2  # «Почему?», «А почему?», «Что делать?»: about the sentence before


ANAPHORIC_WORDS = 5  # «Когда её отпустят?»: a short question that points back is about the sentence before,
POINTING_CONTENT = 2  # … and so is one that points back with little of its own («Доставите или это уже далеко?»)
_POINTS_BACK = frozenset([
    "её", "ее", "его", "их", "она", "он", "они", "оно", "это", "этого",
    "неё", "нее", "него", "них", "ней", "нему", "ним",  # «Как от неё отказаться?»
    "один", "другой", "так", "такой", "такое",  # «Один заменяет другой?», «Так и задумано?»
    "it", "they", "them", "this",
])  # fmt: skip


def _with_context(parts: list[str], index: int, joined: bool = False, first_half: bool = False) -> str:
    """The question with the sentence before it when it is bare or points back. `joined`: the
    second half of two joined questions points back by its pronoun alone, however long («…and
    can I open it in the app or do I have to visit a branch?»: «it» is the deposit). `first_half`:
    the first of two joined questions; either half is about the sentence before when it names no thing."""
    question = _asked_part(parts[index])
    words = [w.lower() for w in re.findall(r"\w+", question)]
    pointing = bool(_BOTH.search(question)) or bool(
        _POINTS_BACK & set(words)
        and (joined or len(words) <= ANAPHORIC_WORDS or len(content_words(set(words))) <= POINTING_CONTENT)
    )
    # «…на кредит. Сколько обычно рассматривают и где посмотреть статус?»: a half naming no thing
    thingless = (first_half or joined) and len(words) <= ANAPHORIC_WORDS and not _names_a_thing(question)
    bare = len(words) <= BARE_QUESTION_WORDS or pointing or thingless
    if not bare or index == 0:
        return question
    start = index - 1  # «…спросили код из смс. Я не сказала. Это правда были вы?»: back past a short aside
    while start > 0 and index - start < CONTEXT_SENTENCES and len(_content(" ".join(parts[start:index]))) < 3:
        start -= 1
    return " ".join([*parts[start:index], question])


CONTEXT_SENTENCES = 2  # a question that points back takes at most this many sentences before it
# «Получится потратить и то и другое в одном заказе?»: «both» is what the sentence before named, however long
_BOTH = re.compile(r"\bи\s+то,?\s+и\s+другое\b|\bоба\b|\bобе\b|\bboth\b", re.I)


def _names_a_thing(question: str) -> bool:
    """Some word of it is a noun by its likeliest reading («статус», «доставку»); «Сколько
    обычно рассматривают?» and «Так можно?» name none: they ask about the sentence before."""
    if not re.search(r"[а-яё]", question, re.I):
        return True  # read in Russian only: an English question keeps its own words
    return any(surely_noun(token.text) for token in razdel.tokenize(question))


def _content(text: str) -> frozenset[str]:
    return content_words({w.lower() for w in re.findall(r"\w+", text)})


def _asked_part(question: str) -> str:
    """A question typed without «?» up to its first comma: «и до какого часа можно заказать» of
    «…, я поздно с работы»; the rest tells why, it asks nothing."""
    if "?" in question or not _UNMARKED_QUESTION.match(question.strip()):
        return question
    return question.split(",")[0].strip()


def without_rhetoric(text: str) -> str:
    """The text less its rhetorical questions («Сколько можно ждать?», «Это нормально?») and its
    pleas for what to do next («Что мне делать?»): what is left says how the author feels,
    without the question that makes a complaint read neutral."""
    sentences = [s.text for s in razdel.sentenize(text)]
    told = " ".join(s for s in sentences if not ("?" in s and _RHETORICAL.search(s)))
    plain = " ".join(s for s in sentences if not ("?" in s and (_RHETORICAL.search(s) or _WHAT_NOW.match(s))))
    return told if _own_mishap(plain) else plain


def _own_mishap(text: str) -> bool:
    """Everything the text tells happened is the author's own doing («Потерял карту в такси»):
    their «Что делать?» asks for help, it does not complain."""
    lived = done_actions(text, lived=True)
    return bool(lived) and lived == done_actions(text)


# «Что мне теперь делать?», «Куда обращаться?», «Как быть?», «Можно назначить другого менеджера?»:
# the author asks for help or a remedy, whatever they feel
_WHAT_NOW = re.compile(
    r"^\W*(?:и\s+|а\s+)?(?:что\s+(?:мне|нам)?\s*(?:теперь\s+|сейчас\s+)?(?:делать|предпринять)|"
    r"куда\s+(?:мне\s+)?(?:теперь\s+)?(?:обращаться|обратиться|идти|писать|звонить)|как\s+(?:мне\s+)?(?:теперь\s+)?быть|"
    r"к\s+кому\s+(?:мне\s+)?(?:теперь\s+)?(?:обращаться|обратиться)|кто\s+(?:мне\s+)?(?:ещё\s+|еще\s+|вообще\s+)?(?:может|сможет)\s+(?:мне\s+)?помочь|"
    r"(?:можно|могу\s+ли\s+я|можете)\s+(?:ли\s+)?(?:мне\s+)?(?:назначить|сменить|поменять|заменить)\s+(?:мне\s+)?(?:другого|другую|другой|нового|новую)\b.*)\W*$",
    re.I,
)


def _asks_us(sentence: str) -> bool:
    """A question the reply owes an answer: asked with «?» or as a request («подскажите, …»);
    «какой же отстой…» and «когда-то была нормальная доставка» start like questions and are not.
    «Вы вообще работаете??» is an exclamation, «Куда вводить промокод??» an impatient question."""
    start = sentence.strip()
    unquoted = re.sub(r"«[^«»]*»", "«»", sentence)  # «Через «Забыли код?» жду смс» quotes a button, it asks nothing
    asked = "?" in unquoted or bool(_REQUEST.match(start) or _UNMARKED_QUESTION.match(start))
    rhetorical = _RHETORICAL.search(sentence)
    if rhetorical and rhetorical.group(0) == "??" and _WHERE_HOW.match(start):
        rhetorical = _RHETORICAL.search(sentence, rhetorical.end())
    return asked and not rhetorical


_WHERE_HOW = re.compile(r"^(?:а\s+|и\s+)?(?:куда|где|как\s+(?!так\b)|когда|сколько|какой|какая|какие|можно)", re.I)


_CLOCK = re.compile(r"\b\d{1,2}:\d{2}\b|\b\d{1,2}\s?(?:am|pm)\b", re.I)
TIME_WORDS = frozenset(
    w[:4] for w in ("круглосуточно", "круглосуточный", "открываться", "закрываться", "open", "close", "hour")
)


_ASKS_CLOCK = re.compile(r"\b(?:до|во|со?|к)\s+скольк\w*|\bwhat time\b|\buntil when\b", re.IGNORECASE)


def names_in(text: str) -> list[str]:
    """The names a text gives: capitalised words not opening a sentence («Коммунарку», «Kudrovo»)."""
    return _NAME.findall(text)


_NAME = re.compile(r"(?<!^)(?<![.!?]\s)\b[A-ZА-ЯЁ][a-zа-яё]{3,}")


def reply_words(texts: tuple[str, ...]) -> set[str]:
    return {w.lower() for text in texts for w in re.findall(r"[A-Za-zА-Яа-яЁё]{4,}", text)}


def open_questions(
    questions: list[str], reply_texts: tuple[str, ...], common: frozenset[str] = frozenset()
) -> list[str]:
    """The questions a reply made of these texts leaves unanswered (the drafter and the
    unanswered-question check judge alike). A question is answered when the reply has most of
    its words, or a third of its own ones (not the brand's everyday `common` words): «можно
    погасить досрочно без штрафов?» is met by «досрочно … без комиссии», and «уточним» after
    that reads as a contradiction (the blind reviews' repetitive tag)."""
    said = content_words(mention_lemmas(" ".join(reply_texts)))
    if _EVERY_DAY.search(" ".join(reply_texts)):  # «ежедневно с 8:00 до 23:00» answers «до скольки в пятницу?»
        said |= WEEKDAYS
    said |= {twin for word in said for start, twin in _SAME_ROOT if word.startswith(start)}
    stems = {w[:4] for w in said}
    everyday = {w[:4] for w in common}
    told_what_to_do = any(instructed(text) for text in reply_texts)
    return [
        q
        for q in questions
        if not any(answers_question(r, said, reply_texts) or _third_said(r, stems, everyday) for r in _readings(q))
        and not (told_what_to_do and asks_what_to_do(q))
    ]


def _readings(question: str) -> set[str]:
    """The question whole and, when it borrowed the sentence before for context, by itself: «Списали
    2990 за подписку. Как мне это оспорить?» is answered by how to dispute, «…висит заблокированная.
    Когда её отпустят?» by when a hold is released."""
    return {question, asking_part(question)}


def asking_part(question: str) -> str:
    """The sentence that asks, without the context a question borrowed: «Можно его восстановить?»
    of «Пропал промокод. Можно его восстановить?»."""
    return re.split(r"(?<=[.!?…])\s+", question.strip())[-1]


_WHAT_TO_DO = re.compile(
    r"\b(что\s+(мне\s+|нам\s+)?(теперь\s+|сейчас\s+)?делать|как\s+(мне\s+|нам\s+)?(теперь\s+)?быть|"
    r"куда\s+(мне\s+)?(писать|обращаться|идти|звонить)|what\s+(should|do|can)\s+i\s+do|what\s+now)\b",
    re.I,
)


# a noun and a verb of one root that the first letters do not tell: «возврат денег» answers «вернёте деньги?»
_SAME_ROOT = (
    ("возвра", "вернуть"), ("вернуть", "возврат"), ("refund", "return"), ("return", "refund"),
    ("застрах", "страховка"), ("страхов", "застраховать"),
    # «карта кончается в мае, сама придёт?» is met by «с истекающим сроком… новая карта поступает»
    ("оконч", "кончаться"), ("истека", "кончаться"), ("истеч", "кончаться"), ("поступ", "прийти"),
)  # fmt: skip
WEEKDAYS = frozenset(
    ["понедельник", "вторник", "среда", "четверг", "пятница", "суббота", "воскресенье", "выходной", "будни",
     "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "weekend"]
)  # fmt: skip
_EVERY_DAY = re.compile(
    r"\b(?:ежедневно|каждый день|без выходных|круглосуточно|daily|every day|seven days a week|24/7|around the clock)\b",
    re.I,
)


# «Сколько ждать?», «в какой срок вернут?», "how long does it take?": asked for a term
_HOW_LONG = re.compile(
    r"\b(?:сколько\s+(?:ещё\s+|еще\s+)?(?:ждать|времени|дней|рассматрива\w*|длится|занимает)|как\s+долго|"
    r"сколько\s+(?:\w+\s+){0,2}?(?:будет\s+)?(?:лежать|храниться|хранится|действовать|действует|делается|делают)|"
    r"в\s+какой\s+срок|какой\s+срок|какие\s+сроки|how\s+long|how\s+many\s+days)\b",
    re.I,
)
# «в срок до 30 календарных дней», «в течение 3 рабочих дней», "within 30 days": a term stated
_TERM = re.compile(
    r"\b(?:в\s+течение|в\s+срок|до|за|within|up\s+to|in|for|(?:хранится|действует|лежит)(?:\s+\w+){0,2})\s+"
    r"(?:\w+\s+){0,2}?(?:\d+|одного|одних|двух|трёх|трех|one|two|three)"
    r"\s+(?:\w+\s+)?(?:дн\w*|суток|час\w*|недел\w*|минут\w*|секунд\w*|days?|hours?|weeks?|minutes?|seconds?)\b",
    re.I,
)


def asks_how_long(question: str) -> bool:
    return bool(_HOW_LONG.search(question))


_HOW_MUCH = re.compile(
    r"\b(?:сколько\s+(?:стоит|стоят|будет\s+стоить|берёте|берете)|с\s+какой\s+суммы|как(?:ая|ой)\s+"
    r"(?:минимальн\w+\s+)?(?:сумма|взнос|лимит|процент|ставка)|how\s+much|minimum\s+(?:amount|deposit|order))\b",
    re.I,
)


def asks_how_much(question: str) -> bool:
    """«С какой суммы можно открыть вклад?»: a figure answers it, not where to open one."""
    return bool(_HOW_MUCH.search(question))


_WHY = re.compile(r"\b(?:почему|зачем|отчего|с\s+какой\s+стати|why|how\s+come)\b", re.I)


def asks_why(question: str) -> bool:
    """«Почему в субботу одно окно?»: it asks for a reason, which only a fact written to give one
    (its customers' questions ask why too) or one about its subject holds; the opening hours are
    no reason."""
    return bool(_WHY.search(question))


def subject_nouns(question: str) -> frozenset[str]:
    """The lemmas of the nouns the question speaks of, its subject or object («почему … одно
    окно?», «…отменить перевод?»: a circumstance, «в субботу», and a complement, «история
    операций», are not), Russian only."""
    nouns: set[str] = set()
    after_preposition = False
    for token in razdel.tokenize(question):
        parses = morph().parse(token.text.lower())
        if "NOUN" in parses[0].tag and not after_preposition and len(token.text) > 2:
            cases = {p.tag.case for p in parses if "NOUN" in p.tag and p.normal_form == parses[0].normal_form}
            nouns |= {parses[0].normal_form} if cases & {"nomn", "accs"} else set()
        after_preposition = "PREP" in parses[0].tag or (after_preposition and "ADJF" in parses[0].tag)
    return frozenset(content_words(nouns))


def states_term(sentence: str) -> bool:
    return bool(_TERM.search(sentence))


def asks_what_to_do(question: str) -> bool:
    """«Что делать?», «Куда писать?»: a next step that tells the author what to do answers it."""
    return bool(_WHAT_TO_DO.search(question))


def _third_said(question: str, said: set[str], everyday: set[str]) -> bool:
    """A third of the question's own words (not the brand's everyday ones) are in the reply, and
    the thing it asks about: «можно ли внести материнский капитал как первоначальный взнос?» is
    not answered by «первоначальный взнос — от 20%»."""
    own = {w[:4] for w in content_words(mention_lemmas(question))} - everyday
    return bool(own) and len(own & said) >= math.ceil(len(own) / 3) and _subject(question) <= said


@lru_cache(maxsize=4096)
def _subject(question: str) -> frozenset[str]:
    """The stems of what the question asks about; once per question (the drafter and the
    unanswered-question check ask for it several times per reply)."""
    return frozenset(w[:4] for w in content_words(mention_lemmas(asked_about(question))) - _ORDINALS)


# «Где оспорить второе списание?» asks about the charge: which one is the author's detail
_ORDINALS = frozenset(
    ["первый", "второй", "третий", "первое", "второе", "третье", "четвёртый", "четвертый", "последний", "first",
     "second", "third"]
)  # fmt: skip


def answers_question(question: str, reply: frozenset[str], reply_texts: tuple[str, ...] = ()) -> bool:
    """The question's content words are in the reply (one of a short question, three in five of a
    longer one), compared by their first four letters («минимум» and «минимальная», «заказать»
    and «заказ»); a name it asks about («Kudrovo», «Невском») must be there."""
    asked = {w[:4] for w in content_words(mention_lemmas(question))}
    said = {w[:4] for w in reply}
    if (asked & TIME_WORDS or _ASKS_CLOCK.search(question)) and any(_CLOCK.search(text) for text in reply_texts):
        return True  # «Вы работаете круглосуточно?», «до скольки можно заказать?» are answered by the hours
    if asks_how_long(question) and any(states_term(text) for text in reply_texts):
        return True  # «…и сколько ждать?» is answered by «в срок до 30 календарных дней»
    if _CLOCK.search(question) and any(_CLOCK.search(text) for text in reply_texts):
        return True  # «я с работы в 22:40, успею заказать?» is answered by the hours
    names = {w[:4].lower() for w in names_in(question)}
    if names - {w[:4] for w in reply_words(reply_texts)}:
        return False  # «Do you deliver to Kudrovo?» is not answered without Kudrovo
    if (subject := _subject(question)) and not subject & said:
        return False  # «материнский капитал как первый взнос?» is not answered by the down payment alone
    needed = 1 if len(asked) <= 2 else min(3, math.ceil(0.6 * len(asked)))
    return not asked or len(asked & said) >= needed


_LINKS = frozenset(["а", "и", "но", "потом", "затем", "ещё", "еще", "также"])
_MYSELF = frozenset(["я", "мы"])
_SUBORDINATORS = frozenset(["пока", "когда", "хотя", "если", "чтобы", "потому", "так", "где", "куда", "while", "when"])


def done_actions(text: str, lived: bool = False) -> frozenset[str]:
    """The actions the author says they took: verbs in the past tense («написала в чат», «звонил»),
    unless someone else is their subject in the clause («курьер … написал в чат», or in the one a
    clause with no subject of its own goes on from: «курьер…, позвонил и ушёл») or the verb is
    a plural with no «мы» («заказ отменили»: they did; «написали в поддержку» is the author's
    family writing); a verb after «не» is marked so
    («никаких кодов не называла»: `не_назы`). `lived`: what happened to the author counts too
    («заказ отменили», «привезли холодное»): a trace of a real customer, though not their act."""
    done: set[str] = set()
    parts = re.split(r"([,;:.!?—–])", re.sub(r"(?<=\d)[:.,](?=\d)", "", text))  # «в 20:40» is no clause break
    someone_else = False
    for at in range(0, len(parts), 2):
        clause, mark = parts[at], parts[at - 1] if at else "."
        words = [token.text.lower() for token in razdel.tokenize(clause)]
        # «курьер, который оставил пакет, позвонил один раз и ушёл»: a clause with no subject of its own goes on
        lead = [word for word in words[:3] if word not in _LINKS]  # «…, а потом написал в чат»
        goes_on = mark == "," and bool(lead) and bool(_parses(lead[0])) and _past(lead[0])
        before = someone_else  # «курьер звонил, пока я была на созвоне, а потом написал»: the courier wrote
        someone_else = someone_else and goes_on
        negated = False
        tried: str | None = None  # «пробовала восстановить вход»: what was tried was done, as «не_» or not
        we = bool(re.search(r"\b(мы|we)\b", clause, re.I))
        for word in words:
            parses = _parses(word)
            if not parses:
                continue
            tag = parses[0].tag
            if {"NOUN", "anim", "nomn"} <= tag.grammemes or word in _OTHERS:
                someone_else = True
            elif word in _MYSELF:  # «курьер опоздал, а я написала в чат»: the author again
                someone_else = False
            elif {"VERB", "past"} <= tag.grammemes and not someone_else and not _happened(parses[0], words):
                key = action_key(parses[0].normal_form)
                if lived or we or "plur" not in tag.grammemes or key in _CONTACTING:  # «написали в поддержку»
                    done.add(("не_" if negated else "") + key)
                    tried = ("не_" if negated else "") if parses[0].normal_form in _TRIES else None
            elif tried is not None and "INFN" in tag:
                done.add(tried + action_key(parses[0].normal_form))
                tried = None
            negated = word == "не"
        if words and words[0] in _SUBORDINATORS:
            someone_else = before
    return frozenset(done | _english_done(text))


# "I ordered a new card", "we have already paid": the English reader's own past deeds, by stem
_EN_DONE = re.compile(
    r"(?:\b(?:I|we)(?:'ve|'d)?\s+(?:have\s+|had\s+|already\s+|just\s+)*|(?:^|[.!?]\s+))"  # "Ordered a card on 19 Nov."
    r"(?!(?:red|bed|need|feed|seed|speed)\b)(\w+ed|paid|sent|wrote|went|came)\b",
    re.I,
)
# "If a new card has already been ordered", "if you have already paid": what a reply supposes done
_EN_SUPPOSED = re.compile(
    r"\bif\b[^.,;:!?]*?\b(?:been|already|have|has)\s+(?:already\s+)?(\w+ed|paid|sent|written)\b", re.I
)
_EN_PAST_FORMS = {"paid": "pay", "sent": "send", "wrote": "write", "written": "write", "went": "go", "came": "come"}


def _english_deeds(pattern: re.Pattern[str], text: str) -> frozenset[str]:
    verbs = (_EN_PAST_FORMS.get(verb.lower(), verb.lower()) for verb in pattern.findall(text))
    return frozenset(f"en:{english_stem(verb)}" for verb in verbs)


def _english_done(text: str) -> frozenset[str]:
    return _english_deeds(_EN_DONE, text)


def _happened(verb: Parse, clause: list[str]) -> bool:
    """An intransitive verb whose subject is a thing in its clause: «пропал промокод», «пропали
    деньги» happened to the author, they did not do it; «пришла в отделение» they did. A word
    the dictionary knows only as an abbreviation («смс») is not read as a subject."""
    if "intr" not in verb.tag.grammemes:
        return False
    agrees = {"plur"} if "plur" in verb.tag.grammemes else {verb.tag.gender, "sing"}
    things = (parses[0].tag for word in clause if (parses := _parses(word)))  # not «в» read as an abbreviation
    return any({"NOUN", "nomn", *agrees} <= tag.grammemes and not {"anim", "Abbr"} & tag.grammemes for tag in things)


def instructed(sentence: str) -> frozenset[str]:
    """The actions a reply sentence tells the reader to take: its imperatives («напишите»,
    «позвоните») and infinitives after «нужно», «следует» («нужно положить трубку»)."""
    found = set()
    words = [token.text for token in razdel.tokenize(sentence.lower())]
    for i, word in enumerate(words):
        imperative = _imperative(word)
        told = imperative or (
            next((p for p in _parses(word) if "INFN" in p.tag), None) if MODAL & set(words[max(0, i - 2) : i]) else None
        )
        if told:
            found.add(action_key(told.normal_form))
    return frozenset(found)


MODAL = frozenset(["нужно", "надо", "следует", "стоит", "необходимо", "должен", "должна", "должны"])
CALL_VERBS = frozenset(["перезвонить", "позвонить", "связаться"])
_CALL_REQUEST = re.compile(
    r"\b(прошу|просим|просьба|жду|ждём|ждем|хочу)\s+(мне\s+|срочно\s+)?(перезвон\w*|позвон\w*|звонк\w*|связат\w*)"
    r"|\b(call me( back)?|give me a call|(need|want|expect) a call( back)?)\b",
    re.IGNORECASE,
)


_AGAIN = frozenset(["опять", "снова", "повторно", "again"])
_AGAIN_EN = re.compile(r"\b(second|third|fourth|fifth|\d+(nd|rd|th)|another) time\b|\bnot the first time\b", re.I)


def happened_before(text: str) -> bool:
    """The author says it is not the first time: «опять», «снова», «в третий раз», «уже не
    первый раз», "third time", "again". «Снова» right after what the author tried («ввела новый
    код — и снова белый экран», «переустановил — опять ошибка») is the fix that failed, not the
    problem come back another day."""
    clauses = _clauses_about_contact(text)
    return any(
        _repeat_told(clause)
        and not contact
        and not _trying_now(clause)
        and not (_only_again(clause) and any(_tried(c) or _trying_now(c) for c, _ in clauses[max(0, i - 2) : i]))
        and not (_only_again(clause) and _asks_to_do_again(clause))
        for i, (clause, contact) in enumerate(clauses)
    )


def _asks_to_do_again(clause: str) -> bool:
    """«Когда можно пробовать снова?», «можно ли повторно подать заявку?»: the author asks about
    doing it another time; nothing has happened twice."""
    words = [token.text.lower() for token in razdel.tokenize(clause)]
    return "можно" in words and any("INFN" in _parses(word)[0].tag for word in words)


def _only_again(clause: str) -> bool:
    """The clause says it again only by «снова», «опять», "again" (no «в третий раз»)."""
    words = {token.text.lower() for token in razdel.tokenize(clause)}
    return bool(_AGAIN & words) and not _AGAIN_EN.search(clause) and "раз" not in words


# What one does to make a thing work: «перезагрузила», «ввела новый код», «переустановил»
_FIXES = frozenset(
    ["перезагрузить", "переустановить", "обновить", "ввести", "нажать", "попробовать", "сбросить", "удалить",
     "войти", "зайти", "перезапустить", "очистить", "restart", "reinstall", "update", "enter", "press", "try", "tried"]
)  # fmt: skip


def _trying_now(clause: str) -> bool:
    """«уже пятый раз запрашиваю», «ввожу телефон и карту»: the author tells a try as they make
    it; «опять» after it, or a count of it, repeats the try, the problem has not come back another day."""
    for token in razdel.tokenize(clause):
        parse = _parses(token.text.lower())[0]
        if {"1per", "pres"} <= parse.tag.grammemes and parse.normal_form in _FIXES | _TRYING:
            return True
    return False


_TRIES = frozenset(["пробовать", "попробовать", "пытаться", "попытаться"])

# «ввожу», «нажимаю»: tries told as they are made
_TRYING = frozenset(["запрашивать", "вводить", "нажимать", "пробовать", "перезагружать", "отправлять"])


def _tried(clause: str) -> bool:
    """The clause tells what the author just did to make it work (a fix in the past tense)."""
    return any(key in done_actions(clause) for key in map(action_key, _FIXES))


def repeated_contact(text: str) -> bool:
    """The author has called or written to us again and again: «звоню уже третий раз», «снова пишу вам»."""
    return any(_repeat_told(clause) and contact for clause, contact in _clauses_about_contact(text))


# the author's call or message reached nobody: «не дозвониться», «40 минут музыки, потом сброс»
_UNREACHED = frozenset(["дозвониться", "сброс", "сбросить", "гудок", "музыка", "занято", "through", "hung"])
_COUNTED = frozenset(["раз", "минута", "час", "секунда", "попытка"])  # «Второй раз 25 минут»: how often, how long


def _clauses_about_contact(text: str) -> list[tuple[str, bool]]:
    """Each clause and whether it tells of the author's call or message to us. A clause with
    neither a verb nor a thing of its own («Второй раз 25 минут») counts like the last clause
    with a verb: «Звоню на горячую линию — 47 минут музыки. Второй раз 25 минут» is a second
    call, not the problem again; «Написала в чат. Опять холодный суп» is the soup again."""
    told: list[tuple[str, bool]] = []
    story = False  # the last clause with a verb told of a contact
    for clause in _clauses_of(text):
        words = [token.text.lower() for token in razdel.tokenize(clause) if token.text.isalpha()]
        first = [_parses(word)[0] for word in words]
        contact = _contact_told(clause)
        if any({"VERB", "INFN"} & p.tag.grammemes for p in first):
            story = contact
        elif not any("NOUN" in p.tag and p.normal_form not in _COUNTED for p in first):
            contact = contact or story
        told.append((clause, contact))
    return told


def _clauses_of(text: str) -> list[str]:
    """Cut at punctuation, but not inside a number: «в 19:40», «1,5 часа» stay one clause."""
    return re.split(r"(?<!\d)[,.:]|[,.:](?!\d)|[;!?—–]", text)


def _contact_told(clause: str) -> bool:
    """What the clause tells is the author's call or message to us: one case, told by `contacted`."""
    words = [token.text.lower() for token in razdel.tokenize(clause)]
    return bool({action_key(lemma(word)) for word in words} & _CONTACTING or _CONTACTED_EN.search(clause))


def _repeat_told(clause: str) -> bool:
    words = [token.text.lower() for token in razdel.tokenize(clause)]
    if _AGAIN & set(words) or _AGAIN_EN.search(clause):
        return True
    for i, word in enumerate(words[1:], start=1):
        before = words[i - 1]
        if word == "раз" and (_ordinal_after_first(before) or (before == "первый" and words[i - 2 : i - 1] == ["не"])):
            return True
    return False


def _ordinal_after_first(word: str) -> bool:
    """«второй», «третий», «5-й»: an ordinal past the first."""
    if number := re.fullmatch(r"(\d+)-?й", word):
        return int(number.group(1)) > 1
    return any("Anum" in p.tag and p.normal_form not in ("первый", "один") for p in _parses(word))  # «один раз»


_BRING = frozenset(["привезти", "довезти", "подвезти"])
_BRING_EN = re.compile(r"\b(?:please )?bring (?:it|me|us|the)\b", re.I)
# «хочу свой боул», «баллы не нужны», "I want my order": the dish itself, not a replacement
_WANTS_OWN = re.compile(
    r"\bхоч\w*\s+(?:именно\s+)?(?:сво[йюеи]|своё|мо[йюеи]|моё)\b|"
    r"\b(?:баллы|бонусы|промокод\w*|компенсаци\w*|замен\w*)\s+(?:мне\s+)?не\s+нуж\w*|"
    r"\bI\s+(?:just\s+)?want\s+my\b|\bdon'?t\s+want\s+(?:points|a\s+promo\s+code|a\s+replacement)\b",
    re.I,
)


def asks_to_bring(text: str) -> bool:
    """The author asks for what is missing to be brought («привезите его, пожалуйста», "please
    bring it") or wants their own dish, not a replacement («баллы не нужны, хочу свой боул»)."""
    return bool(imperative_lemmas(text) & _BRING or _BRING_EN.search(text) or _WANTS_OWN.search(text))


def wants_call(text: str) -> bool:
    """The author asks to be called («перезвоните мне сегодня», «жду звонка», "call me back"),
    not just tells of calling («звоню третий раз»)."""
    return bool(imperative_lemmas(text) & CALL_VERBS or _CALL_REQUEST.search(text))


def imperative_lemmas(text: str) -> frozenset[str]:
    """The verbs the author puts in the imperative («перезвоните» → «перезвонить»)."""
    imperatives = (_imperative(token.text.lower()) for token in razdel.tokenize(text))
    return frozenset(p.normal_form for p in imperatives if p)


def _imperative(word: str) -> Parse | None:
    """The word's imperative reading («позвоните»), when the word reads as a verb at all: «при»
    is a preposition before it is an imperative of «переть»."""
    parses = _parses(word)
    if "VERB" not in parses[0].tag:
        return None
    return next((p for p in parses if {"impr", "excl"} <= p.tag.grammemes), None)


_IF_CLAUSE = re.compile(r"\bесли\b[^,.;:—!?]*", re.I)


_ANEW = frozenset(["новую", "новый", "новое", "новая", "new"])


def offered_ways(sentence: str) -> frozenset[str]:
    """The actions a reply sentence offers as a way out: infinitives near «можно» («доступ можно
    восстановить через «Забыли код?»», «Заказать перевыпуск можно в приложении»), by action_key;
    offered to one who tried them, it repeats. One offered anew («когда можно подать новую
    заявку», «повторно») repeats nothing."""
    words = [token.text.lower() for token in razdel.tokenize(sentence)]
    if _ANEW & set(words) or _AGAIN & set(words):
        return frozenset()
    return frozenset(
        action_key(parse.normal_form)
        for i, word in enumerate(words)
        if "можно" in words[max(0, i - 3) : i + 3] and "INFN" in (parse := _parses(word)[0]).tag
    )


def supposed_done(text: str) -> frozenset[str]:
    """The actions a reply supposes the author may have taken («если Вы его уже подали», «если
    новая карта уже заказана»), by action_key: said to one who told us they did, it asks again."""
    keys = set()
    for clause in _IF_CLAUSE.findall(text):
        words = [token.text.lower() for token in razdel.tokenize(clause)]
        addressed = bool(_READER & set(words))  # «если заказ отменили» tells what others did, not the reader
        for word in words:
            parse = _parses(word)[0]
            told = parse.tag.POS == "VERB" and "past" in parse.tag and (addressed or "plur" not in parse.tag)
            if parse.tag.POS == "PRTS" or told:
                keys.add(action_key(parse.normal_form))
    return frozenset(keys | _english_deeds(_EN_SUPPOSED, text))


_READER = frozenset(["вы", "ты"])


def action_key(verb: str) -> str:
    """One key for both aspects of an action: «написать» and «писать», «позвонить» and «звонить»,
    «обратиться» and «обращаться», «подать» and «подавать»."""
    verb = re.sub(r"(?<=[ау])ва(?=ть$)", "", verb)  # «подавать», «узнавать»: the imperfective's «-ва-»
    stem = re.sub(r"^(на|по|за|при)(?=\w{4})", "", verb)
    return stem[:4]


# «никаких кодов не называла», «ничего ему не сказала»: the author gave a caller nothing
_KEPT = frozenset(
    "не_" + action_key(verb)
    for verb in ("называть", "назвать", "сказать", "говорить", "сообщать", "сообщить", "диктовать", "продиктовать")
)
_SECRETS = frozenset(["код", "пароль", "пин", "cvv", "cvc", "пин-код"])
_TELLING = frozenset(["называть", "назвать", "сообщать", "сообщить", "спрашивать", "просить", "диктовать"])


_CONTACTING = frozenset(action_key(verb) for verb in ("писать", "звонить", "обращаться"))
# «фото отправила в поддержку»: a contact only with one of our channels named (`contacted_us`); «отправили
# не тот заказ» is our act, «отправил 85 000 ₽» a transfer
_SENT_TO_US = frozenset(action_key(verb) for verb in ("отправить", "прислать"))
_DELIVERED = frozenset(action_key(verb) for verb in ("привезти", "довезти", "доставить", "приехать"))
_DELIVERED_EN = re.compile(
    r"\b(?:showed up|turned up|arrived|was delivered|got delivered|delivered at|came (?:at|cold|late|after))\b", re.I
)
DAY_MINUTES = 24 * 60
DETAILED_WORDS = 30  # words in a mention that a reply may call detailed («подробно описали»)
_UNHARMED = re.compile(
    # «до того, как сын начал есть»: who ate may stand between; «хорошо, что я открыла контейнер первой»,
    # «хорошо что я всё проверяю перед тем как дать ребёнку»
    r"до\s+того,?\s+как\s+(?:\w+\s+){0,2}?(?:съел\w*|попробовал\w*|ел[аи]?|начал\w*\s+есть)|"
    r"не\s+(?:успел\w*|стал\w*)\s+(?:есть|съесть|пробовать)|хорошо,?\s+что\s+(?:я\s+)?(?:вс[её]\s+)?(?:заметил|увидел|открыл|провер(?:ил|яю))\w*|"
    r"заметил\w*\s+(?:вовремя|сразу)|didn'?t\s+eat|before\s+(?:eating|I\s+ate)|caught\s+it\s+in\s+time",
    re.I,
)
_LEAK = frozenset(["утечка", "утечь", "слить", "откуда", "leak", "leaked", "breach"])
_RESOLVED = frozenset(action_key(verb) for verb in ("решить", "выдать", "оформить", "провести"))
_CONTACTED_EN = re.compile(
    r"\bI(?:'ve| have)?\s+(?:already\s+)?(?:wrote|written|called|contacted|messaged|emailed)\b", re.I
)
_TRIED = frozenset(["дозвониться", "достучаться"])  # «не могу дозвониться»: a try to reach us
# «Чат поддержки ответил «проверим» и замолчал», "support chat went silent": they were written to
_ANSWERED = frozenset(["ответить", "замолчать", "пропасть", "игнорировать", "silent", "ignore", "ignored"])
# «бот отвечает «проверьте спам»», «В чате отвечают шаблонами», "Support chat said 'wait 3 days'":
# what support answered, quoted or told
_SUPPORT_SAID = re.compile(
    r"\b(?:чат\w*|бот\w*|поддержк\w*|оператор\w*|support|chat|operator|hotline)\b[^.!?«\"]{0,40}?"
    r"(?<!не )\b(?:отвеча\w*|ответил\w*|сказал\w*|said|replied|told me|answered)\s*(?::\s*|,?\s*что\s*)?(?:[«\"“']|шаблон)",
    re.I,
)
# what says support did not answer after all: «ответили «проверим» и замолчали», «оператор так и не подключается»
_NO_ANSWER = frozenset(
    ["замолчать", "пропасть", "игнорировать", "игнор", "тишина", "молчать", "не_отвечать", "не_ответить",
     "не_подключаться", "не_подключиться", "silent", "ignore", "ignored", "ghosted"]
)  # fmt: skip
_OUR_CHANNELS = frozenset(
    ["чат", "поддержка", "горячий", "линия", "оператор", "бот", "support", "chat", "hotline", "operator"]
)


def contacted_us(text: str, done: frozenset[str], found: frozenset[str] | set[str]) -> bool:
    """The author says they wrote or called our support («написала в чат», «звонил на горячую линию»,
    «не могу дозвониться на горячую линию», «чат поддержки ответил и замолчал»), or keeps doing so («звоню уже третий раз», «снова пишу вам»)."""
    told = bool(done & (_CONTACTING | _SENT_TO_US) or _CONTACTED_EN.search(text) or set(found) & (_TRIED | _ANSWERED))
    told = told or bool(_SUPPORT_SAID.search(text))
    return (told and bool(set(found) & _OUR_CHANNELS)) or repeated_contact(text)


_DISPUTE = frozenset(["оспаривание", "оспорить", "оспаривать", "dispute"])
_FILING = frozenset(action_key(verb) for verb in ("подать", "написать", "оформить", "оспорить", "оставить"))


def filed_dispute(sentences: Iterable[str]) -> bool:
    """A sentence, not a question, tells the author filed a dispute: «Заявление на оспаривание уже
    написала», «Оспорила операцию»; «Написала в чат, как оспорить операцию?» did not."""
    return any(
        "?" not in sentence and mention_lemmas(sentence) & _DISPUTE and done_actions(sentence) & _FILING
        for sentence in sentences
    )


def kept_quiet(done: frozenset[str]) -> bool:
    """The author says they told the caller nothing: a warning not to tell reads as blame."""
    return bool(done & _KEPT)


def warns_against_telling(sentence: str) -> bool:
    """«Сотрудники никогда не спрашивают коды…», «…если просят назвать код, положите трубку»."""
    found = mention_lemmas(sentence)
    return bool(found & _SECRETS and found & _TELLING)


def requested_items(reply: str) -> set[str]:
    """What a reply asks the author to give: the order number, a phone, a date, an address, …"""
    asked: set[str] = set()
    for sentence in (s.text for s in razdel.sentenize(reply)):
        if _ASKING.search(sentence):
            asked |= {item for item, pattern in REQUESTABLE.items() if pattern.search(sentence)}
    return asked


def named_device(text: str, language: str = "ru") -> str | None:
    """The phone and the app version the author names, as a reply writes them after «ошибку»:
    «на iPhone 12 в версии 5.3.1», «на Samsung Galaxy A52», «в версии 4.2»; None when they
    name neither."""
    model = _MODEL.search(text)
    version = _VERSION.search(text)
    on, at = ("на", "в версии") if language == "ru" else ("on", "in version")
    named = [f"{on} {_as_branded(model.group(0))}" if model else "", f"{at} {version.group(1)}" if version else ""]
    return " ".join(part for part in named if part) or None


def _as_branded(model: str) -> str:
    """«iphone 13» as Apple writes it: «iPhone 13»."""
    return re.sub(r"^i(phone|pad)", lambda found: "i" + found.group(1).capitalize(), model, flags=re.I)


_MODEL = re.compile(
    r"\b(?:iphone(?:\s+(?:\d{1,2}|se|xr|xs|x)(?:\s+(?:pro(?:\s+max)?|mini|plus|max))?)?|ipad(?:\s+\w+)?|"
    r"(?:samsung\s+)?galaxy\s+[a-z]?\d+\w*|samsung\s+[a-z]\d+\w*|(?:xiaomi\s+)?redmi(?:\s+note)?\s+\d+\w*|"
    r"xiaomi\s+\d+\w*|pixel\s+\d+\w*|honor\s+\d+\w*|huawei\s+[a-z]+\s?\d+\w*)",
    re.I,
)
# «обновился до 5.3.1», «версия 5.3», «version 5.3.1»: not a date «25.11.2026»
_VERSION = re.compile(
    r"\b(?:верси\w*(?:\s+приложения)?|обновлени\w*\s+до|обновил\w*\s+до|version|update\s+to|updated\s+to|v)\s*"
    r"(\d{1,2}\.\d{1,2}(?:\.\d{1,3})?)\b",
    re.I,
)
_DEVICE = re.compile(
    r"\b(iphone|ipad|android|samsung|xiaomi|huawei|honor|pixel|redmi|ios\s*\d|версия\s+\d|version\s+\d|v\d+\.\d+|\d+\.\d+\.\d+)",
    re.I,
)


def given_items(text: str, details: dict[str, Detail] | None = None) -> set[str]:
    """What the mention already gives of what a reply might ask for."""
    details = find_details(text) if details is None else details
    given = {role for role in ("order", "earlier_case", "date", "place", "employee") if role in details}
    kinds = {specific.kind for specific in cues.find_specifics(text)}
    given |= {"amount"} & kinds | ({"employee"} if "person" in kinds else set())
    given |= {"date"} & kinds | {"place"} & kinds | {"time"} & kinds  # «в 12:41 и 12:43»: the times of the charges
    sentences = [s.text for s in razdel.sentenize(text)]
    given |= {"photo"} if any(_handed_over(s, _PHOTO, _SENDING, as_told=True) for s in sentences) else set()
    given |= {"documents"} if any(_handed_over(s, _PAPERS, _HANDING) for s in sentences) else set()
    return given | ({"phone"} if cues.has_phone(text) else set()) | ({"device"} if _DEVICE.search(text) else set())


_PHOTO = frozenset(["фото", "фотография", "фотка", "снимок", "скрин", "скриншот"])
_SENDING = frozenset(["отправить", "прислать", "приложить", "прикрепить", "скинуть", "выложить", "прикладывать"])


_PAPERS = frozenset(["документ", "справка", "выписка", "договор", "2-ндфл", "ндфл"])
_HANDING = frozenset(["принести", "передать", "предоставить", "отдать", "подать", "отправить", "прислать", "загрузить"])


def _handed_over(sentence: str, things: frozenset[str], verbs: frozenset[str], as_told: bool = False) -> bool:
    """One of the things handed over by one of the verbs in the past or, with `as_told`, as the
    author tells it («прикладываю фото»): «Фото на весах отправила в поддержку», «Все документы
    принёс в отделение 13.11» are with us; «могу прислать фото» is an offer a reply may take up."""
    parses = [_parses(t.text.lower())[0] for t in razdel.tokenize(sentence) if t.text.isalpha() or "-" in t.text]
    if not things & {p.normal_form for p in parses}:
        return False
    return any(
        p.normal_form in verbs and ("past" in p.tag or (as_told and {"pres", "1per"} <= p.tag.grammemes))
        for p in parses
    )
