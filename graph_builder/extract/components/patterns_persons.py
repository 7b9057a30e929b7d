"""Pattern rules for persons (part of `testimony_patterns`, see patterns.py).

A name after a cue ("12-year-old Dilan", "who calls herself Nour", "a man called Abu Rami"),
a name given with an age ("Madline was 17 years old", "Mahira, 26,"), a byline ("By Jane Roe &
John Doe") and, with a parse, an unknown name that recalls, says or tells ("Karim recalled the
raid"). Each rule yields PERSON spans; the component writes them to
`doc.spans["testimony_patterns"]`.
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from spacy.tokens import Doc, Span

from graph_builder.extract.components.common import HYPHENS, has_parse, is_titleish, make_span, name_word
from graph_builder.extract.components.lexicon import FACILITY_NOUNS, NAME_CUE_WORDS, PERSON_VERBS

if TYPE_CHECKING:
    from graph_builder.extract.components.patterns import PatternIndex


def person_cues(doc: Doc, ix: PatternIndex) -> Iterator[Span]:
    """PERSON: "12-year-old Dilan", "who calls herself Nour", "going by the name of Karim"."""
    n = len(doc)
    for i, tok in enumerate(doc):
        start = None
        low = tok.lower_
        if low == "yearold" or (low == "old" and i >= 2 and doc[i - 1].text in HYPHENS and doc[i - 2].lower_ in ("year", "years")):
            start = i + 1  # "12-year-old Dilan", "15-yearold Karim"
        elif low in NAME_CUE_WORDS:
            start = i + 1  # "a man called Abu Rami", "the pseudonym Khaled"
        elif low in ("herself", "himself") and i > 0 and doc[i - 1].lower_ in ("calls", "called", "call"):
            start = i + 1
            if start < n and doc[start].lower_ == "as":
                start += 1
        elif low == "of" and i >= 1 and doc[i - 1].lower_ == "name":
            start = i + 1  # "going by the name of Khaled"
        elif low == "to" and i >= 2 and doc[i - 1].lower_ == "name" and doc[i - 2].lower_ in ("his", "her", "their"):
            start = i + 1  # "changed his name to Yusuf": a convert's or a member's new name
        if start is None or start >= n:
            continue
        end = start
        while end < n and name_word(doc[end]) and end - start < 3:
            end += 1
        if end == start:
            continue
        if any(t in ix.gaz_tokens for t in range(start, end)):
            continue
        # "a camp called al-Nour" is a place: leave it to the facility rule
        window = {t.lower_ for t in doc[max(0, i - 3) : i]}
        if window & FACILITY_NOUNS:
            continue
        yield make_span(doc, start, end, "PERSON", "", "rule")


def age_cues(doc: Doc, ix: PatternIndex) -> Iterator[Span]:
    """PERSON: a name given with an age, "Madline was 17 years old", "Mahira, 26, who ..."."""
    n = len(doc)
    for k, tok in enumerate(doc):
        if not (tok.like_num and tok.text.isdigit() and 1 <= len(tok.text) <= 2):
            continue
        if k >= 2 and doc[k - 1].lower_ in ("was", "is") and k + 2 < n and doc[k + 1].lower_ in ("years", "year") and doc[k + 2].lower_ == "old":
            end = k - 1  # "Madline was 17 years old"
        elif k >= 2 and doc[k - 1].text == "," and k + 1 < n and doc[k + 1].text == ",":
            end = k - 1  # "Mahira, 26, who was also abducted"
        else:
            continue
        start = end
        while start > 0 and end - start < 3 and name_word(doc[start - 1]):
            start -= 1
        if start == end or any(t in ix.gaz_tokens for t in range(start, end)):
            continue
        if start > 0 and (is_titleish(doc[start - 1]) and not doc[start - 1].is_sent_start and doc[start - 1].is_alpha):
            continue  # part of a longer capitalised phrase: leave it to the model
        yield make_span(doc, start, end, "PERSON", "", "rule")


def bylines(doc: Doc, ix: PatternIndex) -> Iterator[Span]:
    """PERSON: "By Jane Roe & John Doe" (a byline names people, whatever the model says)."""
    n = len(doc)
    for i, tok in enumerate(doc):
        if tok.text != "By" or not (i == 0 or "\n" in doc[i - 1].whitespace_ or doc[i - 1].is_space):
            continue
        j = i + 1
        while j < n:
            end = j
            while end < n and name_word(doc[end]) and end - j < 4:
                end += 1
            if end - j < 2:
                break
            if not any(t in ix.gaz_tokens for t in range(j, end)):
                yield make_span(doc, j, end, "PERSON", "", "rule")
            if end < n and doc[end].lower_ in ("&", "and", ","):
                j = end + 1
                continue
            break


def speakers(doc: Doc, ix: PatternIndex) -> Iterator[Span]:
    """PERSON: an unknown capitalised name that recalls, says or tells ("Karim recalled the raid")."""
    if not has_parse(doc):
        return
    for tok in doc:
        if tok.dep_ != "nsubj" or tok.head.lower_ not in PERSON_VERBS or tok.pos_ != "PROPN":
            continue
        if tok.i in ix.gaz_tokens or tok.ent_type_ or not name_word(tok):
            continue
        if any(c.dep_ in ("compound", "amod", "det") for c in tok.children):
            continue  # a multi-word subject is for the model to judge
        yield make_span(doc, tok.i, tok.i + 1, "PERSON", "", "rule")
