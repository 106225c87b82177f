"""The chat page in Chromium against a slowly streaming LLM: markdown answers, the pinned composer
and self-scrolling thread, Stop, Regenerate, Edit-and-resend, and streams that stay in their conversation."""

from __future__ import annotations

import time

import pytest

from tests.ui.conftest import PASSWORD, SHOTS, Page, ask, upload_ready

pytestmark = [pytest.mark.slow, pytest.mark.integration, pytest.mark.browser]
HANDBOOK = (
    "# Handbook\n\nEmployees get fifteen days of paid leave every year.\n\nUnused leave carries over up to five days.\n"
)


SANITISE = r"""
() => {
  const node = document.createElement("div");
  kbMarkdown.answer(node, [
    "<img src=x onerror=\"window.pwned = 1\">", "<script>window.pwned = 2</script>",
    "[click](javascript:window.pwned=3)", "<iframe src=\"https://example.com\"></iframe>",
    "<span style=\"position:fixed\">x</span>", "![diagram](https://example.com/x.png)",
  ].join("\n\n"), [], () => {});
  return node.innerHTML;
}
"""


def _answers(page) -> int:  # type: ignore[no-untyped-def]
    return int(page.locator(".msg.assistant[data-mode]").count())


def _ask_and_wait(page, text: str) -> None:  # type: ignore[no-untyped-def]
    before = _answers(page)
    page.fill("#question", text)
    page.press("#question", "Enter")
    page.wait_for_function(f"document.querySelectorAll('.msg.assistant[data-mode]').length > {before}", timeout=60_000)


def test_markdown_answer_with_clickable_citations_and_focus_that_returns(browser, llm_site) -> None:  # type: ignore[no-untyped-def]
    url = llm_site["url"]
    upload_ready(url, llm_site["key"], "handbook.md", HANDBOOK.encode())
    tab = Page(browser, url, "admin", PASSWORD)
    page = tab.page
    assert page.evaluate("document.activeElement.id") == "question"
    ask(page, "How many days of paid leave?")
    bubble = page.locator(".msg.assistant .bubble").last
    assert "**" not in bubble.inner_text() and "|---" not in bubble.inner_text()
    assert bubble.locator("h2").inner_text() == "Leave policy"
    assert bubble.locator("strong").first.inner_text() == "Rule:"
    assert bubble.locator("table td").first.inner_text() == "15"
    assert bubble.locator("li").count() == 2
    assert bubble.locator(".code-block pre").inner_text().strip() == "leave = 15"
    assert bubble.locator(".code-block button.copy-code").count() == 1
    link = bubble.locator("a[href='https://example.com/handbook']")
    assert link.get_attribute("target") == "_blank" and "noopener" in (link.get_attribute("rel") or "")
    source = page.locator(".msg.assistant .sources .source").first  # titled by document, file beneath
    assert source.locator(".source-file").inner_text().startswith("handbook.md")
    assert source.locator(".source-title").inner_text() != "handbook.md"
    cite = bubble.locator("p button.cite").first  # the [1] inside the rendered paragraph
    cite.click()
    quote = page.locator("[data-testid=cited-quote]")
    quote.wait_for()
    highlighted = " ".join(page.locator("mark.quote").all_inner_texts())
    assert "fifteen days of paid leave" in highlighted  # the whole quote, across the markdown blocks
    assert "#" not in page.locator("#cite-text").inner_text()
    page.keyboard.press("Escape")
    assert page.locator("#citation-panel").is_hidden()
    assert page.evaluate("document.activeElement.classList.contains('cite')")
    # The sanitiser: markup from an answer or a document never runs and never fetches anything.
    rendered = page.evaluate(SANITISE)
    assert "<img" not in rendered and "<script" not in rendered and "onerror" not in rendered
    assert "javascript:" not in rendered and "<iframe" not in rendered and "style=" not in rendered
    assert 'href="https://example.com/x.png"' in rendered  # an image becomes a link, never loaded
    assert page.evaluate("window.pwned === undefined")
    tab.close()


@pytest.mark.parametrize("viewport", [(1280, 800), (390, 844)])
def test_composer_stays_on_screen_and_the_thread_follows_unless_scrolled_up(browser, llm_site, viewport) -> None:  # type: ignore[no-untyped-def]
    url = llm_site["url"]
    upload_ready(url, llm_site["key"], "handbook.md", HANDBOOK.encode())
    tab = Page(browser, url, "admin", PASSWORD, viewport=viewport)
    page = tab.page
    for turn in range(6):
        _ask_and_wait(page, f"How many days of paid leave? ({turn})")
    box = page.locator("#question").bounding_box()
    assert box and box["y"] + box["height"] <= viewport[1], box
    assert page.evaluate("document.scrollingElement.scrollTop") == 0  # the page itself never scrolls
    last = page.locator(".msg.assistant").last.bounding_box()
    assert last and last["y"] < viewport[1] and last["y"] + last["height"] > 0
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"chat-six-turns-{viewport[0]}x{viewport[1]}.png"))
    # Scrolled up to read: a new streaming answer does not pull the thread down.
    llm_site["llm"].delay, llm_site["llm"].extra = 0.25, 12
    page.fill("#question", "How many days of paid leave? (slow)")
    page.press("#question", "Enter")
    page.wait_for_function("document.querySelector('.msg.assistant:last-child .bubble')?.textContent.includes('Leave')")
    page.evaluate("document.getElementById('messages').scrollTop = 0")
    page.dispatch_event("#messages", "scroll")
    page.wait_for_timeout(1500)
    assert page.evaluate("document.getElementById('messages').scrollTop") < 50
    page.click("#stop")
    tab.close()


def test_stop_regenerate_edit_and_new_chat_while_streaming(browser, llm_site) -> None:  # type: ignore[no-untyped-def]
    url, llm = llm_site["url"], llm_site["llm"]
    upload_ready(url, llm_site["key"], "handbook.md", HANDBOOK.encode())
    tab = Page(browser, url, "admin", PASSWORD)
    page = tab.page
    _ask_and_wait(page, "How many days of paid leave?")

    # Regenerate: the same question again, the thread keeps one copy of it.
    page.click("[data-action=regenerate]")
    page.wait_for_selector(".msg.assistant[data-mode=llm] [data-action=regenerate]")
    assert page.locator(".msg.user").count() == 1
    assert page.locator(".msg.assistant").count() == 1 and llm.requests >= 2

    # Edit, cancelled with Escape: the question is unchanged and focus is back on Edit.
    page.click("[data-action=edit]")
    page.press(".edit-question", "Escape")
    assert page.evaluate("document.activeElement.dataset.action") == "edit"
    assert page.locator("#citation-panel").is_hidden()

    # Edit-and-resend the last question.
    page.click("[data-action=edit]")
    page.fill(".edit-question", "How much leave carries over?")
    page.click("[data-action=save-edit]")
    page.wait_for_selector(".msg.assistant[data-mode=llm] [data-action=regenerate]")
    assert page.locator(".msg.user").count() == 1
    assert "carries over" in page.locator(".msg.user .bubble").inner_text()
    page.reload()  # the server forgot the replaced turns as well
    page.wait_for_selector(".msg.assistant[data-mode=llm] [data-action=regenerate]")
    assert page.locator(".msg.user").count() == 1 and page.locator(".msg.assistant").count() == 1
    assert "carries over" in page.locator(".msg.user .bubble").inner_text()

    # Stop: the request is aborted, the answer stops growing, the composer is ready again.
    llm.delay, llm.extra = 0.3, 30
    page.fill("#question", "How many days of paid leave? (long)")
    page.press("#question", "Enter")
    page.wait_for_function("document.querySelector('.msg.assistant:last-child .bubble')?.textContent.includes('Leave')")
    assert page.locator("#send").is_hidden()
    assert "**" not in page.locator(".msg.assistant").last.inner_text()  # rendered while streaming too
    page.click("#stop")
    page.wait_for_selector(".msg.assistant[data-mode=stopped]")
    stopped = page.locator(".msg.assistant").last.inner_text()
    page.wait_for_timeout(1200)
    assert page.locator(".msg.assistant").last.inner_text() == stopped
    assert page.locator("#send").is_visible() and page.locator("#stop").is_hidden()
    assert "Sentence 29" not in stopped

    # New chat while an answer streams: the old stream never writes into the new view.
    llm.extra = 12  # about four seconds of streaming left after the switch
    page.fill("#question", "How many days of paid leave? (abandoned)")
    page.press("#question", "Enter")
    page.wait_for_function("document.querySelector('.msg.assistant:last-child .bubble')?.textContent.includes('Leave')")
    first_url = page.url
    page.click("#new-chat")
    assert "?c=" not in page.url
    deadline = time.monotonic() + 7
    while time.monotonic() < deadline and "Sentence 29" not in page.locator("body").inner_text():
        page.wait_for_timeout(500)
    assert page.locator(".msg").count() == 0
    assert page.locator(".welcome").is_visible()
    assert "?c=" not in page.url and first_url != page.url
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "chat-after-new-chat.png"))
    tab.close()
