"""Code as an answer. Code never answers by itself (``answer.quotable.can_answer``); some questions ask
what only code states, and get the one statement stating it, verbatim: which library (the import
statement), which model (the call naming it), a setting the question names (the statement setting
it), how long or how many in an example (the call passing the number), which attribute does what a
comment says (the comment with its statement)."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from answer.kinds import IMPORTS, asks_about_code, asks_identifier, asks_library
from answer.quotable import STATEMENT_START, Sections, can_answer
from answer.sentences import Sentence

if TYPE_CHECKING:
    from answer.factors import Asked


@dataclass(frozen=True)
class CodeQuestion:
    """What a question asks of code, read once per question."""

    library: bool  # which library: the import statement
    model: bool  # which model: the call naming it
    settings: tuple[str, ...]  # the identifiers it names that code, not prose, answers for
    numbers: bool  # how long / how many an example passes
    attribute: bool  # which attribute, field or parameter: a comment with its statement
    sections: Sections  # which model: the heading of an example says what it is for

    @classmethod
    def of(cls, asked: Asked, sentences: list[Sentence]) -> CodeQuestion:
        question, kind = asked.question, asked.kind
        library = kind == "name" and asks_library(question)
        about_code = asks_about_code(question)
        # a setting the question names is answered by the code setting it when no prose names it, or
        # when the question asks about the code: prose says what values it takes ("推理控制参数:
        # reasoning_effort(minimal/low/medium/high)"), an example passes one
        settings = tuple(
            name
            for name in question_identifiers(question)
            if about_code or not any(name in s.text and can_answer(s.text) for s in sentences)
        )
        return cls(
            library=library,
            model=asked.model and not library,
            settings=settings,
            # a number an example passes answers how long or how many, not what it costs (an image
            # call's "n=1" is no price)
            numbers=kind == "quantity" and asked.amount != "money" and about_code,
            attribute=asks_identifier(question),
            sections=asked.sections,
        )


def code_answer(sentence: Sentence, asked: CodeQuestion) -> tuple[Sentence, str] | None:
    """The statement of a line of code that answers what the question asks of code, and what it says
    in words, for the term match and the sentence models (code reads as nothing like a question)."""
    found = import_statement(sentence) if asked.library else None
    if found is not None:
        # which library: the names it imports say what for ("from tenacity import retry, wait_exponential")
        return found, f"{found.about}: {code_words(found.text)}"
    # which model: the call naming it says what for ("client.audio.transcriptions.create(")
    found = model_call(sentence) if asked.model else None
    if found is not None:
        # the heading of its example says what for ("🧩 函数调用(Function Calling)"), and what about
        found = replace(found, about=f"{found.about} {asked.sections.of(sentence)}".strip())
        return found, f"{found.about} {code_words(found.text)}".strip()
    found = named_setting(sentence, list(asked.settings)) if asked.settings else None
    if found is not None:
        return found, code_words(found.text)
    found = number_call(sentence) if asked.numbers and not can_answer(sentence.text) else None
    if found is not None:
        # the code leading to the call says what the number is for ("def set_cache_response(…):")
        return found, code_words(f"{found.lead_in} {found.text}")
    return None


def with_statement(comment: Sentence, line: Sentence) -> Sentence:
    """A comment of ``line`` (``prose_tail``) quoted with the statement it annotates ('openai.organization
    = "org-…" # 可选,用于多团队计费'): which attribute, field or parameter does what the comment says."""
    end = comment.start - line.start
    start = line.text.rfind(comment.annotates, 0, end) if comment.annotates else -1
    if start < 0:
        return comment
    text = line.text[start : comment.end - line.start]
    return replace(comment, text=text, start=line.start + start)


def import_statement(sentence: Sentence) -> Sentence | None:
    """The import statements opening a line of code, which name the libraries it uses ("from tenacity
    import retry, stop_after_attempt, wait_exponential"); None when it opens with none."""
    lead = len(sentence.text) - len(sentence.text.lstrip())
    found = IMPORTS.match(sentence.text, lead)
    if found is None:
        return None
    text = found.group().rstrip()
    start = sentence.start + lead
    # what it is about, for what the question names ("Which Python library …")
    return replace(sentence, text=text, start=start, end=start + len(text), alone=True, about="Python library")


# a model named in code, and the calls whose arguments it may be among ("client.audio.transcriptions.create(")
_MODEL_ARGUMENT = re.compile(r"(?<![\w.])model\s*=\s*[\"']([^\"'\s]{2,60})[\"']")
_CALL_START = re.compile(r"(?<![\w.])(?:[A-Za-z_][\w.]*\s*=\s*)?[A-Za-z_][\w.]*\(")


def model_call(sentence: Sentence) -> Sentence | None:
    """The call in a line of code that names a model (``transcription = client.audio.transcriptions.create(
    model="whisper-1", file=audio_file )``): which model an example uses for what; None when none does
    or the call is longer than a quote may be."""
    argument = _MODEL_ARGUMENT.search(sentence.text)
    return None if argument is None else _quoted(sentence, _enclosing_call(sentence.text, argument.start()))


# a question's identifiers: dotted or snake_case ("openai.organization", "completion_window")
# (parts of two characters at least: "e.g." is none)
_QUESTION_IDENTIFIER = re.compile(r"(?<![\w.])[A-Za-z_]\w+(?:\.[A-Za-z_]\w+)+|(?<![\w.])[A-Za-z]\w*_\w+")
_COMMENT = re.compile(r"\s*(?:#|//)\s")
_VALUE = re.compile(r"\s*(?:\"[^\"]*\"|'[^']*'|[^\s,)]+)")


def question_identifiers(question: str) -> list[str]:
    """The identifiers a question names ("completion_window", "openai.organization")."""
    return _QUESTION_IDENTIFIER.findall(question)


def named_setting(sentence: Sentence, identifiers: list[str]) -> Sentence | None:
    """The statement of a line of code setting one of ``identifiers`` ("completion_window" →
    'client.batches.create( input_file_id=file.id, …, completion_window="24h" )', the call it is an
    argument of; "openai.api_key" → 'openai.api_key = "YOUR_API_KEY"'); None when it sets none."""
    for identifier in identifiers:
        setting = re.search(rf"(?<![\w.]){re.escape(identifier)}\s*=(?!=)", sentence.text)
        if setting is None:
            continue
        call = _enclosing_call(sentence.text, setting.start())
        if call is None:  # an assignment of its own: up to the end of its value, and its comment
            value = _VALUE.match(sentence.text, setting.end())
            end = value.end() if value else setting.end()
            comment = _COMMENT.match(sentence.text, end)
            if comment is not None:
                following = STATEMENT_START.search(sentence.text, comment.end())
                end = following.start() if following else len(sentence.text)
            call = (setting.start(), len(sentence.text[:end].rstrip()))
        return _quoted(sentence, call)
    return None


# a number passed to a call, positionally or by keyword ("r.setex(key, 3600, response)", "timeout=30")
_NUMBER_ARGUMENT = re.compile(r"(?<=[(,])\s*(?:[A-Za-z_]\w*\s*=\s*)?(\d+(?:\.\d+)?)\s*(?=[,)])")


def number_call(sentence: Sentence) -> Sentence | None:
    """The innermost call of a line of code that passes a number ("r.setex(key, 3600, response)"): how
    long, how many, how much an example sets; None when no call does."""
    for argument in _NUMBER_ARGUMENT.finditer(sentence.text):
        quoted = _quoted(sentence, _enclosing_call(sentence.text, argument.start(1), innermost=True))
        if quoted is not None:
            return quoted
    return None


def _enclosing_call(text: str, position: int, innermost: bool = False) -> tuple[int, int] | None:
    """The outermost (``innermost``: innermost) call whose bracket is still open at ``position``: the
    statement that makes it."""
    found = None
    for call in _CALL_START.finditer(text, 0, position):
        end = _closing_bracket(text, call.end() - 1)
        if end > position:
            found = (call.start(), end)
            if not innermost:
                break
    return found


def _quoted(sentence: Sentence, span: tuple[int, int] | None) -> Sentence | None:
    """The code between ``span`` as a quote of its own; None without one or when it is longer than a quote may be."""
    if span is None or span[1] - span[0] > MAX_CODE_QUOTE_CHARS:
        return None
    start, end = span
    text = sentence.text[start:end]
    return replace(sentence, text=text, start=sentence.start + start, end=sentence.start + end, alone=True)


MAX_CODE_QUOTE_CHARS = 200


def _closing_bracket(text: str, opening: int) -> int:
    """Where the bracket opened at ``opening`` closes, just after it (the end of ``text`` when it never does)."""
    depth = 0
    for i in range(opening, len(text)):
        depth += {"(": 1, ")": -1}.get(text[i], 0)
        if depth == 0:
            return i + 1
    return len(text)


_IDENTIFIER_PARTS = re.compile(r"[_.]+")


def code_words(code: str) -> str:
    """Code's identifiers as words ("wait_exponential" → "wait exponential"): what they say."""
    return _IDENTIFIER_PARTS.sub(" ", code)
