"""Files in, JSON-lines findings out: the `extract` output format the scorer reads.

One object per finding, each with "kind" (mention, link or theme) and "file":

    mention  start, end (offsets into the file text as read, header lines included), text, type,
             key, canonical (the name it resolves to across all files of the call), method,
             confidence, turn
    link     type, source, target (canonical names; HAPPENED_ON's target is an ISO date),
             source_key, target_key (mention keys), start, end (the evidence), turn, date (the
             ISO date the evidence states, or null)
    theme    theme, start, end, evidence, by, confidence, turn

Files are read and split exactly as ingest reads them, and canonical names come from the same
cross-interview resolver the graph uses (`graph_builder.resolve`), so `extract` and the graph
agree. `extract_findings(..., resolve=...)` accepts another resolver for experiments.
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Union

from spacy.language import Language

from graph_builder.errors import UnreadableFile
from graph_builder.extract.components import MODEL_LABELS, RULE_PIPES
from graph_builder.extract.normalize import mention_key
from graph_builder.extract.pipeline import extract_many
from graph_builder.ingest.readers import iter_transcripts, read_document
from graph_builder.ingest.turns import split_turns
from graph_builder.model import ExtractedInterview, Interview, Resolution

log = logging.getLogger(__name__)

Resolver = Callable[[Sequence[ExtractedInterview]], Union[Mapping[str, str], Resolution]]



# --- reading --------------------------------------------------------------------------------


def read_interview(path: str | Path) -> Interview:
    """The interview in `path`, read and split exactly as ingest does."""
    return split_turns(read_document(path))


def _read_all(paths: Iterable[str | Path], failed: list[tuple[str, str]] | None = None
              ) -> tuple[list[str], list[Interview]]:
    """Each file as given (its "file" field keeps the caller's spelling of the path); a
    folder stands for the transcripts in it. Unreadable files are reported and skipped."""
    read: list[str] = []
    interviews: list[Interview] = []
    for given in paths:
        files = [str(p) for p in iter_transcripts([given])] if Path(given).is_dir() else [str(given)]
        for path in files:
            try:
                interviews.append(read_interview(path))
            except UnreadableFile as exc:
                if failed is None:
                    log.warning("skipped %s", exc)
                else:
                    failed.append((path, exc.reason))
                continue
            read.append(path)
    return read, interviews


# --- resolution -----------------------------------------------------------------------------


def key_usages(extracted: Sequence[ExtractedInterview]) -> list[Any]:
    """What `graph_builder.resolve.resolve` reads (store.base.KeyUsage), built from extractions.

    Built by the stores' own code (`store.base.usage_from_rows`), mentions in the order ingest
    writes them, so `extract` resolves exactly as the graph does: the same forms, hints,
    co-mentions and per-interview contexts.
    """
    from graph_builder.store.base import usage_from_rows

    return usage_from_rows((m.key, m.type, m.text, ex.interview.id, m.turn_index, m.canonical_hint,
                            m.method) for ex in extracted for m in ex.mentions)


def resolve_cross_interview(extracted: Sequence[ExtractedInterview]) -> Resolution:
    """Resolution by the project's cross-interview resolver (graph_builder.resolve)."""
    from graph_builder.resolve import resolve

    return resolve(key_usages(extracted))


def _canonical_lookup(result: Mapping[str, str] | Resolution) -> Callable[[str, str], str | None]:
    """(mention key, interview id) -> canonical name; a per-interview assignment
    ("key@interview", two people sharing a name) wins over the key's."""
    if isinstance(result, Resolution):
        names = {e.id: e.name for e in result.entities}
        a = result.assignments
        return lambda key, iv: names.get(a.get(f"{key}@{iv}") or a.get(key, ""))
    return lambda key, iv: result.get(key)


# --- findings -------------------------------------------------------------------------------


def extract_findings(
    paths: Iterable[str | Path],
    nlp: Language,
    resolve: Resolver = resolve_cross_interview,
    workers: int = 1,
    failed: list[tuple[str, str]] | None = None,
) -> Iterator[dict[str, Any]]:
    """JSON-lines findings for `paths` (files, or folders of transcripts), resolved across all
    of them.

    A file that cannot be read is skipped and the rest of the batch goes on; it is appended to
    `failed` as (path, reason) when a list is given, else logged.
    """
    paths, interviews = _read_all(paths, failed)
    extracted = extract_many(interviews, nlp, workers=workers)
    lookup = _canonical_lookup(resolve(extracted))
    for path, ex in zip(paths, extracted):
        file = str(path)
        iv = ex.interview.id
        for m in ex.mentions:
            if m.method == "pronoun":
                continue  # "I", "he": the end of a link, not a name said in the text
            yield {
                "kind": "mention",
                "file": file,
                "turn": m.turn_index,
                "start": m.start,
                "end": m.end,
                "text": m.text,
                "type": m.type,
                "key": m.key,
                "canonical": lookup(m.key, iv) or m.canonical_hint or m.text,
                "method": m.method,
                "confidence": m.confidence,
            }
        for link in ex.links:
            yield {
                "kind": "link",
                "file": file,
                "turn": link.turn_index,
                "type": link.type,
                "source": lookup(link.source_key, iv) or link.source_key,
                "target": (link.target_key[len("DATE:"):] if link.target_key.startswith("DATE:")
                           else lookup(link.target_key, iv) or link.target_key),
                "source_key": link.source_key,
                "target_key": link.target_key,
                "start": link.start,
                "end": link.end,
                "date": link.date,
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
