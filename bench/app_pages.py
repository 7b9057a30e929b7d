"""How quickly each app page answers: first run and a rerun (cached), per page.

Not a test: prints seconds per page and the rerun/first ratio measured in the same run (the
caches' effect). By default on the sample corpus; with --db on any store, such as the
1,000-interview collection bench/scale.py builds (goal: every page < 1 s, a rerun < 0.3 s).
The entity and corroboration pages open the store's most-named place.

    .venv/bin/python bench/app_pages.py [--db PATH] [--rounds 3]
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import streamlit as st  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

from graph_builder.extract.pipeline import build_extractor  # noqa: E402
from graph_builder.load import ingest  # noqa: E402
from graph_builder.store.sqlite import SQLiteStore  # noqa: E402


def pages(store: SQLiteStore) -> list[tuple[str, dict[str, str]]]:
    place = store.find_entities([], "PLACE", 0, 1).items[0]
    return [("search", {"q": place.entity.name}), ("entity", {"entity": place.id}),
            ("interview", {}), ("corroboration", {"entity": place.id}), ("network", {}),
            ("export", {}), ("curation", {}), ("timeline", {}), ("timeline", {"place": place.id})]


def measure(db: Path, rounds: int) -> None:
    store = SQLiteStore(db)
    todo = pages(store)
    print(f"store: {db} ({store.stats()['interviews']:,} interviews)")
    store.close()
    os.environ.update(TESTIMONY_DB=str(db), TESTIMONY_BACKEND="sqlite")
    os.environ.pop("NEO4J_URI", None)
    print(f"{'page':<14} {'first (s)':>10} {'rerun (s)':>10} {'rerun/first':>12}")
    for name, query in todo:
        firsts, agains = [], []
        for _ in range(rounds):
            st.cache_data.clear()
            st.cache_resource.clear()
            at = AppTest.from_file(str(REPO / "streamlit_app.py"), default_timeout=300)
            at.run()  # the entry script opens the store (not counted)
            for k, v in query.items():
                at.query_params[k] = v
            t = time.perf_counter()
            at.switch_page(f"app_pages/{name}.py").run()
            firsts.append(time.perf_counter() - t)
            t = time.perf_counter()
            at.run()
            agains.append(time.perf_counter() - t)
            assert not at.exception, at.exception
        first, again = statistics.median(firsts), statistics.median(agains)
        print(f"{name:<14} {first:10.2f} {again:10.2f} {again / first:12.2f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--db", type=Path, help="an existing SQLite store (default: the sample corpus)")
    ap.add_argument("--rounds", type=int, default=3, help="runs per page (median shown)")
    args = ap.parse_args()
    if args.db:
        measure(args.db, args.rounds)
        return
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "sample.db"
        store = SQLiteStore(db)
        ingest([REPO / "sample_corpus"], store, build_extractor())
        store.close()
        measure(db, args.rounds)


if __name__ == "__main__":
    main()
