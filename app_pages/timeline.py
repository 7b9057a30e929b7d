"""Timeline: what happened when, in order, each item with the witness's words and source.

Dated events and links (the taking of a town, an arrest, a flight) earliest first, as precise
as the witness was (a year, a month, a day). An event whose witnesses give days that cannot be
the same shows the other dates beside it: a disagreement to weigh, never merged away.
"""
from __future__ import annotations

import streamlit as st

from app_pages import support as app
from queries import render as ui
from queries.timeline import describe

store = app.get_store()
labels = app.codebook_labels()
pseudonyms = app.attribute_values(store)["pseudonym"]
PAGE = 25

st.title("Timeline")
st.caption("Dated events and links from testimony, earliest first. Dates are as precise as "
           "the witness gave them; the interviewer's questions are left out.")

c1, c2 = st.columns(2)
place = app.entity_picker(store, "At a place", key="timeline_place", param="place",
                          entity_type="PLACE", container=c1, placeholder="Any place")
about = app.entity_picker(store, "About an entity", key="timeline_entity", param="entity",
                          container=c2, placeholder="Any entity")
c3, c4 = st.columns(2)
theme = c3.selectbox("Coded with theme", [None, *labels], key="timeline_theme",
                     format_func=lambda c: "Any theme" if c is None else labels.get(c, c))
interviewee = c4.selectbox("Told by", [None, *pseudonyms], key="timeline_who",
                           format_func=lambda p: "Any interviewee" if p is None else p)

signature = (place, about, theme, interviewee)
first = app.timeline(store, place=place, entity_id=about, theme=theme, interviewee=interviewee,
                     offset=0, limit=PAGE)
if not first.total:
    st.info("Nothing dated matches. Dates come from what witnesses say (\"on 3 August 2014\", "
            "\"in the spring of 2015\"); try fewer filters.")
    st.stop()
st.subheader(f"{first.total:,} dated item{'s' if first.total != 1 else ''}")
offset = app.pager("timeline_page", first.total, PAGE, reset_on=signature, label="Items")
items = first if offset == 0 else app.timeline(store, place=place, entity_id=about, theme=theme,
                                               interviewee=interviewee, offset=offset, limit=PAGE)
summaries = app.interview_index(store)

for item in items:
    summary = summaries.get(item.interview_id)
    with st.container(border=True):
        left, right = st.columns([1, 5])
        left.markdown(f"**{item.date}**")
        right.markdown(f"**{ui.md_escape(describe(item))}**")
        if item.disagreements:
            right.warning("Other witnesses date this event " + ", ".join(item.disagreements)
                          + ": the accounts disagree.", icon=":material/report:")
        right.markdown(f"> {ui.md_escape(' '.join(item.quote.split()))}")
        title = summary.title if summary else item.interview_id
        right.caption(f"{ui.md_escape(item.pseudonym)} · {ui.md_escape(title)} · "
                      f"{ui.role_label(item.speaker_role) if item.speaker_role else ''} · "
                      f"characters {item.start}–{item.end}")
        with right.container(horizontal=True, gap="small"):
            turn_index = item.turn_id.rsplit("#", 1)[-1]
            st.page_link(app.INTERVIEW_PAGE, label="Read in context", icon=":material/article:",
                         query_params={"interview": item.interview_id, "turn": turn_index})
            st.page_link(app.ENTITY_PAGE, label=ui.md_escape(item.source_name),
                         query_params={"entity": item.source_id})
            if item.type != "HAPPENED_ON":
                st.page_link(app.ENTITY_PAGE, label=ui.md_escape(item.target_name),
                             query_params={"entity": item.target_id})
