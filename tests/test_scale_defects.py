"""What broke at 1,000 interviews, each with a test that fails on the code before the fix.

- The resolver found one pair of spellings twice with two scores and the store's unique key on
  review pairs stopped the ingest after every interview was written.
- Writing an interview cost more the bigger the store was (the old full-text delete scanned
  the index, the old resolution re-read every mention): here the store's own work (SQLite
  virtual-machine steps, counted, not timed) to add one interview and resolve it must not
  grow with the store.
"""
from __future__ import annotations

import random

import pytest

from graph_builder.load import assignments_for, refresh_resolution
from graph_builder.model import ExtractedInterview, Interview, Interviewee, Mention, Turn
from graph_builder.resolve import resolve
from graph_builder.store.base import KeyUsage
from graph_builder.store.sqlite import SQLiteStore

SHARED = [("PLACE", "raka", "Raqqa"), ("PLACE", "raqah", "Raqqah"), ("ORG", "hisba", "hisbah"),
          ("PLACE", "mosul", "Mosul"), ("ROLE", "emir", "emir"), ("GROUP", "yazidis", "Yazidis"),
          ("PERSON", "abu hamza tunisi", "Abu Hamza al-Tunisi"), ("PERSON", "abu omar", "Abu Omar")]


GIVEN = ["Mahmud", "Khalid", "Yusuf", "Tariq", "Hassan", "Omar", "Bilal", "Zaid", "Fadi",
         "Nour", "Rami", "Samir", "Walid", "Ghassan", "Idris", "Jamal", "Layla", "Amina",
         "Fatima", "Huda", "Rasha", "Salma", "Dalia", "Iman", "Nadia", "Qasim", "Ehsan"]


def person_of(n: int, i: int) -> tuple[str, str, str]:
    """One interview's own people: a given name and a family of their own (relatives, a
    neighbour), spread over the alphabet as real names are."""
    given, family = GIVEN[(n * 7 + i) % len(GIVEN)], GIVEN[(n * 13 + i * 5) % len(GIVEN)]
    name = f"{given} {family}ani {n}"
    return ("PERSON", name.lower(), name)


def interview(n: int, rnd: random.Random) -> ExtractedInterview:
    """A FICTIONAL interview written directly as extracted facts: shared places, units and
    people, and people of its own."""
    turns, mentions, pos, text = [], [], 0, []
    for i in range(20):
        names = rnd.sample(SHARED, 3) + [person_of(n, i)]
        words = " ".join(surface for _, _, surface in names) + " were there."
        role = "interviewer" if i % 2 == 0 else "interviewee"
        turns.append(Turn(index=i, speaker="Q" if i % 2 == 0 else "A", speaker_role=role,
                          start=pos, end=pos + len(words), text=words))
        at = pos
        for etype, key, surface in names:
            mentions.append(Mention(turn_index=i, start=at, end=at + len(surface), text=surface,
                                    type=etype, key=f"{etype}:{key}", method="rule"))  # type: ignore[arg-type]
            at += len(surface) + 1
        text.append(words)
        pos += len(words) + 1
    iv = Interview(id=f"iv-{n:04d}", title=f"FICTIONAL {n}", source_path=f"/fictional/{n}.txt",
                   content_hash=f"h{n}", text="\n".join(text),
                   interviewee=Interviewee(pseudonym=f"Witness {n}"), turns=tuple(turns))
    return ExtractedInterview(interview=iv, mentions=tuple(mentions), links=(), themes=())


def store_with(path, count: int) -> SQLiteStore:
    store = SQLiteStore(path)
    rnd = random.Random(7)
    for n in range(count):
        e = interview(n, rnd)
        store.replace_interview(e, assignments_for(store, e))
    refresh_resolution(store)
    return store


def steps_to_add_one(store: SQLiteStore) -> int:
    """SQLite VM steps (in thousands) to write one new interview and resolve it."""
    steps = [0]

    def count() -> int:
        steps[0] += 1
        return 0

    e = interview(9999, random.Random(11))
    store._db.set_progress_handler(count, 1000)
    try:
        store.replace_interview(e, assignments_for(store, e))
        refresh_resolution(store)
    finally:
        store._db.set_progress_handler(None, 1000)
    return steps[0]


def test_adding_one_interview_costs_the_store_the_same_at_20_and_at_200(tmp_path) -> None:
    small = store_with(tmp_path / "small.db", 20)
    big = store_with(tmp_path / "big.db", 200)
    a, b = steps_to_add_one(small), steps_to_add_one(big)
    assert big.stats()["interviews"] == 201 and small.stats()["interviews"] == 21
    # Ten times the interviews; the same few shared entities in every one of them.
    assert b < 2 * a, (a, b)
    # ...and the answers are those of resolving everything again from scratch.
    ids = big.resolution()
    refresh_resolution(big, full=True)
    assert big.resolution() == ids


def test_a_pair_found_twice_is_kept_once_with_its_closest_score(tmp_path) -> None:
    # "Abu Yunis" and "Abu Yunis T" are close spellings (90) and a short name with one
    # extension in another interview (80): one review pair, at 90.
    usage = [KeyUsage(key="PERSON:abu yunis", type="PERSON", surfaces=(("Abu Yunis", 1),),
                      interviews=("a",), canonical_hint=None),
             KeyUsage(key="PERSON:abu yunis t", type="PERSON", surfaces=(("Abu Yunis T", 1),),
                      interviews=("b",), canonical_hint=None)]
    r = resolve(usage)
    assert r.possibly_same == (("person:abu yunis", "person:abu yunis t", 90.0),)
    assert r.key_pairs == (("PERSON:abu yunis", "PERSON:abu yunis t", 90.0),)
    # And the store takes it (it refused the second score before).
    store = SQLiteStore(tmp_path / "pairs.db")
    for n, (key, surface) in enumerate((("abu yunis", "Abu Yunis"), ("abu yunis t", "Abu Yunis T"))):
        turn = Turn(index=0, speaker="A", speaker_role="interviewee", start=0, end=len(surface),
                    text=surface)
        iv = Interview(id="ab"[n], title="FICTIONAL", source_path=f"/f/{n}", content_hash=str(n),
                       text=surface, interviewee=Interviewee(pseudonym=f"W{n}"), turns=(turn,))
        store.replace_interview(ExtractedInterview(iv, (Mention(0, 0, len(surface), surface,
                                                                "PERSON", f"PERSON:{key}",
                                                                "kunya"),), (), ()), {})
    refresh_resolution(store)
    assert list(store.possibly_same()) == [("person:abu yunis", "person:abu yunis t", 90.0)]


@pytest.mark.parametrize("count", [3])
def test_deleting_an_interview_takes_its_share_out_of_every_count(tmp_path, count) -> None:
    store = store_with(tmp_path / "d.db", count)
    before = {s.id: (s.mentions, s.interviews, s.interviewees)
              for s in store.find_entities([], None, 0, 1000)}
    e = interview(500, random.Random(3))
    store.replace_interview(e, assignments_for(store, e))
    refresh_resolution(store)
    assert store.delete_interview(e.interview.id)
    refresh_resolution(store)
    after = {s.id: (s.mentions, s.interviews, s.interviewees)
             for s in store.find_entities([], None, 0, 1000)}
    assert after == before
