"""The lexical encoder contract: sparse vectors with matching, sorted-free, finite, positive weights;
a query shares terms with a document containing its words and none with an unrelated one."""

from __future__ import annotations

import math

import pytest

from core.providers.lexical import LexicalEncoder


class LexicalEncoderContract:
    @pytest.fixture
    def encoder(self) -> LexicalEncoder:
        raise NotImplementedError

    def test_document_vector_is_well_formed(self, encoder: LexicalEncoder) -> None:
        vector = encoder.encode_document("Remote workers must use the company VPN")
        assert vector.indices and len(vector.indices) == len(vector.values) == len(set(vector.indices))
        assert all(math.isfinite(v) and v > 0 for v in vector.values)

    def test_query_matches_only_documents_sharing_words(self, encoder: LexicalEncoder) -> None:
        query = set(encoder.encode_query("VPN workers").indices)
        assert query & set(encoder.encode_document("Remote workers must use the company VPN").indices)
        assert not query & set(encoder.encode_document("Office hours are nine to five").indices)

    def test_chinese_text_is_tokenised(self, encoder: LexicalEncoder) -> None:
        assert encoder.encode_document("年假为十五天").indices


@pytest.mark.unit
class TestBm25LexicalEncoder(LexicalEncoderContract):
    @pytest.fixture
    def encoder(self) -> LexicalEncoder:
        return LexicalEncoder()
