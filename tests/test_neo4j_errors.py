"""A Neo4j that cannot be reached or refuses us is a StoreUnavailable that says what to do,
and a failed Neo4j ingest never touches the embedded store."""
from __future__ import annotations

import socket

import pytest

from graph_builder.cli import main
from graph_builder.errors import StoreUnavailable
from graph_builder.load import ingest
from graph_builder.store.neo4j import Neo4jStore
from graph_builder.store.sqlite import SQLiteStore
from tests.conftest import all_entities, file_digest

pytestmark = pytest.mark.neo4j  # a real server, never mocked

FICTIONAL = """---
interview_id: fict-err
interviewee: Abu Salim
note: FICTIONAL test transcript
---
Q: Where were you in 2015?
A: I was in Raqqah with the hisbah. Abu Hamza al-Tunisi was our emir there.
"""


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_unreachable_server_names_the_uri_and_the_fix() -> None:
    uri = f"bolt://127.0.0.1:{closed_port()}"
    with pytest.raises(StoreUnavailable) as err:
        Neo4jStore(uri, "neo4j", "any-password", "neo4j")
    message = str(err.value)
    assert uri in message
    assert "scripts/neo4j-server.sh start" in message and "NEO4J_URI" in message


def test_wrong_password_names_the_uri_and_the_setting(neo4j_server) -> None:
    # One failed attempt only: the server locks the user out after several in a row.
    with pytest.raises(StoreUnavailable) as err:
        Neo4jStore(neo4j_server.uri, neo4j_server.user, "not-the-password", "neo4j")
    message = str(err.value)
    assert neo4j_server.uri in message and "NEO4J_PASSWORD" in message
    assert "neo4j" in message  # the user
    neo4j_server.store().close()  # and the right password still works


def test_missing_password_is_unavailable_before_connecting() -> None:
    uri = f"bolt://127.0.0.1:{closed_port()}"
    for password in (None, ""):
        with pytest.raises(StoreUnavailable) as err:
            Neo4jStore(uri, "neo4j", password, "neo4j")
        assert uri in str(err.value) and "NEO4J_PASSWORD" in str(err.value)


def test_unknown_database_names_the_database(neo4j_server) -> None:
    with pytest.raises(StoreUnavailable) as err:
        Neo4jStore(neo4j_server.uri, neo4j_server.user, neo4j_server.password, "nosuchdb")
    assert "nosuchdb" in str(err.value) and "NEO4J_DATABASE" in str(err.value)


def test_bad_uri_is_unavailable() -> None:
    with pytest.raises(StoreUnavailable) as err:
        Neo4jStore("http://127.0.0.1:7474", "neo4j", "pw", "neo4j")
    assert "http://127.0.0.1:7474" in str(err.value) and "NEO4J_URI" in str(err.value)


def test_failed_neo4j_ingest_leaves_the_sqlite_file_untouched(tmp_path, nlp, monkeypatch,
                                                              capsys) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "fict-err.md").write_text(FICTIONAL, encoding="utf-8")
    db = tmp_path / "embedded.db"
    store = SQLiteStore(db)
    ingest([folder], store, nlp)
    before = (store.stats(), store.mentions(), all_entities(store))
    store.close()
    digest = file_digest(db)

    # The same file through the CLI, configured for a Neo4j nobody answers on.
    uri = f"bolt://127.0.0.1:{closed_port()}"
    (folder / "fict-err.md").write_text(FICTIONAL + "Q: And then?\nA: I fled.\n", encoding="utf-8")
    monkeypatch.setenv("TESTIMONY_DB", str(db))
    monkeypatch.setenv("NEO4J_URI", uri)
    monkeypatch.setenv("NEO4J_PASSWORD", "whatever")
    monkeypatch.delenv("TESTIMONY_BACKEND", raising=False)
    assert main(["ingest", "--quiet", str(folder)]) != 0
    assert uri in capsys.readouterr().err

    assert file_digest(db) == digest
    store = SQLiteStore(db)
    assert (store.stats(), store.mentions(), all_entities(store)) == before
    store.close()
