"""Moderation latency per message (p50/p95, milliseconds) for the local moderator: the classifier
(normalise, embed, score, rules) and PII detection, on Chinese and English chat-sized messages;
and the same-length PII masking of a retrieved chunk (uncached), which every search hit passes.

    python -m bench.moderation [--rounds 5]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

from core.providers.moderation_classifier import LocalModerator
from core.providers.pii import DEFAULT_POLICY, find_pii
from core.providers.pii_mask import _masked, mask_pii
from tests.core.fresh_moderation_cases import BENIGN, HARMFUL

MESSAGES = (
    [text for text, _ in HARMFUL]
    + BENIGN
    + [
        "请把合同寄给张伟，地址是北京市海淀区中关村大街27号，电话 138 1234 5678。",
        "Our VPN help desk is open nine to five; call 010-6552 9988 or email it@example.com for a reset.",
    ]
)


CHUNK = (
    "员工每年享有十五天带薪年假，未休完的年假最多可以结转五天。差旅费用须在三十天内提交报销申请。" * 6
    + "合同请寄到北京市海淀区中关村大街27号3楼，联系人手机 138 1234 5678，发票号码 4111111111111111。"
    + "Remote workers must use the company VPN at all times; call 010-6552 9988 for help. " * 3
)


def _percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "p50_ms": round(statistics.median(ordered), 3),
        "p95_ms": round(ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))], 3),
        "max_ms": round(ordered[-1], 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    moderator = LocalModerator()
    moderator.check("warm up")
    find_pii("预热 张三")
    moderation: list[float] = []
    pii: list[float] = []
    masking: list[float] = []
    for _ in range(args.rounds):
        for message in MESSAGES:
            start = time.perf_counter()
            moderator.check(message)
            moderation.append((time.perf_counter() - start) * 1000)
            start = time.perf_counter()
            find_pii(message)
            pii.append((time.perf_counter() - start) * 1000)
        for _ in range(10):
            _masked.cache_clear()
            start = time.perf_counter()
            mask_pii(CHUNK, DEFAULT_POLICY)
            masking.append((time.perf_counter() - start) * 1000)
    print(
        json.dumps(
            {
                "messages": len(moderation),
                "moderation": _percentiles(moderation),
                "pii": _percentiles(pii),
                f"mask_chunk_{len(CHUNK)}_chars": _percentiles(masking),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
