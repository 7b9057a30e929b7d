"""EVENT patterns on fictional sentences: clause events with descriptive subjects and movement
verbs, actor attacks, dated incidents, and resolving to a named event only when place and time fit."""

from __future__ import annotations

import pytest
from spacy.language import Language
from spacy.tokens import Doc

from graph_builder.extract.pipeline import build_extractor


@pytest.fixture(scope="module")
def modelled() -> Language:
    return build_extractor()


def events(doc: Doc) -> dict[str, str]:
    return {s.text: s.kb_id_ for s in doc.spans["mentions"] if s.label_ == "EVENT"}


def test_descriptive_subjects_make_clause_events(modelled: Language) -> None:
    doc = modelled("Weeks later its fighters advanced on the villages of Sinjar on August 4, 2014, my uncle said.")
    assert events(doc) == {"its fighters advanced on the villages of Sinjar on August 4, 2014": "Sinjar massacre"}
    doc = modelled("When the terror group seized the farms around Sinjar last month, we ran to the mountain.")
    assert events(doc) == {"the terror group seized the farms around Sinjar": "Sinjar massacre"}


def test_movement_verbs_need_a_town_not_a_country(modelled: Language) -> None:
    doc = modelled("Daesh took our village first. Then they entered Mosul and the shops closed.")
    assert events(doc).get("entered Mosul") == "Fall of Mosul"
    # travel into a country is not an event, nor is a person's movement
    assert events(modelled("My cousin said he entered Syria through Turkey in a taxi.")) == {}
    assert events(modelled("The foreign fighters entered Syria by bus.")) == {}


def test_they_is_an_actor_only_when_the_last_group_named_was_armed(modelled: Language) -> None:
    doc = modelled("The Yazidis packed their cars. They entered Sinjar at night.")
    assert events(doc) == {}


def test_relative_time_between_noun_and_place(modelled: Language) -> None:
    doc = modelled("The assault last week on Kobani emptied the market.")
    assert events(doc) == {"assault last week on Kobani": "Siege of Kobani"}


def test_undated_attack_is_not_the_one_night_massacre(modelled: Language) -> None:
    doc = modelled("When Daesh attacked Kobani, my father hid us in the cellar.")
    assert events(doc) == {"Daesh attacked Kobani": "Siege of Kobani"}
    # an attack reported with its killings is the massacre
    doc = modelled("ISIS attacked Kobani and killed dozens of civilians in their homes.")
    assert list(events(doc).values()) == ["Kobani massacre"]
    # a dated attack goes to the event of that year
    doc = modelled("ISIS attacked Kobani in 2015 and killed many neighbours.")
    assert list(events(doc).values()) == ["Kobani massacre"]


def test_dated_unnamed_incident(modelled: Language) -> None:
    doc = modelled("Her leg was hurt by a twin car bombing that hit the market in 2009.")
    assert events(doc) == {"twin car bombing": "twin car bombing (2009)"}
    # an undated, unplaced bombing is not specific
    assert events(modelled("He talked about a car bombing that scared everyone.")) == {}


def test_actor_attack_takes_the_documents_event(modelled: Language) -> None:
    doc = modelled(
        "Two years after the ISIS attack, the camp is still full. "
        "ISIS attacked the Sinjar region in August 2014 and took the women."
    )
    assert events(doc).get("ISIS attack") == "Sinjar massacre"


def test_a_named_massacre_is_that_massacre_even_without_a_date(modelled: Language) -> None:
    # "massacre" is itself the killing that a one-night event needs; no year is required.
    doc = modelled("Survivors of the Kobanê massacre were taken across the border to Urfa.")
    assert "Kobani massacre" in events(doc).values()
    doc = modelled("The attack on the city of Kobani lasted months.")
    assert "Kobani massacre" not in events(doc).values()


def test_a_verb_attack_is_no_event(modelled: Language) -> None:
    doc = modelled("They told the boys they would be sent to attack in France one day.")
    assert not [t for t in events(doc) if t.startswith("attack")]


def test_a_place_before_which_fell_is_the_fall(modelled: Language) -> None:
    doc = modelled("Our cousins drove past Mosul, which fell to the militants two years ago, and reached the river.")
    assert "Fall of Mosul" in events(doc).values()
    assert not any(t.endswith("ago") for t in events(doc))


def test_a_conjoined_verb_shares_the_armed_subject(modelled: Language) -> None:
    doc = modelled("The jihadists crossed the desert at night and stormed the small town of Tal Afar.")
    assert "Fall of Tal Afar" in events(doc).values()
    doc = modelled("The fighters captured the nurse and took her to a house near Mosul.")
    assert not [t for t in events(doc) if t.startswith("took")]


def test_an_armed_advance_on_a_town_and_a_place_attack(modelled: Language) -> None:
    doc = modelled("Many families fled during the ISIS advance in Sinjar with nothing.")
    assert events(doc).get("ISIS advance in Sinjar") == "Sinjar massacre"
    doc = modelled("Only a few men lived through the Kocho attack that summer.")
    assert events(doc).get("Kocho attack") == "Kocho massacre"
    doc = modelled("He later served in the Manbij operation as a medic.")
    assert events(doc).get("Manbij operation") == "Battle of Manbij"
