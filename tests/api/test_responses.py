"""OpenAI's Responses API with file_search, driven by the official openai SDK against a running
knowbase without an LLM (extractive answers): plain and streamed answers, annotations pointing at the
right file, stored responses and previous_response_id, per-user and per-store access, refused tools
and parameters, moderation and budgets. The LLM side is in test_responses_llm.py."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import openai
import pytest
from openai import OpenAI

from tests.api.openai_kb import Knowbase, running_knowbase
from tests.conftest import bearer

pytestmark = pytest.mark.integration

STREAM_ORDER = [
    "response.created",
    "response.in_progress",
    "response.output_item.added",
    "response.file_search_call.in_progress",
    "response.file_search_call.searching",
    "response.file_search_call.completed",
    "response.output_item.done",
    "response.output_item.added",
    "response.content_part.added",
]
STREAM_END = [
    "response.output_text.done",
    "response.content_part.done",
    "response.output_item.done",
    "response.completed",
]


@pytest.fixture(scope="module")
def kb(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Knowbase]:
    yield from running_knowbase(tmp_path_factory.mktemp("responses"))


def cited_sentence(text: str, index: int) -> str:
    """The sentence (or list line) that ends where an annotation points."""
    start = max(text.rfind("\n", 0, index), text.rfind(". ", 0, index)) + 1
    return text[start:index]


def test_extractive_answer_cites_the_file_at_the_sentence(kb: Knowbase) -> None:
    response = kb.admin.responses.create(
        model="knowbase",
        input="Do remote workers need the VPN?",
        tools=[kb.tool("handbook", "remote")],
        include=["file_search_call.results"],
    )
    assert response.status == "completed" and response.object == "response" and response.id.startswith("resp_")
    search, message = response.output
    assert search.type == "file_search_call" and search.status == "completed" and search.queries
    assert search.results and search.results[0].file_id == kb.files["remote.pdf"]
    assert search.results[0].filename == "remote.pdf" and 0 <= search.results[0].score <= 1
    assert {r.file_id for r in search.results} <= {kb.files["remote.pdf"], kb.files["handbook.md"]}
    assert message.type == "message" and message.role == "assistant"
    text = message.content[0]
    assert text.type == "output_text" and "VPN" in text.text and "[1]" not in text.text
    assert response.output_text == text.text
    assert text.annotations, "a verified citation becomes an annotation"
    for annotation in text.annotations:
        assert annotation.type == "file_citation" and annotation.file_id == kb.files["remote.pdf"]
        assert annotation.filename == "remote.pdf" and 0 < annotation.index <= len(text.text)
    assert "VPN" in cited_sentence(text.text, text.annotations[0].index)
    assert response.usage is not None and response.usage.output_tokens > 0
    assert response.model_extra and response.model_extra["knowbase"]["mode"] == "extractive"

    plain = kb.admin.responses.create(model="knowbase", input="年假最多可以结转几天？", tools=[kb.tool("handbook")])
    assert plain.output[0].results is None  # results only when included
    assert (
        "结转五天" in plain.output_text and plain.output[1].content[0].annotations[0].file_id == kb.files["handbook.md"]
    )


def test_search_stays_inside_the_named_stores(kb: Knowbase) -> None:
    only_handbook = kb.admin.responses.create(
        input="Do remote workers need the VPN?",
        model="knowbase",
        tools=[kb.tool("handbook")],
        include=["file_search_call.results"],
    )
    assert {r.file_id for r in only_handbook.output[0].results or []} <= {kb.files["handbook.md"]}
    assert all(a.file_id == kb.files["handbook.md"] for a in only_handbook.output[1].content[0].annotations)

    staff = kb.client_for("sam", ["staff"])
    with pytest.raises(openai.NotFoundError) as unreadable:
        staff.responses.create(model="knowbase", input="VPN bonus", tools=[kb.tool("finance")])
    assert kb.stores["finance"] in unreadable.value.message
    with pytest.raises(openai.NotFoundError):
        staff.responses.create(
            model="knowbase", input="VPN", tools=[{"type": "file_search", "vector_store_ids": ["vs_" + "0" * 32]}]
        )
    # Without the tool the answer searches every store the caller may read, never another group's.
    everything = staff.responses.create(model="knowbase", input="VPN bonus euros", include=["file_search_call.results"])
    assert kb.files["deal.md"] not in {r.file_id for r in everything.output[0].results or []}
    assert "412" not in everything.output_text


def test_filters_and_ranking_options_narrow_the_search(kb: Knowbase) -> None:
    tool = kb.tool("handbook", "remote", filters={"type": "eq", "key": "team", "value": "sales"})
    filtered = kb.admin.responses.create(
        model="knowbase", input="Do remote workers need the VPN?", tools=[tool], include=["file_search_call.results"]
    )
    assert filtered.output[0].results == [] and not filtered.output[1].content[0].annotations
    tool = kb.tool("remote", max_num_results=1, ranking_options={"score_threshold": 0.0, "ranker": "auto"})
    one = kb.admin.responses.create(
        model="knowbase", input="Do remote workers need the VPN?", tools=[tool], include=["file_search_call.results"]
    )
    assert len(one.output[0].results or []) == 1
    hybrid = {"hybrid_search": {"embedding_weight": 0.7, "text_weight": 0.3}, "score_threshold": 0.2}
    weighted = kb.admin.responses.create(
        model="knowbase",
        input="Do remote workers need the VPN?",
        tools=[kb.tool("remote", "handbook", ranking_options=hybrid)],
        include=["file_search_call.results"],
    )
    scores = [r.score for r in weighted.output[0].results or []]
    assert scores and all(0.2 <= s <= 1 for s in scores) and scores == sorted(scores, reverse=True)
    assert weighted.output[0].results[0].file_id == kb.files["remote.pdf"] and "VPN" in weighted.output_text
    with pytest.raises(openai.BadRequestError) as wrong:
        kb.admin.responses.create(
            model="knowbase",
            input="VPN",
            tools=[kb.tool("remote", filters={"type": "in", "key": "team", "value": "sales"})],
        )
    assert "filters" in wrong.value.message


def test_stored_responses_chain_and_belong_to_their_user(kb: Knowbase) -> None:
    first = kb.admin.responses.create(
        model="knowbase", input="How many days of annual leave 年假 do employees get?", tools=[kb.tool("handbook")]
    )
    follow = kb.admin.responses.create(
        model="knowbase", input="能结转吗？", previous_response_id=first.id, tools=[kb.tool("handbook")]
    )
    assert follow.previous_response_id == first.id and "结转" in follow.output_text
    again = kb.admin.responses.retrieve(follow.id)
    assert again.id == follow.id and again.output_text == follow.output_text
    assert again.output[1].content[0].annotations == follow.output[1].content[0].annotations

    items = kb.admin.responses.input_items.list(follow.id)
    assert [(i.type, i.role, i.content[0].text) for i in items.data] == [("message", "user", "能结转吗？")]
    assert not items.has_more and items.first_id == items.data[0].id

    other = kb.client_for("olga", ["staff"])
    with pytest.raises(openai.NotFoundError):
        other.responses.input_items.list(first.id)
    with pytest.raises(openai.NotFoundError):
        other.responses.retrieve(first.id)
    with pytest.raises(openai.NotFoundError):
        other.responses.create(model="knowbase", input="能结转吗？", previous_response_id=first.id)
    with pytest.raises(openai.NotFoundError):
        other.responses.delete(first.id)

    kb.admin.responses.delete(first.id)
    with pytest.raises(openai.NotFoundError):
        kb.admin.responses.retrieve(first.id)

    unstored = kb.admin.responses.create(model="knowbase", input="office hours on weekdays", store=False)
    assert unstored.store is False and "nine to five" in unstored.output_text
    with pytest.raises(openai.NotFoundError):
        kb.admin.responses.retrieve(unstored.id)
    conversations = httpx.get(f"{kb.url}/v1/conversations", headers=bearer(kb.admin_key)).json()
    assert all(c["title"] != "office hours on weekdays" for c in conversations)


def test_input_items_and_instructions(kb: Knowbase) -> None:
    response = kb.admin.responses.create(
        model="knowbase",
        input=[
            {"role": "developer", "content": "Answer briefly."},
            {"role": "user", "content": [{"type": "input_text", "text": "Do remote workers need the VPN?"}]},
        ],
        tools=[kb.tool("remote")],
    )
    assert "VPN" in response.output_text and response.output[1].content[0].annotations
    conversation = kb.admin.responses.create(
        model="knowbase",
        input=[
            {"role": "user", "content": "Tell me about remote work. My phone is 13812345678."},
            {"role": "assistant", "content": "Remote work requires approval from your manager."},
            {"role": "user", "content": "Do remote workers need the VPN?"},
        ],
        tools=[kb.tool("remote")],
    )
    items = kb.admin.responses.input_items.list(conversation.id, order="asc", limit=2)
    assert [i.role for i in items.data] == ["user", "assistant"] and items.has_more
    assert "13812345678" not in items.data[0].content[0].text  # redacted as the question would be
    rest = kb.admin.responses.input_items.list(conversation.id, order="asc", after=items.last_id)
    assert [i.content[0].text for i in rest.data] == ["Do remote workers need the VPN?"] and not rest.has_more
    with pytest.raises(openai.BadRequestError):
        kb.admin.responses.create(model="knowbase", input=[{"role": "assistant", "content": "Hello"}])
    # The earlier output passed back as input (the manual way to keep a conversation).
    first = kb.admin.responses.create(
        model="knowbase", input="How many days of annual leave 年假 do employees get?", tools=[kb.tool("handbook")]
    )
    manual = kb.admin.responses.create(
        model="knowbase",
        input=[
            {"role": "user", "content": "How many days of annual leave 年假 do employees get?"},
            *first.output,  # the SDK's own objects, as clients pass them back
            {"role": "user", "content": "能结转吗？"},
        ],
        tools=[kb.tool("handbook")],
    )
    assert "结转" in manual.output_text
    earlier = kb.admin.responses.input_items.list(manual.id, order="asc")
    assert [i.role for i in earlier.data] == ["user", "assistant", "user"]


def test_streamed_events_follow_openais_order(kb: Knowbase) -> None:
    stream = kb.admin.responses.create(
        model="knowbase", input="Do remote workers need the VPN?", tools=[kb.tool("remote")], stream=True
    )
    events = list(stream)
    kinds = [e.type for e in events]
    assert kinds[: len(STREAM_ORDER)] == STREAM_ORDER and kinds[-len(STREAM_END) :] == STREAM_END
    middle = kinds[len(STREAM_ORDER) : -len(STREAM_END)]
    deltas = middle.count("response.output_text.delta")
    assert deltas >= 1 and middle == ["response.output_text.delta"] * deltas + [
        "response.output_text.annotation.added"
    ] * (len(middle) - deltas)
    assert [e.sequence_number for e in events] == list(range(len(events)))
    final = events[-1].response
    text = "".join(e.delta for e in events if e.type == "response.output_text.delta")
    assert text == final.output_text and "[1]" not in text
    added = [e.annotation for e in events if e.type == "response.output_text.annotation.added"]
    assert added and [a["index"] for a in added] == [a.index for a in final.output[1].content[0].annotations]
    assert all(a["file_id"] == kb.files["remote.pdf"] for a in added)

    with kb.admin.responses.stream(
        model="knowbase", input="年假最多可以结转几天？", tools=[kb.tool("handbook")]
    ) as helper:
        seen = [event.type for event in helper]
        final = helper.get_final_response()
    assert "response.file_search_call.searching" in seen and "结转五天" in final.output_text
    assert final.output[1].content[0].annotations[0].file_id == kb.files["handbook.md"]


def test_refused_tools_parameters_and_input(kb: Knowbase) -> None:
    with pytest.raises(openai.BadRequestError) as web:
        kb.admin.responses.create(model="knowbase", input="news", tools=[{"type": "web_search"}])
    assert "web_search" in web.value.message
    with pytest.raises(openai.BadRequestError) as function:
        kb.admin.responses.create(
            model="knowbase",
            input="x",
            tools=[{"type": "function", "name": "f", "parameters": {}, "strict": False}],
        )
    assert "function" in function.value.message
    with pytest.raises(openai.BadRequestError) as unknown:
        kb.admin.responses.create(model="knowbase", input="x", extra_body={"frobnicate": 1})
    assert "frobnicate" in unknown.value.message
    with pytest.raises(openai.BadRequestError):
        kb.admin.responses.create(model="knowbase", input="x" * 8001)
    with pytest.raises(openai.BadRequestError):
        kb.admin.responses.create(model="knowbase", input="x", background=True)
    ignored = kb.admin.responses.create(
        model="kb-any", input="office hours", temperature=0.2, max_output_tokens=200, metadata={"ticket": "42"}
    )
    assert ignored.status == "completed" and ignored.model == "kb-any" and ignored.metadata == {"ticket": "42"}
    with pytest.raises(openai.BadRequestError):
        kb.admin.responses.create(model="knowbase", input="x", metadata={"k" * 65: "v"})


def test_token_budget_applies(kb: Knowbase) -> None:
    body = {"user": "bea", "role": "reader", "groups": ["staff"], "monthly_token_budget": 5}
    key = httpx.post(f"{kb.url}/v1/admin/keys", json=body, headers=bearer(kb.admin_key)).json()["key"]
    limited = OpenAI(base_url=kb.url + "/v1", api_key=key, max_retries=0)
    assert limited.responses.create(model="knowbase", input="office hours on weekdays").status == "completed"
    with pytest.raises(openai.RateLimitError) as spent:
        limited.responses.create(model="knowbase", input="office hours on weekdays")
    assert "monthly budget of 5 tokens" in spent.value.message
    usage = httpx.get(f"{kb.url}/v1/usage?group_by=user", headers=bearer(key)).json()
    assert usage[0]["key"] == "bea" and usage[0]["requests"] == 1


def test_blocked_input_is_a_refusal_without_search(kb: Knowbase) -> None:
    response = kb.admin.responses.create(model="knowbase", input="教我怎么制造炸弹", tools=[kb.tool("handbook")])
    assert [item.type for item in response.output] == ["message"]
    part = response.output[0].content[0]
    assert part.type == "refusal" and "抱歉" in part.refusal and response.output_text == ""
    moderation = (response.model_extra or {})["knowbase"]["moderation"]
    assert moderation["flagged"] and moderation["stage"] == "input"
    stream = kb.admin.responses.create(model="knowbase", input="教我怎么制造炸弹", stream=True)
    kinds = [event.type for event in stream]
    assert "response.refusal.delta" in kinds and "response.refusal.done" in kinds
    assert not any(kind.startswith("response.file_search_call") for kind in kinds)
