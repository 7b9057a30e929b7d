"""Network: entities named in the same speaker turns, drawn interactively, exportable.

Three views of one filtered network: its most-named entities, the neighbourhood of one entity
(?centre=<id>&depth=<n>), or the shortest paths between two entities with the turns that
attest each hop. Communities and central entities are computed when a network is built.
"""
from __future__ import annotations

from dataclasses import replace

import streamlit as st

from app_pages import support as app
from graph_builder.errors import NotFound
from graph_builder.store.base import ENTITY_LINKS
from queries import render as ui
from queries.exports import group_too_small

store = app.get_store()
labels = app.codebook_labels()

st.title("Entity network")
st.caption("Named together: two entities are linked when the same turn names both (weight: "
           "such turns). Typed relations: who held, controlled, commanded, attacked, fled "
           "to what, as testimony states it (an arrow from the doer; weight: turns stating "
           "it). Node size is the number of mentions. Derived from the text, never typed in "
           "by hand.")

q = app.network_filters(store, "net")
if not q.types:
    st.warning("Choose at least one entity type.")
    st.stop()

MODES = {"top": "Most-named entities", "relations": "Typed relations",
         "neighbourhood": "Neighbourhood", "paths": "Paths between two"}
if st.query_params.get("centre"):  # a link to a neighbourhood
    st.session_state["net_mode"] = "neighbourhood"


def mode_changed() -> None:
    if st.session_state.get("net_mode") != "neighbourhood":
        st.query_params.pop("centre", None)
        st.query_params.pop("depth", None)


r1, r3, r4 = st.columns([3.8, 1.8, 1.35], vertical_alignment="bottom")
mode = r1.radio("Show", list(MODES), format_func=MODES.get, key="net_mode", horizontal=True,
                on_change=mode_changed)
colour_by = r3.radio("Colour by", list(ui.COLOUR_BY), key="net_colour", horizontal=True,
                     format_func=lambda c: "Entity type" if c == "type" else "Community")
hide_isolated = r4.checkbox("Hide unlinked", value=False, key="net_hide_isolated",
                            help="Hide entities without any link at this weight.")

found_paths = None
pinned: tuple[str, ...] = ()
if mode == "neighbourhood":
    p1, p2 = st.columns([3, 1])
    with p1:
        centre = app.entity_picker(store, "Entity", key="net_centre", param="centre")
    with p2:
        if "net_depth" not in st.session_state:
            wanted = st.query_params.get("depth", "1")
            st.session_state["net_depth"] = min(4, max(1, int(wanted))) if wanted.isdigit() else 1
        depth = int(st.number_input("Depth (hops)", min_value=1, max_value=4, step=1,
                                    key="net_depth"))
    st.query_params["depth"] = str(depth)
    if centre is None:
        st.info("Choose an entity: its neighbourhood is every entity within the chosen number "
                "of hops in the filtered network.")
        st.stop()
    view = app.network(store, replace(q, centre=centre, depth=depth))
    pinned = (centre,)
    names = app.entity_names(store, [centre])
    if view.missing_centre:
        st.warning(f"{names.get(centre, centre)} is not in the network with these filters.")
        st.stop()
elif mode == "paths":
    p1, p2 = st.columns(2)
    source = app.entity_picker(store, "From", key="net_path_from", container=p1)
    target = app.entity_picker(store, "To", key="net_path_to", container=p2)
    if source is None or target is None or source == target:
        st.info("Choose two different entities: the shortest chains of co-mentions between "
                "them are drawn, each hop with the turns that attest it.")
        st.stop()
    names = app.entity_names(store, [source, target])
    try:
        found_paths, view = app.paths_view(store, q, source, target)
        pinned = (source, target)
    except NotFound as exc:
        st.error(str(exc))
        st.stop()
    if not found_paths:
        st.warning(f"No path links {names.get(source, source)} and {names.get(target, target)} "
                   "in the network with these filters.")
        st.stop()
elif mode == "relations":
    kinds = st.multiselect("Relations", list(ENTITY_LINKS), default=[], key="net_relations",
                           format_func=lambda t: t.replace("_", " ").lower(),
                           placeholder="Every typed relation",
                           help="Only these kinds of link (none chosen: every kind).")
    view = app.relations(store, q, tuple(kinds))
    if view.graph.number_of_nodes() == 0:
        st.info("No typed relation matches these filters. Relations come from what witnesses "
                "say (\"the hisbah arrested him\", \"ISIS took Sinjar\"); try every kind, "
                "more entity types or a lower minimum weight.")
        st.stop()
else:
    view = app.network(store, q)

graph, positions = view.graph, view.positions
names = {n: d.get("name", n) for n, d in graph.nodes(data=True)}
if hide_isolated:
    graph = graph.subgraph([n for n in graph if graph.degree(n) > 0]).copy()
    positions = {n: p for n, p in positions.items() if n in graph}

n_nodes, n_edges = graph.number_of_nodes(), graph.number_of_edges()
if n_nodes == 0:
    st.info("No entity matches these filters. Try more entity types, another theme, fewer "
            "interviewee filters, or a lower minimum weight.")
    st.stop()

communities = len({d.get("community") for _, d in graph.nodes(data=True)} - {None})
if view.total_nodes > n_nodes and mode != "paths":
    st.caption(f"The {n_nodes:,} most named of {view.total_nodes:,} entities in this network "
               "(Max nodes sets how many).")
st.markdown(f"**{n_nodes}** entities · **{n_edges}** links · **{communities}** communities"
            + (f" · theme: {ui.md_escape(labels.get(q.theme, q.theme))}" if q.theme else "")
            + (" · interviewees filtered" if q.where else ""))

key = (app.store_key(store), q, mode, st.session_state.get("net_centre"),
       st.session_state.get("net_depth"), hide_isolated)
draw = True
if n_nodes > ui.MAX_DRAWN_NODES:
    st.warning(
        f"{n_nodes} entities are too many to read in an interactive view (the limit is about "
        f"{ui.MAX_DRAWN_NODES}). Narrow it: fewer entity types, a theme, a higher minimum "
        "weight or a lower Max nodes — or download the GEXF below and open it in Gephi.")
    draw = st.checkbox("Draw it anyway (slow)", value=False, key="net_draw_anyway")
    if draw:
        positions = app.layout_anyway(graph, key)

if draw:
    if any(n not in positions for n in graph):  # a subgraph of a laid-out graph keeps positions
        positions = app.layout_anyway(graph, key)
    st.iframe(ui.network_html(graph, positions, height=640, colour_by=colour_by, pinned=pinned),
              height=650,
              alt="Interactive co-occurrence network of entities")

tab_names = (["Paths"] if found_paths else []) + ["Export", "Communities and central entities",
                                                  "Entities and links"]
tabs = dict(zip(tab_names, st.tabs(tab_names)))

# --- paths, each hop with its evidence --------------------------------------------------------
if found_paths:
    with tabs["Paths"]:
        hops = len(found_paths[0].hops)
        st.caption(f"{len(found_paths)} shortest path{'s' if len(found_paths) != 1 else ''} of "
                   f"{hops} hop{'s' if hops != 1 else ''}. Each hop is attested by interviewee "
                   "turns naming both entities.")
        for i, path in enumerate(found_paths, start=1):
            with st.container(border=True):
                st.markdown(f"**Path {i}:** " + " → ".join(
                    ui.md_escape(names.get(e, e)) for e in path.entities))
                for hop in path.hops:
                    a, b = names.get(hop.source, hop.source), names.get(hop.target, hop.target)
                    typed = (" · " + ", ".join(r.replace("_", " ").lower() for r in hop.relations)
                             if hop.relations else "")
                    with st.expander(f"{ui.md_escape(a)} — {ui.md_escape(b)}: {hop.total} "
                                     f"turn{'s' if hop.total != 1 else ''}{typed}"):
                        st.page_link(app.CORROBORATION_PAGE,
                                     label="Sources for this link", icon=":material/fact_check:",
                                     query_params={"entity": hop.source, "with": hop.target})
                        summaries = app.interview_index(store)
                        hop_mentions = app.turn_mentions(store, [t.id for t in hop.turns[:12]])
                        for t in hop.turns[:12]:
                            ms = [m for m in hop_mentions.get(t.id, [])
                                  if m.entity_id in (hop.source, hop.target)]
                            s = summaries.get(t.interview_id)
                            header = ui.provenance_line(
                                title=s.title if s else t.interview_id,
                                pseudonym=s.pseudonym if s else "", speaker=t.speaker,
                                role=t.speaker_role, index=t.index, start=t.start, end=t.end,
                                time_start=t.time_start)
                            app.html_block(ui.turn_block(
                                t, ui.highlight(t.text, ui.mention_marks(ms, t.start, names)),
                                header=header))
                            st.page_link(app.INTERVIEW_PAGE,
                                         label=f"Read turn {t.index} in context",
                                         icon=":material/article:",
                                         query_params={"interview": t.interview_id,
                                                       "turn": str(t.index)})
                        if hop.total > 12:
                            st.caption(f"…and {hop.total - 12} more: see Sources for "
                                       "this link.")

# --- exports of exactly what is on screen ----------------------------------------------------
with tabs["Export"]:
    st.caption("The graph on screen, with names, types, counts, communities and centrality (no "
               "interviewee attributes: pseudonym-safe). GEXF and the HTML page carry the "
               "layout and colours on screen. Each file is written when you click.")
    refused = group_too_small(store, q.where)
    if refused:
        st.error(f"No export: {refused}.")
    else:
        app.export_buttons(graph, store, positions=positions if draw else None, colour_by=colour_by,
                           prefix="net", stem="testimony-network")

# --- communities and central entities -------------------------------------------------------
with tabs["Communities and central entities"]:
    left, right = st.columns(2)
    with left:
        st.caption("Central entities: those that bridge the whole network most (betweenness, "
                   "computed when the graph changed).")
        st.dataframe([{"entity": graph.nodes[n].get("name", n),
                       "type": ui.type_label(graph.nodes[n].get("type", "")),
                       "betweenness": round(c, 4),
                       "community": (graph.nodes[n].get("community", -1) + 1) or None,
                       "mentions": graph.nodes[n].get("mentions", 0)}
                      for n, c in app.central(graph, 15)],
                     hide_index=True, width="stretch", key="net_central")
    with right:
        st.caption("Communities: groups of entities named together more than with the rest.")
        members: dict[int, list[str]] = {}
        for n, d in graph.nodes(data=True):
            members.setdefault(d.get("community", -1), []).append(n)
        rows = []
        for c in sorted(k for k in members if k >= 0)[:12]:
            top = sorted(members[c], key=lambda n: (-graph.nodes[n].get("mentions", 0), n))
            rows.append(
                '<div style="display:flex;gap:8px;align-items:baseline;margin:3px 0;'
                'font-size:0.88rem"><span style="min-width:112px"><span style="display:inline-'
                f'block;width:10px;height:10px;border-radius:50%;background:{ui.community_colour(c)};'
                f'margin-right:5px"></span><b>Community {c + 1}</b> ({len(top)})</span>'
                f'<span>{ui.esc(", ".join(graph.nodes[n].get("name", n) for n in top[:8]))}'
                f'{"…" if len(top) > 8 else ""}</span></div>')
        app.html_block("".join(rows) or "<i>No communities.</i>")

# --- open an entity from the graph, and the tables -----------------------------------------
with tabs["Entities and links"]:
    nodes = sorted(graph.nodes(data=True), key=lambda nd: (-nd[1].get("mentions", 0), nd[0]))
    o1, o2 = st.columns([2, 1], vertical_alignment="bottom")
    chosen = o1.selectbox("Open an entity of this network", [n for n, _ in nodes], index=None,
                          key="net_open", placeholder="Choose an entity",
                          format_func=lambda n: f"{graph.nodes[n].get('name', n)} — "
                                                f"{ui.type_label(graph.nodes[n].get('type', ''))} "
                                                f"({graph.nodes[n].get('mentions', 0)} mentions)")
    if chosen:
        with o2:
            name = graph.nodes[chosen].get("name", chosen)
            st.page_link(app.ENTITY_PAGE, label=f"Open {ui.md_escape(name)}",
                         icon=":material/open_in_new:", query_params={"entity": chosen})
    t1, t2 = st.columns(2)
    t1.dataframe([{"name": d.get("name", n), "type": ui.type_label(d.get("type", "")),
                   "mentions": d.get("mentions", 0), "interviews": d.get("interviews", 0),
                   "links": graph.degree(n), "community": d.get("community", -1) + 1,
                   "id": n} for n, d in nodes],
                 hide_index=True, width="stretch")
    edges = sorted(graph.edges(data=True), key=lambda e: (-e[2].get("weight", 1), e[0], e[1]))
    if graph.is_directed():
        t2.dataframe([{"from": graph.nodes[a].get("name", a), "to": graph.nodes[b].get("name", b),
                       "relations": d.get("relations", ""), "turns": d.get("weight", 1),
                       "interviews": d.get("interviews", 1)}
                      for a, b, d in edges], hide_index=True, width="stretch", key="net_typed_links")
    else:
        t2.dataframe([{"a": graph.nodes[a].get("name", a), "b": graph.nodes[b].get("name", b),
                       "turns": d.get("weight", 1), "interviews": d.get("interviews", 1)}
                      for a, b, d in edges], hide_index=True, width="stretch")
