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
    return next(e for e, _ in find_entities(store, name, etype) if e.name == name)


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
    report = ingest([folder], store, nlp)
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
    hisbah = next(e for e, _ in find_entities(store, "hisbah", "ORG"))
    with pytest.raises(CurationError, match="one type"):
        curation.merge(store, raqqa.id, hisbah.id, who="a")
    with pytest.raises(CurationError, match="who"):
        curation.rename(store, raqqa.id, "x", who=" ")
    with pytest.raises(CurationError, match="no decision"):
        curation.undo(store, "nope", who="a")
