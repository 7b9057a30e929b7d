"""The co-occurrence network: entities named in the same speaker turn, derived from mentions
and kept by the store as it writes; read one view at a time (the most named entities)."""
from __future__ import annotations

import networkx as nx

from graph_builder.store.base import (GraphStore, InterviewFilter, NetworkData, NetworkQuery,
                                      RelationData)

__all__ = ["InterviewFilter", "NetworkQuery", "allowed_interviews", "cooccurrence_graph",
           "network_data", "to_graph"]


def allowed_interviews(store: GraphStore, where: InterviewFilter | None,
                       interview_ids: tuple[str, ...] | None = None) -> tuple[str, ...] | None:
    """The interviews a filter keeps (None: all). Interview metadata is one row per interview:
    read once, filtered here, and handed to the store as the list of interviews that count."""
    if (where is None or not where.active) and interview_ids is None:
        return None
    ids = {s.id for s in store.interviews() if where is None or where.allows(s)}
    if interview_ids is not None:
        ids &= set(interview_ids)
    return tuple(sorted(ids))


def network_data(store: GraphStore, query: NetworkQuery,
                 interview_ids: tuple[str, ...] | None = None) -> NetworkData:
    allowed = allowed_interviews(store, query.where, interview_ids)
    if allowed is not None and not allowed:
        return NetworkData((), ())
    return store.network(query, allowed)


def to_graph(data: NetworkData) -> nx.Graph:
    """The network as networkx (for layout and export): node = entity (name, type, mentions,
    interviews, community, centrality), edge = weight (turns) and interviews."""
    g = nx.Graph()
    _add_nodes(g, data.nodes)
    for e in data.edges:
        g.add_edge(e.a, e.b, weight=e.weight, interviews=e.interviews)
    return g


def _add_nodes(g: nx.Graph, nodes) -> None:  # noqa: ANN001 - NetworkNode rows
    """Entities as nodes: name, type, mentions, interviews, community, centrality."""
    for n in sorted(nodes, key=lambda n: n.id):
        attrs = {"name": n.name, "type": n.type, "mentions": n.mentions, "interviews": n.interviews}
        if n.community is not None:
            attrs["community"] = n.community
        if n.centrality is not None:
            attrs["centrality"] = n.centrality
        g.add_node(n.id, **attrs)


def relation_data(store: GraphStore, query: NetworkQuery,
                  link_types: tuple[str, ...] | None = None) -> RelationData:
    """The typed-relation network the query keeps (who held, controlled, commanded what)."""
    return store.relations(query, link_types, allowed_interviews(store, query.where))


def relation_graph(data: RelationData) -> nx.DiGraph:
    """Typed relations as networkx: a directed edge per pair and direction, `weight` = turns
    stating any of its relations, `relations` = "controlled (3); attacked (1)", and one
    `<TYPE>` attribute per type with its turns (so GEXF and GraphML carry them)."""
    g = nx.DiGraph()
    _add_nodes(g, data.nodes)
    for e in data.edges:
        if not g.has_edge(e.source, e.target):
            g.add_edge(e.source, e.target, weight=0, interviews=0, relations="")
        d = g.edges[e.source, e.target]
        d["weight"] += e.turns
        d["interviews"] = max(d["interviews"], e.interviews)
        d[e.type] = e.turns
        told = f"{e.type.lower().replace('_', ' ')} ({e.turns})"
        d["relations"] = f"{d['relations']}; {told}" if d["relations"] else told
    return g


def cooccurrence_graph(store: GraphStore, *, types: tuple[str, ...] | None = None,
                       theme: str | None = None, interview_ids: tuple[str, ...] | None = None,
                       where: InterviewFilter | None = None,
                       testimony_only: bool = True, min_weight: int = 1,
                       max_nodes: int | None = None) -> nx.Graph:
    """An undirected graph: node = entity (name, type, mentions, interviews), edge = entities
    named together in at least `min_weight` turns (weight = turns, interviews = how many
    interviews). `testimony_only` counts interviewees' turns only, not the interviewer's.
    `max_nodes` keeps the most-mentioned entities. `where` keeps interviews by the
    interviewee's attributes and the interview's date."""
    query = NetworkQuery(types=tuple(types) if types else None, theme=theme, where=where,
                         testimony_only=testimony_only, min_weight=min_weight,
                         max_nodes=max_nodes)
    return to_graph(network_data(store, query, interview_ids))
