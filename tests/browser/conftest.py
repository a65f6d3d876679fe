"""Browser fixtures: a live server on SQLite with the demo data, and Debian's Chromium via Playwright."""
from __future__ import annotations

import shutil
from typing import Any, Iterator

import pytest

from tests.live import LiveServer, init_instance, session_for

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
DEMO_PASSWORD = "concord-demo"
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True,
         "device_scale_factor": 2}


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    instance = init_instance(tmp_path_factory.mktemp("live") / "instance")
    server = LiveServer(instance).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def live_sessions(live_server: LiveServer):  # type: ignore[no-untyped-def]
    """Session factory on the live server's database, for arranging data."""
    return session_for(live_server.instance)


# Package scope: Playwright's sync API keeps an asyncio loop running in this thread while it is open,
# and pyHanko (agreements, run after this package) calls asyncio.run(), which refuses to nest.
@pytest.fixture(scope="package")
def chromium() -> Iterator[Any]:
    if not shutil.which(CHROMIUM):
        pytest.skip("Debian chromium not installed (make system-deps)")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_page(chromium: Any, live_server: LiveServer):  # type: ignore[no-untyped-def]
    """new_page(username, password=DEMO_PASSWORD, phone=False, locale='zh-CN') -> a logged-in page."""
    contexts = []

    def _make(username: str, password: str = DEMO_PASSWORD, phone: bool = False, locale: str = "zh-CN"):
        ctx = chromium.new_context(locale=locale, **(PHONE if phone else {}))
        contexts.append(ctx)
        page = ctx.new_page()
        page.set_default_timeout(10_000)
        page.goto(live_server.url + "/login")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", password)
        page.click("button[type=submit]")
        page.wait_for_url(lambda url: "/login" not in url)
        return page
    yield _make
    for ctx in contexts:
        ctx.close()
