"""Export: choose a part of the network and download it in every format analysts hand on."""
from __future__ import annotations

from collections import Counter
from dataclasses import replace

import streamlit as st

from app_pages import support as app
from queries import render as ui
from queries.exports import group_too_small
from schemas import ENTITY_TYPES

store = app.get_store()
labels = app.codebook_labels()

st.title("Export")
st.info("Exports are pseudonym-safe: they hold entities (names, types, how often and in how many "
        "interviews they are named), the links between them, communities and centrality. No "
        "interviewee, attribute, quote or interview id is in them. Quotes reports, with "
        "provenance, are on the Corroboration page.", icon=":material/shield:")

q = app.network_filters(store, "exp", default_max_nodes=500)
if not q.types:
    st.warning("Choose at least one entity type.")
    st.stop()

SCOPES = {"filtered": "The filtered network", "neighbourhood": "The neighbourhood of an entity"}
s1, s2, s3 = st.columns([1.6, 2.4, 1])
scope = s1.radio("Export", list(SCOPES), format_func=SCOPES.get, key="exp_scope")
if scope == "neighbourhood":
    centre = app.entity_picker(store, "Entity", key="exp_centre", container=s2)
    depth = int(s3.number_input("Depth (hops)", min_value=1, max_value=4, value=1, step=1,
                                key="exp_depth"))
    if centre is None:
        st.info("Choose an entity: its neighbourhood is every entity within the chosen number of "
                "hops in the filtered network.")
        st.stop()
    q = replace(q, centre=centre, depth=depth)

view = app.network(store, q)
names = app.entity_names(store, [q.centre] if q.centre else [])
if view.missing_centre:
    st.warning(f"{names.get(q.centre, q.centre)} is not in the network with these filters.")
    st.stop()
graph = view.graph
if graph.number_of_nodes() == 0:
    st.info("No entity matches these filters: there is nothing to export.")
    st.stop()

by_type = Counter(d.get("type", "") for _, d in graph.nodes(data=True))
communities = len({d.get("community") for _, d in graph.nodes(data=True)} - {None})
if view.total_nodes > graph.number_of_nodes():
    st.caption(f"The {graph.number_of_nodes():,} most named of {view.total_nodes:,} entities "
               "(raise Max nodes for more).")
st.markdown(f"**{graph.number_of_nodes()}** entities · **{graph.number_of_edges()}** links · "
            f"**{communities}** communities — "
            + ", ".join(f"{n} {ui.md_escape(ui.type_label(t))}" for t in ENTITY_TYPES
                        if (n := by_type.get(t))))
if q.centre:
    st.caption(f"Within {q.depth} hop{'s' if q.depth != 1 else ''} of "
               f"{ui.md_escape(names.get(q.centre, q.centre))}, at most {q.max_nodes} entities.")
if not view.positions:
    st.caption(f"Above {ui.MAX_DRAWN_NODES} entities the GEXF carries no layout: let Gephi lay "
               "it out (ForceAtlas 2).")

st.subheader("Download")
refused = group_too_small(store, q.where)
if refused:
    st.error(f"No export: {refused}.")
    st.stop()
app.export_buttons(graph, store, positions=view.positions or None, colour_by="type", prefix="exp",
                   stem="testimony-export", title="Testimony network (export)")
st.caption("GEXF for Gephi (with the layout and type colours), GraphML for yEd and most graph "
           "tools, Cytoscape JSON, PNG and SVG pictures, a standalone interactive HTML page, and "
           "the CSV files (with the command) for neo4j-admin database import. Each file is "
           "written when you click.")

with st.expander("What is in it"):
    nodes = sorted(graph.nodes(data=True), key=lambda nd: (-nd[1].get("mentions", 0), nd[0]))
    st.dataframe([{"name": d.get("name", n), "type": ui.type_label(d.get("type", "")),
                   "mentions": d.get("mentions", 0), "interviews": d.get("interviews", 0),
                   "links": graph.degree(n), "community": d.get("community", -1) + 1,
                   "betweenness": d.get("centrality", 0.0), "id": n} for n, d in nodes],
                 hide_index=True, width="stretch", key="exp_table")
