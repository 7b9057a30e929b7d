"""Audit: who signed in, searched, read, exported and curated what, and when (admins only).

Newest first, one page at a time from the audit log's own file (graph_builder/audit.py), with
a check of its hash chain and a CSV of what the filters select.
"""
from __future__ import annotations

import streamlit as st

from app_pages import support as app
from graph_builder import audit
from queries import render as ui

PAGE = 50

st.title("Audit log")
if not app.may("admin"):
    st.error("The audit log is for admins: this account may not read it.")
    st.stop()
app.audit_once("read audit log")
st.caption("Every sign-in, search, reading, export, report and curation decision, append-only. "
           "Search words are in it: keep the file as you keep the testimony.")
c1, c2 = st.columns(2)
actor = c1.text_input("Account", key="audit_actor", placeholder="every account").strip() or None
action = c2.text_input("Action", key="audit_action",
                       placeholder="e.g. export, search, signin failed").strip() or None
_, total = audit.entries(actor=actor, action=action, limit=0)
offset = app.pager("audit_page", total, PAGE, reset_on=(actor, action), label="Entries")
rows, total = audit.entries(actor=actor, action=action, offset=offset, limit=PAGE)
checked, broken = audit.verify()
if broken is None:
    st.caption(f"{total:,} entries match; the chain of all {checked:,} entries is intact.")
else:
    st.error(f"The audit log was altered: the chain breaks at entry {broken}.")
st.dataframe([{f: getattr(e, f) for f in audit.FIELDS} for e in rows], hide_index=True,
             width="stretch")


def _csv() -> str:
    app.audit("export audit log", "", {"account": actor, "action": action})
    everything, _ = audit.entries(actor=actor, action=action, limit=max(total, 1))
    return audit.to_csv(everything)


st.download_button("Download as CSV", _csv, file_name="testimony-audit.csv", mime="text/csv",
                   icon=":material/download:", on_click="ignore", key="audit_csv")
st.caption(ui.md_escape("Also: `testimony audit` in a terminal (`--verify`, `--csv`)."))
