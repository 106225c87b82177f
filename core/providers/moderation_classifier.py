"""The local moderator: certain rules plus a trained head per OpenAI category over sentence embeddings.

Text is normalised (``text_normalize``), split into sentence-sized chunks (a long text is as
harmful as its worst part), embedded with the multilingual Universal Sentence Encoder and scored
by a small network (one shared hidden layer, one logistic output per category; three such networks
from different seeds, logits averaged) (``moderation_model/heads.npz``, from ``training/moderation/train.py``). Scores are calibrated so that 0.5 is each category's threshold,
chosen on held-out data to block no benign example; a flagged sub-category flags its parent.
"""

from __future__ import annotations

import re
from importlib import resources
from typing import Any

import numpy as np

from core.errors import PayloadTooLarge
from core.providers.moderation import OPENAI_CATEGORIES, PARENT_CATEGORY, ModerationResult
from core.providers.moderation_rules import matched_rules
from core.providers.sentence_encoder import SentenceEncoder, shared_encoder
from core.providers.text_normalize import normalize_for_moderation

MAX_CHARS = 100_000
_CHUNK_CHARS = 240
_SENTENCE_END = re.compile(r"(?<=[。！？!?；;\n])|(?<=[.] )")


def chunks(text: str) -> list[str]:
    """Sentence-sized pieces, packed up to ~240 characters; a short text is one chunk."""
    if len(text) <= _CHUNK_CHARS:
        return [text] if text.strip() else []
    pieces: list[str] = []
    current = ""
    for sentence in _SENTENCE_END.split(text):
        while len(sentence) > _CHUNK_CHARS:  # a run-on "sentence": cut it
            pieces.append(sentence[:_CHUNK_CHARS])
            sentence = sentence[_CHUNK_CHARS:]
        if current and len(current) + len(sentence) > _CHUNK_CHARS:
            pieces.append(current)
            current = ""
        current += sentence
    if current.strip():
        pieces.append(current)
    return [piece.strip() for piece in pieces if piece.strip()]


def _load_heads() -> dict[str, Any]:
    with resources.files("core.providers.moderation_model").joinpath("heads.npz").open("rb") as handle:
        data = np.load(handle, allow_pickle=False)
        heads = {key: data[key] for key in data.files}
    if [str(name) for name in heads["categories"]] != list(OPENAI_CATEGORIES):
        raise ValueError("moderation heads were trained for other categories; rerun training/moderation/train.py")
    return heads


class LocalModerator:
    """Offline moderation in Chinese and English; ``check`` takes ~2 ms for a chat message."""

    def __init__(self, encoder: SentenceEncoder | None = None) -> None:
        self._encoder = encoder
        heads = _load_heads()
        self._hidden_weights: np.ndarray = heads["hidden_weights"]  # (members, dimensions, hidden)
        self._hidden_bias: np.ndarray = heads["hidden_bias"]  # (members, hidden)
        self._weights: np.ndarray = heads["weights"]  # (members, hidden, categories)
        self._bias: np.ndarray = heads["bias"]  # (members, categories)
        self._threshold_logit: np.ndarray = heads["threshold_logit"].astype(np.float32)

    def scores(self, text: str) -> dict[str, float]:
        """Calibrated score per category (0.5 = the category's threshold), rules not applied."""
        if len(text) > MAX_CHARS:
            raise PayloadTooLarge(f"moderation input is {len(text)} characters; the limit is {MAX_CHARS}")
        pieces = chunks(normalize_for_moderation(text))
        if not pieces:
            return {name: 0.0 for name in OPENAI_CATEGORIES}
        encoder = self._encoder or shared_encoder()
        vectors = encoder.encode(pieces)  # (pieces, dimensions); every weight is stacked per ensemble member
        hidden = np.maximum(0.0, np.einsum("nd,mdh->mnh", vectors, self._hidden_weights) + self._hidden_bias[:, None])
        logits = (np.einsum("mnh,mhc->mnc", hidden, self._weights) + self._bias[:, None]).mean(axis=0)
        calibrated = 1.0 / (1.0 + np.exp(-(logits - self._threshold_logit)))
        worst = calibrated.max(axis=0)
        return {name: round(float(worst[i]), 6) for i, name in enumerate(OPENAI_CATEGORIES)}

    def check(self, text: str) -> ModerationResult:
        scores = self.scores(text)
        for rule in matched_rules(normalize_for_moderation(text)):
            for name in rule.categories:
                scores[name] = max(scores[name], 0.99)
        for child, parent in PARENT_CATEGORY.items():
            scores[parent] = max(scores[parent], scores[child])
        categories = {name: scores[name] >= 0.5 for name in OPENAI_CATEGORIES}
        return ModerationResult(
            flagged=any(categories.values()),
            categories=categories,
            category_scores=scores,
            category_applied_input_types={name: ["text"] for name in OPENAI_CATEGORIES},
        )
