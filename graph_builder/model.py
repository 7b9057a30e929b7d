"""The declared types that flow between pipeline stages.

read (path -> SourceDocument) -> split (SourceDocument -> Interview) -> extract
(Interview -> ExtractedInterview) -> resolve (mention keys -> Resolution) -> load (store).
All offsets are character offsets into `SourceDocument.text` / `Interview.text`, the text as read.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

SpeakerRole = Literal["interviewer", "interviewee", "third_party"]
EntityType = Literal["PERSON", "PLACE", "ORG", "ROLE", "GROUP", "EVENT"]


@dataclass(frozen=True)
class Cue:
    """A block a timed or structured format already delimits (an SRT/VTT cue, a JSON turn)."""

    start: int  # offsets into SourceDocument.text
    end: int
    speaker: str | None = None
    time_start: float | None = None  # seconds
    time_end: float | None = None


@dataclass(frozen=True)
class SourceDocument:
    """What a reader returns: the text as read, its metadata and any cues the format carries."""

    path: str
    text: str
    content_hash: str  # sha256 of the file's bytes
    metadata: dict[str, str] = field(default_factory=dict)
    body_start: int = 0  # where the body begins (after front matter / header lines)
    cues: tuple[Cue, ...] = ()


@dataclass(frozen=True)
class Interviewee:
    pseudonym: str
    gender: str | None = None
    nationality: str | None = None
    status: str | None = None  # defector, returnee, survivor, witness, family member
    role: str | None = None
    age: str | None = None


@dataclass(frozen=True)
class Turn:
    index: int
    speaker: str  # the label as written, "" when the transcript has none
    speaker_role: SpeakerRole
    start: int  # offsets of the turn's words (without the speaker label) in Interview.text
    end: int
    text: str
    time_start: float | None = None
    time_end: float | None = None

    def id(self, interview_id: str) -> str:
        return f"{interview_id}#{self.index}"


@dataclass(frozen=True)
class Interview:
    id: str
    title: str
    source_path: str
    content_hash: str
    text: str
    interviewee: Interviewee
    turns: tuple[Turn, ...]
    date: str | None = None
    place: str | None = None
    language: str | None = None
    interviewer: str | None = None
    medium: str | None = None
    media_file: str | None = None
    # What every export hides: ("witness", a name the interviewee goes by: the pseudonym, the
    # speaker labels of their turns) is replaced by their keyed code; ("private", a real name,
    # a relative, an address, a phone number from the metadata) by [redacted].
    redaction_terms: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Mention:
    turn_index: int
    start: int  # offsets into Interview.text
    end: int
    text: str
    type: EntityType
    key: str  # "<TYPE>:<normalised name>", what the resolver maps to an entity
    method: str  # gazetteer, kunya, model, rule
    confidence: float = 1.0
    canonical_hint: str | None = None  # a gazetteer's canonical name, when one matched


@dataclass(frozen=True)
class Link:
    type: str  # one of schemas LINK_TYPES
    source_key: str  # mention keys
    target_key: str
    turn_index: int
    start: int  # the evidence span in Interview.text
    end: int
    date: str | None = None  # ISO date the evidence states (HAPPENED_ON: the event's date)


@dataclass(frozen=True)
class ThemeCode:
    turn_index: int
    theme: str  # codebook code
    start: int  # the evidence span in Interview.text
    end: int
    evidence: str
    by: str = "rules"
    confidence: float = 1.0


@dataclass(frozen=True)
class ExtractedInterview:
    interview: Interview
    mentions: tuple[Mention, ...]
    links: tuple[Link, ...]
    themes: tuple[ThemeCode, ...]
    # The testimony's sentences with their embeddings (graph_builder/embeddings.py):
    # (turn index, start, end offsets into Interview.text, int8 unit vector); () without a model
    sentences: tuple[tuple[int, int, int, bytes], ...] = ()


@dataclass(frozen=True)
class Entity:
    id: str  # "<type lower>:<normalised canonical name>"
    type: EntityType
    name: str
    aliases: tuple[str, ...]
    confidence: float = 1.0


@dataclass(frozen=True)
class Resolution:
    """The resolver's answer: mention keys mapped to entities.

    `scope` None: the answer for the whole store. Otherwise it covers exactly the keys in
    `scope` (closed: no key outside shares an entity or a decision with one inside), and the
    store replaces only their entries, entities and review pairs.
    """

    entities: tuple[Entity, ...]
    assignments: dict[str, str]  # mention key (or "key@interview") -> entity id
    possibly_same: tuple[tuple[str, str, float], ...] = ()  # entity id pairs kept apart for review
    scope: frozenset[str] | None = None
    settles: frozenset[str] = frozenset()  # pending keys this answer settles
    # The review pairs as the resolver found them, by key (or key@interview) and score: an
    # incremental resolution replaces the pairs both of whose keys are in its scope.
    key_pairs: tuple[tuple[str, str, float], ...] = ()
    confirmed: frozenset[str] = frozenset()  # entity ids whose merge an analyst confirmed
