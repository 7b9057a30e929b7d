"""Network: entities named in the same speaker turns, drawn interactively, exportable."""
from __future__ import annotations

import streamlit as st

from queries import app_support as app
from schemas import ENTITY_TYPES

app.require_entry()  # first: the entry script and its password gate have run

store = app.get_store()
labels = app.codebook_labels()

st.title("Co-occurrence network")
st.caption("Two entities are linked when the same turn names both; the link's weight is the "
           "number of such turns. Node size is the number of mentions. Derived from mentions, "
           "never typed in by hand.")

c1, c2, c3, c4, c5 = st.columns([2.2, 1.4, 0.8, 0.8, 1])
types = c1.multiselect("Entity types", list(ENTITY_TYPES), default=list(ENTITY_TYPES),
                       key="net_types", format_func=app.type_label)
theme = c2.selectbox("Only turns coded with", [None, *labels], key="net_theme",
                     format_func=lambda c: "Any theme" if c is None else labels.get(c, c))
min_weight = int(c3.number_input("Min weight", min_value=1, max_value=1000, value=1, step=1,
                                 key="net_min_weight",
                                 help="Keep links attested by at least this many turns."))
max_nodes = int(c4.number_input("Max nodes", min_value=5, max_value=5000, value=150, step=25,
                                key="net_max_nodes", help="Keep the most-mentioned entities."))
testimony_only = c5.checkbox("Testimony only", value=True, key="net_testimony",
                             help="Count interviewees' turns only, not the interviewer's.")
hide_isolated = c5.checkbox("Hide unlinked", value=False, key="net_hide_isolated",
                            help="Hide entities without any link at this weight.")

if not types:
    st.warning("Choose at least one entity type.")
    st.stop()

view = app.network(store, types=tuple(types), theme=theme, min_weight=min_weight,
                   max_nodes=max_nodes, testimony_only=testimony_only)
graph, positions = view.graph, view.positions
if hide_isolated:
    graph = graph.subgraph([n for n in graph if graph.degree(n) > 0]).copy()
    positions = {n: p for n, p in positions.items() if n in graph}

n_nodes, n_edges = graph.number_of_nodes(), graph.number_of_edges()
if n_nodes == 0:
    st.info("No entity matches these filters. Try more entity types, another theme, or a lower "
            "minimum weight.")
    st.stop()

st.markdown(f"**{n_nodes}** entities · **{n_edges}** links"
            + (f" · theme: {app.md_escape(labels.get(theme, theme))}" if theme else ""))

key = (app.store_key(store), tuple(types), theme, min_weight, max_nodes, testimony_only)
draw = True
if n_nodes > app.MAX_DRAWN_NODES:
    st.warning(
        f"{n_nodes} entities are too many to read in an interactive view (the limit is about "
        f"{app.MAX_DRAWN_NODES}). Narrow it: fewer entity types, a theme, a higher minimum "
        "weight or a lower Max nodes — or download the GEXF below and open it in Gephi.")
    draw = st.checkbox("Draw it anyway (slow)", value=False, key="net_draw_anyway")
    if draw:
        positions = app.layout_anyway(graph, key + (hide_isolated,))

if draw:
    if any(n not in positions for n in graph):  # a subgraph of a laid-out graph keeps positions
        positions = app.layout_anyway(graph, key + (hide_isolated,))
    st.iframe(app.network_html(graph, positions, height=640), height=650,
              alt="Interactive co-occurrence network of entities")

# --- exports of exactly what is on screen ----------------------------------------------------
st.subheader("Download")
st.caption("The graph on screen, with names, types and counts (no interviewee attributes). "
           "GEXF carries the layout and colours for Gephi.")
gexf, graphml = app.network_exports(graph, positions if draw else {}, key + (hide_isolated, draw))
d1, d2, _ = st.columns([1, 1, 3])
d1.download_button("GEXF (Gephi)", gexf, file_name="testimony-network.gexf",
                   mime="application/xml", icon=":material/download:", key="net_gexf")
d2.download_button("GraphML", graphml, file_name="testimony-network.graphml",
                   mime="application/xml", icon=":material/download:", key="net_graphml")

# --- open an entity from the graph -----------------------------------------------------------
nodes = sorted(graph.nodes(data=True), key=lambda nd: (-nd[1].get("mentions", 0), nd[0]))
o1, o2 = st.columns([2, 1], vertical_alignment="bottom")
chosen = o1.selectbox("Open an entity of this network", [n for n, _ in nodes], index=None,
                      key="net_open", placeholder="Choose an entity",
                      format_func=lambda n: f"{graph.nodes[n].get('name', n)} — "
                                            f"{app.type_label(graph.nodes[n].get('type', ''))} "
                                            f"({graph.nodes[n].get('mentions', 0)} mentions)")
if chosen:
    with o2:
        name = graph.nodes[chosen].get("name", chosen)
        st.page_link(app.ENTITY_PAGE, label=f"Open {app.md_escape(name)}",
                     icon=":material/open_in_new:", query_params={"entity": chosen})

with st.expander("Entities and links as tables"):
    t1, t2 = st.columns(2)
    t1.dataframe([{"name": d.get("name", n), "type": app.type_label(d.get("type", "")),
                   "mentions": d.get("mentions", 0), "interviews": d.get("interviews", 0),
                   "links": graph.degree(n), "id": n} for n, d in nodes],
                 hide_index=True, width="stretch")
    edges = sorted(graph.edges(data=True), key=lambda e: (-e[2].get("weight", 1), e[0], e[1]))
    t2.dataframe([{"a": graph.nodes[a].get("name", a), "b": graph.nodes[b].get("name", b),
                   "turns": d.get("weight", 1), "interviews": d.get("interviews", 1)}
                  for a, b, d in edges], hide_index=True, width="stretch")
