"""Named accounts with roles: argon2id hashes, the `testimony users` verb, the app's sign-in,
and what each role may do. Names and passwords here are FICTIONAL.
"""
from __future__ import annotations

import io
import json
import os
import stat
import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from graph_builder import accounts
from graph_builder.errors import TestimonyError

REPO = Path(__file__).resolve().parents[1]
APP = str(REPO / "streamlit_app.py")


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


@pytest.fixture()
def team(app_env, tmp_path, monkeypatch):
    path = tmp_path / "users.json"
    accounts.add("amira", "analyst passphrase 1", "analyst", path)
    accounts.add("rami", "reader passphrase 1", "reader", path)
    accounts.add("lead", "admin passphrase 12", "admin", path)
    monkeypatch.setenv("TESTIMONY_USERS", str(path))
    return path


def _sign_in(name: str, password: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert at.text_input(key="login_account") and not at.sidebar.caption
    at.text_input(key="login_account").input(name)
    at.text_input(key="login_password").input(password)
    at.button[0].click().run()
    assert not at.exception, at.exception
    return at


def test_each_person_signs_in_under_their_own_account(team) -> None:
    at = _sign_in("amira", "wrong passphrase here")
    assert any("Wrong account or password" in e.value for e in at.error)
    time.sleep(1.1)  # the server-side wait after one failure
    at.text_input(key="login_account").input("amira")
    at.text_input(key="login_password").input("analyst passphrase 1")
    at.button[0].click().run()
    assert at.session_state["account"] == "amira" and at.session_state["role"] == "analyst"
    assert any("Signed in as" in c.value and "amira" in c.value for c in at.sidebar.caption)


def test_a_reader_may_not_curate_and_an_analyst_is_logged_by_account(team) -> None:
    at = _sign_in("rami", "reader passphrase 1")
    at.switch_page("app_pages/curation.py").run()
    assert any("needs an analyst" in e.value for e in at.error)
    assert [b.label for b in at.button] == ["Sign out"]  # no decision can be taken
    at = _sign_in("amira", "analyst passphrase 1")
    at.switch_page("app_pages/curation.py").run()
    assert not at.exception, at.exception
    assert not any(t.key == "cur_who" for t in at.text_input)  # no name to type: the account
    assert any("logged as" in c.value and "amira" in c.value for c in at.caption)


def test_reports_with_attributes_need_an_admin(team, sample_store) -> None:
    from queries.profiles import find_entities

    place = find_entities(sample_store, "", "PLACE", limit=1)[0]
    for name, password, allowed in (("amira", "analyst passphrase 1", False),
                                    ("lead", "admin passphrase 12", True)):
        at = _sign_in(name, password)
        at.query_params["entity"] = place.id
        at.switch_page("app_pages/corroboration.py").run()
        assert not at.exception, at.exception
        box = at.checkbox(key="corr_attributes")
        assert box.proto.disabled is (not allowed)
