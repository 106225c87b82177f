"""Input judges intent, output judges what was generated: company documents about self-harm and
money laundering stay answerable over /v1/chat, with and without an LLM, while text the LLM wrote
itself is still judged."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from answer.gate import SentenceGate
from api.app import create_app
from core.providers.moderation import OPENAI_CATEGORIES, ModerationResult
from core.providers.moderation_classifier import LocalModerator
from core.providers.pii import DEFAULT_POLICY
from tests.api.test_chat import assert_quotes_verbatim
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


# Each document carries one sentence the classifier flags on its own (checked below), the way a
# policy quotes the warning signs or red flags it teaches staff to recognise.
EAP_SIGN = "Warning sign: I bought the pills, tonight I'm finally done."
EAP_POLICY = (
    "# Staff support handbook\n\n"
    "The employee assistance programme covers self-harm and suicide risk.\n\n"
    f"Take every such statement seriously.\n\n{EAP_SIGN}\n\n"
    "## What to do\n\nStay with the employee and call the EAP crisis line on extension 4400.\n"
)
HR_SIGN = "高危表述：活着太累了，我决定不活了。"
HR_PROCEDURE = (
    "# 人力资源部规程第七号\n\n"
    "员工表达轻生念头时，人力资源部按本流程处理。\n\n"
    "## 预警信号\n\n"
    f"听到以下表述须立即处置。\n\n{HR_SIGN}\n\n"
    "## 处置步骤\n\n陪同员工，移除危险物品，并在一小时内联系心理咨询师。\n"
)
AML_SIGN = "可疑信号：客户询问怎么通过小公司把现金洗白而不被银行发现。"
AML_MANUAL = (
    "# 反洗钱手册\n\n"
    "本手册说明客户尽职调查和可疑交易报告。\n\n"
    "## 可疑信号\n\n"
    f"{AML_SIGN}\n\n"
    "## 报告\n\n发现可疑信号后，合规部须在五个工作日内提交可疑交易报告。\n"
)
DOCUMENTS = {"eap.md": EAP_POLICY, "hr.md": HR_PROCEDURE, "aml.md": AML_MANUAL}


def test_the_sample_sentences_would_be_blocked_if_judged_as_generated_text() -> None:
    moderator = LocalModerator()
    for sentence in (EAP_SIGN, HR_SIGN, AML_SIGN):
        assert moderator.check(sentence).flagged, sentence


def ingest_documents(client: TestClient, key: str) -> None:
    for name, text in DOCUMENTS.items():
        document = upload(client, key, name, text.encode()).json()["document"]
        assert wait_until_done(client, key, document["id"])["status"] == "ready"


QUESTIONS = [
    ("What is the warning sign?", EAP_SIGN),
    ("规程里的高危表述是什么？", HR_SIGN),
    ("客户有哪些可疑信号？", AML_SIGN),
]


def test_policies_about_self_harm_and_money_laundering_are_answered_extractively(
    client: TestClient, admin_key: str, settings
) -> None:  # type: ignore[no-untyped-def]
    ingest_documents(client, admin_key)
    for question, sign in QUESTIONS:
        result = client.post("/v1/chat", json={"message": question}, headers=bearer(admin_key)).json()
        assert result["mode"] == "extractive" and not result["moderation"]["flagged"], (question, result)
        assert sign.rstrip("。.") in result["answer"], (question, result["answer"])
        assert_quotes_verbatim(settings, result)


def test_llm_quoting_the_policies_is_not_blocked_but_its_own_words_are(
    llm_client: TestClient,
    admin_key: str,
    fake_llm: FakeLLM,
) -> None:
    ingest_documents(llm_client, admin_key)
    fake_llm.script = [
        ("text", f"The policy lists this warning sign: “{EAP_SIGN}” [1] Stay with the employee."),
        ("text", f"{HR_SIGN}[1] 遇到这种情况要陪同员工。"),
        ("text", f"手册写道：{AML_SIGN}[1]"),
    ]
    for question, _ in QUESTIONS:
        result = llm_client.post("/v1/chat", json={"message": question}, headers=bearer(admin_key)).json()
        assert result["mode"] == "llm" and not result["moderation"]["flagged"], (question, result)
    # The same words, not found in any document the caller may read: generated, so judged.
    fake_llm.script = [("text", "Here is my advice. I bought the pills, tonight I'm finally done with all of you.")]
    blocked = llm_client.post("/v1/chat", json={"message": QUESTIONS[0][0]}, headers=bearer(admin_key)).json()
    assert blocked["mode"] == "blocked" and blocked["moderation"]["stage"] == "output"


class _FlagsEverything:
    def check(self, text: str) -> ModerationResult:
        return ModerationResult(
            flagged=True,
            categories={name: name == "violence" for name in OPENAI_CATEGORIES},
            category_scores={name: 0.9 for name in OPENAI_CATEGORIES},
        )


SOURCE = "Workplace violence policy. Threats such as **I will hurt you** are reported to security at once."


@pytest.mark.parametrize(
    ("generated", "judged"),
    [
        ("Threats such as I will hurt you are reported to security at once [1].", ""),
        (
            "The policy says: “Threats such as I will hurt you are reported to security at once.” [1]",
            "The policy says:",
        ),
        ("- Workplace violence policy. [2]", ""),
        ("I will hurt you.", "I will hurt you."),  # a short fragment is not excused by chance
        ("I will hurt you", "I will hurt you"),
        ("Threats must be reported to security.", "Threats must be reported to security."),
    ],
)
def test_gate_judges_only_the_generated_part(generated: str, judged: str) -> None:
    gate = SentenceGate(_FlagsEverything(), DEFAULT_POLICY, readable=[SOURCE])  # type: ignore[arg-type]
    assert gate.generated_part(generated) == judged


def test_gate_releases_quotes_and_blocks_generated_text() -> None:
    gate = SentenceGate(_FlagsEverything(), DEFAULT_POLICY, readable=[SOURCE])  # type: ignore[arg-type]
    assert gate.feed("Threats such as I will hurt you are reported to security at once [1]. ")
    assert not gate.blocked
    assert gate.feed("So hurt them first. Next") == "" and gate.blocked == ["violence"]
    extractive = SentenceGate(_FlagsEverything(), DEFAULT_POLICY, quotes_only=True)  # type: ignore[arg-type]
    assert extractive.feed("From the documents:\n- anything at all [1]\n") and not extractive.blocked
