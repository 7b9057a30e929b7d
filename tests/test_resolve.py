"""Resolution across interviews: grouping keys, review pairs, and replay of analyst decisions."""
from __future__ import annotations

from graph_builder.resolve import resolve
from graph_builder.store.base import KeyUsage


def usage(key: str, *surfaces: str, hint: str | None = None, interviews=("a",)) -> KeyUsage:
    return KeyUsage(key=key, type=key.split(":")[0], surfaces=tuple((s, 1) for s in surfaces),
                    interviews=tuple(interviews), canonical_hint=hint, neighbours=())


def test_same_gazetteer_canonical_is_one_entity() -> None:
    r = resolve([usage("PLACE:raqa", "Raqqa", hint="Raqqa"),
                 usage("PLACE:ar raqa", "ar-Raqqa", hint="Raqqa")])
    assert r.assignments["PLACE:raqa"] == r.assignments["PLACE:ar raqa"]
    (entity,) = r.entities
    assert entity.name == "Raqqa"
    assert set(entity.aliases) == {"Raqqa", "ar-Raqqa"}


def test_close_spellings_merge_but_types_stay_apart() -> None:
    r = resolve([usage("PLACE:tabqa", "Tabqa"), usage("PLACE:tabqah", "Tabqah"),
                 usage("ORG:tabqa", "Tabqa")])
    assert r.assignments["PLACE:tabqa"] == r.assignments["PLACE:tabqah"]
    assert r.assignments["ORG:tabqa"] != r.assignments["PLACE:tabqa"]
    merged = next(e for e in r.entities if e.id == r.assignments["PLACE:tabqa"])
    assert merged.confidence < 1.0  # a fuzzy merge is less certain than an exact one


def test_different_kunya_or_gazetteer_entries_never_merge() -> None:
    r = resolve([usage("PERSON:abu omar", "Abu Omar"), usage("PERSON:um omar", "Umm Omar"),
                 usage("PLACE:point 9", "Point 9"), usage("PLACE:point 8", "Point 8"),
                 usage("PLACE:manbij", "Manbij", hint="Manbij"),
                 usage("PLACE:manbijj", "Manbijj", hint="Manbij Camp")])
    ids = r.assignments
    assert ids["PERSON:abu omar"] != ids["PERSON:um omar"]
    assert ids["PLACE:point 9"] != ids["PLACE:point 8"]
    assert ids["PLACE:manbij"] != ids["PLACE:manbijj"]


def test_short_name_joins_its_only_extension_when_context_agrees() -> None:
    r = resolve([usage("PERSON:abu hamza", "Abu Hamza", interviews=("a",)),
                 usage("PERSON:abu hamza al tunisi", "Abu Hamza al-Tunisi", interviews=("a", "b"))])
    assert r.assignments["PERSON:abu hamza"] == r.assignments["PERSON:abu hamza al tunisi"]
    assert r.entities[0].confidence == 0.9


def test_uncertain_person_pairs_are_kept_apart_for_review() -> None:
    r = resolve([usage("PERSON:abu hamza", "Abu Hamza", interviews=("c",)),
                 usage("PERSON:abu hamza al tunisi", "Abu Hamza al-Tunisi", interviews=("a",))])
    a, b = r.assignments["PERSON:abu hamza"], r.assignments["PERSON:abu hamza al tunisi"]
    assert a != b
    assert [(x, y) for x, y, _ in r.possibly_same] == [tuple(sorted((a, b)))]
    # Two men whose names differ by a vowel are not merged by spelling alone.
    r = resolve([usage("PERSON:abu omar", "Abu Omar"), usage("PERSON:abu amer", "Abu Amer")])
    assert r.assignments["PERSON:abu omar"] != r.assignments["PERSON:abu amer"]


def test_analyst_decisions_are_replayed_and_undo_works() -> None:
    keys = [usage("PERSON:abu omar", "Abu Omar"), usage("PERSON:abu amer", "Abu Amer"),
            usage("PLACE:raqa", "Raqqa"), usage("PLACE:raqah", "Raqqah")]
    merge = {"id": "d1", "action": "merge", "keys": ["PERSON:abu omar"],
             "other_keys": ["PERSON:abu amer"], "name": "Abu Omar al-Halabi"}
    r = resolve(keys, [merge])
    assert r.assignments["PERSON:abu omar"] == r.assignments["PERSON:abu amer"]
    merged = next(e for e in r.entities if e.id == r.assignments["PERSON:abu amer"])
    assert merged.name == "Abu Omar al-Halabi"

    reject = {"id": "d2", "action": "reject", "keys": ["PLACE:raqa"], "other_keys": ["PLACE:raqah"]}
    r = resolve(keys, [merge, reject])
    assert r.assignments["PLACE:raqa"] != r.assignments["PLACE:raqah"]

    r = resolve(keys, [merge, reject, {"id": "d3", "action": "undo", "undoes": "d1"}])
    assert r.assignments["PERSON:abu omar"] != r.assignments["PERSON:abu amer"]


def test_rename_and_split() -> None:
    keys = [usage("PLACE:raqa", "Raqqa", hint="Raqqa"), usage("PLACE:ar raqa", "ar-Raqqa", hint="Raqqa"),
            usage("PLACE:raqa governorate", "Raqqa province")]
    r = resolve(keys, [{"id": "d1", "action": "rename", "keys": ["PLACE:raqa"], "name": "ar-Raqqah city"}])
    assert next(e for e in r.entities if e.id == r.assignments["PLACE:raqa"]).name == "ar-Raqqah city"
    r = resolve(keys, [{"id": "d1", "action": "split", "keys": ["PLACE:ar raqa"], "name": "ar-Raqqa (old city)"}])
    assert r.assignments["PLACE:raqa"] != r.assignments["PLACE:ar raqa"]
    assert len({e.id for e in r.entities}) == len(r.entities)


def test_decisions_may_name_a_key_in_one_interview() -> None:
    """A decision naming "key@interview" (as `keys_of` lists it) acts on that interview's
    mentions only; a unit of an interview the key is no longer in is ignored."""
    keys = [usage("PERSON:abu omar", "Abu Omar", interviews=("a", "b", "c")),
            usage("PERSON:abu amer", "Abu Amer", interviews=("d",))]
    r = resolve(keys, [{"id": "d1", "action": "split", "keys": ["PERSON:abu omar@b"]}])
    assert r.assignments["PERSON:abu omar@b"] != r.assignments["PERSON:abu omar"]
    assert "PERSON:abu omar@a" not in r.assignments  # same as the plain key: not repeated
    # A merge joins entities: the one holding that interview's mentions joins the other.
    split_b = {"id": "d1", "action": "split", "keys": ["PERSON:abu omar@b"]}
    r = resolve(keys, [split_b, {"id": "d2", "action": "merge", "keys": ["PERSON:abu omar@b"],
                                 "other_keys": ["PERSON:abu amer"]}])
    assert r.assignments["PERSON:abu omar@b"] == r.assignments["PERSON:abu amer"]
    assert r.assignments["PERSON:abu omar"] != r.assignments["PERSON:abu amer"]
    r = resolve(keys, [{"id": "d1", "action": "split", "keys": ["PERSON:abu omar@zzz"]}])
    assert set(r.assignments) == {"PERSON:abu omar", "PERSON:abu amer"}
