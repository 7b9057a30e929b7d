"""How much batching buys: the sample corpus loaded into Neo4j two ways, in the same run.

* batched: the store's loader, `Neo4jStore.replace_interview`: one managed write transaction
  per interview, `UNWIND $rows` statements of up to 2,000 rows each;
* naive: one auto-commit CREATE/MERGE statement per row (interview, turn, mention, theme code,
  link), the way a first script usually does it.

The corpus is extracted once (spaCy), then replicated N times under new interview ids so the
load is big enough to time. Both loads start from an empty database with the same constraints
and indexes, and must leave the same counts behind. Both loaders run once untimed first (the
server plans and compiles each statement); the batched load is then timed three times (median),
the naive one once. Prints rows per second for each and the ratio (the target is at least 10x;
exit status 1 below it).

    .venv/bin/python bench/neo4j_load.py [--replicas N] [--rounds N] [--force]

Uses NEO4J_URI (default bolt://127.0.0.1:7687), NEO4J_USER, NEO4J_PASSWORD (default the
development password of scripts/neo4j-server.sh) and NEO4J_DATABASE. It DELETES everything in
that database, so it refuses a database holding interviews it did not write unless --force.
"""
from __future__ import annotations

import argparse
import statistics
import fcntl
import os
import sys
import time
from contextlib import contextmanager
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from graph_builder.errors import TestimonyError  # noqa: E402
from graph_builder.model import ExtractedInterview  # noqa: E402
from graph_builder.store.neo4j import Neo4jStore, _label_of, _link_type, search_words  # noqa: E402

SAMPLE_CORPUS = REPO / "sample_corpus"
SCRATCH_MARK = "test-scratch"  # StoreMeta: the interviews tests/benchmarks left behind
TARGET = 10.0


def extract_corpus() -> list[ExtractedInterview]:
    from graph_builder.extract.model_loader import load_model
    from graph_builder.extract.pipeline import extract_many
    from graph_builder.ingest.readers import iter_transcripts
    from graph_builder.load import IngestReport, read_interviews

    report = IngestReport()
    interviews = read_interviews(iter_transcripts([SAMPLE_CORPUS]), report)
    if report.failed:
        raise SystemExit(report.summary())
    return list(extract_many(interviews, load_model()))


def replicate(corpus: list[ExtractedInterview], copies: int) -> list[ExtractedInterview]:
    """The corpus `copies` times, each copy under new interview ids (same people and places)."""
    out = []
    for r in range(copies):
        for ex in corpus:
            iv = ex.interview
            out.append(replace(ex, interview=replace(iv, id=f"{iv.id}~{r}",
                                                     content_hash=f"{iv.content_hash}~{r}")))
    return out


def rows_of(ex: ExtractedInterview) -> int:
    """The rows a load writes for one interview (the same count for both loaders)."""
    return 1 + len(ex.interview.turns) + len(ex.mentions) + len(ex.themes) + len(ex.links)


def load_batched(store: Neo4jStore, corpus: list[ExtractedInterview]) -> None:
    for ex in corpus:
        store.replace_interview(ex, {})


def load_naive(store: Neo4jStore, corpus: list[ExtractedInterview]) -> None:
    """One auto-commit statement per row: what batching is measured against. It writes the
    same graph (properties, full-text words, sequence numbers) as the batched loader."""
    driver, database = store._driver, store.database
    with driver.session(database=database) as session:
        for ex in corpus:
            iv, person = ex.interview, ex.interview.interviewee
            session.run(
                "MERGE (p:Interviewee {pseudonym: $pseudonym}) SET p += $person "
                "CREATE (p)-[:GAVE]->(:Interview $props)",
                pseudonym=person.pseudonym,
                person={"gender": person.gender, "nationality": person.nationality,
                        "status": person.status, "role": person.role, "age": person.age},
                props={"id": iv.id, "title": iv.title, "source_path": iv.source_path,
                       "content_hash": iv.content_hash, "date": iv.date, "place": iv.place,
                       "language": iv.language, "interviewer": iv.interviewer,
                       "medium": iv.medium, "media_file": iv.media_file, "text": iv.text},
            ).consume()
            for t in iv.turns:
                session.run(
                    "MATCH (i:Interview {id: $interview_id}) "
                    "CREATE (i)-[:HAS_TURN]->(:Turn $props)",
                    interview_id=iv.id,
                    props={"id": t.id(iv.id), "interview_id": iv.id, "index": t.index,
                           "speaker": t.speaker, "speaker_role": t.speaker_role,
                           "start": t.start, "end": t.end, "text": t.text,
                           "time_start": t.time_start, "time_end": t.time_end,
                           "search_text": search_words(t.text)},
                ).consume()
            for seq, m in enumerate(ex.mentions):
                label = _label_of(m.type)
                session.run(
                    "MATCH (t:Turn {id: $turn_id}) MERGE (e:Entity {id: $entity_id}) "
                    f"ON CREATE SET e:{label}, e.type = $type, e.name = $name, "
                    "e.aliases = [$surface], e.confidence = 1.0 "
                    "CREATE (t)-[:MENTIONS $props]->(e)",
                    turn_id=f"{iv.id}#{m.turn_index}", entity_id=m.key.lower(), type=m.type,
                    name=m.canonical_hint or m.text, surface=m.text,
                    props={"start": m.start, "end": m.end, "surface": m.text, "key": m.key,
                           "type": m.type, "method": m.method, "confidence": m.confidence,
                           "canonical_hint": m.canonical_hint, "seq": seq},
                ).consume()
            for seq, c in enumerate(ex.themes, start=len(ex.mentions)):
                session.run(
                    "MATCH (t:Turn {id: $turn_id}) MERGE (th:Theme {code: $theme}) "
                    "CREATE (t)-[:CODED_AS $props]->(th)",
                    turn_id=f"{iv.id}#{c.turn_index}", theme=c.theme,
                    props={"start": c.start, "end": c.end, "evidence": c.evidence, "by": c.by,
                           "confidence": c.confidence, "seq": seq},
                ).consume()
            for seq, ln in enumerate(ex.links, start=len(ex.mentions) + len(ex.themes)):
                session.run(
                    "MATCH (s:Entity {id: $source}) MATCH (t:Entity {id: $target}) "
                    f"CREATE (s)-[:{_link_type(ln.type)} $props]->(t)",
                    source=ln.source_key.lower(), target=ln.target_key.lower(),
                    props={"turn_id": f"{iv.id}#{ln.turn_index}", "interview_id": iv.id,
                           "start": ln.start, "end": ln.end, "source_key": ln.source_key,
                           "target_key": ln.target_key, "seq": seq},
                ).consume()


def clean(store: Neo4jStore, force: bool) -> None:
    """Empty the database. The first time, one holding interviews no test or benchmark left
    there is refused (after that, what is there is this run's own)."""
    if not force:
        row = store._query("OPTIONAL MATCH (m:StoreMeta {name: $mark}) "
                           "WITH m.interviews AS left OPTIONAL MATCH (i:Interview) "
                           "RETURN left, collect(i.id) AS ids", mark=SCRATCH_MARK)[0]
        ids, left = sorted(row["ids"]), sorted(row["left"] or [])
        if ids and ids != left:
            raise SystemExit(f"{store.location} holds {len(ids)} interviews no test or "
                             "benchmark left there, and this benchmark deletes everything; "
                             "point NEO4J_URI at a throwaway server or pass --force.")
    store.delete_everything()

    def mark(tx) -> None:  # empty, and marked as scratch (see tests/conftest.py)
        tx.run("MERGE (m:StoreMeta {name: $mark}) SET m.interviews = []",
               mark=SCRATCH_MARK).consume()
    store._write(mark)


@contextmanager
def database_turn(uri: str) -> Iterator[None]:
    """Wait for test sessions using the same local server to finish (tests/conftest.py takes
    the same lock): both empty the database."""
    port = uri.rsplit(":", 1)[-1].split("/")[0] if uri.count(":") >= 2 else "7687"
    data_dir = Path(os.environ.get("NEO4J_DATA_DIR") or REPO / ".neo4j-data")
    data_dir.mkdir(parents=True, exist_ok=True)
    with open(data_dir / f"tests-{port}.lock", "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print("waiting for a test session to finish with the database...", flush=True)
            fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def counts(store: Neo4jStore) -> dict[str, int]:
    stats = store.stats()
    return {k: stats[k] for k in ("interviews", "interviewees", "turns", "mentions", "entities",
                                  "theme_codes")}


def timed(store: Neo4jStore, corpus: list[ExtractedInterview], load,
          force: bool) -> tuple[float, dict[str, int]]:
    """Seconds one load of `corpus` takes from an empty database, and the counts it leaves."""
    clean(store, force)
    start = time.perf_counter()
    load(store, corpus)
    seconds = time.perf_counter() - start
    return seconds, counts(store)


def report(label: str, rows: int, seconds: list[float]) -> float:
    """Print the median round and return its rows per second."""
    median = statistics.median(seconds)
    rounds = f"median of {len(seconds)}" if len(seconds) > 1 else "1 round"
    print(f"{label:<56} {rows:>6} rows in {median:6.2f} s ({rounds}) = "
          f"{rows / median:7.0f} rows/s", flush=True)
    return rows / median


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--replicas", type=int, default=6,
                        help="copies of the sample corpus to load (default 6)")
    parser.add_argument("--rounds", type=int, default=3,
                        help="timed batched loads, the median counts (default 3); the naive "
                             "load runs once, its thousands of commits average themselves")
    parser.add_argument("--force", action="store_true",
                        help="wipe the database even if it holds data nobody marked as scratch")
    args = parser.parse_args(argv)
    uri = os.environ.get("NEO4J_URI") or "bolt://127.0.0.1:7687"
    with database_turn(uri):
        return run(uri, args)


def run(uri: str, args: argparse.Namespace) -> int:
    try:
        store = Neo4jStore(uri,
                           os.environ.get("NEO4J_USER", "neo4j"),
                           os.environ.get("NEO4J_PASSWORD") or "testimony-dev-password",
                           os.environ.get("NEO4J_DATABASE", "neo4j"))
    except TestimonyError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"Neo4j: {store.location}", flush=True)
    t0 = time.perf_counter()
    corpus = extract_corpus()
    print(f"extracted {len(corpus)} interviews of {SAMPLE_CORPUS.name}/ in "
          f"{time.perf_counter() - t0:.1f} s", flush=True)
    load = replicate(corpus, args.replicas)
    rows = sum(rows_of(ex) for ex in load)
    print(f"loading {len(corpus)} x {args.replicas} = {len(load)} interviews: {rows} rows "
          "(interviews, turns, mentions, theme codes, links)", flush=True)
    try:
        clean(store, args.force)  # refuses an analyst's database; the cleans below are ours
        # Warm-up (not timed): the server plans each statement once, and the JVM compiles it.
        for loader in (load_batched, load_naive):
            timed(store, replicate(corpus[:2], 1), loader, True)
        batched_times, naive_times = [], []
        for _ in range(max(1, args.rounds)):
            seconds, after_batched = timed(store, load, load_batched, True)
            batched_times.append(seconds)
        seconds, after_naive = timed(store, load, load_naive, True)
        naive_times.append(seconds)
        clean(store, True)
    finally:
        store.close()
    batched = report("batched (UNWIND, one managed transaction per interview)", rows,
                     batched_times)
    naive = report("naive (one auto-commit statement per row)", rows, naive_times)
    if after_batched != after_naive:
        print(f"the two loads differ: batched {after_batched}, naive {after_naive}")
        return 1
    print(f"both loads left {after_batched}")
    ratio = batched / naive
    print(f"speed-up: {ratio:.1f}x (target >= {TARGET:.0f}x)")
    return 0 if ratio >= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
