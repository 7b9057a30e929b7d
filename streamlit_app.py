"""The analyst's app: search testimony, read interviews, follow entities, see the network.

Run with `testimony serve` (or `streamlit run streamlit_app.py`). The store is chosen by the
same settings as the CLI (TESTIMONY_DB, NEO4J_URI, TESTIMONY_BACKEND). The material can
identify witnesses: the app binds to 127.0.0.1 by default (.streamlit/config.toml); when
TESTIMONY_APP_PASSWORD is set it asks for that password before any page renders (wrong ones
are throttled per address, server-side, and logged: app_pages/login.py), and served beyond
localhost without one it renders nothing.
"""
from __future__ import annotations

import hmac
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
if str(ROOT) not in sys.path:  # run from anywhere, without installing the package
    sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402

from app_pages import support as app  # noqa: E402
from app_pages.login import LoginThrottle  # noqa: E402
from graph_builder.errors import TestimonyError  # noqa: E402
from queries import render  # noqa: E402

# No ":material/…:" icon on st.Page or here: the current page's icon becomes the favicon, and
# Streamlit fetches a Material favicon from fonts.gstatic.com (an emoji one is an inline SVG).
# Nothing may be fetched from the internet.
st.set_page_config(page_title="Testimony graph", page_icon="🕸️", layout="wide",
                   initial_sidebar_state="expanded")

PASSWORD_ENV = "TESTIMONY_APP_PASSWORD"
# The pages live in app_pages/, not pages/: every request, deep links included, runs this
# script first (and its password gate); Streamlit's old multipage mode, which runs any file in
# a `pages/` folder on its own, never applies.
PAGES = [
    st.Page(app.SEARCH_PAGE, title="Search", default=True),  # served at / (e.g. /?q=Raqqa)
    st.Page(app.ENTITY_PAGE, title="Entity", url_path="entity"),
    st.Page(app.INTERVIEW_PAGE, title="Interview", url_path="interview"),
    st.Page(app.CORROBORATION_PAGE, title="Corroboration", url_path="corroboration"),
    st.Page(app.TIMELINE_PAGE, title="Timeline", url_path="timeline"),
    st.Page(app.NETWORK_PAGE, title="Network", url_path="network"),
    st.Page(app.EXPORT_PAGE, title="Export", url_path="export"),
    st.Page(app.CURATION_PAGE, title="Curation", url_path="curation"),
]


LOOPBACK = {"127.0.0.1", "localhost", "::1"}


@st.cache_resource
def login_throttle() -> LoginThrottle:
    """One throttle for the whole server process, shared by every session."""
    return LoginThrottle()


def client_address() -> str:
    """The client's address as the server saw it (sessions without one share a record)."""
    ip = getattr(st.context, "ip_address", None)
    return ip if isinstance(ip, str) and ip else "unknown address"


def served_beyond_localhost() -> bool:
    address = st.get_option("server.address")
    return not address or str(address) not in LOOPBACK


def password_gate() -> bool:
    """True once this session has given the password (or when none is needed: served on
    localhost without one). Served beyond localhost without a password, nothing renders,
    however the app was started (`testimony serve` refuses too)."""
    expected = os.environ.get(PASSWORD_ENV)
    if not expected:
        if served_beyond_localhost():
            st.navigation(PAGES, position="hidden")
            st.title("Testimony graph")
            st.error("This app is served beyond this machine without a password, and the "
                     "material can identify witnesses. Set TESTIMONY_APP_PASSWORD and start it "
                     "again (or serve it on 127.0.0.1).")
            return False
        return True
    if st.session_state.get("authenticated"):
        return True
    # Register the pages but show no menu: nothing about the app before the password.
    st.navigation(PAGES, position="hidden")
    st.title("Testimony graph")
    st.caption("This app holds interview material that can identify witnesses. "
               "Enter the password you were given.")
    with st.form("login", clear_on_submit=True):
        given = st.text_input("Password", type="password", key="login_password")
        submitted = st.form_submit_button("Open")
    if submitted:
        throttle, address = login_throttle(), client_address()
        wait = throttle.wait(address)
        if wait > 0:  # not even checked: the wait is the server's, not this session's
            throttle.refused(address)
            st.error(f"Too many wrong passwords from this address: try again in "
                     f"{wait:,.0f} seconds.")
            return False
        # Compare bytes in constant time; only a flag is kept, never the password.
        if hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8")):
            throttle.succeeded(address)
            st.session_state["authenticated"] = True
            st.rerun()
        throttle.failed(address)
        st.error("Wrong password.")
    return False


if not password_gate():
    st.stop()

try:
    store = app.get_store()
    stats = app.store_stats(store)
except TestimonyError as exc:
    st.error(f"The graph store cannot be opened: {exc}")
    st.stop()

with st.sidebar:
    st.caption(f"Store: **{render.md_escape(store.backend)}** at `{store.location.replace('`', '')}`")
    st.caption(" · ".join(f"{stats.get(k, 0):,} {label}" for k, label in (
        ("interviews", "interviews"), ("interviewees", "interviewees"), ("turns", "turns"),
        ("entities", "entities"), ("mentions", "mentions"), ("theme_codes", "theme codes"),
        ("links", "links"))))
    if os.environ.get(PASSWORD_ENV) and st.button("Lock", help="Forget the password in this tab"):
        st.session_state.pop("authenticated", None)
        st.rerun()

page = st.navigation(PAGES)

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
