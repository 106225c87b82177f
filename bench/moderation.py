"""Moderation latency per message (p50/p95, milliseconds) for the local moderator: the classifier
(normalise, embed, score, rules) and PII detection, on Chinese and English chat-sized messages.

    python -m bench.moderation [--rounds 5]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

from core.providers.moderation_classifier import LocalModerator
from core.providers.pii import find_pii
from tests.core.fresh_moderation_cases import BENIGN, HARMFUL

MESSAGES = (
    [text for text, _ in HARMFUL]
    + BENIGN
    + [
        "请把合同寄给张伟，地址是北京市海淀区中关村大街27号，电话 138 1234 5678。",
        "Our VPN help desk is open nine to five; call 010-6552 9988 or email it@example.com for a reset.",
    ]
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
    for _ in range(args.rounds):
        for message in MESSAGES:
            start = time.perf_counter()
            moderator.check(message)
            moderation.append((time.perf_counter() - start) * 1000)
            start = time.perf_counter()
            find_pii(message)
            pii.append((time.perf_counter() - start) * 1000)
    print(
        json.dumps(
            {"messages": len(moderation), "moderation": _percentiles(moderation), "pii": _percentiles(pii)}, indent=2
        )
    )


if __name__ == "__main__":
    main()
