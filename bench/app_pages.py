"""How quickly each app page answers on the sample corpus: first run and a rerun (cached).

Not a test: prints seconds per page and the rerun/first ratio measured in the same run (the
caches' effect). Goal (issue 5): every page responds quickly on the sample corpus.

    .venv/bin/python bench/app_pages.py
"""
from __future__ import annotations

import os
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

PAGES = [("search", {"q": "Raqqa"}), ("entity", {"entity": "place:raka"}), ("interview", {}),
         ("corroboration", {"entity": "place:raka"}), ("network", {}), ("export", {}),
         ("curation", {})]


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "sample.db"
        store = SQLiteStore(db)
        ingest([REPO / "sample_corpus"], store, build_extractor())
        store.close()
        os.environ.update(TESTIMONY_DB=str(db), TESTIMONY_BACKEND="sqlite")
        print(f"{'page':<14} {'first (s)':>10} {'rerun (s)':>10} {'rerun/first':>12}")
        for name, query in PAGES:
            st.cache_data.clear()
            st.cache_resource.clear()
            at = AppTest.from_file(str(REPO / "streamlit_app.py"), default_timeout=300)
            at.run()
            for k, v in query.items():
                at.query_params[k] = v
            t = time.perf_counter()
            at.switch_page(f"app_pages/{name}.py").run()
            first = time.perf_counter() - t
            t = time.perf_counter()
            at.run()
            again = time.perf_counter() - t
            assert not at.exception, at.exception
            print(f"{name:<14} {first:10.2f} {again:10.2f} {again / first:12.2f}")


if __name__ == "__main__":
    main()
