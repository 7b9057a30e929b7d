"""Mention keys ("PLACE:raqa") and what the resolver compares them by: the block a key's
spellings are compared within, and the consonant skeleton of transliterated names. Both stores
keep these per key at write time, so the resolver finds a key's candidates by index."""
from __future__ import annotations

import re

_VOWELS = re.compile(r"[aeiouy]")


def name_part(key: str) -> str:
    return key.split(":", 1)[1]


def key_type(key: str) -> str:
    return key.split(":", 1)[0]


def block(key: str) -> str:
    """Blocking key: spellings are compared only within a block (first letters of the name)."""
    return name_part(key)[:2]


def skeleton(name: str) -> str:
    """Consonant skeleton of a transliterated name: doubled letters, vowels after each word's
    first letter and a final h dropped ("tabqah" -> "tbq", "tel abiad" -> "tl abd")."""
    words = []
    for w in name.split():
        w = re.sub(r"(.)\1+", r"\1", w)
        if len(w) > 2 and w.endswith("h") and w[-2] in "aeiou":
            w = w[:-1]
        words.append(w[:1] + _VOWELS.sub("", w[1:]))
    return " ".join(words)


def word_prefixes(key: str) -> list[str]:
    """The shorter keys a person key extends word for word ("PERSON:abu hamza al tunisi" ->
    "PERSON:abu", "PERSON:abu hamza", "PERSON:abu hamza al")."""
    kind, _, name = key.partition(":")
    words = name.split(" ")
    return [f"{kind}:{' '.join(words[:i])}" for i in range(1, len(words))]
