"""The documents page and the translated UI in Chromium: the upload queue (empty bars while waiting,
red when failed, clearable), failure reasons and API errors in Chinese, and a language switch that
keeps the open conversation."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.conftest import bearer
from tests.ui.conftest import PASSWORD, SHOTS, Page, ask, upload_ready

pytestmark = [pytest.mark.slow, pytest.mark.integration, pytest.mark.browser]

DROP_FILES = """
() => {
  const transfer = new DataTransfer();
  const files = [["a.md", "# A\\n\\nAlpha text."], ["b.md", "# B\\n\\nBeta text."], ["empty.txt", ""],
                 ["blob.bin", new Uint8Array([0, 1, 2, 3, 255, 254, 0, 0, 9, 8, 7, 0])], ["c.md", "# C\\n\\nGamma."]];
  for (const [name, body] of files) transfer.items.add(new File([body], name));
  document.getElementById("dropzone").dispatchEvent(new DragEvent("drop", { dataTransfer: transfer, bubbles: true }));
  return [...document.querySelectorAll("#uploads li")].map((li) => [li.dataset.file, li.dataset.state, li.querySelector("progress").value]);
}
"""


def test_upload_queue_failures_in_chinese_and_clearing(browser, site) -> None:  # type: ignore[no-untyped-def]
    tab = Page(browser, site["url"], "admin", PASSWORD, lang="zh-CN")
    page = tab.page
    assert page.locator(".skip").inner_text() == "跳到正文"
    page.goto(site["url"] + "/ui/documents")
    page.wait_for_selector("#upload-area:not([hidden])")
    states = page.evaluate(DROP_FILES)
    waiting = [value for _, state, value in states if state == "waiting"]
    assert len(waiting) == 3 and set(waiting) == {0}, states  # two upload at once; the rest wait empty
    page.wait_for_function(
        "[...document.querySelectorAll('#uploads li')].every((li) => ['done', 'failed'].includes(li.dataset.state))",
        timeout=120_000,
    )
    empty = page.locator("#uploads li[data-file='empty.txt']")
    assert "failed" in (empty.get_attribute("class") or "")
    assert "文件是空的" in empty.inner_text()
    blob = page.locator("#uploads li[data-file='blob.bin']")
    assert "不支持此文件类型" in blob.inner_text() and "unsupported" not in blob.inner_text()
    color = page.evaluate(
        "getComputedStyle(document.querySelector(\"#uploads li[data-file='empty.txt'] progress\")).accentColor"
    )
    assert color.replace(" ", "") in ("rgb(197,48,48)", "rgb(255,122,122)")
    page.wait_for_selector("#document-rows [data-status=failed]")
    assert "文件是空的" in page.locator("#document-rows").inner_text()
    page.click("#clear-uploads")
    assert page.locator("#uploads li").count() == 0
    # An API error by code, in Chinese, with no document id in it.
    message = page.evaluate("kb.api('GET', '/v1/documents/0123456789abcdef0123456789abcdef').catch((e) => e.message)")
    assert message == "未找到，或你无权查看。"
    # The deliberate 415 and 404 above are the only failed requests the console saw.
    expected = [e for e in tab.errors if "status of 415" in e or "status of 404" in e]
    assert len(expected) == 2
    tab.errors = [e for e in tab.errors if e not in expected]
    tab.close()


def test_language_switch_keeps_the_page_and_the_open_conversation(browser, site) -> None:  # type: ignore[no-untyped-def]
    tab = Page(browser, site["url"], "admin", PASSWORD)
    page = tab.page
    ask(page, "Anything about leave?")
    page.wait_for_url("**/ui/chat?c=*")
    opened = page.url
    page.click("[data-testid=lang-switch]")
    page.wait_for_selector("html[lang=zh-CN]")
    assert page.url == opened
    page.wait_for_selector(".msg.user")
    assert "Anything about leave?" in page.locator(".msg.user .bubble").inner_text()
    assert page.locator("#send").inner_text() == "发送"
    page.goto(site["url"] + "/ui/documents")
    page.click("[data-testid=lang-switch]")
    page.wait_for_selector("html[lang=en]")
    assert page.url.endswith("/ui/documents")
    tab.close()


def test_dark_mode_follows_the_system_and_the_toggle(browser, site) -> None:  # type: ignore[no-untyped-def]
    tab = Page(browser, site["url"], "admin", PASSWORD)
    page = tab.page
    page.emulate_media(color_scheme="dark")
    background = "getComputedStyle(document.documentElement).backgroundColor"
    assert page.evaluate(background) != "rgb(245, 247, 251)"
    page.click("#theme-toggle")  # dark → light, remembered across pages
    assert page.evaluate(background) == "rgb(245, 247, 251)"
    page.goto(site["url"] + "/ui/documents")
    assert page.evaluate(background) == "rgb(245, 247, 251)"
    page.click("#theme-toggle")
    assert page.evaluate("document.documentElement.dataset.theme") == "dark"
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "en-1280x800-documents-dark.png"))
    tab.close()


def test_folder_upload_keeps_relative_paths_as_titles(browser, site, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "policies"
    (folder / "hr").mkdir(parents=True)
    (folder / "hr" / "leave.md").write_text("# Leave\n\nFifteen days of paid leave.")
    (folder / "it.md").write_text("# IT\n\nLaptops are replaced every four years.")
    tab = Page(browser, site["url"], "admin", PASSWORD)
    page = tab.page
    page.goto(site["url"] + "/ui/documents")
    page.wait_for_selector("#upload-area:not([hidden])")
    page.set_input_files("#folder", str(folder))
    page.wait_for_function(
        "[...document.querySelectorAll('#uploads li')].filter((li) => li.dataset.state === 'done').length === 2",
        timeout=120_000,
    )
    page.wait_for_selector("#document-rows a.doc-title >> text=policies/hr/leave.md")
    titles = page.locator("#document-rows a.doc-title").all_inner_texts()
    assert "policies/hr/leave.md" in titles and "policies/it.md" in titles
    tab.close()


def test_an_editor_manages_only_the_collections_they_may_write(browser, site) -> None:  # type: ignore[no-untyped-def]
    url, key = site["url"], site["key"]
    httpx.post(
        url + "/v1/admin/collections",
        json={"name": "hr", "read_groups": ["hr"], "write_groups": ["hr"]},
        headers=bearer(key),
    )
    httpx.post(
        url + "/v1/admin/collections",
        json={"name": "wiki", "read_groups": ["everyone"], "write_groups": []},
        headers=bearer(key),
    )
    httpx.post(
        url + "/v1/admin/users",
        json={"name": "eddie", "role": "editor", "groups": ["hr"], "password": "editor-pass-1"},
        headers=bearer(key),
    )
    shared = upload_ready(url, key, "shared.md", b"# Shared\n\nEveryone reads this.", collection="wiki")
    own = upload_ready(url, key, "hr.md", b"# HR\n\nOnly HR writes this.", collection="hr")
    tab = Page(browser, url, "eddie", "editor-pass-1")
    page = tab.page
    page.goto(url + "/ui/documents")
    page.wait_for_selector("#upload-area:not([hidden])")
    page.wait_for_selector(f"#document-rows tr[data-document='{own}']")
    assert "wiki" not in page.locator("#upload-collection option").all_inner_texts()
    assert "hr" in page.locator("#upload-collection option").all_inner_texts()
    assert page.locator(f"#document-rows tr[data-document='{own}'] [data-action=delete]").count() == 1
    assert page.locator(f"#document-rows tr[data-document='{own}'] [data-action=reindex]").count() == 1
    assert page.locator(f"#document-rows tr[data-document='{shared}'] [data-action]").count() == 0
    tab.close()
