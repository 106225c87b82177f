"""PII cases from issue 11: separators, full-width digits, card and phone look-alikes, Chinese
names and addresses; offsets always point into the original text."""

import unicodedata

import pytest

from core.providers.pii import DEFAULT_POLICY, _normalized_with_offsets, find_pii, parse_policy, redact

pytestmark = pytest.mark.unit

VALID_ID = "11010519491231002X"


def kinds(text: str) -> list[tuple[str, str]]:
    return [(m.type, text[m.start : m.end]) for m in find_pii(text)]


@pytest.mark.parametrize(
    "written",
    ["110105 19491231 002X", "110105-19491231-002X", "1101 0519 4912 3100 2X", "１１０１０５１９４９１２３１００２Ｘ"],
)
def test_id_number_with_separators_or_full_width(written: str) -> None:
    text = f"我的身份证号是{written}，请核对"
    assert kinds(text) == [("cn_id", written)]
    assert written not in redact(text, find_pii(text), DEFAULT_POLICY)


def test_invalid_id_checksum_is_not_an_id() -> None:
    assert [k for k, _ in kinds("编号 110105 19491231 0021")] != ["cn_id"]


@pytest.mark.parametrize("mobile", ["１３８１２３４５６７８", "138\u200b1234\u200b5678", "１３８ １２３４ ５６７８"])
def test_full_width_or_hidden_mobile(mobile: str) -> None:
    text = f"手机：{mobile}，随时联系"
    assert kinds(text) == [("cn_mobile", mobile)]
    redacted = redact(text, find_pii(text), DEFAULT_POLICY)
    assert redacted == "手机：[CN_MOBILE REDACTED]，随时联系"


@pytest.mark.parametrize(
    "text",
    [
        "发票号码 4111111111111111，金额 300 元",  # Luhn-valid and Visa-shaped, but labelled an invoice
        "Invoice no. 6222020200000000006 was paid",
        "流水号 79927398713008",  # Luhn-valid, no issuer prefix, no card words
    ],
)
def test_luhn_valid_invoice_number_is_not_a_card(text: str) -> None:
    assert "bank_card" not in [k for k, _ in kinds(text)]


@pytest.mark.parametrize(
    "text", ["卡号 6222 0202 0000 0000 006", "refund to card 79927398713008", "4111 1111 1111 1111"]
)
def test_cards_by_context_or_issuer(text: str) -> None:
    assert [k for k, _ in kinds(text)] == ["bank_card"]


@pytest.mark.parametrize(
    "text", ["订单号 13812345678 已发货", "order #13912345678 shipped", "快递单号：0755-8888 1234"]
)
def test_order_number_is_not_a_phone(text: str) -> None:
    assert kinds(text) == []


def test_phone_still_found_next_to_phone_words() -> None:
    assert kinds("电话 13812345678") == [("cn_mobile", "13812345678")]


def test_chinese_name_and_merged_address() -> None:
    text = "请把合同寄给张伟，地址是北京市海淀区中关村大街27号3楼502室。"
    assert kinds(text) == [("person_name", "张伟"), ("address", "北京市海淀区中关村大街27号3楼502室")]
    redacted = redact(text, find_pii(text), DEFAULT_POLICY)
    assert redacted == "请把合同寄给张伟，地址是[ADDRESS REDACTED]。"  # names are allowed by default
    assert "张伟" not in redact(text, find_pii(text), parse_policy("person_name=redact"))


def test_a_city_alone_is_not_an_address() -> None:
    assert kinds("我们在上海市和深圳市都有办公室") == []


def test_names_can_be_skipped() -> None:
    assert find_pii("张伟住在北京市海淀区中关村大街27号", names=False) == []


@pytest.mark.parametrize(
    "text",
    [
        "",
        "plain ascii 13800138000",
        "中文句子，含全角：１３８\u200b００１３８０００。",
        "\ufeffﬁ①\u00ad－·\uf900末尾",
        "ａ\u200dｂ中c",
    ],
)
def test_normalising_copies_stable_runs_and_folds_the_rest_one_character_at_a_time(text: str) -> None:
    kept = [(i, c) for i, c in enumerate(text) if unicodedata.category(c) != "Cf"]
    folded = "".join(f if len(f := unicodedata.normalize("NFKC", c)) == 1 else c for _, c in kept)
    assert _normalized_with_offsets(text) == (folded, [i for i, _ in kept])
