"""Connections over the sample corpus: paths with evidence, neighbourhoods, structure, filters."""
from __future__ import annotations

import networkx as nx

from graph_builder.structure import structure_rows
from queries.network import InterviewFilter, cooccurrence_graph
from queries.paths import central_entities, neighbourhood, shortest_paths
from queries.profiles import find_entities


def first(store, name, etype):
    return [e.entity for e in find_entities(store, name, etype)][0]


def test_paths_carry_the_turns_that_attest_each_hop(sample_store) -> None:
    g = cooccurrence_graph(sample_store)
    a = first(sample_store, "Sinjar", "PLACE").id
    b = first(sample_store, "Gaziantep", "PLACE").id
    paths = shortest_paths(sample_store, a, b, limit=50)
    assert paths
    # Every shortest path the whole graph has, strongest (weakest hop, then total) first.
    every = sorted(nx.all_shortest_paths(g, a, b), key=lambda p: (
        -min(g.edges[x, y]["weight"] for x, y in zip(p, p[1:])),
        -sum(g.edges[x, y]["weight"] for x, y in zip(p, p[1:])), p))
    assert [list(p.entities) for p in paths] == every[:50]
    for p in paths:
        assert p.entities[0] == a and p.entities[-1] == b
        assert len(p.hops) == len(p.entities) - 1 == nx.shortest_path_length(g, a, b)
        for hop in p.hops:
            assert hop.turns, "every hop is attested by at least one interviewee turn"
            assert all(t.speaker_role == "interviewee" for t in hop.turns)
            assert hop.total >= g.edges[hop.source, hop.target]["weight"]


def test_neighbourhood_depth(sample_store) -> None:
    raqqa = first(sample_store, "Raqqa", "PLACE").id
    one = neighbourhood(sample_store, raqqa, 1)
    two = neighbourhood(sample_store, raqqa, 2)
    assert raqqa in one and set(one) <= set(two) and len(two) > len(one) > 1


def test_communities_and_centrality_are_stored_when_the_graph_is_built(sample_store) -> None:
    g = cooccurrence_graph(sample_store, min_weight=2)
    linked = {x for a, b, _ in sample_store.cooccurrence_edges() for x in (a, b)}
    assert all("community" in d and "centrality" in d for n, d in g.nodes(data=True) if n in linked)
    top = central_entities(g, 5)
    assert len(top) == 5 and top[0][1] >= top[-1][1] > 0
    # What the store holds is what the structure job computes from the testimony network.
    rows = {e: (c, x) for e, c, x, _ in structure_rows(sample_store.cooccurrence_edges())}
    assert {n: (d.get("community"), d.get("centrality")) for n, d in g.nodes(data=True)} == \
        {n: rows.get(n, (None, None)) for n in g}


def test_interviewee_filters(sample_store) -> None:
    women = InterviewFilter(gender="female")
    summaries = sample_store.interviews()
    female_ids = {s.id for s in summaries if (s.gender or "").lower() == "female"}
    assert female_ids and len(female_ids) < len(summaries)
    g = cooccurrence_graph(sample_store, where=women)
    full = cooccurrence_graph(sample_store)
    assert 0 < g.number_of_nodes() < full.number_of_nodes()
    assert cooccurrence_graph(sample_store, where=InterviewFilter(date_from="2999-01-01")).number_of_nodes() == 0
