"""What a review is about, in words a reply can say back: the things the author praised and
the remark they made, as noun phrases put in the case the reply needs.

«Заказала поке с лососем и сырники … Из минусов — маловато вегетарианских позиций» gives
praised «поке с лососем», «сырники» and the remark «вегетарианские позиции»; a reply says
«спасибо за тёплые слова про поке с лососем и сырники» without asking the author to repeat.
pymorphy3 tells nouns, adjectives and cases; razdel splits sentences and words. Only
Russian: an English review gets the playbook's phrases without these slots.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise

import razdel
from pymorphy3.analyzer import Parse

from assistant import cues
from assistant.models import Minus
from assistant.text.durations import minutes
from assistant.text.normalize import morph

# A sentence with one of these is the author's remark, not their praise («из минусов…», «но…»);
# a remark named as one («из пожеланий — …») wins over a «но» («опоздали, но сами прислали промокод»).
REMARK_WORDS = frozenset([
    "минус", "жаль", "хотеться", "недостаток", "маловато", "мало", "пожелание",
    "добавить", "пожелать", "хватать",  # «не хватает тёмной темы»
])  # fmt: skip
BUT_WORDS = frozenset(["но", "однако"])
# «Единственное, что…», «единственное — хотелось бы…», «единственный минус»: not «единственная доставка, которая сюда возит»
_GOOD_WISHES = frozenset(["приятный", "хороший", "удача", "успех", "здоровье", "всего", "добрый"])
_ONLY_REMARK_NEXT = frozenset([",", "—", "–", "-", ":", "что", "минус", "недостаток", "замечание", "пожелание"])


def names_a_remark(lemmas: list[str]) -> bool:
    """The sentence (its lemmas in order) names a remark: «из минусов…», «не хватает…»,
    «единственное, что…»."""
    if set(lemmas) & (REMARK_WORDS - {"пожелать"}):
        return True
    # «пожелаю добавить тёмную тему» is a wish for us; «пожелал приятного аппетита» the courier's kindness
    if any(word == "пожелать" and following not in _GOOD_WISHES for word, following in pairwise([*lemmas, ""])):
        return True
    return any(word == "единственный" and following in _ONLY_REMARK_NEXT for word, following in pairwise(lemmas))


def _but_at(lemmas: list[str]) -> int | None:
    """Where the sentence turns to a minus: its «но», «однако», or a «Только» or «А вот» opening it
    («Только соус забыли положить»; not «Только что привезли»; «А вот на сделке ждали 1,5 часа»)."""
    if (lemmas[:1] == ["только"] and lemmas[1:2] != ["что"]) or lemmas[:2] == ["а", "вот"]:
        return 0
    return next((at for at, word in enumerate(lemmas) if word in BUT_WORDS), None)


def _star_taken(lemmas: set[str]) -> bool:
    """«Звезду снимаю за то, что…», «минус балл за…»: the rating's lost star names a remark."""
    return "звезда" in lemmas and bool(lemmas & {"снять", "снимать", "минус", "убрать"})


# Nouns that name no thing a reply could thank for: time, quantity, the order itself, people
# in general, places, the review, and problems («ни одной задержки» praises, but not the delay).
GENERIC_NOUNS = frozenset([
    "раз", "время", "день", "вечер", "утро", "ночь", "неделя", "месяц", "год", "час", "минута", "секунда",
    "полчаса", "сутки", "выходной", "заказ", "доставка", "сервис", "компания", "служба", "отзыв", "спасибо", "благодарность", "слово",
    "впечатление", "человек", "люди", "друг", "подруга", "муж", "жена", "ребёнок", "ребенок", "сын", "дочь", "мама",
    "семья", "коллега", "офис", "дом", "квартира", "адрес", "район", "город", "место", "улица", "работа", "комментарий",
    "сообщение", "количество", "штука", "рубль", "сумма", "деньга", "цена", "минус", "плюс", "момент", "вещь", "всё",
    "весь", "раза", "задержка", "опоздание", "проблема", "ошибка", "жалоба", "претензия", "замечание", "недостаток", "итог", "целое",
    "пожелание", "звезда",
    "общее", "вариант", "сторона", "случай", "рождение", "огонь", "бомба", "класс", "супер", "восторг", "кайф", "топ",
    "шедевр", "пушка", "любовь", "радость", "удовольствие", "беда", "ерунда", "ужас", "кошмар", "косяк", "засада",
])  # fmt: skip
# A clause with one of these praises what it names first («бизнес-ланчи честно сытные»).
PRAISE_WORDS = frozenset([
    "вкусный", "вкусно", "понравиться", "нравиться", "обожать", "любить", "огонь", "бомба", "отличный", "отлично", "лучший", "шикарный",
    "супер", "класс", "классный", "удобный", "удобно", "быстрый", "быстро", "свежий", "горячий", "сочный", "сытный", "честно",
    "честный", "спасибо", "благодарить", "благодарность", "молодец", "рекомендовать", "идеальный", "идеально", "прекрасный", "замечательный", "восторг", "кайф",
    "топ", "хороший", "хорошо", "приятный", "приятно", "вежливый", "тёплый", "аккуратный", "аккуратно", "нежный", "ароматный", "хрустящий",
    "выручить", "помочь", "спасти", "порадовать", "радовать", "понятный", "простой", "щедрый", "любимый",
    "мгновенный", "мгновенно", "моментально", "моментальный", "вовремя", "оперативно", "оперативный", "легко",
    "выгодный", "надёжный", "внимательный", "профессиональный", "уютный",
])  # fmt: skip
QUICK_UNITS = frozenset(["секунда", "минута", "мгновение"])  # «открыл вклад за пару минут» praises the deposit
# The customer's dealings with support, not a thing that went wrong («обращение открыто»).
CASE_NOUNS = frozenset(["обращение", "заявка", "ответ", "вопрос", "статус", "запрос"])
MAX_PRAISED = 3
MAX_COMPLAINED = 2
_PREPOSITIONS_WITH = {"с": "ablt", "со": "ablt", "без": "gent"}  # «поке с лососем», «блюда без глютена»
_OBLIQUE_ENDING = re.compile(r"(ом|ем|ой|ей|ам|ям|ах|ях|ами|ями|у|ю)$")


@dataclass(frozen=True)
class ReviewPoints:
    praised: list[str]  # noun phrases in the accusative («про поке с лососем»)
    remark: str | None  # the remark's first thing, in the accusative; "" when it names none («но курьер опоздал»)


def review_points(text: str, brand_words: frozenset[str] = frozenset(), liked_only: bool = False) -> ReviewPoints:
    """The praised things and the remark of a (mostly positive) review. `liked_only`: a thing
    praised only for coming on time («Еду привезли вовремя, но…») is none: a complaint is not
    thanked for «добрые слова про еду»."""
    praised: list[str] = []
    remarks: dict[bool, str | None] = {True: None, False: None}  # named as a remark, or after «но»
    for sentence in razdel.sentenize(text):
        parses = _counted(_adjectives_read(_after_genitive_prepositions(sentence.text)))
        lemmas = {p.normal_form for p in parses}
        but = _but_at([p.normal_form for p in parses])
        named = names_a_remark([p.normal_form for p in parses]) or _star_taken(lemmas)
        if named or but is not None:
            after = parses if named or but is None else parses[but + 1 :]  # «роллы свежие, но курьер опоздал»
            found = next(
                (_accusative(after[a:b]) for a, b in _phrase_spans(after, brand_words) if _remarked(after, a, b)), ""
            )  # «но курьер опоздал»: no thing; «но потом…» is no «пот»
            remarks[named] = remarks[named] or found
            if named or but is None:
                continue
            parses = parses[:but]  # what comes before the «но» may praise
        for at, clause in enumerate(_clauses(parses)):
            for thing in _praised_things(clause, brand_words, opening=at == 0, liked_only=liked_only):
                if thing not in praised:
                    praised.append(thing)
    remark = remarks[True] or remarks[False] or next((r for r in remarks.values() if r is not None), None)
    capitals = {  # abbreviations the author capitalised («ПИН», «СБП»), not a review typed in capitals
        part.lower(): part
        for t in razdel.tokenize(text)
        for part in t.text.split("-")
        if 1 < len(part) <= ABBREVIATION and part.isupper()
    }
    return ReviewPoints(
        praised=[_cased(thing, capitals) for thing in praised[:MAX_PRAISED]],
        remark=_cased(remark, capitals) if remark else remark,
    )


def _remarked(parses: list[Parse], start: int, end: int) -> bool:
    """The phrase can be what a remark is about: a likely noun, not one telling when or where
    («в обеденный пик приложение тупит» is about the app, not the rush hour), nor a trifle."""
    when = start > 0 and parses[start - 1].word in _WHEN_OR_WHERE
    return _likely_noun(parses[start:end]) and not when and parses[end - 1].normal_form not in _NO_THING


# «в обеденный пик», «на главной», «по вечерам»: when or where the minus shows, not what it is about
# («минус звезда за тёмную тему» is about the theme)
_WHEN_OR_WHERE = frozenset(
    ["в", "во", "на", "по", "при", "через", "к", "ко", "до", "после", "in", "at", "on", "during"]
)
_NO_THING = frozenset(["мелочь", "мелочи", "ерунда", "пустяк", "пора"])  # «но это мелочи», «до сих пор»


# «ребятам из поддержки»: the noun after these is in the genitive, one support team, not «поддержки» many
_GENITIVE_PREPOSITIONS = frozenset(["из", "от", "у", "для", "без", "до", "после"])


def _after_genitive_prepositions(sentence: str) -> list[Parse]:
    words = [token.text for token in razdel.tokenize(sentence)]
    return [
        _genitive(word) if i and words[i - 1].lower() in _GENITIVE_PREPOSITIONS else _parse(word)
        for i, word in enumerate(words)
    ]


def service_named(text: str, keywords: list[str], brand_words: frozenset[str] = frozenset()) -> str:
    """The first thing the text names whose noun is one of the brand's topic words, in the
    accusative: what a review that praises how it went, not a thing («кэшбэк пришёл до 10-го,
    как и обещали. приятно»; «Открыл вклад через приложение… Прозрачно»), is about. "" when none."""
    stems = tuple(word.lower() for word in keywords if " " not in word and not word.isascii())
    for sentence in razdel.sentenize(text):
        parses = [_parse(token.text) for token in razdel.tokenize(sentence.text)]
        for phrase in noun_phrases(parses, brand_words):
            head = _head(phrase)
            if head.normal_form.startswith(stems) or head.word.lower().startswith(stems):
                return _accusative(phrase)
    return ""


ABBREVIATION = 4  # letters at most of a word in capitals read as an abbreviation
QUANTITY_WORDS = frozenset(["много", "мало", "немного", "маловато", "многовато", "больше", "меньше", "полно"])


def _counted(parses: list[Parse]) -> list[Parse]:
    """A noun after a word of quantity read in the genitive it takes: «много пластика» is
    «пластик», not «пластика»."""
    counted = list(parses)
    for i in range(1, len(parses)):
        if parses[i - 1].word.lower() in QUANTITY_WORDS and "NOUN" in parses[i].tag and parses[i].tag.case != "gent":
            genitive = next((p for p in morph().parse(parses[i].word) if {"NOUN", "gent"} <= p.tag.grammemes), None)
            counted[i] = genitive or parses[i]
    return counted


def _adjectives_read(parses: list[Parse]) -> list[Parse]:
    """A word read as a noun made of an adjective («горячее», «первое») read as the adjective
    when the noun after it agrees with that: «горячие пельмени» are dumplings."""
    read = list(parses)
    for i in range(len(parses) - 1):
        if "NOUN" not in parses[i].tag or "NOUN" not in parses[i + 1].tag:
            continue
        adjective = next((p for p in _readings(parses[i].word) if "ADJF" in p.tag), None)
        if adjective is not None and _agrees(adjective, parses[i + 1]):
            read[i] = adjective
    return read


def _cased(phrase: str, capitals: dict[str, str]) -> str:
    """The author's capitals kept: «сменить ПИН» is remarked «про ПИН», not «про пин»."""
    return " ".join("-".join(capitals.get(part, part) for part in word.split("-")) for word in phrase.split())


def _praised_things(
    clause: list[Parse], brand_words: frozenset[str], opening: bool, liked_only: bool = False
) -> list[str]:
    """What the clause praises, in the accusative: its first thing («роллы свежие») and each
    further one with a praise word of its own («сырники, свежий салат и горячий суп»; a person,
    «вежливые курьеры», is thanked by the playbook, not named here), a portion called big («порции большие»), or the quality a bare adverb opening a
    sentence praises («Вкусно, …» is the taste; «Пользуюсь кэшбэком год, очень удобно» praises
    the cashback). A noun's complement («оператора поддержки»), a place («до пятого этажа») or
    what a deed was done to («вернула баллы») is no thing praised."""
    quick = _done_quickly(clause)  # «выбрал категории кэшбэка за 30 секунд»: the deed's object is praised
    spans = [
        span
        for span in _phrase_spans(clause, brand_words)
        if _own_thing(clause, span, quick) and not _likeliest_a_verb(clause[span[0] : span[1]])
    ]
    lemmas = {p.normal_form for p in clause}
    big_portion = bool(spans) and bool(lemmas & BIG) and clause[spans[0][1] - 1].normal_form in PORTION
    if spans and (_clause_praises(clause, liked_only) or big_portion):
        return [_praised_as_said(clause, start, end) for start, end in _listed(clause, spans)]
    if opening and not spans and sum(p.word.isalpha() for p in clause) <= BARE_PRAISE_WORDS:
        quality = " и ".join(QUALITY_OF[p.normal_form] for p in clause if p.normal_form in QUALITY_OF)
        return [quality] if quality else []
    return []


def _listed(clause: list[Parse], spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The first thing and each further one with a praise word of its own, or joined to the
    first by «и» or a comma when the praise comes before them all («Обожаю сырники и борщ»)."""
    first, *rest = spans
    governed = any(p.normal_form in PRAISE_WORDS for p in clause[: first[0]])
    listed, chain_end = [first], first[1]
    for start, end in rest:
        joined = governed and chain_end is not None and all(p.word in _JOINERS for p in clause[chain_end:start])
        if joined or _praise_word_of_its_own(clause[start:end]):
            listed.append((start, end))
        chain_end = end if joined else None
    return listed


_JOINERS = frozenset(["и", ","])
_OBJECT_PREPOSITIONS = frozenset(["за", "про"])  # «спасибо за идеальный рамен»: the author's accusative


def _own_thing(clause: list[Parse], span: tuple[int, int], quick: bool) -> bool:
    """The phrase is not a noun's complement, sits after a preposition only in the accusative
    («спасибо за рамен», «позвонила на горячую линию», not «до пятого этажа»), and is no verb's
    object unless the verb praises or the deed was quick."""
    start, end = span
    if _object_lead(clause, start) is not None:
        return True
    before = clause[start - 1] if start else None
    if before is None:
        return True
    likeliest = _likeliest(before.word)  # «и» is no abbreviation here
    if "PREP" in likeliest.tag:
        head = next(p for p in clause[start:end] if "NOUN" in p.tag)
        return any(p.tag.case == "accs" for p in _readings(head.word) if p.normal_form == head.normal_form)
    if {"VERB", "INFN"} & likeliest.tag.grammemes:  # «вернула баллы» tells a deed; «обожаю роллы» praises
        return quick or likeliest.normal_form in PRAISE_WORDS
    return "NOUN" not in likeliest.tag


def _praise_word_of_its_own(phrase: list[Parse]) -> bool:
    return any("ADJF" in p.tag and p.normal_form in PRAISE_WORDS for p in phrase)


def _praised_as_said(clause: list[Parse], start: int, end: int) -> str:
    """After «за» or «про» the author already wrote it in the accusative: kept as written (an
    unknown dish is not declined by a guess: «рамен», not «рамена»)."""
    lead = _object_lead(clause, start)
    if lead is not None:
        return " ".join(p.word for p in clause[lead:end])
    if start and clause[start - 1].word.lower() in _GENITIVE_PREPOSITIONS:  # «из поддержки»: one support team
        return _accusative(clause[start:end])
    return _accusative(_as_written(clause[start:end]))


def _object_lead(clause: list[Parse], start: int) -> int | None:
    """Where the phrase starts after «за» or «про», with the adjectives the dictionary could not
    agree with a noun it reads wrong («за идеальный рамен»); None after anything else."""
    while start and "ADJF" in _likeliest(clause[start - 1].word).tag:
        start -= 1
    return start if start and clause[start - 1].word.lower() in _OBJECT_PREPOSITIONS else None


def listing(things: list[str]) -> str:
    """«A», «A и B», «A, B и C»."""
    return ", ".join(things[:-1]) + " и " + things[-1] if len(things) > 1 else "".join(things)


BIG = frozenset(["большой", "больший", "огромный"])  # pymorphy3 reads «большие» as «больший»
PORTION = frozenset(["порция", "порционный"])
BARE_PRAISE_WORDS = 3  # «Вкусно», «Очень быстро»: a clause this short praising with no thing named
QUALITY_OF = {"вкусно": "вкус", "быстро": "скорость", "удобно": "удобство", "вежливо": "вежливость"}


# A praise word that is part of a name, not a judgement: «горячая линия», «система быстрых платежей».
TERMS = {"горячий": frozenset(["линия"]), "быстрый": frozenset(["платёж", "платеж"])}


def _clause_praises(clause: list[Parse], liked_only: bool = False) -> bool:
    """A praise word, or a thing done in seconds or minutes («за пару минут», «за 30 секунд»);
    `liked_only`: a praise word beyond speed and punctuality."""
    lemmas = [p.normal_form for p in clause]
    in_terms = {word for word, after in pairwise(lemmas) if after in TERMS.get(word, ())}
    if liked_only:
        return bool(set(lemmas) & PRAISE_WORDS - in_terms - ON_TIME)
    return _done_quickly(clause) or bool(set(lemmas) & PRAISE_WORDS - in_terms)


# Praise of speed and punctuality: «привезли вовремя» tells how a delivery went, no liking
ON_TIME = frozenset(
    ["вовремя", "быстро", "быстрый", "оперативно", "оперативный", "моментально", "моментальный", "мгновенно",
     "мгновенный"]
)  # fmt: skip


def _done_quickly(clause: list[Parse]) -> bool:
    lemmas = [p.normal_form for p in clause]
    return any(word == "за" and QUICK_UNITS & set(lemmas[i + 1 : i + 4]) for i, word in enumerate(lemmas))


def plus_and_minus(text: str) -> tuple[bool, Minus | None]:
    """Whether the mention praises something, and the minus it names, however calmly (a «но»,
    «однако» or a remark, «из минусов…»): a problem when what follows tells it with a figure,
    a date or a time («пришло 280 ₽», «очередь около получаса»), else a remark."""
    points = review_points(text)
    if points.remark is None:
        return bool(points.praised), None
    minus = minus_text(text)
    told = {specific.kind for specific in cues.find_specifics(minus)}
    problem = (told & PROBLEM_DETAILS and not _habitual(minus)) or _narrated(minus)
    return bool(points.praised), Minus.problem if problem else Minus.remark


PROBLEM_DETAILS = cues.STRONG_DETAILS - {"place"}  # «в отделении на Тверской» tells no problem
NARRATED_VERBS = 3  # «пришлось приходить три раза: то не привезли, то сотрудник ушёл»: a story of what went wrong


def _narrated(minus: str) -> bool:
    """The minus is told as a story of what happened, in verbs in the past, not as a wish
    («не хватает тёмной темы») or a passing remark («но курьер опоздал»)."""
    past = [t for t in razdel.tokenize(minus) if {"VERB", "past"} <= _parse(t.text).tag.grammemes]
    return len(past) >= NARRATED_VERBS


def _habitual(minus: str) -> bool:
    """The minus tells how things usually go, in the present, and nothing that happened: «в обед
    везут долго, минут 70, поэтому заказываю заранее» is a remark the author has learnt to live
    with; «ждала 1 000 ₽, пришло 280 ₽» is a case to look into."""
    tags = [_parse(t.text).tag for t in razdel.tokenize(minus)]
    verbs = [tag for tag in tags if "VERB" in tag.grammemes]
    return any("pres" in tag.grammemes for tag in verbs) and not any("past" in tag.grammemes for tag in verbs)


def minus_text(text: str) -> str:
    """The text from its minus on: the words after the first «но», or the remark's sentence, and
    every sentence after it."""
    for i, sentence in enumerate(sentences := [s.text for s in razdel.sentenize(text)]):
        words = [token.text for token in razdel.tokenize(sentence)]
        lemmas = [_parse(word).normal_form for word in words]
        but = _but_at(lemmas)
        if but is not None or names_a_remark(lemmas):
            start = " ".join(words[but + 1 :]) if but is not None else sentence
            return " ".join([start, *sentences[i + 1 :]])
    return ""


def complained_things(sentence: str, known: frozenset[str], brand_words: frozenset[str] = frozenset()) -> str:
    """What a complaint's sentence is about, in the accusative: the subject of each clause (the
    first thing-naming noun phrase in the nominative) whose noun the situation's own examples
    use (`known` lemmas), two at most («суп тыквенный еле тёплый, картошка как резина» → «суп
    и картошку»; «без звонка» names no thing that went wrong); "" when none."""
    parses = [_parse(token.text) for token in razdel.tokenize(sentence)]
    things: list[str] = []
    for clause in _clauses(parses):
        first = next(iter(noun_phrases(clause, brand_words)), None)
        head = next((p for p in first or [] if "NOUN" in p.tag), None)
        named = head is not None and head.tag.case == "nomn" and head.normal_form in known - CASE_NOUNS
        if first and named and (thing := _accusative(first)) not in things:
            things.append(thing)
    return " и ".join(things[:MAX_COMPLAINED])


# What a missing item is said with: «забыли положить морс», «пельменей не оказалось», «в пакете нет».
ABSENT_WORDS = frozenset(["забыть", "недоложить", "нет", "отсутствовать"])
NOT_THERE_VERBS = frozenset(["положить", "доложить", "привезти", "быть", "оказаться", "хватать", "прийти", "приехать"])
# Where a missing thing was looked for, or what proves it was ordered: never the thing itself.
NOT_ITEMS = frozenset([
    "пакет", "чек", "сумка", "коробка", "приложение", "чат", "фото", "фотография", "меню", "кухня", "ресторан",
    "курьер", "оплата", "состав", "список", "корзина", "история",
    # what came instead of a reply or a dish is no dish: «заказал пиццу, а получил промокод»
    "промокод", "балл", "скидка", "ответ", "сообщение", "уведомление", "компенсация", "извинение",
])  # fmt: skip


def missing_thing(text: str, brand_words: frozenset[str] = frozenset()) -> str:
    """What the author says was left out of the order, in the accusative a reply says it in
    («забыли положить морс клюквенный» → «морс клюквенный»; «пельменей в пакете не
    оказалось» → «пельмени»; «не положили палочки и соевый соус» → «палочки и соевый соус»):
    the thing nearest the words that tell it is missing, in their clause or, when the clause
    names none («в пакете его нет»), in their sentence; after «забыли», only what follows it
    («забыли про нас» names nothing); "" when none is told."""
    for sentence in razdel.sentenize(text):
        parses = [_parse(token.text) for token in razdel.tokenize(sentence.text)]
        at = _absence_at(parses)
        if at is None:
            continue
        start, end = _clause_around(parses, at)
        without = parses[at].word == "без"
        if without:  # «без соуса и без хлеба»: the thing after «без» is in the genitive
            parses = [_genitive(p.word) if i and parses[i - 1].word == "без" else p for i, p in enumerate(parses)]
        scopes = [(at, end)] if parses[at].normal_form == "забыть" or without else [(start, end), (0, len(parses))]
        for low, high in scopes:
            if spans := _item_spans(parses, low, high, brand_words):
                nearest = min(spans, key=lambda span: abs(span[0] - at))
                joined = _with_next(nearest, spans, parses)
                return " и ".join(_item_accusative(parses, span, high, as_written=not without) for span in joined)
    return ""


# What a swapped dish is told with: «заказывала пасту карбонара, а привезли пасту с грибами».
MIN_NAME_LETTERS = 3
ORDERED_VERBS = frozenset(["заказать", "заказывать", "брать", "взять"])
CAME_VERBS = frozenset(
    ["привезти", "привозить", "принести", "положить", "приехать", "прийти", "доставить", "прислать", "получить"]
)


def swapped_dish(text: str, brand_words: frozenset[str] = frozenset()) -> tuple[str, str]:
    """What the author ordered and what came in its place, each in the accusative a reply says
    it in: («пасту карбонара», «пасту с грибами») for «заказывала пасту карбонара, а привезли
    пасту с грибами»; («пиццу пепперони», "") for «вместо пиццы пепперони приехала маргарита»,
    where the dish after «вместо» is sure and the other may be a name. ("", "") when no swap is
    told; «заказал борщ и котлеты, а привезли только борщ» is a missing dish, not a swap."""
    for sentence in razdel.sentenize(text):
        parses = [_parse(token.text) for token in razdel.tokenize(sentence.text)]
        lowered = [parse.word for parse in parses]  # pymorphy3 gives each word in lower case
        if "вместо" in lowered and (ordered := _instead_of(parses, lowered.index("вместо"), brand_words)):
            return ordered, ""
        if "только" not in lowered and (pair := _ordered_then_came(parses, brand_words)):
            return pair
    return "", ""


def _instead_of(parses: list[Parse], at: int, brand_words: frozenset[str]) -> str:
    """The dish named right after «вместо», read in the genitive («пиццы» is one pizza)."""
    parses = [*parses[: at + 1], *(_genitive(p.word) for p in parses[at + 1 : at + 2]), *parses[at + 2 :]]
    end = _clause_around(parses, at)[1]
    spans = _item_spans(parses, at + 1, end, brand_words)
    return _item_accusative(parses, spans[0], end, as_written=False) if spans and spans[0][0] == at + 1 else ""


def _ordered_then_came(parses: list[Parse], brand_words: frozenset[str]) -> tuple[str, str] | None:
    ordered_at = next((i for i, p in enumerate(parses) if p.normal_form in ORDERED_VERBS), None)
    if ordered_at is None:
        return None
    came_at = next((i for i, p in enumerate(parses) if i > ordered_at and p.normal_form in CAME_VERBS), None)
    if came_at is None:
        return None
    ordered = _item_spans(parses, ordered_at + 1, came_at, brand_words)
    if ordered and (came_as := _with_other_filling(parses, ordered[0], came_at)):
        return _item_accusative(parses, ordered[0], came_at), came_as
    came = _item_spans(parses, came_at + 1, len(parses), brand_words)
    if not (ordered and came):
        return None
    pair = _item_accusative(parses, ordered[0], came_at), _item_accusative(parses, came[0], len(parses))
    return pair if pair[0] != pair[1] else None


def _with_other_filling(parses: list[Parse], ordered: tuple[int, int], came_at: int) -> str:
    """«заказывала боул с лососем, а привезли с курицей»: the dish that came is the one ordered
    with another «с …» («боул с курицей»); "" when the words after the verb are not one."""
    after = parses[came_at + 1 : came_at + 3]
    case = _PREPOSITIONS_WITH.get(after[0].word) if len(after) == 2 else None
    if case is None or not _is_noun(after[1], case):
        return ""
    head = next(p for p in parses[ordered[0] : ordered[1]] if "NOUN" in p.tag)
    return f"{_accusative([head])} {after[0].word} {after[1].word}"


def _genitive(word: str) -> Parse:
    return next((p for p in morph().parse(word) if {"NOUN", "gent"} <= p.tag.grammemes), None) or _parse(word)


def _item_spans(parses: list[Parse], low: int, high: int, brand_words: frozenset[str]) -> list[tuple[int, int]]:
    """Where the things an order holds are named between `low` and `high`."""
    return [
        (low + a, low + b)
        for a, b in _phrase_spans(parses[low:high], brand_words)
        if _likely_noun(parses[low + a : low + b])
        and _an_item(parses[low + a : low + b])
        and not (low + a > 0 and parses[low + a - 1].normal_form in DEGREE_WORDS)
    ]


# «самый дорогой», «очень горячий»: what follows is an adjective, however it may read as a noun («дорогой»)
DEGREE_WORDS = frozenset(["самый", "очень", "слишком", "такой", "совсем", "наиболее"])


def _absence_at(parses: list[Parse]) -> int | None:
    """Where the sentence says something is missing: «забыли», «нет», «не положили», «привезли
    без соуса» (not «привезли без опоздания»: a thing, not how it went)."""
    for index, parse in enumerate(parses):
        negated = index > 0 and parses[index - 1].word.lower() == "не"
        if parse.normal_form in ABSENT_WORDS or (negated and parse.normal_form in NOT_THERE_VERBS):
            return index
        if parse.word == "без" and _came_without(parses, index):
            return index
    return None


def _came_without(parses: list[Parse], at: int) -> bool:
    """«Привезли без соуса»: «без» in the clause of a verb of coming, before a thing."""
    start, _ = _clause_around(parses, at)
    came = any(p.normal_form in CAME_VERBS for p in parses[start:at])
    following = parses[at + 1] if at + 1 < len(parses) else None
    return came and following is not None and following.normal_form not in NOT_WITHOUT


# What an order may come without that is no thing in it: «привезли без опоздания»
NOT_WITHOUT = frozenset([
    "опоздание", "задержка", "проблема", "вопрос", "предупреждение", "звонок", "извинение", "ошибка", "замечание",
    "очередь", "сдача", "претензия", "происшествие", "приключение", "повод",
])  # fmt: skip


_CLAUSE_MARKS = (",", ";", ":", "—")


def _clause_around(parses: list[Parse], at: int) -> tuple[int, int]:
    start = max((i + 1 for i in range(at) if parses[i].word in _CLAUSE_MARKS), default=0)
    end = next((i for i in range(at, len(parses)) if parses[i].word in _CLAUSE_MARKS), len(parses))
    return start, end


def _an_item(phrase: list[Parse]) -> bool:
    head = _head(phrase)
    return head.normal_form not in NOT_ITEMS


def _with_next(span: tuple[int, int], spans: list[tuple[int, int]], parses: list[Parse]) -> list[tuple[int, int]]:
    """The phrase and the one joined to it by «и» («соус и палочки»)."""
    joined = span[1] < len(parses) and parses[span[1]].word.lower() == "и"
    # «без соуса и без приборов»: the preposition said again
    skip = 2 if span[1] + 1 < len(parses) and parses[span[1] + 1].word == "без" else 1
    following = next((s for s in spans if s[0] == span[1] + skip), None)
    return [span, following] if following and joined else [span]


def _item_accusative(parses: list[Parse], span: tuple[int, int], limit: int, as_written: bool = True) -> str:
    """The phrase in the accusative, with the words after it that still name it: an adjective
    agreeing with it («морс клюквенный»), a word the dictionary does not know («терияки») or
    one that never declines («пепперони»). With `as_written`, a head that may be a plural is one
    («не положили палочки»: the sticks, not one)."""
    phrase = parses[span[0] : span[1]]
    phrase = _as_written(phrase) if as_written else phrase
    head = _head(phrase)
    words = [_accusative(phrase)]
    for parse in parses[span[1] : limit]:
        if _agrees(parse, head):
            words.append(_agreeing_accusative(parse, head))
        elif parse.word.isalpha() and parse.word.islower() and (not parse.is_known or _never_declines(parse)):
            words.append(parse.word)
        else:
            break
    return " ".join(words)


def _never_declines(parse: Parse) -> bool:
    """«пепперони» as part of a dish's name; not a letter («и» read as a noun)."""
    return "Fixd" in parse.tag and len(parse.word) > MIN_NAME_LETTERS


def _as_written(phrase: list[Parse]) -> list[Parse]:
    """The phrase with its head read as a plural nominative or accusative when the author's
    form can be one and the reading taken is an oblique singular («выбрал категории» are
    categories, not «категорию»; «не положили палочки»)."""
    head = _head(phrase)
    plural = _plural_reading(head) if head.tag.case not in ("nomn", "accs") else None
    return [plural if p is head else p for p in phrase] if plural is not None else phrase


def _plural_reading(head: Parse) -> Parse | None:
    """The word's plural nominative or accusative reading, when it has one besides the one taken."""
    if head.tag.number == "plur":
        return None
    readings = morph().parse(head.word)
    return next(
        (
            p
            for p in readings
            if "NOUN" in p.tag
            and p.tag.number == "plur"
            and p.tag.case in ("nomn", "accs")
            and p.normal_form == head.normal_form
        ),
        None,
    )


def _agreeing_accusative(adjective: Parse, head: Parse) -> str:
    """The adjective in the accusative, agreeing with its noun in number, gender and animacy."""
    number = head.tag.number or "sing"
    gender = {head.tag.gender} if number == "sing" and head.tag.gender else set()
    return _inflect(adjective, {"accs", number, head.tag.animacy or "inan"} | gender)


def asked_about(question: str, brand_words: frozenset[str] = frozenset()) -> str:
    """What a question asks about, in the accusative after «про»: its first thing-naming noun
    phrase («а сдачу с 5000 курьер даст?» → «сдачу», «можно ли с материнским капиталом?» →
    «материнский капитал»); "" when it names none («до скольки работаете?», «до какого числа
    действует?»: «про число» is no subject; «если закрою раньше?»: «закрой» is a tailor's noun)."""
    parses = [_parse(token.text) for token in razdel.tokenize(question)]
    first = next((p for p in noun_phrases(parses, brand_words) if _likely_noun(p) and _names_subject(p)), None)
    return _accusative(first) if first else ""


def _head(phrase: list[Parse]) -> Parse:
    """The noun a noun phrase is about («свежий салат» → «салат»)."""
    return next(p for p in phrase if "NOUN" in p.tag)


def _likeliest_a_verb(phrase: list[Parse]) -> bool:
    """The phrase's head reads as a noun only when a noun is looked for: «забрал» is no «забрало»."""
    head = _head(phrase)
    return bool({"VERB", "INFN"} & _likeliest(head.word).tag.grammemes)


def _names_subject(phrase: list[Parse]) -> bool:
    head = _head(phrase)
    return not reads_as_verb(head.word) and head.normal_form not in WHEN_NOUNS


@lru_cache(maxsize=65_536)
def reads_as_verb(word: str) -> bool:
    """Some reading of the word is a verb: «закрою» is «закрой» the noun only in a tailor's shop."""
    return any({"VERB", "INFN"} & p.tag.grammemes for p in morph().parse(word.lower()))


def surely_noun(word: str) -> bool:
    """A noun by its likeliest reading and by none a verb: «статус», not «закрою»."""
    return len(word) > 2 and "NOUN" in _likeliest(word.lower()).tag and not reads_as_verb(word)


WHEN_NOUNS = frozenset(["число", "день", "момент"])  # «до какого числа», «на какой день»: when, not what


def _likely_noun(phrase: list[Parse]) -> bool:
    """The phrase's head is a noun by its likeliest reading («кому» is a pronoun, not «кома»)
    and names a thing, not the asking itself («по этому вопросу»)."""
    head = _head(phrase)
    return "NOUN" in _likeliest(head.word).tag and head.normal_form not in CASE_NOUNS


def _clauses(parses: list[Parse]) -> list[list[Parse]]:
    """The sentence cut at commas and semicolons (a dash joins «том ям — огонь»)."""
    clauses: list[list[Parse]] = [[]]
    for parse in parses:
        if parse.word in (",", ";"):
            clauses.append([])
        else:
            clauses[-1].append(parse)
    return [c for c in clauses if c]


def noun_phrases(parses: list[Parse], brand_words: frozenset[str] = frozenset()) -> list[list[Parse]]:
    """Each thing-naming noun with the adjectives before it and a «с …» or «без …» after it
    («поке с лососем», «вегетарианских позиций», «блюд без глютена»)."""
    return [parses[start:end] for start, end in _phrase_spans(parses, brand_words)]


def _phrase_spans(parses: list[Parse], brand_words: frozenset[str]) -> list[tuple[int, int]]:
    """Where `noun_phrases` stand, as (start, end) slices."""
    found: list[tuple[int, int]] = []
    taken = -1
    for index, parse in enumerate(parses):
        if index <= taken or not _names_a_thing(parse, brand_words):
            continue
        start = index
        while start > 0 and start - 1 > taken and _agrees(parses[start - 1], parse):
            start -= 1
        end = index + 1
        with_case = _PREPOSITIONS_WITH.get(parses[end].word) if end + 1 < len(parses) else None
        if with_case and _is_noun(parses[end + 1], with_case):
            end += 2
        elif end < len(parses) and _complement(parses[end], brand_words):  # «категории кэшбэка»
            end += 1
        found.append((start, end))
        taken = end - 1
    return found


# A quality put in quotes: «горячий» суп, 'hot' ramen, «бесплатный» перевыпуск
_QUOTED = re.compile(r"[«\"“']([^»\"”'\n]{2,30})[»\"”']")
_QUALITY_TAGS = ({"ADJF"}, {"ADJS"}, {"PRTF"}, {"ADVB"})
_BUT_AFTER = re.compile(r"^[^.!?]*\b(но|однако|but)\b", re.I)


def scare_quoted(text: str) -> str | None:
    """A quality the author puts in quotes, as a claim they do not believe: «горячий» суп that
    came cold, the «персональный» manager never heard from. A single lower-case adjective,
    participle or adverb (no «Кедр Онлайн», no «Оформить заказ», no words quoted as said:
    «пожелал «приятного аппетита»»), with no «но» after it in its sentence: «не верила в
    «быструю» доставку, но привезли за 40 минут» takes the quote back."""
    for quoted in _QUOTED.finditer(text):
        word = quoted.group(1)
        if " " in word or not word[:1].islower() or _BUT_AFTER.match(text[quoted.end() :]):
            continue
        if word.isascii() or any(tags <= _likeliest(word).tag.grammemes for tags in _QUALITY_TAGS):
            return quoted.group(0)  # 'hot' ramen: an English word in quotes is read so too
    return None


def promise_outrun(text: str) -> str | None:
    """A term the author quotes, as they were promised it, and then says has long run out: the
    transfer that goes «один рабочий день» уже четвёртый, the «30 минут» that are already two hours."""
    for quoted in _QUOTED.finditer(text):
        after = text[quoted.end() : quoted.end() + OUTRUN_REACH]
        if len(quoted.group(1).split()) <= 4 and minutes(quoted.group(1)) and _ALREADY.search(after):
            return quoted.group(0)
    return None


def thanked_for_a_defect(text: str) -> str | None:
    """Thanks whose object is a defect, as only sarcasm thanks: «Спасибо за новое блюдо в меню:
    ледяной борщ», «спасибо за сырую курицу», «thanks for the cold soup». The defect word comes
    after the thanks' «за» / "for" in its sentence, before any «но»: «спасибо за суп, но он был
    холодный» is a mixed review, not sarcasm."""
    for sentence in razdel.sentenize(text):
        words = [token.text.lower() for token in razdel.tokenize(sentence.text)]
        lemmas = [_likeliest(word).normal_form for word in words]
        thanks = next((i for i, word in enumerate(lemmas) if word in _THANKS_WORDS), None)
        if thanks is None or not {"за", "for"} & set(words[thanks + 1 : thanks + 4]):
            continue
        for at in range(thanks + 1, len(lemmas)):
            if lemmas[at] in BUT_WORDS or lemmas[at] == "but":
                break
            # «в холодную погоду», "on a cold day": when, not what was thanked for
            if lemmas[at] in _DEFECTS and words[at - 1] not in _WHEN_OR_WHERE:
                return lemmas[at]
    return None


_THANKS_WORDS = frozenset(["спасибо", "благодарить", "благодарность", "thanks", "thank"])
_DEFECTS = frozenset([
    "ледяной", "холодный", "остывший", "сырой", "недоваренный", "недожаренный", "пересоленный", "подгоревший",
    "горелый", "несвежий", "прокисший", "испорченный", "чужой", "разлитый", "раздавленный", "опоздание",
    "cold", "raw", "stale", "burnt", "soggy",
])  # fmt: skip
OUTRUN_REACH = 30  # characters after the quote in which «уже» says the term has passed
_ALREADY = re.compile(r"^[^.!?]*?\b(уже|already)\b", re.I)


@lru_cache(maxsize=65_536)
def _likeliest(word: str) -> Parse:
    """The word's likeliest reading whatever its part of speech («кому» is a pronoun), cached."""
    return morph().parse(word)[0]


@lru_cache(maxsize=65_536)
def _parse(word: str) -> Parse:
    """The word's likeliest reading, a noun's when it has one (cached: every calm review is read
    for its plus and minus when it is classified, and again for its praise when it is thanked)."""
    parses = morph().parse(word)
    if parses[0].is_known:  # never an archaic noun for a preposition («при» is no «пря»)
        return next((p for p in parses if "NOUN" in p.tag and "Arch" not in p.tag), parses[0])
    return next((p for p in parses if p.tag.case in ("nomn", "accs")), parses[0])


def _complement(parse: Parse, brand_words: frozenset[str]) -> bool:
    """A noun in the genitive that says whose or of what («кэшбэка», «баланса», «курьера»),
    by its likeliest reading; never a name or the brand."""
    likeliest = _likeliest(parse.word)
    return (
        {"NOUN", "gent"} <= likeliest.tag.grammemes
        and not {"Name", "Surn", "Patr", "Geox", "Abbr", "Orgn"} & likeliest.tag.grammemes
        and likeliest.normal_form not in brand_words | GENERIC_NOUNS
    )


def _names_a_thing(parse: Parse, brand_words: frozenset[str]) -> bool:
    """A noun for a thing (a dish, a feature), not a person, a name, a place or a generic word.
    A word the dictionary does not know is taken only as the author wrote it in the nominative
    or the accusative («боул»), never inflected by a guess."""
    tag = parse.tag
    return (
        "NOUN" in tag
        and (parse.is_known or (tag.case in ("nomn", "accs") and not _OBLIQUE_ENDING.search(parse.word)))
        and not {"Name", "Surn", "Patr", "Geox", "Abbr", "Orgn", "anim"} & tag.grammemes
        and parse.normal_form not in GENERIC_NOUNS
        and parse.normal_form not in brand_words
        and len(parse.word) >= 3
    )


def _is_noun(parse: Parse, case: str) -> bool:
    return "NOUN" in parse.tag and case in parse.tag


def _agrees(adjective: Parse, noun: Parse) -> bool:
    """An adjective standing before the noun in the same case and number, by any of the readings
    of each («вкусный борщ»: the likeliest are a nominative and an accusative)."""
    if "ADJF" not in adjective.tag or {"Apro", "Supr"} & adjective.tag.grammemes:  # «наш», «лучший»: the reply's own
        return False
    forms = {(p.tag.case, p.tag.number) for p in _readings(noun.word) if p.normal_form == noun.normal_form}
    return any(
        (p.tag.case, p.tag.number) in forms | {(noun.tag.case, noun.tag.number)}
        for p in _readings(adjective.word)
        if "ADJF" in p.tag and p.normal_form == adjective.normal_form
    )


@lru_cache(maxsize=65_536)
def _readings(word: str) -> tuple[Parse, ...]:
    return tuple(morph().parse(word))


def _accusative(phrase: list[Parse]) -> str:
    """The phrase as it follows «про»: the head noun and its adjectives in the accusative, the
    rest («с лососем») as the author wrote it."""
    head = _head(phrase)
    number = head.tag.number or "sing"
    words = []
    for parse in phrase:
        if parse is head:
            words.append(_inflect(parse, {"accs", number}) if parse.is_known else parse.word)
        elif "ADJF" in parse.tag and phrase.index(parse) < phrase.index(head):
            words.append(_agreeing_accusative(parse, head))
        else:
            words.append(parse.word)
    return " ".join(words)


def _inflect(parse: Parse, grammemes: set[str]) -> str:
    inflected = parse.inflect(grammemes - {None}) or parse.inflect({"accs"})
    return inflected.word if inflected else parse.word
