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


@pytest.fixture(scope="session")
def dev_db(tmp_path_factory, nlp) -> Path:
    """A SQLite store holding the real dev corpus (../shared/corpus/dev/docs), built once."""
    from graph_builder.load import ingest
    from graph_builder.store.sqlite import SQLiteStore

    path = tmp_path_factory.mktemp("dev") / "dev.db"
    store = SQLiteStore(path)
    report = ingest([DEV_CORPUS / "docs"], store, nlp)
    store.close()
    assert not report.failed and len(report.added) == 18, report.summary()
    return path


@pytest.fixture(autouse=True)
def _audit_log_per_test(monkeypatch, tmp_path):
    """Every test writes its audit entries (graph_builder/audit.py) to a file of its own, never
    to testimony-audit.db in the working directory."""
    monkeypatch.delenv("TESTIMONY_SECRET", raising=False)
    monkeypatch.setenv("TESTIMONY_AUDIT", str(tmp_path / "audit.db"))
    # and its project secret (queries/redaction.py) lives beside it, not in the checkout
    monkeypatch.setenv("TESTIMONY_SECRET_FILE", str(tmp_path / "secret.key"))


@pytest.fixture()
def app_env(sample_db, monkeypatch, tmp_path):
    """The app's environment for AppTests and served-app tests: the sample store on SQLite, no
    Neo4j, no password, no accounts (unless a test adds them), the bundled codebook; the
    process-wide Streamlit caches emptied before and after (a test would otherwise see the
    store, or the results, of the test before it)."""
    import streamlit as st

    monkeypatch.setenv("TESTIMONY_DB", str(sample_db))
    monkeypatch.setenv("TESTIMONY_BACKEND", "sqlite")
    monkeypatch.setenv("TESTIMONY_USERS", str(tmp_path / "no-accounts.json"))
    for name in ("NEO4J_URI", "TESTIMONY_APP_PASSWORD", "TESTIMONY_CODEBOOK"):
        monkeypatch.delenv(name, raising=False)
    st.cache_resource.clear()
    st.cache_data.clear()
    yield sample_db
    st.cache_resource.clear()
    st.cache_data.clear()


@pytest.fixture()
def sample_store(sample_db):
    from graph_builder.store.sqlite import SQLiteStore
    store = SQLiteStore(sample_db)
    yield store
    store.close()


# --- Neo4j and both backends (tests/test_store_contract.py, tests/test_neo4j_*.py) -----------
# A real Neo4j 5 server, never a mock: started with scripts/neo4j-server.sh (idempotent; it stays
# running for the next session). The tests share its one database (Community has only 'neo4j'),
# so a fixture remembers what it holds and reloads only when a test changed it.
import fcntl  # noqa: E402
import hashlib  # noqa: E402
import os  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402
from collections.abc import Iterator  # noqa: E402
from dataclasses import dataclass  # noqa: E402

NEO4J_SCRIPT = REPO / "scripts" / "neo4j-server.sh"
NEO4J_DEV_PASSWORD = "testimony-dev-password"
TEST_TX_MEMORY = "32m"  # the test server's cap on one transaction's memory
# The tests empty the database they use. To never empty an analyst's, a StoreMeta node records
# the interviews the last test session left behind; a database holding other interviews is
# refused (unless TESTIMONY_TESTS_WIPE_NEO4J=1).
_SCRATCH_MARK = "test-scratch"
_WIPE_ENV = "TESTIMONY_TESTS_WIPE_NEO4J"


@dataclass(frozen=True)
class Neo4jServer:
    uri: str
    user: str
    password: str
    database: str

    def store(self):
        from graph_builder.store.neo4j import Neo4jStore
        return Neo4jStore(self.uri, self.user, self.password, self.database)

    def cypher(self, query: str, **params) -> list[dict]:
        import neo4j

        with neo4j.GraphDatabase.driver(self.uri, auth=(self.user, self.password)) as driver:
            return [r.data() for r in driver.execute_query(query, params,
                                                           database_=self.database).records]


class Neo4jDatabase:
    """The test database and what it holds now ("sample" corpus, or None after any change)."""

    def __init__(self, server: Neo4jServer) -> None:
        self.server = server
        self.holds: str | None = None
        self.owned = False  # this session emptied it once: what is there now is ours

    def _interviews(self) -> tuple[list[str], list[str] | None]:
        """The interview ids stored now, and those the last test session left (None: no mark)."""
        row = self.server.cypher(
            "OPTIONAL MATCH (m:StoreMeta {name: $mark}) WITH m.interviews AS left "
            "OPTIONAL MATCH (i:Interview) RETURN left, collect(i.id) AS ids", mark=_SCRATCH_MARK)[0]
        return sorted(row["ids"]), (sorted(row["left"]) if row["left"] is not None else None)

    def remember(self) -> None:
        """Mark what this session leaves behind as test data (if it took the database)."""
        if not self.owned:
            return
        ids, _ = self._interviews()
        self.server.cypher("MERGE (m:StoreMeta {name: $mark}) SET m.interviews = $ids",
                           mark=_SCRATCH_MARK, ids=ids)

    def clean(self):
        """A store on an empty database. Refuses to wipe interviews no test session wrote."""
        store = self.server.store()
        ids, left = self._interviews()
        if not self.owned and ids and ids != left and os.environ.get(_WIPE_ENV) != "1":
            store.close()
            pytest.fail(
                f"the Neo4j database {self.server.database!r} at {self.server.uri} holds "
                f"{len(ids)} interviews that no test session left there (e.g. {ids[0]!r}), and "
                "the tests delete everything. Point them at a throwaway server (NEO4J_BOLT_PORT "
                "and NEO4J_DATA_DIR for scripts/neo4j-server.sh), or set "
                f"{_WIPE_ENV}=1 to let them empty this one.", pytrace=False)
        self.holds = None
        self.owned = True
        store.delete_everything()
        self.remember()
        return store


@pytest.fixture(scope="session")
def neo4j_server() -> Iterator[Neo4jServer]:
    """The local Neo4j, started if it is not running. Fails (never skips) if it cannot start.

    Test sessions that use it take turns (a file lock held for the whole session): two
    sessions emptying and filling the one database at once would read each other's writes."""
    password = os.environ.get("NEO4J_PASSWORD") or NEO4J_DEV_PASSWORD
    port = os.environ.get("NEO4J_BOLT_PORT", "7687")
    data_dir = Path(os.environ.get("NEO4J_DATA_DIR") or REPO / ".neo4j-data")
    data_dir.mkdir(parents=True, exist_ok=True)
    with open(data_dir / f"tests-{port}.lock", "w") as lock:
        deadline = time.monotonic() + 1800
        while True:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    pytest.fail(f"another test session has held {lock.name} for 30 minutes",
                                pytrace=False)
                time.sleep(1)
        yield _start_neo4j(password, port)


def _start_neo4j(password: str, port: str) -> Neo4jServer:
    try:
        # The test server caps each transaction's memory (as Aura and a tuned server do), so
        # a write or delete that would not scale to a big collection fails here first.
        env = {**os.environ, "NEO4J_PASSWORD": password,
               "NEO4J_TX_MEMORY": os.environ.get("NEO4J_TX_MEMORY", TEST_TX_MEMORY)}
        run = subprocess.run(["bash", str(NEO4J_SCRIPT), "start"], capture_output=True, text=True,
                             env=env, timeout=1200)
    except (OSError, subprocess.TimeoutExpired) as exc:
        pytest.fail(f"{NEO4J_SCRIPT} start did not finish: {exc}", pytrace=False)
    if run.returncode != 0:
        pytest.fail(f"{NEO4J_SCRIPT} start failed (exit {run.returncode}); the Neo4j tests need "
                    f"a real server:\n{run.stdout}\n{run.stderr}", pytrace=False)
    return Neo4jServer(uri=f"bolt://127.0.0.1:{port}", user="neo4j", password=password,
                       database="neo4j")


@pytest.fixture(scope="session")
def neo4j_db(neo4j_server) -> Iterator[Neo4jDatabase]:
    db = Neo4jDatabase(neo4j_server)
    yield db
    db.remember()


@pytest.fixture()
def neo4j_store(neo4j_db):
    """A Neo4jStore on a clean database (everything deleted first)."""
    store = neo4j_db.clean()
    yield store
    store.close()


def _open_corpus_store(backend: str, request):
    """A store holding the sample corpus; tests must only read it."""
    if backend == "sqlite":
        from graph_builder.store.sqlite import SQLiteStore
        return SQLiteStore(request.getfixturevalue("sample_db"))
    db: Neo4jDatabase = request.getfixturevalue("neo4j_db")
    if db.holds == "sample":
        return db.server.store()
    from graph_builder.load import ingest
    store = db.clean()
    report = ingest([SAMPLE_CORPUS], store, request.getfixturevalue("nlp"))
    assert not report.failed, report.summary()
    db.holds = "sample"
    return store


@pytest.fixture(params=["sqlite", "neo4j"])
def corpus_store(request):
    """Each backend in turn, holding the sample corpus (graph_builder.load.ingest). Read only."""
    store = _open_corpus_store(request.param, request)
    yield store
    store.close()


@pytest.fixture()
def corpus_stores(request):
    """Both backends at once, (sqlite, neo4j), each holding the sample corpus. Read only."""
    sqlite = _open_corpus_store("sqlite", request)
    neo = _open_corpus_store("neo4j", request)
    yield sqlite, neo
    sqlite.close()
    neo.close()


def file_digest(path: Path) -> str:
    """sha256 of a file's bytes (to prove a test left a file untouched)."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def pytest_configure(config) -> None:
    config.addinivalue_line(
        "markers", "neo4j: needs the real Neo4j server (scripts/neo4j-server.sh); in CI these "
        "run, never skip. `-m 'not neo4j'` leaves them out of a quick local run.")


def all_entities(store) -> list:
    """Every entity of a store with its counts (EntitySummary), most named first."""
    return list(store.find_entities([], None, 0, 10**9))
