"""How a speaker knows what a sentence says: first-hand, hearsay, hedged, or unmarked.

Computed when an interview is written (for the sentence of every mention), so corroboration
reads a stored stance instead of re-reading the turns of every source.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from pathlib import Path

import yaml

STANCES = ("first_hand", "unmarked", "hedged", "hearsay")
# Strongest first; the stores keep the rank of each source's strongest turn.
STANCE_RANK = {"first_hand": 3, "unmarked": 2, "hedged": 1, "hearsay": 0}
RANK_STANCE = {v: k for k, v in STANCE_RANK.items()}

_LEXICON = Path(__file__).resolve().parent / "extract" / "lexicon" / "epistemic.yaml"
_NUMBER = (r"(?:\d[\d,.]*|a (?:hundred|thousand|dozen)|one|two|three|four|five|six|seven|"
           r"eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|sixty|seventy|"
           r"eighty|ninety|hundreds?|thousands?|dozens?)")


def _phrases(items: list[str]) -> re.Pattern[str]:
    parts = sorted((re.escape(p.strip()).replace(re.escape("{n}"), _NUMBER).replace(r"\ ", r"\s+")
                    for p in items), key=len, reverse=True)
    return re.compile(r"(?<![\w'])(?:" + "|".join(parts) + r")(?![\w'])", re.I)


def _load() -> dict[str, re.Pattern[str]]:
    with open(_LEXICON, encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    saying = "|".join(data["saying_verbs"].split())
    subjects = "|".join(data["third_person_subjects"].split())
    return {
        "hearsay": _phrases(data["hearsay_phrases"]),
        # "he said", "my cousin told me", "the other women told", "Abu Khalid claimed"
        "reported": re.compile(
            rf"(?:\b(?i:{subjects})|\b(?i:the|my|his|her|their|a|an|our|your)(?:\s+[\w-]+){{1,2}}"
            rf"|(?<![\w'])(?!I\b)[A-Z][\w-]+)\s+(?:{saying})\b"),
        "hedged": _phrases(data["hedge_phrases"]),
        "first_hand": re.compile(r"(?<![\w'])(?:" + "|".join(data["first_person_words"].split())
                                 + r")(?![\w'])", re.I),
    }


_CUES = _load()
_SENTENCE = re.compile(r"[^.!?\n]+[.!?]*")
# "told us to leave": an order the witness heard given is their own experience, not hearsay.
_ORDER = re.compile(r"\btold(\s+(?:me|us|him|her|them)\s+to)\b", re.I)
# "Some say the third, but I know it was the fourth": the clause after "but" is the witness's.
_CONTRAST = re.compile(r",?\s+but\s+|;\s*however,?\s+", re.I)


def _status(clause: str) -> tuple[str, str]:
    text = _ORDER.sub(r"ordered\1", clause)
    for status in ("hearsay", "reported", "hedged", "first_hand"):
        found = _CUES[status].search(text)
        if found:
            return ("hearsay" if status == "reported" else status), found.group(0)
    return "unmarked", ""


def epistemic_status(sentence: str) -> tuple[str, str]:
    """How the speaker knows what the sentence says, and the words that say so (the cue kept
    as evidence): ("hearsay", "people said"), ("hedged", "I think"), ("first_hand", "I"),
    or ("unmarked", "")."""
    parts = _CONTRAST.split(sentence)
    if len(parts) > 1:
        last = _status(parts[-1])
        if last[0] != "unmarked":
            return last
    return _status(sentence)


def stance_of(sentence: str) -> str:
    """How the speaker knows what the sentence says: hearsay, hedged, first_hand or unmarked."""
    return epistemic_status(sentence)[0]


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
