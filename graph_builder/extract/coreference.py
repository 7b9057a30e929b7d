"""Who "I", "he" and "they" are, across the turns of one interview.

In the interviewee's own turns "I", "me", "my" and "we" are the interviewee: the witness is in
the graph as a PERSON under their pseudonym, so "I worked for the hisbah in Raqqa" links the
witness to the hisbah and to Raqqa. In the interviewer's turns they are the interviewer, who is
not. "He", "she", "his" are the person named last before them (in the same turn, else in the
two turns before); "they" is the organisation (or, where a group is wanted, the group) named
last before it. Where nobody fits, the pronoun stands for nobody and the link is dropped: a
link that names the wrong person is worse than none.

A pronoun that ends up as a link's end becomes a mention of its person (method "pronoun"), so
the link has a mention to point at and the entity page can quote the witness's own words; the
stores leave pronoun mentions out of co-occurrence (a witness is not "named together" with
everything they tell).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from graph_builder.extract.normalize import mention_key
from graph_builder.model import Interview, Mention, Turn

THIRD_PERSON_REACH = 2  # turns back a "he" may look for the person it stands for
PRONOUN_CONFIDENCE = 0.6


def interviewee_name(interview: Interview) -> str | None:
    """The pseudonym the witness's "I" stands for; None when the interview has none."""
    name = (interview.interviewee.pseudonym or "").strip()
    if not name or name.lower().startswith("unknown interviewee"):
        return None
    return name


@dataclass
class Named:
    """A name said so far in the interview: where, of what type, under which key."""

    turn: int
    start: int  # offset into the interview text
    type: str
    key: str
    text: str


@dataclass
class Resolver:
    """Walks an interview turn by turn, remembering the names said, and gives each pronoun end
    its key (creating the pronoun's mention)."""

    interview: Interview
    said: list[Named] = field(default_factory=list)
    made: dict[tuple[int, int], Mention] = field(default_factory=dict)

    def saw(self, mention: Mention) -> None:
        if mention.method != "pronoun":
            self.said.append(Named(mention.turn_index, mention.start, mention.type, mention.key,
                                   mention.text))

    def saw_turn(self, mentions: list[Mention]) -> None:
        """Remember a turn's names, in the order they are said."""
        for mention in sorted(mentions, key=lambda m: m.start):
            self.saw(mention)

    def key_of(self, end: dict, turn: Turn, wants: frozenset[str]) -> str | None:
        """The key a pronoun end ({"pronoun", "start", "end"}, offsets in the turn) stands
        for, or None; `wants` are the entity types the link's end may have."""
        at = turn.start + end["start"]
        person = end["pronoun"]
        if person == "first":
            name = interviewee_name(self.interview)
            if turn.speaker_role != "interviewee" or name is None or "PERSON" not in wants:
                return None
            return self._mention(turn, end, name, mention_key("PERSON", name), name)
        if person == "third":
            named = self._last(at, turn.index, {"PERSON"})
            if named is None or "PERSON" not in wants:
                return None
            return self._mention(turn, end, named.text, named.key, None)
        # "they": the organisation (or group) named last
        for t in ("ORG", "GROUP"):
            if t not in wants:
                continue
            named = self._last(at, turn.index, {t})
            if named is not None:
                return self._mention(turn, end, named.text, named.key, None, etype=t)
        return None

    def _last(self, at: int, turn_index: int, types: set[str]) -> Named | None:
        for named in reversed(self.said):
            if named.start >= at:
                continue
            if turn_index - named.turn > THIRD_PERSON_REACH:
                return None
            if named.type in types:
                return named
        return None

    def _mention(self, turn: Turn, end: dict, name: str, key: str, hint: str | None,
                 etype: str = "PERSON") -> str:
        spot = (turn.start + end["start"], turn.start + end["end"])
        if spot not in self.made:
            self.made[spot] = Mention(turn_index=turn.index, start=spot[0], end=spot[1],
                                      text=turn.text[end["start"]:end["end"]], type=etype,  # type: ignore[arg-type]
                                      key=key, method="pronoun", confidence=PRONOUN_CONFIDENCE,
                                      canonical_hint=hint)
        return key
