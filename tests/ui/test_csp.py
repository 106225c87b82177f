"""The pages work under a strict Content-Security-Policy (no inline scripts, handlers or styles,
nothing from outside knowbase): enforced here by the browser on every page, with a PDF preview."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Error as PlaywrightError

from tests.ui.conftest import PASSWORD, Page, ask, pdf_file, upload_ready

pytestmark = [pytest.mark.slow, pytest.mark.integration, pytest.mark.browser]
POLICY = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
TEMPLATES = Path(__file__).resolve().parents[2] / "ui" / "templates"


def test_templates_have_no_inline_code() -> None:
    for template in TEMPLATES.glob("*.html"):
        html = template.read_text()
        for tag in re.findall(r"<script\b[^>]*>", html):
            assert "src=" in tag or 'type="application/json"' in tag, (template.name, tag)
        assert not re.search(r"\son[a-z]+\s*=", html), template.name
        assert "style=" not in html, template.name
        assert "http://" not in html and "https://" not in html, template.name


def test_every_page_runs_under_a_strict_policy(browser, site, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    url = site["url"]
    path = pdf_file(tmp_path)
    document = upload_ready(url, site["key"], path.name, path.read_bytes())
    tab = Page(browser, url, "admin", PASSWORD)
    violations: list[str] = []
    tab.page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)

    def with_policy(route) -> None:  # type: ignore[no-untyped-def]
        response = route.fetch()
        route.fulfill(response=response, headers={**response.headers, "content-security-policy": POLICY})

    tab.context.route(re.compile(r".*/(ui/.*|login.*)$"), with_policy)
    page = tab.page
    page.goto(url + "/ui/chat")
    ask(page, "When was Google Docs introduced?")
    page.locator(".msg.assistant .cite").first.click()
    page.locator("[data-testid=cited-quote]").wait_for()
    for path_, ready in (
        ("documents", "#document-rows [data-status]"),
        (f"documents/{document}", "#pdf-frame[data-rendered=true]"),
        ("search", "#search-form"),
        ("admin", "#key-rows tr"),
        ("usage", "#totals .total"),
    ):
        page.goto(f"{url}/ui/{path_}")
        page.wait_for_selector(ready, timeout=30_000)
    page.click("#theme-toggle")
    assert violations == [], violations
    # The policy really is in force: an inline script is refused.
    try:
        page.add_script_tag(content="window.inlineRan = true")
    except PlaywrightError:
        pass
    assert page.evaluate("window.inlineRan === undefined")
    assert violations, "the policy was not applied"
    tab.errors = [e for e in tab.errors if "Content Security Policy" not in e]
    tab.close()
