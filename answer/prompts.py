"""Prompts for the LLM and the fixed phrases of answers."""

from __future__ import annotations

from core.providers.llm import Message
from core.text import is_chinese
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
MESSAGE_OVERHEAD_TOKENS = 4  # role and separators of one chat message


def language_of(text: str) -> str:
    return "zh" if is_chinese(text) else "en"


CALLER_INSTRUCTIONS = "\n\nThe caller's instructions (the rules above take precedence):\n"
INSTRUCTIONS_MAX_CHARS = 8000


def build_messages(
    question: str, context: ContextPublic, history: list[Message], instructions: str | None = None
) -> list[Message]:
    user = (
        f"Sources:\n{context.context}\n\nQuestion: {question}"
        if context.sources
        else (f"Sources: (none were found)\n\nQuestion: {question}")
    )
    system = (
        SYSTEM_PROMPT + CALLER_INSTRUCTIONS + instructions[:INSTRUCTIONS_MAX_CHARS] if instructions else SYSTEM_PROMPT
    )
    return [{"role": "system", "content": system}, *history, {"role": "user", "content": user}]


def prompt_tokens(messages: list[Message]) -> int:
    """Our count of a prompt's tokens, used when the provider does not report usage."""
    return sum(count_tokens(m["content"]) + MESSAGE_OVERHEAD_TOKENS for m in messages)


def trim_history(history: list[Message], max_tokens: int) -> list[Message]:
    """The most recent turns that fit in ``max_tokens``, kept in order."""
    kept: list[Message] = []
    used = 0
    for message in reversed(history):
        cost = count_tokens(message["content"]) + MESSAGE_OVERHEAD_TOKENS
        if used + cost > max_tokens:
            break
        kept.insert(0, message)
        used += cost
    return kept
