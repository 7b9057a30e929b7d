"""Resolution across interviews: mention keys -> entities, then the analyst's decisions.

Keys are already transliteration-normalised by the extractor ("PLACE:raqa" for Raqqa and
Raqqah). Here keys of one type are grouped: same gazetteer canonical, or close spellings found
with rapidfuzz inside blocks (never all pairs). Close-but-unsure pairs are kept apart and
reported as "possibly the same" for review. The curation log is replayed last, so an analyst's
merge, split, rename and reject survive every re-ingest.
"""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from graph_builder.model import Entity, Resolution
from graph_builder.store.base import KeyUsage

SAME = 92.0  # scores at or above: the same entity
POSSIBLY = 84.0  # scores in [POSSIBLY, SAME): kept apart, listed for review


class _Clusters:
    """Union-find over mention keys, remembering the weakest merge score of each cluster."""

    def __init__(self, keys: list[str]) -> None:
        self.parent = {k: k for k in keys}
        self.score = {k: 100.0 for k in keys}

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


def _name_part(key: str) -> str:
    return key.split(":", 1)[1]


def _block(name: str) -> str:
    """Blocking key: candidates are compared only within a block (first letters of the name)."""
    return name[:2]


@dataclass(frozen=True)
class _Override:
    """A name chosen by an analyst for the cluster holding these keys."""

    keys: frozenset[str]
    name: str


def resolve(usage: list[KeyUsage], decisions: list[dict] | None = None) -> Resolution:
    """Map every mention key to an entity; replay the analyst's decisions on top."""
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

    # 2. Close spellings within a type and block, scored in one vectorised call per block.
    blocks: dict[tuple[str, str], list[str]] = defaultdict(list)
    for u in usage:
        blocks[(u.type, _block(_name_part(u.key)))].append(u.key)
    for (etype, _), keys in sorted(blocks.items()):
        if len(keys) < 2:
            continue
        names = [_name_part(k) for k in keys]
        scores = process.cdist(names, names, scorer=fuzz.ratio, score_cutoff=POSSIBLY)
        for i in range(len(keys)):
            for j in range(i + 1, len(keys)):
                _judge(keys[i], keys[j], float(scores[i][j]), etype, by_key, clusters, possibly)

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
        name = _name_part(short)
        longer = [k for k in person_keys if _name_part(k).startswith(name + " ")]
        for k in longer:
            if clusters.find(k) == clusters.find(short):
                continue
            a, b = by_key[short], by_key[k]
            related = set(a.interviews) & set(b.interviews) or set(a.neighbours) & set(b.neighbours)
            if len(longer) == 1 and related:
                clusters.union(short, k, 90.0)
            else:
                possibly.append((short, k, 80.0))

    overrides, rejected = _replay(decisions or [], clusters, by_key)
    possibly = [(a, b, sc) for a, b, sc in possibly
                if not any((a in x and b in y) or (a in y and b in x) for x, y in rejected)]
    return _entities(clusters, by_key, overrides, possibly)


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
    if score >= (96 if etype == "PERSON" else SAME):
        clusters.union(a, b, score)
    else:
        possibly.append((a, b, round(score, 1)))


_VOWELS = re.compile(r"[aeiouy]")


def skeleton(name: str) -> str:
    """Consonant skeleton of a transliterated name: doubled letters, vowels after each word's
    first letter and a final h dropped ("tabqah" -> "tbq", "tel abiad" -> "tl abd")."""
    words = []
    for w in name.split():
        w = re.sub(r"(.)\1+", r"\1", w)
        if len(w) > 2 and w.endswith("h") and w[-2] in "aeiou":
            w = w[:-1]
        words.append(w[:1] + _VOWELS.sub("", w[1:]))
    return " ".join(words)


def _differ_in_kunya_or_number(a: str, b: str) -> bool:
    """"abu omar" vs "umm omar", "point 9" vs "point 11": close strings, different referents."""
    ta, tb = a.split(), b.split()
    if ta and tb and ta[0] != tb[0] and {ta[0], tb[0]} <= {"abu", "umm", "ibn", "bint"}:
        return True
    digits_a = [t for t in ta if t.isdigit()]
    digits_b = [t for t in tb if t.isdigit()]
    return digits_a != digits_b


def _replay(decisions: list[dict], clusters: _Clusters, by_key: dict[str, KeyUsage]
            ) -> tuple[list[_Override], list[tuple[set[str], set[str]]]]:
    """Apply merges, splits, renames and rejects in the order they were made (undone ones
    skipped); returns the analyst's names and the key sets rejected as "not the same"."""
    undone = {d["undoes"] for d in decisions if d.get("action") == "undo"}
    overrides: list[_Override] = []
    rejected: list[tuple[set[str], set[str]]] = []
    for d in decisions:
        if d.get("id") in undone or d.get("action") == "undo":
            continue
        keys = [k for k in d.get("keys", []) if k in by_key]
        other = [k for k in d.get("other_keys", []) if k in by_key]
        action = d.get("action")
        if action == "merge" and keys and other:
            clusters.union(keys[0], other[0])
            for k in keys[1:] + other[1:]:
                clusters.union(keys[0], k)
        elif action == "split" and keys:
            # The keys leave their cluster and form one of their own.
            moved = set(keys)
            groups = clusters.groups()
            for members in groups.values():
                rest = [k for k in members if k not in moved]
                for k in members:
                    clusters.parent[k] = k
                for k in rest[1:]:
                    clusters.union(rest[0], k)
            for k in keys[1:]:
                clusters.union(keys[0], k)
        elif action == "reject" and keys and other:
            rejected.append((set(keys), set(other)))
            # "Not the same": pull the other side's keys out into their own cluster.
            a = clusters.find(keys[0])
            if clusters.find(other[0]) == a:
                out = set(other)
                members = clusters.groups()[a]
                for k in members:
                    clusters.parent[k] = k
                stay = [k for k in members if k not in out]
                for k in stay[1:]:
                    clusters.union(stay[0], k)
                for k in other[1:]:
                    clusters.union(other[0], k)
        if action in ("rename", "split", "merge") and d.get("name") and keys:
            overrides.append(_Override(frozenset(keys + other), d["name"]))
    return overrides, rejected


def _entities(clusters: _Clusters, by_key: dict[str, KeyUsage], overrides: list[_Override],
              possibly: list[tuple[str, str, float]]) -> Resolution:
    entities: list[Entity] = []
    assignments: dict[str, str] = {}
    taken: set[str] = set()
    for root, keys in sorted(clusters.groups().items()):
        keys.sort()
        forms: Counter[str] = Counter()
        hints: Counter[str] = Counter()
        for k in keys:
            forms.update(dict(by_key[k].surfaces))
            if by_key[k].canonical_hint:
                hints[by_key[k].canonical_hint] += sum(c for _, c in by_key[k].surfaces)
        name = _choose_name(hints, forms, by_key[root].type)
        for o in overrides:
            if o.keys & set(keys):
                name = o.name
        etype = by_key[root].type
        eid = f"{etype.lower()}:{_name_part(root)}"
        while eid in taken:  # a split can leave two clusters with one anchor name
            eid += "'"
        taken.add(eid)
        entities.append(Entity(id=eid, type=etype, name=name,  # type: ignore[arg-type]
                               aliases=tuple(sorted(forms)),
                               confidence=round(clusters.score[root] / 100.0, 3)))
        for k in keys:
            assignments[k] = eid
    pairs = sorted({tuple(sorted((assignments[a], assignments[b]))) + (s,)  # type: ignore[misc]
                    for a, b, s in possibly if assignments[a] != assignments[b]})
    return Resolution(entities=tuple(entities), assignments=assignments,
                      possibly_same=tuple(pairs))  # type: ignore[arg-type]


def _choose_name(hints: Counter[str], forms: Counter[str], etype: str) -> str:
    if hints:
        return sorted(hints.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
    # A person goes by his fullest name ("Lina" -> "Lina Haddad"); otherwise the most frequent
    # form; never an all-capitals one when another exists ("MOSUL" -> "Mosul").
    fullness = (lambda f: -len(f.split())) if etype == "PERSON" else (lambda f: 0)
    ranked = sorted(forms.items(), key=lambda kv: (kv[0].isupper(), fullness(kv[0]), -kv[1], kv[0]))
    return ranked[0][0]
