"""Shared pieces of the browser tests: Debian's Chromium (never a downloaded browser), a served app,
signed-in tabs that fail on console errors, and test documents."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from api.app import create_app
from core.metadata import accounts
from core.settings import Settings
from tests.conftest import CORPUS, bearer
from tests.factories import make_pdf
from tests.servers import serve

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
def browser() -> Iterator[Any]:
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
def site(settings: Settings, admin_key: str) -> Iterator[dict[str, Any]]:
    app = create_app(settings)
    with serve(app) as url:
        with app.state.services.db.session() as session:
            accounts.update_user(session=session, name="admin", password=PASSWORD)
        yield {"url": url, "app": app, "key": admin_key}


class Page:
    """A signed-in tab that fails the test on any console error."""

    def __init__(  # type: ignore[no-untyped-def]
        self, browser, url: str, user: str, password: str, viewport=(1280, 800), lang: str = "en", enforce_csp=False
    ) -> None:
        # Playwright's wait_for_function evaluates its predicate with eval(), which the server's CSP
        # forbids; tests/ui/test_csp.py enforces the policy on every page instead.
        self.context = browser.new_context(
            viewport={"width": viewport[0], "height": viewport[1]},
            locale=lang,
            extra_http_headers={"Accept-Language": lang},
            bypass_csp=not enforce_csp,
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


def pdf_file(tmp_path: Path) -> Path:
    shared = CORPUS / "docling" / "pdf__multi_page.pdf"
    if shared.exists():
        return shared
    path = tmp_path / "history.pdf"
    path.write_bytes(
        make_pdf([["The typewriter was patented in 1868."], ["Google Docs (2006): cloud-based word processing."]])
    )
    return path


def ask(page, question: str) -> None:  # type: ignore[no-untyped-def]
    page.fill("#question", question)
    page.press("#question", "Enter")
    page.wait_for_selector(".msg.assistant[data-mode]", timeout=90_000)


def upload_ready(url: str, key: str, name: str, content: bytes, collection: str | None = None) -> str:
    """Upload through the API and wait until the document is ready; returns its id."""
    data = {"collection": collection} if collection else {}
    response = httpx.post(url + "/v1/documents", files={"file": (name, content)}, data=data, headers=bearer(key))
    document = response.json()["document"]["id"]
    for _ in range(600):
        if httpx.get(f"{url}/v1/documents/{document}", headers=bearer(key)).json()["status"] in ("ready", "failed"):
            return str(document)
        time.sleep(0.2)
    raise AssertionError(f"{name} never became ready")


@dataclass
class SlowLLM:
    """An OpenAI-compatible stream that answers in markdown, quoting ``sentence`` as source [1], one
    sentence every ``delay`` seconds; ``extra`` more sentences make a long answer to stop or abandon."""

    delay: float = 0.0
    extra: int = 0
    requests: int = 0
    url: str = ""

    sentence: str = "Employees get fifteen days of paid leave every year."

    def answer(self) -> list[str]:
        sentence = self.sentence
        pieces = [
            "## Leave policy\n\n",
            f"**Rule:** {sentence} [1]\n\n",
            "- fifteen days\n- five carried over\n\n",
            "| Days | Carry |\n|---|---|\n| 15 | 5 |\n\n",
            "```\nleave = 15\n```\n\n",
            "See [the handbook](https://example.com/handbook).\n\n",
        ]
        return pieces + [f"Sentence {n} keeps the answer streaming. " for n in range(self.extra)]

    def app(self) -> Starlette:
        async def completions(request: Request) -> Response:
            body = json.loads(await request.body())
            if not body.get("stream"):  # the follow-up rewrite: answer with the last question as is
                question = next(m["content"] for m in reversed(body["messages"]) if m["role"] == "user")
                return JSONResponse(
                    {
                        "id": "x",
                        "object": "chat.completion",
                        "created": 0,
                        "model": "fake-model",
                        "choices": [
                            {
                                "index": 0,
                                "message": {"role": "assistant", "content": question[-500:]},
                                "finish_reason": "stop",
                            }
                        ],
                        "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15},
                    }
                )
            self.requests += 1
            pieces = self.answer()

            async def events() -> AsyncIterator[str]:
                for piece in pieces:
                    chunk = {"id": "x", "model": "fake-model", "choices": [{"index": 0, "delta": {"content": piece}}]}
                    yield f"data: {json.dumps(chunk)}\n\n"
                    await asyncio.sleep(self.delay)
                done = {
                    "id": "x",
                    "model": "fake-model",
                    "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}],
                }
                yield f"data: {json.dumps(done)}\n\n"
                yield "data: [DONE]\n\n"

            return StreamingResponse(events(), media_type="text/event-stream")

        return Starlette(routes=[Route("/v1/chat/completions", completions, methods=["POST"])])


@pytest.fixture
def slow_llm() -> Iterator[SlowLLM]:
    llm = SlowLLM()
    with serve(llm.app()) as url:
        llm.url = url + "/v1"
        yield llm


@pytest.fixture
def llm_site(settings: Settings, admin_key: str, slow_llm: SlowLLM) -> Iterator[dict[str, Any]]:
    configured = settings.model_copy(
        update={"llm_base_url": slow_llm.url, "llm_model": "fake-model", "llm_api_keys": [], "llm_timeout_s": 30.0}
    )
    app = create_app(configured)
    with serve(app) as url:
        with app.state.services.db.session() as session:
            accounts.update_user(session=session, name="admin", password=PASSWORD)
        yield {"url": url, "app": app, "key": admin_key, "llm": slow_llm}
