"""Stage 2, `testimony_kunya`: Arabic person names by their grammar, whoever the person is.

A kunya (Abu Hamza, Umm Khalid, Ibn Taymiyya) with its nisbas (al-Tunisi, al-Muhajir) and name
chains (ibn Ahmad), or a person known by a nisba alone ("al-Britani said"). No gazetteer: the
names of the field's people are open-ended, their shape is not. `nisba_at` is shared with the
pattern rules ("a camp called al-Rashid", "Liwa al-Tawhid").

Requires: nothing. Assigns `doc.spans["testimony_kunya"]` (label PERSON, `id_` = "kunya").
"""
from __future__ import annotations

from spacy.lang.en.stop_words import STOP_WORDS
from spacy.tokens import Doc

from graph_builder.extract.components.common import HYPHENS, SPANS_KUNYA, is_titleish, make_span, name_word
from graph_builder.extract.components.lexicon import CHAIN_WORDS, KUNYA_HEADS


def nisba_at(doc: Doc, i: int) -> int:
    """If a nisba (al-X / el X / Al-X) starts at token i, the index after it, else i."""
    if i >= len(doc):
        return i
    tok = doc[i]
    lower = tok.lower_
    if lower in ("al-", "el-") and i + 1 < len(doc) and name_word(doc[i + 1]):
        return i + 2
    if lower in ("al", "el", "as", "ash", "ad", "ar", "az", "at") and i + 1 < len(doc):
        j = i + 1
        if doc[j].text in HYPHENS and j + 1 < len(doc):
            j += 1
        elif lower not in ("al", "el"):
            return i  # "as", "at" are English unless hyphen-attached
        if name_word(doc[j]):
            return j + 1
    return i


def find_kunyas(doc: Doc) -> list[tuple[int, int]]:
    """Abu X / Umm X / Ibn X names with optional nisbas and ibn-chains, plus lone al-X-i nisbas."""
    found: list[tuple[int, int]] = []
    i = 0
    n = len(doc)
    while i < n:
        tok = doc[i]
        if tok.lower_ in KUNYA_HEADS and is_titleish(tok) and i + 1 < n:
            j = i + 1
            # the name proper: Abu Hamza / Abu Abdul Malik / Abu Abd al-Rahman
            names = 0
            while j < n and names < 3:
                if name_word(doc[j]):
                    j += 1
                    names += 1
                elif names and doc[j - 1].lower_ in ("abd", "abdul", "abdel") and nisba_at(doc, j) > j:
                    j = nisba_at(doc, j)
                    names += 1
                else:
                    break
            if names == 0:
                i += 1
                continue
            # nisbas and chains: al-Tunisi al-Muhajir ibn Ahmad
            while j < n:
                after = nisba_at(doc, j)
                if after > j:
                    j = after
                    continue
                if doc[j].lower_ in CHAIN_WORDS and j + 1 < n and name_word(doc[j + 1]):
                    j += 2
                    continue
                break
            found.append((i, j))
            i = j
            continue
        # a person known by a nisba alone: "al-Tunisi said", "al-Britani"
        if tok.lower_ in ("al", "el", "al-", "el-") and (i == 0 or not is_titleish(doc[i - 1]) or doc[i - 1].lower_ in STOP_WORDS):
            after = nisba_at(doc, i)
            if after > i and doc[after - 1].lower_.endswith(("i", "y")) and len(doc[after - 1]) >= 5:
                if after >= n or not name_word(doc[after]):
                    found.append((i, after))
                    i = after
                    continue
        i += 1
    return found


def kunya_component(doc: Doc) -> Doc:
    doc.spans[SPANS_KUNYA] = [make_span(doc, s, e, "PERSON", "", "kunya") for s, e in find_kunyas(doc)]
    return doc
