"""Fixtures shared by the answer room's tests."""

from __future__ import annotations

import pytest

from answer.extractive import ExtractiveAnswerer
from answer.sentences import SentenceMatcher
from core.providers.lexical import LexicalEncoder


@pytest.fixture(scope="module")
def answerer() -> ExtractiveAnswerer:
    """The extractive answerer on lexical evidence alone (no sentence models): fast and deterministic."""
    return ExtractiveAnswerer(SentenceMatcher(LexicalEncoder()))
