"""OpenAI's ``chunking_strategy`` for one file: ``auto`` (the server's chunking) or ``static`` with
its own chunk size and overlap, validated as OpenAI does and stored on the document."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from core.errors import BadRequest

MIN_CHUNK_TOKENS, MAX_CHUNK_TOKENS = 100, 4096


def parse_chunking_strategy(strategy: Any, param: str = "chunking_strategy") -> dict[str, int] | None:
    """The stored form ``{"max_tokens", "overlap_tokens"}`` of a request's strategy; None for auto.

    :raises BadRequest: not ``{"type": "auto"}`` or a valid ``{"type": "static", "static": {...}}``.
    """
    if strategy is None:
        return None
    if not isinstance(strategy, Mapping) or strategy.get("type") not in ("auto", "static"):
        raise BadRequest(f"{param} must be {{'type': 'auto'}} or {{'type': 'static', ...}}", details={"param": param})
    if strategy["type"] == "auto":
        return None
    static = strategy.get("static")
    if not isinstance(static, Mapping):
        raise BadRequest(f"{param}.static is required for a static strategy", details={"param": param})
    size, overlap = static.get("max_chunk_size_tokens", 800), static.get("chunk_overlap_tokens", 400)
    if not _is_int(size) or not MIN_CHUNK_TOKENS <= size <= MAX_CHUNK_TOKENS:
        raise BadRequest(
            f"{param}.static.max_chunk_size_tokens must be an integer from {MIN_CHUNK_TOKENS} to {MAX_CHUNK_TOKENS}",
            details={"param": f"{param}.static.max_chunk_size_tokens"},
        )
    if not _is_int(overlap) or not 0 <= overlap <= size // 2:
        raise BadRequest(
            f"{param}.static.chunk_overlap_tokens must be an integer from 0 to half of max_chunk_size_tokens",
            details={"param": f"{param}.static.chunk_overlap_tokens"},
        )
    return {"max_tokens": size, "overlap_tokens": overlap}


def chunking_of(stored: Mapping[str, Any] | None) -> tuple[int, int] | None:
    """The (max tokens, overlap tokens) a document is chunked with, or None for the server's."""
    if not stored:
        return None
    return int(stored["max_tokens"]), int(stored["overlap_tokens"])


def strategy_object(stored: Mapping[str, Any] | None, default: tuple[int, int]) -> dict[str, Any]:
    """The strategy as OpenAI reports it: always static, with the sizes actually used."""
    size, overlap = chunking_of(stored) or default
    return {"type": "static", "static": {"max_chunk_size_tokens": size, "chunk_overlap_tokens": overlap}}


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
