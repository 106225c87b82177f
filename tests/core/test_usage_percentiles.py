"""Latency percentiles in the usage summary (nearest rank)."""

from __future__ import annotations

import pytest

from core.metadata.usage import percentile

pytestmark = pytest.mark.unit


def test_nearest_rank_percentiles() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 0.5) == 50.0
    assert percentile(values, 0.95) == 95.0
    assert percentile([300.0, 100.0, 200.0], 0.5) == 200.0
    assert percentile([7.0], 0.95) == 7.0
    assert percentile([], 0.5) == 0.0
