"""Full-text search over speaker turns, entity-aware, with filters, one page at a time.

The store's full-text index finds and ranks the turns (FTS5 bm25 on SQLite, Lucene's score on
Neo4j) over the folded words of each turn; only the page shown is read and highlighted here.
A query that names a known entity also finds the turns that name it under another spelling
(Raqqa finds "Raqqah"): the entity's names join the query as alternatives.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from graph_builder.errors import TestimonyError
from graph_builder.store.base import (ALIAS_LIMIT, MAX_SEARCH_WORDS, GraphStore,
                                      InterviewSummary, MentionRow, Page, TextMatch, TurnFilter,
                                      TurnRow)
from queries.text import fold, term_spans, terms

_PHRASE = re.compile(r'"([^"]+)"')
ALL_ROLES = ("interviewee", "interviewer", "third_party")


def phrase_spans_in(text: str, words: tuple[str, ...] | list[str]) -> list[tuple[int, int]]:
    """Where the words occur together, in order, as whole words (offsets into `text`)."""
    pattern = r"(?<![^\W_])" + r"[\W_]+".join(re.escape(w) for w in words) + r"(?![^\W_])"
    return [(m.start(), m.end()) for m in re.finditer(pattern, fold(text))]


@dataclass(frozen=True)
class SearchHit:
    turn: TurnRow
    interview: InterviewSummary
    score: float  # the store's relevance; higher is better
    matches: tuple[tuple[int, int], ...]  # offsets into turn.text of matched words and names
    mentions: tuple[MentionRow, ...]  # every mention in the turn (for highlighting)
    themes: tuple[str, ...]


def matching_entities(store: GraphStore, query: str, entity_type: str | None = None) -> list[str]:
    """Ids of entities whose name or an alias is the query (folded)."""
    form = " ".join(terms(query))
    return store.entities_named(form, entity_type) if form else []


def text_match(store: GraphStore, query: str) -> TextMatch:
    """What the index must find for an analyst's query: every word (quoted words together, in
    order), or any name of an entity the whole query names."""
    words = terms(query)
    if len(words) > MAX_SEARCH_WORDS:
        raise TestimonyError(f"a search takes at most {MAX_SEARCH_WORDS} words; this one has "
                             f"{len(words)}. Search for the words that matter most.")
    phrases = [tuple(terms(p)) for p in _PHRASE.findall(query)]
    phrases = [p for p in phrases if len(p) > 1]
    inside = {w for p in phrases for w in p}
    required = tuple(dict.fromkeys([*phrases, *((w,) for w in words if w not in inside)]))
    names: list[tuple[str, ...]] = []
    ids = matching_entities(store, query.replace('"', " "))
    for eid in ids:
        summary = store.entity(eid)
        if summary:
            for alias in (summary.entity.name, *summary.entity.aliases):
                form = tuple(terms(alias))
                if form and form not in names:
                    names.append(form)
    return TextMatch(required=required, alternatives=_needed(required, names)[:ALIAS_LIMIT])


def _within(small: tuple[str, ...], big: tuple[str, ...]) -> bool:
    """Whether the phrase `small` stands inside the phrase `big`, word for word."""
    n = len(small)
    return any(big[i:i + n] == small for i in range(len(big) - n + 1))


def _needed(required: tuple[tuple[str, ...], ...],
            names: list[tuple[str, ...]]) -> tuple[tuple[str, ...], ...]:
    """The entity's names that can find a turn the query's own words do not: "ar raqqa"
    finds nothing "raqqa" does not, so the index is not asked twice (every phrase costs it)."""
    out: list[tuple[str, ...]] = []
    for name in sorted(set(names), key=lambda p: (len(p), p)):
        if len(required) == 1 and _within(required[0], name):
            continue  # every turn holding it already holds the query
        if any(_within(kept, name) for kept in out):
            continue
        out.append(name)
    return tuple(sorted(out))


def search(store: GraphStore, query: str, *, entity_type: str | None = None,
           theme: str | None = None, interviewee: str | None = None,
           speaker_roles: tuple[str, ...] = ALL_ROLES, offset: int = 0,
           limit: int = 50) -> Page[SearchHit]:
    """Turns holding every word of `query`, or naming an entity the query names, best first.

    Words in double quotes must stand together, in order ("Abu Omar" finds the name, not a
    turn with "Abu Bakr ... Omar"). Filters: `entity_type` keeps turns that mention an entity
    of that type; `theme` keeps turns coded with it; `interviewee` keeps one interviewee's
    interviews (pseudonym). One page: `offset`, `limit`; the page knows the total.
    """
    match = text_match(store, query)
    if match.empty:
        return Page((), 0, offset)
    where = TurnFilter(entity_type=entity_type, theme=theme, pseudonym=interviewee,
                       speaker_roles=tuple(speaker_roles))
    found = store.search(match, where, offset, limit)
    turns = [s.turn for s in found]
    if not turns:
        return Page((), found.total, offset)
    ids = [t.id for t in turns]
    summaries = store.interview_summaries({t.interview_id for t in turns})
    mentions: dict[str, list[MentionRow]] = {}
    for m in store.mentions(turn_ids=ids):
        mentions.setdefault(m.turn_id, []).append(m)
    themes: dict[str, set[str]] = {}
    for t in store.themes(turn_ids=ids):
        themes.setdefault(t.turn_id, set()).add(t.theme)
    named = set(matching_entities(store, query.replace('"', " ")))
    words = [p[0] for p in match.required if len(p) == 1]
    hits = []
    for scored in found:
        turn = scored.turn
        spans = set(term_spans(turn.text, words))
        for phrase in (*(p for p in match.required if len(p) > 1), *match.alternatives):
            spans |= set(phrase_spans_in(turn.text, phrase))
        spans |= {(m.start - turn.start, m.end - turn.start)
                  for m in mentions.get(turn.id, ()) if m.entity_id in named}
        hits.append(SearchHit(turn=turn, interview=summaries[turn.interview_id],
                              score=scored.score, matches=tuple(sorted(spans)),
                              mentions=tuple(mentions.get(turn.id, ())),
                              themes=tuple(sorted(themes.get(turn.id, ())))))
    return Page(tuple(hits), found.total, offset)
