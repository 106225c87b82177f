"""The whole shared corpus through the API. Embedding uses the fake embedder, and the multilingual
vector hashed vectors of the same size, so this fits in CI: the real sentence encoder spent ~100 of
this test's ~190 s on the corpus's 1,225-page book (the real models over the corpus are what
bench/ingest.py measures)."""

from __future__ import annotations

import io
import re
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader

from api.app import create_app
from core.providers.fakes import hashed_gaussian
from core.providers.sentence_encoder import DIMENSIONS
from core.vectorstore import StoreFilter
from ingest.parsers.base import join_wrapped_lines
from tests.conftest import CORPUS, bearer, require_shared

pytestmark = [pytest.mark.slow, pytest.mark.integration]


def _normalise(text: str) -> str:
    return re.sub(r"\s+", "", text)


class _HashedSentenceEncoder:
    """The multilingual vector's size and flow through ingestion, without the model's cost: one random
    unit vector per text, whole (``FakeEmbedder``'s bag of words cost ~50 s more here; no ranking is
    tested)."""

    def encode(self, texts: list[str]) -> np.ndarray:
        vectors = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        for row, text in enumerate(texts):
            vector = hashed_gaussian(text, DIMENSIONS)
            vectors[row] = vector / np.linalg.norm(vector)
        return vectors


def test_every_corpus_file_ends_ready_or_failed_while_the_server_answers(settings, admin_key: str, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    corpus = require_shared(CORPUS)
    encoder = _HashedSentenceEncoder()
    monkeypatch.setattr("api.wiring.multilingual_encoder", lambda s: encoder if s.multilingual_search else None)
    files = sorted(p for p in corpus.rglob("*") if p.is_file())
    fake = settings.model_copy(update={"embedding_provider": "fake"})
    latencies: list[float] = []
    with TestClient(create_app(fake)) as client:
        ids: dict[str, Path] = {}
        for path in files:
            response = client.post(
                "/v1/documents", files={"file": (path.name, path.read_bytes())}, headers=bearer(admin_key)
            )
            assert response.status_code in (200, 202, 415), response.text
            if response.status_code != 415:
                ids[response.json()["document"]["id"]] = path

        stop = threading.Event()

        def probe() -> None:
            while not stop.is_set():
                started = time.perf_counter()
                assert client.get("/healthz").status_code == 200
                latencies.append(time.perf_counter() - started)
                time.sleep(0.2)

        prober = threading.Thread(target=probe)
        prober.start()
        deadline = time.monotonic() + 600
        try:
            while time.monotonic() < deadline:
                documents = client.get("/v1/documents?limit=500", headers=bearer(admin_key)).json()["items"]
                if all(d["status"] in ("ready", "failed") for d in documents):
                    break
                time.sleep(1)
        finally:
            stop.set()
            prober.join()

        by_status = {d["source"]: d for d in documents}
        stuck = [d["source"] for d in documents if d["status"] not in ("ready", "failed")]
        assert not stuck, f"documents still in progress: {stuck}"
        failed = {d["source"]: d["error"] for d in documents if d["status"] == "failed"}
        assert failed == {
            "r6-user-password.pdf": "the PDF is password-protected; upload a copy without a password",
            "table-multi-row-column-cells.pdf": "the PDF has no text layer (scanned images?); OCR is not supported, upload a searchable PDF",
        }
        assert by_status["book-war-and-peace-1225p.txt"]["chunks"] > 2000
        assert max(latencies) < 2.0, f"the server stalled during ingestion: {max(latencies):.2f} s"

        store = client.app.state.services.vector_store.get()
        total_chunks = sum(d["chunks"] for d in documents)
        assert store.count(StoreFilter()) == total_chunks  # no staging leftovers, no duplicates

        # Page numbers: each chunk of a multi-page PDF is found on the pages it names.
        for document in documents:
            if document["format"] != "pdf" or document["status"] != "ready" or (document["pages"] or 0) < 2:
                continue
            reader = PdfReader(io.BytesIO(ids_path(ids, document["id"]).read_bytes()))
            page_texts = [_normalise(join_wrapped_lines(p.extract_text() or "")) for p in reader.pages]
            for point in store.fetch(StoreFilter(document_ids=[document["id"]])):
                pages = point.payload["pages"]
                on_pages = _normalise("".join(page_texts[p - 1] for p in pages))
                head = _normalise(point.payload["text"])[:60]
                assert head in on_pages, (document["source"], pages, head)
                if len(pages) == 1:
                    others = [i + 1 for i, t in enumerate(page_texts) if head in t]
                    assert pages[0] in others


def ids_path(ids: dict[str, Path], document_id: str) -> Path:
    return ids[document_id]
