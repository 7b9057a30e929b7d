"""A kill -9 at any stage of an ingest, then a rerun, gives the graph of a clean run.

Each test runs the real CLI (`python -m graph_builder.cli ingest`) in a subprocess over a small
FICTIONAL corpus, with one function of the pipeline wrapped *in that subprocess only* so that
its Nth call sends the process SIGKILL: no exception, no `finally`, no rollback by us, no
`store.close()`. The test checks the process died of SIGKILL and that the kill left the store
where the stage says (nothing, some interviews, every interview unresolved, ...), reruns the
same ingest normally to completion, and compares everything the store's read API answers with
clean runs into a fresh store. On both backends; Neo4j is the real server (never mocked), as
in tests/conftest.py.

Two scenarios: a first ingest into a new store (every stage), and an update (a store holding
a resolved graph; the ingest that replaces a changed interview and adds one is killed while
writing or resolving; the clean graph is the two ingests run without a kill).

Stages and where the kill lands:
- opening: a new store's schema half made (SQLite: part-way through its tables; Neo4j: at
  its 20th schema statement, on a database with no schema).
- reading: `load.read_document`, at the third file (nothing written yet).
- extraction: `pipeline._assemble` (one interview's extraction) at the first interview of the
  second chunk: the first chunk of `load.CHUNK` interviews is already written.
- writing: inside an interview's write transaction, after its old version was removed and
  its turns and mentions were sent (SQLite `_upsert_entities(replace=False)`, Neo4j
  `_apply_shift`).
- resolution: inside the final resolution's transaction, after resolution entries were
  replaced and mentions moved (SQLite `_upsert_entities(replace=True)`, Neo4j `_entries`).
- structure: the last step of the final resolution, after the resolution committed and
  before the network's communities and centrality are stored (`structure.structure_rows`).

The opening stage found a bug: SQLite made a new store's tables one autocommitted statement
at a time and stamped the schema version last, so a kill in between left a file that every
later run refused as "made by an older version" (fixed: one transaction).
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from graph_builder.load import CHUNK
from graph_builder.store.base import NetworkQuery, TextMatch, TurnFilter
from tests.conftest import REPO

ALL = 100_000  # a page size that holds everything these tests write

# --- the corpus: nine short FICTIONAL interviews (more than one extraction chunk) ----------

_FRONT = """---
interview_id: {id}
title: "{who}, {what} (FICTIONAL)"
interviewee: {who}
gender: {gender}
nationality: Syrian
status: {status}
date: {date}
place: Gaziantep, Turkey
interviewer_names: Interviewer
note: "FICTIONAL test transcript for testimony-graph; not real testimony"
---

"""

CORPUS: dict[str, str] = {
    "c01_abu-tariq.md": _FRONT.format(
        id="c01", who="Abu Tariq", what="former hisbah member", gender="male",
        status="defector", date="2016-04-02") + (
        "Interviewer: This is a fictional test interview. Where were you in 2014?\n\n"
        "Abu Tariq: I was in Raqqa. I joined the hisbah in March 2014, after my cousin was "
        "recruited by Abu Omar al-Shami.\n\n"
        "Interviewer: Who was Abu Omar al-Shami?\n\n"
        "Abu Tariq: He was the emir of the hisbah in Raqqa. Later he went to Tabqa.\n\n"
        "Interviewer: What did you do in the hisbah?\n\n"
        "Abu Tariq: We patrolled the markets. Smoking was banned and the women had to wear "
        "the niqab. I fled to Kilis in 2015 with a smuggler.\n"),
    "c02_umm-sara.txt": _FRONT.format(
        id="c02", who="Umm Sara", what="former resident of Raqqah", gender="female",
        status="witness", date="2016-05-11") + (
        "Interviewer: This is a fictional test interview. Tell me about Raqqah.\n\n"
        "Umm Sara: My husband Abu Tarik worked for the hisbah in Raqqah. Abu Omar came to our "
        "house many times.\n\n"
        "Interviewer: What was daily life like?\n\n"
        "Umm Sara: Under the Islamic State women could not go out without a mahram. There was "
        "no electricity and bread was expensive.\n\n"
        "Interviewer: How did you leave?\n\n"
        "Umm Sara: In 2015 we escaped to Manbij and then to Kilis.\n"),
    "c03_khaled.json": (
        '{"interview": {"interview_id": "c03", "title": "Khaled, smuggler (FICTIONAL)", '
        '"interviewee": "Khaled", "gender": "male", "nationality": "Syrian", '
        '"status": "witness", "date": "2016-06-20", "interviewer_names": "Interviewer", '
        '"note": "FICTIONAL test transcript for testimony-graph; not real testimony"}, '
        '"turns": ['
        '{"speaker": "Interviewer", "text": "This is a fictional test interview. What was '
        'your work?", "start": 1.0, "end": 4.0}, '
        '{"speaker": "Khaled", "text": "I was a smuggler between Jarablus and Kilis. I took '
        'families across the border at night.", "start": 5.0, "end": 12.0}, '
        '{"speaker": "Interviewer", "text": "Did you meet people from the hisbah?", '
        '"start": 13.0, "end": 15.0}, '
        '{"speaker": "Khaled", "text": "Yes, Abu Tariq came to me in 2015. He wanted to leave '
        'Raqqa. I took him to Kilis.", "start": 16.0, "end": 24.0}]}\n'),
    "c04_abu-yusuf.srt": (
        "1\n00:00:01,000 --> 00:00:04,000\n"
        "Interviewer: This is a fictional test interview. Where did you train?\n\n"
        "2\n00:00:05,000 --> 00:00:12,000\n"
        "Abu Yusuf: In a training camp near Mosul. They taught us how to use a rifle.\n\n"
        "3\n00:00:13,000 --> 00:00:16,000\n"
        "Interviewer: Who ran the camp?\n\n"
        "4\n00:00:17,000 --> 00:00:25,000\n"
        "Abu Yusuf: Abu Omar al-Shami visited the camp. Later I was sent to Tabqa and then "
        "to Raqqa.\n"),
    "c05_abu-nour.md": _FRONT.format(
        id="c05", who="Abu Nour", what="oil worker from Deir ez-Zor", gender="male",
        status="witness", date="2016-07-03") + (
        "Interviewer: This is a fictional test interview. What happened in Deir ez-Zor?\n\n"
        "Abu Nour: I worked at an oil field near Deir ez-Zor. The Amniyat arrested my cousin "
        "in 2015 and held him in Raqqa.\n\n"
        "Interviewer: Did you know who ordered it?\n\n"
        "Abu Nour: People said it was Abu Omar. Abu Tareq told me later that my cousin was "
        "in the prison under the stadium.\n"),
    "c06_salma.txt": _FRONT.format(
        id="c06", who="Salma", what="teacher from Manbij", gender="female",
        status="witness", date="2016-08-14") + (
        "Interviewer: This is a fictional test interview. You were a teacher?\n\n"
        "Salma: Yes, in Manbij. When the Islamic State took Manbij they closed the schools. "
        "They wanted the children to memorise the Quran in their mosques.\n\n"
        "Interviewer: What about your family?\n\n"
        "Salma: My brother joined the FSA and fought in Aleppo under Abu Mahmoud al-Halabi. "
        "Abu Mahmud was from Halab. We left for Gaziantep in 2016.\n"),
    "c07_abu-hamza.md": _FRONT.format(
        id="c07", who="Abu Hamza", what="former FSA fighter", gender="male",
        status="defector", date="2016-09-01") + (
        "Interviewer: This is a fictional test interview. How did you come to al-Bab?\n\n"
        "Abu Hamza: I fought with the FSA in Aleppo. In 2014 my unit pledged allegiance and "
        "we were sent to al-Bab.\n\n"
        "Interviewer: Who was your commander?\n\n"
        "Abu Hamza: Abu Omar al-Shami, for some months. Then a man called Abu Tariq al-Iraqi "
        "came from Mosul.\n"),
    "c08_walid.txt": _FRONT.format(
        id="c08", who="Walid", what="driver from Jarablus", gender="male",
        status="witness", date="2016-10-09") + (
        "Interviewer: This is a fictional test interview. What did you see in Jarablus?\n\n"
        "Walid: I was a driver. I drove fighters of Abu Hamzah from Jarablus to al-Bab.\n\n"
        "Interviewer: Is that the same Abu Hamza who was with the FSA?\n\n"
        "Walid: I think so. He said he had been in Aleppo. Later Abu Hamzah fled to Kilis "
        "with Khaled the smuggler.\n"),
    "c09_samir.md": _FRONT.format(
        id="c09", who="Samir", what="returnee", gender="male",
        status="returnee", date="2016-11-21") + (
        "Interviewer: This is a fictional test interview. Why did you go to Syria?\n\n"
        "Samir: I was recruited online. I travelled through Gaziantep to Raqqa in 2014 and "
        "joined the Islamic State.\n\n"
        "Interviewer: Who did you meet there?\n\n"
        "Samir: Abu Tariq al-Iraqi was our emir in Tabqa. I saw Abu Omar al-Shami once in "
        "Raqqa, at the hisbah office.\n"),
}

# The second ingest of the update scenario: one interview changed (it no longer names Abu
# Omar, and now names Abu Tareq), one new.
UPDATE: dict[str, str] = {
    "c02_umm-sara.txt": CORPUS["c02_umm-sara.txt"].replace(
        "Abu Omar came to our house many times.",
        "Abu Tareq came to our house many times. He carried a Kalashnikov.").replace(
        "escaped to Manbij", "escaped to Jarablus"),
    "c10_abu-bakr.md": _FRONT.format(
        id="c10", who="Abu Bakr", what="former guard in Raqqa", gender="male",
        status="defector", date="2017-01-15") + (
        "Interviewer: This is a fictional test interview. Where were you a guard?\n\n"
        "Abu Bakr: At the prison under the stadium in Raqqa. The Amniyat brought new "
        "prisoners every night.\n\n"
        "Interviewer: Who was in charge?\n\n"
        "Abu Bakr: Abu Omar al-Shami gave the orders. Abu Mahmud al-Halabi came once from "
        "al-Bab. I defected and fled to Kilis in 2016.\n"),
}
assert UPDATE.keys() - CORPUS.keys() == {"c10_abu-bakr.md"}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """The one folder every run reads (source paths are part of the graph): set_corpus puts
    the version a run needs in it."""
    assert len(CORPUS) > CHUNK  # the extraction kill lands after a whole chunk was written
    return tmp_path_factory.mktemp("crash-corpus")


def set_corpus(folder: Path, files: dict[str, str]) -> Path:
    for old in folder.iterdir():
        if old.name not in files:
            old.unlink()
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


# --- the subprocess: the real CLI, with one function killing the process at its Nth call ---

# argv: what to wrap, N, a condition on (args, kwargs) that a call counts, then the CLI's.
# What to wrap is "module[:Class].attr", or "sql:TABLE": the embedded store's connection
# while it makes its tables, killed as it comes to CREATE TABLE TABLE (the statements before
# it have run: a kill part-way through making a new store).
KILL_AT = r"""
import importlib, os, signal, sys
target, nth, when = sys.argv[1], int(sys.argv[2]), sys.argv[3]
calls = 0

def kill():
    print(f"KILLING at call {calls} of {target}", file=sys.stderr, flush=True)
    os.kill(os.getpid(), signal.SIGKILL)  # kill -9: nothing after this runs

if target.startswith("sql:"):
    import sqlite3
    from graph_builder.store.sqlite import SQLiteStore
    real_schema = SQLiteStore.ensure_schema

    def ensure_schema(self):
        def authorize(action, arg1, *rest):
            global calls
            if action == sqlite3.SQLITE_CREATE_TABLE and arg1 == target[4:]:
                calls += 1
                if calls == nth:
                    kill()
            return sqlite3.SQLITE_OK
        self._db.set_authorizer(authorize)
        try:
            real_schema(self)
        finally:
            self._db.set_authorizer(None)
    SQLiteStore.ensure_schema = ensure_schema
else:
    module_name, _, attr = target.partition(":")
    owner_name, _, name = attr.rpartition(".")
    owner = importlib.import_module(module_name)
    if owner_name:
        owner = getattr(owner, owner_name)
    real = getattr(owner, name)

    def at_stage(*args, **kwargs):
        global calls
        if eval(when, {"args": args, "kwargs": kwargs}):
            calls += 1
            if calls == nth:
                kill()
        return real(*args, **kwargs)
    setattr(owner, name, at_stage)

from graph_builder.cli import main
sys.exit(main(sys.argv[4:]))
"""


def _env(backend: str, target: Any) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("TESTIMONY_DB", "TESTIMONY_BACKEND", "TESTIMONY_CODEBOOK", "NEO4J_URI",
                        "NEO4J_USER", "NEO4J_PASSWORD", "NEO4J_DATABASE")}
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    if backend == "sqlite":
        env.update(TESTIMONY_BACKEND="sqlite", TESTIMONY_DB=str(target))
    else:
        env.update(TESTIMONY_BACKEND="neo4j", NEO4J_URI=target.uri, NEO4J_USER=target.user,
                   NEO4J_PASSWORD=target.password, NEO4J_DATABASE=target.database)
    return env


def _ingest(env: dict[str, str], corpus: Path,
            kill: tuple[str, int, str] | None = None) -> subprocess.CompletedProcess:
    """`testimony ingest` of the folder; with `kill` (what, N, which calls count), in a
    process that kills itself with SIGKILL at that call."""
    args = ["ingest", "--quiet", str(corpus)]
    if kill is None:
        cmd = [sys.executable, "-m", "graph_builder.cli", *args]
    else:
        target, nth, when = kill
        cmd = [sys.executable, "-c", KILL_AT, target, str(nth), when, *args]
    return subprocess.run(cmd, env=env, cwd=REPO, capture_output=True, text=True, timeout=300)


def _completed(run: subprocess.CompletedProcess) -> None:
    assert run.returncode == 0, f"exit {run.returncode}\n{run.stdout}\n{run.stderr}"
    assert "0 failed" in run.stdout, run.stdout


# --- the canonical dump: everything the read API answers ------------------------------------

def dump(store) -> dict[str, Any]:
    """The graph as the store's public reads give it: interviews, turns, mentions, themes,
    entities (names, types, aliases, counts), keys and their resolution, links, review pairs,
    aggregates, the network with its structure, timeline, and full-text answers."""
    summaries = store.interviews()
    entities = list(store.find_entities([], None, 0, ALL))
    links = store.links()
    ids = {e.id for e in entities} | {x for ln in links for x in (ln.source_id, ln.target_id)}
    mentions = {s.id: store.mentions(interview_id=s.id) for s in summaries}
    ids |= {m.entity_id for ms in mentions.values() for m in ms}
    ids = sorted(ids)
    writes, structure_at = store.graph_version()
    out: dict[str, Any] = {
        "stats": store.stats(), "interviews": summaries,
        "interview count": store.interview_count(),
        "keys": store.all_keys(), "key count": store.key_count(),
        "pending": store.pending_keys(), "resolution": store.resolution(),
        "entities": entities, "links": links, "theme counts": store.theme_counts(),
        "co-occurrence": store.cooccurrence_edges(),
        "possibly same": store.possibly_same(), "uncertain": store.uncertain_entities(0, ALL),
        "curation": store.curation_log(),
        "network": store.network(NetworkQuery(max_nodes=None)),
        "network, every speaker": store.network(NetworkQuery(testimony_only=False,
                                                             max_nodes=None)),
        "relations": store.relations(NetworkQuery(testimony_only=False, max_nodes=None)),
        "timeline": store.timeline(limit=ALL),
        "structure is current": writes == structure_at,
        "summaries": store.entity_summaries(ids), "keys of": store.keys_of(ids),
        "interview counts": store.entity_interview_counts(ids),
    }
    usage = store.key_usage(out["keys"], company=[k for k in out["keys"]
                                                  if k.startswith("PERSON:")])
    out["key usage"] = usage
    for s in summaries:
        out[f"interview {s.id}"] = (store.interview(s.id), store.content_hash(s.id),
                                    store.turns_of(s.id), mentions[s.id],
                                    store.themes(interview_id=s.id))
    for eid in ids:
        out[f"entity {eid}"] = (store.entity(eid), store.co_mentioned(eid, ALL),
                                store.entity_interviews(eid, 0, ALL),
                                store.entity_links(eid, 0, ALL))
    # Full-text indexes: the turns found (the score is each index's own), and entity names.
    for word in ("raqqa", "hisbah", "kilis", "smuggler", "abu", "niqab"):
        page = store.search(TextMatch(required=((word,),)), TurnFilter(), 0, ALL)
        out[f"search {word}"] = (page.total, sorted(s.turn.id for s in page))
    for form in ("abu omar al shami", "raqqa", "abu tariq", "abu hamza", "kilis"):
        out[f"named {form}"] = sorted(store.entities_named(form))
    return out


def assert_same_graph(got: dict[str, Any], clean: dict[str, Any]) -> None:
    differ = sorted(k for k in clean.keys() | got.keys() if got.get(k, ...) != clean.get(k, ...))
    assert not differ, (f"after a kill and a rerun the graph is not the clean run's; these "
                        f"reads differ: {differ}\n" + "\n".join(
                            f"{k}:\n  clean: {clean.get(k, '(missing)')!r}\n"
                            f"  rerun: {got.get(k, '(missing)')!r}" for k in differ[:3]))


# --- the kills ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Kill:
    stage: str
    # backend -> (what the pipeline calls there, "module[:Class].attr" (or "sql:TABLE", see
    # KILL_AT); at which of its calls the process is killed; which calls count, a Python
    # condition on args and kwargs)
    at: dict[str, tuple[str, int, str]]
    # What the kill must have left in the store (given the store before the killed ingest).
    left: Callable[[Any, dict[str, Any]], None]
    # A new store: on Neo4j a database without the schema either (constraints, indexes, the
    # store's own nodes); `left` is then given the Backend, to look without opening a store
    # (opening one makes the schema).
    bare: bool = False


def _both(target: str, nth: int) -> dict[str, tuple[str, int, str]]:
    return {"sqlite": (target, nth, "True"), "neo4j": (target, nth, "True")}


# A new store's schema half made. SQLite: the statements before CREATE TABLE mention_key ran,
# each committed on its own before the fix (the table "interview" among them); Neo4j: at its
# 20th schema statement (constraints and indexes, one transaction each).
OPENING = {"sqlite": ("sql:mention_key", 1, "True"), "neo4j": ("neo4j:Session.run", 20, "True")}
READING = _both("graph_builder.load:read_document", 3)  # at the third file
# One interview's extraction: the first of the second chunk (the first chunk is written).
EXTRACTION = _both("graph_builder.extract.pipeline:_assemble", CHUNK + 1)


def _writing(nth: int) -> dict[str, tuple[str, int, str]]:
    """Inside the nth interview's write transaction, after its old version was removed and
    its turns and mentions were sent."""
    return {"sqlite": ("graph_builder.store.sqlite:SQLiteStore._upsert_entities", nth,
                       "kwargs['replace'] is False"),
            "neo4j": ("graph_builder.store.neo4j:Neo4jStore._apply_shift", nth, "True")}


# Inside the resolution's transaction, after its entries were replaced and mentions moved.
RESOLUTION = {"sqlite": ("graph_builder.store.sqlite:SQLiteStore._upsert_entities", 1,
                         "kwargs['replace'] is True"),
              "neo4j": ("graph_builder.store.neo4j:Neo4jStore._entries", 1, "True")}
# After the resolution committed, before the network's structure is computed and stored.
STRUCTURE = _both("graph_builder.structure:structure_rows", 1)


def _ids(store) -> set[str]:
    return {s.id for s in store.interviews()}


def _whole(store) -> None:
    """What is there is whole: no turn, mention or aggregate of a cut transaction."""
    summaries = store.interviews()
    stats = store.stats()
    assert stats["turns"] == sum(s.turns for s in summaries)
    assert stats["mentions"] == sum(len(store.mentions(interview_id=s.id)) for s in summaries)
    assert set(store.all_keys()) == {m.key for s in summaries
                                     for m in store.mentions(interview_id=s.id)}


def _nothing_written(store, before) -> None:
    assert store.interview_count() == 0 and store.pending_keys() == []


def _no_schema(backend: "Backend", before) -> None:
    if backend.name == "sqlite":
        # One transaction, cut: no table at all. (Before the fix, 13 tables, "interview"
        # among them, and no schema stamp: every later run refused the file as an older
        # version's.)
        assert backend.sqlite_tables() == set()
    else:
        names = backend.neo4j_schema()
        assert names and "turn_text" not in names  # half made: the last statements never ran
        assert backend.db.server.cypher("MATCH (i:Interview) RETURN count(i) AS n")[0]["n"] == 0


def _first_chunk_written(store, before) -> None:
    assert store.interview_count() == CHUNK
    assert store.pending_keys() and store.resolution() == {}
    _whole(store)


def _two_written(store, before) -> None:
    # The third interview's transaction was cut: it is not there, not even in part.
    assert _ids(store) == {"c01", "c02"}
    assert store.pending_keys() and store.resolution() == {}
    _whole(store)


def _unresolved(store, before) -> None:
    assert store.interview_count() == len(CORPUS)
    assert store.pending_keys() and store.resolution() == {}
    _whole(store)


def _structure_stale(store, before) -> None:
    assert store.interview_count() == len(CORPUS)
    assert store.pending_keys() == [] and store.resolution()
    writes, at = store.graph_version()
    assert writes != at  # the network's structure was never stored


def _old_version_kept(store, before) -> None:
    # The changed interview's transaction was cut after its old version was removed: the old
    # version is back, whole, and the store is as the first ingest left it.
    assert _ids(store) == set(before["ids"])
    assert store.content_hash("c02") == before["c02"]
    assert store.pending_keys() == [] and store.resolution() == before["resolution"]
    assert store.stats() == before["stats"]
    _whole(store)


def _update_unresolved(store, before) -> None:
    assert _ids(store) == set(before["ids"]) | {"c10"}
    assert store.content_hash("c02") != before["c02"]
    assert store.pending_keys() and store.resolution() == before["resolution"]
    _whole(store)


FRESH = [
    Kill("opening", OPENING, _no_schema, bare=True),
    Kill("reading", READING, _nothing_written),
    Kill("extraction", EXTRACTION, _first_chunk_written),
    Kill("writing", _writing(3), _two_written),
    Kill("resolution", RESOLUTION, _unresolved),
    Kill("structure", STRUCTURE, _structure_stale),
]
UPDATE_KILLS = [  # the second ingest writes c02 (changed) first, then c10 (new)
    Kill("writing", _writing(1), _old_version_kept),
    Kill("resolution", RESOLUTION, _update_unresolved),
]

BACKENDS = ["sqlite", pytest.param("neo4j", marks=pytest.mark.neo4j)]


# --- stores ------------------------------------------------------------------------------

class Backend:
    """One backend as the CLI sees it (its environment) and as the test reads it."""

    def __init__(self, name: str, request, tmp_path: Path, *, bare: bool = False) -> None:
        self.name = name
        if name == "sqlite":
            self.path = tmp_path / "store.db"  # not there yet
            self.env = _env(name, self.path)
        else:
            self.db = request.getfixturevalue("neo4j_db")
            self.db.clean().close()  # an empty database (conftest refuses to empty others')
            self.env = _env(name, self.db.server)
            if bare:  # and no schema (the next store opened makes it again)
                cypher = self.db.server.cypher
                for r in cypher("SHOW CONSTRAINTS YIELD name RETURN name"):
                    cypher(f"DROP CONSTRAINT `{r['name']}`")
                for r in cypher("SHOW INDEXES YIELD name, type WHERE type <> 'LOOKUP' "
                                "RETURN name"):
                    cypher(f"DROP INDEX `{r['name']}`")
                cypher("MATCH (n) WHERE n:Theme OR n:StoreMeta AND n.name IN "
                       "['schema', 'writer'] DETACH DELETE n")
                assert self.neo4j_schema() == set()

    def sqlite_tables(self) -> set[str]:
        import sqlite3
        with sqlite3.connect(self.path) as db:
            return {r[0] for r in db.execute("SELECT name FROM sqlite_master")}

    def neo4j_schema(self) -> set[str]:
        return {r["name"] for r in self.db.server.cypher(
            "SHOW INDEXES YIELD name, type WHERE type <> 'LOOKUP' RETURN name")}

    def open(self):
        if self.name == "sqlite":
            from graph_builder.store.sqlite import SQLiteStore
            return SQLiteStore(self.path)
        return self.db.server.store()

    def read(self, ask: Callable[[Any], Any]) -> Any:
        store = self.open()
        try:
            return ask(store)
        finally:
            store.close()


_CLEAN: dict[tuple[str, str], dict[str, Any]] = {}


@pytest.fixture()
def clean_graph(request, corpus, tmp_path_factory) -> Callable[[str, str], dict[str, Any]]:
    """The dump of clean runs of the CLI into a fresh store (once per backend and scenario):
    "fresh", one ingest of CORPUS; "update", CORPUS and then CORPUS with UPDATE."""
    def get(name: str, scenario: str) -> dict[str, Any]:
        if (name, scenario) not in _CLEAN:
            backend = Backend(name, request, tmp_path_factory.mktemp(f"clean-{name}"))
            _completed(_ingest(backend.env, set_corpus(corpus, CORPUS)))
            if scenario == "update":
                _completed(_ingest(backend.env, set_corpus(corpus, {**CORPUS, **UPDATE})))
            graph = _CLEAN[name, scenario] = backend.read(dump)
            assert graph["pending"] == [] and graph["structure is current"]
            # The corpus exercises what is compared: merged spellings, a review pair, links,
            # theme codes, communities.
            assert any(e.keys > 1 for e in graph["entities"]) and graph["possibly same"].total
            assert graph["links"] and graph["theme counts"]
            assert any(n.community is not None for n in graph["network"].nodes)
        return _CLEAN[name, scenario]
    return get


def _kill_then_rerun(backend: Backend, kill: Kill, corpus: Path,
                     before: dict[str, Any]) -> None:
    """The ingest of `corpus` killed at `kill`, what it left checked, then run again."""
    crashed = _ingest(backend.env, corpus, kill.at[backend.name])
    assert crashed.returncode == -signal.SIGKILL, (
        f"the ingest was not killed at the {kill.stage} stage (exit {crashed.returncode})\n"
        f"{crashed.stdout}\n{crashed.stderr}")
    assert "KILLING" in crashed.stderr and not crashed.stdout  # no report: it never finished
    if kill.bare:
        kill.left(backend, before)
    else:
        backend.read(lambda store: kill.left(store, before))
    _completed(_ingest(backend.env, corpus))


def _state(store) -> dict[str, Any]:
    return {"ids": sorted(_ids(store)), "c02": store.content_hash("c02"),
            "resolution": store.resolution(), "stats": store.stats()}


@pytest.mark.parametrize("kill", FRESH, ids=[k.stage for k in FRESH])
@pytest.mark.parametrize("backend", BACKENDS)
def test_a_first_ingest_killed_at_each_stage_then_rerun_gives_the_clean_graph(
        backend: str, kill: Kill, corpus: Path, clean_graph, request, tmp_path: Path) -> None:
    clean = clean_graph(backend, "fresh")
    store = Backend(backend, request, tmp_path, bare=kill.bare)  # no file yet, an empty database
    _kill_then_rerun(store, kill, set_corpus(corpus, CORPUS), {})
    assert_same_graph(store.read(dump), clean)


@pytest.mark.parametrize("kill", UPDATE_KILLS, ids=[k.stage for k in UPDATE_KILLS])
@pytest.mark.parametrize("backend", BACKENDS)
def test_an_update_killed_at_each_stage_then_rerun_gives_the_clean_graph(
        backend: str, kill: Kill, corpus: Path, clean_graph, request, tmp_path: Path) -> None:
    """A store holding a resolved graph; the ingest that replaces a changed interview and adds
    a new one is killed; the rerun gives the graph of the two ingests run cleanly."""
    clean = clean_graph(backend, "update")
    store = Backend(backend, request, tmp_path)
    _completed(_ingest(store.env, set_corpus(corpus, CORPUS)))
    before = store.read(_state)
    _kill_then_rerun(store, kill, set_corpus(corpus, {**CORPUS, **UPDATE}), before)
    assert_same_graph(store.read(dump), clean)
