"""The app's helpers: escaping of untrusted text, quotes, layout, the network view, exports."""
from __future__ import annotations

import json
import re

import networkx as nx
import pytest

from queries import app_support as app
from queries.text import quote


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
    gexf = app.export_bytes(app.gexf_ready(g, app.layout(g)), "gexf")
    graphml = app.export_bytes(g, "graphml")
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
