"""One store contract, two backends: the same testimony gives the same answers on both.

Every test builds (or opens) a SQLite store and a Neo4j store holding the same interviews and
asks each question of the GraphStore contract (and the `queries/` built on it) of both: the
answers must be equal, row for row, page for page, total for total. The one exception is the
ranking of search hits, which is each full-text index's own score (FTS5 bm25, Lucene): there
the hits and totals must be equal and each store's order must follow its scores. The Neo4j
side is a real server (scripts/neo4j-server.sh); nothing is mocked. Behaviour (re-ingest,
replace, delete, a failed write, curation, incremental resolution) is checked on both
backends side by side, and the aggregates each store keeps at write time are checked against
the facts they are computed from.
"""
from __future__ import annotations

import random
import shutil
import sqlite3
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import neo4j.exceptions
import networkx as nx
import pytest

from graph_builder.errors import NotFound, TestimonyError
from graph_builder.load import IngestReport, ingest, read_interviews, refresh_resolution
from graph_builder.model import (Entity, ExtractedInterview, Interview, Interviewee, Link,
                                 Mention, Resolution, ThemeCode, Turn)
from graph_builder.store.base import (InterviewFilter, NetworkQuery, Page, Subject, TextMatch,
                                      TurnFilter, interview_aggregates)
from graph_builder.store.sqlite import SQLiteStore
from queries import corroboration
from queries.exports import export_graph
from queries.interviews import list_interviews, read_interview
from queries.network import cooccurrence_graph, network_data
from queries.paths import central_entities, neighbourhood, shortest_paths
from queries.profiles import entity_profile, find_entities
from queries.search import search
from queries.text import terms
from schemas import ENTITY_TYPES, LINK_TYPES
from tests.conftest import SAMPLE_CORPUS

pytestmark = pytest.mark.neo4j  # a real server, never mocked

ALL = 100_000  # a page size that holds everything these tests write


def difference(expected: Any, got: Any, at: str = "") -> str:
    """Where two answers first differ (a path into them), to read a failure at a glance."""
    if isinstance(expected, dict) and isinstance(got, dict):
        for k in sorted(set(expected) | set(got), key=repr):
            if expected.get(k, ...) != got.get(k, ...):
                return difference(expected.get(k, ...), got.get(k, ...), f"{at}[{k!r}]")
    if isinstance(expected, (list, tuple, Page)) and isinstance(got, (list, tuple, Page)):
        if isinstance(expected, Page) and isinstance(got, Page) and expected.total != got.total:
            return f"{at}.total: sqlite {expected.total} != neo4j {got.total}"
        for i, (x, y) in enumerate(zip(expected, got)):
            if x != y:
                return difference(x, y, f"{at}[{i}]")
        if len(expected) != len(got):
            return f"{at}: sqlite has {len(expected)} items, neo4j {len(got)}"
    if hasattr(expected, "__dataclass_fields__") and type(expected) is type(got):
        for name in expected.__dataclass_fields__:
            x, y = getattr(expected, name), getattr(got, name)
            if x != y:
                return difference(x, y, f"{at}.{name}")
    return f"{at}: sqlite {expected!r} != neo4j {got!r}"


def same(stores: tuple[Any, Any], ask: Callable[[Any], Any]) -> Any:
    """Ask both backends; the answers must be equal. Returns the answer."""
    sqlite, neo = stores
    expected, got = ask(sqlite), ask(neo)
    assert got == expected, difference(expected, got)
    return expected


def same_error(stores: tuple[Any, Any], ask: Callable[[Any], Any],
               error: type[BaseException]) -> None:
    for store in stores:
        with pytest.raises(error):
            ask(store)


def graph_answer(g: nx.Graph) -> tuple[list, list]:
    """A networkx graph as comparable data: nodes and edges with every attribute."""
    nodes = sorted((n, sorted(d.items())) for n, d in g.nodes(data=True))
    edges = sorted((min(a, b), max(a, b), sorted(d.items())) for a, b, d in g.edges(data=True))
    return nodes, edges


def all_entities(store) -> list:
    return list(store.find_entities([], None, 0, ALL))


def entity_ids(store) -> list[str]:
    """Every id the store's facts point at: entities, and ids only mentions or links name."""
    summaries = store.interviews()
    ids = {e.id for e in all_entities(store)}
    ids |= {m.entity_id for s in summaries for m in store.mentions(interview_id=s.id)}
    ids |= {x for ln in store.links() for x in (ln.source_id, ln.target_id)}
    return sorted(ids)


def everything(store) -> dict[str, Any]:
    """Every read of the contract (but search, ranked per store), over all the store holds."""
    keys = store.all_keys()
    people = [k for k in keys if k.startswith("PERSON:")]
    summaries = store.interviews()
    out: dict[str, Any] = {
        "stats": store.stats(), "interviews": summaries, "interview_count": store.interview_count(),
        "pending": store.pending_keys(), "keys": keys, "key_count": store.key_count(),
        "usage": store.key_usage([*keys, "PLACE:never stored"], company=people),
        "partners": store.key_partners([*keys, "PERSON:never stored"]),
        "resolution": store.resolution(), "resolution of some": store.resolution(keys[::2]),
        "entities": all_entities(store), "links": store.links(),
        "theme counts": store.theme_counts(), "edges": store.cooccurrence_edges(),
        "possibly same": store.possibly_same(), "uncertain": store.uncertain_entities(0, ALL),
        "log": store.curation_log(), "log page": store.curation_page(0, 2),
        "network": store.network(NetworkQuery(max_nodes=None)),
        "timeline": store.timeline(limit=ALL),
        "relations": store.relations(NetworkQuery(max_nodes=None)),
        "relations, every speaker, capped": store.relations(
            NetworkQuery(testimony_only=False, max_nodes=5)),
        "network, every speaker": store.network(NetworkQuery(testimony_only=False,
                                                             max_nodes=None)),
    }
    ids = entity_ids(store)
    out["keys of"] = store.keys_of(ids)
    out["interview counts"] = store.entity_interview_counts(ids)
    out["summaries"] = store.entity_summaries(ids)
    for s in summaries:
        out[f"interview {s.id}"] = (store.interview(s.id), store.content_hash(s.id),
                                    store.turns_of(s.id), store.mentions(interview_id=s.id),
                                    store.themes(interview_id=s.id))
    for eid in ids:
        one = Subject(eid)
        out[f"entity {eid}"] = (
            store.entity(eid), store.mentions(entity_id=eid), store.entity_interviews(eid, 0, ALL),
            store.co_mentioned(eid, ALL), store.entity_links(eid, 0, ALL),
            store.sources(one, 0, ALL), store.stance_counts(one), store.supports(one, None, ALL),
            store.prompted(one),
            store.neighbourhood(eid, 2, NetworkQuery(testimony_only=False, max_nodes=None)))
    # Paths among the first entities, on every speaker's links and on testimony, and with
    # min_weight 0 (a hop still needs a turn of its kind).
    for a in ids[:6]:
        for b in ids[:6]:
            for query in (NetworkQuery(), NetworkQuery(testimony_only=False, min_weight=0)):
                out[f"paths {a} {b} {query.testimony_only}"] = store.shortest_paths(
                    a, b, query, 4, 5)
            out[f"attesting {a} {b}"] = store.attesting_turns(a, b, ALL)
            out[f"link types {a} {b}"] = store.link_types_between(a, b)
    return out


def search_answer(store, query: str, **filters) -> tuple[int, list]:
    """Every hit of a search, by turn (the ranking is each store's own), and the total."""
    page = search(store, query, limit=ALL, **filters)
    return page.total, sorted(((h.turn, h.interview, h.matches, h.mentions, h.themes)
                               for h in page), key=lambda h: h[0].id)


def assert_ranked_by_score(page: Page) -> None:
    keys = [(-h.score, h.turn.interview_id, h.turn.index) for h in page]
    assert keys == sorted(keys)


def assert_no_orphans(store) -> None:
    """Every entity is mentioned, every interviewee gave an interview, every fact has its turn."""
    summaries = store.interviews()
    mentions = [m for s in summaries for m in store.mentions(interview_id=s.id)]
    assert {e.id for e in all_entities(store)} <= {m.entity_id for m in mentions}
    stats = store.stats()
    assert stats["interviewees"] == len({s.pseudonym for s in summaries})
    assert stats["turns"] == sum(s.turns for s in summaries)
    assert stats["mentions"] == len(mentions)
    turn_ids = {t.id for s in summaries for t in store.turns_of(s.id)}
    assert {m.turn_id for m in mentions} <= turn_ids
    assert {t.turn_id for s in summaries for t in store.themes(interview_id=s.id)} <= turn_ids
    assert {ln.turn_id for ln in store.links()} <= turn_ids
    assert set(store.all_keys()) == {m.key for m in mentions}


def assert_aggregates_hold(store) -> None:
    """The aggregates kept at write time are what the facts say, recomputed from scratch."""
    per_entity: dict[str, Counter] = defaultdict(Counter)
    pairs: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    people: dict[str, set[str]] = defaultdict(set)
    named_in: dict[str, dict[str, tuple[int, int]]] = defaultdict(dict)
    summaries = {s.id: s for s in store.interviews()}
    for iid, s in summaries.items():
        turns = {t.id: t for t in store.turns_of(iid)}
        mentions = store.mentions(interview_id=iid)
        rows = [(m.entity_id, turns[m.turn_id].index, m.turn_id, m.speaker_role, m.stance)
                for m in mentions]
        named, _ = interview_aggregates(rows)
        # a pronoun ("I", "he") counts for its entity but names nobody together with the turn
        _, pair_rows = interview_aggregates([r for r, m in zip(rows, mentions) if m.method != "pronoun"])
        for n in named:
            c = per_entity[n.entity_id]
            c["mentions"] += n.mentions
            c["testimony_mentions"] += n.testimony_mentions
            c["interviews"] += 1
            c["testimony_interviews"] += bool(n.testimony_mentions)
            named_in[n.entity_id][iid] = (n.mentions, n.testimony_mentions)
            if n.testimony_mentions:
                people[n.entity_id].add(s.pseudonym)
        for p in pair_rows:
            w = pairs[(p.a, p.b)]
            w[0] += p.turns
            w[1] += p.testimony_turns
            w[2] += 1
            w[3] += bool(p.testimony_turns)
    for e in all_entities(store):
        c = per_entity[e.id]
        assert (e.mentions, e.testimony_mentions, e.interviews, e.testimony_interviews,
                e.interviewees) == (c["mentions"], c["testimony_mentions"], c["interviews"],
                                    c["testimony_interviews"], len(people[e.id])), e.id
        rows = store.entity_interviews(e.id, 0, ALL)
        assert {r.interview.id: (r.mentions, r.testimony_mentions) for r in rows} == named_in[e.id]
    assert store.cooccurrence_edges() == sorted((a, b, w[1]) for (a, b), w in pairs.items() if w[1])
    net = store.network(NetworkQuery(testimony_only=False, max_nodes=None))
    kept = {n.id for n in net.nodes}
    assert [(e.a, e.b, e.weight, e.interviews) for e in net.edges] == sorted(
        (a, b, w[0], w[2]) for (a, b), w in pairs.items() if a in kept and b in kept)


# --- the sample corpus, read on both backends -----------------------------------------------

def test_both_backends_hold_the_whole_sample_corpus(corpus_stores) -> None:
    stats = same(corpus_stores, lambda s: s.stats())
    files = [p for p in SAMPLE_CORPUS.iterdir() if p.suffix in
             {".md", ".txt", ".json", ".srt", ".vtt", ".docx", ".pdf"} and p.name != "README.md"]
    assert stats["interviews"] == len(files)
    assert all(stats[k] > 0 for k in ("turns", "mentions", "entities", "theme_codes", "links"))
    assert {s.backend for s in corpus_stores} == {"sqlite", "neo4j"}
    for store in corpus_stores:
        assert_no_orphans(store)
        assert_aggregates_hold(store)


def test_the_timeline_agrees_and_keeps_disagreements(corpus_stores) -> None:
    everything_dated = same(corpus_stores, lambda s: s.timeline(limit=ALL))
    assert everything_dated.total == len(everything_dated.items) > 0
    dates = [i.date for i in everything_dated]
    assert dates == sorted(dates)
    # One event, two FICTIONAL witnesses, two different days: one entity, both sources, and
    # each witness's date shown against the other's.
    sinjar = [i for i in everything_dated if i.type == "HAPPENED_ON" and "sinjar" in i.source_id]
    assert len({i.source_id for i in sinjar}) == 1, sinjar
    told = {i.pseudonym: i.date for i in sinjar if len(i.date) == 10}
    assert told["Shireen"] == "2014-08-03" and told["Abu Hareth"] == "2014-08-04", told
    by_day = {i.date: i.disagreements for i in sinjar if len(i.date) == 10}
    assert "2014-08-04" in by_day["2014-08-03"] and "2014-08-03" in by_day["2014-08-04"]
    event = sinjar[0].source_id
    for item in sinjar:
        assert item.quote and item.quote in next(s for s in corpus_stores).interview(item.interview_id).text
    # filters: the event as entity and as place (it happened in Sinjar), a witness, a page
    place = next(i.target_id for i in everything_dated if i.type == "HAPPENED_AT"
                 and i.source_id == event) if any(i.type == "HAPPENED_AT" and i.source_id == event
                                                   for i in everything_dated) else None
    of_event = same(corpus_stores, lambda s: s.timeline(entity=event, limit=ALL))
    assert {i.source_id for i in of_event if i.type == "HAPPENED_ON"} == {event}
    assert all(event in (i.source_id, i.target_id) for i in of_event)
    sinjar_place = next(e.id for e in all_entities(corpus_stores[0]) if e.type == "PLACE" and e.name == "Sinjar")
    at_sinjar = same(corpus_stores, lambda s: s.timeline(place=sinjar_place, limit=ALL))
    assert event in {i.source_id for i in at_sinjar}, place
    shireen = same(corpus_stores, lambda s: s.timeline(interviewee="Shireen", limit=ALL))
    assert shireen.total > 0 and {i.pseudonym for i in shireen} == {"Shireen"}
    page = same(corpus_stores, lambda s: s.timeline(offset=2, limit=3))
    assert page.items == everything_dated.items[2:5] and page.total == everything_dated.total
    coded = same(corpus_stores, lambda s: s.timeline(theme="slavery", limit=ALL))
    assert coded.total < everything_dated.total


def test_typed_relations_agree_and_follow_the_links(corpus_stores) -> None:
    whole = same(corpus_stores, lambda s: s.relations(NetworkQuery(testimony_only=False, max_nodes=None)))
    links = corpus_stores[0].links()
    expected = Counter((ln.type, ln.source_id, ln.target_id) for ln in {
        (ln.type, ln.source_id, ln.target_id, ln.turn_id): ln for ln in links
        if ln.type != "HAPPENED_ON"}.values())
    kept = {n.id for n in whole.nodes}
    assert {(e.type, e.source, e.target): e.turns for e in whole.edges} == {
        k: n for k, n in expected.items() if k[1] in kept and k[2] in kept}
    assert whole.edges and all(e.type != "HAPPENED_ON" for e in whole.edges)
    controlled = same(corpus_stores, lambda s: s.relations(NetworkQuery(max_nodes=None), ["CONTROLLED"]))
    assert controlled.edges and {e.type for e in controlled.edges} == {"CONTROLLED"}
    capped = same(corpus_stores, lambda s: s.relations(NetworkQuery(max_nodes=3)))
    assert len(capped.nodes) == 3 and capped.total_nodes > 3
    assert all(e.source in {n.id for n in capped.nodes} and e.target in {n.id for n in capped.nodes}
               for e in capped.edges)
    some = whole.edges[0]
    assert some.type in same(corpus_stores, lambda s: s.link_types_between(some.target, some.source))


def test_interviews_and_turns_agree(corpus_stores) -> None:
    summaries = same(corpus_stores, lambda s: s.interviews())
    assert [s.id for s in summaries] == sorted(s.id for s in summaries)
    assert same(corpus_stores, list_interviews) == summaries
    assert same(corpus_stores, lambda s: s.interview_count()) == len(summaries)
    ids = [s.id for s in summaries]
    assert same(corpus_stores, lambda s: s.interview_summaries(ids)) == {s.id: s for s in summaries}
    assert same(corpus_stores, lambda s: s.interview_summaries([ids[0], "nope", ids[0]])) == \
        {ids[0]: summaries[0]}
    assert same(corpus_stores, lambda s: s.interview_summaries([])) == {}
    for s in summaries:
        assert same(corpus_stores, lambda st: st.interview(s.id)).interviewee.pseudonym == s.pseudonym
        turns = same(corpus_stores, lambda st: st.turns_of(s.id))
        assert [t.index for t in turns] == sorted(t.index for t in turns) and len(turns) == s.turns
        assert same(corpus_stores, lambda st: st.content_hash(s.id)) == s.content_hash
        reading = same(corpus_stores, lambda st: read_interview(st, s.id))
        assert len(reading.turns) == s.turns
    assert same(corpus_stores, lambda st: st.interview("no-such-interview")) is None
    # what exports hide: each witness's names (pseudonym, speaker labels), the same on both
    terms = same(corpus_stores, lambda st: st.redaction_terms())
    assert {(s.pseudonym, "witness", s.pseudonym) for s in summaries} <= set(terms)
    assert {k for _, k, _ in terms} <= {"witness", "private"}
    assert same(corpus_stores, lambda st: st.turns_of("no-such-interview")) == []
    assert same(corpus_stores, lambda st: st.content_hash("no-such-interview")) is None
    same_error(corpus_stores, lambda st: read_interview(st, "no-such-interview"), NotFound)
    # turns(): any ids, repeated, unknown, in any order -> sorted by interview and index
    all_turns = [t.id for s in summaries for t in corpus_stores[0].turns_of(s.id)]
    rnd = random.Random(7)
    for k in (0, 1, 5, 60, len(all_turns)):
        pick = rnd.sample(all_turns, k) + all_turns[:2] + ["no-such#1"]
        got = same(corpus_stores, lambda st: st.turns(pick))
        assert [t.id for t in got] == [t for t in all_turns if t in set(pick)]


def test_mentions_and_themes_agree(corpus_stores) -> None:
    summaries = corpus_stores[0].interviews()
    by_interview = {s.id: same(corpus_stores, lambda st: st.mentions(interview_id=s.id))
                    for s in summaries}
    everyone = [m for ms in by_interview.values() for m in ms]
    assert everyone and all(m.stance in ("first_hand", "hearsay", "hedged", "unmarked")
                            for m in everyone)
    ids = [s.id for s in summaries]
    assert same(corpus_stores, lambda st: st.mentions(interview_ids=ids)) == \
        sorted(everyone, key=lambda m: (m.interview_id, m.start, m.end, m.key, m.entity_id))
    turn_ids = sorted({m.turn_id for m in everyone})
    rnd = random.Random(3)
    for k in (1, 7, len(turn_ids)):
        pick = rnd.sample(turn_ids, k)
        rows = same(corpus_stores, lambda st: st.mentions(turn_ids=pick + ["no-such#0"]))
        assert {m.turn_id for m in rows} == set(pick)
        same(corpus_stores, lambda st: st.mentions(turn_ids=pick, interview_id=ids[0]))
        same(corpus_stores, lambda st: st.themes(turn_ids=pick))
        same(corpus_stores, lambda st: st.themes(turn_ids=pick, interview_id=ids[1]))
    counts = Counter(m.entity_id for m in everyone)
    for eid in sorted(counts)[::3]:
        rows = same(corpus_stores, lambda st: st.mentions(entity_id=eid))
        assert len(rows) == counts[eid]
        assert same(corpus_stores, lambda st: st.mentions(entity_id=eid, interview_ids=ids[:4])) \
            == [m for m in rows if m.interview_id in ids[:4]]
        same(corpus_stores, lambda st: st.mentions(entity_id=eid, interview_id=ids[2]))
    assert same(corpus_stores, lambda st: st.mentions(turn_ids=[])) == []
    assert same(corpus_stores, lambda st: st.mentions(interview_ids=[])) == []
    assert same(corpus_stores, lambda st: st.mentions(entity_id="person:nobody")) == []
    assert same(corpus_stores, lambda st: st.mentions(interview_id="nope")) == []
    # No filter: the whole store (tests and exports, never a page).
    assert same(corpus_stores, lambda st: st.mentions()) == \
        sorted(everyone, key=lambda m: (m.interview_id, m.start, m.end, m.key, m.entity_id))
    themes = [t for s in summaries for t in same(corpus_stores,
                                                  lambda st: st.themes(interview_id=s.id))]
    assert themes
    assert same(corpus_stores, lambda st: st.themes(turn_ids=[])) == []
    assert same(corpus_stores, lambda st: st.themes()) == \
        sorted(themes, key=lambda t: (t.interview_id, t.start, t.end, t.theme, t.evidence))
    counted = same(corpus_stores, lambda st: st.theme_counts())
    assert counted == sorted(((c, len({t.turn_id for t in themes if t.theme == c}),
                               len({t.interview_id for t in themes if t.theme == c}))
                              for c in {t.theme for t in themes}), key=lambda r: (-r[1], r[0]))


def test_resolver_state_agrees(corpus_stores) -> None:
    assert same(corpus_stores, lambda s: s.pending_keys()) == []
    keys = same(corpus_stores, lambda s: s.all_keys())
    assert keys == sorted(keys) and same(corpus_stores, lambda s: s.key_count()) == len(keys)
    people = [k for k in keys if k.startswith("PERSON:")]
    usage = same(corpus_stores, lambda s: s.key_usage(keys, company=people))
    assert [u.key for u in usage] == keys
    assert all(dict(u.contexts).keys() == set(u.interviews) for u in usage if u.key in people)
    assert all(u.contexts == () for u in usage if u.key not in people)
    assert same(corpus_stores, lambda s: s.key_usage(["PLACE:never stored"])) == []
    assert same(corpus_stores, lambda s: s.key_usage([])) == []
    for k in keys[::4]:
        partners = same(corpus_stores, lambda s: s.key_partners([k]))
        assert k in {p.key for p in partners}
    same(corpus_stores, lambda s: s.key_partners(people))
    # Blocks the caller already holds are left out, the given keys never.
    blocks = {(k.split(":", 1)[0], k.split(":", 1)[1][:2]) for k in people[:5]}
    held = same(corpus_stores, lambda s: s.key_partners(people[:5], blocks))
    assert {k.key for k in held} >= set(people[:5])
    # A key not stored has no partner but the spellings of its block.
    assert {k.block for k in same(corpus_stores, lambda s: s.key_partners(["PERSON:abu zzz"]))} \
        <= {"ab"}
    assert same(corpus_stores, lambda s: s.key_partners(["PERSON:abu zzz"], [("PERSON", "ab")])) \
        == []
    resolution = same(corpus_stores, lambda s: s.resolution())
    assert {k for k in resolution if "@" not in k} >= set(keys)
    # The rest are per-interview entries "key@interview" (one short name, two people).
    by_key = {u.key: u for u in usage}
    for entry in set(resolution) - set(keys):
        key, _, interview = entry.rpartition("@")
        assert interview in by_key[key].interviews and resolution[entry] != resolution[key]
    some = keys[::3]
    assert same(corpus_stores, lambda s: s.resolution(some)) == {
        k: v for k, v in resolution.items() if k in some or k.rpartition("@")[0] in some}
    assert same(corpus_stores, lambda s: s.resolution(["PLACE:never stored"])) == {}
    entities = same(corpus_stores, all_entities)
    ids = [e.id for e in entities]
    keys_of = same(corpus_stores, lambda s: s.keys_of(ids + ["person:nobody"]))
    assert sorted(k for ks in keys_of.values() for k in ks) == sorted(resolution)
    assert same(corpus_stores, lambda s: s.entity_interview_counts(ids)) == \
        {e.id: e.interviews for e in entities}
    assert same(corpus_stores, lambda s: s.curation_log()) == []
    assert same(corpus_stores, lambda s: s.curation_page(0, 10)) == Page((), 0, 0)


def test_review_lists_page_the_same(corpus_stores) -> None:
    pairs = same(corpus_stores, lambda s: s.possibly_same())
    assert all(a < b for a, b, _ in pairs)
    assert [s for _, _, s in pairs] == sorted((s for _, _, s in pairs), reverse=True)
    for offset, limit in ((0, 1), (1, 2), (len(pairs), 5), (len(pairs) + 3, 5)):
        page = same(corpus_stores, lambda s: s.possibly_same(offset, limit))
        assert page.items == pairs.items[offset:offset + limit] and page.total == pairs.total
        assert page.has_next == (offset + limit < len(pairs))
    uncertain = same(corpus_stores, lambda s: s.uncertain_entities(0, ALL))
    assert all(e.confidence < 1 and e.keys > 1 and not e.confirmed for e in uncertain)
    for offset in range(0, uncertain.total + 2, 2):
        page = same(corpus_stores, lambda s: s.uncertain_entities(offset, 2))
        assert page.items == uncertain.items[offset:offset + 2]


SEARCHES: list[tuple[str, dict[str, Any]]] = [
    ("Raqqa", {}), ("raqqah", {}), ("RAQQA", {}), ("hisbah", {}), ("emir", {}),
    ("the", {}), ("bay'ah", {}), ("Abu", {}), ("women prison", {}), ("Deir ez-Zor", {}),
    ('"Deir ez"', {}), ('"ez Deir"', {}), ("2015", {}), ("Şanlıurfa", {}),
    ("no such words anywhere", {}), ("", {}), ("  !! ", {}),
    ("Raqqa", {"entity_type": "PERSON"}), ("emir", {"entity_type": "ORG"}),
    ("Raqqa", {"theme": "brutality"}), ("women", {"theme": "women"}),
    ("Raqqa", {"theme": "not-a-theme"}),
    ("Raqqa", {"speaker_roles": ("interviewee",)}), ("camp", {"speaker_roles": ("interviewer",)}),
    ("Raqqa", {"speaker_roles": ()}),
]


def test_a_search_of_too_many_words_is_refused_by_name_on_both(corpus_stores) -> None:
    # 1,100 words once ended Neo4j's search in a TooManyClauses traceback
    query = " ".join(f"word{i}" for i in range(1_100))
    for store in corpus_stores:
        with pytest.raises(TestimonyError, match="at most 64 words"):
            search(store, query)
    assert same(corpus_stores, lambda s: search(s, " ".join(["Raqqa"] * 64)).total) > 0


def test_search_finds_the_same_hits(corpus_stores) -> None:
    found = 0
    for query, filters in SEARCHES:
        total, hits = same(corpus_stores, lambda s: search_answer(s, query, **filters))
        assert total == len(hits)
        found += total
    pseudonyms = sorted({s.pseudonym for s in corpus_stores[0].interviews()})
    for who in pseudonyms[:4] + ["Nobody At All"]:
        same(corpus_stores, lambda s: search_answer(s, "Raqqa", interviewee=who))
    assert found > 0


def test_search_pages_follow_each_index_ranking(corpus_stores) -> None:
    for query in ("Raqqa", "the", "emir hisbah"):
        total, hits = same(corpus_stores, lambda s: search_answer(s, query))
        for store in corpus_stores:
            first = search(store, query, limit=ALL)
            assert_ranked_by_score(first)
            seen: list[str] = []
            for offset in range(0, total + 4, 4):
                page = search(store, query, offset=offset, limit=4)
                assert page.total == total and page.offset == offset
                assert page.has_next == (offset + 4 < total)
                assert [h.turn.id for h in page] == [h.turn.id for h in first][offset:offset + 4]
                seen += [h.turn.id for h in page]
            assert sorted(seen) == [h[0].id for h in hits]


def test_the_store_search_primitive(corpus_stores) -> None:
    """TextMatch: required phrases, alternatives, filters; empty input finds nothing."""
    def answer(store, match: TextMatch, where: TurnFilter = TurnFilter()):
        page = store.search(match, where, 0, ALL)
        assert_ranked_by_score(page)
        return page.total, sorted(s.turn.id for s in page)

    matches = [TextMatch(required=(("raqqa",),)), TextMatch(required=(("raqqa",), ("emir",))),
               TextMatch(required=(("deir", "ez", "zor"),)),
               TextMatch(required=(("zzz",),), alternatives=(("raqqa",), ("tabqa",))),
               TextMatch(required=(), alternatives=(("abu", "omar"),)),
               TextMatch(required=(('"',), ("\\",)))]
    for match in matches:
        same(corpus_stores, lambda s: answer(s, match))
        same(corpus_stores, lambda s: answer(s, match, TurnFilter(entity_type="PLACE",
                                                                  speaker_roles=("interviewee",))))
    assert same(corpus_stores, lambda s: answer(s, TextMatch(required=()))) == (0, [])
    assert same(corpus_stores, lambda s: s.search(TextMatch(required=(("raqqa",),)),
                                                  TurnFilter(), 10_000, 5).items) == ()


def test_finding_entities_agrees(corpus_stores) -> None:
    everyone = same(corpus_stores, all_entities)
    assert [(-e.mentions, e.id) for e in everyone] == sorted((-e.mentions, e.id) for e in everyone)
    for text in ("", "abu", "raqqa", "al-", "hisba", "abu om", "zzzz", "ü", "!!"):
        for t in (None, *ENTITY_TYPES):
            whole = same(corpus_stores, lambda s: find_entities(s, text, t, limit=ALL))
            for offset in (0, 3, whole.total):
                page = same(corpus_stores, lambda s: find_entities(s, text, t, limit=3,
                                                                   offset=offset))
                assert page.items == whole.items[offset:offset + 3] and page.total == whole.total
                assert page.has_next == (offset + 3 < whole.total)
    for e in everyone[::4]:
        for form in {" ".join(terms(n)) for n in (e.entity.name, *e.entity.aliases)}:
            named = same(corpus_stores, lambda s: s.entities_named(form))
            assert e.id in named
            assert same(corpus_stores, lambda s: s.entities_named(form, e.entity.type)) == \
                [i for i in named if corpus_stores[0].entity(i).entity.type == e.entity.type]
    for form in ("", "zzz", "abu", "raqqa al"):
        same(corpus_stores, lambda s: s.entities_named(form))


def test_entity_pages_agree(corpus_stores) -> None:
    everyone = all_entities(corpus_stores[0])
    for e in everyone:
        assert same(corpus_stores, lambda s: s.entity(e.id)) == e
        profile = same(corpus_stores, lambda s: entity_profile(s, e.id, limit=3))
        assert profile.summary == e and profile.interviews.total == e.interviews
        if profile.interviews.has_next:
            same(corpus_stores, lambda s: entity_profile(s, e.id, offset=3, limit=3))
        rows = same(corpus_stores, lambda s: s.entity_interviews(e.id, 0, ALL))
        assert [r.interview.id for r in rows] == sorted(r.interview.id for r in rows)
        assert sum(r.mentions for r in rows) == e.mentions
        for offset in (1, rows.total):
            page = same(corpus_stores, lambda s: s.entity_interviews(e.id, offset, 2))
            assert page.items == rows.items[offset:offset + 2]
        co = same(corpus_stores, lambda s: s.co_mentioned(e.id, ALL))
        assert [(-n, i) for i, n in co] == sorted((-n, i) for i, n in co)
        assert same(corpus_stores, lambda s: s.co_mentioned(e.id, 2)) == co[:2]
        links = same(corpus_stores, lambda s: s.entity_links(e.id, 0, ALL))
        assert all(e.id in (ln.source_id, ln.target_id) for ln in links)
        assert same(corpus_stores, lambda s: s.entity_links(e.id, 1, 1)).items == links.items[1:2]
    ids = [e.id for e in everyone]
    assert same(corpus_stores, lambda s: s.entity_summaries(ids + ["x:none"])) == \
        {e.id: e for e in everyone}
    links = same(corpus_stores, lambda s: s.links())
    assert links and {ln.type for ln in links} <= set(LINK_TYPES)
    assert same(corpus_stores, lambda s: s.entity("person:nobody")) is None
    assert same(corpus_stores, lambda s: s.entity_interviews("person:nobody", 0, 5)) == Page((), 0)
    assert same(corpus_stores, lambda s: s.co_mentioned("person:nobody", 5)) == []
    assert same(corpus_stores, lambda s: s.entity_links("person:nobody", 0, 5)) == Page((), 0)
    same_error(corpus_stores, lambda s: entity_profile(s, "person:nobody"), NotFound)


def test_corroboration_agrees(corpus_stores) -> None:
    everyone = all_entities(corpus_stores[0])
    for e in everyone:
        one = Subject(e.id)
        whole = same(corpus_stores, lambda s: corroboration.corroborate_entity(s, e.id, limit=None))
        assert whole.source_count == sum(same(corpus_stores, lambda s: s.stance_counts(one)).values())
        if whole.source_count > 1:
            page = same(corpus_stores, lambda s: corroboration.corroborate_entity(
                s, e.id, offset=1, limit=1, with_disagreements=True))
            assert page.has_next == (whole.source_count > 2)
        sources = same(corpus_stores, lambda s: s.sources(one, 0, ALL))
        assert [(-r.best_stance, r.pseudonym) for r in sources] == \
            sorted((-r.best_stance, r.pseudonym) for r in sources)
        assert same(corpus_stores, lambda s: s.sources(one, 1, 1)).items == sources.items[1:2]
        rows = same(corpus_stores, lambda s: s.supports(one, None, ALL))
        assert sum(r.turns for r in sources) == len(rows)
        some = [r.pseudonym for r in sources][:1]
        same(corpus_stores, lambda s: s.supports(one, some, 3))
        assert same(corpus_stores, lambda s: s.supports(one, [], 3)) == []
        same(corpus_stores, lambda s: s.prompted(one))
    g = cooccurrence_graph(corpus_stores[0])
    pairs = sorted(g.edges())[:25] + [(ln.source_id, ln.target_id)
                                      for ln in corpus_stores[0].links()][:25]
    known = {e.id for e in everyone}
    for a, b in pairs:
        if a in known and b in known:
            same(corpus_stores, lambda s: corroboration.corroborate_link(s, a, b))
            page = same(corpus_stores, lambda s: s.attesting_turns(a, b, 2))
            assert page.total >= len(page)
            same(corpus_stores, lambda s: s.prompted(Subject(a, b)))
    assert same(corpus_stores, lambda s: s.sources(Subject("x:none"), 0, 5)) == Page((), 0)
    assert same(corpus_stores, lambda s: s.attesting_turns("x:none", everyone[0].id, 5)) == Page((), 0)
    same_error(corpus_stores, lambda s: corroboration.corroborate_entity(s, "x:none"), NotFound)
    turns = sorted({m.turn_id for s in corpus_stores[0].interviews()
                    for m in corpus_stores[0].mentions(interview_id=s.id)})
    for tid in turns[::7]:
        same(corpus_stores, lambda s: corroboration.corroborate_turn(s, tid))
    ids = [e.id for e in everyone[:6]]
    for exclude in ("", corpus_stores[0].interviews()[0].id):
        same(corpus_stores, lambda s: s.turns_naming(ids, exclude, 10))
    assert same(corpus_stores, lambda s: s.turns_naming([], "", 10)) == []


NETWORKS: list[dict[str, Any]] = [
    {}, {"types": ("PERSON", "ORG")}, {"types": ("PLACE",)}, {"theme": "brutality"},
    {"testimony_only": False}, {"min_weight": 2}, {"max_nodes": 10}, {"max_nodes": 1},
    {"theme": "women", "testimony_only": False, "min_weight": 1}, {"theme": "not-a-theme"},
    {"types": ("PERSON",), "max_nodes": 5, "testimony_only": False},
]


def test_the_network_agrees(corpus_stores, tmp_path) -> None:
    summaries = corpus_stores[0].interviews()
    ids = tuple(s.id for s in summaries)
    dates = sorted(s.date for s in summaries if s.date)
    wheres = [InterviewFilter(gender="male"), InterviewFilter(status="defector"),
              InterviewFilter(date_from=dates[len(dates) // 2]),
              InterviewFilter(date_to=dates[0][:4]), InterviewFilter(nationality="nowhere")]
    for params in NETWORKS + [{"interview_ids": ids[:3]}, {"interview_ids": ids[:3], **NETWORKS[3]},
                              *({"where": w} for w in wheres)]:
        nodes, edges = same(corpus_stores, lambda s: graph_answer(cooccurrence_graph(s, **params)))
        if not params:
            assert nodes and edges
    for max_nodes in (None, 150, 7):
        data = same(corpus_stores, lambda s: network_data(s, NetworkQuery(max_nodes=max_nodes)))
        assert [(-n.mentions, n.id) for n in data.nodes] == sorted((-n.mentions, n.id)
                                                                    for n in data.nodes)
        assert [(e.a, e.b) for e in data.edges] == sorted((e.a, e.b) for e in data.edges)
        assert all(e.a < e.b for e in data.edges) and data.total_nodes >= len(data.nodes)
    # The exports are the same files, byte for byte.
    for fmt in ("graphml", "gexf", "csv"):
        written = []
        for store in corpus_stores:
            out = tmp_path / store.backend / f"net.{fmt}"
            out.parent.mkdir(exist_ok=True)
            written.append([p.read_bytes() for p in export_graph(cooccurrence_graph(store), out, store=store)])
        assert written[0] == written[1]


def test_connections_agree(corpus_stores) -> None:
    graph = same(corpus_stores, lambda s: graph_answer(cooccurrence_graph(s)))
    same(corpus_stores, lambda s: central_entities(cooccurrence_graph(s), limit=10))
    nodes = [n for n, _ in graph[0]]
    rnd = random.Random(5)
    found = 0
    queries = [NetworkQuery(max_nodes=None), NetworkQuery(testimony_only=False, max_nodes=None),
               NetworkQuery(types=("PERSON", "PLACE", "ORG"), max_nodes=None),
               NetworkQuery(min_weight=2, max_nodes=None),
               NetworkQuery(theme="brutality", max_nodes=None),
               NetworkQuery(where=InterviewFilter(status="defector"), max_nodes=None)]
    for a, b in [(rnd.choice(nodes), rnd.choice(nodes)) for _ in range(12)]:
        for query in queries:
            for hops in (1, 2, 6):
                try:
                    found += len(same(corpus_stores, lambda s: shortest_paths(
                        s, a, b, query=query, limit=3, max_hops=hops)))
                except NotFound:  # not in that network: on both
                    same_error(corpus_stores, lambda s: shortest_paths(s, a, b, query=query),
                               NotFound)
    assert found
    for a, b in [(nodes[0], nodes[0]), (nodes[0], "x:none")]:
        assert same(corpus_stores, lambda s: s.shortest_paths(a, b, NetworkQuery(), 4, 3)) == []
    assert same(corpus_stores, lambda s: s.shortest_paths(nodes[0], nodes[1], NetworkQuery(),
                                                          0, 3)) == []
    for eid in nodes[::5]:
        for depth in (0, 1, 2):
            for query in (NetworkQuery(), NetworkQuery(max_nodes=4),
                          NetworkQuery(types=("PLACE", "PERSON"), testimony_only=False),
                          NetworkQuery(theme="brutality"),
                          NetworkQuery(where=InterviewFilter(gender="male"))):
                try:
                    same(corpus_stores, lambda s: graph_answer(neighbourhood(s, eid, depth,
                                                                             query=query)))
                except NotFound:
                    same_error(corpus_stores, lambda s: neighbourhood(s, eid, depth, query=query),
                               NotFound)
    assert same(corpus_stores, lambda s: s.neighbourhood("x:none", 1, NetworkQuery())).nodes == ()


def test_structure_agrees(corpus_stores) -> None:
    edges = same(corpus_stores, lambda s: s.cooccurrence_edges())
    assert edges == sorted(edges) and all(a < b and w > 0 for a, b, w in edges)
    structured = [e for e in same(corpus_stores, all_entities) if e.community is not None]
    assert structured and all(e.degree > 0 for e in structured)


# --- behaviour, side by side on fresh stores ------------------------------------------------

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


def check(stores) -> dict[str, Any]:
    """Both stores answer everything the same, and each keeps its aggregates right."""
    answer = same(stores, everything)
    for store in stores:
        assert_no_orphans(store)
        assert_aggregates_hold(store)
    return answer


def test_fresh_stores_are_empty_and_agree(fresh_stores) -> None:
    for store in fresh_stores:
        store.ensure_schema()  # idempotent
        store.ensure_schema()
    answer = check(fresh_stores)
    assert answer["stats"] == dict.fromkeys(answer["stats"], 0)
    assert same(fresh_stores, lambda s: s.network(NetworkQuery())) == network_data(
        fresh_stores[0], NetworkQuery())
    assert same(fresh_stores, lambda s: search_answer(s, "raqqa")) == (0, [])
    assert same(fresh_stores, lambda s: s.find_entities(["ra"], None, 0, 5)) == Page((), 0)


def test_write_counter_counts_the_same_writes(fresh_stores, tmp_path, nlp) -> None:
    """graph_version: every interview written or deleted and every resolution counts one
    write on both stores; decisions and structure do not; structure is stamped as given."""
    start = [s.graph_version()[0] for s in fresh_stores]

    def writes() -> list[int]:
        return [s.graph_version()[0] - w for s, w in zip(fresh_stores, start)]

    folder = tmp_path / "in"
    write_fictional(folder, "fict-a", "Abu Salim")
    write_fictional(folder, "fict-b", "Abu Bakr")
    ingest_both(fresh_stores, [folder], nlp)
    assert writes()[0] == writes()[1] >= 3  # two interviews, one resolution
    for store in fresh_stores:
        store.record_decision({"id": "n1", "action": "rename", "keys": ["PLACE:x"], "name": "X"})
        store.apply_structure([], store.graph_version()[0] + 1)
    assert writes()[0] == writes()[1]
    assert [v - w for v, w in zip((s.graph_version()[1] for s in fresh_stores), start)] == \
        [writes()[0] + 1] * 2
    for store in fresh_stores:
        store.delete_interview("never-there")
        store.delete_interview("fict-a")
    assert writes()[0] == writes()[1]


def test_reingest_is_idempotent(fresh_stores, tmp_path, nlp) -> None:
    folder = tmp_path / "in"
    for name in ("int-01_abu-layla_sanliurfa.md", "int-03_abu-khalid_hisbah.txt",
                 "int-05_ahmad_cubs-of-the-caliphate.srt", "metadata.csv"):
        folder.mkdir(exist_ok=True)
        shutil.copy(SAMPLE_CORPUS / name, folder / name)
    write_fictional(folder, "fict-a", "Abu Salim")
    first = ingest_both(fresh_stores, [folder], nlp)
    assert len(first[0].added) == 4
    before = check(fresh_stores)
    again = ingest_both(fresh_stores, [folder], nlp)
    assert again[0].added == again[0].replaced == [] and len(again[0].unchanged) == 4
    assert check(fresh_stores) == before
    # Writing the very same interviews again (not skipped this time) duplicates nothing either.
    from graph_builder.extract.pipeline import extract_many
    interviews = read_interviews(sorted(p for p in folder.iterdir() if p.suffix != ".csv"),
                                 IngestReport())
    extracted = list(extract_many(interviews, nlp))
    for store in fresh_stores:
        for ex in extracted:
            store.replace_interview(ex, store.resolution())
        refresh_resolution(store)
    after = check(fresh_stores)
    assert {k: v for k, v in after.items() if k != "log page"} == \
        {k: v for k, v in before.items() if k != "log page"}


def test_changed_file_replaces_the_old_version_and_leaves_no_orphans(fresh_stores, tmp_path,
                                                                      nlp) -> None:
    folder = tmp_path / "in"
    changing = write_fictional(folder, "fict-a", "Abu Salim")
    write_fictional(folder, "fict-b", "Abu Bakr", FICTIONAL.replace("Tabqa", "Manbij"))
    ingest_both(fresh_stores, [folder], nlp)
    old = same(fresh_stores, lambda s: {e.entity.name for e in all_entities(s)})
    assert any("tabqa" in e.lower() for e in old)
    # The new version: another interviewee, Tabqa and Abu Omar gone, one turn more.
    changing.write_text(FICTIONAL.format(id="fict-a", who="Umm Salim")
                        .replace(" The Amniyat took my cousin to Tabqa.", "")
                        .replace("Did you know Abu Omar?", "And then?")
                        .replace("Abu Omar al-Shishani was the wali of Raqqa. ", "")
                        + "Q: Where did you go?\nA: I fled to Urfa in 2016.\n", encoding="utf-8")
    report = ingest_both(fresh_stores, [folder], nlp)[0]
    assert report.replaced == ["fict-a"] and report.unchanged == ["fict-b"]
    check(fresh_stores)
    summaries = same(fresh_stores, lambda s: s.interviews())
    assert [(s.id, s.pseudonym) for s in summaries] == [("fict-a", "Umm Salim"),
                                                         ("fict-b", "Abu Bakr")]
    for store in fresh_stores:
        assert store.stats()["interviewees"] == 2  # Abu Salim went with his old version
        text = store.interview("fict-a").text
        assert "Urfa" in text and "Tabqa" not in text
        assert all(m.surface != "Tabqa" for m in store.mentions(interview_id="fict-a"))
        assert not any("tabqa" in e.id for e in all_entities(store))  # only fict-a named it
        assert search(store, "forty lashes").total == 2  # one turn per interview, no old copy


def test_delete_interview(fresh_stores, tmp_path, nlp) -> None:
    folder = tmp_path / "in"
    write_fictional(folder, "fict-a", "Abu Salim",
                    FICTIONAL.replace("Tabqa", "Tal Abyad").replace("Mosul", "Kobani"))
    write_fictional(folder, "fict-b", "Abu Bakr")
    ingest_both(fresh_stores, [folder], nlp)
    assert same(fresh_stores, lambda s: s.delete_interview("fict-a")) is True
    assert same(fresh_stores, lambda s: s.delete_interview("fict-a")) is False
    assert same(fresh_stores, lambda s: s.delete_interview("never-there")) is False
    assert {p for p, _, _ in same(fresh_stores, lambda s: s.redaction_terms())} == {"Abu Bakr"}
    check(fresh_stores)
    for store in fresh_stores:
        assert [s.id for s in store.interviews()] == ["fict-b"]
        assert store.stats()["interviewees"] == 1
        assert not any("kobani" in e.id or "tal abyad" in e.id for e in all_entities(store))
        assert search(store, "Kobani").total == 0
        assert store.pending_keys()  # the keys the deleted interview named
    same(fresh_stores, lambda s: s.pending_keys())
    for store in fresh_stores:
        refresh_resolution(store)
        assert store.pending_keys() == []
    check(fresh_stores)


def test_delete_everything_empties_both(fresh_stores, tmp_path, nlp) -> None:
    folder = tmp_path / "in"
    write_fictional(folder, "fict-a", "Abu Salim")
    ingest_both(fresh_stores, [folder], nlp)
    for store in fresh_stores:
        store.record_decision({"id": "d1", "action": "rename", "keys": ["PLACE:raqqa"],
                               "name": "Ar-Raqqa"})
        store.delete_everything()
    answer = check(fresh_stores)
    assert answer["stats"] == dict.fromkeys(answer["stats"], 0)
    assert answer["log"] == [] and answer["resolution"] == {} and answer["keys"] == []
    assert [s.graph_version()[1] for s in fresh_stores] == [0, 0]  # no structure to be stale
    ingest_both(fresh_stores, [folder], nlp)  # and the stores take writes again
    check(fresh_stores)


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
    before = check(fresh_stores)
    old = same(fresh_stores, lambda s: s.interview("fict-a"))
    *bad_references, duplicate_turns = _broken_versions(old)
    for broken in bad_references:
        for store in fresh_stores:
            with pytest.raises(KeyError):  # before anything is written
                store.replace_interview(broken, store.resolution())
        assert check(fresh_stores) == before
    # Inside the database's transaction, after the old version was deleted there: rolled back.
    for store, error in zip(fresh_stores, (sqlite3.IntegrityError,
                                           neo4j.exceptions.ConstraintError)):
        with pytest.raises(error):
            store.replace_interview(duplicate_turns, store.resolution())
    assert check(fresh_stores) == before
    # A failed resolution changes nothing either (an entry outside its scope taken again).
    taken = sorted(before["resolution"])[0]
    clash = Resolution(entities=(), assignments={taken: "place:x"},
                       scope=frozenset({"PLACE:zzz"}))
    for store, error in zip(fresh_stores, (sqlite3.IntegrityError,
                                           neo4j.exceptions.ConstraintError)):
        with pytest.raises(error):
            store.apply_resolution(clash)
    assert check(fresh_stores) == before


def test_curation_decisions_replay_the_same(fresh_stores, tmp_path, nlp) -> None:
    folder = tmp_path / "in"
    write_fictional(folder, "fict-a", "Abu Salim")
    write_fictional(folder, "fict-b", "Abu Bakr", FICTIONAL.replace("Raqqah", "ar-Raqqa"))
    ingest_both(fresh_stores, [folder], nlp)
    keys = same(fresh_stores, lambda s: s.all_keys())
    people = [k for k in keys if k.startswith("PERSON:")]
    places = [k for k in keys if k.startswith("PLACE:")]
    assert len(people) >= 2 and places
    decisions = [
        {"id": "d1", "action": "merge", "keys": [people[0]], "other_keys": [people[1]],
         "name": "The Merged One"},
        {"id": "d2", "action": "rename", "keys": [places[0]], "name": "Renamed Place"},
        {"id": "d3", "action": "undo", "undoes": "d2"},
        {"id": "d4", "action": "split", "keys": [places[-1]], "name": "Split Off", "note": "ü"},
        {"id": "d5", "action": "confirm", "keys": [people[0], people[1]]},
        {"id": "d6", "action": "reject", "keys": [people[0]], "other_keys": [people[1]]},
    ]
    by_id = {d["id"]: d for d in decisions}
    for d in decisions:
        # What the decision names (an undo: what it undoes) is resolved again, as curation does.
        named = by_id.get(d.get("undoes"), d)
        for store in fresh_stores:
            store.record_decision(d)
            refresh_resolution(store, {*named.get("keys", ()), *named.get("other_keys", ())})
        check(fresh_stores)
        assert same(fresh_stores, lambda s: s.curation_page(0, 2)).items[0] == d
    log = same(fresh_stores, lambda s: s.curation_log())
    assert log == decisions
    page = same(fresh_stores, lambda s: s.curation_page(1, 2))
    assert page.items == tuple(reversed(decisions))[1:3] and page.has_next
    names = same(fresh_stores, lambda s: {e.entity.name for e in all_entities(s)})
    assert "Split Off" in names
    # The whole log replayed from scratch lands where the decisions one by one did.
    stepwise = check(fresh_stores)
    for store in fresh_stores:
        refresh_resolution(store, full=True)
    again = check(fresh_stores)
    assert again["entities"] == stepwise["entities"]


def test_per_interview_assignments_agree(fresh_stores, tmp_path, nlp) -> None:
    """A key resolved per interview ("key@interview" wins over "key"): mentions, link ends,
    provisional ids of a re-ingested interview and every read agree on both backends."""
    folder = tmp_path / "in"
    write_fictional(folder, "fict-a", "Abu Salim")
    changing = write_fictional(folder, "fict-b", "Abu Bakr")
    ingest_both(fresh_stores, [folder], nlp)
    keys = same(fresh_stores, lambda s: s.all_keys())
    emir = next(k for k in keys if k.startswith("PERSON:abu hamza"))
    usage = same(fresh_stores, lambda s: s.key_usage([emir], company=[emir]))
    assert set(dict(usage[0].contexts)) == {"fict-a", "fict-b"}
    split = {"id": "s1", "action": "split", "keys": [emir], "interviews": ["fict-b"],
             "name": "Abu Hamza of fict-b"}
    for store in fresh_stores:
        store.record_decision(split)
        refresh_resolution(store, {emir})
    check(fresh_stores)
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
    check(fresh_stores)
    # ... and a resolution may name per-interview ids no entity holds (placeholders).
    odd = Resolution(entities=(Entity(id="x:a", type="PERSON", name="A", aliases=("a",)),),
                     assignments={emir: "x:a", f"{emir}@fict-a": "x:nobody",
                                  "PLACE:nowhere@fict-b": "x:a"})
    for action in (lambda s: s.apply_resolution(odd), refresh_resolution,
                   lambda s: refresh_resolution(s, full=True),
                   lambda s: (s.record_decision({"id": "u1", "action": "undo", "undoes": "s1"}),
                              refresh_resolution(s, {emir}))):
        for store in fresh_stores:
            action(store)
        check(fresh_stores)
    assert not any("@" in k for k in same(fresh_stores, lambda s: s.resolution()))


def test_incremental_resolution_gives_the_partition_of_a_whole_ingest(fresh_stores, sample_db,
                                                                        tmp_path, nlp) -> None:
    """Ingesting the sample corpus one file at a time (each ingest resolving only what it
    reaches) groups the keys into entities exactly as ingesting it at once does."""
    def partition(store) -> set[frozenset[str]]:
        groups: dict[str, set[str]] = defaultdict(set)
        for entry, eid in store.resolution().items():
            groups[eid].add(entry)
        return {frozenset(g) for g in groups.values()}

    whole = SQLiteStore(sample_db)
    at_once = partition(whole)
    whole.close()
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SAMPLE_CORPUS / "metadata.csv", folder / "metadata.csv")
    files = sorted(p for p in SAMPLE_CORPUS.iterdir() if p.suffix in
                   {".md", ".txt", ".json", ".srt", ".vtt", ".docx", ".pdf"}
                   and p.name != "README.md")
    for path in files:
        shutil.copy(path, folder / path.name)
        ingest_both(fresh_stores, [folder / path.name], nlp)
        same(fresh_stores, partition)
    check(fresh_stores)
    assert same(fresh_stores, partition) == at_once


# --- synthetic histories: the corners the sample corpus does not reach ---------------------

_NAMES = {"PERSON": ["Abu Omar", "Umm Huda", "Ibn Khalid", "Éric Ülker"],
          "PLACE": ["Raqqa", "Raqqah", "Mosul", "Şanlıurfa"], "ORG": ["Hisbah", "Amniyat"],
          "ROLE": ["emir", "wali"], "GROUP": ["Yazidis"], "EVENT": ["fall of Mosul"]}
_WORDS = ["the", "bay'ah", "in", "Raqqa,", "emir", "U.S.", "abu_x", "2015", "fled", "women",
          "Café", "Şanlıurfa", "ar-Raqqa", "I saw", "they said", "maybe"]


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
                                canonical_hint=rnd.choice([None, name, ""])))
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
    """Ingest, resolve, replace, delete, curate and apply partial resolutions: the same
    answers after every step (ties, placeholders for unmentioned link ends and for ids no
    entity holds, non-ASCII keys, the full and the incremental resolver)."""
    def step(action: Callable[[Any], Any]) -> None:
        for store in fresh_stores:
            action(store)
        check(fresh_stores)
        same(fresh_stores, lambda s: search_answer(s, "raqqa"))
        same(fresh_stores, lambda s: search_answer(s, "emir fled", entity_type="PLACE"))

    base = seed * 100
    step(lambda s: [s.replace_interview(synthetic(f"iv-{i}", base + i), s.resolution())
                    for i in range(5)])
    step(refresh_resolution)
    step(lambda s: s.replace_interview(synthetic("iv-2", base + 50), s.resolution()))
    step(lambda s: s.replace_interview(synthetic("iv-9", base + 51), s.resolution()))
    step(refresh_resolution)
    step(lambda s: s.delete_interview("iv-1"))
    step(lambda s: (s.record_decision({"id": 1, "action": "rename", "keys": ["PLACE:raqqa"],
                                       "name": "Ar-Raqqa"}), refresh_resolution(s)))
    # A resolution that names one entity and leaves keys out: mentions fall back to the
    # lowercased key and point at ids no entity row holds, on both backends.
    partial = Resolution(entities=(Entity(id="place:raqqa", type="PLACE", name="R",
                                          aliases=("a",)),),
                         assignments={"PLACE:raqqa": "place:raqqa", "PERSON:abu omar": "x:y"},
                         key_pairs=(("PLACE:raqqa", "PERSON:abu omar", 0.9),))
    step(lambda s: s.apply_resolution(partial))
    # Per-interview entries win over the plain key, for mentions and link ends alike, and for
    # the provisional ids of an interview written before the next resolution; a scoped
    # resolution touches only its keys.
    per_interview = Resolution(
        entities=(Entity(id="place:raqqa", type="PLACE", name="R", aliases=("a",)),
                  Entity(id="place:raqqa of iv-3", type="PLACE", name="R3", aliases=("b",))),
        assignments={"PLACE:raqqa": "place:raqqa", "PLACE:raqqa@iv-3": "place:raqqa of iv-3",
                     "PLACE:raqqah@iv-4": "place:raqqa"},
        key_pairs=(("PLACE:raqqa", "PLACE:raqqa@iv-3", 12.5), ("PLACE:raqqah", "PLACE:raqqa", 3)),
        scope=frozenset({"PLACE:raqqa", "PLACE:raqqah"}), settles=frozenset({"PLACE:raqqa"}))
    step(lambda s: s.apply_resolution(per_interview))
    step(lambda s: s.replace_interview(synthetic("iv-3", base + 52), s.resolution()))
    step(lambda s: s.replace_interview(synthetic("iv-7", base + 53), {}))
    step(lambda s: s.delete_interview("iv-0"))
    step(refresh_resolution)
    step(lambda s: refresh_resolution(s, full=True))
    step(lambda s: s.apply_structure([("place:raqqa", 0, 0.5, 3), ("x:none", 1, 0.1, 1)], 7))
