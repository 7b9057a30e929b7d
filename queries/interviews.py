"""The interview reader: an interview's turns with their mentions and theme codes."""
from __future__ import annotations

from dataclasses import dataclass

from graph_builder.errors import NotFound
from graph_builder.store.base import GraphStore, InterviewSummary, MentionRow, ThemeRow, TurnRow


@dataclass(frozen=True)
class ReaderTurn:
    turn: TurnRow
    mentions: tuple[MentionRow, ...]
    themes: tuple[ThemeRow, ...]


@dataclass(frozen=True)
class InterviewReading:
    summary: InterviewSummary
    turns: tuple[ReaderTurn, ...]


def list_interviews(store: GraphStore) -> list[InterviewSummary]:
    return store.interviews()


def read_interview(store: GraphStore, interview_id: str) -> InterviewReading:
    summary = store.interview_summaries([interview_id]).get(interview_id)
    if summary is None:
        raise NotFound(f"no interview {interview_id!r}; `testimony stats` lists them")
    mentions: dict[str, list[MentionRow]] = {}
    for m in store.mentions(interview_id=interview_id):
        mentions.setdefault(m.turn_id, []).append(m)
    themes: dict[str, list[ThemeRow]] = {}
    for t in store.themes(interview_id=interview_id):
        themes.setdefault(t.turn_id, []).append(t)
    return InterviewReading(summary=summary, turns=tuple(
        ReaderTurn(turn=t, mentions=tuple(mentions.get(t.id, ())), themes=tuple(themes.get(t.id, ())))
        for t in store.turns_of(interview_id)))


def witness_entity(store: GraphStore, pseudonym: str, interview_id: str | None = None) -> str | None:
    """The PERSON entity the interviewee is in the graph (what their "I" resolves to), or None
    when the graph holds none: the tie between an Interviewee and their entity, read from the
    resolution so it follows every merge, split and rename."""
    from graph_builder.extract.normalize import mention_key

    key = mention_key("PERSON", pseudonym)
    entries = [key] + ([f"{key}@{interview_id}"] if interview_id else [])
    found = store.resolution(entries)
    eid = found.get(entries[-1]) or found.get(key)
    return eid if eid and store.entity(eid) is not None else None

