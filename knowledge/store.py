"""The knowledge store: brand configuration, facts, voice passages, approved replies and
labelled example mentions in Chroma.

Every record carries `brand`, `kind` and `origin` metadata; every brand query filters by
brand, so one brand never sees another's knowledge. Origins: "folder" (a brand folder),
"api" (an edit through the service's knowledge routes) and "service" (a reply an operator
approved). An ingest replaces the brand's "folder" and "api" records; "service" records are
never touched by an ingest or a knowledge edit.

Each section of a brand (profile, voice, matrix, facts) has a version, kept in the brand
record's metadata: it goes up by one whenever the section changes, by ingest or by edit.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import chromadb
import numpy as np
from chromadb.api import ClientAPI

from assistant.config import Settings
from assistant.errors import ApiEditsError, UnknownBrandError
from assistant.models import (
    ApprovedReply,
    Brand,
    BrandProfile,
    Fact,
    KnowledgeItem,
    LabelledMention,
    Mention,
    Playbook,
    ReactionMatrix,
    VoiceGuide,
)
from knowledge.embeddings import Embedder, UseEmbeddingFunction
from knowledge.redact import redact

SHARED = "_shared"
COLLECTIONS = ("brands", "facts", "approved_replies", "examples", "mentions")
NEAR_DUPLICATE = 0.92  # cosine at which two mentions by different people read as one text
REMEMBER_BATCH = 64


class Section(StrEnum):
    """The parts of a brand that are edited, and versioned, one at a time."""

    profile = "profile"
    voice = "voice"
    matrix = "matrix"
    facts = "facts"
    playbooks = "playbooks"


Versions = dict[Section, int]


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
    def __init__(
        self,
        client: ClientAPI,
        embedder: Embedder,
        duplicate_window_days: int = 90,
        clock: Callable[[], float] = time.time,
    ):
        self._embedder = embedder
        self._duplicate_window_s, self._clock = duplicate_window_days * 86_400, clock
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

    def ingest(self, brand: Brand, replace_api_edits: bool = False) -> IngestReport:
        """Write a brand folder's records; remove the brand's records that are gone (approved
        replies the service added stay). The folder is the seed: where it differs from edits made
        through the API, ApiEditsError, unless replace_api_edits."""
        brand_id = brand.profile.id
        versions = self._versions_after_ingest(brand, replace_api_edits)
        records = {
            "brands": [_brand_record(brand, versions, "folder")],
            "facts": [record for fact in brand.facts for record in _fact_records(brand_id, fact)],
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
        """The brand as last written, plus approved replies added through the service."""
        return self.load_versioned(brand_id)[0]

    def load_versioned(self, brand_id: str) -> tuple[Brand, Versions]:
        """The brand and its sections' versions. Cached per process; each call first reads the
        versions (one small read by id), so an edit made by another process sharing a Chroma
        server is seen at once. Approved replies carry no version: another process's cached
        `Brand.approved_replies` may lag (retrieval searches Chroma itself and never does)."""
        versions = self.versions(brand_id)
        cached = self._brand_cache.get(brand_id)
        if cached is None or cached[1] != versions:
            cached = self._brand_cache[brand_id] = (self._read_brand(brand_id), versions)
        return cached

    def versions(self, brand_id: str) -> Versions:
        return _versions(self._brand_metadata(brand_id))

    def update_brand(self, brand: Brand) -> Versions:
        """Write a brand edited through the service: only the changed sections' records are
        rewritten and their versions go up by one; approved replies are not touched."""
        brand_id = brand.profile.id
        stored, versions = self.load_versioned(brand_id)
        changed = changed_sections(stored, brand)
        if not changed:
            return versions
        versions = _bumped(versions, changed)
        if Section.facts in changed:
            self._sync("facts", brand_id, [r for fact in brand.facts for r in _fact_records(brand_id, fact, "api")])
        # The brand record last: its versions tell other processes the rest is written.
        self._sync("brands", brand_id, [_brand_record(brand, versions, "api")])
        self._brand_cache.pop(brand_id, None)
        return versions

    def approved_replies(self, brand_id: str) -> list[ApprovedReply]:
        """The brand's approved replies as stored now (seed and service), by id."""
        found = self._get("approved_replies", _where(brand_id), ["metadatas"])
        return sorted((ApprovedReply.model_validate_json(m["reply"]) for m in found["metadatas"]), key=lambda r: r.id)

    def _read_brand(self, brand_id: str) -> Brand:
        found = self._collections["brands"].get(ids=[brand_id], include=["documents"])
        if not found["ids"]:
            raise UnknownBrandError(brand_id, self.brand_ids())
        config = json.loads(found["documents"][0])
        records = self._get("facts", _where(brand_id), ["metadatas"])["metadatas"]
        facts = {m["item_id"]: Fact.model_validate_json(m["fact"]) for m in records}  # one record per language
        facts |= {f["id"]: Fact.model_validate(f) for f in config.get("internal_facts", [])}
        return Brand(
            profile=BrandProfile.model_validate(config["profile"]),
            voice=VoiceGuide.model_validate(config["voice"]),
            matrix=ReactionMatrix.model_validate(config["matrix"]),
            facts=sorted(facts.values(), key=lambda f: f.id),
            approved_replies=self.approved_replies(brand_id),
            playbooks=[Playbook.model_validate(p) for p in config.get("playbooks", [])],
        )

    def _brand_metadata(self, brand_id: str) -> dict[str, Any]:
        found = self._collections["brands"].get(ids=[brand_id], include=["metadatas"])
        if not found["ids"]:
            raise UnknownBrandError(brand_id, self.brand_ids())
        return dict(found["metadatas"][0])

    def _versions_after_ingest(self, brand: Brand, replace_api_edits: bool) -> Versions:
        """Versions up by one where the folder differs from the store (all 1 for a new brand)."""
        brand_id = brand.profile.id
        if brand_id not in self.brand_ids():
            return dict.fromkeys(Section, 1)
        stored, versions = self.load_versioned(brand_id)
        changed = changed_sections(stored, brand)
        if changed and self._brand_metadata(brand_id)["origin"] == "api" and not replace_api_edits:
            edited = ", ".join(f"{section.value} v{versions[section]}" for section in Section if section in changed)
            raise ApiEditsError(
                f"{brand_id}: the knowledge store holds edits made through the API ({edited}) that this folder "
                "would overwrite; bring them into the folder first, or ingest with --force to replace them"
            )
        return _bumped(versions, changed)

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
        """Ids of the brand's mentions of the last `duplicate_window_days` that say nearly the
        same, unless the same named author wrote them (a person repeating themselves is not a bot)."""
        since = self._window_start()
        candidates = [(s, meta) for s, meta in self._unflushed_near(mention.brand, vector) if meta["seen_at"] >= since]
        if self._collections["mentions"].count():
            found = self._collections["mentions"].query(
                query_embeddings=[vector.tolist()],
                n_results=k,
                where={"$and": [{"brand": mention.brand}, {"seen_at": {"$gte": since}}]},
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
        meta = _meta(
            mention.brand,
            "mention",
            "seen",
            mention_id=mention.id,
            author=mention.author_name or "",
            seen_at=self._clock(),
        )
        self._unflushed.append((_Record(f"{mention.brand}:mention:{mention.id}", mention.text, meta), vector))
        if len(self._unflushed) >= REMEMBER_BATCH:
            self.flush()

    def flush(self) -> None:
        """Write the remembered mentions that are still in memory, and forget those older than
        the window. (Mentions remembered before the window existed have no `seen_at`: they are
        never compared again but stay until the collection is cleared.)"""
        self._collections["mentions"].delete(where={"seen_at": {"$lt": self._window_start()}})
        if self._unflushed:
            latest = {record.id: (record, vector) for record, vector in self._unflushed}  # one write per id
            records, vectors = zip(*latest.values(), strict=True)
            self._unflushed = []
            self._collections["mentions"].upsert(
                ids=[r.id for r in records],
                documents=[r.document for r in records],
                metadatas=[r.metadata for r in records],
                embeddings=[v.tolist() for v in vectors],
            )

    def _window_start(self) -> float:
        return self._clock() - self._duplicate_window_s

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
            vectors = self._embedder.embed([r.embed_text or r.document for r in records])
            self._collections[name].upsert(
                ids=[r.id for r in records],
                documents=[r.document for r in records],
                metadatas=[r.metadata for r in records],
                embeddings=vectors.tolist(),
            )
        return len(records)

    def _sync(self, name: str, brand_id: str, records: list[_Record]) -> None:
        """Make the brand's records in `name` these, embedding only new or reworded ones.
        A record whose text and data are unchanged keeps its origin."""
        stored = self._get(name, _where(brand_id), ["documents", "metadatas"])
        old = dict(zip(stored["ids"], zip(stored["documents"], stored["metadatas"], strict=True), strict=True))
        reworded = [r for r in records if r.id not in old or old[r.id][0] != r.document]
        retagged = [r for r in records if r.id in old and r not in reworded and not _same_data(old[r.id][1], r)]
        self._upsert(name, reworded)
        if retagged:
            self._collections[name].update(ids=[r.id for r in retagged], metadatas=[r.metadata for r in retagged])
        self._remove_stale(name, brand_id, {r.id for r in records})

    def _remove_stale(self, name: str, brand_id: str, keep: set[str]) -> int:
        """Delete the brand's records not in keep; approved replies the service added stay."""
        not_service = {"$and": [{"brand": brand_id}, {"origin": {"$ne": "service"}}]}
        where = not_service if name != "examples" else {"brand": brand_id}
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
    embed_text: str = ""  # what to embed when not the document (a brand record is read by id, never searched)


def _where(brand_id: str, **equals: str) -> dict[str, Any]:
    clauses = [{"brand": brand_id}] + [{key: value} for key, value in equals.items()]
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


def _meta(brand_id: str, kind: str, origin: str = "folder", **extra: Any) -> dict[str, Any]:
    return {"brand": brand_id, "kind": kind, "origin": origin, **extra}


def _same_data(metadata: dict[str, Any], record: _Record) -> bool:
    """Whether stored metadata says what the record says, apart from where it came from."""
    return {**metadata, "origin": ""} == {**record.metadata, "origin": ""}


def changed_sections(old: Brand, new: Brand) -> set[Section]:
    """The sections in which two states of a brand differ (facts compared by id, not order)."""
    return {section for section in Section if _section(old, section) != _section(new, section)}


def _section(brand: Brand, section: Section) -> object:
    return {fact.id: fact for fact in brand.facts} if section is Section.facts else getattr(brand, section.value)


def _versions(metadata: dict[str, Any]) -> Versions:
    """Versions from the brand record's metadata (0 for a store written before versions existed)."""
    return {section: int(metadata.get(f"v_{section.value}", 0)) for section in Section}


def _bumped(versions: Versions, changed: set[Section]) -> Versions:
    return {section: version + (section in changed) for section, version in versions.items()}


def _brand_record(brand: Brand, versions: Versions, origin: str) -> _Record:
    config = {
        "profile": brand.profile.model_dump(mode="json"),
        "voice": brand.voice.model_dump(mode="json"),
        "matrix": brand.matrix.model_dump(mode="json"),
        "playbooks": [playbook.model_dump(mode="json") for playbook in brand.playbooks],
        # Internal facts are not retrievable records (no reply may quote them); the checks read them here.
        "internal_facts": [fact.model_dump(mode="json") for fact in brand.facts if fact.audience == "internal"],
    }
    stamps = {f"v_{section.value}": version for section, version in versions.items()}
    meta = _meta(brand.profile.id, "brand", origin, **stamps)
    return _Record(brand.profile.id, json.dumps(config, ensure_ascii=False), meta, embed_text=brand.profile.name)


def _fact_records(brand_id: str, fact: Fact, origin: str = "folder") -> list[_Record]:
    """A public fact's text per language; an internal one is not retrievable, so no reply quotes it."""
    if fact.audience == "internal":
        return []
    return [
        _Record(
            f"{brand_id}:fact:{fact.id}:{language}",
            text,
            _meta(
                brand_id,
                "fact",
                origin,
                item_id=fact.id,
                topic=fact.topic,
                language=language,
                fact=fact.model_dump_json(),
            ),
        )
        for language, text in fact.text.items()
    ]


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
