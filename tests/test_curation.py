"""Curation on a real store: decisions are logged, applied, undone, and survive re-ingest."""
from __future__ import annotations

import shutil

import pytest

from graph_builder import curation
from graph_builder.errors import CurationError
from graph_builder.load import ingest
from graph_builder.store.sqlite import SQLiteStore
from queries.profiles import find_entities
from tests.conftest import SAMPLE_CORPUS


@pytest.fixture()
def store(tmp_path, sample_db):
    db = tmp_path / "curated.db"
    shutil.copy(sample_db, db)
    s = SQLiteStore(db)
    yield s
    s.close()


def entity(store, name, etype):
    return next(e for e in find_entities(store, name, etype) if e.name == name)


def test_merge_is_logged_and_survives_reingest_of_a_changed_file(store, tmp_path, nlp) -> None:
    a = entity(store, "Gaziantep", "PLACE")
    b = entity(store, "Kilis", "PLACE")
    d = curation.merge(store, a.id, b.id, who="analyst-1", why="test: deliberately wrong merge",
                       evidence="int-03 turn 2")
    assert store.entity(b.id) is None
    merged = store.entity(store.resolution()[curation.keys_of(store, a.id)[0]])
    assert {"Gaziantep", "Kilis"} <= set(merged.aliases)
    logged = store.curation_log()[-1]
    assert logged["who"] == "analyst-1" and logged["why"] and logged["when"] and logged["id"] == d["id"]

    # Re-ingest a changed copy of the corpus: the merge is replayed.
    folder = tmp_path / "corpus"
    shutil.copytree(SAMPLE_CORPUS, folder)
    md = folder / "int-01_abu-layla_sanliurfa.md"
    md.write_text(md.read_text(encoding="utf-8") + "\nQ: Anything else?\nA: Only that Kilis was cold.\n",
                  encoding="utf-8")
    # (a copy elsewhere replaces the interviews held from the first folder: --replace)
    report = ingest([folder], store, nlp, replace=True)
    assert report.replaced == ["int-01"]
    ids = store.resolution()
    assert len({ids[k] for k in d["keys"] + d["other_keys"]}) == 1

    curation.undo(store, d["id"], who="analyst-1", why="it was a test")
    assert store.entity(a.id) is not None and store.entity(b.id) is not None


def test_rename_split_and_reject(store) -> None:
    raqqa = entity(store, "Raqqa", "PLACE")
    curation.rename(store, raqqa.id, "ar-Raqqa (city)", who="analyst-2", why="house style")
    assert store.entity(raqqa.id).name == "ar-Raqqa (city)"
    keys = curation.keys_of(store, raqqa.id)
    if len(keys) > 1:
        curation.split(store, raqqa.id, keys[-1:], who="analyst-2", why="different place", name="Raqqa (other)")
        assert store.resolution()[keys[-1]] != store.resolution()[keys[0]]
    pairs = curation.review_queue(store)
    if pairs:
        a, b, _ = pairs[0]
        curation.reject(store, a, b, who="analyst-2", why="two people")
        assert (a, b) not in {(x, y) for x, y, _ in curation.review_queue(store)}


def test_bad_decisions_are_refused_clearly(store) -> None:
    raqqa = entity(store, "Raqqa", "PLACE")
    hisbah = next(e for e in find_entities(store, "hisbah", "ORG"))
    with pytest.raises(CurationError, match="one type"):
        curation.merge(store, raqqa.id, hisbah.id, who="a")
    with pytest.raises(CurationError, match="who"):
        curation.rename(store, raqqa.id, "x", who=" ")
    with pytest.raises(CurationError, match="no decision"):
        curation.undo(store, "nope", who="a")


def abu_omars(store) -> tuple[str, str]:
    """(trainer, smuggler): the two entities the resolver made of "Abu Omar" by context."""
    by_interview = {m.interview_id: m.entity_id for m in store.mentions()
                    if m.key == "PERSON:abu omar"}
    return by_interview["int-05"], by_interview["int-09"]


def omar_entities(store) -> dict[str, str]:
    return {m.interview_id: m.entity_id for m in store.mentions() if m.key == "PERSON:abu omar"}


def test_split_by_interview_and_undo(store, tmp_path, nlp) -> None:
    trainer, smuggler = abu_omars(store)
    before = omar_entities(store)
    d = curation.split(store, smuggler, ["PERSON:abu omar"], interviews=["int-02"],
                       who="analyst-3", why="the ransom smuggler may be another man",
                       name="Abu Omar (ransom, int-02)")
    assert store.curation_log()[-1]["interviews"] == ["int-02"]
    after = omar_entities(store)
    assert after["int-02"] not in (trainer, smuggler)
    assert store.entity(after["int-02"]).name == "Abu Omar (ransom, int-02)"
    assert {i: e for i, e in after.items() if i != "int-02"} == \
           {i: e for i, e in before.items() if i != "int-02"}
    assert store.resolution()["PERSON:abu omar@int-02"] == after["int-02"]
    # Replayed when another interview changes and is ingested again.
    folder = tmp_path / "corpus"
    shutil.copytree(SAMPLE_CORPUS, folder)
    md = folder / "int-01_abu-layla_sanliurfa.md"
    md.write_text(md.read_text(encoding="utf-8") + "\nQ: Anything else?\nA: No.\n",
                  encoding="utf-8")
    assert ingest([folder], store, nlp, replace=True).replaced == ["int-01"]  # a copy elsewhere
    assert omar_entities(store)["int-02"] == after["int-02"]
    curation.undo(store, d["id"], who="analyst-3", why="checked: the same smuggler")
    assert omar_entities(store) == before


def test_merge_of_context_split_entities_and_undo(store) -> None:
    trainer, smuggler = abu_omars(store)
    assert any({a, b} == {trainer, smuggler} for a, b, _ in curation.review_queue(store))
    before = omar_entities(store)
    d = curation.merge(store, trainer, smuggler, who="analyst-4", why="test: one Abu Omar",
                       name="Abu Omar")
    merged = set(omar_entities(store).values())
    assert len(merged) == 1 and store.entity(merged.pop()).name == "Abu Omar"
    assert not [k for k in store.resolution() if k.startswith("PERSON:abu omar@")]
    curation.undo(store, d["id"], who="analyst-4", why="they are two")
    assert omar_entities(store) == before


def test_split_by_interview_refuses_what_it_cannot_do(store) -> None:
    trainer, smuggler = abu_omars(store)
    with pytest.raises(CurationError, match="no mention"):  # int-05 is the trainer's
        curation.split(store, smuggler, ["PERSON:abu omar"], interviews=["int-05"], who="a")
    with pytest.raises(CurationError, match="not its own"):
        curation.split(store, smuggler, ["PLACE:raka"], interviews=["int-02"], who="a")
    smuggler_interviews = sorted(i for i, e in omar_entities(store).items() if e == smuggler)
    with pytest.raises(CurationError, match="nothing behind"):
        curation.split(store, smuggler, ["PERSON:abu omar"], interviews=smuggler_interviews,
                       who="a")


def test_uncertain_merges_and_confirm(store) -> None:
    unsure = curation.uncertain_merges(store)
    assert list(unsure) == sorted(unsure, key=lambda x: (x[1], x[0]))
    eid, confidence, keys = unsure[0]
    assert confidence < 1.0 and len(keys) > 1
    d = curation.confirm(store, eid, who="analyst-3", why="same man in every account")
    assert eid not in {e for e, _, _ in curation.uncertain_merges(store)}
    assert store.entity(eid) is not None  # confirming changes nothing in the graph
    curation.undo(store, d["id"], who="analyst-3")
    assert eid in {e for e, _, _ in curation.uncertain_merges(store)}
