"""The whole ingest path on the embedded store: idempotent, replacing, forgiving of bad files."""
from __future__ import annotations

import shutil
from pathlib import Path

from graph_builder.load import ingest
from graph_builder.store.sqlite import SQLiteStore
from queries.search import search
from tests.conftest import DEV_CORPUS, SAMPLE_CORPUS, all_entities

FICTIONAL = """---
interview_id: fict-a
interviewee: Abu Salim
status: defector
note: FICTIONAL test transcript
---
Q: Where were you in 2015?
A: I was in Raqqah with the hisbah. Abu Hamza al-Tunisi was our emir there.
Q: Did you see punishments?
A: I saw a flogging in the main square of Raqqa, forty lashes.
"""


def test_sample_corpus_ingests_whole(sample_store) -> None:
    stats = sample_store.stats()
    assert stats["interviews"] == len([p for p in SAMPLE_CORPUS.iterdir()
                                       if p.suffix in {".md", ".txt", ".json", ".srt", ".vtt", ".docx", ".pdf"}
                                       and p.name != "README.md"])
    assert stats["turns"] > 300 and stats["mentions"] > 500 and stats["theme_codes"] > 100


def test_reingest_changes_nothing(tmp_path, nlp, sample_db) -> None:
    db = tmp_path / "copy.db"
    shutil.copy(sample_db, db)
    store = SQLiteStore(db)
    before = (store.stats(), [m for m in store.mentions()], all_entities(store))
    report = ingest([SAMPLE_CORPUS], store, nlp)
    assert report.added == [] and report.replaced == [] and len(report.unchanged) == before[0]["interviews"]
    assert (store.stats(), store.mentions(), all_entities(store)) == before
    store.close()


def test_changed_file_replaces_its_old_version(tmp_path, nlp) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    f = folder / "a.md"
    f.write_text(FICTIONAL)
    store = SQLiteStore(tmp_path / "s.db")
    assert ingest([folder], store, nlp).added == ["fict-a"]
    turns_before = store.stats()["turns"]
    f.write_text(FICTIONAL.replace("forty lashes.", "forty lashes.\nQ: And after?\nA: I fled to Urfa."))
    report = ingest([folder], store, nlp)
    assert report.replaced == ["fict-a"]
    assert store.stats()["interviews"] == 1
    assert store.stats()["turns"] == turns_before + 2
    assert not search(store, "forty lashes")[1:]  # one turn, not two versions of it
    assert search(store, "Urfa")
    store.close()


def test_broken_files_are_reported_and_the_batch_goes_on(tmp_path, nlp) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.md").write_text(FICTIONAL)
    (folder / "empty.txt").write_text("   \n")
    (folder / "bad.json").write_text('{"turns": [')
    (folder / "latin1.txt").write_bytes("Q: caf\xe9?\nA: non".encode("latin-1"))
    store = SQLiteStore(tmp_path / "s.db")
    report = ingest([folder], store, nlp)
    failed = {Path(p).name: reason for p, reason in report.failed}
    assert set(failed) == {"empty.txt", "bad.json", "latin1.txt"}
    assert "empty" in failed["empty.txt"] and "UTF-8" in failed["latin1.txt"]
    assert report.added == ["fict-a"]
    assert store.stats()["interviews"] == 1
    store.close()


def test_dev_corpus_ingests_and_a_shared_place_is_found_in_each_interview(dev_db) -> None:
    store = SQLiteStore(dev_db)
    assert store.stats()["interviews"] == 18
    hits = search(store, "Raqqa", limit=500)
    interviews = {h.turn.interview_id for h in hits}
    # Raqqa is named in several of the dev texts; search must reach every one of them.
    expected = {p.stem for p in (DEV_CORPUS / "docs").glob("*.txt")
                if "Raqqa" in p.read_text(encoding="utf-8").split("\n\n", 1)[1]}
    assert len(expected) >= 4 and expected <= interviews
    store.close()


def test_search_finds_a_place_across_sample_interviews_and_spellings(sample_store) -> None:
    hits = search(sample_store, "Raqqa", limit=500)
    interviews = {h.turn.interview_id for h in hits}
    assert len(interviews) >= 5
    texts = " ".join(h.turn.text for h in hits)
    assert "Raqqah" in texts  # the resolved entity brings in other spellings
    assert all(h.matches for h in hits)


def test_workers_give_the_same_graph_as_one_process(tmp_path, nlp) -> None:
    one, two = SQLiteStore(tmp_path / "one.db"), SQLiteStore(tmp_path / "two.db")
    ingest([SAMPLE_CORPUS], one, nlp, workers=1)
    ingest([SAMPLE_CORPUS], two, nlp, workers=2)
    assert one.stats() == two.stats()
    assert one.mentions() == two.mentions()
    assert one.themes() == two.themes() and one.links() == two.links()
    assert all_entities(one) == all_entities(two)
    one.close(), two.close()


def test_quoted_words_must_stand_together(tmp_path, nlp) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.md").write_text(FICTIONAL)
    (folder / "b.md").write_text(FICTIONAL.replace("fict-a", "fict-b").replace("Abu Salim", "Umm Rana")
                                 .replace("in the main square of Raqqa", "in Raqqa, in the square that was main"))
    store = SQLiteStore(tmp_path / "s.db")
    ingest([folder], store, nlp)
    loose = {h.turn.interview_id for h in search(store, "main square")}
    exact = search(store, '"main square"')
    assert loose == {"fict-a", "fict-b"}
    assert {h.turn.interview_id for h in exact} == {"fict-a"}
    turn = exact[0].turn
    assert any(turn.text[a:b].lower() == "main square" for a, b in exact[0].matches)
    store.close()


def test_an_interview_the_extractor_chokes_on_is_reported_and_the_rest_go_in(tmp_path, nlp, monkeypatch) -> None:
    import graph_builder.extract.pipeline as pipeline

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.md").write_text(FICTIONAL)
    (folder / "b.md").write_text(FICTIONAL.replace("fict-a", "fict-b"))
    real = pipeline.extract_many

    def choke_on_b(interviews, nlp, workers=1, **kw):
        if any(iv.id == "fict-b" for iv in interviews):
            raise RuntimeError("simulated extractor bug")
        return real(interviews, nlp, workers=workers, **kw)

    monkeypatch.setattr(pipeline, "extract_many", choke_on_b)
    store = SQLiteStore(tmp_path / "s.db")
    report = ingest([folder], store, nlp)
    assert report.added == ["fict-a"]
    assert [Path(p).name for p, _ in report.failed] == ["b.md"]
    assert "simulated extractor bug" in report.failed[0][1]
    assert [s.id for s in store.interviews()] == ["fict-a"]
    # Fixed, the next run takes it in (it was never half-written).
    monkeypatch.setattr(pipeline, "extract_many", real)
    assert ingest([folder], store, nlp).added == ["fict-b"]
    store.close()
