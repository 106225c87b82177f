"""Values an example's code states: the setting a question names, a number a call passes. Code never
answers otherwise (``answer.quotable.can_answer``); these quote the one statement that says it."""

from __future__ import annotations

import pytest

from answer.code import named_setting, number_call, question_identifiers
from answer.extractive import ExtractiveAnswerer
from answer.kinds import asks_about_code, asks_identifier
from answer.names import question_entities
from answer.quotable import prose_tail
from tests.answer.test_extractive import sentences

pytestmark = pytest.mark.unit

# code blocks as plain-text extraction leaves them: a line each (REDIS, as the article has it), or
# run into one (BATCH)
REDIS = (
    "🧺 缓存机制实现(Redis)\n"
    "import redis\nimport hashlib\nr = redis.Redis()\n"
    "def set_cache_response(prompt, response):\n"
    "key = hashlib.md5(prompt.encode()).hexdigest()\n"
    "r.setex(key, 3600, response)\n"
    'prompt = "如何配置Python虚拟环境?"\n'
    "使用缓存避免重复请求,可以显著降低成本。\n"
)
BATCH = (
    "批量处理(Batch API)— 省钱 50%\n"
    'batch = client.batches.create( input_file_id=file.id, endpoint="/v1/chat/completions", '
    'completion_window="24h" )\n'
)
IMAGES = 'response = client.images.generate( model="dall-e-3", prompt="一只猫", size="1024x1024", n=1 )\n'


def test_the_setting_a_question_names_is_quoted_with_its_call_or_its_comment() -> None:
    [_, line] = sentences(BATCH)
    call = named_setting(line, ["completion_window"])
    assert call is not None and call.text.startswith("batch = client.batches.create(") and call.text.endswith(")")
    assert BATCH[call.start : call.end] == call.text  # verbatim, by its offsets
    code = 'import openai openai.api_key = "YOUR_KEY" openai.organization = "org-XXXX" # 可选,用于多团队计费\n'
    [line] = sentences(code)
    assert named_setting(line, ["openai.api_key"]).text == 'openai.api_key = "YOUR_KEY"'  # type: ignore[union-attr]
    statement = named_setting(line, ["openai.organization"])
    assert statement is not None and statement.text == 'openai.organization = "org-XXXX" # 可选,用于多团队计费'
    assert named_setting(line, ["completion_window"]) is None
    assert question_identifiers("What completion_window and openai.organization do I set?") == [
        "completion_window",
        "openai.organization",
    ]
    assert question_identifiers("What does the API cost? e.g. GPT-4o") == []


def test_a_number_a_call_passes_is_quoted_with_the_innermost_call() -> None:
    line = next(s for s in sentences(REDIS) if "setex" in s.text)
    call = number_call(line)
    assert call is not None and call.text == "r.setex(key, 3600, response)"
    assert REDIS[call.start : call.end] == call.text
    # what follows a call run into the next line is no prose: the rest of its arguments, an assignment
    [run] = sentences('key = hashlib.md5(prompt.encode()).hexdigest() r.setex(key, 3600, response) prompt = "怎么做?"')
    assert prose_tail(run) is None
    assert number_call(run).text == "r.setex(key, 3600, response)"  # type: ignore[union-attr]


def test_an_example_s_values_answer_questions_about_it(answerer: ExtractiveAnswerer) -> None:
    # on words alone the call leads (the sentence models lift it over the threshold: test_extractive_corpus)
    ranked = answerer.scorer.score(
        "In the Redis caching example, how many seconds is a cached response kept?", sentences(REDIS)
    )
    assert ranked[0].display == "r.setex(key, 3600, response)" and ranked[0].score > 5 * ranked[1].score
    extract = answerer.answer("What completion_window do I set when creating a batch?", sentences(BATCH))
    assert extract.answered and 'completion_window="24h"' in extract.quoted[0].text


def test_code_does_not_answer_what_it_does_not_state(answerer: ExtractiveAnswerer) -> None:
    # a price: the image call's n=1 is no amount of money
    assert not answerer.answer("How much does one 1024x1024 image cost with dall-e-3?", sentences(IMAGES)).answered
    # a number asked about anything but an example: its code does not answer
    assert all("setex" not in s.text for s in answerer.answer("缓存多少秒过期?", sentences(REDIS)).quoted)
    # a setting that prose explains: the prose answers, not a call passing one value
    text = (
        "推理控制参数:reasoning_effort(minimal/low/medium/high)\n"
        'response = client.chat.completions.create( model="gpt-5", reasoning_effort="minimal" )\n'
    )
    ranked = answerer.scorer.score("What values does the reasoning_effort parameter accept?", sentences(text))
    assert [c.display for c in ranked] == ["推理控制参数:reasoning_effort(minimal/low/medium/high)"]


def test_questions_about_code() -> None:
    assert asks_about_code("In the Redis caching example, how long …?") and asks_about_code("示例代码里")
    assert not asks_about_code("缓存多久过期?")
    assert asks_identifier("Python 示例里是通过哪个属性来填组织 ID 的?") and asks_identifier("Which parameter sets it?")
    # the language of an example and an identifier's "ID" are no names a source must state
    assert question_entities("Python 示例里是通过哪个属性来填组织 ID 的?") == []
