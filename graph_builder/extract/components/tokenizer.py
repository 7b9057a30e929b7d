"""Tokenizer tweak the gazetteer needs: square brackets split off inside words.

Transcripts gloss a word in brackets with no space ("Dawlah[ISIS]"), which the default English
tokenizer keeps as one token. `tune_tokenizer` adds the brackets as an infix, so both words are
tokens the gazetteer can match. It is not a pipeline component: it changes `nlp.tokenizer` (the
`testimony_gazetteer` factory and `add_testimony_pipes` call it), requires nothing and assigns
nothing on the Doc.
"""
from __future__ import annotations

import re

from spacy.language import Language
from spacy.util import compile_infix_regex


def tune_tokenizer(nlp: Language) -> None:
    """Split square brackets inside words ("Dawlah[ISIS]"), as transcripts use them for glosses.

    Idempotent. It only adds an infix, so the trained model sees the same tokens elsewhere.
    """
    bracket = r"[\[\]]"
    finditer = nlp.tokenizer.infix_finditer
    current = getattr(getattr(finditer, "__self__", None), "pattern", None)
    if current is None:
        nlp.tokenizer.infix_finditer = compile_infix_regex(list(nlp.Defaults.infixes or []) + [bracket]).finditer
    elif bracket not in current:
        nlp.tokenizer.infix_finditer = re.compile(f"{current}|{bracket}").finditer
