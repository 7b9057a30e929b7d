"""The store contract: one interface, two implementations (SQLite + networkx, Neo4j).

The contract is the analyst's questions. Each is answered inside the store (SQL on SQLite,
Cypher on Neo4j) from indexes and from aggregates the store keeps up to date when it writes
(mention counts per entity and interview, co-occurrence per pair of entities), and returns one
page at a time with the total. `queries/` composes these answers (quotes, highlighting,
disagreements) for the page shown; it never reads the whole store.

Writes are per interview (`replace_interview`, `delete_interview`): one transaction writes the
interview, its facts, and the aggregates it changes, and marks the mention keys it touched as
pending resolution. `graph_builder.load.refresh_resolution` then resolves only those keys (and
what they reach) and hands the store a scoped `Resolution`; the store re-points only the
mentions whose entity changed and updates the aggregates of only the interviews concerned.

Both backends must give identical answers: `tests/test_store_contract.py` asks each question
of both and compares. Rows come back in a deterministic order (ties broken by ids), except
search ranking, which is each index's own relevance score (FTS5 bm25, Lucene's BM25): the same
hits and totals, ranked by each engine.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any, Generic, Protocol, TypeVar, runtime_checkable

from graph_builder.model import Entity, ExtractedInterview, Interview, Resolution
from graph_builder.stance import STANCE_RANK, Sentences, stance_of
from schemas import LINK_TYPES

T = TypeVar("T")

# A search takes at most this many words (and an entity's aliases at most ALIAS_LIMIT
# phrases): Lucene refuses queries of more than 1,024 clauses, and no analyst types more.
MAX_SEARCH_WORDS = 64
ALIAS_LIMIT = 64


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of an answer: its items, and how many there are in all."""

    items: tuple[T, ...]
    total: int
    offset: int = 0

    @property
    def has_next(self) -> bool:
        return self.offset + len(self.items) < self.total

    def __iter__(self):
        return iter(self.items)

    def __getitem__(self, i):
        return self.items[i]

    def __bool__(self) -> bool:
        return bool(self.items)

    def __len__(self) -> int:
        return len(self.items)


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
    speaker_role: str = ""
    stance: str = "unmarked"
    sentence_start: int = 0  # the mention's sentence, offsets into the interview text
    sentence_end: int = 0


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
    source_id: str  # entity ids (HAPPENED_ON's target: "date:<iso>")
    target_id: str
    turn_id: str
    interview_id: str
    start: int
    end: int
    date: str | None = None  # the ISO date the evidence states


@dataclass(frozen=True)
class TimelineItem:
    """A dated link in testimony: what (type, ends), when, who told it, and the words."""

    date: str  # ISO, as precise as told: 2014, 2014-08, 2014-08-03
    type: str
    source_id: str
    source_name: str
    target_id: str  # HAPPENED_ON: "date:<iso>"
    target_name: str  # HAPPENED_ON: the date
    interview_id: str
    pseudonym: str
    turn_id: str
    speaker_role: str
    start: int
    end: int
    quote: str
    # Other dates witnesses give for the same event that cannot be the same day.
    disagreements: tuple[str, ...] = ()


@dataclass(frozen=True)
class EntitySummary:
    """An entity with the counts kept for it at write time, and its place in the network."""

    entity: Entity
    mentions: int = 0
    testimony_mentions: int = 0
    interviews: int = 0
    testimony_interviews: int = 0
    interviewees: int = 0
    keys: int = 0
    confirmed: bool = False
    community: int | None = None
    centrality: float | None = None
    degree: int = 0

    @property
    def id(self) -> str:
        return self.entity.id

    @property
    def name(self) -> str:
        return self.entity.name

    @property
    def type(self) -> str:
        return self.entity.type

    @property
    def aliases(self) -> tuple[str, ...]:
        return self.entity.aliases

    @property
    def confidence(self) -> float:
        return self.entity.confidence


@dataclass(frozen=True)
class EntityInInterview:
    """How one interview names an entity (a row of the entity page, by interview)."""

    interview: InterviewSummary
    mentions: int
    testimony_mentions: int


# --- search -------------------------------------------------------------------------------

Phrase = tuple[str, ...]  # folded words that must stand together, in order (one word: a 1-tuple)


@dataclass(frozen=True)
class TextMatch:
    """What the full-text index must find in a turn: every `required` phrase, or any one of
    the `alternatives` (the names of an entity the query names, under every spelling)."""

    required: tuple[Phrase, ...]
    alternatives: tuple[Phrase, ...] = ()

    @property
    def empty(self) -> bool:
        return not self.required and not self.alternatives


@dataclass(frozen=True)
class TurnFilter:
    """Which turns a search keeps: naming an entity of a type, coded with a theme, spoken in
    an interviewee's interviews (pseudonym), by these kinds of speaker."""

    entity_type: str | None = None
    theme: str | None = None
    pseudonym: str | None = None
    speaker_roles: tuple[str, ...] = ("interviewee", "interviewer", "third_party")


@dataclass(frozen=True)
class ScoredTurn:
    turn: TurnRow
    score: float  # the index's relevance, higher is better (comparable within one store only)


# --- corroboration ------------------------------------------------------------------------

@dataclass(frozen=True)
class Subject:
    """What is corroborated: an entity, or the link between two entities (`other`)."""

    entity_id: str
    other_id: str | None = None


@dataclass(frozen=True)
class SourceRow:
    """One interviewee (a source) attesting the subject in their own turns."""

    pseudonym: str
    best_stance: int  # STANCE_RANK of the strongest supporting turn
    turns: int  # supporting turns
    interviews: tuple[str, ...]


@dataclass(frozen=True)
class SupportRow:
    """One supporting turn, with the span it names the subject at (interview offsets) and how
    the speaker knows it (the stance of the sentence of the first mention)."""

    turn: TurnRow
    pseudonym: str
    start: int
    end: int
    stance: str
    sentence_start: int
    sentence_end: int


# --- the network --------------------------------------------------------------------------

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

    @property
    def active(self) -> bool:
        return self != InterviewFilter()


@dataclass(frozen=True)
class NetworkQuery:
    """Which part of the co-occurrence network: entity types, a theme, the interviews (by
    interviewee attributes and date), testimony only or every speaker, the weakest link kept,
    and how many entities (the most named ones)."""

    types: tuple[str, ...] | None = None
    theme: str | None = None
    where: InterviewFilter | None = None
    testimony_only: bool = True
    min_weight: int = 1
    max_nodes: int | None = 150

    @property
    def by_turns(self) -> bool:
        """Whether the answer needs the turns themselves (a theme), or the kept aggregates do."""
        return self.theme is not None


@dataclass(frozen=True)
class NetworkNode:
    id: str
    name: str
    type: str
    mentions: int  # in the turns the query counts
    interviews: int
    community: int | None = None
    centrality: float | None = None


@dataclass(frozen=True)
class NetworkEdge:
    a: str  # a < b
    b: str
    weight: int  # turns naming both
    interviews: int


@dataclass(frozen=True)
class NetworkData:
    nodes: tuple[NetworkNode, ...]  # most named first (ties by id)
    edges: tuple[NetworkEdge, ...]  # sorted by (a, b)
    total_nodes: int = 0  # entities in the network before the max_nodes cap


@dataclass(frozen=True)
class RelationEdge:
    """A typed link between two entities, as often as testimony states it."""

    source: str
    target: str
    type: str
    turns: int  # turns stating it
    interviews: int


@dataclass(frozen=True)
class RelationData:
    """The typed-relation network: who held, controlled, commanded what."""

    nodes: tuple[NetworkNode, ...]  # most named first (ties by id)
    edges: tuple[RelationEdge, ...]  # sorted by (source, target, type)
    total_nodes: int = 0  # entities with a typed link before the max_nodes cap


# Typed links between entities (HAPPENED_ON's end is a date, not an entity).
ENTITY_LINKS: tuple[str, ...] = tuple(t for t in LINK_TYPES if t != "HAPPENED_ON")


# --- resolution ---------------------------------------------------------------------------

@dataclass(frozen=True)
class KeyUsage:
    """What the resolver knows of one mention key: its forms, where it occurs, its company."""

    key: str
    type: str
    surfaces: tuple[tuple[str, int], ...]  # (surface form, count), most frequent first
    interviews: tuple[str, ...]
    canonical_hint: str | None
    neighbours: tuple[str, ...] = ()  # keys co-mentioned in the same turns (PERSON keys only)
    # Per interview (sorted by id): the sorted keys co-mentioned with this key there, within
    # CONTEXT_WINDOW turns of one of its mentions. The resolver reads it to tell apart two
    # people who share a short name ("Abu Omar" the trainer, "Abu Omar" the smuggler).
    contexts: tuple[tuple[str, tuple[str, ...]], ...] = ()


@dataclass(frozen=True)
class KeyInfo:
    """A stored mention key as the resolver compares it (no usage)."""

    key: str
    type: str
    block: str
    skeleton: str
    canonical_hint: str | None


def entity_for(assignments: dict[str, str], key: str, interview_id: str) -> str:
    """The entity a mention of `key` in `interview_id` belongs to: the per-interview entry,
    else the plain key's, else the provisional `key.lower()` (stores and resolver agree)."""
    unit = f"{key}@{interview_id}"
    return assignments[unit] if unit in assignments else assignments.get(key, key.lower())


def base_key(node: str, keys: Iterable[str] | None = None) -> str:
    """The mention key of a resolution entry: the key itself, or the key of "key@interview"."""
    if keys is not None and node in keys:
        return node
    at = node.rfind("@")
    return node[:at] if at > 0 else node


# How many neighbouring turns on each side count as a key's context in an interview. Measured
# on the sample corpus with graph_builder.resolve: 0 (the mention's own turn) tells the two
# Abu Omars apart and keeps the one Abu Hamza whole; a window of 1 or 2 turns does neither
# (the neighbouring question and answers bring in the company of whoever was talked of
# before, so the smuggler's interviews look like the trainer's and Abu Hamza's do not).
CONTEXT_WINDOW = 0

# One mention as key usage reads it: (key, type, surface, interview id, turn index, hint).
# (key, type, surface, interview id, turn index, hint[, method]): a "pronoun" row names nobody
UsageRow = tuple[Any, ...]


def usage_from_rows(rows: Iterable[UsageRow], window: int = CONTEXT_WINDOW) -> list[KeyUsage]:
    """Key usage from mention rows (a key's hint is the least of its non-empty hints, as the
    stores keep it). `extract.findings` resolves files with no store through it; the stores read
    the same facts from their key tables."""
    surfaces: dict[str, Counter[str]] = defaultdict(Counter)
    types: dict[str, str] = {}
    hints: dict[str, str | None] = {}
    # interview -> turn index -> keys mentioned there
    turns: dict[str, dict[int, set[str]]] = defaultdict(lambda: defaultdict(set))
    pronoun_in: dict[str, set[str]] = defaultdict(set)
    for key, etype, surface, interview_id, turn_index, hint, *method in rows:
        types[key] = etype
        if hint:  # the least of a key's gazetteer hints, whatever the order
            hints[key] = min(hints[key], hint) if hints.get(key) else hint
        else:
            hints.setdefault(key, None)
        if method and method[0] == "pronoun":  # names nobody: no spelling, no company
            pronoun_in[key].add(interview_id)
            continue
        surfaces[key][surface] += 1
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
    for k, ivs in pronoun_in.items():
        for iid in ivs:
            contexts[k].setdefault(iid, set())
    return [KeyUsage(key=k, type=types[k],
                     surfaces=tuple(sorted(surfaces[k].items(), key=lambda kv: (-kv[1], kv[0]))),
                     interviews=tuple(sorted(contexts[k])), canonical_hint=hints[k],
                     neighbours=tuple(sorted(neighbours[k])),
                     contexts=tuple((i, tuple(sorted(contexts[k][i])))
                                    for i in sorted(contexts[k])))
            for k in sorted(types)]


# --- what a write computes, the same for both stores ---------------------------------------

@dataclass(frozen=True)
class MentionFacts:
    """A mention as both stores write it: its entity, its turn's speaker and its sentence."""

    turn_id: str
    turn_index: int
    entity_id: str
    speaker_role: str
    stance: str
    sentence_start: int
    sentence_end: int


def mention_facts(extracted: ExtractedInterview, assignments: dict[str, str]) -> list[MentionFacts]:
    """Per mention (in order): entity, speaker role and the stance of its sentence. Computed
    once at write time so corroboration reads stances instead of re-reading every turn."""
    iv = extracted.interview
    turns = {t.index: t for t in iv.turns}
    sentences: dict[int, Sentences] = {}
    out = []
    for m in extracted.mentions:
        t = turns[m.turn_index]  # a KeyError here is the extractor's bug: nothing is written
        if t.index not in sentences:
            sentences[t.index] = Sentences(t.text)
        lo, hi = sentences[t.index].bounds(m.start - t.start, m.end - t.start)
        out.append(MentionFacts(turn_id=t.id(iv.id), turn_index=t.index,
                                entity_id=entity_for(assignments, m.key, iv.id),
                                speaker_role=t.speaker_role,
                                stance=stance_of(t.text[lo:hi]),
                                sentence_start=t.start + lo, sentence_end=t.start + hi))
    return out


@dataclass(frozen=True)
class NamedIn:
    """NAMED_IN: how one interview names one entity."""

    entity_id: str
    mentions: int
    testimony_mentions: int
    testimony_turns: int
    first_interviewer_turn: int | None
    first_interviewee_turn: int | None
    best_stance: int | None


@dataclass(frozen=True)
class PairIn:
    """One pair of entities named together in one interview: turns, and interviewee turns."""

    a: str
    b: str
    turns: int
    testimony_turns: int


def interview_aggregates(rows: Sequence[tuple[str, int, str, str, str]]
                         ) -> tuple[list[NamedIn], list[PairIn]]:
    """NAMED_IN rows and co-occurring pairs of one interview, from its mentions given as
    (entity id, turn index, turn id, speaker role, stance). Both stores keep these per
    interview and add them into the store-wide counts, so writing an interview costs what the
    interview holds, not what the store holds."""
    named: dict[str, list] = {}
    by_turn: dict[str, set[str]] = defaultdict(set)
    role_of: dict[str, str] = {}
    for eid, index, turn_id, role, stance in rows:
        n = named.setdefault(eid, [0, 0, set(), None, None, None])
        n[0] += 1
        if role == "interviewee":
            n[1] += 1
            n[2].add(turn_id)
            n[4] = index if n[4] is None else min(n[4], index)
            rank = STANCE_RANK.get(stance, 0)
            n[5] = rank if n[5] is None else max(n[5], rank)
        elif role == "interviewer":
            n[3] = index if n[3] is None else min(n[3], index)
        by_turn[turn_id].add(eid)
        role_of[turn_id] = role
    pairs: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for turn_id, ids in by_turn.items():
        for a, b in combinations(sorted(ids), 2):
            p = pairs[(a, b)]
            p[0] += 1
            if role_of[turn_id] == "interviewee":
                p[1] += 1
    return ([NamedIn(e, v[0], v[1], len(v[2]), v[3], v[4], v[5]) for e, v in sorted(named.items())],
            [PairIn(a, b, t, tt) for (a, b), (t, tt) in sorted(pairs.items())])


def name_forms(entity: Entity) -> list[str]:
    """The folded forms an entity is found by: its name and every alias, words joined by a
    space (what `entities_named` and `find_entities` match against)."""
    from queries.text import terms
    forms = {" ".join(terms(n)) for n in (entity.name, *entity.aliases)}
    return sorted(f for f in forms if f)


@runtime_checkable
class GraphStore(Protocol):
    """What a backend must do. Reads never return half-written interviews."""

    backend: str  # "sqlite" or "neo4j", shown to the analyst
    location: str  # file path or URI, shown to the analyst

    # --- writes -------------------------------------------------------------------------
    def ensure_schema(self) -> None: ...
    def content_hash(self, interview_id: str) -> str | None: ...
    def replace_interview(self, extracted: ExtractedInterview, assignments: dict[str, str]) -> None:
        """Write one interview atomically, replacing any older version, its facts and its share
        of the aggregates. `assignments` maps keys to entity ids (the last resolution's, for
        the interview's keys): `f"{key}@{interview id}"` wins over `key`; keys missing from
        both get the provisional entity `key.lower()`. Every key the interview names, or named
        before, is marked pending resolution."""
    def delete_interview(self, interview_id: str) -> bool: ...
    def delete_everything(self) -> None: ...
    def close(self) -> None: ...

    # --- resolution state ---------------------------------------------------------------
    def pending_keys(self) -> list[str]: ...
    def all_keys(self) -> list[str]: ...
    def key_count(self) -> int: ...
    def key_usage(self, keys: Iterable[str], company: Iterable[str] = ()) -> list[KeyUsage]:
        """Usage of the given keys that are still mentioned; `neighbours` and `contexts` are
        filled for the keys in `company` only (they cost a read of those keys' turns)."""
    def key_partners(self, keys: Iterable[str],
                     known_blocks: Iterable[tuple[str, str]] = ()) -> list[KeyInfo]:
        """Every stored key the resolver could compare with one of `keys`: same type and
        block, same skeleton, same gazetteer canonical, or (people) a name that extends or is
        extended by it word for word. Includes the given keys that are stored. Blocks in
        `known_blocks` ((type, block), already read by the caller) may be left out."""
    def resolution(self, keys: Iterable[str] | None = None) -> dict[str, str]:
        """The last resolution's entries (plain keys and `key@interview`) for the given keys,
        or all of them."""
    def keys_of(self, entity_ids: Iterable[str]) -> dict[str, list[str]]:
        """Entity id -> the resolution entries (keys, `key@interview`) resolved to it."""
    def entity_interview_counts(self, entity_ids: Iterable[str]) -> dict[str, int]: ...
    def interview_count(self) -> int: ...
    def apply_resolution(self, resolution: Resolution) -> None:
        """Apply a resolution: all keys when `resolution.scope` is None, else only the keys in
        it (the resolver guarantees that no key outside shares an entity with one inside).
        Mentions and link ends move only where their entity changed; aggregates are updated
        for the interviews that moved; entities of the scope are replaced."""
    def apply_structure(self, rows: Sequence[tuple[str, int | None, float | None, int]],
                        version: int) -> None:
        """Store communities, centrality and degree per entity (computed by
        graph_builder.structure from `cooccurrence_edges`), stamped with the graph version."""
    def graph_version(self) -> tuple[int, int]:
        """(writes so far, writes when the structure was last computed)."""
    def cooccurrence_edges(self) -> list[tuple[str, str, int]]:
        """Every pair of entities named together in interviewee turns, with those turns."""
    def record_decision(self, decision: dict) -> None: ...
    def curation_log(self) -> list[dict]: ...

    # --- reads: the analyst's questions -------------------------------------------------
    def stats(self) -> dict[str, int]: ...
    def interviews(self) -> list[InterviewSummary]: ...
    def interview_summaries(self, ids: Iterable[str]) -> dict[str, InterviewSummary]: ...
    def similar_sentences(self, vector: bytes, k: int) -> list[tuple[str, int, int, float]]:
        """The k testimony sentences whose embeddings are nearest `vector` (cosine): (turn id,
        start, end offsets in the interview text, score), nearest first; [] without vectors."""
        ...
    def redaction_terms(self) -> list[tuple[str, str, str]]:
        """(pseudonym, kind, term) of every interview: what exports hide (Interview
        .redaction_terms; every interviewee's pseudonym at least, for interviews ingested
        before the terms were kept)."""
        ...
    def interview(self, interview_id: str) -> Interview | None: ...
    def turns(self, turn_ids: Iterable[str]) -> list[TurnRow]: ...
    def turns_of(self, interview_id: str) -> list[TurnRow]: ...
    def mentions(self, *, turn_ids: Iterable[str] | None = None, interview_id: str | None = None,
                 entity_id: str | None = None,
                 interview_ids: Iterable[str] | None = None) -> list[MentionRow]:
        """Mentions of some turns, of an interview, or of an entity in some interviews (a page
        of the entity page). Without turn_ids, interview_id or interview_ids it reads every
        mention of the entity, or of the store: for tests and exports, never for a page."""
    def themes(self, *, turn_ids: Iterable[str] | None = None,
               interview_id: str | None = None) -> list[ThemeRow]: ...
    def theme_counts(self) -> list[tuple[str, int, int]]:
        """Per codebook theme used: (code, turns, interviews), most used first."""

    def search(self, match: TextMatch, where: TurnFilter, offset: int,
               limit: int) -> Page[ScoredTurn]:
        """Turns the full-text index finds for `match`, filtered, best first, one page."""

    def entity(self, entity_id: str) -> EntitySummary | None: ...
    def entity_summaries(self, ids: Iterable[str]) -> dict[str, EntitySummary]: ...
    def entities_named(self, form: str, entity_type: str | None = None) -> list[str]:
        """Ids of entities whose name or an alias, folded, is exactly `form`."""
    def find_entities(self, words: Sequence[str], entity_type: str | None, offset: int,
                      limit: int) -> Page[EntitySummary]:
        """Entities a word of whose name or alias starts with each of `words` (folded), most
        mentioned first; all entities (of the type) when `words` is empty."""
    def entity_interviews(self, entity_id: str, offset: int,
                          limit: int) -> Page[EntityInInterview]: ...
    def co_mentioned(self, entity_id: str, limit: int) -> list[tuple[str, int]]:
        """(entity id, turns naming both), most turns first."""
    def entity_links(self, entity_id: str, offset: int, limit: int) -> Page[LinkRow]: ...
    def links(self) -> list[LinkRow]: ...
    def relations(self, query: NetworkQuery, link_types: Sequence[str] | None = None,
                  interview_ids: Sequence[str] | None = None) -> RelationData:
        """The typed links among entities (of `link_types`, else every entity link), each
        with the turns and interviews stating it: testimony only unless the query says every
        speaker; a theme keeps links stated in turns coded with it; `interview_ids` keeps those
        interviews; links stated fewer than `min_weight` times go. Nodes are the links' ends,
        the most named `max_nodes` of them (by the entity's mentions)."""
    def link_types_between(self, a: str, b: str) -> tuple[str, ...]:
        """The types of typed links between two entities, either direction, sorted."""
    def timeline(self, *, place: str | None = None, entity: str | None = None,
                 theme: str | None = None, interviewee: str | None = None, offset: int = 0,
                 limit: int = 50) -> Page[TimelineItem]:
        """Dated links of testimony (not the interviewer's questions) in date order (then
        interview, offset). `entity`: either end is it;
        `place`: either end is it, or an event at either end happened there; `theme`: the turn is
        coded with it; `interviewee`: told by that pseudonym."""

    def sources(self, subject: Subject, offset: int, limit: int) -> Page[SourceRow]:
        """Interviewees attesting the subject in their own turns, strongest stance first."""
    def stance_counts(self, subject: Subject) -> dict[int, int]:
        """STANCE_RANK of each source's strongest turn -> how many sources."""
    def supports(self, subject: Subject, pseudonyms: Iterable[str] | None,
                 limit: int) -> list[SupportRow]:
        """Supporting turns of these sources (all sources when None), by interview and offset."""
    def prompted(self, subject: Subject) -> list[str]:
        """Interviews where an interviewer turn names the subject before any interviewee
        turn does (for a link: where both are)."""
    def turns_naming(self, entity_ids: Sequence[str], exclude_interview: str,
                     limit: int) -> list[tuple[str, int]]:
        """Interviewee turns of other interviews naming the most of these entities:
        (turn id, how many of them), most first, ties by turn id."""
    def attesting_turns(self, a: str, b: str, limit: int) -> Page[TurnRow]:
        """Interviewee turns naming both entities or attesting a typed link between them."""

    def network(self, query: NetworkQuery,
                interview_ids: Sequence[str] | None = None) -> NetworkData:
        """The view the query asks for, counted over `interview_ids` (None: all interviews;
        NetworkQuery.where is already turned into that list by queries.network)."""
    def neighbourhood(self, entity_id: str, depth: int, query: NetworkQuery,
                      interview_ids: Sequence[str] | None = None) -> NetworkData: ...
    def shortest_paths(self, source: str, target: str, query: NetworkQuery, max_hops: int,
                       limit: int, interview_ids: Sequence[str] | None = None
                       ) -> list[tuple[str, ...]]:
        """Up to `limit` shortest paths (at most `max_hops` hops) in the network the query
        keeps, strongest first: by their weakest hop, then their total weight, then ids."""

    def possibly_same(self, offset: int = 0, limit: int | None = None
                      ) -> Page[tuple[str, str, float]]:
        """Entity pairs kept apart for review, closest first."""
    def uncertain_entities(self, offset: int, limit: int) -> Page[EntitySummary]:
        """Entities merged from several keys with less than full confidence, not confirmed by
        an analyst, least sure first."""
    def curation_page(self, offset: int, limit: int) -> Page[dict]:
        """The decision log, newest first."""


@dataclass
class GraphMirror:
    """The co-occurrence graph as compact adjacency (entity index -> neighbour -> (turns,
    testimony turns)), what the SQLite store answers paths from. Kept in step with the
    store's table: the store applies its own edge changes, and reloads when another process
    wrote (the store's write counter moved)."""

    version: int = -1
    index: dict[str, int] = field(default_factory=dict)
    ids: list[str] = field(default_factory=list)
    types: list[str] = field(default_factory=list)
    # (mentions, testimony mentions) per node
    counts: list[tuple[int, int]] = field(default_factory=list)
    # neighbour -> (turns, testimony turns, interviews, testimony interviews)
    adjacency: list[dict[int, tuple[int, int, int, int]]] = field(default_factory=list)

    def node(self, eid: str, etype: str = "", counts: tuple[int, int] = (0, 0)) -> int:
        i = self.index.get(eid)
        if i is None:
            i = self.index[eid] = len(self.ids)
            self.ids.append(eid)
            self.types.append(etype)
            self.counts.append(counts)
            self.adjacency.append({})
        elif etype:
            self.types[i] = etype
            self.counts[i] = counts
        return i

    def set_edge(self, a: str, b: str, turns: int, testimony: int, interviews: int = 0,
                 testimony_interviews: int = 0) -> None:
        i, j = self.node(a), self.node(b)
        if turns <= 0:
            self.adjacency[i].pop(j, None)
            self.adjacency[j].pop(i, None)
        else:
            self.adjacency[i][j] = self.adjacency[j][i] = (turns, testimony, interviews,
                                                           testimony_interviews)

    def edges_among(self, ids: Iterable[str], *, testimony_only: bool,
                    min_weight: int) -> list[NetworkEdge]:
        """The links among these entities (one dictionary look-up per pair), by (a, b)."""
        w, iv = (1, 3) if testimony_only else (0, 2)
        nodes = sorted(i for i in ids if i in self.index)
        out = []
        if len(nodes) > 1000:  # many nodes: walk their links instead of every pair
            keep = {self.index[i] for i in nodes}
            for a in nodes:
                ia = self.index[a]
                for j, e in self.adjacency[ia].items():
                    b = self.ids[j]
                    if j in keep and b > a and e[w] >= min_weight and e[w] > 0:
                        out.append(NetworkEdge(a=a, b=b, weight=e[w], interviews=e[iv]))
            out.sort(key=lambda e: (e.a, e.b))
            return out
        for k, a in enumerate(nodes):
            adj = self.adjacency[self.index[a]]
            if not adj:
                continue
            for b in nodes[k + 1:]:
                e = adj.get(self.index[b])
                if e is not None and e[w] >= min_weight and e[w] > 0:
                    out.append(NetworkEdge(a=a, b=b, weight=e[w], interviews=e[iv]))
        return out

    def reach(self, centre: str, depth: int, *, testimony_only: bool, min_weight: int,
              types: set[str] | None) -> dict[str, int]:
        """Entities within `depth` hops of `centre` (entity -> hops), walking only links of
        the weight and entities of the types (with mentions) the view keeps."""
        slot, count = (1, 1) if testimony_only else (0, 0)
        start = self.index.get(centre)
        if start is None:
            return {}
        distance = {start: 0}
        frontier = [start]
        for hop in range(1, max(0, depth) + 1):
            nxt = []
            for i in frontier:
                for j, e in self.adjacency[i].items():
                    if (j not in distance and e[slot] >= min_weight and e[slot] > 0
                            and (types is None or self.types[j] in types)
                            and self.counts[j][count] > 0):
                        distance[j] = hop
                        nxt.append(j)
            frontier = nxt
            if not frontier:
                break
        return {self.ids[i]: d for i, d in distance.items()}

    def shortest_paths(self, source: str, target: str, *, testimony_only: bool, min_weight: int,
                       types: set[str] | None, max_hops: int, limit: int,
                       allowed: set[str] | None = None) -> list[tuple[str, ...]]:
        """The `limit` strongest shortest paths, ranked like the Neo4j store ranks Cypher's
        allShortestPaths (weakest hop, then total weight, then ids).

        Breadth first from both ends, always growing the smaller frontier, until they meet:
        between two people the walk goes one step from each into the hubs instead of two
        steps through every hub's thousands of links. Every shortest path crosses the meeting
        layer, so the shortest-path DAG is the source side's layers up to it and the target
        side's after it; a best-first walk over that DAG yields the paths in rank order, so
        thousands of equally short paths cost `limit` steps."""
        import heapq

        s, t = self.index.get(source), self.index.get(target)
        if s is None or t is None or s == t or max_hops < 1:
            return []
        slot = 1 if testimony_only else 0

        def usable(j: int) -> bool:
            return ((types is None or self.types[j] in types)
                    and (allowed is None or self.ids[j] in allowed))

        if not (usable(s) and usable(t)):
            return []

        def links(i: int):
            for j, w in self.adjacency[i].items():
                if w[slot] >= min_weight and w[slot] > 0 and usable(j):
                    yield j, w[slot]

        ds, dt = {s: 0}, {t: 0}
        fs, ft = [s], [t]
        p = q = 0  # levels grown from each end
        length = None
        while fs and ft and p + q < max_hops:
            grow_source = len(fs) <= len(ft)
            here, there, frontier = (ds, dt, fs) if grow_source else (dt, ds, ft)
            level = (p if grow_source else q) + 1
            nxt, met = [], []
            for i in frontier:
                for j, _ in links(i):
                    if j not in here:
                        here[j] = level
                        nxt.append(j)
                        if j in there:
                            met.append(j)
            if grow_source:
                fs, p = nxt, p + 1
            else:
                ft, q = nxt, q + 1
            if met:
                length = min(ds[m] + dt[m] for m in met)
                break
        if length is None:
            return []
        # The meeting layer sits at p steps from the source (the source side's last level)
        # when it grew last, else at length - q.
        cut = p if length - p <= q else length - q

        def position(v: int) -> int | None:
            if v in ds and ds[v] <= cut and (ds[v] < cut or dt.get(v) == length - cut):
                return ds[v]
            if v in dt and length - dt[v] >= cut and (length - dt[v] > cut or ds.get(v) == cut):
                return length - dt[v]
            return None

        children: dict[int, list[tuple[int, int]]] = {}

        def kids(u: int) -> list[tuple[int, int]]:
            if u not in children:
                pu = position(u)
                children[u] = [(v, w) for v, w in links(u) if position(v) == (pu or 0) + 1] \
                    if pu is not None and u != t else []
            return children[u]

        # Best completion from each node to the target (each bound at its own best: an
        # optimistic bound, which keeps the best-first order exact), from the target back.
        best: dict[int, tuple[float, int]] = {t: (float("inf"), 0)}
        layer = {t}
        for pos in range(length - 1, -1, -1):
            if pos > cut:
                cands = {v for v in dt if length - dt[v] == pos}
            elif pos == cut:
                cands = {v for v in ds if ds[v] == cut and dt.get(v) == length - cut}
            else:
                cands = {v for v in ds if ds[v] == pos}
            new_layer = set()
            for u in cands:
                options = [(min(w, best[v][0]), w + best[v][1]) for v, w in kids(u) if v in best]
                if options:
                    best[u] = (max(o[0] for o in options), max(o[1] for o in options))
                    new_layer.add(u)
            layer = new_layer
            if not layer:
                return []
        if s not in best:
            return []
        heap: list[tuple[float, int, tuple[str, ...], tuple[int, ...], float, int]] = []
        bmin, bsum = best[s]
        heapq.heappush(heap, (-bmin, -bsum, (self.ids[s],), (s,), float("inf"), 0))
        out: list[tuple[str, ...]] = []
        while heap and len(out) < limit:
            _, _, ids, path, cur_min, cur_sum = heapq.heappop(heap)
            node = path[-1]
            if node == t:
                out.append(ids)
                continue
            for v, w in kids(node):
                if v not in best:
                    continue
                m, total = min(cur_min, w), cur_sum + w
                heapq.heappush(heap, (-min(m, best[v][0]), -(total + best[v][1]),
                                      ids + (self.ids[v],), path + (v,), m, total))
        return out


def mirror_of(data: NetworkData) -> GraphMirror:
    """A GraphMirror of a computed network (its weights in both slots)."""
    mirror = GraphMirror()
    for n in data.nodes:
        mirror.node(n.id, n.type, (n.mentions, n.mentions))
    for e in data.edges:
        mirror.set_edge(e.a, e.b, e.weight, e.weight, e.interviews, e.interviews)
    return mirror


def neighbourhood_of(data: NetworkData, entity_id: str, depth: int,
                     max_nodes: int | None) -> NetworkData:
    """The entities within `depth` hops of `entity_id` in a computed network: the centre and,
    up to `max_nodes`, the others nearest first and most named among equals, with the edges
    among them."""
    ids = {n.id for n in data.nodes}
    if entity_id not in ids:
        return NetworkData((), ())
    adjacent: dict[str, set[str]] = defaultdict(set)
    for e in data.edges:
        adjacent[e.a].add(e.b)
        adjacent[e.b].add(e.a)
    distance, frontier = {entity_id: 0}, {entity_id}
    for hop in range(1, max(0, depth) + 1):
        frontier = {j for i in frontier for j in adjacent[i]} - set(distance)
        distance.update({j: hop for j in frontier})
    reached = set(distance)
    # Nearest first, then the most named (data.nodes are most named first).
    order = {n.id: k for k, n in enumerate(data.nodes)}
    others = sorted((n for n in data.nodes if n.id in reached and n.id != entity_id),
                    key=lambda n: (distance[n.id], order[n.id]))
    if max_nodes is not None:
        others = others[:max(0, max_nodes - 1)]
    keep = {entity_id} | {n.id for n in others}
    return NetworkData(tuple(n for n in data.nodes if n.id in keep),
                       tuple(e for e in data.edges if e.a in keep and e.b in keep),
                       total_nodes=len(reached))


# --- what both stores compute the same way -------------------------------------------------

@dataclass(frozen=True)
class InterviewShare:
    """One interview's share of the aggregates, as both stores add and take it away."""

    named: list[NamedIn]
    pairs: list[PairIn]
    keys: dict[str, tuple[int, str]]  # key -> (mentions, the entity they point at)
    surfaces: Counter[tuple[str, str]]  # (key, surface) -> mentions
    hints: Counter[tuple[str, str]]  # (key, gazetteer hint) -> mentions
    company: list[tuple[str, str]]  # (key, another key named in one of its turns), sorted


def interview_share(rows: Sequence[Sequence[Any]]) -> InterviewShare:
    """From an interview's mentions as (entity id, turn index, turn id, speaker role, stance,
    key, surface, hint, method), in write order. A pronoun's mention ("I", "he": method
    "pronoun") counts for its entity, but it names nobody: it adds no spelling (only the
    witness's "I" adds the pseudonym as a hint), and its entity is not "named together" with
    the rest of the turn."""
    named, _ = interview_aggregates([tuple(r[:5]) for r in rows])
    _, pairs = interview_aggregates([tuple(r[:5]) for r in rows if not _pronoun(r)])
    keys: dict[str, list] = {}
    surfaces: Counter[tuple[str, str]] = Counter()
    hints: Counter[tuple[str, str]] = Counter()
    in_turn: dict[str, set[str]] = defaultdict(set)
    for r in rows:
        k = keys.setdefault(r[5], [0, r[0]])
        k[0] += 1
        if r[7]:  # a witness's "I" carries their pseudonym: the name of one who never says it
            hints[(r[5], r[7])] += 1
        if _pronoun(r):
            continue
        in_turn[r[2]].add(r[5])
        surfaces[(r[5], r[6])] += 1
    company = sorted({(k, o) for ks in in_turn.values() for k in ks for o in ks if o != k})
    return InterviewShare(named=named, pairs=pairs, keys={k: (v[0], v[1]) for k, v in keys.items()},
                  surfaces=surfaces, hints=hints, company=company)


def scope_base(key: str, scope: set[str]) -> str:
    """The mention key of a resolution entry (a key, or "key@interview" of a key in scope)."""
    if key in scope:
        return key
    at = key.find("@")
    while at != -1:  # keys and interview ids are free text: any "@" may be the one
        if key[:at] in scope:
            return key[:at]
        at = key.find("@", at + 1)
    return key


def usage_of(key: str, etype: str, hint: str | None, surfaces: list[tuple[str, int]],
           interviews: list[str], contexts: dict[str, set[str]] | None) -> KeyUsage:
    ivs = sorted(interviews)
    ctx: tuple[tuple[str, tuple[str, ...]], ...] = ()
    neighbours: tuple[str, ...] = ()
    if contexts is not None:
        ctx = tuple((i, tuple(sorted(contexts.get(i, ())))) for i in ivs)
        neighbours = tuple(sorted({k for c in contexts.values() for k in c}))
    return KeyUsage(key=key, type=etype,
                    surfaces=tuple(sorted(surfaces, key=lambda kv: (-kv[1], kv[0]))),
                    interviews=tuple(ivs), canonical_hint=hint or None, neighbours=neighbours,
                    contexts=ctx)



def support_rows(rows: Sequence[Any], turns: dict[str, TurnRow], spans: dict[str, list[Any]],
              whole: bool) -> list[SupportRow]:
    """Support rows from the supporting turns and the subject's mentions in them: an entity
    is quoted at its first mention in the turn, a link across both entities' mentions."""
    out = []
    for r in rows:
        turn = turns[r["turn_id"]]
        ms = sorted(spans.get(r["turn_id"], []), key=lambda m: (m["start"], m["end"], m["key"]))
        if ms:
            # The quoted mention: the one whose sentence carries the turn's strongest stance.
            chosen = next((m for m in ms if m["start"] == r["start"]), ms[0])
            if whole:  # a link: across both entities' mentions in the turn
                start, end = ms[0]["start"], max(m["end"] for m in ms)
            else:
                start, end = chosen["start"], chosen["end"]
            lo, hi = chosen["sentence_start"], max(chosen["sentence_end"], end)
        else:  # a typed link in a turn that names neither (kept, with the whole turn)
            start, end, lo, hi = turn.start, turn.end, turn.start, turn.end
        out.append(SupportRow(turn=turn, pseudonym=r["pseudonym"], start=start, end=end,
                              stance=r["stance"] or "unmarked", sentence_start=lo,
                              sentence_end=hi))
    return out


def _pronoun(row: Sequence[Any]) -> bool:
    return len(row) > 8 and row[8] == "pronoun"
