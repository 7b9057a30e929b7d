"""One store contract, two backends: the same testimony gives the same answers on both.

Every test builds (or opens) a SQLite store and a Neo4j store holding the same interviews and
asserts that each query of `queries/` and each primitive of the GraphStore contract answers the
same on both, row for row and in the same order. The Neo4j side is a real server
(scripts/neo4j-server.sh); nothing is mocked. Behaviour (re-ingest, replace, delete, a failed
write) is checked on both backends side by side too.
"""
from __future__ import annotations

import random
import shutil
import sqlite3
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import neo4j.exceptions
import networkx as nx
import pytest

from graph_builder.load import IngestReport, ingest, read_interviews, refresh_resolution
from graph_builder.model import (Entity, ExtractedInterview, Interview, Interviewee, Link,
                                 Mention, Resolution, ThemeCode, Turn)
from graph_builder.store.sqlite import SQLiteStore
from queries import corroboration
from queries.exports import export_graph
from queries.interviews import list_interviews, read_interview
from queries.network import InterviewFilter, cooccurrence_graph
from queries.paths import annotate_structure, central_entities, neighbourhood, shortest_paths
from queries.profiles import entity_profile, find_entities
from queries.search import CANDIDATE_LIMIT, search
from queries.text import term_spans, terms
from schemas import ENTITY_TYPES, LINK_TYPES, load_codebook
from tests.conftest import SAMPLE_CORPUS

pytestmark = pytest.mark.neo4j  # a real server, never mocked


def same(stores: tuple[Any, Any], ask: Callable[[Any], Any]) -> Any:
    """Ask both backends; the answers must be equal. Returns the answer."""
    sqlite, neo = stores
    expected, got = ask(sqlite), ask(neo)
    assert got == expected
    return expected


def graph_answer(g: nx.Graph) -> tuple[list, list]:
    """A co-occurrence graph as comparable data: nodes and edges with every attribute."""
    nodes = sorted((n, sorted(d.items())) for n, d in g.nodes(data=True))
    edges = sorted((min(a, b), max(a, b), sorted(d.items())) for a, b, d in g.edges(data=True))
    return nodes, edges


def primitives(store) -> dict[str, Any]:
    """Every read of the contract, over everything the store holds."""
    out: dict[str, Any] = {
        "stats": store.stats(), "interviews": store.interviews(), "entities": store.entities(),
        "mentions": store.mentions(), "themes": store.themes(), "links": store.links(),
        "key_usage": store.key_usage(), "resolution": store.resolution(),
        "possibly_same": store.possibly_same(), "curation_log": store.curation_log(),
    }
    for s in store.interviews():
        out[f"interview {s.id}"] = store.interview(s.id)
        out[f"turns_of {s.id}"] = store.turns_of(s.id)
        out[f"mentions of {s.id}"] = store.mentions(interview_id=s.id)
        out[f"themes of {s.id}"] = store.themes(interview_id=s.id)
    for e in store.entities():
        out[f"mentions of {e.id}"] = store.mentions(entity_id=e.id)
        out[f"links of {e.id}"] = store.links(entity_id=e.id)
    return out


def assert_no_orphans(store) -> None:
    """Every entity is mentioned, every interviewee gave an interview, every fact has its turn."""
    mentioned = {m.entity_id for m in store.mentions()}
    assert {e.id for e in store.entities()} <= mentioned
    summaries = store.interviews()
    stats = store.stats()
    assert stats["interviewees"] == len({s.pseudonym for s in summaries})
    assert stats["turns"] == sum(s.turns for s in summaries)
    turn_ids = {t.id for s in summaries for t in store.turns_of(s.id)}
    assert {m.turn_id for m in store.mentions()} <= turn_ids
    assert {t.turn_id for t in store.themes()} <= turn_ids
    assert {ln.turn_id for ln in store.links()} <= turn_ids


# --- the sample corpus, read on both backends ---------------------------------------------------

def test_both_backends_hold_the_whole_sample_corpus(corpus_stores) -> None:
    stats = same(corpus_stores, lambda s: s.stats())
    files = [p for p in SAMPLE_CORPUS.iterdir() if p.suffix in
             {".md", ".txt", ".json", ".srt", ".vtt", ".docx", ".pdf"} and p.name != "README.md"]
    assert stats["interviews"] == len(files)
    assert all(stats[k] > 0 for k in ("turns", "mentions", "entities", "theme_codes"))
    assert {s.backend for s in corpus_stores} == {"sqlite", "neo4j"}


def test_interviews_and_turns_agree(corpus_stores) -> None:
    summaries = same(corpus_stores, lambda s: s.interviews())
    assert same(corpus_stores, list_interviews) == summaries
    for s in summaries:
        assert same(corpus_stores, lambda st: st.interview(s.id)) is not None
        turns = same(corpus_stores, lambda st: st.turns_of(s.id))
        assert [t.index for t in turns] == sorted(t.index for t in turns)
        assert same(corpus_stores, lambda st: st.content_hash(s.id)) == s.content_hash
    assert same(corpus_stores, lambda st: st.interview("no-such-interview")) is None
    assert same(corpus_stores, lambda st: st.turns_of("no-such-interview")) == []
    assert same(corpus_stores, lambda st: st.content_hash("no-such-interview")) is None
    counts = same(corpus_stores, lambda st: st.mention_counts())
    assert counts == dict(Counter(m.entity_id for m in corpus_stores[0].mentions()))
    roles = same(corpus_stores, lambda st: st.turn_roles())
    assert roles == {t.id: t.speaker_role for s in summaries for t in corpus_stores[0].turns_of(s.id)}
    # turns(): any ids, repeated, unknown, in any order -> sorted by interview and index
    ids = [t.id for s in summaries for t in corpus_stores[0].turns_of(s.id)]
    rnd = random.Random(7)
    for k in (0, 1, 5, 60, len(ids)):
        pick = rnd.sample(ids, k) + ids[:2] + ["no-such#1"]
        rows = same(corpus_stores, lambda st: st.turns(pick))
        assert [r.id for r in rows] == sorted(set(pick) - {"no-such#1"}, key=lambda i: (
            i.rsplit("#", 1)[0], int(i.rsplit("#", 1)[1])))


def test_entities_agree(corpus_stores) -> None:
    entities = same(corpus_stores, lambda s: s.entities())
    assert entities and [e.id for e in entities] == sorted(e.id for e in entities)
    for t in (*ENTITY_TYPES, "", None, "NOT_A_TYPE"):
        same(corpus_stores, lambda s: s.entities(t))
    for e in entities:
        assert same(corpus_stores, lambda s: s.entity(e.id)) == e
    assert same(corpus_stores, lambda s: s.entity("place:nowhere at all")) is None


def test_mentions_agree_under_every_filter(corpus_stores) -> None:
    everything = same(corpus_stores, lambda s: s.mentions())
    assert everything
    summaries = corpus_stores[0].interviews()
    entities = corpus_stores[0].entities()
    for e in entities:
        rows = same(corpus_stores, lambda s: s.mentions(entity_id=e.id))
        assert rows and all(m.entity_id == e.id for m in rows)
        same(corpus_stores, lambda s: s.mentions(entity_id=e.id, interview_id=summaries[0].id))
    for iv in summaries:
        rows = same(corpus_stores, lambda s: s.mentions(interview_id=iv.id))
        turn_ids = [t.id for t in corpus_stores[0].turns_of(iv.id)]
        assert same(corpus_stores, lambda s: s.mentions(turn_ids=turn_ids)) == rows
        same(corpus_stores, lambda s: s.mentions(turn_ids=turn_ids[::3] + turn_ids[:4]))
        same(corpus_stores, lambda s: s.mentions(turn_ids=turn_ids, interview_id=summaries[0].id))
        if rows:
            eid = rows[0].entity_id
            same(corpus_stores, lambda s: s.mentions(turn_ids=turn_ids, entity_id=eid))
    all_turns = sorted({m.turn_id for m in everything})
    assert same(corpus_stores, lambda s: s.mentions(turn_ids=all_turns)) == everything
    for empty in ([], ["no-such#0"]):
        assert same(corpus_stores, lambda s: s.mentions(turn_ids=empty)) == []
    assert same(corpus_stores, lambda s: s.mentions(entity_id="person:nobody")) == []
    assert same(corpus_stores, lambda s: s.mentions(interview_id="no-such")) == []


def test_themes_agree_under_every_filter(corpus_stores) -> None:
    everything = same(corpus_stores, lambda s: s.themes())
    assert everything
    for theme in [t.code for t in load_codebook()] + ["not-a-code"]:
        rows = same(corpus_stores, lambda s: s.themes(theme=theme))
        assert all(r.theme == theme for r in rows)
    summaries = corpus_stores[0].interviews()
    for iv in summaries:
        rows = same(corpus_stores, lambda s: s.themes(interview_id=iv.id))
        turn_ids = [t.id for t in corpus_stores[0].turns_of(iv.id)]
        assert same(corpus_stores, lambda s: s.themes(turn_ids=turn_ids)) == rows
        same(corpus_stores, lambda s: s.themes(turn_ids=turn_ids[1::2], theme="brutality"))
        same(corpus_stores, lambda s: s.themes(interview_id=iv.id, theme="women"))
        same(corpus_stores, lambda s: s.themes(turn_ids=turn_ids, interview_id=summaries[0].id))
    assert same(corpus_stores, lambda s: s.themes(turn_ids=[])) == []


def test_links_agree(corpus_stores) -> None:
    links = same(corpus_stores, lambda s: s.links())
    assert {ln.type for ln in links} <= set(LINK_TYPES)
    for e in corpus_stores[0].entities():
        rows = same(corpus_stores, lambda s: s.links(entity_id=e.id))
        assert all(e.id in (ln.source_id, ln.target_id) for ln in rows)
    assert same(corpus_stores, lambda s: s.links(entity_id="person:nobody")) == []


def test_resolver_state_agrees(corpus_stores) -> None:
    usage = same(corpus_stores, lambda s: s.key_usage())
    resolution = same(corpus_stores, lambda s: s.resolution())
    by_key = {u.key: u for u in usage}
    assert usage and {k for k in resolution if k in by_key} == set(by_key)
    # The rest are per-interview entries "key@interview" (one short name, two people).
    for entry in set(resolution) - set(by_key):
        key, _, interview = entry.rpartition("@")
        assert interview in by_key[key].interviews and resolution[entry] != resolution[key]
    assert all(dict(u.contexts).keys() == set(u.interviews) for u in usage)
    same(corpus_stores, lambda s: s.possibly_same())
    assert same(corpus_stores, lambda s: s.curation_log()) == []


SEARCHES: list[tuple[str, dict[str, Any]]] = [
    ("Raqqa", {}), ("raqqah", {}), ("RAQQA", {"limit": 5}), ("hisbah", {}), ("emir", {}),
    ("the", {}), ("bay'ah", {}), ("Abu", {}), ("women prison", {}), ("Deir ez-Zor", {}),
    ("2015", {}), ("Şanlıurfa", {}), ("no such words anywhere", {}), ("", {}),
    ("Raqqa", {"entity_type": "PERSON"}), ("emir", {"entity_type": "ORG"}),
    ("Raqqa", {"theme": "brutality"}), ("women", {"theme": "women"}),
    ("Raqqa", {"speaker_roles": ("interviewee",)}), ("camp", {"speaker_roles": ("interviewer",)}),
]


def test_search_agrees_with_and_without_filters(corpus_stores) -> None:
    hits = 0
    for query, filters in SEARCHES:
        hits += len(same(corpus_stores, lambda s: search(s, query, **filters)))
    pseudonyms = sorted({s.pseudonym for s in corpus_stores[0].interviews()})
    for who in pseudonyms[:3]:
        hits += len(same(corpus_stores, lambda s: search(s, "Raqqa", interviewee=who)))
    assert hits > 0


def test_search_candidates_are_a_superset_on_each_backend(corpus_store) -> None:
    """Every turn holding every term as a whole word is proposed, whatever the punctuation."""
    turns = [t for s in corpus_store.interviews() for t in corpus_store.turns_of(s.id)]
    rnd = random.Random(11)
    queries = [["the"], ["bay"], ["ah"], ["raqqa"], ["abu", "emir"], ["al"], ["2015"]]
    for t in rnd.sample(turns, 40):
        words = terms(t.text)
        if words:
            queries.append(rnd.sample(words, min(len(words), rnd.randint(1, 3))))
    for q in queries:
        truth = {t.id for t in turns if all(term_spans(t.text, [w]) for w in q)}
        got = corpus_store.search_candidates(q, CANDIDATE_LIMIT)
        assert got == sorted(got)
        assert truth <= set(got), (q, sorted(truth - set(got))[:5])
    assert corpus_store.search_candidates([], 10) == []
    limited = corpus_store.search_candidates(["the"], 3)
    assert limited == corpus_store.search_candidates(["the"], CANDIDATE_LIMIT)[:3]


def test_find_entities_and_profiles_agree(corpus_stores) -> None:
    for text in ("", "abu", "raqqa", "al-", "hisba", "zzzz"):
        for t in (None, *ENTITY_TYPES):
            same(corpus_stores, lambda s: find_entities(s, text, t))
    same(corpus_stores, lambda s: find_entities(s, "", None, limit=3))
    for e in corpus_stores[0].entities():
        profile = same(corpus_stores, lambda s: entity_profile(s, e.id))
        assert profile.entity == e


def test_read_interview_agrees(corpus_stores) -> None:
    for s in corpus_stores[0].interviews():
        reading = same(corpus_stores, lambda st: read_interview(st, s.id))
        assert len(reading.turns) == s.turns


NETWORKS: list[dict[str, Any]] = [
    {}, {"types": ("PERSON", "ORG")}, {"types": ("PLACE",)}, {"theme": "brutality"},
    {"testimony_only": False}, {"min_weight": 2}, {"max_nodes": 10},
    {"theme": "women", "testimony_only": False, "min_weight": 1},
]


def test_cooccurrence_graph_agrees(corpus_stores, tmp_path) -> None:
    ids = tuple(s.id for s in corpus_stores[0].interviews())
    for params in NETWORKS + [{"interview_ids": ids[:2]}]:
        nodes, edges = same(corpus_stores, lambda s: graph_answer(cooccurrence_graph(s, **params)))
        if not params:
            assert nodes and edges
    # The exports are the same files, byte for byte.
    for fmt in ("graphml", "csv"):
        written = []
        for store in corpus_stores:
            out = tmp_path / store.backend / f"net.{fmt}"
            out.parent.mkdir(exist_ok=True)
            written.append([p.read_bytes() for p in export_graph(cooccurrence_graph(store), out)])
        assert written[0] == written[1]


def test_connections_agree(corpus_stores) -> None:
    summaries = corpus_stores[0].interviews()
    dates = sorted(s.date for s in summaries if s.date)
    for where in (InterviewFilter(gender="male"), InterviewFilter(status="defector"),
                  InterviewFilter(date_from=dates[len(dates) // 2]),
                  InterviewFilter(date_to=dates[0][:4]), InterviewFilter(nationality="nowhere")):
        same(corpus_stores, lambda s: graph_answer(cooccurrence_graph(s, where=where)))
    graph = same(corpus_stores, lambda s: graph_answer(annotate_structure(cooccurrence_graph(s))))
    same(corpus_stores, lambda s: central_entities(cooccurrence_graph(s), limit=10))
    nodes = [n for n, _ in graph[0]]
    rnd = random.Random(5)
    found = 0
    for a, b in [(rnd.choice(nodes), rnd.choice(nodes)) for _ in range(12)]:
        found += len(same(corpus_stores, lambda s: shortest_paths(s, a, b, limit=3)))
    assert found
    for eid in nodes[::5]:
        for depth in (1, 2):
            same(corpus_stores, lambda s: graph_answer(neighbourhood(s, eid, depth)))


def test_corroboration_agrees(corpus_stores) -> None:
    entities = corpus_stores[0].entities()
    for e in entities:
        same(corpus_stores, lambda s: corroboration.corroborate_entity(s, e.id))
    g = cooccurrence_graph(corpus_stores[0])
    pairs = sorted(g.edges())[:25] + [(ln.source_id, ln.target_id)
                                      for ln in corpus_stores[0].links()][:25]
    known = {e.id for e in entities}
    for a, b in pairs:
        if a in known and b in known:
            same(corpus_stores, lambda s: corroboration.corroborate_link(s, a, b))
    turns = sorted({m.turn_id for m in corpus_stores[0].mentions()})
    for tid in turns[::7]:
        same(corpus_stores, lambda s: corroboration.corroborate_turn(s, tid))


# --- behaviour, side by side on fresh stores ------------------------------------------------------

FICTIONAL = """---
interview_id: {id}
interviewee: {who}
status: defector
note: FICTIONAL test transcript
---
Q: Where were you in 2015?
A: I was in Raqqah with the hisbah. Abu Hamza al-Tunisi was our emir there.
Q: Did you see punishments?
A: I saw a flogging in the main square of Raqqa, forty lashes. The Amniyat took my cousin to Tabqa.
Q: Did you know Abu Omar?
A: Abu Omar al-Shishani was the wali of Raqqa. His bay'ah was in Mosul.
"""


@pytest.fixture()
def fresh_stores(tmp_path, neo4j_store):
    """(SQLite, Neo4j), both empty."""
    sqlite = SQLiteStore(tmp_path / "fresh.db")
    yield sqlite, neo4j_store
    sqlite.close()


def write_fictional(folder: Path, ident: str, who: str, text: str = FICTIONAL) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{ident}.md"
    path.write_text(text.format(id=ident, who=who), encoding="utf-8")
    return path


def ingest_both(stores, paths: list[Path], nlp) -> list[IngestReport]:
    reports = [ingest(list(paths), store, nlp) for store in stores]
    for r in reports:
        assert not r.failed, r.summary()
    assert (reports[0].added, reports[0].replaced, reports[0].unchanged) == \
           (reports[1].added, reports[1].replaced, reports[1].unchanged)
    return reports


def test_reingest_is_idempotent(fresh_stores, tmp_path, nlp) -> None:
    folder = tmp_path / "in"
    for name in ("int-01_abu-layla_sanliurfa.md", "int-03_abu-khalid_hisbah.txt",
                 "int-05_ahmad_cubs-of-the-caliphate.srt", "metadata.csv"):
        folder.mkdir(exist_ok=True)
        shutil.copy(SAMPLE_CORPUS / name, folder / name)
    write_fictional(folder, "fict-a", "Abu Salim")
    first = ingest_both(fresh_stores, [folder], nlp)
    assert len(first[0].added) == 4
    before = same(fresh_stores, primitives)
    again = ingest_both(fresh_stores, [folder], nlp)
    assert again[0].added == again[0].replaced == [] and len(again[0].unchanged) == 4
    assert same(fresh_stores, primitives) == before
    # Writing the very same interviews again (not skipped this time) duplicates nothing either.
    from graph_builder.extract.pipeline import extract_many
    interviews = read_interviews(sorted(p for p in folder.iterdir() if p.suffix != ".csv"),
                                 IngestReport())
    extracted = list(extract_many(interviews, nlp))
    for store in fresh_stores:
        for ex in extracted:
            store.replace_interview(ex, store.resolution())
        refresh_resolution(store)
    assert same(fresh_stores, primitives) == before
    for store in fresh_stores:
        assert_no_orphans(store)


def test_changed_file_replaces_the_old_version_and_leaves_no_orphans(fresh_stores, tmp_path,
                                                                      nlp) -> None:
    folder = tmp_path / "in"
    changing = write_fictional(folder, "fict-a", "Abu Salim")
    write_fictional(folder, "fict-b", "Abu Bakr", FICTIONAL.replace("Tabqa", "Manbij"))
    ingest_both(fresh_stores, [folder], nlp)
    old = same(fresh_stores, lambda s: {e.name for e in s.entities()})
    assert "Tabqa" in old or any("tabqa" in e.lower() for e in old)
    # The new version: another interviewee, Tabqa and Abu Omar gone, one turn more.
    changing.write_text(FICTIONAL.format(id="fict-a", who="Umm Salim")
                        .replace(" The Amniyat took my cousin to Tabqa.", "")
                        .replace("Did you know Abu Omar?", "And then?")
                        .replace("Abu Omar al-Shishani was the wali of Raqqa. ", "")
                        + "Q: Where did you go?\nA: I fled to Urfa in 2016.\n", encoding="utf-8")
    report = ingest_both(fresh_stores, [folder], nlp)[0]
    assert report.replaced == ["fict-a"] and report.unchanged == ["fict-b"]
    same(fresh_stores, primitives)
    summaries = same(fresh_stores, lambda s: s.interviews())
    assert [(s.id, s.pseudonym) for s in summaries] == [("fict-a", "Umm Salim"),
                                                         ("fict-b", "Abu Bakr")]
    for store in fresh_stores:
        assert_no_orphans(store)
        assert store.stats()["interviewees"] == 2  # Abu Salim went with his old version
        text = store.interview("fict-a").text
        assert "Urfa" in text and "Tabqa" not in text
        assert all(m.surface != "Tabqa" for m in store.mentions(interview_id="fict-a"))
        assert not any("tabqa" in e.id for e in store.entities())  # only fict-a named it
        assert len(search(store, "forty lashes")) == 2  # one turn per interview, no old copy


def test_delete_interview(fresh_stores, tmp_path, nlp) -> None:
    folder = tmp_path / "in"
    write_fictional(folder, "fict-a", "Abu Salim",
                    FICTIONAL.replace("Tabqa", "Tal Abyad").replace("Mosul", "Kobani"))
    write_fictional(folder, "fict-b", "Abu Bakr")
    ingest_both(fresh_stores, [folder], nlp)
    assert same(fresh_stores, lambda s: s.delete_interview("fict-a")) is True
    assert same(fresh_stores, lambda s: s.delete_interview("fict-a")) is False
    assert same(fresh_stores, lambda s: s.delete_interview("never-there")) is False
    same(fresh_stores, primitives)
    for store in fresh_stores:
        assert [s.id for s in store.interviews()] == ["fict-b"]
        assert store.stats()["interviewees"] == 1
        assert not any("kobani" in e.id or "tal abyad" in e.id for e in store.entities())
        assert_no_orphans(store)
        refresh_resolution(store)
    same(fresh_stores, primitives)


def _broken_versions(old: Interview) -> list[ExtractedInterview]:
    """New versions of `old` that fail half way through being written."""
    turns = old.turns + (Turn(index=len(old.turns), speaker="A", speaker_role="interviewee",
                              start=len(old.text) + 1, end=len(old.text) + 12,
                              text="I fled again"),)
    new = replace(old, text=old.text + "\nI fled again", content_hash="changed", turns=turns,
                  interviewee=Interviewee(pseudonym="Somebody Else"))
    good_mention = Mention(turn_index=1, start=turns[1].start, end=turns[1].start + 4,
                           text=turns[1].text[:4], type="PLACE", key="PLACE:zzz", method="rule")
    return [
        # A mention in a turn that does not exist (the extractor's bug, not the store's).
        ExtractedInterview(interview=new, links=(), themes=(), mentions=(
            good_mention, replace(good_mention, turn_index=99))),
        # A theme code in a turn that does not exist.
        ExtractedInterview(interview=new, links=(), mentions=(good_mention,), themes=(
            ThemeCode(turn_index=99, theme="women", start=0, end=1, evidence="x"),)),
        # A link in a turn that does not exist.
        ExtractedInterview(interview=new, themes=(), mentions=(good_mention,), links=(
            Link(type="PRESENT_AT", source_key="PLACE:zzz", target_key="PLACE:zzz",
                 turn_index=99, start=0, end=1),)),
        # Two turns with one index: both stores fail on the turn identity, after having
        # deleted the old version inside the transaction.
        ExtractedInterview(interview=replace(new, turns=new.turns + (new.turns[-1],)),
                           mentions=(good_mention,), links=(), themes=()),
    ]


def test_a_failed_replace_leaves_the_old_version_intact(fresh_stores, tmp_path, nlp) -> None:
    folder = tmp_path / "in"
    write_fictional(folder, "fict-a", "Abu Salim")
    write_fictional(folder, "fict-b", "Abu Bakr")
    ingest_both(fresh_stores, [folder], nlp)
    before = same(fresh_stores, primitives)
    old = same(fresh_stores, lambda s: s.interview("fict-a"))
    *bad_references, duplicate_turns = _broken_versions(old)
    for broken in bad_references:
        for store in fresh_stores:
            with pytest.raises(KeyError):  # SQLite mid-transaction, Neo4j before it starts
                store.replace_interview(broken, store.resolution())
            assert primitives(store) == before, store.backend
            assert_no_orphans(store)
    # Inside the database's transaction, after the old version was deleted there: rolled back.
    for store, error in zip(fresh_stores, (sqlite3.IntegrityError,
                                           neo4j.exceptions.ConstraintError)):
        with pytest.raises(error):
            store.replace_interview(duplicate_turns, store.resolution())
        assert primitives(store) == before, store.backend


def test_curation_decisions_replay_the_same(fresh_stores, tmp_path, nlp) -> None:
    folder = tmp_path / "in"
    write_fictional(folder, "fict-a", "Abu Salim")
    write_fictional(folder, "fict-b", "Abu Bakr", FICTIONAL.replace("Raqqah", "ar-Raqqa"))
    ingest_both(fresh_stores, [folder], nlp)
    usage = same(fresh_stores, lambda s: s.key_usage())
    people = [u.key for u in usage if u.type == "PERSON"]
    places = [u.key for u in usage if u.type == "PLACE"]
    assert len(people) >= 2 and places
    decisions = [
        {"id": "d1", "action": "merge", "keys": [people[0]], "other_keys": [people[1]],
         "name": "The Merged One"},
        {"id": "d2", "action": "rename", "keys": [places[0]], "name": "Renamed Place"},
        {"id": "d3", "action": "undo", "undoes": "d2"},
        {"id": "d4", "action": "split", "keys": [places[-1]], "name": "Split Off", "note": "ü"},
    ]
    for d in decisions:
        for store in fresh_stores:
            store.record_decision(d)
            refresh_resolution(store)
        same(fresh_stores, primitives)
    log = same(fresh_stores, lambda s: s.curation_log())
    assert log == decisions
    names = same(fresh_stores, lambda s: {e.name for e in s.entities()})
    assert "The Merged One" in names


def test_per_interview_assignments_agree(fresh_stores, tmp_path, nlp) -> None:
    """A key resolved per interview ("key@interview" wins over "key"): mentions, link ends,
    provisional ids of a re-ingested interview and every read agree on both backends."""
    folder = tmp_path / "in"
    write_fictional(folder, "fict-a", "Abu Salim")
    changing = write_fictional(folder, "fict-b", "Abu Bakr")
    ingest_both(fresh_stores, [folder], nlp)
    usage = same(fresh_stores, lambda s: s.key_usage())
    emir = next(u.key for u in usage if u.key.startswith("PERSON:abu hamza"))
    assert set(dict(next(u for u in usage if u.key == emir).contexts)) == {"fict-a", "fict-b"}
    split = {"id": "s1", "action": "split", "keys": [emir], "interviews": ["fict-b"],
             "name": "Abu Hamza of fict-b"}
    for store in fresh_stores:
        store.record_decision(split)
        refresh_resolution(store)
    same(fresh_stores, primitives)
    ids = same(fresh_stores, lambda s: s.resolution())
    here, there = ids[emir], ids[f"{emir}@fict-b"]
    assert here != there
    for store in fresh_stores:
        assert {m.entity_id for m in store.mentions(interview_id="fict-b") if m.key == emir} == {there}
        assert {m.entity_id for m in store.mentions(interview_id="fict-a") if m.key == emir} == {here}
        ends = {(ln.interview_id, e) for ln in store.links()
                for e in (ln.source_id, ln.target_id) if e in (here, there)}
        assert ("fict-b", there) in ends and ("fict-a", here) in ends  # "was our emir"
        assert ("fict-b", here) not in ends and ("fict-a", there) not in ends
    # A changed fict-b is written with the per-interview ids before the next resolution...
    changing.write_text(FICTIONAL.format(id="fict-b", who="Abu Bakr") + "Q: And?\nA: Kilis.\n",
                        encoding="utf-8")
    from graph_builder.extract.pipeline import extract_many
    (ex,) = extract_many(read_interviews([changing], IngestReport()), nlp)
    for store in fresh_stores:
        store.replace_interview(ex, store.resolution())
    same(fresh_stores, primitives)
    # ... and a resolution may name per-interview ids no entity holds (placeholders).
    odd = Resolution(entities=(Entity(id="x:a", type="PERSON", name="A", aliases=("a",)),),
                     assignments={emir: "x:a", f"{emir}@fict-a": "x:nobody",
                                  "PLACE:nowhere@fict-b": "x:a"})
    for action in (lambda s: s.apply_resolution(odd), refresh_resolution,
                   lambda s: (s.record_decision({"id": "u1", "action": "undo", "undoes": "s1"}),
                              refresh_resolution(s))):
        for store in fresh_stores:
            action(store)
        same(fresh_stores, primitives)
    assert not any("@" in k for k in same(fresh_stores, lambda s: s.resolution()))


# --- synthetic histories: the corners the sample corpus does not reach -------------------------

_NAMES = {"PERSON": ["Abu Omar", "Umm Huda", "Ibn Khalid", "Éric Ülker"],
          "PLACE": ["Raqqa", "Raqqah", "Mosul", "Şanlıurfa"], "ORG": ["Hisbah", "Amniyat"],
          "ROLE": ["emir", "wali"], "GROUP": ["Yazidis"], "EVENT": ["fall of Mosul"]}
_WORDS = ["the", "bay'ah", "in", "Raqqa,", "emir", "U.S.", "abu_x", "2015", "fled", "women",
          "Café", "Şanlıurfa", "ar-Raqqa"]


def synthetic(interview_id: str, seed: int, n_turns: int = 5) -> ExtractedInterview:
    """A random interview (fixed seed) with duplicate spans, mixed-case and non-ASCII keys,
    links between keys nobody mentions and theme codes outside the codebook."""
    rnd = random.Random(seed)
    turns, pos = [], 0
    for i in range(n_turns):
        words = " ".join(rnd.choice(_WORDS) for _ in range(12))
        turns.append(Turn(index=i, speaker="Q" if i % 2 == 0 else "A",
                          speaker_role="interviewer" if i % 2 == 0 else "interviewee",
                          start=pos, end=pos + len(words), text=words,
                          time_start=float(i) if i % 3 else None))
        pos += len(words) + 1
    mentions = []
    for _ in range(rnd.randint(3, 10)):
        t = rnd.choice(turns)
        etype = rnd.choice(list(_NAMES))
        name = rnd.choice(_NAMES[etype])
        start = rnd.randint(t.start, t.end - 3)
        key = f"{etype}:{name.lower()}" if rnd.random() < .8 else f"{etype}:{name}"
        mentions.append(Mention(turn_index=t.index, start=start, end=start + 3, text=name,
                                type=etype, key=key,  # type: ignore[arg-type]
                                method=rnd.choice(["gazetteer", "model"]),
                                confidence=rnd.choice([1, 0.5, 0.9]),
                                canonical_hint=rnd.choice([None, name])))
    mentions.append(replace(mentions[0], method="rule"))  # the same span twice: a tie to break
    links = []
    for _ in range(rnd.randint(0, 4)):
        a, b = rnd.choice(mentions), rnd.choice(mentions)
        links.append(Link(type=rnd.choice(LINK_TYPES), source_key=a.key, target_key=b.key,
                          turn_index=a.turn_index, start=a.start, end=a.end + rnd.randint(0, 3)))
    if rnd.random() < .5:
        links.append(Link(type="LOCATED_IN", source_key="PLACE:Nowhere", target_key="PLACE:raqqa",
                          turn_index=0, start=0, end=4))
    themes = [ThemeCode(turn_index=t.index, theme=rnd.choice(["women", "brutality", "not-a-code"]),
                        start=t.start, end=t.start + 4, evidence="x",
                        confidence=rnd.choice([1, .5]))
              for t in turns if rnd.random() < .6]
    interview = Interview(id=interview_id, title=f"Synthetic {interview_id}",
                          source_path=f"/synthetic/{interview_id}.txt",
                          content_hash=f"hash-{seed}", text=" ".join(t.text for t in turns),
                          interviewee=Interviewee(pseudonym=rnd.choice(["Abu Layla", "Shireen"]),
                                                  gender=rnd.choice([None, "female"])),
                          turns=tuple(turns), date="2019-01-01", medium="video")
    return ExtractedInterview(interview=interview, mentions=tuple(mentions), links=tuple(links),
                              themes=tuple(themes))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_synthetic_histories_agree_step_by_step(fresh_stores, seed) -> None:
    """Ingest, resolve, replace, delete, curate and apply a partial resolution: same answers
    after every step (ties, placeholders for unmentioned link ends, ASCII-only lower())."""
    def step(action: Callable[[Any], Any]) -> None:
        for store in fresh_stores:
            action(store)
        same(fresh_stores, primitives)
        for store in fresh_stores:
            assert_no_orphans(store)

    base = seed * 100
    step(lambda s: [s.replace_interview(synthetic(f"iv-{i}", base + i), s.resolution())
                    for i in range(5)])
    step(refresh_resolution)
    step(lambda s: s.replace_interview(synthetic("iv-2", base + 50), s.resolution()))
    step(lambda s: s.replace_interview(synthetic("iv-9", base + 51), s.resolution()))
    step(lambda s: s.delete_interview("iv-1"))
    step(lambda s: (s.record_decision({"id": 1, "action": "rename", "keys": ["PLACE:raqqa"],
                                       "name": "Ar-Raqqa"}), refresh_resolution(s)))
    # A resolution that names one entity and leaves keys out: mentions fall back to the
    # lowercased key and point at ids no entity row holds, on both backends.
    partial = Resolution(entities=(Entity(id="place:raqqa", type="PLACE", name="R",
                                          aliases=("a",)),),
                         assignments={"PLACE:raqqa": "place:raqqa", "PERSON:abu omar": "x:y"},
                         possibly_same=(("place:raqqa", "x:y", 0.9),))
    step(lambda s: s.apply_resolution(partial))
    # Per-interview entries win over the plain key, for mentions and link ends alike, and for
    # the provisional ids of an interview written before the next resolution.
    per_interview = Resolution(
        entities=(Entity(id="place:raqqa", type="PLACE", name="R", aliases=("a",)),
                  Entity(id="place:raqqa of iv-3", type="PLACE", name="R3", aliases=("b",))),
        assignments={"PLACE:raqqa": "place:raqqa", "PLACE:raqqa@iv-3": "place:raqqa of iv-3",
                     "PERSON:abu omar@iv-2": "x:z", "PLACE:raqqah@iv-4": "place:raqqa"},
        possibly_same=(("place:raqqa", "place:raqqa of iv-3", 12.5),))
    step(lambda s: s.apply_resolution(per_interview))
    step(lambda s: s.replace_interview(synthetic("iv-3", base + 52), s.resolution()))
    step(lambda s: s.delete_interview("iv-0"))
    step(refresh_resolution)
