"""A fact's sentence said to the reader: the brand's knowledge speaks of «клиент» in the third
person («Если деньги не дошли, клиент пишет в чат…»), a reply speaks to the author («…Вы
пишете в чат…»). pymorphy3 gives each word's case, person and number, so the customer becomes
«Вы» or «ты» in the right case, their verbs agree, and «личность клиента» becomes «Вашу
личность». English facts get the same turn by pattern ("If a customer disagrees…, they file…" →
"If you disagree…, you file…"); other words stay as the brand wrote them.
"""

from __future__ import annotations

import re

import razdel
from pymorphy3.analyzer import Parse

from assistant.models import Address
from assistant.text.normalize import morph

CUSTOMER = frozenset(["клиент", "клиентка", "покупатель", "заказчик"])
# the customer as a pronoun, by case: formal «Вы» and informal «ты»
PRONOUN: dict[Address, dict[str, str]] = {
    Address.formal: {"nomn": "Вы", "gent": "Вас", "accs": "Вас", "datv": "Вам", "ablt": "Вами", "loct": "Вас"},
    Address.informal: {"nomn": "ты", "gent": "тебя", "accs": "тебя", "datv": "тебе", "ablt": "тобой", "loct": "тебе"},
}
HE = {"он": "nomn", "ему": "datv", "нему": "datv", "нём": "loct"}  # «он», once the customer was named, is the customer


def for_reader(text: str, address: Address) -> str:
    """The text with the customer in the third person turned to the reader, sentence by sentence."""
    return " ".join(_sentence_for_reader(s.text, address) for s in razdel.sentenize(text))


def _sentence_for_reader(sentence: str, address: Address) -> str:
    tokens = list(razdel.tokenize(sentence))
    parses = [_parse(t.text) for t in tokens]
    words = [t.text for t in tokens]
    named = False
    for i, parse in enumerate(parses):
        case = _customer_case(parse) or (HE.get(words[i].lower()) if named else None)
        if case is None:
            continue
        if words[i + 1 : i + 3] and words[i + 1] == "," and words[i + 2].lower().startswith("котор"):
            return sentence  # «клиент, который оплатил…» would need the whole clause rewritten
        named = True
        if case == "gent" and i > 0 and "NOUN" in parses[i - 1].tag:
            noun = _noun_in_context(words, i - 1)  # «личность клиента» → «Вашу личность»
            words[i - 1], words[i] = _possessive(noun, address, i - 1 == 0), words[i - 1]
            continue
        words[i] = _capitalised(PRONOUN[address][case], i == 0)
        if case == "nomn" and _main_clause_of_condition(words, i):
            _imperative(parses, words, i, address)  # «Если деньги не дошли, клиент пишет…» → «…напишите»
        elif case == "nomn":
            _agree_predicate(parses, words, i, address)
    return _joined(sentence, tokens, words)


def _customer_case(parse: Parse) -> str | None:
    if parse.normal_form in CUSTOMER and parse.tag.number == "sing" and parse.tag.case in PRONOUN[Address.formal]:
        return parse.tag.case
    return None


def _main_clause_of_condition(words: list[str], subject: int) -> bool:
    """The subject stands in the main clause of «Если …, клиент …»: the reader is told what to do."""
    return words[0].lower() == "если" and "," in words[:subject]


def _imperative(parses: list[Parse], words: list[str], subject: int, address: Address) -> None:
    """The subject's verb as a request to the reader, the subject itself dropped."""
    number = "plur" if address is Address.formal else "sing"
    for i in range(subject + 1, len(parses)):
        if "VERB" in parses[i].tag and parses[i].tag.tense == "pres":
            imperative = parses[i].inflect({"impr", "excl", number})
            if imperative:
                words[i], words[subject] = imperative.word, ""
            else:
                _agree_predicate(parses, words, subject, address)
            return
        if words[i] in (",", ";", ":", "—"):
            break
    _agree_predicate(parses, words, subject, address)


def _agree_predicate(parses: list[Parse], words: list[str], subject: int, address: Address) -> None:
    """The verb or short adjective the customer is the subject of, in the reader's person:
    the first one in the clause, after the subject or (inverted) before it."""
    for i in [*range(subject + 1, len(parses)), *range(subject - 1, -1, -1)]:
        if words[i] in (",", ";", ":", "—", "(", ")") and i > subject:
            return
        tag = parses[i].tag
        if "VERB" in tag and tag.mood == "indc":
            words[i] = _inflected(parses[i], _verb_grammemes(parses[i], address), words[i])
            return
        if "ADJS" in tag and address is Address.formal:
            words[i] = _inflected(parses[i], {"plur"}, words[i])
            return


def _verb_grammemes(verb: Parse, address: Address) -> set[str]:
    number = "plur" if address is Address.formal else "sing"
    if verb.tag.tense == "past":
        return {"plur"} if address is Address.formal else {verb.tag.gender or "masc", "sing"}
    return {"2per", number}


def _noun_in_context(words: list[str], i: int) -> Parse:
    """The noun's reading its neighbour decides: after a preposition not the nominative («по
    желанию»), after a transitive verb the accusative («проверяет личность»)."""
    parses = morph().parse(words[i])
    nouns = [p for p in parses if "NOUN" in p.tag] or parses
    before = morph().parse(words[i - 1])[0] if i > 0 else None
    if before is not None and "PREP" in before.tag:
        return next((p for p in nouns if p.tag.case != "nomn"), nouns[0])
    if before is not None and "VERB" in before.tag and "tran" in before.tag:
        return next((p for p in nouns if p.tag.case == "accs"), nouns[0])
    return nouns[0]


def yours(noun: str, address: Address, case: str, plural: bool = False) -> str:
    """The reader's own person in a case, with «Ваш» or «твой» agreeing: «Вашей дочери», «твоему сыну»."""
    form = _noun_in_case(noun, case, plural)
    return f"{_possessive(form, address, False)} {form.word}"


def noun_in_case(noun: str, case: str, plural: bool = False) -> str:
    """The noun alone in a case: «дочке» after «Вашему мужу и»."""
    return _noun_in_case(noun, case, plural).word


def _noun_in_case(noun: str, case: str, plural: bool) -> Parse:
    parse = next((p for p in morph().parse(noun) if "NOUN" in p.tag), morph().parse(noun)[0])
    return parse.inflect({case, "plur" if plural else "sing"}) or parse


def _possessive(noun: Parse, address: Address, first: bool) -> str:
    """«ваш» / «твой» agreeing with the noun it now stands before."""
    base = "ваш" if address is Address.formal else "твой"
    tag = noun.tag
    grammemes = {tag.case, tag.number} | ({tag.gender} if tag.number == "sing" and tag.gender else set())
    if tag.case == "accs" and (tag.number == "plur" or tag.gender == "masc"):
        grammemes.add(tag.animacy or "inan")  # «ваш счёт», «вашего сына»: only there does animacy decide
    word = _inflected(morph().parse(base)[0], grammemes - {None}, base)
    return word.capitalize() if address is Address.formal or first else word


def _inflected(parse: Parse, grammemes: set[str], fallback: str) -> str:
    inflected = parse.inflect(grammemes)
    if not inflected:
        return fallback
    word = inflected.word.replace("е", "ё") if "ё" in fallback and "ё" not in inflected.word else inflected.word
    return word.capitalize() if fallback[:1].isupper() else word


def _capitalised(word: str, first: bool) -> str:
    return word[:1].upper() + word[1:] if first else word


def _parse(word: str) -> Parse:
    return morph().parse(word)[0]


def _joined(sentence: str, tokens: list, words: list[str]) -> str:
    """The sentence rebuilt with its own spacing between the (possibly replaced) words; a word
    replaced by "" goes with the space after it."""
    out, last = [], 0
    for token, word in zip(tokens, words, strict=True):
        out.append(sentence[last : token.start])
        out.append(word)
        last = token.stop
        if not word:
            rest = sentence[last:]
            last += len(rest) - len(rest.lstrip())
    out.append(sentence[last:])
    return "".join(out)


# --- a question retold -------------------------------------------------------------------

QUESTION_WORDS = frozenset(
    {"кто", "что", "где", "когда", "почему", "зачем", "как", "сколько", "какой", "чей", "куда", "откуда", "ли"}
)
# «Вы» of the author is the brand: «вы возите в Мурино?» is retold «возим ли мы в Мурино»
BRAND_PRONOUN = {"вы": "мы", "вас": "нас", "вам": "нам", "вами": "нами"}
MAX_RETOLD_WORDS = 12
_LEADING = frozenset({"а", "и", "ну", "так", "вот", "подскажите", "скажите", "пожалуйста", "ребят", "ребята"})
_YES_NO_HEADS = frozenset({"VERB", "PRED", "ADJS", "PRTS", "INFN"})
_MODALS = frozenset({"можно", "нужно", "надо", "нельзя"})
_OURS = _MODALS | {"мой", "ваш", "наш", "обязанный", "обязать", "должный"}


def retold_question(question: str, address: Address) -> str:
    """A question as a brand retells it after «уточним, …»: «Курьер обязан подниматься на
    этаж?» → «обязан ли курьер подниматься на этаж», «а вы возите в Мурино?» → «возим ли мы в
    Мурино», «где мой заказ?» → «где Ваш заказ». The author's «я» and «мой» become the reader's,
    their «вы» the brand's «мы». "" when the question is long or its shape is not one of these."""
    tokens = [t.text for t in razdel.tokenize(question.split("?")[0])]
    while tokens and (tokens[0] in (",", "—", "-") or tokens[0].lower() in _LEADING):
        tokens = tokens[1:]
    words = [t for t in tokens if t.isalpha()]
    if not words or len(words) > MAX_RETOLD_WORDS or any(t in (".", "!", ";", ":") for t in tokens):
        return ""
    parses = [_parse(t) for t in tokens]
    if not any(_speaks_of_us(p) for p in parses):
        return ""  # «кто уже пробовал?» asks other readers, not the brand
    if not _keeps_capital(tokens[0], parses[0]):
        tokens[0] = tokens[0][:1].lower() + tokens[0][1:]
    retold = [_retold_word(t, p, address) for t, p in zip(tokens, parses, strict=True)]
    if not any(p.normal_form in QUESTION_WORDS for p in parses[:3]) and "ли" not in (t.lower() for t in tokens):
        retold = _with_li(retold, parses)
    return _joined_words(retold) if retold else ""


def _speaks_of_us(parse: Parse) -> bool:
    """A word that puts the author or the brand in the question: «я», «вы», «мой», a verb in
    the first or second person, or what one may or must do («можно», «обязан»)."""
    personal = parse.tag.person in ("1per", "2per") and ("NPRO" in parse.tag or "VERB" in parse.tag)
    return personal or parse.normal_form in _OURS


def said_to_reader(words: list[str], address: Address) -> str:
    """The author's words about someone else, with «мне», «нас» turned to the reader («помогла
    мне» → «помогла Вам»); "" when they speak as «я» or «мы» or of the author's own things
    («мою карту»): then they tell the author's story, not another's deed."""
    parses = [_parse(word) for word in words]
    if any((_first_person(p) and p.tag.case == "nomn") or p.normal_form in ("мой", "наш") for p in parses):
        return ""
    turned = (
        _reader_pronoun(word, p, address) if _first_person(p) else word for word, p in zip(words, parses, strict=True)
    )
    return " ".join(turned)


def _first_person(parse: Parse) -> bool:
    return "NPRO" in parse.tag and parse.tag.person == "1per"


def _reader_pronoun(token: str, parse: Parse, address: Address) -> str:
    """«мне» → «Вам» / «тебе», in the pronoun's case."""
    return PRONOUN[address].get(parse.tag.case or "nomn", token)


def _retold_word(token: str, parse: Parse, address: Address) -> str:
    lower = token.lower()
    if lower in BRAND_PRONOUN:
        return BRAND_PRONOUN[lower]
    if _first_person(parse) and parse.tag.number == "sing":
        return _reader_pronoun(token, parse, address)
    if parse.normal_form == "мой" and "ADJF" in parse.tag:
        return _possessive(parse, address, False)  # «мой заказ» → «Ваш заказ», «твой заказ»
    if parse.normal_form == "ваш" and "ADJF" in parse.tag:
        return _inflected(
            morph().parse("наш")[0], {g for g in (parse.tag.case, parse.tag.number, parse.tag.gender) if g}, "наш"
        )
    if "VERB" in parse.tag and parse.tag.person == "1per" and parse.tag.number == "sing":
        return _inflected(parse, {"2per", "plur" if address is Address.formal else "sing"}, token)
    if "VERB" in parse.tag and parse.tag.person == "2per" and parse.tag.number == "plur":
        return _inflected(parse, {"1per", "plur"}, token)
    return token


def _with_li(words: list[str], parses: list[Parse]) -> list[str]:
    """A yes-or-no question takes «ли» after its predicate, brought to the front: «можно ли
    оплатить», «возим ли мы», «есть ли у нас»; [] when there is no predicate to front."""
    for i, parse in enumerate(parses):
        if parse.tag.POS in _YES_NO_HEADS or parse.normal_form in _MODALS | {"есть"}:
            return [words[i], "ли", *words[:i], *words[i + 1 :]]
    return []


def _keeps_capital(token: str, parse: Parse) -> bool:
    return token[:1].isupper() and (
        {"Name", "Geox", "Surn", "Orgn"} & set(parse.tag.grammemes) or (token.isupper() and len(token) > 1)
    )


def _joined_words(words: list[str]) -> str:
    text = " ".join(words)
    return text.replace(" ,", ",").replace(" .", ".").replace("« ", "«").replace(" »", "»")


POINTING_REACH = 8  # a pronoun this early in a sentence names what the sentence before it named
_POINTING_EN = frozenset(["it", "they", "them", "this", "these"])


def points_back(sentence: str) -> bool:
    """The sentence names a thing by a third-person pronoun in its first words («Если звонящий
    просит их назвать…», "If a caller asks for them…"): it goes on from the sentence before."""
    if _OTHERWISE.match(sentence):  # «В остальных случаях плата — 149 рублей» is the case the one before leaves
        return True
    words = [t.text.lower() for t in razdel.tokenize(sentence) if t.text.isalpha()][:POINTING_REACH]
    return any(w in _POINTING_EN or ({"NPRO", "3per"} <= _parse(w).tag.grammemes) for w in words)


_OTHERWISE = re.compile(r"^\W*(?:в\s+(?:остальных|других|иных)\s+случаях|иначе|otherwise|in\s+other\s+cases)\b", re.I)


# English facts speak of "a customer" too ("If a customer disagrees with a card charge, they
# file a dispute claim…"); the reply says "If you disagree…, you file…".
_EN_CUSTOMER = re.compile(r"\b(?:an?|the)\s+customer\b|\bcustomers\b", re.I)
_EN_THEY = {"they": "you", "their": "your", "them": "you", "themselves": "yourself"}
_EN_IRREGULAR = {"is": "are", "has": "have", "does": "do", "was": "were"}


def for_english_reader(text: str) -> str:
    """Each sentence that names a customer has them, and the «they» that follows, as «you»; the
    verb right after a singular customer loses its third-person ending."""
    return " ".join(_english_sentence_for_reader(s.text) for s in razdel.sentenize(text))


def _english_sentence_for_reader(sentence: str) -> str:
    if not _EN_CUSTOMER.search(sentence):  # "the customer's" is found by its "the customer"
        return sentence

    def you(match: re.Match[str]) -> str:
        pronoun = "You" if match.start() == 0 else "you"
        verb = match.group(1)
        if verb is None:
            return pronoun
        plural = match.group(0).lower().startswith("customers")
        return f"{pronoun} {verb if plural else _plain_verb(verb)}"

    text = re.sub(r"\b(?:an?|the)\s+customer's\b", lambda m: "Your" if m.start() == 0 else "your", sentence, flags=re.I)
    text = _EN_CUSTOMER_AND_VERB.sub(you, text)
    return re.sub(r"\b(they|their|them|themselves)\b", lambda m: _EN_THEY[m.group(1).lower()], text)


_EN_CUSTOMER_AND_VERB = re.compile(rf"(?:{_EN_CUSTOMER.pattern})(?:\s+([a-z]+))?", re.I)


def _plain_verb(word: str) -> str:
    """ "disagrees" → "disagree", "writes" → "write", "applies" → "apply"; other words as they are."""
    lower = word.lower()
    if lower in _EN_IRREGULAR:
        return _EN_IRREGULAR[lower]
    if lower.endswith("ies") and len(lower) > 4:
        return word[:-3] + "y"
    if re.search(r"(?:ss|sh|ch|x|z)es$", lower):
        return word[:-2]
    if lower.endswith("s") and not lower.endswith(("ss", "us", "is")) and len(lower) > 3:
        return word[:-1]
    return word
