"""The knowledge store on real Chroma (temporary directory) and real embeddings."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from assistant.config import Settings
from assistant.errors import BrandFileError, InputError, UnknownBrandError
from assistant.models import ApprovedReply, Brand, Mention
from knowledge.brands import load_brand
from knowledge.embeddings import Embedder
from knowledge.store import KnowledgeStore, Section, make_client
from tests.conftest import BRANDS_DIR


@pytest.fixture
def store(fresh_settings: Settings, embedder: Embedder) -> KnowledgeStore:
    return KnowledgeStore(make_client(fresh_settings), embedder)


def test_each_brand_sees_only_its_own_knowledge(components) -> None:
    store = components.store
    query = store.embedder.embed_one("Карту заблокировали, комиссия списана дважды")
    for brand_id in ("obed-express", "kedr-bank"):
        own_ids = {f.id for f in store.load_brand(brand_id).facts}
        for collection in ("facts", "approved_replies"):
            found = store.search(brand_id, collection, query, k=50)
            assert found, collection
            assert {item.metadata["brand"] for item in found} == {brand_id}
        assert {item.id for item in store.search(brand_id, "facts", query, k=50)} <= own_ids


def test_reingest_neither_duplicates_nor_loses_service_replies(store: KnowledgeStore, tmp_path: Path) -> None:
    folder = tmp_path / "obed-express"
    shutil.copytree(BRANDS_DIR / "obed-express", folder)
    brand = load_brand(folder)
    store.ingest(brand)
    store.add_approved_reply(
        "obed-express",
        ApprovedReply(mention="Ирина: заказ 48213 опоздал", reply="Ирина, привет! Разберёмся с заказом 48213."),
        names=["Ирина"],
    )
    report = store.ingest(load_brand(folder))
    after = store.load_brand("obed-express")
    assert len(after.facts) == len(brand.facts)
    assert len(after.approved_replies) == len(brand.approved_replies) + 1
    assert report.kept_from_service == 1


def test_reingest_removes_facts_deleted_from_the_folder(store: KnowledgeStore, tmp_path: Path) -> None:
    folder = tmp_path / "kedr-bank"
    shutil.copytree(BRANDS_DIR / "kedr-bank", folder)
    (folder / "playbooks.yaml").unlink()  # the playbooks name facts; a deleted one would be a brand-file error
    (folder / "situation_examples.yaml").unlink()  # and the examples name the playbooks
    store.ingest(load_brand(folder))
    facts = (folder / "facts.md").read_text(encoding="utf-8")
    first_heading = facts.index("\n## ")
    second_heading = facts.index("\n## ", first_heading + 1)
    (folder / "facts.md").write_text(facts[:first_heading] + facts[second_heading:], encoding="utf-8")
    report = store.ingest(load_brand(folder))
    assert report.removed["facts"] == 2  # one fact, in Russian and English
    assert len(store.load_brand("kedr-bank").facts) == len(load_brand(folder).facts)


def test_approved_reply_is_stored_without_personal_data(store: KnowledgeStore) -> None:
    store.ingest(load_brand(BRANDS_DIR / "obed-express"))
    stored = store.add_approved_reply(
        "obed-express",
        ApprovedReply(
            mention="Меня зовут Ирина Петрова, заказ 48213, звоните +7 916 123-45-67 или irina@mail.ru",
            reply="Ирина, привет! Заказ 48213 проверим, Ирине позвонят на +7 916 123-45-67.",
        ),
        names=["Ирина Петрова"],
    )
    for text in (stored.mention, stored.reply):
        for secret in ("Ирин", "Петров", "48213", "916", "irina@mail.ru"):
            assert secret not in text
    assert "<NAME>" in stored.reply and "<ORDER>" in stored.reply and "<PHONE>" in stored.reply


def test_unknown_brand_names_the_known_ones(components) -> None:
    with pytest.raises(UnknownBrandError, match="kedr-bank"):
        components.store.load_brand("no-such-brand")


@pytest.mark.parametrize(
    ("file", "broken", "expected"),
    [
        ("brand.yaml", "response_time_hours: 2\n", "response_time_hours"),
        ("voice.yaml", "    emoji: sparing\n", "emoji"),
        ("matrix.yaml", None, "matrix.yaml"),
    ],
)
def test_malformed_file_names_file_and_field(tmp_path: Path, file: str, broken: str | None, expected: str) -> None:
    folder = tmp_path / "obed-express"
    shutil.copytree(BRANDS_DIR / "obed-express", folder)
    path = folder / file
    text = path.read_text(encoding="utf-8")
    if broken is None:
        path.write_text("negative: [unclosed\n", encoding="utf-8")
    else:
        assert broken in text, f"fixture line not found in {file}"
        path.write_text(text.replace(broken, broken.replace(broken.split(":")[1].strip(), "lots"), 1), encoding="utf-8")
    with pytest.raises(BrandFileError) as error:
        load_brand(folder)
    assert file in str(error.value) and expected in str(error.value)


def test_missing_file_is_named(tmp_path: Path) -> None:
    folder = tmp_path / "kedr-bank"
    shutil.copytree(BRANDS_DIR / "kedr-bank", folder)
    (folder / "voice.yaml").unlink()
    with pytest.raises(BrandFileError, match=r"voice\.yaml: file is missing"):
        load_brand(folder)


def test_demo_facts_are_register_neutral() -> None:
    """Facts are quoted in replies under «ты» and «Вы» alike, so they address no one."""
    from assistant.check import _FORMAL_RU, _INFORMAL_RU

    for brand_id in ("obed-express", "kedr-bank"):
        for fact in load_brand(BRANDS_DIR / brand_id).facts:
            text = fact.text["ru"]
            assert not _INFORMAL_RU.search(text) and not _FORMAL_RU.search(text), (brand_id, fact.id)


def _with_avoided_word(brand: Brand, word: str) -> Brand:
    voice = brand.voice.model_copy(deep=True)
    voice.languages["ru"].avoid_words.append(word)
    return brand.model_copy(update={"voice": voice})


def test_an_edit_raises_only_its_sections_version_and_rewrites_only_what_changed(store: KnowledgeStore) -> None:
    brand = load_brand(BRANDS_DIR / "obed-express")
    store.ingest(brand)
    assert store.versions("obed-express") == dict.fromkeys(Section, 1)
    reworded = brand.facts[0].model_copy(update={"text": {"ru": "Доставляем по всему городу."}})
    store.update_brand(brand.model_copy(update={"facts": [reworded, *brand.facts[1:]]}))
    assert store.versions("obed-express") == {**dict.fromkeys(Section, 1), Section.facts: 2}
    found = store.search("obed-express", "facts", store.embedder.embed_one("доставка"), k=200)
    origins = {item.id: item.metadata["origin"] for item in found}
    assert origins.pop(reworded.id) == "api" and set(origins.values()) == {"folder"}
    assert reworded in store.load_brand("obed-express").facts


def test_ingest_refuses_to_overwrite_api_edits_unless_forced(store: KnowledgeStore) -> None:
    folder = load_brand(BRANDS_DIR / "obed-express")
    store.ingest(folder)
    store.add_approved_reply("obed-express", ApprovedReply(mention="Суп остыл", reply="Разберёмся!"))
    store.update_brand(_with_avoided_word(folder, "в кратчайшие сроки"))
    with pytest.raises(InputError, match=r"voice v2.*--force"):
        store.ingest(folder)
    assert "в кратчайшие сроки" in store.load_brand("obed-express").voice.languages["ru"].avoid_words
    report = store.ingest(folder, replace_api_edits=True)
    assert store.load_brand("obed-express").voice == folder.voice
    assert store.versions("obed-express")[Section.voice] == 3  # the folder's voice is a change too
    assert report.kept_from_service == 1
    store.ingest(folder)  # nothing edited through the API since: no refusal


def test_another_process_sees_an_edit_at_its_next_load(store: KnowledgeStore, fresh_settings: Settings) -> None:
    """Two stores over one Chroma stand for two API workers, each with its own brand cache."""
    brand = load_brand(BRANDS_DIR / "obed-express")
    store.ingest(brand)
    other_worker = KnowledgeStore(make_client(fresh_settings), store.embedder)
    assert "в кратчайшие сроки" not in other_worker.load_brand("obed-express").voice.languages["ru"].avoid_words
    store.update_brand(_with_avoided_word(brand, "в кратчайшие сроки"))
    assert "в кратчайшие сроки" in other_worker.load_brand("obed-express").voice.languages["ru"].avoid_words


def test_a_mention_remembered_twice_before_a_flush_is_written_once(store: KnowledgeStore) -> None:
    """Chroma refuses a batch holding one id twice: the flush keeps the latest of each."""
    mention = Mention(brand="obed-express", text="Курьер опоздал на час, еда остыла", id="twice-1", author_name="Ира")
    vector = store.embedder.embed_one(mention.text)
    store.remember_mention(mention, vector)
    store.remember_mention(mention, vector)
    store.flush()
    copy = mention.model_copy(update={"id": "copy-1", "author_name": "Пётр"})
    assert store.near_duplicates(copy, vector) == ["twice-1"]


def test_mentions_older_than_the_window_are_neither_compared_nor_kept(
    fresh_settings: Settings, embedder: Embedder
) -> None:
    now = [1_800_000_000.0]
    store = KnowledgeStore(make_client(fresh_settings), embedder, duplicate_window_days=30, clock=lambda: now[0])
    old = Mention(brand="obed-express", text="Курьер опоздал на час, еда остыла", id="old-1", author_name="Ира")
    vector = embedder.embed_one(old.text)
    store.remember_mention(old, vector)
    copy = old.model_copy(update={"id": "copy-1", "author_name": "Пётр"})
    assert store.near_duplicates(copy, vector) == ["old-1"]  # in memory, inside the window
    store.flush()
    now[0] += 29 * 86_400
    assert store.near_duplicates(copy, vector) == ["old-1"]  # stored, still inside
    now[0] += 2 * 86_400
    assert store.near_duplicates(copy, vector) == []
    store.flush()
    stored = make_client(fresh_settings).get_collection("otklik_mentions")
    assert stored.get(ids=["obed-express:mention:old-1"])["ids"] == []
