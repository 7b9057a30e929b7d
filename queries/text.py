"""Text helpers shared by the read side: folding, terms, quotes."""
from __future__ import annotations

import re
import unicodedata

_WORD = re.compile(r"[^\W_]+", re.UNICODE)


def fold(text: str) -> str:
    """Case- and diacritic-insensitive form, one character per character of `text`, so
    offsets found in the folded text point into the original."""
    return "".join((unicodedata.normalize("NFD", ch)[:1] or ch).lower()[:1] for ch in text)


def terms(query: str) -> list[str]:
    """The words of a query, folded, in order, without repeats."""
    seen: list[str] = []
    for w in _WORD.findall(fold(query)):
        if w not in seen:
            seen.append(w)
    return seen


def search_text(text: str) -> str:
    """What the full-text indexes of both stores hold for a text: its folded words, one space
    apart. Queries are folded the same way (`terms`), so every store finds a turn that holds
    every word of a query as a whole word, and only such turns."""
    return " ".join(_WORD.findall(fold(text)))


def term_spans(text: str, words: list[str]) -> list[tuple[int, int]]:
    """Where each word occurs as a whole word in `text` (offsets into `text`)."""
    folded = fold(text)
    spans: list[tuple[int, int]] = []
    for w in words:
        spans += [(m.start(), m.end()) for m in re.finditer(r"(?<![^\W_])" + re.escape(w) + r"(?![^\W_])", folded)]
    return sorted(spans)


_SENTENCE_END = re.compile(r"[.!?][\"'”’)]*(?=\s)|\n")


def quote(text: str, start: int, end: int, width: int = 160) -> str:
    """The sentence(s) of `text` around [start, end): whole sentences when they fit in `width`
    characters either side, otherwise cut at a word with an ellipsis."""
    lo_bound, hi_bound = max(0, start - width), min(len(text), end + width)
    lo = 0
    for m in _SENTENCE_END.finditer(text, 0, start):
        lo = m.end()
    cut_lo = lo < lo_bound
    if cut_lo:
        lo = text.find(" ", lo_bound, start) + 1 or lo_bound
    m = _SENTENCE_END.search(text, end)
    hi = m.end() if m else len(text)
    cut_hi = hi > hi_bound
    if cut_hi:
        hi = text.rfind(" ", end, hi_bound)
        hi = hi if hi > end else hi_bound
    body = text[lo:hi].strip()
    return ("…" if cut_lo else "") + body + ("…" if cut_hi else "")
