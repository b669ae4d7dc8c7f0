"""The Content-Security-Policy in Debian's headless Chromium: the patron and agency pages
raise no violation (their JSON-LD data blocks included), keep their inline styles and
scripts working, and an injected inline script is refused."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from playwright.sync_api import Browser

from tests.search_ui.conftest import HOSTILE_ID
from tests.support.http import LiveServer, live_server

pytestmark = pytest.mark.browser
PAGES = ["/", "/cari?q=sejarah", "/karya/seed-1", f"/karya/{HOSTILE_ID}", "/perpustakaan",
         "/perpustakaan/dispursip-kalteng", "/bantuan", "/masuk", "/daftar"]
WATCH = """window.__violations = [];
document.addEventListener('securitypolicyviolation',
  e => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));"""


@pytest.fixture(scope="module")
def server(app: Flask) -> Iterator[LiveServer]:
    """The app on a real loopback port."""
    with live_server(app) as running:
        yield running


def test_pages_raise_no_policy_violation(browser: Browser, server: LiveServer) -> None:
    context = browser.new_context()
    context.add_init_script(WATCH)
    page = context.new_page()
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    for path in PAGES:
        answer = page.goto(server.url + path)
        assert answer is not None and answer.status == 200, path
        assert "default-src 'self'" in answer.headers["content-security-policy"]
        assert page.evaluate("window.__violations") == [], path
        styled = page.evaluate("getComputedStyle(document.querySelector('header.top'))"
                               ".backgroundColor")
        assert styled != "rgba(0, 0, 0, 0)", f"the inline style sheet applies on {path}"
        for block in page.locator('script[type="application/ld+json"]').all():
            assert page.evaluate("text => typeof JSON.parse(text)", block.text_content()) \
                == "object"
    assert not [text for text in console if "Content Security Policy" in text], console
    context.close()


def test_scripts_run_but_an_injected_inline_script_is_refused(browser: Browser,
                                                              server: LiveServer) -> None:
    context = browser.new_context()
    context.add_init_script(WATCH)
    page = context.new_page()
    page.goto(server.url + "/karya/seed-1")
    assert page.locator("button.copy").count() == 1, "site.js ran"
    page.evaluate("""() => { const s = document.createElement('script');
        s.textContent = 'window.__injected = 1'; document.body.appendChild(s); }""")
    assert page.evaluate("window.__injected") is None
    assert any(v.startswith("script-src") for v in page.evaluate("window.__violations"))
    context.close()
