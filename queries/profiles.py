"""Entity pages: an entity's counts, its mentions one page of interviews at a time, the
entities named with it and its typed links."""
from __future__ import annotations

from dataclasses import dataclass

from graph_builder.errors import NotFound
from graph_builder.store.base import (EntityInInterview, EntitySummary, GraphStore, LinkRow,
                                      MentionRow, Page, Subject, TurnRow)
from queries.text import quote, terms


@dataclass(frozen=True)
class MentionInContext:
    """One mention with what an analyst needs to cite it."""

    mention: MentionRow
    turn: TurnRow
    interview_title: str
    pseudonym: str
    quote: str  # the words around the mention, from the turn

    @property
    def timestamp(self) -> float | None:
        return self.turn.time_start


@dataclass(frozen=True)
class InterviewMentions:
    """How one interview names the entity, with each mention in context."""

    named: EntityInInterview
    mentions: tuple[MentionInContext, ...]  # in text order


@dataclass(frozen=True)
class EntityProfile:
    summary: EntitySummary
    interviews: Page[InterviewMentions]  # one page of interviews, by interview id
    interviewees: tuple[str, ...]  # the first pseudonyms who name it in their own turns
    co_mentioned: tuple[tuple[EntitySummary, int], ...]  # named in the same turns, turns in common
    links: Page[LinkRow]

    @property
    def entity(self):
        return self.summary.entity


def find_entities(store: GraphStore, text: str = "", entity_type: str | None = None,
                  limit: int = 50, offset: int = 0) -> Page[EntitySummary]:
    """Entities a word of whose name or alias starts with each word of `text` (folded), most
    mentioned first ("raq" finds Raqqa and ar-Raqqah; "abu om" finds every Abu Omar)."""
    return store.find_entities(terms(text), entity_type, offset, limit)


def entity_profile(store: GraphStore, entity_id: str, *, offset: int = 0, limit: int = 10,
                   co_mentioned_limit: int = 25, links_limit: int = 50,
                   names_limit: int = 30) -> EntityProfile:
    """An entity page: `limit` interviews from `offset` (by interview id), each with every
    mention of the entity there and its quote."""
    summary = store.entity(entity_id)
    if summary is None:
        raise NotFound(f"no entity {entity_id!r}; search for it with `testimony entities NAME`")
    page = store.entity_interviews(entity_id, offset, limit)
    ids = [n.interview.id for n in page]
    mentions = store.mentions(entity_id=entity_id, interview_ids=ids) if ids else []
    turns = {t.id: t for t in store.turns({m.turn_id for m in mentions})}
    by_interview: dict[str, list[MentionInContext]] = {i: [] for i in ids}
    for m in mentions:
        turn = turns[m.turn_id]
        named = next(n for n in page if n.interview.id == m.interview_id)
        by_interview[m.interview_id].append(MentionInContext(
            mention=m, turn=turn, interview_title=named.interview.title,
            pseudonym=named.interview.pseudonym,
            quote=quote(turn.text, m.start - turn.start, m.end - turn.start)))
    rows = tuple(InterviewMentions(named=n, mentions=tuple(by_interview[n.interview.id]))
                 for n in page)
    co = store.co_mentioned(entity_id, co_mentioned_limit)
    others = store.entity_summaries(e for e, _ in co)
    names = store.sources(Subject(entity_id), 0, names_limit)
    return EntityProfile(
        summary=summary, interviews=Page(rows, page.total, page.offset),
        interviewees=tuple(sorted(s.pseudonym for s in names)),
        co_mentioned=tuple((others[e], n) for e, n in co if e in others),
        links=store.entity_links(entity_id, 0, links_limit))
