"""What a question's type asks for (a date, a quantity, an address, a name) and whether a text
carries it: "员工每年有多少天年假" wants a number, "When was it released" a date, "谁负责审批" a name."""

from __future__ import annotations

import re
from functools import lru_cache

from answer.asked import asks_address, states_address
from answer.facts import numbers_in
from core.providers.pii_mask import MASK
from core.providers.pii_names import people_and_organisations
from core.text import is_chinese

_DATE_ZH = re.compile(r"何时|什么时候|哪一年|哪年|哪一天|哪天|几月|几号|日期|哪个月")
# "when" asks for a date at the start of a question, not in "... when the Broncos scored?"
_DATE_EN = re.compile(
    r"^\W*when\b|\b(what|which|in which|in what) (year|month|day|century|decade)\b|\bwhat time\b|"
    r"\bdates?\b",  # anywhere: "the training data cutoff date"
    re.I,
)
_QUANTITY_ZH = re.compile(
    r"多少|(?<!哪)几|至少|最多|最少|上限|下限|多大|多长|多久|多高|多远|多重|多快|价格|费用|收费|比例|百分之|"
    r"长度|大小(?!写)|容量|时长|得分|分数|准确率|正确率"
)
_QUANTITY_EN = re.compile(
    r"\b(how (many|much|long|old|big|large|often|far|fast|high|tall|heavy|wide|deep|accurate)|what (percentage|percent|"
    r"proportion|share|number|amount|price|size|fraction|score|accuracy)|price|cost|fee|maximum|minimum|at (least|most)|"
    r"length|size|capacity|duration)\b",
    re.I,
)
_NAME_NUMBER = re.compile(r"[A-Za-z]+[-_]?\d[\w.-]*")
# counted things in Chinese: 两次, 数百名, 半年, 三成, 一天; not "一个"/"一种" alone, which is mostly "a"
# ("是一个RESTful接口" states no count)
_COUNT_ZH = re.compile(
    r"(?!一[个种位名项家条只台件所张层部本]|一次性)"  # (一次性: all at once, not a count)
    r"[一两二三四五六七八九十百千万亿数几半多]+[个次位名种项座家条只台件所张层倍成年月天周岁元人部本]"
)
# what tool, library or technology: answered by its name ("用什么工具" by "Prometheus + Grafana")
_NAME_ZH = re.compile(r"谁|哪|什么名字|叫什么|哪个|哪家|什么(?:模型|工具|库|框架|数据库|技术|软件|产品|SDK)")
_NAME_EN = re.compile(
    r"\b(who|whom|whose|which|what (is the )?name|what (?:(?:kind|sort|type) of )?(?!(?:is|are|was|were|does|do|did|"
    r"can|should|will|would)\b)(?:\w+ )?(?:tools?|librar(?:y|ies)|frameworks?|databases?|technolog(?:y|ies)|"
    r"software|products?|SDKs?))\b",
    re.I,
)
DATE = re.compile(
    r"\d{4}\s*年|\d{1,2}\s*[月日号]|[一二三四五六七八九十〇零]{1,4}\s*[年月]|\d{4}-\d{2}|\b(1[0-9]|20)\d{2}s?\b|"
    r"\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\b|\b(century|centuries|decades?|BC|AD|era|period|dynasty|reign|empire|ages?)\b|\d{1,2}:\d{2}|"
    r"\d{1,2}\s*[时点]|世纪|年代|年间|时代|时期|朝|[春夏秋冬]季|[春秋]天|节",
    re.I,
)
# numbers written as words ("seven", "a dozen"): SQuAD's how-many answers are often spelled out
_NUMBER_WORD = re.compile(
    r"\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|"
    r"seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundreds?|thousands?|"
    r"millions?|billions?|dozens?|half|double|twice|once|several|single|none|zero|no)\b",
    re.I,
)
# (a Latin name may be run into Chinese words: "使用LangChain构建", "结合Pinecone/Weaviate")
_NAME = re.compile(r"(?<![.!?]\s)(?<![A-Za-z0-9_])[A-Z][A-Za-z0-9_-]+|[A-Za-z]+-?\d[\w.-]*|《[^》]+》")


_CLAUSE = re.compile(r"[，,；;。？?！!]")

# A question asking which library, package or module code uses (库 not as in 数据库, 知识库, 向量库)
_LIBRARY = re.compile(
    r"\b(?:librar(?:y|ies)|packages?|modules?|dependenc(?:y|ies))\b|(?<!数据)(?<!知识)(?<!向量)(?<!代码)(?<!资料)库|模块|依赖包",
    re.I,
)
# a question asking which model ("Which model name should I pass…", "示例里用的是哪个模型")
_MODEL = re.compile(
    r"\b(?:which|what)\s+(?:[\w-]+\s+){0,2}?models?\b|\bmodel(?:'s)?\s+name\b|(?:哪个|哪一个|哪款|哪种|什么)模型|模型名",
    re.I,
)
# Python import statements at the start of a line of code, run together as code lines are
# ("from tenacity import retry, wait_exponential", "import asyncio import aiohttp")
_IDENTIFIER = r"[A-Za-z_][\w.]*(?:\s+as\s+\w+)?"
_IMPORT = rf"(?:from\s+([A-Za-z_]\w*)[\w.]*\s+)?import\s+({_IDENTIFIER}(?:\s*,\s*{_IDENTIFIER})*)"
IMPORTS = re.compile(rf"(?:{_IMPORT}\s*)+")
_ONE_IMPORT = re.compile(_IMPORT)


# a question asking who: a person or an organisation answers it ("What … restriction can we put on who is
# allowed to use our keys" asks no one: "who" opens an English question, or follows "by")
_PERSON_EN = re.compile(r"^\W*(?:who|whom|whose)\b|\bby whom\b", re.I)
_PERSON_ZH = re.compile(r"(?<!无论)(?<!不管)谁(?![都也])")
# a person's or organisation's Latin name: capitalised, not all capitals ("API", "URL" name no one)
_PROPER = re.compile(r"(?<![A-Za-z0-9_])[A-Z][a-z][A-Za-z]*")


# a question asking which attribute, field or parameter code sets ("Python 示例里是通过哪个属性来填组织 ID 的")
_IDENTIFIER_QUESTION = re.compile(
    r"属性|字段|参数|变量|\b(?:attributes?|fields?|parameters?|params?|propert(?:y|ies)|variables?|arguments?)\b", re.I
)


def asks_identifier(question: str) -> bool:
    return bool(_IDENTIFIER_QUESTION.search(question))


# a question about an example's code ("Redis 缓存示例里…多久过期", "In the Redis caching example, how long…")
_CODE_QUESTION = re.compile(r"示例|例子|样例|代码|\b(?:examples?|samples?|snippets?|code)\b", re.I)


def asks_about_code(question: str) -> bool:
    return bool(_CODE_QUESTION.search(question))


def names_in(text: str) -> frozenset[str]:
    """The names ``text`` states (capitalised or versioned Latin words, 《titles》), lower-cased."""
    return frozenset(name.lower() for name in _NAME.findall(text))


def asks_library(question: str) -> bool:
    return bool(_LIBRARY.search(question))


@lru_cache(maxsize=256)  # carries() asks it for every candidate of a name question
def asks_model(question: str) -> bool:
    return bool(_MODEL.search(question))


# which variant of a name it gives ("Which GPT-5 API variant is the cheapest?", "GPT-5 哪个版本最快")
_VARIANT = re.compile(
    r"\b(?:which|what)\s+(?:[\w.-]+\s+){0,3}?(?:variants?|versions?|editions?)\b|(?:哪个|哪一个|哪款|哪种|什么)(?:版本|型号)",
    re.I,
)


def asks_variant(question: str) -> bool:
    return bool(_VARIANT.search(question))


def imported_modules(text: str) -> list[str]:
    """The top-level modules the import statements opening ``text`` import (from X import y: X)."""
    statements = IMPORTS.match(text.strip())
    if statements is None:
        return []
    modules: list[str] = []
    for statement in _ONE_IMPORT.finditer(statements.group()):
        origin, names = statement.groups()
        modules += [origin] if origin else [name.split()[0].split(".")[0] for name in names.split(",")]
    return modules


def question_type(question: str) -> str:
    """``date`` (when), ``quantity`` (numbers, amounts), ``address`` (URL, endpoint), ``person`` (who),
    ``name`` (which) or ``other``. A Chinese question asks in its last clause that has a question word: "想知道每分钟能调用
    多少次，应该去哪个页面看" wants a page, not a number."""
    if is_chinese(question):
        clauses = [clause for clause in _CLAUSE.split(question) if clause.strip()]
        for clause in reversed(clauses[1:]):
            kind = _clause_type(clause)
            if kind != "other":
                return kind
    condition = _CONDITION_FIRST.match(question)
    if condition:  # "When I create a Batch job, what value do I set?" asks what, not when
        return _clause_type(question[condition.end() :])
    return _clause_type(question)


# an English question opening with a condition, its own question after the comma
_CONDITION_FIRST = re.compile(
    r"^\W*(?:when|if|once|after|before|while)\s+(?!(?:is|was|are|were|do|does|did|will|would|can|could|should|"
    r"has|have|had)\b)[^,?]*,\s*(?=(?:what|which|how|who|whom|whose|where|when|why)\b)",
    re.I,
)


def _clause_type(question: str) -> str:
    if _QUANTITY_EN.search(question):  # "how old was he when ...": a quantity
        return "quantity"
    if _DATE_ZH.search(question) or _DATE_EN.search(question):
        return "date"
    if _QUANTITY_ZH.search(question):
        return "quantity"
    if asks_address(question):  # "which endpoint": an address rather than a name
        return "address"
    if _PERSON_ZH.search(question) or _PERSON_EN.search(question):
        return "person"
    # ("What's the model name to use for…" asks a name too)
    if _NAME_ZH.search(question) or _NAME_EN.search(question) or asks_model(question):
        return "name"
    return "other"


# a heading's or list item's number ("2. ", "3.1 ", "四、", "(2)"), not a leading amount ("3.5 美元")
_LIST_NUMBER = re.compile(
    r"^\s*(?:#{1,6}\s*)?(?:\d{1,3}[.)、]\s*(?!\d)|\d{1,2}(?:\.\d{1,2})+\s+(?![\d%]|美元|元|万|亿|倍|秒|分钟|小时|天|个|次|"
    r"tokens?\b|[KMG]B?\b|dollars?\b|USD\b)|[一二三四五六七八九十]{1,3}、|[（(]\d{1,3}[)）])"
)


@lru_cache(maxsize=256)
def _own_numbers(question: str) -> frozenset[float]:
    """The values a question names outside its names: asked once per candidate and clause, read once."""
    return frozenset(numbers_in(_NAME_NUMBER.sub("", question)))


def carries(kind: str, text: str, question: str = "") -> bool:
    """Whether ``text`` states what a question of ``kind`` asks for (for a name: one the ``question``
    does not already say, "Who is OpenAI's CTO?" is not answered by a sentence naming only OpenAI)."""
    text = _LIST_NUMBER.sub("", text)  # "3.1 请求流程", "2. 费用": a heading's or list item's number
    if kind == "date":
        return bool(DATE.search(text))
    if kind == "quantity":
        text = _NAME_NUMBER.sub("", text)  # whisper-1, GPT-4o: a name, not a quantity
        masked = MASK * 3 in text  # a phone or ID number masked as PII is still the number asked for
        # the question's own numbers ("a 401 error", "Super Bowl 50") are what it is about, not its answer
        stated = numbers_in(text) - _own_numbers(question)
        return bool(masked or stated or _NUMBER_WORD.search(text) or _COUNT_ZH.search(text))
    if kind == "address":
        return states_address(text)
    asked = question.lower()
    if kind == "person":
        # (LAC, a model run, only when no Latin name answers)
        return any(name.lower() not in asked for name in _PROPER.findall(text)) or any(
            name.lower() not in asked for name in people_and_organisations(text)
        )
    if kind == "name" and asks_model(question):
        # a model is named with its version ("gpt-3.5-turbo-0613", "whisper-1"): "函数调用(Function
        # Calling)" names a feature, not the model its example uses
        return any(name.lower() not in asked for name in _NAME_NUMBER.findall(text))
    if kind == "name":
        # an import statement names the library it imports from, lower-case as modules are ("tenacity")
        return any(name.lower() not in asked for name in _NAME.findall(text) + imported_modules(text))
    return True
