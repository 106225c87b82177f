"""A question asking for a price, a size or an address is answered by a short line stating one, even
when the line shares few words with the question; a line stating another kind of value, or one about
another product, is not such an answer. A "who" question is not answered by the name it asks about."""

from __future__ import annotations

from dataclasses import replace

import pytest

from answer.asked import (
    asked_acronyms,
    asked_amount,
    asked_count,
    asks_address,
    asks_measure,
    spells_out,
    states_address,
    states_amount,
    states_count,
    value_kinds,
)
from answer.extractive import ANSWER_THRESHOLD, VALUE_THRESHOLD, ExtractiveAnswerer
from answer.factors import Asked
from answer.kinds import carries, question_type
from answer.names import (
    names_another_tier,
    names_only_base,
    question_compounds,
    question_entities,
    question_tiers,
    spelled_names,
)
from answer.scoring import Scored
from tests.answer.test_extractive import sentences

pytestmark = pytest.mark.unit


def candidate(answerer: ExtractiveAnswerer, question: str, text: str, holding: str) -> Scored:
    """The scored candidate of ``text``'s sentences whose display holds ``holding``."""
    return next(c for c in answerer.scorer.score(question, sentences(text)) if holding in c.display)


FAQ = (
    "OpenAI API FAQ\n\n"
    "- 新手福利: 注册后即可开始调用\n"
    "- A: OpenAI API不是完全免费的,但新用户有5美元的免费额度。\n"
    "- 开发者现在可以通过上传至少100张图像来优化模型的视觉任务表现。\n"
    '- 检查API Key格式(以"sk-"开头,51个字符)\n'
)


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("我想开一个 ChatGPT Plus 会员,每个月要付多少钱?", "money"),
        ("How much does the Batch API save?", "money"),
        ("新用户送多少试用额度？", "money"),
        ("How big is GPT-5's context window?", "size"),
        ("一个 API Key 应该有多长？", "size"),
        ("How many voices does the model offer?", None),  # a count: any number would do
        ("GPT-4 每分钟最多能发多少个请求？", None),
        # a count of a unit is a size: "30 天" answers it, "3 个步骤" does not
        ("For how many days are API inputs kept?", "size"),
        ("数据会保留多少天？", "size"),
        ("一个 API Key 有多少个字符？", "size"),
    ],
)
def test_the_kind_of_amount_a_question_asks_for(question: str, kind: str | None) -> None:
    assert asked_amount(question) == kind


def test_what_states_a_price_or_a_size() -> None:
    assert states_amount("money", "每月费用为 **20 美元**") and states_amount("money", "批量处理— 省钱 50%")
    assert states_amount("money", "It costs $0.006 per minute") and states_amount("money", "每月二十美元")
    assert not states_amount("money", "上传至少100张图像") and not states_amount("money", "GPT-4 示例: 1000")
    assert states_amount("size", "超大上下文:支持272K输入tokens") and states_amount("size", "以sk-开头,51个字符")
    assert states_amount("size", "a file of up to 25 MB") and states_amount("size", "处理时长约 3 小时")
    assert not states_amount("size", "上传至少100张图像") and not states_amount("size", "每月费用为 20 美元")


def test_a_line_stating_the_asked_amount_answers_below_the_usual_threshold(answerer: ExtractiveAnswerer) -> None:
    question = "新注册的 OpenAI 开发者账号,官方会送多少试用额度?"
    ranked = answerer.scorer.score(question, sentences(FAQ))
    best = ranked[0]
    assert "5美元" in best.display and best.states_asked_value
    assert VALUE_THRESHOLD <= best.score < ANSWER_THRESHOLD  # it would have been declined before
    extract = answerer.select(question, ranked)
    assert extract.answered and "5美元" in extract.text and "100张图像" not in extract.text


def test_a_line_stating_another_kind_of_amount_does_not(answerer: ExtractiveAnswerer) -> None:
    # the only line with a number counts images: no file size is stated anywhere
    question = "What is the maximum file size for a fine-tuning training file upload?"
    text = "- 开发者现在可以通过上传至少100张图像来优化模型的视觉任务表现。\n- 微调可以定制模型。\n"
    ranked = answerer.scorer.score(question, sentences(text))
    assert not any(candidate.states_asked_value for candidate in ranked)
    assert not answerer.select(question, ranked).answered


def test_the_amount_threshold_is_its_own(answerer: ExtractiveAnswerer) -> None:
    # a calibration sweep of the usual threshold leaves a stated amount's lower one as it is
    ranked = answerer.scorer.score("新用户送多少试用额度?", sentences(FAQ))
    assert ranked[0].states_asked_value and "5美元" in ranked[0].display
    assert answerer.select("新用户送多少试用额度?", ranked, threshold=10.0).answered
    without = [replace(candidate, states_asked_value=False) for candidate in ranked]
    assert not answerer.select("新用户送多少试用额度?", without, threshold=10.0).answered


def test_another_tier_of_the_asked_product_is_a_variant(answerer: ExtractiveAnswerer) -> None:
    question = "How much does the ChatGPT Team plan cost per month?"
    assert question_tiers(question, question_entities(question)) == [("chatgpt", "Team")]
    assert question_tiers("When was OpenAI founded?", ["openai"]) == []  # lower case: no tier
    assert question_tiers("Is the OpenAI API encrypted?", ["openai"]) == []  # an acronym is no tier
    assert names_another_tier("ChatGPT Plus会员每月20美元", [("chatgpt", "Team")])
    assert not names_another_tier("ChatGPT 团队版每月25美元", [("chatgpt", "Team")])  # in other words
    assert not names_another_tier("ChatGPT Plus 与 ChatGPT Team 的区别", [("chatgpt", "Team")])
    text = "- **定义**：ChatGPT Plus 是 OpenAI 提供的付费服务，每月费用为 **20 美元**。\n"
    assert not answerer.answer(question, sentences(text)).answered
    assert answerer.answer("How much does ChatGPT Plus cost per month?", sentences(text)).answered


def test_the_base_product_of_the_asked_variant_is_another_product(answerer: ExtractiveAnswerer) -> None:
    text = (
        "- 现如今，GPT-4o 版本的费用已经下降到每百万个输入 token 2.5 美元。\n"
        "- 学徒级的小模型(如GPT-4o mini)由大模型指导。\n- 模型列表: gpt-4o, gpt-4o-mini, o1-mini\n"
    )
    question = "GPT-4o mini 每百万输入 token 收费多少？"
    compounds = question_compounds(question, sentences(text))
    assert compounds == [("gpt-4o", "gpt-4o mini")]
    # the knowledge base writes "mini" as a variant's suffix; it writes no "gpt-5-api"
    assert question_compounds("GPT-5 API 每百万输入 token 收费多少？", sentences(text)) == []
    assert names_only_base("GPT-4o 版本的费用已经下降到每百万个输入 2.5 美元", compounds)
    assert not names_only_base("gpt-4o-mini 每百万输入 0.15 美元", compounds)
    assert not names_only_base("GPT-4o mini 与 GPT-4o 的区别", compounds)
    assert not names_only_base("GPT-4o-audio 的费用", compounds)  # another variant: not the base itself

    # GPT-4o's price is no answer about GPT-4o mini: it states no value of the asked product, and
    # scores under a third of what it does for GPT-4o
    def price_line(asked: str) -> Scored:
        return candidate(answerer, asked, text, "2.5 美元")

    about_base = price_line("GPT-4o 每百万输入 token 收费多少？")
    about_variant = price_line(question)
    assert about_base.states_asked_value and not about_variant.states_asked_value
    assert about_variant.score < about_base.score / 3
    assert not answerer.answer(question, sentences(text)).answered


def test_an_amount_of_another_kind_is_not_the_amount_asked_for(answerer: ExtractiveAnswerer) -> None:
    assert value_kinds("GPT-4o 微调训练每百万 token 收费多少？") == {"training"}
    assert value_kinds("支持272K输入tokens,128K输出tokens") == {"input", "output"}
    assert value_kinds("How much do cached input tokens cost?") == {"cached", "input"}
    assert value_kinds("GPT-4o 每百万 token 收费多少？") == frozenset()
    text = (
        "- 现如今，GPT-4o 版本的费用已经下降到每百万个输入 token 2.5 美元。\n"
        "- 微调后的模型成本略高于基础模型。\n- 模型列表: gpt-4o, gpt-4o-mini, o1-mini\n"
    )

    def price_line(asked: str) -> Scored:
        return candidate(answerer, asked, text, "2.5 美元")

    # GPT-4o's input price is no answer to its training price: a wrong value however many words it shares
    for question in (
        "GPT-4o 微调训练每百万 token 收费多少？",
        "How much does fine-tuning GPT-4o cost per million training tokens?",
    ):
        assert not price_line(question).states_asked_value
        assert not answerer.answer(question, sentences(text)).answered
    # the price of a kind the question does not name, or of the kind it names, still answers
    for question in (
        "GPT-4o 每百万 token 收费多少？",
        "GPT-4o 每百万输入 token 收费多少？",
        "微调后的 GPT-4o 每百万输入 token 多少钱？",
    ):
        assert price_line(question).states_asked_value
        assert answerer.answer(question, sentences(text)).answered


def test_a_who_question_is_not_answered_by_the_name_it_asks_about() -> None:
    assert not carries("person", "它是 OpenAI 面向开发者的一站式服务平台。", "Who is OpenAI's CTO?")
    assert carries("person", "OpenAI 首席执行官 Sam Altman 表示", "Who is OpenAI's CEO?")
    assert carries("name", "OpenAI 是一家公司", "哪家公司发布了 ChatGPT？")


def test_a_who_question_is_answered_by_a_person_or_an_organisation() -> None:
    """Product names, acronyms and versions name no one: over one article, "Who is OpenAI's CTO?" was
    answered with its title "[智能体-22]:openAI API大全与详解" and "所有接口前缀:https://api.openai.com/v1"."""
    question = "Who is OpenAI's CTO?"
    for line in ("[智能体-22]:openAI API大全与详解", "所有接口前缀:https://api.openai.com/v1", "调用 GPT-4o 的 API"):
        assert not carries("person", line, question), line
    # Latin names (LAC reads Latin poorly), and Chinese people and organisations as LAC tags them
    for line in ("OpenAI由Sam Altman、Elon Musk等人于2015年创立", "李彦宏表示将开源大模型", "该项目由清华大学联合开发"):
        assert carries("person", line, question), line
    # a line without anyone keeps less of its evidence than one naming someone
    lines = sentences("所有接口前缀:https://api.openai.com/v1\n李彦宏表示将开源大模型。\n")
    asked = Asked.of("OpenAI 的首席技术官是谁？", lines)
    prefix, person = (asked.judge(s, s, s.text, None)[0] for s in lines)
    assert prefix < person - 0.4


def test_a_capitalised_word_the_sources_spell_alike_is_a_subject(answerer: ExtractiveAnswerer) -> None:
    text = (
        "- whisper-1:语音转文字(多语言)\n- 一个5分钟的AI客服通话只需0.75美元，折合下来每小时仅需9美元。\n"
        "- tts-1:文字转语音(6 种音色)\n- 批量处理(Batch API)— 省钱 50%\n- 微调可以定制模型。\n"
    )
    question = "How much does the Whisper API cost per minute of audio?"
    assert spelled_names(question, [], sentences(text)) == ["api", "whisper"]
    assert spelled_names("What does the Realtime model cost?", [], sentences(text)) == []  # not in the sources
    assert spelled_names("Whisper 多少钱？", [], sentences(text)) == []  # a Chinese question's names are entities
    # a line of a Chinese document without Chinese of its own keeps the name as the document does
    listed = "国内兼容的服务商:\n- Kimi:https://api.moonshot.cn/v1\n"
    assert spelled_names("What base URL does Kimi use?", [], sentences(listed)) == ["kimi"]
    # an identifier's parts are no name kept as it is ("a Chinese sentence" is no subject of "chinese_text")
    code = '统计中文文本的 token:\nchinese_text = "这是一段中文测试文本"\n'
    assert spelled_names("How is a Chinese sentence split into tokens?", [], sentences(code)) == []
    english = "Whisper transcribes speech.\nThe Batch API halves the price.\n"
    assert spelled_names(question, [], sentences(english)) == []  # ordinary words in English text
    # the price line is about a call, not Whisper: no stated amount of the asked subject, no answer
    ranked = answerer.scorer.score(question, sentences(text))
    assert not any(candidate.states_asked_value for candidate in ranked)
    assert not answerer.select(question, ranked).answered


@pytest.mark.parametrize(
    ("question", "asks"),
    [
        ("Which endpoint do I connect to for real-time voice conversations?", True),
        ("What base URL should I use to call Kimi?", True),
        ("Kimi 的接口地址是什么？", True),
        ("OpenAI 控制台的网址是什么？", True),
        ("What is the address of the Paris office?", False),  # a street's
        ("Where should we watch for official API changes?", True),  # where to look it up: a page
        ("Where in the account can I look up my RPM and TPM limits?", True),
        ("Where in the cell do proteins fold?", False),  # no looking up
        ("在哪里可以查看账户余额？", True),
        ("Where was the company founded?", False),  # a place
        ("What links the two theories?", False),
        ("下载链接在哪里？", True),
        ("如何链接公司的数据库？", False),  # a verb
    ],
)
def test_a_question_asking_for_an_address(question: str, asks: bool) -> None:
    assert asks_address(question) == asks
    assert (question_type(question) == "address") == asks


def test_a_count_of_addresses_is_a_quantity() -> None:
    assert question_type("How many endpoints does the API have?") == "quantity"


def test_what_states_an_address() -> None:
    assert states_address("Endpointwss://api.openai.com/v1/realtime(WebSocket)功能:低延迟双向语音对话")
    assert states_address("Kimi:https://api.moonshot.cn/v1") and states_address("调用 POST /v1/embeddings 即可")
    assert states_address("控制台在 platform.openai.com 上")
    assert not states_address("实时语音对话(Realtime)") and not states_address("版本 v1.2 已发布")


def test_an_address_question_quotes_the_line_with_the_address(answerer: ExtractiveAnswerer) -> None:
    text = (
        "- 实时语音对话(Realtime)\n- 文字转语音(TTS)\n- 批量处理(Batch API)\n- 嵌入(Embeddings)\n"
        "- Endpointwss://api.openai.com/v1/realtime(WebSocket)功能:低延迟双向语音对话,支持打断。\n"
    )
    question = "Which endpoint do I connect to for low-latency real-time voice conversations?"
    ranked = answerer.scorer.score(question, sentences(text))
    assert "wss://" in ranked[0].display and ranked[0].states_asked_value
    assert not any(candidate.states_asked_value for candidate in ranked[1:])  # no address in the others


def test_what_an_acronym_stands_for() -> None:
    assert asked_acronyms("限额页面上的 RPD 指的是什么？") == ["RPD"]
    assert asked_acronyms("What does the acronym GPT stand for?") == ["GPT"]
    assert asked_acronyms("How many RPM does GPT-4 get?") == []  # no meaning asked
    assert spells_out("每天最大请求次数（RPD：Requests Per Day）", "RPD")
    assert spells_out("GPT 是 Generative Pre-trained Transformer 的缩写", "GPT")
    assert spells_out("使用SSE(Server-Sent Events)推送", "SSE")
    assert not spells_out("RPD limits requests per day", "RPD")  # not spelled out in capitals


def test_the_line_spelling_the_acronym_out_answers(answerer: ExtractiveAnswerer) -> None:
    text = (
        "- 这些限制可以在个人中心的 Rate Limits 页面查看。\n"
        "- OpenAI 设置了每分钟请求最大次数（RPM：Requests Per Minute）、每天最大请求次数（RPD：Requests Per Day）。\n"
        "- 超出限制会返回 429。\n- 可以申请提高限额。\n"
    )
    ranked = answerer.scorer.score("限额页面上的 RPD 指的是什么？", sentences(text))
    assert "Requests Per Day" in ranked[0].display and ranked[0].states_asked_value


def test_a_stated_value_just_under_a_sentence_that_does_not_answer_still_answers(
    answerer: ExtractiveAnswerer,
) -> None:
    nano, context = sentences("gpt-5-nano:最快最便宜版本,100万token上下文\n超大上下文:支持272K输入tokens\n")
    close = [Scored(0.24, nano, nano.text), Scored(0.23, context, context.text, states_asked_value=True)]
    extract = answerer.select("How big is GPT-5's context window?", close)
    assert extract.answered and extract.quoted == [context]  # the best one is under the threshold: skipped
    far = [Scored(0.4, nano, nano.text), Scored(0.23, context, context.text, states_asked_value=True)]
    assert not answerer.select("How big is GPT-5's context window?", far).answered  # not close to the best


def test_a_measure_named_by_its_noun_is_answered_by_a_size_not_any_number(answerer: ExtractiveAnswerer) -> None:
    assert asks_measure("What is the context length of GPT-4?") and asks_measure("上下文长度是多少？")
    assert not asks_measure("How long does the review take?")  # "three years" answers that in words
    text = (
        "输入的提示语和模型生成的输出内容两部分加起来的总长度不能超过上下文长度限制。\n"
        "GPT-4 的上下文长度为 8192 tokens。\n"
    )
    extract = answerer.answer("上下文长度是多少？", sentences(text))
    assert extract.answered and [s.text for s in extract.quoted] == ["GPT-4 的上下文长度为 8192 tokens。"]


def test_a_chinese_question_asks_in_its_last_clause_with_a_question_word() -> None:
    assert question_type("想知道每分钟能调用多少次，应该去个人中心的哪个页面看？") == "address"  # a page
    assert question_type("我们每分钟能调用多少次，该找谁提高？") == "person"
    assert question_type("每月消费上限默认是多少？超了会怎样？") == "quantity"  # 怎样 asks for no type
    assert question_type("Which page shows the limits, and how many requests can we send?") == "quantity"


def test_spending_asks_for_money_and_a_measure_word_for_its_count() -> None:
    assert asked_amount("API 账户每月的消费上限默认是多少？") == "money"
    assert asked_count("起码得上传多少张图片？") == "张" and asked_count("训练数据最低要准备几条？") == "条"
    assert asked_count("GPT-4o 是什么？") is None
    assert states_count("张", "开发者可以通过上传至少100张图像来优化模型") and states_count(
        "条", "最少需要10个训练样本"
    )
    assert not states_count("张", "GPT-4o 模型有 2 种版本")  # another measure word counts something else
    # an English how-many question names no measure word: a Chinese count with any one states it
    english = asked_count("How many voices does the text-to-speech model offer?")
    assert english is not None and states_count(english, "tts-1:文字转语音(6 种音色)")
    assert not states_count(english, "The model offers 6 voices.") and not states_count(english, "GPT-4o 发布")
    # "the minimum number of images" counts as a how-many question does
    number_of = asked_count("What is the minimum number of images needed for vision fine-tuning?")
    assert number_of is not None and states_count(number_of, "开发者现在可以通过上传至少100张图像来优化模型")


def test_a_how_many_days_question_is_not_answered_by_another_count(answerer: ExtractiveAnswerer) -> None:
    assert states_amount("size", "输入和输出数据最多保留 30 天") and not states_amount("size", "分为 3 个步骤")
    assert states_amount("size", "kept for thirty days") and not states_amount("size", "3.3 流式 / 实时")
    assert asks_measure("How many days are API inputs and outputs kept?") and asks_measure("数据保留多少天？")
    assert not asks_measure("How many voices does the model offer?")
    text = "API 的输入和输出分 3 个阶段处理,输入和输出过大会被截断。\n监控用的数据保留 30 天。\n"
    ranked = answerer.scorer.score("API 的输入和输出数据会保留多少天？", sentences(text))
    assert "30 天" in ranked[0].display and ranked[0].score > ranked[1].score


def test_a_count_with_the_asked_measure_word_answers_below_the_usual_threshold(answerer: ExtractiveAnswerer) -> None:
    text = "GPT-4o 视觉微调说明\n开发者现在可以通过上传至少100张图像来优化模型的视觉任务表现。\n"
    ranked = answerer.scorer.score("要对 GPT-4o 做图像方面的定制训练，起码得上传多少张图片？", sentences(text))
    assert ranked[0].states_asked_value and "100张" in ranked[0].display
    assert answerer.select("要对 GPT-4o 做图像方面的定制训练，起码得上传多少张图片？", ranked).answered


def test_a_share_or_a_price_is_no_count(answerer: ExtractiveAnswerer) -> None:
    text = "- 批量处理(Batch API)— 省钱 50%\n- 批量处理多个请求;\n- 最多 100 条请求可以放进一个批次\n"
    saving, _, count = sentences(text)

    def line(question: str, holding: str) -> Scored:
        return candidate(answerer, question, text, holding)

    # "省钱 50%" carries a number, not the count of requests asked for: it loses the type bonus, and
    # with it the answer when nothing else answers
    chinese = "Batch API 一个批处理文件最多可以放多少条请求？"
    assert line(chinese, "50%").score < line(chinese, "100 条").score
    assert not answerer.answer(chinese, sentences(text.replace(count.text, "批处理文件用 JSONL 格式"))).answered
    # "how many" names no measure word, and "How many of the voters …" is answered by a share
    english = "How many requests can one Batch API file hold?"
    chinese_factor, _ = Asked.of(chinese, [saving]).judge(saving, saving, saving.text, None)
    english_factor, _ = Asked.of(english, [saving]).judge(saving, saving, saving.text, None)
    assert chinese_factor < 1 < english_factor
    # the saving still answers how much is saved, and a count with the measure word a count
    assert answerer.answer("Batch API 能省多少钱？", [saving]).answered
    assert line("一个批次最多可以放多少条请求？", "100 条").states_asked_value


def test_the_line_stating_the_address_follows_the_line_naming_the_tool(answerer: ExtractiveAnswerer) -> None:
    tool, address, other = sentences(
        "OpenAI 官方提供了一个工具 Tokenizer，可以查看文本如何被转换成 Tokens。\n"
        "Tokenizer 工具地址：https://platform.openai.com/tokenizer\n"
        "Playground 地址：https://platform.openai.com/playground\n"
    )
    question = "Is there an official tool to see how text gets split into tokens? What's the URL?"
    ranked = [
        Scored(0.5, tool, tool.text),
        Scored(0.36, other, other.text),  # under 85% of the best: no second quote without the address
        Scored(0.36, address, address.text, states_asked_value=True),
    ]
    assert answerer.select(question, ranked).quoted == [tool, address]
    too_far = [Scored(0.5, tool, tool.text), Scored(0.3, address, address.text, states_asked_value=True)]
    assert answerer.select(question, too_far).quoted == [tool]


def test_a_line_pointing_back_to_the_quote_finishes_it(answerer: ExtractiveAnswerer) -> None:
    prices, drop, other = sentences(
        "比如,当 GPT-4 还要每百万个输入 Token 收费 30 美元时,现如今,GPT-4o 的费用已经下降到每百万个输入 2.5 美元。\n"
        "这一价格降幅达到了惊人的 91%!\n"
        "GPT-4.1 的价格另见价格表。\n"
    )
    assert drop.refers and prices.text.strip().endswith(drop.refers)
    question = "从 GPT-4 到 GPT-4o,输入 token 的价格一共降了多少?"
    # the drop scores far under the prices' line (its few words of the question), yet clears the threshold
    ranked = [Scored(1.0, prices, prices.text), Scored(0.5, drop, drop.text), Scored(0.45, other, other.text)]
    assert answerer.select(question, ranked).quoted == [prices, drop]
    # under the threshold it does not follow
    ranked = [Scored(1.0, prices, prices.text), Scored(0.3, drop, drop.text)]
    assert answerer.select(question, ranked).quoted == [prices]


def test_a_line_naming_a_sibling_variant_by_its_last_part_is_about_that_variant() -> None:
    from answer.names import names_sibling, sibling_words

    text = (
        "- text-embedding-3-small:1536 维,快、便宜\n- text-embedding-3-large:3072 维,准、稍贵\n"
        "vector = response.data[0].embedding print(len(vector)) # 3072 维(large)\n"
    )
    siblings = sibling_words(["text-embedding-3-small"], sentences(text))
    assert siblings == {"text-embedding-3-small": frozenset({"large"})}
    assert names_sibling("3072 维(large)", siblings) and names_sibling("text-embedding-3-large:3072 维", siblings)
    assert not names_sibling("text-embedding-3-small:1536 维,快、便宜", siblings)
    assert not names_sibling("large 和 small 两种尺寸", siblings)  # names the question's own variant too
    assert sibling_words(["gpt-5"], sentences(text)) == {}  # no last part of letters: gpt-5 has no siblings here
