"""A running knowbase for the OpenAI-API tests, set up through its own HTTP API: stores (collections)
and files (documents) the official SDK then uses."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from openai import OpenAI

from api.app import create_app
from core.security import generate_api_key
from core.settings import Settings
from tests.api.test_chat import HANDBOOK, PDF_PAGES
from tests.conftest import bearer
from tests.factories import make_pdf
from tests.servers import serve


class Knowbase:
    """A running server with two stores (handbook.md in "handbook", remote.pdf in "remote") and a
    third, "finance", that only the finance group reads."""

    def __init__(self, url: str, admin_key: str) -> None:
        self.url, self.admin_key = url, admin_key
        self.services: Any = None
        self.admin = OpenAI(base_url=url + "/v1", api_key=admin_key, max_retries=0)
        self.stores: dict[str, str] = {}
        self.files: dict[str, str] = {}
        headers = bearer(admin_key)
        for name in ("handbook", "remote", "finance"):
            groups = ["finance"] if name == "finance" else ["staff"]
            body = {"name": name, "read_groups": groups, "write_groups": groups}
            created = httpx.post(f"{url}/v1/admin/collections", json=body, headers=headers).json()
            self.stores[name] = "vs_" + created["id"]
        for collection, filename, data in (
            ("handbook", "handbook.md", HANDBOOK.encode()),
            ("remote", "remote.pdf", make_pdf(PDF_PAGES)),
            ("finance", "deal.md", b"# Deal\n\nRemote workers receive a VPN bonus of 412 euros.\n"),
        ):
            document = httpx.post(
                f"{url}/v1/documents",
                files={"file": (filename, data)},
                data={"collection": collection},
                headers=headers,
            ).json()["document"]
            self.files[filename] = "file-" + document["id"]
            self._wait(document["id"])

    def _wait(self, document_id: str) -> None:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            status = httpx.get(f"{self.url}/v1/documents/{document_id}", headers=bearer(self.admin_key)).json()
            if status["status"] in ("ready", "failed"):
                assert status["status"] == "ready", status
                return
            time.sleep(0.2)
        pytest.fail(f"document {document_id} was not ingested")

    def client_for(self, user: str, groups: list[str]) -> OpenAI:
        body = {"user": user, "role": "reader", "groups": groups}
        key = httpx.post(f"{self.url}/v1/admin/keys", json=body, headers=bearer(self.admin_key)).json()["key"]
        return OpenAI(base_url=self.url + "/v1", api_key=key, max_retries=0)

    def tool(self, *names: str, **options: Any) -> dict[str, Any]:
        return {"type": "file_search", "vector_store_ids": [self.stores[n] for n in names], **options}


def running_knowbase(tmp_path: Path, fake_llm_url: str | None = None) -> Iterator[Knowbase]:
    admin_key = generate_api_key()
    settings = Settings(data_dir=tmp_path / "data", admin_key=admin_key, log_json=True)
    if fake_llm_url:
        settings = settings.model_copy(
            update={"llm_base_url": fake_llm_url, "llm_model": "fake-model", "llm_api_keys": [], "llm_timeout_s": 2.0}
        )
    app = create_app(settings)
    with serve(app) as url:
        kb = Knowbase(url, admin_key)
        kb.services = app.state.services  # in-process: tests may reach the vector store directly
        yield kb
