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
from graph_builder import accounts  # noqa: E402
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


def _login_form(with_account: bool) -> tuple[bool, str, str]:
    st.navigation(PAGES, position="hidden")  # the pages are registered, no menu shown
    st.title("Testimony graph")
    st.caption("This app holds interview material that can identify witnesses. "
               + ("Sign in with your account." if with_account else
                  "Enter the password you were given."))
    with st.form("login", clear_on_submit=True):
        name = st.text_input("Account", key="login_account") if with_account else ""
        given = st.text_input("Password", type="password", key="login_password")
        submitted = st.form_submit_button("Open")
    return submitted, name.strip(), given


def password_gate() -> bool:
    """True once this session has signed in (or when nobody needs to: served on localhost with
    no accounts and no password). With accounts (`testimony users`), each person signs in under
    their own name and role; otherwise a shared TESTIMONY_APP_PASSWORD opens the app. Served
    beyond localhost with neither, nothing renders, however the app was started. Wrong
    attempts wait server-side, per address and per account (app_pages/login.py)."""
    if st.session_state.get("authenticated"):
        return True
    people = accounts.accounts()
    expected = os.environ.get(PASSWORD_ENV)
    if not people and not expected:
        if served_beyond_localhost():
            st.navigation(PAGES, position="hidden")
            st.title("Testimony graph")
            st.error("This app is served beyond this machine without accounts or a password, "
                     "and the material can identify witnesses. Add accounts with `testimony "
                     "users add NAME --role analyst` (or set TESTIMONY_APP_PASSWORD) and start "
                     "it again, or serve it on 127.0.0.1.")
            return False
        return True
    submitted, name, given = _login_form(bool(people))
    if not submitted:
        return False
    throttle, address = login_throttle(), client_address()
    keys = [address] + ([f"account:{name}"] if people else [])
    wait = max(throttle.wait(k) for k in keys)
    if wait > 0:  # not even checked: the wait is the server's, not this session's
        throttle.refused(" / ".join(keys))
        st.error(f"Too many wrong attempts: try again in {wait:,.0f} seconds.")
        return False
    if people:
        account = accounts.verify(name, given)
        ok = account is not None
    else:  # compare bytes in constant time; only a flag is kept, never the password
        account, ok = None, hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))
    if ok:
        for k in keys:
            throttle.succeeded(k)
        st.session_state["authenticated"] = True
        if account is not None:
            st.session_state["account"] = account.name
            st.session_state["role"] = account.role
        st.rerun()
    for k in keys:
        throttle.failed(k)
    st.error("Wrong account or password." if people else "Wrong password.")
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
    if st.session_state.get("account"):
        st.caption(f"Signed in as **{render.md_escape(st.session_state['account'])}** "
                   f"({render.md_escape(st.session_state.get('role', ''))})")
    if st.session_state.get("authenticated") and st.button(
            "Sign out" if st.session_state.get("account") else "Lock",
            help="Forget the sign-in in this tab"):
        for k in ("authenticated", "account", "role"):
            st.session_state.pop(k, None)
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
