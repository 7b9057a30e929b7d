"""Stage 4, `testimony_mentions`: one set of mentions from the rules and the model.

Candidates are the pattern, gazetteer and kunya spans (in that priority) and the model's
entities mapped to our types (`MODEL_LABELS`), trimmed ("the", "'s") and corrected for the
model's typical errors in this field: a lone name in a person's context is a PERSON ("Dilan
recalls"), a full name the model called an ORG is a person when the sentence treats it as one,
a demonym counts only when it describes people, words the gazetteer rejected or ignores stay
out. Overlaps go to the better candidate (priority, then length); events are resolved apart
from the names inside them, and an acronym in brackets after a name is that name.

Requires: `doc.spans["testimony_gazetteer"]`, `["testimony_suppressed"]`, `["testimony_kunya"]`
and `["testimony_patterns"]` (and `doc.ents`, the tagger and the parser when present). Assigns
`doc.spans["mentions"]`: label = entity type, `kb_id_` = gazetteer canonical (or ""), `id_` =
method (gazetteer, kunya, rule, model, corrected).
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from spacy.language import Language
from spacy.tokens import Doc, Span

from graph_builder.extract.components.common import (
    IGNORE,
    MODEL_LABELS,
    POSSESSIVE,
    SPANS_GAZETTEER,
    SPANS_KUNYA,
    SPANS_MENTIONS,
    SPANS_PATTERNS,
    SPANS_SUPPRESSED,
    has_parse,
    is_people_head,
    is_titleish,
    line_of,
    make_span,
    modified_head,
    name_word,
    span_group,
)
from graph_builder.extract.components.gazetteer import get_gazetteer, people_words, token_keys
from graph_builder.extract.components.lexicon import (
    ARABIC_ORG_HEADS,
    ARTICLES_FREE,
    HEADLINE_FUNCTION_WORDS,
    INSTITUTION_HEADS,
    KUNYA_HEADS,
    PEOPLE_NOUNS,
    PERSON_SUBJECT_LEMMAS,
    PERSON_VERBS,
    PUBLICATION_WORDS,
    PUBLICATION_WORDS_LOWER,
    SPEECH_LEMMAS,
    TRIM_LEFT,
    TRIM_RIGHT,
)
from graph_builder.extract.normalize import normalise_name

# Contractions the model sometimes tags as an entity ("n't" as a GPE).
_CONTRACTION = re.compile(r"^(?:n['’]t|['’](?:s|re|ve|ll|d|m))$", re.IGNORECASE)


@dataclass
class _Candidate:
    start: int
    end: int
    label: str
    canonical: str
    method: str
    priority: float

    @property
    def length(self) -> int:
        return self.end - self.start


class MentionMerger:
    """Writes `doc.spans["mentions"]`: rule spans first, then the model's corrected entities."""

    def __init__(self, nlp: Language, name: str) -> None:
        self.name = name
        self.gazetteer = get_gazetteer(nlp)
        gz = self.gazetteer
        self.role_words = people_words(gz)
        self.ignored = frozenset(f.keys for f in gz.forms if gz.entries[f.entry].type == IGNORE)

    def __call__(self, doc: Doc) -> Doc:
        candidates: list[_Candidate] = []
        events: list[_Candidate] = []
        priorities = ((SPANS_PATTERNS, 0), (SPANS_GAZETTEER, 1), (SPANS_KUNYA, 2))
        rule_tokens: set[int] = set()
        for key, prio in priorities:
            for span in span_group(doc, key):
                # among events, a named (gazetteer) event beats a pattern-found one; a person
                # found by a cue ("called Abu Layla") yields to the kunya rule's reading
                p: float = prio
                if key == SPANS_PATTERNS and span.label_ == "EVENT":
                    p = 2
                elif key == SPANS_PATTERNS and span.label_ == "PERSON":
                    p = 2.5
                    if self._is_ignored(span):
                        continue  # "in the name of Allah", "the so-called Caliphate": no person
                cand = _Candidate(span.start, span.end, span.label_, span.kb_id_, span.id_ or "rule", p)
                (events if cand.label == "EVENT" else candidates).append(cand)
                if cand.label != "EVENT":
                    rule_tokens.update(range(span.start, span.end))
        suppressed = span_group(doc, SPANS_SUPPRESSED)
        # a nisba is part of the name: "Abu Anas al-Iraqi" is a person, not the group "Iraqi"
        kunyas = [c for c in candidates if c.method == "kunya"]
        candidates = [
            c
            for c in candidates
            if not (
                c.method == "gazetteer"
                and c.label != "PERSON"
                and any(k.start <= c.start and c.end <= k.end and k.length > c.length for k in kunyas)
            )
        ]
        persons = [e for e in doc.ents if e.label_ == "PERSON"]
        candidates = [c for c in candidates if not self._surname_role(doc, c, persons)]
        # a named event keeps the places and actors inside it, not its adjectives ("Arab Spring")
        named_events = [e for e in events if e.method == "gazetteer"]
        candidates = [
            c
            for c in candidates
            if not (c.label in ("GROUP", "ROLE") and any(e.start <= c.start and c.end <= e.end for e in named_events))
        ]
        suppressed = suppressed + [doc[e.start : e.end] for e in named_events]
        for cand in self._model_candidates(doc, suppressed, rule_tokens):
            (events if cand.label == "EVENT" else candidates).append(cand)
        accepted = _resolve_overlaps(candidates)
        accepted += _acronyms(doc, accepted) + _resolve_overlaps(events)
        accepted.sort(key=lambda c: (c.start, c.end))
        doc.spans[SPANS_MENTIONS] = [
            make_span(doc, c.start, c.end, c.label, c.canonical, c.method) for c in accepted
        ]
        return doc

    def _model_candidates(self, doc: Doc, suppressed: list[Span], rule_tokens: set[int]) -> Iterator[_Candidate]:
        # names the gazetteer knows that can own a person or a thing ("Al Arabiya's Rola al-Khatib")
        owners = {i for s in span_group(doc, SPANS_GAZETTEER) if s.label_ in ("ORG", "PLACE") for i in range(s.start, s.end)}
        places = {i for s in span_group(doc, SPANS_GAZETTEER) if s.label_ == "PLACE" for i in range(s.start, s.end)}
        for ent in doc.ents:
            label = MODEL_LABELS.get(ent.label_)
            if label is None:
                continue
            start, end = _trim(doc, ent.start, ent.end)
            start, end = _split_possessive(doc, start, end, owners)
            if start >= end:
                continue
            span = doc[start:end]
            text = span.text
            if "\n" in text or not any(c.isalpha() for c in text) or len(text) < 2 or _CONTRACTION.match(text):
                continue  # "n't" tagged GPE, spans across paragraphs
            if self._is_ignored(span):
                continue
            if any(s.start <= start and end <= s.end for s in suppressed):
                continue  # inside a word the gazetteer knows and rejected here ("Syrian city")
            first = span[0]
            if first.text[:1].islower() and first.lower_ not in ARTICLES_FREE | KUNYA_HEADS:
                continue  # names are capitalised: "café" is not a person
            if all(t.lower_ in KUNYA_HEADS | ARTICLES_FREE for t in span):
                continue  # a bare "Abu" is not a name
            method = "model"
            if label == "GROUP":
                head = modified_head(span)
                if head is not None and not is_people_head(head, self.role_words, allow_state=False):
                    continue  # "Islamic ideals", "Syrian regime": not a group of people
            if label in ("PERSON", "ORG") and self._headline_word(span):
                continue  # "Escape" / "Mouth" / "Justice" in a title-case headline
            if label == "PERSON" and len(span) == 1 and (first.lower_ in PEOPLE_NOUNS or first.lower_ in self.role_words):
                continue  # "Sisters", "Brothers": a common noun written with a capital
            if label == "PERSON" and len(span) == 1 and first.is_sent_start and first.tag_ == "VB":
                continue  # "“Convert to Islam or die”": an imperative, not a name
            if label in ("PLACE", "ORG", "GROUP", "EVENT") and len(span) == 1 and self._looks_like_person(span):
                label, method = "PERSON", "corrected"
            elif label == "ORG" and self._full_name_as_org(span, rule_tokens):
                label, method = "PERSON", "corrected"
            elif label == "PERSON" and len(span) == 1 and has_parse(doc) and first.dep_ == "conj" and first.head.i in places:
                label, method = "PLACE", "corrected"  # "via Bartella and Kokjili": a place's conjunct
            if label == "ORG" and not any(t in rule_tokens for t in range(start, end)):
                end = self._extend_title(doc, start, end, rule_tokens)
            yield _Candidate(start, end, label, "", method, 3)

    @staticmethod
    def _surname_role(doc: Doc, cand: _Candidate, persons: list[Span]) -> bool:
        """A capitalised role word inside a person's name, after its first word ("Nour Baker").

        A role at the start of the name is a title ("President Assad", "Sheikh Ahmad") and stays.
        """
        if cand.label != "ROLE" or not is_titleish(doc[cand.start]):
            return False
        return any(p.start < cand.start and cand.end <= p.end for p in persons)

    def _is_ignored(self, span: Span) -> bool:
        keyed = [x for x in token_keys([t.text for t in span]) if x is not None]
        primary = tuple(k for _, k, _alt in keyed)
        folded = tuple(alt or k for _, k, alt in keyed)
        return primary in self.ignored or folded in self.ignored

    @staticmethod
    def _headline_word(span: Span) -> bool:
        if len(span) != 1:
            return False
        sent = span.sent if span.doc.has_annotation("SENT_START") else span.doc[:]
        line = line_of(span)
        words = [t for t in sent if t.is_alpha and t.lower_ not in HEADLINE_FUNCTION_WORDS and line[0] <= t.i < line[1]]
        return len(words) >= 3 and all(t.text[0].isupper() for t in words)

    @staticmethod
    def _looks_like_person(span: Span) -> bool:
        """A lone unknown name the model typed as a place/org but the context says is a person."""
        tok = span[0]
        doc = span.doc
        # "12-year-old Dilan"
        if tok.i >= 1 and doc[tok.i - 1].lower_ in ("old", "yearold"):
            return True
        if not has_parse(doc):
            return False
        # "Dilan recalls", "Nour said"
        if tok.dep_ in ("nsubj",) and tok.head.lower_ in PERSON_VERBS:
            return True
        # "her daughter, Dilan," / "his wife Nour"
        if tok.dep_ == "appos" and tok.head.lower_ in PEOPLE_NOUNS:
            return True
        return False

    @staticmethod
    def _full_name_as_org(span: Span, rule_tokens: set[int]) -> bool:
        """A two- or three-word personal name the model typed as an ORG ("Amal Haddad has struggled").

        Only plain capitalised words with no organisation head among them, and only where the
        sentence treats the span as a person: the subject of a verb of speech, experience or
        movement, or the one spoken to ("described the scene to Amal Haddad").
        """
        doc = span.doc
        if not 2 <= len(span) <= 3 or not has_parse(doc):
            return False
        for tok in span:
            if tok.i in rule_tokens or tok.pos_ != "PROPN" or not tok.text[:1].isupper():
                return False
            if not tok.text.replace("-", "").replace("'", "").isalpha() or tok.is_upper:
                return False
            low = tok.lower_
            if low in INSTITUTION_HEADS or normalise_name(low) in ARABIC_ORG_HEADS or low in PUBLICATION_WORDS_LOWER:
                return False
        root = span.root
        head = root.head
        if root.dep_ in ("nsubj", "nsubjpass") and head.lower_ in PERSON_SUBJECT_LEMMAS:
            return True
        if root.dep_ == "pobj" and head.lower_ == "to" and head.head.lower_ in SPEECH_LEMMAS:
            return True
        return False

    @staticmethod
    def _extend_title(doc: Doc, start: int, end: int, rule_tokens: set[int]) -> int:
        """The model often stops an ORG name one word early ("Syria Relief | Network")."""
        while end < len(doc) and end - start < 6:
            tok = doc[end]
            # a publication's name often ends in a word the model reads as a date ("... Today")
            dated = tok.ent_type_ == "DATE" and tok.text in PUBLICATION_WORDS
            if tok.i in rule_tokens or not name_word(tok) or tok.is_sent_start or (tok.ent_type_ and not dated):
                break
            if doc[end - 1].whitespace_ == "" or "\n" in doc[end - 1].whitespace_:
                break
            end += 1
        return end


def _split_possessive(doc: Doc, start: int, end: int, owners: set[int]) -> tuple[int, int]:
    """The model often runs a possessor into what it owns: "Al Arabiya's Rola al-Khatib",
    "Expressen's Middle Eastern [correspondent]". Keep the part that is the entity.
    """
    for k in range(start + 1, end - 1):
        if doc[k].lower_ not in POSSESSIVE:
            continue
        if all(i in owners for i in range(start, k)) and is_titleish(doc[k + 1]):
            return k + 1, end  # the possessor is a name we know: the entity is what follows
        if has_parse(doc) and not (start <= doc[k - 1].head.i < end):
            return start, k  # what follows modifies a noun outside the entity
        break
    return start, end


_ACRONYM = re.compile(r"^[A-Z][A-Z.&]{1,7}$")


def _acronyms(doc: Doc, accepted: list[_Candidate]) -> list[_Candidate]:
    """"the Syrian Democratic Forces (SDF)": an acronym in brackets after a name is that name."""
    taken = {i for c in accepted for i in range(c.start, c.end)}
    out: list[_Candidate] = []
    for c in accepted:
        k = c.end
        if c.label not in ("ORG", "PLACE") or c.length < 2 or k + 2 >= len(doc):
            continue
        if doc[k].text != "(" or doc[k + 2].text != ")" or k + 1 in taken:
            continue
        acronym = doc[k + 1].text
        if not _ACRONYM.match(acronym):
            continue
        initials = "".join(t.text[0] for t in doc[c.start : c.end] if t.text[:1].isupper())
        if acronym.replace(".", "")[0] != initials[:1]:
            continue  # "(AP)" after an unrelated name is a credit, not this name's acronym
        canonical = c.canonical or doc[c.start : c.end].text
        out.append(_Candidate(k + 1, k + 2, c.label, canonical, "rule", 0))
    return out


def _trim(doc: Doc, start: int, end: int) -> tuple[int, int]:
    while start < end and (doc[start].lower_ in TRIM_LEFT or doc[start].is_space):
        start += 1
    while end > start and (doc[end - 1].lower_ in TRIM_RIGHT or doc[end - 1].is_space or doc[end - 1].is_punct and doc[end - 1].text not in (")",)):
        end -= 1
    return start, end


def _resolve_overlaps(cands: list[_Candidate]) -> list[_Candidate]:
    """Keep the best of overlapping candidates: lower priority number, then longer."""
    taken: list[_Candidate] = []
    occupied: set[int] = set()
    for cand in sorted(cands, key=lambda c: (c.priority, -c.length, c.start)):
        tokens = set(range(cand.start, cand.end))
        if tokens & occupied:
            continue
        taken.append(cand)
        occupied |= tokens
    return taken


def make_mentions(nlp: Language, name: str) -> MentionMerger:
    return MentionMerger(nlp, name)
