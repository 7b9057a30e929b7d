"""Entity: one person, place, organisation… with every mention across interviews."""
from __future__ import annotations

from collections import defaultdict

import streamlit as st

from app_pages import support as app
from graph_builder.errors import NotFound
from queries import render as ui
from schemas import ENTITY_TYPES

store = app.get_store()
labels = app.codebook_labels()
index = app.entity_index(store)
summaries = {s.id: s for s in app.interviews(store)}

st.title("Entity")

# The picker: find by name (any alias, any spelling) and type; ?entity=<id> opens one directly.
c1, c2, c3 = st.columns([1.2, 0.8, 2])
text = c1.text_input("Find by name", key="entity_find", placeholder="e.g. Raqqa, emir, Abu…")
etype = c2.selectbox("Type", [None, *ENTITY_TYPES], key="entity_type",
                     format_func=lambda t: "Any type" if t is None else ui.type_label(t))
found = app.entities_matching(store, text, etype, limit=200)
counts = {e.id: n for e, n in found}
options = [e.id for e, _ in found]
current = st.query_params.get("entity")
if current and current in index and current not in options:
    options.insert(0, current)


def describe(eid: str) -> str:
    e = index.get(eid)
    if e is None:
        return eid
    n = counts.get(eid)
    return f"{e.name} — {ui.type_label(e.type)}" + (f" ({n} mentions)" if n is not None else "")


entity_id = app.synced_selectbox(
    f"Entity ({len(found)} match{'es' if len(found) != 1 else ''})", options, key="entity_pick",
    param="entity", format_func=describe, placeholder="Choose an entity", container=c3)

if current and current not in index:
    st.warning(f"No entity with the id “{current}”. It may have been merged or renamed by a "
               "curation decision; find it by name above.")

if entity_id is None:
    st.caption("Most-named entities:")
    with st.container(horizontal=True, gap="small"):
        for e, n in app.entities_matching(store, "", etype, limit=40):
            st.page_link(app.ENTITY_PAGE, label=f"{ui.md_escape(e.name)} ({n})",
                         icon=ui.type_icon(e.type), query_params={"entity": e.id})
    st.stop()

try:
    prof = app.profile(store, entity_id)
except NotFound as exc:
    st.error(str(exc))
    st.stop()

entity = prof.entity
colour = ui.type_colour(entity.type)
app.html_block(
    f'<div style="display:flex;align-items:baseline;gap:12px;flex-wrap:wrap">'
    f'<span style="font-size:1.9rem;font-weight:700">{ui.esc(entity.name)}</span>'
    f'{ui.tag_html(ui.type_label(entity.type), entity.type, colour)}'
    f'<code style="font-size:0.8rem;color:#868e96">{ui.esc(entity.id)}</code></div>')
aliases = [a for a in entity.aliases if a != entity.name]
if aliases:
    app.html_block('<div style="font-size:0.85rem;color:#495057">Also written: '
                   + "".join(ui.tag_html(a) for a in aliases) + "</div>")

testimony = [c for c in prof.mentions if c.turn.speaker_role == "interviewee"]
m1, m2, m3, m4 = st.columns(4)
m1.metric("Mentions", len(prof.mentions),
          help="Every mention, in any speaker's turn (interviewers' included).")
m2.metric("Interviews", len(prof.interviews))
m3.metric("Distinct interviewees", len(prof.interviewees),
          help="Interviewees who name it in their own turns: independent sources. One "
               "interviewee saying it twice is one source.")
m4.metric("Resolution confidence", f"{entity.confidence:.2f}",
          help="Confidence of the weakest merge of spellings into this entity.")
if prof.interviewees:
    st.caption("Named in their own words by: " + ", ".join(ui.md_escape(p) for p in prof.interviewees)
               + (" — a single source." if len(prof.interviewees) == 1 else ""))
st.page_link(app.CORROBORATION_PAGE, label=f"Corroboration of {ui.md_escape(entity.name)}: "
             "sources, stances, disagreements, quotes report", icon=":material/fact_check:",
             query_params={"entity": entity.id})
if len(testimony) < len(prof.mentions):
    st.caption(f"{len(prof.mentions) - len(testimony)} of the mentions are in interviewer or "
               "third-party turns (context, not testimony).")

left, right = st.columns([2.3, 1])

with left:
    st.subheader("Mentions, by interview")
    by_interview: dict[str, list] = defaultdict(list)
    for c in prof.mentions:
        by_interview[c.mention.interview_id].append(c)
    for n, (iid, contexts) in enumerate(by_interview.items()):
        first = contexts[0]
        own = sum(1 for c in contexts if c.turn.speaker_role == "interviewee")
        label = (f"{first.interview_title} — {first.pseudonym} · {len(contexts)} mention"
                 f"{'s' if len(contexts) != 1 else ''} ({own} in testimony)")
        with st.expander(ui.md_escape(label), expanded=n < 6):
            for c in contexts:
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
                             query_params={"interview": iid, "turn": str(turn.index)})

with right:
    st.subheader("Named together with")
    if not prof.co_mentioned:
        st.caption("No other entity is named in the same turns.")
    else:
        st.caption("Entities named in the same turns (turns in common).")
        with st.container(horizontal=True, gap="small"):
            for other, n in prof.co_mentioned:
                st.page_link(app.ENTITY_PAGE, label=f"{ui.md_escape(other.name)} ({n})",
                             icon=ui.type_icon(other.type), query_params={"entity": other.id})
        partner = st.selectbox(
            "Corroborate the link with…", [o.id for o, _ in prof.co_mentioned], index=None,
            key="entity_link_with", placeholder="Choose a co-mentioned entity",
            format_func=lambda eid: index[eid].name if eid in index else eid,
            help="Who, in their own words, names both in the same turn.")
        if partner:
            st.page_link(app.CORROBORATION_PAGE,
                         label=f"Sources for {ui.md_escape(entity.name)} — "
                               f"{ui.md_escape(index[partner].name if partner in index else partner)}",
                         icon=":material/fact_check:",
                         query_params={"entity": entity.id, "with": partner})
    if prof.links:
        st.subheader("Typed links")
        for ln in prof.links:
            other_id = ln.target_id if ln.source_id == entity.id else ln.source_id
            other = index.get(other_id)
            direction = "→" if ln.source_id == entity.id else "←"
            with st.container(horizontal=True, gap="small", vertical_alignment="center"):
                st.caption(f"{ln.type.replace('_', ' ').lower()} {direction}")
                st.page_link(app.ENTITY_PAGE,
                             label=ui.md_escape(other.name if other else other_id),
                             icon=ui.type_icon(other.type if other else ""),
                             query_params={"entity": other_id})
                iv = summaries.get(ln.interview_id)
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
