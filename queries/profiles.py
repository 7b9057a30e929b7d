"""Entity pages: every mention across interviews with its quote and provenance."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from graph_builder.errors import NotFound
from graph_builder.model import Entity
from graph_builder.store.base import GraphStore, LinkRow, MentionRow, TurnRow
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
class EntityProfile:
    entity: Entity
    mentions: tuple[MentionInContext, ...]  # in interview, then text order
    interviews: tuple[str, ...]  # interview ids
    interviewees: tuple[str, ...]  # distinct pseudonyms who name it in their own turns
    co_mentioned: tuple[tuple[Entity, int], ...]  # entities named in the same turns, with counts
    links: tuple[LinkRow, ...]


def find_entities(store: GraphStore, text: str = "", entity_type: str | None = None,
                  limit: int = 50) -> list[tuple[Entity, int]]:
    """Entities whose name or alias contains `text` (folded), with mention counts, most named first."""
    q = " ".join(terms(text))
    counts = store.mention_counts()
    out = []
    for e in store.entities(entity_type):
        if q and not any(q in " ".join(terms(n)) for n in (e.name, *e.aliases)):
            continue
        out.append((e, counts.get(e.id, 0)))
    out.sort(key=lambda ec: (-ec[1], ec[0].name.casefold(), ec[0].id))
    return out[:limit]


def entity_profile(store: GraphStore, entity_id: str, co_mentioned_limit: int = 25) -> EntityProfile:
    entity = store.entity(entity_id)
    if entity is None:
        raise NotFound(f"no entity {entity_id!r}; search for it with `testimony entities NAME`")
    mentions = store.mentions(entity_id=entity_id)
    turns = {t.id: t for t in store.turns([m.turn_id for m in mentions])}
    summaries = {s.id: s for s in store.interviews()}
    contexts = []
    for m in mentions:
        turn = turns[m.turn_id]
        s = summaries[m.interview_id]
        contexts.append(MentionInContext(
            mention=m, turn=turn, interview_title=s.title, pseudonym=s.pseudonym,
            quote=quote(turn.text, m.start - turn.start, m.end - turn.start)))
    interviewees = sorted({c.pseudonym for c in contexts if c.turn.speaker_role == "interviewee"})
    company: Counter[str] = Counter()
    turn_ids = sorted(turns)
    for m in store.mentions(turn_ids=turn_ids):
        if m.entity_id != entity_id:
            company[m.entity_id] += 1
    entities = {e.id: e for e in store.entities()}
    co = sorted(((entities[eid], n) for eid, n in company.items() if eid in entities),
                key=lambda en: (-en[1], en[0].id))[:co_mentioned_limit]
    return EntityProfile(entity=entity, mentions=tuple(contexts),
                         interviews=tuple(sorted({m.interview_id for m in mentions})),
                         interviewees=tuple(interviewees), co_mentioned=tuple(co),
                         links=tuple(store.links(entity_id=entity_id)))
