"""The knowledge store: brand configuration, facts, voice passages, approved replies and
labelled example mentions in Chroma.

Every record carries `brand`, `kind` and `origin` metadata; every brand query filters by
brand, so one brand never sees another's knowledge. Records that came from a brand folder
have origin "folder" and are replaced on re-ingest; approved replies that arrived through
the service have origin "service" and are never touched by an ingest.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import chromadb
import numpy as np
from chromadb.api import ClientAPI

from assistant.config import Settings
from assistant.errors import UnknownBrandError
from assistant.models import (
    ApprovedReply,
    Brand,
    BrandProfile,
    Fact,
    KnowledgeItem,
    LabelledMention,
    Mention,
    ReactionMatrix,
    VoiceGuide,
)
from knowledge.embeddings import Embedder, UseEmbeddingFunction
from knowledge.redact import redact

SHARED = "_shared"
COLLECTIONS = ("brands", "facts", "voice", "approved_replies", "examples", "mentions")
NEAR_DUPLICATE = 0.92  # cosine at which two mentions by different people read as one text
REMEMBER_BATCH = 64


@dataclass(frozen=True)
class IngestReport:
    brand: str
    written: dict[str, int]
    removed: dict[str, int]
    kept_from_service: int


@dataclass(frozen=True)
class ExampleSet:
    """Labelled example mentions with their stored embeddings, ready to fit a classifier."""

    vectors: np.ndarray
    labels: list[LabelledMention]


def make_client(settings: Settings) -> ClientAPI:
    """Embedded Chroma by default; a Chroma server when OTKLIK_CHROMA_HOST is set."""
    if settings.chroma_host:
        return chromadb.HttpClient(host=settings.chroma_host, port=settings.chroma_port, ssl=settings.chroma_ssl)
    settings.chroma_dir.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(settings.chroma_dir))


class KnowledgeStore:
    def __init__(self, client: ClientAPI, embedder: Embedder):
        self._embedder = embedder
        function = UseEmbeddingFunction(embedder)
        self._collections = {
            name: client.get_or_create_collection(
                f"otklik_{name}", embedding_function=function, metadata={"hnsw:space": "cosine"}
            )
            for name in COLLECTIONS
        }
        self._brand_cache: dict[str, Brand] = {}
        self._unflushed: list[tuple[_Record, np.ndarray]] = []

    @property
    def embedder(self) -> Embedder:
        return self._embedder

    # --- brands -----------------------------------------------------------------------

    def ingest(self, brand: Brand) -> IngestReport:
        """Write a brand folder's records; remove the folder's records that are gone."""
        brand_id = brand.profile.id
        records = {
            "brands": [_brand_record(brand)],
            "facts": [record for fact in brand.facts for record in _fact_records(brand_id, fact)],
            "voice": _voice_records(brand),
            "approved_replies": [_reply_record(brand_id, r, "folder") for r in brand.approved_replies],
        }
        written, removed = {}, {}
        for name, batch in records.items():
            written[name] = self._upsert(name, batch)
            removed[name] = self._remove_stale(name, brand_id, {r.id for r in batch})
        written["examples"] = self.sync_examples(brand.examples, brand_id)
        self._brand_cache.pop(brand_id, None)
        kept = len(self._get("approved_replies", _where(brand_id, origin="service"))["ids"])
        return IngestReport(brand_id, written, removed, kept)

    def brand_ids(self) -> list[str]:
        return sorted(self._collections["brands"].get(include=[])["ids"])

    def load_brand(self, brand_id: str) -> Brand:
        """The brand as last ingested, plus approved replies added through the service."""
        if brand_id not in self._brand_cache:
            self._brand_cache[brand_id] = self._read_brand(brand_id)
        return self._brand_cache[brand_id]

    def _read_brand(self, brand_id: str) -> Brand:
        found = self._collections["brands"].get(ids=[brand_id], include=["documents"])
        if not found["ids"]:
            raise UnknownBrandError(brand_id, self.brand_ids())
        config = json.loads(found["documents"][0])
        facts = self._get("facts", _where(brand_id, language="ru"), ["metadatas"])
        replies = self._get("approved_replies", _where(brand_id), ["metadatas"])
        return Brand(
            profile=BrandProfile.model_validate(config["profile"]),
            voice=VoiceGuide.model_validate(config["voice"]),
            matrix=ReactionMatrix.model_validate(config["matrix"]),
            facts=sorted((Fact.model_validate_json(m["fact"]) for m in facts["metadatas"]), key=lambda f: f.id),
            approved_replies=[ApprovedReply.model_validate_json(m["reply"]) for m in replies["metadatas"]],
        )

    def add_approved_reply(self, brand_id: str, reply: ApprovedReply, names: Sequence[str] = ()) -> ApprovedReply:
        """Store an operator-approved reply as an example, personal data replaced."""
        self.load_brand(brand_id)  # unknown brand → UnknownBrandError
        clean = reply.model_copy(
            update={
                "mention": redact(reply.mention, tuple(names)),
                "reply": redact(reply.reply, tuple(names)),
                "source": "service",
            }
        )
        self._upsert("approved_replies", [_reply_record(brand_id, clean, "service")])
        self._brand_cache.pop(brand_id, None)
        return clean

    # --- retrieval --------------------------------------------------------------------

    def search(
        self, brand_id: str, collection: str, vector: np.ndarray, k: int, language: str | None = None
    ) -> list[KnowledgeItem]:
        """The k records of one brand nearest to vector (cosine), best first."""
        where = _where(brand_id, language=language) if language else _where(brand_id)
        result = self._collections[collection].query(
            query_embeddings=[vector.tolist()],
            n_results=k,
            where=where,
            include=["documents", "metadatas", "distances"],
        )
        return [
            KnowledgeItem(
                id=str(meta.get("item_id", record_id)),
                kind=str(meta["kind"]),  # type: ignore[arg-type]
                text=document,
                score=round(1.0 - float(distance), 4),
                metadata={key: value for key, value in meta.items() if isinstance(value, str | int | float | bool)},
            )
            for record_id, document, meta, distance in zip(
                result["ids"][0],
                result["documents"][0],
                result["metadatas"][0],
                result["distances"][0],
                strict=True,
            )
        ]

    # --- mentions seen before (for near-duplicate fakes) ---------------------------------

    def near_duplicates(self, mention: Mention, vector: np.ndarray, k: int = 3) -> list[str]:
        """Ids of earlier mentions of the brand that say nearly the same, unless the same named
        author wrote them (a person repeating themselves is not a bot)."""
        candidates = self._unflushed_near(mention.brand, vector)
        if self._collections["mentions"].count():
            found = self._collections["mentions"].query(
                query_embeddings=[vector.tolist()],
                n_results=k,
                where={"brand": mention.brand},
                include=["metadatas", "distances"],
            )
            candidates += [
                (1.0 - distance, meta)
                for meta, distance in zip(found["metadatas"][0], found["distances"][0], strict=True)
            ]
        return sorted(
            {
                str(meta["mention_id"])
                for similarity, meta in candidates
                if similarity >= NEAR_DUPLICATE
                and meta["mention_id"] != mention.id
                and not (mention.author_name and meta.get("author") == mention.author_name)
            }
        )

    def remember_mention(self, mention: Mention, vector: np.ndarray) -> None:
        """Keep the mention for later near-duplicate checks; written to Chroma in batches,
        because one write per mention would cost more than the rest of the pipeline."""
        meta = _meta(mention.brand, "mention", "seen", mention_id=mention.id, author=mention.author_name or "")
        self._unflushed.append((_Record(f"{mention.brand}:mention:{mention.id}", mention.text, meta), vector))
        if len(self._unflushed) >= REMEMBER_BATCH:
            self.flush()

    def flush(self) -> None:
        """Write the remembered mentions that are still in memory."""
        if self._unflushed:
            records, vectors = zip(*self._unflushed, strict=True)
            self._unflushed = []
            self._collections["mentions"].upsert(
                ids=[r.id for r in records],
                documents=[r.document for r in records],
                metadatas=[r.metadata for r in records],
                embeddings=[v.tolist() for v in vectors],
            )

    def _unflushed_near(self, brand_id: str, vector: np.ndarray) -> list[tuple[float, dict[str, Any]]]:
        return [
            (float(other @ vector), record.metadata)
            for record, other in self._unflushed
            if record.metadata["brand"] == brand_id
        ]

    # --- labelled example mentions --------------------------------------------------------

    def sync_examples(self, examples: Sequence[LabelledMention], brand_id: str = SHARED) -> int:
        """Make the stored labelled mentions of brand_id exactly these; embeds only on a change.

        Record ids carry a hash of the example's content, so an edited label or text counts
        as a change even when the count of examples stays the same. Returns how many were written.
        """
        records = [_example_record(brand_id, example) for example in examples]
        stored = set(self._get("examples", {"brand": brand_id})["ids"])
        if stored == {r.id for r in records}:
            return 0
        vectors = self._embedder.embed([example.text for example in examples])
        for start in range(0, len(records), 500):
            chunk = records[start : start + 500]
            self._collections["examples"].upsert(
                ids=[r.id for r in chunk],
                documents=[r.document for r in chunk],
                metadatas=[r.metadata for r in chunk],
                embeddings=vectors[start : start + 500].tolist(),
            )
        self._remove_stale("examples", brand_id, {r.id for r in records})
        return len(records)

    def examples(self, brand_ids: Sequence[str]) -> ExampleSet:
        where = {"brand": {"$in": list(brand_ids)}}
        found = self._get("examples", where, ["embeddings", "metadatas"])
        labels = [LabelledMention.model_validate_json(m["labels"]) for m in found["metadatas"]]
        return ExampleSet(np.asarray(found["embeddings"], dtype=np.float32).reshape(-1, 512), labels)

    # --- plumbing ---------------------------------------------------------------------

    def _upsert(self, name: str, records: list[_Record]) -> int:
        if records:
            vectors = self._embedder.embed([r.document for r in records])
            self._collections[name].upsert(
                ids=[r.id for r in records],
                documents=[r.document for r in records],
                metadatas=[r.metadata for r in records],
                embeddings=vectors.tolist(),
            )
        return len(records)

    def _remove_stale(self, name: str, brand_id: str, keep: set[str]) -> int:
        where = _where(brand_id, origin="folder") if name != "examples" else {"brand": brand_id}
        stale = [i for i in self._get(name, where)["ids"] if i not in keep]
        if stale:
            self._collections[name].delete(ids=stale)
        return len(stale)

    def _get(self, name: str, where: dict[str, Any], include: list[str] | None = None) -> Any:
        return self._collections[name].get(where=where, include=include or [])  # type: ignore[arg-type]


@dataclass(frozen=True)
class _Record:
    id: str
    document: str
    metadata: dict[str, Any]


def _where(brand_id: str, **equals: str) -> dict[str, Any]:
    clauses = [{"brand": brand_id}] + [{key: value} for key, value in equals.items()]
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


def _meta(brand_id: str, kind: str, origin: str = "folder", **extra: Any) -> dict[str, Any]:
    return {"brand": brand_id, "kind": kind, "origin": origin, **extra}


def _brand_record(brand: Brand) -> _Record:
    config = {
        "profile": brand.profile.model_dump(mode="json"),
        "voice": brand.voice.model_dump(mode="json"),
        "matrix": brand.matrix.model_dump(mode="json"),
    }
    return _Record(brand.profile.id, json.dumps(config, ensure_ascii=False), _meta(brand.profile.id, "brand"))


def _fact_records(brand_id: str, fact: Fact) -> list[_Record]:
    return [
        _Record(
            f"{brand_id}:fact:{fact.id}:{language}",
            text,
            _meta(brand_id, "fact", item_id=fact.id, topic=fact.topic, language=language, fact=fact.model_dump_json()),
        )
        for language, text in fact.text.items()
    ]


def _voice_records(brand: Brand) -> list[_Record]:
    """Voice passages: the guide's rules in words, one passage per language and matrix cell."""
    brand_id = brand.profile.id
    records = []
    for language, voice in brand.voice.languages.items():
        passage = (
            f"Address: {voice.address.value}. Greeting: {voice.greeting} Sign-off: {voice.sign_off}. "
            f"Emoji: {voice.emoji.value}. Use: {', '.join(voice.use_words)}. "
            f"Avoid: {', '.join(voice.avoid_words)}. {voice.notes}"
        )
        records.append(
            _Record(
                f"{brand_id}:voice:{language}",
                passage,
                _meta(brand_id, "voice", item_id=f"voice-{language}", language=language),
            )
        )
    for sentiment in ("negative", "neutral", "positive"):
        for register, cell in getattr(brand.matrix, sentiment).items():
            key = f"{sentiment}-{register.value}"
            text = f"{key}: format {cell.format.value}; style: {cell.style}; tone: {cell.tone}"
            records.append(_Record(f"{brand_id}:matrix:{key}", text, _meta(brand_id, "voice", item_id=f"matrix-{key}")))
    return records


def _reply_record(brand_id: str, reply: ApprovedReply, origin: str) -> _Record:
    return _Record(
        f"{brand_id}:reply:{reply.id}",
        reply.mention,
        _meta(
            brand_id,
            "approved_reply",
            origin,
            item_id=reply.id,
            language=reply.language,
            sentiment=reply.sentiment.value,
            reply=reply.model_dump_json(),
        ),
    )


def _example_record(brand_id: str, example: LabelledMention) -> _Record:
    content = hashlib.sha1(example.model_dump_json().encode()).hexdigest()[:10]
    return _Record(
        f"{brand_id}:example:{example.id}:{content}",
        example.text,
        _meta(brand_id, "example", language=example.language, labels=example.model_dump_json()),
    )
