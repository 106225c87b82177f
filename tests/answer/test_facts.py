"""A citation is kept only when its quote states the claim's key facts, compared by value."""

from __future__ import annotations

import pytest

from answer.facts import chinese_number, facts_of, missing_facts, numbers_in

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("text", "value"),
    [("十五", 15), ("三百二十", 320), ("两万", 20_000), ("一二三", 123), ("十", 10), ("三亿五千万", 350_000_000)],
)
def test_chinese_numerals(text: str, value: int) -> None:
    assert chinese_number(text) == value


def test_numbers_normalise_thousands_suffixes_and_chinese() -> None:
    assert numbers_in("272K tokens") == {272_000}
    assert numbers_in("272K tokens", as_written=True) == {272, 272_000}
    assert numbers_in("1,000 requests and 2.5 million users") == {1000, 2_500_000}
    assert numbers_in("上限为 3万 次，年假十五天") == {30_000, 15}


def test_claim_facts_are_numbers_codes_versions_and_names() -> None:
    facts = facts_of("The codename is BANANAFISH; GPT-4o v2.1 costs 2.50 dollars in Paris.")
    assert facts.names == {"bananafish", "gpt-4o", "v2.1", "paris"}
    assert facts.numbers == {2.5}
    assert not facts_of("remote workers must use it")


@pytest.mark.parametrize(
    ("claim", "quote"),
    [
        ("年假为 15 天。", "员工每年享有十五天带薪年假。"),
        ("The context window is 272,000 tokens.", "GPT-5 的上下文窗口为 272K tokens。"),
        ("It allows 1000 requests per minute.", "The limit is 1,000 requests per minute."),
        ("whisper-1 transcribes audio.", "The Whisper-1 model transcribes speech."),
    ],
)
def test_supported_claims(claim: str, quote: str) -> None:
    assert missing_facts(claim, quote) == []


@pytest.mark.parametrize(
    ("claim", "quote", "missing"),
    [
        ("The codename is BANANAFISH.", "The project codename is PELICAN.", ["bananafish"]),
        ("年假为二十天。", "员工每年享有十五天带薪年假。", ["20"]),
        ("The window is 128K tokens.", "The context window is 272K tokens.", ["128000"]),
        ("Use version v2.0 now.", "Version v1.0 is current.", ["v2.0"]),
    ],
)
def test_claims_with_a_wrong_value_are_not_supported(claim: str, quote: str, missing: list[str]) -> None:
    assert missing_facts(claim, quote) == missing


def test_markdown_labels_and_emphasis_are_not_names() -> None:
    quote = "Employees get fifteen days of paid leave every year."
    assert missing_facts("**Rule:** Employees get fifteen days of paid leave every year.", quote) == []
    assert missing_facts("## Leave\n\n- Employees get *20* days.", quote) == ["20"]
