"""Files in, JSON-lines findings out: the `extract` output format the scorer reads.

One object per finding, each with "kind" (mention, link or theme) and "file":

    mention  start, end (offsets into the file text as read, header lines included), text, type,
             key, canonical (the name it resolves to across all files of the call), method,
             confidence, turn
    link     type, source, target (mention keys), source_canonical, target_canonical, start, end
             (the evidence), turn
    theme    theme, start, end, evidence, by, confidence, turn

Resolution is pluggable: `extract_findings(..., resolve=...)` takes a function from the extracted
interviews to either a mapping {mention key: canonical name} or a `Resolution` (the cross-interview
resolver's answer). The default groups by key: a gazetteer canonical when one matched, else the
most frequent surface form among the mentions sharing the key, with the short forms of a
person's name ("Nour") resolved to the full name ("Nour Haddad") when only one full name fits.
"""
from __future__ import annotations

import hashlib
import logging
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Union

from spacy.language import Language

from graph_builder.errors import UnreadableFile
from graph_builder.extract.components import MODEL_LABELS, RULE_PIPES
from graph_builder.extract.normalize import mention_key
from graph_builder.extract.pipeline import extract_many
from graph_builder.model import ExtractedInterview, Interview, Interviewee, Resolution, Turn

log = logging.getLogger(__name__)

Resolver = Callable[[Sequence[ExtractedInterview]], Union[Mapping[str, str], Resolution]]

_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")
# normalised kunya heads (normalize folds Abou/Abo -> abu, Um -> umm, bin -> ibn)
_KUNYA_HEADS = frozenset({"abu", "umm", "ibn", "bint"})


# --- reading --------------------------------------------------------------------------------


def read_interview(path: str | Path) -> Interview:
    """The interview in `path`: the ingest readers when they are installed, else plain text.

    The plain-text fallback reads UTF-8, treats leading `# key: value` lines as the header and
    each paragraph of the body as one turn of the interviewee.
    """
    path = Path(path)
    try:
        from graph_builder.ingest.readers import read_document  # type: ignore[import-not-found]
        from graph_builder.ingest.turns import split_turns  # type: ignore[import-not-found]
    except ImportError:
        return read_plain_text(path)
    return split_turns(read_document(path))


def read_plain_text(path: str | Path) -> Interview:
    path = Path(path)
    raw = path.read_bytes()
    text = path.read_text(encoding="utf-8")
    header: dict[str, str] = {}
    pos = 0
    while pos < len(text) and text.startswith("#", pos):
        newline = text.find("\n", pos)
        line = text[pos : newline if newline != -1 else len(text)]
        key, sep, value = line.lstrip("# ").partition(":")
        if sep:
            header[key.strip().lower()] = value.strip()
        pos = len(text) if newline == -1 else newline + 1
    turns: list[Turn] = []
    body_start = pos
    for match in _paragraphs(text, body_start):
        start, end = match
        turns.append(
            Turn(
                index=len(turns),
                speaker="",
                speaker_role="interviewee",
                start=start,
                end=end,
                text=text[start:end],
            )
        )
    return Interview(
        id=path.stem,
        title=header.get("title", path.stem),
        source_path=str(path),
        content_hash=hashlib.sha256(raw).hexdigest(),
        text=text,
        interviewee=Interviewee(pseudonym=header.get("speaker", path.stem)),
        turns=tuple(turns),
    )


def _paragraphs(text: str, start: int) -> Iterator[tuple[int, int]]:
    pos = start
    for brk in list(_PARAGRAPH_BREAK.finditer(text, start)) + [None]:
        end = brk.start() if brk is not None else len(text)
        chunk = text[pos:end]
        stripped_left = len(chunk) - len(chunk.lstrip())
        stripped_right = len(chunk) - len(chunk.rstrip())
        if chunk.strip():
            yield pos + stripped_left, end - stripped_right
        if brk is not None:
            pos = brk.end()


def _read_all(paths: Iterable[str | Path]) -> tuple[list[Path], list[Interview]]:
    read: list[Path] = []
    interviews: list[Interview] = []
    for path in (Path(p) for p in paths):
        try:
            interviews.append(read_interview(path))
        except UnreadableFile as exc:
            log.warning("skipped %s", exc)
            continue
        read.append(path)
    return read, interviews


# --- resolution -----------------------------------------------------------------------------


def resolve_by_key(extracted: Sequence[ExtractedInterview]) -> dict[str, str]:
    """Default resolution: {mention key: canonical name} (see module docstring)."""
    surfaces: dict[str, Counter[str]] = defaultdict(Counter)
    hints: dict[str, Counter[str]] = defaultdict(Counter)
    for ex in extracted:
        for m in ex.mentions:
            surfaces[m.key][m.text] += 1
            if m.canonical_hint:
                hints[m.key][m.canonical_hint] += 1
    canonical: dict[str, str] = {}
    for key, counts in surfaces.items():
        if hints.get(key):
            canonical[key] = hints[key].most_common(1)[0][0]
        else:
            # most frequent, then the form with most capitals (a name as written, not a headline)
            canonical[key] = max(counts.items(), key=lambda kv: (kv[1], _name_like(kv[0])))[0]
    _alias_short_person_names(extracted, canonical)
    return canonical


def _name_like(text: str) -> int:
    return sum(1 for w in text.split() if w[:1].isupper() and not w.isupper())


def _alias_short_person_names(extracted: Sequence[ExtractedInterview], canonical: dict[str, str]) -> None:
    """Within an interview, "Nour" is "Nour Haddad" when that is the only full name it fits."""
    # short key -> the full-name keys it is a word of, over all interviews
    fits: dict[str, set[str]] = defaultdict(set)
    for ex in extracted:
        persons = {m.key for m in ex.mentions if m.type == "PERSON"}
        words = {key: key.split(":", 1)[1].split() for key in persons}
        for short, short_words in words.items():
            if len(short_words) == 0:
                continue
            for full, full_words in words.items():
                if full == short or len(full_words) <= len(short_words):
                    continue
                n = len(short_words)
                if full_words[0] in _KUNYA_HEADS and full_words[1 : 1 + n] == short_words:
                    continue  # "Mahmoud" is the son that "Umm Mahmoud" is named after
                if full_words[:n] == short_words or full_words[-n:] == short_words:
                    fits[short].add(full)
    for short, fulls in fits.items():
        # the longest full names only: "Abu Layth" -> "Abu Layth al-Masri"
        targets = {canonical.get(f, f) for f in fulls if not any(f != g and f in fits and g in fits[f] for g in fulls)}
        if len(targets) == 1 and short in canonical:
            canonical[short] = targets.pop()


def key_usages(extracted: Sequence[ExtractedInterview]) -> list[Any]:
    """What `graph_builder.resolve.resolve` reads (store.base.KeyUsage), built from extractions."""
    from graph_builder.store.base import KeyUsage

    surfaces: dict[str, Counter[str]] = defaultdict(Counter)
    interviews: dict[str, dict[str, None]] = defaultdict(dict)
    hints: dict[str, Counter[str]] = defaultdict(Counter)
    types: dict[str, str] = {}
    neighbours: dict[str, set[str]] = defaultdict(set)
    for ex in extracted:
        by_turn: dict[int, set[str]] = defaultdict(set)
        for m in ex.mentions:
            surfaces[m.key][m.text] += 1
            interviews[m.key][ex.interview.id] = None
            types[m.key] = m.type
            if m.canonical_hint:
                hints[m.key][m.canonical_hint] += 1
            by_turn[m.turn_index].add(m.key)
        for keys in by_turn.values():
            for key in keys:
                neighbours[key] |= keys - {key}
    return [
        KeyUsage(
            key=key,
            type=types[key],
            surfaces=tuple(counts.most_common()),
            interviews=tuple(interviews[key]),
            canonical_hint=hints[key].most_common(1)[0][0] if hints.get(key) else None,
            neighbours=tuple(sorted(neighbours[key])),
        )
        for key, counts in surfaces.items()
    ]


def resolve_cross_interview(extracted: Sequence[ExtractedInterview]) -> Resolution:
    """Resolution by the project's cross-interview resolver (graph_builder.resolve)."""
    from graph_builder.resolve import resolve

    return resolve(key_usages(extracted))


def _canonical_lookup(result: Mapping[str, str] | Resolution) -> Callable[[str], str | None]:
    if isinstance(result, Resolution):
        names = {e.id: e.name for e in result.entities}
        return lambda key: names.get(result.assignments.get(key, ""))
    return lambda key: result.get(key)


# --- findings -------------------------------------------------------------------------------


def extract_findings(
    paths: Iterable[str | Path],
    nlp: Language,
    resolve: Resolver = resolve_by_key,
    workers: int = 1,
) -> Iterator[dict[str, Any]]:
    """JSON-lines findings for `paths`, resolved across all of them.

    A file that cannot be read is reported (logged) and skipped; the rest of the batch goes on.
    """
    paths, interviews = _read_all(paths)
    extracted = extract_many(interviews, nlp, workers=workers)
    lookup = _canonical_lookup(resolve(extracted))
    for path, ex in zip(paths, extracted):
        file = str(path)
        for m in ex.mentions:
            yield {
                "kind": "mention",
                "file": file,
                "turn": m.turn_index,
                "start": m.start,
                "end": m.end,
                "text": m.text,
                "type": m.type,
                "key": m.key,
                "canonical": lookup(m.key) or m.canonical_hint or m.text,
                "method": m.method,
                "confidence": m.confidence,
            }
        for link in ex.links:
            yield {
                "kind": "link",
                "file": file,
                "turn": link.turn_index,
                "type": link.type,
                "source": link.source_key,
                "target": link.target_key,
                "source_canonical": lookup(link.source_key),
                "target_canonical": lookup(link.target_key),
                "start": link.start,
                "end": link.end,
            }
        for code in ex.themes:
            yield {
                "kind": "theme",
                "file": file,
                "turn": code.turn_index,
                "theme": code.theme,
                "start": code.start,
                "end": code.end,
                "evidence": code.evidence,
                "by": code.by,
                "confidence": code.confidence,
            }


def baseline_findings(paths: Iterable[str | Path], nlp: Language) -> Iterator[dict[str, Any]]:
    """The plain model's NER, labels mapped to ours, canonical = the surface text; no themes.

    The yardstick our extractor is measured against: same files, same turns, same model.
    """
    paths, interviews = _read_all(paths)
    ours = [name for name in RULE_PIPES if name in nlp.pipe_names]
    with nlp.select_pipes(disable=ours):
        for path, interview in zip(paths, interviews):
            texts = (turn.text for turn in interview.turns)
            for turn, doc in zip(interview.turns, nlp.pipe(texts)):
                for ent in doc.ents:
                    label = MODEL_LABELS.get(ent.label_)
                    if label is None:
                        continue
                    yield {
                        "kind": "mention",
                        "file": str(path),
                        "turn": turn.index,
                        "start": turn.start + ent.start_char,
                        "end": turn.start + ent.end_char,
                        "text": ent.text,
                        "type": label,
                        "key": mention_key(label, ent.text),
                        "canonical": ent.text,
                        "method": "model",
                        "confidence": 1.0,
                    }


__all__ = [
    "Resolver",
    "baseline_findings",
    "extract_findings",
    "read_interview",
    "read_plain_text",
    "key_usages",
    "resolve_by_key",
    "resolve_cross_interview",
]
