"""``/v1/chat/completions`` and ``/v1/models`` for any client written for the OpenAI API.

The last user message is the question; earlier messages are the conversation. The answer's checked
citations come in the extra top-level field ``citations`` (and ``knowbase`` with mode, moderation
and the conversation id), also on the final chunk when streaming. A citation with ``attributed``
true was found by the server for a claim the model left uncited. Its ``[n]`` is inserted after the
claim; text already streamed cannot change, so the final chunk's ``knowbase.answer`` holds the
answer with those markers.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Generator, Iterator
from typing import Annotated, Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from answer.turn import ChatEvent
from api.deps import ChatServiceDep, PrincipalDep
from api.routes.chat import CHAT_MESSAGE_MAX_CHARS
from api.streaming import ClosingStreamingResponse
from core.errors import InvalidInput
from core.types import NAME_MAX_CHARS, CollectionName

router = APIRouter(prefix="/v1", tags=["openai-compatible"])
MODEL_ID = "knowbase"
# History messages may hold long earlier answers; the question itself is held to the /v1/chat limit.
MESSAGE_MAX_CHARS = 32_000
MESSAGES_MAX_ITEMS = 100
CONTENT_PARTS_MAX_ITEMS = 32
MessageText = Annotated[str, Field(max_length=MESSAGE_MAX_CHARS)]


class ContentPart(BaseModel):
    type: str = Field(max_length=32)
    text: MessageText | None = None
    model_config = {"extra": "allow"}  # image_url and the like are accepted and ignored


class CompletionMessage(BaseModel):
    role: str = Field(max_length=32)
    content: MessageText | Annotated[list[ContentPart], Field(max_length=CONTENT_PARTS_MAX_ITEMS)] | None = None


class CompletionRequest(BaseModel):
    model: str = Field(MODEL_ID, max_length=NAME_MAX_CHARS)
    messages: list[CompletionMessage] = Field(min_length=1, max_length=MESSAGES_MAX_ITEMS)
    stream: bool = False
    collection: CollectionName | None = None  # knowbase extension
    model_config = {"extra": "allow"}  # temperature, max_tokens, … are accepted and ignored


def _text(content: str | list[ContentPart] | None) -> str:
    if isinstance(content, list):
        return "".join(part.text or "" for part in content if part.type == "text")
    return content or ""


@router.get("/models")
def models(_principal: PrincipalDep) -> dict[str, Any]:
    return {
        "object": "list",
        "data": [{"id": MODEL_ID, "object": "model", "created": 1_700_000_000, "owned_by": "knowbase"}],
    }


@router.post("/chat/completions")
def chat_completions(body: CompletionRequest, service: ChatServiceDep, principal: PrincipalDep):  # type: ignore[no-untyped-def]
    messages = [(m.role, _text(m.content)) for m in body.messages]
    if messages[-1][0] != "user" or not messages[-1][1].strip():
        raise InvalidInput("the last message must be a non-empty user message")
    if len(messages[-1][1]) > CHAT_MESSAGE_MAX_CHARS:
        raise InvalidInput(
            f"the question (the last user message) is longer than {CHAT_MESSAGE_MAX_CHARS} characters",
            details={"max_chars": CHAT_MESSAGE_MAX_CHARS, "chars": len(messages[-1][1])},
        )
    history = [{"role": r, "content": c} for r, c in messages[:-1] if r in ("user", "assistant") and c]
    turn = service.start(principal, messages[-1][1], collection=body.collection, history=history)
    completion_id, created = f"chatcmpl-{uuid.uuid4().hex}", int(time.time())
    if body.stream:
        events = service.events(turn)

        def close() -> None:  # the client may be gone: stop the answer, charge what it used
            events.close()
            service.settle(turn)

        return ClosingStreamingResponse(
            _stream(events, completion_id, created, body.model), on_close=close, media_type="text/event-stream"
        )
    final = service.run(turn).model_dump(mode="json")
    return {
        "id": completion_id,
        "object": "chat.completion",
        "created": created,
        "model": body.model,
        "choices": [
            {"index": 0, "message": {"role": "assistant", "content": final["answer"]}, "finish_reason": "stop"}
        ],
        "usage": {k: final["usage"][k] for k in ("prompt_tokens", "completion_tokens", "total_tokens")},
        "citations": final["citations"],
        "knowbase": _extension(final),
    }


def _extension(final: dict[str, Any]) -> dict[str, Any]:
    return {
        "mode": final["mode"],
        "moderation": final["moderation"],
        "conversation_id": final["conversation_id"],
        "message_id": final["message_id"],
        "dropped_citations": final["dropped_citations"],
        "unsupported_claims": final["unsupported_claims"],
    }


def _stream(events: Iterator[ChatEvent], completion_id: str, created: int, model: str) -> Generator[str, None, None]:
    def chunk(delta: dict[str, Any], finish: str | None = None, **extra: Any) -> str:
        body = {
            "id": completion_id,
            "object": "chat.completion.chunk",
            "created": created,
            "model": model,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
            **extra,
        }
        return f"data: {json.dumps(body, ensure_ascii=False)}\n\n"

    yield chunk({"role": "assistant", "content": ""})
    for event in events:
        if event.type == "delta":
            yield chunk({"content": event.data["text"]})
        elif event.type == "reset":
            # OpenAI streams cannot retract text: say plainly that what follows replaces it.
            yield chunk({"content": f"\n\n[{event.data['reason']}]\n\n"})
        elif event.type == "done":
            final = event.data
            usage = {k: final["usage"][k] for k in ("prompt_tokens", "completion_tokens", "total_tokens")}
            extension = {**_extension(final), "answer": final["answer"]}
            yield chunk({}, "stop", usage=usage, citations=final["citations"], knowbase=extension)
    yield "data: [DONE]\n\n"
