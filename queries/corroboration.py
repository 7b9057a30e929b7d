"""Corroboration: who attests an entity, a link or a turn, how, and where accounts differ.

Support counts distinct interviewees (one witness repeating himself is one source), and only
their own turns: never the interviewer's. Each supporting turn is marked first-hand, hearsay or
hedged from the words around the mention; hearsay and hedging weigh less. An entity the
interviewer named first in an interview is flagged: the witness may be repeating the question.
"""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from rapidfuzz import fuzz

from graph_builder.errors import NotFound
from graph_builder.model import Entity
from graph_builder.store.base import GraphStore, InterviewSummary, MentionRow, TurnRow
from queries.text import quote

# How much one supporting turn weighs, by how the witness knows it.
WEIGHTS = {"first_hand": 1.0, "unmarked": 0.8, "hedged": 0.6, "hearsay": 0.4}

_HEARSAY = re.compile(
    r"\b(?:told (?:me|us|him|her)|(?:people|they|others|everyone|some) (?:said|say|says|told)|"
    r"i heard|we heard|heard (?:that|from)|according to|it was said|rumou?rs?|word was|"
    r"(?:he|she) said that|they claimed|was told|were told)\b", re.I)
_HEDGED = re.compile(
    r"\b(?:i think|i believe|maybe|perhaps|probably|possibly|i(?:'m| am) not sure|i guess|"
    r"might have|may have|i don'?t remember exactly|(?:about|around) \d+|approximately|or so|"
    r"if i remember|i suppose)\b", re.I)
_FIRST_HAND = re.compile(
    r"\b(?:i saw|i watched|i was there|i witnessed|with my own eyes|i was (?:in|at|taken|held|"
    r"with|one of)|we were|i went|i did|i worked|i served|i myself|i was)\b", re.I)
_SENTENCE = re.compile(r"[^.!?\n]+[.!?]*")


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
    """One interviewee: a distinct source, with every turn in which he attests it."""

    pseudonym: str
    supports: tuple[Support, ...]

    @property
    def weight(self) -> float:
        return max(s.weight for s in self.supports)

    @property
    def stance(self) -> str:
        return max(self.supports, key=lambda s: s.weight).stance


@dataclass(frozen=True)
class Disagreement:
    """Where sources give different numbers, dates or places in their accounts."""

    aspect: str  # dates, numbers, places, actors (who did it)
    versions: tuple[tuple[str, tuple[str, ...]], ...]  # (pseudonym, values that source gives)


@dataclass(frozen=True)
class Corroboration:
    subject: str  # what was corroborated, in words
    sources: tuple[Source, ...]  # distinct interviewees, strongest first
    prompted: tuple[str, ...]  # interview ids where the interviewer named it first
    disagreements: tuple[Disagreement, ...]

    @property
    def source_count(self) -> int:
        return len(self.sources)

    @property
    def single_source(self) -> bool:
        return len(self.sources) == 1

    @property
    def weighted_support(self) -> float:
        return round(sum(s.weight for s in self.sources), 3)


def stance_of(sentence: str) -> str:
    """How the speaker knows what the sentence says: hearsay, hedged, first_hand or unmarked."""
    if _HEARSAY.search(sentence):
        return "hearsay"
    if _HEDGED.search(sentence):
        return "hedged"
    if _FIRST_HAND.search(sentence):
        return "first_hand"
    return "unmarked"


def sentence_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """Offsets in `text` of the sentence holding [start, end), stretched to cover `end`."""
    for m in _SENTENCE.finditer(text):
        if m.start() <= start < m.end():
            lo, hi = m.start(), max(m.end(), end)
            while lo < hi and text[lo].isspace():
                lo += 1
            while hi > lo and text[hi - 1].isspace():
                hi -= 1
            return lo, hi
    return 0, len(text)


def sentence_around(text: str, start: int, end: int) -> str:
    """The sentence of `text` holding [start, end) (offsets into `text`)."""
    lo, hi = sentence_bounds(text, start, end)
    return text[lo:hi]


def _summaries(store: GraphStore) -> dict[str, InterviewSummary]:
    return {s.id: s for s in store.interviews()}


def _support(turn: TurnRow, summary: InterviewSummary, start: int, end: int) -> Support:
    local_start, local_end = start - turn.start, end - turn.start
    stance = stance_of(sentence_around(turn.text, local_start, local_end))
    return Support(turn=turn, interview_id=turn.interview_id, interview_title=summary.title,
                   pseudonym=summary.pseudonym, start=start, end=end,
                   quote=quote(turn.text, local_start, local_end), stance=stance,
                   weight=WEIGHTS[stance])


def _sources(supports: list[Support]) -> tuple[Source, ...]:
    by_person: dict[str, list[Support]] = defaultdict(list)
    for s in supports:
        by_person[s.pseudonym].append(s)
    sources = [Source(pseudonym=p, supports=tuple(sorted(v, key=lambda s: (s.interview_id, s.start))))
               for p, v in by_person.items()]
    return tuple(sorted(sources, key=lambda s: (-s.weight, s.pseudonym)))


def _prompted(mentions: list[MentionRow], turns: dict[str, TurnRow]) -> tuple[str, ...]:
    """Interviews where an interviewer turn names it before any interviewee turn does."""
    first: dict[str, dict[str, int]] = defaultdict(dict)
    for m in mentions:
        t = turns[m.turn_id]
        role = t.speaker_role
        if role in ("interviewer", "interviewee"):
            first[m.interview_id][role] = min(first[m.interview_id].get(role, t.index), t.index)
    return tuple(sorted(iv for iv, f in first.items()
                        if "interviewer" in f and f["interviewer"] < f.get("interviewee", 10**9)))


def corroborate_entity(store: GraphStore, entity_id: str) -> Corroboration:
    entity = store.entity(entity_id)
    if entity is None:
        raise NotFound(f"no entity {entity_id!r}; `testimony entities NAME` lists them")
    mentions = store.mentions(entity_id=entity_id)
    turns = {t.id: t for t in store.turns([m.turn_id for m in mentions])}
    summaries = _summaries(store)
    supports = [_support(turns[m.turn_id], summaries[m.interview_id], m.start, m.end)
                for m in mentions if turns[m.turn_id].speaker_role == "interviewee"]
    sources = _sources(supports)
    differ = disagreements(store, sources, exclude={entity_id}) if entity.type == "EVENT" else ()
    return Corroboration(subject=f"{entity.name} ({entity.type})", sources=sources,
                         prompted=_prompted(mentions, turns), disagreements=differ)


def corroborate_link(store: GraphStore, a: str, b: str) -> Corroboration:
    """Support for a connection: interviewee turns naming both entities, or a typed link."""
    ea, eb = store.entity(a), store.entity(b)
    if ea is None or eb is None:
        raise NotFound(f"no entity {a if ea is None else b!r}")
    ma = store.mentions(entity_id=a)
    mb = store.mentions(entity_id=b)
    shared = sorted({m.turn_id for m in ma} & {m.turn_id for m in mb})
    linked = {ln.turn_id for ln in store.links(entity_id=a) if b in (ln.source_id, ln.target_id)}
    turn_ids = sorted(set(shared) | linked)
    turns = {t.id: t for t in store.turns(sorted({m.turn_id for m in ma + mb} | linked))}
    summaries = _summaries(store)
    supports = []
    for tid in turn_ids:
        t = turns[tid]
        if t.speaker_role != "interviewee":
            continue
        spans = [m for m in ma + mb if m.turn_id == tid]
        start, end = min(m.start for m in spans), max(m.end for m in spans)
        supports.append(_support(t, summaries[t.interview_id], start, end))
    sources = _sources(supports)
    prompted = sorted(set(_prompted(ma, turns)) & set(_prompted(mb, turns)))
    differ = disagreements(store, sources, exclude={a, b}) if "EVENT" in (ea.type, eb.type) else ()
    return Corroboration(subject=f"{ea.name} — {eb.name}", sources=sources,
                         prompted=tuple(prompted), disagreements=differ)


@dataclass(frozen=True)
class SimilarTurn:
    turn: TurnRow
    pseudonym: str
    shared_entities: tuple[Entity, ...]
    similarity: float  # rapidfuzz token_set_ratio of the two turns' words
    score: float


def corroborate_turn(store: GraphStore, turn_id: str, limit: int = 20) -> list[SimilarTurn]:
    """Turns of other interviews that tell the same thing: shared entities plus similar words."""
    found = store.turns([turn_id])
    if not found:
        raise NotFound(f"no turn {turn_id!r}")
    turn = found[0]
    own = {m.entity_id for m in store.mentions(turn_ids=[turn_id])}
    if not own:
        return []
    entities = {e.id: e for e in store.entities()}
    candidates: dict[str, set[str]] = defaultdict(set)
    for eid in own:
        for m in store.mentions(entity_id=eid):
            if m.interview_id != turn.interview_id:
                candidates[m.turn_id].add(eid)
    summaries = _summaries(store)
    out = []
    for t in store.turns(sorted(candidates)):
        if t.speaker_role != "interviewee":
            continue
        sim = fuzz.token_set_ratio(turn.text, t.text) / 100.0
        shared = tuple(entities[e] for e in sorted(candidates[t.id]) if e in entities)
        score = round(len(shared) / len(own) + sim, 4)
        out.append(SimilarTurn(turn=t, pseudonym=summaries[t.interview_id].pseudonym,
                               shared_entities=shared, similarity=round(sim, 4), score=score))
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


def disagreements(store: GraphStore, sources: tuple[Source, ...],
                  exclude: set[str] = frozenset()) -> tuple[Disagreement, ...]:  # type: ignore[assignment]
    """Dates, numbers and places each source gives alongside the subject; listed where they differ.

    Both versions are kept side by side; nothing is decided for the analyst."""
    if len(sources) < 2:
        return ()
    turn_ids = [s.turn.id for src in sources for s in src.supports]
    # The support's sentence, in interview offsets: only what is said there counts.
    sentences = {}
    for src in sources:
        for s in src.supports:
            lo, hi = sentence_bounds(s.turn.text, s.start - s.turn.start, s.end - s.turn.start)
            sentences[(src.pseudonym, s.turn.id, s.start)] = (s.turn.start + lo, s.turn.start + hi,
                                                             s.turn.text[lo:hi])
    entities = {e.id: e for e in store.entities()}
    kinds = {"PLACE": "places", "PERSON": "actors", "ORG": "actors"}
    named: list[tuple[str, int, str, str]] = []  # (turn id, offset, aspect, name)
    for m in store.mentions(turn_ids=turn_ids):
        e = entities.get(m.entity_id)
        if e is not None and e.id not in exclude and e.type in kinds:
            named.append((m.turn_id, m.start, kinds[e.type], e.name))
    out = []
    for aspect in ("dates", "numbers", "places", "actors"):
        versions = []
        for src in sources:
            values: set[str] = set()
            for s in src.supports:
                lo, hi, sentence = sentences[(src.pseudonym, s.turn.id, s.start)]
                if aspect == "dates":
                    values |= {v.lower() for v in _DATE.findall(sentence)}
                elif aspect == "numbers":
                    values |= {v.lower() for v in _NUMBER.findall(_DATE.sub(" ", sentence))}
                else:
                    values |= {name for tid, at, kind, name in named
                               if tid == s.turn.id and kind == aspect and lo <= at < hi}
            if values:
                versions.append((src.pseudonym, tuple(sorted(values))))
        if len(versions) >= 2 and len({v for _, v in versions}) > 1:
            out.append(Disagreement(aspect=aspect, versions=tuple(versions)))
    return tuple(out)
