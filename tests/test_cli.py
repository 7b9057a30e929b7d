"""The command line: help for every verb, docs kept true, errors without tracebacks."""
from __future__ import annotations

import os
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


def test_serving_beyond_localhost_needs_a_password(monkeypatch, capsys) -> None:
    monkeypatch.delenv("TESTIMONY_APP_PASSWORD", raising=False)
    assert main(["serve", "--host", "0.0.0.0"]) == 2
    assert "TESTIMONY_APP_PASSWORD" in capsys.readouterr().err


def test_bad_backend_setting_is_a_clear_error(monkeypatch, capsys) -> None:
    monkeypatch.setenv("TESTIMONY_BACKEND", "postgres")
    assert main(["stats"]) == 2
    assert "use 'sqlite' or 'neo4j'" in capsys.readouterr().err
