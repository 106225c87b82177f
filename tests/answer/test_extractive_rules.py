"""What the extractive answerer will not quote, and what it prefers: a date or number for when/how-many
questions, the question's own number and exact name over a neighbour's, no headings, no code; the
Latin names of a Chinese question must be in the source; across languages the dictionary lets the
question's words count."""

from __future__ import annotations

import pytest

from answer.extractive import ExtractiveAnswerer
from answer.factors import Asked, question_numbers
from answer.kinds import carries, question_type
from answer.names import distinctive, names_only_variants, qualifiers, question_entities
from answer.prompts import NO_ANSWER
from answer.quotable import announces_count, can_answer, is_heading, prose_tail
from answer.sentences import Sentence, SentenceMatcher, source_sentences
from core.providers.glossary import Glossary
from core.providers.lexical import LexicalEncoder
from retrieval.context import ContextAssembler
from retrieval.search import SearchHit
from tests.answer.test_extractive import sentences

pytestmark = pytest.mark.unit

ERRORS = (
    "常见错误码如下：\n- 401: API Key无效或格式错误\n- 403: 权限不足，请检查组织权限\n- 429: 请求频率超限，需要重试\n"
)
MODELS = (
    "GPT-5 新特性\n\n"
    "- gpt-5-nano:最快最便宜版本,100万token上下文\n"
    "- 超大上下文:GPT-5 支持272K输入tokens,128K输出tokens\n"
)


def test_the_number_the_question_names_picks_the_row(answerer: ExtractiveAnswerer) -> None:
    ranked = answerer.scorer.score("接口返回 403 是什么意思？", sentences(ERRORS))
    assert "403" in ranked[0].sentence.text and ranked[0].score > ranked[1].score


def test_an_exact_name_beats_a_longer_variant_of_it(answerer: ExtractiveAnswerer) -> None:
    extract = answerer.answer("GPT-5 的上下文有多大？", sentences(MODELS))
    assert extract.answered and "272K" in extract.quoted[0].text
    assert names_only_variants("gpt-5-nano:最快", ["gpt-5"]) and not names_only_variants("GPT-5 支持", ["gpt-5"])
    # another name of the question said as itself ("token") does not make the line about gpt-5
    assert names_only_variants("gpt-5-nano:100万token上下文", ["gpt-5", "token"])
    # a versioned name not ending in its number has variants too
    assert names_only_variants("| 微调需求 | gpt-3.5-turbo-instruct |", ["gpt-3.5-turbo"])
    assert names_only_variants("gpt-4o-mini:便宜", ["gpt-4o"]) and not names_only_variants("whisper-1", ["whisper"])


def test_a_quantity_joined_to_a_function_word_is_no_name() -> None:
    assert question_entities("What's the per-1K-token cost of gpt-3.5-turbo?") == ["gpt-3.5-turbo"]
    assert question_entities("How many people were on the test flight of the AS-206?") == ["as-206"]


def test_a_comparison_joined_by_vs_is_no_name(answerer: ExtractiveAnswerer) -> None:
    question = "Legal says we have strict compliance requirements. Per the API-vs-fine-tuning table, what fits?"
    assert question_entities(question) == []  # once "api-vs-fine": no source names it, so nothing could answer
    assert question_entities("GPT-4o-vs-GPT-5 pricing?") == ["gpt-4o", "gpt-5"]
    table = "🧭 API vs 微调模型的选择决策\n| 场景 | 推荐选择 |\n|---|---|\n| 严格合规要求 | 私有化部署模型 |\n"
    assert answerer.scorer.score(question, sentences(table))  # the table's row is a candidate


def test_a_when_question_wants_a_date(answerer: ExtractiveAnswerer) -> None:
    text = "OpenAI 是一家人工智能公司，总部位于旧金山。\nOpenAI 成立于2015年12月。\n"
    extract = answerer.answer("OpenAI 是什么时候成立的？", sentences(text))
    assert extract.answered and "2015" in extract.quoted[0].text


def test_a_how_many_question_does_not_quote_a_sentence_without_a_number(answerer: ExtractiveAnswerer) -> None:
    text = "使用限额可以在 Usage Limits 页面设置。\n"
    extract = answerer.answer("Usage Limits 每月最多能设置多少钱？", sentences(text))
    assert not extract.answered and extract.text == NO_ANSWER["zh"]


def test_a_latin_name_in_a_chinese_question_must_be_in_the_source(answerer: ExtractiveAnswerer) -> None:
    text = "ChatGPT Plus 是 OpenAI 提供的付费服务，每月费用为 20 美元。\n"
    assert question_entities("ChatGPT Team 套餐每月多少钱？") == ["chatgpt", "team"]
    assert not answerer.answer("ChatGPT Team 套餐每月多少钱？", sentences(text)).answered
    assert answerer.answer("ChatGPT Plus 每月多少钱？", sentences(text)).answered


@pytest.mark.parametrize(
    "heading",
    ["五、模型选择与配置", "4.2 文字转语音", "### 3. ChatGPT API的充值", "🔁 API变更适配策略"],
)
def test_headings_are_recognised_and_rank_below_the_text_they_head(answerer: ExtractiveAnswerer, heading: str) -> None:
    body = f"{heading.split()[-1]}：每次调用按 token 计费。"
    found = sentences(f"{heading}\n{body}\n")
    assert is_heading(found[0]) and not is_heading(found[1])
    ranked = answerer.scorer.score(heading.split()[-1] + "是什么？", found)
    assert ranked[0].sentence.text == body


@pytest.mark.parametrize(
    "code",
    [
        "async function streamCompletion() { const stream = await openai.chat.completions.create({",
        "raise delay = (2 ** attempt) + random.uniform(0, 1) time.sleep(delay) return None",
        'client.chat.completions.create(model="gpt-4o")',
    ],
)
def test_code_never_answers(code: str) -> None:
    assert not can_answer(code)


def test_prose_with_brackets_still_answers() -> None:
    assert can_answer("图像理解和分析(GPT-4V)") and can_answer("Return the form by Friday (15 May).")


def test_question_numbers_are_the_ones_standing_alone() -> None:
    assert question_numbers("What accuracy did GPT-5 reach on AIME 2025?") == {"2025"}
    assert question_numbers("调用接口返回 429 错误") == {"429"}


GLOSSES = {"首席财务官": "chief financial officer", "创立": "to establish; to found", "企业家": "entrepreneur"}


def test_across_languages_the_dictionary_finds_the_question_words() -> None:
    text = "OpenAI 于2015年由多位企业家创立。\n公司的首席财务官负责财务报告。\n"
    plain = ExtractiveAnswerer(SentenceMatcher(LexicalEncoder()))
    glossed = ExtractiveAnswerer(SentenceMatcher(LexicalEncoder()), glossary=Glossary(GLOSSES))
    question = "What is the chief financial officer responsible for?"
    ranked = glossed.scorer.score(question, sentences(text))
    assert "首席财务官" in ranked[0].sentence.text
    assert ranked[0].score > plain.scorer.score(question, sentences(text))[0].score


def test_a_number_inside_a_name_is_no_quantity() -> None:
    assert not carries("quantity", "whisper-1:语音转文字(多语言)")
    assert carries("quantity", "tts-1:文字转语音(6 种音色)")
    assert question_type("What is the maximum file size for an upload?") == "quantity"


def test_the_questions_own_number_is_no_quantity_it_asks_for() -> None:
    question = "When troubleshooting a 401 error, how many characters long should a valid API key be?"
    assert not carries("quantity", "401: API Key无效或格式错误", question)
    assert carries("quantity", '检查API Key格式(以"sk-"开头,51个字符)', question)
    assert carries("quantity", "401 错误在 3 秒内重试", question)
    text = '- 401: API Key无效或格式错误\n- 429: 请求频率超限\n- 检查API Key格式(以"sk-"开头,51个字符)\n'
    label, _, count = sentences(text)
    asked = Asked.of(question, [label, count])
    # the label line shares the question's words but states nothing it asks: the count line weighs more
    (label_factor, label_states), (count_factor, count_states) = (
        asked.judge(s, s, s.text, None) for s in (label, count)
    )
    assert count_states and not label_states and count_factor > 2 * label_factor


def test_prose_run_into_a_line_of_code_still_answers(answerer: ExtractiveAnswerer) -> None:
    text = (
        'print(content, end="") stream_response() 前端集成建议:使用SSE(Server-Sent Events)或WebSocket推送每个chunk。\n'
    )
    extract = answerer.answer("前端集成建议用什么推送每个chunk？", sentences(text))
    assert extract.answered and extract.quoted[0].text.startswith("前端集成建议")
    assert extract.quoted[0].text in text  # verbatim


def test_a_comment_run_into_the_next_argument_is_still_code() -> None:
    # a code block as plain-text extraction leaves it: one line
    line = 'response = client.create( model="gpt-5", verbosity="medium", # 中等详细程度 max_tokens=2000 )\n'
    assert [prose_tail(s) for s in sentences(line)] == [None]


def test_a_chinese_aside_in_brackets_is_no_function_call() -> None:
    assert can_answer("Responses API 用来构建 agent(并计划替代旧的 Assistants API),支持 token(包括前文)")


def test_a_plural_acronym_names_the_acronym() -> None:
    assert question_entities("Which SDKs embed the agent?") == ["sdk"]


def test_a_heading_or_list_number_is_no_quantity() -> None:
    assert not carries("quantity", "3.1 请求 / 调用流程 - 开发者向 OpenAI 平台注册")
    assert not carries("quantity", "2. 费用说明") and not carries("quantity", "四、收费标准")
    assert carries("quantity", "3.5 美元每月") and carries("quantity", "1.5 小时内退款")


def test_one_of_something_is_an_article_not_a_count() -> None:
    assert not carries("quantity", "A: OpenAI API是一个RESTful接口,允许开发者访问模型。")
    assert not carries("quantity", "这是一种新的计费方式")
    assert not carries("quantity", "而不是一次性全部返回")  # all at once, not a count
    assert carries("quantity", "每天调用一次") and carries("quantity", "重试三次")
    assert carries("quantity", "十一个工作日内到账") and carries("quantity", "最多保留一天")
    assert carries("quantity", "一百个请求之后限流")


def test_keyword_arguments_mark_code() -> None:
    assert not can_answer("file=audio_file ) print(transcription.text)")
    assert can_answer("把 temperature=0 设为默认值，输出更稳定。")


def test_a_name_in_most_candidates_is_no_subject_a_heading_can_answer_for() -> None:
    lines = ["OpenAI 开发者平台概览", "OpenAI 提供 API。", "OpenAI 的模型很多。", "计费按 token。", "支持流式输出。"]
    found = sentences("\n".join([*lines, "Whisper 用于语音转文字。"]) + "\n")
    assert distinctive(["openai", "whisper"], found) == ["whisper"]


def test_a_name_every_retrieved_document_mentions_is_the_topic_not_a_subject() -> None:
    filler = "".join(f"第{n}条说明请参考官方文档。\n" for n in range(8))
    documents = [
        'OpenAI API 常见问题\n检查API Key格式(以"sk-"开头,51个字符)\n' + filler,
        "OpenAI 平台概览\n" + filler,
        "使用 OpenAI 的模型\n" + filler,
    ]
    found = sentences(*documents)
    assert distinctive(["openai", "api", "key"], found) == ["api", "key"]
    # in two documents it may still be what the question is about
    assert distinctive(["openai", "api", "key"], sentences(*documents[:2])) == ["openai", "api", "key"]


def test_the_entry_labelled_by_the_question_number_answers(answerer: ExtractiveAnswerer) -> None:
    text = "常见状态码如下，调用失败时请对照处理。\n- 401: API Key无效\n- 429: 请求频率超限,需要重试\n"
    extract = answerer.answer("调用接口返回 429 错误是什么原因？", sentences(text))
    assert extract.answered and extract.quoted[0].text.startswith("429")


def test_a_short_clause_of_a_long_line_is_quoted_with_the_next(answerer: ExtractiveAnswerer) -> None:
    filler = "模型生成的内容会逐渐返回给调用者,而不是一次性全部返回 - 这样用户能看到边输出边回应的交互体验 - " * 4
    line = (
        filler
        + "最近推出的 Responses API 被视为新的核心能力接口,用来构建 agent(并计划替代旧的 Assistants API) - 其他说明"
    )
    best = answerer.scorer.score("新出的 Responses API 以后打算取代哪个老接口？", sentences(line + "\n"))[0]
    assert best.display.startswith("最近推出的 Responses API") and "Assistants API" in best.display
    assert best.sentence.text == best.display and len(best.display) <= 200


LEAD_IN = (
    "Q22: GPT-5有哪些新特性?\n"
    "A: GPT-5(2025年8月发布)引入了多项特性:\n"
    "- 自适应推理深度:自动决定快速回答还是深度思考\n"
    "- 超大上下文:支持272K输入tokens,128K输出tokens\n"
    "模型对比\n"
    "- claude-3: 上下文 200K tokens,长文档\n"
    "- llama-3: 上下文 128K tokens,开源\n"
    "- qwen-2: 上下文 32K tokens,中文\n"
    "计费说明\n"
    "- 计费单位:Token,输入和输出分开计费\n"
    "- 批量接口:离线任务可以省钱 50%\n"
    "- 缓存命中:重复的提示词前缀按半价计费\n"
    "- 免费额度:新用户注册赠送5美元\n"
)


def test_a_list_item_is_about_what_its_lead_in_names() -> None:
    introduced = {s.text: s.lead_in for s in sentences(LEAD_IN)}
    assert introduced["超大上下文:支持272K输入tokens,128K输出tokens"] == "A: GPT-5(2025年8月发布)引入了多项特性:"
    assert introduced["claude-3: 上下文 200K tokens,长文档"] == ""  # "模型对比" (too short to quote) ends in no colon
    chained = {s.text: s.lead_in for s in sentences(LEAD_IN.replace("特性:\n", "特性:\n\n核心特性:\n\n"))}
    assert chained["自适应推理深度:自动决定快速回答还是深度思考"] == "A: GPT-5(2025年8月发布)引入了多项特性: 核心特性:"


NUMBERED = (
    "五、模型选择\n\n2. 图像模型\n\n  • dall-e-3:高质量文生图、图编辑\n\n3. 语音模型\n\n"
    "  • whisper-1:语音转文字(多语言)\n  • tts-1:文字转语音(6 种音色)\n\n4. 嵌入模型说明如下\n"
)


def test_bulleted_items_under_a_numbered_item_have_it_as_their_lead_in() -> None:
    found = {s.text: s for s in sentences(NUMBERED)}
    assert found["whisper-1:语音转文字(多语言)"].lead_in == "语音模型"
    assert found["tts-1:文字转语音(6 种音色)"].lead_in == "语音模型"
    assert found["dall-e-3:高质量文生图、图编辑"].lead_in == "图像模型"
    assert found["嵌入模型说明如下"].lead_in == ""  # a numbered item is no lead-in of the next one


SIBLINGS = (
    "A: GPT-5(2025年8月发布)引入了多项特性:\n\n核心特性:\n\n- 超大上下文:支持272K输入tokens\n\n"
    "性能提升:\n\n- 编程能力:SWE-bench Verified达到74.9%\n- 数学能力:AIME 2025达到94.6%准确率\n\n"
    "Q23: 其他模型表现如何?\n\n"
    "所有对比模型都在同一套题上测试,成绩如下\n\n- 编程能力:SWE-bench Verified达到49%\n"
)


def test_a_sibling_list_is_about_its_runs_head_and_a_list_about_the_line_before_it() -> None:
    found = {s.text: s for s in sentences(SIBLINGS)}
    sibling = found["编程能力:SWE-bench Verified达到74.9%"]
    # the lead-in stays the sibling's own (what the item says); what it is about includes the run's head
    assert sibling.lead_in == "性能提升:" and sibling.about == "A: GPT-5(2025年8月发布)引入了多项特性:"
    introduced = found["编程能力:SWE-bench Verified达到49%"]
    assert introduced.lead_in == "" and introduced.about == "所有对比模型都在同一套题上测试,成绩如下"
    assert found["Q23: 其他模型表现如何?"].about == ""  # a line of its own ends the run


def test_the_sibling_item_about_the_asked_subject_answers(answerer: ExtractiveAnswerer) -> None:
    ranked = answerer.scorer.score("What score did GPT-5 reach on SWE-bench Verified?", sentences(SIBLINGS))
    assert "74.9%" in ranked[0].display and "49%" not in ranked[0].display


def test_the_item_under_a_lead_in_naming_the_subject_answers(answerer: ExtractiveAnswerer) -> None:
    # the item itself does not name GPT-5, its lead-in does: no missing-name penalty for it
    ranked = answerer.scorer.score("GPT-5 的上下文长度有多大？", sentences(LEAD_IN))
    assert "272K" in ranked[0].display and ranked[0].score > 1.2 * ranked[1].score


def test_a_sentence_is_about_what_its_paragraph_named_before_it(answerer: ExtractiveAnswerer) -> None:
    paragraph = (
        "视觉微调\n"
        "GPT-4o模型引入的视觉微调功能是一项重大突破。开发者现在可以通过上传至少100张图像来优化视觉任务表现。\n"
        "文本微调\n"
        "- GPT-4o 的文本微调至少需要10个训练样本。\n"
    )
    found = {s.text: s.before for s in sentences(paragraph + LEAD_IN)}
    assert (
        found["开发者现在可以通过上传至少100张图像来优化视觉任务表现。"]
        == "GPT-4o模型引入的视觉微调功能是一项重大突破。"
    )
    assert found["GPT-4o模型引入的视觉微调功能是一项重大突破。"] == ""
    assert found["GPT-4o 的文本微调至少需要10个训练样本。"] == ""  # a list item's bullet is no sentence before it
    ranked = answerer.scorer.score("给 GPT-4o 做视觉微调,至少需要上传多少张图片？", sentences(paragraph + LEAD_IN))
    assert "100张图像" in ranked[0].display


def test_a_comment_line_of_its_own_is_no_prose_after_code() -> None:
    code = "# GPT-5快速响应示例\nresponse = client.chat.completions.create(\n"
    assert [prose_tail(s) for s in sentences(code)] == [None, None]


def test_a_question_asking_for_the_url_itself_wants_a_line_with_one(answerer: ExtractiveAnswerer) -> None:
    from answer.asked import asks_url

    assert asks_url("Which endpoint URL should we connect to?") and asks_url("接口地址是什么？")
    assert not asks_url("Which endpoint transcribes audio?")  # the endpoint's name answers that
    text = (
        "For realtime voice conversations, connect to the Realtime API, the endpoint with the lowest latency.\n"
        "Realtime voice endpoint: wss://api.openai.com/v1/realtime\n"
    )
    extract = answerer.answer(
        "Which endpoint URL should we connect to for realtime voice conversations?", sentences(text)
    )
    assert extract.answered and [s.text for s in extract.quoted] == [text.splitlines()[1]]


def test_a_comment_is_about_the_statement_it_follows(answerer: ExtractiveAnswerer) -> None:
    # a code block as plain-text extraction leaves it: one line, the comment at its end
    code = 'import openai openai.api_key = "YOUR_KEY" openai.organization = "org-XXXX" # 可选,用于多团队计费\n'
    text = code + "前往控制台创建API Key,并设置组织权限。\n不要将API Key硬编码在代码中。\n"
    [comment] = [prose_tail(s) for s in sentences(code)]
    assert comment is not None and comment.annotates == 'openai.organization = "org-XXXX"'
    # the setting the question names, quoted with its comment (answer.code.named_setting)
    ranked = answerer.scorer.score("代码里设置 openai.organization 有什么用？", sentences(text))
    assert ranked[0].display == 'openai.organization = "org-XXXX" # 可选,用于多团队计费'
    # ... and asked which attribute does what the comment says: the comment with its statement
    ranked = answerer.scorer.score("按团队分开计费,示例里是通过哪个属性设置的？", sentences(text))
    assert ranked[0].display == 'openai.organization = "org-XXXX" # 可选,用于多团队计费'
    ranked = answerer.scorer.score("多团队计费是什么意思？", sentences(text))
    assert ranked[0].display == "可选,用于多团队计费"  # asked for no attribute: the comment alone
    # prose run into the code is not about its last statement
    prose = 'content = chunk.get("content") print(content) 前端集成建议:使用SSE推送每个chunk。\n'
    [tail] = [prose_tail(s) for s in sentences(prose)]
    assert tail is not None and tail.annotates == ""


def test_a_line_pointing_back_is_about_the_line_before_it(answerer: ExtractiveAnswerer) -> None:
    text = (
        "比如，当 2023 年 3 月发布的 GPT-4 还要每百万个输入 Token 收费 30 美元时，现如今，GPT-4o 的费用已经下降到 2.5 美元。\n\n"
        "![](https://example.com/chart.png)\n\n"
        "这一价格降幅达到了惊人的 91%！这种降价让更多企业能够负担得起。\n"
    )
    found = {s.text: s for s in sentences(text)}
    drop = found["这一价格降幅达到了惊人的 91%！"]
    assert drop.refers.startswith("比如，当 2023 年 3 月发布的 GPT-4") and drop.before == ""
    assert found["这种降价让更多企业能够负担得起。"].refers == ""  # within a line: its before says it
    # the question's number 2023 is in the line pointed to: no missing-number penalty for the 91% line
    asked = Asked.of("GPT-4 从 2023 年到现在价格降了百分之多少？", list(found.values()))
    factor, states = asked.judge(drop, drop, drop.text, None)
    assert states and factor > 1


def test_a_line_opening_a_chunk_is_about_the_line_ending_the_chunk_before() -> None:
    limits = "在调用 API 的过程中，OpenAI 设置了每分钟请求最大次数（RPM）和每分钟 Token 通信量最大值（TPM）。"
    page = "这些限制可以在个人中心的 **Rate Limits** 页面查看：https://platform.openai.com/account/rate-limits"
    other = (  # RPM and TPM are in few of the candidates: what the question is about
        "默认的每月消费上限为 120 美元，可以在 Usage Limits 页面修改。\n新用户注册后可获得免费额度。\n"
        "账单按月结算，发票在 Billing 页面下载。\n团队成员可以共享同一个组织。\n模型列表在 Models 页面查看。\n"
    )

    def chunk(i: int, text: str, start: int) -> SearchHit:
        return SearchHit(
            f"c{i}", "d0", "default", "doc", "doc.txt", None, [], "", text, 1.0 - i / 10, i, 1, start, start + len(text)
        )

    def sentences_of(*hits: SearchHit) -> dict[str, Sentence]:
        return {s.text: s for s in source_sentences(ContextAssembler().assemble(list(hits), 10_000), list(hits))}

    # the chunker cut at the blank line between the two paragraphs
    found = sentences_of(chunk(0, limits, 0), chunk(1, page + "\n", len(limits) + 2), chunk(2, other, 400))
    line = found[page]
    assert line.refers == "" and line.refers_across == limits  # what it says is its own; what about, both
    assert all(s.refers_across == "" for s in found.values() if s is not line)  # no pointer back, or not next
    question = "Where in the account can I look up my RPM and TPM limits?"
    factor, _ = Asked.of(question, list(found.values())).judge(line, line, line.text, None)
    apart = sentences_of(chunk(0, limits, 0), chunk(1, page + "\n", len(limits) + 40))[page]
    assert apart.refers_across == ""  # more than a paragraph break between: not the line it points to
    assert factor > Asked.of(question, list(found.values())).judge(apart, apart, apart.text, None)[0]


def test_a_list_item_stating_the_value_inherits_its_heading_match(answerer: ExtractiveAnswerer) -> None:
    text = (
        "模型调用前请先阅读官方文档中的说明。\n"
        "🔁 API变更适配策略\n"
        "- 关注官方Changelog(https://platform.openai.com/docs/changelog);\n"
        "- 使用版本化接口;\n"
        "计费说明请咨询财务部门的同事。\n"
    )
    extract = answerer.answer("API 有变更时应该去哪里查看？", sentences(text))
    assert extract.answered and "docs/changelog" in extract.text
    assert not any(s.text.startswith("🔁") for s in extract.quoted)  # the heading states no address


def test_a_brand_qualifying_the_next_name_is_named_by_its_source(answerer: ExtractiveAnswerer) -> None:
    # the line names the API key, its source names OpenAI: it is about OpenAI's API key
    guide = (
        "登录OpenAI平台，在个人中心创建密钥。\n常见认证错误及解决方案:\n401 Unauthorized错误:\n"
        '- 检查API Key格式(以"sk-"开头,51个字符)\n- 检查API Key权限设置\n'
    )
    other = "员工每年享有十五天年假。\n报销须在三十天内提交。\n培训每季度举办一次。\n访客须在前台登记。\n"
    question = "一个正常的 OpenAI API Key 应该有多少个字符?"
    ranked = answerer.scorer.score(question, sentences(guide, other))
    # it states the size asked for about the question's subject: it answers from the value threshold
    assert "51个字符" in ranked[0].display and ranked[0].states_asked_value
    assert answerer.select(question, ranked).answered
    assert qualifiers("OpenAI API Key 有多长", ["openai", "api", "key"]) == {"openai": "api"}
    assert qualifiers("Sky Digital 是什么时候推出的", ["sky", "digital"]) == {}  # one name, not a brand's


PLATFORM_AREAS = (
    "进入 OpenAI 开发者平台，可以看到主要有五个功能区：\n\n"
    "- Playground：在线调试提示词和参数\n- API Keys：创建和管理密钥\n- Usage：查看用量和余额\n"
)


def test_a_lead_in_counting_its_items_answers_how_many(answerer: ExtractiveAnswerer) -> None:
    extract = answerer.answer("OpenAI 开发者平台一共分成几个主要功能区?", sentences(PLATFORM_AREAS))
    assert extract.answered and "五个功能区" in extract.quoted[0].text
    # ... and nothing else: for another question the lead-in is no candidate
    other = answerer.scorer.score("哪个功能区可以创建和管理 API 密钥？", sentences(PLATFORM_AREAS))
    assert other and not any(candidate.sentence.text.endswith("：") for candidate in other)
    # it counts what the question counts: five areas are no answer to how many data centres
    assert not answerer.answer("OpenAI 在全球一共有几个数据中心？", sentences(PLATFORM_AREAS)).answered
    assert announces_count("主要有五个功能区：", "几个功能区") and announces_count(
        "There are 3 tiers:", "How many tiers?"
    )
    assert not announces_count("There are 3 tiers:", "How many regions?")
    assert not announces_count("GPT-4o 的特点：", "GPT-4o 有几个特点") and not announces_count(
        "功能区如下：", "几个功能区"
    )


def test_which_library_is_answered_by_the_import_statement_naming_it(answerer: ExtractiveAnswerer) -> None:
    # a code block as plain-text extraction leaves it: its lines run together, no prose names the library
    code = (
        "🔄 异步调用与错误重试机制\n"
        "from tenacity import retry, stop_after_attempt, wait_exponential "
        "@retry(stop=stop_after_attempt(3), wait=wait_exponential(multiplier=1, max=10)) def safe_completion(prompt):\n"
        "import os import time\n"
        "使用环境变量保存API Key,不要硬编码在代码中。\n"
    )
    statement = "from tenacity import retry, stop_after_attempt, wait_exponential"
    extract = answerer.answer(
        "Which Python library is used to retry failed calls with exponential backoff?", sentences(code)
    )
    assert extract.answered and [s.text for s in extract.quoted] == [statement]
    assert code[extract.quoted[0].start : extract.quoted[0].end] == statement  # verbatim, by its offsets
    # a Chinese question meets the imported names through the dictionary (重试: retry)
    glossed = ExtractiveAnswerer(
        answerer.matcher, glossary=Glossary({"重试": "to retry; retry", "第三方": "third party"})
    )
    assert glossed.scorer.score("重试时用的是哪个第三方库？", sentences(code))[0].display == statement
    # a question that asks for no library: code still never answers
    assert not any(
        "import" in s.text for s in answerer.answer("How should we retry failed calls?", sentences(code)).quoted
    )


def test_import_statements_name_their_modules() -> None:
    from answer.kinds import asks_library, imported_modules

    assert imported_modules("from tenacity import retry, wait_exponential @retry(stop=3) def f():") == ["tenacity"]
    assert imported_modules("import asyncio import aiohttp async def run():") == ["asyncio", "aiohttp"]
    assert imported_modules("import os.path as p, json") == ["os", "json"] and imported_modules("important") == []
    assert carries("name", "from tenacity import retry", "Which library retries?")
    assert asks_library("Which Python package does it use?") and asks_library("用的是哪个第三方库？")
    assert not asks_library("用的是哪个向量数据库？") and not asks_library("知识库在哪里？")


def test_a_conversion_is_found_the_way_the_question_asks_for_it(answerer: ExtractiveAnswerer) -> None:
    from answer.conversions import conversions

    assert [(c.source, c.target) for c in conversions("whisper-1:语音转文字(多语言)")] == [("语音", "文字")]
    assert [(c.source, c.target) for c in conversions("Which model turns meeting recordings into text?")] == [
        ("meeting recordings", "text")
    ]
    assert [(c.source, c.target) for c in conversions("a speech-to-text model")] == [("speech", "text")]
    assert conversions("把请求转发给同事，我们要转向新的接口") == []  # a forward and a turn, no conversion
    models = "语音模型\n- tts-1:文字转语音(6 种音色)\n- whisper-1:语音转文字(多语言)\n- dall-e-3:高质量文生图\n"
    glossary = Glossary({"语音": "speech; audio; voice", "文字": "text; writing", "音色": "voice"})
    glossed = ExtractiveAnswerer(answerer.matcher, glossary=glossary)
    for question, model in (
        ("Which model transcribes audio to text?", "whisper-1"),
        ("Which model should I use for speech-to-text?", "whisper-1"),
        ("Which model turns text into speech?", "tts-1"),
        ("想把语音转成文字，用哪个模型？", "whisper-1"),
        ("文字转语音用哪个模型？", "tts-1"),
    ):
        ranked = glossed.scorer.score(question, sentences(models))
        assert ranked[0].display.startswith(model), question
        assert ranked[0].score > 1.5 * ranked[1].score, question  # the other way round is no near miss


def test_which_model_an_example_uses_is_answered_by_the_call_naming_it(answerer: ExtractiveAnswerer) -> None:
    from answer.code import model_call

    # a code block as plain-text extraction leaves it: one line
    code = (
        '4.1 语音转文字\naudio_file = open("speech.mp3", "rb") transcription = client.audio.transcriptions.create( '
        'model="whisper-1", file=audio_file ) print(transcription.text)\n'
        'response = client.audio.speech.create( model="tts-1", voice="alloy", input="你好" )\n'
    )
    call = 'transcription = client.audio.transcriptions.create( model="whisper-1", file=audio_file )'
    [_, first, second] = [model_call(s) for s in sentences(code)]
    assert first is not None and first.text == call and code[first.start : first.end] == call
    assert second is not None and second.text.startswith('response = client.audio.speech.create( model="tts-1"')
    extract = answerer.answer("Which model name do I pass to create an audio transcription?", sentences(code))
    assert extract.answered and [s.text for s in extract.quoted] == [call]
    # not asked which model: code still never answers
    assert not answerer.answer("How do I create an audio transcription?", sentences(code)).answered


def test_an_address_line_inherits_from_the_line_naming_the_same_tool(answerer: ExtractiveAnswerer) -> None:
    text = (
        "当我们向大模型输入一句话时，这句话会首先被分割成一系列 Tokens。\n"
        "OpenAI 官方提供了一个工具 **Tokenizer**，可以测试任意输入的文本，并查看它们是如何被分割成 Tokens 的。\n"
        "Tokenizer 工具地址：https://platform.openai.com/tokenizer\n"
        "Playground 地址：https://platform.openai.com/playground\n"
    )
    extract = answerer.answer("在哪里可以查看一段文本是如何被分割成 Tokens 的？", sentences(text))
    assert extract.answered and "https://platform.openai.com/tokenizer" in extract.text
    assert "playground" not in extract.text  # an address naming nothing the answering line names


def test_javascript_run_into_one_line_is_code() -> None:
    assert not can_answer("for await (const chunk of stream) { const content = chunk.choices[0]?.delta?.content || '';")
    assert not can_answer("'gpt-4o', // 使用GPT-4o模型 messages: messages, stream: true, });")
    assert can_answer("Let us consider the Normans, who let the region keep its laws.")
    assert can_answer("前端集成建议:使用SSE(Server-Sent Events)或WebSocket推送每个chunk。")
