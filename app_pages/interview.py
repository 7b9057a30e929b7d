"""Interview reader: one interview's turns in order, mentions and theme codes marked.

?interview=<id>&turn=<n> opens the interview at that turn (outlined, and scrolled to). When the
metadata names a recording (media_file) found on this machine, next to the transcript or under
TESTIMONY_MEDIA_ROOT, it plays from the selected turn's time; clicking a turn's time selects it.
"""
from __future__ import annotations

from collections import Counter

import streamlit as st

from app_pages import support as app
from graph_builder.errors import NotFound
from graph_builder.stance import Sentences
from queries import render as ui
from schemas import ENTITY_TYPES, SPEAKER_ROLES

store = app.get_store()
labels = app.codebook_labels()
summaries = app.interviews(store)
by_id = {s.id: s for s in summaries}

st.title("Interview reader")

interview_id = app.synced_selectbox(
    f"Interview ({len(summaries)})", [s.id for s in summaries], key="reader_pick",
    param="interview", clears=("turn",), placeholder="Choose an interview",
    format_func=lambda i: f"{by_id[i].title} — {by_id[i].pseudonym}" if i in by_id else i)

wanted = st.query_params.get("interview")
if wanted and wanted not in by_id:
    st.warning(f"No interview with the id “{wanted}” in this store.")

if interview_id is None:
    st.caption("Interviews in the store — choose one above, or click a row:")
    table = st.dataframe(
        [{"id": s.id, "title": s.title, "interviewee": s.pseudonym, "status": s.status,
          "date": s.date, "place": s.place, "medium": s.medium, "turns": s.turns}
         for s in summaries], hide_index=True, width="stretch", key="reader_table",
        on_select="rerun", selection_mode="single-row")
    rows = table.selection.rows if table is not None else []
    if rows:
        st.query_params["interview"] = summaries[rows[0]].id
        st.rerun()
    st.stop()

try:
    doc = app.reading(store, interview_id)
except NotFound as exc:
    st.error(str(exc))
    st.stop()
summary = doc.summary
app.audit_once("read interview", interview_id)
details = app.interview_details(store, interview_id)
names = app.entity_names(store, {m.entity_id for rt in doc.turns for m in rt.mentions})

try:
    focus = int(st.query_params.get("turn", ""))
except ValueError:
    focus = None
indexes = [rt.turn.index for rt in doc.turns]
if focus is not None and focus not in indexes:
    st.warning(f"This interview has no turn {focus}; its turns run from {min(indexes, default=0)} "
               f"to {max(indexes, default=0)}.")
    focus = None

# --- metadata -------------------------------------------------------------------------------
meta = [("Interviewee", summary.pseudonym), ("Status", summary.status), ("Role", summary.role),
        ("Gender", summary.gender), ("Nationality", summary.nationality),
        ("Age", details.get("age")), ("Date", summary.date), ("Place", summary.place),
        ("Language", details.get("language")), ("Interviewer", details.get("interviewer")),
        ("Medium", summary.medium), ("Media file", summary.media_file),
        ("Source file", summary.source_path), ("Content hash", summary.content_hash[:16] + "…"),
        ("Turns", str(summary.turns))]
app.html_block(
    f'<div style="font-size:1.35rem;font-weight:650;margin-bottom:6px">{ui.esc(summary.title)}</div>'
    '<div style="display:grid;grid-template-columns:repeat(auto-fill,minmax(230px,1fr));gap:2px 18px;'
    'font-size:0.85rem;margin-bottom:6px">'
    + "".join(f'<div><span style="color:#868e96">{ui.esc(k)}:</span> {ui.esc(v)}</div>'
              for k, v in meta if v)
    + "</div>")

witness = app.witness_entity_of(store, summary.pseudonym, interview_id)
if witness:  # the interviewee in the graph: what their "I" resolves to
    st.page_link(app.ENTITY_PAGE, label=f"{ui.md_escape(summary.pseudonym)} in the graph",
                 icon=":material/person:", query_params={"entity": witness},
                 help="The interviewee as a person of the graph: their own words (\"I joined…\", "
                      "\"I was held in…\") link them to the units, places and people they tell of.")

# --- the recording -----------------------------------------------------------------------------
focused_turn = next((r for r in doc.turns if r.turn.index == focus), None)


def media_panel() -> None:
    """The interview's recording, when its metadata names one that is on this machine, cued
    to the selected turn; otherwise which file was named and where it was looked for."""
    if not summary.media_file:
        return
    root = ui.media_root_from_env()
    found = ui.find_media(summary, root)
    kind = ui.media_kind(found) if found else None
    start = focused_turn.turn.time_start if focused_turn else None
    if found and kind:
        # A small player floating at the bottom right: in view wherever the transcript is
        # scrolled to, so a click on a turn's time is heard at once.
        st.html('<style>.st-key-reader_media{position:fixed;right:1.2rem;bottom:1.2rem;'
                'width:min(440px,32vw);z-index:999;background:#fff;border:1px solid #dee2e6;'
                'border-radius:8px;padding:8px 10px 4px;box-shadow:0 4px 18px rgba(0,0,0,.16);}'
                '</style>')
        with st.container(key="reader_media", gap="small"):
            st.caption(f"Recording: {ui.md_escape(found.name)}"
                       + (f" · from turn {focus}, at {ui.format_time(start)}"
                          if start is not None else " · click a time to play from there"))
            player = st.video if kind == "video" else st.audio
            # by URL: the browser streams it from /recordings/ (behind the sign-in, in byte
            # ranges from disk); handing the path to st.video would read the whole file in
            player(app.recording_url(summary.id), start_time=int(start or 0))
    elif found:
        st.info(f"The metadata names the file “{ui.md_escape(summary.media_file)}”, found at "
                f"`{str(found).replace('`', '')}`, but it is not audio or video a browser plays.",
                icon=":material/description:")
    else:
        looked = ", ".join(f"`{str(p).replace('`', '')}`"
                           for p in ui.media_candidates(summary, root))
        st.info(f"The metadata names the media file “{ui.md_escape(summary.media_file)}”, but "
                f"it was not found (looked at {looked}). Set {ui.MEDIA_ROOT_ENV} to the folder "
                "holding the recordings to play them here.", icon=":material/videocam_off:")


media_panel()

# --- controls -------------------------------------------------------------------------------
c1, c2, c3 = st.columns([1, 2, 1.4])


def jump() -> None:
    st.query_params["turn"] = str(st.session_state["reader_turn"])


# The box always shows the URL's turn (none when the URL names none).
if focus is not None:
    st.session_state["reader_turn"] = focus
else:
    st.session_state.pop("reader_turn", None)
c1.number_input("Jump to turn", min_value=min(indexes, default=0), max_value=max(indexes, default=0),
                step=1, key="reader_turn", on_change=jump,
                **({} if focus is not None else {"value": None}))
coded = Counter(t.theme for rt in doc.turns for t in rt.themes)
only_themes = c2.multiselect("Only turns coded with", sorted(coded), key="reader_themes",
                             format_func=lambda c: f"{labels.get(c, c)} ({coded[c]})")
roles = c3.multiselect("Speakers", list(SPEAKER_ROLES), default=list(SPEAKER_ROLES),
                       key="reader_roles", format_func=ui.role_label)

# --- transcript and side panel ------------------------------------------------------------
left, right = st.columns([2.6, 1])

shown = [rt for rt in doc.turns
         if rt.turn.speaker_role in roles
         and (not only_themes or any(t.theme in only_themes for t in rt.themes))
         or rt.turn.index == focus]
types_here = [t for t in ENTITY_TYPES if any(m.type == t for rt in doc.turns for m in rt.mentions)]


def select_turn(index: int) -> None:
    st.query_params["turn"] = str(index)


with right:
    if focused_turn is not None:
        st.page_link(app.CORROBORATION_PAGE, label=f"Corroborate turn {focus}",
                     icon=":material/fact_check:", query_params={"turn": focused_turn.turn.id})

with left:
    if focused_turn is not None:
        rt = focused_turn
        st.caption(f"Turn {focus}, outlined below in the transcript:")
        app.html_block(ui.turn_block(
            rt.turn, ui.highlight(rt.turn.text,
                                  ui.mention_marks(rt.mentions, rt.turn.start, names)),
            header=ui.reader_header(rt.turn), tags=ui.theme_tags(rt.themes, labels),
            focused=True))
        # Corroborate one sentence of it: who else, in other interviews, says this?
        sentences = [rt.turn.text[a:b].strip() for a, b in Sentences(rt.turn.text).spans]
        sentences = [x for x in sentences if len(x.split()) >= 4]
        if sentences:
            c1, c2 = st.columns([3, 1], vertical_alignment="bottom")
            picked = c1.selectbox("A sentence of this turn", sentences, key=f"reader_claim_{focus}",
                                  help="Who else says this, how they know it, who says otherwise")
            with c2:
                st.page_link(app.CORROBORATION_PAGE, label="Corroborate this",
                             icon=":material/fact_check:",
                             query_params={"claim": picked, "said_in": interview_id})
    if types_here:
        app.html_block(f'<div style="margin:4px 0">{ui.legend_html(types_here)}</div>')
    st.caption(f"{len(shown)} of {len(doc.turns)} turns shown. Interviewer turns are grey and "
               "italic: context, not testimony. Hover a marked name for its entity; click a "
               "turn's time (or number) to select it"
               + (" and play the recording from there." if summary.media_file else "."))
    for rt in shown:
        turn = rt.turn
        gutter, body = st.columns([0.17, 0.83], gap="small")
        stamp = ui.format_time(turn.time_start)
        gutter.button(stamp or f"#{turn.index}", key=f"reader_ts_{turn.index}", type="tertiary",
                      icon=":material/play_arrow:" if stamp else None,
                      on_click=select_turn, args=(turn.index,),
                      help=f"Select turn {turn.index}"
                           + (f" and play from {stamp}" if stamp and summary.media_file else ""))
        if rt.mentions:
            gutter.page_link(app.CORROBORATION_PAGE, label="Sources",
                             icon=":material/fact_check:", query_params={"turn": turn.id},
                             help="Corroborate: who else tells this, in other interviews")
        with body:
            app.html_block(ui.turn_block(
                turn, ui.highlight(turn.text, ui.mention_marks(rt.mentions, turn.start, names)),
                header=ui.reader_header(turn), tags=ui.theme_tags(rt.themes, labels),
                anchor=True, focused=turn.index == focus))
    if focus is not None:
        app.scroll_to_turn(focus)

with right:
    st.subheader("Named in this interview")
    counts: Counter[str] = Counter(m.entity_id for rt in doc.turns for m in rt.mentions)
    types_of = {m.entity_id: m.type for rt in doc.turns for m in rt.mentions}
    if not counts:
        st.caption("No entity was found in this interview.")
    for etype in types_here:
        ids = sorted((e for e in counts if types_of[e] == etype),
                     key=lambda e: (-counts[e], names.get(e, e)))
        st.caption(f"{ui.type_label(etype)} ({len(ids)})")
        with st.container(horizontal=True, gap="small"):
            for eid in ids[:30]:
                st.page_link(app.ENTITY_PAGE,
                             label=f"{ui.md_escape(names.get(eid, eid))} ({counts[eid]})",
                             icon=ui.type_icon(etype), query_params={"entity": eid})
    if coded:
        st.subheader("Themes")
        app.html_block("".join(ui.tag_html(f"{labels.get(c, c)} · {n}", c, "#5f3dc4")
                               for c, n in coded.most_common()))
