"""Playwright driving Debian's chromium (Playwright cannot download its own browsers here)."""

from __future__ import annotations

import contextlib
import shutil

import pytest

from tests.auth_helpers import pair_browser

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--autoplay-policy=no-user-gesture-required",
]


def launch_chromium(playwright, extra_args: list[str] | None = None):
    path = shutil.which("chromium")
    if path is None:
        pytest.skip("Debian's chromium is not installed (scripts/test.sh installs it)")
    return playwright.chromium.launch(executable_path=path, headless=True, args=CHROMIUM_ARGS + (extra_args or []))


def scan_like_a_scanner(page, code: str) -> None:
    page.keyboard.type(code, delay=5)
    page.keyboard.press("Enter")


def wait_answer(page, code: str, outcome: str) -> str:
    """Wait until the answer panel shows `code` with `outcome`; return its text."""
    page.wait_for_function(
        """([code, outcome]) => {
            const answer = document.querySelector('#scan-result .answer');
            const shown = answer && answer.querySelector('.answer-code');
            return shown && shown.textContent === code && answer.dataset.outcome === outcome;
        }""",
        arg=[code, outcome],
    )
    return page.locator("#scan-result .answer").inner_text()


@contextlib.contextmanager
def kiosk(browser, url: str, station: str, worker: str = "W002", lang: str = "en"):
    """A fresh browser paired with `station`, on its page, the worker signed in by badge."""
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    try:
        pair_browser(context, url, station)
        page = context.new_page()
        page.goto(f"{url}/station/{station}?lang={lang}")
        page.wait_for_selector("#scan-input")
        scan_like_a_scanner(page, worker)
        page.wait_for_function("() => document.querySelector('#worker-panel').dataset.badge !== ''")
        yield page
    finally:
        context.close()
