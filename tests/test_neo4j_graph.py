"""The Neo4j side as a graph: schema generated from schemas/graph.yaml, the shape an analyst
queries in Neo4j Browser, an exact full-text prefilter, and writes that only take values as
parameters. A real server; nothing is mocked."""
from __future__ import annotations

from dataclasses import replace

import pytest

from graph_builder.model import ExtractedInterview, Interview, Interviewee, Link, Mention, Turn
from graph_builder.store.base import TextMatch, TurnFilter
from queries.text import term_spans, terms
from schemas import LINK_TYPES, entity_label, graph_schema, load_codebook

pytestmark = pytest.mark.neo4j  # a real server, never mocked


def cypher(server, query: str, **params) -> list[dict]:
    return server.cypher(query, **params)


def schema_state(server) -> tuple[list, list]:
    constraints = cypher(server, "SHOW CONSTRAINTS YIELD name, type, labelsOrTypes, properties "
                                 "RETURN name, type, labelsOrTypes, properties ORDER BY name")
    indexes = cypher(server, "SHOW INDEXES YIELD name, type, labelsOrTypes, properties, state "
                             "RETURN name, type, labelsOrTypes, properties, state ORDER BY name")
    return constraints, indexes


def test_schema_comes_from_graph_yaml_and_is_idempotent(neo4j_store, neo4j_server) -> None:
    constraints, indexes = schema_state(neo4j_server)
    unique = {(c["labelsOrTypes"][0], tuple(c["properties"])) for c in constraints
              if c["type"] == "UNIQUENESS"}
    for node, spec in graph_schema()["nodes"].items():
        assert (node, (spec["key"],)) in unique
    fulltext = {i["name"]: i for i in indexes if i["type"] == "FULLTEXT"}
    assert fulltext["turn_text"]["labelsOrTypes"] == ["Turn"]
    assert fulltext["turn_text"]["properties"] == ["search_text", "speaker_role"]
    assert fulltext["entity_forms"]["labelsOrTypes"] == ["Entity"]
    assert all(i["state"] == "ONLINE" for i in indexes)
    neo4j_store.ensure_schema()
    neo4j_store.ensure_schema()
    assert schema_state(neo4j_server) == (constraints, indexes)
    themes = cypher(neo4j_server, "MATCH (t:Theme) RETURN t.code AS code, t.label AS label "
                                  "ORDER BY code")
    assert themes == sorted(({"code": t.code, "label": t.label} for t in load_codebook()),
                            key=lambda t: t["code"])


def test_the_graph_has_the_documented_shape(corpus_stores, neo4j_server) -> None:
    store = corpus_stores[1]
    stats = store.stats()
    one = cypher(neo4j_server, """
        MATCH (p:Interviewee)-[:GAVE]->(i:Interview)
        RETURN count(DISTINCT p) AS interviewees, count(i) AS interviews,
               COUNT { (:Interview)-[:HAS_TURN]->(:Turn) } AS turns,
               COUNT { (:Turn)-[:MENTIONS]->(:Entity) } AS mentions,
               COUNT { (:Turn)-[:CODED_AS]->(:Theme) } AS theme_codes,
               COUNT { (u:UnresolvedEntity) } AS placeholders""")[0]
    assert one == {"interviewees": stats["interviewees"], "interviews": stats["interviews"],
                   "turns": stats["turns"], "mentions": stats["mentions"],
                   "theme_codes": stats["theme_codes"], "placeholders": 0}
    # Every entity carries Entity plus exactly the label of its type.
    type_labels = {entity_label(t) for t in graph_schema()["entity_types"]}
    for row in cypher(neo4j_server, "MATCH (e:Entity) RETURN e.type AS type, labels(e) AS labels"):
        assert set(row["labels"]) == {"Entity", entity_label(row["type"])}
        assert len(set(row["labels"]) & type_labels) == 1
    # Links are typed relationships between entities, of the schema's types only; an event's
    # date is a Date node (the one kind of link end that is no entity).
    links = cypher(neo4j_server, "MATCH (a:Entity)-[l]->(b:Entity) WHERE type(l) IN $types "
                                 "RETURN type(l) AS type, count(*) AS n", types=list(LINK_TYPES))
    dated = cypher(neo4j_server, "MATCH (a:Entity)-[l]->(d:Date) RETURN type(l) AS type, "
                                 "count(*) AS n, collect(DISTINCT d.id = 'date:' + d.date) AS ok")
    assert [r["type"] for r in dated] == ["HAPPENED_ON"] and dated[0]["ok"] == [True]
    links += dated
    # Besides them, entities carry only the aggregates kept at write time.
    others = cypher(neo4j_server, "MATCH (:Entity)-[l]->() WHERE NOT type(l) IN $types "
                                  "RETURN DISTINCT type(l) AS type", types=list(LINK_TYPES))
    assert {r["type"] for r in others} <= {"NAMED_IN", "CO_MENTIONED", "ATTESTED_BY"}
    assert {r["type"] for r in links} <= set(LINK_TYPES)
    assert sum(r["n"] for r in links) == stats["links"]


def found(store, words: list[str]) -> list[str]:
    """The turn ids Neo4j's full-text index finds holding every one of `words`."""
    page = store.search(TextMatch(required=tuple((w,) for w in words)), TurnFilter(), 0, 100_000)
    assert len(page) == page.total
    return sorted(s.turn.id for s in page)


def test_search_finds_exactly_the_turns_with_every_word(corpus_stores) -> None:
    """The index holds the words as queries/ reads them, so Neo4j finds no false hits and
    misses none, whatever the punctuation ("bay'ah" holds the words bay and ah)."""
    store = corpus_stores[1]
    turns = [t for s in store.interviews() for t in store.turns_of(s.id)]
    for q in (["raqqa"], ["the", "emir"], ["bay"], ["ah"], ["al", "hisbah"], ["2015"],
              terms(turns[5].text)[:3], ["nothing", "here"]):
        truth = sorted(t.id for t in turns if all(term_spans(t.text, [w]) for w in q))
        assert found(store, q) == truth


HOSTILE = "PERSON:abu `x'} ) DETACH DELETE n //\" $rows"


def _interview(text: str, key: str = HOSTILE, etype: str = "PERSON",
               link_type: str = "HELD_ROLE") -> ExtractedInterview:
    iv = Interview(id="it's {id}` #1", title="O'Brien \"quoted\"", source_path="/x/y z.txt",
                   content_hash="h", text=text,
                   interviewee=Interviewee(pseudonym="Abu `Tick`'s"),
                   turns=(Turn(index=0, speaker="A", speaker_role="interviewee", start=0,
                               end=len(text), text=text),))
    m = Mention(turn_index=0, start=0, end=3, text=text[:3], type=etype,  # type: ignore[arg-type]
                key=key, method="rule")
    return ExtractedInterview(interview=iv, mentions=(m,), themes=(), links=(
        Link(type=link_type, source_key=key, target_key=key, turn_index=0, start=0, end=3),))


def test_values_are_parameters_never_cypher(neo4j_store) -> None:
    text = "Abu `x' said \"MATCH (n) DETACH DELETE n\" {and} $rows \\ in Raqqa."
    extracted = _interview(text)
    neo4j_store.replace_interview(extracted, {})
    back = neo4j_store.interview(extracted.interview.id)
    assert back is not None and back.text == text
    assert back.interviewee.pseudonym == "Abu `Tick`'s"
    assert [m.key for m in neo4j_store.mentions()] == [HOSTILE]
    assert neo4j_store.links()[0].source_id == HOSTILE.lower()
    assert found(neo4j_store, ["detach", "delete"]) == [f"{extracted.interview.id}#0"]
    assert found(neo4j_store, ['"', "\\", "rows"]) == []


@pytest.mark.parametrize("bad", [{"etype": "WEAPON"}, {"link_type": "KNOWS`]->() DELETE x //"}])
def test_labels_and_types_outside_the_schema_are_refused(neo4j_store, bad) -> None:
    good = _interview("Abu Omar in Raqqa", key="PERSON:abu omar")
    neo4j_store.replace_interview(good, {})
    before = (neo4j_store.stats(), neo4j_store.mentions(), neo4j_store.links())
    broken = _interview("Something else entirely", key="PERSON:abu omar", **bad)
    broken = replace(broken, interview=replace(broken.interview, content_hash="h2"))
    with pytest.raises(ValueError):
        neo4j_store.replace_interview(broken, {})
    assert (neo4j_store.stats(), neo4j_store.mentions(), neo4j_store.links()) == before


def test_delete_everything_works_where_one_transaction_would_run_out_of_memory(neo4j_store,
                                                                              neo4j_server) -> None:
    """A big graph is emptied in batches: under the test server's cap on a transaction's memory
    (NEO4J_TX_MEMORY, which one DETACH DELETE of this graph overruns, as the 1,000-interview
    graph overran the server script's defaults), delete_everything still empties it."""
    import neo4j
    import neo4j.exceptions

    with neo4j.GraphDatabase.driver(neo4j_server.uri, auth=(neo4j_server.user,
                                                            neo4j_server.password)) as driver:
        with driver.session(database=neo4j_server.database) as session:  # implicit: batches
            session.run("UNWIND range(1, 20000) AS i CALL (i) { CREATE (:Entity {id: 'hub-' + i})"
                        "-[:CO_MENTIONED {turns: 1}]->(:Interview {id: 'iv-' + i}) } "
                        "IN TRANSACTIONS OF 1000 ROWS").consume()
    cap = cypher(neo4j_server, "SHOW SETTINGS YIELD name, value WHERE name = "
                               "'db.memory.transaction.max' RETURN value")[0]["value"]
    if cap in ("0B", "0"):
        pytest.fail("the test Neo4j runs without a transaction memory cap; restart it with "
                    "NEO4J_TX_MEMORY=32m (scripts/neo4j-server.sh stop, then run the tests, which "
                    "start it so)", pytrace=False)
    with pytest.raises(neo4j.exceptions.TransientError, match="MemoryPoolOutOfMemory"):
        cypher(neo4j_server, "MATCH (n) DETACH DELETE n")  # in one transaction: too big
    neo4j_store.delete_everything()
    # Everything but the store's own counter and the codebook's themes (ensure_schema's).
    left = cypher(neo4j_server, "MATCH (n) WHERE NOT n:StoreMeta AND NOT n:Theme "
                                "RETURN count(n) AS n")
    assert left == [{"n": 0}]
