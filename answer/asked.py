"""What a question asks for, finer than its type, and whether a text states it: "每个月要付多少钱"
wants a price (20 美元), "How big is the context window" a size (272K tokens), "Which endpoint do I
connect to" an address (wss://api.openai.com/v1/realtime), "起码得上传多少张图片" a count in 张
(至少100张图像). A short list line stating exactly that
("超大上下文:支持272K输入tokens") shares few words with a paraphrased question, so it scores low; the
value it states is the evidence its words lack."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import lru_cache

from core.text import ENGLISH_FUNCTION_WORDS

_MONEY_QUESTION = re.compile(
    r"\b(cost|costs|price|prices|priced|pay|paid|pays|fee|fees|charge|charged|charges|spend|spent|save|saves|"
    r"saving|savings|cheaper|budget|salary|worth|dollars?)\b|how much money|"
    r"多少钱|费用|价格|价钱|收费|花费|消费|开销|开支|付多少|要付|省多少|便宜多少|额度|售价|成本|工资|薪|多少美元|多少元",
    re.IGNORECASE,
)
_UNIT_WORDS = r"tokens?|characters?|chars?|bytes?|seconds?|minutes?|hours?|days?|weeks?|months?|years?"
# a count of a unit is a size: "how many days" is answered by "30 天", not by "3 个步骤" or "3.3 流式"
# (and how much context or input a model takes: "How much input context can GPT-5 take?", "多少输入 token")
_UNIT_COUNT = (
    rf"\bhow many ({_UNIT_WORDS})\b|(?:多少|几)(?:个)?(?:天|小时|分钟|秒|周|星期|月|年|字符|字节|token|(?:输入|输出)\s*token)|"
    r"\bhow much (?:(?:input|output) )?(?:context|tokens?)\b|"
    # how many tokens a model takes in, by any wording ("the maximum input context", "上下文窗口多大")
    r"\b(?:context|context window|context length)\b|上下文"
)
_SIZE_QUESTION = re.compile(
    r"\bhow (big|large|long|wide|tall|high|heavy|far|deep|old)\b|\b(size|length|capacity|duration)\b|"
    rf"多大|多长|多宽|多高|多重|多远|多深|多久|大小|长度|容量|多少岁|几岁|{_UNIT_COUNT}",
    re.IGNORECASE,
)
_DIGIT = r"[\d零一二两三四五六七八九十百千万亿]"
# a saving is stated as a share ("省钱 50%"), a price in a currency
_MONEY = re.compile(
    rf"[$¥€£]\s?\d|{_DIGIT}\s*(?:美元|元|美金|块钱|%|％|dollars?\b|USD\b|RMB\b|人民币|percent\b|cents?\b)|"
    r"\d\s*(?:million|billion)\s*dollars",
    re.IGNORECASE,
)
_SIZE_UNITS = (
    r"tokens?|字符|个字符|字|characters?|chars?|bytes?|字节|[KMGT]i?B\b|位|bits?|km\b|公里|米|meters?|metres?|"
    r"miles?|英里|feet|foot|ft\b|英尺|inches|英寸|kg\b|公斤|千克|克|吨|tons?|pounds?|磅|lbs?|平方|square|acres?|"
    r"秒|分钟|小时|天|周|星期|个月|年|岁|seconds?|minutes?|hours?|days?|weeks?|months?|years?|decades?|世纪"
)
_NUMBER_WORDS = (
    r"one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|sixty|"
    r"ninety|hundreds?|thousands?|several|a few|a dozen"
)
# "272K", "1M tokens", "128K输出tokens", "51个字符", "3 小时", "thirty days"
_SIZE = re.compile(
    rf"\d(?:\.\d+)?\s?[KMB](?![A-Za-z])|{_DIGIT}[\d,.]*\s*(?:万|亿)?\s*(?:{_SIZE_UNITS})|"
    rf"\b(?:{_NUMBER_WORDS})[\s-]+(?:{_UNIT_WORDS})\b",
    re.IGNORECASE,
)


# a measure named by its noun ("the context length of GPT-4", "上下文长度"): its answer has a unit ("8192
# tokens"); "how long" and 多久 are often answered in words ("three years", "at age 38")
# (so is a count of a unit, "how many days")
_MEASURE_QUESTION = re.compile(rf"\b(size|length|capacity)\b|长度|大小(?!写)|容量|{_UNIT_COUNT}", re.IGNORECASE)


def asks_measure(question: str) -> bool:
    """Whether the question names the measure it asks for, so that only a size with its unit answers."""
    return bool(_MEASURE_QUESTION.search(question))


def asked_amount(question: str) -> str | None:
    """``money`` or ``size`` (also length, duration, age) when a quantity question asks for one."""
    if _MONEY_QUESTION.search(question):
        return "money"
    if _SIZE_QUESTION.search(question):
        return "size"
    return None


def states_amount(kind: str, text: str, label: str = "") -> bool:
    """Whether ``text`` states an amount of ``kind`` (a price, a saving's share; a size, length, age).
    ``label``: a table row's first cell, which may name the unit its cells count ("每分钟tokens数
    (TPM) | 90,000 | 30,000"): then a number in ``text`` is a size."""
    if (_MONEY if kind == "money" else _SIZE).search(text):
        return True
    return kind == "size" and bool(_COUNTED_UNIT.search(label)) and bool(re.search(r"\d", text))


# a row label counting a unit: "tokens数", "字符数", "number of tokens", "tokens per minute"
_COUNTED_UNIT = re.compile(
    rf"(?:{_UNIT_WORDS}|字符|字节)\s*数|\bnumber of (?:{_UNIT_WORDS})\b|\b(?:{_UNIT_WORDS}) (?:per|a|each)\b",
    re.IGNORECASE,
)


# what an amount is of: a price or size per input, output, training, cached or batch token is a
# different value for each ("GPT-4o 微调训练每百万 token 收费多少" is not answered by its input price)
_VALUE_KINDS = {
    "input": re.compile(r"输入|\binputs?\b|\bprompt tokens\b", re.IGNORECASE),
    "output": re.compile(r"输出|\boutputs?\b|\bcompletion tokens\b", re.IGNORECASE),
    "training": re.compile(r"训练|微调|\btraining\b|\bfine[- ]?tun", re.IGNORECASE),
    "cached": re.compile(r"缓存|\bcached?\b|\bcaching\b", re.IGNORECASE),
    "batch": re.compile(r"批量|批处理|\bbatch", re.IGNORECASE),
}


def value_kinds(text: str) -> frozenset[str]:
    """What the amounts ``text`` names are of: input, output, training, cached or batch tokens."""
    return frozenset(kind for kind, pattern in _VALUE_KINDS.items() if pattern.search(text))


# words asking for the URL itself ("base URL", 网址), not for an endpoint that its name may answer
_URL_WORDS = r"\b(urls?|website|web address|base[ _]?url|hostname)\b|网址|域名"
# "address" alone is often a street's, "domain" and "link" mean other things in prose, 链接 is a verb too
_ADDRESS_QUESTION = re.compile(
    rf"{_URL_WORDS}|\bendpoints?\b|端点|链接(?:地址|是|在)|"
    r"(?:接口|请求|访问|调用|服务|API\s*)地址|(?:哪个|哪一个|什么)(?:页面|网页)|\b(which|what) (web )?page\b|"
    # where to look something up ("Where should we watch for API changes"): a page, in a knowledge base
    r"\bwhere (?:in (?:\w+ ){1,2}?)?(?:can|should|could|do|to) (?:i |we |you |one )?(?:\w+ ){0,2}?(?:find|see|check|look|watch|track|read|view|monitor|follow|keep (?:an )?eye)\b|"
    r"(?:在|去|到)哪(?:里|儿)?(?:可以|能)?(?:看|查|找|关注)",
    re.IGNORECASE,
)
# a URL, a host name, or an API path ("POST /v1/embeddings")
_ADDRESS = re.compile(
    r"\b(?:https?|wss?)://|\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:com|cn|org|net|io|ai)\b|(?<![\w.])/v\d+(?:/[\w.-]+)*",
    re.IGNORECASE,
)


_URL_QUESTION = re.compile(rf"{_URL_WORDS}|地址", re.IGNORECASE)  # 地址: asked only of an address question


def asks_url(question: str) -> bool:
    return bool(_URL_QUESTION.search(question))


# a count in a Chinese question names its measure word ("多少张图片", "几条数据"): a line counting with it
# ("至少100张图像"), or with 个 (which stands in for most), states the count asked for
_MEASURE_WORDS = "个次位名种项家条只台件张层倍人部本篇页行字"
_COUNT_QUESTION = re.compile(rf"(?:多少|几)([{_MEASURE_WORDS}])")
# an English how-many (or number-of) question has no measure word: over a Chinese line, a count with any one answers
# it ("How many voices" by "6 种音色"); an English line states a count without one
_HOW_MANY = re.compile(r"\bhow many\b|\bnumber of\b", re.IGNORECASE)  # "the minimum number of images"


def asked_count(question: str) -> str | None:
    """The measure word of a Chinese how-many question ("张" for "多少张图片"), every measure word for
    an English one, else None."""
    match = _COUNT_QUESTION.search(question)
    if match:
        return match.group(1)
    return _MEASURE_WORDS if _HOW_MANY.search(question) else None


def names_measure_word(measure: str) -> bool:
    """Whether a count question named its own measure word (多少条 → 条), not every one (how many)."""
    return len(measure) == 1


def states_count(measure: str, text: str, counted: frozenset[str] = frozenset()) -> bool:
    """Whether ``text`` counts something with ``measure`` (one measure word or several) or 个: "至少100张
    图像" for 张. ``counted``: the words an English question counts (``counted_words``); a count of
    another English word ("约6个token" for "how many requests") is not the one asked for."""
    found = re.findall(rf"(每\s*)?(?<!{_DIGIT}){_DIGIT}+\s*([{measure}个])\s*([A-Za-z]*)", text)
    # "每百万个输入 Token" is a unit's size, not a count: a price per million tokens counts nothing
    return any(
        not per
        and (word in measure or word == "个")
        and (not noun or not counted or _singular(noun) in counted)
        and (not counted or word not in _CLASSIFIED or bool(_CLASSIFIED[word] & counted))
        for per, word, noun in found
    )


# a measure word that counts only some things: "100字" counts characters, not the requests an English
# how-many asks for; "5 倍" is a multiple. 个, 次, 种, 项, 条 count nearly anything
_CLASSIFIED = {
    "字": frozenset({"character", "word", "letter"}),
    "页": frozenset({"page"}),
    "张": frozenset({"image", "picture", "photo", "sheet", "card", "ticket", "table"}),
    "行": frozenset({"line", "row"}),
    "篇": frozenset({"article", "paper", "post", "essay"}),
    "本": frozenset({"book", "volume"}),
    "部": frozenset({"film", "movie", "book", "department", "phone"}),
    "层": frozenset({"layer", "floor", "level", "tier"}),
    "倍": frozenset({"time"}),
}


_COUNTED_WORDS = re.compile(r"\bhow many ((?:[a-z]+\s+){0,2}[a-z]+)", re.IGNORECASE)


def counted_words(question: str) -> frozenset[str]:
    """The words after an English "how many" ("how many requests per day" → request, per, day)."""
    match = _COUNTED_WORDS.search(question)
    return frozenset(_singular(word) for word in match.group(1).split()) if match else frozenset()


def _singular(word: str) -> str:
    word = word.lower()
    return word[:-1] if word.endswith("s") and len(word) > 3 else word


def asks_address(question: str) -> bool:
    """Whether the question asks for a URL, an endpoint or a host."""
    return bool(_ADDRESS_QUESTION.search(question))


def states_address(text: str) -> bool:
    return bool(_ADDRESS.search(text))


# "RPD 指的是什么", "What does GPT stand for": the answer spells the acronym out
_DEFINITION_QUESTION = re.compile(
    r"\b(stands? for|short for|abbreviation|acronym|mean|means|meaning)\b|全称|缩写|代表什么|指的是|指什么|什么意思|含义",
    re.IGNORECASE,
)
_ACRONYM = re.compile(r"(?<![A-Za-z])[A-Z]{2,6}(?![A-Za-z])")
# a kind of document ("FAQ 里说…", "the README"): where the answer is, which its passages need not name
DOCUMENT_KINDS = frozenset(["faq", "faqs", "readme", "wiki", "docs"])
# ... and the words naming a document by its subject ("the API FAQ", "the API usage guide", "API 使用指南里")
_NAMED_DOCUMENT = re.compile(
    r"(?<![A-Za-z0-9_'’])((?:[A-Za-z][A-Za-z0-9_.+-]*\s+){1,3})(?:faqs?|readme|wiki|docs|documentation|guide|"
    r"overview|article|tutorial|handbook|manual)(?![A-Za-z0-9_])|"
    r"([A-Za-z][A-Za-z0-9_.+-]*(?:\s+[A-Za-z][A-Za-z0-9_.+-]*)?)\s*[\u4e00-\u9fff]{0,4}?(?:指南|文章|文档|概览|教程|手册)",
    re.IGNORECASE,
)
_LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'-]*")
# a Latin name as technical names are spelled (GPT-5, o1-mini, text-embedding-3-small, node.js, C++)
LATIN_NAME = re.compile(r"[A-Za-z][A-Za-z0-9.+_-]*[A-Za-z0-9+]|[A-Za-z]")


@lru_cache(maxsize=256)  # the question's names and its spelled names both ask
def document_names(question: str) -> frozenset[str]:
    """The Latin words (lower case) a question names a document by ("according to the API FAQ": api):
    where the answer is, not what it is about, so its lines need not name them."""
    found: set[str] = set()
    for match in _NAMED_DOCUMENT.finditer(question):
        found.update(word.lower() for word in LATIN_NAME.findall(match.group(1) or match.group(2) or ""))
    return frozenset(found - ENGLISH_FUNCTION_WORDS)


def asked_acronyms(question: str) -> list[str]:
    """The acronyms a question asks the meaning of."""
    return _ACRONYM.findall(question) if _DEFINITION_QUESTION.search(question) else []


def spells_out(text: str, acronym: str) -> bool:
    """Whether ``text`` has the capitalised words an acronym stands for: "Requests Per Day" for RPD,
    "Generative Pre-trained Transformer" for GPT, "Server-Sent Events" for SSE (a hyphenated word
    counts as one word or as its parts)."""
    size = len(acronym)
    for words in (_LATIN_WORD.findall(text), _LATIN_WORD.findall(text.replace("-", " "))):
        for i in range(len(words) - size + 1):
            run = words[i : i + size]
            if all(word[0].isupper() for word in run) and "".join(word[0] for word in run) == acronym:
                return True
    return False


def unknown_acronyms(
    question: str,
    texts: list[str],
    term_sets: list[frozenset[int]],
    terms_of: Callable[[str], frozenset[int]],
    glosses: Sequence[str] = (),
) -> list[str]:
    """The question's acronyms that none of ``texts`` uses (as it is, or among ``term_sets``, their
    terms with any glosses) or spells out, nor any sense of a gloss of one ("chief technology officer"
    for 首席技术官 spells CTO)."""
    unknown = []
    for acronym in sorted(set(_ACRONYM.findall(question)) - {kind.upper() for kind in DOCUMENT_KINDS}):
        terms = terms_of(acronym)
        if any(acronym.lower() in text.lower() for text in texts) or any(terms & t for t in term_sets if terms):
            continue
        if any(spells_out(text, acronym) for text in texts) or any(_spelled_in(g, acronym) for g in glosses):
            continue
        unknown.append(acronym)
    return unknown


def _spelled_in(gloss: str, acronym: str) -> bool:
    """Whether one sense of ``gloss`` has consecutive words with the acronym's initials."""
    initials = acronym.lower()
    for sense in re.split(r"[;|/,()]", gloss.lower()):
        if initials in "".join(word[0] for word in re.findall(r"[a-z]+", sense)):
            return True
    return False
