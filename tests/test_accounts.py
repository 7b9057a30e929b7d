"""Named accounts with roles: argon2id hashes and the `testimony users` verb (the sign-in and
what each role may do in the served app: tests/test_served_app.py). Names and passwords here
are FICTIONAL.
"""
from __future__ import annotations

import io
import json
import os
import stat
from pathlib import Path

import pytest

from graph_builder import accounts
from graph_builder.errors import TestimonyError

def test_accounts_keep_only_argon2_hashes_readable_by_their_owner(tmp_path: Path) -> None:
    path = tmp_path / "users.json"
    accounts.add("amira", "a long fictional passphrase", "analyst", path)
    accounts.add("reader-1", "another long passphrase", "reader", path)
    raw = path.read_text(encoding="utf-8")
    assert "a long fictional passphrase" not in raw and "$argon2id$" in raw
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert [(a.name, a.role) for a in accounts.accounts(path)] == [("amira", "analyst"), ("reader-1", "reader")]
    assert accounts.verify("amira", "a long fictional passphrase", path).role == "analyst"
    assert accounts.verify("amira", "wrong", path) is None
    assert accounts.verify("nobody", "a long fictional passphrase", path) is None
    with pytest.raises(TestimonyError, match="12 characters"):
        accounts.add("short", "tiny", "reader", path)
    with pytest.raises(TestimonyError, match="exists"):
        accounts.add("amira", "a long fictional passphrase", "admin", path)
    accounts.passwd("amira", "a new long fictional passphrase", path)
    assert accounts.verify("amira", "a long fictional passphrase", path) is None
    assert accounts.verify("amira", "a new long fictional passphrase", path) is not None
    accounts.remove("reader-1", path)
    assert [a.name for a in accounts.accounts(path)] == ["amira"]
    assert accounts.accounts(path)[0].may("reader") and not accounts.accounts(path)[0].may("admin")


def test_the_users_verb(tmp_path: Path, monkeypatch, capsys) -> None:
    from graph_builder.cli import main

    monkeypatch.setenv("TESTIMONY_USERS", str(tmp_path / "u.json"))
    monkeypatch.setattr("sys.stdin", io.StringIO("a long fictional passphrase\n"))
    assert main(["users", "add", "amira", "--role", "admin", "--password-stdin"]) == 0
    assert main(["users", "list"]) == 0
    assert "amira\tadmin" in capsys.readouterr().out
    assert main(["users", "remove", "nobody"]) != 0
    assert json.loads((tmp_path / "u.json").read_text())["users"]["amira"]["role"] == "admin"


def test_identity_provider_accounts_have_no_password(tmp_path: Path, monkeypatch, capsys) -> None:
    from graph_builder.cli import main

    path = tmp_path / "u.json"
    monkeypatch.setenv("TESTIMONY_USERS", str(path))
    assert main(["users", "add", "Amira@Example.org", "--role", "analyst", "--oidc"]) == 0
    raw = json.loads(path.read_text())["users"]["Amira@Example.org"]
    assert raw["oidc"] is True and "hash" not in raw
    assert accounts.identity("amira@example.org", path).role == "analyst"  # any case
    assert accounts.identity("someone@example.org", path) is None
    assert accounts.verify("Amira@Example.org", "", path) is None
    monkeypatch.setattr("sys.stdin", io.StringIO("a long fictional passphrase\n"))
    assert main(["users", "passwd", "Amira@Example.org", "--password-stdin"]) != 0
    assert main(["users", "add", "not-an-address", "--oidc"]) != 0
    assert "e-mail address" in capsys.readouterr().err
    assert main(["users", "list"]) == 0
    assert "identity provider" in capsys.readouterr().out
