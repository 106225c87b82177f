"""The semantic term: a sentence close in meaning answers even in other words or the other
language; only the best lexical candidates are embedded; vectors are cached; without the encoder
the answer falls back to the other evidence."""

from __future__ import annotations

import numpy as np
import pytest

from answer.extractive import ExtractiveAnswerer
from answer.prompts import NO_ANSWER
from answer.scoring import QUERY_SIDE_CANDIDATES, QUERY_SIDE_MEDIAN_CHARS, QUERY_SIDE_WHOLE, SEMANTIC_CANDIDATES
from answer.semantic import QuerySideSimilarity, SemanticSimilarity
from answer.sentences import SentenceMatcher
from core.errors import ProviderError
from core.providers.lexical import LexicalEncoder
from tests.answer.test_extractive import sentences

pytestmark = pytest.mark.unit

QUESTION = "How many days of paid leave do employees get?"
ANSWER_ZH = "员工每年享有十五天带薪年假。"
UNRELATED_ZH = "差旅费用须在三十天内提交报销申请。"


class ScriptedEncoder:
    """Unit vectors: the question, the texts listed as close to it (at a chosen similarity), and
    every other text orthogonal to it."""

    def __init__(self, close: dict[str, float]) -> None:
        self.close = close
        self.encoded: list[str] = []

    def encode(self, texts: list[str]) -> np.ndarray:
        self.encoded.extend(texts)
        rows = []
        for index, text in enumerate(texts):
            vector = np.zeros(64, dtype=np.float32)
            if text == QUESTION or text.startswith("Q:"):
                vector[0] = 1.0
            elif text in self.close:
                vector[0], vector[1] = self.close[text], np.sqrt(1 - self.close[text] ** 2)
            else:
                vector[2 + (hash(text) + index) % 60] = 1.0
            rows.append(vector)
        return np.stack(rows)


class BrokenEncoder:
    def __init__(self) -> None:
        self.calls = 0

    def encode(self, texts: list[str]) -> np.ndarray:
        self.calls += 1
        raise ProviderError("the sentence encoder model is missing")


def _answerer(encoder: object) -> ExtractiveAnswerer:
    return ExtractiveAnswerer(SentenceMatcher(LexicalEncoder()), semantic=SemanticSimilarity(encoder))  # type: ignore[arg-type]


def test_a_sentence_in_the_other_language_answers_on_meaning_alone() -> None:
    handbook = sentences("# 员工手册\n\n" + ANSWER_ZH + UNRELATED_ZH)
    lexical_only = ExtractiveAnswerer(SentenceMatcher(LexicalEncoder())).answer(QUESTION, handbook)
    assert not lexical_only.answered  # no shared word: nothing to go on without the semantic term
    answer = _answerer(ScriptedEncoder({ANSWER_ZH: 0.45})).answer(QUESTION, handbook)
    assert answer.answered and [s.text for s in answer.quoted] == [ANSWER_ZH]


def test_a_distant_sentence_in_the_other_language_is_no_answer() -> None:
    handbook = sentences("# 员工手册\n\n" + ANSWER_ZH + UNRELATED_ZH)
    answer = _answerer(ScriptedEncoder({ANSWER_ZH: 0.2})).answer(QUESTION, handbook)
    assert not answer.answered and answer.text == NO_ANSWER["en"]


def test_meaning_lifts_the_answering_sentence_above_a_lexically_similar_one() -> None:
    text = (
        "Employees can ask their manager about paid leave days at any time, 2 days in advance.\n"
        "Each employee is entitled to fifteen days off with full salary every year.\n"
    )
    close = {"Each employee is entitled to fifteen days off with full salary every year.": 0.7}
    lexical_best = ExtractiveAnswerer(SentenceMatcher(LexicalEncoder())).scorer.score(QUESTION, sentences(text))[0]
    assert lexical_best.sentence.text.startswith("Employees can ask")
    best = _answerer(ScriptedEncoder(close)).scorer.score(QUESTION, sentences(text))[0]
    assert best.sentence.text.startswith("Each employee is entitled")


def test_only_the_best_lexical_candidates_are_embedded_and_vectors_are_cached() -> None:
    text = "\n".join(f"Paid leave rule number {i} applies to team {i}." for i in range(SEMANTIC_CANDIDATES + 10))
    encoder = ScriptedEncoder({})
    answerer = _answerer(encoder)
    answerer.answer(QUESTION, sentences(text))
    assert len(encoder.encoded) == SEMANTIC_CANDIDATES + 1  # the question and the bounded candidates
    answerer.answer(QUESTION, sentences(text))
    assert len(encoder.encoded) == SEMANTIC_CANDIDATES + 1  # all cached


def test_the_cache_is_bounded() -> None:
    similarity = SemanticSimilarity(ScriptedEncoder({}), cache_size=3)  # type: ignore[arg-type]
    scores = similarity.similarities("Q: one", ["a", "b", "c", "d"])
    assert scores is not None and scores.shape == (4,)
    assert len(similarity._cache) == 3


def test_without_the_encoder_the_answer_uses_the_other_evidence() -> None:
    encoder = BrokenEncoder()
    answerer = _answerer(encoder)
    pricing = sentences("GPT-4o costs $2.50 per million input tokens.\nWhisper transcribes audio.\n")
    for _ in range(2):
        answer = answerer.answer("How much does GPT-4o cost?", pricing)
        assert answer.answered and "$2.50" in answer.text
    assert encoder.calls == 1  # not retried on every question


class ScriptedEmbedder:
    """The query-side model: the question as a query, sentences as passages at chosen similarities
    (every other passage orthogonal to the question)."""

    model_id, dim = "scripted", 8

    def __init__(self, close: dict[str, float], fail: bool = False) -> None:
        self.close, self.fail = close, fail
        self.passages: list[str] = []

    def embed_query(self, text: str) -> np.ndarray:
        if self.fail:
            raise ProviderError("embedding service unavailable")
        return np.eye(self.dim, dtype=np.float32)[0]

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        self.passages.extend(texts)
        rows = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            similarity = self.close.get(text, 0.0)
            rows[i, 0], rows[i, 1 + i % (self.dim - 1)] = similarity, np.sqrt(1 - similarity**2)
        return rows


TWO_RULES = (
    "员工每年可申请年假，年假须提前一周申请。\n员工每年享有十五天带薪年假。\n员工每年的体检安排在三月。\n"
    "员工每年可参加两次培训。\n员工每年需完成一次绩效评估。\n"
)


def test_the_query_side_model_picks_the_sentence_closest_in_meaning() -> None:
    question = "员工每年年假怎么安排？"
    for closest in ("员工每年可申请年假，年假须提前一周申请。", "员工每年享有十五天带薪年假。"):
        embedder = ScriptedEmbedder({closest: 0.9})
        answerer = ExtractiveAnswerer(
            SentenceMatcher(LexicalEncoder()),
            query_side=QuerySideSimilarity(embedder),  # type: ignore[arg-type]
        )
        ranked = answerer.scorer.score(question, sentences(TWO_RULES))
        assert ranked[0].sentence.text == closest


def test_the_query_side_model_alone_does_not_answer_an_unrelated_question() -> None:
    unrelated = "差旅费用须在三十天内提交报销申请。"
    answerer = ExtractiveAnswerer(
        SentenceMatcher(LexicalEncoder()),
        query_side=QuerySideSimilarity(ScriptedEmbedder({unrelated: 0.95})),  # type: ignore[arg-type]
    )
    extract = answerer.answer("公司的股票代码是什么？", sentences(unrelated + "\n" + TWO_RULES))
    assert not extract.answered


def test_query_side_vectors_are_cached_and_a_failing_embedder_costs_only_its_term() -> None:
    embedder = ScriptedEmbedder({})
    similarity = QuerySideSimilarity(embedder)  # type: ignore[arg-type]
    similarity.similarities("Q", ["a", "b"])
    similarity.similarities("Q", ["b", "c"])
    assert embedder.passages == ["a", "b", "c"]
    broken = ExtractiveAnswerer(
        SentenceMatcher(LexicalEncoder()),
        query_side=QuerySideSimilarity(ScriptedEmbedder({}, fail=True)),  # type: ignore[arg-type]
    )
    assert broken.scorer.query_side is not None
    assert broken.scorer.query_side.similarities("Q", ["a"]) is None
    assert broken.answer("员工每年享有多少天带薪年假？", sentences(TWO_RULES)).answered


def test_past_the_best_candidates_only_the_beginnings_are_embedded_for_the_median() -> None:
    tail = ", written out at length clause after clause and well past the first hundred characters of it"
    lines = [f"Paid leave rule {i} covers team {i} in region {i}{tail}" for i in range(QUERY_SIDE_CANDIDATES + 4)]
    embedder = ScriptedEmbedder({})
    answerer = ExtractiveAnswerer(
        SentenceMatcher(LexicalEncoder()),
        query_side=QuerySideSimilarity(embedder),  # type: ignore[arg-type]
    )
    answerer.answer(QUESTION, sentences("\n".join(lines)))
    assert len(embedder.passages) == QUERY_SIDE_CANDIDATES
    whole = [text for text in embedder.passages if text.endswith(tail)]
    assert len(whole) == QUERY_SIDE_WHOLE
    assert all(len(text) == QUERY_SIDE_MEDIAN_CHARS for text in embedder.passages if text not in whole)


def test_a_lone_candidate_keeps_its_score_under_the_query_side_model() -> None:
    text = "# Leave\n\nAnnual leave is fifteen days.\n"
    plain = ExtractiveAnswerer(SentenceMatcher(LexicalEncoder()))
    weighed = ExtractiveAnswerer(
        SentenceMatcher(LexicalEncoder()),
        query_side=QuerySideSimilarity(ScriptedEmbedder({})),  # type: ignore[arg-type]
    )
    question = "How long is annual leave?"
    assert weighed.scorer.score(question, sentences(text)) == plain.scorer.score(question, sentences(text))
    assert weighed.answer(question, sentences(text)).answered


def test_a_list_items_lead_in_is_read_with_it_only_when_it_shares_a_word_with_the_question() -> None:
    text = (
        "A: 常见认证错误及解决方案:\n"
        "- 检查API Key格式(以sk-开头,51个字符)\n"
        "A: API Key 的安全管理方法:\n"
        "- 为不同项目创建独立密钥\n"
    )
    encoder = ScriptedEncoder({})
    _answerer(encoder).scorer.score("API Key 一共有多少个字符？", sentences(text))
    assert "检查API Key格式(以sk-开头,51个字符)" in encoder.encoded  # the errors' lead-in says nothing asked
    assert "A: API Key 的安全管理方法: 为不同项目创建独立密钥" in encoder.encoded  # this one names the API Key


class PaddingEncoder:
    """Like the real model, a batch moves every vector a little (by its longest text's length)."""

    def encode(self, texts: list[str]) -> np.ndarray:
        longest = max((len(text) for text in texts), default=0)
        rows = [np.array([len(text), 1.0, longest / 100], dtype=np.float32) for text in texts]
        return np.stack([row / np.linalg.norm(row) for row in rows]) if rows else np.zeros((0, 3), np.float32)


def test_a_sentences_similarity_does_not_depend_on_the_sentences_embedded_with_it() -> None:
    alone = SemanticSimilarity(PaddingEncoder()).similarities("Q: leave", ["fifteen days"])  # type: ignore[arg-type]
    together = SemanticSimilarity(PaddingEncoder()).similarities(  # type: ignore[arg-type]
        "Q: leave", ["fifteen days", "a much longer sentence about travel expenses and their approval"]
    )
    assert alone is not None and together is not None
    assert together[0] == pytest.approx(alone[0])


class CloseWhenContaining(ScriptedEncoder):
    """The question, and every text holding ``part`` at ``similarity`` to it; others orthogonal."""

    def __init__(self, part: str, similarity: float) -> None:
        super().__init__({})
        self.part, self.similarity = part, similarity

    def encode(self, texts: list[str]) -> np.ndarray:
        self.close = {text: self.similarity for text in texts if self.part in text}
        return super().encode(texts)


def test_the_row_labelled_by_the_number_asked_about_answers_whatever_its_meaning_scores() -> None:
    # the models find the request flow closer to "What does a 403 error mean?" than the row for 403,
    # written in the other language: its label is the evidence they miss
    text = (
        "3.1 请求 / 调用流程 - 开发者向 OpenAI 平台注册 / 登录 → 创建 API Key - 在代码 / SDK /后端里,"
        "通过 HTTPS 向 OpenAI API 端点发起请求,API 返回结果或错误\n\n"
        "| 状态码 | 描述 | 解决方法 |\n|---|---|---|\n| 401 | API Key无效 | 检查API Key |\n"
        "| 403 | 权限不足 | 检查组织权限 |\n| 429 | 请求频率超限 | 加入重试机制 |\n"
    )
    answerer = _answerer(CloseWhenContaining("调用流程", 0.3))
    extract = answerer.answer("Q: What does a 403 error from the OpenAI API mean?", sentences(text))
    assert extract.answered and "403" in extract.quoted[0].text
