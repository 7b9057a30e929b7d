"""The app pointed at Neo4j shows what it shows on the embedded store: same search results,
same entity pages, and the sidebar says which backend is in use."""
from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.test_app_pages import APP, TIMEOUT, _clear_caches, html_bodies

pytestmark = pytest.mark.neo4j


def page_html(monkeypatch, store, server, page: str | None = None, **query: str) -> tuple[list[str], str]:
    if store.backend == "sqlite":
        monkeypatch.setenv("TESTIMONY_BACKEND", "sqlite")
        monkeypatch.setenv("TESTIMONY_DB", store.location)
        monkeypatch.delenv("NEO4J_URI", raising=False)
    else:
        monkeypatch.setenv("TESTIMONY_BACKEND", "neo4j")
        monkeypatch.setenv("NEO4J_URI", server.uri)
        monkeypatch.setenv("NEO4J_USER", server.user)
        monkeypatch.setenv("NEO4J_PASSWORD", server.password)
        monkeypatch.setenv("NEO4J_DATABASE", server.database)
    monkeypatch.delenv("TESTIMONY_APP_PASSWORD", raising=False)
    _clear_caches()
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    for k, v in query.items():
        at.query_params[k] = v
    at.run()
    if page:
        at.switch_page(page).run()
    assert not at.exception, at.exception
    sidebar = " ".join(c.value for c in at.sidebar.caption)
    _clear_caches()
    return html_bodies(at), sidebar


def test_search_and_entity_pages_match_across_backends(corpus_stores, neo4j_server, monkeypatch) -> None:
    from queries.search import search

    sqlite, neo = corpus_stores
    # A query whose hits fit on one page: both stores show the same hits, each ranked by its
    # own full-text index (FTS5 bm25, Lucene), so the blocks are compared as a set.
    query = "Point 9"
    assert 0 < search(sqlite, query).total <= 20
    lite_search, lite_side = page_html(monkeypatch, sqlite, neo4j_server, q=query)
    neo_search, neo_side = page_html(monkeypatch, neo, neo4j_server, q=query)
    assert "sqlite" in lite_side and "neo4j" in neo_side
    assert any("Point 9" in h for h in lite_search)
    assert sorted(lite_search) == sorted(neo_search)

    entity = "place:raka"
    assert sqlite.entity(entity) is not None
    lite_entity, _ = page_html(monkeypatch, sqlite, neo4j_server, "app_pages/entity.py", entity=entity)
    neo_entity, _ = page_html(monkeypatch, neo, neo4j_server, "app_pages/entity.py", entity=entity)
    assert lite_entity == neo_entity and len(lite_entity) > 3
