"""What the app draws, without Streamlit: escaping, highlighting, type colours and labels, the
network layout and its interactive view, and the bytes of each export format.

Nothing here imports Streamlit, so the CLI's exporters (queries.exports) and plain unit tests
use the same code as the pages. The Streamlit glue (cached store, cached reads, widgets) lives
in app_pages/support.py.

Every string that comes from a transcript (names, quotes, speaker labels, titles, metadata) is
untrusted: it is escaped with `html.escape` before any markup is put around it, and the data
handed to the network view's script is JSON with `<`, `>` and `&` escaped, inserted into the
page with `textContent`, never `innerHTML`.
"""
from __future__ import annotations

import html
import io
import json
import math
import os
import re
import tempfile
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import networkx as nx

from graph_builder.store.base import InterviewSummary, MentionRow, ThemeRow, TurnRow
from queries.exports import gexf, graph_bytes, write_neo4j_csv
from queries.redaction import redact_graph, redactor
from schemas import ENTITY_TYPES, entity_label


# Above this many nodes the interactive view gets slow and unreadable; we suggest a filter
# and offer the Gephi export instead.
MAX_DRAWN_NODES = 300
LAYOUT_SEED = 7

# One colour per entity type (Okabe-Ito, readable by most colour-blind analysts): the one place
# type colours are defined, for the app, its interactive view and the exported images. Types
# the schema gains later get a neutral grey until a colour is chosen here.
TYPE_COLOURS: dict[str, str] = {
    "PERSON": "#0072B2",
    "PLACE": "#009E73",
    "ORG": "#D55E00",
    "ROLE": "#CC79A7",
    "GROUP": "#E69F00",
    "EVENT": "#56B4E9",
}
FALLBACK_COLOUR = "#7f7f7f"
TYPE_ICONS: dict[str, str] = {
    "PERSON": ":material/person:",
    "PLACE": ":material/location_on:",
    "ORG": ":material/account_balance:",
    "ROLE": ":material/badge:",
    "GROUP": ":material/groups:",
    "EVENT": ":material/event:",
}
MATCH_BACKGROUND = "#ffe066"
# Communities (colour-by-community in the network view): Tableau 10, then grey for the rest;
# community 0 is the largest.
COMMUNITY_COLOURS: tuple[str, ...] = (
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
    "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac",
)
COLOUR_BY = ("type", "community")

# How a witness knows what he says (queries.corroboration.stance_of): label, colour, help.
STANCES: dict[str, tuple[str, str, str]] = {
    "first_hand": ("first-hand", "#2b8a3e", "The witness says he saw or did it himself."),
    "hearsay": ("hearsay", "#d9480f", "The witness repeats what others told him."),
    "hedged": ("hedged", "#7048e8", "The witness is unsure (I think, maybe, about…)."),
    "unmarked": ("unmarked", "#495057", "Nothing in the sentence says how he knows."),
}

ROLE_LABELS = {
    "interviewer": "Interviewer",
    "interviewee": "Interviewee",
    "third_party": "Third party",
}
_ROLE_STYLE = {
    # Interviewer turns are context, not testimony: grey, italic, set apart.
    "interviewer": "background:#f1f3f5;color:#495057;font-style:italic;border-left:4px solid #adb5bd;",
    "interviewee": "background:#ffffff;color:#212529;border-left:4px solid #1c7ed6;",
    "third_party": "background:#fff9db;color:#212529;border-left:4px dashed #f59f00;",
}


# --------------------------------------------------------------------------------------------
# Pure helpers (no Streamlit): formatting and escaping
# --------------------------------------------------------------------------------------------

def esc(text: object) -> str:
    """HTML-escape anything (None becomes an empty string)."""
    return html.escape("" if text is None else str(text), quote=True)


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


def md_escape(text: object) -> str:
    """Escape Markdown syntax so untrusted text shows as written in st.markdown / labels."""
    return _MD_SPECIAL.sub(r"\\\1", "" if text is None else str(text))


def type_colour(entity_type: str) -> str:
    return TYPE_COLOURS.get(entity_type, FALLBACK_COLOUR)


def community_colour(community: int | None) -> str:
    if community is None or community < 0 or community >= len(COMMUNITY_COLOURS):
        return FALLBACK_COLOUR
    return COMMUNITY_COLOURS[community]


def type_icon(entity_type: str) -> str:
    return TYPE_ICONS.get(entity_type, ":material/label:")


def type_label(entity_type: str) -> str:
    try:
        return entity_label(entity_type)
    except KeyError:
        return entity_type.title() or "Unknown"


def format_time(seconds: float | None) -> str:
    """Seconds into a recording as H:MM:SS ("" when the transcript has no timestamps)."""
    if seconds is None:
        return ""
    total = int(round(seconds))
    return f"{total // 3600}:{total % 3600 // 60:02d}:{total % 60:02d}"


def role_label(role: str) -> str:
    return ROLE_LABELS.get(role, role.replace("_", " ").capitalize())


@dataclass(frozen=True)
class Mark:
    """A span to highlight in a text: a query match, or a mention coloured by its type."""

    start: int  # offsets into the text being highlighted
    end: int
    kind: str  # "match" or "mention"
    colour: str = ""
    title: str = ""


def mention_marks(mentions: Iterable[MentionRow], offset: int,
                  names: dict[str, str] | None = None) -> list[Mark]:
    """Marks for mentions whose offsets are into the interview text; `offset` is the start of
    the highlighted text in the interview (a turn's `start`)."""
    names = names or {}
    return [Mark(m.start - offset, m.end - offset, "mention", type_colour(m.type),
                 f"{type_label(m.type)}: {names.get(m.entity_id, m.surface)}")
            for m in mentions]


def highlight(text: str, marks: Sequence[Mark]) -> str:
    """`text` escaped, with <mark> around every span. Overlapping marks are cut into segments
    so the markup stays well nested; a segment covered by a query match and a mention shows
    both (match background, mention underline)."""
    n = len(text)
    spans = [m for m in marks if 0 <= m.start < m.end <= n]
    bounds = sorted({0, n, *(m.start for m in spans), *(m.end for m in spans)})
    out: list[str] = []
    for a, b in zip(bounds, bounds[1:]):
        seg = esc(text[a:b])
        covering = [m for m in spans if m.start <= a and m.end >= b]
        mention = next((m for m in sorted(covering, key=lambda m: m.start - m.end)
                        if m.kind == "mention"), None)
        matched = any(m.kind == "match" for m in covering)
        if not mention and not matched:
            out.append(seg)
            continue
        style = "padding:0 1px;border-radius:2px;color:inherit;"
        title = ""
        if mention:
            style += f"border-bottom:2px solid {mention.colour};"
            style += f"background:{MATCH_BACKGROUND};" if matched else f"background:{mention.colour}2e;"
            title = mention.title
        else:
            style += f"background:{MATCH_BACKGROUND};"
        if matched:
            style += "font-weight:600;"
        attrs = f' title="{esc(title)}"' if title else ""
        out.append(f'<mark style="{style}"{attrs}>{seg}</mark>')
    return "".join(out)


def locate_quote(turn_text: str, quote: str, start: int, end: int) -> tuple[int, int] | None:
    """Where the mention [start, end) of `turn_text` falls inside `quote` (a window of the turn
    with ellipses, from queries.text.quote), or None when the quote does not contain it."""
    lead = "…" if quote.startswith("…") else ""
    core = quote[len(lead):]
    if core.endswith("…"):
        core = core[:-1]
    pos = turn_text.find(core)
    while pos != -1:
        if pos <= start and end <= pos + len(core):
            return start - pos + len(lead), end - pos + len(lead)
        pos = turn_text.find(core, pos + 1)
    return None


def tag_html(label: str, title: str = "", colour: str = "#495057") -> str:
    attrs = f' title="{esc(title)}"' if title else ""
    return (f'<span style="display:inline-block;border:1px solid {colour}55;border-radius:10px;'
            f'padding:0 7px;margin:2px 3px 0 0;font-size:0.75rem;color:{colour};'
            f'background:{colour}12"{attrs}>{esc(label)}</span>')


def theme_tags(themes: Iterable[ThemeRow] | Iterable[str], labels: dict[str, str]) -> str:
    """Theme codes as tags; a ThemeRow's evidence words show on hover."""
    seen: dict[str, str] = {}
    for t in themes:
        code, evidence = (t, "") if isinstance(t, str) else (t.theme, t.evidence)
        if code not in seen:
            seen[code] = evidence
    return "".join(tag_html(labels.get(code, code), f"{code}: “{ev}”" if ev else code, "#5f3dc4")
                   for code, ev in seen.items())


def legend_html(types: Iterable[str]) -> str:
    return "".join(
        f'<span style="display:inline-flex;align-items:center;margin-right:12px;font-size:0.8rem">'
        f'<span style="width:11px;height:11px;border-radius:50%;display:inline-block;margin-right:4px;'
        f'background:{type_colour(t)}"></span>{esc(type_label(t))}</span>' for t in types)


def provenance_line(*, title: str, pseudonym: str, speaker: str, role: str, index: int,
                    start: int, end: int, time_start: float | None) -> str:
    """One line saying where words come from: interview, interviewee, speaker, turn, offsets,
    timestamp. The reader for citations."""
    parts = [f"<b>{esc(title)}</b>", f"interviewee <b>{esc(pseudonym)}</b>",
             f"speaker {esc(speaker or role_label(role))} ({esc(role_label(role).lower())})",
             f"turn {index}", f"chars {start}–{end}"]
    stamp = format_time(time_start)
    if stamp:
        parts.append(f"at {stamp}")
    return f'<div style="font-size:0.8rem;color:#495057;margin-bottom:4px">{" · ".join(parts)}</div>'


_BLANK_LINE = re.compile(r"\n[ \t]*\n\s*")


def turn_block(turn: TurnRow, body_html: str, *, header: str, tags: str = "",
               anchor: bool = False, focused: bool = False) -> str:
    """A speaker turn as a block styled by role (interviewer turns visibly set apart)."""
    style = _ROLE_STYLE.get(turn.speaker_role, _ROLE_STYLE["third_party"])
    if focused:
        style += "outline:3px solid #f08c00;outline-offset:1px;"
    ident = f' id="turn-{int(turn.index)}"' if anchor else ""
    # Line breaks inside a turn are mostly the file's (subtitle cues, wrapped notes): let them
    # flow, and keep only blank lines as paragraph breaks. Our markup holds no newline.
    body_html = _BLANK_LINE.sub("<br><br>", body_html)
    return (f'<div{ident} style="{style}padding:8px 12px;margin:6px 0;border-radius:4px;'
            f'font-size:0.95rem;line-height:1.5">{header}'
            f'<div>{body_html}</div>'
            + (f'<div style="margin-top:4px">{tags}</div>' if tags else "") + "</div>")


def reader_header(turn: TurnRow) -> str:
    stamp = format_time(turn.time_start)
    if stamp and turn.time_end is not None:
        stamp += f"–{format_time(turn.time_end)}"
    bits = [f"<b>{esc(turn.speaker or role_label(turn.speaker_role))}</b>",
            f'<span style="text-transform:uppercase;font-size:0.7rem;letter-spacing:.04em">'
            f"{esc(role_label(turn.speaker_role))}</span>",
            f"turn {turn.index}"]
    if stamp:
        bits.append(f"at {stamp}")
    bits.append(f"chars {turn.start}–{turn.end}")
    return f'<div style="font-size:0.8rem;color:#495057;margin-bottom:2px">{" · ".join(bits)}</div>'


# --------------------------------------------------------------------------------------------
# The network view: a self-contained SVG + JS page, positions computed here
# --------------------------------------------------------------------------------------------

def _component_layout(graph: nx.Graph, nodes: list[str], seed: int) -> dict[str, tuple[float, float]]:
    """One connected component laid out in the unit square."""
    if len(nodes) == 1:
        return {nodes[0]: (0.5, 0.5)}
    if len(nodes) == 2:
        return {nodes[0]: (0.15, 0.5), nodes[1]: (0.85, 0.5)}
    h = nx.Graph()
    h.add_nodes_from(nodes)  # sorted: the same input order gives the same picture
    # Damp link weights with a log so one very frequent pair does not pull all into a knot.
    # (The whole graph's edges when the component is the whole graph: a subgraph view would
    # check every edge's ends again.)
    edges = (graph.edges(data="weight", default=1) if len(nodes) == graph.number_of_nodes()
             else graph.subgraph(nodes).edges(data="weight", default=1))
    h.add_edges_from(sorted((a, b, {"w": 1.0 + math.log(w)}) for a, b, w in edges))
    # k above networkx's 1/sqrt(n): co-occurrence graphs are dense, spread the core out.
    # Small components get the full 200 steps; a big one settles in 60 (the same picture at a
    # quarter of the cost: each step is quadratic in the nodes).
    steps = 200 if len(nodes) <= 80 else 60
    raw = nx.spring_layout(h, seed=seed, weight="w", k=2.5 / math.sqrt(len(nodes)), iterations=steps)
    xs = [p[0] for p in raw.values()]
    ys = [p[1] for p in raw.values()]
    x0, sx = min(xs), (max(xs) - min(xs)) or 1.0
    y0, sy = min(ys), (max(ys) - min(ys)) or 1.0
    return {n: ((float(p[0]) - x0) / sx, (float(p[1]) - y0) / sy) for n, p in raw.items()}


def layout(graph: nx.Graph, seed: int = LAYOUT_SEED,
           aspect: float = 1000 / 560) -> dict[str, tuple[float, float]]:
    """Server-side positions in [0, 1] x [0, 1], the same picture for the same graph.

    Each connected component gets its own spring layout (fixed seed) in a square whose area
    grows with its size, and the squares are packed in rows, biggest first: laid out together,
    the spring model flings small components and unlinked entities to the edges and squashes
    the main one into a strip."""
    if graph.number_of_nodes() == 0:
        return {}
    comps = sorted((sorted(c) for c in nx.connected_components(graph)),
                   key=lambda c: (-len(c), c[0]))
    # Each component's box has the drawing's aspect ratio and an area that grows with its size.
    boxes = [(math.sqrt(len(c) * aspect), math.sqrt(len(c) / aspect)) for c in comps]
    width = max(max(w for w, _ in boxes), math.sqrt(sum(w * h for w, h in boxes) * aspect))
    pos: dict[str, tuple[float, float]] = {}
    x = y = row_h = 0.0
    for comp, (bw, bh) in zip(comps, boxes):
        if x > 0 and x + bw > width + 1e-9:  # next shelf
            x, y, row_h = 0.0, y + row_h, 0.0
        pad = 0.08 if len(comp) > 1 else 0.3
        for n, (px, py) in _component_layout(graph, comp, seed).items():
            pos[n] = (x + bw * (pad + px * (1 - 2 * pad)), y + bh * (pad + py * (1 - 2 * pad)))
        x += bw
        row_h = max(row_h, bh)
    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in pos.values()]
    min_x, min_y = min(xs), min(ys)
    span_x, span_y = (max(xs) - min_x) or 1.0, (max(ys) - min_y) or 1.0
    # Scale both axes alike (no distortion), centred in the drawing's aspect ratio.
    scale = max(span_x, span_y * aspect)
    off_x = (scale - span_x) / 2
    off_y = (scale / aspect - span_y) / 2
    return {n: ((px - min_x + off_x) / scale, (py - min_y + off_y) / (scale / aspect))
            for n, (px, py) in pos.items()}


def _script_json(data: Any) -> str:
    """JSON safe inside a <script> element: no '<', '>' or '&' survives to close it."""
    return (json.dumps(data, ensure_ascii=False, separators=(",", ":"))
            .replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


def network_data(graph: nx.Graph, positions: dict[str, tuple[float, float]],
                 width: int = 1000, height: int = 600, colour_by: str = "type",
                 pinned: Iterable[str] = ()) -> dict[str, Any]:
    """What the network view's script draws: nodes (positions in pixels, colour, size), edges
    and the legend. `colour_by` is "type" or "community" (the `community` node attribute set
    by queries.paths.annotate_structure); `pinned` nodes (a neighbourhood's centre, a path's
    ends) are outlined and always labelled."""
    pinned = set(pinned)
    margin, top_margin = 30, 30
    nodes = sorted(graph.nodes(data=True), key=lambda nd: (-nd[1].get("mentions", 0), nd[0]))
    index = {n: i for i, (n, _) in enumerate(nodes)}
    top = max((d.get("mentions", 0) for _, d in nodes), default=1) or 1
    by_community = colour_by == "community"
    out_nodes = []
    for n, d in nodes:
        x, y = positions.get(n, (0.5, 0.5))
        etype = d.get("type", "")
        community = d.get("community")
        node = {
            "id": n, "name": d.get("name", n), "type": etype, "typeLabel": type_label(etype),
            "colour": community_colour(community) if by_community else type_colour(etype),
            "mentions": d.get("mentions", 0),
            "interviews": d.get("interviews", 0), "degree": graph.degree(n),
            "x": round(margin + x * (width - 2 * margin), 2),
            "y": round(top_margin + y * (height - top_margin - margin), 2),
            "r": round(4 + 14 * math.sqrt(d.get("mentions", 0) / top), 2),
        }
        if community is not None:
            node["community"] = int(community) + 1  # shown to people: count from 1
        if d.get("centrality") is not None:
            node["centrality"] = round(float(d["centrality"]), 4)
        if n in pinned:
            node["pin"] = True
        out_nodes.append(node)
    edges = sorted(graph.edges(data=True), key=lambda e: (index[e[0]], index[e[1]]))
    wmax = max((d.get("weight", 1) for _, _, d in edges), default=1) or 1
    out_edges = [{"s": index[a], "t": index[b], "w": d.get("weight", 1),
                  "iv": d.get("interviews", 1),
                  "sw": round(0.6 + 3.4 * d.get("weight", 1) / wmax, 2)} for a, b, d in edges]
    if graph.is_directed():  # typed relations: an arrow from who did it, and what it was
        for e, (a, b, d) in zip(out_edges, edges):
            e["dir"] = True
            e["rel"] = (f"{graph.nodes[a].get('name', a)} → {graph.nodes[b].get('name', b)}: "
                        f"{d.get('relations', '')}")
    if by_community:
        sizes: dict[int, int] = {}
        for _, d in nodes:
            c = d.get("community")
            c = -1 if c is None else int(c)
            sizes[c] = sizes.get(c, 0) + 1
        legend = [{"label": f"Community {c + 1}", "colour": community_colour(c), "count": k}
                  for c, k in sorted(sizes.items()) if 0 <= c < len(COMMUNITY_COLOURS)]
        rest = sum(k for c, k in sizes.items() if not 0 <= c < len(COMMUNITY_COLOURS))
        if rest:
            legend.append({"label": "Other communities", "colour": FALLBACK_COLOUR, "count": rest})
    else:
        types = [t for t in ENTITY_TYPES if any(n["type"] == t for n in out_nodes)]
        types += sorted({n["type"] for n in out_nodes} - set(types))
        legend = [{"label": type_label(t), "colour": type_colour(t),
                   "count": sum(1 for n in out_nodes if n["type"] == t)} for t in types]
    return {"nodes": out_nodes, "edges": out_edges, "legend": legend,
            "width": width, "height": height}


def network_html(graph: nx.Graph, positions: dict[str, tuple[float, float]],
                 height: int = 640, colour_by: str = "type", pinned: Iterable[str] = ()) -> str:
    """A self-contained page (no remote script, no fetch: a CSP forbids both) drawing the
    graph as SVG with pan, zoom, node drag, hover details, a legend, find and relax."""
    data = _script_json(network_data(graph, positions, height=max(200, height - 40),
                                     colour_by=colour_by, pinned=pinned))
    return _fill(_NETWORK_TEMPLATE, TITLE="<title>Testimony network</title>", HEADER="",
                 HEIGHT=f"{int(height)}px", DATA=data)


def network_page(graph: nx.Graph, positions: dict[str, tuple[float, float]], *,
                 title: str = "Testimony network", colour_by: str = "type",
                 note: str = "") -> str:
    """The interactive network as a standalone HTML document to hand on (the app's view, with
    a title, counts and a legend; nothing fetched from anywhere, names escaped)."""
    data = _script_json(network_data(graph, positions, height=760, colour_by=colour_by))
    counts = (f"{graph.number_of_nodes():,} entities · {graph.number_of_edges():,} links. "
              "Two entities are linked when the same speaker turn names both; node size is "
              "the number of mentions.")
    header = ('<header style="padding:10px 14px 6px"><h1 style="margin:0 0 4px;font-size:20px">'
              f'{esc(title)}</h1><div style="font-size:13px;color:#495057">{esc(counts)}'
              + (f" {esc(note)}" if note else "") + "</div></header>")
    return _fill(_NETWORK_TEMPLATE, TITLE=f"<title>{esc(title)}</title>", HEADER=header,
                 HEIGHT="calc(100vh - 80px)", DATA=data)


def _fill(template: str, **values: str) -> str:
    """Put values into the template's __NAME__ slots in one pass, so a value (a name from a
    transcript) that happens to contain "__DATA__" is never itself filled in."""
    return re.sub(r"__(TITLE|HEADER|HEIGHT|DATA)__", lambda m: values[m.group(1)], template)


_NETWORK_TEMPLATE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">__TITLE__
<meta http-equiv="Content-Security-Policy"
 content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'">
<style>
 html,body{margin:0;padding:0;font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;}
 #wrap{display:flex;flex-direction:column;width:100%;height:__HEIGHT__;min-height:300px;border:1px solid #dee2e6;
   border-radius:6px;overflow:hidden;background:#fcfcfd;box-sizing:border-box;}
 #bar{display:flex;justify-content:space-between;align-items:center;flex-wrap:wrap;gap:6px;
   padding:4px 8px;border-bottom:1px solid #e9ecef;background:#fff;font-size:12px;}
 #legend{display:flex;flex-wrap:wrap;gap:4px 12px;align-items:center;}
 #legend div{display:flex;align-items:center;gap:5px;}
 #legend i{width:11px;height:11px;border-radius:50%;display:inline-block;}
 #controls{display:flex;gap:6px;align-items:center;}
 #controls input[type=search]{width:150px;font-size:12px;padding:2px 4px;}
 #controls button{font-size:12px;padding:2px 6px;cursor:pointer;}
 #stage{position:relative;flex:1;min-height:0;}
 svg{width:100%;height:100%;display:block;cursor:grab;touch-action:none;user-select:none;}
 svg.panning{cursor:grabbing;}
 .node{cursor:pointer;stroke:#fff;stroke-width:1.2;}
 .node.sel{stroke:#212529;stroke-width:2.5;}
 .node.hit{stroke:#f08c00;stroke-width:3;}
 .node.pin{stroke:#212529;stroke-width:3;}
 .edge{stroke:#868e96;stroke-opacity:.35;}
 .edge.on{stroke:#212529;stroke-opacity:.8;}
 .faded{opacity:.12;}
 .lbl{fill:#212529;pointer-events:none;paint-order:stroke;stroke:#fff;stroke-linejoin:round;}
 #labels{font-size:11px;stroke-width:3px;}
 .lbl.hidden{display:none;}
 #tip{position:absolute;pointer-events:none;background:#212529;color:#fff;padding:6px 8px;border-radius:4px;
   font-size:12px;line-height:1.4;display:none;max-width:280px;z-index:3;}
 #hint{position:absolute;left:8px;bottom:4px;font-size:11px;color:#868e96;pointer-events:none;}
</style></head>
<body>__HEADER__<div id="wrap">
 <div id="bar">
  <div id="legend" aria-label="Entity types"></div>
  <div id="controls">
   <input id="find" type="search" placeholder="Find a name" aria-label="Find a name">
   <label><input id="all" type="checkbox"> all labels</label>
   <button id="relax" type="button" title="Run a force layout from the current positions">Relax</button>
   <button id="reset" type="button" title="Back to the first picture">Reset</button>
  </div>
 </div>
 <div id="stage">
  <svg id="svg" role="img" aria-label="Co-occurrence network of entities">
   <defs><marker id="arrow" viewBox="0 0 10 10" refX="20" refY="5" markerUnits="userSpaceOnUse" markerWidth="9" markerHeight="9" orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" fill="#495057"/></marker></defs>
   <g id="vp"><g id="edges"></g><g id="nodes"></g><g id="labels"></g></g>
  </svg>
  <div id="hint">Scroll to zoom · drag the background to pan · drag a node to move it · click a node to show its links</div>
  <div id="tip"></div>
 </div>
</div>
<script id="graph-data" type="application/json">__DATA__</script>
<script>
(function(){
 "use strict";
 var D = JSON.parse(document.getElementById("graph-data").textContent);
 var NS = "http://www.w3.org/2000/svg";
 var svg = document.getElementById("svg"), vp = document.getElementById("vp");
 var gE = document.getElementById("edges"), gN = document.getElementById("nodes"), gL = document.getElementById("labels");
 var tip = document.getElementById("tip"), wrap = document.getElementById("stage");
 var nodes = D.nodes, edges = D.edges, N = nodes.length;
 svg.setAttribute("viewBox", "0 0 " + D.width + " " + D.height);
 var view = {k: 1, x: 0, y: 0};
 var adj = nodes.map(function(){ return []; });
 edges.forEach(function(e, i){ adj[e.s].push(i); adj[e.t].push(i); });
 nodes.forEach(function(n){ n.x0 = n.x; n.y0 = n.y; });
 var LABELLED = Math.min(N, 15);

 function el(tag, attrs){ var e = document.createElementNS(NS, tag);
   for (var k in attrs) e.setAttribute(k, attrs[k]); return e; }

 edges.forEach(function(e){
   e.el = el("line", {"class": "edge", "stroke-width": e.sw}); gE.appendChild(e.el);
   if (e.dir) e.el.setAttribute("marker-end", "url(#arrow)");
   if (e.rel){ var t = el("title", {}); t.textContent = e.rel; e.el.appendChild(t); } });
 nodes.forEach(function(n, i){
   n.el = el("circle", {"class": "node" + (n.pin ? " pin" : ""), r: n.r, fill: n.colour}); n.el.dataset.i = i; gN.appendChild(n.el);
   n.lbl = el("text", {"class": "lbl" + (i < LABELLED || n.pin ? "" : " hidden"), "text-anchor": "middle"});
   n.lbl.textContent = n.name; gL.appendChild(n.lbl);
 });
 var leg = document.getElementById("legend");
 D.legend.forEach(function(t){ var row = document.createElement("div"); var dot = document.createElement("i");
   dot.style.background = t.colour; row.appendChild(dot);
   var s = document.createElement("span"); s.textContent = t.label + " (" + t.count + ")"; row.appendChild(s);
   leg.appendChild(row); });

 function place(){
   edges.forEach(function(e){ var a = nodes[e.s], b = nodes[e.t];
     e.el.setAttribute("x1", a.x); e.el.setAttribute("y1", a.y); e.el.setAttribute("x2", b.x); e.el.setAttribute("y2", b.y); });
   nodes.forEach(function(n){ n.el.setAttribute("cx", n.x); n.el.setAttribute("cy", n.y);
     n.lbl.setAttribute("x", n.x); n.lbl.setAttribute("y", n.y - n.r - 3 / view.k); });
 }
 var focusActive = false;  // a selection or a find narrows the labels to what it picked
 function applyView(){ vp.setAttribute("transform", "translate(" + view.x + "," + view.y + ") scale(" + view.k + ")");
   // Labels keep their size on screen whatever the zoom.
   gL.style.fontSize = (11 / view.k) + "px"; gL.style.strokeWidth = (3 / view.k) + "px";
   var all = document.getElementById("all").checked || view.k >= 2.2;
   nodes.forEach(function(n, i){
     var show = focusActive ? n.focus : (all || i < LABELLED || n.pin);
     n.lbl.setAttribute("y", n.y - n.r - 3 / view.k);
     n.lbl.setAttribute("class", "lbl" + (show ? "" : " hidden")); }); }
 function svgPoint(evt){ var p = svg.createSVGPoint(); p.x = evt.clientX; p.y = evt.clientY;
   return p.matrixTransform(svg.getScreenCTM().inverse()); }
 function toGraph(p){ return {x: (p.x - view.x) / view.k, y: (p.y - view.y) / view.k}; }

 var selected = -1;
 function focusOn(i){
   nodes.forEach(function(n){ n.focus = false; });
   focusActive = i >= 0;
   if (i < 0) { nodes.forEach(function(n){ n.el.classList.remove("faded", "sel"); });
     edges.forEach(function(e){ e.el.classList.remove("faded", "on"); }); applyView(); return; }
   var keep = {}; keep[i] = true;
   adj[i].forEach(function(ei){ var e = edges[ei]; keep[e.s] = true; keep[e.t] = true; });
   nodes.forEach(function(n, j){ n.el.classList.toggle("faded", !keep[j]); n.el.classList.toggle("sel", j === i);
     n.focus = !!keep[j]; });
   edges.forEach(function(e){ var on = e.s === i || e.t === i;
     e.el.classList.toggle("on", on); e.el.classList.toggle("faded", !on); });
   applyView();
 }
 function showTip(n, evt){
   tip.textContent = "";
   var b = document.createElement("b"); b.textContent = n.name; tip.appendChild(b);
   [n.typeLabel, n.mentions + " mention" + (n.mentions === 1 ? "" : "s") + " in " + n.interviews +
    " interview" + (n.interviews === 1 ? "" : "s"), n.degree + " co-mentioned entit" + (n.degree === 1 ? "y" : "ies")]
    .concat(n.community ? ["community " + n.community + (n.centrality !== undefined ? " · betweenness " + n.centrality : "")] : [])
    .forEach(function(line){ tip.appendChild(document.createElement("br")); tip.appendChild(document.createTextNode(line)); });
   tip.style.display = "block"; moveTip(evt);
 }
 function moveTip(evt){ var r = wrap.getBoundingClientRect();
   var x = evt.clientX - r.left + 14, y = evt.clientY - r.top + 14;
   if (x + 290 > r.width) x = Math.max(4, x - 310);
   tip.style.left = x + "px"; tip.style.top = y + "px"; }

 var drag = null;
 svg.addEventListener("pointerdown", function(evt){
   var t = evt.target, p = svgPoint(evt);
   if (t.classList && t.classList.contains("node")) {
     drag = {kind: "node", i: +t.dataset.i, moved: false, start: p};
   } else { drag = {kind: "pan", start: p, x: view.x, y: view.y, moved: false}; svg.classList.add("panning"); }
   svg.setPointerCapture(evt.pointerId);
 });
 svg.addEventListener("pointermove", function(evt){
   var t = evt.target;
   if (!drag) {
     if (t.classList && t.classList.contains("node")) showTip(nodes[+t.dataset.i], evt); else tip.style.display = "none";
     return;
   }
   var p = svgPoint(evt);
   if (Math.abs(p.x - drag.start.x) + Math.abs(p.y - drag.start.y) > 3) drag.moved = true;
   if (drag.kind === "node") { var g = toGraph(p), n = nodes[drag.i]; n.x = g.x; n.y = g.y; place(); moveTip(evt); }
   else { view.x = drag.x + (p.x - drag.start.x); view.y = drag.y + (p.y - drag.start.y); applyView(); }
 });
 function endDrag(evt){
   if (!drag) return;
   if (!drag.moved) { if (drag.kind === "node") { selected = (selected === drag.i) ? -1 : drag.i; focusOn(selected); }
     else { selected = -1; focusOn(-1); } }
   drag = null; svg.classList.remove("panning");
 }
 svg.addEventListener("pointerup", endDrag);
 svg.addEventListener("pointercancel", endDrag);
 svg.addEventListener("pointerleave", function(){ if (!drag) tip.style.display = "none"; });
 svg.addEventListener("wheel", function(evt){
   evt.preventDefault();
   var p = svgPoint(evt), f = Math.exp(-evt.deltaY * 0.0015);
   var k = Math.min(12, Math.max(0.2, view.k * f)); f = k / view.k;
   view.x = p.x - (p.x - view.x) * f; view.y = p.y - (p.y - view.y) * f; view.k = k; applyView();
 }, {passive: false});

 document.getElementById("all").addEventListener("change", applyView);
 document.getElementById("reset").addEventListener("click", function(){
   view = {k: 1, x: 0, y: 0}; nodes.forEach(function(n){ n.x = n.x0; n.y = n.y0; });
   selected = -1; focusOn(-1); place(); applyView(); });
 document.getElementById("find").addEventListener("input", function(){
   var q = this.value.trim().toLowerCase();
   nodes.forEach(function(n){ var hit = q.length > 0 && n.name.toLowerCase().indexOf(q) !== -1;
     n.el.classList.toggle("hit", hit); n.el.classList.toggle("faded", q.length > 0 && !hit); n.focus = hit; });
   focusActive = q.length > 0; selected = -1;
   edges.forEach(function(e){ e.el.classList.toggle("faded", q.length > 0); });
   applyView(); });

 // "Relax": a few hundred steps of a plain force layout (repulsion, springs on links, gravity),
 // starting from the server's positions. O(n^2) per step; fine for the few hundred nodes drawn.
 var running = false;
 document.getElementById("relax").addEventListener("click", function(){
   if (running || N < 2) return; running = true; var step = 0, cx = D.width / 2, cy = D.height / 2;
   var area = D.width * D.height, kk = Math.sqrt(area / N) * 0.6;
   function tick(){
     var dx = new Float64Array(N), dy = new Float64Array(N), i, j;
     for (i = 0; i < N; i++) for (j = i + 1; j < N; j++) {
       var vx = nodes[i].x - nodes[j].x, vy = nodes[i].y - nodes[j].y, d2 = vx * vx + vy * vy + 0.01;
       var f = kk * kk / d2; dx[i] += vx * f; dy[i] += vy * f; dx[j] -= vx * f; dy[j] -= vy * f; }
     edges.forEach(function(e){ var a = nodes[e.s], b = nodes[e.t], vx = a.x - b.x, vy = a.y - b.y;
       var d = Math.sqrt(vx * vx + vy * vy) + 0.01, f = d / kk;
       dx[e.s] -= vx * f; dy[e.s] -= vy * f; dx[e.t] += vx * f; dy[e.t] += vy * f; });
     var temp = 12 * (1 - step / 200);
     for (i = 0; i < N; i++) { var n = nodes[i]; if (drag && drag.kind === "node" && drag.i === i) continue;
       dx[i] += (cx - n.x) * 0.02; dy[i] += (cy - n.y) * 0.02;
       var len = Math.sqrt(dx[i] * dx[i] + dy[i] * dy[i]) + 1e-9, m = Math.min(len, temp);
       n.x += dx[i] / len * m; n.y += dy[i] / len * m; }
     place(); step++;
     if (step < 200) requestAnimationFrame(tick); else running = false;
   }
   requestAnimationFrame(tick);
 });
 place(); applyView();
})();
</script></body></html>
"""


def gexf_viz(graph: nx.Graph, positions: dict[str, tuple[float, float]],
             colour_by: str = "type") -> dict[str, dict]:
    """Gephi's viz attributes (position, colour, size) of what is on screen, per node."""
    out = {}
    for n in network_data(graph, positions, colour_by=colour_by)["nodes"]:
        hexc = n["colour"].lstrip("#")
        out[n["id"]] = {
            "position": {"x": n["x"], "y": -n["y"], "z": 0.0},
            "color": {"r": int(hexc[0:2], 16), "g": int(hexc[2:4], 16), "b": int(hexc[4:6], 16),
                      "a": 1.0},
            "size": n["r"],
        }
    return out


def gexf_bytes(graph: nx.Graph, positions: dict[str, tuple[float, float]] | None = None,
               colour_by: str = "type") -> bytes:
    """The GEXF of queries.exports (names as labels); with `positions`, each node also carries
    Gephi's viz position, colour and size (the picture on screen)."""
    return gexf(graph, gexf_viz(graph, positions, colour_by) if positions else None)


def neo4j_csv_zip(graph: nx.Graph, stem: str = "testimony-network") -> bytes:
    """The neo4j-admin import files (nodes, relationships, import command) written by
    queries.exports.write_neo4j_csv, in one zip (from download_bytes' redacted graph)."""
    with tempfile.TemporaryDirectory(prefix="testimony-export-") as tmp:
        written = write_neo4j_csv(graph, Path(tmp) / f"{stem}.csv")
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            for path in written:
                zf.write(path, arcname=path.name)
        return buf.getvalue()


@dataclass(frozen=True)
class ExportFormat:
    fmt: str  # what download_bytes takes
    label: str  # the download button's label
    extension: str
    mime: str
    help: str


EXPORT_FORMATS: tuple[ExportFormat, ...] = (
    ExportFormat("gexf", "GEXF (Gephi)", "gexf", "application/xml",
                 "For Gephi: names, types, counts, communities, and the layout and colours."),
    ExportFormat("graphml", "GraphML", "graphml", "application/xml",
                 "For yEd, Cytoscape, igraph and most graph tools."),
    ExportFormat("cytoscape", "Cytoscape JSON", "cyjs", "application/json",
                 "Cytoscape's JSON (cytoscape.js elements)."),
    ExportFormat("png", "PNG image", "png", "image/png", "A picture for a report."),
    ExportFormat("svg", "SVG image", "svg", "image/svg+xml",
                 "A vector picture (text stays text) for a report or an editor."),
    ExportFormat("html", "Standalone HTML", "html", "text/html",
                 "The interactive view as one file that opens in any browser, offline."),
    ExportFormat("csv", "Neo4j CSV (zip)", "zip", "application/zip",
                 "Nodes and relationships for neo4j-admin database import, with the command."),
)


def download_bytes(graph: nx.Graph, fmt: str, *, store,  # noqa: ANN001 - its GraphStore
                   positions: dict[str, tuple[float, float]] | None = None,
                   colour_by: str = "type", title: str = "Testimony network") -> bytes:
    """One export of `graph` (read from `store`) as bytes: GEXF with the on-screen layout, the
    standalone page as drawn on screen, the neo4j-admin CSV as a zip, and the rest from
    queries.exports. Witnesses are named by their codes and listed names redacted in every
    one (queries/redaction.py)."""
    hidden = redact_graph(graph, redactor(store))
    if positions:
        positions = {new: positions[old] for old, new in zip(graph.nodes, hidden.nodes)
                     if old in positions}
    graph = hidden
    if fmt == "gexf":
        return gexf_bytes(graph, positions, colour_by)
    if fmt == "html":
        return network_page(graph, positions or layout(graph), title=title,
                            colour_by=colour_by).encode("utf-8")
    if fmt == "csv":
        return neo4j_csv_zip(graph)
    return graph_bytes(graph, fmt)


# --------------------------------------------------------------------------------------------
# Corroboration, paths and media: small pieces of markup and look-ups
# --------------------------------------------------------------------------------------------

def stance_label(stance: str) -> str:
    return STANCES.get(stance, (stance.replace("_", " "), "", ""))[0]


def stance_badge(stance: str) -> str:
    """A coloured badge saying how the witness knows it (first-hand, hearsay, hedged…)."""
    label, colour, why = STANCES.get(stance, (stance.replace("_", " "), "#495057", ""))
    return (f'<span style="display:inline-block;border-radius:4px;padding:0 6px;margin-right:6px;'
            f'font-size:0.72rem;font-weight:600;text-transform:uppercase;letter-spacing:.03em;'
            f'color:#fff;background:{colour}" title="{esc(why)}">{esc(label)}</span>')


def turn_number(turn_id: str) -> str:
    """The index part of a turn id "<interview id>#<index>"."""
    return turn_id.rsplit("#", 1)[-1]


VIDEO_SUFFIXES = frozenset({".mp4", ".m4v", ".mov", ".webm", ".ogv", ".mkv", ".avi"})
AUDIO_SUFFIXES = frozenset({".mp3", ".m4a", ".wav", ".ogg", ".oga", ".opus", ".flac", ".aac",
                            ".weba"})
MEDIA_ROOT_ENV = "TESTIMONY_MEDIA_ROOT"


def _media_folders(summary: InterviewSummary, media_root: str | None,
                   cwd: Path) -> list[Path]:
    """The folders a recording may come from: the transcript's, and the media root."""
    folders: list[Path] = []
    if summary.source_path:
        source = Path(summary.source_path).expanduser()
        folders.append((source if source.is_absolute() else cwd / source).parent)
    if media_root:
        folders.append(Path(media_root).expanduser())
    return folders


def media_candidates(summary: InterviewSummary, media_root: str | None = None,
                     cwd: Path | None = None) -> list[Path]:
    """Where the interview's media file (summary.media_file) may be: next to the transcript
    (relative to the folder of summary.source_path), and under `media_root`
    (TESTIMONY_MEDIA_ROOT) as named and by its file name alone. An absolute name is taken
    only under one of those folders (see find_media)."""
    if not summary.media_file:
        return []
    cwd = cwd or Path.cwd()
    named = Path(summary.media_file).expanduser()
    if named.is_absolute():
        out = [named]
    else:
        out = [folder / named for folder in _media_folders(summary, media_root, cwd)]
        if media_root:
            out.append(Path(media_root).expanduser() / named.name)
    unique: list[Path] = []
    for p in out:
        if p not in unique:
            unique.append(p)
    return unique


def media_outside(path: Path, summary: InterviewSummary, media_root: str | None = None,
                  cwd: Path | None = None) -> bool:
    """Whether `path`, symlinks and `..` followed, lies outside the transcript's folder and the
    media root: metadata naming `../../etc/passwd` or a link out of the folder gets nothing."""
    real = path.resolve()
    return not any(real.is_relative_to(folder.resolve())
                   for folder in _media_folders(summary, media_root, cwd or Path.cwd()))


def find_media(summary: InterviewSummary, media_root: str | None = None,
               cwd: Path | None = None) -> Path | None:
    """The first candidate of media_candidates that exists inside the transcript's folder or
    the media root (never a file elsewhere, whatever the metadata says), or None."""
    return next((p for p in media_candidates(summary, media_root, cwd)
                 if not media_outside(p, summary, media_root, cwd) and p.is_file()), None)


def media_kind(path: Path | str) -> str | None:
    """"video", "audio", or None for a file no browser player takes (a scan, a document)."""
    suffix = Path(path).suffix.lower()
    if suffix in VIDEO_SUFFIXES:
        return "video"
    if suffix in AUDIO_SUFFIXES:
        return "audio"
    return None


def media_root_from_env() -> str | None:
    return os.environ.get(MEDIA_ROOT_ENV) or None
