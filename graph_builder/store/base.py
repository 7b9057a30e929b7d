"""The store contract: one interface, two implementations (SQLite + networkx, Neo4j).

Stores hold what the pipeline wrote and answer a small set of primitive reads. Every read
returns plain rows in a deterministic order so both backends give identical answers; the
analyst-facing logic (ranking, corroboration, paths, exports) lives in `queries/` on top of
these primitives, written once.
"""
from __future__ import annotations

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

        `assignments` maps mention keys to entity ids (from the last resolution); keys
        missing there get the provisional entity `key.lower()` until the next resolution.
        """
    def delete_interview(self, interview_id: str) -> bool: ...
    def key_usage(self) -> list[KeyUsage]: ...
    def apply_resolution(self, resolution: Resolution) -> None:
        """Replace all entities and point every mention at its resolved entity."""
    def resolution(self) -> dict[str, str]:
        """The last resolution's mention key -> entity id map."""
    def possibly_same(self) -> list[tuple[str, str, float]]:
        """Entity pairs the resolver kept apart for an analyst to review, with their score."""
    def close(self) -> None: ...

    # --- reads ----------------------------------------------------------------
    def stats(self) -> dict[str, int]: ...
    def interviews(self) -> list[InterviewSummary]: ...
    def interview(self, interview_id: str) -> Interview | None: ...
    def turns(self, turn_ids: list[str]) -> list[TurnRow]: ...
    def turns_of(self, interview_id: str) -> list[TurnRow]: ...
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
