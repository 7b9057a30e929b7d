"""The analyst's app: search testimony, read interviews, follow entities, see the network.

Run with `testimony serve` (or `streamlit run streamlit_app.py`, `python streamlit_app.py`,
`uvicorn streamlit_app:app`). The store is chosen by the same settings as the CLI
(TESTIMONY_DB, NEO4J_URI, TESTIMONY_BACKEND). The material can identify witnesses, so this
file declares the app as an `st.App` whose every request first passes the sign-in gate of
graph_builder/app_server.py, whichever way it is started: with accounts (`testimony users`)
nothing is served before a sign-in, and beyond localhost the app refuses to run without
accounts and TLS. The script below then reads who signed in from the same session record, and
renders nothing to anyone else.
"""
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
if str(ROOT) not in sys.path:  # run from anywhere, without installing the package
    sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402

from graph_builder import app_server  # noqa: E402

app = st.App(__file__, routes=app_server.ROUTES, middleware=app_server.MIDDLEWARE,
             lifespan=app_server.lifespan)


def main() -> None:
    """One run of the app's script (Streamlit runs it for every page view and rerun)."""
    from app_pages import support as ui
    from graph_builder.errors import TestimonyError
    from queries import render

    # No ":material/…:" icon on st.Page or here: the current page's icon becomes the favicon,
    # and Streamlit fetches a Material favicon from fonts.gstatic.com (an emoji one is an
    # inline SVG). Nothing may be fetched from the internet.
    st.set_page_config(page_title="Testimony graph", page_icon="🕸️", layout="wide",
                       initial_sidebar_state="expanded")
    # The pages live in app_pages/, not pages/: every request, deep links included, runs this
    # script first (and its sign-in check); Streamlit's old multipage mode, which runs any file
    # in a `pages/` folder on its own, never applies.
    pages = [
        st.Page(ui.SEARCH_PAGE, title="Search", default=True),  # served at / (e.g. /?q=Raqqa)
        st.Page(ui.ENTITY_PAGE, title="Entity", url_path="entity"),
        st.Page(ui.INTERVIEW_PAGE, title="Interview", url_path="interview"),
        st.Page(ui.CORROBORATION_PAGE, title="Corroboration", url_path="corroboration"),
        st.Page(ui.TIMELINE_PAGE, title="Timeline", url_path="timeline"),
        st.Page(ui.NETWORK_PAGE, title="Network", url_path="network"),
        st.Page(ui.EXPORT_PAGE, title="Export", url_path="export"),
        st.Page(ui.CURATION_PAGE, title="Curation", url_path="curation"),
        st.Page(ui.AUDIT_PAGE, title="Audit", url_path="audit"),
    ]
    refusal = ui.sign_in_state()
    if refusal:
        st.navigation(pages, position="hidden")  # the pages are registered, no menu shown
        st.title("Testimony graph")
        st.error(refusal)
        st.markdown(f'<a href="{ui.signin_url()}" target="_self">Sign in</a>',
                    unsafe_allow_html=True)
        st.stop()
    if not ui.may("admin"):
        pages = [p for p in pages if p.url_path != "audit"]

    try:
        store = ui.get_store()
        stats = ui.store_stats(store)
    except TestimonyError as exc:
        st.error(f"The graph store cannot be opened: {exc}")
        st.stop()

    with st.sidebar:
        st.caption(f"Store: **{render.md_escape(store.backend)}** at `{store.location.replace('`', '')}`")
        st.caption(" · ".join(f"{stats.get(k, 0):,} {label}" for k, label in (
            ("interviews", "interviews"), ("interviewees", "interviewees"), ("turns", "turns"),
            ("entities", "entities"), ("mentions", "mentions"), ("theme_codes", "theme codes"),
            ("links", "links"))))
        if st.session_state.get("account"):
            st.caption(f"Signed in as **{render.md_escape(st.session_state['account'])}** "
                       f"({render.md_escape(st.session_state.get('role', ''))})")
            st.markdown(f'<a href="{ui.signout_url()}" target="_self">Sign out</a>',
                        unsafe_allow_html=True)

    page = st.navigation(pages)

    if not stats.get("interviews"):
        st.title("Testimony graph")
        st.info(
            f"The store ({render.md_escape(store.backend)} at {render.md_escape(store.location)}) holds no "
            "interviews yet.\n\n"
            "Ingest a folder of transcripts (txt, md, docx, pdf, srt, vtt, json) from a terminal, "
            "with the same settings as this app:\n\n"
            "    testimony ingest FOLDER\n\n"
            "for example `testimony ingest sample_corpus/` for the fictional sample corpus; then "
            "reload this page. The embedded store is the file named by TESTIMONY_DB "
            "(default ./testimony.db); set NEO4J_URI to use a Neo4j server instead.")
        st.stop()

    page.run()


if __name__ == "__main__":
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    if get_script_run_ctx() is None:  # `python streamlit_app.py`: start the server
        app.run()
    else:  # Streamlit running the script for a session
        main()
