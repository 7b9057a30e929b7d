"""Resolution across interviews: mention keys -> entities, then the analyst's decisions.

Keys are already transliteration-normalised by the extractor ("PLACE:raqa" for Raqqa and
Raqqah). Here keys of one type are grouped: same gazetteer canonical, or close spellings found
with rapidfuzz inside blocks (never all pairs). Close-but-unsure pairs are kept apart and
reported as "possibly the same" for review. The curation log is replayed last, so an analyst's
merge, split, rename and reject survive every re-ingest.

One name is not always one person: a bare kunya ("Abu Omar") is shared by many men. For such
short names the resolver compares the company the name keeps in each interview (the entities
co-mentioned with it, `KeyUsage.contexts`) and, when the interviews fall into clearly distinct
groups, makes one entity per group: "Abu Omar (sharia trainer)" and "Abu Omar (smuggler)".
It does so by assigning the key per interview: an assignment `f"{key}@{interview}"` wins over
the plain key for that interview's mentions and links (the stores honour it). The groups are
listed as "possibly the same" for an analyst, whose decisions can split a key per interview
too (`curation.split(..., interviews=...)`).

Inside the resolver a cluster holds *nodes*: plain keys, and "units" `key@interview` once a key
has been exploded into its interviews (by context separation, or by a decision naming a unit).
An exploded key's plain node stays behind as the fallback for interviews not seen yet.
"""
from __future__ import annotations

import math
from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz, process

from graph_builder.keys import block as _key_block
from graph_builder.keys import name_part as _name_part
from graph_builder.keys import skeleton
from graph_builder.model import Entity, Resolution
from graph_builder.store.base import KeyUsage

SAME = 92.0  # scores at or above: the same entity
PERSON_SAME = 96.0  # people only when nearly identical: "Abu Omar"/"Abu Amer" are two men
POSSIBLY = 84.0  # scores in [POSSIBLY, SAME): kept apart, listed for review

# Context separation (see `_separate_by_context`). Similarities are weighted cosines of the
# co-mentioned entities of two interviews, in [0, 1]. On the sample corpus the two Abu Omars'
# groups stand at 0.17, and the bare "Abu Hamza", told of one man everywhere, forms no two
# groups. On a synthetic corpus (600 interviews of random company, 30 names planted as two
# men each with a role and a town, 30 as one man; 3 seeds) these values split 85 of the 90
# two-man names and none of the one-man names; when the role and town are named in only 60%
# and 40% of the interviews, 68 and 5 (one-man names split).
CONTEXT_JOIN = 0.3  # interviews (and groups of them) this alike or more: one group
CONTEXT_APART = 0.2  # two groups this alike or less are two people; in between: one entity
CONTEXT_MIN_GROUP = 2  # interviews a group needs to stand as a person of its own
CONTEXT_MIN_SHARE = 0.15  # ... and this share of the name's interviews
CONTEXT_COVERAGE = 0.6  # share of the name's interviews that must fall into such groups
CONTEXT_SPREAD = 1.0  # weight of the company seen with an interview's company (see below)
UBIQUITOUS = 0.8  # co-mentioned entities in more than this share of interviews say nothing
CONTEXT_MAX_INTERVIEWS = 400  # a name in more interviews is left whole (cost, and too generic)
_KUNYA = frozenset({"abu", "umm", "ibn", "bint"})
# Which co-mentioned entity names a context group, by preference: a role says most.
_LABEL_TYPES = ("ROLE", "PLACE", "ORG", "GROUP", "EVENT", "PERSON")


class _Clusters:
    """Union-find over nodes (mention keys, and `key@interview` units of exploded keys),
    remembering the weakest merge score of each cluster."""

    def __init__(self, keys: list[str]) -> None:
        self.parent = {k: k for k in keys}
        self.score = {k: 100.0 for k in keys}
        # Exploded keys -> their units: the key's mentions are placed per interview.
        self.units: dict[str, list[str]] = {}
        self.key_of: dict[str, str] = {}  # unit -> its key

    def explode(self, key: str, interviews: tuple[str, ...]) -> None:
        """Give `key` one unit per interview, each where the key is now (nothing moves yet)."""
        if key in self.units:
            return
        self.units[key] = [f"{key}@{i}" for i in interviews]
        for unit in self.units[key]:
            self.key_of[unit] = key
            self.parent[unit] = unit
            self.score[unit] = 100.0
            self.union(key, unit)

    def detach(self, *moves: tuple[set[str], float | None]) -> None:
        """Take each set of nodes out of its clusters into a cluster of its own, scored as
        given (None: 100, a cluster an analyst made). The clusters they leave keep their
        score. One pass over all nodes, however many moves."""
        moved = {k: n for n, (nodes, _) in enumerate(moves) for k in nodes}
        roots = {k: self.find(k) for k in self.parent}
        touched = {roots[k] for k in moved}
        rest: dict[str, list[str]] = defaultdict(list)
        for k, r in roots.items():
            if r in touched:
                self.parent[k] = k
                if k not in moved:
                    rest[r].append(k)
        for old_root, members in rest.items():
            for k in members[1:]:
                self.union(members[0], k)
            self.score[self.find(members[0])] = self.score[old_root]
        for n, (nodes, score) in enumerate(moves):
            ordered = sorted(k for k in nodes if moved[k] == n)  # a node named twice: last
            for k in ordered[1:]:
                self.union(ordered[0], k)
            if ordered:
                self.score[self.find(ordered[0])] = 100.0 if score is None else score

    def with_units(self, key: str) -> list[str]:
        """`key` and, if exploded, its units still in its cluster: all its mentions there."""
        root = self.find(key)
        return [key] + [u for u in self.units.get(key, ()) if self.find(u) == root]

    def find(self, k: str) -> str:
        while self.parent[k] != k:
            self.parent[k] = self.parent[self.parent[k]]
            k = self.parent[k]
        return k

    def union(self, a: str, b: str, score: float = 100.0) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return
        keep, drop = sorted((ra, rb))  # deterministic roots
        self.parent[drop] = keep
        self.score[keep] = min(self.score[keep], self.score[drop], score)

    def groups(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = defaultdict(list)
        for k in self.parent:
            out[self.find(k)].append(k)
        return out


@dataclass(frozen=True)
class Outside:
    """What an incremental resolution knows of the keys outside its scope (which it leaves as
    they are): how many interviews the store holds, the entity each outside key belongs to,
    and each such entity's type, name and number of interviews. Context separation reads it
    for the company a short name keeps; None means the usage given is the whole store."""

    interviews: int
    entity_of: dict[str, str]  # outside key -> entity id
    entities: dict[str, tuple[str, str, int]]  # entity id -> (type, name, interviews)


# Rows of the close-spelling matrix scored at once: a block of 10,000 names costs 10,000 x
# CDIST_ROWS floats at a time, not 10,000 squared.
CDIST_ROWS = 512


@dataclass(frozen=True)
class _Override:
    """A name chosen by an analyst for the cluster holding these keys."""

    keys: frozenset[str]
    name: str


def resolve(usage: list[KeyUsage], decisions: list[dict] | None = None, *,
            previous: dict[str, str] | None = None, outside: Outside | None = None,
            taken: Callable[[list[str]], set[str]] | None = None) -> Resolution:
    """Map every mention key in `usage` to an entity; replay the analyst's decisions on top.

    `previous` is the last resolution of these keys: a cluster keeps the id most of its
    mentions had, so entity ids (and links to them) survive re-ingests and curation. `outside`
    describes the rest of the store when `usage` is a scope of it; `taken(ids)` says which of
    the given ids belong to entities outside the scope (a new id must not take one)."""
    by_key = {u.key: u for u in usage}
    clusters = _Clusters(sorted(by_key))
    possibly: list[tuple[str, str, float]] = []

    # 1. Same gazetteer canonical, same type: one entity.
    by_hint: dict[tuple[str, str], list[str]] = defaultdict(list)
    for u in usage:
        if u.canonical_hint:
            by_hint[(u.type, u.canonical_hint)].append(u.key)
    for keys in by_hint.values():
        for k in keys[1:]:
            clusters.union(keys[0], k)

    # 2. Close spellings within a type and block, scored by rapidfuzz a slice of rows at a
    #    time; only the pairs above the cutoff come back to Python (never all pairs).
    blocks: dict[tuple[str, str], list[str]] = defaultdict(list)
    for u in usage:
        blocks[(u.type, _key_block(u.key))].append(u.key)
    for (etype, _), keys in sorted(blocks.items()):
        if len(keys) < 2:
            continue
        names = [_name_part(k) for k in keys]
        for lo in range(0, len(keys), CDIST_ROWS):
            scores = process.cdist(names[lo:lo + CDIST_ROWS], names, scorer=fuzz.ratio,
                                   score_cutoff=POSSIBLY, dtype=np.float32)
            for i, j in zip(*np.nonzero(scores)):
                i, j = int(i) + lo, int(j)
                if j > i:
                    _judge(keys[i], keys[j], float(scores[i - lo][j]), etype, by_key, clusters,
                           possibly)

    # 3. Same consonant skeleton (Tabqa/Tabqah, Tal Abyad/Tel Abiad): transliteration variants
    #    that plain edit distance scores too low, compared only within a skeleton's block.
    skeletons: dict[tuple[str, str], list[str]] = defaultdict(list)
    for u in usage:
        skeletons[(u.type, skeleton(_name_part(u.key)))].append(u.key)
    for (etype, _), keys in sorted(skeletons.items()):
        for i in range(len(keys)):
            for j in range(i + 1, len(keys)):
                s = fuzz.ratio(_name_part(keys[i]), _name_part(keys[j]))
                if s >= 70 and clusters.find(keys[i]) != clusters.find(keys[j]):
                    _judge(keys[i], keys[j], max(s, SAME if etype != "PERSON" else POSSIBLY),
                           etype, by_key, clusters, possibly)

    # 4. A short name that extends to exactly one longer name of the same type ("Abu Hamza" ->
    #    "Abu Hamza al-Tunisi") is that person when they share an interview or company;
    #    otherwise the pair is listed for review. Several extensions: all listed for review.
    person_keys = sorted(u.key for u in usage if u.type == "PERSON")
    for short in person_keys:
        # The keys extending this name sit right after it in sorted order: a binary search
        # finds them (a scan of every person key per key would be quadratic).
        prefix = short + " "
        longer = person_keys[bisect_left(person_keys, prefix):
                             bisect_left(person_keys, prefix + "\U0010ffff")]
        for k in longer:
            if clusters.find(k) == clusters.find(short):
                continue
            a, b = by_key[short], by_key[k]
            related = set(a.interviews) & set(b.interviews) or set(a.neighbours) & set(b.neighbours)
            if len(longer) == 1 and related:
                clusters.union(short, k, 90.0)
            else:
                possibly.append((short, k, 80.0))

    # 5. One short name, two people: split a name's interviews by the company it keeps there.
    labels: list[tuple[frozenset[str], str]] = []
    moves: list[tuple[set[str], float | None]] = []
    for split in _separate_by_context(usage, by_key, clusters, outside):
        score = clusters.score[clusters.find(split.keys[0])]
        for k in split.keys:
            clusters.explode(k, by_key[k].interviews)
        members = []
        for group in split.groups:
            members.append({f"{k}@{i}" for k in split.keys for i in group
                            if i in by_key[k].interviews})
        # The first (main) group stays with the plain keys; the others leave, keeping the
        # confidence of the spelling merges they came from.
        moves += [(units, score) for units in members[1:]]
        members[0] |= set(split.keys)
        labels += [(frozenset(m), label) for m, label in zip(members, split.labels)]
        possibly += [(min(members[a]), min(members[b]), sc) for a, b, sc in split.pairs]
    if moves:
        clusters.detach(*moves)

    overrides, rejected, confirmed = _replay(decisions or [], clusters, by_key)
    # An analyst's merge keeps the first entity's id (the other joins it).
    kept = [d["entities"][0] for d in (decisions or []) if d.get("action") == "merge"
            and d.get("entities") and d.get("id") not in
            {u.get("undoes") for u in decisions or [] if u.get("action") == "undo"}]
    possibly = [(a, b, sc) for a, b, sc in possibly
                if not any((a in x and b in y) or (a in y and b in x) for x, y in rejected)]
    return _entities(clusters, by_key, overrides, possibly, labels, confirmed,
                     previous or {}, taken, kept)


# --- context separation ----------------------------------------------------------------------


@dataclass(frozen=True)
class _ContextSplit:
    """One short name found to be several people: its interviews in groups, main group first."""

    keys: list[str]  # the mention keys of the name's cluster
    groups: list[list[str]]  # interview ids per group
    labels: list[str]  # what tells each group apart ("smuggler")
    pairs: list[tuple[int, int, float]]  # (group, group, context similarity 0-100)


def _short_ambiguous(key: str) -> bool:
    """A bare kunya ("abu omar") or a single given name ("bilal"): many people bear it."""
    tokens = _name_part(key).split()
    return len(tokens) == 1 or (len(tokens) == 2 and tokens[0] in _KUNYA)


def _separate_by_context(usage: list[KeyUsage], by_key: dict[str, KeyUsage],
                         clusters: _Clusters, outside: Outside | None = None
                         ) -> list[_ContextSplit]:
    """Short person names whose interviews fall into clearly distinct groups by company.

    Candidates: clusters of PERSON keys that are all bare kunyas or single names, carry no
    gazetteer canonical, and occur in 4 to CONTEXT_MAX_INTERVIEWS interviews. Each interview
    of a candidate is described by the entities co-mentioned with it there (as clusters, so
    "Urfa" and "Sanliurfa" count once), minus the ubiquitous ones (the group's own name, its
    capital) and minus those met in only one of the name's interviews (they cannot link two
    interviews and would only dilute the comparison); each weighted by rarity, log(1 + N/df).
    `_group_interviews` then decides. Cost: one pass over the key usage, then work per
    candidate over its own interviews only (no pairs of keys).
    """
    n = outside.interviews if outside else len({i for u in usage for i in u.interviews})
    if n < 2 * CONTEXT_MIN_GROUP:
        return []
    groups = clusters.groups()
    root_of = {k: clusters.find(k) for k in by_key}
    seen_in: dict[str, set[str]] = defaultdict(set)
    for u in usage:
        seen_in[root_of[u.key]].update(u.interviews)
    seen: dict[str, int] = {r: len(v) for r, v in seen_in.items()}
    if outside:  # company beyond the scope counts as the entity it belongs to
        root_of.update({k: e for k, e in outside.entity_of.items() if k not in root_of})
        seen.update({e: info[2] for e, info in outside.entities.items() if e not in seen})

    def weight(root: str) -> float:
        return math.log(1 + n / max(1, seen.get(root, 0)))

    def describe(root: str) -> tuple[str, str]:
        """(type, name in a label) of a feature: a cluster of the scope or an outside entity."""
        if outside and root in outside.entities and root not in groups:
            etype, name, _ = outside.entities[root]
            return etype, name.lower() if etype == "ROLE" else name
        etype = by_key[root].type if root in by_key else ""
        return etype, _display_name(root, groups, by_key)

    splits: list[_ContextSplit] = []
    for root, keys in sorted(groups.items()):
        keys = sorted(keys)
        us = [by_key[k] for k in keys]
        if (us[0].type != "PERSON" or any(u.canonical_hint for u in us)
                or not all(_short_ambiguous(k) for k in keys)):
            continue  # a gazetteer entry or a full name: never split
        features: dict[str, set[str]] = {i: set() for u in us for i in u.interviews}
        if not CONTEXT_MIN_GROUP * 2 <= len(features) <= CONTEXT_MAX_INTERVIEWS:
            continue
        for u in us:
            for interview, company in u.contexts:
                for c in company:
                    r = root_of.get(c, c)
                    if r != root and seen.get(r, 0) <= UBIQUITOUS * n:
                        features.setdefault(interview, set()).add(r)
        shared = Counter(f for fs in features.values() for f in fs)
        features = {i: {f for f in fs if shared[f] >= 2} for i, fs in sorted(features.items())}
        split = _group_interviews(keys, features, weight, describe)
        if split:
            splits.append(split)
    return splits


def _group_interviews(keys: list[str], features: dict[str, set[str]],
                      weight: Callable[[str], float],
                      describe: Callable[[str], tuple[str, str]]) -> _ContextSplit | None:
    """Average-linkage grouping of one name's interviews; None when one person is likelier.

    A split needs two or more groups, each of CONTEXT_MIN_GROUP interviews and
    CONTEXT_MIN_SHARE of the name's, together holding CONTEXT_COVERAGE of them, alike within
    (CONTEXT_JOIN) and CONTEXT_APART or further apart, each with company clearly its own.
    Interviews that join no group go to the likest one, or to the main one: never to an
    entity of their own on weak evidence, and never split inside (an interview is one unit).
    """
    informative = [i for i, fs in features.items() if fs]
    if len(informative) < 2 * CONTEXT_MIN_GROUP:
        return None
    vocab = sorted({f for i in informative for f in features[i]})
    col = {f: j for j, f in enumerate(vocab)}
    present = np.zeros((len(informative), len(vocab)))
    rows = [np.array(sorted(col[f] for f in features[i]), dtype=np.intp) for i in informative]
    for r, ids in enumerate(rows):
        present[r, ids] = 1.0
    w = np.array([weight(f) for f in vocab])
    # Company that goes together in some interviews is one profile: an interview naming only
    # his role and one naming only his town are alike if other interviews name both. Each
    # entity adds the ones seen with it, by how often (P(g | f) over the name's interviews).
    # (present.T @ present, counted interview by interview: each names a few of the many.)
    together = np.zeros((len(vocab), len(vocab)))
    for ids in rows:
        together[np.ix_(ids, ids)] += 1.0
    # Seen together once is no profile: one interview may well tell of both men (int-01 of
    # the sample corpus has the trainer and the smuggler). Twice or more is.
    seen = np.diag(together).copy()
    together[together < 2] = 0.0
    given = together / seen[:, None]
    np.fill_diagonal(given, 0.0)
    spread = np.array([given[ids].sum(axis=0) for ids in rows])  # present @ given, row by row
    x = (present + CONTEXT_SPREAD * np.minimum(1.0, spread)) * w
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    sim = x @ x.T
    members = _average_linkage(sim, CONTEXT_JOIN)
    # A person of one's own needs a real share of the name's interviews: among many, two
    # that happen to share a rare co-mention are chance, not a second man.
    least = max(CONTEXT_MIN_GROUP, math.ceil(CONTEXT_MIN_SHARE * len(features)))
    core = [m for m in members if len(m) >= least]
    if len(core) < 2:
        return None
    # Groups neither clearly one nor clearly apart are kept together: no split on a doubt.
    core = _average_linkage(sim, CONTEXT_APART, start=core)
    # And most of the name's interviews must fall into such groups: if most stand alone
    # (or say nothing telling), its company is too scattered to say who is who.
    if len(core) < 2 or sum(map(len, core)) < CONTEXT_COVERAGE * len(features):
        return None
    # The main group, first, is the largest: the plain key stays with it.
    core.sort(key=lambda g: (-len(g), min(informative[r] for r in g)))
    # Interviews in no group go to the one they are likest, or to the main one.
    lone = sorted(r for m in members if len(m) < least for r in m)
    if lone:
        near = _links(sim, [[r] for r in lone], core)
        for r, row in zip(lone, near):
            core[int(np.argmax(row)) if row.max() > 0 else 0].append(r)
    # Each group must be told apart by something of its own (it names the entity, too);
    # one that is not joins the main group.
    while True:
        groups_iv = [sorted(informative[r] for r in g) for g in core]
        labels, clear = _labels([[features[i] for i in g] for g in groups_iv], weight, describe)
        vague = [g for g in range(1, len(core)) if not clear[g]]
        if not vague:
            break
        core[0] += core.pop(vague[0])
    if len(core) < 2:
        return None
    # Interviews without telling company follow the main group.
    placed = {i for g in groups_iv for i in g}
    groups_iv[0] = sorted(groups_iv[0] + [i for i in features if i not in placed])
    between = _links(sim, core, core)
    pairs = [(a, b, round(100 * float(between[a, b]), 1))
             for a in range(len(core)) for b in range(a + 1, len(core))]
    return _ContextSplit(keys=keys, groups=groups_iv, labels=labels, pairs=pairs)


def _links(sim: np.ndarray, a: list[list[int]], b: list[list[int]]) -> np.ndarray:
    """Average similarity between each group of `a` and each group of `b` (groups of one row
    are read straight from `sim`: no matrix product for them)."""
    if all(len(g) == 1 for g in a):
        left = sim[[g[0] for g in a]]
    else:
        ma = np.zeros((len(a), len(sim)))
        for g, rows in enumerate(a):
            ma[g, rows] = 1.0 / len(rows)
        left = ma @ sim
    if all(len(g) == 1 for g in b):
        return left[:, [g[0] for g in b]]
    mb = np.zeros((len(b), len(sim)))
    for g, rows in enumerate(b):
        mb[g, rows] = 1.0 / len(rows)
    return left @ mb.T


def _average_linkage(sim: np.ndarray, threshold: float,
                     start: list[list[int]] | None = None) -> list[list[int]]:
    """Merge groups of rows while the likest two have an average similarity >= threshold."""
    groups = [list(g) for g in start] if start else [[r] for r in range(len(sim))]
    link = _links(sim, groups, groups)
    np.fill_diagonal(link, -np.inf)
    size = np.array([len(g) for g in groups], dtype=float)
    alive = np.ones(len(groups), dtype=bool)
    while alive.sum() > 1:
        masked = np.where(alive[:, None] & alive[None, :], link, -np.inf)
        a, b = np.unravel_index(int(np.argmax(masked)), masked.shape)
        if masked[a, b] < threshold:
            break
        a, b = min(a, b), max(a, b)
        # Lance-Williams update for average linkage: the new group's mean link to each other.
        link[a, :] = (size[a] * link[a, :] + size[b] * link[b, :]) / (size[a] + size[b])
        link[:, a] = link[a, :]
        link[a, a] = -np.inf
        size[a] += size[b]
        alive[b] = False
        groups[a] += groups[b]
    return [sorted(g) for g, keep in zip(groups, alive) if keep]


def _labels(groups: list[list[set[str]]], weight: Callable[[str], float],
            describe: Callable[[str], tuple[str, str]]) -> tuple[list[str], list[bool]]:
    """For each group, the co-mentioned entity that sets it apart: frequent in its interviews,
    rare in the others' (a role before a place before anything else); and whether it clearly
    does (in at least half its interviews more than in the others')."""
    labels: list[str] = []
    clear_ones: list[bool] = []
    used: set[str] = set()
    for g, own in enumerate(groups):
        others = [fs for h, other in enumerate(groups) if h != g for fs in other]
        candidates = []
        for f in sorted({f for fs in own for f in fs} - used):
            contrast = (sum(f in fs for fs in own) / len(own)
                        - sum(f in fs for fs in others) / max(1, len(others)))
            if contrast > 0:
                etype = describe(f)[0]
                rank = _LABEL_TYPES.index(etype) if etype in _LABEL_TYPES else len(_LABEL_TYPES)
                # Clearly the group's own: the preferred type first; otherwise the most telling.
                clear = contrast >= 0.5
                candidates.append((not clear, rank if clear else 0, -contrast * weight(f), f))
        if not candidates:
            labels.append(str(len(labels) + 1))  # nothing sets it apart: only a number
            clear_ones.append(False)
            continue
        best = min(candidates)
        used.add(best[-1])
        labels.append(describe(best[-1])[1])
        clear_ones.append(not best[0])
    return labels, clear_ones


def _display_name(root: str, clusters: dict[str, list[str]], by_key: dict[str, KeyUsage]) -> str:
    """How a co-mentioned entity reads in a label: its entity name; roles in lower case."""
    keys = [k for k in clusters.get(root, [root]) if k in by_key]
    if not keys:
        return _name_part(root)
    forms: Counter[str] = Counter()
    hints: Counter[str] = Counter()
    for k in keys:
        forms.update(dict(by_key[k].surfaces))
        if by_key[k].canonical_hint:
            hints[by_key[k].canonical_hint] += 1
    name = _choose_name(hints, forms, by_key[keys[0]].type)
    return name.lower() if by_key[keys[0]].type == "ROLE" else name


def _judge(a: str, b: str, score: float, etype: str, by_key: dict[str, KeyUsage],
           clusters: _Clusters, possibly: list[tuple[str, str, float]]) -> None:
    """Merge a close pair, keep it for review, or leave it alone."""
    na, nb = _name_part(a), _name_part(b)
    if score < POSSIBLY or _differ_in_kunya_or_number(na, nb):
        return
    hints = {by_key[a].canonical_hint, by_key[b].canonical_hint}
    if len(hints - {None}) == 2:
        return  # two different gazetteer entries: never the same
    # People are kept apart unless nearly identical: "Abu Omar"/"Abu Amer" are two men.
    if score >= (PERSON_SAME if etype == "PERSON" else SAME):
        clusters.union(a, b, score)
    else:
        possibly.append((a, b, round(score, 1)))


def _differ_in_kunya_or_number(a: str, b: str) -> bool:
    """"abu omar" vs "umm omar", "point 9" vs "point 11": close strings, different referents."""
    ta, tb = a.split(), b.split()
    if ta and tb and ta[0] != tb[0] and {ta[0], tb[0]} <= {"abu", "umm", "ibn", "bint"}:
        return True
    digits_a = [t for t in ta if t.isdigit()]
    digits_b = [t for t in tb if t.isdigit()]
    return digits_a != digits_b


def _unit_of(name: str, by_key: dict[str, KeyUsage]) -> tuple[str, str] | None:
    """("PERSON:abu omar", "int-02") for the unit "PERSON:abu omar@int-02" of a known key."""
    at = name.find("@")
    while at != -1:  # any "@" may be the one (keys and interview ids are free text)
        key, interview = name[:at], name[at + 1:]
        if key in by_key and interview in by_key[key].interviews:
            return key, interview
        at = name.find("@", at + 1)
    return None


def _nodes(names: list[str], clusters: _Clusters, by_key: dict[str, KeyUsage]) -> list[str]:
    """The nodes a decision names: known keys, and units (their keys exploded on demand);
    names of keys no longer in the store are dropped, as before."""
    out: list[str] = []
    for name in names:
        if name in by_key:
            out.append(name)
        elif (unit := _unit_of(name, by_key)) is not None:
            clusters.explode(unit[0], by_key[unit[0]].interviews)
            out.append(name)
    return out


def _replay(decisions: list[dict], clusters: _Clusters, by_key: dict[str, KeyUsage]
            ) -> tuple[list[_Override], list[tuple[set[str], set[str]]], list[set[str]]]:
    """Apply merges, splits, renames and rejects in the order they were made (undone ones
    skipped); returns the analyst's names, the node sets rejected as "not the same", and the
    entries of each merge an analyst confirmed."""
    undone = {d["undoes"] for d in decisions if d.get("action") == "undo"}
    overrides: list[_Override] = []
    rejected: list[tuple[set[str], set[str]]] = []
    confirmed: list[set[str]] = []
    for d in decisions:
        if d.get("id") in undone or d.get("action") == "undo":
            continue
        if d.get("action") == "confirm":  # changes nothing; marks the merge as checked
            confirmed.append(set(d.get("keys", ())))
            continue
        keys = _nodes(list(d.get("keys", [])), clusters, by_key)
        other = _nodes(list(d.get("other_keys", [])), clusters, by_key)
        action = d.get("action")
        if action == "merge" and keys and other:
            for k in keys + other:  # union is by cluster: a plain key brings its own
                clusters.union(keys[0], k)
        elif action == "split" and keys:
            # The keys (or, with "interviews", their mentions in those interviews only) leave
            # their cluster and form one of their own.
            interviews = d.get("interviews") or []
            moved: list[str] = []
            for k in keys:
                if interviews and k in by_key:
                    clusters.explode(k, by_key[k].interviews)
                    moved += [f"{k}@{i}" for i in interviews if i in by_key[k].interviews]
                elif k in by_key:
                    moved += clusters.with_units(k)
                else:
                    moved.append(k)
            if moved:
                clusters.detach((set(moved), None))
            keys = moved
        elif action == "reject" and keys and other:
            rejected.append((set(keys), set(other)))
            # "Not the same": pull the other side's mentions out into their own cluster.
            if clusters.find(other[0]) == clusters.find(keys[0]):
                out = {n for k in other for n in (clusters.with_units(k) if k in by_key else [k])}
                clusters.detach((out, clusters.score[clusters.find(keys[0])]))
        if action in ("rename", "split", "merge") and d.get("name") and keys:
            overrides.append(_Override(frozenset(keys + other), d["name"]))
    return overrides, rejected, confirmed


def _entities(clusters: _Clusters, by_key: dict[str, KeyUsage], overrides: list[_Override],
              possibly: list[tuple[str, str, float]],
              labels: list[tuple[frozenset[str], str]], confirmed: list[set[str]],
              previous: dict[str, str],
              taken: Callable[[list[str]], set[str]] | None,
              kept: list[str] = ()) -> Resolution:
    group_of = {k: g for g, (members, _) in enumerate(labels) for k in members}
    found: list[tuple[str, list[str], list[str], Entity]] = []  # (root, nodes, keys, entity)
    for root, nodes in sorted(clusters.groups().items()):
        nodes.sort()
        # An exploded key's plain node holds no mentions (its units do): a cluster of such
        # fallbacks alone is no entity; their key falls back to where its units went.
        real = [k for k in nodes if k not in clusters.units]
        if not real:
            continue
        keys = sorted({clusters.key_of.get(k, k) for k in real})
        forms: Counter[str] = Counter()
        hints: Counter[str] = Counter()
        for k in keys:
            forms.update(dict(by_key[k].surfaces))
            if by_key[k].canonical_hint:
                hints[by_key[k].canonical_hint] += sum(c for _, c in by_key[k].surfaces)
        etype = by_key[keys[0]].type
        name = _choose_name(hints, forms, etype)
        eid = f"{etype.lower()}:{_name_part(clusters.key_of.get(root, root))}"
        label = _label_of(nodes, group_of, labels)
        if label:  # one of the people a short name was found to be: say which
            name = f"{name} ({label})"
            eid = f"{eid} ({label.lower()})"
        for o in overrides:
            if o.keys & set(nodes):
                name = o.name
        found.append((root, nodes, keys, Entity(id=eid, type=etype, name=name,  # type: ignore[arg-type]
                                                aliases=tuple(sorted(forms)),
                                                confidence=round(clusters.score[root] / 100.0, 3))))
    ids = _stable_ids(found, by_key, clusters, previous, taken, kept)
    entities: list[Entity] = []
    entity_of: dict[str, str] = {}  # node -> entity id
    for (root, nodes, keys, e), eid in zip(found, ids):
        entities.append(Entity(id=eid, type=e.type, name=e.name, aliases=e.aliases,
                               confidence=e.confidence))
        for k in nodes:
            entity_of[k] = eid
    assignments: dict[str, str] = {}
    for key in sorted(by_key):
        if key in clusters.units and key not in entity_of:
            # The fallback for interviews not resolved yet: where most of its units are.
            where = Counter(entity_of[u] for u in clusters.units[key])
            entity_of[key] = sorted(where.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
        assignments[key] = entity_of[key]
        for unit in clusters.units.get(key, ()):
            if entity_of[unit] != assignments[key]:  # only where it differs from the key's
                assignments[unit] = entity_of[unit]
    # Review pairs: one per pair of spellings (the closest score), and per pair of entities.
    by_nodes: dict[tuple[str, str], float] = {}
    for a, b, sc in possibly:
        if entity_of[a] != entity_of[b]:
            pair = (min(a, b), max(a, b))
            by_nodes[pair] = max(sc, by_nodes.get(pair, sc))
    by_entities: dict[tuple[str, str], float] = {}
    for (a, b), sc in by_nodes.items():
        pair = tuple(sorted((entity_of[a], entity_of[b])))
        by_entities[pair] = max(sc, by_entities.get(pair, sc))  # type: ignore[index]
    entries: dict[str, set[str]] = defaultdict(set)
    for k, eid in assignments.items():
        entries[eid].add(k)
    checked = frozenset(e.id for e in entities
                        if len(entries[e.id]) > 1 and any(entries[e.id] <= c for c in confirmed))
    return Resolution(entities=tuple(entities), assignments=assignments,
                      possibly_same=tuple((a, b, s) for (a, b), s in sorted(by_entities.items())),
                      key_pairs=tuple((a, b, s) for (a, b), s in sorted(by_nodes.items())),
                      confirmed=checked)


def _stable_ids(found: list[tuple[str, list[str], list[str], Entity]],
                by_key: dict[str, KeyUsage], clusters: _Clusters, previous: dict[str, str],
                taken: Callable[[list[str]], set[str]] | None,
                kept: list[str] = ()) -> list[str]:
    """Each cluster's entity id: an id its mentions had before, when no stronger claim takes
    it; otherwise the id derived from its first key, made unique. Claims, strongest first: the
    entity an analyst merged another into keeps its id; a cluster whose own derived id it is
    (a split gives each part back its own); the id most of its mentions had. Stable ids keep
    the analysts' links and bookmarks, and let a store re-point only the mentions that really
    moved."""
    # (analyst's merge first, the cluster's own id first, most mentions, id, cluster)
    claims: list[tuple[float, bool, int, str, int]] = []
    priority = {eid: -1.0 - n for n, eid in enumerate(kept)}  # the latest merge first
    for c, (_, nodes, keys, _) in enumerate(found):
        weight: Counter[str] = Counter()
        for node in nodes:
            key = clusters.key_of.get(node, node)
            if node in previous:
                weight[previous[node]] += (sum(n for _, n in by_key[key].surfaces)
                                           if node == key else 1)
        own = found[c][3].id  # the id this cluster would be given afresh
        claims += [(priority.get(eid, 0.0), eid != own, -w, eid, c) for eid, w in weight.items()]
    chosen: dict[int, str] = {}
    used: set[str] = set()
    for *_, eid, c in sorted(claims):
        if c not in chosen and eid not in used:
            chosen[c] = eid
            used.add(eid)
    derived = {c: e.id for c, (_, _, _, e) in enumerate(found) if c not in chosen}
    # Which ids belong to entities outside the scope: asked once for the likely candidates,
    # then one by one for the rare long runs of suffixes.
    known: dict[str, bool] = {}
    if taken and derived:
        ask = sorted({i + "'" * n for i in derived.values() for n in range(3)})
        held = taken(ask)
        known = {i: i in held for i in ask}

    def free(eid: str) -> bool:
        if eid in used:
            return False
        if taken is None:
            return True
        if eid not in known:
            known[eid] = eid in taken([eid])
        return not known[eid]

    out: list[str] = []
    for c in range(len(found)):
        if c in chosen:
            out.append(chosen[c])
            continue
        eid = derived[c]
        while not free(eid):  # a split can leave two clusters with one name
            eid += "'"
        used.add(eid)
        out.append(eid)
    return out


def _label_of(nodes: list[str], group_of: dict[str, int],
              labels: list[tuple[frozenset[str], str]]) -> str | None:
    """The context label of a cluster: that of the one context group it holds most of."""
    counts = Counter(group_of[k] for k in nodes if k in group_of)
    held = {labels[g][1] for g, c in counts.items() if c * 2 > len(labels[g][0])}
    return held.pop() if len(held) == 1 else None


def _choose_name(hints: Counter[str], forms: Counter[str], etype: str) -> str:
    if hints:
        return sorted(hints.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
    # A person goes by his fullest name ("Lina" -> "Lina Haddad"); otherwise the most frequent
    # form; never an all-capitals one when another exists ("MOSUL" -> "Mosul").
    fullness = (lambda f: -len(f.split())) if etype == "PERSON" else (lambda f: 0)
    ranked = sorted(forms.items(), key=lambda kv: (kv[0].isupper(), fullness(kv[0]), -kv[1], kv[0]))
    return ranked[0][0]
