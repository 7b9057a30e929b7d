"""The served app over HTTP from a real client: no outbound call at start or while serving,
and no page without the password beyond localhost.

A `sitecustomize` put on the server's path records every socket connection the server process
attempts; the test then asserts that none went anywhere but this machine.
"""
from __future__ import annotations

import json
import os
import socket
import time
import urllib.request
from pathlib import Path

from app_pages.login import LOCKOUT_AFTER, LoginThrottle
from tests.test_e2e_browser import running_app

REPO = Path(__file__).resolve().parents[1]

RECORDER = '''
import json, os, socket
_log = os.environ["TESTIMONY_CONNECT_LOG"]
_connect = socket.socket.connect
def connect(self, address):
    with open(_log, "a") as fh:
        fh.write(json.dumps([self.family, str(address[0]) if isinstance(address, tuple) else str(address)]) + "\\n")
    return _connect(self, address)
socket.socket.connect = connect
'''


def test_served_on_every_address_the_app_calls_nobody(tmp_path: Path, sample_db: Path) -> None:
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(RECORDER, encoding="utf-8")
    connects = tmp_path / "connects.jsonl"
    connects.write_text("", encoding="utf-8")
    env = {"PYTHONPATH": os.pathsep.join([str(hook), str(REPO)]),
           "TESTIMONY_CONNECT_LOG": str(connects), "TESTIMONY_APP_PASSWORD": "correct horse"}
    with running_app(sample_db, tmp_path / "server.log", launcher="graph_builder.app_server",
                     extra_args=("--server.address", "0.0.0.0"), **env) as url:
        # a page, a health check, and a request with a foreign Origin (what made Streamlit
        # look up its external address to compare)
        for path, headers in (("/", {}), ("/_stcore/health", {}),
                              ("/_stcore/host-config", {"Origin": "http://203.0.113.9"})):
            req = urllib.request.Request(url + path, headers=headers)
            try:
                urllib.request.urlopen(req, timeout=5).read()
            except urllib.error.HTTPError:
                pass
        time.sleep(1.5)
    attempts = [json.loads(line) for line in connects.read_text().splitlines() if line.strip()]
    outside = [a for fam, a in attempts if fam in (socket.AF_INET, socket.AF_INET6)
               and not (a.startswith("127.") or a in ("::1", "localhost"))]
    assert outside == [], outside


def test_served_beyond_localhost_without_a_password_renders_nothing(app_env, monkeypatch) -> None:
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(REPO / "streamlit_app.py"), default_timeout=60)
    monkeypatch.delenv("TESTIMONY_APP_PASSWORD", raising=False)
    from streamlit import config
    old = config.get_option("server.address")
    config.set_option("server.address", "0.0.0.0")
    try:
        at.run()
    finally:
        config.set_option("server.address", old)
    assert not at.exception, at.exception
    assert any("without accounts or a password" in e.value for e in at.error)
    assert not at.text_input and not at.get("iframe") and not at.sidebar.markdown


def test_wrong_passwords_are_throttled_by_the_server_then_locked_out() -> None:
    now = [1000.0]
    throttle = LoginThrottle(clock=lambda: now[0])
    address = "198.51.100.7"
    assert throttle.wait(address) == 0
    waits = [throttle.failed(address) for _ in range(3)]
    assert waits == [1.0, 2.0, 4.0] and throttle.wait(address) == 4.0
    now[0] += 4.0
    assert throttle.wait(address) == 0  # the wait is over: one more try
    for _ in range(LOCKOUT_AFTER - 3):
        throttle.failed(address)
    assert throttle.wait(address) >= 15 * 60  # locked out
    assert throttle.wait("192.0.2.1") == 0  # another address is not
    throttle.succeeded(address)
    assert throttle.wait(address) == 0


def test_the_login_form_refuses_a_throttled_attempt_without_checking_it(app_env, monkeypatch) -> None:
    from streamlit.testing.v1 import AppTest

    import streamlit as st

    monkeypatch.setenv("TESTIMONY_APP_PASSWORD", "correct horse")
    st.cache_resource.clear()
    at = AppTest.from_file(str(REPO / "streamlit_app.py"), default_timeout=60)
    at.run()
    at.text_input(key="login_password").input("wrong")
    at.button[0].click().run()
    assert any("Wrong password" in e.value for e in at.error)
    # At once again, with the right password: refused unchecked, the wait still running.
    at.text_input(key="login_password").input("correct horse")
    at.button[0].click().run()
    assert any("try again in" in e.value for e in at.error)
    assert not at.session_state["authenticated"] if "authenticated" in at.session_state else True
    st.cache_resource.clear()
