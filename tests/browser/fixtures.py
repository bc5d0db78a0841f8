"""Playwright fixtures for browser tests: one Chromium per test session, a fresh context per test.

Loaded for the whole suite from the root conftest (``pytest_plugins``), so browser tests of every app
share the one session browser: a second Playwright instance in the same process cannot start.

Browser tests are marked ``@pytest.mark.browser`` and use pytest-django's ``live_server``. The
system Chromium is used (never ``playwright install``); without it the tests skip themselves.
"""

import os
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; Django would then refuse the ORM calls
# the test itself makes (creating users and records), although nothing here is really async.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
RESULTS = Path(__file__).resolve().parents[2] / "test-results"
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"Chromium not found at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, live_server):
    """A page in a fresh browser context (own cookies) pointed at the live server."""
    context = browser.new_context(base_url=live_server.url, viewport=DESKTOP, accept_downloads=True,
                                  locale="zh-CN", timezone_id="Asia/Shanghai")
    context.set_default_timeout(15_000)
    tab = context.new_page()
    yield tab
    context.close()


@pytest.fixture
def screenshot(page):
    """screenshot("name") saves test-results/<name>.png (full page) and returns its path."""
    RESULTS.mkdir(exist_ok=True)

    def take(name: str) -> Path:
        path = RESULTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def login(page):
    """login(user) signs in through the login page like a person would."""
    from core.testing import PASSWORD

    def sign_in(user, password: str = PASSWORD):
        page.goto("/org/login/")
        page.fill("#id_username", user.username)
        page.fill("#id_password", password)
        # The submit button of the form that holds the password field, whatever else the page shows.
        page.locator("#id_password").locator("xpath=ancestor::form").locator("[type=submit]").first.click()
        page.wait_for_load_state("networkidle")
        assert "/org/login/" not in page.url, "login failed"
        return page

    return sign_in
