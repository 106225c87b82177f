"""The usage page in Chromium: totals, date range, per-model and per-user tables with latency
percentiles, and chart axes that are whole numbers and never clipped."""

from __future__ import annotations

import pytest

from tests.ui.conftest import PASSWORD, Page, upload_ready
from tests.ui.test_chat_page import HANDBOOK

pytestmark = [pytest.mark.slow, pytest.mark.integration, pytest.mark.browser]

AXIS_LABELS = """
() => [...document.querySelectorAll('#chart-day-tokens svg text[text-anchor=end]')].map((label) => {
  const box = label.getBBox();
  return [label.textContent, box.x];
})
"""


def test_usage_totals_tables_latency_and_readable_axes(browser, llm_site) -> None:  # type: ignore[no-untyped-def]
    url = llm_site["url"]
    upload_ready(url, llm_site["key"], "handbook.md", HANDBOOK.encode())
    tab = Page(browser, url, "admin", PASSWORD)
    page = tab.page
    for turn in range(2):
        page.fill("#question", f"How many days of paid leave? {turn}")
        page.press("#question", "Enter")
        page.wait_for_function(
            f"document.querySelectorAll('.msg.assistant[data-mode]').length > {turn}", timeout=60_000
        )
    page.goto(url + "/ui/usage")
    page.wait_for_selector("#table-model tr[data-key=fake-model]")
    totals = page.locator("#totals").inner_text()
    assert "Requests" in totals and "2" in totals
    row = page.locator("#table-model tr[data-key=fake-model] td").all_inner_texts()
    assert row[1] == "2" and row[5].endswith("ms") and row[6].endswith("ms")
    assert page.locator("#table-user tr[data-key=admin]").count() == 1
    labels = page.evaluate(AXIS_LABELS)
    assert labels and all(x >= 0 for _, x in labels), labels  # nothing cut off on the left
    assert all("." not in text for text, _ in labels), labels  # whole-number token ticks
    # A range before any usage: empty tables and zero totals.
    page.fill("#since", "2020-01-01")
    page.fill("#until", "2020-01-31")
    page.click("#range button[type=submit]")
    page.wait_for_selector("#table-model td.muted")
    assert "0" in page.locator("#totals").inner_text()
    tab.close()
