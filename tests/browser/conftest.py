"""Browser harness: real Chromium through Playwright against the app on a free loopback port."""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path

import pytest

from labelling.core.dev_server import make_dev_server
from tests.browser.served_pages import ServedPages
from tests.browser.steps import LOGGED

CHROMIUM = Path(os.environ.get("LABELLING_CHROMIUM", "/usr/bin/chromium"))
# Flags that keep Chromium quiet on a machine without outside network or a display.
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def _require_chromium() -> None:
    if CHROMIUM.exists():
        return
    reason = f"Chromium not found at {CHROMIUM}: install it (apt-get install -y chromium)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason}. Under CI=true a missing browser is a failure.", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser():
    _require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def app_config(app_config):
    # The browser posts real forms, so CSRF protection stays on as in production.
    return {**app_config, "WTF_CSRF_ENABLED": True}


@pytest.fixture(autouse=True)
def logged_trouble():
    """Keeps what the app logs at WARNING or above during the test, for a failure to show."""
    logger = logging.getLogger("labelling")
    LOGGED.lines.clear()
    logger.addHandler(LOGGED)
    yield LOGGED
    logger.removeHandler(LOGGED)


@pytest.fixture
def live_server(app):
    server = make_dev_server("127.0.0.1", 0, app)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


ARTEFACTS = Path(os.environ.get("LABELLING_TEST_ARTEFACTS", "test-artefacts"))


@pytest.fixture(scope="session")
def served_pages() -> ServedPages:
    """Every page type the browser tests were served, for the Nu checker at the end."""
    return ServedPages()


def pytest_collection_modifyitems(items):
    # The HTML check reads what every other browser test was served, so it runs last.
    last = [item for item in items if item.get_closest_marker("after_browser_tests")]
    items[:] = [item for item in items if item not in last] + last


@pytest.fixture
def new_context(browser, live_server, served_pages):
    """Opens a browser context on the live server in a language; what it is served is kept
    for the Nu checker."""
    opened = []

    def open_context(locale: str = "en-GB"):
        context = browser.new_context(base_url=live_server, locale=locale)
        served_pages.base_url = live_server
        context.on("response", served_pages.take)
        opened.append(context)
        return context

    yield open_context
    for context in opened:
        context.close()


@pytest.fixture
def page(request, new_context):
    context = new_context()
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    failed = getattr(request.node, "report_call", None)
    if failed is not None and failed.failed:
        # The page as it was when the test failed: kept with CI's artefacts.
        (ARTEFACTS / "failures").mkdir(parents=True, exist_ok=True)
        page.screenshot(path=ARTEFACTS / "failures" / f"{request.node.name}.png", full_page=True)
    # new_context closes the context.
