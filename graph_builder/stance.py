"""How a speaker knows what a sentence says: first-hand, hearsay, hedged, or unmarked.

Computed when an interview is written (for the sentence of every mention), so corroboration
reads a stored stance instead of re-reading the turns of every source.
"""
from __future__ import annotations

import re
from bisect import bisect_right

STANCES = ("first_hand", "unmarked", "hedged", "hearsay")
# Strongest first; the stores keep the rank of each source's strongest turn.
STANCE_RANK = {"first_hand": 3, "unmarked": 2, "hedged": 1, "hearsay": 0}
RANK_STANCE = {v: k for k, v in STANCE_RANK.items()}

_HEARSAY = re.compile(
    r"\b(?:told (?:me|us|him|her)|(?:people|they|others|everyone|some) (?:said|say|says|told)|"
    r"i heard|we heard|heard (?:that|from)|according to|it was said|rumou?rs?|word was|"
    r"(?:he|she) said that|they claimed|was told|were told)\b", re.I)
_HEDGED = re.compile(
    r"\b(?:i think|i believe|maybe|perhaps|probably|possibly|i(?:'m| am) not sure|i guess|"
    r"might have|may have|i don'?t remember exactly|(?:about|around) \d+|approximately|or so|"
    r"if i remember|i suppose)\b", re.I)
_FIRST_HAND = re.compile(
    r"\b(?:i saw|i watched|i was there|i witnessed|with my own eyes|i was (?:in|at|taken|held|"
    r"with|one of)|we were|i went|i did|i worked|i served|i myself|i was)\b", re.I)
_SENTENCE = re.compile(r"[^.!?\n]+[.!?]*")


def stance_of(sentence: str) -> str:
    """How the speaker knows what the sentence says: hearsay, hedged, first_hand or unmarked."""
    if _HEARSAY.search(sentence):
        return "hearsay"
    if _HEDGED.search(sentence):
        return "hedged"
    if _FIRST_HAND.search(sentence):
        return "first_hand"
    return "unmarked"


class Sentences:
    """The sentences of one text, found once: each mention's sentence is then a binary
    search away (a long turn with many mentions stays linear)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.spans = [(m.start(), m.end()) for m in _SENTENCE.finditer(text)]
        self.starts = [a for a, _ in self.spans]

    def bounds(self, start: int, end: int) -> tuple[int, int]:
        """Offsets of the sentence holding [start, end), stretched to cover `end`."""
        i = bisect_right(self.starts, start) - 1
        if i < 0 or start >= self.spans[i][1]:
            return 0, len(self.text)
        text = self.text
        lo, hi = self.spans[i][0], max(self.spans[i][1], end)
        while lo < hi and text[lo].isspace():
            lo += 1
        while hi > lo and text[hi - 1].isspace():
            hi -= 1
        return lo, hi


def sentence_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """Offsets in `text` of the sentence holding [start, end), stretched to cover `end`."""
    return Sentences(text).bounds(start, end)


def sentence_around(text: str, start: int, end: int) -> str:
    """The sentence of `text` holding [start, end) (offsets into `text`)."""
    lo, hi = sentence_bounds(text, start, end)
    return text[lo:hi]
