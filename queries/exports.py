"""Exporters, one family: what is on screen, or a chosen subgraph, out to the formats analysts
hand on (Gephi, yEd, Cytoscape, neo4j-admin, images, a standalone page, quote reports).

Pseudonym-safe by construction: every entry point takes the store the graph came from, and
applies its redaction (queries/redaction.py): witnesses named by their keyed codes, private
and listed names [redacted]. Network exports carry entity names, types and counts only; quote
reports leave out interviewee attributes (gender, nationality, status, role, age) unless an
admin asks (`include_attributes=True`). Text is escaped for XML/HTML/SVG.
"""
from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from pathlib import Path

import networkx as nx

from graph_builder.store.base import NetworkData
from queries.redaction import redact_data, redact_graph, redactor

from schemas import ENTITY_TYPES, IDENTIFYING_ATTRIBUTES, entity_label

GRAPH_FORMATS = ("graphml", "gexf", "cytoscape", "csv", "png", "svg", "html")


def _clean(graph: nx.Graph) -> nx.Graph:
    """A copy whose attributes GraphML/GEXF can hold (no None, no tuples); Gephi's `viz`
    (position, colour, size) is kept as networkx's GEXF writer expects it."""
    g = nx.Graph()
    for n, d in graph.nodes(data=True):
        g.add_node(n, **{k: (v if isinstance(v, (int, float, str, bool)) or k == "viz" else json.dumps(v))
                         for k, v in d.items() if v is not None})
    for a, b, d in graph.edges(data=True):
        g.add_edge(a, b, **{k: v for k, v in d.items() if isinstance(v, (int, float, str, bool))})
    return g


def export_graph(graph: nx.Graph, path: str | Path, fmt: str | None = None, *,
                 store) -> list[Path]:  # noqa: ANN001 - the GraphStore it came from
    """Write `graph` (read from `store`) to `path` in `fmt` (from the extension when None);
    returns files written. Witnesses are named by their codes and listed names redacted
    (queries/redaction.py), from the store's own terms."""
    path = Path(path)
    fmt = (fmt or path.suffix.lstrip(".")).lower()
    graph = redact_graph(graph, redactor(store))
    if fmt == "json":
        fmt = "cytoscape"
    if fmt not in GRAPH_FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; choose one of {', '.join(GRAPH_FORMATS)}")
    if fmt == "csv":
        return write_neo4j_csv(graph, path)
    path.write_bytes(graph_bytes(graph, fmt))
    return [path]


def graph_bytes(graph: nx.Graph, fmt: str) -> bytes:
    """The export as bytes (for download buttons); every format but csv. The callers that hand
    files out (export_graph, render.download_bytes) have redacted the graph already."""
    if fmt == "graphml":
        clean = _clean(graph)
        for _, d in clean.nodes(data=True):
            d.pop("viz", None)  # GraphML has no place for Gephi's drawing attributes
        return "\n".join(nx.generate_graphml(clean)).encode("utf-8")
    if fmt == "gexf":
        return gexf(graph)
    if fmt == "cytoscape":
        return json.dumps(nx.cytoscape_data(_clean(graph)), ensure_ascii=False, indent=1).encode("utf-8")
    if fmt in ("png", "svg"):
        return render_image(graph, fmt)
    if fmt == "html":
        from queries.render import layout, network_page
        return network_page(graph, layout(graph)).encode("utf-8")
    raise ValueError(f"no byte export for {fmt!r}")


_XML_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"})
# Characters XML 1.0 cannot hold at all (control characters other than tab, newline, CR).
_XML_BAD = dict.fromkeys(c for c in range(32) if c not in (9, 10, 13))


def _x(value: object) -> str:
    return str(value).translate(_XML_BAD).translate(_XML_ESCAPES)


# Node attributes GEXF declares (the rest are not written): name, kind, type.
_GEXF_NODE_ATTRS = (("type", "string"), ("mentions", "integer"), ("interviews", "integer"),
                    ("community", "integer"), ("centrality", "double"))


def gexf(graph: "nx.Graph | NetworkData", viz: dict[str, dict] | None = None, *,
         name: str = "Testimony network", store=None) -> bytes:  # noqa: ANN001
    """GEXF 1.2 for Gephi, written in one pass (a whole graph of thousands of entities in well
    under a second, where networkx's writer takes many). Each entity's name is its label; its
    type, counts, community and centrality are attributes; `viz` adds Gephi's position, colour
    and size per node (what is on screen). Edges carry their weight (turns) and interviews.
    The store's answer (NetworkData, what `testimony export x.gexf` writes) is redacted here,
    with the terms of the `store` it came from (required); a graph comes from export_graph or
    render.download_bytes, which redacted it."""
    if isinstance(graph, NetworkData):
        if store is None:
            raise ValueError("the store's network answer is exported with its store's redaction")
        graph = redact_data(graph, redactor(store))
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           '<gexf xmlns="http://www.gexf.net/1.2draft" xmlns:viz="http://www.gexf.net/1.2draft/viz" '
           'version="1.2">',
           f'<meta><creator>testimony-graph</creator><description>{_x(name)}</description></meta>',
           '<graph defaultedgetype="undirected" mode="static">',
           '<attributes class="node" mode="static">']
    out += [f'<attribute id="{i}" title="{t}" type="{kind}"/>'
            for i, (t, kind) in enumerate(_GEXF_NODE_ATTRS)]
    out += ['</attributes>', '<attributes class="edge" mode="static">',
            '<attribute id="0" title="interviews" type="integer"/>', '</attributes>', '<nodes>']
    if isinstance(graph, NetworkData):  # straight from the store's answer: no graph built
        nodes = [(n.id, {"name": n.name, "type": n.type, "mentions": n.mentions,
                         "interviews": n.interviews, "community": n.community,
                         "centrality": n.centrality}) for n in graph.nodes]
        edges = [(e.a, e.b, {"weight": e.weight, "interviews": e.interviews}) for e in graph.edges]
    else:
        nodes, edges = list(graph.nodes(data=True)), list(graph.edges(data=True))
    ids: dict[str, str] = {}
    for n, d in nodes:
        ids[n] = _x(n)
        values = "".join(f'<attvalue for="{i}" value="{_x(d[t])}"/>'
                         for i, (t, _) in enumerate(_GEXF_NODE_ATTRS) if d.get(t) is not None)
        v = (viz or {}).get(n)
        shape = ""
        if v:
            c, p = v["color"], v["position"]
            shape = (f'<viz:color r="{c["r"]}" g="{c["g"]}" b="{c["b"]}" a="{c.get("a", 1.0)}"/>'
                     f'<viz:size value="{v["size"]}"/>'
                     f'<viz:position x="{p["x"]}" y="{p["y"]}" z="{p.get("z", 0.0)}"/>')
        out.append(f'<node id="{ids[n]}" label="{_x(d.get("name", n))}">'
                   f'<attvalues>{values}</attvalues>{shape}</node>')
    out.append('</nodes><edges>')
    for k, (a, b, d) in enumerate(edges):
        out.append(f'<edge id="{k}" source="{ids[a]}" target="{ids[b]}" '
                   f'weight="{float(d.get("weight", 1))}"><attvalues><attvalue for="0" '
                   f'value="{int(d.get("interviews", 1))}"/></attvalues></edge>')
    out.append('</edges></graph></gexf>')
    return "\n".join(out).encode("utf-8")


# An export whose interviewee filters keep fewer people than this is refused: a network of one
# witness's words, handed on, points at that witness. TESTIMONY_MIN_GROUP changes it.
MIN_GROUP = 5


def min_group() -> int:
    import os

    try:
        return max(1, int(os.environ.get("TESTIMONY_MIN_GROUP", MIN_GROUP)))
    except ValueError:
        return MIN_GROUP


def group_too_small(store, where) -> str | None:  # noqa: ANN001 - GraphStore, InterviewFilter
    """Why an export filtered by interviewee attributes (`where`) must not be written: the
    filters keep fewer than `min_group()` interviewees. None when they keep enough, or when
    nothing is filtered."""
    if where is None or not getattr(where, "active", False):
        return None
    people = {s.pseudonym for s in store.interviews() if where.allows(s)}
    k = min_group()
    if len(people) >= k:
        return None
    return (f"these interviewee filters keep {len(people)} interviewee"
            f"{'s' if len(people) != 1 else ''}; an export must cover at least {k}, so that it "
            "does not single anyone out (widen the filters, or set TESTIMONY_MIN_GROUP)")


_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> object:
    """A CSV cell a spreadsheet shows as text, never runs: text starting with = + - @ (or a
    tab or carriage return) gets a leading apostrophe (OWASP's advice against CSV
    injection); numbers stay numbers."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def safe_row(values: Iterable[object]) -> list[object]:
    return [safe_cell(v) for v in values]


def write_neo4j_csv(graph: nx.Graph, path: Path) -> list[Path]:
    """Nodes and relationships in the CSV layout `neo4j-admin database import` reads, plus
    the import command that loads them."""
    stem = path.with_suffix("")
    nodes_path = Path(f"{stem}-nodes.csv")
    rels_path = Path(f"{stem}-relationships.csv")
    command_path = Path(f"{stem}-import.sh")
    with open(nodes_path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["id:ID", "name", "type", "mentions:int", "interviews:int", ":LABEL"])
        for n, d in sorted(graph.nodes(data=True)):
            etype = d.get("type", "")
            label = f"Entity;{entity_label(etype)}" if etype in ENTITY_TYPES else "Entity"
            w.writerow(safe_row([n, d.get("name", n), etype, d.get("mentions", 0),
                                 d.get("interviews", 0), label]))
    with open(rels_path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow([":START_ID", ":END_ID", "weight:int", "interviews:int", ":TYPE"])
        for a, b, d in sorted(graph.edges(data=True)):
            w.writerow(safe_row([a, b, d.get("weight", 1), d.get("interviews", 1), "CO_MENTIONED"]))
    command_path.write_text(
        "#!/bin/sh\n# Load these files into an empty database (stop it first).\n"
        f"neo4j-admin database import full --nodes={nodes_path.name} "
        f"--relationships={rels_path.name} --overwrite-destination neo4j\n", encoding="utf-8")
    return [nodes_path, rels_path, command_path]


def render_image(graph: nx.Graph, fmt: str = "png", *, width: float = 12.0,
                 height: float = 9.0) -> bytes:
    """The network drawn by matplotlib (server-side spring layout, fixed seed): nodes coloured
    by type and sized by mentions, labels for the most-mentioned, a legend."""
    import matplotlib
    matplotlib.use("Agg")  # no display needed
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    from queries.render import layout, type_colour

    plt.rcParams["svg.fonttype"] = "none"  # text stays text in SVG; matplotlib escapes it
    fig, ax = plt.subplots(figsize=(width, height), dpi=110)
    ax.set_axis_off()
    pos = {n: (x, -y) for n, (x, y) in layout(graph).items()}
    if graph.number_of_nodes():
        mentions = [graph.nodes[n].get("mentions", 1) for n in graph]
        top = max(mentions) or 1
        nx.draw_networkx_edges(graph, pos, ax=ax, alpha=0.25, width=0.6, edge_color="#777777")
        nx.draw_networkx_nodes(graph, pos, ax=ax, linewidths=0.5, edgecolors="white",
                               node_color=[type_colour(graph.nodes[n].get("type", "")) for n in graph],
                               node_size=[30 + 400 * (m / top) ** 0.5 for m in mentions])
        ranked = sorted(graph, key=lambda n: (-graph.nodes[n].get("mentions", 0), n))[:40]
        nx.draw_networkx_labels(graph, pos, ax=ax, font_size=7,
                                labels={n: graph.nodes[n].get("name", n) for n in ranked})
        present = [t for t in ENTITY_TYPES if any(graph.nodes[n].get("type") == t for n in graph)]
        ax.legend(handles=[Line2D([], [], marker="o", linestyle="", color=type_colour(t),
                                  label=entity_label(t)) for t in present],
                  loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8, frameon=False)
    else:
        ax.text(0.5, 0.5, "No entities match these filters", ha="center", va="center")
    buf = io.BytesIO()
    fig.savefig(buf, format=fmt, bbox_inches="tight")
    plt.close(fig)
    return buf.getvalue()


def quotes_report(corroboration, *, store, fmt: str = "md",  # noqa: ANN001 - a GraphStore
                  include_attributes: bool = False) -> str:
    """A corroboration's supporting quotes with full provenance, as Markdown or CSV.

    Pseudonym-safe by construction: each witness is named by their keyed code (each quote's
    speaker too, or the role of another speaker), never the pseudonym or the speaker label as
    written; the interview by its id, not its title; and the quotes pass the store's redaction
    (queries/redaction.py). `include_attributes` (an admin's choice) names witnesses as written
    and adds the interviewee attributes, titles and labels, all identifying."""
    attrs: dict[str, dict[str, str]] = {}
    r = redactor(store)
    if include_attributes:
        attrs = {s.pseudonym: {a: getattr(s, a, None) or "" for a in IDENTIFYING_ATTRIBUTES}
                 for s in store.interviews()}

    def who(pseudonym: str) -> str:
        return pseudonym if include_attributes else r.code(pseudonym)

    # Private terms, listed names and numbers go even from an admin's report with attributes
    said = (redactor(store, witnesses=False) if include_attributes else r).text
    rows = []
    for src in corroboration.sources:
        for s in src.supports:
            row = {"witness": who(src.pseudonym), "interview": said(s.interview_id),
                   "interview_title": s.interview_title if include_attributes else "",
                   "turn": s.turn.index,
                   "speaker": _speaker(s, who(src.pseudonym), include_attributes),
                   "start": s.start, "end": s.end,
                   "timestamp": "" if s.turn.time_start is None else f"{s.turn.time_start:.1f}",
                   "stance": s.stance, "quote": said(s.quote)}
            if include_attributes:
                row.update(attrs.get(src.pseudonym, {}))
            rows.append(row)
    if fmt == "csv":
        buf = io.StringIO()
        fields = list(rows[0]) if rows else ["witness", "interview", "turn", "quote"]
        w = csv.DictWriter(buf, fieldnames=fields)
        w.writeheader()
        w.writerows({k: safe_cell(v) for k, v in row.items()} for row in rows)
        return buf.getvalue()
    lines = [f"# Corroboration: {_md(r.text(corroboration.subject))}", "",
             f"{corroboration.source_count} independent source(s), weighted support "
             f"{corroboration.weighted_support}."
             + (" **Single source.**" if corroboration.single_source else ""), ""]
    if corroboration.prompted:
        lines += ["Named by the interviewer before the witness in: "
                  + ", ".join(_md(said(p)) for p in corroboration.prompted)
                  + " (the witness may be repeating the question).", ""]
    for src in corroboration.sources:
        lines.append(f"## {_md(who(src.pseudonym))} ({src.stance.replace('_', '-')})")
        if include_attributes:
            lines.append(", ".join(f"{k}: {_md(v)}" for k, v in attrs.get(src.pseudonym, {}).items() if v))
        for s in src.supports:
            stamp = f", at {s.turn.time_start:.0f}s" if s.turn.time_start is not None else ""
            lines += ["", f"> {_md(said(s.quote))}", "",
                      "— " + (f"{_md(s.interview_title)} ({s.interview_id})" if include_attributes
                              else _md(said(s.interview_id)))
                      + f", turn {s.turn.index}, {_md(_speaker(s, who(src.pseudonym), include_attributes))}, "
                      f"characters {s.start}–{s.end}{stamp}; "
                      f"{s.stance.replace('_', '-')}"]
        lines.append("")
    if corroboration.disagreements:
        lines += ["## Where accounts differ", ""]
        for d in corroboration.disagreements:
            lines.append(f"- {d.aspect}: " + "; ".join(
                f"{_md(who(p))}: {', '.join(_md(said(v)) for v in vs)}" for p, vs in d.versions))
    return "\n".join(lines) + "\n"


def _speaker(support, pseudonym: str, include_attributes: bool) -> str:
    """Who speaks a quoted turn, pseudonym-safe: a speaker label is often the witness's real
    name ("Fatima B.:") and an interview's title a description that singles them out, so a
    report says the pseudonym and the role unless attributes are asked for."""
    if include_attributes:
        return support.turn.speaker or "interviewee"
    role = getattr(support.turn, "speaker_role", "interviewee") or "interviewee"
    return pseudonym if role == "interviewee" else role.replace("_", " ")


def _md(text: str) -> str:
    """Markdown-safe text: no raw HTML, no accidental emphasis or links."""
    out = str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    for ch in "\\`*_[]#|":
        out = out.replace(ch, "\\" + ch)
    return out


def claim_report(found, *, store, fmt: str = "md",  # noqa: ANN001 - ClaimCorroboration, GraphStore
                 include_attributes: bool = False) -> str:
    """A statement's corroboration (queries/claims.py) as Markdown, CSV or JSON: the sources
    ranked, each quote with provenance, speaker role and epistemic status; the contradictions
    side by side with the statement; where the supporters differ. Pseudonym-safe as
    quotes_report is: witnesses by their keyed codes, the store's redaction on every quote."""
    r = redactor(store)
    said = (redactor(store, witnesses=False) if include_attributes else r).text

    def who(pseudonym: str) -> str:
        return pseudonym if include_attributes else r.code(pseudonym)

    def quote(q) -> dict:  # noqa: ANN001 - ClaimQuote
        return {"interview_id": said(q.interview_id), "turn": said(q.turn_id),
                "turn_index": q.turn_index, "speaker_role": q.speaker_role, "start": q.start,
                "end": q.end, "timestamp": q.time_start, "status": q.status, "cue": q.cue,
                "score": q.score, "text": said(q.text)}

    data = {
        "claim": found.claim, "retrieval": found.retrieval, "source_count": found.source_count,
        "weighted_support": found.weighted_support,
        "sources": [{"rank": i + 1, "pseudonym": who(s.pseudonym),
                     "interview_id": said(s.interviews[0]),
                     "source_path": said(s.source_paths[0]) if s.source_paths else "",
                     "interviews": [said(x) for x in s.interviews],
                     "source_paths": [said(x) for x in s.source_paths],
                     "status": s.status, "score": s.score, "quotes": [quote(q) for q in s.quotes]}
                    for i, s in enumerate(found.sources)],
        "contradictions": [{"aspect": c.aspect, "claimed": list(c.claimed), "given": list(c.given),
                            "pseudonym": who(c.pseudonym), "quote": quote(c.quote)}
                           for c in found.contradictions],
        "disagreements": [{"aspect": d.aspect, "versions": [{"pseudonym": who(p), "values": list(v)}
                                                            for p, v in d.versions]}
                          for d in found.disagreements],
    }
    if fmt == "json":
        return json.dumps(data, ensure_ascii=False, indent=1) + "\n"
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.writer(buf)
        w.writerow(["rank", "witness", "interview", "turn", "speaker_role", "start", "end",
                    "status", "cue", "score", "quote", "contradicts"])
        for s in data["sources"]:
            for q in s["quotes"]:
                w.writerow(safe_row([s["rank"], s["pseudonym"], q["interview_id"], q["turn_index"],
                                     q["speaker_role"], q["start"], q["end"], q["status"],
                                     q["cue"], q["score"], q["text"], ""]))
        for c in data["contradictions"]:
            q = c["quote"]
            w.writerow(safe_row(["", c["pseudonym"], q["interview_id"], q["turn_index"],
                                 q["speaker_role"], q["start"], q["end"], q["status"], q["cue"],
                                 q["score"], q["text"],
                                 f"{c['aspect']}: {', '.join(c['given'])} (not {', '.join(c['claimed'])})"]))
        return buf.getvalue()
    lines = [f"# Who else says: {_md(found.claim)}", "",
             f"{found.source_count} independent source(s), weighted support "
             f"{found.weighted_support}. Retrieval: {found.retrieval}.", ""]
    for s in data["sources"]:
        lines.append(f"## {s['rank']}. {_md(s['pseudonym'])} ({s['status'].replace('_', '-')}, "
                     f"score {s['score']})")
        for q in s["quotes"]:
            stamp = f", at {q['timestamp']:.0f}s" if q["timestamp"] is not None else ""
            cue = f" (“{_md(q['cue'])}”)" if q["cue"] else ""
            lines += ["", f"> {_md(q['text'])}", "",
                      f"— {_md(q['interview_id'])}, turn {q['turn_index']}, "
                      f"{q['speaker_role'].replace('_', ' ')}, characters {q['start']}–{q['end']}"
                      f"{stamp}; {q['status'].replace('_', '-')}{cue}"]
        lines.append("")
    if data["contradictions"]:
        lines += ["## Says otherwise", ""]
        for c in data["contradictions"]:
            q = c["quote"]
            lines.append(f"- {c['aspect']}: {_md(', '.join(c['given']))} where the statement has "
                         f"{_md(', '.join(c['claimed']))}: {_md(c['pseudonym'])}, "
                         f"{_md(q['interview_id'])} turn {q['turn_index']}: “{_md(q['text'])}”")
        lines.append("")
    if data["disagreements"]:
        lines += ["## Where the supporters differ", ""]
        for d in data["disagreements"]:
            lines.append(f"- {d['aspect']}: " + "; ".join(
                f"{_md(v['pseudonym'])}: {', '.join(_md(x) for x in v['values'])}"
                for v in d["versions"]))
    return "\n".join(lines) + "\n"
