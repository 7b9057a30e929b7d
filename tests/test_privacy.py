"""Reports name witnesses by pseudonym: a speaker label that is a real name, or a title that
describes the witness, never reaches a quotes report by default.

The witness here is FICTIONAL, written for this test.
"""
from __future__ import annotations

from pathlib import Path

from graph_builder.load import ingest
from graph_builder.store.sqlite import SQLiteStore
from queries.corroboration import corroborate_entity
from queries.exports import quotes_report
from queries.profiles import find_entities

WITNESS = """---
interview_id: p-07
title: "Witness 7, Belgian woman, 34, former hisbah member from Molenbeek, now in Antwerp"
interviewee: W7
date: 2017-05-02
---
Interviewer: Where did you work?

Nadia Verhoeven: I worked for the hisbah in Raqqa, on the women's patrols.

Interviewer: And later?

Nadia Verhoeven: In 2016 I left Raqqa with the smugglers.
"""


def test_quotes_reports_use_the_pseudonym_not_the_label_or_the_title(tmp_path: Path, nlp) -> None:
    path = tmp_path / "w7.md"
    path.write_text(WITNESS, encoding="utf-8")
    store = SQLiteStore(tmp_path / "g.db")
    assert ingest([path], store, nlp).added == ["p-07"]
    raqqa = next(e for e in find_entities(store, "Raqqa", "PLACE", limit=5) if e.entity.name == "Raqqa")
    c = corroborate_entity(store, raqqa.id, limit=None)
    assert c.sources and c.sources[0].pseudonym == "W7"
    for fmt in ("md", "csv"):
        report = quotes_report(c, fmt=fmt, store=store)
        assert "W7" in report and "Raqqa" in report
        for secret in ("Nadia", "Verhoeven", "Molenbeek", "Antwerp", "Belgian woman"):
            assert secret not in report, (fmt, secret)
    # An admin who asks for attributes gets the label and the title as written.
    full = quotes_report(c, fmt="md", store=store, include_attributes=True)
    assert "Nadia Verhoeven" in full and "Molenbeek" in full
