"""Pattern rules for places (part of `testimony_patterns`, see patterns.py).

Facilities by the noun that ends their name ("Sadd al-Furat prison", "Shreya refugee camp", "a
camp called al-Nour"), "the village of Kocho", Arabic toponyms by their head word ("Dawar
al-Naim", "Jisr al-Shughur", "Point 9") and news datelines ("BA'ADRA, Iraq —"). Each rule yields
PLACE spans for names the gazetteer does not already hold; the component writes them to
`doc.spans["testimony_patterns"]`.
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from spacy.lang.en.stop_words import STOP_WORDS
from spacy.tokens import Doc, Span

from graph_builder.extract.components.common import HYPHENS, has_pos, is_titleish, make_span, name_word
from graph_builder.extract.components.gazetteer import word_key
from graph_builder.extract.components.kunya import nisba_at
from graph_builder.extract.components.lexicon import (
    ARABIC_PLACE_HEADS,
    ARTICLES_FREE,
    FACILITY_KINDS,
    FACILITY_NOUNS,
    KUNYA_HEADS,
    NEWS_LABELS,
    NUMBERED_PLACE_HEADS,
    PLACE_NOUNS,
)

if TYPE_CHECKING:
    from graph_builder.extract.components.patterns import PatternIndex


def facilities(doc: Doc, ix: PatternIndex) -> Iterator[Span]:
    """PLACE: "Sadd al-Furat prison", "Qadisiya Camp", "a camp called al-Nour"."""
    for i, tok in enumerate(doc):
        if tok.lower_ not in FACILITY_NOUNS:
            continue
        j = i
        # "Shreya refugee camp", "Kilis border crossing": a kind word between name and noun
        if i >= 2 and doc[i - 1].lower_ in FACILITY_KINDS and name_word(doc[i - 2]):
            j = i - 1
        while j > 0:
            prev = doc[j - 1]
            if name_word(prev) or prev.lower_ in ("al-", "el-") or (prev.text in HYPHENS and j > 1) or (
                prev.lower_ in ("al", "el") and j < i
            ) or (prev.like_num and j < i):
                j -= 1
            else:
                break
        while j < i and (doc[j].text in HYPHENS or doc[j].like_num):
            j += 1
        if j == i:
            # "a camp called al-Nour": the name comes after a naming cue
            k = i + 1
            if k < len(doc) and doc[k].lower_ in ("called", "named", "known") and tok.lower_ != "school":
                k += 2 if doc[k].lower_ == "known" else 1
                end = nisba_at(doc, k) if k < len(doc) else k  # "a camp called al-Rashid"
                while end < len(doc) and name_word(doc[end]) and end - k < 3:
                    end += 1
                if end > k and not any(t in ix.gaz_tokens for t in range(k, end)):
                    yield make_span(doc, k, end, "PLACE")
            continue
        name_tokens = [t for t in range(j, i) if doc[t].lower_ not in FACILITY_KINDS or name_word(doc[t])]
        if not any(name_word(doc[t]) for t in name_tokens):
            continue
        if any(t in ix.orgs or t in ix.groups for t in name_tokens):
            continue  # "ISIS prison" is the group's prison, "Yazidi camp" a description
        has_article = any(doc[t].lower_ in ARTICLES_FREE for t in name_tokens)
        initial = j == 0 or doc[j].is_sent_start or doc[j - 1].is_space or doc[j - 1].text in (".", ":", "\"", "“")
        if not has_article and initial and has_pos(doc) and not any(doc[t].pos_ == "PROPN" for t in name_tokens):
            continue  # "Military camp" at the start of a sentence is not a name
        yield make_span(doc, j, i + 1, "PLACE")


def place_of(doc: Doc, ix: PatternIndex) -> Iterator[Span]:
    """PLACE: "the neighbourhood of Hay al-Salam", "the village of Kocho"."""
    n = len(doc)
    for i, tok in enumerate(doc):
        if tok.lower_ not in PLACE_NOUNS or i + 2 >= n or doc[i + 1].lower_ != "of":
            continue
        start = i + 2
        end = start
        while end < n and (name_word(doc[end]) or (doc[end].lower_ in ARTICLES_FREE and end + 1 < n)) and end - start < 4:
            end += 1
        while end > start and doc[end - 1].lower_ in ARTICLES_FREE:
            end -= 1
        if end == start or any(t in ix.gaz_tokens for t in range(start, end)):
            continue
        yield make_span(doc, start, end, "PLACE", "", "rule")


def arabic_toponyms(doc: Doc, ix: PatternIndex) -> Iterator[Span]:
    """PLACE: Arabic toponyms by their head word ("Dawar al-Naim", "Jisr al-Shughur", "Point 9")."""
    n = len(doc)
    for i, tok in enumerate(doc):
        if i in ix.gaz_tokens or not is_titleish(tok):
            continue
        if tok.text in NUMBERED_PLACE_HEADS and i + 1 < n and doc[i + 1].like_num:
            yield make_span(doc, i, i + 2, "PLACE")  # IS prisons and posts were numbered
            continue
        if word_key(tok.text) not in ARABIC_PLACE_HEADS:
            continue
        j = i + 1
        names = 0
        while j < n and names < 2:
            if name_word(doc[j]):
                j += 1
                names += 1
            elif doc[j].lower_ in ARTICLES_FREE or (doc[j].text in HYPHENS and names == 0 and j > i + 1):
                j += 1
            else:
                break
        while j > i + 1 and not name_word(doc[j - 1]):
            j -= 1
        if names and not any(t in ix.gaz_tokens for t in range(i, j)):
            yield make_span(doc, i, j, "PLACE")


def datelines(doc: Doc, ix: PatternIndex) -> Iterator[Span]:
    """PLACE: a news dateline, "BA'ADRA, Iraq —" / "DOHUK //" at the start of a paragraph."""
    n = len(doc)
    for i, tok in enumerate(doc):
        if not (i == 0 or doc[i - 1].is_space or "\n" in doc[i - 1].whitespace_):
            continue
        j = i
        while j < n and j - i < 4 and doc[j].is_upper and any(c.isalpha() for c in doc[j].text) and len(doc[j]) > 1:
            j += 1
        if j == i or j >= n or doc[j].text not in (",", "—", "–", "-", "//"):
            continue
        words = {doc[t].lower_ for t in range(i, j)}
        if any(t in ix.gaz_tokens for t in range(i, j)) or words & (STOP_WORDS | KUNYA_HEADS | NEWS_LABELS):
            continue  # "ABU OMAR —" is a speaker, "UPDATE —" a label
        yield make_span(doc, i, j, "PLACE")
