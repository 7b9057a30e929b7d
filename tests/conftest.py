"""Shared fixtures: the bundled sample corpus ingested once per test session."""
from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SAMPLE_CORPUS = REPO / "sample_corpus"
SHARED = REPO.parent / "shared"
DEV_CORPUS = SHARED / "corpus" / "dev"


@pytest.fixture(scope="session")
def nlp():
    from graph_builder.extract.model_loader import load_model
    return load_model()


@pytest.fixture(scope="session")
def sample_db(tmp_path_factory, nlp) -> Path:
    """A SQLite store holding the sample corpus (built once; tests open it read-only-ish)."""
    from graph_builder.load import ingest
    from graph_builder.store.sqlite import SQLiteStore

    path = tmp_path_factory.mktemp("sample") / "sample.db"
    store = SQLiteStore(path)
    report = ingest([SAMPLE_CORPUS], store, nlp)
    store.close()
    assert not report.failed, report.summary()
    return path


@pytest.fixture()
def sample_store(sample_db):
    from graph_builder.store.sqlite import SQLiteStore
    store = SQLiteStore(sample_db)
    yield store
    store.close()
