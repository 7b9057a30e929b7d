"""The audit log: append-only, chained, paged in the store, exportable, and written by every
verb that reads or changes testimony. (What the served app writes to it: test_served_app.py.)
Names and searches here are FICTIONAL.
"""
from __future__ import annotations

import csv
import io
import sqlite3
from pathlib import Path

import pytest

from graph_builder import audit


def test_entries_are_appended_and_never_changed(tmp_path: Path) -> None:
    log = tmp_path / "audit.db"
    for i in range(7):
        audit.record("search", f"Tal Afar {i}", {"type": "PLACE"}, actor="rami", role="reader",
                     address="127.0.0.1", path=log)
    audit.record("export", "network", {"format": "gexf"}, actor="lead", role="admin", path=log)
    rows, total = audit.entries(path=log, limit=3)
    assert total == 8 and [r.seq for r in rows] == [8, 7, 6]  # newest first, one page
    assert rows[0].actor == "lead" and rows[0].action == "export"
    rows, total = audit.entries(path=log, actor="rami", offset=5, limit=10)
    assert total == 7 and [r.subject for r in rows] == ["Tal Afar 1", "Tal Afar 0"]
    assert audit.verify(log) == (8, None)
    with sqlite3.connect(log) as db:
        for sql in ("UPDATE audit SET actor = 'someone else'", "DELETE FROM audit WHERE seq = 3"):
            with pytest.raises(sqlite3.DatabaseError, match="append-only"):
                db.execute(sql)
    assert oct(log.stat().st_mode & 0o777) == "0o600"


def test_an_entry_altered_behind_the_triggers_breaks_the_chain(tmp_path: Path) -> None:
    log = tmp_path / "audit.db"
    for who in ("rami", "amira", "lead"):
        audit.record("read interview", "int-07", actor=who, path=log)
    with sqlite3.connect(log) as db:
        db.execute("DROP TRIGGER audit_no_update")
        db.execute("UPDATE audit SET actor = 'nobody' WHERE seq = 2")
    assert audit.verify(log) == (2, 2)
    with sqlite3.connect(log) as db:  # (opening the log put the triggers back)
        db.execute("DROP TRIGGER audit_no_update")
        db.execute("DROP TRIGGER audit_no_delete")
        db.execute("UPDATE audit SET actor = 'amira' WHERE seq = 2")
        db.execute("DELETE FROM audit WHERE seq = 1")
    assert audit.verify(log)[1] == 2  # the first left no longer follows the chain's start


def test_every_reading_verb_is_audited_and_the_csv_is_formula_safe(tmp_path, monkeypatch,
                                                                     capsys, sample_db) -> None:
    from graph_builder.cli import main

    log = tmp_path / "audit.db"
    monkeypatch.setenv("TESTIMONY_AUDIT", str(log))
    monkeypatch.setenv("TESTIMONY_DB", str(sample_db))
    monkeypatch.setenv("TESTIMONY_BACKEND", "sqlite")
    monkeypatch.delenv("NEO4J_URI", raising=False)
    assert main(["search", "=HYPERLINK(\"http://evil.example\")", "--limit", "1"]) in (0, 1)
    assert main(["export", str(tmp_path / "net.gexf")]) == 0
    assert main(["stats"]) == 0  # counts only: not audited
    capsys.readouterr()
    assert main(["audit", "--csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [r["action"] for r in rows] == ["export", "search"]
    assert all(r["actor"].startswith("cli:") and r["role"] == "terminal" for r in rows)
    # the search words, kept as text in a spreadsheet, not run as a formula
    assert rows[1]["subject"] == "'=HYPERLINK(\"http://evil.example\")"
    assert rows[0]["subject"] == str(tmp_path / "net.gexf")
    assert main(["audit", "--verify"]) == 0
