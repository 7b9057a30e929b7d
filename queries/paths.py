"""Connections: paths between entities with the turns that attest each hop, neighbourhoods,
communities and central entities. All derived from mentions (and typed links) in the store."""
from __future__ import annotations

from dataclasses import dataclass

import networkx as nx

from graph_builder.errors import NotFound
from graph_builder.store.base import GraphStore, TurnRow
from queries.network import cooccurrence_graph


@dataclass(frozen=True)
class Hop:
    source: str  # entity ids
    target: str
    turns: tuple[TurnRow, ...]  # interviewee turns naming both (the evidence for this hop)


@dataclass(frozen=True)
class Path:
    entities: tuple[str, ...]
    hops: tuple[Hop, ...]


def _require(graph: nx.Graph, *ids: str) -> None:
    for eid in ids:
        if eid not in graph:
            raise NotFound(f"entity {eid!r} is not in the network (not named in any interviewee "
                           "turn with the current filters)")


def attesting_turns(store: GraphStore, a: str, b: str) -> list[TurnRow]:
    """Interviewee turns that name both entities, or attest a typed link between them."""
    ta = {m.turn_id for m in store.mentions(entity_id=a)}
    tb = {m.turn_id for m in store.mentions(entity_id=b)}
    linked = {ln.turn_id for ln in store.links(entity_id=a) if b in (ln.source_id, ln.target_id)}
    return [t for t in store.turns(sorted((ta & tb) | linked)) if t.speaker_role == "interviewee"]


def shortest_paths(store: GraphStore, source: str, target: str, *, limit: int = 5,
                   graph: nx.Graph | None = None) -> list[Path]:
    """Up to `limit` shortest paths from `source` to `target`, each hop with its evidence."""
    graph = graph if graph is not None else cooccurrence_graph(store)
    _require(graph, source, target)
    try:
        found = []
        for nodes in nx.all_shortest_paths(graph, source, target):
            found.append(tuple(nodes))
            if len(found) >= limit:
                break
    except nx.NetworkXNoPath:
        return []
    found.sort()
    return [Path(entities=nodes, hops=tuple(
        Hop(source=a, target=b, turns=tuple(attesting_turns(store, a, b)))
        for a, b in zip(nodes, nodes[1:]))) for nodes in found]


def neighbourhood(store: GraphStore, entity_id: str, depth: int = 1, *,
                  graph: nx.Graph | None = None) -> nx.Graph:
    """The subgraph of entities within `depth` hops of `entity_id`."""
    graph = graph if graph is not None else cooccurrence_graph(store)
    _require(graph, entity_id)
    return nx.ego_graph(graph, entity_id, radius=depth).copy()


def annotate_structure(graph: nx.Graph) -> nx.Graph:
    """Add `community` (greedy modularity, seeded order) and `centrality` (betweenness) to
    every node; done when a network is built, not during a page request."""
    if graph.number_of_nodes() == 0:
        return graph
    communities = nx.community.greedy_modularity_communities(graph, weight="weight")
    ordered = sorted((sorted(c) for c in communities), key=lambda c: (-len(c), c[0]))
    for i, members in enumerate(ordered):
        for n in members:
            graph.nodes[n]["community"] = i
    centrality = nx.betweenness_centrality(graph, weight=None, normalized=True)
    degree = nx.degree_centrality(graph)
    for n in graph:
        graph.nodes[n]["centrality"] = round(centrality[n], 6)
        graph.nodes[n]["degree_centrality"] = round(degree[n], 6)
    return graph


def central_entities(graph: nx.Graph, limit: int = 20) -> list[tuple[str, float]]:
    """The entities that bridge the network most (betweenness), highest first."""
    if graph.number_of_nodes() and "centrality" not in next(iter(graph.nodes.values())):
        annotate_structure(graph)
    ranked = sorted(((n, d.get("centrality", 0.0)) for n, d in graph.nodes(data=True)),
                    key=lambda nc: (-nc[1], nc[0]))
    return ranked[:limit]
