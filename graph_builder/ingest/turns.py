"""Split a SourceDocument into speaker turns: SourceDocument -> Interview.

Two paths:

* The document carries cues (SRT/VTT/JSON): one Turn per cue, so every turn keeps its own
  timestamp. The speaker comes from the cue, else from a leading ``Name:`` label in its text;
  a cue with neither continues the previous speaker (subtitles label only speaker changes).
* Plain text (txt/md/docx/pdf): the body (from ``doc.body_start``) is cut at speaker labels at
  the start of a line -- ``Q:``/``A:``, ``Q.``/``A.``, ``Interviewer:``, ``Interpreter:``, a
  name such as ``Abu Khalid:`` or ``SPEAKER 2:`` -- optionally preceded by a timestamp
  (``[00:12:05] Q:``, ``(12:05) Abu Khalid:``, ``00:12:05 Interviewer:``). Text before the first
  label (a title, a note) becomes turn 0 with speaker "" and role third_party, so no words are
  lost but none are attributed to the interviewee. Without labels the body falls back to
  blank-line separated paragraphs, speaker "" and role interviewee.

Invariant everywhere: ``turn.text == doc.text[turn.start:turn.end]``; the span excludes the
label and the timestamp, and is trimmed of surrounding white space.
"""
from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

from graph_builder.model import Interview, Interviewee, SourceDocument, SpeakerRole, Turn

__all__ = ["LeadingLabel", "leading_label", "parse_clock", "split_turns"]

# --------------------------------------------------------------------------------------------
# Timestamps

# 12:05, 00:12:05, 1:02:03.500, 00:12:05,5 (SRT uses a comma before the milliseconds).
_CLOCK = r"(?:\d{1,2}:)?\d{1,2}:\d{2}(?:[.,]\d{1,3})?"
_CLOCK_RE = re.compile(rf"^{_CLOCK}$")


def parse_clock(value: str) -> float:
    """Seconds for ``[hh:]mm:ss[.mmm]`` (``,`` accepted for the fraction). ValueError if not."""
    value = value.strip().replace(",", ".")
    parts = value.split(":")
    if not 2 <= len(parts) <= 3 or not all(parts):
        raise ValueError(f"not a timestamp: {value!r}")
    seconds = float(parts[-1])
    minutes = int(parts[-2])
    hours = int(parts[0]) if len(parts) == 3 else 0
    if not (0 <= seconds < 60 and 0 <= minutes < (60 if len(parts) == 3 else 10_000)) or hours < 0:
        raise ValueError(f"not a timestamp: {value!r} (minutes and seconds run to 59)")
    return hours * 3600 + minutes * 60 + seconds


# A timestamp in front of a label: "[00:12:05] ", "(12:05) ", "00:12:05 ", optionally followed
# by a dash or bar ("00:12:05 - Q:"). A bare timestamp must be followed by white space so that
# "10:30am" is never taken for one.
_TS_PREFIX = re.compile(
    rf"[ \t]*(?:\[[ \t]*(?P<b>{_CLOCK})[ \t]*\]|\([ \t]*(?P<p>{_CLOCK})[ \t]*\)|(?P<t>{_CLOCK})(?=[ \t]))"
    r"[ \t]*(?:[-\u2013\u2014|][ \t]*)?"
)
# A paragraph that opens with a timestamp but has no label (used by the paragraph fallback).
# Bare timestamps must have hours here: "9:30 in the morning we left" is prose, not a stamp.
_PARA_TS = re.compile(
    rf"(?:\[[ \t]*(?P<b>{_CLOCK})[ \t]*\]|\([ \t]*(?P<p>{_CLOCK})[ \t]*\)"
    r"|(?P<t>\d{1,2}:\d{2}:\d{2}(?:[.,]\d{1,3})?)(?=\s))[ \t]*(?:[-\u2013\u2014|][ \t]*)?"
)

# --------------------------------------------------------------------------------------------
# Speaker labels

# "Name:" with optional Markdown bold around the name or the whole label ("**Q:**", "**Q**:").
# The colon must be followed by white space or the end of the line, so "https://" and "10:30"
# never end a label.
_COLON_LABEL = re.compile(
    r"[ \t]*(?:\*\*|__)?(?P<label>[^:\n*_\[\]]{1,60}?)[ \t]*(?:\*\*|__)?[ \t]*:(?:\*\*|__)?(?=[ \t]|$)"
)
# "Q. ..." / "A. ..." (dotted question/answer labels, common in court-style transcripts).
_DOTTED_LABEL = re.compile(r"[ \t]*(?:\*\*)?(?P<label>[QA])\.(?:\*\*)?(?=[ \t])")

_INTERVIEWER_WORDS = frozenset({"q", "question", "interviewer", "int", "i"})
_INTERVIEWEE_WORDS = frozenset({"a", "answer", "interviewee", "respondent", "r"})
_THIRD_PARTY_WORDS = frozenset({"interpreter", "translator"})
# Labels that name a role, not a person ("Interviewer 2", "Interpreter (Arabic)").
_ROLE_PREFIXES: tuple[tuple[str, SpeakerRole], ...] = (
    ("interviewer", "interviewer"),
    ("interviewee", "interviewee"),
    ("respondent", "interviewee"),
    ("interpreter", "third_party"),
    ("translator", "third_party"),
)
# Labels that identify no one: they must never become an Interviewee pseudonym, because the
# pseudonym is the Interviewee's key and two interviews' "A" or "Speaker 2" are not one person.
_GENERIC_LABEL = re.compile(
    r"^(?:q|a|i|r|question|answer|int|interviewee|respondent|unknown|"
    r"(?:speaker|participant|person|voice|witness|respondent|interviewee)\s*\d*[a-z]?)$"
)
# First words that make "X: ..." a sentence rather than a speaker ("He said: come").
_SENTENCE_STARTERS = frozenset(
    "he she they we it you this that these those there here my his her their our your its "
    "when then but and so if as in on at for after before what why how who where which one "
    "some all then later now today yesterday".split()
)
# Whole labels that are document furniture or a header field ("Interview ID: int-04",
# "Pseudonym: Umm Huda" in a Word file), not speakers. "Interviewer" is deliberately absent.
_NOT_SPEAKERS = frozenset(
    {
        *"note notes update source sources caption photo translation transcript warning summary "
        "title subject tags keywords background context related id name pseudonym alias age "
        "gender sex nationality status role language languages medium media file date time "
        "place location duration recorded recording transcriber code reference ref".split(),
        "q&a", "editor's note", "read more", "see also", "interview id", "interview date",
        "interview place", "interview location", "media file", "case id", "file name",
    }
)
_NOT_SPEAKER_FIRST_WORDS = frozenset({"part", "chapter", "section", "episode", "page", "editor's"})
# Arabic name particles written in lower case ("al-Tunisi", "bin Laden") and other name glue.
_NAME_PARTICLE = re.compile(
    r"^(?:(?:al|el|as|ash|ad|ar|at|az|ibn|bin|bint|abu|abo|umm|um)(?:[-\u2010'\u2019].*)?"
    r"|bin|ibn|bint|de|del|der|la|le|van|von|da|di|du|&)$"
)
_PARENTHETICAL = re.compile(r"\([^()]*\)")


@dataclass(frozen=True)
class LeadingLabel:
    """A speaker label found at the start of a line or cue."""

    label: str  # as written, without emphasis markers or the colon
    words_offset: int  # offset (in the analysed string) where the words after the label begin
    time: float | None = None  # seconds, from a timestamp written before the label
    dotted: bool = False  # "Q." / "A." style


def _norm_label(label: str) -> str:
    """Case-folded, white-space collapsed, parenthetical and trailing dots removed."""
    base = _PARENTHETICAL.sub(" ", label)
    return " ".join(base.casefold().split()).strip(" .")


def _known_role(label: str) -> SpeakerRole | None:
    """The role a label names by itself (Q, Answer, Interpreter ...), else None."""
    base = _norm_label(label)
    if base in _INTERVIEWER_WORDS:
        return "interviewer"
    if base in _INTERVIEWEE_WORDS:
        return "interviewee"
    if base in _THIRD_PARTY_WORDS:
        return "third_party"
    for prefix, role in _ROLE_PREFIXES:
        if base.startswith(prefix):
            return role
    return None


def _looks_like_name(label: str) -> bool:
    """A speaker's name or pseudonym, not a sentence that happens to contain a colon."""
    if len(label) > 50 or any(ch in label for ch in ',;!?"\u201c\u201d'):
        return False
    base_words = _PARENTHETICAL.sub(" ", label).split()
    if not 1 <= len(base_words) <= 5:
        return False
    first = base_words[0].casefold()
    if first in _SENTENCE_STARTERS or first in _NOT_SPEAKER_FIRST_WORDS:
        return False
    if _norm_label(label) in _NOT_SPEAKERS:
        return False
    has_capital = False
    for word in base_words:
        head = word.lstrip("'\u2019")[:1]
        # Upper case, or a letter of a script without case (a name written in Arabic script).
        if head.isupper() or (head.isalpha() and not head.islower()):
            has_capital = True
        elif not (head.isdigit() or _NAME_PARTICLE.match(word.casefold())):
            return False  # a lower-case ordinary word: this is prose
    return has_capital


def _label_kind(label: str) -> Literal["known", "name"] | None:
    if _known_role(label) is not None:
        return "known"
    if _looks_like_name(label):
        return "name"
    return None


def _parse_line_label(line: str) -> LeadingLabel | None:
    """A (timestamp +) speaker label at the start of one line, shape-checked but not accepted."""
    pos = 0
    time: float | None = None
    ts = _TS_PREFIX.match(line)
    if ts:
        stamp = ts.group("b") or ts.group("p") or ts.group("t")
        time = parse_clock(stamp)
        pos = ts.end()
    dotted = _DOTTED_LABEL.match(line, pos)
    if dotted:
        return LeadingLabel(dotted.group("label"), dotted.end(), time, dotted=True)
    m = _COLON_LABEL.match(line, pos)
    if m is None:
        return None
    label = m.group("label").strip()
    if not label or _CLOCK_RE.match(label) or _label_kind(label) is None:
        return None
    return LeadingLabel(label, m.end(), time)


def leading_label(text: str) -> LeadingLabel | None:
    """A ``Name:`` speaker label opening ``text`` (a cue), else None.

    Used by the subtitle readers too, so a cue's speaker is found by one rule everywhere.
    Dotted ``Q.``/``A.`` labels are not accepted here: in a lone cue they are too ambiguous.
    """
    first_line = text.split("\n", 1)[0]
    found = _parse_line_label(first_line)
    if found is None or found.dotted or found.time is not None:
        return None
    return found


# --------------------------------------------------------------------------------------------
# Raw turns (before roles are assigned)


@dataclass(frozen=True)
class _RawTurn:
    speaker: str  # "" when unlabelled
    start: int
    end: int
    time_start: float | None = None
    time_end: float | None = None
    preamble: bool = False  # text before the first label of a labelled transcript


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Shrink [start, end) to exclude surrounding white space (may become empty)."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _lines(text: str, start: int) -> Iterator[tuple[int, str]]:
    """(offset, line) for each line of text[start:], without the newline."""
    pos = start
    n = len(text)
    while pos < n:
        nl = text.find("\n", pos)
        if nl == -1:
            nl = n
        yield pos, text[pos:nl]
        pos = nl + 1


@dataclass(frozen=True)
class _Candidate:
    line_start: int
    words_start: int
    label: str
    time: float | None
    dotted: bool


def _labelled_turns(doc: SourceDocument, names: _MetadataNames) -> list[_RawTurn] | None:
    """Turns cut at speaker labels, or None when the body is not a labelled transcript."""
    text = doc.text
    title = doc.metadata.get("title", "").strip()
    candidates: list[_Candidate] = []
    for line_start, line in _lines(text, doc.body_start):
        if title and line.strip() == title:
            continue  # a title repeated in the body ("Defector: a life") is not a speaker
        found = _parse_line_label(line)
        if found is not None:
            candidates.append(
                _Candidate(line_start, line_start + found.words_offset, found.label, found.time, found.dotted)
            )
    # "A." alone may open an ordinary sentence; trust dotted labels only next to a "Q.".
    if not any(c.dotted and c.label == "Q" for c in candidates):
        candidates = [c for c in candidates if not c.dotted]
    if not candidates:
        return None
    # Accept name labels only when the text is evidently a transcript: some label is a known
    # role word, a name from the metadata, or a name that speaks more than once. A headline
    # such as "Part Three: Ministries of Fear" or "BAGHDAD: ..." occurs once and is not one.
    counts = Counter(_norm_label(c.label) for c in candidates)
    strong = any(
        _label_kind(c.label) == "known" or names.mentions(c.label) or counts[_norm_label(c.label)] >= 2
        for c in candidates
    )
    if not strong:
        return None

    turns: list[_RawTurn] = []
    first = candidates[0].line_start
    pre_start, pre_end = _trim(text, doc.body_start, first)
    if pre_end > pre_start:
        turns.append(_RawTurn("", pre_start, pre_end, preamble=True))
    for i, cand in enumerate(candidates):
        stop = candidates[i + 1].line_start if i + 1 < len(candidates) else len(text)
        start, end = _trim(text, cand.words_start, stop)
        if end > start:  # a label with no words (e.g. "Q:" then nothing) carries nothing to keep
            turns.append(_RawTurn(cand.label, start, end, time_start=cand.time))
    return turns


_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")


def _paragraph_turns(doc: SourceDocument) -> list[_RawTurn]:
    """Blank-line separated paragraphs, for bodies with no speaker labels."""
    text = doc.text
    turns: list[_RawTurn] = []
    pos = doc.body_start
    bounds: list[tuple[int, int]] = []
    for m in _PARAGRAPH_BREAK.finditer(text, pos):
        bounds.append((pos, m.start()))
        pos = m.end()
    bounds.append((pos, len(text)))
    for a, b in bounds:
        start, end = _trim(text, a, b)
        if end <= start:
            continue
        time: float | None = None
        stamp = _PARA_TS.match(text, start, end)
        if stamp is not None:
            words_start, words_end = _trim(text, stamp.end(), end)
            if words_end > words_start:  # a lone "[00:01:00]" paragraph stays as text
                time = parse_clock(stamp.group("b") or stamp.group("p") or stamp.group("t"))
                start, end = words_start, words_end
        turns.append(_RawTurn("", start, end, time_start=time))
    return turns


def _cue_turns(doc: SourceDocument) -> list[_RawTurn]:
    """One turn per cue; the label, when the cue text carries one, is left out of the words."""
    text = doc.text
    turns: list[_RawTurn] = []
    current = ""  # subtitles label a speaker once, at the change; later cues continue them
    for cue in doc.cues:
        segment = text[cue.start : cue.end]
        speaker = cue.speaker
        words_start = cue.start
        if speaker:
            # The JSON reader writes "Speaker: text"; match that exact prefix first, since a
            # long or punctuated name would fail the generic label shape check.
            rest = segment[len(speaker) :] if segment.startswith(speaker) else None
            if rest is not None and rest.lstrip(" \t").startswith(":"):
                words_start = cue.start + len(speaker) + (len(rest) - len(rest.lstrip(" \t"))) + 1
            else:
                found = leading_label(segment)
                if found is not None and _norm_label(found.label) == _norm_label(speaker):
                    words_start = cue.start + found.words_offset
        else:
            found = leading_label(segment)
            if found is not None:
                speaker = found.label
                words_start = cue.start + found.words_offset
        if speaker:
            current = speaker
        else:
            speaker = current
        start, end = _trim(text, words_start, cue.end)
        if end > start:
            turns.append(_RawTurn(speaker, start, end, cue.time_start, cue.time_end))
    return turns


# --------------------------------------------------------------------------------------------
# Roles


def _name_tokens(name: str) -> list[str]:
    tokens = re.findall(r"[^\W_]+(?:[-'\u2019][^\W_]+)*", _PARENTHETICAL.sub(" ", name).casefold())
    # "Dr. Speckhard" is Speckhard: titles say nothing about who is speaking.
    while len(tokens) > 1 and tokens[0] in {"dr", "mr", "mrs", "ms", "miss", "prof", "professor"}:
        tokens = tokens[1:]
    return tokens


def _name_match(label: str, name: str) -> bool:
    """Does a speaker label refer to this person? Exact, or a leading/trailing part of the name.

    "Speckhard" and "Dr. Speckhard" match "Anne Speckhard"; "Abu Khalid" matches "Abu Khalid
    al-Tunisi". A partial match must involve a word of two letters or more, so "A" never
    matches "A. Smith".
    """
    lt, nt = _name_tokens(label), _name_tokens(name)
    if not lt or not nt:
        return False
    if lt == nt:
        return True
    if len(lt) < len(nt) and any(len(t) >= 2 for t in lt):
        return nt[: len(lt)] == lt or nt[-len(lt) :] == lt
    return False


def _split_names(value: str | None, *, people: bool = False) -> list[str]:
    """Comma/semicolon separated names; a person field may also use "&" and "and"."""
    if not value:
        return []
    pattern = r"\s*(?:[,;&]|\band\b)\s*" if people else r"\s*[,;]\s*"
    return [part.strip() for part in re.split(pattern, value) if part.strip()]


@dataclass(frozen=True)
class _MetadataNames:
    interviewer_names: tuple[str, ...]
    third_party_names: tuple[str, ...]
    interviewee: str | None
    interviewers: tuple[str, ...]

    @classmethod
    def from_metadata(cls, metadata: Mapping[str, str]) -> _MetadataNames:
        return cls(
            tuple(_split_names(metadata.get("interviewer_names"))),
            tuple(_split_names(metadata.get("third_party_names"))),
            (metadata.get("interviewee") or "").strip() or None,
            tuple(_split_names(metadata.get("interviewer"), people=True)),
        )

    def role_of(self, label: str) -> SpeakerRole | None:
        """The role the metadata gives this label; explicit label lists first."""
        if any(_name_match(label, n) for n in self.interviewer_names):
            return "interviewer"
        if any(_name_match(label, n) for n in self.third_party_names):
            return "third_party"
        if self.interviewee and _name_match(label, self.interviewee):
            return "interviewee"
        if any(_name_match(label, n) for n in self.interviewers):
            return "interviewer"
        return None

    def mentions(self, label: str) -> bool:
        return self.role_of(label) is not None


def _assign_roles(turns: Sequence[_RawTurn], text: str, names: _MetadataNames) -> dict[str, SpeakerRole]:
    """Role per normalised speaker label."""
    order: list[str] = []  # normalised labels in order of first appearance
    turn_count: Counter[str] = Counter()
    char_count: Counter[str] = Counter()
    question_count: Counter[str] = Counter()
    written: dict[str, str] = {}
    for t in turns:
        if not t.speaker:
            continue
        key = _norm_label(t.speaker)
        if key not in written:
            written[key] = t.speaker
            order.append(key)
        turn_count[key] += 1
        char_count[key] += t.end - t.start
        if text[t.start : t.end].rstrip().endswith("?"):
            question_count[key] += 1

    roles: dict[str, SpeakerRole] = {}
    others: list[str] = []
    for key in order:
        role = names.role_of(written[key]) or _known_role(written[key])
        if role is None:
            others.append(key)
        else:
            roles[key] = role

    has_interviewer = "interviewer" in roles.values()
    has_interviewee = "interviewee" in roles.values()
    # Nobody is known to ask the questions (e.g. "SPEAKER 1:"/"SPEAKER 2:" from an automatic
    # transcript): the speaker whose turns are mostly questions is the interviewer. Only when
    # someone else is left to be the interviewee.
    if not has_interviewer and others and (has_interviewee or len(others) >= 2):
        ratios = {k: question_count[k] / turn_count[k] for k in others if turn_count[k] >= 2}
        if ratios:
            best = max(ratios.values())
            top = [k for k, r in ratios.items() if r == best]
            if best >= 0.5 and len(top) == 1:
                roles[top[0]] = "interviewer"
                others.remove(top[0])
    if others:
        if has_interviewee:
            # The interviewee is already known (metadata or "A:"): other voices are third parties.
            for key in others:
                roles[key] = "third_party"
        else:
            # One main non-interviewer speaker is the interviewee; with several, the one who
            # speaks most (turns, then words, then who spoke first) and the rest third parties.
            main = max(others, key=lambda k: (turn_count[k], char_count[k], -order.index(k)))
            for key in others:
                roles[key] = "interviewee" if key == main else "third_party"
    return roles


# --------------------------------------------------------------------------------------------
# Interview


def _slug(value: str) -> str:
    ascii_only = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9_]+", "-", ascii_only.lower()).strip("-_")


def _meta(metadata: Mapping[str, str], key: str) -> str | None:
    value = metadata.get(key)
    return value.strip() if value and value.strip() else None


_UNNAMED = re.compile(r"^(?:an?\s+|the\s+)?(?:unnamed|unknown|anonymous|unidentified)\b", re.I)


def _header_speaker(metadata: Mapping[str, str]) -> str | None:
    """The name a ``speaker`` header gives ("Abu Karim (pseudonym), 41, former fighter" ->
    "Abu Karim"); None for an unnamed speaker or for several ("X and Y, ...")."""
    value = _meta(metadata, "speaker")
    if value is None:
        return None
    value = re.sub(r"\([^)]*\)", " ", value)  # asides: "(pseudonym)", "(28, name kept secret)"
    name = re.split(r"[,;:]| - | – ", value, maxsplit=1)[0].strip()
    name = re.sub(r"\s+", " ", name)
    if (not name or _UNNAMED.match(name) or re.search(r"\s(?:and|&)\s", name)
            or len(name.split()) > 5 or not name[:1].isupper()):
        return None
    return name


def split_turns(doc: SourceDocument, *, interview_id: str | None = None) -> Interview:
    """Cut a document into speaker turns and build the Interview with its Interviewee.

    Interview id: ``interview_id`` argument, else metadata ``interview_id``, else a slug of the
    file stem. Title: metadata ``title``, else the stem. Interviewee pseudonym: metadata
    ``interviewee``, else the (non-generic) label of the main interviewee speaker, else the one
    person a ``speaker`` header names, else ``"Unknown interviewee (<id>)"``.
    """
    md = doc.metadata
    stem = Path(doc.path).stem
    iid = interview_id or _meta(md, "interview_id") or _slug(stem) or f"interview-{doc.content_hash[:12]}"
    names = _MetadataNames.from_metadata(md)

    if doc.cues:
        raw = _cue_turns(doc)
    else:
        labelled = _labelled_turns(doc, names)
        raw = labelled if labelled is not None else _paragraph_turns(doc)

    roles = _assign_roles(raw, doc.text, names)

    # A timed turn without an end runs until the next turn starts.
    filled: list[_RawTurn] = []
    for i, t in enumerate(raw):
        if t.time_start is not None and t.time_end is None and i + 1 < len(raw):
            nxt = raw[i + 1].time_start
            if nxt is not None and nxt >= t.time_start:
                t = replace(t, time_end=nxt)
        filled.append(t)

    turns: list[Turn] = []
    for index, t in enumerate(filled):
        if t.speaker:
            role = roles[_norm_label(t.speaker)]
        elif t.preamble:
            role = "third_party"  # a title or note before the transcript starts
        else:
            role = "interviewee"  # no labels at all: the words are taken as the testimony
        turns.append(
            Turn(
                index=index,
                speaker=t.speaker,
                speaker_role=role,
                start=t.start,
                end=t.end,
                text=doc.text[t.start : t.end],
                time_start=t.time_start,
                time_end=t.time_end,
            )
        )

    pseudonym = (_meta(md, "interviewee") or _infer_pseudonym(turns) or _header_speaker(md)
                 or f"Unknown interviewee ({iid})")
    interviewee = Interviewee(
        pseudonym=pseudonym,
        gender=_meta(md, "gender"),
        nationality=_meta(md, "nationality"),
        status=_meta(md, "status"),
        role=_meta(md, "role"),
        age=_meta(md, "age"),
    )
    return Interview(
        id=iid,
        title=_meta(md, "title") or stem,
        source_path=doc.path,
        content_hash=doc.content_hash,
        text=doc.text,
        interviewee=interviewee,
        turns=tuple(turns),
        date=_meta(md, "date"),
        place=_meta(md, "place"),
        language=_meta(md, "language"),
        interviewer=_meta(md, "interviewer"),
        medium=_meta(md, "medium"),
        media_file=_meta(md, "media_file"),
        redaction_terms=redaction_terms(md, pseudonym, turns),
    )


# Metadata that identifies the witness and is kept for one purpose only: to be taken out of
# every export. None of it is stored as an attribute, shown or exported.
PRIVATE_KEYS = ("real_name", "relatives", "address", "phone", "redact")
_SPLIT_VALUES = re.compile(r"\s*[;\n]\s*|\s*,\s*(?=[^\d])")
_HOUSE_NUMBER = re.compile(r"\s+\d+\w*$|^\d+\w*\s+")


def redaction_terms(md: dict[str, str], pseudonym: str,
                    turns: Sequence[Turn]) -> tuple[tuple[str, str], ...]:
    """What exports must hide of this interview's witness: the names they go by (the
    pseudonym; the labels of their turns, often a real name) and the private metadata
    (real_name, relatives, address, phone, redact: each value, and a name's parts, and an
    address's street without its number)."""
    out: dict[tuple[str, str], None] = {("witness", pseudonym): None}
    for t in turns:
        if t.speaker_role == "interviewee" and t.speaker:
            label = " ".join(_PARENTHETICAL.sub(" ", t.speaker).split())
            if label and not _GENERIC_LABEL.match(_norm_label(label)):
                out[("witness", label)] = None
    for key in PRIVATE_KEYS:
        value = _meta(md, key)
        if not value:
            continue
        parts = [v.strip() for v in (_SPLIT_VALUES.split(value) if key != "address" else value.split(","))]
        for part in filter(None, parts):
            if key == "address":
                out[("private", part)] = None
                street = _HOUSE_NUMBER.sub("", part).strip()
                if street and street != part and len(street) >= 4:
                    out[("private", street)] = None
                break  # the street line; the town after it is no secret of the witness
            out[("private", part)] = None
            if key in ("real_name", "relatives"):
                for word in part.split():
                    if len(word) >= 3 and word[:1].isupper():
                        out[("private", word)] = None
    return tuple(out)


def _infer_pseudonym(turns: Sequence[Turn]) -> str | None:
    """The most frequent interviewee label that names someone ("A" or "Speaker 2" do not)."""
    counts: Counter[str] = Counter()
    written: dict[str, str] = {}
    for t in turns:
        if t.speaker_role != "interviewee" or not t.speaker:
            continue
        key = _norm_label(t.speaker)
        if _GENERIC_LABEL.match(key):
            continue
        counts[key] += 1
        written.setdefault(key, _PARENTHETICAL.sub(" ", t.speaker).strip())
    if not counts:
        return None
    best = max(counts.values())
    for key in counts:  # first to appear among the most frequent
        if counts[key] == best:
            return " ".join(written[key].split())
    return None
