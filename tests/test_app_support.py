"""What the app draws, without Streamlit (queries/render.py): escaping of untrusted text, quotes,
layout, the network view and standalone page, exports, media look-up."""
from __future__ import annotations

import io
import json
import re
import subprocess
import sys
import wave
import zipfile
from dataclasses import replace
from pathlib import Path

import networkx as nx
import pytest

from graph_builder.store.base import InterviewSummary
from queries import render as app
from queries.exports import graph_bytes
from queries.text import quote

REPO = Path(__file__).resolve().parents[1]


def test_highlight_escapes_untrusted_text_around_marks():
    text = 'Abu <b onmouseover="x()">Hamza</b> & "friends"'
    start = text.index("Hamza")
    out = app.highlight(text, [app.Mark(start, start + 5, "mention", "#0072B2", 'Person: <img src=x>')])
    assert "<b " not in out and "<img" not in out
    assert "&lt;b onmouseover=&quot;x()&quot;&gt;" in out
    assert "&amp; &quot;friends&quot;" in out
    assert re.search(r'<mark style="[^"]*" title="Person: &lt;img src=x&gt;">Hamza</mark>', out)


def test_highlight_overlapping_match_and_mention_stay_well_nested():
    text = "in ar-Raqqa city"
    out = app.highlight(text, [app.Mark(3, 11, "mention", "#009E73", "Place: Raqqa"),
                               app.Mark(6, 11, "match")])
    assert out.count("<mark") == out.count("</mark>") == 2
    assert app.MATCH_BACKGROUND in out and "font-weight:600" in out
    plain = re.sub(r"<[^>]+>", "", out)
    assert plain == text


def test_highlight_ignores_spans_outside_the_text():
    assert app.highlight("short", [app.Mark(3, 40, "match"), app.Mark(-2, 1, "match")]) == "short"


def test_locate_quote_finds_the_mention_inside_a_cut_quote():
    text = ("First sentence here. " * 12) + "Then we went to Raqqa by bus. " + ("More words. " * 20)
    start = text.index("Raqqa")
    q = quote(text, start, start + 5)
    span = app.locate_quote(text, q, start, start + 5)
    assert span is not None and q[span[0]:span[1]] == "Raqqa"


def test_format_time():
    assert app.format_time(None) == ""
    assert app.format_time(4.0) == "0:00:04"
    assert app.format_time(3725.4) == "1:02:05"


def _graph() -> nx.Graph:
    g = nx.Graph()
    g.add_node("place:raka", name="Raqqa", type="PLACE", mentions=9, interviews=4)
    g.add_node("person:x", name='</script><script>alert("x")</script>', type="PERSON",
               mentions=2, interviews=1)
    g.add_node("org:hisba", name="Hisbah & co", type="ORG", mentions=5, interviews=3)
    g.add_node("role:emir", name="emir", type="ROLE", mentions=1, interviews=1)  # unlinked
    g.add_edge("place:raka", "person:x", weight=2, interviews=1)
    g.add_edge("place:raka", "org:hisba", weight=4, interviews=3)
    return g


def test_layout_is_deterministic_and_inside_the_unit_square():
    g = _graph()
    a, b = app.layout(g), app.layout(g)
    assert a == b and set(a) == set(g)
    assert all(0 <= x <= 1 and 0 <= y <= 1 for x, y in a.values())


def test_network_html_is_self_contained_and_escapes_names():
    g = _graph()
    page = app.network_html(g, app.layout(g))
    # Nothing is fetched: a CSP forbids it and no remote address appears (only the SVG namespace).
    assert "default-src 'none'" in page
    assert not re.search(r"""(?:src|href)\s*=\s*["']?https?:""", page)
    assert [u for u in re.findall(r"https?://[^\s\"']+", page) if "www.w3.org/2000/svg" not in u] == []
    # A hostile name cannot close the data script.
    assert page.count("</script>") == 2
    data = json.loads(re.search(r'<script id="graph-data" type="application/json">(.*?)</script>',
                                page, re.S).group(1))
    names = {n["id"]: n["name"] for n in data["nodes"]}
    assert names["person:x"] == '</script><script>alert("x")</script>'
    assert names["org:hisba"] == "Hisbah & co"
    assert len(data["edges"]) == 2
    assert {t["label"] for t in data["legend"]} == {"Place", "Person", "Organization", "Role"}
    # Names reach the page through textContent only.
    assert "innerHTML" not in page


def test_exports_round_trip(tmp_path):
    g = _graph()
    gexf = app.gexf_bytes(g, app.layout(g))
    graphml = graph_bytes(g, "graphml")
    (tmp_path / "g.gexf").write_bytes(gexf)
    (tmp_path / "g.graphml").write_bytes(graphml)
    back = nx.read_gexf(tmp_path / "g.gexf")
    assert set(back.nodes) == set(g.nodes) and back.number_of_edges() == 2
    assert b"viz:position" in gexf
    back = nx.read_graphml(tmp_path / "g.graphml")
    assert back.nodes["place:raka"]["name"] == "Raqqa"


@pytest.mark.parametrize("text", ["a*b_c", "[x](javascript:alert(1))", "# title", "`code`"])
def test_md_escape_leaves_no_markdown_syntax(text):
    escaped = app.md_escape(text)
    assert escaped.replace("\\", "") == text  # only backslashes were added
    # every special character is preceded by a backslash
    for i, ch in enumerate(escaped):
        if ch in "`*_[]()#" and (i == 0 or escaped[i - 1] != "\\"):
            pytest.fail(f"unescaped {ch!r} in {escaped!r}")


# --- render.py stays free of Streamlit --------------------------------------------------------

def test_render_does_not_import_streamlit():
    code = ("import sys; import queries.render, queries.exports; "
            "sys.exit(1 if any(m == 'streamlit' or m.startswith('streamlit.') for m in sys.modules) else 0)")
    run = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True)
    assert run.returncode == 0, f"queries.render pulls in streamlit: {run.stderr}"


# --- the network view: communities, pins, the standalone page --------------------------------

def _annotated() -> nx.Graph:
    g = _graph()
    for n, c in {"place:raka": 0, "person:x": 0, "org:hisba": 1, "role:emir": 2}.items():
        g.nodes[n]["community"] = c
        g.nodes[n]["centrality"] = 0.25
    return g


def test_network_data_colours_by_community_with_a_legend_per_community():
    g = _annotated()
    data = app.network_data(g, app.layout(g), colour_by="community")
    colours = {n["id"]: n["colour"] for n in data["nodes"]}
    assert colours["place:raka"] == colours["person:x"] == app.COMMUNITY_COLOURS[0]
    assert colours["org:hisba"] == app.COMMUNITY_COLOURS[1]
    assert [(item["label"], item["count"]) for item in data["legend"]] == [
        ("Community 1", 2), ("Community 2", 1), ("Community 3", 1)]
    # By type (the default) the same graph keeps the type colours.
    by_type = {n["id"]: n["colour"] for n in app.network_data(g, app.layout(g))["nodes"]}
    assert by_type["place:raka"] == app.TYPE_COLOURS["PLACE"]


def test_network_data_pins_the_centre():
    g = _graph()
    data = app.network_data(g, app.layout(g), pinned=["role:emir"])
    assert [n["id"] for n in data["nodes"] if n.get("pin")] == ["role:emir"]


def test_network_page_is_a_standalone_document_with_an_escaped_title():
    g = _graph()
    page = app.network_page(g, app.layout(g), title='Raqqa <img src=x onerror=alert(1)> __DATA__')
    assert page.startswith("<!doctype html>")
    assert "<title>Raqqa &lt;img src=x onerror=alert(1)&gt; __DATA__</title>" in page
    assert "<img" not in page
    assert "default-src 'none'" in page
    assert [u for u in re.findall(r"https?://[^\s\"']+", page) if "www.w3.org/2000/svg" not in u] == []
    assert page.count("</script>") == 2  # the data and our script, nothing injected
    data = json.loads(re.search(r'<script id="graph-data" type="application/json">(.*?)</script>',
                                page, re.S).group(1))
    assert {n["id"] for n in data["nodes"]} == set(g.nodes)
    assert {item["label"] for item in data["legend"]} == {"Place", "Person", "Organization", "Role"}
    assert "4 entities · 2 links" in page


def test_a_name_holding_a_template_slot_is_not_filled_in():
    g = _graph()
    g.nodes["role:emir"]["name"] = "__HEADER__ __TITLE__"
    page = app.network_html(g, app.layout(g))
    assert "__HEADER__ __TITLE__" in page


# --- exports: every format the app offers -----------------------------------------------------

def test_download_bytes_gives_every_format(tmp_path):
    g = _annotated()
    pos = app.layout(g)
    from graph_builder.store.sqlite import SQLiteStore

    store = SQLiteStore(tmp_path / "empty.db")  # no witness in it: nothing to code
    out = {spec.fmt: app.download_bytes(g, spec.fmt, store=store, positions=pos)
           for spec in app.EXPORT_FORMATS}
    store.close()
    assert set(out) == {"gexf", "graphml", "cytoscape", "png", "svg", "html", "csv"}
    back = nx.read_gexf(io.BytesIO(out["gexf"]))
    assert back.nodes["place:raka"]["type"] == "PLACE"
    assert back.nodes["place:raka"]["label"] == "Raqqa"  # Gephi shows names, not ids
    assert back.nodes["org:hisba"]["community"] == 1
    assert b"viz:position" in out["gexf"] and b"viz:color" in out["gexf"]
    assert nx.read_graphml(io.BytesIO(out["graphml"])).number_of_edges() == 2
    cy = json.loads(out["cytoscape"])
    assert {n["data"]["id"] for n in cy["elements"]["nodes"]} == set(g.nodes)
    assert out["png"].startswith(b"\x89PNG\r\n\x1a\n") and len(out["png"]) > 5000
    assert b"<svg" in out["svg"][:500] and b"<script" not in out["svg"]
    assert out["html"].startswith(b"<!doctype html>")
    with zipfile.ZipFile(io.BytesIO(out["csv"])) as zf:
        names = sorted(zf.namelist())
        assert names == ["testimony-network-import.sh", "testimony-network-nodes.csv",
                         "testimony-network-relationships.csv"]
        nodes_csv = zf.read("testimony-network-nodes.csv").decode()
        assert nodes_csv.startswith("id:ID,") and "place:raka" in nodes_csv


def test_gexf_without_positions_is_the_exporters_own():
    g = _graph()
    assert app.gexf_bytes(g) == graph_bytes(g, "gexf")


def test_stance_badge_escapes_and_knows_every_stance():
    for stance in ("first_hand", "hearsay", "hedged", "unmarked"):
        badge = app.stance_badge(stance)
        assert app.stance_label(stance) in badge
    assert "<b>" not in app.stance_badge("<b>odd</b>")


# --- media next to the transcript, or under TESTIMONY_MEDIA_ROOT -----------------------------

def _summary(**kw) -> InterviewSummary:
    base = dict(id="int-07", title="Bilal", pseudonym="Bilal", source_path="corpus/int-07.json",
                content_hash="x", date=None, place=None, medium="audio",
                media_file="interviews/audio/int-07.wav", gender=None, nationality=None,
                status=None, role=None, turns=3)
    base.update(kw)
    return InterviewSummary(**base)


def _wav(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(1)
        w.setframerate(8000)
        w.writeframes(bytes(800))
    return path


def test_media_found_next_to_the_transcript(tmp_path):
    wav = _wav(tmp_path / "corpus" / "interviews" / "audio" / "int-07.wav")
    assert app.find_media(_summary(), cwd=tmp_path) == wav
    assert app.media_kind(wav) == "audio"


def test_media_found_under_the_media_root(tmp_path):
    wav = _wav(tmp_path / "media" / "interviews" / "audio" / "int-07.wav")
    assert app.find_media(_summary(), cwd=tmp_path) is None
    assert app.find_media(_summary(), str(tmp_path / "media"), cwd=tmp_path) == wav
    # ...or by its file name alone, when the recordings are kept flat.
    flat = _wav(tmp_path / "flat" / "int-07.wav")
    assert app.find_media(_summary(), str(tmp_path / "flat"), cwd=tmp_path) == flat


def test_media_candidates_say_where_they_looked(tmp_path):
    where = app.media_candidates(_summary(), str(tmp_path / "m"), cwd=tmp_path)
    assert where[0] == tmp_path / "corpus" / "interviews" / "audio" / "int-07.wav"
    assert tmp_path / "m" / "interviews" / "audio" / "int-07.wav" in where
    assert app.media_candidates(replace(_summary(), media_file=None)) == []


@pytest.mark.parametrize("name,kind", [("a.mp4", "video"), ("a.WEBM", "video"), ("a.mp3", "audio"),
                                       ("a.m4a", "audio"), ("scan.pdf", None)])
def test_media_kind(name, kind):
    assert app.media_kind(name) == kind
