"""The real app in a real browser: `streamlit run` on a copy of the sample store, driven by
headless Chromium through Playwright. An analyst's path: search for a place, open it, open its
corroboration, export the network as GEXF and PNG. Screenshots go to test-artifacts/.

Never skipped: without Chromium or Playwright this fails, saying what is missing.
"""
from __future__ import annotations

import os
import re
import signal
import socket
import sqlite3
import struct
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import networkx as nx
import pytest

from queries.corroboration import corroborate_entity
from queries.profiles import entity_profile, find_entities

REPO = Path(__file__).resolve().parents[1]
ARTIFACTS = REPO / "test-artifacts"
CHROMIUM = os.environ.get("TESTIMONY_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
START_TIMEOUT = 90  # seconds for the server to answer its health check
STEP_TIMEOUT = 60_000  # milliseconds for one page to show what is expected


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def running_app(db: Path, log: Path, *, extra_args: tuple[str, ...] = (),
                tls: bool = False, port: int | None = None, **env: str) -> Iterator[str]:
    """`python -m streamlit run streamlit_app.py` on a free port; its URL (https when `tls`:
    the caller passes the certificate options). Stopped (the whole process group) in a
    finally, whatever happens. Accounts, audit log and media root come from `env` (or none)."""
    import ssl

    port = port or _free_port()
    environ = {**os.environ, "TESTIMONY_DB": str(db), "TESTIMONY_BACKEND": "sqlite",
               "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false",
               "TESTIMONY_USERS": str(log.with_name("no-users.json")),
               "TESTIMONY_AUDIT": str(log.with_name("audit.db")), **env}
    for name in ("NEO4J_URI", "TESTIMONY_CODEBOOK", "TESTIMONY_APP_PASSWORD"):
        if name not in env:
            environ.pop(name, None)
    insecure = ssl.create_default_context()
    insecure.check_hostname, insecure.verify_mode = False, ssl.CERT_NONE
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "streamlit_app.py",
             "--server.port", str(port), "--server.headless", "true", *extra_args],
            cwd=REPO, env=environ, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            url = f"{'https' if tls else 'http'}://127.0.0.1:{port}"
            deadline = time.monotonic() + START_TIMEOUT
            while True:
                if proc.poll() is not None:
                    pytest.fail(f"the app exited ({proc.returncode}):\n{log.read_text()}")
                try:
                    with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2,
                                                context=insecure if tls else None) as r:
                        if r.status == 200:
                            break
                except OSError:
                    pass
                if time.monotonic() > deadline:
                    pytest.fail(f"the app did not answer in {START_TIMEOUT}s:\n{log.read_text()}")
                time.sleep(0.3)
            yield url
        finally:
            try:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(timeout=15)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=15)


@contextmanager
def browser_page(*, ignore_https_errors: bool = False) -> Iterator:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:  # a failure, never a skip
        pytest.fail(f"playwright is not installed ({exc}): pip install -e '.[test]'")
    if not Path(CHROMIUM).exists():
        pytest.fail(f"no Chromium at {CHROMIUM}: install it (apt-get install chromium) or set "
                    "TESTIMONY_CHROMIUM to its path")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            context = browser.new_context(viewport={"width": 1400, "height": 1000},
                                          accept_downloads=True,
                                          ignore_https_errors=ignore_https_errors)
            page = context.new_page()
            page.set_default_timeout(STEP_TIMEOUT)
            yield page
        finally:
            browser.close()


def _copy(db: Path, to: Path) -> Path:
    """A copy of the sample store (the app may write: curation), via SQLite's backup."""
    with sqlite3.connect(db) as src, sqlite3.connect(to) as dst:
        src.backup(dst)
    return to


def _idle(page) -> None:
    """Wait until Streamlit has finished running the script (no "Running…" widget)."""
    page.wait_for_selector('[data-testid="stApp"]')
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=STEP_TIMEOUT)
    page.wait_for_timeout(300)


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"e2e-{name}.png"), full_page=False)


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def test_search_entity_corroboration_and_exports_in_a_browser(sample_db, sample_store, tmp_path):
    # The place to look for, from the read side: the most-named place several interviews name.
    place = next(e for e in find_entities(sample_store, "", "PLACE", limit=50)
                 if len(entity_profile(sample_store, e.id).interviews) >= 3)
    sources = corroborate_entity(sample_store, place.id, limit=10).sources  # the first page
    db = _copy(sample_db, tmp_path / "e2e.db")

    with running_app(db, tmp_path / "server.log") as url, browser_page() as page:
        # 1. Search for the place.
        page.goto(url)
        _idle(page)
        box = page.get_by_label("Words or a name", exact=True).and_(page.locator("input"))
        box.fill(place.name)
        box.press("Enter")
        page.get_by_text(re.compile(r"[\d,]+ turns?, best first")).wait_for()
        _idle(page)
        # The hits' highlighted words (rendered just after the count line; wait, not race).
        page.locator("mark").first.wait_for(timeout=30_000)
        assert page.locator("mark").count() > 0
        _shot(page, "1-search")

        # 2. Open the entity from the results.
        page.locator("a", has_text=re.compile(rf"{re.escape(place.name)} \(\d+\)")).first.click()
        page.get_by_text("Distinct interviewees").wait_for()
        _idle(page)
        assert f"entity={place.id}".replace(":", "%3A") in page.evaluate("location.search") or \
            f"entity={place.id}" in page.evaluate("decodeURIComponent(location.search)")
        _shot(page, "2-entity")

        # 3. Its corroboration: every distinct interviewee once.
        page.locator('a[href*="corroboration?entity="]').first.click()
        page.get_by_text("Independent sources").wait_for()
        page.locator("[data-source]").first.wait_for()
        _idle(page)
        shown = page.locator("[data-source]").evaluate_all(
            "els => els.map(e => e.getAttribute('data-source'))")
        assert sorted(shown) == sorted(s.pseudonym for s in sources)
        assert len(shown) == len(set(shown)) >= 3
        _shot(page, "3-corroboration")

        # 4. The network, exported as GEXF and PNG.
        page.locator('[data-testid="stSidebarNav"] a', has_text="Network").click()
        page.frame_locator("iframe").locator("circle.node").first.wait_for()
        _idle(page)
        _shot(page, "4-network")
        with page.expect_download() as gexf_dl:
            page.get_by_role("button", name=re.compile("GEXF")).click()
        gexf_path = tmp_path / gexf_dl.value.suggested_filename
        gexf_dl.value.save_as(gexf_path)
        with page.expect_download() as png_dl:
            page.get_by_role("button", name=re.compile("PNG image")).click()
        png_path = tmp_path / png_dl.value.suggested_filename
        png_dl.value.save_as(png_path)

    assert gexf_path.suffix == ".gexf" and png_path.suffix == ".png"
    graph = nx.read_gexf(gexf_path)
    assert graph.number_of_nodes() > 10 and graph.number_of_edges() > 10
    types = {d.get("type") for _, d in graph.nodes(data=True)}
    assert None not in types and {"PLACE", "PERSON"} <= types
    assert graph.nodes[place.id]["type"] == "PLACE" and graph.nodes[place.id]["label"] == place.name
    png = png_path.read_bytes()
    width, height = _png_size(png)
    assert width >= 600 and height >= 400 and len(png) > 30_000


def test_timeline_and_typed_relations_in_a_browser(sample_db, sample_store, tmp_path):
    from graph_builder.store.base import NetworkQuery

    dated = sample_store.timeline(limit=25)
    typed = sample_store.relations(NetworkQuery(max_nodes=150))
    db = _copy(sample_db, tmp_path / "e2e.db")
    with running_app(db, tmp_path / "server.log") as url, browser_page() as page:
        # The timeline: dated items, earliest first, with the witnesses' disagreement shown.
        page.goto(f"{url}/timeline")
        _idle(page)
        page.get_by_text(re.compile(r"[\d,]+ dated items?")).wait_for()
        # every item of the page drawn (each has its "Read in context" link)
        page.locator("a", has_text="Read in context").nth(len(dated.items) - 1).wait_for()
        body = page.locator('[data-testid="stMain"]').inner_text()
        first, last = dated.items[0], dated.items[-1]
        assert first.date in body and last.date in body, body[:1500]
        assert body.index(first.date) < body.rindex(last.date)
        assert "the accounts disagree" in body
        _shot(page, "6-timeline")

        # The typed relations: arrows between the entities, each saying what it is.
        page.goto(f"{url}/network")
        _idle(page)
        page.get_by_text("Typed relations", exact=True).click()
        _idle(page)
        frame = page.frame_locator("iframe")
        arrows = frame.locator('line.edge[marker-end="url(#arrow)"]')
        arrows.first.wait_for()  # the typed drawing, not the one before the click
        assert frame.locator("circle.node").count() == len(typed.nodes)
        assert arrows.count() == len({(e.source, e.target) for e in typed.edges}) > 0
        titles = frame.locator("line.edge title").evaluate_all("els => els.map(e => e.textContent)")
        assert any("controlled" in t for t in titles)
        _shot(page, "7-typed-relations")


def test_corroborate_a_selected_sentence_in_a_browser(sample_db, tmp_path):
    """In the reader, a FICTIONAL witness's sentence ("the third of August"), "Corroborate
    this": the other witnesses who say it, and the one who dates it otherwise side by side."""
    db = _copy(sample_db, tmp_path / "claim.db")
    with running_app(db, tmp_path / "server.log") as url, browser_page() as page:
        page.goto(f"{url}/interview?interview=int-02&turn=4")
        _idle(page)
        page.get_by_text("A sentence of this turn").wait_for()
        box = page.get_by_role("combobox", name=re.compile("A sentence of this turn"))
        box.click()
        page.keyboard.type("It was the third of August")  # the picker filters as one types
        page.keyboard.press("Enter")
        _idle(page)
        page.get_by_role("link", name="Corroborate this").click()
        page.wait_for_url(re.compile(r".*/corroboration\?.*claim="))
        _idle(page)
        main = page.locator('[data-testid="stMain"]')
        main.locator('[data-source="Abu Mustafa"]').wait_for()
        assert main.locator('[data-source="Shireen"]').count() == 0  # she said it
        main.get_by_text("Says otherwise").wait_for()
        body = main.inner_text()
        assert "The statement" in body and "It was the third of August" in body
        assert "fourth of August" in body and "2014-08-04" in body
        # side by side: the statement and the other date in one row
        row = main.locator('[data-testid="stHorizontalBlock"]').filter(has_text="fourth of August").first
        assert "The statement" in row.inner_text() and "third of August" in row.inner_text()
        _shot(page, "8-statement")
