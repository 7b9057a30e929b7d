"""Pattern rules for organisations (part of `testimony_patterns`, see patterns.py).

Arabic names of armed groups and bodies by their head word ("Liwa al-Tawhid", "Jaysh al-Islam",
"Quwat Sahl Ninawa") and capitalised names that end in an institution's head word ("Yazidi
Fraternal Organization", "Syrian Network for Human Rights"), not a headline's words. Each rule
yields ORG spans; the component writes them to `doc.spans["testimony_patterns"]`.
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from spacy.tokens import Doc, Span

from graph_builder.extract.components.common import (
    HYPHENS,
    POSSESSIVE,
    SPANS_GAZETTEER,
    SPANS_KUNYA,
    in_headline,
    is_titleish,
    make_span,
    name_word,
    span_group,
)
from graph_builder.extract.components.gazetteer import word_key
from graph_builder.extract.components.kunya import nisba_at
from graph_builder.extract.components.lexicon import ARABIC_ORG_HEADS, FACILITY_NOUNS, INSTITUTION_HEADS

if TYPE_CHECKING:
    from graph_builder.extract.components.patterns import PatternIndex


def arabic_org_names(doc: Doc, ix: PatternIndex) -> Iterator[Span]:
    """ORG: Arabic names of armed groups and bodies by their head word ("Liwa al-Tawhid")."""
    n = len(doc)
    named = {i for s in span_group(doc, SPANS_GAZETTEER) if s.label_ in ("ORG", "PLACE", "PERSON") for i in range(s.start, s.end)}
    others = {i for s in span_group(doc, SPANS_GAZETTEER) if s.label_ in ("ORG", "PERSON") for i in range(s.start, s.end)}
    i = 0
    while i < n:
        tok = doc[i]
        if not is_titleish(tok) or word_key(tok.text) not in ARABIC_ORG_HEADS or i in named:
            i += 1
            continue
        j = i + 1
        while j < n:
            after = nisba_at(doc, j)  # al-Mujahideen, al-Sham
            if after > j:
                j = after
            elif name_word(doc[j]) and j - i <= 3 and doc[j].lower_ not in FACILITY_NOUNS:
                j += 1
            else:
                break
        # a unit may be named after a place ("Quwat Sahl Ninawa"), not after another group or a person
        if j > i + 1 and not any(t in others for t in range(i, j)):
            yield make_span(doc, i, j, "ORG")
            i = j
            continue
        i += 1


def institutions(doc: Doc, ix: PatternIndex) -> Iterator[Span]:
    """ORG: a capitalised name that ends in an institution's head word ("Yazidi Fraternal
    Organization", "ISIS Prisons Museum", "Syrian Network for Human Rights")."""
    n = len(doc)
    gaz = span_group(doc, SPANS_GAZETTEER)
    persons = {i for s in gaz + span_group(doc, SPANS_KUNYA) if s.label_ == "PERSON" for i in range(s.start, s.end)}
    whole = {(s.start, s.end) for s in gaz}
    last = -1
    for i, tok in enumerate(doc):
        if i <= last or not is_titleish(tok) or tok.lower_ not in INSTITUTION_HEADS or i in persons:
            continue
        start = i
        while start > 0 and i - start < 5:
            prev = doc[start - 1]
            if name_word(prev) and prev.i not in persons:
                if start >= 2 and doc[start - 2].text in HYPHENS and doc[start - 2].whitespace_ == "":
                    break  # "neo-Islamist Justice ...": the word belongs to its prefix
                start -= 1
            elif prev.lower_ == "and" and start >= 2 and name_word(doc[start - 2]) and start < i:
                start -= 1  # "Justice and Development Party"
            elif (
                prev.lower_ in POSSESSIVE and start >= 2 and name_word(doc[start - 2])
                and not {start - 2} & (ix.gaz_tokens | persons)
            ):
                start -= 2  # "People's Defence Corps", not "ISIS's Torture Brigades"
            else:
                break
        end = i + 1
        # "... Network for Human Rights", "... Center for the Study of Violent Extremism"
        k = end
        if k + 1 < n and doc[k].lower_ in ("for", "of", "on") and not doc[k - 1].whitespace_ == "":
            k += 1
            if doc[k].lower_ == "the":
                k += 1
            tail = k
            while tail < n and tail - k < 8 and (
                name_word(doc[tail])
                or (doc[tail].lower_ in ("of", "and", "for", "the", "&") and tail > k)
                or (doc[tail].text in HYPHENS and tail > k and doc[tail - 1].whitespace_ == "" and doc[tail].whitespace_ == "")
            ):
                tail += 1
            while tail > k and not name_word(doc[tail - 1]):
                tail -= 1
            if tail > k:
                end = tail
        words = [t for t in doc[start:end] if name_word(t) and t.i != i]
        if not words or (start, end) in whole:
            continue
        if start == i and end == i + 1:
            continue
        while doc[start].lower_ == "and":
            start += 1
        if all(t.i in ix.orgs for t in words) and end == i + 1:
            continue  # "ISIS Forces" is ISIS
        if any(t.is_sent_start for t in doc[start + 1 : end]) or in_headline(doc[start:end]):
            continue  # "Inside ISIS's Torture Brigades" is a title, not a name
        last = end - 1
        yield make_span(doc, start, end, "ORG")
