"""Same-length masking of document PII (core/providers/pii_mask.py)."""

from __future__ import annotations

import pytest

from core.providers.pii import DEFAULT_POLICY, parse_policy
from core.providers.pii_mask import MASK, document_pii, mask_pii

pytestmark = pytest.mark.unit

TEXT = (
    "联系人张伟，身份证号 110101-19900307-7715，手机 +86 138 1234 5678。"
    "发票号码 4111111111111111，订单号 13812345678。地址：北京市海淀区中关村大街27号3楼。"
)


def test_masking_keeps_every_offset_and_the_separators() -> None:
    masked = mask_pii(TEXT, DEFAULT_POLICY)
    assert len(masked) == len(TEXT)
    assert "••••••-••••••••-••••" in masked and "手机 ••• ••• •••• ••••。" in masked
    assert [i for i, ch in enumerate(masked) if ch != TEXT[i]] == [i for i, ch in enumerate(masked) if ch == MASK]
    assert "4111111111111111" in masked and "13812345678" in masked  # an invoice and an order number
    assert "中关村大街" not in masked and "张伟" in masked  # addresses hidden, names allowed by default


def test_the_policy_decides_per_type() -> None:
    names_hidden = mask_pii(TEXT, parse_policy("person_name=redact,address=allow"))
    assert "张伟" not in names_hidden and "中关村大街" in names_hidden
    assert "110101" not in mask_pii(TEXT, parse_policy("cn_id=block"))  # block masks in documents
    assert "110101" in mask_pii(TEXT, parse_policy("cn_id=allow"))
    everything_allowed = {kind: "allow" for kind in DEFAULT_POLICY}
    assert mask_pii(TEXT, everything_allowed) == TEXT  # type: ignore[arg-type]


def test_addresses_are_read_only_in_sentences_that_can_hold_one() -> None:
    plain = "公司在上海和北京都有分部。年会由行政部组织。"
    assert document_pii(plain, DEFAULT_POLICY) == []
    found = document_pii("请把合同寄到杭州市西湖区文三路90号。", DEFAULT_POLICY)
    assert [m.type for m in found] == ["address"]
