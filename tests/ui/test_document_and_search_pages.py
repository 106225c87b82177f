"""The document page (metadata, history, chunks, PDF preview with the cited passage highlighted) and
the retrieval-test page (ranked chunks with scores, only from what the caller may read)."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.conftest import bearer
from tests.ui.conftest import PASSWORD, SHOTS, Page, pdf_file, upload_ready

pytestmark = [pytest.mark.slow, pytest.mark.integration, pytest.mark.browser]


def test_document_page_shows_chunks_history_and_the_cited_passage_on_the_pdf_page(  # type: ignore[no-untyped-def]
    browser, site, tmp_path: Path
) -> None:
    url, key = site["url"], site["key"]
    path = pdf_file(tmp_path)
    document = upload_ready(url, key, path.name, path.read_bytes())
    hit = httpx.post(
        url + "/v1/search",
        json={"query": "Google Docs cloud-based word processing", "mode": "lexical"},
        headers=bearer(key),
    ).json()["results"][0]
    assert hit["document_id"] == document
    tab = Page(browser, url, "admin", PASSWORD)
    page = tab.page
    page.goto(f"{url}/ui/documents/{document}?start={hit['char_start']}&end={hit['char_end']}&page={hit['page']}")
    page.wait_for_selector("#doc-meta [data-status=ready]")
    page.wait_for_selector("#doc-jobs tr")
    page.wait_for_selector("#doc-chunks .chunk")
    assert page.locator("#doc-jobs tr").count() >= 1
    assert page.locator("#doc-chunks .chunk").count() >= 2
    cited = page.locator("#doc-chunks .chunk.cited")
    assert cited.count() >= 1 and "Google Docs" in cited.first.inner_text()
    assert "Google Docs" in " ".join(page.locator("#doc-chunks mark").all_inner_texts())
    assert page.locator("#doc-file").get_attribute("href").endswith(f"/v1/documents/{document}/file")
    page.wait_for_selector("#pdf-frame[data-rendered=true]", timeout=30_000)
    assert (
        f"{hit['page']} " in page.locator("#pdf-page-info").inner_text()
        or str(hit["page"]) in page.locator("#pdf-page-info").inner_text()
    )
    assert page.locator("[data-testid=pdf-highlight]").count() >= 1
    boxes = [
        page.locator("[data-testid=pdf-highlight]").nth(i).bounding_box()
        for i in range(page.locator("[data-testid=pdf-highlight]").count())
    ]
    assert sum(b["width"] for b in boxes if b) > 40 and all(b and b["height"] > 3 for b in boxes)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "en-1280x800-document.png"), full_page=True)
    # The documents list links here.
    page.goto(url + "/ui/documents")
    page.click(f"#document-rows tr[data-document='{document}'] a.doc-title")
    page.wait_for_url(f"**/ui/documents/{document}")
    # A document that does not exist (or may not be read) says so, without its id.
    page.goto(f"{url}/ui/documents/0123456789abcdef0123456789abcdef")
    page.wait_for_function("document.getElementById('doc-title').textContent.startsWith('Not found')")
    assert "0123456789abcdef" not in page.locator("main").inner_text()
    tab.errors = [e for e in tab.errors if "status of 404" not in e]
    tab.close()


def test_search_test_page_ranks_chunks_with_scores_within_access(browser, site) -> None:  # type: ignore[no-untyped-def]
    url, key = site["url"], site["key"]
    httpx.post(
        url + "/v1/admin/collections",
        json={"name": "finance", "read_groups": ["finance"], "write_groups": ["finance"]},
        headers=bearer(key),
    )
    upload_ready(url, key, "deal.md", b"# Deal\n\nProject Nightingale buys Borealis Robotics.", collection="finance")
    upload_ready(url, key, "open.md", b"# Open\n\nThe Nightingale choir sings on Fridays.")
    httpx.post(
        url + "/v1/admin/users",
        json={"name": "rita", "role": "reader", "password": "reader-pass-1"},
        headers=bearer(key),
    )
    for user, password, expected in (
        ("admin", PASSWORD, {"deal.md", "open.md"}),
        ("rita", "reader-pass-1", {"open.md"}),
    ):
        tab = Page(browser, url, user, password)
        page = tab.page
        page.click("nav >> text=Search test")
        page.fill("#search-query", "Nightingale")
        page.select_option("#search-mode", "lexical")
        assert page.locator("#search-fusion").is_disabled()
        page.click("#search-form button[type=submit]")
        page.wait_for_selector("#search-results .search-hit")
        sources = {
            text.split(" · ")[1] for text in page.locator("#search-results .search-hit .doc-source").all_inner_texts()
        }
        assert sources == expected, sources
        scores = [float(s) for s in page.locator("#search-results .score").all_inner_texts()]
        assert scores == sorted(scores, reverse=True)
        tab.close()
