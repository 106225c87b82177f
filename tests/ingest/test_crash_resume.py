"""kill -9 the server in the middle of ingesting a folder, restart it: everything ends ready,
with exactly one point per chunk."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from core.security import generate_api_key

pytestmark = [pytest.mark.slow, pytest.mark.integration]
ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start(data_dir: Path, port: int, key: str) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KNOWBASE_")}
    env.update(
        KNOWBASE_DATA_DIR=str(data_dir),
        KNOWBASE_ADMIN_KEY=key,
        KNOWBASE_CHUNK_TOKENS="100",
        KNOWBASE_CHUNK_OVERLAP_TOKENS="10",
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "api.cli", "serve", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.3)
    process.kill()
    pytest.fail("server did not start")


def _folder(tmp_path: Path) -> list[Path]:
    folder = tmp_path / "folder"
    folder.mkdir()
    files = []
    for number in range(4):
        text = "\n\n".join(
            f"Document {number} section {s}. "
            + " ".join(f"Statement {s}.{i} about topic {number * 7 + i}." for i in range(12))
            for s in range(14)
        )
        path = folder / f"doc-{number}.txt"
        path.write_text(text)
        files.append(path)
    return files


def test_kill_9_mid_folder_then_restart_finishes_without_duplicates(tmp_path: Path) -> None:
    key, port, data_dir = generate_api_key(), _free_port(), tmp_path / "data"
    headers = {"Authorization": f"Bearer {key}"}
    server = _start(data_dir, port, key)
    base = f"http://127.0.0.1:{port}"
    try:
        ids = []
        for path in _folder(tmp_path):
            response = httpx.post(
                f"{base}/v1/documents", files={"file": (path.name, path.read_bytes())}, headers=headers
            )
            assert response.status_code == 202
            ids.append(response.json()["document"]["id"])
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:  # kill once real progress has been made on some document
            documents = [httpx.get(f"{base}/v1/documents/{i}", headers=headers).json() for i in ids]
            if any(d["status"] == "embedding" and d["progress"]["done"] >= 8 for d in documents):
                break
            time.sleep(0.2)
        else:
            pytest.fail("ingestion never reached the embedding stage")
    finally:
        server.send_signal(signal.SIGKILL)
        server.wait()
    assert any(d["status"] != "ready" for d in documents), "everything finished before the kill; nothing tested"

    server = _start(data_dir, port, key)
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            documents = [httpx.get(f"{base}/v1/documents/{i}", headers=headers).json() for i in ids]
            if all(d["status"] in ("ready", "failed") for d in documents):
                break
            time.sleep(0.5)
        assert [d["status"] for d in documents] == ["ready"] * len(ids), [d.get("error") for d in documents]
    finally:
        server.terminate()
        server.wait(timeout=60)

    from core.settings import Settings
    from core.vectorstore import StoreFilter
    from core.vectorstore.edge import EdgeVectorStore

    store = EdgeVectorStore(Settings(data_dir=data_dir).qdrant_path, 384)
    try:
        for document in documents:
            stored = store.fetch(StoreFilter(document_ids=[document["id"]]), limit=10_000)
            indexes = sorted(p.payload["chunk_index"] for p in stored)
            assert indexes == list(range(document["chunks"])), document["source"]
            assert {p.payload["version"] for p in stored} == {document["version"]}
            assert not any(p.payload["collection_id"].startswith("staging:") for p in stored)
    finally:
        store.close()
