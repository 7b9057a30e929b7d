"""The schema is declared once; the docs must keep up with it."""
from __future__ import annotations

import re
from pathlib import Path

from schemas import ENTITY_TYPES, LINK_TYPES, graph_schema, load_codebook

ARCHITECTURE = (Path(__file__).resolve().parents[1] / "docs" / "architecture.md").read_text()


def documented(name: str) -> bool:
    return re.search(rf"`{re.escape(name)}`", ARCHITECTURE) is not None


def test_every_schema_type_is_documented() -> None:
    schema = graph_schema()
    missing = [n for n in (*schema["nodes"], *schema["relationships"], *LINK_TYPES, *ENTITY_TYPES)
               if not documented(n)]
    assert missing == []


def test_codebook_covers_the_research_topics_and_compiles() -> None:
    codes = {t.code for t in load_codebook()}
    assert {"life_inside", "recruitment", "motivations", "training", "women", "foreign_fighters",
            "slavery", "financing", "brutality", "defection", "mental_health", "media",
            "statements"} <= codes
    for theme in load_codebook():
        assert theme.regex.search("") is None  # every pattern compiles and needs real words


def test_sqlite_tables_follow_the_schema(tmp_path) -> None:
    from graph_builder.store.sqlite import SQLiteStore

    store = SQLiteStore(tmp_path / "s.db")
    cols = {r[1] for r in store._db.execute("PRAGMA table_info(turn)")}
    assert set(graph_schema()["nodes"]["Turn"]["properties"]) <= cols
    store.close()
