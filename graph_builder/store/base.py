"""The store contract: one interface, two implementations (SQLite + networkx, Neo4j).

Stores hold what the pipeline wrote and answer a small set of primitive reads. Every read
returns plain rows in a deterministic order so both backends give identical answers; the
analyst-facing logic (ranking, corroboration, paths, exports) lives in `queries/` on top of
these primitives, written once.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from graph_builder.model import Entity, ExtractedInterview, Interview, Resolution


@dataclass(frozen=True)
class InterviewSummary:
    id: str
    title: str
    pseudonym: str
    source_path: str
    content_hash: str
    date: str | None
    place: str | None
    medium: str | None
    media_file: str | None
    gender: str | None
    nationality: str | None
    status: str | None
    role: str | None
    turns: int


@dataclass(frozen=True)
class TurnRow:
    id: str  # "<interview id>#<index>"
    interview_id: str
    index: int
    speaker: str
    speaker_role: str
    start: int
    end: int
    text: str
    time_start: float | None
    time_end: float | None


@dataclass(frozen=True)
class MentionRow:
    turn_id: str
    interview_id: str
    start: int  # offsets into the interview text
    end: int
    surface: str
    key: str
    type: str
    entity_id: str
    method: str
    confidence: float


@dataclass(frozen=True)
class ThemeRow:
    turn_id: str
    interview_id: str
    theme: str
    start: int
    end: int
    evidence: str
    by: str
    confidence: float


@dataclass(frozen=True)
class LinkRow:
    type: str
    source_id: str  # entity ids
    target_id: str
    turn_id: str
    interview_id: str
    start: int
    end: int


@dataclass(frozen=True)
class KeyUsage:
    """What the resolver knows of one mention key: its forms, where it occurs, its company."""

    key: str
    type: str
    surfaces: tuple[tuple[str, int], ...]  # (surface form, count), most frequent first
    interviews: tuple[str, ...]
    canonical_hint: str | None
    neighbours: tuple[str, ...]  # keys co-mentioned in the same turns
    # Per interview (sorted by id): the sorted keys co-mentioned with this key there, within
    # CONTEXT_WINDOW turns of one of its mentions. The resolver reads it to tell apart two
    # people who share a short name ("Abu Omar" the trainer, "Abu Omar" the smuggler).
    contexts: tuple[tuple[str, tuple[str, ...]], ...] = ()


def entity_for(assignments: dict[str, str], key: str, interview_id: str) -> str:
    """The entity a mention of `key` in `interview_id` belongs to: the per-interview entry,
    else the plain key's, else the provisional `key.lower()` (stores and resolver agree)."""
    unit = f"{key}@{interview_id}"
    return assignments[unit] if unit in assignments else assignments.get(key, key.lower())


# How many neighbouring turns on each side count as a key's context in an interview. Measured
# on the sample corpus with graph_builder.resolve: 0 (the mention's own turn) tells the two
# Abu Omars apart and keeps the one Abu Hamza whole; a window of 1 or 2 turns does neither
# (the neighbouring question and answers bring in the company of whoever was talked of
# before, so the smuggler's interviews look like the trainer's and Abu Hamza's do not).
CONTEXT_WINDOW = 0

# One mention as key usage reads it: (key, type, surface, interview id, turn index, hint).
UsageRow = tuple[str, str, str, str, int, str | None]


def usage_from_rows(rows: Iterable[UsageRow], window: int = CONTEXT_WINDOW) -> list[KeyUsage]:
    """Key usage from mention rows given in the store's insertion order.

    The one implementation behind both stores' `key_usage()` and `extract.findings.key_usages`,
    so the three give identical answers (the first non-empty hint in row order wins).
    """
    surfaces: dict[str, Counter[str]] = defaultdict(Counter)
    types: dict[str, str] = {}
    hints: dict[str, str | None] = {}
    # interview -> turn index -> keys mentioned there
    turns: dict[str, dict[int, set[str]]] = defaultdict(lambda: defaultdict(set))
    for key, etype, surface, interview_id, turn_index, hint in rows:
        surfaces[key][surface] += 1
        types[key] = etype
        hints[key] = hints.get(key) or hint
        turns[interview_id][turn_index].add(key)
    neighbours: dict[str, set[str]] = defaultdict(set)
    contexts: dict[str, dict[str, set[str]]] = defaultdict(dict)
    for interview_id, by_turn in turns.items():
        for index, keys in by_turn.items():
            near = set(keys)
            for d in range(1, window + 1):
                near |= by_turn.get(index - d, set()) | by_turn.get(index + d, set())
            for k in keys:
                neighbours[k] |= keys - {k}
                contexts[k].setdefault(interview_id, set()).update(near - {k})
    return [KeyUsage(key=k, type=types[k],
                     surfaces=tuple(sorted(surfaces[k].items(), key=lambda kv: (-kv[1], kv[0]))),
                     interviews=tuple(sorted(contexts[k])), canonical_hint=hints[k],
                     neighbours=tuple(sorted(neighbours[k])),
                     contexts=tuple((i, tuple(sorted(contexts[k][i])))
                                    for i in sorted(contexts[k])))
            for k in sorted(surfaces)]


@runtime_checkable
class GraphStore(Protocol):
    """What a backend must do. Reads never return half-written interviews."""

    backend: str  # "sqlite" or "neo4j", shown to the analyst
    location: str  # file path or URI, shown to the analyst

    # --- writes ---------------------------------------------------------------
    def ensure_schema(self) -> None: ...
    def content_hash(self, interview_id: str) -> str | None: ...
    def replace_interview(self, extracted: ExtractedInterview, assignments: dict[str, str]) -> None:
        """Write one interview atomically, replacing any older version and its facts.

        `assignments` maps mention keys to entity ids (from the last resolution): an entry
        `f"{key}@{interview id}"` takes precedence over the plain `key` for this interview's
        mentions and link ends; keys missing from both get the provisional entity
        `key.lower()` until the next resolution.
        """
    def delete_interview(self, interview_id: str) -> bool: ...
    def key_usage(self) -> list[KeyUsage]: ...
    def apply_resolution(self, resolution: Resolution) -> None:
        """Replace all entities and point every mention (and link end) at its resolved entity:
        `assignments[f"{key}@{interview id}"]`, else `assignments[key]`, else `key.lower()`."""
    def resolution(self) -> dict[str, str]:
        """The last resolution's map, plain keys and per-interview `key@interview` entries."""
    def possibly_same(self) -> list[tuple[str, str, float]]:
        """Entity pairs the resolver kept apart for an analyst to review, with their score."""
    def close(self) -> None: ...

    # --- reads ----------------------------------------------------------------
    def stats(self) -> dict[str, int]: ...
    def interviews(self) -> list[InterviewSummary]: ...
    def interview(self, interview_id: str) -> Interview | None: ...
    def turns(self, turn_ids: list[str]) -> list[TurnRow]: ...
    def turns_of(self, interview_id: str) -> list[TurnRow]: ...
    def mention_counts(self) -> dict[str, int]:
        """Entity id -> how many mentions point at it."""
    def turn_roles(self) -> dict[str, str]:
        """Turn id -> speaker role, for every turn (without the turns' text)."""
    def search_candidates(self, terms: list[str], limit: int) -> list[str]:
        """Ids of turns whose text contains every term (an index prefilter, a superset)."""
    def entities(self, entity_type: str | None = None) -> list[Entity]: ...
    def entity(self, entity_id: str) -> Entity | None: ...
    def mentions(self, *, entity_id: str | None = None, turn_ids: list[str] | None = None,
                 interview_id: str | None = None) -> list[MentionRow]: ...
    def themes(self, *, turn_ids: list[str] | None = None, theme: str | None = None,
               interview_id: str | None = None) -> list[ThemeRow]: ...
    def links(self, *, entity_id: str | None = None) -> list[LinkRow]: ...
    def curation_log(self) -> list[dict]: ...
    def record_decision(self, decision: dict) -> None: ...
