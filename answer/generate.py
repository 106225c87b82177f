"""The LLM's answer as a stream of text, with every token it used accounted for.

Whatever ends the stream — the last token, the output gate, or the client going away (the
consumer closes this generator) — the provider's stream is closed, which stops generation, and the
tokens used so far are added to the turn's spend: the provider's own count when it reported one,
otherwise our count of the prompt and of the text received.
"""

from __future__ import annotations

from collections.abc import Generator

from answer.prompts import prompt_tokens
from answer.turn import Spend
from core.providers.llm import ChatModel, Message, Usage
from core.tokens import count_tokens


def stream_answer(llm: ChatModel, messages: list[Message], spend: Spend) -> Generator[str, None, None]:
    """Text deltas. A provider failure (ProviderError) propagates and charges nothing."""
    stream = llm.stream(messages)
    received = ""
    usage: Usage | None = None
    model = ""
    finished = stopped = False
    try:
        for event in stream:
            model = event.model or model
            if event.done:
                usage, finished = event.usage, True
                break
            received += event.delta
            yield event.delta
    except GeneratorExit:
        stopped = True  # our consumer stopped reading: gate blocked, or the client disconnected
        raise
    finally:
        close = getattr(stream, "close", None)
        if close is not None:
            close()  # stops generation at the provider (closes its HTTP response)
        if finished or stopped:
            spend.model = model or llm.model
            if usage is not None and usage.reported:
                spend.add(usage.prompt_tokens, usage.completion_tokens)
            else:
                spend.add(prompt_tokens(messages), count_tokens(received))
