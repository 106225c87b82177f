"""The Documents page shows each waiting document's place in the ingestion queue and an ETA from
recent throughput (the server's own worker is off here, so the jobs stay queued)."""

from __future__ import annotations

import httpx
import pytest

from api.app import create_app
from core.metadata import accounts
from core.settings import Settings
from tests.conftest import bearer
from tests.servers import serve
from tests.ui.conftest import PASSWORD, Page

pytestmark = [pytest.mark.slow, pytest.mark.integration, pytest.mark.browser]


def test_documents_page_shows_queue_position_and_eta(browser, settings: Settings, admin_key: str) -> None:  # type: ignore[no-untyped-def]
    configured = settings.model_copy(update={"embedding_provider": "fake", "ingest_in_server": False})
    app = create_app(configured)
    with serve(app) as url:
        services = app.state.services
        with services.db.session() as session:
            accounts.update_user(session=session, name="admin", password=PASSWORD)
        headers = bearer(admin_key)

        def upload(name: str, body: bytes) -> str:
            response = httpx.post(f"{url}/v1/documents", files={"file": (name, body)}, headers=headers)
            return str(response.json()["document"]["id"])

        upload("measured.md", b"# Measured\n\n" + b"words to measure throughput. " * 100)
        assert [r.status for r in services.worker.run_until_empty()] == ["ready"]
        first = upload("first.md", b"# First\n\nfirst words " * 20)
        second = upload("second.md", b"# Second\n\nsecond words " * 60)

        tab = Page(browser, url, "admin", PASSWORD)
        tab.page.goto(url + "/ui/documents")
        tab.page.wait_for_selector(f"tr[data-document='{second}'] [data-queue='2']")
        first_row = tab.page.locator(f"tr[data-document='{first}']").inner_text()
        assert "#1 in the queue · ready in about" in first_row
        summary = tab.page.locator("#queue-summary").inner_text()
        assert summary.startswith("Ingestion: 2 waiting or running · recently ") and "/s" in summary
        assert tab.errors == []
        tab.close()
