"""The audit log: who signed in, searched, read, exported and curated what, and when.

Append-only, in its own SQLite file (TESTIMONY_AUDIT, default `testimony-audit.db` in the
working directory, readable by its owner only), apart from the graph so that deleting or
re-ingesting testimony never touches it. Triggers refuse every UPDATE and DELETE, and each
entry carries the SHA-256 of the one before and of itself, so an entry changed or removed by
other means breaks the chain at that point (`testimony audit --verify`). Admins read it on the
app's Audit page and with `testimony audit`; both page through it in the store and export it
as CSV. Passwords never enter it; search words do (that is what an audit is for), so the file
is as sensitive as the testimony and is kept like it.
"""
from __future__ import annotations

import csv
import getpass
import hashlib
import io
import json
import os
import sqlite3
import threading
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from graph_builder.errors import TestimonyError

AUDIT_ENV = "TESTIMONY_AUDIT"
DEFAULT_AUDIT = "testimony-audit.db"
FIELDS = ("seq", "at", "actor", "role", "address", "action", "subject", "detail")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS audit (
  seq INTEGER PRIMARY KEY, at TEXT NOT NULL, actor TEXT NOT NULL, role TEXT NOT NULL,
  address TEXT NOT NULL, action TEXT NOT NULL, subject TEXT NOT NULL, detail TEXT NOT NULL,
  prev TEXT NOT NULL, hash TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS audit_actor ON audit(actor, seq);
CREATE INDEX IF NOT EXISTS audit_action ON audit(action, seq);
CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit
  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit
  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
"""
_lock = threading.Lock()


@dataclass(frozen=True)
class Entry:
    seq: int
    at: str
    actor: str
    role: str
    address: str
    action: str
    subject: str
    detail: str


def audit_path() -> Path:
    return Path(os.environ.get(AUDIT_ENV) or DEFAULT_AUDIT)


def _connect(path: Path) -> sqlite3.Connection:
    new = not path.exists()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(path, timeout=30, isolation_level=None)
        if new:
            os.chmod(path, 0o600)
        db.executescript(_SCHEMA)
    except (OSError, sqlite3.Error) as exc:
        raise TestimonyError(f"{path}: cannot open the audit log ({exc}); set {AUDIT_ENV} to "
                             "a file this account may write") from None
    db.row_factory = sqlite3.Row
    return db


def _digest(prev: str, values: tuple[str, ...]) -> str:
    return hashlib.sha256((prev + "\x1f" + json.dumps(values, ensure_ascii=False)).encode()).hexdigest()


def cli_actor() -> str:
    """Who runs a command in a terminal: the system account, marked as such."""
    try:
        return "cli:" + getpass.getuser()
    except (KeyError, OSError):
        return "cli:unknown"


def record(action: str, subject: str = "", detail: str | dict = "", *, actor: str,
           role: str = "", address: str = "", path: Path | None = None) -> int:
    """Append one entry; returns its number."""
    if isinstance(detail, dict):
        detail = json.dumps(detail, ensure_ascii=False, sort_keys=True)
    at = datetime.now(timezone.utc).isoformat(timespec="milliseconds")
    values = (at, actor, role, address, action, subject[:2000], detail[:4000])
    with _lock:
        db = _connect(path or audit_path())
        try:
            db.execute("BEGIN IMMEDIATE")
            row = db.execute("SELECT hash FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
            prev = row["hash"] if row else ""
            cur = db.execute("INSERT INTO audit(at, actor, role, address, action, subject, "
                             "detail, prev, hash) VALUES (?,?,?,?,?,?,?,?,?)",
                             (*values, prev, _digest(prev, values)))
            db.execute("COMMIT")
            return int(cur.lastrowid)
        finally:
            db.close()


def entries(*, actor: str | None = None, action: str | None = None, offset: int = 0,
            limit: int = 50, path: Path | None = None) -> tuple[list[Entry], int]:
    """One page of entries, newest first, and how many match."""
    where, args = [], []
    if actor:
        where.append("actor = ?")
        args.append(actor)
    if action:
        where.append("action = ?")
        args.append(action)
    clause = (" WHERE " + " AND ".join(where)) if where else ""
    db = _connect(path or audit_path())
    try:
        total = db.execute(f"SELECT count(*) FROM audit{clause}", args).fetchone()[0]
        rows = db.execute(f"SELECT {', '.join(FIELDS)} FROM audit{clause} ORDER BY seq DESC "
                          "LIMIT ? OFFSET ?", [*args, int(limit), int(offset)]).fetchall()
    finally:
        db.close()
    return [Entry(**dict(r)) for r in rows], int(total)


def verify(path: Path | None = None) -> tuple[int, int | None]:
    """(entries checked, the number of the first entry whose chain breaks, or None)."""
    db = _connect(path or audit_path())
    try:
        prev, n = "", 0
        for r in db.execute(f"SELECT {', '.join(FIELDS)}, prev, hash FROM audit ORDER BY seq"):
            n += 1
            values = tuple(r[f] for f in FIELDS[1:])
            if r["prev"] != prev or r["hash"] != _digest(prev, values):
                return n, int(r["seq"])
            prev = r["hash"]
        return n, None
    finally:
        db.close()


def to_csv(rows: list[Entry]) -> str:
    """Entries as CSV, formula-safe (a search for "=cmd" stays text in a spreadsheet)."""
    from queries.exports import safe_cell

    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(FIELDS)
    for e in rows:
        w.writerow([safe_cell(getattr(e, f)) for f in FIELDS])
    return buf.getvalue()
