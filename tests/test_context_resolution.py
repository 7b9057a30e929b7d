"""One short name, several people: the resolver tells them apart by the company the name keeps.

Hand-made key usage (all names fictional) exercises the grouping; the ingested sample corpus
checks the case it was built for: "Abu Omar" the sharia trainer and "Abu Omar" the smuggler in
Urfa are two entities, while spelling variants of one man or one place stay one.
"""
from __future__ import annotations

from graph_builder.resolve import resolve
from graph_builder.store.base import KeyUsage

# Co-mentioned in every interview: says nothing about which man is meant.
EVERYWHERE = ("ORG:islamic state", "PLACE:raka")


def corpus(name_contexts: dict[str, dict[str, tuple[str, ...]]], *, filler: int = 4,
           hints: dict[str, str] | None = None) -> list[KeyUsage]:
    """Key usage for `name_contexts` (key -> interview -> co-mentioned keys), plus the
    ubiquitous keys in every interview and `filler` interviews that mention only those."""
    hints = hints or {}
    interviews = sorted({i for ctx in name_contexts.values() for i in ctx}
                        | {f"fill-{n}" for n in range(filler)})
    company: dict[str, dict[str, set[str]]] = {}
    for key, ctx in name_contexts.items():
        for interview, keys in ctx.items():
            for k in keys + EVERYWHERE:
                company.setdefault(k, {}).setdefault(interview, set()).add(key)
                company.setdefault(key, {}).setdefault(interview, set()).add(k)
    for k in EVERYWHERE:
        for interview in interviews:
            company.setdefault(k, {}).setdefault(interview, set())
    return [KeyUsage(key=k, type=k.split(":")[0],
                     surfaces=((k.split(":")[1].title(), len(ctx)),),
                     interviews=tuple(sorted(ctx)), canonical_hint=hints.get(k),
                     neighbours=tuple(sorted(set().union(*ctx.values()))),
                     contexts=tuple((i, tuple(sorted(ctx[i]))) for i in sorted(ctx)))
            for k, ctx in sorted(company.items())]


TRAINER = ("ROLE:sharia trainer", "PLACE:camp near the dam")
SMUGGLER = ("ROLE:smuggler", "PLACE:urfa")
TWO_MEN = {"PERSON:abu zaid": {"a1": TRAINER, "a2": TRAINER + ("GROUP:egyptians",),
                               "a3": TRAINER[:1], "b1": SMUGGLER, "b2": SMUGGLER,
                               "b3": SMUGGLER + ("PLACE:akcakale",)}}


def entity_of(r, key: str, interview: str) -> str:
    return r.assignments.get(f"{key}@{interview}", r.assignments[key])


def test_two_men_behind_one_kunya_become_two_entities() -> None:
    r = resolve(corpus(TWO_MEN))
    key = "PERSON:abu zaid"
    trainer = {entity_of(r, key, i) for i in ("a1", "a2", "a3")}
    smuggler = {entity_of(r, key, i) for i in ("b1", "b2", "b3")}
    assert len(trainer) == len(smuggler) == 1 and trainer != smuggler
    names = {e.id: e.name for e in r.entities}
    (t,), (s,) = trainer, smuggler
    assert (names[t], names[s]) == ("Abu Zaid (sharia trainer)", "Abu Zaid (smuggler)")
    assert (t, s) == ("person:abu zaid (sharia trainer)", "person:abu zaid (smuggler)")
    # Kept apart, but listed for an analyst, with how alike the two contexts are (0-100).
    (pair,) = [p for p in r.possibly_same if {p[0], p[1]} == {t, s}]
    assert 0 <= pair[2] <= 20
    # Assignments: the plain key for one group, "key@interview" only where it differs.
    assert {k for k in r.assignments if "@" in k} == {f"{key}@{i}" for i in ("b1", "b2", "b3")}
    assert all(e.confidence == 1.0 for e in r.entities if e.id in (t, s))
    # Stable: the same evidence gives the same ids, whatever the order of the usage.
    again = resolve(list(reversed(corpus(TWO_MEN))))
    assert again.assignments == r.assignments and again.entities == r.entities


def test_ubiquitous_company_does_not_join_two_men() -> None:
    # Raqqa and the group's own name are in every interview: ignored, or all would be one.
    r = resolve(corpus(TWO_MEN, filler=0))
    assert entity_of(r, "PERSON:abu zaid", "a1") != entity_of(r, "PERSON:abu zaid", "b1")


def test_weak_or_mixed_evidence_keeps_one_entity() -> None:
    key = "PERSON:abu zaid"
    mixed = {key: {"a1": TRAINER, "a2": TRAINER + SMUGGLER[:1], "b1": SMUGGLER + TRAINER[:1],
                   "b2": SMUGGLER, "c1": TRAINER[:1] + SMUGGLER[1:]}}
    lone = {key: {"a1": TRAINER, "a2": TRAINER, "a3": TRAINER, "b1": SMUGGLER}}
    silent = {key: {"a1": (), "a2": (), "b1": (), "b2": ()}}
    for case in (mixed, lone, silent):
        r = resolve(corpus(case))
        assert not [k for k in r.assignments if "@" in k], case
        assert [e.name for e in r.entities if e.type == "PERSON"] == ["Abu Zaid"]


def test_lone_or_silent_interviews_join_a_group_never_an_entity_of_their_own() -> None:
    key = "PERSON:abu zaid"
    ctx = dict(TWO_MEN[key], c1=SMUGGLER[:1] + ("PLACE:tal abyad",), d1=(), d2=("ROLE:cook",))
    r = resolve(corpus({key: ctx}))
    people = {e.id for e in r.entities if e.type == "PERSON"}
    assert len(people) == 2
    assert entity_of(r, key, "c1") == entity_of(r, key, "b1")  # a smuggler's company
    # Nothing telling: with the main group (the one the plain key stands for).
    assert entity_of(r, key, "d1") == entity_of(r, key, "d2") == r.assignments[key]


def test_gazetteer_names_full_names_and_places_are_never_split() -> None:
    for key in ("PERSON:abu zaid", "PERSON:abu zaid masri", "PLACE:tabqa"):
        hints = {key: "Abu Zaid"} if key == "PERSON:abu zaid" else {}
        r = resolve(corpus({key: TWO_MEN["PERSON:abu zaid"]}, hints=hints))
        assert not [k for k in r.assignments if "@" in k], key
        assert len({entity_of(r, key, i) for i in ("a1", "b1")}) == 1


def test_analyst_decisions_on_context_split_entities_replay_and_undo() -> None:
    usage = corpus(TWO_MEN)
    key = "PERSON:abu zaid"
    r = resolve(usage)
    t, s = entity_of(r, key, "a1"), entity_of(r, key, "b1")
    keys_t = sorted(k for k, e in r.assignments.items() if e == t)
    keys_s = sorted(k for k, e in r.assignments.items() if e == s)
    merge = {"id": "m", "action": "merge", "keys": keys_t, "other_keys": keys_s,
             "name": "Abu Zaid"}
    merged = resolve(usage, [merge])
    assert len({entity_of(merged, key, i) for i in TWO_MEN[key]}) == 1
    assert not [k for k in merged.assignments if "@" in k]
    assert not [p for p in merged.possibly_same if "abu zaid" in p[0]]
    undone = resolve(usage, [merge, {"id": "u", "action": "undo", "undoes": "m"}])
    assert undone.assignments == r.assignments
    # A reject takes the pair off the review list and keeps the two apart.
    rejected = resolve(usage, [{"id": "r", "action": "reject", "keys": keys_t,
                                "other_keys": keys_s}])
    assert entity_of(rejected, key, "a1") != entity_of(rejected, key, "b1")
    assert not [p for p in rejected.possibly_same if {p[0], p[1]} == {t, s}]


def test_analyst_split_by_interview_replays_on_any_key() -> None:
    usage = corpus({"PERSON:bilal": {"x1": ("PLACE:urfa",), "x2": ("PLACE:urfa",)}}, filler=1)
    split = {"id": "s", "action": "split", "keys": ["PERSON:bilal"], "interviews": ["x2"],
             "name": "Bilal of x2"}
    r = resolve(usage, [split])
    assert set(r.assignments) >= {"PERSON:bilal", "PERSON:bilal@x2"}
    other = next(e for e in r.entities if e.id == r.assignments["PERSON:bilal@x2"])
    assert other.name == "Bilal of x2" and other.id != r.assignments["PERSON:bilal"]
    assert len({e.id for e in r.entities}) == len(r.entities)
    # Undone, or naming an interview the key is not in: one Bilal again.
    for decisions in ([split, {"id": "u", "action": "undo", "undoes": "s"}],
                      [dict(split, interviews=["nowhere"])]):
        again = resolve(usage, decisions)
        assert not [k for k in again.assignments if "@" in k]


# --- the sample corpus (fictional), as ingested ------------------------------------------------

def test_sample_corpus_two_abu_omars_one_abu_hamza_one_raqqa(sample_store) -> None:
    mentions = sample_store.mentions()
    omar = {m.interview_id: m.entity_id for m in mentions if m.key == "PERSON:abu omar"}
    # Trainer: int-05, int-07, int-12 (first-hand). Smuggler: int-02, int-06, int-08, int-09.
    trainer = {omar[i] for i in ("int-05", "int-07", "int-12")}
    smuggler = {omar[i] for i in ("int-02", "int-06", "int-08", "int-09")}
    assert len(trainer) == len(smuggler) == 1 and trainer != smuggler
    (t,), (s,) = trainer, smuggler
    assert "trainer" in sample_store.entity(t).name and "smuggler" in sample_store.entity(s).name
    # Every interview's Abu Omar is one of the two (never split inside an interview).
    assert {m.entity_id for m in mentions if m.key == "PERSON:abu omar"} == {t, s}
    assert len({(m.interview_id, m.entity_id) for m in mentions
                if m.key == "PERSON:abu omar"}) == len(omar)
    # Kept apart, listed for review.
    assert any({a, b} == {t, s} for a, b, _ in sample_store.possibly_same())

    def one(surfaces: set[str]) -> str:
        ids = {m.entity_id for m in mentions if m.surface in surfaces}
        assert len(ids) == 1, ids
        return ids.pop()

    tunisi = one({"Abu Hamza al-Tunisi", "Abu Hamzah al-Tounsi"})
    assert sample_store.entity(tunisi).name == "Abu Hamza al-Tunisi"
    one({"Abu Hamza", "Abu Hamzah"})  # the bare kunya: the same man everywhere, not split
    assert sample_store.entity(one({"Raqqa", "Raqqah", "ar-Raqqa"})).name == "Raqqa"


def test_extract_sees_the_same_usage_as_the_store(sample_store, nlp) -> None:
    """`extract` and the graph resolve from identical key usage, contexts included."""
    from graph_builder.extract.findings import key_usages
    from graph_builder.extract.pipeline import extract_many
    from graph_builder.load import IngestReport, read_interviews
    from graph_builder.ingest.readers import iter_transcripts
    from tests.conftest import SAMPLE_CORPUS

    interviews = read_interviews(iter_transcripts([SAMPLE_CORPUS]), IngestReport())
    assert key_usages(extract_many(interviews, nlp)) == sample_store.key_usage(sample_store.all_keys(), company=sample_store.all_keys())
