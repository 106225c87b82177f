"""Prompts for the LLM, and the extractive answer used without an LLM (or when it fails)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from core.providers.lexical import LexicalEncoder
from core.text import is_chinese, sentence_spans
from core.tokens import count_tokens
from retrieval.context import ContextPublic

SYSTEM_PROMPT = """You are knowbase, the company's knowledge assistant. Answer using only the numbered sources below.
Rules:
1. Answer in the language of the user's question (Chinese question: answer in Chinese).
2. After every claim, cite the source(s) that support it with their numbers in square brackets, e.g. [1] or [2][3].
3. Use only the sources. If they do not contain the answer, say plainly that the documents do not contain it; do not guess.
4. Be concise and precise; quote numbers and names exactly as the sources give them."""

NO_ANSWER = {
    "en": "I could not find anything about this in the documents you have access to.",
    "zh": "在您有权访问的文档中没有找到与此相关的内容。",
}
EXTRACTIVE_LEAD = {"en": "From the documents:", "zh": "以下内容摘自相关文档："}
_BULLET = re.compile(r"^(?:[-*•·▪◦]|\d{1,2}[.)、])\s+")
MIN_OVERLAP = 0.25  # share of the question's terms a sentence must contain to be quoted
MAX_SENTENCES = 3


def language_of(text: str) -> str:
    return "zh" if is_chinese(text) else "en"


def build_messages(question: str, context: ContextPublic, history: list[dict[str, str]]) -> list[dict[str, str]]:
    user = (
        f"Sources:\n{context.context}\n\nQuestion: {question}"
        if context.sources
        else (f"Sources: (none were found)\n\nQuestion: {question}")
    )
    return [{"role": "system", "content": SYSTEM_PROMPT}, *history, {"role": "user", "content": user}]


def trim_history(history: list[dict[str, str]], max_tokens: int) -> list[dict[str, str]]:
    """The most recent turns that fit in ``max_tokens``, kept in order."""
    kept: list[dict[str, str]] = []
    used = 0
    for message in reversed(history):
        cost = count_tokens(message["content"]) + 4
        if used + cost > max_tokens:
            break
        kept.insert(0, message)
        used += cost
    return kept


@dataclass
class Extract:
    text: str
    answered: bool


class ExtractiveAnswerer:
    """The best-matching sentences of the retrieved sources, each with its ``[n]``."""

    def __init__(self, lexical: LexicalEncoder) -> None:
        self.lexical = lexical

    def answer(self, question: str, context: ContextPublic) -> Extract:
        language = language_of(question)
        terms = set(self.lexical.encode_query(question).indices)
        scored: list[tuple[float, int, int, str]] = []
        for rank, source in enumerate(context.sources):
            for a, b in sentence_spans(source.text):
                sentence = _BULLET.sub("", source.text[a:b].strip())
                if len(sentence) < 6 or not terms:
                    continue
                overlap = len(terms & set(self.lexical.encode_query(sentence).indices)) / len(terms)
                if overlap >= MIN_OVERLAP:
                    scored.append((overlap + 0.05 / (rank + 1), source.n, a, sentence))
        if not scored:
            return Extract(NO_ANSWER[language], answered=False)
        chosen: list[tuple[float, int, int, str]] = []
        per_source: dict[int, int] = {}
        for item in sorted(scored, key=lambda s: -s[0]):
            if per_source.get(item[1], 0) >= 2 or any(item[3] == c[3] for c in chosen):
                continue
            chosen.append(item)
            per_source[item[1]] = per_source.get(item[1], 0) + 1
            if len(chosen) == MAX_SENTENCES:
                break
        lines = [f"- {sentence} [{n}]" for _, n, _, sentence in chosen]
        return Extract(EXTRACTIVE_LEAD[language] + "\n" + "\n".join(lines), answered=True)


REWRITE_PROMPT = (
    "Rewrite the user's last message as one standalone search query, using the conversation for context. "
    "Keep the user's language. Reply with the query only."
)
_REFERRING = (
    "它",
    "这个",
    "那个",
    "这些",
    "那些",
    "他们",
    "她们",
    "其",
    "该",
    "上述",
    "前面",
    "呢",
    " it",
    " this",
    " that",
    " they",
    " them",
    " those",
    " these",
    " its",
    " their",
    "what about",
    "and ",
)


def heuristic_standalone_query(message: str, previous_questions: list[str]) -> str:
    """Without an LLM: a follow-up that is short or refers back ("它呢？", "what about its price?")
    is searched together with the previous question, so its subject is not lost."""
    if not previous_questions:
        return message
    lowered = " " + message.lower()
    short = count_tokens(message) <= 8
    if short or any(word in lowered for word in _REFERRING):
        return f"{previous_questions[-1]} {message}"
    return message
