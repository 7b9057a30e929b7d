"""Names and helpers shared by several components: span groups, entity types, token tests.

Nothing here runs on a Doc by itself. The span-group keys say where each stage writes:
`testimony_gazetteer` and `testimony_suppressed` (gazetteer), `testimony_kunya` (kunya),
`testimony_patterns` (patterns), `mentions` (the merged mentions) and the `testimony_links`
Doc extension (links). The helpers read a Doc without changing it; those that can use a parse
(`modified_head`, `is_people_head`) fall back to a rough test on a blank pipeline.
"""
from __future__ import annotations

from spacy.lang.en.stop_words import STOP_WORDS
from spacy.tokens import Doc, Span, Token

from graph_builder.extract.components.lexicon import (
    ADVERBIAL_NOUNS,
    COMMON_VERBS,
    HEADLINE_FUNCTION_WORDS,
    PEOPLE_NOUNS,
    STATE_HEADS,
)


SPANS_GAZETTEER = "testimony_gazetteer"
SPANS_SUPPRESSED = "testimony_suppressed"  # gazetteer hits a filter rejected: not entities here
SPANS_KUNYA = "testimony_kunya"
SPANS_PATTERNS = "testimony_patterns"
SPANS_MENTIONS = "mentions"
LINKS_ATTR = "testimony_links"

ENTITY_TYPES: tuple[str, ...] = ("PERSON", "PLACE", "ORG", "ROLE", "GROUP", "EVENT")
IGNORE = "IGNORE"

# How much each method is trusted; the resolver and the analyst see it on every MENTIONS edge.
CONFIDENCE: dict[str, float] = {
    "gazetteer": 0.95,
    "kunya": 0.9,
    "rule": 0.8,
    "model": 0.75,
    "corrected": 0.6,
    "propagation": 0.7,
}

# en_core_web_sm labels -> ours. NORP becomes GROUP only when it names people (checked later);
# DATE, CARDINAL, LANGUAGE, PRODUCT, LAW, WORK_OF_ART, ... are not entities of this graph.
MODEL_LABELS: dict[str, str] = {
    "PERSON": "PERSON",
    "GPE": "PLACE",
    "LOC": "PLACE",
    "FAC": "PLACE",
    "ORG": "ORG",
    "NORP": "GROUP",
    "EVENT": "EVENT",
}

# Hyphens and dashes (and the slash) that join the parts of a name: "ar-Raqqa", "Deir ez-Zor".
HYPHENS = frozenset({"-", "–", "—", "‐", "‑", "/"})
# The possessive clitic as the tokenizer splits it off ("Murad's").
POSSESSIVE = frozenset({"'s", "’s"})


def has_parse(doc: Doc) -> bool:
    return doc.has_annotation("DEP")


def has_pos(doc: Doc) -> bool:
    return doc.has_annotation("TAG") or doc.has_annotation("POS")


def is_titleish(token: Token) -> bool:
    text = token.text
    return bool(text) and text[0].isupper() and any(c.isalpha() for c in text)


def name_word(tok: Token) -> bool:
    """A capitalised word that can be part of a name (not a stop word, not punctuation)."""
    text = tok.text
    return (
        len(text) >= 2
        and text[0].isupper()
        and text.replace("'", "").replace("’", "").isalpha()
        and text.lower() not in STOP_WORDS
    )


def span_group(doc: Doc, key: str) -> list[Span]:
    return list(doc.spans[key]) if key in doc.spans else []


def make_span(doc: Doc, start: int, end: int, label: str, canonical: str = "", method: str = "rule") -> Span:
    return Span(doc, start, end, label=label, kb_id=canonical, span_id=method)


def modified_head(span: Span) -> Token | None:
    """The noun this span modifies when it is used as a modifier ("Syrian" in "Syrian city").

    With a dependency parse: the span's root is an amod/compound/nmod of a noun after it.
    Without one: the next token, when it is a lower-case content word (a rough stand-in).
    """
    doc = span.doc
    if has_parse(doc):
        root = span.root
        # "Kurdish, Arab and Turkmen forces": a later conjunct modifies what the first one does
        while root.dep_ == "conj" and root.head.i < root.i and root.head.pos_ in ("ADJ", "PROPN", "NOUN"):
            root = root.head
        head = root.head
        if root.dep_ in ("amod", "compound", "nmod", "npadvmod") and head.i >= span.end and head.pos_ in ("NOUN", "PROPN"):
            if head.tag_ == "VBG" or head.lower_.endswith("ing") or head.lower_ in ADVERBIAL_NOUNS:
                return None  # "a rebel fighting for ISIS", "talking to a Tunisian online"
            if root.dep_ == "amod" and root.pos_ in ("NOUN", "PROPN") and root.tag_ != "NNP":
                return None  # a noun the parser hung on the next word as an adjective
            return head
        return None
    if span.end < len(doc):
        nxt = doc[span.end]
        # a lower-case content word, unless it looks like a verb or adverb ("a sniper guarded")
        word = nxt.lower_
        if nxt.is_alpha and nxt.is_lower and word not in STOP_WORDS and word not in COMMON_VERBS and not word.endswith(("ed", "ly", "ing")):
            return nxt
    return None


def is_people_head(token: Token, role_words: frozenset[str], allow_state: bool) -> bool:
    word = token.lower_
    if not allow_state and word in STATE_HEADS:
        return False
    if word in PEOPLE_NOUNS or word in role_words:
        return True
    # "the Tunisian Mohamed Amrouni": a demonym before a person's name describes that person
    if token.ent_type_ == "PERSON" and token.pos_ == "PROPN":
        return True
    # "Syrian Armed Forces officers": look one noun further along a compound chain
    if token.dep_ == "compound" and token.head.i > token.i:
        return is_people_head(token.head, role_words, allow_state)
    return False


def line_of(span: Span) -> tuple[int, int]:
    """Token bounds of the text line the span is on (a headline is one line)."""
    doc = span.doc
    start = span.start
    while start > 0 and "\n" not in doc[start - 1].whitespace_ and "\n" not in doc[start - 1].text:
        start -= 1
    end = span.end
    while end < len(doc) and "\n" not in doc[end - 1].whitespace_ and "\n" not in doc[end].text:
        end += 1
    return start, end


def in_headline(span: Span) -> bool:
    """Whether the span sits in a title-case line (a headline), where every word is capitalised."""
    doc = span.doc
    sent = span.sent if doc.has_annotation("SENT_START") else doc[:]
    line = line_of(span)
    words = [t for t in sent if t.is_alpha and t.lower_ not in HEADLINE_FUNCTION_WORDS and line[0] <= t.i < line[1]]
    outside = [t for t in words if not span.start <= t.i < span.end]
    return len(words) >= 4 and bool(outside) and all(t.text[0].isupper() for t in words)
