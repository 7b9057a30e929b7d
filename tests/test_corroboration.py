"""Corroboration over the sample corpus: distinct sources, stance, prompting, disagreements."""
from __future__ import annotations

import pytest

from graph_builder.stance import sentence_around, stance_of
from queries.corroboration import corroborate_entity, corroborate_link, corroborate_turn
from queries.profiles import find_entities


@pytest.mark.parametrize("sentence, stance", [
    ("I saw them flog him in the square.", "first_hand"),
    ("My cousin told me they sold the women in Raqqa.", "hearsay"),
    ("People said the emir was a Tunisian.", "hearsay"),
    ("I think it was maybe three hundred men.", "hedged"),
    ("The market was near the clock tower.", "unmarked"),
])
def test_stance(sentence: str, stance: str) -> None:
    assert stance_of(sentence) == stance


def test_sentence_around() -> None:
    text = "We left at night. I saw Abu Omar at the border. Then we crossed."
    i = text.index("Abu Omar")
    assert sentence_around(text, i, i + 8) == "I saw Abu Omar at the border."


def entity_named(store, name: str, etype: str):
    found = [e.entity for e in find_entities(store, name, etype)]
    assert found, f"no {etype} named {name}"
    return found[0]


def test_a_place_named_by_several_witnesses_lists_each_once(sample_store) -> None:
    raqqa = entity_named(sample_store, "Raqqa", "PLACE")
    c = corroborate_entity(sample_store, raqqa.id)
    names = [s.pseudonym for s in c.sources]
    assert len(names) == len(set(names)) == c.source_count >= 4
    assert not c.single_source
    # One support per turn: a turn naming Raqqa twice is quoted once.
    turns = [s.turn.id for src in c.sources for s in src.supports]
    assert len(turns) == len(set(turns))
    assert all(len(src.supports) == src.turns for src in c.sources)
    for source in c.sources:
        for s in source.supports:
            assert s.turn.speaker_role == "interviewee"  # never the interviewer's words
            assert s.pseudonym == source.pseudonym
            iv_text = sample_store.interview(s.interview_id).text
            assert iv_text[s.start:s.end].lower().startswith("raqq") or "raq" in iv_text[s.start:s.end].lower()


def test_hearsay_weighs_less_than_first_hand(sample_store) -> None:
    raqqa = entity_named(sample_store, "Raqqa", "PLACE")
    c = corroborate_entity(sample_store, raqqa.id)
    assert c.weighted_support <= c.source_count
    stances = {s.stance for src in c.sources for s in src.supports}
    assert "first_hand" in stances


def test_link_and_turn_corroboration(sample_store) -> None:
    raqqa = entity_named(sample_store, "Raqqa", "PLACE")
    hisbah = entity_named(sample_store, "hisbah", "ORG")
    c = corroborate_link(sample_store, raqqa.id, hisbah.id)
    assert c.source_count >= 2
    turn = c.sources[0].supports[0].turn
    similar = corroborate_turn(sample_store, turn.id)
    assert similar and all(s.turn.interview_id != turn.interview_id for s in similar)
    assert [s.score for s in similar] == sorted((s.score for s in similar), reverse=True)


def test_witnesses_who_disagree_on_the_date_of_an_event_are_shown_side_by_side(sample_store) -> None:
    # Two fictional witnesses date the taking of Sinjar differently (3rd vs 4th of August).
    event = entity_named(sample_store, "Sinjar massacre", "EVENT")
    c = corroborate_entity(sample_store, event.id)
    assert c.source_count >= 2
    dates = next(d for d in c.disagreements if d.aspect == "dates")
    versions = dict(dates.versions)
    assert "third of august" in versions["Shireen"] and "fourth of august" in versions["Abu Hareth"]


def test_sources_come_a_page_at_a_time_with_the_counts_of_all(sample_store) -> None:
    raqqa = entity_named(sample_store, "Raqqa", "PLACE")
    every = corroborate_entity(sample_store, raqqa.id, limit=None)
    first = corroborate_entity(sample_store, raqqa.id, limit=3)
    rest = corroborate_entity(sample_store, raqqa.id, offset=3, limit=100)
    assert len(first.sources) == 3 and first.has_next and not rest.has_next
    assert [s.pseudonym for s in first.sources + rest.sources] == [s.pseudonym for s in every.sources]
    assert first.source_count == every.source_count == len(every.sources)
    assert first.weighted_support == every.weighted_support == round(
        sum(s.weight for s in every.sources), 3)
    ranks = [s.weight for s in every.sources]
    assert ranks == sorted(ranks, reverse=True)  # strongest first
