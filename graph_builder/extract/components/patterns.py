"""Stage 3, `testimony_patterns`: names and events found by their shape, not by a list.

One component, four families of rules, each in its own module and run in this order (the
order of the spans, which the merger relies on among equal candidates):

    patterns_places.py   facilities ("Sadd al-Furat prison"), "the village of Kocho", Arabic
                         toponyms ("Jisr al-Shughur"), news datelines ("DOHUK —")
    patterns_persons.py  person cues ("12-year-old Dilan", "Mahira, 26,"), bylines, speakers
    patterns_orgs.py     Arabic names of armed groups ("Liwa al-Tawhid"), institutions
    patterns_events.py   event phrases ("the fall of Mosul", "Kobani massacre"), incidents
                         ("a flogging in Raqqa") and clause events ("ISIS stormed into Sinjar"),
                         resolved to the gazetteer's named events by place, class and year

The rules read a `PatternIndex` of what the gazetteer (and the model) already named in the doc.

Requires: `doc.spans["testimony_gazetteer"]`, `["testimony_suppressed"]` and `["testimony_kunya"]`
(and `doc.ents`, the tagger and the parser when present). Assigns `doc.spans["testimony_patterns"]`
(`id_` = "rule"; an event's `kb_id_` is its named event, or "").
"""
from __future__ import annotations

from dataclasses import dataclass

from spacy.language import Language
from spacy.tokens import Doc, Span

from graph_builder.extract.components.common import SPANS_GAZETTEER, SPANS_PATTERNS, SPANS_SUPPRESSED, span_group
from graph_builder.extract.components.gazetteer import Gazetteer, get_gazetteer
from graph_builder.extract.components.patterns_events import clause_events, np_events, resolve_placeless_events
from graph_builder.extract.components.patterns_orgs import arabic_org_names, institutions
from graph_builder.extract.components.patterns_persons import age_cues, bylines, person_cues, speakers
from graph_builder.extract.components.patterns_places import arabic_toponyms, datelines, facilities, place_of


@dataclass
class PatternIndex:
    """What the rules look up in one doc: the tokens already named, by kind."""

    gazetteer: Gazetteer
    places: dict[int, str]  # token -> canonical place (gazetteer, else the model's GPE/LOC/FAC)
    orgs: set[int]  # tokens of gazetteer organisations
    actors: set[int]  # ... of those that are armed actors (`actor: true`), subjects of clause events
    groups: set[int]  # ... of demonyms, whether or not they named people here ("Syrian school")
    gaz_tokens: set[int]  # ... of any gazetteer name

    @classmethod
    def of(cls, doc: Doc, gazetteer: Gazetteer) -> PatternIndex:
        gaz = span_group(doc, SPANS_GAZETTEER)
        return cls(
            gazetteer=gazetteer,
            places=place_index(doc, gaz),
            orgs={i for s in gaz if s.label_ == "ORG" for i in range(s.start, s.end)},
            actors={
                i
                for s in gaz
                if s.label_ == "ORG" and (e := gazetteer.entry_for("ORG", s.kb_id_)) is not None and e.actor
                for i in range(s.start, s.end)
            },
            groups={
                i for s in gaz + span_group(doc, SPANS_SUPPRESSED) if s.label_ == "GROUP" for i in range(s.start, s.end)
            },
            gaz_tokens={i for s in gaz for i in range(s.start, s.end)},
        )


def place_index(doc: Doc, gaz: list[Span]) -> dict[int, str]:
    """Token index -> canonical place, from the gazetteer and the model's GPE/LOC/FAC entities."""
    places: dict[int, str] = {}
    # "Khalid Murad ... seven of Murad's brothers": a one-word model place that is elsewhere a
    # person's name is that person (a gazetteer place below still wins)
    person_words = {e.text for e in doc.ents if e.label_ == "PERSON"} | {
        e[-1].text for e in doc.ents if e.label_ == "PERSON" and len(e) > 1
    }
    for ent in doc.ents:
        if ent.label_ in ("GPE", "LOC", "FAC"):
            if len(ent) == 1 and ent.text in person_words:
                continue
            for i in range(ent.start, ent.end):
                places[i] = ent.text
    for span in gaz:
        if span.label_ == "PLACE":
            for i in range(span.start, span.end):
                places[i] = span.kb_id_ or span.text
        elif span.label_ != "PLACE":
            for i in range(span.start, span.end):
                places.pop(i, None)
    return places


class PatternRules:
    """Rule-found mentions; writes `doc.spans["testimony_patterns"]`."""

    def __init__(self, nlp: Language, name: str) -> None:
        self.name = name
        self.gazetteer = get_gazetteer(nlp)

    def __call__(self, doc: Doc) -> Doc:
        ix = PatternIndex.of(doc, self.gazetteer)
        spans: list[Span] = []
        spans.extend(facilities(doc, ix))
        spans.extend(person_cues(doc, ix))
        spans.extend(age_cues(doc, ix))
        spans.extend(bylines(doc, ix))
        spans.extend(speakers(doc, ix))
        spans.extend(place_of(doc, ix))
        spans.extend(arabic_toponyms(doc, ix))
        spans.extend(arabic_org_names(doc, ix))
        spans.extend(institutions(doc, ix))
        spans.extend(datelines(doc, ix))
        spans.extend(np_events(doc, ix))
        spans.extend(clause_events(doc, ix))
        doc.spans[SPANS_PATTERNS] = resolve_placeless_events(doc, ix, spans)
        return doc


def make_patterns(nlp: Language, name: str) -> PatternRules:
    return PatternRules(nlp, name)
