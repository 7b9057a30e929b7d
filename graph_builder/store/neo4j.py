"""The server store: Neo4j 5 over Bolt, the same contract and the same answers as SQLite.

Every analyst question is one or a few Cypher statements over indexes and over aggregates the
store keeps up to date when it writes, read one page at a time through `execute_read` in READ
access mode (with a neo4j:// URI the driver routes them to a cluster's secondaries or an Aura
read replica). The graph, generated from schemas/graph.yaml:

    (:Interviewee)-[:GAVE]->(:Interview {..., interviewee, turns,
                                         pair_a, pair_b, pair_turns, pair_testimony})
    (:Interview)-[:HAS_TURN]->(:Turn {..., search_text})
    (:Turn)-[:MENTIONS {start, end, surface, key, type, method, confidence, canonical_hint,
                        speaker_role, stance, sentence_start, sentence_end,
                        entity_id, interview_id, seq}]->(:Entity:<Label>)
    (:Turn)-[:CODED_AS {start, end, evidence, by, confidence, interview_id, seq}]->(:Theme)
    (:Entity)-[:HELD_ROLE|MEMBER_OF|... {turn_id, interview_id, speaker_role, start, end,
                                          source_key, target_key}]->(:Entity)
  aggregates, kept at write time:
    (:Entity {mentions, testimony_mentions, interviews, testimony_interviews, interviewees,
              keys, confirmed, community, centrality, degree, forms})
    (:Entity)-[:NAMED_IN {mentions, testimony_mentions, testimony_turns,
                          first_interviewer_turn, first_interviewee_turn, best_stance}]
        ->(:Interview)                            one per entity and interview
    (:Entity)-[:CO_MENTIONED {a, b, turns, testimony_turns, interviews,
                              testimony_interviews}]->(:Entity)   one per pair, a < b
    (:Entity)-[:ATTESTED_BY {interviews}]->(:Interviewee)  interviews whose interviewee
                                                  names the entity in his own turns
  the resolver's bookkeeping:
    (:MentionKey {key, type, block, skeleton, canonical_hint, mentions, interviews,
                  surface_forms, surface_counts, hint_values, hint_counts})
    (:MentionKey)-[:USED_IN {entity_id, mentions, interview_id}]->(:Interview)
    (:PendingKey {key}) (:ResolvedKey {key, base_key, entity_id})
    (:PossiblySame {a_key, b_key, a_base, b_base, a, b, score})
    (:CurationDecision {seq, decision})
    (:StoreMeta {name: 'writer', writes, seq, structure_at})  the writer lock, graph_version
    (:StoreMeta {name: 'schema', version})
    (:UnresolvedEntity {id})                      a placeholder end, see below
    (:Entity:Event)-[:HAPPENED_ON {date, ...}]->(:Date {id: "date:<iso>", date})

An interview's pairs of co-mentioned entities are four parallel lists on its node (written
and read whole with the interview, what the interview-filtered network sums), and are summed
into CO_MENTIONED, whose `a` and `b` carry the ends' ids so that updating a pair is one
composite-index seek, not an expansion of two hubs' relationships. MENTIONS carries
`entity_id` and `interview_id` so that a page of an entity's mentions is read from the page's
turns, never from a hub's ten thousand relationships.

How it keeps SQLite's answers (tests/test_store_contract.py asks every question of both):

- Writes compute what they write with the same helpers as sqlite.py (`mention_facts`,
  `interview_aggregates`, `_share`, `name_forms`) and follow it step for step: the same
  provisional entities, the same share of every aggregate added and taken away (summed per
  transaction: the end state is the same), the same keys marked pending, the same scoped
  resolution moving only what an entry's change moves.
- Where SQLite keeps an id that names no entity row (a link end whose key nobody mentions,
  a mention a resolution moves to an id it does not define), the relationship ends on an
  `(:UnresolvedEntity {id})` placeholder, which no read of entities counts.
- `seq` numbers mentions and theme codes in the order SQLite inserts its rows: ties that
  SQLite leaves in rowid order (identical spans) come in that order here too.
- Lists that are not paged are sorted in Python on the same keys as SQLite. Paged answers
  are ordered in Cypher; Java orders strings by UTF-16 code unit where SQLite orders by code
  point, which differs only between characters above U+FFFF and those in U+E000..U+FFFF.
- Search finds the same turns as FTS5: the full-text index reads `Turn.search_text`, the
  turn's words folded exactly as queries/ folds a query (queries.text.search_text), with the
  `whitespace` analyzer (Lucene's standard analyzers drop stop words and split differently);
  the ranking is Lucene's score.

Writes are managed transactions (`session.execute_write`, retried on transient errors; each
retry starts from scratch): one per interview, one per resolution, values always parameters,
rows batched in `UNWIND`. Labels and relationship types come only from the schema: fixed ones
are written into the statements at import time after a check, and an entity's label or a
link's type travels as a parameter (Neo4j 5.26 dynamic labels, `$(...)`) only after Python
checked it against the schema. The driver's cost is per record (~40 us each on loopback) and
per value (~1.5 us), not per byte: a statement answering many rows returns one record
holding them as a list, and the largest answers (a view's edges) come as one string a row.
"""
from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, TypeVar

import neo4j
from neo4j import GraphDatabase, ManagedTransaction
from neo4j.exceptions import (AuthError, ClientError, ConfigurationError, DriverError,
                              Neo4jError, ServiceUnavailable, SessionExpired)

from graph_builder.embeddings import DIMENSIONS
from graph_builder.errors import StoreUnavailable
from graph_builder.keys import block, key_type, name_part, skeleton, word_prefixes
from graph_builder.model import (Entity, ExtractedInterview, Interview, Interviewee,
                                 Resolution, Turn)
from graph_builder.stance import STANCE_RANK
from graph_builder.store.base import (ALIAS_LIMIT, EntityInInterview, EntitySummary,
                                      InterviewSummary, KeyInfo, KeyUsage, LinkRow, MentionRow, TimelineItem, ENTITY_LINKS, RelationData, RelationEdge,
                                      NamedIn, NetworkData, NetworkEdge, NetworkNode,
                                      NetworkQuery, Page, PairIn, ScoredTurn, SourceRow,
                                      Subject, SupportRow, TextMatch, ThemeRow, TurnFilter,
                                      TurnRow, entity_for, interview_share, InterviewShare,
                                      mention_facts, mirror_of, name_forms, neighbourhood_of,
                                      scope_base, support_rows, usage_of)
from queries.text import search_text
from schemas import (ENTITY_TYPES, LINK_TYPES, SPEAKER_ROLES, entity_label, graph_schema,
                     load_codebook)

T = TypeVar("T")

SCHEMA_VERSION: int = graph_schema()["version"]
BATCH = 2_000  # rows per UNWIND statement; one transaction still holds all of an interview
_IDENTIFIER = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
_LUCENE_SPECIAL = re.compile(r'([+\-!(){}\[\]^"~*?:\\/&|\s])')
_UNMARKED = STANCE_RANK["unmarked"]
_NO_TURN = 9223372036854775807  # SQLite's coalesce() bound for "no interviewee turn"
_NO_CAP = 2 ** 31 - 1  # a list slice's bound that cuts nothing (Cypher takes 32-bit ints there)
# The full-text indexes and the properties each reads (a changed definition is rebuilt).
_FULLTEXT = {"turn_text": ["search_text", "speaker_role"], "entity_forms": ["forms"]}

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


def _props(section: str, name: str) -> list[str]:
    return [_ident(p) for p in graph_schema()[section][name]["properties"]]


_TYPE_LABELS = ":".join(_label_of(t) for t in ENTITY_TYPES)  # Person:Place:Organization:...
_LINK_TYPES = [_link_type(t) for t in LINK_TYPES]
_LINKS = "|".join(_LINK_TYPES)  # HELD_ROLE|MEMBER_OF|...
# Entity aggregates a new entity row starts from (SQLite's INSERT ... 0,0,0,0,0,0).
_ZERO_COUNTS = ("mentions", "testimony_mentions", "interviews", "testimony_interviews",
                "interviewees", "degree")
for _p in (*_ZERO_COUNTS, "forms", "keys", "confirmed", "community", "centrality"):
    assert _p in _props("nodes", "Entity"), f"schemas/graph.yaml lost Entity.{_p}"
for _p in ("mentions", "testimony_mentions", "testimony_turns", "first_interviewer_turn",
           "first_interviewee_turn", "best_stance"):
    assert _p in _props("relationships", "NAMED_IN"), f"schemas/graph.yaml lost NAMED_IN.{_p}"
for _p in ("turns", "testimony_turns", "interviews", "testimony_interviews"):
    assert _p in _props("relationships", "CO_MENTIONED"), f"schemas/graph.yaml lost CO_MENTIONED.{_p}"


def key_lower(key: str) -> str:
    """The provisional entity of a key no resolution names (the contract's `key.lower()`)."""
    return key.lower()


def _lucene_phrase(words: Sequence[str]) -> str:
    return '"' + " ".join(w.replace("\\", "\\\\").replace('"', '\\"') for w in words) + '"'


def lucene_query(match: TextMatch, roles: Sequence[str] = SPEAKER_ROLES) -> str:
    """The Lucene expression of a TextMatch (as sqlite.fts_query): every required phrase, or
    any alternative, in the turn's words; and, unless every role is asked for, one of the
    speaker roles (the index's second field, so Lucene filters and counts on its own). Every
    word is inside a quoted phrase, so no input is query syntax."""
    parts = []
    if match.required:
        parts.append("(" + " AND ".join(_lucene_phrase(p) for p in match.required) + ")")
    parts += [_lucene_phrase(p) for p in match.alternatives[:ALIAS_LIMIT]]
    text = "search_text:(" + " OR ".join(parts) + ")"
    if set(roles) >= set(SPEAKER_ROLES):
        return text
    return (f"{text} AND speaker_role:("
            + " OR ".join(_lucene_phrase([r]) for r in sorted(set(roles))) + ")")


def _lucene_prefix(word: str) -> str:
    """A prefix query for one folded word, its special characters escaped."""
    return _LUCENE_SPECIAL.sub(r"\\\1", word) + "*"


def _batches(rows: Sequence[T], size: int = BATCH) -> Iterator[Sequence[T]]:
    for i in range(0, len(rows), size):
        yield rows[i:i + size]


def _float(x: float | int | None) -> float | None:
    return None if x is None else float(x)


def _node(var: str, id_expr: str, *, required: bool = True) -> str:
    """Cypher binding `var` to the Entity, the placeholder or the Date with id `id_expr` (an
    id names at most one of them); rows without any go when `required`."""
    return (f"OPTIONAL MATCH (x_{var}:Entity {{id: {id_expr}}}) "
            f"OPTIONAL MATCH (u_{var}:UnresolvedEntity {{id: {id_expr}}}) "
            f"OPTIONAL MATCH (d_{var}:Date {{id: {id_expr}}}) "
            f"WITH *, coalesce(x_{var}, u_{var}, d_{var}) AS {var} "
            + (f"WHERE {var} IS NOT NULL " if required else ""))


def _union(template: str) -> str:
    """One branch per link type of the schema (`{T}` in `template`), joined by UNION: a
    relationship property index serves one type only."""
    return " UNION ".join(template.replace("{T}", t) for t in _LINK_TYPES)


# --- Cypher ---------------------------------------------------------------------------------
# Every statement is a constant built from the schema at import time; values are parameters.
# Rows of large batches travel as lists, not maps: the driver packs every map key of every
# row, and on an interview of a few hundred rows that costs more than the server's work. The
# column order is in the comment above each statement.

# The writer lock (one writer at a time, like SQLite's BEGIN IMMEDIATE), the write counter
# (graph_version) and `seq` numbers reserved for the rows this transaction inserts.
_LOCK = """
MERGE (w:StoreMeta {name: 'writer'})
SET w.writes = coalesce(w.writes, 0) + $bump, w.seq = coalesce(w.seq, 0) + $reserve
RETURN w.seq - $reserve AS first
"""

# What an interview's old version points at beyond its share: its interviewee, link ends.
_OLD_VERSION = """
OPTIONAL MATCH (i:Interview {id: $id})
RETURN i IS NOT NULL AS found, i.interviewee AS pseudonym,
       COLLECT { """ + _union("MATCH (s)-[:{T} {interview_id: $id}]->() RETURN s.id AS end "
                              "UNION MATCH ()-[:{T} {interview_id: $id}]->(o) RETURN o.id AS end"
                              ) + """ } AS ends
"""
# Interviews' mentions in write order, what an interview's share is computed from
# (sqlite._share: NAMED_IN, pairs, and per key its mentions, entity, spellings and hints).
_SHARE_ROWS = """
UNWIND $ids AS iv
MATCH (t:Turn {interview_id: iv})-[m:MENTIONS]->(e)
WITH iv, m, [e.id, t.index, t.id, m.speaker_role, m.stance, m.key, m.surface, m.canonical_hint,
             m.method]
     AS row
ORDER BY m.seq
RETURN collect([iv, row]) AS rows
"""
_PSEUDONYMS = ("UNWIND $ids AS iv MATCH (i:Interview {id: iv}) "
               "RETURN collect([i.id, i.interviewee]) AS rows")

_DELETE_OLD = "\n".join([
    "CALL () { MATCH (t:Turn {interview_id: $id}) DETACH DELETE t }",
    *[f"CALL () {{ MATCH ()-[l:{t} {{interview_id: $id}}]->() DELETE l }}" for t in _LINK_TYPES],
    "CALL () { MATCH (i:Interview {id: $id}) DETACH DELETE i }",
])

# Add (or take away) pairs to CO_MENTIONED; a pair counting no turn goes (SQLite deletes its
# row). $rows: [a, b, turns, testimony turns, interviews, testimony interviews]
_ADD_PAIRS = """
UNWIND $rows AS row
OPTIONAL MATCH ()-[c:CO_MENTIONED {a: row[0], b: row[1]}]->()
CALL (row, c) {
  WITH row, c WHERE c IS NOT NULL
  SET c.turns = c.turns + row[2], c.testimony_turns = c.testimony_turns + row[3],
      c.interviews = c.interviews + row[4],
      c.testimony_interviews = c.testimony_interviews + row[5]
  WITH c WHERE c.turns <= 0
  DELETE c
}
CALL (row, c) {
  WITH row, c WHERE c IS NULL AND row[2] > 0
  """ + _node("a", "row[0]", required=False) + _node("b", "row[1]", required=False) + """
  CREATE (a)-[:CO_MENTIONED {a: row[0], b: row[1], turns: row[2], testimony_turns: row[3],
                             interviews: row[4], testimony_interviews: row[5]}]->(b)
}
"""

# CREATE, not MERGE, for turns: two turns with one index fail on the Turn.id constraint, as
# they do on SQLite's UNIQUE column.
# $turns: [id, index, speaker, speaker_role, start, end, text, time_start, time_end, search_text]
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
UNWIND $turns AS row
""" + _TURN
_CREATE_TURNS = "MATCH (i:Interview {id: $id}) UNWIND $turns AS row" + _TURN

# Provisional entities for a new interview's mentions: an entity that exists stays as it is
# (SQLite's INSERT ... ON CONFLICT DO NOTHING); a placeholder with the id becomes the entity.
# $rows: [id, label, type, name, aliases, forms]
_PROVISIONAL = """
UNWIND $rows AS row
OPTIONAL MATCH (x:Entity {id: row[0]})
WITH row, x WHERE x IS NULL
OPTIONAL MATCH (u:UnresolvedEntity {id: row[0]})
FOREACH (_ IN CASE WHEN u IS NULL THEN [] ELSE [1] END | REMOVE u:UnresolvedEntity SET u:Entity)
MERGE (e:Entity {id: row[0]})
SET e:$(row[1]), e.type = row[2], e.name = row[3], e.aliases = row[4], e.confidence = 1.0,
    e.forms = row[5], e.keys = 1, e.confirmed = 0, """ + ", ".join(
    f"e.{c} = 0" for c in _ZERO_COUNTS) + """
RETURN collect(row[0]) AS rows
"""

# The resolution's entities replace those with their ids (type, name, aliases, confidence,
# forms, keys, confirmed); counts stay, and start at 0 for an entity that had no row.
# $rows: maps {id, label, type, name, aliases, confidence, forms, keys, confirmed}
_STORED_ENTITIES = ("UNWIND $ids AS id MATCH (e:Entity {id: id}) RETURN collect([e.id, e.type, "
                    "e.name, e.aliases, e.confidence, e.keys, e.confirmed]) AS rows")
_UPSERT_ENTITIES = """
UNWIND $rows AS row
OPTIONAL MATCH (x:Entity {id: row.id})
OPTIONAL MATCH (u:UnresolvedEntity {id: row.id})
FOREACH (_ IN CASE WHEN x IS NULL AND u IS NOT NULL THEN [1] ELSE [] END |
  REMOVE u:UnresolvedEntity SET u:Entity)
MERGE (e:Entity {id: row.id})
FOREACH (_ IN CASE WHEN x IS NULL THEN [1] ELSE [] END | SET """ + ", ".join(
    f"e.{c} = 0" for c in _ZERO_COUNTS) + f""")
REMOVE e:{_TYPE_LABELS}
SET e:$(row.label), e.type = row.type, e.name = row.name, e.aliases = row.aliases,
    e.confidence = row.confidence, e.forms = row.forms, e.keys = row.keys,
    e.confirmed = row.confirmed
RETURN collect(CASE WHEN x IS NULL THEN row.id END) AS rows
"""

# $rows: [turn id, entity id, start, end, surface, key, type, method, confidence,
#         canonical hint, speaker role, stance, sentence start, sentence end, row number]
_CREATE_MENTIONS = """
UNWIND $rows AS row
MATCH (t:Turn {id: row[0]})
MATCH (e:Entity {id: row[1]})
CREATE (t)-[:MENTIONS {entity_id: row[1], interview_id: $id, start: row[2], end: row[3],
  surface: row[4], key: row[5], type: row[6], method: row[7], confidence: row[8],
  canonical_hint: row[9], speaker_role: row[10], stance: row[11], sentence_start: row[12],
  sentence_end: row[13], seq: $first + row[14]}]->(e)
RETURN count(*) AS n
"""

# $rows: [turn id, theme, start, end, evidence, by, confidence, row number]
_CREATE_CODES = """
UNWIND $rows AS row
MATCH (t:Turn {id: row[0]})
MERGE (th:Theme {code: row[1]})
CREATE (t)-[:CODED_AS {interview_id: $id, start: row[2], end: row[3], evidence: row[4],
  by: row[5], confidence: row[6], seq: $first + row[7]}]->(th)
RETURN count(*) AS n
"""

# A placeholder for each id no entity holds (link ends, mentions a resolution moves).
_ENSURE_NODES = """
UNWIND $ids AS id
OPTIONAL MATCH (x:Entity {id: id})
WITH id, x WHERE x IS NULL
CALL (id) { WITH id WHERE id STARTS WITH 'date:' MERGE (:Date {id: id, date: substring(id, 5)}) }
CALL (id) { WITH id WHERE NOT id STARTS WITH 'date:' MERGE (:UnresolvedEntity {id: id}) }
"""

# $rows: [type, source key, target key, source id, target id, turn id, speaker role, start, end,
#         date]
_CREATE_LINKS = """
UNWIND $rows AS row
""" + _node("s", "row[3]") + _node("o", "row[4]") + """
CREATE (s)-[:$(row[0]) {source_key: row[1], target_key: row[2], turn_id: row[5],
  interview_id: $interview_id, speaker_role: row[6], start: row[7], end: row[8], date: row[9]}]->(o)
RETURN count(*) AS n
"""

# $rows: [interview id, entity id, mentions, testimony mentions, testimony turns,
#         first interviewer turn, first interviewee turn, best stance]
_CREATE_NAMED_IN = """
UNWIND $rows AS row
MATCH (i:Interview {id: row[0]})
""" + _node("e", "row[1]") + """
CREATE (e)-[:NAMED_IN {mentions: row[2], testimony_mentions: row[3], testimony_turns: row[4],
  first_interviewer_turn: row[5], first_interviewee_turn: row[6], best_stance: row[7]}]->(i)
RETURN count(*) AS n
"""
# $rows: [interview id, entity id]
_DELETE_NAMED_IN = """
UNWIND $rows AS row
MATCH (e)-[n:NAMED_IN]->(:Interview {id: row[0]}) WHERE e.id = row[1]
DELETE n
"""

# An interview's share of the per-entity counts, added or taken away (existing entities).
# $rows: [id, mentions, testimony mentions, interviews, testimony interviews, interviewees]
_ENTITY_DELTAS = """
UNWIND $rows AS row
MATCH (e:Entity {id: row[0]})
SET e.mentions = e.mentions + row[1], e.testimony_mentions = e.testimony_mentions + row[2],
    e.interviews = e.interviews + row[3], e.testimony_interviews = e.testimony_interviews + row[4],
    e.interviewees = e.interviewees + row[5]
"""
# A new entity row takes the counts its mentions already carry (SQLite's _recount).
_RECOUNT = """
UNWIND $ids AS id
MATCH (e:Entity {id: id})
CALL (e) {
  OPTIONAL MATCH (e)-[n:NAMED_IN]->()
  RETURN coalesce(sum(n.mentions), 0) AS mentions,
         coalesce(sum(n.testimony_mentions), 0) AS testimony, count(n) AS interviews,
         count(CASE WHEN n.testimony_mentions > 0 THEN 1 END) AS testimony_interviews
}
SET e.mentions = mentions, e.testimony_mentions = testimony, e.interviews = interviews,
    e.testimony_interviews = testimony_interviews,
    e.interviewees = COUNT { (e)-[:ATTESTED_BY]->(:Interviewee) }
"""
# Interviewees per entity (sqlite entity_interviewee): how many of an interviewee's
# interviews name the entity in his own turns. $rows: [entity id, pseudonym, change]
_ATTEST = """
UNWIND $rows AS row
""" + _node("e", "row[0]") + """
MATCH (p:Interviewee {pseudonym: row[1]})
OPTIONAL MATCH (e)-[a:ATTESTED_BY]->(p)
WITH e, p, a, row, coalesce(a.interviews, 0) AS before
CALL (e, p, a, row, before) {
  WITH * WHERE a IS NULL AND before + row[2] > 0
  CREATE (e)-[:ATTESTED_BY {interviews: before + row[2]}]->(p)
}
CALL (a, row, before) {
  WITH * WHERE a IS NOT NULL AND before + row[2] > 0
  SET a.interviews = before + row[2]
}
CALL (a, row, before) {
  WITH * WHERE a IS NOT NULL AND before + row[2] <= 0
  DELETE a
}
RETURN collect([row[0], before, before + row[2]]) AS rows
"""
# Entities whose last mention went leave the store: they go, or step down to a placeholder
# where a link still ends on them.
_DROP_UNMENTIONED = f"""
UNWIND $ids AS id
MATCH (e:Entity {{id: id}}) WHERE e.mentions <= 0
CALL (e) {{
  WITH e WHERE EXISTS {{ (e)--() }}
  REMOVE e:Entity:{_TYPE_LABELS}
  SET e = {{id: e.id}}, e:UnresolvedEntity
}}
CALL (e) {{ WITH e WHERE e:Entity DELETE e }}
"""
_PRUNE_PLACEHOLDERS = """
UNWIND $ids AS id
CALL (id) { MATCH (u:UnresolvedEntity {id: id}) WHERE NOT EXISTS { (u)--() } DELETE u }
CALL (id) { MATCH (d:Date {id: id}) WHERE NOT EXISTS { (d)--() } DELETE d }
"""
_PRUNE_INTERVIEWEES = """
UNWIND $pseudonyms AS pseudonym
MATCH (p:Interviewee {pseudonym: pseudonym}) WHERE NOT EXISTS { (p)-[:GAVE]->() }
DELETE p
"""

# The resolver's per-key nodes (sqlite mention_key, key_interview, key_surface, key_hint):
# (:MentionKey)-[:USED_IN {entity_id, mentions, interview_id}]->(:Interview) per key and interview;
# counts, spellings and hints on the key, moved by each interview's share.
# $rows: [key, entity id, mentions, type, block, skeleton]
_CREATE_SENTENCE_VECTORS = """
UNWIND $rows AS r
CREATE (:SentenceVector {turn_id: r[0], interview_id: $id, start: r[1], end: r[2], vector: r[3]})
"""


def vector_list(blob: bytes) -> list[float]:
    """An int8 vector (graph_builder/embeddings.py) as the unit floats Neo4j indexes."""
    from graph_builder.embeddings import from_bytes

    return [float(x) for x in from_bytes([blob])[0]]


_CREATE_KEY_USE = """
MATCH (i:Interview {id: $id})
UNWIND $rows AS row
MERGE (k:MentionKey {key: row[0]})
ON CREATE SET k.type = row[3], k.block = row[4], k.skeleton = row[5], k.mentions = 0,
              k.interviews = 0, k.surface_forms = [], k.surface_counts = [],
              k.hint_values = [], k.hint_counts = []
CREATE (k)-[:USED_IN {entity_id: row[1], mentions: row[2], interview_id: $id}]->(i)
"""
_KEY_STATE = """
UNWIND $keys AS key
MATCH (k:MentionKey {key: key})
RETURN collect(k {.key, .mentions, .interviews, surfaces: k.surface_forms,
                 surface_counts: k.surface_counts, hints: k.hint_values,
                 hint_counts: k.hint_counts}) AS rows
"""
# $rows: [key, mentions, interviews, surfaces, their counts, hints, their counts, canonical hint]
_SET_KEYS = """
UNWIND $rows AS row
MATCH (k:MentionKey {key: row[0]})
SET k.mentions = row[1], k.interviews = row[2], k.surface_forms = row[3],
    k.surface_counts = row[4], k.hint_values = row[5], k.hint_counts = row[6],
    k.canonical_hint = row[7]
"""
_DELETE_KEYS = "UNWIND $keys AS key MATCH (k:MentionKey {key: key}) DETACH DELETE k"
_PENDING = "UNWIND $keys AS key MERGE (:PendingKey {key: key})"

# --- resolution -----------------------------------------------------------------------------

_SCOPE_ALL = ("CALL () { MATCH (k:MentionKey) RETURN k.key AS key "
              "UNION MATCH (r:ResolvedKey) RETURN r.base_key AS key } RETURN collect(key) AS rows")
_OLD_ENTRIES = ("UNWIND $scope AS k MATCH (r:ResolvedKey {base_key: k}) "
                "RETURN collect([r.key, r.base_key, r.entity_id]) AS rows")
_DELETE_RESOLVED = "UNWIND $keys AS k MATCH (r:ResolvedKey {key: k}) DELETE r"
# CREATE: an entry outside the scope with the same key fails on the constraint, as SQLite's
# primary key does. $rows: [key, base key, entity id]
_CREATE_RESOLVED = ("UNWIND $rows AS row "
                    "CREATE (:ResolvedKey {key: row[0], base_key: row[1], entity_id: row[2]})")
# The stored entries a mention of key k reads: k itself and every "k@<interview>".
_ENTRIES_OF = """
UNWIND $keys AS k
OPTIONAL MATCH (r:ResolvedKey {key: k})
RETURN collect([k, r.entity_id, COLLECT { MATCH (o:ResolvedKey) WHERE o.key STARTS WITH k + '@'
                                           RETURN [o.key, o.entity_id] }]) AS rows
"""
_ENTRIES = ("UNWIND $keys AS k MATCH (r:ResolvedKey {key: k}) "
            "RETURN collect([r.key, r.entity_id]) AS rows")

# Where each key's mentions point in each interview (one row per key and interview).
_KEY_USES = ("UNWIND $keys AS key MATCH (:MentionKey {key: key})-[u:USED_IN]->() "
             "RETURN collect([key, u.interview_id, u.entity_id]) AS rows")
# Relationship ends cannot move: a moved mention or link is created anew with its properties.
# $rows: [key, interview id, new entity id]
_MOVE_MENTIONS = """
UNWIND $rows AS row
""" + _node("e", "row[2]") + """
MATCH (t:Turn {interview_id: row[1]})-[m:MENTIONS]->()
WHERE m.key = row[0]
CREATE (t)-[n:MENTIONS]->(e)
SET n = properties(m), n.entity_id = row[2]
DELETE m
"""
_SET_KEY_USES = ("UNWIND $rows AS row MATCH (:MentionKey {key: row[0]})-[u:USED_IN]->"
                 "(:Interview {id: row[1]}) SET u.entity_id = row[2]")
_SCOPE_LINKS = "CALL () { " + _union(
    "UNWIND $scope AS k MATCH (s)-[l:{T} {source_key: k}]->(o) RETURN l, s, o "
    "UNION UNWIND $scope AS k MATCH (s)-[l:{T} {target_key: k}]->(o) RETURN l, s, o") + """ }
RETURN collect({rid: elementId(l), sk: l.source_key, tk: l.target_key, iv: l.interview_id,
                sid: s.id, tid: o.id}) AS rows
"""
# $rows: [relationship element id, new source id, new target id]
_MOVE_LINKS = """
UNWIND $rows AS row
MATCH ()-[l]->() WHERE elementId(l) = row[0]
""" + _node("s", "row[1]") + _node("o", "row[2]") + """
CREATE (s)-[n:$(type(l))]->(o)
SET n = properties(l)
DELETE l
RETURN count(*) AS n
"""
_OLD_NAMED_IN = """
UNWIND $ids AS iv
MATCH (e)-[n:NAMED_IN]->(:Interview {id: iv})
RETURN collect([iv, [e.id, n.mentions, n.testimony_mentions, n.testimony_turns,
                     n.first_interviewer_turn, n.first_interviewee_turn, n.best_stance]]) AS rows
"""
# $rows: [interview id, pair_a, pair_b, pair_turns, pair_testimony]
_SET_PAIRS = """
UNWIND $rows AS row
MATCH (i:Interview {id: row[0]})
SET i.pair_a = row[1], i.pair_b = row[2], i.pair_turns = row[3], i.pair_testimony = row[4]
"""
# $rows: [a key, b key]
_PAIRS_OF = ("UNWIND $rows AS row MATCH (p:PossiblySame {a_key: row[0], b_key: row[1]}) "
             "RETURN collect(p {pid: elementId(p), .a_key, .b_key, .a_base, .b_base, .a, .b, "
             ".score}) AS rows")
_DELETE_PAIRS = ("UNWIND $rows AS row MATCH (p:PossiblySame {a_key: row[0], b_key: row[1]}) "
                 "DELETE p")
# $rows: [a key, b key, a base, b base, a, b, score]
_PUT_PAIRS = """
UNWIND $rows AS row
MERGE (p:PossiblySame {a_key: row[0], b_key: row[1]})
SET p.a_base = row[2], p.b_base = row[3], p.a = row[4], p.b = row[5], p.score = row[6]
"""
_SCOPE_PAIRS = """
CALL () {
  UNWIND $scope AS k MATCH (p:PossiblySame {a_base: k}) RETURN p
  UNION UNWIND $scope AS k MATCH (p:PossiblySame {b_base: k}) RETURN p
}
RETURN collect(p {pid: elementId(p), .a_key, .b_key, .a_base, .b_base, .a, .b, .score}) AS rows
"""
_SETTLE = "UNWIND $keys AS k MATCH (p:PendingKey {key: k}) DELETE p"

# --- reads ----------------------------------------------------------------------------------

_TURN_FIELDS = ("t {.id, .interview_id, .index, .speaker, .speaker_role, .start, .end, .text, "
                ".time_start, .time_end}")
_SUMMARY_FIELDS = ("{id: i.id, title: i.title, pseudonym: p.pseudonym, "
                   "source_path: i.source_path, content_hash: i.content_hash, date: i.date, "
                   "place: i.place, medium: i.medium, media_file: i.media_file, "
                   "gender: p.gender, nationality: p.nationality, status: p.status, "
                   "role: p.role, turns: i.turns}")
_ENTITY_FIELDS = ("e {.id, .type, .name, .aliases, .confidence, .mentions, .testimony_mentions, "
                  ".interviews, .testimony_interviews, .interviewees, .keys, .confirmed, "
                  ".community, .centrality, .degree}")
_MENTION_FIELDS = ("{turn_id: t.id, interview_id: m.interview_id, start: m.start, end: m.end, "
                   "surface: m.surface, key: m.key, type: m.type, entity_id: e.id, "
                   "method: m.method, confidence: m.confidence, speaker_role: m.speaker_role, "
                   "stance: m.stance, sentence_start: m.sentence_start, "
                   "sentence_end: m.sentence_end, seq: m.seq}")
_THEME_FIELDS = ("{turn_id: t.id, interview_id: t.interview_id, theme: th.code, start: c.start, "
                 "end: c.end, evidence: c.evidence, by: c.by, confidence: c.confidence, "
                 "seq: c.seq}")
_LINK_FIELDS = ("type(l) AS type, s.id AS source_id, o.id AS target_id, l.turn_id AS turn_id, "
                "l.interview_id AS interview_id, l.start AS start, l.end AS end, l.date AS date")
_LINK_ORDER = "ORDER BY interview_id, start, type, source_id, target_id, turn_id, end"

# The turns that support a subject (SourceRow, SupportRow): an entity's interviewee turns;
# for a link, interviewee turns naming both entities or attesting a typed link between them.
# Each with the stance and start of the subject's mention quoted there: the one with the
# strongest stance, the first such (sqlite._support_turns). Rows: t, iv, stance, start.
_SUPPORT_ENTITY = _node("e", "$a") + """
MATCH (e)<-[m:MENTIONS]-(t:Turn)
WHERE m.speaker_role = 'interviewee'
WITH t, m, coalesce($ranks[m.stance], $unmarked) AS rank
ORDER BY rank DESC, m.start, m.end, m.key
WITH t, head(collect(m)) AS m
WITH t, m.stance AS stance, m.start AS start, m.interview_id AS iv
"""
_LINK_TURNS = _node("e", "$a") + _node("f", "$b") + f"""
WITH e, f, COUNT {{ (e)<-[:MENTIONS]-() }} <= COUNT {{ (f)<-[:MENTIONS]-() }} AS rarer
WITH e, f, CASE WHEN rarer THEN e ELSE f END AS x, CASE WHEN rarer THEN f ELSE e END AS y
CALL (e, f, x, y) {{
  MATCH (x)<-[m:MENTIONS]-(t:Turn)
  WHERE m.speaker_role = 'interviewee' AND EXISTS {{ (t)-[:MENTIONS]->(y) }}
  RETURN t
  UNION
  MATCH (e)-[l:{_LINKS}]-(f) WHERE l.speaker_role = 'interviewee'
  MATCH (t:Turn {{id: l.turn_id}})
  RETURN t
}}
"""
_SUPPORT_LINK = _LINK_TURNS + """
CALL (t, e, f) {
  OPTIONAL MATCH (t)-[m:MENTIONS]->(x) WHERE x = e OR x = f
  WITH m, coalesce($ranks[m.stance], $unmarked) AS rank
  ORDER BY rank DESC, m.start, m.end, m.key LIMIT 1
  RETURN m.stance AS stance, m.start AS start
}
WITH t, stance, start, t.interview_id AS iv
"""
# The same for the interviews of some interviewees only (a page of sources).
_SUPPORT_ENTITY_OF = """
UNWIND $people AS who
MATCH (i:Interview {interviewee: who})
WITH collect(i.id) AS ivs
MATCH (t:Turn)-[m:MENTIONS]->()
WHERE m.entity_id = $a AND m.interview_id IN ivs AND m.speaker_role = 'interviewee'
WITH t, m, coalesce($ranks[m.stance], $unmarked) AS rank
ORDER BY rank DESC, m.start, m.end, m.key
WITH t, head(collect(m)) AS m
WITH t, m.stance AS stance, m.start AS start, m.interview_id AS iv
"""
# An entity's sources straight from NAMED_IN: one row per interview, not per mention (the
# strongest stance of an interview's turns is its NAMED_IN.best_stance).
_SOURCES_ENTITY = _node("e", "$a") + """
MATCH (e)-[n:NAMED_IN]->(i:Interview) WHERE n.testimony_mentions > 0
WITH i.interviewee AS pseudonym, max(n.best_stance) AS best, sum(n.testimony_turns) AS turns,
     collect(i.id) AS ivs
"""
# A link's sources: its supporting turns grouped by interview, then by interviewee.
_SOURCES_LINK = _SUPPORT_LINK + """
WITH iv, max(coalesce($ranks[stance], $unmarked)) AS best, count(*) AS turns
MATCH (i:Interview {id: iv})
WITH i.interviewee AS pseudonym, max(best) AS best, sum(turns) AS turns, collect(iv) AS ivs
"""
_SOURCES = """
WITH pseudonym, best, turns, ivs ORDER BY best DESC, pseudonym
WITH collect({pseudonym: pseudonym, best: best, turns: turns, ivs: ivs}) AS rows
RETURN size(rows) AS total, rows[$offset..$offset + $limit] AS page
"""
_STANCE_COUNTS = "WITH best, count(*) AS n RETURN collect([best, n]) AS rows"
_SUPPORTS_TAIL = """
MATCH (i:Interview {id: iv})
WITH t, stance, start, iv, i.interviewee AS pseudonym
WHERE $people IS NULL OR pseudonym IN $people
WITH t, stance, start, iv, pseudonym ORDER BY iv, t.id LIMIT $limit
RETURN collect({turn: """ + _TURN_FIELDS + """, stance: stance, start: start,
                pseudonym: pseudonym,
                spans: COLLECT { MATCH (t)-[m:MENTIONS]->() WHERE m.entity_id IN $ids
                                 RETURN m {.start, .end, .key, .sentence_start,
                                           .sentence_end} }}) AS rows
"""
_ATTESTING_TAIL = """
WITH t ORDER BY t.interview_id, t.index
WITH collect(t) AS ts
RETURN size(ts) AS total, [t IN ts[0..$limit] | """ + _TURN_FIELDS + """] AS turns
"""

# The search: the full-text index proposes and scores, the filters keep, one page returns
# with the total. Ties by interview id, then turn index, as on SQLite.
# No filter but speaker roles (in the query): Lucene ranks and counts; only the hits that can
# reach the page are sorted with their ties (those scoring at least the page's last score;
# Lucene returns hits best first), and only the page's turns are read.
_SEARCH = """
CALL db.index.fulltext.queryNodes('turn_text', $q) YIELD node, score
WITH collect([score, node]) AS hits
WITH size(hits) AS total, hits, hits[$offset + $limit - 1][0] AS cut
CALL (hits, cut) {
  UNWIND [h IN hits WHERE cut IS NULL OR h[0] >= cut] AS h
  WITH h[0] AS score, h[1] AS t
  ORDER BY score DESC, t.interview_id, t.index SKIP $offset LIMIT $limit
  RETURN collect(""" + _TURN_FIELDS + """) AS turns, collect(score) AS scores
}
RETURN total, turns, scores
"""
# With filters on the turn's interviewee, mentions or themes: every hit is checked.
_SEARCH_FILTERED = """
CALL () {
  OPTIONAL MATCH (i:Interview) WHERE $pseudonym IS NOT NULL AND i.interviewee = $pseudonym
  RETURN collect(i.id) AS ivs
}
CALL db.index.fulltext.queryNodes('turn_text', $q) YIELD node AS t, score
WHERE ($pseudonym IS NULL OR t.interview_id IN ivs)
  AND ($entity_type IS NULL OR EXISTS { (t)-[m:MENTIONS]->() WHERE m.type = $entity_type })
  AND ($theme IS NULL OR EXISTS { (t)-[:CODED_AS]->(:Theme {code: $theme}) })
WITH t, score ORDER BY score DESC, t.interview_id, t.index
WITH collect(t) AS ts, collect(score) AS scores
RETURN size(ts) AS total, [t IN ts[$offset..$offset + $limit] | """ + _TURN_FIELDS + """] AS turns,
       scores[$offset..$offset + $limit] AS scores
"""
_FIND_ENTITIES = f"""
CALL db.index.fulltext.queryNodes('entity_forms', $q) YIELD node AS e
WHERE $type IS NULL OR e.type = $type
WITH e ORDER BY e.mentions DESC, e.id
WITH collect(e) AS es
RETURN size(es) AS total, [e IN es[$offset..$offset + $limit] | {_ENTITY_FIELDS}] AS page
"""
# Every entity (of a type), most mentioned first: the range index gives the order, and only
# the page is read.
_ALL_ENTITIES = f"""
CALL () {{ MATCH (e:Entity) WHERE $type IS NULL OR e.type = $type RETURN count(e) AS total }}
CALL () {{
  MATCH (e:Entity) WHERE e.mentions >= 0 AND ($type IS NULL OR e.type = $type)
  WITH e ORDER BY e.mentions DESC, e.id SKIP $offset LIMIT $limit
  RETURN collect({_ENTITY_FIELDS}) AS page
}}
RETURN total, page
"""

# --- the network ----------------------------------------------------------------------------
# One statement per variant, chosen from constants (never a property name from input).
# testimony_only -> (per-entity count, per-entity interviews, per-pair weight, pair interviews,
# the interview's pair list of that weight)
_WEIGHTS = {True: ("testimony_mentions", "testimony_interviews", "testimony_turns",
                   "testimony_interviews", "pair_testimony"),
            False: ("mentions", "interviews", "turns", "interviews", "pair_turns")}
_NODE_FIELDS = ("{{id: e.id, name: e.name, type: e.type, n: {n}, ivs: {ivs}, "
                "community: e.community, centrality: e.centrality}}")


def _node_fields(n: str, ivs: str) -> str:
    return _NODE_FIELDS.format(n=n, ivs=ivs)


def _capped(rows: str) -> str:
    """The tail of a node query: the rows most named first (ties by id), capped, and their
    number before the cap."""
    return (f"ORDER BY n DESC, e.id WITH collect({rows}) AS rows "
            "RETURN size(rows) AS total, rows[0..$cap] AS nodes")


# The most named (the range index gives the order: only the page's entities are read).
_NETWORK_NODES = {t: f"""
CALL () {{
  MATCH (e:Entity) WHERE e.{c} > 0 AND ($types IS NULL OR e.type IN $types)
  RETURN count(e) AS total
}}
MATCH (e:Entity) WHERE e.{c} > 0 AND ($types IS NULL OR e.type IN $types)
WITH total, e ORDER BY e.{c} DESC, e.id LIMIT $cap
RETURN total, collect({_node_fields('e.' + c, 'e.' + i)}) AS nodes
""" for t, (c, i, *_) in _WEIGHTS.items()}
_NETWORK_ONLY = {t: f"""
UNWIND $only AS id
MATCH (e:Entity {{id: id}}) WHERE e.{c} > 0 AND ($types IS NULL OR e.type IN $types)
RETURN collect({_node_fields('e.' + c, 'e.' + i)}) AS nodes
""" for t, (c, i, *_) in _WEIGHTS.items()}
_NETWORK_NODES_IN = {t: f"""
UNWIND $ivs AS iv
MATCH (e:Entity)-[r:NAMED_IN]->(:Interview {{id: iv}})
WHERE r.{c} > 0 AND ($types IS NULL OR e.type IN $types)
WITH e, sum(r.{c}) AS n, count(*) AS ivs {_capped(_node_fields('n', 'ivs'))}
""" for t, (c, *_) in _WEIGHTS.items()}
_THEME_TURNS = """
MATCH (:Theme {code: $theme})<-[:CODED_AS]-(t:Turn)
WITH DISTINCT t WHERE $ivs IS NULL OR t.interview_id IN $ivs
MATCH (t)-[m:MENTIONS]->(e:Entity)
WHERE (NOT $testimony OR m.speaker_role = 'interviewee')
"""
_NETWORK_NODES_THEME = _THEME_TURNS + """
  AND ($types IS NULL OR e.type IN $types)
WITH e, count(*) AS n, count(DISTINCT m.interview_id) AS ivs
""" + _capped(_node_fields("n", "ivs"))

# Edges among the nodes of a view ($ids): each node's CO_MENTIONED, kept where the other end
# is one of the nodes (node identity, no property read). The driver's cost is per value
# returned, not per byte (~1.5 us a value on Bolt): an edge comes back as one string of
# "a b weight interviews", a and b positions in $ids ($pos), decoded by `_edge_strings`.
_NETWORK_EDGES = {t: f"""
MATCH (x:Entity) WHERE x.id IN $ids
WITH collect(x) AS ns
UNWIND ns AS a
MATCH (a)-[c:CO_MENTIONED]->(b) WHERE b IN ns AND c.{w} >= $min AND c.{w} > 0
RETURN collect(toString($pos[a.id]) + ' ' + toString($pos[b.id]) + ' ' + toString(c.{w})
               + ' ' + toString(c.{ii})) AS edges
""" for t, (_, _, w, ii, _) in _WEIGHTS.items()}
_NETWORK_EDGES_IN = {t: f"""
UNWIND $ivs AS iv
MATCH (i:Interview {{id: iv}})
UNWIND range(0, size(coalesce(i.pair_a, [])) - 1) AS k
WITH i.pair_a[k] AS a, i.pair_b[k] AS b, i.{p}[k] AS w
WHERE w > 0 AND a IN $ids AND b IN $ids
WITH a, b, sum(w) AS w, count(*) AS ivs WHERE w >= $min
RETURN collect({{a: a, b: b, w: w, ivs: ivs}}) AS rows
""" for t, (*_, p) in _WEIGHTS.items()}
_NETWORK_EDGES_THEME = _THEME_TURNS + """
  AND e.id IN $ids
WITH t, collect(DISTINCT e.id) AS es
UNWIND es AS x
UNWIND es AS y
WITH t, x, y WHERE x < y
WITH x, y, count(*) AS w, count(DISTINCT t.interview_id) AS ivs WHERE w >= $min
RETURN collect({a: x, b: y, w: w, ivs: ivs}) AS rows
"""
# One breadth-first level of a neighbourhood: the entities the query keeps among the
# neighbours of the frontier (only they carry the walk on).
# (Kept neighbours come back as "count id" strings, one value each; see _NETWORK_EDGES.)
_NEIGHBOURS = {t: f"""
UNWIND $frontier AS id
MATCH (:Entity {{id: id}})-[c:CO_MENTIONED]-(e)
WHERE c.{w} >= $min AND c.{w} > 0
WITH DISTINCT e
WHERE e:Entity AND e.{n} > 0 AND ($types IS NULL OR e.type IN $types)
RETURN collect(toString(e.{n}) + ' ' + e.id) AS found
""" for t, (n, i, w, *_) in _WEIGHTS.items()}


def _paths_statement(max_hops: int, testimony_only: bool, typed: bool) -> str:
    """allShortestPaths over CO_MENTIONED, at most `max_hops` hops (a number in the pattern:
    Cypher takes no parameter there), ranked like GraphMirror.shortest_paths: weakest hop,
    then total weight, then the ids."""
    w = _WEIGHTS[testimony_only][2]
    nodes = " AND all(n IN nodes(p) WHERE n.type IN $types)" if typed else ""
    return (_node("s", "$source") + _node("t", "$target") + f"""
MATCH p = allShortestPaths((s)-[:CO_MENTIONED*..{int(max_hops)}]-(t))
WHERE all(r IN relationships(p) WHERE r.{w} >= $min AND r.{w} > 0){nodes}
WITH p, [r IN relationships(p) | r.{w}] AS ws
WITH [n IN nodes(p) | n.id] AS ids,
     reduce(m = ws[0], x IN ws | CASE WHEN x < m THEN x ELSE m END) AS weakest,
     reduce(s = 0, x IN ws | s + x) AS total
WITH ids, weakest, total ORDER BY weakest DESC, total DESC, ids LIMIT $limit
RETURN collect(ids) AS rows
""")


class _OldVersion:
    """What an interview's old version held (read inside the writing transaction): its
    share of the aggregates (computed from its mentions, as SQLite's `_share_of`), its
    interviewee and the ends of its links."""

    def __init__(self, record: Any, rows: Sequence[Sequence[Any]]) -> None:
        r = record or {}
        self.found: bool = bool(r.get("found"))
        self.pseudonym: str | None = r.get("pseudonym")
        self.ends: set[str] = set(r.get("ends") or [])
        self.share: InterviewShare | None = interview_share(rows) if self.found else None

    @property
    def pseudonyms(self) -> list[str]:
        return [self.pseudonym] if self.pseudonym is not None else []

    @property
    def entity_ids(self) -> set[str]:
        return {n.entity_id for n in self.share.named} if self.share else set()

    @property
    def keys(self) -> set[str]:
        return set(self.share.keys) if self.share else set()


def _pair_lists(pairs: Sequence[PairIn]) -> dict[str, list[Any]]:
    return {"pair_a": [p.a for p in pairs], "pair_b": [p.b for p in pairs],
            "pair_turns": [p.turns for p in pairs],
            "pair_testimony": [p.testimony_turns for p in pairs]}


def _pair_delta(pairs: Iterable[Sequence[Any]], sign: int,
                into: dict[tuple[str, str], list[int]]) -> None:
    """Accumulate (a, b, turns, testimony turns) pairs of one interview into CO_MENTIONED
    deltas: turns, testimony turns, interviews, testimony interviews."""
    for a, b, turns, testimony in pairs:
        d = into.setdefault((a, b), [0, 0, 0, 0])
        d[0] += sign * turns
        d[1] += sign * testimony
        d[2] += sign
        d[3] += sign * (1 if testimony else 0)


def _delta_rows(deltas: dict[tuple[str, str], list[int]]) -> list[list[Any]]:
    return [[a, b, *d] for (a, b), d in sorted(deltas.items()) if any(d)]


class _Shift:
    """What the shares one transaction takes away and adds change, summed (sqlite.
    _apply_share, applied share by share there, gives the same end state): per-entity counts,
    interviews per (entity, interviewee), CO_MENTIONED pairs, and per key its mentions,
    interviews, spellings and hints."""

    def __init__(self) -> None:
        self.entities: dict[str, list[int]] = {}
        self.attested: dict[tuple[str, str], int] = defaultdict(int)
        self.pairs: dict[tuple[str, str], list[int]] = {}
        self.keys: dict[str, list[Any]] = {}

    def add(self, share: InterviewShare, pseudonym: str, sign: int, *, keys: bool = True) -> None:
        for n in share.named:
            d = self.entities.setdefault(n.entity_id, [0, 0, 0, 0])
            d[0] += sign * n.mentions
            d[1] += sign * n.testimony_mentions
            d[2] += sign
            d[3] += sign * (1 if n.testimony_mentions else 0)
            if n.testimony_mentions:
                self.attested[(n.entity_id, pseudonym)] += sign
        _pair_delta(((p.a, p.b, p.turns, p.testimony_turns) for p in share.pairs), sign,
                    self.pairs)
        if not keys:
            return
        for k, (n, _) in share.keys.items():
            d = self.keys.setdefault(k, [0, 0, Counter(), Counter()])
            d[0] += sign * n
            d[1] += sign
        for (k, surface), n in share.surfaces.items():
            self.keys[k][2][surface] += sign * n
        for (k, hint), n in share.hints.items():
            self.keys[k][3][hint] += sign * n


def _named_row(n: NamedIn) -> tuple[Any, ...]:
    return (n.mentions, n.testimony_mentions, n.testimony_turns, n.first_interviewer_turn,
            n.first_interviewee_turn, n.best_stance)


def _edges(rows: Iterable[dict[str, Any]]) -> list[NetworkEdge]:
    """Network edges with a < b in Python's (SQLite's) string order, sorted by (a, b)."""
    out = [NetworkEdge(a=min(r["a"], r["b"]), b=max(r["a"], r["b"]), weight=r["w"],
                       interviews=r["ivs"]) for r in rows]
    return sorted(out, key=lambda e: (e.a, e.b))


def _edge_strings(ids: Sequence[str], rows: Iterable[str]) -> list[NetworkEdge]:
    """Edges sent as "i j weight interviews" strings, i and j positions in `ids` (sorted, so
    position order is id order): a < b and sorted by (a, b), as `_edges`."""
    parsed = []
    for s in rows:
        i, j, w, n = map(int, s.split(" "))
        parsed.append((i, j, w, n) if i < j else (j, i, w, n))
    parsed.sort()
    return [NetworkEdge(ids[i], ids[j], w, n) for i, j, w, n in parsed]


def _network_node(r: dict[str, Any]) -> NetworkNode:
    return NetworkNode(id=r["id"], name=r["name"], type=r["type"], mentions=r["n"],
                       interviews=r["ivs"], community=r["community"],
                       centrality=r["centrality"])


def _summary_of(r: dict[str, Any]) -> EntitySummary:
    return EntitySummary(
        entity=Entity(id=r["id"], type=r["type"], name=r["name"],
                      aliases=tuple(r["aliases"] or ()), confidence=r["confidence"]),
        mentions=r["mentions"], testimony_mentions=r["testimony_mentions"],
        interviews=r["interviews"], testimony_interviews=r["testimony_interviews"],
        interviewees=r["interviewees"], keys=r["keys"] or 0, confirmed=bool(r["confirmed"]),
        community=r["community"], centrality=r["centrality"], degree=r["degree"] or 0)


def _mention(r: dict[str, Any]) -> MentionRow:
    return MentionRow(**{k: v for k, v in r.items() if k != "seq"})


def _mention_order(r: dict[str, Any]) -> tuple[Any, ...]:
    # SQLite's sort key, then its rowid order for ties (seq).
    return (r["interview_id"], r["start"], r["end"], r["key"], r["entity_id"], r["seq"])


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
        """A read transaction in READ access mode: with a neo4j:// URI the driver routes it
        to a cluster's secondaries (or an Aura read replica)."""
        try:
            with self._driver.session(database=self.database,
                                      default_access_mode=neo4j.READ_ACCESS) as session:
                return session.execute_read(fn, *args)
        except (ServiceUnavailable, SessionExpired, AuthError) as exc:
            raise self._unavailable(exc) from exc

    # The driver's cost is per record (~40 us each on loopback): a statement that answers with
    # many rows returns one record holding them as a list, `rows`.
    def _one(self, cypher: str, **params: Any) -> Any:
        """One read statement in its own managed transaction: its one record (or {})."""
        def work(tx: ManagedTransaction) -> Any:
            return tx.run(cypher, params).single() or {}
        return self._read(work)

    def _rows(self, cypher: str, **params: Any) -> list[Any]:
        """One read statement answering `RETURN collect(...) AS rows`: those rows."""
        return list(self._one(cypher, **params).get("rows") or [])

    @staticmethod
    def _batched(tx: ManagedTransaction, cypher: str, rows: Sequence[Any], name: str = "rows",
                 **params: Any) -> list[Any]:
        """`cypher` over `rows` in UNWIND batches; the records of every batch."""
        out: list[Any] = []
        for batch in _batches(rows):
            out += list(tx.run(cypher, {**params, name: list(batch)}))
        return out

    @staticmethod
    def _collected(tx: ManagedTransaction, cypher: str, rows: Sequence[Any], name: str = "rows",
                   **params: Any) -> list[Any]:
        """`cypher` (answering `collect(...) AS rows`) over `rows` in UNWIND batches."""
        out: list[Any] = []
        for batch in _batches(rows):
            record = tx.run(cypher, {**params, name: list(batch)}).single()
            out += record["rows"] if record else []
        return out

    @staticmethod
    def _lock(tx: ManagedTransaction, bump: int = 1, reserve: int = 0) -> int:
        """Take the writer lock, count the write (`bump`) and reserve `reserve` sequence
        numbers; returns the first."""
        record = tx.run(_LOCK, bump=bump, reserve=reserve).single()
        assert record is not None
        return int(record["first"])

    @staticmethod
    def _expect(rows: list[dict[str, Any]], wanted: int, what: str) -> None:
        made = sum(r["n"] for r in rows)
        if made != wanted:  # a MATCH found nothing: never commit half an interview
            raise RuntimeError(f"wrote {made} of {wanted} {what}; transaction rolled back")

    def close(self) -> None:
        self._driver.close()

    def ensure_schema(self) -> None:
        """Constraints and indexes generated from schemas/graph.yaml; idempotent. Refuses a
        database written by an older version of the tool (as the embedded store does)."""
        schema = graph_schema()
        statements: list[str] = []
        for section in ("nodes", "bookkeeping"):
            for name, spec in schema[section].items():
                label = _ident(name)
                if "key" in spec:
                    key = _ident(spec["key"])
                    statements.append(f"CREATE CONSTRAINT {label.lower()}_{key} IF NOT EXISTS "
                                      f"FOR (n:{label}) REQUIRE n.{key} IS UNIQUE")
        statements += [
            # PossiblySame has no key of its own: SQLite's primary key is (a_key, b_key).
            "CREATE CONSTRAINT possibly_same_keys IF NOT EXISTS "
            "FOR (n:PossiblySame) REQUIRE (n.a_key, n.b_key) IS UNIQUE",
            "CREATE CONSTRAINT store_meta_name IF NOT EXISTS "
            "FOR (n:StoreMeta) REQUIRE n.name IS UNIQUE",
            "CREATE INDEX sentence_vector_interview IF NOT EXISTS "
            "FOR (s:SentenceVector) ON (s.interview_id)",
            f"CREATE VECTOR INDEX sentence_vectors IF NOT EXISTS FOR (s:SentenceVector) ON s.vector "
            f"OPTIONS {{indexConfig: {{`vector.dimensions`: {DIMENSIONS}, "
            "`vector.similarity_function`: 'cosine'}}",
            "CREATE CONSTRAINT unresolved_entity_id IF NOT EXISTS "
            "FOR (n:UnresolvedEntity) REQUIRE n.id IS UNIQUE",
            "CREATE CONSTRAINT date_id IF NOT EXISTS FOR (n:Date) REQUIRE n.id IS UNIQUE",
            "CREATE INDEX turn_interview_id IF NOT EXISTS FOR (t:Turn) ON (t.interview_id)",
            "CREATE INDEX interview_interviewee IF NOT EXISTS FOR (i:Interview) ON (i.interviewee)",
            "CREATE INDEX entity_type IF NOT EXISTS FOR (e:Entity) ON (e.type)",
            "CREATE INDEX entity_mentions IF NOT EXISTS FOR (e:Entity) ON (e.mentions)",
            "CREATE INDEX entity_testimony_mentions IF NOT EXISTS "
            "FOR (e:Entity) ON (e.testimony_mentions)",
            "CREATE INDEX entity_confidence IF NOT EXISTS FOR (e:Entity) ON (e.confidence)",
            "CREATE INDEX mentions_key IF NOT EXISTS FOR ()-[m:MENTIONS]-() ON (m.key)",
            # An entity's mentions in some interviews (a page of the entity page, of sources).
            "CREATE INDEX mentions_entity IF NOT EXISTS "
            "FOR ()-[m:MENTIONS]-() ON (m.entity_id, m.interview_id)",
            "CREATE INDEX co_mentioned_pair IF NOT EXISTS "
            "FOR ()-[c:CO_MENTIONED]-() ON (c.a, c.b)",
            "CREATE INDEX mention_key_block IF NOT EXISTS FOR (k:MentionKey) ON (k.type, k.block)",
            "CREATE INDEX mention_key_skeleton IF NOT EXISTS "
            "FOR (k:MentionKey) ON (k.type, k.skeleton)",
            "CREATE INDEX mention_key_hint IF NOT EXISTS "
            "FOR (k:MentionKey) ON (k.type, k.canonical_hint)",
            "CREATE INDEX resolved_key_base IF NOT EXISTS FOR (r:ResolvedKey) ON (r.base_key)",
            "CREATE INDEX resolved_key_entity IF NOT EXISTS FOR (r:ResolvedKey) ON (r.entity_id)",
            "CREATE INDEX possibly_same_a_base IF NOT EXISTS FOR (p:PossiblySame) ON (p.a_base)",
            "CREATE INDEX possibly_same_b_base IF NOT EXISTS FOR (p:PossiblySame) ON (p.b_base)",
            # Our own folded words, split on spaces only (see the module docstring).
            "CREATE FULLTEXT INDEX turn_text IF NOT EXISTS FOR (t:Turn) "
            "ON EACH [t.search_text, t.speaker_role] "
            "OPTIONS {indexConfig: {`fulltext.analyzer`: 'whitespace'}}",
            "CREATE FULLTEXT INDEX entity_forms IF NOT EXISTS FOR (e:Entity) ON EACH [e.forms] "
            "OPTIONS {indexConfig: {`fulltext.analyzer`: 'whitespace'}}",
        ]
        for rel in _LINK_TYPES:
            for prop in ("interview_id", "source_key", "target_key", "date"):
                statements.append(f"CREATE INDEX {rel.lower()}_{prop} IF NOT EXISTS "
                                  f"FOR ()-[l:{rel}]-() ON (l.{prop})")
        # What the store before this schema version created and no longer reads.
        obsolete = ["DROP INDEX entity_names IF EXISTS",
                    "DROP CONSTRAINT possibly_same_pair IF EXISTS"]
        try:
            with self._driver.session(database=self.database) as session:
                # An index of an older definition under a name we use goes first.
                for row in session.run("SHOW INDEXES YIELD name, properties "
                                       "WHERE name IN keys($wanted) RETURN name, properties",
                                       wanted=_FULLTEXT):
                    if row["properties"] != _FULLTEXT[row["name"]]:
                        obsolete.append(f"DROP INDEX {_ident(row['name'])} IF EXISTS")
                for statement in obsolete + statements:  # schema commands: one transaction each
                    session.run(statement).consume()
                session.run("CALL db.awaitIndexes(300)").consume()
        except (ServiceUnavailable, SessionExpired, AuthError) as exc:
            raise self._unavailable(exc) from exc
        themes = [{"code": t.code, "label": t.label} for t in load_codebook()]

        def work(tx: ManagedTransaction) -> int | None:
            row = tx.run("OPTIONAL MATCH (m:StoreMeta {name: 'schema'}) RETURN m.version AS v, "
                         "EXISTS { MATCH (:Interview) } AS filled").single()
            assert row is not None
            if row["filled"] and row["v"] != SCHEMA_VERSION:
                return row["v"] or 1
            tx.run("MERGE (m:StoreMeta {name: 'schema'}) SET m.version = $v",
                   v=SCHEMA_VERSION).consume()
            tx.run("UNWIND $themes AS row MERGE (t:Theme {code: row.code}) "
                   "SET t.label = row.label", themes=themes).consume()
            return None
        older = self._write(work)
        if older is not None:
            raise StoreUnavailable(
                f"the Neo4j database {self.database!r} at {self.uri} was made by an older "
                f"version of testimony-graph (schema {older}, this one reads {SCHEMA_VERSION}). "
                "Ingest your transcripts into an empty database (or empty this one with "
                "`testimony reset` after exporting what you need); your curation decisions can "
                "be carried over with `testimony curate log` from the old version.")

    def delete_everything(self) -> None:
        """Delete every node of this database but the store's own StoreMeta (the write
        counter goes on, as SQLite's meta table does; the structure stamp goes). Relationships first, then nodes, each
        in auto-committed batches of 2,000 rows: a hub entity's tens of thousands of
        relationships never sit in one transaction, so this works on a big graph under the
        server script's default memory."""
        try:
            with self._driver.session(database=self.database) as session:
                session.run("MATCH ()-[r]->() CALL (r) { DELETE r } "
                            "IN TRANSACTIONS OF 2000 ROWS").consume()
                session.run("MATCH (n) WHERE NOT n:StoreMeta CALL (n) { DETACH DELETE n } "
                            "IN TRANSACTIONS OF 2000 ROWS").consume()
        except (ServiceUnavailable, SessionExpired, AuthError) as exc:
            raise self._unavailable(exc) from exc

        def work(tx: ManagedTransaction) -> None:
            self._lock(tx)
            # No structure is left to be stale: the next refresh computes it.
            tx.run("MATCH (w:StoreMeta {name: 'writer'}) REMOVE w.structure_at").consume()
        self._write(work)
        self.ensure_schema()

    # --- writes ----------------------------------------------------------------------------
    def content_hash(self, interview_id: str) -> str | None:
        row = self._one("MATCH (i:Interview {id: $id}) RETURN i.content_hash AS h",
                        id=interview_id)
        return row.get("h")

    def _share_rows(self, tx: ManagedTransaction,
                    interview_ids: Iterable[str]) -> dict[str, list[list[Any]]]:
        """Stored interviews' mentions as `_share` reads them, in write order."""
        rows: dict[str, list[Any]] = defaultdict(list)
        for iv, row in self._collected(tx, _SHARE_ROWS, sorted(set(interview_ids)), name="ids"):
            rows[iv].append(row)
        return rows

    def _remove(self, tx: ManagedTransaction, interview_id: str) -> _OldVersion:
        """Remove an interview and its facts (sqlite._delete); its share of the aggregates is
        returned, to be taken away with the transaction's other changes."""
        record = tx.run(_OLD_VERSION, id=interview_id).single()
        rows: list[Any] = []
        if record and record["found"]:
            rows = [row for _, row in self._collected(tx, _SHARE_ROWS, [interview_id],
                                                     name="ids")]
        old = _OldVersion(record, rows)
        tx.run(_DELETE_OLD, id=interview_id).consume()
        tx.run("MATCH (s:SentenceVector {interview_id: $id}) DELETE s", id=interview_id).consume()
        return old

    def _apply_shift(self, tx: ManagedTransaction, shift: _Shift, created: set[str]) -> None:
        """Write a transaction's summed shares: interviewees per entity, counts of the entities
        that had a row before (new rows count from scratch), pairs, and the keys (a key no
        longer mentioned goes)."""
        people: dict[str, int] = defaultdict(int)
        rows = [[e, p, n] for (e, p), n in sorted(shift.attested.items()) if n]
        attested = self._collected(tx, _ATTEST, rows)
        if len(attested) != len(rows):
            raise RuntimeError("an interviewee of a share is missing; transaction rolled back")
        for eid, before, after in attested:
            people[eid] += (after > 0) - (before > 0)
        self._batched(tx, _ENTITY_DELTAS, [
            [e, *d, people.get(e, 0)] for e, d in sorted(shift.entities.items())
            if e not in created and (any(d) or people.get(e, 0))])
        self._batched(tx, _ADD_PAIRS, _delta_rows(shift.pairs))
        if shift.keys:
            state = {r["key"]: r for r in self._collected(tx, _KEY_STATE, sorted(shift.keys),
                                                          name="keys")}
            keep, gone = [], []
            for k, (mentions, interviews, surfaces, hints) in sorted(shift.keys.items()):
                r = state.get(k)
                if r is None:
                    continue
                forms = Counter(dict(zip(r["surfaces"] or [], r["surface_counts"] or [])))
                forms.update(surfaces)
                named = Counter(dict(zip(r["hints"] or [], r["hint_counts"] or [])))
                named.update(hints)
                forms = Counter({s: n for s, n in forms.items() if n > 0})
                named = Counter({h: n for h, n in named.items() if n > 0})
                if r["mentions"] + mentions <= 0:
                    gone.append(k)
                    continue
                keep.append([k, r["mentions"] + mentions, r["interviews"] + interviews,
                             sorted(forms), [forms[s] for s in sorted(forms)],
                             sorted(named), [named[h] for h in sorted(named)],
                             # A key's hint: the least of its gazetteer hints, as on SQLite.
                             min(named) if named else None])
            self._batched(tx, _SET_KEYS, keep)
            self._batched(tx, _DELETE_KEYS, gone, name="keys")
        self._batched(tx, _RECOUNT, sorted(created), name="ids")

    def _settle(self, tx: ManagedTransaction, entity_ids: set[str], pseudonyms: Sequence[str],
                placeholders: set[str]) -> None:
        """Nothing left over: entities whose last mention went, placeholders nothing points
        at, interviewees without an interview."""
        self._batched(tx, _DROP_UNMENTIONED, sorted(entity_ids), name="ids")
        self._batched(tx, _PRUNE_PLACEHOLDERS, sorted(placeholders | entity_ids), name="ids")
        tx.run(_PRUNE_INTERVIEWEES, pseudonyms=list(pseudonyms)).consume()

    def replace_interview(self, extracted: ExtractedInterview, assignments: dict[str, str]) -> None:
        iv = extracted.interview
        person = iv.interviewee
        # Everything is computed before the transaction: a bad turn index or an unknown type
        # fails here, before anything is written, and the transaction function only writes
        # (a retry starts it again).
        turn_ids = {t.index: t.id(iv.id) for t in iv.turns}
        facts = mention_facts(extracted, assignments)
        roles = {t.index: t.speaker_role for t in iv.turns}
        mentions, provisional, seen = [], [], set()
        for i, (f, m) in enumerate(zip(facts, extracted.mentions)):
            label = _label_of(m.type)
            mentions.append([f.turn_id, f.entity_id, m.start, m.end, m.text, m.key, m.type,
                             m.method, _float(m.confidence), m.canonical_hint, f.speaker_role,
                             f.stance, f.sentence_start, f.sentence_end, i])
            if f.entity_id not in seen:  # the first mention of an id names its entity
                seen.add(f.entity_id)
                entity = Entity(id=f.entity_id, type=m.type, name=m.canonical_hint or m.text,
                                aliases=(m.text,))
                provisional.append([entity.id, label, entity.type, entity.name,
                                    list(entity.aliases), name_forms(entity)])
        codes = [[turn_ids[c.turn_index], c.theme, c.start, c.end, c.evidence, c.by,
                  _float(c.confidence), len(mentions) + i]
                 for i, c in enumerate(extracted.themes)]
        links = [[_link_type(ln.type), ln.source_key, ln.target_key,
                  entity_for(assignments, ln.source_key, iv.id),
                  entity_for(assignments, ln.target_key, iv.id), turn_ids[ln.turn_index],
                  roles[ln.turn_index], ln.start, ln.end, ln.date] for ln in extracted.links]
        share = interview_share([(f.entity_id, f.turn_index, f.turn_id, f.speaker_role, f.stance,
                                  m.key, m.text, m.canonical_hint, m.method)
                                 for f, m in zip(facts, extracted.mentions)])
        turns = [[turn_ids[t.index], t.index, t.speaker, t.speaker_role, t.start, t.end, t.text,
                  _float(t.time_start), _float(t.time_end), search_text(t.text)]
                 for t in iv.turns]
        interview = {"id": iv.id, "title": iv.title, "source_path": iv.source_path,
                     "content_hash": iv.content_hash, "date": iv.date, "place": iv.place,
                     "language": iv.language, "interviewer": iv.interviewer,
                     "medium": iv.medium, "media_file": iv.media_file, "text": iv.text,
                     "redaction_terms": json.dumps(iv.redaction_terms, ensure_ascii=False),
                     "interviewee": person.pseudonym, "turns": len(iv.turns),
                     **_pair_lists(share.pairs)}
        attributes = {"gender": person.gender, "nationality": person.nationality,
                      "status": person.status, "role": person.role, "age": person.age}
        named_rows = [[iv.id, n.entity_id, *_named_row(n)] for n in share.named]
        key_rows = [[k, e, n, key_type(k), block(k), skeleton(name_part(k))]
                    for k, (n, e) in sorted(share.keys.items())]
        ends = {x for ln in links for x in (ln[3], ln[4])}
        sentence_rows = [[turn_ids[i], a, b, vector_list(v)] for i, a, b, v in extracted.sentences]

        def work(tx: ManagedTransaction) -> None:
            first = self._lock(tx, reserve=len(mentions) + len(codes))
            old = self._remove(tx, iv.id)
            tx.run(_CREATE_INTERVIEW, id=iv.id, pseudonym=person.pseudonym, person=attributes,
                   interview=interview, turns=turns[:BATCH]).consume()
            for batch in _batches(turns[BATCH:]):
                tx.run(_CREATE_TURNS, id=iv.id, turns=list(batch)).consume()
            created = set(self._collected(tx, _PROVISIONAL, provisional))
            self._expect(self._batched(tx, _CREATE_MENTIONS, mentions, id=iv.id, first=first),
                         len(mentions), "mentions")
            self._expect(self._batched(tx, _CREATE_CODES, codes, id=iv.id, first=first),
                         len(codes), "theme codes")
            self._batched(tx, _ENSURE_NODES, sorted(ends), name="ids")
            self._expect(self._batched(tx, _CREATE_LINKS, links, interview_id=iv.id),
                         len(links), "links")
            self._expect(self._batched(tx, _CREATE_NAMED_IN, named_rows), len(named_rows),
                         "NAMED_IN aggregates")
            self._batched(tx, _CREATE_KEY_USE, key_rows, id=iv.id)
            self._batched(tx, _CREATE_SENTENCE_VECTORS, sentence_rows, id=iv.id)
            shift = _Shift()
            if old.share is not None and old.pseudonym is not None:
                shift.add(old.share, old.pseudonym, -1)
            shift.add(share, person.pseudonym, 1)
            self._apply_shift(tx, shift, created)
            self._batched(tx, _PENDING, sorted(old.keys | set(share.keys)), name="keys")
            self._settle(tx, old.entity_ids, old.pseudonyms, old.ends | ends)

        self._write(work)

    def delete_interview(self, interview_id: str) -> bool:
        def work(tx: ManagedTransaction) -> bool:
            self._lock(tx)
            old = self._remove(tx, interview_id)
            if old.share is not None and old.pseudonym is not None:
                shift = _Shift()
                shift.add(old.share, old.pseudonym, -1)
                self._apply_shift(tx, shift, set())
            self._batched(tx, _PENDING, sorted(old.keys), name="keys")
            self._settle(tx, old.entity_ids, old.pseudonyms, old.ends)
            return old.found
        return self._write(work)

    # --- resolution state ------------------------------------------------------------------
    def pending_keys(self) -> list[str]:
        return sorted(self._rows("MATCH (p:PendingKey) RETURN collect(p.key) AS rows"))

    def all_keys(self) -> list[str]:
        return sorted(self._rows("MATCH (k:MentionKey) RETURN collect(k.key) AS rows"))

    def key_count(self) -> int:
        return self._one("MATCH (k:MentionKey) RETURN count(k) AS n")["n"]

    def interview_count(self) -> int:
        return self._one("MATCH (i:Interview) RETURN count(i) AS n")["n"]

    def key_usage(self, keys: Iterable[str], company: Iterable[str] = ()) -> list[KeyUsage]:
        keys = sorted(set(keys))
        company = set(company)

        def work(tx: ManagedTransaction) -> list[KeyUsage]:
            # Spellings and interviews are kept per key (USED_IN, the key's lists): no
            # mention is read but for the company of the keys in `company`.
            info = {r["key"]: r for r in self._collected(
                tx, "UNWIND $keys AS k MATCH (mk:MentionKey {key: k}) "
                "RETURN collect(mk {.key, .type, hint: mk.canonical_hint, forms: mk.surface_forms, "
                "counts: mk.surface_counts, ivs: [(mk)-[u:USED_IN]->() | u.interview_id]}) "
                "AS rows", keys, name="keys")}
            surfaces = {k: list(zip(r["forms"] or [], r["counts"] or [])) for k, r in info.items()}
            wanted = sorted(company & set(info))
            contexts: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
            for k, iv, other in self._collected(
                    # a pronoun ("I", "he") names nobody: it keeps no company
                    tx, "UNWIND $keys AS k MATCH (t:Turn)-[m1:MENTIONS]->() WHERE m1.key = k "
                    "AND m1.method <> 'pronoun' "
                    "MATCH (t)-[m2:MENTIONS]->() WHERE m2.key <> k AND m2.method <> 'pronoun' "
                    "WITH DISTINCT k, t.interview_id AS iv, m2.key AS other "
                    "RETURN collect([k, iv, other]) AS rows", wanted, name="keys"):
                contexts[k][iv].add(other)
            return [usage_of(k, info[k]["type"], info[k]["hint"], surfaces[k], info[k]["ivs"],
                           contexts.get(k, {}) if k in wanted else None)
                    for k in sorted(info)]
        return self._read(work)

    def key_partners(self, keys: Iterable[str],
                     known_blocks: Iterable[tuple[str, str]] = ()) -> list[KeyInfo]:
        keys = sorted(set(keys))
        # Each block is read once, however many of the keys fall in it (and none the caller
        # already holds).
        blocks = sorted({(key_type(k), block(k)) for k in keys} - set(known_blocks))
        people = [k for k in keys if k.startswith("PERSON:")]
        shorter = sorted({p for k in people for p in word_prefixes(k)})
        fields = ("WITH DISTINCT k2 "
                  "RETURN collect(k2 {.key, .type, .block, .skeleton, .canonical_hint}) AS rows")

        def work(tx: ManagedTransaction) -> list[dict[str, Any]]:
            rows = self._collected(tx, "UNWIND $blocks AS b "
                                   "MATCH (k2:MentionKey {type: b[0], block: b[1]}) " + fields,
                                   [list(b) for b in blocks], name="blocks")
            # Same skeleton, same canonical.
            rows += self._collected(tx, """
                UNWIND $keys AS key
                MATCH (k1:MentionKey {key: key})
                CALL (k1) {
                  MATCH (k2:MentionKey {type: k1.type, skeleton: k1.skeleton}) RETURN k2
                  UNION MATCH (k2:MentionKey {type: k1.type, canonical_hint: k1.canonical_hint})
                        RETURN k2
                } """ + fields, keys, name="keys")
            # The given keys themselves, and the shorter names they extend.
            rows += self._collected(tx, "UNWIND $keys AS key MATCH (k2:MentionKey {key: key}) "
                                    + fields, sorted(set(keys) | set(shorter)), name="keys")
            # Names that extend a key word for word (SQLite: key > k + ' ' AND key < k + ' \U0010ffff').
            rows += self._collected(tx, "UNWIND $keys AS key MATCH (k2:MentionKey) "
                                    "WHERE k2.key STARTS WITH key + ' ' AND k2.key <> key + ' ' "
                                    + fields, people, name="keys")
            return rows
        found = {r["key"]: r for r in self._read(work)}
        return [KeyInfo(key=r["key"], type=r["type"], block=r["block"], skeleton=r["skeleton"],
                        canonical_hint=r["canonical_hint"]) for _, r in sorted(found.items())]

    def resolution(self, keys: Iterable[str] | None = None) -> dict[str, str]:
        if keys is None:
            return dict(self._rows("MATCH (r:ResolvedKey) "
                                   "RETURN collect([r.key, r.entity_id]) AS rows"))
        keys = sorted(set(keys))

        def work(tx: ManagedTransaction) -> list[Any]:
            return self._collected(tx, "UNWIND $keys AS k MATCH (r:ResolvedKey {base_key: k}) "
                                   "RETURN collect([r.key, r.entity_id]) AS rows", keys,
                                   name="keys")
        return dict(self._read(work))

    def keys_of(self, entity_ids: Iterable[str]) -> dict[str, list[str]]:
        ids = sorted(set(entity_ids))

        def work(tx: ManagedTransaction) -> list[Any]:
            return self._collected(tx, "UNWIND $ids AS id MATCH (r:ResolvedKey {entity_id: id}) "
                                   "RETURN collect([r.entity_id, r.key]) AS rows", ids, name="ids")
        out: dict[str, list[str]] = defaultdict(list)
        for eid, key in self._read(work):
            out[eid].append(key)
        return {k: sorted(v) for k, v in out.items()}

    def entity_interview_counts(self, entity_ids: Iterable[str]) -> dict[str, int]:
        ids = sorted(set(entity_ids))

        def work(tx: ManagedTransaction) -> list[Any]:
            return self._collected(tx, "UNWIND $ids AS id MATCH (e:Entity {id: id}) "
                                   "RETURN collect([e.id, e.interviews]) AS rows", ids, name="ids")
        return dict(self._read(work))

    def _entries(self, tx: ManagedTransaction, keys: Iterable[str]) -> dict[str, str]:
        """The stored resolution entries with exactly these keys."""
        return dict(self._collected(tx, _ENTRIES, sorted(set(keys)), name="keys"))

    def _move(self, tx: ManagedTransaction, moved: list[list[str]]) -> set[str]:
        """Re-point the mentions of (key, interview) to their new entities ([key, interview,
        old, new] rows) and move those interviews' shares with them (sqlite: the share taken
        away, the mentions updated, the share added back). NAMED_IN is rewritten where a row
        differs and CO_MENTIONED by each pair's net change. Returns the entities concerned."""
        ids = sorted({m[1] for m in moved})
        if not ids:
            return set()
        pseudonyms = dict(self._collected(tx, _PSEUDONYMS, ids, name="ids"))
        stored: dict[str, dict[str, tuple[Any, ...]]] = defaultdict(dict)
        for iv, row in self._collected(tx, _OLD_NAMED_IN, ids, name="ids"):
            stored[iv][row[0]] = tuple(row[1:])
        old_rows = self._share_rows(tx, ids)
        self._batched(tx, _ENSURE_NODES, sorted({m[3] for m in moved}), name="ids")
        rows = [[k, iv, new] for k, iv, _, new in moved]
        self._batched(tx, _MOVE_MENTIONS, rows)
        self._batched(tx, _SET_KEY_USES, rows)
        # The shares after the move, from the same rows with the keys' new entities.
        to = {(k, iv): new for k, iv, _, new in moved}
        before = {iv: interview_share(old_rows[iv]) for iv in ids}
        after = {iv: interview_share([[to.get((r[5], iv), r[0]), *r[1:]] for r in old_rows[iv]])
                 for iv in ids}
        shift = _Shift()
        touched: set[str] = set()
        drop, make, pair_lists = [], [], []
        for iv in ids:
            shift.add(before[iv], pseudonyms[iv], -1, keys=False)
            shift.add(after[iv], pseudonyms[iv], 1, keys=False)
            touched |= {n.entity_id for n in (*before[iv].named, *after[iv].named)}
            now = {n.entity_id: _named_row(n) for n in after[iv].named}
            drop += [[iv, e] for e, v in sorted(stored[iv].items()) if now.get(e) != v]
            make += [[iv, e, *v] for e, v in sorted(now.items()) if stored[iv].get(e) != v]
            lists = _pair_lists(after[iv].pairs)
            pair_lists.append([iv, lists["pair_a"], lists["pair_b"], lists["pair_turns"],
                               lists["pair_testimony"]])
        self._batched(tx, _DELETE_NAMED_IN, drop)
        self._expect(self._batched(tx, _CREATE_NAMED_IN, make), len(make), "NAMED_IN aggregates")
        self._batched(tx, _SET_PAIRS, pair_lists)
        self._apply_shift(tx, shift, set())
        return touched

    def apply_resolution(self, resolution: Resolution) -> None:
        ids = [e.id for e in resolution.entities]
        if len(set(ids)) != len(ids):  # SQLite fails on its primary key
            dup = sorted({i for i in ids if ids.count(i) > 1})
            raise ValueError(f"the resolution names entities {dup} more than once")
        key_counts: dict[str, int] = defaultdict(int)
        for eid in resolution.assignments.values():
            key_counts[eid] += 1
        entities = [{"id": e.id, "label": _label_of(e.type), "type": e.type, "name": e.name,
                     "aliases": list(e.aliases), "confidence": float(e.confidence),
                     "forms": name_forms(e), "keys": key_counts.get(e.id, 1),
                     "confirmed": int(e.id in resolution.confirmed)}
                    for e in resolution.entities]
        new_ids = set(ids)

        def work(tx: ManagedTransaction) -> None:
            self._lock(tx)
            if resolution.scope is None:
                scope = set(tx.run(_SCOPE_ALL).single()["rows"])
            else:
                scope = set(resolution.scope)
            keys = sorted(scope)
            before = {k: (b, e) for k, b, e in self._collected(tx, _OLD_ENTRIES, keys,
                                                                  name="scope")}
            old_ids = {e for _, e in before.values()}
            old_ids |= {key_lower(k) for k in keys}  # provisional entities of new keys
            # The scope's entries, replaced (only those that change are written; a new entry
            # whose key is held outside the scope fails on the constraint, as on SQLite).
            after = {k: (scope_base(k, scope), e) for k, e in resolution.assignments.items()}
            self._batched(tx, _DELETE_RESOLVED,
                          sorted(k for k, v in before.items() if after.get(k) != v), name="keys")
            self._batched(tx, _CREATE_RESOLVED, [[k, b, e] for k, (b, e) in sorted(after.items())
                                                 if before.get(k) != (b, e)])
            # Mentions and link ends move only where an entry changed: a key's own entry (all
            # its interviews), or a key@interview entry (that key's interviews), as on SQLite.
            changed = {b for k, (b, e) in after.items() if k == b and before.get(k) != (b, e)}
            changed |= {b for k, (b, _) in before.items() if k == b and k not in after}
            changed |= {k for k in scope if k not in before and k not in after}
            changed |= {(before.get(u) or after[u])[0] for u in set(before) | set(after)
                        if u not in scope and before.get(u) != after.get(u)}
            check = sorted(changed)
            # A mention of k in interview i belongs to the entry "k@i", else to k's, else to
            # k lowercased (as SQLite reads its resolution table). One row per key and
            # interview says where its mentions point now.
            plain: dict[str, str] = {}
            units: dict[str, dict[str, str]] = {}
            for k, entity, entries in self._collected(tx, _ENTRIES_OF, check, name="keys"):
                units[k] = {unit[len(k) + 1:]: eid for unit, eid in entries}
                plain[k] = entity if entity is not None else key_lower(k)
            moved = []
            for k, iv, current in self._collected(tx, _KEY_USES, check, name="keys"):
                new = units[k].get(iv, plain[k])
                if new != current:
                    moved.append([k, iv, current, new])
            placeholders = {m[2] for m in moved} | {m[3] for m in moved}
            touched = self._move(tx, moved)
            # Links with an end of those keys, both ends read again (sqlite: UPDATE link ...).
            links = self._collected(tx, _SCOPE_LINKS, check, name="scope")
            links = list({r["rid"]: r for r in links}.values())
            entries = self._entries(tx, {k for r in links for k in
                                         (r["sk"], r["tk"], f"{r['sk']}@{r['iv']}",
                                          f"{r['tk']}@{r['iv']}")})

            def target(key: str, interview_id: str) -> str:
                unit = f"{key}@{interview_id}"
                return entries[unit] if unit in entries else entries.get(key, key_lower(key))

            link_moves = []
            for r in links:
                sid, tid = target(r["sk"], r["iv"]), target(r["tk"], r["iv"])
                if (sid, tid) != (r["sid"], r["tid"]):
                    link_moves.append([r["rid"], sid, tid])
                    placeholders |= {r["sid"], r["tid"]}
            self._batched(tx, _ENSURE_NODES, sorted({x for m in link_moves for x in m[1:]}),
                          name="ids")
            self._expect(self._batched(tx, _MOVE_LINKS, link_moves), len(link_moves),
                         "moved links")
            # The scope's entities, replaced: a new row takes the counts its mentions carry;
            # old entities nothing points at any more go.
            stored = {r[0]: tuple(r[1:]) for r in self._collected(
                tx, _STORED_ENTITIES, sorted(new_ids), name="ids")}
            changed = [e for e in entities if stored.get(e["id"]) != (
                e["type"], e["name"], e["aliases"], e["confidence"], e["keys"], e["confirmed"])]
            created = {i for i in self._collected(tx, _UPSERT_ENTITIES, changed) if i}
            self._batched(tx, _RECOUNT, sorted(created), name="ids")
            dropped = touched | created | (old_ids - new_ids)  # and new rows nothing mentions
            self._batched(tx, _DROP_UNMENTIONED, sorted(dropped), name="ids")
            self._batched(tx, _PRUNE_PLACEHOLDERS, sorted(dropped | placeholders), name="ids")
            # Review pairs: those found inside the scope are replaced (an entry of the
            # resolution replaces the stored pair of its keys whole); every pair touching the
            # scope points at the entities its keys now belong to. The end state is computed
            # here, as SQLite's DELETE, INSERT OR REPLACE and UPDATE leave it, and only the
            # pairs that differ are written.
            current = {(r["a_key"], r["b_key"]): r for r in self._collected(
                tx, _SCOPE_PAIRS, keys, name="scope")}
            current.update({(r["a_key"], r["b_key"]): r for r in self._collected(
                tx, _PAIRS_OF, [[a, b] for a, b, _ in resolution.key_pairs])})
            final = {k: dict(r) for k, r in current.items()
                     if not (r["a_base"] in scope and r["b_base"] in scope)}
            for a, b, s in resolution.key_pairs:
                final[(a, b)] = {"pid": None, "a_key": a, "b_key": b, "a_base": scope_base(a, scope),
                                 "b_base": scope_base(b, scope), "a": "", "b": "", "score": _float(s)}
            found = self._entries(tx, {k for r in final.values() for k in
                                       (r["a_key"], r["a_base"], r["b_key"], r["b_base"])})
            for r in final.values():
                for side in ("a", "b"):
                    if r[f"{side}_base"] in scope:
                        key, base = r[f"{side}_key"], r[f"{side}_base"]
                        r[side] = found[key] if key in found else found.get(base, key_lower(base))
            fields = ("a_key", "b_key", "a_base", "b_base", "a", "b", "score")
            self._batched(tx, _DELETE_PAIRS, [list(k) for k in current if k not in final])
            self._batched(tx, _PUT_PAIRS, [
                [r[f] for f in fields] for k, r in sorted(final.items())
                if k not in current or any(current[k][f] != r[f] for f in fields)])
            self._batched(tx, _SETTLE, sorted(resolution.settles), name="keys")

        self._write(work)

    def apply_structure(self, rows: Sequence[tuple[str, int | None, float | None, int]],
                        version: int) -> None:
        data = [[e, c, _float(x), d] for e, c, x, d in rows]

        def work(tx: ManagedTransaction) -> None:
            self._lock(tx, bump=0)
            tx.run("MATCH (e:Entity) SET e.community = null, e.centrality = null, "
                   "e.degree = 0").consume()
            self._batched(tx, "UNWIND $rows AS row MATCH (e:Entity {id: row[0]}) "
                          "SET e.community = row[1], e.centrality = row[2], e.degree = row[3]",
                          data)
            tx.run("MATCH (w:StoreMeta {name: 'writer'}) SET w.structure_at = $v",
                   v=version).consume()
        self._write(work)

    def graph_version(self) -> tuple[int, int]:
        row = self._one("OPTIONAL MATCH (w:StoreMeta {name: 'writer'}) "
                        "RETURN coalesce(w.writes, 0) AS writes, "
                        "coalesce(w.structure_at, 0) AS at")
        return int(row["writes"]), int(row["at"])

    def cooccurrence_edges(self) -> list[tuple[str, str, int]]:
        rows = self._rows("MATCH ()-[c:CO_MENTIONED]->() WHERE c.testimony_turns > 0 "
                          "RETURN collect([c.a, c.b, c.testimony_turns]) AS rows")
        return sorted((a, b, w) for a, b, w in rows)

    def record_decision(self, decision: dict) -> None:
        text = json.dumps(decision, sort_keys=True)

        def work(tx: ManagedTransaction) -> None:
            self._lock(tx, bump=0)
            tx.run("OPTIONAL MATCH (d:CurationDecision) WITH coalesce(max(d.seq), 0) AS last "
                   "CREATE (:CurationDecision {seq: last + 1, decision: $text})",
                   text=text).consume()
        self._write(work)

    def curation_log(self) -> list[dict]:
        rows = self._rows("MATCH (d:CurationDecision) RETURN collect([d.seq, d.decision]) AS rows")
        return [json.loads(d) for _, d in sorted(rows)]

    def curation_page(self, offset: int, limit: int) -> Page[dict]:
        row = self._one("MATCH (d:CurationDecision) WITH d ORDER BY d.seq DESC "
                        "WITH collect(d.decision) AS ds "
                        "RETURN size(ds) AS total, ds[$offset..$offset + $limit] AS page",
                        offset=offset, limit=limit)
        return Page(tuple(json.loads(d) for d in row["page"]), row["total"], offset)

    # --- reads: interviews and turns -------------------------------------------------------
    _STATS = "\n".join([
        "CALL () { MATCH (n:Interview) RETURN count(n) AS interviews }",
        "CALL () { MATCH (n:Interviewee) RETURN count(n) AS interviewees }",
        "CALL () { MATCH (n:Turn) RETURN count(n) AS turns }",
        "CALL () { MATCH ()-[r:MENTIONS]->() RETURN count(r) AS mentions }",
        "CALL () { MATCH (n:Entity) RETURN count(n) AS entities }",
        *[f"CALL () {{ MATCH ()-[r:{t}]->() RETURN count(r) AS links{i} }}"
          for i, t in enumerate(_LINK_TYPES)],
        "CALL () { MATCH ()-[r:CODED_AS]->() RETURN count(r) AS theme_codes }",
        "RETURN interviews, interviewees, turns, mentions, entities, "
        + " + ".join(f"links{i}" for i in range(len(_LINK_TYPES))) + " AS links, theme_codes",
    ])

    def stats(self) -> dict[str, int]:
        return dict(self._one(self._STATS))

    _SUMMARIES = "MATCH (p:Interviewee)-[:GAVE]->(i:Interview) "

    def interviews(self) -> list[InterviewSummary]:
        rows = self._rows(self._SUMMARIES + f"RETURN collect({_SUMMARY_FIELDS}) AS rows")
        return sorted((InterviewSummary(**r) for r in rows), key=lambda s: s.id)

    def similar_sentences(self, vector: bytes, k: int) -> list[tuple[str, int, int, float]]:
        """Neo4j's own vector index (HNSW, cosine) brings twice the sentences asked for; their
        cosines are then computed from the stored vectors exactly as the embedded store
        computes them, so both stores rank and score alike."""
        import numpy as np

        from graph_builder.embeddings import from_bytes

        if k <= 0:
            return []
        rows = self._read(lambda tx: tx.run(
            "CALL db.index.vector.queryNodes('sentence_vectors', $k, $v) YIELD node "
            "RETURN node.turn_id AS t, node.start AS a, node.end AS b, node.vector AS vec",
            k=int(2 * k), v=vector_list(vector)).data())
        if not rows:
            return []
        matrix = np.array([r["vec"] for r in rows], dtype=np.float32)
        scores = matrix @ from_bytes([vector])[0]
        out = [(r["t"], r["a"], r["b"], round(float(c), 4)) for r, c in zip(rows, scores)]
        return sorted(out, key=lambda r: (-r[3], r[0], r[1]))[:k]

    def redaction_terms(self) -> list[tuple[str, str, str]]:
        rows = self._read(lambda tx: tx.run(
            "MATCH (i:Interview) RETURN i.interviewee AS p, i.redaction_terms AS t "
            "ORDER BY i.id").data())
        out: dict[tuple[str, str, str], None] = {}
        for r in rows:
            out[(r["p"], "witness", r["p"])] = None
            for kind, term in json.loads(r["t"] or "[]"):
                out[(r["p"], kind, term)] = None
        return list(out)

    def interview_summaries(self, ids: Iterable[str]) -> dict[str, InterviewSummary]:
        ids = sorted(set(ids))

        def work(tx: ManagedTransaction) -> list[dict[str, Any]]:
            return self._collected(tx, "UNWIND $ids AS id MATCH (p:Interviewee)-[:GAVE]->"
                                   f"(i:Interview {{id: id}}) RETURN collect({_SUMMARY_FIELDS}) "
                                   "AS rows", ids, name="ids")
        return {r["id"]: InterviewSummary(**r) for r in self._read(work)}

    def interview(self, interview_id: str) -> Interview | None:
        row = self._one("MATCH (p:Interviewee)-[:GAVE]->(i:Interview {id: $id}) "
                        "RETURN i {.id, .title, .source_path, .content_hash, .text, .date, "
                        ".place, .language, .interviewer, .medium, .media_file} AS i, "
                        "p {.pseudonym, .gender, .nationality, .status, .role, .age} AS p, "
                        f"COLLECT {{ MATCH (t:Turn {{interview_id: $id}}) WITH t ORDER BY t.index "
                        f"RETURN {_TURN_FIELDS} }} AS turns", id=interview_id)
        if not row:
            return None
        r, p = row["i"], row["p"]
        return Interview(
            id=r["id"], title=r["title"], source_path=r["source_path"],
            content_hash=r["content_hash"], text=r["text"], interviewee=Interviewee(**p),
            turns=tuple(Turn(index=t["index"], speaker=t["speaker"],
                             speaker_role=t["speaker_role"], start=t["start"], end=t["end"],
                             text=t["text"], time_start=t["time_start"], time_end=t["time_end"])
                        for t in row["turns"]),
            date=r["date"], place=r["place"], language=r["language"],
            interviewer=r["interviewer"], medium=r["medium"], media_file=r["media_file"])

    def turns(self, turn_ids: Iterable[str]) -> list[TurnRow]:
        ids = sorted(set(turn_ids))

        def work(tx: ManagedTransaction) -> list[dict[str, Any]]:
            return self._collected(tx, f"UNWIND $ids AS id MATCH (t:Turn {{id: id}}) "
                                   f"RETURN collect({_TURN_FIELDS}) AS rows", ids, name="ids")
        return sorted((TurnRow(**r) for r in self._read(work)),
                      key=lambda t: (t.interview_id, t.index))

    def turns_of(self, interview_id: str) -> list[TurnRow]:
        rows = self._rows(f"MATCH (t:Turn {{interview_id: $id}}) WITH t ORDER BY t.index "
                          f"RETURN collect({_TURN_FIELDS}) AS rows", id=interview_id)
        return [TurnRow(**r) for r in rows]

    def mentions(self, *, turn_ids: Iterable[str] | None = None, interview_id: str | None = None,
                 entity_id: str | None = None,
                 interview_ids: Iterable[str] | None = None) -> list[MentionRow]:
        # m.entity_id is the end's id: the turns anchor the match, not a hub entity.
        where = ("WHERE ($interview_id IS NULL OR m.interview_id = $interview_id) "
                 "AND ($entity_id IS NULL OR m.entity_id = $entity_id) ")
        fields = f"RETURN collect({_MENTION_FIELDS}) AS rows"
        params: dict[str, Any] = {"interview_id": interview_id, "entity_id": entity_id}
        if turn_ids is not None:
            ids, name = sorted(set(turn_ids)), "turn_ids"
            cypher = ("UNWIND $turn_ids AS tid MATCH (t:Turn {id: tid})-[m:MENTIONS]->(e) "
                      + where + fields)
        elif interview_ids is not None:
            ids, name = sorted(set(interview_ids)), "interview_ids"
            if entity_id is not None:  # an entity page: its mentions in a page's interviews
                cypher = ("MATCH (t:Turn)-[m:MENTIONS]->(e) WHERE m.entity_id = $entity_id "
                          "AND m.interview_id IN $interview_ids AND ($interview_id IS NULL OR "
                          "m.interview_id = $interview_id) " + fields)
            else:
                cypher = ("UNWIND $interview_ids AS iv MATCH (t:Turn {interview_id: iv})"
                          "-[m:MENTIONS]->(e) " + where + fields)
        elif interview_id is not None:
            ids, name = [], ""
            cypher = ("MATCH (t:Turn {interview_id: $interview_id})-[m:MENTIONS]->(e) "
                      + where + fields)
        elif entity_id is not None:
            ids, name = [], ""
            cypher = _node("e", "$entity_id") + "MATCH (t:Turn)-[m:MENTIONS]->(e) " + fields
        else:  # the whole store: tests, not pages
            ids, name = [], ""
            cypher = "MATCH (t:Turn)-[m:MENTIONS]->(e) " + fields

        def work(tx: ManagedTransaction) -> list[dict[str, Any]]:
            if name:
                return self._collected(tx, cypher, ids, name=name, **params)
            record = tx.run(cypher, params).single()
            return list(record["rows"]) if record else []
        return [_mention(r) for r in sorted(self._read(work), key=_mention_order)]

    def themes(self, *, turn_ids: Iterable[str] | None = None,
               interview_id: str | None = None) -> list[ThemeRow]:
        fields = f"RETURN collect({_THEME_FIELDS}) AS rows"
        if turn_ids is not None:
            ids = sorted(set(turn_ids))

            def work(tx: ManagedTransaction) -> list[dict[str, Any]]:
                return self._collected(
                    tx, "UNWIND $ids AS tid MATCH (t:Turn {id: tid})-[c:CODED_AS]->(th:Theme) "
                    "WHERE $interview_id IS NULL OR t.interview_id = $interview_id " + fields,
                    ids, name="ids", interview_id=interview_id)
            rows = self._read(work)
        elif interview_id is not None:
            rows = self._rows("MATCH (t:Turn {interview_id: $id})-[c:CODED_AS]->(th:Theme) "
                              + fields, id=interview_id)
        else:  # the whole store: tests and exports, never a page
            rows = self._rows("MATCH (t:Turn)-[c:CODED_AS]->(th:Theme) " + fields)
        rows.sort(key=lambda t: (t["interview_id"], t["start"], t["end"], t["theme"],
                                 t["evidence"], t["seq"]))
        return [ThemeRow(**{k: v for k, v in r.items() if k != "seq"}) for r in rows]

    def theme_counts(self) -> list[tuple[str, int, int]]:
        rows = self._rows("MATCH (t:Turn)-[c:CODED_AS]->(th:Theme) "
                          "WITH th.code AS theme, count(DISTINCT t) AS turns, "
                          "count(DISTINCT c.interview_id) AS ivs "
                          "RETURN collect([theme, turns, ivs]) AS rows")
        return sorted(((c, n, i) for c, n, i in rows), key=lambda r: (-r[1], r[0]))

    # --- reads: search ---------------------------------------------------------------------
    def search(self, match: TextMatch, where: TurnFilter, offset: int,
               limit: int) -> Page[ScoredTurn]:
        if match.empty or not where.speaker_roles:
            return Page((), 0, offset)
        q = lucene_query(match, where.speaker_roles)
        if where.pseudonym is None and where.entity_type is None and where.theme is None:
            row = self._one(_SEARCH, q=q, offset=offset, limit=limit)
        else:
            row = self._one(_SEARCH_FILTERED, q=q, pseudonym=where.pseudonym,
                            entity_type=where.entity_type, theme=where.theme, offset=offset,
                            limit=limit)
        return Page(tuple(ScoredTurn(TurnRow(**t), float(s))
                          for t, s in zip(row["turns"], row["scores"])), row["total"], offset)

    # --- reads: entities -------------------------------------------------------------------
    def entity(self, entity_id: str) -> EntitySummary | None:
        row = self._one(f"MATCH (e:Entity {{id: $id}}) RETURN {_ENTITY_FIELDS} AS e",
                        id=entity_id)
        return _summary_of(row["e"]) if row else None

    def entity_summaries(self, ids: Iterable[str]) -> dict[str, EntitySummary]:
        ids = sorted(set(ids))

        def work(tx: ManagedTransaction) -> list[dict[str, Any]]:
            return self._collected(tx, "UNWIND $ids AS id MATCH (e:Entity {id: id}) "
                                   f"RETURN collect({_ENTITY_FIELDS}) AS rows", ids, name="ids")
        return {r["id"]: _summary_of(r) for r in self._read(work)}

    def entities_named(self, form: str, entity_type: str | None = None) -> list[str]:
        words = form.split()
        if not words:
            return []
        # The full-text index finds the entities with the words as a phrase; the exact form
        # is then checked against the list.
        return sorted(self._rows(
            "CALL db.index.fulltext.queryNodes('entity_forms', $q) YIELD node AS e "
            "WHERE $form IN e.forms AND ($type IS NULL OR e.type = $type) "
            "RETURN collect(e.id) AS rows", q=_lucene_phrase(words), form=form, type=entity_type))

    def find_entities(self, words: Sequence[str], entity_type: str | None, offset: int,
                      limit: int) -> Page[EntitySummary]:
        if words:
            row = self._one(_FIND_ENTITIES, q=" AND ".join(_lucene_prefix(w) for w in words),
                            type=entity_type, offset=offset, limit=limit)
        else:
            row = self._one(_ALL_ENTITIES, type=entity_type, offset=offset, limit=limit)
        return Page(tuple(_summary_of(e) for e in row["page"]), row["total"], offset)

    def entity_interviews(self, entity_id: str, offset: int,
                          limit: int) -> Page[EntityInInterview]:
        row = self._one(_node("e", "$id") + f"""
            CALL (e) {{
              MATCH (e)-[n:NAMED_IN]->(i:Interview)
              WITH n, i ORDER BY i.id SKIP $offset LIMIT $limit
              MATCH (p:Interviewee)-[:GAVE]->(i)
              RETURN collect({{s: {_SUMMARY_FIELDS}, n: n.mentions, t: n.testimony_mentions}})
                     AS page
            }}
            RETURN COUNT {{ (e)-[:NAMED_IN]->() }} AS total, page""",
                        id=entity_id, offset=offset, limit=limit)
        if not row:
            return Page((), 0, offset)
        return Page(tuple(EntityInInterview(InterviewSummary(**r["s"]), r["n"], r["t"])
                          for r in row["page"]), row["total"], offset)

    def co_mentioned(self, entity_id: str, limit: int) -> list[tuple[str, int]]:
        # The other end's id from the pair's own a and b: no read of thousands of nodes.
        rows = self._rows(_node("e", "$id") + "MATCH (e)-[c:CO_MENTIONED]-() "
                          "WITH CASE WHEN c.a = $id THEN c.b ELSE c.a END AS other, "
                          "c.turns AS turns "
                          "ORDER BY turns DESC, other LIMIT $limit "
                          "RETURN collect([other, turns]) AS rows", id=entity_id, limit=limit)
        return [(o, n) for o, n in rows]

    def entity_links(self, entity_id: str, offset: int, limit: int) -> Page[LinkRow]:
        row = self._one(_node("e", "$id") + f"""
            CALL (e) {{
              MATCH (e)-[l:{_LINKS}]->(o) RETURN l, e AS s, o
              UNION MATCH (s)-[l:{_LINKS}]->(e) RETURN l, s, e AS o
            }}
            WITH DISTINCT {_LINK_FIELDS}
            {_LINK_ORDER}
            WITH collect({{type: type, source_id: source_id, target_id: target_id,
                          turn_id: turn_id, interview_id: interview_id, start: start,
                          end: end, date: date}}) AS rows
            RETURN size(rows) AS total, rows[$offset..$offset + $limit] AS page""",
                        id=entity_id, offset=offset, limit=limit)
        if not row:
            return Page((), 0, offset)
        return Page(tuple(LinkRow(**r) for r in row["page"]), row["total"], offset)

    def links(self) -> list[LinkRow]:
        rows = self._rows(f"MATCH (s)-[l:{_LINKS}]->(o) WITH DISTINCT {_LINK_FIELDS} "
                          "RETURN collect({type: type, source_id: source_id, "
                          "target_id: target_id, turn_id: turn_id, interview_id: interview_id, "
                          "start: start, end: end, date: date}) AS rows")
        out = [LinkRow(**r) for r in rows]
        return sorted(out, key=lambda x: (x.interview_id, x.start, x.type, x.source_id,
                                          x.target_id, x.turn_id, x.end))

    def relations(self, query: NetworkQuery, link_types: Sequence[str] | None = None,
                  interview_ids: Sequence[str] | None = None) -> RelationData:
        kinds = [t for t in (link_types or ENTITY_LINKS) if t in ENTITY_LINKS]
        if not kinds:
            return RelationData((), (), 0)
        col, ivcol = (("testimony_mentions", "testimony_interviews") if query.testimony_only
                      else ("mentions", "interviews"))
        types = "|".join(_link_type(k) for k in kinds)
        rel = f"""
            MATCH (s:Entity)-[l:{types}]->(o:Entity)
            WHERE ($testimony = false OR l.speaker_role = 'interviewee')
              AND ($ivs IS NULL OR l.interview_id IN $ivs)
              AND ($etypes IS NULL OR (s.type IN $etypes AND o.type IN $etypes))
              AND ($theme IS NULL OR EXISTS {{
                   MATCH (:Turn {{id: l.turn_id}})-[:CODED_AS]->(:Theme {{code: $theme}}) }})
            WITH type(l) AS type, s, o, count(DISTINCT l.turn_id) AS turns,
                 count(DISTINCT l.interview_id) AS ivs
            WHERE turns >= $min_weight"""
        params = dict(testimony=query.testimony_only,
                      ivs=list(interview_ids) if interview_ids is not None else None,
                      etypes=list(query.types) if query.types else None, theme=query.theme,
                      min_weight=query.min_weight, cap=query.max_nodes)

        def work(tx: ManagedTransaction) -> RelationData:
            # The ends of the links kept, most named first; then the links among the kept.
            ranked = tx.run(rel + f"""
                UNWIND [s, o] AS e
                WITH DISTINCT e
                ORDER BY e.{col} DESC, e.id
                WITH collect(e) AS ranked
                RETURN size(ranked) AS total,
                       [e IN CASE WHEN $cap IS NULL THEN ranked ELSE ranked[0..$cap] END |
                        {{id: e.id, name: e.name, type: e.type, n: e.{col}, ivs: e.{ivcol},
                          community: e.community, centrality: e.centrality}}] AS nodes""",
                            params).single()
            nodes = [_network_node(r) for r in ranked["nodes"]]
            ids = [n.id for n in nodes]
            edges = tx.run(f"""
                UNWIND $ids AS id
                MATCH (s:Entity {{id: id}})-[l:{types}]->(o:Entity) WHERE o.id IN $ids
                  AND ($testimony = false OR l.speaker_role = 'interviewee')
                  AND ($ivs IS NULL OR l.interview_id IN $ivs)
                  AND ($theme IS NULL OR EXISTS {{
                       MATCH (:Turn {{id: l.turn_id}})-[:CODED_AS]->(:Theme {{code: $theme}}) }})
                WITH type(l) AS type, s.id AS s, o.id AS t, count(DISTINCT l.turn_id) AS turns,
                     count(DISTINCT l.interview_id) AS ivs
                WHERE turns >= $min_weight
                RETURN type, s, t, turns, ivs""", {**params, "ids": ids}).data()
            out = sorted((RelationEdge(source=r["s"], target=r["t"], type=r["type"],
                                       turns=r["turns"], interviews=r["ivs"]) for r in edges),
                         key=lambda e: (e.source, e.target, e.type))
            return RelationData(tuple(nodes), tuple(out), ranked["total"])
        return self._read(work)

    def link_types_between(self, a: str, b: str) -> tuple[str, ...]:
        rows = self._rows(_node("x", "$a") + _node("y", "$b") + f"""
            MATCH (x)-[l:{_LINKS}]-(y) WITH DISTINCT type(l) AS t ORDER BY t
            RETURN collect(t) AS rows""", a=a, b=b)
        return tuple(rows)

    def timeline(self, *, place: str | None = None, entity: str | None = None,
                 theme: str | None = None, interviewee: str | None = None, offset: int = 0,
                 limit: int = 50) -> Page[TimelineItem]:
        # Where to start: the entity (or place) asked about, by its id, and its links (a place
        # also brings the events that happened there); else every dated link, through each
        # link type's date index (one index serves one type: a branch per type). The other
        # filters are parameters. The total is counted, then one page is sorted out (a top-k
        # sort: the store never collects every dated link).
        focus = entity if entity is not None else place
        if focus is not None:
            starts = [f"MATCH (f:Entity {{id: $focus}})-[l:{_LINKS}]->(o) "
                      "WHERE l.date IS NOT NULL RETURN f AS s, l, o",
                      f"MATCH (s)-[l:{_LINKS}]->(f:Entity {{id: $focus}}) "
                      "WHERE l.date IS NOT NULL RETURN s, l, f AS o"]
            if entity is None:  # each event there once (it has a HAPPENED_AT per telling)
                events = ("MATCH (:Entity {id: $place})<-[:HAPPENED_AT]-(ev:Entity) "
                          "WITH DISTINCT ev ")
                starts += [events + f"MATCH (ev)-[l:{_LINKS}]->(o) WHERE l.date IS NOT NULL "
                           "RETURN ev AS s, l, o",
                           events + f"MATCH (ev)<-[l:{_LINKS}]-(s) WHERE l.date IS NOT NULL "
                           "RETURN s, l, ev AS o"]
            start = "CALL () { " + " UNION ".join(starts) + " }"
        else:
            start = "CALL () { " + _union("MATCH (s)-[l:{T}]->(o) WHERE l.date IS NOT NULL "
                                          "RETURN s, l, o") + " }"
        # The start already keeps the focus; a place asked beside an entity is checked here.
        place_check = (" AND (s.id = $place OR o.id = $place OR EXISTS { "
                       "(s)-[:HAPPENED_AT]->(:Entity {id: $place}) } OR EXISTS { "
                       "(o)-[:HAPPENED_AT]->(:Entity {id: $place}) })"
                       if place is not None and entity is not None else "")
        dated = start + f"""
            WITH s, l, o WHERE coalesce(l.speaker_role, '') <> 'interviewer'{place_check}
              AND ($interviewee IS NULL OR EXISTS {{
                   MATCH (i:Interview {{id: l.interview_id}}) WHERE i.interviewee = $interviewee }})
              AND ($theme IS NULL OR EXISTS {{
                   MATCH (t:Turn {{id: l.turn_id}})-[:CODED_AS]->(:Theme {{code: $theme}}) }})
            WITH DISTINCT l.date AS date, type(l) AS type, s.id AS source_id,
                 coalesce(s.name, s.id) AS source_name, o.id AS target_id,
                 CASE WHEN type(l) = 'HAPPENED_ON' THEN l.date ELSE coalesce(o.name, o.id) END
                   AS target_name, l.interview_id AS interview_id, l.turn_id AS turn_id,
                 coalesce(l.speaker_role, '') AS speaker_role, l.start AS start, l.end AS end"""
        params = dict(place=place, entity=entity, theme=theme, interviewee=interviewee,
                      offset=offset, limit=limit, focus=focus)

        def work(tx: ManagedTransaction) -> Page[TimelineItem]:
            total = tx.run(dated + " RETURN count(*) AS n", params).single()["n"]
            rows = tx.run(dated + """
                ORDER BY date, interview_id, start, type, source_id, target_id
                SKIP $offset LIMIT $limit
                MATCH (i:Interview {id: interview_id})
                CALL (source_id, type, date) {
                  OPTIONAL MATCH (:Entity {id: source_id})-[x:HAPPENED_ON]->()
                  WHERE type = 'HAPPENED_ON' AND NOT x.date STARTS WITH date
                    AND NOT date STARTS WITH x.date
                  WITH DISTINCT x.date AS d ORDER BY d
                  RETURN [d IN collect(d) WHERE d IS NOT NULL] AS disagreements
                }
                RETURN date, type, source_id, source_name, target_id, target_name,
                       interview_id, i.interviewee AS pseudonym, turn_id, speaker_role, start,
                       end, substring(i.text, start, end - start) AS quote, disagreements
                ORDER BY date, interview_id, start, type, source_id, target_id""",
                          params).data()
            return Page(tuple(TimelineItem(**{**r, "disagreements": tuple(r["disagreements"])})
                              for r in rows), total, offset)
        return self._read(work)

    # --- reads: corroboration --------------------------------------------------------------
    @staticmethod
    def _params(subject: Subject) -> dict[str, Any]:
        return {"a": subject.entity_id, "b": subject.other_id, "ranks": STANCE_RANK,
                "unmarked": _UNMARKED}

    @staticmethod
    def _sources(subject: Subject) -> str:
        """Cypher of a subject's sources (pseudonym, best, turns, ivs)."""
        return _SOURCES_ENTITY if subject.other_id is None else _SOURCES_LINK

    def sources(self, subject: Subject, offset: int, limit: int) -> Page[SourceRow]:
        row = self._one(self._sources(subject) + _SOURCES, offset=offset, limit=limit,
                        **self._params(subject))
        if not row:
            return Page((), 0, offset)
        return Page(tuple(SourceRow(pseudonym=r["pseudonym"], best_stance=r["best"],
                                    turns=r["turns"], interviews=tuple(sorted(r["ivs"])))
                          for r in row["page"]), row["total"], offset)

    def stance_counts(self, subject: Subject) -> dict[int, int]:
        return dict(self._rows(self._sources(subject) + _STANCE_COUNTS, **self._params(subject)))

    def supports(self, subject: Subject, pseudonyms: Iterable[str] | None,
                 limit: int) -> list[SupportRow]:
        people = None if pseudonyms is None else sorted(set(pseudonyms))
        if people is not None and not people:
            return []
        if subject.other_id is not None:
            cypher = _SUPPORT_LINK
        else:  # a page of sources reads their interviews only
            cypher = _SUPPORT_ENTITY if people is None else _SUPPORT_ENTITY_OF
        ids = [subject.entity_id] + ([subject.other_id] if subject.other_id else [])
        rows = self._rows(cypher + _SUPPORTS_TAIL, people=people, limit=limit, ids=ids,
                          **self._params(subject))
        turns = {r["turn"]["id"]: TurnRow(**r["turn"]) for r in rows}
        spans = {r["turn"]["id"]: r["spans"] for r in rows}
        rows = [{"turn_id": r["turn"]["id"], "stance": r["stance"], "start": r["start"],
                 "pseudonym": r["pseudonym"]} for r in rows]
        return support_rows(rows, turns, spans, whole=subject.other_id is not None)

    def prompted(self, subject: Subject) -> list[str]:
        ids = [subject.entity_id] + ([subject.other_id] if subject.other_id else [])
        found: set[str] | None = None
        for eid in ids:
            here = set(self._rows(
                _node("e", "$id") + "MATCH (e)-[n:NAMED_IN]->(i:Interview) "
                "WHERE n.first_interviewer_turn IS NOT NULL AND n.first_interviewer_turn < "
                "coalesce(n.first_interviewee_turn, $none) RETURN collect(i.id) AS rows",
                id=eid, none=_NO_TURN))
            found = here if found is None else found & here
        return sorted(found or ())

    def turns_naming(self, entity_ids: Sequence[str], exclude_interview: str,
                     limit: int) -> list[tuple[str, int]]:
        ids = sorted(set(entity_ids))[:500]  # as SQLite's one IN (...) list
        rows = self._rows("UNWIND $ids AS id " + _node("e", "id") + """
            MATCH (e)<-[m:MENTIONS]-(t:Turn)
            WHERE m.speaker_role = 'interviewee' AND m.interview_id <> $exclude
            WITH t, count(DISTINCT e) AS n
            WITH t.id AS id, n ORDER BY n DESC, id LIMIT $limit
            RETURN collect([id, n]) AS rows""", ids=ids, exclude=exclude_interview, limit=limit)
        return [(t, n) for t, n in rows]

    def attesting_turns(self, a: str, b: str, limit: int) -> Page[TurnRow]:
        subject = Subject(a, b)
        # The turns only: no stance is needed to list them.
        row = self._one(_LINK_TURNS + "WITH DISTINCT t " + _ATTESTING_TAIL, limit=limit,
                        **self._params(subject))
        if not row:
            return Page((), 0)
        return Page(tuple(TurnRow(**t) for t in row["turns"]), row["total"])

    # --- reads: the network ----------------------------------------------------------------
    def _nodes(self, tx: ManagedTransaction, query: NetworkQuery,
               interview_ids: Sequence[str] | None, cap: int | None
               ) -> tuple[list[NetworkNode], int]:
        params: dict[str, Any] = {"types": list(query.types) if query.types else None,
                                  "cap": cap if cap is not None else _NO_CAP}
        if query.theme is not None:
            row = tx.run(_NETWORK_NODES_THEME, theme=query.theme, testimony=query.testimony_only,
                         ivs=None if interview_ids is None else list(interview_ids),
                         **params).single()
        elif interview_ids is not None:
            row = tx.run(_NETWORK_NODES_IN[query.testimony_only], ivs=list(interview_ids),
                         **params).single()
        else:
            row = tx.run(_NETWORK_NODES[query.testimony_only], **params).single()
        if row is None:
            return [], 0
        return [_network_node(r) for r in row["nodes"]], row["total"]

    def _only(self, tx: ManagedTransaction, query: NetworkQuery,
              ids: Iterable[str]) -> list[NetworkNode]:
        """The nodes among `ids` the (unfiltered) query keeps."""
        rows = self._batched(tx, _NETWORK_ONLY[query.testimony_only], sorted(set(ids)),
                             name="only", types=list(query.types) if query.types else None)
        return [_network_node(n) for r in rows for n in r["nodes"]]

    def _edges(self, tx: ManagedTransaction, query: NetworkQuery,
               interview_ids: Sequence[str] | None, ids: Sequence[str]) -> list[NetworkEdge]:
        if not ids:
            return []
        params: dict[str, Any] = {"ids": sorted(ids), "min": query.min_weight}
        if query.theme is not None:
            rows = tx.run(_NETWORK_EDGES_THEME, theme=query.theme, testimony=query.testimony_only,
                          ivs=None if interview_ids is None else list(interview_ids),
                          **params).single()["rows"]
        elif interview_ids is not None:
            rows = tx.run(_NETWORK_EDGES_IN[query.testimony_only], ivs=list(interview_ids),
                          **params).single()["rows"]
        else:
            nodes = params["ids"]
            row = tx.run(_NETWORK_EDGES[query.testimony_only],
                         pos={n: i for i, n in enumerate(nodes)}, **params).single()
            return _edge_strings(nodes, row["edges"] if row else [])
        return _edges(rows)

    def network(self, query: NetworkQuery, interview_ids: Sequence[str] | None = None) -> NetworkData:
        def work(tx: ManagedTransaction) -> NetworkData:
            nodes, total = self._nodes(tx, query, interview_ids, query.max_nodes)
            return NetworkData(nodes=tuple(nodes), edges=tuple(self._edges(
                tx, query, interview_ids, [n.id for n in nodes])), total_nodes=total)
        return self._read(work)

    def neighbourhood(self, entity_id: str, depth: int, query: NetworkQuery,
                      interview_ids: Sequence[str] | None = None) -> NetworkData:
        if query.theme is not None or interview_ids is not None:
            whole = self.network(NetworkQuery(**{**query.__dict__, "max_nodes": None}),
                                 interview_ids)
            return neighbourhood_of(whole, entity_id, depth, query.max_nodes)

        def work(tx: ManagedTransaction) -> NetworkData:
            centre = self._only(tx, query, [entity_id])
            if not centre:
                return NetworkData((), ())
            count = {entity_id: centre[0].mentions}
            distance = {entity_id: 0}
            frontier = [entity_id]
            types = list(query.types) if query.types else None
            for hop in range(1, max(0, depth) + 1):
                kept: set[str] = set()
                for row in self._batched(tx, _NEIGHBOURS[query.testimony_only], frontier,
                                         name="frontier", min=query.min_weight, types=types):
                    for s in row["found"]:
                        n, eid = s.split(" ", 1)
                        if eid not in distance:
                            kept.add(eid)
                            count[eid] = int(n)
                distance.update((eid, hop) for eid in kept)
                frontier = sorted(kept)
                if not frontier:
                    break
            ranked = sorted((i for i in distance if i != entity_id),
                            key=lambda i: (distance[i], -count[i], i))  # nearest first
            total = len(ranked) + 1
            if query.max_nodes is not None:
                ranked = ranked[:max(0, query.max_nodes - 1)]
            others = self._only(tx, query, ranked)
            nodes = sorted([centre[0], *others], key=lambda n: (-n.mentions, n.id))
            return NetworkData(tuple(nodes), tuple(self._edges(tx, query, None,
                                                               [n.id for n in nodes])),
                               total_nodes=total)
        return self._read(work)

    def shortest_paths(self, source: str, target: str, query: NetworkQuery, max_hops: int,
                       limit: int, interview_ids: Sequence[str] | None = None
                       ) -> list[tuple[str, ...]]:
        if query.theme is not None or interview_ids is not None:
            whole = self.network(NetworkQuery(**{**query.__dict__, "max_nodes": None}),
                                 interview_ids)
            return mirror_of(whole).shortest_paths(source, target, testimony_only=False,
                                                   min_weight=query.min_weight, types=None,
                                                   max_hops=max_hops, limit=limit)
        if source == target or max_hops < 1 or limit < 1:
            return []
        rows = self._rows(_paths_statement(max_hops, query.testimony_only, bool(query.types)),
                           source=source, target=target, min=query.min_weight,
                           types=list(query.types) if query.types else None, limit=limit)
        return [tuple(ids) for ids in rows]

    # --- reads: curation -------------------------------------------------------------------
    def possibly_same(self, offset: int = 0, limit: int | None = None
                      ) -> Page[tuple[str, str, float]]:
        row = self._one("""
            MATCH (p:PossiblySame) WHERE p.a <> p.b
            WITH CASE WHEN p.a < p.b THEN p.a ELSE p.b END AS x,
                 CASE WHEN p.a < p.b THEN p.b ELSE p.a END AS y, p.score AS s
            WITH x, y, max(s) AS s ORDER BY s DESC, x, y
            WITH collect([x, y, s]) AS rows
            RETURN size(rows) AS total, rows[$offset..$end] AS page""",
                        offset=offset, end=_NO_CAP if limit is None else offset + limit)
        return Page(tuple((r[0], r[1], r[2]) for r in row["page"]), row["total"], offset)

    def uncertain_entities(self, offset: int, limit: int) -> Page[EntitySummary]:
        row = self._one(f"""
            MATCH (e:Entity) WHERE e.confidence < 1 AND e.keys > 1 AND e.confirmed = 0
            WITH e ORDER BY e.confidence, e.id
            WITH collect(e) AS es
            RETURN size(es) AS total, [e IN es[$offset..$offset + $limit] | {_ENTITY_FIELDS}]
                   AS page""", offset=offset, limit=limit)
        return Page(tuple(_summary_of(e) for e in row["page"]), row["total"], offset)
