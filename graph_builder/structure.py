"""Communities and centrality of the testimony network, computed when the graph changes.

The network is the store's CO_MENTIONED aggregate restricted to interviewee turns. Its
structure (which community each entity falls in, how much it bridges the rest) is computed
here after an ingest or a curation decision, stored on the entities, and read with every page;
no page request computes it. It is recomputed when the graph changed enough since the last
time (STALE_SHARE of the interviews' worth of writes, at least one), so adding one interview
to a thousand does not pay for the whole network; `testimony resolve --structure` forces it.

Communities: Louvain (networkx, fixed seed) on the weighted graph. Centrality: betweenness,
estimated from CENTRALITY_SAMPLES source nodes (fixed seed) on graphs too big to count exactly.
Both stores hand the same edges in the same order, so both get the same numbers.
"""
from __future__ import annotations

import networkx as nx

from graph_builder.store.base import GraphStore

SEED = 7
STALE_SHARE = 0.02  # recompute after writes worth 2% of the interviews
CENTRALITY_SAMPLES = 100  # betweenness from this many sources on bigger graphs
EXACT_UP_TO = 400  # nodes: exact betweenness at or below


def structure_rows(edges: list[tuple[str, str, int]]) -> list[tuple[str, int | None, float | None, int]]:
    """(entity id, community, centrality, degree) for every entity with a testimony link.
    Communities are numbered by size, largest first (ties by their first id)."""
    g = nx.Graph()
    g.add_weighted_edges_from(sorted(edges))
    if g.number_of_nodes() == 0:
        return []
    communities = nx.community.louvain_communities(g, weight="weight", seed=SEED)
    ordered = sorted((sorted(c) for c in communities), key=lambda c: (-len(c), c[0]))
    community = {n: i for i, members in enumerate(ordered) for n in members}
    k = None if g.number_of_nodes() <= EXACT_UP_TO else min(CENTRALITY_SAMPLES, g.number_of_nodes())
    centrality = nx.betweenness_centrality(g, k=k, normalized=True, weight=None, seed=SEED)
    return [(n, community[n], round(centrality[n], 6), g.degree(n)) for n in sorted(g)]


def refresh_structure(store: GraphStore, *, force: bool = False) -> bool:
    """Recompute and store the structure if the graph changed enough; True when it did."""
    writes, at = store.graph_version()
    if not force and (writes == at or (at and writes - at < STALE_SHARE * store.interview_count())):
        return False
    store.apply_structure(structure_rows(store.cooccurrence_edges()), writes)
    return True
