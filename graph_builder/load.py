"""The ingest pipeline: files -> interviews -> extracted facts -> store, then resolution.

Each interview is one unit of work, written atomically. An unchanged file (same content hash)
is skipped, a changed one replaces its old version, a broken one is reported with the reason
and the batch goes on. Resolution runs once at the end over the whole store and replays the
analyst's curation log, so decisions survive every re-ingest.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from graph_builder.errors import TestimonyError, UnreadableFile
from graph_builder.ingest.readers import iter_transcripts, read_document
from graph_builder.ingest.turns import split_turns
from graph_builder.model import Interview
from graph_builder.store.base import GraphStore


@dataclass
class IngestReport:
    added: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)

    def summary(self) -> str:
        lines = [f"{len(self.added)} added, {len(self.replaced)} replaced, "
                 f"{len(self.unchanged)} unchanged, {len(self.failed)} failed"]
        lines += [f"  FAILED {path}: {reason}" for path, reason in self.failed]
        return "\n".join(lines)


def read_interviews(paths: Iterable[Path], report: IngestReport) -> list[Interview]:
    """Read and split every file; broken ones go to the report, the rest go on."""
    interviews: list[Interview] = []
    seen: dict[str, str] = {}
    for path in paths:
        try:
            interview = split_turns(read_document(path))  # metadata.csv beside it is applied
        except UnreadableFile as exc:
            report.failed.append((str(path), exc.reason))
            continue
        except TestimonyError as exc:
            report.failed.append((str(path), str(exc)))
            continue
        if interview.id in seen:
            report.failed.append((str(path), f"interview id {interview.id!r} is also used by "
                                  f"{seen[interview.id]}; give one of them another interview_id"))
            continue
        seen[interview.id] = str(path)
        interviews.append(interview)
    return interviews


def ingest(sources: list[str | Path], store: GraphStore, nlp, *, workers: int = 1,
           replace: bool = False,
           progress: Callable[[Iterable], Iterable] = lambda it: it) -> IngestReport:
    """Ingest files or folders of transcripts into `store`; returns what happened to each.

    A path that cannot be read is reported and the others go in. An interview id the store
    already holds from another file is refused with both paths named, unless `replace`: two
    files never silently become one interview."""
    report = IngestReport()
    paths = iter_transcripts(sources, skipped=report.failed)
    interviews = read_interviews(paths, report)
    todo: list[Interview] = []
    for iv in interviews:
        old = store.content_hash(iv.id)
        if old == iv.content_hash:
            report.unchanged.append(iv.id)
            continue
        if old and not replace:
            held = store.interview_summaries({iv.id}).get(iv.id)  # not the whole text
            held_path = held.source_path if held is not None else None
            if held_path and not _same_file(held_path, iv.source_path):
                report.failed.append((iv.source_path, (
                    f"interview id {iv.id!r} is already held from {held_path}; give this file "
                    "another interview_id, or re-run with --replace to replace that interview "
                    "with this file")))
                continue
        (report.replaced if old else report.added).append(iv.id)
        todo.append(iv)
    if todo:
        written = 0
        # Chunks keep memory bounded on large collections and move the progress bar while
        # extraction runs; each interview is still its own unit of work in the store.
        chunk: list[Interview] = []
        for iv in progress(todo):
            chunk.append(iv)
            if len(chunk) >= CHUNK * max(1, workers):
                written += _extract_and_write(chunk, store, nlp, workers, report)
                chunk = []
        if chunk:
            written += _extract_and_write(chunk, store, nlp, workers, report)
    # Also when nothing was written: keys an interrupted run left pending are settled now.
    refresh_resolution(store)
    return report


CHUNK = 8  # interviews extracted together per worker


def _same_file(a: str, b: str) -> bool:
    """Whether two source paths name the same file (as given, or resolved)."""
    if a == b:
        return True
    try:
        return Path(a).resolve() == Path(b).resolve()
    except OSError:
        return False


def _extract_and_write(chunk: list[Interview], store: GraphStore, nlp, workers: int,
                       report: IngestReport) -> int:
    """Extract and write a chunk; an interview the extractor chokes on is reported and the
    rest go on. A store that is down (StoreUnavailable) stops the batch: nothing more can be
    written, and what was written stays whole."""
    from graph_builder.extract.pipeline import extract_many

    try:
        extracted = extract_many(chunk, nlp, workers=workers)
    except Exception:  # noqa: BLE001 - isolate the interview that failed, keep the others
        extracted = []
        for iv in chunk:
            try:
                extracted += extract_many([iv], nlp)
            except Exception as exc:  # noqa: BLE001
                _unlist(report, iv.id)
                report.failed.append((iv.source_path, f"extraction failed: {exc!r}; please "
                                      "report this with the file (or a redacted copy)"))
    from graph_builder.embeddings import embed_sentences

    for e in embed_sentences(extracted):
        store.replace_interview(e, assignments_for(store, e))
    return len(extracted)


def assignments_for(store: GraphStore, extracted) -> dict[str, str]:
    """The last resolution's entries for the keys an interview names (before it resolves)."""
    keys = {m.key for m in extracted.mentions}
    keys |= {k for ln in extracted.links for k in (ln.source_key, ln.target_key)}
    return store.resolution(keys)


def _unlist(report: IngestReport, interview_id: str) -> None:
    for bucket in (report.added, report.replaced):
        if interview_id in bucket:
            bucket.remove(interview_id)


def refresh_resolution(store: GraphStore, keys: Iterable[str] = (), *, full: bool = False,
                       structure: bool = False) -> None:
    """Resolve the keys an ingest or a decision changed (the store's pending keys and `keys`),
    and everything they reach, replaying the curation log; or every key (`full`). Then bring
    the network's communities and centrality up to date if the graph changed enough (or
    `structure`: always).

    Adding one interview resolves the spellings it brings and the entities they may join, not
    the whole store; the store then re-points only mentions whose entity changed."""
    from graph_builder.incremental import resolve_scope
    from graph_builder.structure import refresh_structure

    resolve_scope(store, set(keys), full=full)
    refresh_structure(store, force=structure)
