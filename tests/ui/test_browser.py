"""The web UI in a real browser: Debian's Chromium driven by Playwright (never a downloaded browser).
Screenshots of every page go to test-artifacts/screenshots/."""

from __future__ import annotations

import shutil
from pathlib import Path

import httpx
import pytest

from tests.conftest import bearer
from tests.ui.conftest import PASSWORD, SHOTS, Page, ask, pdf_file

pytestmark = [pytest.mark.slow, pytest.mark.integration, pytest.mark.browser]


def test_sign_in_upload_watch_ready_ask_and_open_a_citation(browser, site, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    tab = Page(browser, site["url"], "admin", PASSWORD)
    page = tab.page
    page.click("nav >> text=Documents")
    page.set_input_files("#files", str(pdf_file(tmp_path)))
    page.wait_for_selector("#uploads progress")
    page.wait_for_selector("#uploads [data-status=ready]", timeout=120_000)
    assert page.locator("#uploads progress").get_attribute("value") == "100"
    page.wait_for_selector("#document-rows [data-status=ready]")

    page.click("nav >> text=Chat")
    page.fill("#question", "When was Google Docs introduced?")
    page.press("#question", "Enter")
    page.wait_for_function(
        "document.querySelector('.msg.assistant .bubble')?.textContent.includes('Google Docs')", timeout=90_000
    )
    page.wait_for_selector(".msg.assistant[data-mode=extractive] .cite")
    assert "without a language model" in page.locator(".msg.assistant .note").inner_text()
    bubble_text = page.locator(".msg.assistant .bubble").inner_text()
    page.locator(".msg.assistant .cite").first.click()
    quote = page.locator("[data-testid=cited-quote]")
    quote.wait_for()
    highlighted = " ".join(page.locator("mark.quote").all_inner_texts())
    assert "Google Docs" in highlighted
    assert any(part.strip().lstrip("• ")[:30] in bubble_text for part in page.locator("mark.quote").all_inner_texts())
    assert "page 2" in page.locator("#cite-meta").inner_text()
    page.wait_for_selector("#cite-preview[data-rendered=true]", timeout=30_000)  # the PDF page, quote boxed
    assert page.locator("#cite-preview [data-testid=pdf-highlight]").count() >= 1
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "en-1280x800-chat-pdf-source.png"))
    assert page.locator("#cite-download").get_attribute("href").endswith("/file")
    page.keyboard.press("Escape")
    assert page.locator("#citation-panel").is_hidden()
    page.locator(".msg-tools button[data-feedback='1']").click()
    page.wait_for_selector(".msg-tools button[data-feedback='1'][aria-pressed=true]")
    tab.close()


def test_admin_creates_a_reader_who_cannot_see_another_groups_collection(browser, site, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    url, headers = site["url"], bearer(site["key"])
    httpx.post(
        url + "/v1/admin/collections",
        json={"name": "finance", "read_groups": ["finance"], "write_groups": ["finance"]},
        headers=headers,
    )
    secret = httpx.post(
        url + "/v1/documents",
        files={"file": ("deal.md", b"# Deal\n\nProject Nightingale buys Borealis Robotics.")},
        data={"collection": "finance"},
        headers=headers,
    ).json()["document"]["id"]
    for _ in range(300):
        if httpx.get(f"{url}/v1/documents/{secret}", headers=headers).json()["status"] == "ready":
            break
        __import__("time").sleep(0.2)

    admin = Page(browser, url, "admin", PASSWORD)
    page = admin.page
    page.click("nav >> text=Admin")
    # Groups are picked, never typed: a group exists only after the explicit "new group" action.
    assert "hr" not in page.locator("#collection-form select[name=read_groups]").inner_text()
    page.fill("#group-form input[name=name]", "hr")
    page.click("#group-form button[type=submit]")
    page.wait_for_selector("#collection-form select[name=read_groups] option[value=hr]", state="attached")
    page.fill("#collection-form input[name=name]", "hr")
    page.select_option("#collection-form select[name=read_groups]", ["hr"])
    page.click("#collection-form button[type=submit]")
    page.wait_for_selector("#collection-rows tr[data-collection=hr]")
    page.fill("#user-form input[name=name]", "rob")
    page.select_option("#user-form select[name=role]", "reader")
    page.select_option("#user-form select[name=groups]", ["hr"])
    page.fill("#user-form input[name=password]", "reader-pass-1")
    page.click("#user-form button[type=submit]")
    page.wait_for_selector("#user-rows tr[data-user=rob]")
    page.fill("#key-form input[name=user]", "rob")
    page.click("#key-form button[type=submit]")
    page.wait_for_selector("#new-key:not([hidden])")
    assert page.locator("#new-key-value").inner_text().startswith("kb-")
    # No deleting or disabling yourself; others can be disabled and get a new password.
    assert page.locator("#user-rows tr[data-user=admin] [data-action=delete]").count() == 0
    assert page.locator("#user-rows tr[data-user=admin] [data-action=disable]").count() == 0
    page.locator("#user-rows tr[data-user=rob] [data-action=disable]").click()
    page.wait_for_selector("#user-rows tr[data-user=rob] .badge.failed")
    page.locator("#user-rows tr[data-user=rob] [data-action=disable]").click()
    page.wait_for_selector("#user-rows tr[data-user=rob] .badge.ready")
    page.once("dialog", lambda dialog: dialog.accept("reader-pass-2"))
    page.locator("#user-rows tr[data-user=rob] [data-action=reset-password]").click()
    page.wait_for_selector("#toast.show")
    admin.close()

    reader = Page(browser, url, "rob", "reader-pass-2")
    page = reader.page
    assert page.locator("nav >> text=Admin").count() == 0
    page.click("nav >> text=Documents")
    page.wait_for_selector("#document-rows tr")
    # A reader's page offers no drop zone, upload, re-index or delete.
    page.wait_for_selector("#read-only:not([hidden])")
    assert page.locator("#dropzone").is_hidden()
    assert page.locator("#document-rows [data-action]").count() == 0
    assert "deal" not in page.locator("#document-rows").inner_text().lower()
    assert page.locator("#filter-collection option[value=finance]").count() == 0
    page.click("nav >> text=Chat")
    ask(page, "Project Nightingale buys Borealis Robotics")
    assert "Nightingale" not in page.locator(".msg.assistant .bubble").inner_text()
    assert page.locator(".msg.assistant .cite").count() == 0
    reader.close()


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
@pytest.mark.parametrize("viewport", [(1280, 800), (390, 844)])
def test_screenshots_of_every_page(browser, site, tmp_path: Path, lang: str, viewport: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    SHOTS.mkdir(parents=True, exist_ok=True)
    url, headers = site["url"], bearer(site["key"])
    document = httpx.post(
        url + "/v1/documents",
        files={
            "file": (
                "handbook.md",
                "# 员工手册\n\n员工每年享有十五天带薪年假。未休完的年假最多可以结转五天。\n\nEmployees get fifteen days of paid leave.".encode(),
            )
        },
        headers=headers,
    ).json()["document"]["id"]
    httpx.post(url + "/v1/documents", files={"file": ("empty.txt", b"")}, headers=headers)
    for _ in range(300):
        if httpx.get(f"{url}/v1/documents/{document}", headers=headers).json()["status"] == "ready":
            break
        __import__("time").sleep(0.2)
    name = f"{lang}-{viewport[0]}x{viewport[1]}"
    context = browser.new_context(
        viewport={"width": viewport[0], "height": viewport[1]},
        locale=lang,
        extra_http_headers={"Accept-Language": lang},
    )
    login = context.new_page()
    login.goto(url + "/login")
    login.screenshot(path=str(SHOTS / f"{name}-login.png"))
    context.close()

    tab = Page(browser, url, "admin", PASSWORD, viewport, lang)
    page = tab.page
    ask(page, "年假可以结转几天？" if lang == "zh-CN" else "How many days of paid leave?")
    page.locator(".msg.assistant .cite").first.click()
    page.locator("[data-testid=cited-quote]").wait_for()
    page.screenshot(path=str(SHOTS / f"{name}-chat.png"))
    for section, path, ready in (
        ("documents", "documents", "#document-rows [data-status]"),
        ("document", f"documents/{document}", "#doc-chunks .chunk"),
        ("search", "search", "#search-results .search-hit"),
        ("admin", "admin", "#key-rows tr"),
        ("usage", "usage", "#chart-day-tokens svg"),
    ):
        page.goto(f"{url}/ui/{path}")
        if section == "search":
            page.fill("#search-query", "年假" if lang == "zh-CN" else "paid leave")
            page.click("#search-form button[type=submit]")
        page.wait_for_selector(ready)
        page.screenshot(path=str(SHOTS / f"{name}-{section}.png"), full_page=True)
        # Nothing wider than the screen: no sideways scrolling of the page on a phone.
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport[0], section
        if section == "documents" and viewport[0] < 500:
            assert page.locator("table.documents thead").is_hidden()  # cards, not a squeezed table
    html_lang = page.locator("html").get_attribute("lang")
    assert html_lang == lang
    if lang == "zh-CN":
        assert "用量" in page.locator("nav").inner_text()
    tab.close()
    assert shutil.disk_usage(SHOTS).free > 0
