"""A follow-up question rewritten as a standalone search query (by the LLM, or by a heuristic)."""

from __future__ import annotations

import logging

from answer.turn import Spend
from core.errors import ProviderError
from core.providers.llm import ChatModel, Message
from core.tokens import count_tokens

log = logging.getLogger(__name__)

REWRITE_PROMPT = (
    "Rewrite the user's last message as one standalone search query, using the conversation for context. "
    "Keep the user's language. Reply with the query only."
)
SEARCH_QUERY_PROMPT = (
    "Rewrite the user's text as one concise search query for a document search engine: keep names, "
    "numbers and key terms, drop filler words, keep the user's language. Reply with the query only."
)
REWRITE_MAX_TOKENS = 80
TRANSCRIPT_MESSAGES = 6
TRANSCRIPT_CHARS = 500  # of each message
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


class QueryRewriter:
    def __init__(self, llm: ChatModel | None) -> None:
        self.llm = llm

    def standalone(self, message: str, history: list[Message], spend: Spend) -> str:
        """The query to search for; tokens the LLM used are added to ``spend``."""
        questions = [m["content"] for m in history if m["role"] == "user"]
        if not questions:
            return message
        if self.llm is not None:
            transcript = "\n".join(
                f"{m['role']}: {m['content'][:TRANSCRIPT_CHARS]}" for m in history[-TRANSCRIPT_MESSAGES:]
            )
            try:
                rewritten = self.llm.complete(
                    [
                        {"role": "system", "content": REWRITE_PROMPT},
                        {"role": "user", "content": f"{transcript}\nuser: {message}"},
                    ],
                    max_tokens=REWRITE_MAX_TOKENS,
                    temperature=0,
                )
                spend.add(rewritten.usage.prompt_tokens, rewritten.usage.completion_tokens)
                if rewritten.text.strip():
                    return rewritten.text.strip().strip('"')
            except ProviderError as error:
                log.warning("query rewrite failed; using the heuristic", extra={"error": error.message})
        return heuristic_standalone_query(message, questions)

    def search_query(self, text: str, spend: Spend) -> str:
        """OpenAI's ``rewrite_query``: the text as a search query, by the LLM when one is configured
        (unchanged without one, or when the LLM fails: hybrid search takes natural language well)."""
        if self.llm is None:
            return text
        try:
            rewritten = self.llm.complete(
                [{"role": "system", "content": SEARCH_QUERY_PROMPT}, {"role": "user", "content": text}],
                max_tokens=REWRITE_MAX_TOKENS,
                temperature=0,
            )
        except ProviderError as error:
            log.warning("search query rewrite failed; searching the text as given", extra={"error": error.message})
            return text
        spend.add(rewritten.usage.prompt_tokens, rewritten.usage.completion_tokens)
        return rewritten.text.strip().strip('"') or text
