import numpy as np
import pytest

from core.providers.vector_cache import VectorCache

pytestmark = pytest.mark.unit


class CountingEncoder:
    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def __call__(self, texts: list[str]) -> np.ndarray:
        self.calls.append(list(texts))
        return np.array([[float(len(t)), 1.0] for t in texts])


def test_only_missing_texts_are_encoded_once_each_in_one_call() -> None:
    cache, encode = VectorCache(10), CountingEncoder()
    cache.vectors(["a", "bb"], encode)
    rows = cache.vectors(["bb", "ccc", "ccc", "a"], encode)
    assert encode.calls == [["a", "bb"], ["ccc"]]
    assert rows[:, 0].tolist() == [2.0, 3.0, 3.0, 1.0]


def test_the_least_recently_used_text_goes_first() -> None:
    cache, encode = VectorCache(2), CountingEncoder()
    cache.vectors(["a", "b"], encode)
    assert cache.get("a") is not None  # "a" is now more recent than "b"
    cache.put({"c": np.zeros(2)})
    assert len(cache) == 2 and cache.get("b") is None
    assert cache.get("a") is not None and cache.get("c") is not None
