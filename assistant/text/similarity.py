"""How close a mention reads to example texts: cosine over lemma weights (idf across all the
examples), to the nearest examples of each group. The drafter uses it to recognise a situation
by its example mentions and to find the fact whose customers' questions a question resembles.
"""

from __future__ import annotations

import math
from collections import Counter
from functools import lru_cache

from assistant.text.normalize import FILLER, mention_lemmas

Examples = tuple[tuple[str, tuple[str, ...]], ...]  # (group id, its example texts), hashable for the cache


def closeness(
    examples: Examples, found: frozenset[str], nearest: int = 1, short: int = 4, unseen_counts: bool = False
) -> dict[str, float]:
    """Each group's mean cosine with the mention over its `nearest` closest examples; a mention
    of fewer than `short` distinctive words is close to anything, so its closeness counts less.
    With `unseen_counts`, the mention's words no example has weigh as the rarest."""
    index = _index(examples)
    words = terms(found)
    unseen = max(index.idf.values(), default=1.0) if unseen_counts else None
    mention = _weighted(words, index.idf, unseen)
    damping = min(1.0, len(words) / short)
    result: dict[str, float] = {}
    for group, vectors in index.examples.items():
        best = sorted((_cosine(mention, vector) for vector in vectors), reverse=True)[:nearest]
        result[group] = damping * sum(best) / nearest
    return result


def terms(found: set[str] | frozenset[str]) -> frozenset[str]:
    """The lemmas that can tell texts apart: words of three letters or more, not filler."""
    return frozenset(w for w in found if len(w) >= 3 and w.isalpha() and w not in FILLER)


class _Index:
    def __init__(self, examples: dict[str, list[frozenset[str]]]):
        documents = [words for vectors in examples.values() for words in vectors]
        counts = Counter(word for words in documents for word in words)
        self.idf = {word: math.log((1 + len(documents)) / (1 + n)) + 1 for word, n in counts.items()}
        self.examples = {
            group: [_weighted(words, self.idf) for words in vectors] for group, vectors in examples.items()
        }


@lru_cache(maxsize=64)
def _index(examples: Examples) -> _Index:
    """Built once per set of examples (a brand's playbooks of a mode, its facts), not per mention."""
    return _Index({group: [terms(mention_lemmas(text)) for text in texts] for group, texts in examples})


def _weighted(words: frozenset[str], idf: dict[str, float], unseen: float | None = None) -> dict[str, float]:
    """Word weights, normalised. A mention's words unseen in any example weigh as the rarest
    (`unseen`): they bring no group closer, and a mention that is mostly about something else
    («снять наличные в долларах») is not close to an example that shares one word with it."""
    vector = {w: idf.get(w, unseen or 0.0) for w in words if w in idf or unseen}
    norm = math.sqrt(sum(v * v for v in vector.values())) or 1.0
    return {w: v / norm for w, v in vector.items()}


def _cosine(a: dict[str, float], b: dict[str, float]) -> float:
    small, large = (a, b) if len(a) < len(b) else (b, a)
    return sum(v * large.get(w, 0.0) for w, v in small.items())
