"""Full-text search over speaker turns, entity-aware, with filters.

The store's full-text index only proposes candidates; matching and ranking happen here, once,
so both backends return the same hits in the same order. A query that names a known entity
also finds the turns that mention it under another spelling (Raqqa finds "Raqqah").
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from graph_builder.store.base import GraphStore, InterviewSummary, MentionRow, TurnRow
from queries.text import fold, term_spans, terms

CANDIDATE_LIMIT = 20_000
_PHRASE = re.compile(r'"([^"]+)"')


def phrase_spans_in(text: str, words: list[str]) -> list[tuple[int, int]]:
    """Where the words occur together, in order, as whole words (offsets into `text`)."""
    pattern = r"(?<![^\W_])" + r"[\W_]+".join(re.escape(w) for w in words) + r"(?![^\W_])"
    return [(m.start(), m.end()) for m in re.finditer(pattern, fold(text))]


@dataclass(frozen=True)
class SearchHit:
    turn: TurnRow
    interview: InterviewSummary
    score: float
    matches: tuple[tuple[int, int], ...]  # offsets into turn.text of matched words and mentions
    mentions: tuple[MentionRow, ...]  # every mention in the turn (for highlighting)
    themes: tuple[str, ...]


def matching_entities(store: GraphStore, query: str, entity_type: str | None = None) -> list[str]:
    """Ids of entities whose name or an alias is the query (folded)."""
    q = " ".join(terms(query))
    if not q:
        return []
    out = []
    for e in store.entities(entity_type):
        names = {" ".join(terms(n)) for n in (e.name, *e.aliases)}
        if q in names:
            out.append(e.id)
    return out


def search(store: GraphStore, query: str, *, entity_type: str | None = None,
           theme: str | None = None, interviewee: str | None = None,
           speaker_roles: tuple[str, ...] = ("interviewee", "interviewer", "third_party"),
           limit: int = 50) -> list[SearchHit]:
    """Turns matching every word of `query`, or mentioning an entity the query names.

    Words in double quotes must stand together, in order ("Abu Omar" finds the name, not a turn
    with "Abu Bakr ... Omar"). Filters: `entity_type` keeps turns that mention an entity of that type; `theme` keeps turns
    coded with it; `interviewee` keeps one interviewee's interviews (pseudonym).
    """
    words = terms(query)
    if not words:
        return []
    phrases = [terms(p) for p in _PHRASE.findall(query) if len(terms(p)) > 1]
    entity_ids = matching_entities(store, query.replace('"', " "))
    candidate_ids = set(store.search_candidates(words, CANDIDATE_LIMIT))
    entity_turns: dict[str, list[MentionRow]] = {}
    for eid in entity_ids:
        for m in store.mentions(entity_id=eid):
            entity_turns.setdefault(m.turn_id, []).append(m)
    candidate_ids |= set(entity_turns)
    if not candidate_ids:
        return []
    summaries = {s.id: s for s in store.interviews()}
    turns = store.turns(sorted(candidate_ids))
    ids = [t.id for t in turns]
    mentions_by_turn: dict[str, list[MentionRow]] = {}
    for m in store.mentions(turn_ids=ids):
        mentions_by_turn.setdefault(m.turn_id, []).append(m)
    themes_by_turn: dict[str, set[str]] = {}
    for t in store.themes(turn_ids=ids):
        themes_by_turn.setdefault(t.turn_id, set()).add(t.theme)

    hits: list[SearchHit] = []
    for turn in turns:
        summary = summaries[turn.interview_id]
        if turn.speaker_role not in speaker_roles:
            continue
        if interviewee and summary.pseudonym != interviewee:
            continue
        mentions = mentions_by_turn.get(turn.id, [])
        if entity_type and not any(m.type == entity_type for m in mentions):
            continue
        if theme and theme not in themes_by_turn.get(turn.id, set()):
            continue
        spans = term_spans(turn.text, words)
        found = {fold(turn.text[s:e]) for s, e in spans}
        entity_spans = [(m.start - turn.start, m.end - turn.start)
                        for m in entity_turns.get(turn.id, [])]
        if not entity_spans and not all(w in found for w in words):
            continue  # the index proposed it, but not every word is there as a word
        if not entity_spans and phrases:
            phrase_spans = [phrase_span for p in phrases for phrase_span in phrase_spans_in(turn.text, p)]
            if len({tuple(p) for p in phrases}) > len({fold(turn.text[a:b]) for a, b in phrase_spans}):
                continue  # a quoted phrase is not there as a phrase
            spans = sorted(set(spans) | set(phrase_spans))
        score = len(spans) + 2.0 * len(entity_spans)
        hits.append(SearchHit(turn=turn, interview=summary, score=score,
                              matches=tuple(sorted(set(spans) | set(entity_spans))),
                              mentions=tuple(mentions),
                              themes=tuple(sorted(themes_by_turn.get(turn.id, set())))))
    hits.sort(key=lambda h: (-h.score, h.turn.interview_id, h.turn.index))
    return hits[:limit]
