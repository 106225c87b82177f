"""The web UI in a real browser: Debian's Chromium driven by Playwright (never a downloaded browser).
Screenshots of every page go to test-artifacts/screenshots/."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from api.app import create_app
from core.metadata import accounts
from tests.conftest import CORPUS, bearer
from tests.factories import make_pdf
from tests.servers import serve

pytestmark = [pytest.mark.slow, pytest.mark.integration]
CHROMIUM = "/usr/bin/chromium"
SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
PASSWORD = "admin-pass-123"


@pytest.fixture(scope="module")
def browser() -> Iterator:
    if not Path(CHROMIUM).exists():
        pytest.skip(
            "Debian's chromium is not installed (make test installs it: apt-get install chromium fonts-noto-cjk)"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield instance
        instance.close()


@pytest.fixture
def site(settings, admin_key: str) -> Iterator[dict]:  # type: ignore[no-untyped-def]
    app = create_app(settings)
    with serve(app) as url:
        with app.state.services.db.session() as session:
            accounts.update_user(session=session, name="admin", password=PASSWORD)
        yield {"url": url, "app": app, "key": admin_key}


class Page:
    """A signed-in tab that fails the test on any console error."""

    def __init__(self, browser, url: str, user: str, password: str, viewport=(1280, 800), lang: str = "en") -> None:  # type: ignore[no-untyped-def]
        self.context = browser.new_context(
            viewport={"width": viewport[0], "height": viewport[1]},
            locale=lang,
            extra_http_headers={"Accept-Language": lang},
        )
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("console", lambda message: self.errors.append(message.text) if message.type == "error" else None)
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.url = url
        self.page.goto(url + "/login")
        self.page.fill("input[name=username]", user)
        self.page.fill("input[name=password]", password)
        self.page.click("button[type=submit]")
        self.page.wait_for_url("**/ui/chat")

    def close(self) -> None:
        self.context.close()
        assert self.errors == [], f"console errors: {self.errors}"


def _pdf(tmp_path: Path) -> Path:
    shared = CORPUS / "docling" / "pdf__multi_page.pdf"
    if shared.exists():
        return shared
    path = tmp_path / "history.pdf"
    path.write_bytes(
        make_pdf([["The typewriter was patented in 1868."], ["Google Docs (2006): cloud-based word processing."]])
    )
    return path


def _ask(page, question: str) -> None:  # type: ignore[no-untyped-def]
    page.fill("#question", question)
    page.press("#question", "Enter")
    page.wait_for_selector(".msg.assistant[data-mode]", timeout=90_000)


def test_sign_in_upload_watch_ready_ask_and_open_a_citation(browser, site, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    tab = Page(browser, site["url"], "admin", PASSWORD)
    page = tab.page
    page.click("nav >> text=Documents")
    page.set_input_files("#files", str(_pdf(tmp_path)))
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
    assert quote.inner_text().strip() and "Google Docs" in quote.inner_text()
    assert quote.inner_text().strip().lstrip("• ")[:30] in bubble_text
    assert "page 2" in page.locator("#cite-meta").inner_text()
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
    page.fill("#collection-form input[name=name]", "hr")
    page.fill("#collection-form input[name=read_groups]", "hr")
    page.click("#collection-form button[type=submit]")
    page.wait_for_selector("#collection-rows tr[data-collection=hr]")
    page.fill("#user-form input[name=name]", "rob")
    page.select_option("#user-form select[name=role]", "reader")
    page.fill("#user-form input[name=groups]", "hr")
    page.fill("#user-form input[name=password]", "reader-pass-1")
    page.click("#user-form button[type=submit]")
    page.wait_for_selector("#user-rows tr[data-user=rob]")
    page.fill("#key-form input[name=user]", "rob")
    page.click("#key-form button[type=submit]")
    page.wait_for_selector("#new-key:not([hidden])")
    assert page.locator("#new-key-value").inner_text().startswith("kb-")
    admin.close()

    reader = Page(browser, url, "rob", "reader-pass-1")
    page = reader.page
    assert page.locator("nav >> text=Admin").count() == 0
    page.click("nav >> text=Documents")
    page.wait_for_selector("#document-rows tr")
    assert "deal" not in page.locator("#document-rows").inner_text().lower()
    assert page.locator("#filter-collection option[value=finance]").count() == 0
    page.click("nav >> text=Chat")
    _ask(page, "Project Nightingale buys Borealis Robotics")
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
    _ask(page, "年假可以结转几天？" if lang == "zh-CN" else "How many days of paid leave?")
    page.locator(".msg.assistant .cite").first.click()
    page.locator("[data-testid=cited-quote]").wait_for()
    page.screenshot(path=str(SHOTS / f"{name}-chat.png"))
    for section, ready in (
        ("documents", "#document-rows [data-status]"),
        ("admin", "#key-rows tr"),
        ("usage", "#chart-day-tokens svg"),
    ):
        page.goto(f"{url}/ui/{section}")
        page.wait_for_selector(ready)
        page.screenshot(path=str(SHOTS / f"{name}-{section}.png"), full_page=True)
    html_lang = page.locator("html").get_attribute("lang")
    assert html_lang == lang
    if lang == "zh-CN":
        assert "用量" in page.locator("nav").inner_text()
    tab.close()
    assert shutil.disk_usage(SHOTS).free > 0
