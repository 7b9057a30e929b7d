"""The embedded default store: one SQLite file (WAL), FTS5 indexes, aggregates kept on write.

One writer per file; each interview is written in one transaction together with its share of
the aggregates (NAMED_IN per entity and interview, pairs per interview and their store-wide
sums in CO_MENTIONED, counts per entity, per-key tables for the resolver), so a reader never
sees half an interview and a crash mid-ingest leaves the previous version intact. Every
analyst question is one or a few SQL statements over indexes; paths are answered from an
in-memory copy of the co-occurrence table (`GraphMirror`), reloaded when the write counter
shows that someone (this process or another) wrote since it was read.
"""
from __future__ import annotations

import json
import sqlite3
import threading
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from graph_builder.errors import StoreUnavailable
from graph_builder.keys import block, key_type, name_part, skeleton, word_prefixes
from graph_builder.model import (Entity, ExtractedInterview, Interview, Interviewee,
                                 Resolution, Turn)
from graph_builder.stance import STANCE_RANK
from graph_builder.store.base import (ALIAS_LIMIT, EntityInInterview, EntitySummary,
                                      GraphMirror, InterviewShare, InterviewSummary, KeyInfo,
                                      KeyUsage, LinkRow, MentionRow, TimelineItem, ENTITY_LINKS, RelationData, RelationEdge, NetworkData, NetworkEdge,
                                      NetworkNode, NetworkQuery, Page, PairIn, ScoredTurn,
                                      SourceRow, Subject, SupportRow, TextMatch, ThemeRow,
                                      TurnFilter, TurnRow, entity_for, interview_share,
                                      mention_facts, name_forms, scope_base, support_rows,
                                      usage_of)
from queries.text import search_text
from schemas import SPEAKER_ROLES, graph_schema, load_codebook

SCHEMA_VERSION = graph_schema()["version"]
_SQL_TYPES = {"string": "TEXT", "integer": "INTEGER", "float": "REAL", "list": "TEXT",
              "bytes": "BLOB"}
_CHUNK = 500  # ids per IN (...) list: under SQLite's bound-parameter limit
# A stance's rank, in SQL (the rank order is the policy; weights live in queries/).
_RANK_SQL = "CASE {col} " + " ".join(f"WHEN '{s}' THEN {r}" for s, r in STANCE_RANK.items()) \
    + f" ELSE {STANCE_RANK['unmarked']} END"


def _props(section: str, name: str) -> dict[str, dict]:
    return graph_schema()[section][name]["properties"]


def _cols(section: str, name: str, skip: tuple[str, ...] = ()) -> str:
    return ", ".join(f'"{c}" {_SQL_TYPES[spec["type"]]}'
                     for c, spec in _props(section, name).items() if c not in skip)


def _ddl() -> str:
    """Tables generated from schemas/graph.yaml (nodes, relationships, bookkeeping), plus
    their indexes and the full-text tables."""
    return "\n".join([
        "CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value INTEGER);",
        f"CREATE TABLE IF NOT EXISTS interview (id TEXT PRIMARY KEY, "
        f"{_cols('nodes', 'Interview', ('id',))}, interviewee TEXT NOT NULL, turns INTEGER);",
        "CREATE INDEX IF NOT EXISTS interview_by_interviewee ON interview(interviewee);",
        f"CREATE TABLE IF NOT EXISTS interviewee (pseudonym TEXT PRIMARY KEY, "
        f"{_cols('nodes', 'Interviewee', ('pseudonym',))});",
        # `n` is the stable rowid the full-text index points at.
        f"CREATE TABLE IF NOT EXISTS turn (n INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, "
        f"{_cols('nodes', 'Turn', ('id',))});",
        'CREATE INDEX IF NOT EXISTS turn_by_interview ON turn(interview_id, "index");',
        f"CREATE TABLE IF NOT EXISTS entity (n INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, "
        f"{_cols('nodes', 'Entity', ('id',))});",
        "CREATE INDEX IF NOT EXISTS entity_by_mentions ON entity(mentions DESC, id);",
        "CREATE INDEX IF NOT EXISTS entity_by_type ON entity(type, mentions DESC, id);",
        "CREATE INDEX IF NOT EXISTS entity_by_testimony ON entity(testimony_mentions DESC, id);",
        "CREATE INDEX IF NOT EXISTS entity_uncertain ON entity(confidence, id) "
        "WHERE confidence < 1 AND keys > 1 AND confirmed = 0;",
        "CREATE TABLE IF NOT EXISTS entity_name (form TEXT NOT NULL, entity_id TEXT NOT NULL, "
        "PRIMARY KEY (form, entity_id)) WITHOUT ROWID;",
        "CREATE INDEX IF NOT EXISTS entity_name_by_entity ON entity_name(entity_id);",
        "CREATE TABLE IF NOT EXISTS theme (code TEXT PRIMARY KEY, label TEXT);",
        f"CREATE TABLE IF NOT EXISTS mention (turn_id TEXT NOT NULL, interview_id TEXT NOT NULL, "
        f"turn_index INTEGER NOT NULL, type TEXT NOT NULL, entity_id TEXT NOT NULL, "
        f"canonical_hint TEXT, {_cols('relationships', 'MENTIONS')});",
        "CREATE INDEX IF NOT EXISTS mention_by_entity ON mention(entity_id, interview_id, start);",
        "CREATE INDEX IF NOT EXISTS mention_by_turn ON mention(turn_id, entity_id);",
        "CREATE INDEX IF NOT EXISTS mention_by_key ON mention(key, interview_id);",
        "CREATE INDEX IF NOT EXISTS mention_by_interview ON mention(interview_id, start);",
        "CREATE TABLE IF NOT EXISTS theme_code (turn_id TEXT NOT NULL, interview_id TEXT NOT "
        f"NULL, theme TEXT NOT NULL, {_cols('relationships', 'CODED_AS')});",
        "CREATE INDEX IF NOT EXISTS theme_code_by_turn ON theme_code(turn_id);",
        "CREATE INDEX IF NOT EXISTS theme_code_by_interview ON theme_code(interview_id);",
        "CREATE INDEX IF NOT EXISTS theme_code_by_theme ON theme_code(theme, turn_id);",
        'CREATE TABLE IF NOT EXISTS link (type TEXT NOT NULL, source_key TEXT NOT NULL, '
        'target_key TEXT NOT NULL, source_id TEXT NOT NULL, target_id TEXT NOT NULL, '
        'turn_id TEXT NOT NULL, interview_id TEXT NOT NULL, speaker_role TEXT, start INTEGER, '
        '"end" INTEGER, date TEXT);',
        "CREATE INDEX IF NOT EXISTS link_by_date ON link(date) WHERE date IS NOT NULL;",
        "CREATE INDEX IF NOT EXISTS link_by_interview ON link(interview_id);",
        "CREATE INDEX IF NOT EXISTS link_by_source ON link(source_id, target_id);",
        "CREATE INDEX IF NOT EXISTS link_by_target ON link(target_id, source_id);",
        "CREATE INDEX IF NOT EXISTS link_by_source_key ON link(source_key);",
        "CREATE INDEX IF NOT EXISTS link_by_target_key ON link(target_key);",
        f"CREATE TABLE IF NOT EXISTS named_in (entity_id TEXT NOT NULL, interview_id TEXT NOT "
        f"NULL, {_cols('relationships', 'NAMED_IN')}, PRIMARY KEY (entity_id, interview_id)) "
        "WITHOUT ROWID;",
        "CREATE INDEX IF NOT EXISTS named_in_by_interview ON named_in(interview_id);",
        "CREATE TABLE IF NOT EXISTS interview_pair (interview_id TEXT NOT NULL, a TEXT NOT NULL, "
        "b TEXT NOT NULL, turns INTEGER, testimony_turns INTEGER, "
        "PRIMARY KEY (interview_id, a, b)) WITHOUT ROWID;",
        f"CREATE TABLE IF NOT EXISTS cooccurrence (a TEXT NOT NULL, b TEXT NOT NULL, "
        f"{_cols('relationships', 'CO_MENTIONED')}, PRIMARY KEY (a, b)) WITHOUT ROWID;",
        "CREATE INDEX IF NOT EXISTS cooccurrence_by_b ON cooccurrence(b, a);",
        f"CREATE TABLE IF NOT EXISTS mention_key (key TEXT PRIMARY KEY, "
        f"{_cols('bookkeeping', 'MentionKey', ('key',))});",
        "CREATE INDEX IF NOT EXISTS mention_key_block ON mention_key(type, block);",
        "CREATE INDEX IF NOT EXISTS mention_key_skeleton ON mention_key(type, skeleton);",
        "CREATE INDEX IF NOT EXISTS mention_key_hint ON mention_key(type, canonical_hint);",
        # One interview's share of each key (which entity its mentions there point at, how
        # many), the spellings and gazetteer hints of each key: what the resolver reads, kept
        # by adding and taking away one interview's share, never by counting mentions.
        "CREATE TABLE IF NOT EXISTS key_interview (key TEXT NOT NULL, interview_id TEXT NOT "
        "NULL, entity_id TEXT NOT NULL, mentions INTEGER, PRIMARY KEY (key, interview_id)) "
        "WITHOUT ROWID;",
        "CREATE INDEX IF NOT EXISTS key_interview_by_interview ON key_interview(interview_id);",
        # The keys named in the same turns as a key, per interview: the company a short name
        # keeps there, which tells two people of one name apart (resolve.py, step 5).
        "CREATE TABLE IF NOT EXISTS key_company (key TEXT NOT NULL, interview_id TEXT NOT "
        "NULL, other TEXT NOT NULL, PRIMARY KEY (key, interview_id, other)) WITHOUT ROWID;",
        "CREATE INDEX IF NOT EXISTS key_company_by_interview ON key_company(interview_id);",
        "CREATE TABLE IF NOT EXISTS key_surface (key TEXT NOT NULL, surface TEXT NOT NULL, "
        "mentions INTEGER, PRIMARY KEY (key, surface)) WITHOUT ROWID;",
        "CREATE TABLE IF NOT EXISTS key_hint (key TEXT NOT NULL, hint TEXT NOT NULL, "
        "mentions INTEGER, PRIMARY KEY (key, hint)) WITHOUT ROWID;",
        # Interviewees per entity (testimony), so `entity.interviewees` moves by one.
        "CREATE TABLE IF NOT EXISTS entity_interviewee (entity_id TEXT NOT NULL, pseudonym TEXT "
        "NOT NULL, interviews INTEGER, PRIMARY KEY (entity_id, pseudonym)) WITHOUT ROWID;",
        "CREATE TABLE IF NOT EXISTS pending_key (key TEXT PRIMARY KEY);",
        "CREATE TABLE IF NOT EXISTS resolution (key TEXT PRIMARY KEY, base_key TEXT NOT NULL, "
        "entity_id TEXT NOT NULL);",
        "CREATE INDEX IF NOT EXISTS resolution_by_base ON resolution(base_key);",
        "CREATE INDEX IF NOT EXISTS resolution_by_entity ON resolution(entity_id);",
        f"CREATE TABLE IF NOT EXISTS sentence_vector ({_cols('bookkeeping', 'SentenceVector')});",
        "CREATE INDEX IF NOT EXISTS sentence_vector_by_interview ON sentence_vector(interview_id);",
        f"CREATE TABLE IF NOT EXISTS possibly_same ({_cols('bookkeeping', 'PossiblySame')}, "
        "PRIMARY KEY (a_key, b_key));",
        "CREATE INDEX IF NOT EXISTS possibly_same_a ON possibly_same(a_base);",
        "CREATE INDEX IF NOT EXISTS possibly_same_b ON possibly_same(b_base);",
        "CREATE TABLE IF NOT EXISTS curation (seq INTEGER PRIMARY KEY AUTOINCREMENT, "
        "decision TEXT NOT NULL);",
        # Full-text indexes over our own folded words (queries.text.search_text), the same
        # words the Neo4j store indexes, so both find the same turns.
        "CREATE VIRTUAL TABLE IF NOT EXISTS turn_fts USING fts5(search_text, content='turn', "
        "content_rowid='n', tokenize='unicode61 remove_diacritics 0');",
        "CREATE VIRTUAL TABLE IF NOT EXISTS entity_fts USING fts5(forms, content='entity', "
        "content_rowid='n', tokenize='unicode61 remove_diacritics 0', prefix='1 2 3');",
    ])


def _in(ids: Sequence[Any]) -> str:
    return ",".join("?" * len(ids))


def _chunks(ids: Iterable[Any], size: int = _CHUNK) -> Iterator[list[Any]]:
    items = sorted(set(ids))
    for i in range(0, len(items), size):
        yield items[i:i + size]


def _fts_phrase(words: Sequence[str]) -> str:
    return '"' + " ".join(w.replace('"', '""') for w in words) + '"'


def fts_query(match: TextMatch) -> str:
    """The FTS5 expression of a TextMatch: every required phrase, or any alternative."""
    parts = []
    if match.required:
        parts.append("(" + " AND ".join(_fts_phrase(p) for p in match.required) + ")")
    parts += [_fts_phrase(p) for p in match.alternatives[:ALIAS_LIMIT]]
    return " OR ".join(parts)


class SQLiteStore:
    """The embedded store. Thread-safe for the app's readers; one writer at a time."""

    backend = "sqlite"

    def __init__(self, path: str | Path) -> None:
        self.location = str(path)
        try:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA busy_timeout=5000")
            self._db.execute("PRAGMA synchronous=NORMAL")  # WAL: durable at checkpoints, safe
            # A key's provisional entity is Python's key.lower() (base.entity_for); SQLite's
            # own lower() folds ASCII only, and would move "PLACE:Şanlıurfa" elsewhere.
            self._db.create_function("key_lower", 1, lambda s: s if s is None else s.lower(),
                                     deterministic=True)
        except (sqlite3.Error, OSError) as exc:
            raise StoreUnavailable(
                f"cannot open the embedded store at {path}: {exc}. Check the folder exists and "
                "is writable, or set TESTIMONY_DB to another file.") from exc
        self._lock = threading.RLock()
        self._mirror = GraphMirror()
        self.ensure_schema()

    # --- plumbing ------------------------------------------------------------------------
    def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        with self._lock:
            cur = self._db.execute(sql, params)
            cur.row_factory = sqlite3.Row
            return cur.fetchall()

    def _rows_in(self, sql: str, ids: Iterable[Any], params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        """`sql` with one `{ids}` placeholder for an IN list, run chunk by chunk."""
        out: list[sqlite3.Row] = []
        for chunk in _chunks(ids):
            out += self._rows(sql.format(ids=_in(chunk)), [*chunk, *params])
        return out

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def ensure_schema(self) -> None:
        with self._lock:
            db = self._db
            tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            if "interview" in tables:
                version = None
                if "meta" in tables:
                    row = db.execute("SELECT value FROM meta WHERE name='schema'").fetchone()
                    version = row[0] if row else None
                if version != SCHEMA_VERSION:
                    raise StoreUnavailable(
                        f"the embedded store at {self.location} was made by an older version "
                        f"of testimony-graph (schema {version or 1}, this one reads "
                        f"{SCHEMA_VERSION}). Ingest your transcripts into a new file (set "
                        "TESTIMONY_DB to another path); your curation decisions can be carried "
                        "over with `testimony curate log` from the old version.")
            # The tables and the schema stamp in one transaction (the script's own BEGIN: an
            # executescript commits any transaction opened before it). One by one, a process
            # killed half-way left tables without the stamp, and every later run refused the
            # file as an older version's.
            try:
                db.executescript("BEGIN IMMEDIATE;\n" + _ddl())
                # a property the schema gained since the file was made: a column, empty
                held = {r[1] for r in db.execute("PRAGMA table_info(interview)")}
                for column, spec in _props("nodes", "Interview").items():
                    if column not in held:
                        db.execute(f'ALTER TABLE interview ADD COLUMN "{column}" '
                                   f'{_SQL_TYPES[spec["type"]]}')
                db.execute("INSERT INTO meta(name, value) VALUES ('schema', ?) "
                           "ON CONFLICT(name) DO NOTHING", (SCHEMA_VERSION,))
                db.executemany(
                    "INSERT INTO theme(code, label) VALUES (?, ?) "
                    "ON CONFLICT(code) DO UPDATE SET label = excluded.label",
                    [(t.code, t.label) for t in load_codebook()])
            except BaseException:
                if db.in_transaction:
                    db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

    def _tx(self):
        return _Transaction(self)

    def _bump(self) -> None:
        self._db.execute("INSERT INTO meta(name, value) VALUES ('writes', 1) "
                         "ON CONFLICT(name) DO UPDATE SET value = value + 1")

    def _meta(self, name: str) -> int:
        row = self._rows("SELECT value FROM meta WHERE name = ?", (name,))
        return int(row[0]["value"]) if row else 0

    # --- writes --------------------------------------------------------------------------
    def content_hash(self, interview_id: str) -> str | None:
        rows = self._rows("SELECT content_hash FROM interview WHERE id = ?", (interview_id,))
        return rows[0]["content_hash"] if rows else None

    def _add_pairs(self, interview_id: str, pairs: Sequence[PairIn], sign: int) -> None:
        """Add (sign 1) or take away (sign -1) one interview's pairs from CO_MENTIONED."""
        db = self._db
        rows = [(p.a, p.b, sign * p.turns, sign * p.testimony_turns, sign,
                 sign * (1 if p.testimony_turns else 0)) for p in pairs]
        db.executemany(
            "INSERT INTO cooccurrence(a, b, turns, testimony_turns, interviews, "
            "testimony_interviews) VALUES (?,?,?,?,?,?) ON CONFLICT(a, b) DO UPDATE SET "
            "turns = turns + excluded.turns, testimony_turns = testimony_turns + "
            "excluded.testimony_turns, interviews = interviews + excluded.interviews, "
            "testimony_interviews = testimony_interviews + excluded.testimony_interviews",
            rows)
        if sign < 0:
            db.executemany("DELETE FROM cooccurrence WHERE a = ? AND b = ? AND turns <= 0",
                           [(p.a, p.b) for p in pairs])
            db.execute("DELETE FROM interview_pair WHERE interview_id = ?", (interview_id,))
        else:
            db.executemany("INSERT INTO interview_pair(interview_id, a, b, turns, "
                           "testimony_turns) VALUES (?,?,?,?,?)",
                           [(interview_id, p.a, p.b, p.turns, p.testimony_turns) for p in pairs])

    def _pairs_of(self, interview_id: str) -> list[PairIn]:
        return [PairIn(r[0], r[1], r[2], r[3]) for r in self._db.execute(
            "SELECT a, b, turns, testimony_turns FROM interview_pair WHERE interview_id = ?",
            (interview_id,))]

    def _share_of(self, interview_id: str) -> InterviewShare:
        """A stored interview's share of the aggregates, from its own mentions."""
        return interview_share(self._db.execute(
            "SELECT entity_id, turn_index, turn_id, speaker_role, stance, key, surface, "
            "canonical_hint, method FROM mention WHERE interview_id = ? ORDER BY rowid",
            (interview_id,)).fetchall())

    def _apply_share(self, iid: str, pseudonym: str, share: InterviewShare, sign: int, *,
                     pending: bool = True) -> set[str]:
        """Add (sign 1) or take away (sign -1) one interview's share: NAMED_IN rows, pairs,
        per-entity counts and interviewees, per-key counts, spellings and hints. Costs what the
        interview holds. Returns the entities whose counts moved."""
        db = self._db
        if sign > 0:
            db.executemany(
                "INSERT INTO named_in(entity_id, interview_id, mentions, testimony_mentions, "
                "testimony_turns, first_interviewer_turn, first_interviewee_turn, best_stance) "
                "VALUES (?,?,?,?,?,?,?,?)",
                [(n.entity_id, iid, n.mentions, n.testimony_mentions, n.testimony_turns,
                  n.first_interviewer_turn, n.first_interviewee_turn, n.best_stance)
                 for n in share.named])
        else:
            db.execute("DELETE FROM named_in WHERE interview_id = ?", (iid,))
        self._add_pairs(iid, share.pairs, sign)
        db.executemany(
            "UPDATE entity SET mentions = mentions + ?, testimony_mentions = testimony_mentions "
            "+ ?, interviews = interviews + ?, testimony_interviews = testimony_interviews + ? "
            "WHERE id = ?",
            [(sign * n.mentions, sign * n.testimony_mentions, sign,
              sign * (1 if n.testimony_mentions else 0), n.entity_id) for n in share.named])
        for n in share.named:
            if not n.testimony_mentions:
                continue
            if sign > 0:
                db.execute("INSERT INTO entity_interviewee(entity_id, pseudonym, interviews) "
                           "VALUES (?, ?, 1) ON CONFLICT DO UPDATE SET interviews = interviews + 1",
                           (n.entity_id, pseudonym))
                if db.execute("SELECT interviews FROM entity_interviewee WHERE entity_id = ? "
                              "AND pseudonym = ?", (n.entity_id, pseudonym)).fetchone()[0] == 1:
                    db.execute("UPDATE entity SET interviewees = interviewees + 1 WHERE id = ?",
                               (n.entity_id,))
            else:
                db.execute("UPDATE entity_interviewee SET interviews = interviews - 1 WHERE "
                           "entity_id = ? AND pseudonym = ?", (n.entity_id, pseudonym))
                if db.execute("DELETE FROM entity_interviewee WHERE entity_id = ? AND pseudonym "
                              "= ? AND interviews <= 0", (n.entity_id, pseudonym)).rowcount:
                    db.execute("UPDATE entity SET interviewees = interviewees - 1 WHERE id = ?",
                               (n.entity_id,))
        keys = sorted(share.keys)
        if sign > 0:
            db.executemany(
                "INSERT INTO mention_key(key, type, block, skeleton, canonical_hint, mentions, "
                "interviews) VALUES (?,?,?,?,NULL,0,0) ON CONFLICT(key) DO NOTHING",
                [(k, key_type(k), block(k), skeleton(name_part(k))) for k in keys])
            db.executemany("INSERT INTO key_interview(key, interview_id, entity_id, mentions) "
                           "VALUES (?,?,?,?)", [(k, iid, e, n) for k, (n, e) in share.keys.items()])
            db.executemany("INSERT INTO key_company(key, interview_id, other) VALUES (?,?,?)",
                           [(k, iid, o) for k, o in share.company])
        else:
            db.execute("DELETE FROM key_interview WHERE interview_id = ?", (iid,))
            db.execute("DELETE FROM key_company WHERE interview_id = ?", (iid,))
        db.executemany("UPDATE mention_key SET mentions = mentions + ?, interviews = interviews + ? "
                       "WHERE key = ?", [(sign * n, sign, k) for k, (n, _) in share.keys.items()])
        for table, col, counts in (("key_surface", "surface", share.surfaces),
                                   ("key_hint", "hint", share.hints)):
            db.executemany(f"INSERT INTO {table}(key, {col}, mentions) VALUES (?,?,?) ON "
                           "CONFLICT DO UPDATE SET mentions = mentions + excluded.mentions",
                           [(k, v, sign * n) for (k, v), n in counts.items()])
            if sign < 0:
                db.executemany(f"DELETE FROM {table} WHERE key = ? AND {col} = ? AND mentions <= 0",
                               list(counts))
        # A key's hint: the least of its gazetteer hints (the same whatever the order of writes).
        db.executemany("UPDATE mention_key SET canonical_hint = (SELECT min(hint) FROM key_hint h "
                       "WHERE h.key = mention_key.key) WHERE key = ?", [(k,) for k in keys])
        if sign < 0:
            db.executemany("DELETE FROM mention_key WHERE key = ? AND mentions <= 0",
                           [(k,) for k in keys])
        if pending:
            db.executemany("INSERT OR IGNORE INTO pending_key(key) VALUES (?)", [(k,) for k in keys])
        return {n.entity_id for n in share.named}

    def _recount(self, ids: Iterable[str]) -> None:
        """Counts of entity rows from their NAMED_IN and interviewee rows (new rows only)."""
        db = self._db
        for chunk in _chunks(ids):
            db.execute(
                "UPDATE entity SET "
                "mentions = (SELECT coalesce(sum(mentions), 0) FROM named_in n WHERE n.entity_id = entity.id), "
                "testimony_mentions = (SELECT coalesce(sum(testimony_mentions), 0) FROM named_in n "
                "  WHERE n.entity_id = entity.id), "
                "interviews = (SELECT count(*) FROM named_in n WHERE n.entity_id = entity.id), "
                "testimony_interviews = (SELECT count(*) FROM named_in n WHERE n.entity_id = entity.id "
                "  AND n.testimony_mentions > 0), "
                "interviewees = (SELECT count(*) FROM entity_interviewee x WHERE x.entity_id = entity.id) "
                f"WHERE id IN ({_in(chunk)})", chunk)

    def _drop_unmentioned(self, ids: Iterable[str]) -> None:
        """Entities whose last mention went (their counts fell to 0) leave the store."""
        gone = [r[0] for chunk in _chunks(ids) for r in self._db.execute(
            f"SELECT id FROM entity WHERE id IN ({_in(chunk)}) AND mentions <= 0", chunk)]
        self._drop_entities(gone)

    def _drop_entities(self, ids: Sequence[str]) -> None:
        db = self._db
        for chunk in _chunks(ids):
            marks = _in(chunk)
            db.execute("INSERT INTO entity_fts(entity_fts, rowid, forms) SELECT 'delete', n, "
                       f"forms FROM entity WHERE id IN ({marks})", chunk)
            db.execute(f"DELETE FROM entity_name WHERE entity_id IN ({marks})", chunk)
            db.execute(f"DELETE FROM entity WHERE id IN ({marks})", chunk)

    def _upsert_entities(self, entities: Sequence[Entity], keys: dict[str, int] | None = None,
                         confirmed: frozenset[str] = frozenset(), *, replace: bool) -> list[str]:
        """Write entity rows; their counts and network structure stay as they are (counts are
        refreshed by the caller where mentions moved). `replace` False leaves an existing row
        alone (a provisional entity of a new mention). Returns the ids that are new."""
        db = self._db
        ids = [e.id for e in entities]
        stored = {r[0]: tuple(r[1:]) for chunk in _chunks(ids) for r in db.execute(
            "SELECT id, type, name, aliases, confidence, keys, confirmed FROM entity "
            f"WHERE id IN ({_in(chunk)})", chunk)}
        existing = set(stored)
        fresh = [e for e in entities if e.id not in existing]
        if replace:  # only rows whose name, spellings or confidence changed are rewritten
            entities = [e for e in entities if e.id not in existing or stored[e.id] != (
                e.type, e.name, json.dumps(list(e.aliases)), e.confidence,
                (keys or {}).get(e.id, 1), int(e.id in confirmed))]
        rows = {e.id: (e.type, e.name, json.dumps(list(e.aliases)), e.confidence,
                       " ".join(name_forms(e)), (keys or {}).get(e.id, 1), int(e.id in confirmed))
                for e in entities}
        if replace and existing:
            changed = sorted(existing & set(rows))
            for chunk in _chunks(changed):
                db.execute("INSERT INTO entity_fts(entity_fts, rowid, forms) SELECT 'delete', n, "
                           f"forms FROM entity WHERE id IN ({_in(chunk)})", chunk)
                db.execute(f"DELETE FROM entity_name WHERE entity_id IN ({_in(chunk)})", chunk)
            db.executemany("UPDATE entity SET type = ?, name = ?, aliases = ?, confidence = ?, "
                           "forms = ?, keys = ?, confirmed = ? WHERE id = ?",
                           [(*rows[i], i) for i in changed])
        db.executemany(
            "INSERT INTO entity(id, type, name, aliases, confidence, forms, keys, confirmed, "
            "mentions, testimony_mentions, interviews, testimony_interviews, interviewees, "
            "degree) VALUES (?,?,?,?,?,?,?,?,0,0,0,0,0,0)",
            [(e.id, *rows[e.id]) for e in fresh])
        indexed = [e for e in entities if replace or e.id not in existing]
        for chunk in _chunks([e.id for e in indexed]):
            db.execute(f"INSERT INTO entity_fts(rowid, forms) SELECT n, forms FROM entity "
                       f"WHERE id IN ({_in(chunk)})", chunk)
        db.executemany("INSERT OR IGNORE INTO entity_name(form, entity_id) VALUES (?, ?)",
                       [(f, e.id) for e in indexed for f in name_forms(e)])
        return [e.id for e in fresh]

    def _delete(self, interview_id: str) -> tuple[set[str], list[str]]:
        """Remove an interview, its facts and its share of the aggregates; returns the entities
        and the pseudonym it pointed at, the only things its removal can orphan."""
        db = self._db
        row = db.execute("SELECT interviewee FROM interview WHERE id = ?", (interview_id,)).fetchone()
        if row is None:
            return set(), []
        touched = self._apply_share(interview_id, row[0], self._share_of(interview_id), -1)
        # The full-text entries go by rowid: no scan of the index.
        db.execute("INSERT INTO turn_fts(turn_fts, rowid, search_text) SELECT 'delete', n, "
                   "search_text FROM turn WHERE interview_id = ?", (interview_id,))
        for table in ("mention", "theme_code", "link", "turn", "sentence_vector"):
            db.execute(f"DELETE FROM {table} WHERE interview_id = ?", (interview_id,))
        db.execute("DELETE FROM interview WHERE id = ?", (interview_id,))
        return touched, [row[0]]

    def _settle(self, entity_ids: set[str], pseudonyms: Sequence[str]) -> None:
        self._drop_unmentioned(entity_ids)
        self._db.executemany("DELETE FROM interviewee WHERE pseudonym = ? AND NOT EXISTS "
                             "(SELECT 1 FROM interview WHERE interviewee = ?)",
                             [(p, p) for p in pseudonyms])
        self._bump()

    def replace_interview(self, extracted: ExtractedInterview, assignments: dict[str, str]) -> None:
        iv = extracted.interview
        turn_ids = {t.index: t.id(iv.id) for t in iv.turns}
        facts = mention_facts(extracted, assignments)  # before the transaction: may raise
        for x in (*extracted.themes, *extracted.links):
            turn_ids[x.turn_index]  # noqa: B018 - a KeyError: the extractor's bug, nothing written
        roles = {t.index: t.speaker_role for t in iv.turns}
        share = interview_share([(f.entity_id, f.turn_index, f.turn_id, f.speaker_role, f.stance,
                                  m.key, m.text, m.canonical_hint, m.method)
                                 for f, m in zip(facts, extracted.mentions)])
        with self._tx() as db:
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
                "language, interviewer, medium, media_file, text, redaction_terms, "
                "interviewee, turns) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (iv.id, iv.title, iv.source_path, iv.content_hash, iv.date, iv.place,
                 iv.language, iv.interviewer, iv.medium, iv.media_file, iv.text,
                 json.dumps(iv.redaction_terms, ensure_ascii=False),
                 person.pseudonym, len(iv.turns)))
            db.executemany(
                'INSERT INTO turn(id, interview_id, "index", speaker, speaker_role, start, '
                '"end", text, time_start, time_end, search_text) VALUES (?,?,?,?,?,?,?,?,?,?,?)',
                [(turn_ids[t.index], iv.id, t.index, t.speaker, t.speaker_role, t.start,
                  t.end, t.text, t.time_start, t.time_end, search_text(t.text))
                 for t in iv.turns])
            db.execute("INSERT INTO turn_fts(rowid, search_text) SELECT n, search_text FROM turn "
                       "WHERE interview_id = ?", (iv.id,))
            db.executemany('INSERT INTO sentence_vector(turn_id, interview_id, start, "end", '
                           "vector) VALUES (?,?,?,?,?)",
                           [(turn_ids[i], iv.id, a, b, v) for i, a, b, v in extracted.sentences])
            db.executemany(
                "INSERT INTO mention(turn_id, interview_id, turn_index, type, entity_id, "
                'canonical_hint, start, "end", surface, key, method, confidence, speaker_role, '
                "stance, sentence_start, sentence_end) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                [(f.turn_id, iv.id, f.turn_index, m.type, f.entity_id, m.canonical_hint,
                  m.start, m.end, m.text, m.key, m.method, m.confidence, f.speaker_role,
                  f.stance, f.sentence_start, f.sentence_end)
                 for f, m in zip(facts, extracted.mentions)])
            # Provisional entities for keys the last resolution has not seen yet (the first
            # mention of an id names it; an existing entity stays as it is).
            first: dict[str, Entity] = {}
            for f, m in zip(facts, extracted.mentions):
                first.setdefault(f.entity_id, Entity(id=f.entity_id, type=m.type,
                                                     name=m.canonical_hint or m.text,
                                                     aliases=(m.text,)))
            created = self._upsert_entities(list(first.values()), replace=False)
            db.executemany(
                'INSERT INTO theme_code(turn_id, interview_id, theme, start, "end", evidence, '
                '"by", confidence) VALUES (?,?,?,?,?,?,?,?)',
                [(turn_ids[c.turn_index], iv.id, c.theme, c.start, c.end, c.evidence, c.by,
                  c.confidence) for c in extracted.themes])
            db.executemany(
                "INSERT INTO link(type, source_key, target_key, source_id, target_id, turn_id, "
                'interview_id, speaker_role, start, "end", date) VALUES (?,?,?,?,?,?,?,?,?,?,?)',
                [(ln.type, ln.source_key, ln.target_key,
                  entity_for(assignments, ln.source_key, iv.id),
                  entity_for(assignments, ln.target_key, iv.id), turn_ids[ln.turn_index], iv.id,
                  roles[ln.turn_index], ln.start, ln.end, ln.date) for ln in extracted.links])
            self._apply_share(iv.id, person.pseudonym, share, 1)
            # A new row may be for an id other interviews' mentions already point at (a
            # resolution named it and no entity): it counts them all, not this share only.
            self._recount(created)
            self._settle(old_entities, old_pseudonyms)

    def delete_interview(self, interview_id: str) -> bool:
        with self._tx() as db:
            found = db.execute("SELECT 1 FROM interview WHERE id = ?", (interview_id,)).fetchone()
            self._settle(*self._delete(interview_id))
        return found is not None

    def delete_everything(self) -> None:
        with self._tx() as db:
            for table in ("interview", "interviewee", "turn", "entity", "entity_name", "mention",
                          "theme_code", "link", "named_in", "interview_pair", "cooccurrence",
                          "mention_key", "key_interview", "key_company", "key_surface",
                          "key_hint", "entity_interviewee", "pending_key", "resolution",
                          "possibly_same", "curation", "sentence_vector"):
                db.execute(f"DELETE FROM {table}")
            db.execute("INSERT INTO turn_fts(turn_fts) VALUES ('delete-all')")
            db.execute("INSERT INTO entity_fts(entity_fts) VALUES ('delete-all')")
            # No structure is left to be stale: the next refresh computes it (the write
            # counter goes on, so a reader's GraphMirror still sees that the store changed).
            db.execute("DELETE FROM meta WHERE name = 'structure_at'")
            self._bump()

    # --- resolution state ----------------------------------------------------------------
    def pending_keys(self) -> list[str]:
        return [r[0] for r in self._rows("SELECT key FROM pending_key ORDER BY key")]

    def all_keys(self) -> list[str]:
        return [r[0] for r in self._rows("SELECT key FROM mention_key ORDER BY key")]

    def key_count(self) -> int:
        return self._rows("SELECT count(*) FROM mention_key")[0][0]

    def interview_count(self) -> int:
        return self._rows("SELECT count(*) FROM interview")[0][0]

    def key_usage(self, keys: Iterable[str], company: Iterable[str] = ()) -> list[KeyUsage]:
        keys = sorted(set(keys))
        info = {r["key"]: r for r in self._rows_in(
            "SELECT key, type, canonical_hint FROM mention_key WHERE key IN ({ids})", keys)}
        surfaces: dict[str, list[tuple[str, int]]] = defaultdict(list)
        for r in self._rows_in("SELECT key, surface, mentions FROM key_surface "
                               "WHERE key IN ({ids})", list(info)):
            surfaces[r["key"]].append((r["surface"], r["mentions"]))
        interviews: dict[str, list[str]] = defaultdict(list)
        for r in self._rows_in("SELECT key, interview_id FROM key_interview "
                               "WHERE key IN ({ids})", list(info)):
            interviews[r["key"]].append(r["interview_id"])
        contexts: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
        wanted = set(company) & set(info)
        for r in self._rows_in("SELECT key AS k, interview_id AS i, other FROM key_company "
                               "WHERE key IN ({ids})", sorted(wanted)):
            contexts[r["k"]][r["i"]].add(r["other"])
        return [usage_of(k, info[k]["type"], info[k]["canonical_hint"], surfaces[k],
                       interviews[k], contexts.get(k, {}) if k in wanted else None)
                for k in sorted(info)]

    def key_partners(self, keys: Iterable[str],
                     known_blocks: Iterable[tuple[str, str]] = ()) -> list[KeyInfo]:
        keys = sorted(set(keys))
        known = set(known_blocks)
        found: dict[str, sqlite3.Row] = {}
        select = ("SELECT DISTINCT k2.key, k2.type, k2.block, k2.skeleton, k2.canonical_hint "
                  "FROM mention_key k1 ")
        # Each block is read once, however many of the keys fall in it.
        for etype, blk in sorted({(key_type(k), block(k)) for k in keys} - known):
            for r in self._rows("SELECT key, type, block, skeleton, canonical_hint FROM "
                                "mention_key WHERE type = ? AND block = ?", (etype, blk)):
                found[r["key"]] = r
        for join in ("k2.type = k1.type AND k2.skeleton = k1.skeleton",
                     "k2.type = k1.type AND k2.canonical_hint = k1.canonical_hint"):
            for r in self._rows_in(select + f"JOIN mention_key k2 ON {join} "
                                   "WHERE k1.key IN ({ids})", keys):
                found[r["key"]] = r
        # The given keys themselves, whatever blocks the caller holds.
        for r in self._rows_in("SELECT key, type, block, skeleton, canonical_hint FROM "
                               "mention_key WHERE key IN ({ids})", keys):
            found[r["key"]] = r
        people = [k for k in keys if k.startswith("PERSON:")]
        shorter = {p for k in people for p in word_prefixes(k)}
        for r in self._rows_in("SELECT key, type, block, skeleton, canonical_hint FROM "
                               "mention_key WHERE key IN ({ids})", shorter):
            found[r["key"]] = r
        for k in people:  # names that extend k word for word sit right after "k " in order
            for r in self._rows("SELECT key, type, block, skeleton, canonical_hint FROM "
                                "mention_key WHERE key > ? AND key < ?",
                                (k + " ", k + " \U0010ffff")):
                found[r["key"]] = r
        return [KeyInfo(key=r["key"], type=r["type"], block=r["block"], skeleton=r["skeleton"],
                        canonical_hint=r["canonical_hint"]) for _, r in sorted(found.items())]

    def resolution(self, keys: Iterable[str] | None = None) -> dict[str, str]:
        if keys is None:
            return {r["key"]: r["entity_id"] for r in self._rows("SELECT key, entity_id FROM resolution")}
        return {r["key"]: r["entity_id"] for r in self._rows_in(
            "SELECT key, entity_id FROM resolution WHERE base_key IN ({ids})", keys)}

    def keys_of(self, entity_ids: Iterable[str]) -> dict[str, list[str]]:
        out: dict[str, list[str]] = defaultdict(list)
        for r in self._rows_in("SELECT key, entity_id FROM resolution WHERE entity_id IN ({ids}) "
                               "ORDER BY key", entity_ids):
            out[r["entity_id"]].append(r["key"])
        return {k: sorted(v) for k, v in out.items()}

    def entity_interview_counts(self, entity_ids: Iterable[str]) -> dict[str, int]:
        return {r["id"]: r["interviews"] for r in self._rows_in(
            "SELECT id, interviews FROM entity WHERE id IN ({ids})", entity_ids)}

    def apply_resolution(self, resolution: Resolution) -> None:
        with self._tx() as db:
            db.execute("CREATE TEMP TABLE IF NOT EXISTS scope_key (key TEXT PRIMARY KEY)")
            db.execute("DELETE FROM scope_key")
            if resolution.scope is None:
                db.execute("INSERT INTO scope_key SELECT key FROM mention_key UNION "
                           "SELECT base_key FROM resolution")
            else:
                db.executemany("INSERT OR IGNORE INTO scope_key(key) VALUES (?)",
                               [(k,) for k in resolution.scope])
            before = {r[0]: (r[1], r[2]) for r in db.execute(
                "SELECT key, base_key, entity_id FROM resolution WHERE base_key IN scope_key")}
            old_ids = {e for _, e in before.values()}
            old_ids |= {r[0] for r in db.execute(
                "SELECT key_lower(key) FROM scope_key")}  # provisional entities of new keys
            # The scope's entries, replaced.
            db.execute("DELETE FROM resolution WHERE base_key IN scope_key")
            scope = {r[0] for r in db.execute("SELECT key FROM scope_key")}
            after = {k: (scope_base(k, scope), e) for k, e in resolution.assignments.items()}
            db.executemany("INSERT INTO resolution(key, base_key, entity_id) VALUES (?,?,?)",
                           [(k, b, e) for k, (b, e) in sorted(after.items())])
            # Mentions and link ends move only where an entry changed: a key's own entry (all
            # its interviews), or a key@interview entry (that interview). An unchanged key with
            # a thousand interviews costs nothing.
            changed_keys = {b for k, (b, e) in after.items() if k == b and before.get(k) != (b, e)}
            changed_keys |= {b for k, (b, e) in before.items() if k == b and k not in after}
            changed_keys |= {k for k in scope if k not in before and k not in after}
            changed_units = {k for k in set(before) | set(after)
                             if k not in scope and before.get(k) != after.get(k)}
            target = ("COALESCE((SELECT entity_id FROM resolution r WHERE r.key = {k} || '@' || "
                      "{t}.interview_id), (SELECT entity_id FROM resolution r WHERE r.key = {k}), "
                      "key_lower({k}))")
            rows = self._rows_in("SELECT k.key, k.interview_id, k.entity_id, "
                                 + target.format(k="k.key", t="k")
                                 + " AS new FROM key_interview k WHERE k.key IN ({ids})",
                                 changed_keys | {(before.get(u) or after[u])[0] for u in changed_units})
            moved = [r for r in rows if r[2] != r[3]]
            interviews = sorted({r[1] for r in moved})
            touched: set[str] = set()
            people = dict(db.execute(f"SELECT id, interviewee FROM interview WHERE id IN "
                                     f"({_in(interviews)})", interviews).fetchall()) if interviews else {}
            for chunk in _chunks(interviews):  # their shares leave with the old entities...
                for iid in chunk:
                    touched |= self._apply_share(iid, people[iid], self._share_of(iid), -1,
                                                 pending=False)
            db.executemany("UPDATE mention SET entity_id = ? WHERE interview_id = ? AND key = ?",
                           [(r[3], r[1], r[0]) for r in moved])
            for iid in interviews:  # ... and come back with the new ones
                touched |= self._apply_share(iid, people[iid], self._share_of(iid), 1,
                                             pending=False)
            link_sql = ("SELECT l.rowid, l.source_id, l.target_id, "
                        + target.format(k="l.source_key", t="l") + ", "
                        + target.format(k="l.target_key", t="l") + " FROM link l ")
            unit_keys = {(before.get(u) or after[u])[0] for u in changed_units}
            links = {r[0]: r for col in ("source_key", "target_key")
                     for r in self._rows_in(link_sql + f"WHERE l.{col} IN ({{ids}})",
                                            changed_keys | unit_keys)}.values()
            db.executemany("UPDATE link SET source_id = ?, target_id = ? WHERE rowid = ?",
                           [(r[3], r[4], r[0]) for r in links if (r[1], r[2]) != (r[3], r[4])])
            # The scope's entities, replaced; entities it no longer names go.
            key_counts: dict[str, int] = defaultdict(int)
            for e in resolution.assignments.values():
                key_counts[e] += 1
            new_ids = {e.id for e in resolution.entities}
            created = self._upsert_entities(list(resolution.entities), key_counts,
                                            resolution.confirmed, replace=True)
            # A new entity row starts at 0: it takes the counts its mentions carry (one short
            # read per entity, from NAMED_IN); old entities nothing points at any more go.
            self._recount(created)
            # ... and so does a new row nothing mentions (an entity of keys no longer named).
            self._drop_unmentioned(touched | set(created) | (old_ids - new_ids))
            # Review pairs: those found inside the scope are replaced; every pair touching the
            # scope points at the entities its keys now belong to.
            db.execute("DELETE FROM possibly_same WHERE a_base IN scope_key AND b_base IN scope_key")
            db.executemany(
                "INSERT OR REPLACE INTO possibly_same(a_key, b_key, a_base, b_base, a, b, score) "
                "VALUES (?,?,?,?,?,?,?)",
                [(a, b, scope_base(a, scope), scope_base(b, scope), "", "", s)
                 for a, b, s in resolution.key_pairs])
            for side in ("a", "b"):
                db.execute(f"UPDATE possibly_same SET {side} = "
                           f"COALESCE((SELECT entity_id FROM resolution r WHERE r.key = {side}_key), "
                           f"(SELECT entity_id FROM resolution r WHERE r.key = {side}_base), "
                           f"key_lower({side}_base)) WHERE {side}_base IN scope_key")
            db.executemany("DELETE FROM pending_key WHERE key = ?",
                           [(k,) for k in resolution.settles])
            self._bump()

    def apply_structure(self, rows: Sequence[tuple[str, int | None, float | None, int]],
                        version: int) -> None:
        with self._tx() as db:
            db.execute("UPDATE entity SET community = NULL, centrality = NULL, degree = 0")
            db.executemany("UPDATE entity SET community = ?, centrality = ?, degree = ? "
                           "WHERE id = ?", [(c, x, d, e) for e, c, x, d in rows])
            db.execute("INSERT INTO meta(name, value) VALUES ('structure_at', ?) "
                       "ON CONFLICT(name) DO UPDATE SET value = excluded.value", (version,))

    def graph_version(self) -> tuple[int, int]:
        return self._meta("writes"), self._meta("structure_at")

    def cooccurrence_edges(self) -> list[tuple[str, str, int]]:
        return [(r[0], r[1], r[2]) for r in self._rows(
            "SELECT a, b, testimony_turns FROM cooccurrence WHERE testimony_turns > 0 "
            "ORDER BY a, b")]

    def record_decision(self, decision: dict) -> None:
        with self._tx() as db:
            db.execute("INSERT INTO curation(decision) VALUES (?)",
                       (json.dumps(decision, sort_keys=True),))

    def curation_log(self) -> list[dict]:
        return [json.loads(r["decision"])
                for r in self._rows("SELECT decision FROM curation ORDER BY seq")]

    def curation_page(self, offset: int, limit: int) -> Page[dict]:
        total = self._rows("SELECT count(*) FROM curation")[0][0]
        rows = self._rows("SELECT decision FROM curation ORDER BY seq DESC LIMIT ? OFFSET ?",
                          (limit, offset))
        return Page(tuple(json.loads(r[0]) for r in rows), total, offset)

    # --- reads: interviews and turns ---------------------------------------------------
    def stats(self) -> dict[str, int]:
        counts = {}
        for name, table in (("interviews", "interview"), ("interviewees", "interviewee"),
                            ("turns", "turn"), ("mentions", "mention"), ("entities", "entity"),
                            ("links", "link"), ("theme_codes", "theme_code")):
            counts[name] = self._rows(f"SELECT count(*) AS n FROM {table}")[0]["n"]
        return counts

    _SUMMARY = ("SELECT i.id, i.title, i.interviewee, i.source_path, i.content_hash, i.date, "
                "i.place, i.medium, i.media_file, p.gender, p.nationality, p.status, p.role, "
                "i.turns FROM interview i JOIN interviewee p ON p.pseudonym = i.interviewee ")

    @staticmethod
    def _summary(r: sqlite3.Row) -> InterviewSummary:
        return InterviewSummary(id=r["id"], title=r["title"], pseudonym=r["interviewee"],
                                source_path=r["source_path"], content_hash=r["content_hash"],
                                date=r["date"], place=r["place"], medium=r["medium"],
                                media_file=r["media_file"], gender=r["gender"],
                                nationality=r["nationality"], status=r["status"],
                                role=r["role"], turns=r["turns"])

    def interviews(self) -> list[InterviewSummary]:
        return [self._summary(r) for r in self._rows(self._SUMMARY + "ORDER BY i.id")]

    def similar_sentences(self, vector: bytes, k: int) -> list[tuple[str, int, int, float]]:
        """The k testimony sentences nearest `vector` (cosine): (turn id, start, end, score),
        nearest first. The embedded store's vector index is the table's int8 vectors as one
        matrix, read once per write and searched exactly in slices (1,000 interviews: ~116k
        sentences, 44 MB held, a few tens of milliseconds a query)."""
        import numpy as np

        from graph_builder.embeddings import DIMENSIONS, from_bytes

        version = self.graph_version()[0]
        cached = getattr(self, "_vectors", None)
        if cached is None or cached[0] != version:
            with self._lock:
                rows = self._db.execute('SELECT turn_id, start, "end", vector FROM sentence_vector '
                                        "ORDER BY rowid").fetchall()
            matrix = (np.frombuffer(b"".join(r[3] for r in rows), dtype=np.int8)
                      .reshape(len(rows), DIMENSIONS) if rows else np.zeros((0, DIMENSIONS), np.int8))
            norms = np.linalg.norm(matrix.astype(np.float32), axis=1) if rows else np.zeros(0)
            cached = (version, [(r[0], r[1], r[2]) for r in rows], matrix,
                      1.0 / np.maximum(norms, 1e-9).astype(np.float32))
            self._vectors = cached
        _, where, matrix, inverse = cached
        if not where or k <= 0:
            return []
        query = from_bytes([vector])[0]
        scores = np.empty(len(where), dtype=np.float32)
        for lo in range(0, len(where), 16_384):  # a slice at a time: no float copy of it all
            scores[lo:lo + 16_384] = matrix[lo:lo + 16_384].astype(np.float32) @ query
        scores *= inverse
        top = np.argpartition(-scores, min(2 * k, len(where)) - 1)[:2 * k]
        out = [(*where[i], round(float(scores[i]), 4)) for i in top]
        return sorted(out, key=lambda r: (-r[3], r[0], r[1]))[:k]

    def redaction_terms(self) -> list[tuple[str, str, str]]:
        out: dict[tuple[str, str, str], None] = {}
        with self._lock:
            rows = self._db.execute("SELECT interviewee, redaction_terms FROM interview "
                                    "ORDER BY id").fetchall()
        for pseudonym, terms in rows:
            out[(pseudonym, "witness", pseudonym)] = None
            for kind, term in json.loads(terms or "[]"):
                out[(pseudonym, kind, term)] = None
        return list(out)

    def interview_summaries(self, ids: Iterable[str]) -> dict[str, InterviewSummary]:
        return {r["id"]: self._summary(r)
                for r in self._rows_in(self._SUMMARY + "WHERE i.id IN ({ids})", ids)}

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

    _TURN = ('SELECT t.id, t.interview_id, t."index", t.speaker, t.speaker_role, t.start, '
             't."end", t.text, t.time_start, t.time_end FROM turn t ')

    @staticmethod
    def _turn(r: sqlite3.Row) -> TurnRow:
        return TurnRow(id=r["id"], interview_id=r["interview_id"], index=r["index"],
                       speaker=r["speaker"], speaker_role=r["speaker_role"], start=r["start"],
                       end=r["end"], text=r["text"], time_start=r["time_start"],
                       time_end=r["time_end"])

    def turns(self, turn_ids: Iterable[str]) -> list[TurnRow]:
        out = [self._turn(r) for r in self._rows_in(self._TURN + "WHERE t.id IN ({ids})", turn_ids)]
        return sorted(out, key=lambda t: (t.interview_id, t.index))

    def turns_of(self, interview_id: str) -> list[TurnRow]:
        return [self._turn(r) for r in self._rows(
            self._TURN + 'WHERE t.interview_id = ? ORDER BY t."index"', (interview_id,))]

    @staticmethod
    def _mention(r: sqlite3.Row) -> MentionRow:
        return MentionRow(turn_id=r["turn_id"], interview_id=r["interview_id"], start=r["start"],
                          end=r["end"], surface=r["surface"], key=r["key"], type=r["type"],
                          entity_id=r["entity_id"], method=r["method"],
                          confidence=r["confidence"], speaker_role=r["speaker_role"],
                          stance=r["stance"], sentence_start=r["sentence_start"],
                          sentence_end=r["sentence_end"])

    def mentions(self, *, turn_ids: Iterable[str] | None = None, interview_id: str | None = None,
                 entity_id: str | None = None,
                 interview_ids: Iterable[str] | None = None) -> list[MentionRow]:
        where, params = [], []
        if entity_id is not None:
            where.append("entity_id = ?")
            params.append(entity_id)
        if interview_id is not None:
            where.append("interview_id = ?")
            params.append(interview_id)
        extra = (" AND " + " AND ".join(where)) if where else ""
        if turn_ids is not None:
            rows = self._rows_in("SELECT * FROM mention WHERE turn_id IN ({ids})" + extra,
                                 turn_ids, params)
        elif interview_ids is not None:
            rows = self._rows_in("SELECT * FROM mention WHERE interview_id IN ({ids})" + extra,
                                 interview_ids, params)
        else:  # an entity's every mention, or (no filter) the whole store: tests, not pages
            rows = self._rows("SELECT * FROM mention" + (" WHERE " + " AND ".join(where)
                                                         if where else ""), params)
        return sorted((self._mention(r) for r in rows),
                      key=lambda m: (m.interview_id, m.start, m.end, m.key, m.entity_id))

    def themes(self, *, turn_ids: Iterable[str] | None = None,
               interview_id: str | None = None) -> list[ThemeRow]:
        if turn_ids is not None:
            extra, params = ("", []) if interview_id is None else (" AND interview_id = ?", [interview_id])
            rows = self._rows_in("SELECT * FROM theme_code WHERE turn_id IN ({ids})" + extra,
                                 turn_ids, params)
        elif interview_id is not None:
            rows = self._rows("SELECT * FROM theme_code WHERE interview_id = ?", (interview_id,))
        else:  # the whole store: tests and exports, never a page
            rows = self._rows("SELECT * FROM theme_code")
        out = [ThemeRow(turn_id=r["turn_id"], interview_id=r["interview_id"], theme=r["theme"],
                        start=r["start"], end=r["end"], evidence=r["evidence"], by=r["by"],
                        confidence=r["confidence"]) for r in rows]
        return sorted(out, key=lambda t: (t.interview_id, t.start, t.end, t.theme, t.evidence))

    def theme_counts(self) -> list[tuple[str, int, int]]:
        rows = self._rows("SELECT theme, count(DISTINCT turn_id) AS turns, "
                          "count(DISTINCT interview_id) AS interviews FROM theme_code "
                          "GROUP BY theme ORDER BY turns DESC, theme")
        return [(r[0], r[1], r[2]) for r in rows]

    # --- reads: search -----------------------------------------------------------------
    def search(self, match: TextMatch, where: TurnFilter, offset: int,
               limit: int) -> Page[ScoredTurn]:
        if match.empty or not where.speaker_roles:
            return Page((), 0, offset)
        if (set(where.speaker_roles) >= set(SPEAKER_ROLES) and where.pseudonym is None
                and where.entity_type is None and where.theme is None):
            # No filter: the index ranks and counts on its own (FTS5 sorts by its rank without
            # materialising every hit), then only the page's turns are read.
            q = fts_query(match)
            total = self._rows("SELECT count(*) FROM turn_fts WHERE turn_fts MATCH ?", (q,))[0][0]
            rows = self._rows(
                'SELECT t.id, t.interview_id, t."index", t.speaker, t.speaker_role, t.start, '
                't."end", t.text, t.time_start, t.time_end, -h.rank AS score FROM '
                "(SELECT rowid AS n, rank FROM turn_fts WHERE turn_fts MATCH ? ORDER BY rank "
                "LIMIT ? OFFSET ?) h JOIN turn t ON t.n = h.n ORDER BY h.rank, t.interview_id, "
                't."index"', (q, limit, offset))
            return Page(tuple(ScoredTurn(self._turn(r), float(r["score"])) for r in rows), total,
                        offset)
        clauses = [f"t.speaker_role IN ({_in(where.speaker_roles)})"]
        params: list[Any] = [fts_query(match), *where.speaker_roles]
        if where.pseudonym is not None:
            clauses.append("t.interview_id IN (SELECT id FROM interview WHERE interviewee = ?)")
            params.append(where.pseudonym)
        if where.entity_type is not None:
            clauses.append("EXISTS (SELECT 1 FROM mention m WHERE m.turn_id = t.id AND m.type = ?)")
            params.append(where.entity_type)
        if where.theme is not None:
            clauses.append("EXISTS (SELECT 1 FROM theme_code c WHERE c.turn_id = t.id AND c.theme = ?)")
            params.append(where.theme)
        # The page ranked by the index among the filtered hits, and their count (which needs
        # no rank, so it is cheap).
        body = (f"FROM turn_fts h JOIN turn t ON t.n = h.rowid WHERE turn_fts MATCH ? "
                f"AND {' AND '.join(clauses)}")
        total = self._rows(f"SELECT count(*) {body}", params)[0][0]
        rows = self._rows('SELECT t.id, t.interview_id, t."index", t.speaker, t.speaker_role, '
                          't.start, t."end", t.text, t.time_start, t.time_end, -h.rank AS score '
                          f'{body} ORDER BY h.rank, t.interview_id, t."index" LIMIT ? OFFSET ?',
                          [*params, limit, offset])
        return Page(tuple(ScoredTurn(self._turn(r), float(r["score"])) for r in rows), total, offset)

    # --- reads: entities ---------------------------------------------------------------
    _ENTITY = "SELECT * FROM entity e "

    @staticmethod
    def _summary_of(r: sqlite3.Row) -> EntitySummary:
        return EntitySummary(
            entity=Entity(id=r["id"], type=r["type"], name=r["name"],
                          aliases=tuple(json.loads(r["aliases"])), confidence=r["confidence"]),
            mentions=r["mentions"], testimony_mentions=r["testimony_mentions"],
            interviews=r["interviews"], testimony_interviews=r["testimony_interviews"],
            interviewees=r["interviewees"], keys=r["keys"] or 0,
            confirmed=bool(r["confirmed"]), community=r["community"],
            centrality=r["centrality"], degree=r["degree"] or 0)

    def entity(self, entity_id: str) -> EntitySummary | None:
        rows = self._rows(self._ENTITY + "WHERE id = ?", (entity_id,))
        return self._summary_of(rows[0]) if rows else None

    def entity_summaries(self, ids: Iterable[str]) -> dict[str, EntitySummary]:
        return {r["id"]: self._summary_of(r)
                for r in self._rows_in(self._ENTITY + "WHERE id IN ({ids})", ids)}

    def entities_named(self, form: str, entity_type: str | None = None) -> list[str]:
        rows = self._rows("SELECT n.entity_id FROM entity_name n JOIN entity e ON e.id = n.entity_id "
                          "WHERE n.form = ? AND (? IS NULL OR e.type = ?) ORDER BY n.entity_id",
                          (form, entity_type, entity_type))
        return [r[0] for r in rows]

    def find_entities(self, words: Sequence[str], entity_type: str | None, offset: int,
                      limit: int) -> Page[EntitySummary]:
        type_clause = "" if entity_type is None else "AND e.type = ? "
        type_params = [] if entity_type is None else [entity_type]
        if words:
            query = " AND ".join(_fts_phrase([w]) + "*" for w in words)
            sql = ("SELECT e.*, count(*) OVER () AS total FROM entity_fts f JOIN entity e "
                   f"ON e.n = f.rowid WHERE entity_fts MATCH ? {type_clause}"
                   "ORDER BY e.mentions DESC, e.id LIMIT ? OFFSET ?")
            params = [query, *type_params]
        else:
            sql = (f"SELECT e.*, count(*) OVER () AS total FROM entity e WHERE 1 {type_clause}"
                   "ORDER BY e.mentions DESC, e.id LIMIT ? OFFSET ?")
            params = type_params
        rows = self._rows(sql, [*params, limit, offset])
        total = rows[0]["total"] if rows else (
            self._rows(f"SELECT count(*) FROM ({sql.replace(' LIMIT ? OFFSET ?', '')})",
                       params)[0][0] if offset else 0)
        return Page(tuple(self._summary_of(r) for r in rows), total, offset)

    def entity_interviews(self, entity_id: str, offset: int,
                          limit: int) -> Page[EntityInInterview]:
        total = self._rows("SELECT count(*) FROM named_in WHERE entity_id = ?", (entity_id,))[0][0]
        rows = self._rows(
            self._SUMMARY.replace("FROM interview i", ", n.mentions AS n_mentions, "
                                  "n.testimony_mentions AS n_testimony FROM named_in n JOIN "
                                  "interview i ON i.id = n.interview_id")
            + "WHERE n.entity_id = ? ORDER BY n.interview_id LIMIT ? OFFSET ?",
            (entity_id, limit, offset))
        return Page(tuple(EntityInInterview(self._summary(r), r["n_mentions"], r["n_testimony"])
                          for r in rows), total, offset)

    def co_mentioned(self, entity_id: str, limit: int) -> list[tuple[str, int]]:
        rows = self._rows("SELECT b AS other, turns FROM cooccurrence WHERE a = ? UNION ALL "
                          "SELECT a, turns FROM cooccurrence WHERE b = ? "
                          "ORDER BY turns DESC, other LIMIT ?", (entity_id, entity_id, limit))
        return [(r[0], r[1]) for r in rows]

    _LINK = 'SELECT DISTINCT type, source_id, target_id, turn_id, interview_id, start, "end", date FROM link '

    @staticmethod
    def _link(r: sqlite3.Row) -> LinkRow:
        return LinkRow(type=r["type"], source_id=r["source_id"], target_id=r["target_id"],
                       turn_id=r["turn_id"], interview_id=r["interview_id"], start=r["start"],
                       end=r["end"], date=r["date"])

    _LINK_ORDER = 'ORDER BY interview_id, start, type, source_id, target_id, turn_id, "end"'

    def entity_links(self, entity_id: str, offset: int, limit: int) -> Page[LinkRow]:
        body = (self._LINK + "WHERE source_id = ? UNION " + self._LINK + "WHERE target_id = ?")
        total = self._rows(f"SELECT count(*) FROM ({body})", (entity_id, entity_id))[0][0]
        rows = self._rows(f"SELECT * FROM ({body}) {self._LINK_ORDER} LIMIT ? OFFSET ?",
                          (entity_id, entity_id, limit, offset))
        return Page(tuple(self._link(r) for r in rows), total, offset)

    def links(self) -> list[LinkRow]:
        return [self._link(r) for r in self._rows(f"SELECT * FROM ({self._LINK}) {self._LINK_ORDER}")]

    def relations(self, query: NetworkQuery, link_types: Sequence[str] | None = None,
                  interview_ids: Sequence[str] | None = None) -> RelationData:
        kinds = [t for t in (link_types or ENTITY_LINKS) if t in ENTITY_LINKS]
        if not kinds:
            return RelationData((), (), 0)
        where = [f"l.type IN ({_in(kinds)})"]
        params: list[Any] = list(kinds)
        if query.testimony_only:
            where.append("l.speaker_role = 'interviewee'")
        if query.theme is not None:
            where.append("EXISTS (SELECT 1 FROM theme_code c WHERE c.turn_id = l.turn_id AND c.theme = ?)")
            params.append(query.theme)
        if interview_ids is not None:
            self._fill("net_interview", interview_ids)
            where.append("l.interview_id IN net_interview")
        ends = "JOIN entity s ON s.id = l.source_id JOIN entity o ON o.id = l.target_id"
        if query.types:
            where.append(f"s.type IN ({_in(query.types)}) AND o.type IN ({_in(query.types)})")
            params += [*query.types, *query.types]
        rel = ("SELECT l.type, l.source_id AS s, l.target_id AS t, count(DISTINCT l.turn_id) AS turns, "
               f"count(DISTINCT l.interview_id) AS ivs FROM link l {ends} WHERE {' AND '.join(where)} "
               "GROUP BY l.type, l.source_id, l.target_id HAVING count(DISTINCT l.turn_id) >= ?")
        params.append(query.min_weight)
        col, ivcol = (("testimony_mentions", "testimony_interviews") if query.testimony_only
                      else ("mentions", "interviews"))
        limit = "LIMIT ?" if query.max_nodes is not None else ""
        rows = self._rows(
            f"WITH r AS ({rel}), ends AS (SELECT s AS id FROM r UNION SELECT t FROM r) "
            f"SELECT e.id, e.name, e.type, e.{col} AS n, e.{ivcol} AS ivs, e.community, "
            f"e.centrality, count(*) OVER () AS total FROM ends JOIN entity e ON e.id = ends.id "
            f"ORDER BY e.{col} DESC, e.id {limit}",
            [*params, *([query.max_nodes] if query.max_nodes is not None else [])])
        nodes = [_node(r) for r in rows]
        total = rows[0]["total"] if rows else 0
        self._fill("net_node", [n.id for n in nodes])
        edges = self._rows(f"SELECT * FROM ({rel}) WHERE s IN net_node AND t IN net_node "
                           "ORDER BY s, t, type", params)
        return RelationData(tuple(nodes), tuple(RelationEdge(source=r["s"], target=r["t"], type=r["type"],
                                                             turns=r["turns"], interviews=r["ivs"])
                                                for r in edges), total)

    def link_types_between(self, a: str, b: str) -> tuple[str, ...]:
        rows = self._rows("SELECT DISTINCT type FROM link WHERE (source_id = ? AND target_id = ?) "
                          "OR (source_id = ? AND target_id = ?) ORDER BY type", (a, b, b, a))
        return tuple(r[0] for r in rows)

    def timeline(self, *, place: str | None = None, entity: str | None = None,
                 theme: str | None = None, interviewee: str | None = None, offset: int = 0,
                 limit: int = 50) -> Page[TimelineItem]:
        # The interviewer's questions are context, not testimony.
        where = ["l.date IS NOT NULL", "coalesce(l.speaker_role, '') <> 'interviewer'"]
        params: list[Any] = []
        for wanted in (entity, place):
            if wanted is None:
                continue
            clause = "(l.source_id = ? OR l.target_id = ?"
            params += [wanted, wanted]
            if wanted is place:  # or an event at either end happened there (found once)
                events = "(SELECT source_id FROM link WHERE type = 'HAPPENED_AT' AND target_id = ?)"
                clause += f" OR l.source_id IN {events} OR l.target_id IN {events}"
                params += [wanted, wanted]
            where.append(clause + ")")
        if theme is not None:
            where.append("EXISTS (SELECT 1 FROM theme_code c WHERE c.turn_id = l.turn_id AND c.theme = ?)")
            params.append(theme)
        if interviewee is not None:
            where.append("l.interview_id IN (SELECT id FROM interview WHERE interviewee = ?)")
            params.append(interviewee)
        body = ('SELECT DISTINCT l.date, l.type, l.source_id, l.target_id, l.interview_id, '
                'l.turn_id, l.speaker_role, l.start, l."end" FROM link l WHERE ' + " AND ".join(where))
        total = self._rows(f"SELECT count(*) FROM ({body})", params)[0][0]
        rows = self._rows(
            "SELECT p.*, coalesce(s.name, p.source_id) AS source_name, "
            "CASE WHEN p.type = 'HAPPENED_ON' THEN p.date ELSE coalesce(o.name, p.target_id) END "
            "AS target_name, i.interviewee AS pseudonym, "
            'substr(i.text, p.start + 1, p."end" - p.start) AS quote, '
            "CASE WHEN p.type = 'HAPPENED_ON' THEN (SELECT group_concat(d, '|') FROM ("
            "  SELECT DISTINCT x.date AS d FROM link x WHERE x.type = 'HAPPENED_ON' "
            "  AND x.source_id = p.source_id AND substr(x.date, 1, length(p.date)) <> p.date "
            "  AND substr(p.date, 1, length(x.date)) <> x.date ORDER BY d)) END AS disagreements "
            f"FROM ({body}) p JOIN interview i ON i.id = p.interview_id "
            "LEFT JOIN entity s ON s.id = p.source_id LEFT JOIN entity o ON o.id = p.target_id "
            'ORDER BY p.date, p.interview_id, p.start, p.type, p.source_id, p.target_id '
            "LIMIT ? OFFSET ?", [*params, limit, offset])
        return Page(tuple(TimelineItem(
            date=r["date"], type=r["type"], source_id=r["source_id"], source_name=r["source_name"],
            target_id=r["target_id"], target_name=r["target_name"], interview_id=r["interview_id"],
            pseudonym=r["pseudonym"], turn_id=r["turn_id"], speaker_role=r["speaker_role"] or "",
            start=r["start"], end=r["end"], quote=r["quote"] or "",
            disagreements=tuple(r["disagreements"].split("|")) if r["disagreements"] else ())
            for r in rows), total, offset)

    # --- reads: corroboration ----------------------------------------------------------
    def _support_turns(self, subject: Subject,
                       people: Sequence[str] | None = None) -> tuple[str, list[Any]]:
        """SQL of the supporting turns: (turn_id, stance, interview_id, start), where stance and
        start are those of the subject's mention with the strongest stance in the turn (the
        first such), the one quoted. `people`: only the interviews of these pseudonyms (a page
        of sources reads their turns, not every source's)."""
        rank = _RANK_SQL.format(col="m.stance")
        if subject.other_id is None:
            only, extra = "", []
            if people is not None:
                only = (" AND m.interview_id IN (SELECT id FROM interview WHERE interviewee IN "
                        f"({_in(people)}))")
                extra = list(people)
            return ("SELECT turn_id, stance, interview_id, start FROM (SELECT m.turn_id, m.stance, "
                    "m.interview_id, m.start, row_number() OVER (PARTITION BY m.turn_id ORDER BY "
                    f'{rank} DESC, m.start, m."end", m.key) AS k FROM mention m WHERE '
                    f"m.entity_id = ? AND m.speaker_role = 'interviewee'{only}) WHERE k = 1",
                    [subject.entity_id, *extra])
        a, b = subject.entity_id, subject.other_id
        counts = dict(self._rows("SELECT id, mentions FROM entity WHERE id IN (?, ?)", (a, b)))
        if counts.get(b, 0) < counts.get(a, 0):  # walk the rarer one's mentions
            a, b = b, a
        first = ("(SELECT m.{col} FROM mention m WHERE m.turn_id = x.turn_id AND m.entity_id IN "
                 f'(?, ?) ORDER BY {rank} DESC, m.start, m."end", m.key LIMIT 1)')
        return ("SELECT x.turn_id, " + first.format(col="stance") + " AS stance, x.interview_id, "
                + first.format(col="start") + " AS start "
                "FROM (SELECT ma.turn_id, ma.interview_id FROM mention ma WHERE "
                "ma.entity_id = ? AND ma.speaker_role = 'interviewee' AND EXISTS (SELECT 1 FROM "
                "mention mb WHERE mb.turn_id = ma.turn_id AND mb.entity_id = ?) UNION SELECT "
                "turn_id, interview_id FROM link WHERE speaker_role = 'interviewee' AND "
                "((source_id = ? AND target_id = ?) OR (source_id = ? AND target_id = ?))) x",
                [a, b, a, b, a, b, a, b, b, a])

    def _sources_sql(self, subject: Subject) -> tuple[str, list[Any]]:
        if subject.other_id is None:
            # An entity's sources from NAMED_IN: one row per interview, not per mention.
            return ("SELECT i.interviewee AS pseudonym, max(n.best_stance) AS best, "
                    "sum(n.testimony_turns) AS turns, group_concat(n.interview_id) AS ivs "
                    "FROM named_in n JOIN interview i ON i.id = n.interview_id "
                    "WHERE n.entity_id = ? AND n.testimony_mentions > 0 GROUP BY i.interviewee",
                    [subject.entity_id])
        turns, params = self._support_turns(subject)
        return ("SELECT i.interviewee AS pseudonym, max(" + _RANK_SQL.format(col="s.stance")
                + ") AS best, count(*) AS turns, group_concat(DISTINCT s.interview_id) AS ivs "
                f"FROM ({turns}) s JOIN interview i ON i.id = s.interview_id "
                "GROUP BY i.interviewee", params)

    def sources(self, subject: Subject, offset: int, limit: int) -> Page[SourceRow]:
        sql, params = self._sources_sql(subject)
        rows = self._rows(f"SELECT *, count(*) OVER () AS total FROM ({sql}) "
                          "ORDER BY best DESC, pseudonym LIMIT ? OFFSET ?", [*params, limit, offset])
        total = rows[0]["total"] if rows else (
            self._rows(f"SELECT count(*) FROM ({sql})", params)[0][0] if offset else 0)
        return Page(tuple(SourceRow(pseudonym=r["pseudonym"], best_stance=r["best"],
                                    turns=r["turns"],
                                    interviews=tuple(sorted(r["ivs"].split(","))))
                          for r in rows), total, offset)

    def stance_counts(self, subject: Subject) -> dict[int, int]:
        sql, params = self._sources_sql(subject)
        return {r[0]: r[1] for r in self._rows(
            f"SELECT best, count(*) FROM ({sql}) GROUP BY best", params)}

    def supports(self, subject: Subject, pseudonyms: Iterable[str] | None,
                 limit: int) -> list[SupportRow]:
        ids = [subject.entity_id] + ([subject.other_id] if subject.other_id else [])
        who = ""
        who_params: list[Any] = []
        people = None
        if pseudonyms is not None:
            people = sorted(set(pseudonyms))
            if not people:
                return []
            who = f"WHERE i.interviewee IN ({_in(people)}) "
            who_params = people
        turns_sql, params = self._support_turns(subject, people)
        rows = self._rows(
            f"SELECT s.turn_id, s.stance, s.start, i.interviewee AS pseudonym FROM ({turns_sql}) s "
            f"JOIN interview i ON i.id = s.interview_id {who}"
            "ORDER BY s.interview_id, s.turn_id LIMIT ?", [*params, *who_params, limit])
        if not rows:
            return []
        turns = {t.id: t for t in self.turns([r["turn_id"] for r in rows])}
        spans: dict[str, list[sqlite3.Row]] = defaultdict(list)
        for r in self._rows_in('SELECT turn_id, start, "end", key, sentence_start, sentence_end '
                               f"FROM mention WHERE turn_id IN ({{ids}}) AND entity_id IN "
                               f"({_in(ids)})", [r["turn_id"] for r in rows], ids):
            spans[r["turn_id"]].append(r)
        return support_rows(rows, turns, spans, whole=subject.other_id is not None)

    def prompted(self, subject: Subject) -> list[str]:
        ids = [subject.entity_id] + ([subject.other_id] if subject.other_id else [])
        found = None
        for eid in ids:
            here = {r[0] for r in self._rows(
                "SELECT interview_id FROM named_in WHERE entity_id = ? AND first_interviewer_turn "
                "IS NOT NULL AND first_interviewer_turn < coalesce(first_interviewee_turn, "
                "9223372036854775807)", (eid,))}
            found = here if found is None else found & here
        return sorted(found or ())

    def turns_naming(self, entity_ids: Sequence[str], exclude_interview: str,
                     limit: int) -> list[tuple[str, int]]:
        ids = sorted(set(entity_ids))[:_CHUNK]
        rows = self._rows(
            f"SELECT turn_id, count(DISTINCT entity_id) AS n FROM mention WHERE entity_id IN "
            f"({_in(ids)}) AND interview_id <> ? AND speaker_role = 'interviewee' "
            "GROUP BY turn_id ORDER BY n DESC, turn_id LIMIT ?", [*ids, exclude_interview, limit])
        return [(r[0], r[1]) for r in rows]

    def attesting_turns(self, a: str, b: str, limit: int) -> Page[TurnRow]:
        turns_sql, params = self._support_turns(Subject(a, b))
        total = self._rows(f"SELECT count(*) FROM ({turns_sql})", params)[0][0]
        rows = self._rows(self._TURN + f"JOIN ({turns_sql}) s ON s.turn_id = t.id "
                          'ORDER BY t.interview_id, t."index" LIMIT ?', [*params, limit])
        return Page(tuple(self._turn(r) for r in rows), total)

    # --- reads: the network ------------------------------------------------------------
    def network(self, query: NetworkQuery, interview_ids: Sequence[str] | None = None) -> NetworkData:
        nodes, total = self._nodes(query, interview_ids, query.max_nodes)
        return NetworkData(nodes=tuple(nodes), edges=tuple(self._edges(
            query, interview_ids, [n.id for n in nodes])), total_nodes=total)

    def _fill(self, table: str, ids: Iterable[str]) -> None:
        """A temporary table of ids (for IN, EXISTS): no long lists of bound values."""
        with self._lock:
            self._db.execute(f"CREATE TEMP TABLE IF NOT EXISTS {table} (id TEXT PRIMARY KEY)")
            self._db.execute(f"DELETE FROM {table}")
            self._db.executemany(f"INSERT OR IGNORE INTO {table} VALUES (?)", [(i,) for i in ids])

    def _type_clause(self, query: NetworkQuery, alias: str = "e") -> tuple[str, list[str]]:
        if not query.types:
            return "", []
        return f" AND {alias}.type IN ({_in(query.types)})", list(query.types)

    def _nodes(self, query: NetworkQuery, interview_ids: Sequence[str] | None,
               cap: int | None, only: Sequence[str] | None = None) -> tuple[list[NetworkNode], int]:
        types, tparams = self._type_clause(query)
        role = "AND m.speaker_role = 'interviewee' " if query.testimony_only else ""
        limit = "LIMIT ?" if cap is not None else ""
        lparams = [cap] if cap is not None else []
        restrict, rparams = "", []
        if only is not None:
            restrict, rparams = f" AND e.id IN ({_in(only)})", list(only)
        if query.theme is not None:
            ivs = ""
            iparams: list[str] = []
            if interview_ids is not None:
                self._fill("net_interview", interview_ids)
                ivs = "AND m.interview_id IN net_interview "
            inner = ("SELECT m.entity_id AS id, count(*) AS n, count(DISTINCT m.interview_id) AS ivs "
                     "FROM mention m WHERE m.turn_id IN (SELECT turn_id FROM theme_code WHERE "
                     f"theme = ?) {role}{ivs}GROUP BY m.entity_id")
            params = [query.theme, *iparams]
        elif interview_ids is not None:
            col = "testimony_mentions" if query.testimony_only else "mentions"
            self._fill("net_interview", interview_ids)
            inner = (f"SELECT entity_id AS id, sum({col}) AS n, count(*) AS ivs FROM named_in "
                     f"WHERE interview_id IN net_interview AND {col} > 0 GROUP BY entity_id")
            params = []
        else:
            col, ivcol = (("testimony_mentions", "testimony_interviews") if query.testimony_only
                          else ("mentions", "interviews"))
            sql = (f"SELECT e.id, e.name, e.type, e.{col} AS n, e.{ivcol} AS ivs, e.community, "
                   f"e.centrality, count(*) OVER () AS total FROM entity e WHERE e.{col} > 0"
                   f"{types}{restrict} ORDER BY e.{col} DESC, e.id {limit}")
            rows = self._rows(sql, [*tparams, *rparams, *lparams])
            return [_node(r) for r in rows], (rows[0]["total"] if rows else 0)
        sql = (f"SELECT e.id, e.name, e.type, x.n, x.ivs, e.community, e.centrality, "
               f"count(*) OVER () AS total FROM ({inner}) x JOIN entity e ON e.id = x.id "
               f"WHERE 1{types}{restrict} ORDER BY x.n DESC, e.id {limit}")
        rows = self._rows(sql, [*params, *tparams, *rparams, *lparams])
        return [_node(r) for r in rows], (rows[0]["total"] if rows else 0)

    def _edges(self, query: NetworkQuery, interview_ids: Sequence[str] | None,
               ids: Sequence[str]) -> list[NetworkEdge]:
        if not ids:
            return []
        ids = sorted(ids)
        out: list[NetworkEdge] = []
        if query.theme is not None:
            role = "AND m.speaker_role = 'interviewee' " if query.testimony_only else ""
            ivs, iparams = "", []
            if interview_ids is not None:
                self._fill("net_interview", interview_ids)
                ivs = "AND m.interview_id IN net_interview "
            rows = self._rows(
                "WITH tm AS (SELECT DISTINCT m.turn_id, m.interview_id, m.entity_id FROM mention m "
                "WHERE m.turn_id IN (SELECT turn_id FROM theme_code WHERE theme = ?) "
                f"{role}{ivs}AND m.entity_id IN ({_in(ids)})) "
                "SELECT x.entity_id AS a, y.entity_id AS b, count(*) AS w, "
                "count(DISTINCT x.interview_id) AS ivs FROM tm x JOIN tm y ON y.turn_id = x.turn_id "
                "AND y.entity_id > x.entity_id GROUP BY x.entity_id, y.entity_id "
                "HAVING count(*) >= ? ORDER BY a, b",
                [query.theme, *iparams, *ids, query.min_weight])
        elif interview_ids is not None:
            col = "testimony_turns" if query.testimony_only else "turns"
            # The allowed interviews' pairs (their key's prefix), both ends among the nodes.
            self._fill("net_interview", interview_ids)
            self._fill("net_node", ids)
            rows = self._rows(
                f"SELECT a, b, sum({col}) AS w, sum({col} > 0) AS ivs FROM interview_pair p "
                f"WHERE p.interview_id IN net_interview AND {col} > 0 AND EXISTS (SELECT 1 FROM "
                "net_node x WHERE x.id = p.a) AND EXISTS (SELECT 1 FROM net_node y WHERE "
                f"y.id = p.b) GROUP BY a, b HAVING sum({col}) >= ? ORDER BY a, b",
                [query.min_weight])
        else:  # the in-memory copy of CO_MENTIONED: a look-up per pair, or a walk of links
            return self._graph().edges_among(ids, testimony_only=query.testimony_only,
                                             min_weight=query.min_weight)
        for r in rows:
            out.append(NetworkEdge(a=r["a"], b=r["b"], weight=r["w"], interviews=r["ivs"]))
        return out

    def neighbourhood(self, entity_id: str, depth: int, query: NetworkQuery,
                      interview_ids: Sequence[str] | None = None) -> NetworkData:
        if query.theme is not None or interview_ids is not None:
            from graph_builder.store.base import neighbourhood_of
            whole = self.network(NetworkQuery(**{**query.__dict__, "max_nodes": None}),
                                 interview_ids)
            return neighbourhood_of(whole, entity_id, depth, query.max_nodes)
        centre, _ = self._nodes(query, None, None, only=[entity_id])
        if not centre:
            return NetworkData((), ())
        # The walk on the in-memory copy of CO_MENTIONED; only the entities kept are read.
        mirror = self._graph()
        distance = mirror.reach(entity_id, depth, testimony_only=query.testimony_only,
                                min_weight=query.min_weight,
                                types=set(query.types) if query.types else None)
        count = 1 if query.testimony_only else 0
        ranked = sorted((i for i in distance if i != entity_id),
                        key=lambda i: (distance[i], -mirror.counts[mirror.index[i]][count], i))
        total = len(ranked) + 1
        if query.max_nodes is not None:
            ranked = ranked[:max(0, query.max_nodes - 1)]
        others: list[NetworkNode] = []
        for chunk in _chunks(ranked):
            others += self._nodes(query, None, None, only=chunk)[0]
        nodes = sorted([*centre, *others], key=lambda n: (-n.mentions, n.id))
        return NetworkData(tuple(nodes), tuple(mirror.edges_among(
            [n.id for n in nodes], testimony_only=query.testimony_only,
            min_weight=query.min_weight)), total_nodes=total)

    def _graph(self) -> GraphMirror:
        writes = self._meta("writes")
        with self._lock:
            if self._mirror.version != writes:
                mirror = GraphMirror(version=writes)
                for r in self._db.execute("SELECT id, type, mentions, testimony_mentions "
                                          "FROM entity ORDER BY id"):
                    mirror.node(r[0], r[1], (r[2], r[3]))
                for r in self._db.execute("SELECT a, b, turns, testimony_turns, interviews, "
                                          "testimony_interviews FROM cooccurrence"):
                    mirror.set_edge(*r)
                self._mirror = mirror
            return self._mirror

    def shortest_paths(self, source: str, target: str, query: NetworkQuery, max_hops: int,
                       limit: int, interview_ids: Sequence[str] | None = None) -> list[tuple[str, ...]]:
        if query.theme is not None or interview_ids is not None:
            from graph_builder.store.base import mirror_of
            whole = self.network(NetworkQuery(**{**query.__dict__, "max_nodes": None}),
                                 interview_ids)
            return mirror_of(whole).shortest_paths(source, target, testimony_only=False,
                                                   min_weight=query.min_weight, types=None,
                                                   max_hops=max_hops, limit=limit)
        return self._graph().shortest_paths(
            source, target, testimony_only=query.testimony_only, min_weight=query.min_weight,
            types=set(query.types) if query.types else None, max_hops=max_hops, limit=limit)

    # --- reads: curation -----------------------------------------------------------------
    def possibly_same(self, offset: int = 0, limit: int | None = None
                      ) -> Page[tuple[str, str, float]]:
        body = ("SELECT min(a, b) AS x, max(a, b) AS y, max(score) AS s FROM possibly_same "
                "WHERE a <> b GROUP BY min(a, b), max(a, b)")
        total = self._rows(f"SELECT count(*) FROM ({body})")[0][0]
        rows = self._rows(f"SELECT * FROM ({body}) ORDER BY s DESC, x, y LIMIT ? OFFSET ?",
                          (-1 if limit is None else limit, offset))
        return Page(tuple((r[0], r[1], r[2]) for r in rows), total, offset)

    def uncertain_entities(self, offset: int, limit: int) -> Page[EntitySummary]:
        where = "WHERE confidence < 1 AND keys > 1 AND confirmed = 0"
        total = self._rows(f"SELECT count(*) FROM entity {where}")[0][0]
        rows = self._rows(f"SELECT * FROM entity {where} ORDER BY confidence, id LIMIT ? OFFSET ?",
                          (limit, offset))
        return Page(tuple(self._summary_of(r) for r in rows), total, offset)


class _Transaction:
    """BEGIN IMMEDIATE ... COMMIT under the store's lock; ROLLBACK on any error."""

    def __init__(self, store: SQLiteStore) -> None:
        self.store = store

    def __enter__(self) -> sqlite3.Connection:
        self.store._lock.acquire()
        self.store._db.execute("BEGIN IMMEDIATE")
        return self.store._db

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            self.store._db.execute("ROLLBACK" if exc_type else "COMMIT")
        finally:
            self.store._lock.release()


def _node(r: sqlite3.Row) -> NetworkNode:
    return NetworkNode(id=r["id"], name=r["name"], type=r["type"], mentions=r["n"],
                       interviews=r["ivs"], community=r["community"], centrality=r["centrality"])
