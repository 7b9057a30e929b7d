"""Who else says this: corroborating a statement, not just a name. On the sample corpus and
on FICTIONAL texts written here; the development corpus's facts are measured too."""
from __future__ import annotations

import json
from pathlib import Path

from graph_builder.load import ingest
from graph_builder.store.sqlite import SQLiteStore
from queries.claims import corroborate_claim
from queries.redaction import witness_code

SHARED = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "dev"
SINJAR = "ISIS took Sinjar on the third of August 2014."


def test_a_statement_finds_the_people_who_say_it_and_the_one_who_dates_it_otherwise(sample_store) -> None:
    found = corroborate_claim(sample_store, SINJAR)
    names = [s.pseudonym for s in found.sources]
    assert len(names) == len(set(names)) == found.source_count  # sources are people
    assert names[:2] == ["Shireen", "Abu Mustafa"]  # both give the third of August
    assert found.sources[0].quotes[0].text.startswith("It was the third of August, 2014")
    mustafa = found.sources[1]
    assert mustafa.status == "hearsay" and mustafa.quotes[0].cue == "He said"
    # the quote is the sentence, not the whole turn, with its provenance
    q = mustafa.quotes[0]
    assert q.text.startswith("He said he was in Shengal") and q.end - q.start == len(q.text)
    assert q.turn_id.startswith("int-12#") and q.speaker_role == "interviewee"
    # Abu Hareth: "the fourth of August" beside the statement's third, not among supporters
    (against,) = [c for c in found.contradictions if c.pseudonym == "Abu Hareth"]
    assert against.aspect == "dates" and against.claimed == ("2014-08-03",)
    assert against.given == ("2014-08-04",) and "fourth of August" in against.quote.text
    assert "Abu Hareth" not in names
    assert found.retrieval.startswith("meaning (all-minilm")  # says how it found them


def test_spelling_does_not_matter(sample_store) -> None:
    """Shingal, Shengal, Sinjar: one place, found under any of its names."""
    a = corroborate_claim(sample_store, "ISIS took Shingal on the third of August 2014.")
    b = corroborate_claim(sample_store, SINJAR)
    assert [s.pseudonym for s in a.sources][:2] == [s.pseudonym for s in b.sources][:2]


def test_the_cli_prints_one_json_object_ranked(sample_db, monkeypatch, capsys) -> None:
    from graph_builder.cli import main

    monkeypatch.setenv("TESTIMONY_DB", str(sample_db))
    monkeypatch.setenv("TESTIMONY_BACKEND", "sqlite")
    monkeypatch.delenv("NEO4J_URI", raising=False)
    assert main(["corroborate", "--claim", SINJAR, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["claim"] == SINJAR and data["source_count"] == len(data["sources"])
    first = data["sources"][0]
    assert {"interview_id", "source_path", "pseudonym", "status", "quotes"} <= set(first)
    assert first["pseudonym"] == witness_code("Shireen")  # pseudonym-safe, like every report
    assert first["interview_id"] == "int-02" and first["source_path"].endswith("shireen_yazidi-survivor.json")
    assert [s["rank"] for s in data["sources"]] == list(range(1, len(data["sources"]) + 1))
    assert [s["score"] for s in data["sources"]] == sorted((s["score"] for s in data["sources"]),
                                                           reverse=True)
    assert data["contradictions"][0]["given"] == ["2014-08-04"]
    assert main(["corroborate", "--claim", SINJAR]) == 0  # the Markdown report
    report = capsys.readouterr().out
    assert "## Says otherwise" in report and "2014-08-04 where the statement has 2014-08-03" in report


NEWS = """---
title: "{title}"
speaker: Abu Salim al-Tunisi, 38, former Amniyat officer
---
{body}
"""


def test_two_texts_quoting_the_same_man_are_one_source(tmp_path: Path, nlp) -> None:
    folder = tmp_path / "news"
    folder.mkdir()
    (folder / "paper-a.md").write_text(NEWS.format(
        title="A former officer speaks (fictional)",
        body="Abu Salim said the Amniyat kept foreign hostages in the basement of the old "
             "hospital in Tabqa."), encoding="utf-8")
    (folder / "paper-b.md").write_text(NEWS.format(
        title="Inside the security service (fictional)",
        body="The Amniyat kept the foreign hostages in the hospital basement in Tabqa, Abu "
             "Salim told reporters."), encoding="utf-8")
    (folder / "witness.md").write_text(
        "---\ninterviewee: Umm Rania\n---\nInterviewer: Where were the hostages?\n\n"
        "Umm Rania: I saw the foreign hostages taken into the basement of the hospital in Tabqa.\n",
        encoding="utf-8")
    store = SQLiteStore(tmp_path / "g.db")
    ingest([folder], store, nlp)
    found = corroborate_claim(store, "The Amniyat held foreign hostages in the hospital basement in Tabqa.")
    by_name = {s.pseudonym: s for s in found.sources}
    assert set(by_name) == {"Abu Salim al-Tunisi", "Umm Rania"} and found.source_count == 2
    assert sorted(by_name["Abu Salim al-Tunisi"].interviews) == ["paper-a", "paper-b"]
    assert by_name["Umm Rania"].status == "first_hand"
    store.close()


def _answer(found) -> tuple:  # noqa: ANN001
    """What a statement's answer says, but the scores: the stores' vector indexes (exact on
    SQLite, HNSW on Neo4j) give cosines a few ten-thousandths apart."""
    return (found.source_count, found.retrieval,
            [(s.pseudonym, s.status, s.interviews, [(q.turn_id, q.start, q.status) for q in s.quotes])
             for s in found.sources],
            [(c.aspect, c.claimed, c.given, c.pseudonym, c.quote.turn_id) for c in found.contradictions],
            found.disagreements)


def test_both_stores_answer_a_statement_the_same(corpus_stores) -> None:
    for claim in (SINJAR, "The hisbah flogged a man in the square in Raqqa."):
        a, b = (corroborate_claim(s, claim) for s in corpus_stores)
        assert _answer(a) == _answer(b)
        assert all(abs(x.score - y.score) < 0.01 for x, y in zip(a.sources, b.sources))
    assert a.source_count >= 2


def test_the_development_facts_are_found_among_the_top_ten_sources(nlp) -> None:
    from graph_builder.extract.evaluate import claims_report

    report = claims_report(SHARED / "docs", SHARED / "corroboration.json", nlp)
    assert report["facts"] >= 20
    assert report["recall"] >= 0.8, [f for f in report["per_fact"] if f["recall"] < 1]
