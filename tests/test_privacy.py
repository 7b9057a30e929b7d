"""Pseudonym-safe by construction: every export and report names witnesses by their keyed
code, and carries none of their real names, relatives, streets or numbers; a group of one is
never exported.

The witnesses here are FICTIONAL, written for these tests.
"""
from __future__ import annotations

from pathlib import Path

from graph_builder.load import ingest
from graph_builder.store.sqlite import SQLiteStore
from queries.corroboration import corroborate_entity
from queries.exports import quotes_report
from queries.profiles import find_entities
from queries.redaction import witness_code

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
    code = witness_code("W7")
    assert code.startswith("W-") and len(code) == 8 and code == witness_code("w7 ")
    for fmt in ("md", "csv"):
        report = quotes_report(c, fmt=fmt, store=store)
        assert code in report and "Raqqa" in report
        for secret in ("W7", "Nadia", "Verhoeven", "Molenbeek", "Antwerp", "Belgian woman"):
            assert secret not in report, (fmt, secret)
    # An admin who asks for attributes gets the label and the title as written.
    full = quotes_report(c, fmt="md", store=store, include_attributes=True)
    assert "Nadia Verhoeven" in full and "Molenbeek" in full


def test_an_export_of_a_group_of_one_is_refused(sample_db, tmp_path: Path, monkeypatch, capsys) -> None:
    from graph_builder.cli import main

    monkeypatch.setenv("TESTIMONY_DB", str(sample_db))
    monkeypatch.setenv("TESTIMONY_BACKEND", "sqlite")
    monkeypatch.delenv("NEO4J_URI", raising=False)
    out = tmp_path / "one.gexf"
    status = main(["export", str(out), "--status", "family member"])
    assert status != 0 and not out.exists()
    assert "single anyone out" in capsys.readouterr().err
    # the whole network, unfiltered, is no group of anyone
    assert main(["export", str(out)]) == 0 and out.exists()
    # a team that decides so can lower the floor
    monkeypatch.setenv("TESTIMONY_MIN_GROUP", "1")
    assert main(["export", str(tmp_path / "ok.gexf"), "--status", "family member"]) == 0


FAMILY = """---
interview_id: p-08
interviewee: W8
---
Interviewer: Who came with you?

W8: My brother Youssef Benali came with me to Raqqa. We lived on the Dambruggestraat before,
in Antwerp. You can call my cousin on +32 470 12 34 56.

Interviewer: And in Raqqa?

W8: Youssef Benali joined the hisbah in Raqqa. Abu Hamza was his emir.
"""


def test_exports_and_reports_carry_no_listed_name_nor_phone_number(tmp_path: Path, nlp, monkeypatch) -> None:
    import networkx as nx

    from queries import render
    from queries.exports import GRAPH_FORMATS, export_graph, gexf
    from queries.network import cooccurrence_graph, network_data
    from graph_builder.store.base import NetworkQuery

    listed = tmp_path / "redact.txt"
    listed.write_text("# the witness's family and street\nYoussef Benali\nDambruggestraat\n", encoding="utf-8")
    monkeypatch.setenv("TESTIMONY_REDACT", str(listed))
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "w8.md").write_text(FAMILY, encoding="utf-8")
    store = SQLiteStore(tmp_path / "g.db")
    ingest([tmp_path / "c"], store, nlp)
    graph = cooccurrence_graph(store)
    assert any("Youssef" in d.get("name", "") for _, d in graph.nodes(data=True))  # the app sees it
    secrets = ("Youssef", "Benali", "youssef", "Dambruggestraat", "dambruggestraat", "470 12 34")
    written: list[Path] = []
    for fmt in GRAPH_FORMATS:
        written += export_graph(graph, tmp_path / f"net.{fmt}", fmt, store=store)
    files = {p.name: p.read_bytes() for p in written}
    files["store.gexf"] = gexf(network_data(store, NetworkQuery(max_nodes=None)), store=store)
    for fmt in ("gexf", "html", "svg", "graphml", "cytoscape"):
        files[f"download.{fmt}"] = render.download_bytes(graph, fmt, store=store,
                                                         positions=render.layout(graph))
    for name, data in files.items():
        if name.endswith(".png"):
            continue  # pixels: the labels are drawn from the same redacted graph
        text = data.decode("utf-8", errors="replace")
        for secret in secrets:
            assert secret not in text, (name, secret)
    back = nx.read_gexf(tmp_path / "net.gexf")
    assert "[redacted]" in {d.get("label") for _, d in back.nodes(data=True)}
    assert {"Raqqa", "hisbah"} & {d.get("label") for _, d in back.nodes(data=True)}  # the rest stays
    # quotes reports: the words are marked as taken out
    raqqa = next(e for e in find_entities(store, "Raqqa", "PLACE", limit=5) if e.entity.name == "Raqqa")
    for fmt in ("md", "csv"):
        report = quotes_report(corroborate_entity(store, raqqa.id, limit=None), fmt=fmt, store=store)
        assert "redacted" in report and not any(s in report for s in secrets), fmt  # md escapes the brackets


WITNESS_WITH_A_NAME = """---
interview_id: fatima-benali-2017
title: "Witness 9, Belgian woman, 34, former hisbah member from Molenbeek"
real_name: Fatima Benali
relatives: [Youssef Benali, Karim El Idrissi]
address: Dambruggestraat 14, Antwerp
phone: +32 470 99 88 77
---
Interviewer: Tell me about your family.

Fatima Benali: My husband Karim El Idrissi took us to Raqqa in 2014. My brother Youssef Benali
joined the hisbah there; Abu Hamza was his emir. Before that we lived at Dambruggestraat 14.

Interviewer: Did anyone call you Umm Youssef?

Fatima Benali: Yes, in Raqqa I was Umm Youssef. Karim El Idrissi fought in Tabqa.
"""


def test_a_witness_named_in_metadata_and_text_leaves_in_no_export(tmp_path: Path, nlp,
                                                                    monkeypatch, capsys) -> None:
    """With defaults (no redaction list): the real name (which is also the speaker label and
    the file's id), the relatives and the street of the metadata, in every format and report."""
    import networkx as nx

    from graph_builder.cli import main
    from queries import render
    from queries.exports import GRAPH_FORMATS, export_graph, gexf
    from queries.network import cooccurrence_graph, network_data
    from graph_builder.store.base import NetworkQuery

    monkeypatch.delenv("TESTIMONY_REDACT", raising=False)
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "w9.md").write_text(WITNESS_WITH_A_NAME, encoding="utf-8")
    db = tmp_path / "g.db"
    store = SQLiteStore(db)
    assert ingest([tmp_path / "c"], store, nlp).added == ["fatima-benali-2017"]
    graph = cooccurrence_graph(store)
    names = {d.get("name", "") for _, d in graph.nodes(data=True)}
    assert {"Youssef Benali", "Karim El Idrissi"} & names  # the app, behind its sign-in, sees them
    secrets = ("Fatima", "Benali", "benali", "Youssef", "Karim", "Idrissi", "idrissi",
               "Dambruggestraat", "dambruggestraat", "470 99", "Molenbeek")
    files: dict[str, bytes] = {}
    for fmt in GRAPH_FORMATS:
        for p in export_graph(graph, tmp_path / f"net.{fmt}", fmt, store=store):
            files[p.name] = p.read_bytes()
    files["store.gexf"] = gexf(network_data(store, NetworkQuery(max_nodes=None)), store=store)
    for fmt in ("gexf", "html", "svg", "graphml", "cytoscape", "csv"):
        files[f"download.{fmt}"] = render.download_bytes(graph, fmt, store=store,
                                                         positions=render.layout(graph))
    code = witness_code("Fatima Benali")
    raqqa = next(e for e in find_entities(store, "Raqqa", "PLACE", limit=5) if e.entity.name == "Raqqa")
    for fmt in ("md", "csv"):
        files[f"report.{fmt}"] = quotes_report(corroborate_entity(store, raqqa.id, limit=None),
                                               fmt=fmt, store=store).encode()
    # and the terminal's: a report, a turn's similar accounts, an export
    monkeypatch.setenv("TESTIMONY_DB", str(db))
    monkeypatch.setenv("TESTIMONY_BACKEND", "sqlite")
    monkeypatch.setenv("TESTIMONY_MIN_GROUP", "1")
    monkeypatch.delenv("NEO4J_URI", raising=False)
    capsys.readouterr()
    assert main(["corroborate", raqqa.id]) == 0
    assert main(["export", str(tmp_path / "cli.gexf")]) == 0
    files["cli"] = capsys.readouterr().out.encode() + (tmp_path / "cli.gexf").read_bytes()
    for name, data in files.items():
        if name.endswith(".png") or name.endswith(".zip"):
            continue  # pixels and a zip of the same CSV: drawn from the same redacted graph
        text = data.decode("utf-8", errors="replace")
        for secret in secrets:
            assert secret not in text, (name, secret)
    assert code in files["report.csv"].decode() and code in files["cli"].decode()
    back = nx.read_gexf(tmp_path / "net.gexf")
    labels = {d.get("label") for _, d in back.nodes(data=True)}
    assert "[redacted]" in labels and {"Raqqa", "Hisbah", "Tabqa"} <= labels  # the rest stays
    # the witness's metadata is no attribute anywhere: only their code leaves
    summary = store.interviews()[0]
    assert summary.pseudonym == "Fatima Benali" and not hasattr(summary, "real_name")
    # an admin who asks for attributes gets the witness as written, never the private terms
    full = quotes_report(corroborate_entity(store, raqqa.id, limit=None), fmt="md", store=store,
                         include_attributes=True)
    assert "Fatima Benali" in full and "Dambruggestraat" not in full and "Youssef" not in full
    store.close()


def test_the_code_is_keyed_by_the_project_secret(tmp_path: Path, monkeypatch) -> None:
    secret = tmp_path / "secret.key"
    monkeypatch.setenv("TESTIMONY_SECRET_FILE", str(secret))
    first = witness_code("Umm Khaled")
    assert secret.exists() and oct(secret.stat().st_mode & 0o777) == "0o600"
    assert witness_code("Umm Khaled") == first  # stable
    monkeypatch.setenv("TESTIMONY_SECRET_FILE", str(tmp_path / "other.key"))
    assert witness_code("Umm Khaled") != first  # without the secret, nobody computes it
    monkeypatch.setenv("TESTIMONY_SECRET", "a team's shared secret")
    assert witness_code("Umm Khaled") == witness_code("Umm Khaled", b"a team's shared secret")


def test_a_witness_name_inside_someone_elses_is_left_alone() -> None:
    """A witness called "Omar" is coded where "Omar" stands alone, not in "Abu Omar" (someone
    else), "al-Omar camp" or "Saddam Omar"; private terms go wherever they stand."""
    from queries.redaction import MARK, build

    r = build([("Omar", "witness", "Omar"), ("Omar", "private", "Benali")], secret=b"fictional")
    code = r.code("Omar")
    assert r.text("Omar said the camp was full.") == f"{code} said the camp was full."
    for other in ("Abu Omar was the emir.", "They took us to al-Omar camp.",
                  "Saddam Omar ran the checkpoint.", "Omar al-Tunisi was his deputy."):
        assert r.text(other) == other
    assert r.text("Umm Benali and the Benali family") == f"Umm {MARK} and the {MARK} family"
