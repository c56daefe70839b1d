"""Which of the brand's playbooks a mention follows, among those of its reply mode.

Two kinds of evidence add up. A playbook's cue words («опоздать», «холодный»), each weighed
by how few playbooks of the mode share it, with the classifier's topics and risk flags. And
its example mentions (`situation_examples.yaml`): people describe what happened rather than
name it («заказывала том ям, а привезли суп с курицей»), and the examples teach those
wordings; the mention's closeness to a playbook is the mean cosine of its nearest examples
over lemma weights (idf across all the brand's examples).
"""

from __future__ import annotations

from collections import Counter
from functools import lru_cache

from assistant.models import Classification, Playbook, ReplyMode, RiskFlag
from assistant.text.normalize import english_stem, lemma
from assistant.text.similarity import closeness

EXAMPLE_WEIGHT = 8.0  # the closest example outweighs most cue words: examples say what cues cannot
MIN_SCORE = 1.0  # below it no playbook fits: the generic plan, and the operator is told
SHORT = 4  # a mention of fewer distinctive words is close to anything: its closeness counts less
NEAREST = 1  # the closest example alone: a situation is told in many unlike ways
SECOND_CLOSE = 0.25  # a sentence this close to a situation's examples, with one of its distinctive cues …
SECOND_PRIMARY_MAX = 1.0  # … and scoring at most this for the main situation, is a second problem
GIVEN_WEIGHT = 1.0  # the author gives what a playbook measures or names (a delay, a missing item): a cue of its own
GENERIC = "generic_complaint"  # says nothing a main situation's reply does not
UNSURE_SCORE = 3.0  # a best situation scoring below this …
UNSURE_MARGIN = 0.4  # … and barely above the next one is a guess: the generic plan says nothing wrong


def choose_playbook(
    playbooks: list[Playbook],
    mode: ReplyMode | None,
    found: set[str],
    classification: Classification,
    least: float = MIN_SCORE,
    given: frozenset[str] = frozenset(),
) -> Playbook | None:
    """The playbook of this reply mode the mention matches best; None when none scores `least`.
    `given` are the roles of the author's details: a playbook whose brand rule measures one of
    them («опоздали на 45 минут» and the late-order rule), or whose phrases name what was
    missing («компота в пакете не оказалось»), counts it as a cue."""
    candidates = [p for p in playbooks if p.mode is mode]
    if classification.threat_reported:  # the author was threatened: no «решайте вопросы через нас» to them
        candidates = [p for p in candidates if RiskFlag.threat not in p.when.flags]
    spread = Counter(cue for p in candidates for cue in set(_cue_lemmas_all(p)))
    candidates = [p for p in candidates if not p.when.words_required or _words_score(p, found, spread)]
    if not candidates:
        return None
    closeness = example_closeness(candidates, frozenset(found))
    scores = {
        p.id: cue_score(p, found, classification, spread)
        + EXAMPLE_WEIGHT * closeness.get(p.id, 0.0)
        + (GIVEN_WEIGHT if _measures(p, given, found) else 0.0)
        for p in candidates
    }
    best = max(candidates, key=lambda p: scores[p.id])
    if best.id == GENERIC:
        best = max(_naming_own_cue(candidates, found, spread), key=lambda p: scores[p.id], default=best)
    elif _a_guess(best, candidates, scores):
        best = next(p for p in candidates if p.id == GENERIC)
    return best if scores[best.id] >= least else None


def _a_guess(best: Playbook, candidates: list[Playbook], scores: dict[str, float]) -> bool:
    """Two situations read about equally weakly («курьер звонит с чужого номера»: a courier who
    cannot find the address, or an order marked delivered): a reply that names either is wrong
    as often as right, and wrong is a reply the operator must throw away. Only where the brand
    has a generic plan to fall back on."""
    if not any(p.id == GENERIC for p in candidates):
        return False
    runner_up = max((scores[p.id] for p in candidates if p is not best), default=0.0)
    return scores[best.id] < UNSURE_SCORE and scores[best.id] - runner_up < UNSURE_MARGIN


def _naming_own_cue(candidates: list[Playbook], found: set[str], spread: Counter[str]) -> list[Playbook]:
    """Situations the mention names by a cue word no other playbook has: a rant that says
    «всё пришло ледяное» is about cold food however generic the rest of it reads."""
    return [
        p
        for p in candidates
        if p.id != GENERIC and any(spread[cue] == 1 and _cue_matches(cue, found) for cue in set(_cue_lemmas_all(p)))
    ]


def _measures(playbook: Playbook, given: frozenset[str], found: set[str]) -> bool:
    """The playbook's rule measures one of the author's details (and, for a rule only some
    questions ask about, the mention asks: «перевести 50 000 ₽ на вклад» is no fee question),
    or its phrases name what was missing or swapped."""
    rule = playbook.rule
    if rule and rule.detail in given and (not rule.asked_by or found & set(rule.asked_by)):
        return True
    return any(role in given and playbook.speaks_of(f"{{{role}}}") for role in ("missing", "ordered"))


def cue_score(playbook: Playbook, found: set[str], classification: Classification, spread: Counter[str]) -> float:
    """Matched cue words, each weighed by how few playbooks share it («опоздать» says more than
    «заказ»), plus the classifier's topics and risk flags."""
    cue = playbook.when
    words = _words_score(playbook, found, spread)
    topics = len(set(cue.topics) & set(classification.topics))
    flags = len(set(cue.flags) & set(classification.risk_flags))
    return words + 0.5 * topics + 2 * flags


def example_closeness(candidates: list[Playbook], found: frozenset[str]) -> dict[str, float]:
    """Each playbook's closeness to the mention through its nearest example mentions."""
    examples = tuple((p.id, tuple(p.examples)) for p in candidates if p.examples)
    return closeness(examples, found, nearest=NEAREST, short=SHORT)


def _cue_lemmas_all(playbook: Playbook) -> list[tuple[str, ...]]:
    return [_cue_lemmas(word) for word in playbook.when.words]


def _cue_matches(cue: tuple[str, ...], found: set[str]) -> bool:
    """Every word of the cue is among the mention's lemmas (English words by their start)."""
    return all(_word_matches(word, found) for word in cue)


@lru_cache(maxsize=8192)
def _cue_lemmas(cue: str) -> tuple[str, ...]:
    return tuple(english_stem(lemma(word)) for word in cue.lower().replace("ё", "е").split())


def _word_matches(word: str, found: set[str]) -> bool:
    if word in found:
        return True
    return word.isascii() and len(word) >= 4 and any(f.startswith(word) for f in found if f.isascii())


def second_issue(
    playbooks: list[Playbook],
    primary: Playbook | None,
    sentences: list[frozenset[str]],
    whole: list[frozenset[str]] | None = None,
) -> tuple[Playbook, int] | None:
    """A complaint's second problem: another negative playbook that one of the mention's
    sentences matches best, names by a distinctive cue word and reads like an example of,
    while saying little of the main problem («привезли в 13:15 …» is the delay, «суп еле тёплый» the
    food). With the sentence's index. A generic main situation has no second one. `whole`, when
    given, is the sentence each unit is a clause of: a clause's situation must be the one its
    sentence tells besides the main one («…звонить на горячую линию, а там 35 минут ожидания» is
    the hotline, not a queue in a branch)."""
    if primary is None or primary.mode is not ReplyMode.negative or primary.id == GENERIC:
        return None
    candidates = [p for p in playbooks if p.mode is ReplyMode.negative and p.id != GENERIC]
    spread = Counter(cue for p in candidates for cue in set(_cue_lemmas_all(p)))

    def scored(found: frozenset[str]) -> tuple[dict[str, float], dict[str, float]]:
        near = example_closeness(candidates, found)
        return {p.id: _words_score(p, found, spread) + EXAMPLE_WEIGHT * near.get(p.id, 0.0) for p in candidates}, near

    best: tuple[float, Playbook, int] | None = None
    for index, found in enumerate(sentences):
        scores, near = scored(found)
        top = max(candidates, key=lambda p: scores[p.id])
        named = _words_score(top, found, spread) >= 1.0 and near.get(top.id, 0.0) >= SECOND_CLOSE
        about_main = scores.get(primary.id, 0.0) > SECOND_PRIMARY_MAX
        if top.id == primary.id or not named or about_main or (best is not None and scores[top.id] <= best[0]):
            continue
        if whole is not None and whole[index] and whole[index] != found:
            in_sentence, _ = scored(whole[index])
            if max((p for p in candidates if p.id != primary.id), key=lambda p: in_sentence[p.id]) is not top:
                continue
        best = (scores[top.id], top, index)
    return (best[1], best[2]) if best else None


def _words_score(playbook: Playbook, found: set[str], spread: Counter[str]) -> float:
    return sum(1 / spread[cue] for cue in set(_cue_lemmas_all(playbook)) if _cue_matches(cue, found))
