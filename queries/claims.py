"""Who else says this? Corroboration of a statement: a sentence the analyst types or selects.

The store finds the candidates: its full-text index ranks the turns holding any of the
statement's words (and their plain inflections) or any name of the entities it names, and
the turns naming those entities join them. Each candidate turn is then read sentence by
sentence: a sentence supports the statement by the share of the statement's weight it
carries (rarer words weigh more; an entity the statement names, under any spelling, weighs
most). Sources are people: one interviewee is one source however many turns or interviews,
ranked by their best sentence, each with its quotes (the sentence, not the whole turn), their
provenance, speaker role and epistemic status with its cue. A supporting sentence that gives
another date, number, place or actor than the statement is set beside it as a contradiction,
and where supporters differ among themselves that is listed too.

With the sentence-embedding model installed (graph_builder/embeddings.py), the store's
vector index also brings the sentences nearest the statement in meaning, whatever their
words ("they trained the boys as soldiers" for "children were made to fight"), and a
sentence counts by the larger of its two shares. Without it, or in a store ingested without
it, retrieval falls back to words and names, and every answer says which it used
(`retrieval`).
"""
from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass, field

from graph_builder.extract.dates import find_dates
from graph_builder.stance import STANCE_RANK, Sentences, epistemic_status
from graph_builder.store.base import (MAX_SEARCH_WORDS, GraphStore, MentionRow, TextMatch,
                                      TurnFilter, TurnRow)
from queries.corroboration import WEIGHTS, Disagreement
from queries.text import _WORD, fold, terms

CANDIDATE_TURNS = 300  # turns the index ranks first; the rest cannot outweigh them
NEAREST_SENTENCES = 100  # sentences the vector index brings, nearest in meaning first
MEANING_FLOOR, MEANING_SPAN = 0.45, 0.25  # a cosine of 0.45 counts nothing, 0.7 counts whole
MEANING_ALONE = 0.6  # this near in meaning, a sentence supports sharing no word or name
SUPPORT = 0.3  # the least share of the statement's weight a supporting sentence carries
QUOTES_PER_SOURCE = 3
TESTIMONY_ROLES = ("interviewee", "third_party")
STOPWORDS = frozenset("""
a an the and or but of to in on at by for from with without into onto over under about after
before during since until than then that this these those there here it its it's is are was
were be been being has have had do does did not no nor so such as if when while where which
who whom whose what why how all any both each few more most other some own same very can
could will would shall should may might must also just only even still yet again ever he she
they them their his her him we us our you your i me my mine also one two said says say told
""".split())
_NUMBER = re.compile(r"\b(?:\d[\d,.]*|two|three|four|five|six|seven|eight|nine|ten|eleven|"
                     r"twelve|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundreds?|"
                     r"thousands?)\b", re.I)
_SUFFIX = re.compile(r"(?:ings?|edly|ed|es|s|ly|ers?)$")


def stem(word: str) -> str:
    """A crude stem, enough to meet "attacked" with "attack", "trained" with "training"."""
    if len(word) > 4:
        word = _SUFFIX.sub("", word) or word
    return word[:7]


def _variants(word: str) -> set[str]:
    """The word and its plain inflections, for the index (it matches whole words only)."""
    base = stem(word) if len(word) > 4 else word
    out = {word, base}
    if len(base) >= 3 and word.isalpha():
        out |= {base + "s", base + "ed", base + "ing", base + "e", base + "es"}
    return {w for w in out if len(w) >= 3 or w.isdigit()}


@dataclass(frozen=True)
class ClaimQuote:
    """One sentence of a turn, citable: where it is, who says it, how they know it."""

    interview_id: str
    turn_id: str
    turn_index: int
    speaker_role: str
    start: int  # offsets into the interview text
    end: int
    text: str
    status: str  # first_hand, hearsay, hedged, unmarked
    cue: str  # the words that say so ("people said"), "" when unmarked
    score: float  # the share of the statement's weight it carries, 0..1
    time_start: float | None = None


@dataclass(frozen=True)
class ClaimSource:
    """One person who says it: their best sentences, strongest first."""

    pseudonym: str
    interviews: tuple[str, ...]
    source_paths: tuple[str, ...]
    status: str  # of the best quote
    score: float
    quotes: tuple[ClaimQuote, ...]


@dataclass(frozen=True)
class Contradiction:
    """A sentence that otherwise carries the statement but gives another value."""

    aspect: str  # dates, numbers, places, actors
    claimed: tuple[str, ...]
    given: tuple[str, ...]
    pseudonym: str
    quote: ClaimQuote


@dataclass(frozen=True)
class ClaimCorroboration:
    claim: str
    sources: tuple[ClaimSource, ...]  # ranked, strongest first
    source_count: int
    weighted_support: float
    contradictions: tuple[Contradiction, ...]
    disagreements: tuple[Disagreement, ...]  # where the supporters differ among themselves
    retrieval: str = ""  # how the sources were found: by meaning, or by words and names only
    entities: tuple[str, ...] = field(default=())  # the entity ids the statement names


# --------------------------------------------------------------------------------------------
# What the statement says
# --------------------------------------------------------------------------------------------

def _named_entities(store: GraphStore, words: list[str]) -> dict[str, tuple[int, int]]:
    """Entity ids whose name or alias is a run of the statement's words (longest first),
    with the word span each covers; a single word inside a longer name names its own entity
    too ("Mosul" in "the battle for Mosul")."""
    found: dict[str, tuple[int, int]] = {}
    taken: set[int] = set()
    for n in range(min(5, len(words)), 0, -1):
        for i in range(len(words) - n + 1):
            if n > 1 and taken & set(range(i, i + n)):
                continue
            run = words[i:i + n]
            if n == 1 and (run[0] in STOPWORDS or len(run[0]) < 3):
                continue
            ids = store.entities_named(" ".join(run))
            if ids:
                for eid in ids[:3]:
                    found.setdefault(eid, (i, i + n))
                taken |= set(range(i, i + n))
    return found


def _dates(text: str, year: int | None, told: str | None) -> set[str]:
    return {d.iso for d in find_dates(text, interview_date=told, year=year) if d.iso}


def _agree(a: str, b: str) -> bool:
    return a.startswith(b) or b.startswith(a)


# --------------------------------------------------------------------------------------------
# The answer
# --------------------------------------------------------------------------------------------

def corroborate_claim(store: GraphStore, claim: str, *, limit: int = 10,
                      exclude_pseudonym: str | None = None) -> ClaimCorroboration:
    """The people whose sentences support `claim`, ranked, with contradictions beside it.
    `exclude_pseudonym`: the witness who said it (a statement selected in their turn)."""
    words = _WORD.findall(fold(claim))[:MAX_SEARCH_WORDS]  # repeats kept: names are runs
    entities = _named_entities(store, words)
    in_names = {i for a, b in entities.values() for i in range(a, b)}
    content = list(dict.fromkeys(w for i, w in enumerate(words) if i not in in_names
                                 and w not in STOPWORDS and (len(w) >= 3 or w.isdigit())))
    alternatives: list[tuple[str, ...]] = []
    for w in content:
        for v in sorted(_variants(w)):
            if (v,) not in alternatives:
                alternatives.append((v,))
    for eid in entities:
        e = store.entity(eid)
        if e is not None:
            for alias in (e.entity.name, *e.entity.aliases):
                form = tuple(terms(alias))
                if form and form not in alternatives:
                    alternatives.append(form)
    near, retrieval = _nearest(store, claim)
    if not alternatives and not near:
        return ClaimCorroboration(claim, (), 0, 0.0, (), (), retrieval, tuple(entities))
    alternatives = alternatives[:MAX_SEARCH_WORDS]
    where = TurnFilter(speaker_roles=TESTIMONY_ROLES)
    turns: dict[str, TurnRow] = {}
    if alternatives:
        for hit in store.search(TextMatch(required=(), alternatives=tuple(alternatives)), where,
                                0, CANDIDATE_TURNS):
            turns[hit.turn.id] = hit.turn
    meaning = {(t, a): cos for t, a, _, cos in near}
    missing = sorted({t for t, _ in meaning} - set(turns))
    for t in store.turns(missing):
        if t.speaker_role in TESTIMONY_ROLES:
            turns[t.id] = t
    if entities:
        naming = store.turns_naming(list(entities), "", CANDIDATE_TURNS)
        missing = [t for t, _ in naming if t not in turns]
        for t in store.turns(missing):
            if t.speaker_role in TESTIMONY_ROLES:
                turns[t.id] = t
    if not turns:
        return ClaimCorroboration(claim, (), 0, 0.0, (), (), retrieval, tuple(entities))
    summaries = store.interview_summaries({t.interview_id for t in turns.values()})
    mentions: dict[str, list[MentionRow]] = defaultdict(list)
    for m in store.mentions(turn_ids=list(turns)):
        mentions[m.turn_id].append(m)

    # Weights: a word the candidates rarely hold says more than a common one.
    stems = {stem(w) for w in content}
    df: dict[str, int] = defaultdict(int)
    split: dict[str, list[tuple[int, int, set[str]]]] = {}
    for t in turns.values():
        spans = []
        for lo, hi in Sentences(t.text).spans:
            while lo < hi and t.text[lo].isspace():  # the sentence's own words, exactly
                lo += 1
            while hi > lo and t.text[hi - 1].isspace():
                hi -= 1
            found = {stem(w) for w in terms(t.text[lo:hi])} & stems
            spans.append((lo, hi, found))
        split[t.id] = spans
        for s in {s for _, _, f in spans for s in f}:
            df[s] += 1
    n = len(turns)
    weight = {s: math.log(1 + n / (1 + df[s])) + 0.5 for s in stems}
    entity_weight = max(weight.values(), default=1.0) * 1.5
    total = max(sum(weight.values()) + entity_weight * len(entities), 1e-9)
    items = len(stems) + len(entities)  # what a sentence may share with the statement

    claim_year = next((int(y) for y in re.findall(r"\b(?:19|20)\d\d\b", claim)), None)
    claim_dates = _dates(claim, claim_year, None)
    claim_numbers = {v.lower() for v in _NUMBER.findall(re.sub(r"\b(?:19|20)\d\d\b", " ", claim))}
    claim_places = {e for e in entities if (store.entity(e) or _NO).entity.type == "PLACE"}
    claim_actors = {e for e in entities
                    if (store.entity(e) or _NO).entity.type in ("PERSON", "ORG", "GROUP")}

    by_person: dict[str, list[ClaimQuote]] = defaultdict(list)
    against: list[Contradiction] = []
    for t in turns.values():
        summary = summaries.get(t.interview_id)
        who = summary.pseudonym if summary else t.interview_id
        if exclude_pseudonym and who == exclude_pseudonym:
            continue
        told = summary.date if summary else None
        year = claim_year or (int(told[:4]) if told and told[:4].isdigit() else None)
        for lo, hi, found in split[t.id]:
            a, b = t.start + lo, t.start + hi
            here = {m.entity_id: m for m in mentions[t.id] if a <= m.start < b}
            named = [e for e in entities if e in here]
            share = (sum(weight[s] for s in found) + entity_weight * len(named)) / total
            cos = meaning.get((t.id, a))
            by_meaning = (min(1.0, max(0.0, (cos - MEANING_FLOOR) / MEANING_SPAN))
                          if cos is not None else 0.0)
            shared = len(found) + len(named)
            if by_meaning >= max(share, SUPPORT) and (cos >= MEANING_ALONE or shared):
                share = by_meaning  # near in meaning: other words may say the same
            elif share < SUPPORT or shared < min(2, items) \
                    or (entities and not named and share < 2 * SUPPORT):
                continue
            else:
                share = max(share, by_meaning)
            text = t.text[lo:hi]
            status, cue = epistemic_status(text)
            q = ClaimQuote(t.interview_id, t.id, t.index, t.speaker_role, a, b, text, status,
                           cue, round(share, 3), t.time_start)
            given_dates = _dates(text, year, told)
            if claim_dates and given_dates and not any(_agree(c, g) for c in claim_dates
                                                       for g in given_dates):
                against.append(Contradiction("dates", tuple(sorted(claim_dates)),
                                             tuple(sorted(given_dates)), who, q))
                continue
            given_numbers = {v.lower() for v in _NUMBER.findall(
                re.sub(r"\b(?:19|20)\d\d\b", " ", text))}
            if claim_numbers and given_numbers and not claim_numbers & given_numbers \
                    and share >= 2 * SUPPORT:
                against.append(Contradiction("numbers", tuple(sorted(claim_numbers)),
                                             tuple(sorted(given_numbers)), who, q))
                continue
            for aspect, wanted, types in (("places", claim_places, ("PLACE",)),
                                          ("actors", claim_actors, ("PERSON", "ORG", "GROUP"))):
                others = {m.entity_id for m in here.values() if m.type in types} - wanted
                if wanted and others and not wanted & set(here) and share >= 2 * SUPPORT:
                    against.append(Contradiction(aspect, tuple(sorted(wanted)),
                                                 tuple(sorted(others)), who, q))
                    break
            else:
                by_person[who].append(q)

    # A person whose best sentence on it says otherwise is a contradiction, not a supporter.
    strongest_against: dict[str, float] = defaultdict(float)
    for c in against:
        strongest_against[c.pseudonym] = max(strongest_against[c.pseudonym], c.quote.score)
    sources = []
    for who, quotes in by_person.items():
        if strongest_against.get(who, 0.0) >= max(q.score for q in quotes):
            continue
        quotes.sort(key=lambda q: (-q.score, -STANCE_RANK[q.status], q.turn_id, q.start))
        best = quotes[0]
        ivs = tuple(dict.fromkeys(q.interview_id for q in quotes))
        paths = tuple(dict.fromkeys(summaries[i].source_path for i in ivs if i in summaries))
        sources.append(ClaimSource(who, ivs, paths, best.status, best.score,
                                   tuple(quotes[:QUOTES_PER_SOURCE])))
    sources.sort(key=lambda s: (-s.score, -STANCE_RANK[s.status], s.pseudonym))
    weighted = round(sum(WEIGHTS[s.status] for s in sources), 3)
    against.sort(key=lambda c: (-c.quote.score, c.pseudonym, c.quote.turn_id))
    return ClaimCorroboration(claim, tuple(sources[:limit]), len(sources), weighted,
                              tuple(against[:limit]),
                              _differ(sources, claim_year, summaries, bool(claim_numbers)),
                              retrieval, tuple(entities))


def _nearest(store: GraphStore, claim: str) -> tuple[list[tuple[str, int, int, float]], str]:
    """The sentences nearest the statement in meaning, and how the answer was found."""
    from graph_builder.embeddings import MODEL_NAME, encoder, missing_reason, to_bytes

    model = encoder()
    if model is None:
        return [], f"words and entities only: {missing_reason()}"
    near = store.similar_sentences(to_bytes(model.encode([claim]))[0], NEAREST_SENTENCES)
    if not near:
        return [], ("words and entities only: the store holds no sentence vectors (its "
                    "interviews were ingested without the model; ingest them again into a "
                    "new store to match by meaning)")
    return near, f"meaning ({MODEL_NAME}), words and entities"


class _Nothing:
    class entity:  # noqa: N801 - stands in for a missing EntitySummary
        type = ""


_NO = _Nothing()


def _differ(sources: list[ClaimSource], year: int | None, summaries,  # noqa: ANN001
            numbers: bool) -> tuple[Disagreement, ...]:
    """Dates (and numbers, when the statement gives one) the supporters give, where they
    differ, side by side."""
    out = []
    for aspect in ("dates", "numbers") if numbers else ("dates",):
        versions = []
        for s in sources:
            values: set[str] = set()
            for q in s.quotes:
                told = summaries[q.interview_id].date if q.interview_id in summaries else None
                if aspect == "dates":
                    values |= _dates(q.text, year or (int(told[:4]) if told and told[:4].isdigit()
                                                      else None), told)
                else:
                    values |= {v.lower() for v in _NUMBER.findall(
                        re.sub(r"\b(?:19|20)\d\d\b", " ", q.text))}
            if values:
                versions.append((s.pseudonym, tuple(sorted(values))))
        if len(versions) >= 2 and len({v for _, v in versions}) > 1:
            out.append(Disagreement(aspect=aspect, versions=tuple(versions)))
    return tuple(out)
