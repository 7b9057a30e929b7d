"""The workbench on the real dev corpus: corroboration of a place named by several witnesses,
and the network exports analysts hand on (GEXF for Gephi, PNG)."""
from __future__ import annotations

import networkx as nx

from graph_builder.store.sqlite import SQLiteStore
from queries.corroboration import corroborate_entity
from queries.exports import export_graph
from queries.network import cooccurrence_graph
from queries.profiles import find_entities


def test_corroboration_of_a_place_lists_each_witness_once_with_quotes(dev_db) -> None:
    store = SQLiteStore(dev_db)
    raqqa = next(e for e in find_entities(store, "Raqqa", "PLACE") if e.name == "Raqqa")
    c = corroborate_entity(store, raqqa.id)
    names = [s.pseudonym for s in c.sources]
    assert len(names) == len(set(names)) >= 5
    for src in c.sources:
        assert src.supports and all(s.quote and s.turn.speaker_role == "interviewee" for s in src.supports)
        for s in src.supports:
            text = store.interview(s.interview_id).text
            assert text[s.start:s.end].casefold().startswith("raqq")
    store.close()


def test_gexf_carries_types_and_png_shows_the_network(dev_db, tmp_path) -> None:
    store = SQLiteStore(dev_db)
    graph = cooccurrence_graph(store)
    assert graph.number_of_nodes() > 50
    (gexf,) = export_graph(graph, tmp_path / "dev.gexf", store=store)
    back = nx.read_gexf(gexf)
    assert back.number_of_nodes() == graph.number_of_nodes()
    assert {d["type"] for _, d in back.nodes(data=True)} == {"PERSON", "PLACE", "ORG", "ROLE", "GROUP", "EVENT"}
    (png,) = export_graph(graph, tmp_path / "dev.png", store=store)
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 50_000
    store.close()
