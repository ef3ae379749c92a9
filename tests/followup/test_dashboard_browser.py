"""``teman-ikd dashboard`` in a real headless browser (Debian's chromium driven by Playwright).

The server runs as the command a supervisor starts, against a database that holds a resident's
name, chat id and transcript: the page must show none of them. Without a browser the test
skips, except under CI (CI=true), where a missing browser is a failure (.ci/run installs it).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest

from benchmarks.cohort import simulate
from bot.assembly import build_guide
from bot.engine import Input
from bot.store import Store

CHROMIUM = os.environ.get("TEMAN_IKD_CHROMIUM", "/usr/bin/chromium")
PASSWORD = "kata-sandi-uji-9f3"
SECRET_LINE = "nomor saya 3604123456789012 tolong"


def _browser_or_skip() -> None:
    if Path(CHROMIUM).exists() and shutil.which(CHROMIUM):
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"no browser at {CHROMIUM}: under CI the dashboard must be tested in a real browser")
    pytest.skip(f"no browser at {CHROMIUM} (apt-get install chromium); skipped outside CI only")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def database(tmp_path: Path) -> Path:
    """A small cohort's journeys (benchmarks/cohort.py), plus a named, talkative resident."""
    path = tmp_path / "bot.sqlite3"
    simulate(60, 4, keep=path)
    now = [datetime(2026, 11, 20, 9, tzinfo=ZoneInfo("Asia/Jakarta")).timestamp()]
    store = Store(str(path), clock=lambda: now[0])
    guide = build_guide(store, locale="id")
    guide.handle(777123456, Input.commanded("start"), first_name="Siti Aminah")
    guide.handle(777123456, Input.typed(SECRET_LINE))
    store.close()
    return path


class Server:
    def __init__(self, db: Path, password: str | None, listen: str = "127.0.0.1"):
        self.port = _free_port()
        env = {**os.environ, "TEMAN_IKD_DASHBOARD_USER": "pengawas"}
        env.pop("TEMAN_IKD_DASHBOARD_PASSWORD", None)
        if password:
            env["TEMAN_IKD_DASHBOARD_PASSWORD"] = password
        self.proc = subprocess.Popen([sys.executable, "-m", "bot", "dashboard", "--db", str(db), "--listen", listen,
                                      "--port", str(self.port)],
                                     env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.url = f"http://127.0.0.1:{self.port}/"

    def wait(self) -> Server:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                httpx.get(self.url, timeout=1)
                return self
            except httpx.HTTPError:
                assert self.proc.poll() is None, self.proc.stderr.read()
                time.sleep(0.2)
        raise AssertionError("the dashboard did not start")

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)


def test_dashboard_in_a_real_browser(database: Path, tmp_path: Path) -> None:
    _browser_or_skip()
    from playwright.sync_api import sync_playwright

    server = Server(database, PASSWORD).wait()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            page = browser.new_page(viewport={"width": 1200, "height": 1400})
            page.goto(server.url)
            assert page.get_by_label("Kata sandi").is_visible()
            answers = []
            for user, password in (("pengawas", "salah"), ("orang-lain", PASSWORD)):
                page.get_by_label("Nama pengguna").fill(user)
                page.get_by_label("Kata sandi").fill(password)
                page.get_by_role("button", name="Masuk").click()
                answers.append(page.get_by_role("alert").inner_text())
            # A wrong password and a wrong user name get the very same answer.
            assert answers == ["Nama pengguna atau kata sandi salah."] * 2
            page.get_by_label("Nama pengguna").fill("pengawas")
            page.get_by_label("Kata sandi").fill(PASSWORD)
            page.get_by_role("button", name="Masuk").click()
            page.wait_for_selector("img")
            text = page.inner_text("body")
            assert "61 warga mulai" in text and "Selamat datang" in text and "Foto wajah" in text
            # The chart (SVG) loaded and drew: the browser knows its size.
            page.wait_for_function("() => { const i = document.querySelector('img'); "
                                   "return i.complete && i.naturalWidth > 0; }", timeout=20_000)
            cookies = {c["name"]: c["value"] for c in page.context.cookies()}
            html = page.content() + httpx.get(server.url + "chart.svg", cookies=cookies).text
            for personal in ("Siti", "Aminah", "777123456", "3604123456789012", "tolong"):
                assert personal not in html
            page.screenshot(path=str(tmp_path / "dashboard.png"), full_page=True)
            if os.environ.get("TEMAN_IKD_SCREENSHOT"):  # to refresh the README's picture
                shutil.copy(tmp_path / "dashboard.png", os.environ["TEMAN_IKD_SCREENSHOT"])
            browser.close()
        assert (tmp_path / "dashboard.png").stat().st_size > 20_000
    finally:
        server.stop()


def test_the_chart_needs_a_sign_in_and_attempts_are_limited(database: Path) -> None:
    server = Server(database, PASSWORD).wait()
    try:
        with httpx.Client(base_url=server.url) as client:
            assert client.get("/chart.svg", follow_redirects=False).status_code == 302  # to the sign-in
            client.get("/")
            xsrf = client.cookies["_xsrf"]
            statuses = [client.post("/login", data={"user": "pengawas", "password": f"x{n}", "_xsrf": xsrf}).status_code
                        for n in range(5)]
            assert statuses == [401] * 5
            # The sixth try is refused even with the right password, for the rest of the window.
            blocked = client.post("/login", data={"user": "pengawas", "password": PASSWORD, "_xsrf": xsrf})
            assert blocked.status_code == 429 and "Terlalu banyak percobaan" in blocked.text
            assert client.post("/login", data={"user": "pengawas", "password": PASSWORD}).status_code == 403  # no xsrf
    finally:
        server.stop()


def test_refuses_to_listen_beyond_loopback_without_a_password(database: Path) -> None:
    server = Server(database, None, listen="0.0.0.0")
    assert server.proc.wait(20) == 2
    assert "refusing to listen on 0.0.0.0 without TEMAN_IKD_DASHBOARD_PASSWORD" in server.proc.stderr.read()
