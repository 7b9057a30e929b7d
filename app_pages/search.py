"""Search: speaker turns that contain the words or name an entity, each with its provenance."""
from __future__ import annotations

import streamlit as st

from app_pages import support as app
from queries import render as ui
from schemas import ENTITY_TYPES, SPEAKER_ROLES

store = app.get_store()
labels = app.codebook_labels()
pseudonyms = app.attribute_values(store)["pseudonym"]
PAGE = 20

st.title("Search testimony")

# ?q=... opens the page on a query; the query typed here goes back into the URL to share.
url_q = st.query_params.get("q", "")
if url_q and url_q != st.session_state.get("_search_q_from_url"):
    st.session_state["search_q"] = url_q  # a link brought a new query
st.session_state["_search_q_from_url"] = url_q
query = st.text_input(
    "Words or a name", key="search_q", placeholder="e.g. Raqqa, hisbah, Abu Hamza al-Tunisi",
    help="Turns containing every word, or naming an entity the query names under any "
         "spelling (Raqqa also finds Raqqah). Case and accents are ignored.")

c1, c2, c3, c4 = st.columns([1.1, 1.3, 1.1, 1.6])
entity_type = c1.selectbox("Mentions a…", [None, *ENTITY_TYPES], key="search_type",
                           format_func=lambda t: "Any entity type" if t is None else ui.type_label(t))
theme = c2.selectbox("Coded with theme", [None, *labels], key="search_theme",
                     format_func=lambda c: "Any theme" if c is None else labels.get(c, c))
interviewee = c3.selectbox("Interviewee", [None, *pseudonyms], key="search_who",
                           format_func=lambda p: "Any interviewee" if p is None else p)
roles = c4.multiselect("Speakers", list(SPEAKER_ROLES), default=list(SPEAKER_ROLES),
                       key="search_roles", format_func=ui.role_label,
                       help="Only interviewees' turns are testimony; interviewer turns are "
                            "context and are shown in grey.")

if query.strip():
    st.query_params["q"] = st.session_state["_search_q_from_url"] = query.strip()
else:
    st.query_params.pop("q", None)
    st.info("Type words or a name to find the turns that contain them. Filters narrow the "
            "results to turns naming an entity of a type, coded with a theme, or from one "
            "interviewee.")
    st.stop()

if not roles:
    st.warning("Choose at least one kind of speaker.")
    st.stop()

known = app.entities_matching(store, query.replace('"', " "), entity_type, limit=8)
if known:
    st.caption("Entities named like this — open one for every mention across interviews:")
    with st.container(horizontal=True, gap="small"):
        for found in known:
            e = found.entity
            st.page_link(app.ENTITY_PAGE, label=f"{ui.md_escape(e.name)} ({found.mentions})",
                         icon=ui.type_icon(e.type), query_params={"entity": e.id})

signature = (query.strip(), entity_type, theme, interviewee, tuple(roles))
app.audit_once("search", query.strip(), {"type": entity_type, "theme": theme,
                                             "interviewee": interviewee})
first = app.search_turns(store, query, entity_type=entity_type, theme=theme,
                         interviewee=interviewee, roles=tuple(roles), offset=0, limit=PAGE)
if not first.total:
    st.warning("No turn matches. Try fewer words, another spelling, or fewer filters.")
    st.stop()
st.subheader(f"{first.total:,} turn{'s' if first.total != 1 else ''}, best first")
offset = app.pager("search_page", first.total, PAGE, reset_on=signature, label="Turns")
hits = first if offset == 0 else app.search_turns(
    store, query, entity_type=entity_type, theme=theme, interviewee=interviewee,
    roles=tuple(roles), offset=offset, limit=PAGE)
names = app.entity_names(store, {m.entity_id for h in hits for m in h.mentions})
types_seen = [t for t in ENTITY_TYPES if any(m.type == t for h in hits for m in h.mentions)]
if types_seen:
    app.html_block('<div style="margin-bottom:4px"><span style="font-size:0.8rem;'
                   f'color:#495057;margin-right:8px">Mentions:</span>{ui.legend_html(types_seen)}'
                   f'<span style="font-size:0.8rem;background:{ui.MATCH_BACKGROUND};'
                   'padding:0 4px;font-weight:600">matched words</span></div>')

for hit in hits:
    turn, summary = hit.turn, hit.interview
    marks = [ui.Mark(s, e, "match") for s, e in hit.matches]
    marks += ui.mention_marks(hit.mentions, turn.start, names)
    header = ui.provenance_line(title=summary.title, pseudonym=summary.pseudonym,
                                 speaker=turn.speaker, role=turn.speaker_role, index=turn.index,
                                 start=turn.start, end=turn.end, time_start=turn.time_start)
    with st.container(border=True):
        app.html_block(ui.turn_block(turn, ui.highlight(turn.text, marks), header=header,
                                      tags=ui.theme_tags(hit.themes, labels)))
        with st.container(horizontal=True, gap="small"):
            st.page_link(app.INTERVIEW_PAGE, label=f"Read in context (turn {turn.index})",
                         icon=":material/article:",
                         query_params={"interview": turn.interview_id, "turn": str(turn.index)})
            st.page_link(app.CORROBORATION_PAGE, label="Corroborate",
                         icon=":material/fact_check:", query_params={"turn": turn.id},
                         help="Who else tells this: turns of other interviews naming the "
                              "same entities in similar words.")
            seen: list[str] = []
            for m in hit.mentions:
                if m.entity_id not in seen:
                    seen.append(m.entity_id)
            for eid in seen[:8]:
                etype = next(m.type for m in hit.mentions if m.entity_id == eid)
                st.page_link(app.ENTITY_PAGE, label=ui.md_escape(names.get(eid, eid)),
                             icon=ui.type_icon(etype), query_params={"entity": eid})
