"""Debian's headless Chromium driven by Playwright, and axe-core, for the browser tests.

Never a downloaded browser build: ``make test`` installs Debian's ``chromium`` when it is
missing, so a missing browser is a failure, not a skip.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


@contextmanager
def chromium() -> Iterator[Browser]:
    """Launch Debian's Chromium headless for the duration of the block."""
    assert CHROMIUM.exists(), "Debian's chromium is missing: run `make browser`"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield browser
        finally:
            browser.close()


def assert_accessible(page: Any) -> None:
    """axe-core (shipped inside axe-playwright-python) finds no serious violation."""
    results = Axe().run(page)
    serious = [v for v in results.response["violations"]
               if v["impact"] in ("serious", "critical")]
    assert not serious, results.generate_report()
