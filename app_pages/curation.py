"""Curation: the analyst decides which spellings are one entity.

The review queue shows the pairs the resolver kept apart as possibly the same; merge, rename
and split fix the rest. Every decision goes through graph_builder.curation: it is logged (who,
when, why, on what evidence), replayed after every ingest, and can be undone from the log.
"""
from __future__ import annotations

import streamlit as st

from app_pages import support as app
from graph_builder.errors import CurationError, NotFound
from queries import render as ui

store = app.get_store()
PAGE = 10

st.title("Curation")
st.caption("Decide which spellings name one person, place or unit. Decisions name the spellings "
           "(mention keys), are logged with who, when, why and on what evidence, survive "
           "re-ingestion, and can be undone below.")

flash = st.session_state.pop("cur_flash", None)
if flash:
    st.success(flash, icon=":material/check_circle:")

if not app.may("analyst"):
    st.error("Curation needs an analyst's account: this one may search and read.")
    st.stop()
if app.signed_in():  # with accounts the log records the account, not a typed name
    who = app.signed_in()
    st.caption(f"Decisions are logged as **{ui.md_escape(who)}**.")
else:
    # The name outlives the widget (Streamlit forgets a widget's value on pages without it),
    # so the analyst gives it once per session.
    if "cur_who" not in st.session_state and st.session_state.get("analyst_name"):
        st.session_state["cur_who"] = st.session_state["analyst_name"]
    who = st.text_input("Analyst name", key="cur_who", placeholder="Recorded with every decision",
                        help="Who makes the decisions: the log records it.").strip()
    st.session_state["analyst_name"] = who
    if not who:
        st.warning("Enter your name to make decisions: the decision log records who decided.",
                   icon=":material/badge:")


def name_of(eid: str) -> str:
    e = app.entity(store, eid)
    return e.entity.name if e else eid


def decide(action: str, done: str, *args: object, **kwargs: object) -> None:
    """Run one decision; on success remember what was done and rerun with fresh caches."""
    try:
        app.decide(store, action, *args, who=who, **kwargs)
    except (CurationError, NotFound) as exc:
        st.error(f"Not done: {exc}")
        return
    st.session_state["cur_flash"] = done
    st.rerun()


def entity_card(eid: str) -> None:
    """Name, type, spellings, counts and a few quotes: what is needed to judge a pair."""
    try:
        prof = app.profile(store, eid, 0, 3)
    except NotFound:
        st.caption(f"{eid}: no longer in the store.")
        return
    e = prof.entity
    s = prof.summary
    app.html_block(
        f'<div style="font-size:1.15rem;font-weight:650">{ui.esc(e.name)} '
        f'{ui.tag_html(ui.type_label(e.type), e.type, ui.type_colour(e.type))}</div>'
        f'<div style="font-size:0.78rem;color:#868e96">{ui.esc(e.id)}</div>'
        '<div style="font-size:0.85rem;margin:3px 0">Spellings: '
        + "".join(ui.tag_html(a) for a in e.aliases) + "</div>"
        f'<div style="font-size:0.85rem;color:#495057">{s.mentions:,} mentions · '
        f'{s.interviews:,} interviews · {s.interviewees:,} interviewees'
        + (f" ({ui.esc(', '.join(prof.interviewees[:8]))}{'…' if s.interviewees > 8 else ''})"
           if prof.interviewees else "") + "</div>")
    mentions = [c for row in prof.interviews for c in row.mentions]
    own = [c for c in mentions if c.turn.speaker_role == "interviewee"] or mentions
    seen: set[str] = set()
    shown = 0
    for c in own:
        if c.pseudonym in seen or shown >= 3:  # a few quotes, from different interviewees
            continue
        seen.add(c.pseudonym)
        shown += 1
        span = ui.locate_quote(c.turn.text, c.quote, c.mention.start - c.turn.start,
                               c.mention.end - c.turn.start)
        marks = [ui.Mark(span[0], span[1], "mention", ui.type_colour(e.type))] if span else []
        app.html_block(
            '<div style="font-size:0.85rem;border-left:3px solid #dee2e6;padding:2px 8px;'
            f'margin:4px 0">{ui.highlight(c.quote, marks)}<div style="font-size:0.75rem;'
            f'color:#868e96">{ui.esc(c.interview_title)}, turn {c.turn.index}</div></div>')
    st.page_link(app.ENTITY_PAGE, label="Every mention", icon=ui.type_icon(e.type),
                 query_params={"entity": eid})


queue_total = app.review_queue(store, 0, 1).total
unsure_total = app.uncertain_merges(store, 0, 1).total
log_total = app.curation_page(store, 0, 1).total
tab_queue, tab_unsure, tab_merge, tab_rename, tab_split, tab_log = st.tabs([
    f"Review queue ({queue_total:,})", f"Uncertain merges ({unsure_total:,})", "Merge", "Rename",
    "Split", f"Decision log ({log_total:,})"])

# --- merges the resolver was not sure of -------------------------------------------------------
with tab_unsure:
    unsure = app.uncertain_merges(store, app.pager("cur_unsure_page", unsure_total, PAGE,
                                                   label="Entities"), PAGE)
    if not unsure:
        st.info("No uncertain merges: every entity with several spellings was merged with full "
                "confidence, or an analyst has confirmed it.")
    for eid, confidence, keys in unsure:
        with st.container(border=True):
            st.markdown(f"**Merged with confidence {confidence:.2f}** · {len(keys)} spellings")
            entity_card(eid)
            u1, u2, u3 = st.columns([2.4, 1, 1.4], vertical_alignment="bottom")
            why = u1.text_input("Why", key=f"cur_unsure_why_{eid}",
                                placeholder="e.g. same man: same unit and town in every account")
            if u2.button("Right", key=f"cur_confirm_{eid}", type="primary", disabled=not who,
                         width="stretch"):
                decide("confirm", f"Confirmed {name_of(eid)}.", eid, why=why,
                       evidence=f"uncertain merge, confidence {confidence:.2f}")
            off = u3.selectbox("Split off", keys[1:], key=f"cur_unsure_key_{eid}",
                               help="A spelling that names someone or something else")
            if st.button("Split it off", key=f"cur_unsure_split_{eid}", disabled=not who or not off):
                decide("split", f"Split {off} off {name_of(eid)}.", eid, [off], why=why,
                       evidence=f"uncertain merge, confidence {confidence:.2f}")

# --- review queue -----------------------------------------------------------------------------
with tab_queue:
    queue = app.review_queue(store, app.pager("cur_queue_page", queue_total, PAGE,
                                              label="Pairs"), PAGE)
    sizes = app.entity_summaries(store, {x for a, b, _ in queue for x in (a, b)})
    if not queue:
        st.info("Nothing to review: the resolver kept no pair apart as possibly the same (or "
                "every such pair has been decided).")
    for a, b, score in queue:
        if a not in sizes or b not in sizes:
            continue
        pair = f"{a}|{b}"
        with st.container(border=True):
            st.markdown(f"**Possibly the same** · resolver score {score:.1f}")
            ca, cb = st.columns(2)
            with ca:
                entity_card(a)
            with cb:
                entity_card(b)
            f1, f2, f3, f4 = st.columns([1.4, 2.2, 0.8, 1], vertical_alignment="bottom")
            keep = f1.selectbox("Name to keep", [a, b], key=f"cur_keep_{pair}",
                                index=0 if sizes[a].mentions >= sizes[b].mentions else 1,
                                format_func=name_of)
            why = f2.text_input("Why", key=f"cur_why_{pair}",
                                placeholder="e.g. same unit, same period, same role")
            if f3.button("Merge", key=f"cur_merge_{pair}", type="primary", disabled=not who,
                         width="stretch"):
                other = b if keep == a else a
                decide("merge", f"Merged {name_of(other)} into {name_of(keep)}.", keep, other,
                       why=why, evidence=f"review queue: resolver score {score:.1f}")
            if f4.button("Not the same", key=f"cur_reject_{pair}", disabled=not who,
                         width="stretch"):
                decide("reject", f"Kept {name_of(a)} and {name_of(b)} apart.", a, b, why=why,
                       evidence=f"review queue: resolver score {score:.1f}")

# --- merge ------------------------------------------------------------------------------------
with tab_merge:
    st.caption("Two entities of one type become one. The first one's name is kept unless you "
               "give another.")
    m1, m2 = st.columns(2)
    ma = app.entity_picker(store, "Entity", key="cur_merge_a", container=m1)
    mb = app.entity_picker(store, "…is the same as", key="cur_merge_b", container=m2)
    if ma and mb and ma != mb:
        with m1:
            entity_card(ma)
        with m2:
            entity_card(mb)
    n1, n2, n3 = st.columns([1.2, 2, 2])
    new_name = n1.text_input("Name after merging (optional)", key="cur_merge_name")
    why = n2.text_input("Why", key="cur_merge_why")
    evidence = n3.text_input("Evidence", key="cur_merge_evidence",
                             placeholder="e.g. int-03 turn 14 and int-09 turn 22")
    if st.button("Merge", key="cur_merge_go", type="primary",
                 disabled=not (who and ma and mb and ma != mb)):
        decide("merge", f"Merged {name_of(mb)} into {name_of(ma)}.", ma, mb, why=why,
               evidence=evidence, name=new_name.strip() or None)

# --- rename -----------------------------------------------------------------------------------
with tab_rename:
    st.caption("Give an entity the name analysts should see (its spellings stay as aliases).")
    ra = app.entity_picker(store, "Entity", key="cur_rename_entity")
    r1, r2 = st.columns([1.2, 2])
    rename_to = r1.text_input("New name", key="cur_rename_name")
    rwhy = r2.text_input("Why", key="cur_rename_why")
    if st.button("Rename", key="cur_rename_go", type="primary",
                 disabled=not (who and ra and rename_to.strip())):
        decide("rename", f"Renamed {name_of(ra)} to {rename_to.strip()}.", ra,
               rename_to.strip(), why=rwhy)

# --- split ------------------------------------------------------------------------------------
with tab_split:
    st.caption("Spellings that name someone else leave the entity and become an entity of "
               "their own.")
    sa = app.entity_picker(store, "Entity", key="cur_split_entity")
    if sa:
        try:
            keys = app.keys_with_spellings(store, sa)
        except CurationError as exc:
            st.error(str(exc))
            keys = []
        spellings = {k: ", ".join(f"{s} ({n})" for s, n in surfaces) or k for k, surfaces in keys}
        if len(keys) < 2:
            st.info("This entity has one spelling key only: there is nothing to split off. "
                    "Rename it instead.")
        else:
            chosen = st.multiselect("Spellings to split off", list(spellings),
                                    key="cur_split_keys", format_func=spellings.get)
            s1, s2 = st.columns([1.2, 2])
            split_name = s1.text_input("Name of the new entity (optional)", key="cur_split_name")
            swhy = s2.text_input("Why", key="cur_split_why")
            if st.button("Split off", key="cur_split_go", type="primary",
                         disabled=not (who and chosen)):
                decide("split", f"Split {len(chosen)} spelling(s) off {name_of(sa)}.", sa, chosen,
                       why=swhy, name=split_name.strip() or None)

# --- the log, with undo -------------------------------------------------------------------------
with tab_log:
    log = app.curation_log(store)  # every decision: few, and undo needs them all
    if not log:
        st.info("No decision yet.")
    undone_by = {d["undoes"]: d for d in log if d.get("action") == "undo" and d.get("undoes")}
    by_id = {d.get("id"): d for d in log}
    shown = app.curation_page(store, app.pager("cur_log_page", log_total, 20,
                                               label="Decisions"), 20)
    for d in shown:
        action = d.get("action", "")
        entities = d.get("entities") or []
        if action == "undo":
            target = by_id.get(d.get("undoes"), {})
            what = f"undid the {target.get('action', '')} decision {d.get('undoes', '')}"
        elif action == "merge":
            what = (f"merged {' and '.join(name_of(e) for e in entities)}"
                    + (f" as “{d['name']}”" if d.get("name") else ""))
        elif action == "reject":
            what = f"kept {' and '.join(name_of(e) for e in entities)} apart"
        elif action == "rename":
            what = f"renamed {', '.join(entities)} to “{d.get('name', '')}”"
        elif action == "split":
            what = (f"split {', '.join(d.get('keys', []))} off {', '.join(entities)}"
                    + (f" as “{d['name']}”" if d.get("name") else ""))
        else:
            what = action
        with st.container(border=True):
            lc, rc = st.columns([5, 1], vertical_alignment="center")
            with lc:
                app.html_block(
                    f'<div data-decision="{ui.esc(d.get("id", ""))}" style="font-size:0.9rem">'
                    f'<b>{ui.esc(d.get("who", ""))}</b> {ui.esc(what)}'
                    f'<div style="font-size:0.78rem;color:#495057">{ui.esc(d.get("when", ""))} · '
                    f'decision {ui.esc(d.get("id", ""))}'
                    + (f" · why: {ui.esc(d['why'])}" if d.get("why") else "")
                    + (f" · evidence: {ui.esc(d['evidence'])}" if d.get("evidence") else "")
                    + "</div>"
                    + (f'<div style="font-size:0.78rem;color:#c92a2a">Undone by '
                       f'{ui.esc(undone_by[d["id"]].get("who", ""))} on '
                       f'{ui.esc(undone_by[d["id"]].get("when", ""))}</div>'
                       if d.get("id") in undone_by else "")
                    + "</div>")
            if action != "undo" and d.get("id") not in undone_by:
                if rc.button("Undo", key=f"cur_undo_{d.get('id')}", disabled=not who,
                             width="stretch"):
                    decide("undo", f"Undid decision {d.get('id')} ({what}).", d.get("id"),
                           why="undone from the app's decision log")
