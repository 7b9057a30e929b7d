"""The embedded default store: one SQLite file (WAL) with an FTS5 index over turns.

One writer per file; each interview is written in one transaction, so a reader never sees
half an interview and a crash mid-ingest leaves the previous version intact.
"""
from __future__ import annotations

import json
import sqlite3
import threading
from pathlib import Path

from graph_builder.errors import StoreUnavailable
from graph_builder.model import (Entity, ExtractedInterview, Interview, Interviewee,
                                 Resolution, Turn)
from graph_builder.store.base import (InterviewSummary, KeyUsage, LinkRow, MentionRow,
                                      ThemeRow, TurnRow, entity_for, usage_from_rows)
from schemas import graph_schema, load_codebook

_SQL_TYPES = {"string": "TEXT", "integer": "INTEGER", "float": "REAL", "list": "TEXT"}


def _columns(node: str, skip: tuple[str, ...] = ()) -> list[tuple[str, str]]:
    props = graph_schema()["nodes"][node]["properties"]
    return [(name, _SQL_TYPES[spec["type"]]) for name, spec in props.items() if name not in skip]


def _ddl() -> str:
    """Tables generated from schemas/graph.yaml, plus the relationship tables."""
    nodes = graph_schema()["nodes"]

    def table(name: str, node: str, extra: str = "") -> str:
        key = nodes[node]["key"]
        pk = {key: " PRIMARY KEY"}
        cols = ",\n  ".join(f'"{c}" {t}{pk.get(c, "")}' for c, t in _columns(node))
        return f"CREATE TABLE IF NOT EXISTS {name} (\n  {cols}{extra}\n);"

    mention_cols = graph_schema()["relationships"]["MENTIONS"]["properties"]
    mention_sql = ", ".join(f'"{c}" {_SQL_TYPES[spec["type"]]}' for c, spec in mention_cols.items())
    return "\n".join([
        table("interview", "Interview", ",\n  interviewee TEXT NOT NULL"),
        table("interviewee", "Interviewee"),
        table("turn", "Turn"),
        "CREATE INDEX IF NOT EXISTS turn_by_interview ON turn(interview_id, \"index\");",
        table("entity", "Entity"),
        table("theme", "Theme"),
        f"""CREATE TABLE IF NOT EXISTS mention (
  turn_id TEXT NOT NULL, interview_id TEXT NOT NULL, type TEXT NOT NULL,
  entity_id TEXT NOT NULL, canonical_hint TEXT, {mention_sql});""",
        "CREATE INDEX IF NOT EXISTS mention_by_entity ON mention(entity_id);",
        "CREATE INDEX IF NOT EXISTS mention_by_turn ON mention(turn_id);",
        "CREATE INDEX IF NOT EXISTS mention_by_key ON mention(key);",
        "CREATE INDEX IF NOT EXISTS mention_by_interview ON mention(interview_id, start);",
        """CREATE TABLE IF NOT EXISTS theme_code (
  turn_id TEXT NOT NULL, interview_id TEXT NOT NULL, theme TEXT NOT NULL,
  start INTEGER, "end" INTEGER, evidence TEXT, "by" TEXT, confidence REAL);""",
        "CREATE INDEX IF NOT EXISTS theme_code_by_turn ON theme_code(turn_id);",
        "CREATE INDEX IF NOT EXISTS theme_code_by_interview ON theme_code(interview_id);",
        """CREATE TABLE IF NOT EXISTS link (
  type TEXT NOT NULL, source_key TEXT NOT NULL, target_key TEXT NOT NULL,
  turn_id TEXT NOT NULL, interview_id TEXT NOT NULL, start INTEGER, "end" INTEGER);""",
        "CREATE INDEX IF NOT EXISTS link_by_interview ON link(interview_id);",
        """CREATE TABLE IF NOT EXISTS resolution (key TEXT PRIMARY KEY, entity_id TEXT NOT NULL);""",
        """CREATE TABLE IF NOT EXISTS possibly_same (
  a TEXT NOT NULL, b TEXT NOT NULL, score REAL, PRIMARY KEY (a, b));""",
        """CREATE TABLE IF NOT EXISTS curation (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, decision TEXT NOT NULL);""",
        # The full-text index over turns; content lives in `turn`, the index is kept in step
        # by the writer (no triggers, so one code path writes both).
        """CREATE VIRTUAL TABLE IF NOT EXISTS turn_fts USING fts5(
  id UNINDEXED, text, tokenize = "unicode61 remove_diacritics 2");""",
    ])


class SQLiteStore:
    """The embedded store. Thread-safe for the app's readers; one writer at a time."""

    backend = "sqlite"

    def __init__(self, path: str | Path) -> None:
        self.location = str(path)
        try:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA foreign_keys=ON")
            self._db.execute("PRAGMA busy_timeout=5000")
        except (sqlite3.Error, OSError) as exc:
            raise StoreUnavailable(
                f"cannot open the embedded store at {path}: {exc}. Check the folder exists and "
                "is writable, or set TESTIMONY_DB to another file.") from exc
        self._lock = threading.RLock()
        self.ensure_schema()

    # --- plumbing ----------------------------------------------------------------
    def _rows(self, sql: str, params: tuple | list = ()) -> list[sqlite3.Row]:
        with self._lock:
            cur = self._db.execute(sql, params)
            cur.row_factory = sqlite3.Row
            return cur.fetchall()

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def ensure_schema(self) -> None:
        with self._lock:
            self._db.executescript(_ddl())
            self._db.executemany(
                "INSERT INTO theme(code, label) VALUES (?, ?) "
                "ON CONFLICT(code) DO UPDATE SET label = excluded.label",
                [(t.code, t.label) for t in load_codebook()])

    # --- writes ------------------------------------------------------------------
    def content_hash(self, interview_id: str) -> str | None:
        rows = self._rows("SELECT content_hash FROM interview WHERE id = ?", (interview_id,))
        return rows[0]["content_hash"] if rows else None

    def _delete(self, interview_id: str) -> tuple[list[str], list[str]]:
        """Remove an interview and its facts; returns the entity ids and the pseudonym it
        pointed at, the only things its removal can leave orphaned."""
        db = self._db
        entity_ids = [r[0] for r in db.execute(
            "SELECT DISTINCT entity_id FROM mention WHERE interview_id = ?", (interview_id,))]
        pseudonyms = [r[0] for r in db.execute(
            "SELECT interviewee FROM interview WHERE id = ?", (interview_id,))]
        db.execute("DELETE FROM turn_fts WHERE id IN (SELECT id FROM turn WHERE interview_id = ?)",
                   (interview_id,))
        for table in ("mention", "theme_code", "link", "turn"):
            db.execute(f"DELETE FROM {table} WHERE interview_id = ?", (interview_id,))
        db.execute("DELETE FROM interview WHERE id = ?", (interview_id,))
        return entity_ids, pseudonyms

    def _prune(self, entity_ids: list[str] | None = None, pseudonyms: list[str] | None = None) -> None:
        """Drop what no interview refers to any more (entities, interviewees). Given the ids a
        removed interview pointed at, only those are checked: an ingest stays linear in the
        corpus instead of rescanning every mention after each interview."""
        db = self._db
        if entity_ids is None:
            db.execute("DELETE FROM entity WHERE id NOT IN (SELECT DISTINCT entity_id FROM mention)")
            db.execute("DELETE FROM interviewee WHERE pseudonym NOT IN "
                       "(SELECT DISTINCT interviewee FROM interview)")
            return
        db.executemany("DELETE FROM entity WHERE id = ? AND NOT EXISTS "
                       "(SELECT 1 FROM mention WHERE entity_id = ?)", [(e, e) for e in entity_ids])
        db.executemany("DELETE FROM interviewee WHERE pseudonym = ? AND NOT EXISTS "
                       "(SELECT 1 FROM interview WHERE interviewee = ?)",
                       [(p, p) for p in pseudonyms or ()])

    def replace_interview(self, extracted: ExtractedInterview, assignments: dict[str, str]) -> None:
        iv = extracted.interview
        turn_ids = {t.index: t.id(iv.id) for t in iv.turns}
        with self._lock:
            db = self._db
            db.execute("BEGIN IMMEDIATE")
            try:
                old_entities, old_pseudonyms = self._delete(iv.id)
                person = iv.interviewee
                db.execute(
                    "INSERT INTO interviewee(pseudonym, gender, nationality, status, role, age) "
                    "VALUES (?,?,?,?,?,?) ON CONFLICT(pseudonym) DO UPDATE SET "
                    "gender=excluded.gender, nationality=excluded.nationality, "
                    "status=excluded.status, role=excluded.role, age=excluded.age",
                    (person.pseudonym, person.gender, person.nationality, person.status,
                     person.role, person.age))
                db.execute(
                    "INSERT INTO interview(id, title, source_path, content_hash, date, place, "
                    "language, interviewer, medium, media_file, text, interviewee) "
                    "VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                    (iv.id, iv.title, iv.source_path, iv.content_hash, iv.date, iv.place,
                     iv.language, iv.interviewer, iv.medium, iv.media_file, iv.text,
                     person.pseudonym))
                db.executemany(
                    'INSERT INTO turn(id, interview_id, "index", speaker, speaker_role, start, '
                    '"end", text, time_start, time_end) VALUES (?,?,?,?,?,?,?,?,?,?)',
                    [(turn_ids[t.index], iv.id, t.index, t.speaker, t.speaker_role, t.start,
                      t.end, t.text, t.time_start, t.time_end) for t in iv.turns])
                db.executemany("INSERT INTO turn_fts(id, text) VALUES (?, ?)",
                               [(turn_ids[t.index], t.text) for t in iv.turns])
                mentions = [(turn_ids[m.turn_index], iv.id, m.type,
                             entity_for(assignments, m.key, iv.id), m.canonical_hint, m.start,
                             m.end, m.text, m.key, m.method, m.confidence)
                            for m in extracted.mentions]
                db.executemany(
                    'INSERT INTO mention(turn_id, interview_id, type, entity_id, canonical_hint, '
                    'start, "end", surface, key, method, confidence) VALUES (?,?,?,?,?,?,?,?,?,?,?)',
                    mentions)
                # Provisional entities for keys the last resolution has not seen yet.
                db.executemany(
                    "INSERT INTO entity(id, type, name, aliases, confidence) VALUES (?,?,?,?,?) "
                    "ON CONFLICT(id) DO NOTHING",
                    [(row[3], m.type, m.canonical_hint or m.text, json.dumps([m.text]), 1.0)
                     for row, m in zip(mentions, extracted.mentions)])
                db.executemany(
                    'INSERT INTO theme_code(turn_id, interview_id, theme, start, "end", evidence, '
                    '"by", confidence) VALUES (?,?,?,?,?,?,?,?)',
                    [(turn_ids[c.turn_index], iv.id, c.theme, c.start, c.end, c.evidence, c.by,
                      c.confidence) for c in extracted.themes])
                db.executemany(
                    'INSERT INTO link(type, source_key, target_key, turn_id, interview_id, start, '
                    '"end") VALUES (?,?,?,?,?,?,?)',
                    [(ln.type, ln.source_key, ln.target_key, turn_ids[ln.turn_index], iv.id,
                      ln.start, ln.end) for ln in extracted.links])
                self._prune(old_entities, old_pseudonyms)
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise

    def delete_interview(self, interview_id: str) -> bool:
        with self._lock:
            db = self._db
            db.execute("BEGIN IMMEDIATE")
            try:
                found = db.execute("SELECT 1 FROM interview WHERE id = ?", (interview_id,)).fetchone()
                self._prune(*self._delete(interview_id))
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
        return found is not None

    def key_usage(self) -> list[KeyUsage]:
        # Insertion (rowid) order: the first hint a key was written with wins, as on Neo4j.
        rows = self._rows('SELECT m.key, m.type, m.surface, m.interview_id, t."index" AS idx, '
                          "m.canonical_hint FROM mention m JOIN turn t ON t.id = m.turn_id "
                          "ORDER BY m.rowid")
        return usage_from_rows((r["key"], r["type"], r["surface"], r["interview_id"], r["idx"],
                                r["canonical_hint"]) for r in rows)

    def apply_resolution(self, resolution: Resolution) -> None:
        with self._lock:
            db = self._db
            db.execute("BEGIN IMMEDIATE")
            try:
                db.execute("DELETE FROM resolution")
                db.executemany("INSERT INTO resolution(key, entity_id) VALUES (?, ?)",
                               sorted(resolution.assignments.items()))
                # A per-interview entry ("key@interview") wins over the plain key.
                db.execute("UPDATE mention SET entity_id = COALESCE("
                           "(SELECT entity_id FROM resolution r "
                           " WHERE r.key = mention.key || '@' || mention.interview_id), "
                           "(SELECT entity_id FROM resolution r WHERE r.key = mention.key), "
                           "lower(mention.key))")
                db.execute("DELETE FROM entity")
                db.executemany(
                    "INSERT INTO entity(id, type, name, aliases, confidence) VALUES (?,?,?,?,?)",
                    [(e.id, e.type, e.name, json.dumps(list(e.aliases)), e.confidence)
                     for e in resolution.entities])
                db.execute("DELETE FROM possibly_same")
                db.executemany("INSERT INTO possibly_same(a, b, score) VALUES (?,?,?)",
                               resolution.possibly_same)
                self._prune()
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise

    def resolution(self) -> dict[str, str]:
        return {r["key"]: r["entity_id"] for r in self._rows("SELECT key, entity_id FROM resolution")}

    def possibly_same(self) -> list[tuple[str, str, float]]:
        return [(r["a"], r["b"], r["score"])
                for r in self._rows("SELECT a, b, score FROM possibly_same ORDER BY a, b")]

    def curation_log(self) -> list[dict]:
        return [json.loads(r["decision"])
                for r in self._rows("SELECT decision FROM curation ORDER BY seq")]

    def record_decision(self, decision: dict) -> None:
        with self._lock:
            self._db.execute("INSERT INTO curation(decision) VALUES (?)",
                             (json.dumps(decision, sort_keys=True),))

    # --- reads -------------------------------------------------------------------
    def stats(self) -> dict[str, int]:
        counts = {}
        for name, table in (("interviews", "interview"), ("interviewees", "interviewee"),
                            ("turns", "turn"), ("mentions", "mention"), ("entities", "entity"),
                            ("links", "link"), ("theme_codes", "theme_code")):
            counts[name] = self._rows(f"SELECT count(*) AS n FROM {table}")[0]["n"]
        return counts

    def interviews(self) -> list[InterviewSummary]:
        rows = self._rows(
            "SELECT i.id, i.title, i.interviewee, i.source_path, i.content_hash, i.date, i.place, "
            "i.medium, i.media_file, p.gender, p.nationality, p.status, p.role, "
            "(SELECT count(*) FROM turn t WHERE t.interview_id = i.id) AS turns "
            "FROM interview i JOIN interviewee p ON p.pseudonym = i.interviewee ORDER BY i.id")
        return [InterviewSummary(id=r["id"], title=r["title"], pseudonym=r["interviewee"],
                                 source_path=r["source_path"], content_hash=r["content_hash"],
                                 date=r["date"], place=r["place"], medium=r["medium"],
                                 media_file=r["media_file"], gender=r["gender"],
                                 nationality=r["nationality"], status=r["status"],
                                 role=r["role"], turns=r["turns"]) for r in rows]

    def interview(self, interview_id: str) -> Interview | None:
        rows = self._rows("SELECT * FROM interview WHERE id = ?", (interview_id,))
        if not rows:
            return None
        r = rows[0]
        p = self._rows("SELECT * FROM interviewee WHERE pseudonym = ?", (r["interviewee"],))[0]
        turns = tuple(Turn(index=t.index, speaker=t.speaker, speaker_role=t.speaker_role,  # type: ignore[arg-type]
                           start=t.start, end=t.end, text=t.text, time_start=t.time_start,
                           time_end=t.time_end) for t in self.turns_of(interview_id))
        return Interview(
            id=r["id"], title=r["title"], source_path=r["source_path"],
            content_hash=r["content_hash"], text=r["text"],
            interviewee=Interviewee(pseudonym=p["pseudonym"], gender=p["gender"],
                                    nationality=p["nationality"], status=p["status"],
                                    role=p["role"], age=p["age"]),
            turns=turns, date=r["date"], place=r["place"], language=r["language"],
            interviewer=r["interviewer"], medium=r["medium"], media_file=r["media_file"])

    @staticmethod
    def _turn(r: sqlite3.Row) -> TurnRow:
        return TurnRow(id=r["id"], interview_id=r["interview_id"], index=r["index"],
                       speaker=r["speaker"], speaker_role=r["speaker_role"], start=r["start"],
                       end=r["end"], text=r["text"], time_start=r["time_start"],
                       time_end=r["time_end"])

    def turns(self, turn_ids: list[str]) -> list[TurnRow]:
        out: list[TurnRow] = []
        ids = sorted(set(turn_ids))
        for i in range(0, len(ids), 500):  # stay under SQLite's bound-parameter limit
            chunk = ids[i:i + 500]
            out += [self._turn(r) for r in self._rows(
                f"SELECT * FROM turn WHERE id IN ({','.join('?' * len(chunk))})", chunk)]
        return sorted(out, key=lambda t: (t.interview_id, t.index))

    def turns_of(self, interview_id: str) -> list[TurnRow]:
        return [self._turn(r) for r in self._rows(
            'SELECT * FROM turn WHERE interview_id = ? ORDER BY "index"', (interview_id,))]

    def mention_counts(self) -> dict[str, int]:
        return {r["entity_id"]: r["n"] for r in self._rows(
            "SELECT entity_id, count(*) AS n FROM mention GROUP BY entity_id")}

    def turn_roles(self) -> dict[str, str]:
        return {r["id"]: r["speaker_role"] for r in self._rows("SELECT id, speaker_role FROM turn")}

    def search_candidates(self, terms: list[str], limit: int) -> list[str]:
        if not terms:
            return []
        # Each term is quoted as an FTS5 string, so analyst input is never FTS syntax.
        match = " AND ".join('"' + t.replace('"', '""') + '"' for t in terms)
        rows = self._rows("SELECT id FROM turn_fts WHERE turn_fts MATCH ? ORDER BY id LIMIT ?",
                          (match, limit))
        return [r["id"] for r in rows]

    @staticmethod
    def _entity(r: sqlite3.Row) -> Entity:
        return Entity(id=r["id"], type=r["type"], name=r["name"],
                      aliases=tuple(json.loads(r["aliases"])), confidence=r["confidence"])

    def entities(self, entity_type: str | None = None) -> list[Entity]:
        if entity_type:
            rows = self._rows("SELECT * FROM entity WHERE type = ? ORDER BY id", (entity_type,))
        else:
            rows = self._rows("SELECT * FROM entity ORDER BY id")
        return [self._entity(r) for r in rows]

    def entity(self, entity_id: str) -> Entity | None:
        rows = self._rows("SELECT * FROM entity WHERE id = ?", (entity_id,))
        return self._entity(rows[0]) if rows else None

    def mentions(self, *, entity_id: str | None = None, turn_ids: list[str] | None = None,
                 interview_id: str | None = None) -> list[MentionRow]:
        where, params = self._filters(entity_id=entity_id, interview_id=interview_id)
        rows = self._filtered("mention", where, params, turn_ids)
        out = [MentionRow(turn_id=r["turn_id"], interview_id=r["interview_id"], start=r["start"],
                          end=r["end"], surface=r["surface"], key=r["key"], type=r["type"],
                          entity_id=r["entity_id"], method=r["method"],
                          confidence=r["confidence"]) for r in rows]
        return sorted(out, key=lambda m: (m.interview_id, m.start, m.end, m.key))

    def themes(self, *, turn_ids: list[str] | None = None, theme: str | None = None,
               interview_id: str | None = None) -> list[ThemeRow]:
        where, params = self._filters(theme=theme, interview_id=interview_id)
        rows = self._filtered("theme_code", where, params, turn_ids)
        out = [ThemeRow(turn_id=r["turn_id"], interview_id=r["interview_id"], theme=r["theme"],
                        start=r["start"], end=r["end"], evidence=r["evidence"], by=r["by"],
                        confidence=r["confidence"]) for r in rows]
        return sorted(out, key=lambda t: (t.interview_id, t.start, t.end, t.theme))

    def links(self, *, entity_id: str | None = None) -> list[LinkRow]:
        rows = self._rows(
            'SELECT l.type, l.turn_id, l.interview_id, l.start, l."end", '
            "COALESCE(ris.entity_id, rs.entity_id, lower(l.source_key)) AS source_id, "
            "COALESCE(rit.entity_id, rt.entity_id, lower(l.target_key)) AS target_id FROM link l "
            "LEFT JOIN resolution ris ON ris.key = l.source_key || '@' || l.interview_id "
            "LEFT JOIN resolution rit ON rit.key = l.target_key || '@' || l.interview_id "
            "LEFT JOIN resolution rs ON rs.key = l.source_key "
            "LEFT JOIN resolution rt ON rt.key = l.target_key")
        out = [LinkRow(type=r["type"], source_id=r["source_id"], target_id=r["target_id"],
                       turn_id=r["turn_id"], interview_id=r["interview_id"], start=r["start"],
                       end=r["end"]) for r in rows
               if entity_id is None or entity_id in (r["source_id"], r["target_id"])]
        return sorted(out, key=lambda x: (x.interview_id, x.start, x.type, x.source_id, x.target_id))

    @staticmethod
    def _filters(**equals: str | None) -> tuple[str, list[str]]:
        clauses = [f"{col} = ?" for col, v in equals.items() if v is not None]
        return " AND ".join(clauses), [v for v in equals.values() if v is not None]

    def _filtered(self, table: str, where: str, params: list, turn_ids: list[str] | None) -> list:
        if turn_ids is None:
            return self._rows(f"SELECT * FROM {table}" + (f" WHERE {where}" if where else ""), params)
        out: list = []
        ids = sorted(set(turn_ids))
        for i in range(0, len(ids), 500):
            chunk = ids[i:i + 500]
            clause = f"turn_id IN ({','.join('?' * len(chunk))})" + (f" AND {where}" if where else "")
            out += self._rows(f"SELECT * FROM {table} WHERE {clause}", chunk + params)
        return out
