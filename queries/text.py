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


def term_spans(text: str, words: list[str]) -> list[tuple[int, int]]:
    """Where each word occurs as a whole word in `text` (offsets into `text`)."""
    folded = fold(text)
    spans: list[tuple[int, int]] = []
    for w in words:
        spans += [(m.start(), m.end()) for m in re.finditer(r"(?<![^\W_])" + re.escape(w) + r"(?![^\W_])", folded)]
    return sorted(spans)


def quote(text: str, start: int, end: int, width: int = 160) -> str:
    """The sentence-ish window around [start, end) of `text`, with ellipses where cut."""
    lo = max(0, start - width)
    hi = min(len(text), end + width)
    # Prefer to cut at sentence or word boundaries.
    cut = max(text.rfind(". ", lo, start), text.rfind("\n", lo, start))
    lo = cut + 2 if cut >= lo else (text.find(" ", lo, start) + 1 if lo > 0 else 0)
    stop = max(text.find(". ", end, hi), -1)
    hi = stop + 1 if stop != -1 else (text.rfind(" ", end, hi) if hi < len(text) else hi)
    if hi <= end:
        hi = min(len(text), end + width)
    return ("…" if lo > 0 else "") + text[lo:hi].strip() + ("…" if hi < len(text) else "")
