"""Real, small implementations of provider protocols for tests and benchmarks."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

import numpy as np

from core.providers.llm import Completion, StreamEvent, Usage


def hashed_gaussian(key: str, dim: int) -> np.ndarray:
    """A standard normal vector seeded from ``key``'s SHA-256: the same in every process."""
    seed = int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "little")
    return np.random.default_rng(seed).standard_normal(dim)


class FakeEmbedder:
    """Unit vectors seeded from each text's SHA-256: reproducible across processes.

    Texts sharing words get similar vectors (a bag of hashed words), so ranking tests still mean
    something without the real model.
    """

    model_id = "fake/hashed-bag-of-words"

    def __init__(self, dim: int = 384) -> None:
        self.dim = dim
        self.calls = 0
        self.texts_embedded = 0

    def _vector(self, text: str) -> np.ndarray:
        vector = np.zeros(self.dim, dtype=np.float32)
        for word in text.lower().split() or [text]:
            vector += hashed_gaussian(word, self.dim).astype(np.float32)
        return vector / max(float(np.linalg.norm(vector)), 1e-12)

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        self.calls += 1
        self.texts_embedded += len(texts)
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.vstack([self._vector(t) for t in texts])

    def embed_query(self, text: str) -> np.ndarray:
        return self._vector(text)


class ScriptedChat:
    """A ChatModel answering each call with the next scripted text (the last one repeats); streams
    it word by word with real usage counts. ``requests`` keeps every message list it was given."""

    def __init__(self, answers: list[str], model: str = "scripted") -> None:
        if not answers:
            raise ValueError("ScriptedChat needs at least one answer")
        self.model = model
        self._answers = list(answers)
        self.requests: list[list[dict[str, str]]] = []

    def _next(self, messages: list[dict[str, str]]) -> str:
        self.requests.append(messages)
        return self._answers.pop(0) if len(self._answers) > 1 else self._answers[0]

    def _usage(self, messages: list[dict[str, str]], text: str) -> Usage:
        prompt = sum(len(m.get("content", "").split()) for m in messages)
        return Usage(prompt, len(text.split()), reported=True)

    def complete(
        self, messages: list[dict[str, str]], *, max_tokens: int | None = None, temperature: float | None = None
    ) -> Completion:
        text = self._next(messages)
        return Completion(text=text, model=self.model, usage=self._usage(messages, text), finish_reason="stop")

    def stream(
        self, messages: list[dict[str, str]], *, max_tokens: int | None = None, temperature: float | None = None
    ) -> Iterator[StreamEvent]:
        text = self._next(messages)
        for index, word in enumerate(text.split(" ")):
            yield StreamEvent(delta=word if index == 0 else " " + word, model=self.model)
        yield StreamEvent(done=True, model=self.model, usage=self._usage(messages, text), finish_reason="stop")

    def list_models(self) -> list[str]:
        return [self.model]

    def close(self) -> None:
        """Nothing to release; present because real adapters have it."""
