"""Corroboration: who attests an entity, a link or a turn, how, and where accounts differ.

Support counts distinct interviewees (one witness repeating himself is one source), and only
their own turns: never the interviewer's. Each supporting turn is marked first-hand, hearsay or
hedged from the words of its sentence (computed when the interview was written); hearsay and
hedging weigh less. An entity the interviewer named first in an interview is flagged: the
witness may be repeating the question. The store ranks the sources and counts them; this module
reads one page of sources with their quotes.
"""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from rapidfuzz import fuzz

from graph_builder.errors import NotFound
from graph_builder.stance import RANK_STANCE
from graph_builder.store.base import EntitySummary, GraphStore, Subject, SupportRow, TurnRow
from queries.text import quote

# How much one source weighs, by how the witness knows it (its strongest turn).
WEIGHTS = {"first_hand": 1.0, "unmarked": 0.8, "hedged": 0.6, "hearsay": 0.4}
# Disagreements are read from at most this many supporting turns (an event told by hundreds).
DISAGREEMENT_TURNS = 2_000
DAY_TURNS = 300  # for a place or a person: only the days its sources give are compared


@dataclass(frozen=True)
class Support:
    """One supporting turn, citable."""

    turn: TurnRow
    interview_id: str
    interview_title: str
    pseudonym: str
    start: int  # offsets into the interview text of the mention (or of the turn)
    end: int
    quote: str
    stance: str  # first_hand, hearsay, hedged or unmarked
    weight: float


@dataclass(frozen=True)
class Source:
    """One interviewee: a distinct source, with the turns in which he attests it."""

    pseudonym: str
    stance: str  # of the strongest supporting turn
    turns: int  # supporting turns in all
    interviews: tuple[str, ...]
    supports: tuple[Support, ...]  # the first ones, by interview and offset

    @property
    def weight(self) -> float:
        return WEIGHTS[self.stance]


@dataclass(frozen=True)
class Disagreement:
    """Where sources give different numbers, dates or places in their accounts."""

    aspect: str  # dates, numbers, places, actors (who did it)
    versions: tuple[tuple[str, tuple[str, ...]], ...]  # (pseudonym, values that source gives)


@dataclass(frozen=True)
class Corroboration:
    subject: str  # what was corroborated, in words
    sources: tuple[Source, ...]  # one page of distinct interviewees, strongest first
    source_count: int  # every source, not only this page
    weighted_support: float
    prompted: tuple[str, ...]  # interview ids where the interviewer named it first
    disagreements: tuple[Disagreement, ...]
    offset: int = 0

    @property
    def single_source(self) -> bool:
        return self.source_count == 1

    @property
    def has_next(self) -> bool:
        return self.offset + len(self.sources) < self.source_count


def _entity(store: GraphStore, entity_id: str) -> EntitySummary:
    found = store.entity(entity_id)
    if found is None:
        raise NotFound(f"no entity {entity_id!r}; `testimony entities NAME` lists them")
    return found


def _support(row: SupportRow, title: str) -> Support:
    t = row.turn
    return Support(turn=t, interview_id=t.interview_id, interview_title=title,
                   pseudonym=row.pseudonym, start=row.start, end=row.end,
                   quote=quote(t.text, row.start - t.start, row.end - t.start),
                   stance=row.stance, weight=WEIGHTS.get(row.stance, WEIGHTS["unmarked"]))


def corroborate(store: GraphStore, subject: Subject, *, offset: int = 0, limit: int | None = 20,
                supports_per_source: int = 20, with_disagreements: bool = False) -> Corroboration:
    """One page of sources of the subject (all of them when `limit` is None), each with its
    first supporting quotes; the counts and the weighted support cover every source."""
    a = _entity(store, subject.entity_id)
    b = _entity(store, subject.other_id) if subject.other_id else None
    if b is not None and b.mentions < a.mentions:  # the store walks the rarer one's mentions
        a, b = b, a
        subject = Subject(a.id, b.id)
    words = f"{a.entity.name} ({a.entity.type})" if b is None else f"{a.entity.name} — {b.entity.name}"
    stances = store.stance_counts(subject)
    total = sum(stances.values())
    weighted = round(sum(WEIGHTS[RANK_STANCE[r]] * n for r, n in stances.items()), 3)
    page = store.sources(subject, offset, total if limit is None else limit)
    rows = store.supports(subject, [s.pseudonym for s in page],
                          max(1, len(page)) * max(1, supports_per_source) * 4)
    titles = {i: s.title for i, s in store.interview_summaries(
        {r.turn.interview_id for r in rows}).items()}
    by_person: dict[str, list[Support]] = defaultdict(list)
    for r in rows:
        if len(by_person[r.pseudonym]) < supports_per_source:
            by_person[r.pseudonym].append(_support(r, titles.get(r.turn.interview_id, "")))
    sources = tuple(Source(pseudonym=s.pseudonym, stance=RANK_STANCE[s.best_stance],
                           turns=s.turns, interviews=s.interviews,
                           supports=tuple(by_person.get(s.pseudonym, ())))
                    for s in page)
    events = "EVENT" in (a.entity.type, b.entity.type if b else None)
    differ: tuple[Disagreement, ...] = ()
    if (events or with_disagreements) and total >= 2:
        differ = disagreements(store, store.supports(subject, None, DISAGREEMENT_TURNS),
                               exclude={x.id for x in (a, b) if x is not None})
    elif total >= 2:
        differ = days_apart(store, store.supports(subject, None, DAY_TURNS))
    return Corroboration(subject=words, sources=sources, source_count=total,
                         weighted_support=weighted, prompted=tuple(store.prompted(subject)),
                         disagreements=differ, offset=offset)


def corroborate_entity(store: GraphStore, entity_id: str, **page) -> Corroboration:
    return corroborate(store, Subject(entity_id), **page)


def corroborate_link(store: GraphStore, a: str, b: str, **page) -> Corroboration:
    """Support for a connection: interviewee turns naming both entities, or a typed link."""
    return corroborate(store, Subject(a, b), **page)


@dataclass(frozen=True)
class SimilarTurn:
    turn: TurnRow
    pseudonym: str
    shared_entities: tuple[EntitySummary, ...]
    similarity: float  # rapidfuzz token_set_ratio of the two turns' words
    score: float


SIMILAR_CANDIDATES = 200  # turns sharing the most entities, then compared word for word


def corroborate_turn(store: GraphStore, turn_id: str, limit: int = 20) -> list[SimilarTurn]:
    """Turns of other interviews that tell the same thing: shared entities plus similar words.

    The store proposes the interviewee turns of other interviews that share most of this
    turn's entities; the best SIMILAR_CANDIDATES of them are compared word for word."""
    found = store.turns([turn_id])
    if not found:
        raise NotFound(f"no turn {turn_id!r}")
    turn = found[0]
    own = sorted({m.entity_id for m in store.mentions(turn_ids=[turn_id])})
    if not own:
        return []
    candidates = store.turns_naming(own, turn.interview_id, SIMILAR_CANDIDATES)
    turns = {t.id: t for t in store.turns(t for t, _ in candidates)}
    shared: dict[str, set[str]] = defaultdict(set)
    for m in store.mentions(turn_ids=list(turns)):
        if m.entity_id in own:
            shared[m.turn_id].add(m.entity_id)
    entities = store.entity_summaries(own)
    people = {i: s.pseudonym for i, s in store.interview_summaries(
        {t.interview_id for t in turns.values()}).items()}
    out = []
    for t in turns.values():
        sim = fuzz.token_set_ratio(turn.text, t.text) / 100.0
        ents = tuple(entities[e] for e in sorted(shared[t.id]) if e in entities)
        out.append(SimilarTurn(turn=t, pseudonym=people[t.interview_id], shared_entities=ents,
                               similarity=round(sim, 4),
                               score=round(len(shared[t.id]) / len(own) + sim, 4)))
    out.sort(key=lambda s: (-s.score, s.turn.interview_id, s.turn.index))
    return out[:limit]


_MONTHS = ("january|february|march|april|may|june|july|august|september|october|november|"
           "december")
_ORDINALS = ("first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth|"
             "thirteenth|fourteenth|fifteenth|sixteenth|seventeenth|eighteenth|nineteenth|"
             "twentieth|twenty-\\w+|thirtieth|thirty-first")
_DAY = rf"(?:\d{{1,2}}(?:st|nd|rd|th)?|{_ORDINALS})"
_DATE = re.compile(rf"\b(?:{_DAY} (?:of )?(?:{_MONTHS})|(?:{_MONTHS}) {_DAY}|(?:19|20)\d\d)\b", re.I)
_NUMBER = re.compile(r"\b(?:\d[\d,]*|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
                     r"twenty|thirty|forty|fifty|hundreds?|thousands?)\b(?= \w)", re.I)


def disagreements(store: GraphStore, supports: list[SupportRow],
                  exclude: set[str] = frozenset()) -> tuple[Disagreement, ...]:  # type: ignore[assignment]
    """Dates, numbers, places and actors each source gives in the sentences that attest the
    subject; listed where they differ. Both versions are kept side by side; nothing is
    decided for the analyst."""
    by_person: dict[str, list[SupportRow]] = defaultdict(list)
    for s in supports:
        by_person[s.pseudonym].append(s)
    if len(by_person) < 2:
        return ()
    kinds = {"PLACE": "places", "PERSON": "actors", "ORG": "actors"}
    mentions = store.mentions(turn_ids={s.turn.id for s in supports})
    names = store.entity_summaries({m.entity_id for m in mentions})
    named: dict[str, list[tuple[int, str, str]]] = defaultdict(list)  # turn -> (offset, aspect, name)
    for m in mentions:
        e = names.get(m.entity_id)
        if e is not None and e.id not in exclude and e.entity.type in kinds:
            named[m.turn_id].append((m.start, kinds[e.entity.type], e.entity.name))
    out = []
    for aspect in ("dates", "numbers", "places", "actors"):
        versions = []
        for who in sorted(by_person):
            values: set[str] = set()
            for s in by_person[who]:
                lo, hi = s.sentence_start, s.sentence_end
                sentence = s.turn.text[lo - s.turn.start:hi - s.turn.start]
                if aspect == "dates":
                    values |= {v.lower() for v in _DATE.findall(sentence)}
                elif aspect == "numbers":
                    values |= {v.lower() for v in _NUMBER.findall(_DATE.sub(" ", sentence))}
                else:
                    values |= {name for at, kind, name in named[s.turn.id]
                               if kind == aspect and lo <= at < hi}
            if values:
                versions.append((who, tuple(sorted(values))))
        if len(versions) >= 2 and len({v for _, v in versions}) > 1:
            out.append(Disagreement(aspect=aspect, versions=tuple(versions)))
    return tuple(out)


_DAY_OF_MONTH = re.compile(rf"\b(?:({_DAY})\s+(?:of\s+)?({_MONTHS})|({_MONTHS})\s+({_DAY}))\b", re.I)


def _day_number(word: str) -> int | None:
    from graph_builder.extract.dates import ORDINALS

    w = word.lower()
    if w in ORDINALS:
        return ORDINALS[w]
    digits = re.match(r"\d{1,2}", w)
    return int(digits.group(0)) if digits else None


def days_apart(store: GraphStore, supports: list[SupportRow]) -> tuple[Disagreement, ...]:
    """For what is not an event (a place, a person): the days of the month sources give in
    the sentences naming it, where two of them put the same month's day apart ("the third of
    August" against "the fourth of August": one event told two ways). Years and months alone
    are left out: "in 2014 I moved to Raqqa" and "in 2016 I left" are two things, not a
    dispute; a day without its year is compared by month."""
    months: dict[str, dict[str, set[int]]] = defaultdict(lambda: defaultdict(set))
    for r in supports:
        lo, hi = r.sentence_start - r.turn.start, r.sentence_end - r.turn.start
        for m in _DAY_OF_MONTH.finditer(r.turn.text[lo:hi]):
            day_word, month = (m.group(1), m.group(2)) if m.group(1) else (m.group(4), m.group(3))
            day = _day_number(day_word)
            if day and 1 <= day <= 31:
                months[month.capitalize()][r.pseudonym].add(day)
    out = []
    for month, by_person in sorted(months.items()):
        if len(by_person) >= 2 and len({d for ds in by_person.values() for d in ds}) > 1:
            out.append(Disagreement(aspect="dates", versions=tuple(
                (who, tuple(f"{d} {month}" for d in sorted(ds)))
                for who, ds in sorted(by_person.items()))))
    return tuple(out)
