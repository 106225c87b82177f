"""What may be quoted as an answer: not a heading, a label, a question, a lead-in, markup or code;
prose run into a line of code is, from where the prose starts (what code itself answers is
``answer.code``'s)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace

from answer.asked import states_address
from answer.facts import numbers_in
from answer.kinds import DATE
from answer.sentences import Sentence
from core.text import has_chinese

# What never answers a question, however close it is: a heading, a bold label, a question (an FAQ's
# "Q4: …?"), a lead-in ending in a colon, HTML markup, a line of code.
_HEADING = re.compile(r"^\s*(#{1,6}\s|\*\*[^*]+\*\*\s*[:：]?\s*$)")
_HTML_TAG = re.compile(r"<[A-Za-z/][^>]*>")
_CODE_START = re.compile(
    r"^\s*(import|from \S+ import|const|let|var|def|class \w+[:(]|async |await |function\b|return\b|raise\b|try:|"
    r"except\b|print\(|curl|[{}\]]|\w+\s*=\s*\S+\(|[A-Za-z_][A-Za-z0-9_.]*\(.*\)\s*$)"
)
_CODE_CHARS = frozenset("{};=<>`")  # not brackets: prose has "(15 kg)" and "(Lublin)"
# f(x): prose puts a space or a CJK character before "(", or a CJK aside inside it ("agent(并计划…)")
_CALL = re.compile(r"[A-Za-z0-9_]\((?![\u4e00-\u9fff])")
_KEYWORD_ARGUMENT = re.compile(r"\b[A-Za-z_]\w*=[\w\"']")  # file=audio_file, model="gpt-4o"
# JavaScript run into one line ("for await (const chunk of stream) { … chunk.choices[0]?.delta?.content || '';",
# "'gpt-4o', // 使用GPT-4o模型 messages: messages, stream: true, });"): declarations, optional chaining,
# arrows, logical operators, a line comment after code, a statement closing its call
# ("let us" is English: let and var only with an assignment)
_SCRIPT_CODE = re.compile(
    r"\bconst\s+[\w{\[]|\b(?:let|var)\s+[\w{}\[\], ]+\s*=[^=]|\?\.\w|=>|\|\||&&|\S\s*(?<![:/])//\s|\}\s*\)\s*;"
)
LEAD_IN_MAX_CHARS = 60  # a line ending in a colon that is longer states something itself


def _is_lead_in(stripped: str) -> bool:
    """A short line ending in a colon: it introduces what follows."""
    return stripped.endswith((":", "：")) and len(stripped) < LEAD_IN_MAX_CHARS


def can_answer(text: str) -> bool:
    """False for text that states nothing: a heading, a label, a question, a lead-in, markup or code."""
    stripped = text.strip()
    if _HEADING.match(stripped) or stripped.endswith(("?", "？")) or _HTML_TAG.search(stripped):
        return False
    if _is_lead_in(stripped) and not DATE.search(stripped):
        return False
    if _CODE_START.match(stripped):
        return False
    if len(_CALL.findall(stripped)) + len(_KEYWORD_ARGUMENT.findall(stripped)) >= 2:
        return False
    if _SCRIPT_CODE.search(stripped):
        return False
    code = sum(ch in _CODE_CHARS for ch in stripped)
    return code < 3 or code / len(stripped) < 0.04


_VERSIONED_NAME = re.compile(r"[A-Za-z]+-?\d[\w.-]*")  # "GPT-4o", "v1": a name, not a count


# what a lead-in counts: the word after its number ("五个功能区" -> 功能, "3 tiers" -> tier)
_COUNTED = re.compile(
    r"(?:\d+|[一二两三四五六七八九十]+)\s*(?:个|种|类|项|条|步|大)?\s*(?:主要)?\s*"
    r"(?:([\u4e00-\u9fff]{2})|([A-Za-z]+?)s?\b)"
)


def announces_count(text: str, question: str) -> bool:
    """Whether ``text`` is a lead-in saying how many of what the question counts follow ("可以看到主要
    有五个功能区：" for "一共分成几个主要功能区"): it answers that question, though as a lead-in it answers
    nothing else (and five areas are no answer to how many data centres)."""
    stripped = text.strip()
    if not _is_lead_in(stripped):
        return False
    counted = _COUNTED.search(_VERSIONED_NAME.sub("", stripped))
    return counted is not None and (counted.group(1) or counted.group(2)).lower() in question.lower()


# where prose may start after code run into one line with it: a clause end, a comment mark, a
# space before Chinese text ('print(content) 前端集成建议:使用SSE…', 'org="…" # 可选,用于多团队计费')
_PROSE_START = re.compile(r"[，,；;：:。]\s*|#\s+|//\s+|\s+(?=[\u4e00-\u9fff])")
_PROSE_MIN_CHARS = 8


def prose_tail(sentence: Sentence) -> Sentence | None:
    """The longest end of a sentence that is prose when the whole is not (code and the sentence
    explaining it, run into one line); None when no such end states anything."""
    for match in _PROSE_START.finditer(sentence.text):
        if not sentence.text[: match.start()].strip():
            continue  # nothing before it: a comment or heading line of its own ("# GPT-5快速响应示例")
        tail = sentence.text[match.end() :].strip()
        if len(tail) < _PROSE_MIN_CHARS or not can_answer(tail) or _KEYWORD_ARGUMENT.search(tail):
            continue  # still code: a comment's words run into the next argument ("中等详细程度 max_tokens=2000 )")
        if STATEMENT_START.search(tail) or tail.count(")") > tail.count("("):
            continue  # still code: the rest of a call and the next assignment ('3600, response) prompt = "…?"')
        if has_chinese(tail) or len(tail.split()) >= 4:
            start = sentence.start + sentence.text.index(tail, match.end())
            # a comment (not prose run into the code) is about the statement it follows
            comment = match.group().startswith(("#", "//"))
            annotated = _statement_before(sentence.text[: match.start()]) if comment else ""
            # the tail stood on a line of its own after the code ("…print(x) 4.2 文字转语音(TTS)")
            return replace(sentence, text=tail, start=start, end=start + len(tail), alone=True, annotates=annotated)
    return None


# where a statement starts: an assignment or a keyword argument ("openai.organization =", "model=")
STATEMENT_START = re.compile(r"(?<![\w.])[A-Za-z_][\w.]*\s*=(?!=)")
_STATEMENT_CHARS = 80


def _statement_before(code: str) -> str:
    """The statement a comment follows: from the last assignment in ``code`` (its lines may have run
    into one), else its last characters: what the comment says something about."""
    starts = [m.start() for m in STATEMENT_START.finditer(code)]
    statement = code[starts[-1] :] if starts else code
    return statement.strip()[-_STATEMENT_CHARS:]


_NUMBERING = re.compile(
    r"^\s*(?:#{1,6}\s*)?(?:\d{1,3}(?:\.\d{1,3})*[.)、]?|[一二三四五六七八九十]{1,3}、|[（(]\d{1,3}[)）])\s*"
)


def _bare(text: str) -> str:
    return _NUMBERING.sub("", text).strip(" *#:：").lower()


_SENTENCE_MARKS = re.compile(r"[。！？.!?；;，,：:、]")
HEADING_CHARS = 40


def is_heading(sentence: Sentence) -> bool:
    """Whether the sentence is a heading: one of its chunk's headings, or a short line of its own that
    states no number and has no sentence punctuation ("五、模型选择与配置", "4.1 语音转文字(Whisper)",
    "🧭 API vs 微调模型"): plain text files keep their headings as text."""
    bare = _bare(sentence.text)
    if not bare or any(bare == _bare(part) for part in sentence.source.heading.split(" > ")):
        return True
    # an emoji opens a heading in chat-style articles, even when a line break before it was lost
    return (
        (sentence.alone or unicodedata.category(sentence.text.lstrip()[:1] or " ") == "So")
        and len(bare) <= HEADING_CHARS
        and not _SENTENCE_MARKS.search(bare)
        and not PLAIN_NUMBER.search(bare)
        and not numbers_in(_VERSIONED_NAME.sub("", bare))
        and not states_address(bare)  # "EndpointPOST /v1/audio/transcriptions" states where, under its heading
    )


PLAIN_NUMBER = re.compile(r"(?<![A-Za-z0-9_.-])\d+(?:\.\d+)?(?![A-Za-z0-9])")


class Sections:
    """The heading lines of each source among ``sentences`` (``is_heading``), in document order: the
    heading a line is under says what it is about ("EndpointPOST /v1/audio/transcriptions" under
    "4.1 语音转文字(Whisper)", a model call under "🧩 函数调用(Function Calling)")."""

    def __init__(self, sentences: list[Sentence]) -> None:
        self._sentences = sentences
        self._headings: dict[int, list[tuple[int, str]]] | None = None  # read on first use

    def _by_source(self) -> dict[int, list[tuple[int, str]]]:
        if self._headings is None:
            self._headings = {}
            for sentence in self._sentences:
                if is_heading(sentence):
                    self._headings.setdefault(sentence.n, []).append((sentence.start, sentence.text))
            for lines in self._headings.values():
                lines.sort()
        return self._headings

    def of(self, sentence: Sentence) -> str:
        """The last heading line before ``sentence`` in its source's text ("" when none is)."""
        found = ""
        for start, text in self._by_source().get(sentence.n, []):
            if start >= sentence.start:
                break
            found = text
        return found
