"""The Streamlit app, page by page, against the sample corpus (AppTest: the real scripts, no
browser). Expectations come from the read side (queries/), so they follow the corpus."""
from __future__ import annotations

import html
import json
import re
from pathlib import Path
from urllib.parse import parse_qs

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from queries import app_support
from queries.interviews import list_interviews, read_interview
from queries.network import cooccurrence_graph
from queries.profiles import entity_profile, find_entities

REPO = Path(__file__).resolve().parents[1]
APP = str(REPO / "streamlit_app.py")
TIMEOUT = 120  # generous: the network page lays out a graph on its first run


def _clear_caches() -> None:
    # The store lives in st.cache_resource and results in st.cache_data, both process-wide:
    # without this a test would see the store (or results) of the test before it.
    st.cache_resource.clear()
    st.cache_data.clear()


@pytest.fixture()
def app_env(sample_db, monkeypatch):
    monkeypatch.setenv("TESTIMONY_DB", str(sample_db))
    monkeypatch.setenv("TESTIMONY_BACKEND", "sqlite")
    monkeypatch.delenv("NEO4J_URI", raising=False)
    monkeypatch.delenv("TESTIMONY_APP_PASSWORD", raising=False)
    monkeypatch.delenv("TESTIMONY_CODEBOOK", raising=False)
    _clear_caches()
    yield sample_db
    _clear_caches()


def open_page(page: str | None = None, **query: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()  # the entry script registers the pages with st.navigation
    assert not at.exception, at.exception
    if page is not None:
        for k, v in query.items():
            at.query_params[k] = v
        at.switch_page(page).run()
        assert not at.exception, at.exception
    return at


def html_bodies(at: AppTest) -> list[str]:
    return [h.value for h in at.html]


def graph_data(at: AppTest) -> dict:
    frames = at.get("iframe")
    assert frames, "the network page drew no interactive view"
    srcdoc = frames[0].proto.srcdoc
    m = re.search(r'<script id="graph-data" type="application/json">(.*?)</script>', srcdoc, re.S)
    assert m, "no graph data in the network view"
    return json.loads(m.group(1))


def place_in_several_interviews(store):
    """The most-named place that several sample interviews mention (Raqqa in the corpus)."""
    for entity, _ in find_entities(store, "", "PLACE", limit=200):
        prof = entity_profile(store, entity.id)
        if len(prof.interviews) >= 3:
            return entity, prof
    pytest.fail("the sample corpus should name one place in at least three interviews")


# --- the entry script -----------------------------------------------------------------------

def test_app_opens_on_search_with_store_in_sidebar(app_env, sample_store):
    at = open_page()
    assert [t.value for t in at.title] == ["Search testimony"]
    sidebar = " ".join(c.value for c in at.sidebar.caption)
    assert "sqlite" in sidebar
    assert Path(str(app_env)).name in sidebar
    stats = sample_store.stats()
    assert f"{stats['interviews']:,} interviews" in sidebar
    assert f"{stats['entities']:,} entities" in sidebar


def test_empty_store_says_how_to_ingest(app_env, monkeypatch, tmp_path):
    monkeypatch.setenv("TESTIMONY_DB", str(tmp_path / "empty.db"))
    _clear_caches()
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    assert not at.exception, at.exception
    assert any("testimony ingest FOLDER" in i.value for i in at.info)
    assert not at.text_input  # no page ran


# --- search ---------------------------------------------------------------------------------

def test_search_finds_a_place_in_every_interview_that_names_it(app_env, sample_store):
    entity, prof = place_in_several_interviews(sample_store)
    titles = {s.id: s.title for s in list_interviews(sample_store)}
    at = open_page(app_support.SEARCH_PAGE)
    at.number_input(key="search_limit").set_value(1000)
    at.text_input(key="search_q").input(entity.name).run()
    assert not at.exception, at.exception
    assert at.query_params.get("q") == entity.name
    bodies = html_bodies(at)
    for iid in prof.interviews:
        title = html.escape(titles[iid])
        assert any(title in b and "<mark" in b for b in bodies), f"no highlighted turn from {iid}"
    # Provenance of each hit: speaker, turn index and offsets are shown with the words.
    hit_blocks = [b for b in bodies if "chars " in b and "turn " in b]
    assert len(hit_blocks) >= len(prof.interviews)
    # Each hit links to the reader at its turn, and to the entities it mentions.
    targets = [parse_qs(ln.proto.query_string) for ln in at.get("page_link")]
    assert any(t.get("interview") and t.get("turn") for t in targets)
    assert {"entity": [entity.id]} in targets


def test_search_filters_by_interviewee(app_env, sample_store):
    entity, prof = place_in_several_interviews(sample_store)
    summaries = {s.id: s for s in list_interviews(sample_store)}
    who = summaries[prof.interviews[0]]
    at = open_page(app_support.SEARCH_PAGE, q=entity.name)
    at.selectbox(key="search_who").select(who.pseudonym).run()
    assert not at.exception, at.exception
    bodies = [b for b in html_bodies(at) if "chars " in b]
    assert bodies
    for other in summaries.values():
        if other.pseudonym != who.pseudonym:
            assert not any(f"<b>{html.escape(other.title)}</b>" in b for b in bodies)


def test_search_escapes_the_query_it_echoes(app_env):
    at = open_page(app_support.SEARCH_PAGE, q="<script>alert(1)</script>")
    assert not at.exception, at.exception
    assert not any("<script>" in b for b in html_bodies(at))


# --- entity ---------------------------------------------------------------------------------

def test_entity_page_lists_mentions_from_several_interviews(app_env, sample_store):
    entity, prof = place_in_several_interviews(sample_store)
    titles = {s.id: s.title for s in list_interviews(sample_store)}
    at = open_page(app_support.ENTITY_PAGE, entity=entity.id)
    assert any(html.escape(entity.name) in b and "font-size:1.9rem" in b for b in html_bodies(at))
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Mentions"] == str(len(prof.mentions))
    assert metrics["Interviews"] == str(len(prof.interviews))
    assert metrics["Distinct interviewees"] == str(len(prof.interviewees))
    assert len(at.expander) == len(prof.interviews)  # one group per interview
    bodies = html_bodies(at)
    for iid in prof.interviews:
        quotes = [b for b in bodies if f"<b>{html.escape(titles[iid])}</b>" in b]
        assert quotes, f"no mention from {iid}"
        assert any("<mark" in q for q in quotes)
    # Co-mentioned entities are links to their own pages.
    targets = [parse_qs(ln.proto.query_string).get("entity", [None])[0]
               for ln in at.get("page_link")]
    assert {other.id for other, _ in prof.co_mentioned} <= set(targets)


def test_entity_page_finder_without_an_entity(app_env):
    at = open_page(app_support.ENTITY_PAGE)
    assert at.selectbox(key="entity_pick").value is None
    assert [ln for ln in at.get("page_link") if "entity=" in ln.proto.query_string]
    at.text_input(key="entity_find").input("raq").run()
    assert not at.exception, at.exception
    options = at.selectbox(key="entity_pick").options
    assert options and all("Place" in o or "raq" in o.casefold() for o in options)


# --- interview reader -----------------------------------------------------------------------

def test_interview_reader_shows_turns_with_speaker_labels(app_env, sample_store):
    summaries = list_interviews(sample_store)
    # An interview with an interviewer and an interviewee (every sample one has both).
    doc = next(d for d in (read_interview(sample_store, s.id) for s in summaries)
               if {"interviewer", "interviewee"} <= {rt.turn.speaker_role for rt in d.turns})
    focus = doc.turns[len(doc.turns) // 2].turn.index
    at = open_page(app_support.INTERVIEW_PAGE, interview=doc.summary.id, turn=str(focus))
    transcript = max(html_bodies(at), key=len)
    for rt in doc.turns:
        assert f'id="turn-{rt.turn.index}"' in transcript
        label = rt.turn.speaker or app_support.role_label(rt.turn.speaker_role)
        assert f"<b>{html.escape(label)}</b>" in transcript
    # Interviewer turns are set apart from testimony.
    assert "font-style:italic" in transcript and "border-left:4px solid #1c7ed6" in transcript
    # The requested turn is outlined, and the reader scrolls to it.
    anchor = transcript.index(f'id="turn-{focus}"')
    assert "outline:3px" in transcript[anchor:anchor + 400]
    assert any(f'getElementById("turn-{focus}")' in b for b in html_bodies(at))
    # Mentions are highlighted in their type's colour, and theme codes are tags.
    if any(rt.mentions for rt in doc.turns):
        assert "<mark" in transcript
    if any(rt.themes for rt in doc.turns):
        label = app_support.codebook_labels()
        code = next(t.theme for rt in doc.turns for t in rt.themes)
        assert html.escape(label.get(code, code)) in transcript


def test_interview_reader_timestamps_shown(app_env, sample_store):
    timed = next((d for d in (read_interview(sample_store, s.id) for s in list_interviews(sample_store))
                  if any(rt.turn.time_start is not None for rt in d.turns)), None)
    assert timed is not None, "the sample corpus has timed transcripts (srt, vtt, json)"
    at = open_page(app_support.INTERVIEW_PAGE, interview=timed.summary.id)
    transcript = max(html_bodies(at), key=len)
    rt = next(rt for rt in timed.turns if rt.turn.time_start is not None)
    assert app_support.format_time(rt.turn.time_start) in transcript


# --- network --------------------------------------------------------------------------------

def test_network_page_renders_nodes(app_env, sample_store):
    expected = cooccurrence_graph(sample_store, max_nodes=150)
    at = open_page(app_support.NETWORK_PAGE)
    data = graph_data(at)
    assert len(data["nodes"]) == expected.number_of_nodes() > 0
    assert len(data["edges"]) == expected.number_of_edges() > 0
    assert {n["id"] for n in data["nodes"]} == set(expected.nodes)
    assert data["legend"] and all(item["count"] > 0 for item in data["legend"])
    labels = [b.label for b in at.download_button]
    assert "GEXF (Gephi)" in labels and "GraphML" in labels


def test_network_filters_by_type(app_env):
    at = open_page(app_support.NETWORK_PAGE)
    at.multiselect(key="net_types").set_value(["PLACE"]).run()
    assert not at.exception, at.exception
    data = graph_data(at)
    assert data["nodes"] and {n["type"] for n in data["nodes"]} == {"PLACE"}


def test_network_too_big_suggests_a_filter(app_env, monkeypatch):
    monkeypatch.setattr(app_support, "MAX_DRAWN_NODES", 3)
    at = open_page(app_support.NETWORK_PAGE)
    assert any("too many" in w.value for w in at.warning)
    assert not at.get("iframe")
    assert [b.label for b in at.download_button]  # the export is still offered


# --- password gate --------------------------------------------------------------------------

def test_password_gate_blocks_every_page_until_the_right_password(app_env, monkeypatch):
    monkeypatch.setenv("TESTIMONY_APP_PASSWORD", "correct horse")
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    assert not at.exception, at.exception
    assert at.text_input(key="login_password").proto.type == at.text_input(
        key="login_password").proto.PASSWORD
    assert not at.sidebar.caption  # not even the store's location
    assert "Search testimony" not in [t.value for t in at.title]

    # A deep link to a page is gated too.
    at.switch_page(app_support.NETWORK_PAGE).run()
    assert not at.exception, at.exception
    assert not at.get("iframe")
    assert at.text_input(key="login_password")

    at.text_input(key="login_password").input("wrong")
    at.button[0].click().run()
    assert any("Wrong password" in e.value for e in at.error)
    assert not at.get("iframe") and not at.sidebar.caption

    at.text_input(key="login_password").input("correct horse")
    at.button[0].click().run()
    assert not at.exception, at.exception
    assert at.session_state["authenticated"] is True
    assert not any(t.key == "login_password" for t in at.text_input)
    assert at.sidebar.caption  # the app is open
