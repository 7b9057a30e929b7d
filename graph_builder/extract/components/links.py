"""Stage 5, `testimony_links`: typed links between the mentions of one doc.

HELD_ROLE, MEMBER_OF, PRESENT_AT, HAPPENED_AT and LOCATED_IN, from adjacency patterns that need
no parse ("my emir, Abu Hamza", "Tabqa, Syria", "Abu Layth, an ISIS emir") and, with a parse,
from the dependency tree (apposition, copulas, "joined ISIS", "lived in Tabqa", "the emir of
ISIS"); places named inside an event happened there. Evidence is the sentence's character
offsets (or the two mentions' when there are no sentences).

Requires: `doc.spans["mentions"]` (and the parser when present). Assigns `doc._.testimony_links`:
dicts with type, source and target (indices into `doc.spans["mentions"]`), start and end.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from graph_builder.extract.components.common import LINKS_ATTR, SPANS_MENTIONS, has_parse, span_group
from graph_builder.extract.components.lexicon import COPULAS, DIRECTION_WORDS, LOCATIVE_PREPS, MEMBERSHIP_VERBS


if not Doc.has_extension(LINKS_ATTR):
    Doc.set_extension(LINKS_ATTR, default=None)


@dataclass
class _LinkIndex:
    mentions: list[Span]
    by_token: dict[int, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for idx, span in enumerate(self.mentions):
            if span.label_ == "EVENT":
                continue  # events overlap the names inside them; index the names
            for i in range(span.start, span.end):
                self.by_token[i] = idx

    def at(self, token: Token, label: str | None = None) -> int | None:
        idx = self.by_token.get(token.i)
        if idx is None:
            return None
        if label is not None and self.mentions[idx].label_ != label:
            return None
        return idx


class LinkExtractor:
    """Typed links between the mentions of one doc; writes `doc._.testimony_links`."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __call__(self, doc: Doc) -> Doc:
        mentions = span_group(doc, SPANS_MENTIONS)
        index = _LinkIndex(mentions)
        links: dict[tuple[str, int, int], tuple[int, int]] = {}

        def add(kind: str, source: int | None, target: int | None, evidence: tuple[int, int]) -> None:
            if source is None or target is None or source == target:
                return
            links.setdefault((kind, source, target), evidence)

        self._adjacency(doc, mentions, index, add)
        if has_parse(doc):
            self._syntax(doc, mentions, index, add)
        for idx, span in enumerate(mentions):  # places named inside an event happened there
            if span.label_ == "EVENT":
                for i in range(span.start, span.end):
                    add("HAPPENED_AT", idx, index.at(doc[i], "PLACE"), (span.start_char, span.end_char))
        doc._.set(
            LINKS_ATTR,
            [
                {"type": kind, "source": s, "target": t, "start": ev[0], "end": ev[1]}
                for (kind, s, t), ev in links.items()
            ],
        )
        return doc

    @staticmethod
    def _evidence(doc: Doc, a: Span, b: Span) -> tuple[int, int]:
        if doc.has_annotation("SENT_START"):
            sent = a.sent
            return sent.start_char, sent.end_char
        return min(a.start_char, b.start_char), max(a.end_char, b.end_char)

    def _adjacency(self, doc: Doc, mentions: list[Span], index: _LinkIndex, add: Any) -> None:
        """Patterns that need no parse: "my emir, Abu Hamza", "Abu Hamza, the emir", "emir Abu Hamza",
        "Tabqa, Syria", "the Sadd prison in Tabqa", "an ISIS emir"."""
        names = [(i, m) for i, m in enumerate(mentions) if m.label_ != "EVENT"]
        # "the wali of Raqqa, Abu Muhannad": the role's complement sits between role and name
        for (ia, a), (ib, b), (ic, c) in zip(names, names[1:], names[2:]):
            if a.label_ != "ROLE" or c.label_ != "PERSON" or b.label_ not in ("PLACE", "ORG"):
                continue
            if [t.lower_ for t in doc[a.end : b.start]] in (["of"], ["of", "the"]) and [t.text for t in doc[b.end : c.start]] == [","]:
                add("HELD_ROLE", ic, ia, self._evidence(doc, a, c))
                if b.label_ == "ORG":
                    add("MEMBER_OF", ic, ib, self._evidence(doc, a, c))
        for (ia, a), (ib, b) in zip(names, names[1:]):
            gap = doc[a.end : b.start]
            gap_words = [t.lower_ for t in gap if not t.is_space]
            ev = self._evidence(doc, a, b)
            labels = (a.label_, b.label_)
            comma = gap_words in (([","], [",", "the"], [",", "a"], [",", "an"]))
            touching = not gap_words
            if labels == ("ROLE", "PERSON") and (comma or touching):
                add("HELD_ROLE", ib, ia, ev)
            elif labels == ("PERSON", "ROLE") and b.root.tag_ != "NNS" and (comma or gap_words in (["the"], ["was", "the"], ["is", "the"], ["was", "a"], ["is", "a"], ["became", "the"], ["became", "a"], ["as"], ["as", "the"], ["as", "a"], ["as", "an"])):
                add("HELD_ROLE", ia, ib, ev)
            elif labels == ("PLACE", "PLACE") and (gap_words == [","] or gap_words in (["in"], ["in", "the"], ["near"])
                                                   or (len(gap_words) == 2 and gap_words[0] in ("in", "near")
                                                       and gap_words[1] in DIRECTION_WORDS)):
                add("LOCATED_IN", ia, ib, ev)
            elif labels == ("PLACE", "PLACE") and gap_words[:1] in (["'s"], ["’s"]) and (
                    len(gap_words) == 1 or (len(gap_words) == 2 and gap_words[1] in DIRECTION_WORDS)):
                add("LOCATED_IN", ib, ia, ev)  # "Iraq's northern Sinjar region"
            elif labels == ("ORG", "ROLE") and touching:
                # "Abu Layth, an ISIS emir": he holds the role and belongs to the org
                for person in self._persons_of_role(mentions, ib, doc):
                    add("MEMBER_OF", person, ia, ev)
                    add("HELD_ROLE", person, ib, ev)
            elif labels == ("ROLE", "ORG") and gap_words in (["of"], ["of", "the"], ["in"], ["in", "the"], ["for"], ["with"]):
                for person in self._persons_of_role(mentions, ia, doc):
                    add("MEMBER_OF", person, ib, ev)
            elif labels == ("PERSON", "ORG") and gap_words in (["joined"], ["joined", "the"], ["of"], ["of", "the"]):
                add("MEMBER_OF", ia, ib, ev)

    @staticmethod
    def _persons_of_role(mentions: list[Span], role_idx: int, doc: Doc) -> list[int]:
        """PERSON mentions in apposition with the role (either side, comma or nothing between)."""
        role = mentions[role_idx]
        out = []
        for idx, m in enumerate(mentions):
            if m.label_ != "PERSON":
                continue
            between = doc[m.end : role.start] if m.end <= role.start else doc[role.end : m.start]
            words = [t.lower_ for t in between if not t.is_space]
            if len(words) <= 3 and all(w in (",", "the", "a", "an", "was", "is", "as") or w in ("isis",) for w in words):
                if abs(m.start - role.end) <= 4 or abs(role.start - m.end) <= 4:
                    out.append(idx)
        return out

    def _syntax(self, doc: Doc, mentions: list[Span], index: _LinkIndex, add: Any) -> None:
        for idx, span in enumerate(mentions):
            root = span.root
            ev = (span.sent.start_char, span.sent.end_char)
            if span.label_ == "ROLE":
                # apposition: "Abu Hamza, the emir of the camp" / "the emir, Abu Hamza"
                if root.dep_ == "appos":
                    add("HELD_ROLE", index.at(root.head, "PERSON"), idx, ev)
                for child in root.children:
                    if child.dep_ in ("appos", "compound", "nmod") or (child.dep_ == "npadvmod"):
                        add("HELD_ROLE", index.at(child, "PERSON"), idx, ev)
                # "the emir of the camp was Abu Hamza": the role is the subject, the person the attribute
                if root.dep_ in ("nsubj", "nsubjpass") and root.head.lower_ in COPULAS:
                    for attr in root.head.children:
                        if attr.dep_ in ("attr", "oprd"):
                            add("HELD_ROLE", index.at(attr, "PERSON"), idx, ev)
                # copula / "served as": "Abu Hamza was the emir", "he became the wali"
                head = root.head
                if root.dep_ == "pobj" and head.lower_ == "as":
                    head = head.head
                if root.dep_ in ("attr", "oprd", "pobj", "dobj") and head.lower_ in COPULAS | {"appointed", "named", "made"}:
                    for subj in head.children:
                        if subj.dep_ in ("nsubj", "nsubjpass"):
                            add("HELD_ROLE", index.at(subj, "PERSON"), idx, ev)
                # "the emir of ISIS" -> whoever holds it is a member
                for prep in root.children:
                    if prep.dep_ == "prep" and prep.lower_ in ("of", "in", "for", "with"):
                        for obj in prep.children:
                            org = index.at(obj, "ORG")
                            if org is not None:
                                for person in self._role_holders(doc, mentions, index, idx):
                                    add("MEMBER_OF", person, org, ev)
            elif span.label_ == "PERSON":
                if root.dep_ not in ("nsubj", "nsubjpass"):
                    continue
                # "Abu Hamza joined ISIS and lived in Tabqa": a conjoined verb shares the subject
                for verb in (root.head, *root.head.conjuncts):
                    if verb.pos_ not in ("VERB", "AUX"):
                        continue
                    for child in verb.children:
                        if child.dep_ == "dobj" and verb.lower_ in MEMBERSHIP_VERBS:
                            add("MEMBER_OF", idx, index.at(child, "ORG"), ev)  # "joined ISIS"
                        if child.dep_ != "prep":
                            continue
                        for obj in (c for c in child.children if c.dep_ == "pobj"):
                            if child.lower_ in LOCATIVE_PREPS:
                                add("PRESENT_AT", idx, index.at(obj, "PLACE"), ev)  # "lived in Tabqa"
                            if verb.lower_ in MEMBERSHIP_VERBS | COPULAS and child.lower_ in ("with", "for", "in", "to", "of"):
                                add("MEMBER_OF", idx, index.at(obj, "ORG"), ev)  # "fought with the FSA"
            elif span.label_ == "EVENT":
                for prep in root.children:
                    if prep.dep_ == "prep" and prep.lower_ in ("in", "at", "near", "on"):
                        for obj in prep.children:
                            add("HAPPENED_AT", idx, index.at(obj, "PLACE"), ev)
            elif span.label_ == "PLACE":
                # "Sadd al-Furat prison in Tabqa"
                for prep in root.children:
                    if prep.dep_ == "prep" and prep.lower_ in ("in", "near"):
                        for obj in prep.children:
                            add("LOCATED_IN", idx, index.at(obj, "PLACE"), ev)

    @staticmethod
    def _role_holders(doc: Doc, mentions: list[Span], index: _LinkIndex, role_idx: int) -> list[int]:
        root = mentions[role_idx].root
        holders = []
        if root.dep_ == "appos":
            holder = index.at(root.head, "PERSON")
            if holder is not None:
                holders.append(holder)
        for child in root.children:
            if child.dep_ == "appos":
                holder = index.at(child, "PERSON")
                if holder is not None:
                    holders.append(holder)
        head = root.head
        if root.dep_ in ("attr", "oprd"):
            for subj in head.children:
                if subj.dep_ in ("nsubj", "nsubjpass"):
                    holder = index.at(subj, "PERSON")
                    if holder is not None:
                        holders.append(holder)
        return holders


def make_links(nlp: Language, name: str) -> LinkExtractor:
    return LinkExtractor(name)
