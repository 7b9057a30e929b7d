"""How a witness knows what a sentence says, per sentence, with the cue kept as evidence:
measured on the FICTIONAL gold sets, and on the sample corpus's cases."""
from __future__ import annotations

import pytest

from graph_builder.extract.evaluate import epistemic_report
from graph_builder.stance import epistemic_status
from queries.corroboration import corroborate_entity
from queries.profiles import find_entities


def test_accuracy_on_the_gold_sets_is_at_least_point_nine() -> None:
    report = epistemic_report()
    for name, scores in report.items():
        assert scores["accuracy"] >= 0.9, (name, scores["errors"])
        assert all(row["gold"] >= 20 for row in scores["statuses"].values())  # balanced
    assert report["tuned on"]["sentences"] >= 200


@pytest.mark.parametrize(("sentence", "status", "cue"), [
    ("He was from the hisbah, people said.", "hearsay", "people said"),
    ("He said he was in Shengal, that they took Shengal on the third of August.", "hearsay", "He said"),
    ("In 2014 I moved to Raqqa.", "first_hand", "I"),
    ("Some people say the third, but I know it was the fourth.", "first_hand", "I"),
    ("The emir told us to leave before dawn.", "first_hand", "us"),  # an order heard given
    ("My cousin told me they burned the church.", "hearsay", "My cousin told"),
    ("I heard the shots from the roof.", "first_hand", "I"),  # heard a sound, not a rumour
    ("I heard that the prison was under the stadium.", "hearsay", "I heard that"),
    ("There were around fifty women in the house.", "hedged", "around fifty"),
    ("I'm not sure, but the emir was probably Iraqi.", "hedged", "probably"),
    ("The hisbah controlled the market.", "unmarked", ""),
])
def test_each_status_keeps_its_cue(sentence: str, status: str, cue: str) -> None:
    assert epistemic_status(sentence) == (status, cue)


def test_the_sample_corpus_sources_of_sinjar_are_people_with_their_status(sample_store) -> None:
    sinjar = next(e for e in find_entities(sample_store, "Sinjar", "PLACE", limit=5)
                  if e.entity.name == "Sinjar")
    c = corroborate_entity(sample_store, sinjar.id, limit=None)
    by_name = {s.pseudonym: s for s in c.sources}
    assert len(by_name) == len(c.sources) == c.source_count  # one source per interviewee
    mustafa = by_name["Abu Mustafa"]
    # his one turn is one support, however many times it names the place
    assert len({s.turn.id for s in mustafa.supports}) == len(mustafa.supports) == 1
    assert mustafa.stance == "hearsay" and mustafa.supports[0].stance == "hearsay"
    assert by_name["Abu Hareth"].stance == "first_hand"


def test_we_moved_to_raqqa_is_first_hand(sample_store) -> None:
    raqqa = next(e for e in find_entities(sample_store, "Raqqa", "PLACE", limit=5)
                 if e.entity.name == "Raqqa")
    c = corroborate_entity(sample_store, raqqa.id, limit=None)
    moved = [s for src in c.sources for s in src.supports if "moved to Raqqa" in s.quote]
    assert moved and all(s.stance == "first_hand" for s in moved)


def test_the_sinjar_corroboration_shows_the_day_abu_hareth_gives_otherwise(sample_store) -> None:
    """"Some people say the third, but I know it was the fourth" against two witnesses who
    say the third of August: the day each gives, side by side."""
    c = corroborate_entity(sample_store, "place:sinjar", limit=10)
    (dates,) = [d for d in c.disagreements if d.aspect == "dates"]
    versions = dict(dates.versions)
    assert versions["Abu Hareth"] == ("4 August",)
    assert versions["Shireen"] == versions["Abu Mustafa"] == ("3 August",)
    # and a place whose sources name years only shows no dispute
    raqqa = corroborate_entity(sample_store, "place:raka", limit=10)
    assert not [d for d in raqqa.disagreements if d.aspect == "dates"]
