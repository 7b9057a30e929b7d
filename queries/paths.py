"""Connections: paths between entities with the turns that attest each hop, neighbourhoods,
and the entities that bridge the network (communities and centrality are kept by the store,
computed when the graph changes: graph_builder/structure.py)."""
from __future__ import annotations

from dataclasses import dataclass

import networkx as nx

from graph_builder.errors import NotFound
from graph_builder.store.base import GraphStore, NetworkData, NetworkQuery, TurnRow
from queries.network import allowed_interviews, to_graph

MAX_HOPS = 6
HOP_TURNS = 20  # attesting turns shown per hop (the total is given)


@dataclass(frozen=True)
class Hop:
    source: str  # entity ids
    target: str
    turns: tuple[TurnRow, ...]  # interviewee turns naming both (the first HOP_TURNS)
    total: int = 0  # every such turn
    relations: tuple[str, ...] = ()  # typed links between the two (either way): CONTROLLED...


@dataclass(frozen=True)
class Path:
    entities: tuple[str, ...]
    hops: tuple[Hop, ...]


def _require(store: GraphStore, query: NetworkQuery, *ids: str) -> None:
    for eid in ids:
        e = store.entity(eid)
        count = (e.testimony_mentions if query.testimony_only else e.mentions) if e else 0
        if e is None or not count or (query.types and e.entity.type not in query.types):
            raise NotFound(f"entity {eid!r} is not in the network (not named in any interviewee "
                           "turn with the current filters)")


def attesting_turns(store: GraphStore, a: str, b: str, limit: int = HOP_TURNS) -> list[TurnRow]:
    """Interviewee turns that name both entities, or attest a typed link between them."""
    return list(store.attesting_turns(a, b, limit))


def shortest_paths(store: GraphStore, source: str, target: str, *,
                   query: NetworkQuery = NetworkQuery(max_nodes=None), limit: int = 5,
                   max_hops: int = MAX_HOPS) -> list[Path]:
    """Up to `limit` shortest paths from `source` to `target` in the network the query keeps,
    each hop with its evidence. Paths whose hops are typed relations (held, controlled,
    commanded...) come first, then the strongest (by their weakest hop, then total weight)."""
    _require(store, query, source, target)
    allowed = allowed_interviews(store, query.where)
    # A few more candidates than asked, so that typed paths the weights rank lower still show.
    found = store.shortest_paths(source, target, query, max_hops, max(limit * 4, 20), allowed)
    typed: dict[tuple[str, str], tuple[str, ...]] = {}
    for nodes in found:
        for a, b in zip(nodes, nodes[1:]):
            if (a, b) not in typed:
                typed[(a, b)] = typed[(b, a)] = store.link_types_between(a, b)
    ranked = sorted(enumerate(found), key=lambda p: (
        -sum(bool(typed[(a, b)]) for a, b in zip(p[1], p[1][1:])), p[0]))
    out = []
    for _, nodes in ranked[:limit]:
        hops = []
        for a, b in zip(nodes, nodes[1:]):
            page = store.attesting_turns(a, b, HOP_TURNS)
            hops.append(Hop(source=a, target=b, turns=page.items, total=page.total,
                            relations=typed[(a, b)]))
        out.append(Path(entities=nodes, hops=tuple(hops)))
    return out


def neighbourhood_data(store: GraphStore, entity_id: str, depth: int = 1, *,
                       query: NetworkQuery = NetworkQuery()) -> NetworkData:
    _require(store, query, entity_id)
    return store.neighbourhood(entity_id, depth, query, allowed_interviews(store, query.where))


def neighbourhood(store: GraphStore, entity_id: str, depth: int = 1, *,
                  query: NetworkQuery = NetworkQuery()) -> nx.Graph:
    """The entities within `depth` hops of `entity_id` (the most named, up to
    `query.max_nodes`), with the links among them."""
    return to_graph(neighbourhood_data(store, entity_id, depth, query=query))


def central_entities(graph: nx.Graph, limit: int = 20) -> list[tuple[str, float]]:
    """The entities of a view that bridge the whole network most (stored betweenness)."""
    ranked = sorted(((n, d.get("centrality") or 0.0) for n, d in graph.nodes(data=True)),
                    key=lambda nc: (-nc[1], nc[0]))
    return ranked[:limit]
