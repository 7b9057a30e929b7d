"""Incremental resolution: the keys a change reaches, resolved on their own.

An ingest or a curation decision changes the usage of some mention keys (the store marks
them pending). Resolution is a function of the merges between keys (same gazetteer canonical,
close spellings, consonant skeletons, a short name and its one extension), the company short
names keep, and the analyst's decisions. So the keys whose entity can change are those
reachable from a changed key through possible merges, through the entities they belong to
(their other spellings, the other people a short name was split into) and through decisions
naming them. That closed set, the scope, is resolved with `resolve.resolve` exactly as the
whole store would be, except that company outside the scope is read as the entity it already
belongs to; every other key keeps its entity, untouched.

The candidate test here applies the resolver's own rules and thresholds, and over-approximates
where the resolver looks at usage (a bigger scope is only slower, a smaller one would be
wrong): two keys of one type in one block or skeleton the resolver would merge at their score
(people at 96, the rest at 92; never two gazetteer entries or two kunyas or numbers), one
canonical, or a person name and a word-for-word extension of it. A changed key also brings the
spellings it may be kept apart from for review (84 or more): review pairs are stored by key,
and those of unchanged keys stay as they are.
"""
from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Callable
from dataclasses import replace

from rapidfuzz import fuzz, process

from graph_builder.keys import name_part, word_prefixes
from graph_builder.model import Resolution
from graph_builder.resolve import (CONTEXT_MAX_INTERVIEWS, PERSON_SAME, POSSIBLY, SAME,
                                   Outside, _differ_in_kunya_or_number, _short_ambiguous,
                                   resolve)
from graph_builder.store.base import GraphStore, KeyInfo, KeyUsage, base_key

# A change reaching more than this share of the store's keys is resolved whole (one pass
# over everything is cheaper than the walk).
WHOLE_SHARE = 0.5
SKELETON_MIN = 70.0


def _edge(a: KeyInfo, b: KeyInfo, score: float, pairs: bool) -> bool:
    """Whether the resolver could merge a and b (or, with `pairs`, keep them for review) at
    this score: the rules of resolve._judge (different kunya or number, or two gazetteer
    entries: never), its thresholds (people merge at 96, the rest at SAME)."""
    if a.key == b.key:
        return False
    if _differ_in_kunya_or_number(name_part(a.key), name_part(b.key)):
        return False
    if a.canonical_hint and b.canonical_hint and a.canonical_hint != b.canonical_hint:
        return False
    return score >= (POSSIBLY if pairs else PERSON_SAME if a.type == "PERSON" else SAME)


def _candidates(frontier: set[str], infos: list[KeyInfo], pairs: bool) -> set[str]:
    """Keys among `infos` the resolver could merge with a key of `frontier`, or (`pairs`)
    keep apart from one for review."""
    by_key = {i.key: i for i in infos}
    own = [by_key[k] for k in sorted(frontier) if k in by_key]
    out: set[str] = set()
    by_block: dict[tuple[str, str], list[KeyInfo]] = defaultdict(list)
    by_skeleton: dict[tuple[str, str], list[KeyInfo]] = defaultdict(list)
    by_hint: dict[tuple[str, str], list[str]] = defaultdict(list)
    for i in infos:
        by_block[(i.type, i.block)].append(i)
        by_skeleton[(i.type, i.skeleton)].append(i)
        if i.canonical_hint:
            by_hint[(i.type, i.canonical_hint)].append(i.key)
    mine_by_block: dict[tuple[str, str], list[KeyInfo]] = defaultdict(list)
    for k in own:
        mine_by_block[(k.type, k.block)].append(k)
        if k.canonical_hint:
            out.update(by_hint[(k.type, k.canonical_hint)])
        for other in by_skeleton[(k.type, k.skeleton)]:
            s = fuzz.ratio(name_part(k.key), name_part(other.key))
            if s >= SKELETON_MIN and _edge(k, other, s if k.type == "PERSON" else max(s, SAME),
                                           pairs):
                out.add(other.key)
    for group, mine in mine_by_block.items():
        others = by_block[group]
        names = [name_part(o.key) for o in others]
        scores = process.cdist([name_part(k.key) for k in mine], names, scorer=fuzz.ratio,
                               score_cutoff=POSSIBLY)
        for k, row in zip(mine, scores):
            out.update(others[j].key for j in row.nonzero()[0]
                       if _edge(k, others[j], float(row[j]), pairs))
    people = sorted(i.key for i in infos if i.type == "PERSON")
    known = set(people)
    for k in frontier:
        if k.startswith("PERSON:"):
            out.update(p for p in word_prefixes(k) if p in known)
            # The names extending k word for word sit right after "k " in sorted order.
            lo = bisect_left(people, k + " ")
            hi = bisect_left(people, k + " \U0010ffff")
            out.update(people[lo:hi])
    return out


def scope_of(store: GraphStore, changed: set[str], decisions: list[dict]) -> set[str]:
    """The closed set of keys reachable from `changed` (see the module's docstring)."""
    named: dict[str, set[str]] = defaultdict(set)  # key -> keys of decisions naming it
    for d in decisions:
        if d.get("action") == "undo":
            continue
        together = {base_key(n) for n in (*d.get("keys", ()), *d.get("other_keys", ()))}
        for k in together:
            named[k] |= together
    scope: set[str] = set()
    frontier = set(changed)
    pairs = True  # a changed key may gain or lose review pairs with any close spelling
    seen: dict[str, KeyInfo] = {}  # every key read so far, and the blocks read whole
    blocks: set[tuple[str, str]] = set()
    while frontier:
        scope |= frontier
        for info in store.key_partners(frontier, blocks):
            seen[info.key] = info
        blocks |= {(i.type, i.block) for k in frontier if (i := seen.get(k))}
        reach = _candidates(frontier, list(seen.values()), pairs)
        pairs = False  # the others' pairs with keys beyond the scope stay as they are
        entities = set(store.resolution(frontier | reach).values())
        for entries in store.keys_of(entities).values():
            reach.update(base_key(e) for e in entries)
        for k in frontier | reach:
            reach |= named.get(k, set())
        frontier = reach - scope
    return scope


def company_where_needed(store: GraphStore, usage: list[KeyUsage]) -> list[KeyUsage]:
    """Usage with the company (co-mentioned keys) filled in only where the resolver reads it:
    short names it may split by context (no gazetteer entry, at most CONTEXT_MAX_INTERVIEWS
    interviews), and a short name with exactly one extension that shares no interview with
    it (step 4 then asks whether they share company). Company costs a read of those keys'
    turns; for every other key it is never looked at."""
    by_key = {u.key: u for u in usage}
    people = sorted(k for k in by_key if k.startswith("PERSON:"))
    wanted = {k for k in people if _short_ambiguous(k) and not by_key[k].canonical_hint
              and len(by_key[k].interviews) <= CONTEXT_MAX_INTERVIEWS}
    for short in people:
        lo = bisect_left(people, short + " ")
        longer = people[lo:bisect_left(people, short + " \U0010ffff")]
        if len(longer) == 1 and not set(by_key[short].interviews) & set(by_key[longer[0]].interviews):
            wanted |= {short, longer[0]}
    if not wanted:
        return usage
    filled = {u.key: u for u in store.key_usage(sorted(wanted), company=wanted)}
    return [filled.get(u.key, u) for u in usage]


def resolve_scope(store: GraphStore, keys: set[str], *, full: bool = False) -> Resolution | None:
    """Resolve what changed (the pending keys and `keys`), or everything, and apply it."""
    pending = set(store.pending_keys())
    changed = pending | keys
    if not changed and not full:
        return None
    decisions = store.curation_log()
    full = full or len(changed) > WHOLE_SHARE * max(1, store.key_count())
    scope = set(store.all_keys()) if full else scope_of(store, changed, decisions)
    usage = company_where_needed(store, store.key_usage(sorted(scope)))
    previous = store.resolution(None if full else scope)
    outside: Outside | None = None
    taken: Callable[[list[str]], set[str]] | None = None
    if not full:
        met = {c for u in usage for _, cs in u.contexts for c in cs} - scope
        resolved = store.resolution(met)
        entity_of = {c: resolved.get(c, c.lower()) for c in met}
        # Company met in a single interview of a name cannot link two of its interviews (the
        # resolver drops it): only entities met in two or more are looked up.
        seen: dict[str, set[str]] = defaultdict(set)
        for u in usage:
            for interview, cs in u.contexts:
                for c in cs:
                    if c in entity_of:
                        seen[entity_of[c]].add(interview)
        summaries = store.entity_summaries({e for e, ivs in seen.items() if len(ivs) >= 2})
        outside = Outside(interviews=store.interview_count(), entity_of=entity_of,
                          entities={e: (s.entity.type, s.entity.name, s.interviews)
                                    for e, s in summaries.items()})
        mine = set(previous.values()) | {k.lower() for k in scope}

        def held_outside(ids: list[str]) -> set[str]:
            return {i for i in store.entity_summaries(ids) if i not in mine}
        taken = held_outside

    result = resolve(usage, decisions, previous=previous, outside=outside, taken=taken)
    result = replace(result, scope=None if full else frozenset(scope),
                     settles=frozenset(pending))
    store.apply_resolution(result)
    return result
