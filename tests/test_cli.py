"""The command line: help for every verb, docs kept true, errors without tracebacks."""
from __future__ import annotations

from pathlib import Path

import pytest

from graph_builder.cli import build_parser, help_markdown, main

DOCS = Path(__file__).resolve().parents[1] / "docs" / "cli.md"


def test_every_verb_has_help(capsys) -> None:
    verbs = ["ingest", "stats", "search", "entities", "entity", "export", "extract", "evaluate", "serve"]
    for verb in verbs:
        with pytest.raises(SystemExit) as exit_:
            build_parser().parse_args([verb, "--help"])
        assert exit_.value.code == 0
        assert f"testimony {verb}" in capsys.readouterr().out


def test_docs_reproduce_the_help(monkeypatch) -> None:
    monkeypatch.setenv("COLUMNS", "100")
    assert DOCS.read_text() == help_markdown(), (
        "docs/cli.md is stale: run `python -m graph_builder.cli --help-markdown > docs/cli.md`")


def test_serving_beyond_localhost_needs_accounts_and_tls(monkeypatch, capsys, tmp_path) -> None:
    from graph_builder import accounts

    users = tmp_path / "users.json"
    monkeypatch.setenv("TESTIMONY_USERS", str(users))
    assert main(["serve", "--host", "0.0.0.0"]) == 2
    assert "without accounts" in capsys.readouterr().err
    accounts.add("lead", "a fictional passphrase", "admin", users)
    assert main(["serve", "--host", "0.0.0.0"]) == 2
    assert "plain HTTP" in capsys.readouterr().err
    assert main(["serve", "--host", "0.0.0.0", "--tls-cert", str(tmp_path / "no.pem"),
                 "--tls-key", str(tmp_path / "no.key")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_bad_backend_setting_is_a_clear_error(monkeypatch, capsys) -> None:
    monkeypatch.setenv("TESTIMONY_BACKEND", "postgres")
    assert main(["stats"]) == 2
    assert "use 'sqlite' or 'neo4j'" in capsys.readouterr().err


def test_extract_prints_json_lines_resolved_across_the_files(capsys, nlp) -> None:
    import json

    from tests.conftest import SAMPLE_CORPUS

    files = sorted(str(p) for p in SAMPLE_CORPUS.iterdir()
                   if p.suffix in {".md", ".txt", ".json", ".srt", ".vtt", ".docx", ".pdf"}
                   and p.name != "README.md")
    assert main(["extract", *files]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert {r["kind"] for r in rows} == {"mention", "link", "theme"}
    assert {r["file"] for r in rows} <= set(files)
    for r in rows:
        if r["kind"] == "mention":
            assert r["type"] in {"PERSON", "PLACE", "ORG", "ROLE", "GROUP", "EVENT"}
            assert r["end"] > r["start"] and r["canonical"]
        elif r["kind"] == "link":
            assert r["source"] and r["target"] and r["end"] > r["start"]
        else:
            assert r["theme"] and r["end"] > r["start"]
    # Raqqa and Raqqah resolve to one name across files; the two men called Abu Omar do not.
    canon = {r["text"]: r["canonical"] for r in rows if r["kind"] == "mention" and r["type"] == "PLACE"}
    assert canon["Raqqah"] == canon["Raqqa"]
    abu_omar = {r["canonical"] for r in rows if r["kind"] == "mention" and r["text"] == "Abu Omar"}
    assert len(abu_omar) == 2


def test_extract_reports_an_unreadable_file_and_goes_on(tmp_path, capsys, nlp) -> None:
    good = tmp_path / "good.md"
    good.write_text("Q: Where?\nA: In Raqqah, with the hisbah. (FICTIONAL)\n", encoding="utf-8")
    (tmp_path / "empty.txt").write_text("")
    assert main(["extract", str(tmp_path / "empty.txt"), str(good)]) == 1
    out, err = capsys.readouterr()
    assert "FAILED" in err and "empty.txt" in err
    rows = [__import__("json").loads(line) for line in out.splitlines()]
    assert rows and {r["file"] for r in rows} == {str(good)}
