"""Entity: one person, place, organisation… with every mention across interviews."""
from __future__ import annotations

import streamlit as st

from app_pages import support as app
from graph_builder.errors import NotFound
from queries import render as ui
from schemas import ENTITY_TYPES

store = app.get_store()
labels = app.codebook_labels()
PAGE = 10  # interviews per page of mentions

st.title("Entity")

# The picker: find by name (any alias, any spelling) and type; ?entity=<id> opens one directly.
c1, c2 = st.columns([1, 2.2])
etype = c1.selectbox("Type", [None, *ENTITY_TYPES], key="entity_type",
                     format_func=lambda t: "Any type" if t is None else ui.type_label(t))
current = st.query_params.get("entity")
entity_id = app.entity_picker(store, "Entity", key="entity_pick", param="entity",
                              container=c2, entity_type=etype)

if current and app.entity(store, current) is None:
    st.warning(f"No entity with the id “{current}”. It may have been merged or renamed by a "
               "curation decision; find it by name above.")

if entity_id is None:
    st.caption("Most-named entities:")
    with st.container(horizontal=True, gap="small"):
        for found in app.entities_matching(store, "", etype, limit=40):
            st.page_link(app.ENTITY_PAGE, label=f"{ui.md_escape(found.entity.name)} ({found.mentions})",
                         icon=ui.type_icon(found.entity.type), query_params={"entity": found.id})
    st.stop()

try:
    head = app.profile(store, entity_id, 0, PAGE)
except NotFound as exc:
    st.error(str(exc))
    st.stop()
app.audit_once("read entity", entity_id)

summary = head.summary
entity = summary.entity
colour = ui.type_colour(entity.type)
app.html_block(
    f'<div style="display:flex;align-items:baseline;gap:12px;flex-wrap:wrap">'
    f'<span style="font-size:1.9rem;font-weight:700">{ui.esc(entity.name)}</span>'
    f'{ui.tag_html(ui.type_label(entity.type), entity.type, colour)}'
    f'<code style="font-size:0.8rem;color:#868e96">{ui.esc(entity.id)}</code></div>')
aliases = [a for a in entity.aliases if a != entity.name]
if aliases:
    app.html_block('<div style="font-size:0.85rem;color:#495057">Also written: '
                   + "".join(ui.tag_html(a) for a in aliases[:40])
                   + (f" … and {len(aliases) - 40} more" if len(aliases) > 40 else "") + "</div>")

m1, m2, m3, m4 = st.columns(4)
m1.metric("Mentions", f"{summary.mentions:,}",
          help="Every mention, in any speaker's turn (interviewers' included).")
m2.metric("Interviews", f"{summary.interviews:,}")
m3.metric("Distinct interviewees", f"{summary.interviewees:,}",
          help="Interviewees who name it in their own turns: independent sources. One "
               "interviewee saying it twice is one source.")
m4.metric("Resolution confidence", f"{entity.confidence:.2f}",
          help="Confidence of the weakest merge of spellings into this entity.")
if head.interviewees:
    more = summary.interviewees - len(head.interviewees)
    st.caption("Named in their own words by: " + ", ".join(ui.md_escape(p) for p in head.interviewees)
               + (f" and {more:,} more" if more > 0 else "")
               + (" — a single source." if summary.interviewees == 1 else ""))
st.page_link(app.CORROBORATION_PAGE, label=f"Corroboration of {ui.md_escape(entity.name)}: "
             "sources, stances, disagreements, quotes report", icon=":material/fact_check:",
             query_params={"entity": entity.id})
if summary.testimony_mentions < summary.mentions:
    st.caption(f"{summary.mentions - summary.testimony_mentions:,} of the mentions are in "
               "interviewer or third-party turns (context, not testimony).")

left, right = st.columns([2.3, 1])

with left:
    st.subheader("Mentions, by interview")
    offset = app.pager("entity_page", head.interviews.total, PAGE, reset_on=entity_id,
                       label="Interviews")
    prof = head if offset == 0 else app.profile(store, entity_id, offset, PAGE)
    for n, row in enumerate(prof.interviews):
        iv = row.named.interview
        label = (f"{iv.title} — {iv.pseudonym} · {row.named.mentions} mention"
                 f"{'s' if row.named.mentions != 1 else ''} ({row.named.testimony_mentions} in testimony)")
        with st.expander(ui.md_escape(label), expanded=n < 4):
            for c in row.mentions:
                turn, m = c.turn, c.mention
                span = ui.locate_quote(turn.text, c.quote, m.start - turn.start,
                                        m.end - turn.start)
                title = f"{ui.type_label(m.type)}: {entity.name}"
                marks = [ui.Mark(span[0], span[1], "mention", colour, title)] if span else []
                header = ui.provenance_line(
                    title=c.interview_title, pseudonym=c.pseudonym, speaker=turn.speaker,
                    role=turn.speaker_role, index=turn.index, start=m.start, end=m.end,
                    time_start=turn.time_start)
                extra = (f'<div style="font-size:0.75rem;color:#868e96">as “{ui.esc(m.surface)}”'
                         f' · found by {ui.esc(m.method)} · confidence {m.confidence:.2f}</div>')
                app.html_block(ui.turn_block(turn, ui.highlight(c.quote, marks),
                                              header=header + extra))
                st.page_link(app.INTERVIEW_PAGE, label=f"Read turn {turn.index} in context",
                             icon=":material/article:",
                             query_params={"interview": iv.id, "turn": str(turn.index)})

with right:
    st.subheader("Named together with")
    if not head.co_mentioned:
        st.caption("No other entity is named in the same turns.")
    else:
        st.caption("Entities named in the same turns (turns in common).")
        with st.container(horizontal=True, gap="small"):
            for other, n in head.co_mentioned:
                st.page_link(app.ENTITY_PAGE, label=f"{ui.md_escape(other.entity.name)} ({n})",
                             icon=ui.type_icon(other.entity.type), query_params={"entity": other.id})
        partners = {o.id: o.entity.name for o, _ in head.co_mentioned}
        partner = st.selectbox(
            "Corroborate the link with…", list(partners), index=None,
            key="entity_link_with", placeholder="Choose a co-mentioned entity",
            format_func=lambda eid: partners.get(eid, eid),
            help="Who, in their own words, names both in the same turn.")
        if partner:
            st.page_link(app.CORROBORATION_PAGE,
                         label=f"Sources for {ui.md_escape(entity.name)} — "
                               f"{ui.md_escape(partners.get(partner, partner))}",
                         icon=":material/fact_check:",
                         query_params={"entity": entity.id, "with": partner})
    if head.links.total:
        st.subheader("Typed links")
        if head.links.has_next:
            st.caption(f"The first {len(head.links)} of {head.links.total:,}.")
        ends = app.entity_summaries(store, {x for ln in head.links for x in (ln.source_id, ln.target_id)})
        people = app.interview_index(store)
        for ln in head.links:
            other_id = ln.target_id if ln.source_id == entity.id else ln.source_id
            other = ends.get(other_id)
            direction = "→" if ln.source_id == entity.id else "←"
            with st.container(horizontal=True, gap="small", vertical_alignment="center"):
                st.caption(f"{ln.type.replace('_', ' ').lower()} {direction}")
                st.page_link(app.ENTITY_PAGE,
                             label=ui.md_escape(other.entity.name if other else other_id),
                             icon=ui.type_icon(other.entity.type if other else ""),
                             query_params={"entity": other_id})
                iv = people.get(ln.interview_id)
                who = iv.pseudonym if iv else ln.interview_id
                turn_no = ln.turn_id.rsplit("#", 1)[-1]
                st.page_link(app.INTERVIEW_PAGE, label=f"{ui.md_escape(who)}, turn {turn_no}",
                             icon=":material/article:",
                             query_params={"interview": ln.interview_id, "turn": turn_no})
    st.subheader("Search and explore")
    st.page_link(app.SEARCH_PAGE, label=f"Search turns for “{ui.md_escape(entity.name)}”",
                 icon=":material/search:", query_params={"q": entity.name})
    st.page_link(app.NETWORK_PAGE, label="Its neighbourhood in the network",
                 icon=":material/hub:", query_params={"centre": entity.id, "depth": "1"})
