"""Stage 7, `testimony_relations`: who did what to whom, where and when, from the parse.

Each rule reads a clause the way an analyst would: the verb, who does it (the subject, or the
agent of a passive: "by ISIS"), to whom (the object, or the subject of a passive) and where
("to Kilis", "in Raqqa"), and the words that say what kind of act it is, from
`lexicon/relations.yaml` ("took", "stormed", "arrested", "fled"). Nouns carry relations too:
"an attack on Kobani", "the victims of the massacre", "my brother Khalid", "our emir, Abu
Hamza", "a Yazidi boy, Raed". A link's end is a mention of the turn, a pronoun (resolved later,
with the interview: "I" is the interviewee in their own turns, "he" the person named just
before), or, for HAPPENED_ON, a date of the sentence.

The rules are grammar and word lists for the field, never names: they know that ISIS "takes" a
town and a witness "flees" to one, not which towns or witnesses there are.

Requires: `doc.spans["mentions"]`, `doc._.testimony_dates` and the parser (without one it adds
nothing). Appends to `doc._.testimony_links`; an end is a mention index, a pronoun
{"pronoun": "first" | "third" | "plural", "start", "end"}, a date {"date": [start, end]}
(character offsets in the doc) or a name the text implies {"type", "name"} (the country of a
demonym), plain values that survive `nlp.pipe(n_process=...)`.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Union

from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from graph_builder.extract.components.common import LINKS_ATTR, SPANS_MENTIONS, SPANS_SUPPRESSED, span_group
from graph_builder.extract.components.gazetteer import get_gazetteer
from graph_builder.extract.components.dates import DATES_ATTR
from graph_builder.extract.dates import PRECISIONS
from schemas import LINK_ENDS
from graph_builder.extract.components.lexicon import (
    ANSWER_PREPS,
    ANSWER_VERBS,
    ATTACK_NOUNS,
    ATTACK_VERBS,
    CAPTIVE_AMBIGUOUS,
    CAPTIVE_VERBS,
    CAPTIVE_WORDS,
    COMMAND_VERBS,
    CONTROL_FROM_VERBS,
    CONTROL_NOUNS,
    CONTROL_VERBS,
    COPULAS,
    DEPUTY_WORDS,
    FIRST_PERSON,
    FLIGHT_CUES,
    FLIGHT_MOVEMENT,
    FLIGHT_PREPS,
    FLIGHT_VERBS,
    HARM_VERBS,
    KIN_NOUNS,
    LOSS_VERBS,
    MEMBER_NOUNS,
    ORG_NOUNS,
    PLACE_NOUNS,
    SPEECH_VERBS,
    FROM_VERBS,
    RESIDENT_NOUNS,
    HOME_NOUNS,
    MEMBER_PREPS,
    MEMBER_VERBS,
    PART_VERBS,
    PERSON_DESCRIPTIONS,
    PRESENCE_NOUNS,
    PLURAL_PRONOUNS,
    PRESENCE_PREPS,
    PRESENCE_VERBS,
    QUANTITY_NOUNS,
    SUFFER_VERBS,
    SUPERIOR_ROLES,
    THIRD_PERSON,
    VICTIM_NOUNS,
)


@dataclass(frozen=True)
class Pronoun:
    """A link end that is a pronoun: "first" (I, we), "third" (he, she) or "plural" (they: an
    organisation or a group named just before); offsets are the doc's characters."""

    person: str
    start: int
    end: int

    def data(self) -> dict[str, object]:
        return {"pronoun": self.person, "start": self.start, "end": self.end}


@dataclass(frozen=True)
class DateEnd:
    """A link end that is a date of the doc (its characters; normalised later, with the
    interview's date and the year the interview is talking about)."""

    start: int
    end: int

    def data(self) -> dict[str, object]:
        return {"date": [self.start, self.end]}


@dataclass(frozen=True)
class NamedEnd:
    """A link end the text implies without naming it: the country a demonym stands for ("the
    Syrian city of Tabqa" -> Syria), from the gazetteer."""

    type: str
    name: str

    def data(self) -> dict[str, object]:
        return {"type": self.type, "name": self.name}


End = Union[int, Pronoun, DateEnd, NamedEnd]  # a mention index, a pronoun, a date, a name


@dataclass
class Found:
    """Links found in one doc, one per (type, source, target), with their evidence."""

    links: dict[tuple[str, End, End], tuple[int, int]] = field(default_factory=dict)

    def add(self, kind: str, source: End | None, target: End | None,
            evidence: tuple[int, int]) -> None:
        if source is None or target is None or source == target:
            return
        self.links.setdefault((kind, source, target), evidence)


# "KILIS, Turkey –", "MOSUL —", "BAGHDAD, Iraq:": a place (and its country) opening a report.
DATELINE = re.compile(r"^\s*[A-Z][A-Za-z\u00C0-\u024F'’.\- ]{1,40}?(?:,\s*[A-Z][A-Za-z\u00C0-\u024F'’. ]{1,30}?)?"
                      r"\s*(?:\([^)]{0,40}\))?\s*(?:[—–:]|--|-(?=\s))\s*")
SUBJECTS = ("nsubj", "csubj", "expl")
PASSIVE_SUBJECTS = ("nsubjpass", "csubjpass")
OBJECTS = ("dobj", "obj", "attr", "oprd")
BE_VERBS = COPULAS | {"are", "am"}


class RelationFinder:
    """The relation rules over one parsed doc and its mention spans (EVENTs included)."""

    def __init__(self, doc: Doc, mentions: list[Span], dates: list[tuple[int, int, str]],
                 countries: dict[int, str] | None = None) -> None:
        self.countries = countries or {}  # token -> the country its demonym stands for
        self.doc = doc
        self.mentions = mentions
        self.dates = dates
        self.found = Found()
        self.by_token: dict[int, int] = {}
        self.events_at: dict[int, int] = {}
        for idx, m in enumerate(mentions):
            target = self.events_at if m.label_ == "EVENT" else self.by_token
            for i in range(m.start, m.end):
                target.setdefault(i, idx)

    # --- ends --------------------------------------------------------------------------
    def label(self, end: End, want: frozenset[str] = frozenset()) -> str:
        if isinstance(end, Pronoun):
            if end.person == "plural":  # whichever of ORG and GROUP the link wants
                return "ORG" if "ORG" in want else "GROUP"
            return "PERSON"
        if isinstance(end, DateEnd):
            return "DATE"
        if isinstance(end, NamedEnd):
            return end.type
        return self.mentions[end].label_

    def at(self, tok: Token | None, labels: frozenset[str] | set[str] | tuple[str, ...]) -> End | None:
        """What a word of the clause stands for: the mention it is in (or the name in
        apposition to it: "my cousin Mahmoud"), or a pronoun; None when none of `labels`."""
        if tok is None:
            return None
        for t in self._np(tok):
            if "EVENT" in labels and t.i in self.events_at:
                return self.events_at[t.i]
            idx = self.by_token.get(t.i)
            if idx is not None and self.mentions[idx].label_ in labels:
                return idx
            if t.pos_ == "PRON":
                if "PERSON" in labels and t.lower_ in FIRST_PERSON | THIRD_PERSON:
                    return Pronoun("first" if t.lower_ in FIRST_PERSON else "third", t.idx, t.idx + len(t))
                if labels & {"ORG", "GROUP"} and t.lower_ in PLURAL_PRONOUNS:
                    return Pronoun("plural", t.idx, t.idx + len(t))
            # "... was revealed by a former ISIS member who fled to Turkey": in a text told about
            # the witness (no "I" in the sentence: not "I met a former member who..."), such a
            # description is the witness (resolved like "I": only where the interview names
            # its interviewee)
            if ("PERSON" in labels and t.lower_ in MEMBER_NOUNS and t.pos_ == "NOUN"
                    and t.tag_ == "NN"
                    and any(c.lower_ == "former" for c in t.children)
                    and any(c.lower_ in ("a", "an", "the", "this") for c in t.children)
                    and not any(w.lower_ in FIRST_PERSON for w in (t.sent if self.doc.has_annotation("SENT_START") else self.doc))):
                return Pronoun("first", t.idx, t.idx + len(t))
            # "the man fled to Kilis": a definite description is the person named last
            if ("PERSON" in labels and t.lower_ in PERSON_DESCRIPTIONS and t.pos_ == "NOUN"
                    and (idx is None or self.mentions[idx].label_ == "ROLE")
                    and any(c.lower_ in ("the", "this", "that") for c in t.children)
                    and not any(c.dep_ == "poss" for c in t.children)):
                return Pronoun("third", t.idx, t.idx + len(t))
            # "the group took control of Raqqa": the organisation named last
            if ("ORG" in labels and t.lower_ in ORG_NOUNS
                    and (idx is None or self.mentions[idx].label_ == "ROLE")
                    and any(c.lower_ in ("the", "this", "that") for c in t.children)):
                return Pronoun("plural", t.idx, t.idx + len(t))
        return None

    def _np(self, tok: Token) -> Iterator[Token]:
        """The word, then the names that stand for it: appositions, compounds, a name right
        after a common noun ("my brother Khalid" parses many ways)."""
        yield tok
        # "who joined ISIS": the relative pronoun is the noun the clause is about
        if tok.lower_ in ("who", "that", "which", "whom") and tok.head.dep_ == "relcl":
            yield from self._np(tok.head.head)
            return
        for child in tok.children:
            if child.dep_ in ("appos", "compound", "npadvmod", "nmod", "amod"):
                yield child
        # "a deserter from Syria" said of a named man: the description stands for him
        if tok.pos_ == "NOUN" and tok.dep_ == "appos" and tok.head.pos_ == "PROPN":
            yield tok.head
        # "the town of Sarrin", "the city of Raqqa": the name after "of"
        if tok.lower_ in PLACE_NOUNS:
            for p in tok.children:
                if p.dep_ == "prep" and p.lower_ == "of":
                    yield from (o for o in p.children if o.dep_ == "pobj")
        # "thousands of Yazidi women", "many of the fighters": the people are after "of"
        if tok.lower_ in QUANTITY_NOUNS or tok.pos_ == "NUM":
            for p in tok.children:
                if p.dep_ == "prep" and p.lower_ == "of":
                    for o in p.children:
                        if o.dep_ == "pobj":
                            yield from self._np(o)
        if tok.pos_ == "NOUN" and tok.i + 1 < len(self.doc):
            nxt = self.doc[tok.i + 1]
            if nxt.is_punct and nxt.text == "," and tok.i + 2 < len(self.doc):
                nxt = self.doc[tok.i + 2]
            if nxt.pos_ == "PROPN":
                yield nxt

    def bearer(self, n: Token) -> End | None:
        """Who a description is said of: "he was a fighter", "he is among the fighters of X",
        "her time as a member of X", "he served as a fighter"."""
        head = n.head
        if n.dep_ == "pobj" and head.lower_ in ("among", "as", "of") and head.head is not head:
            if head.lower_ == "of" and head.head.lower_ not in ("one", "some", "many", "few"):
                return None
            head = head.head
            if head.pos_ in ("NOUN", "PROPN"):  # "her time as a member"
                owner = next((self.at(c, {"PERSON"}) for c in head.children if c.dep_ == "poss"), None)
                if owner is not None:
                    return owner
                if head.dep_ == "pobj" and head.head.lower_ in ("among", "of"):
                    head = head.head.head  # "one of the fighters"
                else:
                    head = head.head
        elif n.dep_ not in ("attr", "oprd"):
            return None
        return next((self.at(c, {"PERSON"}) for c in head.children if c.dep_ in SUBJECTS), None)

    def sentence_doers(self, v: Token) -> list[Token]:
        """Subjects of the sentence's attack, control and captivity verbs that are
        organisations: the armed doer of what the sentence tells."""
        sent = v.sent if self.doc.has_annotation("SENT_START") else self.doc[:]
        out = []
        for t in sent:
            if t is not v and (t.lower_ in ATTACK_VERBS or t.lower_ in CONTROL_VERBS
                               or t.lower_ in CAPTIVE_VERBS):
                out += [s for s in self.subjects(t) if self.at(s, {"ORG"}) is not None]
        return out

    def people(self, tok: Token) -> list[End]:
        """The people a phrase names: "two of his brothers, Abu Abdullah and Abu Malik"."""
        out: list[End] = []
        for t in self._np(tok):
            for c in (t, *t.conjuncts, *(a for a in t.children if a.dep_ == "appos")):
                for cc in (c, *c.conjuncts):
                    who = self.at(cc, {"PERSON"})
                    if who is not None and who not in out and not isinstance(who, Pronoun):
                        out.append(who)
        return out

    def places(self, tok: Token) -> list[End]:
        """The places a word names: its own, and those in apposition or conjoined ("Raqqa,
        Syria", "Tabqa and Raqqa")."""
        out: list[End] = []
        for t in (tok, *tok.conjuncts, *(c for c in tok.children if c.dep_ == "appos")):
            place = self.at(t, {"PLACE"})
            if place is not None and place not in out:
                out.append(place)
        return out

    def conj(self, tok: Token | None) -> list[Token]:
        """A word and the words conjoined with it ("Abu Omar and his men")."""
        return [] if tok is None else [tok, *tok.conjuncts]

    def evidence(self, tok: Token) -> tuple[int, int]:
        sent = tok.sent if self.doc.has_annotation("SENT_START") else self.doc[:]
        return sent.start_char, sent.end_char

    def add(self, kind: str, source: End | None, target: End | None, tok: Token) -> None:
        if source is None or target is None:
            return
        allowed = LINK_ENDS.get(kind)  # schemas/graph.yaml; a pronoun is a PERSON, "they" an ORG or GROUP
        if allowed and (self.label(source, allowed[0]) not in allowed[0]
                        or self.label(target, allowed[1]) not in allowed[1]):
            return
        self.found.add(kind, source, target, self.evidence(tok))

    # --- the clause ----------------------------------------------------------------------
    @staticmethod
    def subjects(verb: Token) -> list[Token]:
        """Who does it: the verb's subject, or that of the verb it is conjoined with."""
        own = [c for c in verb.children if c.dep_ in SUBJECTS]
        v = verb
        while not own and v.dep_ in ("conj", "xcomp", "advcl") and v.head is not v:
            v = v.head
            own = [c for c in v.children if c.dep_ in SUBJECTS]
            if v.dep_ not in ("conj", "xcomp", "advcl"):
                break
        return own

    @staticmethod
    def passive(verb: Token) -> tuple[list[Token], list[Token]]:
        """(patients, agents) of a passive verb: "X was arrested by Y"."""
        patients = [c for c in verb.children if c.dep_ in PASSIVE_SUBJECTS]
        agents = [o for a in verb.children if a.dep_ == "agent" for o in a.children
                  if o.dep_ == "pobj"]
        return patients, agents

    @staticmethod
    def preps(tok: Token) -> Iterator[tuple[str, Token]]:
        """(preposition, its object) under a word, "into" and "in to" alike."""
        for p in tok.children:
            if p.dep_ in ("prep", "dative", "agent") or (p.dep_ == "prt" and p.lower_ in ("into", "to")):
                for o in p.children:
                    if o.dep_ in ("pobj", "pcomp"):
                        yield p.lower_, o
                    elif o.dep_ == "prep":  # "out of", "away from"
                        for oo in o.children:
                            if oo.dep_ == "pobj":
                                yield o.lower_, oo

    def dateline(self) -> None:
        """A report's dateline ("KILIS, Turkey – Abu Karim, 41, ..."): the person the first
        sentence names was there."""
        m = DATELINE.match(self.doc.text)
        if m is None:
            return
        places = [i for i, s in enumerate(self.mentions)
                  if s.label_ == "PLACE" and s.end_char <= m.end()]
        if not places:
            return
        after = self.doc.char_span(m.end(), len(self.doc.text), alignment_mode="expand")
        if after is None or not len(after):
            return
        first = after[0].sent if self.doc.has_annotation("SENT_START") else self.doc[:]
        if first.end < len(self.doc) and first.end - first.start <= 12:
            first = self.doc[first.start : self.doc[first.end].sent.end]  # a short quote first
        person = next((i for i, s in enumerate(self.mentions) if s.label_ == "PERSON"
                       and s.start_char >= m.end() and s.end_char <= first.end_char), None)
        if person is None:
            return
        for place in places:
            self.found.add("PRESENT_AT", person, place, (0, first.end_char))

    def run(self) -> Found:
        self.dateline()
        for tok in self.doc:
            if tok.pos_ in ("VERB", "AUX") or tok.dep_ == "ROOT":
                self.verb(tok)
            if tok.pos_ in ("NOUN", "PROPN"):
                self.noun(tok)
        self.events()
        self.groups()
        return self.found

    def verb(self, v: Token) -> None:
        lw = v.lower_
        subj = [s for t in self.subjects(v) for s in self.conj(t)]
        patients, agents = self.passive(v)
        patients = [p for t in patients for p in self.conj(t)]
        agents = [a for t in agents for a in self.conj(t)]
        objs = [o for c in v.children if c.dep_ in OBJECTS for o in self.conj(c)]
        preps = list(self.preps(v))
        doers = subj + agents
        undergoers = objs + patients
        if patients and not agents and (lw in CAPTIVE_VERBS or lw in HARM_VERBS):
            # "ISIS stormed Sinjar and he was captured": the sentence's armed doer did it
            doers = doers + self.sentence_doers(v)
        # CONTROLLED / ATTACKED: ISIS took / stormed Sinjar; Sinjar was taken by ISIS
        if lw in CONTROL_VERBS:
            for a in doers:
                for o in undergoers:
                    self.add("CONTROLLED", self.at(a, {"ORG"}), self.at(o, {"PLACE"}), v)
                # "took control of Raqqa"
                for o in objs:
                    if o.lower_ in CONTROL_NOUNS:
                        for p, x in self.preps(o):
                            if p in ("of", "over"):
                                self.add("CONTROLLED", self.at(a, {"ORG"}), self.at(x, {"PLACE"}), v)
        if lw in CONTROL_FROM_VERBS:
            for p, x in preps:
                if p == "from":  # liberated Sarrin from ISIS: ISIS held it
                    for o in undergoers:
                        self.add("CONTROLLED", self.at(x, {"ORG"}), self.at(o, {"PLACE"}), v)
        if lw in ATTACK_VERBS:
            for a in doers:
                for o in undergoers:
                    self.add("ATTACKED", self.at(a, {"ORG"}), self.at(o, {"PLACE", "GROUP"}), v)
                for p, x in preps:
                    if p in ("into", "on", "against", "upon", "in"):
                        self.add("ATTACKED", self.at(a, {"ORG"}), self.at(x, {"PLACE"}), v)
        # HELD_CAPTIVE: the Amniyat arrested my cousin; I was held by the hisbah
        if lw in CAPTIVE_VERBS:
            # "held", "took" are captivity when a captive word says so, or when someone was held
            # by someone ("I was held by the Amniyat")
            captive_context = lw not in CAPTIVE_AMBIGUOUS or bool(agents and patients) or any(
                t.lower_ in CAPTIVE_WORDS for t in v.subtree)
            if captive_context:
                for a in doers:
                    for o in undergoers:
                        self.add("HELD_CAPTIVE", self.at(a, {"ORG", "PERSON"}),
                                 self.at(o, {"PERSON", "GROUP"}), v)
        # FLED_TO: my brother fled to Kilis
        if lw in FLIGHT_VERBS | FLIGHT_MOVEMENT:
            for s in subj:
                for p, x in preps:
                    if p in FLIGHT_PREPS:
                        who = self.at(s, {"PERSON", "GROUP"})
                        if lw in FLIGHT_VERBS or self._escaping(v):
                            for where in self.places(x):
                                self.add("FLED_TO", who, where, v)
                                self.add("PRESENT_AT", who, where, v)
        # MEMBER_OF: I joined the hisbah; he fought with the FSA; I defected from ISIS
        if lw in MEMBER_VERBS:
            for s in subj + patients:  # "she was recruited into the hisbah"
                who = self.at(s, {"PERSON"})
                for o in objs:
                    self.add("MEMBER_OF", who, self.at(o, {"ORG"}), v)
                # "Along with his brothers, A and B, he joined the FSA": they joined it too
                company = [pp for p, x in preps if p == "with" and (
                    x.head.head.lower_ == "along" or any(c.lower_ == "along" for c in x.head.children))
                    for pp in self.people(x)]
                for o in objs:
                    for other in company:
                        self.add("MEMBER_OF", other, self.at(o, {"ORG"}), v)
                for p, x in preps:
                    if p in MEMBER_PREPS:
                        org = self.at(x, {"ORG"})
                        if org is None:  # "served with the security apparatus of the Islamic State"
                            org = next((self.at(xx, {"ORG"}) for pp, xx in self.preps(x) if pp == "of"), None)
                        self.add("MEMBER_OF", who, org, v)
        # PRESENT_AT: I lived in Raqqa; we went to Mosul; she was held in Tabqa
        if lw in PRESENCE_VERBS or lw in SPEECH_VERBS or lw in CAPTIVE_VERBS or lw in BE_VERBS:
            for s in subj + patients:
                who = self.at(s, {"PERSON"})
                if who is None:
                    continue
                for p, x in preps:
                    if p in PRESENCE_PREPS or (p == "from" and lw in FROM_VERBS):
                        for place in self.places(x):
                            self.add("PRESENT_AT", who, place, v)
                if lw in CAPTIVE_VERBS:  # "arrested by IS in Raqqa": where the agent held them
                    for a in agents:
                        for p, x in self.preps(a):
                            if p in ("in", "at"):
                                for place in self.places(x):
                                    self.add("PRESENT_AT", who, place, v)
        # "In Kilis, Abu Karim told us...": a locative put before the subject places the subject,
        # whatever the verb
        for s in subj:
            who = self.at(s, {"PERSON"})
            if who is None:
                continue
            for p, x in preps:
                if p in ("in", "at") and x.i < s.i:
                    for place in self.places(x):
                        self.add("PRESENT_AT", who, place, v)
        # HELD_ROLE with a pronoun: I was a fighter; he became the emir; he made a living as a
        # salesman (names are linked to roles by the older rules already)
        for s in subj + patients:
            who = self.at(s, {"PERSON"})
            if not isinstance(who, Pronoun):
                continue
            if lw in COPULAS:
                for o in objs:
                    self.add("HELD_ROLE", who, self.at(o, {"ROLE"}), v)
            if s in patients and lw not in COPULAS:
                continue  # "he was earmarked as a future fighter" is not being one
            for p, x in [*preps, *(px for o in objs for px in self.preps(o))]:
                if p == "as":
                    self.add("HELD_ROLE", who, self.at(x, {"ROLE"}), v)
        # VICTIM_OF / TOOK_PART_IN: the Yazidis were killed in the massacre (by ISIS)
        if lw in HARM_VERBS or lw in SUFFER_VERBS or lw in PART_VERBS:
            event = self._event_of(v)
            if event is not None:
                if lw in HARM_VERBS or lw in SUFFER_VERBS:
                    victims = objs + patients if lw not in SUFFER_VERBS else (
                        objs if lw in LOSS_VERBS else subj + patients)  # "she lost her son in it"
                    for o in victims:
                        self.add("VICTIM_OF", self.at(o, {"PERSON", "GROUP"}), event, v)
                    for a in (agents if lw in SUFFER_VERBS else subj + agents):
                        self.add("TOOK_PART_IN", self.at(a, {"ORG", "PERSON"}), event, v)
                if lw in PART_VERBS:
                    for a in subj:
                        self.add("TOOK_PART_IN", self.at(a, {"ORG", "PERSON"}), event, v)
        # SUPERIOR_OF: Abu Hamza commanded Abu Omar; I answered to Abu Yusuf
        if lw in COMMAND_VERBS:
            for s in subj:
                for o in objs:
                    self.add("SUPERIOR_OF", self.at(s, {"PERSON"}), self.at(o, {"PERSON"}), v)
        if lw in ANSWER_VERBS:
            for s in subj:
                for p, x in preps:
                    if p in ANSWER_PREPS:
                        self.add("SUPERIOR_OF", self.at(x, {"PERSON"}), self.at(s, {"PERSON"}), v)

    def _escaping(self, v: Token) -> bool:
        """"got to Turkey" is flight only in a clause about escaping."""
        return any(t.lower_ in FLIGHT_VERBS or t.lower_ in FLIGHT_CUES for t in v.sent)

    def _event_of(self, v: Token) -> End | None:
        """The event a harm verb belongs to: "killed in the massacre", or the one event the
        clause names."""
        for p, x in self.preps(v):
            if p in ("in", "during", "at", "on") and x.i in self.events_at:
                return self.events_at[x.i]
        for t in v.subtree:
            if t.i in self.events_at:
                return self.events_at[t.i]
        sent = v.sent
        inside = {self.events_at[i] for i in range(sent.start, sent.end) if i in self.events_at}
        return inside.pop() if len(inside) == 1 else None

    def noun(self, n: Token) -> None:
        lw = n.lower_
        # "an engineer from Morocco", "a Kobani resident", "a native of Mosul", "his hometown of
        # Deir Ezzor": where a person comes from or lives
        if n.pos_ == "NOUN":
            places: list[End] = []
            for p, x in self.preps(n):
                if p == "from" or (p == "of" and (lw in RESIDENT_NOUNS or lw in HOME_NOUNS)):
                    places += self.places(x)
            if lw in RESIDENT_NOUNS:
                places += [pl for c in n.children if c.dep_ in ("compound", "amod", "nmod")
                           for pl in [self.at(c, {"PLACE"})] if pl is not None]
            if places:
                owner = None
                if lw in HOME_NOUNS:
                    owner = next((self.at(c, {"PERSON"}) for c in n.children if c.dep_ == "poss"), None)
                if owner is None:
                    owner = self.at(n, {"PERSON"})
                    if owner is None and n.dep_ in ("attr", "appos"):
                        owner = next((self.at(c, {"PERSON"}) for c in n.head.children
                                      if c.dep_ in SUBJECTS), None)
                for place in places:
                    if owner != place:
                        self.add("PRESENT_AT", owner, place, n)
        # "the Syrian city of Tabqa", "their northern Syrian stronghold, Raqqa": in that country
        if lw in PLACE_NOUNS or lw in CONTROL_NOUNS:
            mods = [c for c in n.children if c.dep_ in ("amod", "compound", "nmod")]
            mods += [g for c in mods for g in c.children if g.dep_ in ("amod", "compound")]
            country = next((self.countries[c.i] for c in mods if c.i in self.countries), None)
            if country is not None:
                named = [pl for p, x in self.preps(n) if p == "of" for pl in self.places(x)]
                named += [pl for c in n.children if c.dep_ == "appos" for pl in self.places(c)]
                if n.dep_ == "appos":
                    named += self.places(n.head)
                for place in named:
                    self.add("LOCATED_IN", place, NamedEnd("PLACE", country), n)
        # "my job in Raqqa", "his shop in Tabqa": where the owner lived or worked
        if lw in PRESENCE_NOUNS:
            owner = next((self.at(c, {"PERSON"}) for c in n.children if c.dep_ == "poss"), None)
            for p, x in self.preps(n):
                if p in ("in", "at"):
                    for place in self.places(x):
                        self.add("PRESENT_AT", owner, place, n)
        # "Karim, an ISIS fighter", "she was a member of the hisbah"
        if lw in MEMBER_NOUNS:
            orgs = [self.at(c, {"ORG"}) for c in n.children if c.dep_ in ("compound", "amod", "nmod", "poss")]
            orgs += [self.at(x, {"ORG"}) for p, x in self.preps(n) if p in ("of", "in", "from", "with")]
            # "the state security apparatus of the Islamic State": the organisation one "of" on
            orgs += [self.at(xx, {"ORG"}) for p, x in self.preps(n) if p == "of"
                     for pp, xx in self.preps(x) if pp == "of"]
            who = self.at(n, {"PERSON"})
            if who is None:
                who = self.bearer(n)
            for org in orgs:
                self.add("MEMBER_OF", who, org, n)
        # "their stronghold, Raqqa", "in the clutches of ISIS", "ISIS's control of Raqqa"
        if lw in CONTROL_NOUNS:
            holders = [self.at(c, {"ORG"}) for c in n.children if c.dep_ == "poss"]
            held: list[End] = []
            for p, x in self.preps(n):
                if p == "of":
                    org = self.at(x, {"ORG"})
                    if org is not None:
                        holders.append(org)
                    else:
                        held += self.places(x)
            held += [pl for c in n.children if c.dep_ == "appos" for pl in self.places(c)]
            if n.dep_ == "appos":
                held += self.places(n.head)
            if n.dep_ == "pobj" and n.head.lower_ == "in" and n.head.head.lower_ in BE_VERBS:
                held += [pl for c in n.head.head.children if c.dep_ in SUBJECTS for pl in self.places(c)]
            for org in holders:
                for place in held:
                    self.add("CONTROLLED", org, place, n)
        # "an attack on Kobani (by ISIS)", "ISIS's assault on Sinjar"
        if lw in ATTACK_NOUNS:
            agents = [c for c in n.children if c.dep_ in ("poss", "compound", "amod")]
            targets = []
            for p, x in self.preps(n):
                if p in ("on", "against", "upon"):
                    targets.append(x)
                elif p == "by":
                    agents.append(x)
            if n.dep_ in ("dobj", "obj") and n.head.lower_ in PART_VERBS:
                agents += self.subjects(n.head)  # "ISIS launched an attack on the city"
            if not [a for a in agents if self.at(a, {"ORG"}) is not None]:
                agents += self.sentence_doers(n)  # "... killed in the assault, and the militants took"
            # "the Yazidis were killed in the assault": those it harmed were attacked
            if n.dep_ == "pobj" and n.head.lower_ in ("in", "during") and n.head.head.lower_ in HARM_VERBS:
                harmed = n.head.head
                targets += [p for t in self.passive(harmed)[0] for p in self.conj(t)]
                targets += [o for c in harmed.children if c.dep_ in OBJECTS for o in self.conj(c)]
            for a in (x for t in agents for x in self.conj(t)):
                for t in (x for tt in targets for x in self.conj(tt)):
                    self.add("ATTACKED", self.at(a, {"ORG"}), self.at(t, {"PLACE", "GROUP"}), n)
        # "the victims of the massacre": the victims are the noun's names
        if lw in VICTIM_NOUNS:
            event = None
            for p, x in self.preps(n):
                if p == "of" and x.i in self.events_at:
                    event = self.events_at[x.i]
            if event is not None:
                who = [c for c in n.children if c.dep_ in ("amod", "compound", "appos", "nmod")]
                if n.dep_ in ("attr", "appos"):
                    who.append(n.head)
                    who += [c for c in n.head.children if c.dep_ in SUBJECTS + PASSIVE_SUBJECTS]
                for w in (x for t in who for x in self.conj(t)):
                    self.add("VICTIM_OF", self.at(w, {"PERSON", "GROUP"}), event, n)
        # "my brother Khalid", "Abu Omar's wife, Umm Huda", "X, the son of Y"
        if lw in KIN_NOUNS:
            relative = None
            relatives: list[End] = []
            for t in list(self._np(n))[1:]:
                relative = self.at(t, {"PERSON"})
                if relative is not None:
                    # "his brothers, Abu Abdullah and Abu Malik": each of them
                    relatives += [r for c in t.conjuncts for r in [self.at(c, {"PERSON"})] if r is not None]
                    break
            if relative is None and n.dep_ in ("appos", "attr"):
                relative = self.at(n.head, {"PERSON"}) if n.dep_ == "appos" else None
                if n.dep_ == "attr":
                    for s in n.head.children:
                        if s.dep_ in SUBJECTS:
                            relative = self.at(s, {"PERSON"})
            owner = None
            for c in n.children:
                if c.dep_ == "poss":
                    owner = self.at(c, {"PERSON"})
            for p, x in self.preps(n):
                if p == "of" and owner is None:
                    owner = self.at(x, {"PERSON"})
            for kin in (relative, *relatives):
                self.add("RELATIVE_OF", owner, kin, n)
        # "my emir, Abu Omar", "his commander Abu Hamza": the named man is over the owner
        if lw in SUPERIOR_ROLES:
            owner = next((self.at(c, {"PERSON"}) for c in n.children if c.dep_ == "poss"), None)
            if owner is not None:
                for t in list(self._np(n))[1:]:
                    boss = self.at(t, {"PERSON"})
                    if boss is not None and not isinstance(boss, Pronoun):
                        self.add("SUPERIOR_OF", boss, owner, n)
                        break
        # "Abu Hamza's deputy, Abu Omar"
        if lw in DEPUTY_WORDS:
            owner = next((self.at(c, {"PERSON"}) for c in n.children if c.dep_ == "poss"), None)
            if owner is not None and not isinstance(owner, Pronoun):
                for t in list(self._np(n))[1:]:
                    under = self.at(t, {"PERSON"})
                    if under is not None:
                        self.add("SUPERIOR_OF", owner, under, n)
                        break

    def events(self) -> None:
        """Inside each event: who did it ("ISIL attacked Sinjar" as one event), what it hit,
        and when (HAPPENED_ON: a date in the event's words or its clause)."""
        for idx, m in enumerate(self.mentions):
            if m.label_ != "EVENT":
                continue
            root = m.root
            # An ORG named inside the event's words, as the doer: "the ISIS attack on Sinjar".
            for i in range(m.start, m.end):
                org = self.by_token.get(i)
                if org is not None and self.mentions[org].label_ == "ORG":
                    tok = self.doc[i]
                    if tok.dep_ in SUBJECTS + ("poss", "compound", "amod", "pobj") and not (
                            tok.dep_ == "pobj" and tok.head.lower_ in ("on", "against", "of", "in",
                                                                       "from", "to", "into")):
                        self.add("TOOK_PART_IN", org, idx, root)
            # "the massacre by ISIS", "ISIS's siege of Kobani"
            for c in root.children:
                if c.dep_ == "poss":
                    self.add("TOOK_PART_IN", self.at(c, {"ORG"}), idx, root)
            for p, x in self.preps(root):
                if p == "by":
                    for a in self.conj(x):
                        self.add("TOOK_PART_IN", self.at(a, {"ORG", "PERSON"}), idx, root)
            # A clause event's own subject: "the militants stormed into Sinjar"
            if root.pos_ in ("VERB", "AUX"):
                for subject in self.subjects(root):
                    if m.start <= subject.i < m.end or subject.lower_ in ORG_NOUNS:
                        self.add("TOOK_PART_IN", self.at(subject, {"ORG"}), idx, root)
            # The event is what a verb's subject did: "ISIS carried out the massacre"
            head = root.head
            if root.dep_ in ("dobj", "obj") and head.lower_ in PART_VERBS | HARM_VERBS:
                for s in self.subjects(head):
                    self.add("TOOK_PART_IN", self.at(s, {"ORG", "PERSON"}), idx, root)
            self._date_of(idx, m)

    def _date_of(self, idx: int, m: Span) -> None:
        sent = m.sent if self.doc.has_annotation("SENT_START") else self.doc[:]
        inside = [d for d in self.dates if m.start_char <= d[0] and d[1] <= m.end_char]
        clause = [d for d in self.dates if sent.start_char <= d[0] and d[1] <= sent.end_char]
        # The event's own words, else a date its words govern ("on 3 August"), else the one
        # date of its sentence.
        attached = []
        for p, x in self.preps(m.root):
            if p in ("on", "in", "of", "during", "since"):
                attached += [d for d in clause if x.idx <= d[0] < x.idx + len(x) + 40]
        head = m.root.head
        if not attached and head.pos_ in ("VERB", "AUX"):
            for p, x in self.preps(head):
                if p in ("on", "in", "during"):
                    attached += [d for d in clause if x.idx <= d[0] < x.idx + 40]
        pick = inside or attached or (clause if len(clause) == 1 else [])
        if pick:
            best = max(pick, key=lambda d: PRECISIONS.index(d[2]))
            self.found.add("HAPPENED_ON", idx, DateEnd(best[0], best[1]),
                           (sent.start_char, sent.end_char))

    def groups(self) -> None:
        """MEMBER_OF_GROUP: a demonym or a religious label said of a person: "X, a Syrian",
        "the Tunisian Abu Muthanna", "a Yazidi boy, Raed", "he is a Yazidi"."""
        for idx, m in enumerate(self.mentions):
            if m.label_ != "GROUP":
                continue
            tok = m.root
            people: list[Token] = []
            if tok.dep_ in ("amod", "compound", "nmod"):
                noun = tok.head
                people += [noun, *list(self._np(noun))[1:]]
                if noun.dep_ == "appos":
                    people.append(noun.head)
                if noun.dep_ == "attr":
                    people += [s for s in noun.head.children if s.dep_ in SUBJECTS]
            elif tok.dep_ == "appos":
                people.append(tok.head)
            elif tok.dep_ in ("attr", "oprd"):
                people += [s for s in tok.head.children if s.dep_ in SUBJECTS]
            for p in people:
                who = self.at(p, {"PERSON"})
                if who is not None and who != idx:
                    self.add("MEMBER_OF_GROUP", who, idx, tok)
                    break


def find_relations(doc: Doc, mentions: list[Span], dates: list[tuple[int, int, str]],
                   countries: dict[int, str] | None = None) -> Found:
    """The typed links of one parsed doc (see the module's docstring); none without a parse."""
    if not doc.has_annotation("DEP"):
        return Found()
    return RelationFinder(doc, mentions, dates, countries).run()


def _end(end: End) -> object:
    return end if isinstance(end, int) else end.data()


class RelationExtractor:
    """Adds the relation rules' links to `doc._.testimony_links` (after the older five types'
    own, which win a tie on the same type and ends)."""

    def __init__(self, nlp: Language, name: str) -> None:
        self.nlp = nlp
        self.name = name

    def _countries(self, doc: Doc) -> dict[int, str]:
        """Demonyms of the doc whose gazetteer entry names a country (kept or set aside as
        not describing people: "Syrian" in "the Syrian city")."""
        gazetteer = get_gazetteer(self.nlp)
        out: dict[int, str] = {}
        for group in (SPANS_MENTIONS, SPANS_SUPPRESSED):
            for span in span_group(doc, group):
                if span.label_ == "GROUP" and span.kb_id_:
                    entry = gazetteer.entry_for("GROUP", span.kb_id_)
                    if entry is not None and entry.place:
                        for i in range(span.start, span.end):
                            out.setdefault(i, entry.place)
        return out

    def __call__(self, doc: Doc) -> Doc:
        links = list(doc._.get(LINKS_ATTR) or [])
        seen = {(link["type"], link["source"], link["target"]) for link in links}
        dates = [tuple(d) for d in doc._.get(DATES_ATTR) or []]
        found = find_relations(doc, span_group(doc, SPANS_MENTIONS), dates,  # type: ignore[arg-type]
                               self._countries(doc))
        for (kind, source, target), (start, end) in found.links.items():
            if (kind, source, target) in seen:
                continue
            links.append({"type": kind, "source": _end(source), "target": _end(target),
                          "start": start, "end": end})
        doc._.set(LINKS_ATTR, links)
        return doc


def make_relations(nlp: Language, name: str) -> RelationExtractor:
    return RelationExtractor(nlp, name)
