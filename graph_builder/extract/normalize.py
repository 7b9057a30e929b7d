"""Transliteration-aware name normalisation: the mention key the resolver groups on.

Transcripts of the same interview programme spell one Arabic name many ways: "Raqqa", "Raqqah",
"ar-Raqqa", "RAQQA"; "Abu Nour" / "Abou Nur"; "Deir ez-Zor" / "Deir Ezzor". `normalise_name`
folds the differences that carry no meaning (case, Unicode form, diacritics, quote style, Arabic
article, doubled consonants, a few vowel spellings) and keeps the ones that do (different
consonant skeletons stay different). It is deliberately conservative: two different people must
not share a key because of an over-eager rule, so vowels are only unified in the digraphs that
English transliteration uses for one Arabic long vowel (ou/oo -> u, ee -> i, ay/ai -> ei).
"""
from __future__ import annotations

import re
import unicodedata

# Characters Unicode does not decompose into base letter + combining mark.
_EXTRA_FOLDS = str.maketrans(
    {
        "ı": "i",  # Turkish dotless i (Şanlıurfa)
        "ł": "l",
        "ø": "o",
        "đ": "d",
        "ß": "ss",
        "æ": "ae",
        "œ": "oe",
    }
)

# Quote-like marks. Apostrophes and the Arabic ayn/hamza marks are dropped (Khansa'a = Khansaa,
# bay'ah = bayah); double quotes too.
_APOSTROPHES = "'’‘`´ʼʻʿʾ′"
_DOUBLE_QUOTES = "\"“”„«»″"
_DASHES = "‐‑‒–—―−"

# Arabic definite-article spellings. `al`/`el` (and `ul` as in Abd-ul) are dropped as separate
# words too; the assimilated forms (as-, ash-, ar-, ...) only when hyphen-attached, because
# "as", "an", "at" on their own are English words.
_ARTICLES_FREE = frozenset({"al", "el", "ul"})
_ARTICLES_ATTACHED = frozenset(
    {"al", "el", "ul", "as", "ash", "ar", "ad", "adh", "az", "an", "at", "ath", "ez", "es", "ed", "er", "et", "en"}
)
_KUNYA_FOLDS = {
    "abou": "abu",
    "abo": "abu",
    "um": "umm",
    "oum": "umm",
    "om": "umm",
    "bin": "ibn",
    "ben": "ibn",
    # Abd al-X / Abdul X / Abdel X are one name element
    "abdul": "abd",
    "abdel": "abd",
    "abdal": "abd",
    "abdil": "abd",
}
_LEADING_ENGLISH = frozenset({"the", "a", "an"})

_WS = re.compile(r"\s+")
_NON_WORD = re.compile(r"[^\w\s'-]", re.UNICODE)


def fold_text(text: str) -> str:
    """NFKC, curly quotes and dashes folded, diacritics stripped, case-folded.

    This keeps token boundaries (hyphens and spaces stay) so it can also fold single tokens for
    the gazetteer matcher; `normalise_name` builds on it.
    """
    text = unicodedata.normalize("NFKC", text)
    for ch in _DASHES:
        text = text.replace(ch, "-")
    for ch in _APOSTROPHES:
        text = text.replace(ch, "'")
    for ch in _DOUBLE_QUOTES:
        text = text.replace(ch, '"')
    text = text.casefold().translate(_EXTRA_FOLDS)
    decomposed = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", text)


def _fold_spelling(word: str) -> str:
    """Spelling variation inside one transliterated word."""
    word = word.replace("'", "")
    word = word.replace("ou", "u").replace("oo", "u").replace("ee", "i")
    # ay/ai/ei are one diphthong in transliteration (Dayr / Dair / Deir, Husayn / Hussein)
    word = re.sub(r"(?:ay|ai|ei)", "ei", word)
    # q and k are one letter in many transliterations (Qamishli / Kamishli, Iraq / Irak)
    word = word.replace("ck", "k").replace("q", "k")
    # doubled letters (Raqqa / Raqa, Shaddadi / Shadadi, Ezzor / Ezor)
    word = re.sub(r"([^\W\d_])\1+", r"\1", word)
    # final h after a vowel is a ta marbuta spelling (Raqqah / Raqqa, hisbah / hisba)
    if len(word) > 3:
        word = re.sub(r"([aei])h$", r"\1", word)
    return word


def normalise_name(text: str) -> str:
    """The comparable form of a name: see the module docstring for what is folded."""
    text = fold_text(text).strip()
    # "the Islamic State's" -> "islamic state"
    text = re.sub(r"'s$", "", text)
    text = text.replace("_", " ").replace("/", " ")
    text = _NON_WORD.sub(" ", text)
    words: list[str] = []
    for raw in _WS.split(text):
        if not raw:
            continue
        parts = [p for p in raw.split("-") if p]
        for i, part in enumerate(parts):
            attached = i < len(parts) - 1  # "ar" in "ar-raqqa"
            bare = part.replace("'", "")
            if attached and bare in _ARTICLES_ATTACHED:
                continue
            words.append(part)
    # standalone al/el before another word: "al Maghrebi" = "al-Maghrebi" = "Maghrebi"
    kept: list[str] = []
    for i, w in enumerate(words):
        if w in _ARTICLES_FREE and i < len(words) - 1:
            continue
        kept.append(w)
    while len(kept) > 1 and kept[0] in _LEADING_ENGLISH:
        kept = kept[1:]
    if not kept:
        return ""
    out = [_KUNYA_FOLDS.get(w, w) for w in kept]
    return " ".join(_fold_spelling(w) for w in out).strip()


def mention_key(entity_type: str, text: str) -> str:
    """What the resolver maps to an entity: "<TYPE>:<normalised name>"."""
    return f"{entity_type}:{normalise_name(text)}"
