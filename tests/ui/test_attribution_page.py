"""The chat page shows citations the server attributed (the model wrote no [n]) as such, and lists
the claims no source supports under the answer."""

from __future__ import annotations

import pytest

from tests.ui.conftest import PASSWORD, SHOTS, Page, ask, upload_ready

pytestmark = [pytest.mark.slow, pytest.mark.integration, pytest.mark.browser]
HANDBOOK = "# Handbook\n\nEmployees get 15 days of paid leave every year.\n\nUnused leave carries over up to 5 days.\n"


def test_attributed_citations_and_unsupported_claims_are_shown(browser, llm_site) -> None:  # type: ignore[no-untyped-def]
    url, llm = llm_site["url"], llm_site["llm"]
    llm.answer = lambda: [  # a small model's answer: right, but without a single marker
        "Employees get 15 days of paid leave every year. ",
        "Unused leave carries over up to 9 days.",
    ]
    upload_ready(url, llm_site["key"], "handbook.md", HANDBOOK.encode())
    tab = Page(browser, url, "admin", PASSWORD)
    page = tab.page
    ask(page, "How many days of paid leave?")
    answer = page.locator(".msg.assistant").last
    cite = answer.locator(".bubble button.cite.attributed")
    assert cite.count() == 1 and cite.inner_text() == "1"  # the marker the server inserted, numbered as listed
    assert "attributed" in (cite.get_attribute("aria-label") or "")
    assert answer.locator(".sources .source-attributed").inner_text() == "attributed"
    warning = answer.locator(".note.unsupported")
    assert warning.get_attribute("role") == "note"
    assert warning.locator("li").all_inner_texts() == ["Unused leave carries over up to 9 days."]
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "chat-attributed-and-unsupported.png"))
    cite.click()
    page.locator("[data-testid=cited-quote]").wait_for()
    assert "15 days of paid leave" in " ".join(page.locator("mark.quote").all_inner_texts())
    page.reload()  # the stored conversation shows the same
    answer = page.locator(".msg.assistant").last
    answer.locator(".note.unsupported li").wait_for()
    assert answer.locator(".note.unsupported li").all_inner_texts() == ["Unused leave carries over up to 9 days."]
    assert answer.locator(".bubble button.cite.attributed").count() == 1
    tab.close()
