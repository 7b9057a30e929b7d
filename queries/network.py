"""The co-occurrence network: entities named in the same speaker turn, derived from mentions."""
from __future__ import annotations

from collections import defaultdict
from itertools import combinations

import networkx as nx

from dataclasses import dataclass

from graph_builder.store.base import GraphStore, InterviewSummary


@dataclass(frozen=True)
class InterviewFilter:
    """Which interviews count, by the interviewee's attributes and the interview's date
    (ISO strings compare in date order; an interview without a date passes no date bound)."""

    gender: str | None = None
    nationality: str | None = None
    status: str | None = None
    role: str | None = None
    date_from: str | None = None
    date_to: str | None = None

    def allows(self, s: InterviewSummary) -> bool:
        for attr in ("gender", "nationality", "status", "role"):
            want = getattr(self, attr)
            if want and (getattr(s, attr) or "").casefold() != want.casefold():
                return False
        if self.date_from and not (s.date and s.date >= self.date_from):
            return False
        if self.date_to and not (s.date and s.date[:len(self.date_to)] <= self.date_to):
            return False
        return True


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
    if where is not None:
        allowed = {s.id for s in store.interviews() if where.allows(s)}
        interview_ids = tuple(sorted(allowed & set(interview_ids) if interview_ids else allowed))
        if not interview_ids:
            return nx.Graph()
    speaker_role = store.turn_roles() if testimony_only else {}
    allowed_turns: set[str] | None = None
    if theme:
        allowed_turns = {t.turn_id for t in store.themes(theme=theme)}
    entities = {e.id: e for e in store.entities()}
    by_turn: dict[str, set[str]] = defaultdict(set)
    mention_count: dict[str, int] = defaultdict(int)
    interviews_of: dict[str, set[str]] = defaultdict(set)
    turn_interview: dict[str, str] = {}
    for m in store.mentions():
        if types and m.type not in types:
            continue
        if interview_ids and m.interview_id not in interview_ids:
            continue
        if testimony_only and speaker_role.get(m.turn_id) != "interviewee":
            continue
        if allowed_turns is not None and m.turn_id not in allowed_turns:
            continue
        by_turn[m.turn_id].add(m.entity_id)
        mention_count[m.entity_id] += 1
        interviews_of[m.entity_id].add(m.interview_id)
        turn_interview[m.turn_id] = m.interview_id
    keep = set(mention_count)
    if max_nodes is not None and len(keep) > max_nodes:
        ranked = sorted(keep, key=lambda e: (-mention_count[e], e))
        keep = set(ranked[:max_nodes])
    g = nx.Graph()
    for eid in sorted(keep):
        e = entities.get(eid)
        g.add_node(eid, name=e.name if e else eid, type=e.type if e else "",
                   mentions=mention_count[eid], interviews=len(interviews_of[eid]))
    weights: dict[tuple[str, str], int] = defaultdict(int)
    edge_interviews: dict[tuple[str, str], set[str]] = defaultdict(set)
    for turn_id, ids in sorted(by_turn.items()):
        for a, b in combinations(sorted(ids & keep), 2):
            weights[(a, b)] += 1
            edge_interviews[(a, b)].add(turn_interview[turn_id])
    for (a, b), w in sorted(weights.items()):
        if w >= min_weight:
            g.add_edge(a, b, weight=w, interviews=len(edge_interviews[(a, b)]))
    return g
