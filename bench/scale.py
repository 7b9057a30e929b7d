"""The analyst's questions at the size users have: a synthetic 1,000-interview collection in
both stores, p50/p95 per question and backend, and what adding one interview costs.

Not a test. It generates the collection (bench/synthetic_corpus.py, fixed seed), extracts it
once (cached in --work: the slow part, ~15 minutes on two cores), loads the same extracted
interviews into a fresh SQLite store and, with --neo4j, into Neo4j (NEO4J_URI, default
bolt://127.0.0.1:7687; it empties that database, and refuses one holding interviews it did not
write unless --force), then times each question over several inputs (the most-named places
and entities, pairs of entities for paths). The baseline of the ingest ratio is measured in
the same run: one new interview ingested (extracted, written, resolved) into an empty store,
against the same interview into the 1,000.

    .venv/bin/python bench/scale.py [--work DIR] [--n 1000] [--neo4j] [--rounds 5]

Goals (issue 8): SQLite p95 < 50 ms for search, entity page, corroboration, neighbourhood;
< 200 ms for paths and the network view; < 1 s for a whole-graph GEXF. Neo4j within 3x of
SQLite. One interview into the 1,000 costs < 2x one into an empty store.
"""
from __future__ import annotations

import argparse
import gc
import os
import pickle
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from graph_builder.load import assignments_for, ingest, refresh_resolution  # noqa: E402
from graph_builder.store.base import GraphStore, NetworkQuery  # noqa: E402
from graph_builder.store.sqlite import SQLiteStore  # noqa: E402

SEED = 20261203
EXTRA_SEED = 99  # the interviews added one by one come from another collection


def extracted_collection(work: Path, n: int) -> list:
    """The collection's extracted interviews, made once and kept in `work`."""
    from graph_builder.extract.pipeline import build_extractor, extract_many
    from graph_builder.ingest.readers import iter_transcripts, read_document
    from graph_builder.ingest.turns import split_turns
    from synthetic_corpus import generate

    from graph_builder.embeddings import embed_sentences, encoder

    model = encoder()
    cache = work / f"extracted-{n}-{SEED}{'-' + model.name if model else ''}.pkl"
    if cache.exists():
        return pickle.loads(cache.read_bytes())
    docs = work / f"docs-{n}"
    if not docs.exists():
        generate(docs, n=n, seed=SEED)
    interviews = [split_turns(read_document(p)) for p in iter_transcripts([docs])]
    print(f"extracting {len(interviews)} interviews (once; cached in {cache})", flush=True)
    t = time.perf_counter()
    out = list(extract_many(interviews, build_extractor(), workers=os.cpu_count() or 1))
    print(f"  {time.perf_counter() - t:.0f} s", flush=True)
    if model is not None:
        t = time.perf_counter()
        out = embed_sentences(out, model)
        print(f"  embedded {sum(len(e.sentences) for e in out):,} sentences in "
              f"{time.perf_counter() - t:.0f} s", flush=True)
    cache.write_bytes(pickle.dumps(out))
    return out


def extra_interviews(work: Path) -> list[Path]:
    """Fresh interviews, not in the collection (their ids are changed to extra-*)."""
    from synthetic_corpus import generate

    folder = work / "extra"
    if not folder.exists():
        for p in generate(folder, n=6, seed=EXTRA_SEED):
            p.write_text(p.read_text(encoding="utf-8").replace("interview_id: syn-",
                                                               "interview_id: extra-", 1),
                         encoding="utf-8")
    return sorted(folder.glob("*.md"))


SCRATCH_MARK = "test-scratch"  # what tests/conftest.py and the benches leave behind


def neo4j_store(force: bool) -> GraphStore:
    """The configured Neo4j, refused when it holds interviews no test or bench wrote."""
    import neo4j

    from graph_builder.store.neo4j import Neo4jStore

    uri = os.environ.get("NEO4J_URI", "bolt://127.0.0.1:7687")
    user = os.environ.get("NEO4J_USER", "neo4j")
    password = os.environ.get("NEO4J_PASSWORD", "testimony-dev-password")
    database = os.environ.get("NEO4J_DATABASE", "neo4j")
    with neo4j.GraphDatabase.driver(uri, auth=(user, password)) as driver:
        row = driver.execute_query(
            "OPTIONAL MATCH (m:StoreMeta {name: $mark}) WITH m.interviews AS left "
            "OPTIONAL MATCH (i:Interview) WITH left, collect(i.id)[..5] AS ids, count(i) AS n "
            "RETURN left, ids, n", mark=SCRATCH_MARK, database_=database).records[0]
        if row["n"] and row["left"] is None and not force:
            raise SystemExit(f"{uri} holds {row['n']} interviews no bench wrote (e.g. "
                             f"{row['ids'][0]}); this bench empties it. Point NEO4J_URI at a "
                             "throwaway server or pass --force.")
        # Marked as scratch: the test suite may empty it later.
        driver.execute_query("MERGE (m:StoreMeta {name: $mark}) SET m.interviews = []",
                             mark=SCRATCH_MARK, database_=database)
    return Neo4jStore(uri, user, password, database)


def load(store: GraphStore, extracted: list) -> float:
    t = time.perf_counter()
    for e in extracted:
        store.replace_interview(e, assignments_for(store, e))
    refresh_resolution(store, structure=True)
    return time.perf_counter() - t


def timed(fn: Callable[[], Any], rounds: int) -> list[float]:
    out = []
    for _ in range(rounds):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return out


def questions(store: GraphStore) -> dict[str, list[Callable[[], Any]]]:
    """Each question over several inputs: the most named places and entities."""
    from queries import render
    from queries.claims import corroborate_claim
    from queries.corroboration import corroborate_entity
    from queries.exports import gexf
    from queries.network import network_data, to_graph
    from queries.paths import neighbourhood, shortest_paths
    from queries.profiles import entity_profile
    from queries.network import relation_data
    from queries.search import search
    from queries.timeline import timeline

    places = [s for s in store.find_entities([], "PLACE", 0, 8)]
    top = [s for s in store.find_entities([], None, 0, 8)]
    people = [s for s in store.find_entities([], "PERSON", 0, 200)][20:200:20]
    pairs = list(zip(people, reversed(people)))[:6] + [(places[0], people[-1]), (top[1], people[0])]

    def view() -> None:
        g = to_graph(network_data(store, NetworkQuery(max_nodes=150)))
        render.layout(g)

    return {
        "search a place (first page)": [lambda p=p: search(store, p.entity.name, limit=20)
                                        for p in places],
        "entity page (first page)": [lambda e=e: entity_profile(store, e.id, limit=10) for e in top],
        "corroboration of an entity": [lambda p=p: corroborate_entity(store, p.id, limit=10)
                                       for p in places],
        "neighbourhood (150 nodes)": [lambda e=e: neighbourhood(store, e.id, 1) for e in top],
        "paths between two entities": [lambda a=a, b=b: shortest_paths(store, a.id, b.id)
                                       for a, b in pairs],
        "network view (150 nodes, laid out)": [view],
        "whole-graph GEXF": [lambda: gexf(network_data(store, NetworkQuery(max_nodes=None)),
                                           store=store)],
        "timeline (first page; at a place)": [lambda: timeline(store, limit=25)] + [
            lambda p=p: timeline(store, place=p.id, limit=25) for p in places[:4]],
        "typed relations (150 nodes)": [lambda: relation_data(store, NetworkQuery(max_nodes=150))],
        "a statement (corroborate --claim)": [
            lambda c=c: corroborate_claim(store, c) for c in (
                f"The hisbah flogged a man in the square in {places[0].entity.name}.",
                f"They took us to the prison in {places[1].entity.name} in 2015.",
                "The emir ordered the fighters to leave the town before the airstrikes.",
                f"{people[0].entity.name} was the emir of {places[2].entity.name}.")],
    }


def measure(store: GraphStore, rounds: int) -> dict[str, tuple[float, float]]:
    out = {}
    for name, calls in questions(store).items():
        for call in calls:  # once each, untimed: Neo4j plans its statements
            call()
        times = [t for call in calls for t in timed(call, rounds)]
        times.sort()
        p95 = times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))]
        out[name] = (statistics.median(times) * 1000, p95 * 1000)
    return out


def ingest_ratio(open_big: Callable[[], GraphStore], open_empty: Callable[[], GraphStore],
                 files: list[Path], nlp) -> tuple[float, float]:
    """Median seconds to ingest one new interview into an empty store and into the big one."""
    empty, big = [], []
    for f in files:
        store = open_empty()
        t = time.perf_counter()
        ingest([f], store, nlp)
        empty.append(time.perf_counter() - t)
        store.close()
        store = open_big()
        t = time.perf_counter()
        report = ingest([f], store, nlp)
        big.append(time.perf_counter() - t)
        assert report.added, report.summary()
        store.close()
    return statistics.median(empty[1:] or empty), statistics.median(big[1:] or big)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "testimony-scale")
    ap.add_argument("--n", type=int, default=1000, help="interviews (default 1000)")
    ap.add_argument("--rounds", type=int, default=5, help="timed runs per input")
    ap.add_argument("--neo4j", action="store_true", help="also load and time Neo4j")
    ap.add_argument("--force", action="store_true", help="let --neo4j empty a database it did not fill")
    args = ap.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    extracted = extracted_collection(args.work, args.n)
    from graph_builder.extract.model_loader import load_model
    nlp = load_model()
    files = extra_interviews(args.work)

    def settle() -> None:
        # The extracted collection is millions of Python objects: while it is alive, every
        # full garbage collection walks them all and lands a pause in whatever is timed. The
        # app never holds it; the timings must not either.
        gc.collect()
        gc.freeze()

    results: dict[str, dict[str, tuple[float, float]]] = {}
    ratios: dict[str, tuple[float, float]] = {}
    db = args.work / f"scale-{args.n}.db"
    for p in (db, Path(f"{db}-wal"), Path(f"{db}-shm")):
        p.unlink(missing_ok=True)
    sqlite = SQLiteStore(db)
    print(f"SQLite: loaded {args.n} interviews in {load(sqlite, extracted):.0f} s "
          f"({sqlite.stats()['mentions']:,} mentions, {sqlite.stats()['entities']:,} entities)",
          flush=True)
    if not args.neo4j:
        del extracted
    settle()
    results["sqlite"] = measure(sqlite, args.rounds)
    sqlite.close()
    snapshot = args.work / "scale-snapshot.db"
    shutil.copy(db, snapshot)

    def fresh_sqlite() -> GraphStore:
        path = Path(tempfile.mkdtemp(dir=args.work)) / "empty.db"
        return SQLiteStore(path)

    def big_sqlite() -> GraphStore:
        shutil.copy(snapshot, db)
        for p in (Path(f"{db}-wal"), Path(f"{db}-shm")):
            p.unlink(missing_ok=True)
        return SQLiteStore(db)

    ratios["sqlite"] = ingest_ratio(big_sqlite, fresh_sqlite, files, nlp)

    if args.neo4j:
        store = neo4j_store(force=args.force)
        store.delete_everything()
        print(f"Neo4j: loaded {args.n} interviews in {load(store, extracted):.0f} s", flush=True)
        del extracted
        settle()
        results["neo4j"] = measure(store, args.rounds)
        added: list[str] = []

        def big_neo4j() -> GraphStore:
            s = neo4j_store(force=True)
            for iid in added:  # back to the 1,000
                s.delete_interview(iid)
            refresh_resolution(s)
            added.clear()
            return s

        # Neo4j Community has one database: the 1,000 first (each added interview removed
        # again before the next), then everything deleted for the empty-store baseline.
        big = []
        for f in files:
            s = big_neo4j()
            t = time.perf_counter()
            report = ingest([f], s, nlp)
            big.append(time.perf_counter() - t)
            added += report.added
            s.close()
        s = neo4j_store(force=True)
        empty = []
        for f in files:
            s.delete_everything()
            t = time.perf_counter()
            ingest([f], s, nlp)
            empty.append(time.perf_counter() - t)
        s.delete_everything()
        s.close()
        ratios["neo4j"] = (statistics.median(empty[1:]), statistics.median(big[1:]))

    print()
    backends = list(results)
    head = "| question | " + " | ".join(f"{b} p50 / p95 ms" for b in backends)
    if "neo4j" in results:
        head += " | neo4j p95 / sqlite p95"
    print(head + " |")
    print("|---" * (len(backends) + 1 + ("neo4j" in results)) + "|")
    for q in results["sqlite"]:
        cells = [f"{results[b][q][0]:,.0f} / {results[b][q][1]:,.0f}" for b in backends]
        if "neo4j" in results:
            cells.append(f"{results['neo4j'][q][1] / max(results['sqlite'][q][1], 1e-9):.1f}x")
        print(f"| {q} | " + " | ".join(cells) + " |")
    print()
    for b, (empty_s, big_s) in ratios.items():
        print(f"{b}: one interview into an empty store {empty_s:.2f} s, into the {args.n} "
              f"{big_s:.2f} s: ratio {big_s / empty_s:.2f}")


if __name__ == "__main__":
    main()
