"""How the read side scales with the number of interviews (embedded store).

Not a test: loads the sample corpus once (1x, the baseline) and then N copies of it (distinct
interview ids and pseudonyms), times each analyst query on both, and prints the ratio. Linear
growth shows as a ratio near N; the app caches results, so these are first-request costs.

    .venv/bin/python bench/scale_queries.py [--copies 40]
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from graph_builder.extract.pipeline import build_extractor, extract_many  # noqa: E402
from graph_builder.ingest.readers import iter_transcripts, read_document  # noqa: E402
from graph_builder.ingest.turns import split_turns  # noqa: E402
from graph_builder.load import refresh_resolution  # noqa: E402
from graph_builder.store.sqlite import SQLiteStore  # noqa: E402
from queries.corroboration import corroborate_entity  # noqa: E402
from queries.network import cooccurrence_graph  # noqa: E402
from queries.profiles import entity_profile, find_entities  # noqa: E402
from queries.search import search  # noqa: E402

QUERIES = {
    "find_entities": lambda s: find_entities(s, "", None),
    "search Raqqa": lambda s: search(s, "Raqqa"),
    "entity profile": lambda s: entity_profile(s, "place:raka"),
    "corroborate": lambda s: corroborate_entity(s, "place:raka"),
    "network": lambda s: cooccurrence_graph(s),
}


def build(path: Path, extracted, copies: int) -> SQLiteStore:
    store = SQLiteStore(path)
    for i in range(copies):
        for e in extracted:
            iv = e.interview
            iv = replace(iv, id=f"{iv.id}-{i}",
                         interviewee=replace(iv.interviewee, pseudonym=f"{iv.interviewee.pseudonym} {i}"))
            store.replace_interview(replace(e, interview=iv), {})
    refresh_resolution(store)
    return store


def timed(fn, store) -> float:
    best = float("inf")
    for _ in range(3):
        t = time.perf_counter()
        fn(store)
        best = min(best, time.perf_counter() - t)
    return best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--copies", type=int, default=40)
    args = ap.parse_args()
    interviews = [split_turns(read_document(p)) for p in iter_transcripts([REPO / "sample_corpus"])]
    extracted = extract_many(interviews, build_extractor())
    with tempfile.TemporaryDirectory() as tmp:
        small = build(Path(tmp) / "1x.db", extracted, 1)
        large = build(Path(tmp) / "nx.db", extracted, args.copies)
        print(f"baseline {small.stats()['interviews']} interviews, scaled "
              f"{large.stats()['interviews']} interviews ({args.copies}x)")
        print(f"{'query':<16} {'1x (s)':>8} {f'{args.copies}x (s)':>9} {'ratio':>7}")
        for name, fn in QUERIES.items():
            a, b = timed(fn, small), timed(fn, large)
            print(f"{name:<16} {a:8.3f} {b:9.3f} {b / a:7.1f}")


if __name__ == "__main__":
    main()
