"""What a quote brings along so that it says what it answers: the sentence a pointer back refers to,
and the heading a named list item sits under; and what a count is not (a unit's size, another noun)."""

from __future__ import annotations

import pytest

from answer.asked import asked_count, counted_words, states_count, unknown_acronyms
from answer.extractive import FOLLOW_SHARE, ExtractiveAnswerer
from answer.names import question_entities
from answer.sentences import SentenceMatcher
from core.providers.lexical import LexicalEncoder
from tests.answer.test_extractive import sentences

pytestmark = pytest.mark.unit

LIMITS = (
    "另外，可以在 Billing -> Usage Limits 页面设置每个月的最大消费总金额，默认为 120 美元。"
    "如果当月 API 使用金额超过该限制，OpenAI 会停止对该 API Key 的响应。\n"
)
CASES = (
    "📄 内容生成平台(大规模处理)\n"
    "- 批量处理文章标题、SEO文案;\n"
    "- 使用异步+队列系统(如Celery);\n"
    "🧠 企业知识库(RAG系统)\n"
    "- 使用LangChain构建检索增强生成流程;\n"
    "- 结合Pinecone/Weaviate向量数据库;\n"
    "- 支持文档上传与查询;\n"
)


def test_a_quote_pointing_back_comes_after_the_sentence_it_points_to(answerer: ExtractiveAnswerer) -> None:
    question = "当月 API 使用金额超过了，OpenAI 会怎样处理 API Key 的响应？"
    ranked = answerer.scorer.score(question, sentences(LIMITS))
    limit = next(c for c in ranked if "120 美元" in c.display)
    assert "超过该限制" in ranked[0].display and limit.score < FOLLOW_SHARE * ranked[0].score  # not quoted on its own
    extract = answerer.answer(question, sentences(LIMITS))
    assert extract.answered
    assert [q.text for q in extract.quoted] == [
        "另外，可以在 Billing -> Usage Limits 页面设置每个月的最大消费总金额，默认为 120 美元。",
        "如果当月 API 使用金额超过该限制，OpenAI 会停止对该 API Key 的响应。",
    ]
    assert extract.text.index("120 美元") < extract.text.index("超过该限制")


def test_a_quote_pointing_to_nothing_quoted_stays_alone(answerer: ExtractiveAnswerer) -> None:
    # "因此" is no pointer back ("此" after 因), and a first sentence has nothing before it
    text = "因此 OpenAI 会停止对 API Key 的响应。\n"
    extract = answerer.answer("OpenAI 会停止对 API Key 的响应吗？", sentences(text))
    assert extract.answered and len(extract.quoted) == 1


def test_the_named_items_under_a_matching_heading_answer_a_which_question(answerer: ExtractiveAnswerer) -> None:
    question = "企业知识库(RAG系统)结合了哪些？"
    extract = answerer.answer(question, sentences(CASES))
    assert extract.answered and "Pinecone" in extract.text and "LangChain" in extract.text
    ranked = answerer.scorer.score(question, sentences(CASES))
    heading = next(c for c in ranked if "企业知识库" in c.display)
    named = next(c for c in ranked if "Pinecone" in c.display)
    assert named.score <= heading.score + 1e-9  # as far as its heading goes, no further
    assert all("Celery" not in q.text for q in extract.quoted)  # another heading's list


def test_items_under_a_heading_that_does_not_answer_do_not_answer(answerer: ExtractiveAnswerer) -> None:
    # the heading matches, not enough to answer (under the threshold): its named items inherit no more
    question = "企业知识库 RAG 系统用了哪些开源项目？"
    ranked = answerer.scorer.score(question, sentences(CASES))
    assert 0 < ranked[0].score < answerer.threshold and "Pinecone" in " ".join(c.display for c in ranked[:3])
    assert not answerer.answer(question, sentences(CASES)).answered


def test_a_price_per_million_tokens_counts_nothing() -> None:
    asked = asked_count("How many requests per day does a Tier 1 account get?")
    assert asked is not None
    assert not states_count(asked, "GPT-4o 的费用已经下降到每百万个输入 2.5 美元")
    assert not states_count(asked, "每 100 个请求收费 1 美元")
    assert states_count(asked, "三百个请求")


def test_an_english_how_many_counts_the_noun_it_names() -> None:
    question = "How many requests per day does a Tier 1 account get?"
    asked, counted = asked_count(question), counted_words(question)
    assert asked is not None and counted == frozenset({"request", "per", "day"})
    assert not states_count(asked, '输入:"请帮我写一首诗"(约6个token)', counted)  # tokens are not requests
    assert states_count(asked, "每分钟 500 个 requests", counted)
    assert states_count(asked, "tts-1:文字转语音(6 种音色)", counted_words("How many voices"))  # Chinese noun: kept
    assert counted_words("What is the price?") == frozenset()


def test_a_measure_word_for_some_things_counts_only_those() -> None:
    requests = "How many requests per day does a Tier 1 account get?"
    images = "How many images do we need for vision fine-tuning?"
    for question, text, counts in (
        (requests, "输出:一首100字的诗", False),  # characters are not requests
        (images, "开发者可以通过上传至少100张图像来优化模型", True),
        (images, "可获得 GPT-4o 5 倍的消息量", False),  # a multiple, no count of images
        (requests, "每分钟最多 3 次", True),  # 次 counts anything
    ):
        asked = asked_count(question)
        assert asked is not None and states_count(asked, text, counted_words(question)) is counts, text


ABOUT = (
    "“OpenAI Platform”通常指 OpenAI 对外提供的开发者平台，是开发者用来接入 OpenAI 各类模型能力的统一门户。\n"
    "OpenAI 的首席技术官负责平台的技术路线。\n"
)


def test_an_acronym_no_source_knows_makes_the_question_unanswerable(answerer: ExtractiveAnswerer) -> None:
    plain = "Who runs the OpenAI platform?"
    unknown = "Who runs the OpenAI platform's SSO?"
    best = answerer.scorer.score(plain, sentences(ABOUT))[0]
    penalised = answerer.scorer.score(unknown, sentences(ABOUT))[0]
    assert penalised.display == best.display and penalised.score < 0.6 * best.score


def test_an_acronym_the_sources_use_gloss_or_spell_out_is_known() -> None:
    matcher = SentenceMatcher(LexicalEncoder())
    found = [s.text for s in sentences("RPD 即每天最大请求次数。\nServer-Sent Events 推送每个 chunk。\n")]
    terms = [matcher.terms(text) for text in found]
    assert unknown_acronyms("RPD 是什么意思？", found, terms, matcher.terms) == []  # used as it is
    assert unknown_acronyms("What is SSE used for?", found, terms, matcher.terms) == []  # spelled out
    assert unknown_acronyms("Who is the CTO?", found, terms, matcher.terms) == ["CTO"]
    # an English question meets a Chinese sentence through its glosses: a term, or a sense spelling it out
    glossed = [frozenset(t | matcher.terms("CTO")) for t in terms]
    assert unknown_acronyms("Who is the CTO?", found, glossed, matcher.terms) == []
    chief = ["head; chief ; technology ; officer; official"]  # 首席技术官 glossed word by word (Glossary.english)
    assert unknown_acronyms("Who is the CTO?", found, terms, matcher.terms, ["chief technology officer"]) == []
    assert unknown_acronyms("Who is the CTO?", found, terms, matcher.terms, chief) == ["CTO"]  # across senses: no
    # a kind of document is where the answer is, not what it is about: its passages need not name it
    assert unknown_acronyms("FAQ 里说 RPD 是什么意思？", found, terms, matcher.terms) == []
    assert question_entities("FAQ 里说 API Key 应该是多少个字符？") == ["api", "key"]
