"""Pattern rules for events (part of `testimony_patterns`, see patterns.py).

Noun phrases ("the fall of Mosul", "the assault last month on Kobani", "Kobani massacre",
"Daesh siege", "five-month resistance"), incidents at a place or dated by their clause ("a
flogging in Raqqa", "a double truck bombing that struck ... in 2007") and, with a parse, clause
events with an armed group or a place as subject ("ISIL attacked Iraq's northern Sinjar region
in August 2014", "Mosul fell", "they entered Mosul"). An event is resolved to the gazetteer's
named event at its place when its class (attack or battle) and year fit; an event naming no
place takes the one named event of its class the rest of the doc names. Each rule yields EVENT
spans; the component writes them to `doc.spans["testimony_patterns"]`.
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import re
from collections.abc import Iterable

from spacy.tokens import Doc, Span, Token

from graph_builder.extract.components.common import HYPHENS, has_parse, is_titleish, make_span
from graph_builder.extract.components.lexicon import (
    ACTOR_GROUP_MODIFIERS,
    ACTOR_NOUNS,
    ATTACK_TRIGGERS,
    BATTLE_TRIGGERS,
    CLAUSE_EVENT_VERBS,
    CONJ_EVENT_VERBS,
    COUNTRIES,
    DETERMINERS,
    DIRECTION_WORDS,
    DURATION_UNITS,
    EVENT_NOUNS,
    EVENT_PREPS,
    EVENT_SUFFIXES,
    FALL_EVENT_WORDS,
    INCIDENT_MODIFIERS,
    INCIDENT_NOUNS,
    KILLING_WORDS,
    MOVEMENT_EVENT_VERBS,
    NP_GLUE_WORDS,
    PLACE_EVENT_VERBS,
    PLACE_NOUNS,
    TIME_UNITS,
)

if TYPE_CHECKING:
    from graph_builder.extract.components.patterns import PatternIndex


def _years_in(tokens: Iterable[Token]) -> list[int]:
    return [int(t.text) for t in tokens if re.fullmatch(r"(?:19|20)\d\d", t.text)]


def _trigger_class(words: Iterable[str]) -> str | None:
    words = [w.lower() for w in words]
    if any(w in ATTACK_TRIGGERS for w in words):
        return "attack"
    if any(w in BATTLE_TRIGGERS for w in words):
        return "battle"
    return None


def np_events(doc: Doc, ix: PatternIndex) -> Iterator[Span]:
    """EVENT noun phrases: "the fall of Mosul", "Kobani massacre", "Daesh siege", "five-month resistance"."""
    n = len(doc)
    for i, tok in enumerate(doc):
        low = tok.lower_
        # trigger + of/on/for + NP ending in a named place or person
        # "the assault last month on Kobani": a relative time may sit between noun and place
        k = i + 1
        if k + 1 < n and doc[k].lower_ in ("last", "this", "past") and doc[k + 1].lower_ in TIME_UNITS:
            k += 2
        elif k < n and doc[k].lower_ == "yesterday":
            k += 1
        if low in EVENT_NOUNS and k < n and doc[k].lower_ in EVENT_PREPS and not (has_parse(doc) and tok.pos_ in ("VERB", "AUX")) and not (i > 0 and doc[i - 1].lower_ == "to"):
            # "to attack in Europe" is an act being planned, not an event (the verb reading, even mis-tagged)
            # only a fall or an overthrow happens to a person ("the fall of Saddam Hussein")
            end = _np_end(doc, ix, k + 1, places_only=low not in ("fall", "overthrow"))
            if end is not None:
                start = i
                if start > 0 and doc[start - 1].lower_ in ("air",):
                    start -= 1
                yield _event(doc, ix, start, end)
            continue
        # incident + in/at/on + place: "a flogging in Raqqa", "the airstrike on Manbij"
        if low in INCIDENT_NOUNS:
            mod = i  # "a double truck bombing": the kind words belong to the incident
            while mod > 0 and doc[mod - 1].lower_ in INCIDENT_MODIFIERS:
                mod -= 1
            if mod > 0 and doc[mod - 1].lower_ in ("a", "an", "the", "that", "this"):
                if i + 1 < n and doc[i + 1].lower_ in ("in", "at", "on", "near"):
                    end = _np_end(doc, ix, i + 2, places_only=True)
                    if end is not None:
                        yield _incident(doc, ix, mod, end)
                        continue
                # "a double truck bombing that struck her neighbourhood in 2007": specific by its date
                if mod < i and _dated_incident(tok):
                    yield _incident(doc, ix, mod, i + 1)
            continue
        # [place | actor | demonym] + massacre/siege/offensive: "Kobani massacre", "Daesh siege", "Iraqi offensive"
        # "the ISIL attack", "a Daesh assault": an armed group's attack is an event
        # "an IS advance in Sinjar": an armed group's advance on a named town
        if low == "advance" and i > 0 and doc[i - 1].i in ix.actors and tok.tag_ == "NN" and i + 1 < n and doc[i + 1].lower_ in ("in", "on", "into", "upon", "towards", "toward"):
            end = _np_end(doc, ix, i + 2, places_only=True)
            if end is not None and not all(ix.places.get(t) in COUNTRIES for t in range(i + 2, end) if t in ix.places):
                j = i - 1
                while j > 0 and doc[j - 1].i in ix.actors:
                    j -= 1
                yield _event(doc, ix, j, end)
            continue
        if low in ("attack", "assault") and i > 0 and doc[i - 1].i in ix.actors and tok.tag_ == "NN":
            j = i - 1
            while j > 0 and doc[j - 1].i in ix.actors:
                j -= 1
            yield _event(doc, ix, j, i + 1)
            continue
        if low in EVENT_SUFFIXES and i > 0:
            prev = doc[i - 1]
            j = i - 1
            if prev.i in ix.places or prev.i in ix.actors or prev.i in ix.orgs:
                while j > 0 and (doc[j - 1].i in ix.places or doc[j - 1].i in ix.orgs) and doc[j - 1].text not in (",", "."):
                    j -= 1
                yield _event(doc, ix, j, i + 1)
            elif low == "offensive" and is_titleish(prev) and prev.text.endswith(("i", "n", "sh")) and prev.is_alpha:
                yield _event(doc, ix, j, i + 1)  # "Iraqi offensive", "Turkish offensive"
            elif prev.lower_ in DURATION_UNITS and i >= 3 and doc[i - 2].text in HYPHENS:
                yield _event(doc, ix, i - 3, i + 1)  # "five-month resistance"
            continue


def clause_events(doc: Doc, ix: PatternIndex) -> Iterator[Span]:
    """EVENT clauses: "ISIL attacked Iraq's northern Sinjar region in August 2014", "Mosul fell",
    "its fighters advanced on Sinjar", "the terror group seized ...", "they entered Mosul"."""
    if not has_parse(doc):
        return
    for verb in doc:
        if verb.pos_ not in ("VERB", "AUX"):
            continue
        subjects = [c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")]
        if not subjects and verb.dep_ == "conj" and verb.head.pos_ in ("VERB", "AUX") and verb.lower_ in CONJ_EVENT_VERBS and not any(
            c.dep_ == "dobj" and (c.pos_ == "PRON" or c.ent_type_ == "PERSON") for c in verb.children
        ):
            # "they made their first push ... and overran the base": a conjoined verb shares its
            # first verb's subject; the event is the verb and what follows it
            shared = [c for c in verb.head.children if c.dep_ == "nsubj"]
            if shared and (shared[0].i in ix.actors or _actor_phrase(ix, shared[0]) or (shared[0].lower_ == "they" and _actor_nearby(doc, ix, verb))):
                end = _clause_end(doc, verb)
                if any(t in ix.places and ix.places[t] not in COUNTRIES for t in range(verb.i + 1, end)) and verb.lower_ not in MOVEMENT_EVENT_VERBS:
                    yield _event(doc, ix, verb.i, end)
            continue
        if not subjects:
            continue
        subj = subjects[0]  # "Daesh gangs killed ...": the subject is "gangs", not an actor
        if verb.lower_ == "fell" and verb.dep_ in ("relcl", "advcl", "acl") and subj.lower_ in ("which", "that") and subj.i < verb.i:
            # "Mosul, which fell to the militants": the relative clause's place is its antecedent
            # (the word just before the pronoun; the parser often hangs the clause elsewhere)
            ante = subj.i - 1
            if ante >= 0 and doc[ante].text == ",":
                ante -= 1
            if ante >= 0 and ante in ix.places and ix.places[ante] not in COUNTRIES:
                start = ante
                while start > 0 and ix.places.get(start - 1) == ix.places[ante]:
                    start -= 1
                yield _event(doc, ix, start, _clause_end(doc, verb))
            continue
        if verb.lower_ in CLAUSE_EVENT_VERBS and subj.dep_ == "nsubj" and (
            subj.i in ix.actors or _actor_phrase(ix, subj)
        ):
            start = min(t.i for t in subj.subtree)
            if subj.i in ix.actors:  # "ISIL attacked ...", not "the ISIL attacked"
                while start < subj.i and doc[start].lower_ in DETERMINERS:
                    start += 1
        elif verb.lower_ in CLAUSE_EVENT_VERBS and subj.dep_ == "nsubj" and subj.lower_ == "they" and _actor_nearby(doc, ix, verb):
            start = verb.i  # "they entered Mosul": the pronoun is not part of the event
        elif verb.lower_ in PLACE_EVENT_VERBS and subj.i in ix.places and subj.i < verb.i:
            if verb.lower_ != "fell" and subj.dep_ != "nsubjpass":
                continue  # "Sinjar was taken", "before Mosul fell"
            yield _event(doc, ix, min(t.i for t in subj.subtree if t.i >= subj.left_edge.i and t.lower_ not in DETERMINERS), _clause_end(doc, verb))
            continue
        else:
            continue
        end = _clause_end(doc, verb)
        places = [ix.places[t] for t in range(verb.i + 1, end) if t in ix.places]
        if not places:
            continue  # an event of this graph happens somewhere named
        if verb.lower_ in MOVEMENT_EVENT_VERBS or subj.i not in ix.actors:
            if all(p in COUNTRIES for p in places):
                continue  # "he entered Syria via Turkey" is travel
            if verb.lower_ == "advanced" and not any(c.dep_ == "prep" and c.lower_ in ("on", "into", "upon") for c in verb.children):
                continue
        yield _event(doc, ix, start, end)


def resolve_placeless_events(doc: Doc, ix: PatternIndex, spans: list[Span]) -> list[Span]:
    """"A year after the ISIL attack": an event naming no place is the one named event of its
    class that the rest of the document places and dates, when there is exactly one."""
    resolved: dict[str, set[str]] = {}
    for span in spans:
        if span.label_ == "EVENT" and span.kb_id_:
            entry = ix.gazetteer.entry_for("EVENT", span.kb_id_)
            if entry is not None and entry.event_class:
                resolved.setdefault(entry.event_class, set()).add(span.kb_id_)
    out = []
    for span in spans:
        if span.label_ == "EVENT" and not span.kb_id_:
            cls = _trigger_class(t.text for t in span)
            if cls and not any(t in ix.places for t in range(span.start, span.end)) and len(resolved.get(cls, ())) == 1:
                span = make_span(doc, span.start, span.end, "EVENT", next(iter(resolved[cls])), "rule")
        out.append(span)
    return out


def _np_end(doc: Doc, ix: PatternIndex, k: int, places_only: bool = False) -> int | None:
    """End of a noun phrase starting at k that ends in a named place (or person)."""
    end = None
    for j in range(k, min(len(doc), k + 8)):
        tok = doc[j]
        if j in ix.places or (not places_only and tok.ent_type_ == "PERSON"):
            end = j + 1  # "the Rojava canton of Kobani": keep going to the last name
        elif tok.lower_ in NP_GLUE_WORDS or tok.text in HYPHENS or tok.lower_ in PLACE_NOUNS | DIRECTION_WORDS:
            continue
        elif not (is_titleish(tok) and tok.is_alpha and not places_only):
            break
    return end


def _event(doc: Doc, ix: PatternIndex, start: int, end: int) -> Span:
    span = doc[start:end]
    places = [ix.places[t] for t in range(start, end) if t in ix.places]
    canonical = ""
    cls = _trigger_class(t.text for t in span)
    if cls:
        sent = span.sent if has_parse(doc) else span
        years = _years_in(span) or _years_in(sent)
        killing = any(t.lower_ in KILLING_WORDS for t in sent)
        for place in dict.fromkeys(places):
            canonical = ix.gazetteer.events_at(place, cls, years, killing) or ""
            if canonical:
                break
        if not canonical and years and places and ix.gazetteer.events_at(places[0], cls, (), True):
            # a dated event at a place of named events that is none of them: "attack on Kobani (2016)"
            canonical = f"{'battle' if cls == 'battle' else 'attack'} on {places[0]} ({years[0]})"
    if not canonical and places and any(t.lower_ in FALL_EVENT_WORDS for t in span):
        # what it is, where and when, so that the witnesses of one event meet on it:
        # "Manbij fell in 2016", "when the SDF took Manbij in 2016" -> "fall of Manbij (2016)"
        sent = span.sent if has_parse(doc) else span
        years = _years_in(span) or _years_in(sent)
        canonical = f"fall of {places[0]}" + (f" ({years[0]})" if years else "")
    return make_span(doc, start, end, "EVENT", canonical, "rule")


def _dated_incident(tok: Token) -> bool:
    """An incident whose own clause gives its year: "a bombing that struck ... in 2007"."""
    if not has_parse(tok.doc):
        return False
    clauses = [c for c in tok.children if c.dep_ in ("relcl", "acl", "prep")]
    return any(_years_in(t for t in c.subtree if t.text not in ("—", "–")) for c in clauses)


def _incident(doc: Doc, ix: PatternIndex, start: int, end: int) -> Span:
    span = doc[start:end]
    places = [ix.places[t] for t in range(start, end) if t in ix.places]
    head = next((t for t in span if t.lower_ in INCIDENT_NOUNS), doc[start])
    years = _years_in(doc[start : min(len(doc), end + 4)]) or _years_in(head.subtree)
    label = " ".join(t.lower_ for t in doc[start : head.i + 1])
    where = ", ".join(dict.fromkeys([*places[-1:], *(str(y) for y in years[:1])]))
    canonical = f"{label} ({where})" if where else ""
    return make_span(doc, span.start, span.end, "EVENT", canonical, "rule")


def _actor_phrase(ix: PatternIndex, subj: Token) -> bool:
    """A subject that names an armed group by description: "its fighters", "the terror group"."""
    if subj.lower_ in ACTOR_NOUNS:
        return not any(c.i in ix.groups or c.lower_ in ("foreign", "female", "former") for c in subj.children)
    if subj.lemma_.lower() in ("group", "organisation", "organization"):
        return any(c.lower_ in ACTOR_GROUP_MODIFIERS for c in subj.children)
    return False


def _actor_nearby(doc: Doc, ix: PatternIndex, verb: Token) -> bool:
    """Whether "they" is an armed group: the nearest group named before it (within ~100 tokens)
    is an armed group, not a people ("the Yazidis ... they fled")."""
    for i in range(verb.i - 1, max(-1, verb.i - 100), -1):
        if i in ix.actors:
            return True
        if i in ix.groups:
            return False
    return False


def _clause_end(doc: Doc, verb: Token) -> int:
    """The verb's object and adjuncts, up to the first comma: "... into Sinjar province"."""
    end = verb.i + 1
    for child in verb.children:
        if child.i < verb.i or child.dep_ in ("punct", "cc", "conj", "advcl", "relcl", "ccomp", "parataxis", "mark", "xcomp", "dep"):
            continue
        end = max(end, max(t.i for t in child.subtree) + 1)
    for t in doc[verb.i + 1 : end]:
        if t.text == "," and t.i + 1 < len(doc) and _years_in([doc[t.i + 1]]) and doc[t.i - 1].like_num:
            continue  # "on August 3, 2014"
        if t.text in (",", ";", ":", "—", "–") or t.is_space:
            end = t.i
            break
    while end > verb.i + 1 and (doc[end - 1].is_punct or doc[end - 1].is_space):
        end -= 1
    # "... in the region of Sinjar last month": a relative time closing the clause is not part of it
    if end - 1 > verb.i + 1 and doc[end - 1].lower_ == "yesterday":
        end -= 1
    elif end - 1 > verb.i + 1 and doc[end - 1].lower_ == "ago":
        # "... fell to the militants more than a month ago": the time since is not part of it
        for child in verb.children:
            if child.i > verb.i and child.left_edge.i <= end - 1 <= child.right_edge.i and child.left_edge.i > verb.i + 1:
                end = child.left_edge.i
                break
    elif end - 2 > verb.i + 1 and doc[end - 1].lower_ in TIME_UNITS and doc[end - 2].lower_ in ("last", "this", "past"):
        end -= 2
    return end
