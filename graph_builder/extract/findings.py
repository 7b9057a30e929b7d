"""Files in, JSON-lines findings out: the `extract` output format the scorer reads.

One object per finding, each with "kind" (mention, link or theme) and "file":

    mention  start, end (offsets into the file text as read, header lines included), text, type,
             key, canonical (the name it resolves to across all files of the call), method,
             confidence, turn
    link     type, source, target (mention keys), source_canonical, target_canonical, start, end
             (the evidence), turn
    theme    theme, start, end, evidence, by, confidence, turn

Files are read and split exactly as ingest reads them, and canonical names come from the same
cross-interview resolver the graph uses (`graph_builder.resolve`), so `extract` and the graph
agree. `extract_findings(..., resolve=...)` accepts another resolver for experiments.
"""
from __future__ import annotations

import logging
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Union

from spacy.language import Language

from graph_builder.errors import UnreadableFile
from graph_builder.extract.components import MODEL_LABELS, RULE_PIPES
from graph_builder.extract.normalize import mention_key
from graph_builder.extract.pipeline import extract_many
from graph_builder.ingest.readers import read_document
from graph_builder.ingest.turns import split_turns
from graph_builder.model import ExtractedInterview, Interview, Resolution

log = logging.getLogger(__name__)

Resolver = Callable[[Sequence[ExtractedInterview]], Union[Mapping[str, str], Resolution]]



# --- reading --------------------------------------------------------------------------------


def read_interview(path: str | Path) -> Interview:
    """The interview in `path`, read and split exactly as ingest does."""
    return split_turns(read_document(path))


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
    resolve: Resolver = resolve_cross_interview,
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
    "key_usages",
    "resolve_cross_interview",
]
