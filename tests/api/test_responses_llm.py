"""OpenAI's Responses API with an LLM configured (a fake OpenAI-compatible server): only verified
citations become annotations, the caller's instructions reach the prompt, provider usage is reported,
and a failure or a blocked answer mid-stream ends the stream cleanly."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.answer.test_accounting import LONG_ANSWER, wait_for
from tests.api.openai_kb import Knowbase, running_knowbase
from tests.conftest import bearer
from tests.servers import FakeLLM, serve

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def llm() -> Iterator[FakeLLM]:
    fake = FakeLLM()
    with serve(fake.app()) as url:
        fake.url = url + "/v1"  # type: ignore[attr-defined]
        yield fake


@pytest.fixture(scope="module")
def kb_llm(tmp_path_factory: pytest.TempPathFactory, llm: FakeLLM) -> Iterator[Knowbase]:
    yield from running_knowbase(tmp_path_factory.mktemp("responses_llm"), llm.url)  # type: ignore[attr-defined]


def test_llm_answers_keep_only_verified_citations(kb_llm: Knowbase, llm: FakeLLM) -> None:
    llm.script = [("text", "Remote workers must use the company VPN at all times [1]. Lunch is free on Fridays [1].")]
    response = kb_llm.admin.responses.create(
        model="knowbase",
        input="Do remote workers need the VPN?",
        instructions="Answer in one sentence.",
        tools=[kb_llm.tool("remote")],
    )
    text = response.output_text
    assert text == "Remote workers must use the company VPN at all times. Lunch is free on Fridays."
    annotations = response.output[1].content[0].annotations
    assert [(a.file_id, a.index) for a in annotations] == [(kb_llm.files["remote.pdf"], text.index("."))]
    assert (response.model_extra or {})["knowbase"]["dropped_citations"] == [1]
    system = llm.requests[-1]["body"]["messages"][0]["content"]
    assert "Answer in one sentence." in system
    assert response.usage is not None and response.usage.input_tokens == 111 and response.usage.output_tokens == 22

    llm.script = [("text", "Remote workers must use the company VPN at all times [1].")]
    with kb_llm.admin.responses.stream(
        model="knowbase", input="Do remote workers need the VPN?", tools=[kb_llm.tool("remote")]
    ) as helper:
        events = list(helper)
        final = helper.get_final_response()
    streamed = "".join(e.delta for e in events if e.type == "response.output_text.delta")
    assert streamed == final.output_text == "Remote workers must use the company VPN at all times."
    assert [a.index for a in final.output[1].content[0].annotations] == [len(streamed) - 1]


def test_llm_failure_and_blocked_output_mid_stream(kb_llm: Knowbase, llm: FakeLLM) -> None:
    # A first sentence, then the answer runs past the 2 s deadline: the answer falls back to extractive.
    slow = "Remote workers must use the company VPN at all times [1]. Then more text follows, on and on and on."
    llm.script = [("slow", slow, 0.25)]
    events = list(
        kb_llm.admin.responses.create(
            model="knowbase", input="Do remote workers need the VPN?", tools=[kb_llm.tool("remote")], stream=True
        )
    )
    final = events[-1].response
    assert events[-1].type == "response.completed" and final.model_extra["knowbase"]["mode"] == "extractive"
    streamed = "".join(e.delta for e in events if e.type == "response.output_text.delta")
    notice = "[the language model failed; answering from the documents instead]"
    assert notice in streamed and streamed.endswith(final.output_text) and "VPN" in final.output_text
    shift = len(streamed) - len(final.output_text)
    added = [e.annotation["index"] for e in events if e.type == "response.output_text.annotation.added"]
    assert added and added == [shift + a.index for a in final.output[1].content[0].annotations]

    llm.script = [("text", "Office hours are nine to five [1]. I will kill you tomorrow. More text follows here.")]
    events = list(kb_llm.admin.responses.create(model="knowbase", input="office hours", stream=True))
    streamed = "".join(e.delta for e in events if e.type == "response.output_text.delta")
    assert "kill" not in streamed and "More text" not in streamed
    final = events[-1].response
    assert final.output[1].content[0].type == "refusal" and final.output_text == ""
    assert final.model_extra["knowbase"]["moderation"]["stage"] == "output"


def test_a_client_that_hangs_up_stops_the_llm_and_is_charged(kb_llm: Knowbase, llm: FakeLLM) -> None:
    def fake_model_requests() -> int:
        rows = httpx.get(f"{kb_llm.url}/v1/usage?group_by=model", headers=bearer(kb_llm.admin_key)).json()
        return sum(row["requests"] for row in rows if row["key"] == "fake-model")

    charged, closed = fake_model_requests(), llm.streams_closed_early
    llm.script = [("slow", LONG_ANSWER, 0.02)]
    stream = kb_llm.admin.responses.create(
        model="knowbase", input="Do remote workers need the VPN?", tools=[kb_llm.tool("remote")], stream=True
    )
    deltas = 0
    for event in stream:
        deltas += event.type == "response.output_text.delta"
        if deltas == 3:
            break
    stream.close()
    assert wait_for(lambda: llm.streams_closed_early == closed + 1), "the LLM stream was not closed"
    assert wait_for(lambda: fake_model_requests() == charged + 1), "the turn was not charged"
