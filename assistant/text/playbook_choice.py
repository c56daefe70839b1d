"""Which of the brand's playbooks a mention follows, among those of its reply mode.

Two kinds of evidence add up. A playbook's cue words («опоздать», «холодный»), each weighed
by how few playbooks of the mode share it, with the classifier's topics and risk flags. And
its example mentions (`situation_examples.yaml`): people describe what happened rather than
name it («заказывала том ям, а привезли суп с курицей»), and the examples teach those
wordings; the mention's closeness to a playbook is the mean cosine of its nearest examples
over lemma weights (idf across all the brand's examples).
"""

from __future__ import annotations

import math
from collections import Counter
from functools import lru_cache

from assistant.models import Classification, Playbook, ReplyMode
from assistant.text.normalize import FILLER, english_stem, lemma, mention_lemmas

EXAMPLE_WEIGHT = 8.0  # the closest example outweighs most cue words: examples say what cues cannot
MIN_SCORE = 1.0  # below it no playbook fits: the generic plan, and the operator is told
SHORT = 4  # a mention of fewer distinctive words is close to anything: its closeness counts less
NEAREST = 1  # the closest example alone: a situation is told in many unlike ways


def choose_playbook(
    playbooks: list[Playbook], mode: ReplyMode | None, found: set[str], classification: Classification
) -> Playbook | None:
    """The playbook of this reply mode the mention matches best; None when none matches at all."""
    candidates = [p for p in playbooks if p.mode is mode]
    if not candidates:
        return None
    spread = Counter(cue for p in candidates for cue in set(_cue_lemmas_all(p)))
    closeness = example_closeness(candidates, frozenset(found))
    scores = {
        p.id: cue_score(p, found, classification, spread) + EXAMPLE_WEIGHT * closeness.get(p.id, 0.0)
        for p in candidates
    }
    best = max(candidates, key=lambda p: scores[p.id])
    return best if scores[best.id] >= MIN_SCORE else None


def cue_score(playbook: Playbook, found: set[str], classification: Classification, spread: Counter[str]) -> float:
    """Matched cue words, each weighed by how few playbooks share it («опоздать» says more than
    «заказ»), plus the classifier's topics and risk flags."""
    cue = playbook.when
    words = sum(1 / spread[lemmas_] for lemmas_ in set(_cue_lemmas_all(playbook)) if _cue_matches(lemmas_, found))
    topics = len(set(cue.topics) & set(classification.topics))
    flags = len(set(cue.flags) & set(classification.risk_flags))
    return words + 0.5 * topics + 2 * flags


def example_closeness(candidates: list[Playbook], found: frozenset[str]) -> dict[str, float]:
    """Each playbook's mean cosine with the mention over its NEAREST closest examples («норм»
    is one word from any example: short mentions count less)."""
    index = _example_index(tuple((p.id, tuple(p.examples)) for p in candidates if p.examples))
    words = terms(found)
    mention = _weighted(words, index.idf)
    damping = min(1.0, len(words) / SHORT)
    closeness: dict[str, float] = {}
    for playbook_id, vectors in index.examples.items():
        nearest = sorted((_cosine(mention, vector) for vector in vectors), reverse=True)[:NEAREST]
        closeness[playbook_id] = damping * sum(nearest) / NEAREST
    return closeness


def terms(found: set[str] | frozenset[str]) -> frozenset[str]:
    """The lemmas that can tell situations apart: words of three letters or more, not filler."""
    return frozenset(w for w in found if len(w) >= 3 and w.isalpha() and w not in FILLER)


class _Index:
    def __init__(self, examples: dict[str, list[frozenset[str]]]):
        documents = [words for vectors in examples.values() for words in vectors]
        counts = Counter(word for words in documents for word in words)
        self.idf = {word: math.log((1 + len(documents)) / (1 + n)) + 1 for word, n in counts.items()}
        self.examples = {pid: [_weighted(words, self.idf) for words in vectors] for pid, vectors in examples.items()}


@lru_cache(maxsize=64)
def _example_index(examples: tuple[tuple[str, tuple[str, ...]], ...]) -> _Index:
    """Built once per set of playbooks (a brand's mode), not per mention."""
    return _Index({pid: [terms(mention_lemmas(text)) for text in texts] for pid, texts in examples})


def _weighted(words: frozenset[str], idf: dict[str, float]) -> dict[str, float]:
    """Words unseen in any example carry no weight: they cannot bring a playbook closer."""
    vector = {w: idf[w] for w in words if w in idf}
    norm = math.sqrt(sum(v * v for v in vector.values())) or 1.0
    return {w: v / norm for w, v in vector.items()}


def _cosine(a: dict[str, float], b: dict[str, float]) -> float:
    small, large = (a, b) if len(a) < len(b) else (b, a)
    return sum(v * large.get(w, 0.0) for w, v in small.items())


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
