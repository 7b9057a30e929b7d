"""The served app, attacked over HTTP from real clients (urllib, a WebSocket client, Chromium):
nothing answers without a sign-in, wrong passwords are slowed and logged by the server, the
recording streams only to a signed-in session and only from its folder, the app will not run
beyond this machine without accounts and TLS, and it calls nobody.

Accounts, passwords, names and the recording here are FICTIONAL.
"""
from __future__ import annotations

import http.client
import http.cookiejar
import json
import os
import socket
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from graph_builder import accounts, audit
from graph_builder.sessions import LOCKOUT_AFTER, LoginThrottle, Sessions
from tests.test_e2e_browser import _copy, _idle, browser_page, running_app

REPO = Path(__file__).resolve().parents[1]
PASSWORDS = {"rami": "reader passphrase 1", "amira": "analyst passphrase 1",
             "lead": "admin passphrase 12"}
PAGES = ["/", "/?q=Raqqa", "/entity", "/entity?entity=PLACE:raqqa", "/interview", "/corroboration",
         "/timeline", "/network", "/export", "/curation", "/audit"]


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *a, **k):  # noqa: ANN002, ANN003, ANN201
        return None


def _opener(jar: http.cookiejar.CookieJar | None = None, context: ssl.SSLContext | None = None):
    handlers: list = [NoRedirect()]
    if jar is not None:
        handlers.append(urllib.request.HTTPCookieProcessor(jar))
    if context is not None:
        handlers.append(urllib.request.HTTPSHandler(context=context))
    return urllib.request.build_opener(*handlers)


def _get(opener, url: str, headers: dict | None = None) -> tuple[int, dict, bytes]:
    req = urllib.request.Request(url, headers=headers or {})
    try:
        with opener.open(req, timeout=10) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


def _sign_in(opener, url: str, name: str, password: str, next_path: str = "/") -> tuple[int, dict]:
    data = urllib.parse.urlencode({"account": name, "password": password, "next": next_path}).encode()
    req = urllib.request.Request(f"{url}/signin", data=data, method="POST")
    try:
        with opener.open(req, timeout=20) as r:
            return r.status, dict(r.headers)
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers)


def _team(tmp_path: Path) -> Path:
    path = tmp_path / "users.json"
    for (name, password), role in zip(PASSWORDS.items(), ("reader", "analyst", "admin")):
        accounts.add(name, password, role, path)
    return path


def _recorded_interview(db, tmp_path: Path) -> tuple[str, Path]:  # noqa: ANN001
    """An interview of the sample store (a file, or an open store) whose metadata names a
    recording, with a fictional recording of 200 kB put under a media root."""
    from graph_builder.store.sqlite import SQLiteStore

    store = SQLiteStore(db) if isinstance(db, Path) else db
    try:
        summary = next(s for s in store.interviews() if s.media_file)
    finally:
        if isinstance(db, Path):
            store.close()
    media = tmp_path / "media" / Path(summary.media_file).name
    media.parent.mkdir(parents=True, exist_ok=True)
    media.write_bytes(bytes(range(256)) * 800)
    return summary.id, media


def _serve_team(db: Path, tmp_path: Path, store=None, server=None):  # noqa: ANN001, ANN202
    users = _team(tmp_path)
    interview_id, media = _recorded_interview(store if store is not None else db, tmp_path)
    env = {"TESTIMONY_USERS": str(users), "TESTIMONY_AUDIT": str(tmp_path / "audit.db"),
           "TESTIMONY_MEDIA_ROOT": str(media.parent)}
    if server is not None:  # the app on Neo4j
        env.update(TESTIMONY_BACKEND="neo4j", NEO4J_URI=server.uri, NEO4J_USER=server.user,
                   NEO4J_PASSWORD=server.password, NEO4J_DATABASE=server.database)
    return running_app(db, tmp_path / "server.log", **env), interview_id, media


@pytest.fixture()
def team_app(sample_db, tmp_path):
    app, interview_id, media = _serve_team(_copy(sample_db, tmp_path / "served.db"), tmp_path)
    with app as url:
        yield url, interview_id, media, tmp_path


@pytest.fixture(params=["sqlite", pytest.param("neo4j", marks=pytest.mark.neo4j)])
def team_app_each_store(request, sample_db, tmp_path):
    """The served app with accounts, on each store in turn (the sample corpus)."""
    if request.param == "sqlite":
        app, interview_id, media = _serve_team(_copy(sample_db, tmp_path / "served.db"), tmp_path)
    else:
        from tests.conftest import _open_corpus_store

        store = _open_corpus_store("neo4j", request)
        server = request.getfixturevalue("neo4j_server")
        app, interview_id, media = _serve_team(tmp_path / "unused.db", tmp_path, store, server)
        store.close()
    with app as url:
        yield url, interview_id, media, tmp_path


def _websocket_refused(url: str, cookie: str | None = None) -> bool:
    """Whether the app's WebSocket (what carries every page) refuses the handshake."""
    from websockets.exceptions import InvalidStatus
    from websockets.sync.client import connect

    headers = {"Origin": url, **({"Cookie": cookie} if cookie else {})}
    try:
        with connect(url.replace("http", "ws", 1) + "/_stcore/stream", additional_headers=headers,
                     open_timeout=10, subprotocols=["streamlit"]) as ws:
            ws.close()
            return False
    except InvalidStatus as exc:
        return exc.response.status_code in (401, 403)


def test_without_a_session_nothing_answers_but_the_sign_in_page(team_app_each_store) -> None:
    url, interview_id, media, _ = team_app_each_store
    plain = _opener()
    for path in PAGES:  # every page, deep links included: the sign-in page, keeping the target
        status, headers, _ = _get(plain, url + path)
        assert status == 303, (path, status)
        location = headers["location"]
        assert location.startswith("/signin?next=")
        assert urllib.parse.unquote(location.split("next=", 1)[1]) == path
    for path in ("/_stcore/metrics", f"/recordings/{interview_id}", "/media/0123456789abcdef.mp4",
                 "/media/0123456789abcdef.md", "/_stcore/host-config", "/_stcore/upload_file/x/y",
                 "/static/js/index.js", "/component/x/index.html"):
        status, _, body = _get(plain, url + path)
        assert status == 401, (path, status)
        assert b"Sign in first" in body
    assert _websocket_refused(url)
    status, _, body = _get(plain, url + "/signin?next=/network")
    assert status == 200 and b'type=password' in body and b"/network" in body
    assert _get(plain, url + "/_stcore/health")[0] == 200  # for a proxy's health check

    # Signed in, the same requests answer, and the session lasts across page loads
    jar = http.cookiejar.CookieJar()
    signed = _opener(jar)
    status, headers = _sign_in(signed, url, "rami", PASSWORDS["rami"], "/network")
    assert status == 303 and headers["location"] == "/network"
    cookie = next(c for c in jar if c.name == "testimony_session")
    set_cookie = headers["set-cookie"]
    assert "HttpOnly" in set_cookie and "SameSite=Strict" in set_cookie
    assert "Max-Age" not in set_cookie and "expires" not in set_cookie.lower()  # a browser session
    for path in ("/", "/network", "/entity?entity=PLACE:raqqa", "/_stcore/metrics"):
        assert _get(signed, url + path)[0] == 200, path
    assert not _websocket_refused(url, f"testimony_session={cookie.value}")
    # the recording, in byte ranges from disk
    status, headers, body = _get(signed, f"{url}/recordings/{interview_id}",
                                 {"Range": "bytes=1000-1999"})
    assert status == 206 and body == media.read_bytes()[1000:2000]
    assert headers["content-range"] == f"bytes 1000-1999/{media.stat().st_size}"

    # Signed out: the cookie is worth nothing, even replayed by hand
    _get(signed, url + "/signout")
    replay = _opener()
    headers = {"Cookie": f"testimony_session={cookie.value}"}
    assert _get(replay, f"{url}/recordings/{interview_id}", headers)[0] == 401
    assert _get(replay, url + "/_stcore/metrics", headers)[0] == 401
    assert _websocket_refused(url, f"testimony_session={cookie.value}")


def test_wrong_passwords_are_slowed_by_the_server_and_logged(team_app) -> None:
    url, _, _, tmp_path = team_app
    opener = _opener()
    started = time.monotonic()
    outcomes = [_sign_in(opener, url, "amira", f"guess number {i}")[0] for i in range(12)]
    elapsed = time.monotonic() - started
    checked = outcomes.count(401)
    # one attempt checked, then refused unchecked while the server's wait runs (HTTP 429)
    assert checked <= 2 and outcomes.count(429) >= 10, outcomes
    assert elapsed < 30
    # the right password, while the wait runs, is refused too: nothing is even checked
    assert _sign_in(opener, url, "amira", PASSWORDS["amira"])[0] == 429
    # another account from the same address is held by the address's wait
    assert _sign_in(opener, url, "lead", PASSWORDS["lead"])[0] == 429
    entries, _ = audit.entries(path=tmp_path / "audit.db", limit=100)
    actions = [e.action for e in entries]
    assert actions.count("signin failed") == checked
    assert actions.count("signin refused") == len(outcomes) - checked + 2
    assert all(e.address == "127.0.0.1" and e.subject in ("amira", "lead") for e in entries)
    assert "guess number" not in (tmp_path / "server.log").read_text()  # passwords never logged
    assert "failed sign-in for account:amira" in (tmp_path / "server.log").read_text()


def test_throttle_waits_double_then_lock_out() -> None:
    now = [1000.0]
    throttle = LoginThrottle(clock=lambda: now[0])
    key = "address:198.51.100.7"
    assert throttle.wait(key) == 0
    assert [throttle.failed(key) for _ in range(3)] == [1.0, 2.0, 4.0]
    assert throttle.wait(key) == 4.0
    now[0] += 4.0
    assert throttle.wait(key) == 0  # the wait is over: one more try
    for _ in range(LOCKOUT_AFTER - 3):
        throttle.failed(key)
    assert throttle.wait(key) >= 15 * 60  # locked out
    assert throttle.wait("address:192.0.2.1") == 0  # another address is not
    throttle.succeeded(key)
    assert throttle.wait(key) == 0


def test_sessions_end_when_idle_and_at_most_after_a_working_day() -> None:
    now = [0.0]
    sessions = Sessions(clock=lambda: now[0])
    token = sessions.open("rami", "reader", "127.0.0.1")
    now[0] += 3600
    assert sessions.get(token).account == "rami"  # an hour later, in use: alive
    now[0] += 2 * 3600 + 1
    assert sessions.get(token) is None  # two idle hours: over
    token = sessions.open("rami", "reader", "127.0.0.1")
    for _ in range(13):
        now[0] += 3600
        sessions.get(token)
    assert sessions.get(token) is None  # twelve hours after sign-in, however busy
    assert sessions.get("forged-token") is None and sessions.get(None) is None


def test_a_recording_is_served_only_from_its_folder(sample_db, tmp_path, monkeypatch) -> None:
    """media_file: ../../../../etc/passwd, or a link out of the media root, gets nothing."""
    import sqlite3

    db = _copy(sample_db, tmp_path / "media.db")
    interview_id, media = _recorded_interview(db, tmp_path)
    outside = tmp_path / "elsewhere.mp4"
    outside.write_bytes(b"not the recording")
    (media.parent / "link.mp4").symlink_to(outside)
    with sqlite3.connect(db) as c:
        c.execute("UPDATE interview SET media_file = ? WHERE id = ?",
                  ("../../../../../../../../etc/hostname", interview_id))
        other = c.execute("SELECT id FROM interview WHERE id != ? LIMIT 1", (interview_id,)).fetchone()[0]
        c.execute("UPDATE interview SET media_file = ? WHERE id = ?", ("link.mp4", other))
        third = c.execute("SELECT id FROM interview WHERE id NOT IN (?, ?) LIMIT 1",
                          (interview_id, other)).fetchone()[0]
        c.execute("UPDATE interview SET media_file = ? WHERE id = ?", (str(outside), third))
    with running_app(db, tmp_path / "server.log", TESTIMONY_MEDIA_ROOT=str(media.parent)) as url:
        plain = _opener()
        for iid in (interview_id, other, third):
            status, _, body = _get(plain, f"{url}/recordings/{iid}")
            assert status == 404 and b"no playable recording" in body, (iid, body)
        assert _get(plain, f"{url}/recordings/no-such-interview")[0] == 404


def _self_signed(tmp_path: Path) -> tuple[Path, Path]:
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    try:
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                        "-subj", "/CN=localhost", "-addext",
                        "subjectAltName=IP:127.0.0.1,DNS:localhost",
                        "-keyout", str(key), "-out", str(cert)],
                       check=True, capture_output=True, timeout=60)
    except FileNotFoundError:  # a failure, never a skip
        pytest.fail("openssl is needed to make the test certificate: apt-get install openssl")
    return cert, key


def _serve(args: list[str], env: dict[str, str], timeout: float = 60) -> subprocess.CompletedProcess:
    environ = {**os.environ, **env}
    environ.pop("NEO4J_URI", None)
    return subprocess.run([sys.executable, "-m", "streamlit", "run", "streamlit_app.py",
                           "--server.headless", "true", *args], cwd=REPO, env=environ,
                          capture_output=True, text=True, timeout=timeout)


def test_beyond_localhost_the_app_will_not_start_without_accounts_and_tls(sample_db, tmp_path) -> None:
    from tests.test_e2e_browser import _free_port

    env = {"TESTIMONY_DB": str(sample_db), "TESTIMONY_USERS": str(tmp_path / "none.json"),
           "TESTIMONY_AUDIT": str(tmp_path / "audit.db")}
    beyond = ["--server.address", "0.0.0.0", "--server.port", str(_free_port())]
    # `streamlit run` directly, not only `testimony serve`
    done = _serve(beyond, env)
    assert done.returncode != 0 and "without accounts" in done.stdout + done.stderr
    env["TESTIMONY_USERS"] = str(_team(tmp_path))
    done = _serve(beyond, env)
    assert done.returncode != 0 and "plain HTTP" in done.stdout + done.stderr
    # `testimony serve` says the same before starting anything
    from graph_builder.cli import main
    assert main(["serve", "--host", "0.0.0.0", "--headless"]) != 0


def test_over_tls_beyond_localhost_with_accounts(sample_db, tmp_path) -> None:
    cert, key = _self_signed(tmp_path)
    users = _team(tmp_path)
    ctx = ssl.create_default_context(cafile=str(cert))
    with running_app(sample_db, tmp_path / "server.log", tls=True,
                     extra_args=("--server.address", "0.0.0.0", "--server.sslCertFile", str(cert),
                                 "--server.sslKeyFile", str(key)),
                     TESTIMONY_USERS=str(users)) as url:
        assert url.startswith("https://")
        jar = http.cookiejar.CookieJar()
        opener = _opener(jar, ctx)  # the certificate verified, not waved through
        assert _get(opener, url + "/")[0] == 303
        status, headers = _sign_in(opener, url, "lead", PASSWORDS["lead"])
        assert status == 303 and "Secure" in headers["set-cookie"]
        assert _get(opener, url + "/")[0] == 200
        # plain HTTP on the same port is no way in
        with pytest.raises((urllib.error.URLError, ConnectionError, http.client.RemoteDisconnected)):
            urllib.request.urlopen(url.replace("https", "http", 1) + "/", timeout=10).read()
    # a request relayed by a proxy over plain HTTP counts as from beyond: refused
    with running_app(sample_db, tmp_path / "server2.log", TESTIMONY_USERS=str(users)) as url:
        status, _, body = _get(_opener(), url + "/", {"X-Forwarded-For": "203.0.113.50"})
        assert status == 403 and b"plain HTTP" in body


# A `sitecustomize` on the server's path installs an audit hook (PEP 578) that records every
# socket connection and name lookup the server process attempts, whoever makes it.
RECORDER = '''
import json, os, sys
_log = os.environ["TESTIMONY_CONNECT_LOG"]
def _hook(event, args):
    if event in ("socket.connect", "socket.getaddrinfo", "socket.sendto", "socket.gethostbyname",
                 "socket.bind"):
        target = args[1] if event in ("socket.connect", "socket.sendto", "socket.bind") else args[0]
        host = target[0] if isinstance(target, tuple) else target
        with open(_log, "a") as fh:
            fh.write(json.dumps([event, str(host)]) + "\\n")
sys.addaudithook(_hook)
'''


def _outside(log: Path) -> list:
    attempts = [json.loads(line) for line in log.read_text().splitlines() if line.strip()]
    local = ("127.", "::1", "localhost", "0.0.0.0", "/")
    return [a for a in attempts if a[0] != "socket.bind"
            and a[1] not in ("None", "") and not a[1].startswith(local)]


def test_served_beyond_localhost_the_app_calls_nobody(sample_db, tmp_path) -> None:
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(RECORDER, encoding="utf-8")
    connects = tmp_path / "connects.jsonl"
    connects.write_text("", encoding="utf-8")
    cert, key = _self_signed(tmp_path)
    env = {"PYTHONPATH": os.pathsep.join([str(hook), str(REPO)]),
           "TESTIMONY_CONNECT_LOG": str(connects), "TESTIMONY_USERS": str(_team(tmp_path))}
    with running_app(sample_db, tmp_path / "server.log", tls=True,
                     extra_args=("--server.address", "0.0.0.0", "--server.sslCertFile", str(cert),
                                 "--server.sslKeyFile", str(key)), **env) as url, \
            browser_page(ignore_https_errors=True) as page:
        # a foreign Origin is what once made Streamlit look up its external address
        ctx = ssl.create_default_context(cafile=str(cert))
        _get(_opener(context=ctx), url + "/_stcore/host-config", {"Origin": "http://203.0.113.9"})
        page.goto(url + "/network")
        page.fill("input[name=account]", "lead")
        page.fill("input[name=password]", PASSWORDS["lead"])
        page.click("button[type=submit]")
        page.frame_locator("iframe").locator("circle.node").first.wait_for()
        for path in ("/", "/timeline", "/corroboration", "/audit"):
            page.goto(url + path)
            _idle(page)
        time.sleep(1.0)
    # the hook saw the server's own socket bound to every address: it watched the process
    assert ["socket.bind", "0.0.0.0"] in [json.loads(x) for x in connects.read_text().split("\n") if x]
    assert _outside(connects) == []


def test_each_role_gets_what_it_may_in_the_browser(team_app) -> None:
    url, interview_id, _, tmp_path = team_app
    with browser_page() as page:
        def sign_in(name: str, target: str) -> None:
            page.context.clear_cookies()
            page.goto(url + target)
            page.fill("input[name=account]", name)
            page.fill("input[name=password]", PASSWORDS[name])
            page.click("button[type=submit]")
            page.wait_for_url(f"**{target}")
            _idle(page)

        sign_in("rami", "/curation")
        main = page.locator('[data-testid="stMain"]')
        main.get_by_text("Curation needs an analyst").wait_for()
        assert page.locator('[data-testid="stSidebarNav"]').get_by_text("Audit").count() == 0
        assert page.get_by_text("Signed in as").count() == 1
        page.goto(url + "/corroboration")
        _idle(page)
        box = page.get_by_label("Include identifying attributes", exact=False)
        if box.count():
            assert box.is_disabled()
        page.goto(url + "/?q=Raqqa")
        _idle(page)

        sign_in("amira", "/curation")
        page.get_by_text("Decisions are logged as").wait_for()
        assert "amira" in page.get_by_text("Decisions are logged as").inner_text()

        sign_in("lead", "/audit")
        page.get_by_text("Audit log").first.wait_for()
        page.get_by_text("the chain of all").wait_for()
    entries, _ = audit.entries(path=tmp_path / "audit.db", limit=200)
    seen = {(e.actor, e.action) for e in entries}
    assert {("rami", "signin"), ("rami", "search"), ("amira", "signin"), ("lead", "signin"),
            ("lead", "read audit log")} <= seen, seen
    assert any(e.actor == "rami" and e.action == "search" and e.subject == "Raqqa" for e in entries)
    assert audit.verify(tmp_path / "audit.db")[1] is None
