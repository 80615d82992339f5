"""A real browser for the tests that must see what a user sees: Playwright
driving the system's Chromium (Debian's package, /usr/bin/chromium). Without
Chromium or Playwright the test is skipped, saying why."""

import os
import shutil
from contextlib import contextmanager

import pytest

from .factories import PASSWORD

try:
    from playwright.sync_api import sync_playwright
except ImportError:  # installed without the dev extras
    sync_playwright = None

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


def chromium_or_skip() -> str:
    if sync_playwright is None:
        pytest.skip("Playwright is not installed (pip install -e '.[dev]'): browser tests skipped")
    path = shutil.which(CHROMIUM)
    if path is None:
        pytest.skip(f"No Chromium at {CHROMIUM} (apt-get install chromium, or set CHROMIUM): browser tests skipped")
    return path


@contextmanager
def chromium_browser():
    """One Chromium for several pages (a module's tour: one browser, a context per role).

    Playwright's sync API keeps an event loop running: touch the database only
    outside this block (Django refuses ORM calls in an async context), unless
    the caller allows it as ``tour_browser`` does."""
    executable = chromium_or_skip()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True)
        try:
            yield browser
        finally:
            browser.close()


@contextmanager
def browser_page(browser, base_url: str):
    """A fresh English page on ``base_url`` in its own context (its own cookies:
    one per role); on leaving, every console error or uncaught script error the
    pages met fails the test."""
    errors: list[str] = []
    context = browser.new_context(base_url=base_url, locale="en-US")
    try:
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.on("console", lambda message: message.type == "error" and errors.append(message.text))
        page.on("pageerror", lambda error: errors.append(str(error)))
        yield page
    finally:
        context.close()
    assert errors == [], f"the browser's console reported errors: {errors}"


@contextmanager
def chromium_page(base_url: str):
    """A fresh English page on ``base_url`` in a browser of its own (see browser_page)."""
    with chromium_browser() as browser, browser_page(browser, base_url) as page:
        yield page


def log_in(page, username: str) -> None:
    page.goto("/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url("**/admin/")
