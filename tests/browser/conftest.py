"""Real-browser tests: Playwright driving Debian's Chromium against a live
server with the demo loaded. Each step leaves a screenshot under
test-output/screenshots/<test>/."""

import os
import re
import shutil
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
OUT = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"

@pytest.fixture(scope="session")
def browser():
    # Playwright's sync API runs an event loop in this thread; the ORM calls
    # the tests make around it are still plain synchronous calls. Only for
    # as long as the browser runs: other tests must see the default.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        yield from _launch()
    finally:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


def _launch():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium and fonts-noto-cjk (make setup-dev does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
        ])
        yield b
        b.close()


class Journey:
    """A browser page that names and keeps a screenshot of every step."""

    def __init__(self, page, base_url, name):
        self.page, self.base_url = page, base_url
        self.dir = OUT / name
        shutil.rmtree(self.dir, ignore_errors=True)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.n = 0

    def go(self, path):
        self.page.goto(self.base_url + path)
        return self.page

    def shot(self, label):
        self.n += 1
        path = self.dir / f"{self.n:02d}-{label}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def login(self, username, password="xiezuo-demo-2022"):
        self.go("/login/")
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", password)
        self.shot(f"login-{username}")
        self.page.click("button[type=submit]")
        self.page.wait_for_load_state()


@pytest.fixture
def journey(browser, live_server, transactional_demo, request):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    name = re.sub(r"[^\w-]+", "_", request.node.name)
    yield Journey(page, live_server.url, name)
    context.close()
