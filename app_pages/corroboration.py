"""Corroboration: which distinct interviewees attest an entity, a link or a turn, how they know
it, where they differ, and every supporting quote with its provenance.

?claim=<words> a statement (&said_in=<interview id>: picked in that interview's turn, whose
witness is then left out), ?entity=<id> an entity, ?entity=<id>&with=<id> the link between
two entities, and ?turn=<interview id>#<n> a turn with the accounts of other interviews that
resemble it.
"""
from __future__ import annotations

import re

import streamlit as st

from app_pages import support as app
from graph_builder.errors import NotFound
from queries import render as ui

store = app.get_store()
labels = app.codebook_labels()
summaries = app.interview_index(store)
PAGE = 10  # sources per page

st.title("Corroboration")
st.caption("Something is corroborated when interviewees who are distinct people attest it in "
           "their own turns. One interviewee saying it twice is one source; interviewer turns "
           "never count. First-hand accounts weigh more than hedged ones, hedged more than "
           "hearsay.")

MODES = {"claim": "A statement", "entity": "An entity", "link": "A link between two entities",
         "turn": "A turn"}


def mode_from_url() -> str | None:
    if st.query_params.get("claim"):
        return "claim"
    if st.query_params.get("turn"):
        return "turn"
    if st.query_params.get("with"):
        return "link"
    if st.query_params.get("entity"):
        return "entity"
    return None


def mode_changed() -> None:
    # Keep the entity chosen when going from an entity to a link; drop what the new mode
    # does not use, so the URL says what is on screen.
    drop = {"entity": ("with", "turn", "claim", "said_in"), "link": ("turn", "claim", "said_in"),
            "turn": ("entity", "with", "claim", "said_in"), "claim": ("entity", "with", "turn")}
    for param in drop.get(st.session_state.get("corr_mode"), ()):
        st.query_params.pop(param, None)


# A link (?entity=…, ?entity=…&with=…, ?turn=…) chooses the mode; after that the analyst does.
url_state = tuple(st.query_params.get(k) for k in ("entity", "with", "turn"))
if url_state != st.session_state.get("_corr_url") or "corr_mode" not in st.session_state:
    wanted = mode_from_url()
    # Picking the first entity of a link puts only ?entity= in the URL: still a link.
    if wanted and not (st.session_state.get("corr_mode") == "link" and wanted == "entity"):
        st.session_state["corr_mode"] = wanted
st.session_state["_corr_url"] = url_state
mode = st.radio("Corroborate", list(MODES), format_func=MODES.get, horizontal=True,
                key="corr_mode", on_change=mode_changed, label_visibility="collapsed")


# --- what the analyst sees for an entity or a link -------------------------------------------

def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-")[:60] or "corroboration"


def show_corroboration(entity_id: str, other_id: str | None) -> None:
    try:
        corr = app.corroboration(store, entity_id, other_id, offset=0, limit=PAGE)
    except NotFound as exc:
        st.error(str(exc))
        st.stop()
    m1, m2, m3 = st.columns(3)
    m1.metric("Independent sources", f"{corr.source_count:,}",
              help="Distinct interviewees who attest it in their own turns.")
    m2.metric("Weighted support", f"{corr.weighted_support:g}",
              help="Each source counts once, by its strongest turn: first-hand 1, unmarked 0.8, "
                   "hedged 0.6, hearsay 0.4.")
    m3.metric("Interviews where the interviewer named it first", len(corr.prompted))
    sources = corr.sources

    if not sources:
        st.warning("No interviewee attests this in their own words: only interviewer or "
                   "third-party turns name it, or nobody does.")
    elif corr.single_source:
        st.warning(f"Single source: only **{ui.md_escape(sources[0].pseudonym)}** attests this. "
                   "Nothing else in the corpus confirms it.", icon=":material/warning:")
    if corr.prompted:
        st.warning("Named first by the interviewer in "
                   + ", ".join(f"“{ui.md_escape(summaries[i].title if i in summaries else i)}”"
                               for i in corr.prompted)
                   + ": the witness may be repeating the question.",
                   icon=":material/record_voice_over:")
        with st.container(horizontal=True, gap="small"):
            for iid in corr.prompted:
                who = summaries[iid].pseudonym if iid in summaries else iid
                st.page_link(app.INTERVIEW_PAGE, label=f"Read {ui.md_escape(who)}'s interview",
                             icon=":material/article:", query_params={"interview": iid})

    if corr.disagreements:
        st.subheader("Where accounts differ")
        st.caption("What each source gives alongside it, side by side. Nothing is decided for "
                   "you: both versions stay.")
        for d in corr.disagreements:
            cards = "".join(
                '<div style="border:1px solid #dee2e6;border-radius:6px;padding:6px 10px;'
                f'background:#fff" data-version="{ui.esc(who)}"><div style="font-weight:600;'
                f'font-size:0.85rem">{ui.esc(who)}</div><div style="font-size:0.9rem">'
                + ", ".join(ui.esc(v) for v in values) + "</div></div>"
                for who, values in d.versions)
            app.html_block(
                f'<div style="margin:6px 0 2px;font-size:0.8rem;text-transform:uppercase;'
                f'letter-spacing:.04em;color:#495057">{ui.esc(d.aspect)}</div>'
                '<div style="display:grid;grid-template-columns:repeat(auto-fill,minmax(190px,1fr));'
                f'gap:6px">{cards}</div>')

    if sources:
        st.subheader(f"{corr.source_count:,} source{'s' if corr.source_count != 1 else ''}, "
                     "strongest first")
        app.html_block('<div style="font-size:0.8rem;color:#495057">How each knows it: '
                       + "".join(ui.stance_badge(s) for s in ui.STANCES) + "</div>")
        offset = app.pager("corr_page", corr.source_count, PAGE,
                           reset_on=(entity_id, other_id), label="Sources")
        if offset:
            sources = app.corroboration(store, entity_id, other_id, offset=offset,
                                        limit=PAGE).sources
    for n, src in enumerate(sources):
        in_interviews = src.interviews
        with st.container(border=True):
            app.html_block(
                f'<div data-source="{ui.esc(src.pseudonym)}" style="display:flex;gap:10px;'
                'align-items:baseline;flex-wrap:wrap">'
                f'<span style="font-size:1.15rem;font-weight:650">{ui.esc(src.pseudonym)}</span>'
                f'{ui.stance_badge(src.stance)}<span style="font-size:0.85rem;color:#495057">'
                f'{src.turns} turn{"s" if src.turns != 1 else ""} in '
                f'{len(in_interviews)} interview{"s" if len(in_interviews) != 1 else ""} · '
                f'weight {src.weight:g}</span></div>')
            shown = "" if len(src.supports) == src.turns else f", the first {len(src.supports)}"
            with st.expander(f"Quotes ({src.turns}{shown})", expanded=n < 4):
                for sp in src.supports:
                    turn = sp.turn
                    local = (sp.start - turn.start, sp.end - turn.start)
                    span = ui.locate_quote(turn.text, sp.quote, *local)
                    marks = [ui.Mark(span[0], span[1], "match")] if span else []
                    header = (ui.stance_badge(sp.stance) + ui.provenance_line(
                        title=sp.interview_title, pseudonym=sp.pseudonym, speaker=turn.speaker,
                        role=turn.speaker_role, index=turn.index, start=sp.start, end=sp.end,
                        time_start=turn.time_start))
                    app.html_block(ui.turn_block(turn, ui.highlight(sp.quote, marks),
                                                 header=header))
                    with st.container(horizontal=True, gap="small"):
                        stamp = ui.format_time(turn.time_start)
                        st.page_link(app.INTERVIEW_PAGE,
                                     label=f"Read turn {turn.index} in context"
                                           + (f" (at {stamp})" if stamp else ""),
                                     icon=":material/article:",
                                     query_params={"interview": sp.interview_id,
                                                   "turn": str(turn.index)})
                        st.page_link(app.CORROBORATION_PAGE, label="Similar accounts",
                                     icon=":material/fact_check:", query_params={"turn": turn.id})

    st.subheader("Quotes report")
    include = st.checkbox("Include identifying attributes (gender, nationality, status, role, "
                          "age)", value=False, key="corr_attributes", disabled=not app.may("admin"),
                          help=None if app.may("admin") else "Reports with attributes need an "
                               "admin's account.")
    include = include and app.may("admin")
    if include:
        st.warning("The report will carry interviewee attributes that can identify witnesses. "
                   "Hand it on only where their protection allows.", icon=":material/shield:")
    else:
        st.caption("Pseudonyms only, no interviewee attributes: every quote with its interview, "
                   "turn, speaker, offsets, timestamp and stance.")
    stem = "corroboration-" + slug(corr.subject) + ("-with-attributes" if include else "")
    st.caption(f"Every source ({corr.source_count:,}), written when you click.")
    d1, d2, _ = st.columns([1, 1, 2])
    d1.download_button("Markdown", lambda: app.report(store, entity_id, other_id, "md", include),
                       file_name=f"{stem}.md", mime="text/markdown", icon=":material/download:",
                       key="corr_report_md", on_click="ignore", width="stretch")
    d2.download_button("CSV", lambda: app.report(store, entity_id, other_id, "csv", include),
                       file_name=f"{stem}.csv", mime="text/csv", icon=":material/download:",
                       key="corr_report_csv", on_click="ignore", width="stretch")


def entity_heading(ids: list[str]) -> None:
    parts = []
    index = {i: s.entity for i, s in app.entity_summaries(store, ids).items()}
    for eid in ids:
        e = index.get(eid)
        if e is None:
            continue
        parts.append(f'<span style="font-size:1.6rem;font-weight:700">{ui.esc(e.name)}</span>'
                     + ui.tag_html(ui.type_label(e.type), e.type, ui.type_colour(e.type)))
    app.html_block('<div style="display:flex;align-items:baseline;gap:10px;flex-wrap:wrap">'
                   + '<span style="font-size:1.4rem;color:#868e96">—</span>'.join(parts) + "</div>")
    with st.container(horizontal=True, gap="small"):
        for eid in ids:
            if eid in index:
                st.page_link(app.ENTITY_PAGE, label=f"Every mention of {ui.md_escape(index[eid].name)}",
                             icon=ui.type_icon(index[eid].type), query_params={"entity": eid})


def unknown(param: str) -> None:
    value = st.query_params.get(param)
    if value and app.entity(store, value) is None:
        st.warning(f"No entity with the id “{value}”. It may have been merged or renamed by a "
                   "curation decision; find it by name below.")


def show_claim(claim: str, said_in: str | None) -> None:
    """Who else says the statement: sources ranked, each quote a sentence; what says
    otherwise beside the statement; where the supporters differ."""
    witness = summaries[said_in].pseudonym if said_in in summaries else None
    found = app.claim_corroboration(store, claim, exclude=witness)
    app.audit_once("corroborate statement", claim[:200])
    m1, m2, m3 = st.columns(3)
    m1.metric("Independent sources", f"{found.source_count:,}",
              help="Distinct people whose own sentences say it" +
                   (f" (besides {witness}, who said it)" if witness else "") + ".")
    m2.metric("Weighted support", f"{found.weighted_support:g}",
              help="Each source once, by its best sentence: first-hand 1, unmarked 0.8, "
                   "hedged 0.6, hearsay 0.4.")
    m3.metric("Say otherwise", len(found.contradictions))
    st.caption(f"Found by: {found.retrieval}. A sentence counts by the share of the "
               "statement it carries; rarer words and the names of what it names weigh most.")
    if found.contradictions:
        st.subheader("Says otherwise")
        for c in found.contradictions:
            q = c.quote
            left, right = st.columns(2)
            left.markdown(f"**The statement** ({ui.md_escape(c.aspect)}: "
                          f"{ui.md_escape(', '.join(c.claimed))})\n\n> {ui.md_escape(claim)}")
            right.markdown(f"**{ui.md_escape(c.pseudonym)}** ({ui.md_escape(c.aspect)}: "
                           f"{ui.md_escape(', '.join(c.given))}), turn {q.turn_index}\n\n"
                           f"> {ui.md_escape(q.text)}")
            right.page_link(app.INTERVIEW_PAGE, label="Read it in context",
                            icon=":material/article:",
                            query_params={"interview": q.interview_id, "turn": str(q.turn_index)})
    if found.disagreements:
        st.subheader("Where the supporters differ")
        for d in found.disagreements:
            st.markdown(f"**{ui.md_escape(d.aspect)}**: " + "; ".join(
                f"{ui.md_escape(p)}: {ui.md_escape(', '.join(v))}" for p, v in d.versions))
    if not found.sources:
        st.warning("Nobody else says this in their own words, as far as the words and names "
                   "go. Try fewer words, or the names the witnesses use.")
        return
    st.subheader(f"{found.source_count:,} source{'s' if found.source_count != 1 else ''}, "
                 "strongest first")
    for src in found.sources:
        with st.container(border=True):
            app.html_block(
                f'<div data-source="{ui.esc(src.pseudonym)}" style="display:flex;gap:10px;'
                'align-items:baseline;flex-wrap:wrap">'
                f'<span style="font-size:1.15rem;font-weight:650">{ui.esc(src.pseudonym)}</span>'
                f'{ui.stance_badge(src.status)}<span style="font-size:0.85rem;color:#495057">'
                f'score {src.score:g} · {len(src.interviews)} interview'
                f'{"s" if len(src.interviews) != 1 else ""}</span></div>')
            for q in src.quotes:
                cue = f' · “{ui.esc(q.cue)}”' if q.cue else ""
                app.html_block(
                    f'<div data-quote style="margin:4px 0 2px"><blockquote style="margin:0;'
                    f'padding-left:10px;border-left:3px solid #adb5bd">{ui.esc(q.text)}'
                    f'</blockquote><div style="font-size:0.8rem;color:#495057">'
                    f'{ui.stance_badge(q.status)} {ui.esc(q.interview_id)}, turn {q.turn_index}, '
                    f'{ui.esc(ui.role_label(q.speaker_role))}, characters {q.start}–{q.end}'
                    f'{cue}</div></div>')
                st.page_link(app.INTERVIEW_PAGE, label=f"Read turn {q.turn_index} in context",
                             icon=":material/article:",
                             query_params={"interview": q.interview_id, "turn": str(q.turn_index)})
    st.subheader("Report")
    include = st.checkbox("Name witnesses as written", value=False, key="claim_attributes",
                          disabled=not app.may("admin"),
                          help=None if app.may("admin") else "Needs an admin's account.")
    include = include and app.may("admin")
    stem = "statement-" + slug(claim)
    d1, d2, d3, _ = st.columns([1, 1, 1, 1])
    for col, fmt, mime in ((d1, "md", "text/markdown"), (d2, "csv", "text/csv"),
                           (d3, "json", "application/json")):
        col.download_button(fmt.upper() if fmt != "md" else "Markdown",
                            lambda fmt=fmt: app.claim_report_bytes(store, claim, witness, fmt, include),
                            file_name=f"{stem}.{fmt}", mime=mime, icon=":material/download:",
                            key=f"claim_report_{fmt}", on_click="ignore", width="stretch")


# --- statement -------------------------------------------------------------------------------
if mode == "claim":
    said_in = st.query_params.get("said_in")
    if "claim_text" not in st.session_state or st.session_state.get("_claim_url") != \
            st.query_params.get("claim"):
        st.session_state["claim_text"] = st.query_params.get("claim", "")
        st.session_state["_claim_url"] = st.query_params.get("claim")
    with st.form("claim_form", border=False):
        text = st.text_area("Statement", key="claim_text", height=80,
                            placeholder="e.g. the hisbah flogged him fifty times in the square")
        asked = st.form_submit_button("Who else says this?", icon=":material/fact_check:")
    if asked:
        if text.strip() != st.query_params.get("claim", ""):
            st.query_params["claim"] = text.strip()
            st.query_params.pop("said_in", None)
            said_in = None
        st.session_state["_claim_url"] = text.strip()
    claim = st.query_params.get("claim", "").strip()
    if said_in in summaries:
        st.caption(f"Said by {ui.md_escape(summaries[said_in].pseudonym)} in "
                   f"“{ui.md_escape(summaries[said_in].title)}”; the other witnesses follow.")
    if not claim:
        st.info("Type a statement, or pick a sentence in a turn of the interview reader "
                "(“Corroborate this”), to see who else says it, how they know it, and who "
                "says otherwise.")
        st.stop()
    show_claim(claim, said_in)

# --- entity ----------------------------------------------------------------------------------
elif mode == "entity":
    unknown("entity")
    entity_id = app.entity_picker(store, "Entity", key="corr_entity", param="entity")
    if entity_id is None:
        st.info("Choose an entity to see who attests it, how, and in which words.")
        st.stop()
    entity_heading([entity_id])
    show_corroboration(entity_id, None)

# --- link ------------------------------------------------------------------------------------
elif mode == "link":
    unknown("entity")
    unknown("with")
    c1, c2 = st.columns(2)
    a = app.entity_picker(store, "Entity", key="corr_entity", param="entity", container=c1)
    b = app.entity_picker(store, "…linked with", key="corr_with", param="with", container=c2)
    if a is None or b is None:
        st.info("Choose two entities: the sources are the interviewees who name both in one "
                "turn, or attest a typed link between them.")
        st.stop()
    if a == b:
        st.warning("Choose two different entities.")
        st.stop()
    entity_heading([a, b])
    show_corroboration(a, b)

# --- turn ------------------------------------------------------------------------------------
else:
    turn_id = st.query_params.get("turn", "")
    url_interview = turn_id.rsplit("#", 1)[0] if "#" in turn_id else None
    ids = list(summaries)
    if url_interview in summaries:
        st.session_state["corr_turn_interview"] = url_interview
    c1, c2 = st.columns([1, 1.4])

    def interview_changed() -> None:
        st.query_params.pop("turn", None)

    if "corr_turn_interview" not in st.session_state:
        st.session_state["corr_turn_interview"] = None
    interview_id = c1.selectbox(
        "Interview", ids, key="corr_turn_interview", on_change=interview_changed,
        placeholder="Choose an interview",
        format_func=lambda i: f"{summaries[i].title} — {summaries[i].pseudonym}")
    if turn_id and url_interview not in summaries:
        st.warning(f"No turn “{turn_id}” in this store.")
    if interview_id is None:
        st.info("Choose an interview and one of its turns, or come here from a search hit or "
                "the interview reader (Corroborate), to see who else tells the same.")
        st.stop()
    doc = app.reading(store, interview_id)
    by_turn = {rt.turn.id: rt for rt in doc.turns}
    names = app.entity_names(store, {m.entity_id for rt in doc.turns for m in rt.mentions})

    def describe_turn(tid: str) -> str:
        t = by_turn[tid].turn
        words = " ".join(t.text.split())
        return (f"Turn {t.index} · {t.speaker or ui.role_label(t.speaker_role)}: "
                f"{words[:70]}{'…' if len(words) > 70 else ''}")

    turn_id = app.synced_selectbox("Turn", list(by_turn), key="corr_turn", param="turn",
                                   format_func=describe_turn, placeholder="Choose a turn",
                                   container=c2)
    if turn_id is None:
        if st.query_params.get("turn"):
            st.warning(f"This interview has no turn “{st.query_params.get('turn')}”.")
        st.stop()
    rt = by_turn[turn_id]
    turn = rt.turn
    summary = doc.summary
    header = ui.provenance_line(title=summary.title, pseudonym=summary.pseudonym,
                                speaker=turn.speaker, role=turn.speaker_role, index=turn.index,
                                start=turn.start, end=turn.end, time_start=turn.time_start)
    app.html_block(ui.turn_block(
        turn, ui.highlight(turn.text, ui.mention_marks(rt.mentions, turn.start, names)),
        header=header, tags=ui.theme_tags(rt.themes, labels), focused=True))
    st.page_link(app.INTERVIEW_PAGE, label=f"Read turn {turn.index} in context",
                 icon=":material/article:",
                 query_params={"interview": interview_id, "turn": str(turn.index)})
    if turn.speaker_role != "interviewee":
        st.info("This turn is not the interviewee's own words (it is the interviewer's or a "
                "third party's): context, not testimony.")

    named = list(dict.fromkeys(m.entity_id for m in rt.mentions))
    if named:
        st.subheader("What this turn names, and who else attests it")
        known = {i: s.entity for i, s in app.entity_summaries(store, named).items()}
        with st.container(horizontal=True, gap="small"):
            for eid in named:
                try:
                    n_sources = app.corroboration(store, eid, limit=1).source_count
                except NotFound:
                    continue
                e = known.get(eid)
                st.page_link(app.CORROBORATION_PAGE,
                             label=f"{ui.md_escape(e.name if e else eid)} — {n_sources} "
                                   f"source{'s' if n_sources != 1 else ''}",
                             icon=ui.type_icon(e.type if e else ""), query_params={"entity": eid})

    st.subheader("Told elsewhere")
    similar = app.similar_turns(store, turn_id)
    if not named:
        st.caption("This turn names no entity, so there is nothing to match it on.")
        st.stop()
    if not similar:
        st.info("No interviewee of another interview names the same entities.")
        st.stop()
    others = sorted({s.pseudonym for s in similar})
    st.caption(f"{len(similar)} turns of other interviews, by {len(others)} other interviewee"
               f"{'s' if len(others) != 1 else ''}, ranked by the share of this turn's entities "
               "they name plus the likeness of their words.")
    their_mentions = app.turn_mentions(store, [s.turn.id for s in similar])
    names.update(app.entity_names(store, {e.id for s in similar for e in s.shared_entities}))
    for rank, sim in enumerate(similar, start=1):
        t = sim.turn
        other = summaries.get(t.interview_id)
        shared = "".join(ui.tag_html(e.entity.name, ui.type_label(e.entity.type),
                                     ui.type_colour(e.entity.type)) for e in sim.shared_entities)
        head = (f'<div style="font-size:0.8rem;color:#495057;margin-bottom:2px">#{rank} · score '
                f'{sim.score:.2f} · words alike {sim.similarity:.0%} · shares {shared}</div>'
                + ui.provenance_line(title=other.title if other else t.interview_id,
                                     pseudonym=sim.pseudonym, speaker=t.speaker,
                                     role=t.speaker_role, index=t.index, start=t.start,
                                     end=t.end, time_start=t.time_start))
        # The entities it shares with the turn above, marked in their type's colour.
        shared_ids = {e.id for e in sim.shared_entities}
        marks = ui.mention_marks([m for m in their_mentions.get(t.id, [])
                                  if m.entity_id in shared_ids], t.start, names)
        body = ui.highlight(t.text, marks)
        with st.container(border=True):
            app.html_block(ui.turn_block(t, body, header=head))
            with st.container(horizontal=True, gap="small"):
                st.page_link(app.INTERVIEW_PAGE, label=f"Read turn {t.index} in context",
                             icon=":material/article:",
                             query_params={"interview": t.interview_id, "turn": str(t.index)})
                st.page_link(app.CORROBORATION_PAGE, label="Similar accounts",
                             icon=":material/fact_check:", query_params={"turn": t.id})
