"""The server store: Neo4j 5 over Bolt, the same contract and the same answers as SQLite.

The graph, generated from schemas/graph.yaml:

    (:Interviewee)-[:GAVE]->(:Interview)-[:HAS_TURN]->(:Turn)
    (:Turn)-[:MENTIONS {start, end, surface, key, type, method, confidence, canonical_hint, seq}]
        ->(:Entity:<Label>)                       Label from the entity type (PLACE -> Place)
    (:Turn)-[:CODED_AS {start, end, evidence, by, confidence, seq}]->(:Theme)
    (:Entity)-[:HELD_ROLE|MEMBER_OF|... {turn_id, interview_id, start, end, source_key,
        target_key, seq}]->(:Entity)              the typed links of the schema
    (:ResolvedKey {key, entity_id})               the last resolution's key -> entity map
    (:PossiblySame {a, b, score})                 pairs kept apart for review
    (:CurationDecision {seq, json})               the analyst's decisions, in order
    (:StoreMeta {name: 'writer', seq, writes})    the writer lock and row sequence
    (:UnresolvedEntity {id})                      a placeholder end, see below

How it keeps SQLite's answers (tests/test_store_contract.py checks every read on both):

- Entity ids follow the same rules: a mention points at `assignments[f"{key}@{interview}"]`,
  else `assignments[key]`, else the provisional `key.lower()`; a link endpoint is the stored
  resolution of its key in the link's interview, else of its key, else the key lowercased the
  way SQLite's `lower()` does (ASCII only). Where SQLite would keep an id that
  names no entity row (a link whose entity lost all its mentions, a resolution that leaves a
  key out), the relationship ends on an `(:UnresolvedEntity {id})` placeholder, which no read
  of entities counts, so `entities()` and `stats()` agree with SQLite.
- `seq` is a store-wide counter stamped on every mention, theme code and link in the order
  SQLite inserts its rows; it breaks ties exactly where SQLite's rowid order does.
- Sorting happens in Python on the same keys as SQLite (Java and SQLite order strings
  differently beyond the Basic Multilingual Plane).
- The turn full-text index is over `Turn.search_text`: the turn's text folded and split into
  words exactly as `queries/` reads a query (queries.text.fold, runs of letters and digits),
  joined by spaces and indexed with the `whitespace` analyzer. Lucene's standard analyzers
  would drop stop words ("the") and keep "bay'ah" as one token, so a query for "bay" would
  miss turns that SQLite's FTS5 finds; this way the index finds every turn holding every term
  as a whole word.

Writes are batched upserts keyed on the schema's identity keys, in managed transactions
(`session.execute_write`, retried on transient errors; each retry starts from scratch): one
transaction per interview (four `UNWIND` statements: prepare, interview and turns, facts,
prune), one for a resolution. All values are parameters. Labels and relationship types come
only from the schema: the fixed ones are written into the statements at import time after a
check, and an entity's label or a link's type travels as a parameter (Neo4j 5.26 dynamic
labels, `$(...)`) only after Python checked it against the schema.
"""
from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import neo4j
from neo4j import GraphDatabase, ManagedTransaction
from neo4j.exceptions import (AuthError, ClientError, ConfigurationError, DriverError,
                              Neo4jError, ServiceUnavailable, SessionExpired)

from graph_builder.errors import StoreUnavailable
from graph_builder.model import (Entity, ExtractedInterview, Interview, Interviewee,
                                 Resolution, Turn)
from graph_builder.store.base import (InterviewSummary, KeyUsage, LinkRow, MentionRow,
                                      ThemeRow, TurnRow, entity_for, usage_from_rows)
from queries.text import fold
from schemas import ENTITY_TYPES, LINK_TYPES, entity_label, graph_schema, load_codebook

T = TypeVar("T")

BATCH = 2_000  # rows per UNWIND statement; one transaction still holds all of an interview
_IDENTIFIER = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
_WORD = re.compile(r"[^\W_]+", re.UNICODE)  # a word, as queries.text.terms reads one
_ASCII_UPPER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")

_SCHEMES = ("bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc")
_HELP = ("Check the server is running (`scripts/neo4j-server.sh status`, start it with "
         "`scripts/neo4j-server.sh start`) and the settings NEO4J_URI, NEO4J_USER, "
         "NEO4J_PASSWORD and NEO4J_DATABASE; or unset NEO4J_URI to use the embedded store.")


def _ident(name: str) -> str:
    """A label, relationship type or property name from the schema, checked before use in Cypher."""
    if not _IDENTIFIER.match(name):
        raise ValueError(f"{name!r} is not a valid Neo4j identifier")
    return name


def _label_of(entity_type: str) -> str:
    if entity_type not in ENTITY_TYPES:
        raise ValueError(f"unknown entity type {entity_type!r}; schemas/graph.yaml declares "
                         f"{', '.join(ENTITY_TYPES)}")
    return _ident(entity_label(entity_type))


def _link_type(link_type: str) -> str:
    if link_type not in LINK_TYPES:
        raise ValueError(f"unknown link type {link_type!r}; schemas/graph.yaml declares "
                         f"{', '.join(LINK_TYPES)}")
    return _ident(link_type)


_TYPE_LABELS = ":".join(_label_of(t) for t in ENTITY_TYPES)  # Person:Place:Organization:...
_LINKS = "|".join(_link_type(t) for t in LINK_TYPES)  # HELD_ROLE|MEMBER_OF|...


def sqlite_lower(text: str) -> str:
    """SQLite's built-in lower(): ASCII letters only (the reference store lowercases link
    keys and unresolved mention keys in SQL, so we do exactly what it does)."""
    return text.translate(_ASCII_UPPER)


def search_words(text: str) -> str:
    """What the turn full-text index holds: the folded words of `text`, space separated."""
    return " ".join(_WORD.findall(fold(text)))


def _lucene_phrase(term: str) -> str:
    return '"' + term.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _batches(rows: list[T], size: int = BATCH) -> Iterator[list[T]]:
    for i in range(0, len(rows), size):
        yield rows[i:i + size]


def _ceil(n: int, size: int) -> int:
    return -(-n // size)


def _float(x: float | int | None) -> float | None:
    return None if x is None else float(x)


# --- Cypher ---------------------------------------------------------------------------------
# Every statement is a constant built from the schema at import time; values are parameters.
# Entity labels and link types travel as parameters too (Neo4j 5.26 dynamic labels, `$(...)`),
# after Python checked them against the schema.

# An Entity that loses its last mention but still ends a link becomes a placeholder (SQLite
# would keep the link row and drop the entity row).
_DEMOTE = (f"REMOVE e:Entity:{_TYPE_LABELS} SET e:UnresolvedEntity "
           "REMOVE e.type, e.name, e.aliases, e.confidence")

# Rows travel as lists, not maps: the driver packs every map key of every row, and on an
# interview of a few hundred rows that packing costs more than the server's work. The column
# order is fixed by the comment above each statement and by `replace_interview`.

# One transaction writes an interview in four statements: prepare, interview and turns, facts,
# prune. Prepare takes the writer lock and reserves sequence numbers, deletes the old version
# (returning what it pointed at, to prune afterwards) and turns placeholders whose ids the new
# provisional entities take into those entities.
# $promote rows: [id, label, type, name, surface]
_PREPARE = "\n".join([
    "MERGE (w:StoreMeta {name: 'writer'})",
    "SET w.seq = coalesce(w.seq, 0) + $reserve, w.writes = coalesce(w.writes, 0) + 1",
    "WITH w.seq - $reserve AS first",
    "CALL () { OPTIONAL MATCH (:Turn {interview_id: $id})-[:MENTIONS]->(e)",
    "          RETURN collect(DISTINCT e.id) AS mentioned }",
    *[f"CALL () {{ OPTIONAL MATCH (a)-[l:{_link_type(t)}]->(b) WHERE l.interview_id = $id "
      f"DELETE l RETURN collect(a.id) + collect(b.id) AS ends{i} }}"
      for i, t in enumerate(LINK_TYPES)],
    "CALL () { OPTIONAL MATCH (p:Interviewee)-[:GAVE]->(i:Interview {id: $id})",
    "          RETURN collect(p.pseudonym) AS pseudonyms, count(i) AS found }",
    "CALL () { MATCH (t:Turn {interview_id: $id}) DETACH DELETE t }",
    "CALL () { MATCH (i:Interview {id: $id}) DETACH DELETE i }",
    "CALL () { UNWIND $promote AS row MATCH (u:UnresolvedEntity {id: row[0]})",
    "          REMOVE u:UnresolvedEntity",
    "          SET u:Entity:$(row[1]), u.type = row[2], u.name = row[3], u.aliases = [row[4]],",
    "              u.confidence = 1.0 }",
    "RETURN first, mentioned + " + " + ".join(f"ends{i}" for i in range(len(LINK_TYPES)))
    + " AS ids, pseudonyms, found",
])

# CREATE, not MERGE, for turns: two turns with one index fail on the Turn.id constraint, as
# they do on SQLite's primary key.
# $rows: [id, index, speaker, speaker_role, start, end, text, time_start, time_end, search_text]
_TURN = """
CREATE (i)-[:HAS_TURN]->(:Turn {id: row[0], interview_id: $id, index: row[1], speaker: row[2],
  speaker_role: row[3], start: row[4], end: row[5], text: row[6], time_start: row[7],
  time_end: row[8], search_text: row[9]})
"""
_CREATE_INTERVIEW = """
MERGE (p:Interviewee {pseudonym: $pseudonym})
SET p.gender = $person.gender, p.nationality = $person.nationality, p.status = $person.status,
    p.role = $person.role, p.age = $person.age
CREATE (p)-[:GAVE]->(i:Interview)
SET i = $interview
WITH i
UNWIND $rows AS row
""" + _TURN
_CREATE_TURNS = "MATCH (i:Interview {id: $id}) UNWIND $rows AS row" + _TURN

# Mentions (with their provisional entities: the first mention of an id names it, an entity
# that exists already is left as it is, like SQLite's INSERT ... ON CONFLICT DO NOTHING),
# theme codes and links. A link ends where SQLite's read of it would: the stored resolution of
# its key in this interview ("key@interview"), else of its key, else the key lowercased (by
# SQLite's lower(), done in Python); on the entity there, else on a placeholder. Each part
# counts its rows: a MATCH that finds nothing shows.
# $mentions: [turn id, entity id, label, type, name, surface, start, end, key, method,
#             confidence, canonical hint, seq]
# $codes: [turn id, theme, start, end, evidence, by, confidence, seq]
# $links: [type, source key, target key, source lowered, target lowered, turn id, start, end,
#          seq]
_CREATE_FACTS = """
CALL () {
  UNWIND $mentions AS row
  MATCH (t:Turn {id: row[0]})
  MERGE (e:Entity {id: row[1]})
  ON CREATE SET e:$(row[2]), e.type = row[3], e.name = row[4], e.aliases = [row[5]],
                e.confidence = 1.0
  CREATE (t)-[:MENTIONS {start: row[6], end: row[7], surface: row[5], key: row[8],
    type: row[3], method: row[9], confidence: row[10], canonical_hint: row[11],
    seq: $first + row[12]}]->(e)
  RETURN count(*) AS mentions
}
CALL () {
  UNWIND $codes AS row
  MATCH (t:Turn {id: row[0]})
  MERGE (th:Theme {code: row[1]})
  CREATE (t)-[:CODED_AS {start: row[2], end: row[3], evidence: row[4], by: row[5],
    confidence: row[6], seq: $first + row[7]}]->(th)
  RETURN count(*) AS codes
}
CALL () {
  UNWIND $links AS row
  OPTIONAL MATCH (ris:ResolvedKey {key: row[1] + '@' + $id})
  OPTIONAL MATCH (rit:ResolvedKey {key: row[2] + '@' + $id})
  OPTIONAL MATCH (rs:ResolvedKey {key: row[1]})
  OPTIONAL MATCH (rt:ResolvedKey {key: row[2]})
  WITH row, coalesce(ris.entity_id, rs.entity_id, row[3]) AS sid,
       coalesce(rit.entity_id, rt.entity_id, row[4]) AS tid
  OPTIONAL MATCH (se:Entity {id: sid})
  FOREACH (_ IN CASE WHEN se IS NULL THEN [1] ELSE [] END | MERGE (:UnresolvedEntity {id: sid}))
  WITH row, sid, tid, se
  OPTIONAL MATCH (su:UnresolvedEntity {id: sid})
  WITH row, tid, coalesce(se, su) AS s
  OPTIONAL MATCH (te:Entity {id: tid})
  FOREACH (_ IN CASE WHEN te IS NULL THEN [1] ELSE [] END | MERGE (:UnresolvedEntity {id: tid}))
  WITH row, s, tid, te
  OPTIONAL MATCH (tu:UnresolvedEntity {id: tid})
  WITH row, s, coalesce(te, tu) AS t
  CREATE (s)-[:$(row[0]) {turn_id: row[5], interview_id: $id, start: row[6], end: row[7],
    source_key: row[1], target_key: row[2], seq: $first + row[8]}]->(t)
  RETURN count(*) AS links
}
RETURN mentions, codes, links
"""

# Drop what nothing refers to any more: the entities and interviewees given ($ids,
# $pseudonyms), or all of them (apply_resolution).
_PRUNE_GIVEN = "\n".join([
    "CALL () { UNWIND $ids AS id MATCH (e:Entity {id: id})",
    "          WHERE NOT EXISTS { (e)<-[:MENTIONS]-(:Turn) }",
    f"           AND EXISTS {{ (e)-[:{_LINKS}]-() }} {_DEMOTE} }}",
    "CALL () { UNWIND $ids AS id MATCH (e:Entity {id: id})",
    "          WHERE NOT EXISTS { (e)<-[:MENTIONS]-(:Turn) } DETACH DELETE e }",
    "CALL () { UNWIND $ids AS id MATCH (u:UnresolvedEntity {id: id})",
    "          WHERE NOT EXISTS { (u)--() } DELETE u }",
    "CALL () { UNWIND $pseudonyms AS pseudonym MATCH (p:Interviewee {pseudonym: pseudonym})",
    "          WHERE NOT EXISTS { (p)-[:GAVE]->(:Interview) } DETACH DELETE p }",
])
_PRUNE_ALL = "\n".join([
    "CALL () { MATCH (e:Entity) WHERE NOT EXISTS { (e)<-[:MENTIONS]-(:Turn) }",
    f"           AND EXISTS {{ (e)-[:{_LINKS}]-() }} {_DEMOTE} }}",
    "CALL () { MATCH (e:Entity) WHERE NOT EXISTS { (e)<-[:MENTIONS]-(:Turn) } DETACH DELETE e }",
    "CALL () { MATCH (u:UnresolvedEntity) WHERE NOT EXISTS { (u)--() } DELETE u }",
    "CALL () { MATCH (p:Interviewee) WHERE NOT EXISTS { (p)-[:GAVE]->(:Interview) }",
    "          DETACH DELETE p }",
])

_CREATE_RESOLVED = """
UNWIND $rows AS row
CREATE (:ResolvedKey {key: row.key, entity_id: row.entity_id})
"""

_RESOLVED_ENTITIES = """
UNWIND $rows AS row
MERGE (e:UnresolvedEntity {id: row.id})
REMOVE e:UnresolvedEntity
SET e:Entity:$(row.label), e.type = row.type, e.name = row.name, e.aliases = row.aliases,
    e.confidence = row.confidence
"""

_ENSURE_PLACEHOLDERS = """
UNWIND $rows AS row
OPTIONAL MATCH (e:Entity {id: row.id})
WITH row, e WHERE e IS NULL
MERGE (:UnresolvedEntity {id: row.id})
"""

# Relationship ends cannot move: a moved mention or link is created anew with its properties.
# One row per (key, interview): a key can resolve per interview ("key@interview").
_MOVE_MENTIONS = """
UNWIND $rows AS row
MATCH (t:Turn {interview_id: row.iv})-[m:MENTIONS {key: row.key}]->(old)
WHERE old.id <> row.id
OPTIONAL MATCH (e:Entity {id: row.id})
OPTIONAL MATCH (u:UnresolvedEntity {id: row.id})
WITH t, m, coalesce(e, u) AS new
CREATE (t)-[moved:MENTIONS]->(new)
SET moved = properties(m)
DELETE m
"""

_MOVE_LINKS = """
UNWIND $rows AS row
MATCH ()-[l]->() WHERE elementId(l) = row.rid
OPTIONAL MATCH (se:Entity {id: row.sid})
OPTIONAL MATCH (su:UnresolvedEntity {id: row.sid})
OPTIONAL MATCH (te:Entity {id: row.tid})
OPTIONAL MATCH (tu:UnresolvedEntity {id: row.tid})
WITH l, coalesce(se, su) AS s, coalesce(te, tu) AS t
CREATE (s)-[moved:$(type(l))]->(t)
SET moved = properties(l)
DELETE l
"""

_CREATE_PAIRS = """
UNWIND $rows AS row
CREATE (:PossiblySame {a: row.a, b: row.b, score: row.score})
"""

_TURN_FIELDS = ("t.id AS id, t.interview_id AS interview_id, t.`index` AS index, "
                "t.speaker AS speaker, t.speaker_role AS speaker_role, t.start AS start, "
                "t.`end` AS end, t.text AS text, t.time_start AS time_start, "
                "t.time_end AS time_end")

_ENTITY_BY_ID = """
CALL () {
  MATCH (e:Entity {id: $entity_id}) RETURN e
  UNION
  MATCH (e:UnresolvedEntity {id: $entity_id}) RETURN e
}
"""


class Neo4jStore:
    """A GraphStore on a Neo4j 5 server. Thread-safe: the driver pools sessions."""

    backend = "neo4j"

    def __init__(self, uri: str, user: str = "neo4j", password: str | None = None,
                 database: str = "neo4j") -> None:
        self.uri = uri
        self.database = database
        self.location = f"{uri} (database {database})"
        if not uri:
            raise StoreUnavailable("no Neo4j server given: set NEO4J_URI (for the local server "
                                   "bolt://127.0.0.1:7687), or unset TESTIMONY_BACKEND to use "
                                   "the embedded store.")
        scheme = uri.split("://", 1)[0].lower() if "://" in uri else ""
        if scheme not in _SCHEMES:
            raise StoreUnavailable(f"cannot use the Neo4j URI {uri!r}: NEO4J_URI must be a Bolt "
                                   "address such as bolt://127.0.0.1:7687 (schemes "
                                   f"{', '.join(_SCHEMES)}).")
        if not password:
            raise StoreUnavailable(
                f"no password for Neo4j at {uri} (user {user!r}): set NEO4J_PASSWORD (the local "
                "server started by `scripts/neo4j-server.sh start` uses the same variable).")
        try:
            self._driver = GraphDatabase.driver(
                uri, auth=(user, password), connection_timeout=15.0,
                # "property key does not exist" is normal on an empty database
                notifications_disabled_classifications=["UNRECOGNIZED"])
        except (ValueError, ConfigurationError) as exc:
            raise StoreUnavailable(f"cannot use the Neo4j URI {uri!r}: {exc}. Set NEO4J_URI to "
                                   "a bolt:// or neo4j:// address.") from exc
        try:
            self._driver.verify_connectivity()
            # Proves the credentials and the database, not just the socket.
            self._driver.execute_query("RETURN 1", database_=database)
        except BaseException as exc:
            self._driver.close()
            error = self._unavailable(exc, user)
            if error is exc:
                raise
            raise error from exc
        self.ensure_schema()

    def _unavailable(self, exc: BaseException, user: str = "") -> BaseException:
        """The StoreUnavailable an analyst can act on, or `exc` itself if it is not one."""
        where = f"Neo4j at {self.uri}"
        if isinstance(exc, AuthError) or (isinstance(exc, Neo4jError) and
                                           (exc.code or "").startswith("Neo.ClientError.Security")):
            reason = exc.message if isinstance(exc, Neo4jError) else exc
            return StoreUnavailable(
                f"{where} refused the credentials of user {user or '?'!r} ({reason}). "
                "Check NEO4J_USER and NEO4J_PASSWORD (the local server takes its password from "
                "NEO4J_PASSWORD when `scripts/neo4j-server.sh start` runs).")
        if isinstance(exc, ClientError) and "DatabaseNotFound" in (exc.code or ""):
            return StoreUnavailable(
                f"{where} has no database {self.database!r}. Set NEO4J_DATABASE to an existing "
                "one (Neo4j Community has only 'neo4j').")
        if isinstance(exc, (ServiceUnavailable, SessionExpired, OSError)):
            return StoreUnavailable(f"cannot reach {where} ({exc}). {_HELP}")
        if isinstance(exc, DriverError) and not isinstance(exc, Neo4jError):
            return StoreUnavailable(f"cannot talk to {where} ({exc}). {_HELP}")
        return exc

    # --- plumbing --------------------------------------------------------------------------
    def _write(self, fn: Callable[..., T], *args: Any) -> T:
        try:
            with self._driver.session(database=self.database) as session:
                return session.execute_write(fn, *args)
        except (ServiceUnavailable, SessionExpired, AuthError) as exc:
            raise self._unavailable(exc) from exc

    def _read(self, fn: Callable[..., T], *args: Any) -> T:
        try:
            with self._driver.session(database=self.database,
                                      default_access_mode=neo4j.READ_ACCESS) as session:
                return session.execute_read(fn, *args)
        except (ServiceUnavailable, SessionExpired, AuthError) as exc:
            raise self._unavailable(exc) from exc

    def _query(self, cypher: str, **params: Any) -> list[dict[str, Any]]:
        """One read query in its own managed transaction, as a list of dicts."""
        def work(tx: ManagedTransaction) -> list[dict[str, Any]]:
            return tx.run(cypher, params).data()
        return self._read(work)

    def close(self) -> None:
        self._driver.close()

    def ensure_schema(self) -> None:
        """Constraints and indexes generated from schemas/graph.yaml; idempotent."""
        statements: list[str] = []
        for node, spec in graph_schema()["nodes"].items():
            label, key = _ident(node), _ident(spec["key"])
            statements.append(f"CREATE CONSTRAINT {label.lower()}_{key} IF NOT EXISTS "
                              f"FOR (n:{label}) REQUIRE n.{key} IS UNIQUE")
        statements += [
            # The store's own bookkeeping, keyed like the schema's nodes.
            "CREATE CONSTRAINT unresolved_entity_id IF NOT EXISTS "
            "FOR (n:UnresolvedEntity) REQUIRE n.id IS UNIQUE",
            "CREATE CONSTRAINT resolved_key_key IF NOT EXISTS "
            "FOR (n:ResolvedKey) REQUIRE n.key IS UNIQUE",
            "CREATE CONSTRAINT possibly_same_pair IF NOT EXISTS "
            "FOR (n:PossiblySame) REQUIRE (n.a, n.b) IS UNIQUE",
            "CREATE CONSTRAINT curation_decision_seq IF NOT EXISTS "
            "FOR (n:CurationDecision) REQUIRE n.seq IS UNIQUE",
            "CREATE CONSTRAINT store_meta_name IF NOT EXISTS "
            "FOR (n:StoreMeta) REQUIRE n.name IS UNIQUE",
            "CREATE INDEX turn_interview_id IF NOT EXISTS FOR (t:Turn) ON (t.interview_id)",
            "CREATE INDEX entity_type IF NOT EXISTS FOR (e:Entity) ON (e.type)",
            "CREATE INDEX mentions_key IF NOT EXISTS FOR ()-[m:MENTIONS]-() ON (m.key)",
            "CREATE FULLTEXT INDEX turn_text IF NOT EXISTS FOR (t:Turn) ON EACH [t.search_text] "
            "OPTIONS {indexConfig: {`fulltext.analyzer`: 'whitespace'}}",
            "CREATE FULLTEXT INDEX entity_names IF NOT EXISTS FOR (e:Entity) "
            "ON EACH [e.name, e.aliases] "
            "OPTIONS {indexConfig: {`fulltext.analyzer`: 'standard-folding'}}",
        ]
        for link in LINK_TYPES:
            rel = _link_type(link)
            statements.append(f"CREATE INDEX {rel.lower()}_interview_id IF NOT EXISTS "
                              f"FOR ()-[l:{rel}]-() ON (l.interview_id)")
        try:
            with self._driver.session(database=self.database) as session:
                for statement in statements:  # schema commands run in their own transactions
                    session.run(statement).consume()
                session.run("CALL db.awaitIndexes(300)").consume()
        except (ServiceUnavailable, SessionExpired, AuthError) as exc:
            raise self._unavailable(exc) from exc
        themes = [{"code": t.code, "label": t.label} for t in load_codebook()]

        def work(tx: ManagedTransaction) -> None:
            tx.run("UNWIND $themes AS row MERGE (t:Theme {code: row.code}) "
                   "SET t.label = row.label", themes=themes).consume()
        self._write(work)

    def delete_everything(self) -> None:
        """Delete every node of this database (tests and benchmarks start from nothing)."""
        with self._driver.session(database=self.database) as session:
            session.run("MATCH (n) CALL (n) { DETACH DELETE n } "
                        "IN TRANSACTIONS OF 10000 ROWS").consume()
        self.ensure_schema()

    # --- writes ----------------------------------------------------------------------------
    @staticmethod
    def _lock(tx: ManagedTransaction) -> None:
        """Take the writer lock: one writer at a time, like SQLite's BEGIN IMMEDIATE."""
        tx.run("MERGE (w:StoreMeta {name: 'writer'}) "
               "SET w.writes = coalesce(w.writes, 0) + 1").consume()

    @staticmethod
    def _run_batches(tx: ManagedTransaction, cypher: str, rows: list[dict],
                     **params: Any) -> int:
        """`cypher` over `rows` in UNWIND batches; returns the relationships it created."""
        created = 0
        for batch in _batches(rows):
            created += tx.run(cypher, params, rows=batch).consume().counters.relationships_created
        return created

    @staticmethod
    def _prepare(tx: ManagedTransaction, interview_id: str, reserve: int = 0,
                 promote: list[list[Any]] | None = None) -> tuple[int, list[str], list[str], bool]:
        """Lock, reserve `reserve` sequence numbers, delete an interview's old version and
        promote placeholders. Returns (first sequence number, ids the old version pointed at,
        its interviewee, whether there was one)."""
        record = tx.run(_PREPARE, id=interview_id, reserve=reserve, promote=promote or []).single()
        assert record is not None
        return (int(record["first"]), sorted(set(record["ids"])), record["pseudonyms"],
                bool(record["found"]))

    @staticmethod
    def _expect(created: int, wanted: int, what: str) -> None:
        if created != wanted:  # a MATCH found nothing: never commit half an interview
            raise RuntimeError(f"wrote {created} of {wanted} {what}; transaction rolled back")

    def content_hash(self, interview_id: str) -> str | None:
        rows = self._query("MATCH (i:Interview {id: $id}) RETURN i.content_hash AS h",
                           id=interview_id)
        return rows[0]["h"] if rows else None

    def replace_interview(self, extracted: ExtractedInterview, assignments: dict[str, str]) -> None:
        iv = extracted.interview
        person = iv.interviewee
        # Everything is computed before the transaction: a bad turn index or an unknown type
        # fails here, and the transaction function only writes (a retry starts it again).
        turn_ids = {t.index: t.id(iv.id) for t in iv.turns}
        turns = [[turn_ids[t.index], t.index, t.speaker, t.speaker_role, t.start, t.end, t.text,
                  _float(t.time_start), _float(t.time_end), search_words(t.text)]
                 for t in iv.turns]
        interview = {"id": iv.id, "title": iv.title, "source_path": iv.source_path,
                     "content_hash": iv.content_hash, "date": iv.date, "place": iv.place,
                     "language": iv.language, "interviewer": iv.interviewer,
                     "medium": iv.medium, "media_file": iv.media_file, "text": iv.text}
        attributes = {"gender": person.gender, "nationality": person.nationality,
                      "status": person.status, "role": person.role, "age": person.age}
        # `seq` numbers rows in the order SQLite inserts them (mentions, codes, links); the
        # transaction adds the store-wide offset it reserves.
        mentions, promote, seen = [], [], set()
        for i, m in enumerate(extracted.mentions):
            eid = entity_for(assignments, m.key, iv.id)
            label, name = _label_of(m.type), m.canonical_hint or m.text
            mentions.append([turn_ids[m.turn_index], eid, label, m.type, name, m.text, m.start,
                             m.end, m.key, m.method, _float(m.confidence), m.canonical_hint, i])
            if eid not in seen:  # the first mention of an id names its provisional entity
                seen.add(eid)
                promote.append([eid, label, m.type, name, m.text])
        codes = [[turn_ids[c.turn_index], c.theme, c.start, c.end, c.evidence, c.by,
                  _float(c.confidence), len(mentions) + i]
                 for i, c in enumerate(extracted.themes)]
        links = [[_link_type(ln.type), ln.source_key, ln.target_key, sqlite_lower(ln.source_key),
                  sqlite_lower(ln.target_key), turn_ids[ln.turn_index], ln.start, ln.end,
                  len(mentions) + len(codes) + i]
                 for i, ln in enumerate(extracted.links)]
        reserve = len(mentions) + len(codes) + len(links)

        def work(tx: ManagedTransaction) -> None:
            first, old_ids, old_people, _ = self._prepare(tx, iv.id, reserve, promote)
            tx.run(_CREATE_INTERVIEW, id=iv.id, pseudonym=person.pseudonym, person=attributes,
                   interview=interview, rows=turns[:BATCH]).consume()
            for batch in _batches(turns[BATCH:]):
                tx.run(_CREATE_TURNS, id=iv.id, rows=batch).consume()
            # Usually one statement; past BATCH rows, more, with every link after every
            # mention (a link must find the entities this interview's mentions create).
            made = [0, 0, 0]
            mention_calls = max(1, _ceil(len(mentions), BATCH))
            calls = max(mention_calls, _ceil(len(codes), BATCH),
                        mention_calls - 1 + _ceil(len(links), BATCH))
            for k in range(calls):
                j = k - (mention_calls - 1)
                record = tx.run(_CREATE_FACTS, id=iv.id, first=first,
                                mentions=mentions[k * BATCH:(k + 1) * BATCH],
                                codes=codes[k * BATCH:(k + 1) * BATCH],
                                links=links[j * BATCH:(j + 1) * BATCH] if j >= 0 else []).single()
                assert record is not None
                made = [made[0] + record["mentions"], made[1] + record["codes"],
                        made[2] + record["links"]]
            self._expect(made[0], len(mentions), "mentions")
            self._expect(made[1], len(codes), "theme codes")
            self._expect(made[2], len(links), "links")
            tx.run(_PRUNE_GIVEN, ids=old_ids, pseudonyms=old_people).consume()

        self._write(work)

    def delete_interview(self, interview_id: str) -> bool:
        def work(tx: ManagedTransaction) -> bool:
            _, old_ids, old_people, found = self._prepare(tx, interview_id)
            tx.run(_PRUNE_GIVEN, ids=old_ids, pseudonyms=old_people).consume()
            return found
        return self._write(work)

    def key_usage(self) -> list[KeyUsage]:
        rows = self._query("MATCH (t:Turn)-[m:MENTIONS]->() "
                           "RETURN m.key AS key, m.type AS type, m.surface AS surface, "
                           "t.interview_id AS interview_id, t.`index` AS idx, "
                           "m.canonical_hint AS canonical_hint, m.seq AS seq")
        rows.sort(key=lambda r: r["seq"])  # SQLite reads its rows in insertion order
        return usage_from_rows((r["key"], r["type"], r["surface"], r["interview_id"], r["idx"],
                                r["canonical_hint"]) for r in rows)

    def apply_resolution(self, resolution: Resolution) -> None:
        ids = [e.id for e in resolution.entities]
        if len(set(ids)) != len(ids):  # SQLite fails on its primary key
            dup = sorted(i for i, n in Counter(ids).items() if n > 1)
            raise ValueError(f"the resolution names entities {dup} more than once")
        entities = [{"id": e.id, "type": e.type, "label": _label_of(e.type), "name": e.name,
                     "aliases": list(e.aliases), "confidence": float(e.confidence)}
                    for e in resolution.entities]
        assignments = dict(resolution.assignments)
        resolved = [{"key": k, "entity_id": v} for k, v in sorted(assignments.items())]
        pairs = [{"a": a, "b": b, "score": _float(s)} for a, b, s in resolution.possibly_same]

        def target(key: str, interview_id: str) -> str:
            # SQLite: COALESCE(resolution of key@interview, resolution of key, lower(key))
            unit = f"{key}@{interview_id}"
            if unit in assignments:
                return assignments[unit]
            return assignments[key] if key in assignments else sqlite_lower(key)

        def work(tx: ManagedTransaction) -> None:
            self._lock(tx)
            tx.run("MATCH (r:ResolvedKey) DELETE r").consume()
            self._run_batches(tx, _CREATE_RESOLVED, resolved)
            # Replace all entities: every entity steps down to a placeholder (keeping its
            # relationships), then the resolution's entities take over the placeholders
            # with their ids, or are created.
            tx.run(f"MATCH (e:Entity) {_DEMOTE}").consume()
            self._run_batches(tx, _RESOLVED_ENTITIES, entities)
            # Re-point every mention and link whose key now resolves elsewhere.
            mentioned = tx.run("MATCH (t:Turn)-[m:MENTIONS]->(e:Entity|UnresolvedEntity) "
                               "RETURN DISTINCT m.key AS key, t.interview_id AS iv, "
                               "e.id AS id").data()
            moves = sorted({(r["key"], r["iv"], target(r["key"], r["iv"])) for r in mentioned
                            if target(r["key"], r["iv"]) != r["id"]})
            link_moves = []
            for r in tx.run(f"MATCH (s)-[l:{_LINKS}]->(t) RETURN elementId(l) AS rid, "
                            "l.source_key AS sk, l.target_key AS tk, l.interview_id AS iv, "
                            "s.id AS sid, t.id AS tid"):
                sid, tid = target(r["sk"], r["iv"]), target(r["tk"], r["iv"])
                if (sid, tid) != (r["sid"], r["tid"]):
                    link_moves.append({"rid": r["rid"], "sid": sid, "tid": tid})
            needed = {eid for _, _, eid in moves} | {m[k] for m in link_moves
                                                     for k in ("sid", "tid")}
            self._run_batches(tx, _ENSURE_PLACEHOLDERS, [{"id": i} for i in sorted(needed)])
            self._run_batches(tx, _MOVE_MENTIONS, [{"key": k, "iv": iv, "id": eid}
                                                   for k, iv, eid in moves])
            self._run_batches(tx, _MOVE_LINKS, link_moves)
            tx.run("MATCH (p:PossiblySame) DELETE p").consume()
            self._run_batches(tx, _CREATE_PAIRS, pairs)
            tx.run(_PRUNE_ALL).consume()

        self._write(work)

    def resolution(self) -> dict[str, str]:
        return {r["key"]: r["id"] for r in self._query(
            "MATCH (r:ResolvedKey) RETURN r.key AS key, r.entity_id AS id")}

    def possibly_same(self) -> list[tuple[str, str, float]]:
        rows = self._query("MATCH (p:PossiblySame) RETURN p.a AS a, p.b AS b, p.score AS score")
        return sorted((r["a"], r["b"], r["score"]) for r in rows)

    def curation_log(self) -> list[dict]:
        rows = self._query("MATCH (d:CurationDecision) RETURN d.seq AS seq, d.json AS json")
        return [json.loads(r["json"]) for r in sorted(rows, key=lambda r: r["seq"])]

    def record_decision(self, decision: dict) -> None:
        text = json.dumps(decision, sort_keys=True)

        def work(tx: ManagedTransaction) -> None:
            self._lock(tx)
            tx.run("OPTIONAL MATCH (d:CurationDecision) WITH coalesce(max(d.seq), 0) AS last "
                   "CREATE (:CurationDecision {seq: last + 1, json: $json})", json=text).consume()
        self._write(work)

    # --- reads -----------------------------------------------------------------------------
    def stats(self) -> dict[str, int]:
        queries = {
            "interviews": "MATCH (n:Interview) RETURN count(n) AS n",
            "interviewees": "MATCH (n:Interviewee) RETURN count(n) AS n",
            "turns": "MATCH (n:Turn) RETURN count(n) AS n",
            "mentions": "MATCH ()-[r:MENTIONS]->() RETURN count(r) AS n",
            "entities": "MATCH (n:Entity) RETURN count(n) AS n",
            "links": " UNION ALL ".join(f"MATCH ()-[r:{_link_type(t)}]->() RETURN count(r) AS n"
                                        for t in LINK_TYPES),
            "theme_codes": "MATCH ()-[r:CODED_AS]->() RETURN count(r) AS n",
        }

        def work(tx: ManagedTransaction) -> dict[str, int]:
            return {name: sum(r["n"] for r in tx.run(q)) for name, q in queries.items()}
        return self._read(work)

    def interviews(self) -> list[InterviewSummary]:
        rows = self._query(
            "MATCH (p:Interviewee)-[:GAVE]->(i:Interview) "
            "RETURN i.id AS id, i.title AS title, p.pseudonym AS pseudonym, "
            "i.source_path AS source_path, i.content_hash AS content_hash, i.date AS date, "
            "i.place AS place, i.medium AS medium, i.media_file AS media_file, "
            "p.gender AS gender, p.nationality AS nationality, p.status AS status, "
            "p.role AS role, COUNT { (i)-[:HAS_TURN]->(:Turn) } AS turns")
        return sorted((InterviewSummary(**r) for r in rows), key=lambda s: s.id)

    def interview(self, interview_id: str) -> Interview | None:
        rows = self._query("MATCH (p:Interviewee)-[:GAVE]->(i:Interview {id: $id}) "
                           "RETURN i {.*} AS i, p {.*} AS p", id=interview_id)
        if not rows:
            return None
        r, p = rows[0]["i"], rows[0]["p"]
        turns = tuple(Turn(index=t.index, speaker=t.speaker,
                           speaker_role=t.speaker_role,  # type: ignore[arg-type]
                           start=t.start, end=t.end, text=t.text, time_start=t.time_start,
                           time_end=t.time_end) for t in self.turns_of(interview_id))
        return Interview(
            id=r["id"], title=r.get("title"), source_path=r.get("source_path"),
            content_hash=r.get("content_hash"), text=r.get("text"),
            interviewee=Interviewee(pseudonym=p["pseudonym"], gender=p.get("gender"),
                                    nationality=p.get("nationality"), status=p.get("status"),
                                    role=p.get("role"), age=p.get("age")),
            turns=turns, date=r.get("date"), place=r.get("place"), language=r.get("language"),
            interviewer=r.get("interviewer"), medium=r.get("medium"),
            media_file=r.get("media_file"))

    def turns(self, turn_ids: list[str]) -> list[TurnRow]:
        rows = self._query(f"UNWIND $ids AS id MATCH (t:Turn {{id: id}}) RETURN {_TURN_FIELDS}",
                           ids=sorted(set(turn_ids)))
        return sorted((TurnRow(**r) for r in rows), key=lambda t: (t.interview_id, t.index))

    def turns_of(self, interview_id: str) -> list[TurnRow]:
        rows = self._query(f"MATCH (t:Turn) WHERE t.interview_id = $id RETURN {_TURN_FIELDS}",
                           id=interview_id)
        return sorted((TurnRow(**r) for r in rows), key=lambda t: t.index)

    def mention_counts(self) -> dict[str, int]:
        # Placeholders (UnresolvedEntity) count too, as SQLite counts every mention's entity id.
        rows = self._query("MATCH (:Turn)-[m:MENTIONS]->(e) RETURN e.id AS id, count(m) AS n")
        return {r["id"]: r["n"] for r in rows}

    def turn_roles(self) -> dict[str, str]:
        rows = self._query("MATCH (t:Turn) RETURN t.id AS id, t.speaker_role AS role")
        return {r["id"]: r["role"] for r in rows}

    def search_candidates(self, terms: list[str], limit: int) -> list[str]:
        if not terms:
            return []
        # Each term is a quoted Lucene phrase, so analyst input is never query syntax.
        query = " AND ".join(_lucene_phrase(t) for t in terms)
        rows = self._query("CALL db.index.fulltext.queryNodes('turn_text', $q) "
                           "YIELD node RETURN node.id AS id", q=query)
        return sorted(r["id"] for r in rows)[:limit]

    @staticmethod
    def _entity(r: dict[str, Any]) -> Entity:
        return Entity(id=r["id"], type=r["type"], name=r["name"],
                      aliases=tuple(r["aliases"] or ()), confidence=r["confidence"])

    _ENTITY_FIELDS = ("e.id AS id, e.type AS type, e.name AS name, e.aliases AS aliases, "
                      "e.confidence AS confidence")

    def entities(self, entity_type: str | None = None) -> list[Entity]:
        if entity_type:
            rows = self._query(f"MATCH (e:Entity) WHERE e.type = $type "
                               f"RETURN {self._ENTITY_FIELDS}", type=entity_type)
        else:
            rows = self._query(f"MATCH (e:Entity) RETURN {self._ENTITY_FIELDS}")
        return sorted((self._entity(r) for r in rows), key=lambda e: e.id)

    def entity(self, entity_id: str) -> Entity | None:
        rows = self._query(f"MATCH (e:Entity {{id: $id}}) RETURN {self._ENTITY_FIELDS}",
                           id=entity_id)
        return self._entity(rows[0]) if rows else None

    @staticmethod
    def _turn_scope(turn_ids: list[str] | None, interview_id: str | None,
                    rel: str, target: str) -> tuple[str, dict[str, Any]]:
        """The MATCH for facts of turns, anchored on the most selective filter given."""
        params: dict[str, Any] = {"interview_id": interview_id}
        if turn_ids is not None:
            params["turn_ids"] = sorted(set(turn_ids))
            head = "UNWIND $turn_ids AS tid MATCH (t:Turn {id: tid}) "
        elif interview_id is not None:
            head = "MATCH (t:Turn) WHERE t.interview_id = $interview_id "
        else:
            head = ""
        head += f"MATCH (t:Turn)-[r:{rel}]->({target}) "
        head += "WHERE ($interview_id IS NULL OR t.interview_id = $interview_id) "
        return head, params

    def mentions(self, *, entity_id: str | None = None, turn_ids: list[str] | None = None,
                 interview_id: str | None = None) -> list[MentionRow]:
        fields = ("RETURN t.id AS turn_id, t.interview_id AS interview_id, r.start AS start, "
                  "r.`end` AS end, r.surface AS surface, r.key AS key, r.type AS type, "
                  "e.id AS entity_id, r.method AS method, r.confidence AS confidence, "
                  "r.seq AS seq")
        if entity_id is not None and turn_ids is None:
            cypher = (_ENTITY_BY_ID + "MATCH (t:Turn)-[r:MENTIONS]->(e) "
                      "WHERE ($interview_id IS NULL OR t.interview_id = $interview_id) " + fields)
            params: dict[str, Any] = {"entity_id": entity_id, "interview_id": interview_id}
        else:
            head, params = self._turn_scope(turn_ids, interview_id, "MENTIONS",
                                            "e:Entity|UnresolvedEntity")
            if entity_id is not None:
                head += "AND e.id = $entity_id "
                params["entity_id"] = entity_id
            cypher = head + fields
        rows = self._query(cypher, **params)
        rows.sort(key=lambda r: (r["interview_id"], r["start"], r["end"], r["key"], r["seq"]))
        return [MentionRow(**{k: v for k, v in r.items() if k != "seq"}) for r in rows]

    def themes(self, *, turn_ids: list[str] | None = None, theme: str | None = None,
               interview_id: str | None = None) -> list[ThemeRow]:
        fields = ("RETURN t.id AS turn_id, t.interview_id AS interview_id, th.code AS theme, "
                  "r.start AS start, r.`end` AS end, r.evidence AS evidence, r.by AS by, "
                  "r.confidence AS confidence, r.seq AS seq")
        if theme is not None and turn_ids is None and interview_id is None:
            cypher = "MATCH (th:Theme {code: $theme})<-[r:CODED_AS]-(t:Turn) " + fields
            params: dict[str, Any] = {"theme": theme}
        else:
            head, params = self._turn_scope(turn_ids, interview_id, "CODED_AS", "th:Theme")
            if theme is not None:
                head += "AND th.code = $theme "
                params["theme"] = theme
            cypher = head + fields
        rows = self._query(cypher, **params)
        rows.sort(key=lambda r: (r["interview_id"], r["start"], r["end"], r["theme"], r["seq"]))
        return [ThemeRow(**{k: v for k, v in r.items() if k != "seq"}) for r in rows]

    def links(self, *, entity_id: str | None = None) -> list[LinkRow]:
        fields = ("RETURN DISTINCT type(l) AS type, startNode(l).id AS source_id, "
                  "endNode(l).id AS target_id, l.turn_id AS turn_id, "
                  "l.interview_id AS interview_id, l.start AS start, l.`end` AS end, "
                  "l.seq AS seq")
        if entity_id is None:
            rows = self._query(f"MATCH ()-[l:{_LINKS}]->() " + fields)
        else:
            rows = self._query(_ENTITY_BY_ID + f"MATCH (e)-[l:{_LINKS}]-() " + fields,
                               entity_id=entity_id)
        rows.sort(key=lambda x: (x["interview_id"], x["start"], x["type"], x["source_id"],
                                 x["target_id"], x["seq"]))
        return [LinkRow(**{k: v for k, v in r.items() if k != "seq"}) for r in rows]
