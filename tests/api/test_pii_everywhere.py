"""PII stays redacted in every place a caller sees text from a message or a document: the answer,
citations' quotes (offsets still valid for the highlight), the stored conversation, /v1/search,
/v1/context, the document text and chunks a citation opens, and the prompt sent to the LLM.
The adversarial cases: an ID written with spaces, a full-width mobile number, a Luhn-valid
invoice number that is not a card, an order number that is not a phone."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from core.providers.pii import DEFAULT_POLICY
from core.providers.pii_mask import MASK, mask_pii
from tests.api.test_chat import stored_text
from tests.conftest import bearer, with_fake_llm
from tests.ingest.test_documents_api import upload, wait_until_done
from tests.servers import FakeLLM

pytestmark = pytest.mark.integration


@pytest.fixture
def llm_client(settings, fake_llm):  # type: ignore[no-untyped-def]
    """An app with the fake LLM and a deadline loose enough for a loaded test machine."""
    configured = with_fake_llm(settings, fake_llm, 20.0)
    with TestClient(create_app(configured)) as client:
        yield client


SPACED_ID = "110101 19900307 7715"  # a valid resident ID (checksum 5) written in three groups
FULL_WIDTH_MOBILE = "１３８１２３４５６７８"
INVOICE = "4111111111111111"  # Luhn-valid with a Visa prefix, but labelled as an invoice number
ORDER = "13812345678"  # shaped like a mobile number, but labelled as an order number
CONTACTS = (
    "# 财务部联系方式\n\n"
    f"财务联系人的身份证号是 {SPACED_ID}，仅供报销核验使用。\n\n"
    f"财务紧急联系手机：{FULL_WIDTH_MOBILE}，工作日九点到六点接听。\n\n"
    f"上月的发票号码 {INVOICE} 已经入账。\n\n"
    f"办公用品的订单号 {ORDER} 已经发货。\n"
)
HIDDEN = (SPACED_ID, "19900307", FULL_WIDTH_MOBILE)


def assert_hidden(payload: object) -> None:
    text = payload if isinstance(payload, str) else json.dumps(payload, ensure_ascii=False)
    for secret in HIDDEN:
        assert secret not in text, (secret, text[:400])


def ingest_contacts(client: TestClient, key: str) -> str:
    document = upload(client, key, "contacts.md", CONTACTS.encode()).json()["document"]
    assert wait_until_done(client, key, document["id"])["status"] == "ready"
    return str(document["id"])


def test_pii_is_masked_in_every_place_and_offsets_still_point_at_the_quote(
    client: TestClient, admin_key: str, settings
) -> None:  # type: ignore[no-untyped-def]
    headers = bearer(admin_key)
    document_id = ingest_contacts(client, admin_key)
    raw = stored_text(settings, document_id)
    masked = mask_pii(raw, DEFAULT_POLICY)
    assert len(masked) == len(raw) and SPACED_ID in raw and SPACED_ID not in masked

    answer = client.post("/v1/chat", json={"message": "财务联系人的身份证号是多少？"}, headers=headers).json()
    assert answer["mode"] == "extractive" and answer["citations"], answer
    assert_hidden(answer)
    assert MASK * 6 + " " + MASK * 8 in answer["answer"]  # the ID's shape, not its digits
    for citation in answer["citations"]:  # same-length masking: the offsets select the masked quote
        assert masked[citation["start"] : citation["end"]] == citation["quote"]
        assert len(raw[citation["start"] : citation["end"]]) == len(citation["quote"])
        around = client.get(
            f"/v1/documents/{document_id}/text",
            params={"start": citation["start"], "end": citation["end"], "window": 40},
            headers=headers,
        ).json()
        assert around["quote"] == citation["quote"]
        assert_hidden(around)

    mobile = client.post("/v1/chat", json={"message": "财务紧急联系手机是多少？"}, headers=headers).json()
    assert mobile["citations"] and MASK * 11 in mobile["answer"]
    assert_hidden(mobile)

    conversation = client.get(f"/v1/conversations/{answer['conversation_id']}", headers=headers).json()
    assert_hidden(conversation)

    search = client.post("/v1/search", json={"query": "财务联系人 身份证号 手机"}, headers=headers).json()
    assert search["results"]
    assert_hidden(search)
    context = client.post("/v1/context", json={"query": "财务联系人 身份证号 手机"}, headers=headers).json()
    assert context["sources"]
    assert_hidden(context)
    chunks = client.get(f"/v1/documents/{document_id}/chunks", headers=headers).json()
    assert_hidden(chunks)

    # Not PII: the invoice number (not a card) and the order number (not a phone) stay readable.
    for shown in (json.dumps(search, ensure_ascii=False), json.dumps(context, ensure_ascii=False)):
        assert INVOICE in shown and ORDER in shown
    invoice = client.post("/v1/chat", json={"message": "上月的发票号码是多少？"}, headers=headers).json()
    assert INVOICE in invoice["answer"], invoice["answer"]
    order = client.post("/v1/chat", json={"message": "办公用品的订单号是多少？"}, headers=headers).json()
    assert ORDER in order["answer"], order["answer"]


def test_the_message_is_redacted_before_it_is_stored_or_searched(client: TestClient, admin_key: str) -> None:
    headers = bearer(admin_key)
    ingest_contacts(client, admin_key)
    message = f"我的身份证号 {SPACED_ID}，手机 {FULL_WIDTH_MOBILE}，报销怎么走？"
    result = client.post("/v1/chat", json={"message": message}, headers=headers).json()
    stored = client.get(f"/v1/conversations/{result['conversation_id']}", headers=headers).json()
    assert_hidden(result)
    assert_hidden(stored)
    assert "[CN_ID REDACTED]" in json.dumps(stored, ensure_ascii=False)


def test_the_llm_prompt_carries_no_hidden_pii_and_its_answer_is_redacted(
    llm_client: TestClient,
    admin_key: str,
    fake_llm: FakeLLM,
) -> None:
    headers = bearer(admin_key)
    ingest_contacts(llm_client, admin_key)
    fake_llm.script = [("text", "身份证号是 110101199003077715 [1]。")]  # an LLM that knows it anyway
    result = llm_client.post("/v1/chat", json={"message": "财务联系人的身份证号是多少？"}, headers=headers).json()
    assert fake_llm.requests, result
    prompt = json.dumps(fake_llm.requests[-1]["body"]["messages"], ensure_ascii=False)
    assert_hidden(prompt)
    assert MASK * 6 in prompt and INVOICE in prompt
    assert "110101199003077715" not in result["answer"] and "[CN_ID REDACTED]" in result["answer"]
    assert_hidden(result)


def test_a_clients_own_history_is_redacted_before_the_llm_sees_it(
    llm_client: TestClient,
    admin_key: str,
    fake_llm: FakeLLM,
) -> None:
    ingest_contacts(llm_client, admin_key)
    fake_llm.script = [("text", "好的。"), ("text", "好的。")]  # the follow-up rewrite, then the answer
    messages = [
        {"role": "user", "content": f"我的身份证号是 {SPACED_ID}"},
        {"role": "assistant", "content": "收到。"},
        {"role": "user", "content": "财务联系人的手机是多少？"},
    ]
    response = llm_client.post("/v1/chat/completions", json={"messages": messages}, headers=bearer(admin_key))
    assert response.status_code == 200, response.text
    assert fake_llm.requests
    for request in fake_llm.requests:
        assert_hidden(json.dumps(request["body"]["messages"], ensure_ascii=False))
