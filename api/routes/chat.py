"""Chat, conversations, feedback, moderation and usage endpoints."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from typing import Literal

from fastapi import APIRouter, Query, Response
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field

from api.chat.service import ChatEvent, ChatResult
from api.deps import PrincipalDep, RuntimeDep
from core.errors import InvalidInput, PayloadTooLarge, PermissionDenied
from core.metadata import conversations, usage
from core.metadata.conversations import ConversationDetail, ConversationPublic, MessagePublic
from core.providers.moderation_classifier import MAX_CHARS, OPENAI_CATEGORIES

router = APIRouter(prefix="/v1", tags=["chat"])


class ChatRequest(BaseModel):
    message: str = Field(min_length=1, max_length=8000)
    conversation_id: str | None = None
    collection: str | None = None
    stream: bool = False


def sse(events: Iterator[ChatEvent]) -> Iterator[str]:
    for event in events:
        yield f"event: {event.type}\ndata: {json.dumps(event.data, ensure_ascii=False)}\n\n"


@router.post(
    "/chat",
    summary="Ask a question; answers cite their sources. With stream=true: SSE events delta, reset, citations, done",
    responses={200: {"content": {"text/event-stream": {}}}},
)
def chat(body: ChatRequest, runtime: RuntimeDep, principal: PrincipalDep) -> ChatResult:
    service = runtime.chat
    turn = service.start(principal, body.message, conversation_id=body.conversation_id, collection=body.collection)
    if body.stream:
        return StreamingResponse(  # type: ignore[return-value]
            sse(service.events(turn)),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        )
    final = {}
    for event in service.events(turn):
        if event.type == "done":
            final = event.data
    return ChatResult.model_validate(final)


@router.get("/conversations")
def list_conversations(
    runtime: RuntimeDep, principal: PrincipalDep, limit: int = Query(50, ge=1, le=500), offset: int = Query(0, ge=0)
) -> list[ConversationPublic]:
    with runtime.db.session() as session:
        return conversations.list_conversations(session=session, user_id=principal.user_id, limit=limit, offset=offset)


@router.get("/conversations/{conversation_id}")
def get_conversation(conversation_id: str, runtime: RuntimeDep, principal: PrincipalDep) -> ConversationDetail:
    with runtime.db.session() as session:
        return conversations.get_conversation(
            session=session, user_id=principal.user_id, conversation_id=conversation_id
        )


@router.delete("/conversations/{conversation_id}", status_code=204)
def delete_conversation(conversation_id: str, runtime: RuntimeDep, principal: PrincipalDep) -> Response:
    with runtime.db.session() as session:
        conversations.delete_conversation(session=session, user_id=principal.user_id, conversation_id=conversation_id)
    return Response(status_code=204)


class FeedbackRequest(BaseModel):
    value: Literal[-1, 0, 1]


@router.post("/messages/{message_id}/feedback", summary="Thumbs up (1), down (-1) or clear (0)")
def feedback(message_id: str, body: FeedbackRequest, runtime: RuntimeDep, principal: PrincipalDep) -> MessagePublic:
    with runtime.db.session() as session:
        return conversations.set_feedback(
            session=session, user_id=principal.user_id, message_id=message_id, value=body.value
        )


MAX_MODERATION_INPUTS = 32


class ModerationRequest(BaseModel):
    input: str | list[str]
    model: str | None = None


@router.post("/moderations", summary="The content filter, in OpenAI's response shape")
def moderations(body: ModerationRequest, runtime: RuntimeDep, principal: PrincipalDep) -> dict:
    texts = [body.input] if isinstance(body.input, str) else body.input
    if not 1 <= len(texts) <= MAX_MODERATION_INPUTS:
        raise InvalidInput(f"input must hold 1 to {MAX_MODERATION_INPUTS} texts; got {len(texts)}")
    if any(len(text) > MAX_CHARS for text in texts):
        raise PayloadTooLarge(f"each moderation input is limited to {MAX_CHARS} characters")
    results = []
    for text in texts:
        result = runtime.moderator.check(text)
        # OpenAI's shape: every category and sub-category; a provider that reports only the parent
        # categories leaves the sub-categories false.
        results.append(
            {
                "flagged": result.flagged,
                "categories": {name: result.categories.get(name, False) for name in OPENAI_CATEGORIES},
                "category_scores": {name: result.category_scores.get(name, 0.0) for name in OPENAI_CATEGORIES},
                "category_applied_input_types": {
                    name: result.category_applied_input_types.get(name, ["text"]) for name in OPENAI_CATEGORIES
                },
            }
        )
    return {
        "id": "modr-knowbase",
        "model": body.model or f"knowbase-{runtime.settings.moderation_provider}",
        "results": results,
    }


@router.get("/usage", summary="Tokens and cost grouped by user, model or day (admins see everyone)")
def get_usage(
    runtime: RuntimeDep,
    principal: PrincipalDep,
    group_by: Literal["user", "model", "day"] = "day",
    since: datetime | None = None,
    until: datetime | None = None,
    user: str | None = None,
) -> list[usage.UsageRow]:
    user_id = principal.user_id
    if principal.is_admin:
        user_id = None
        if user:
            from core.metadata.accounts import get_user

            with runtime.db.session() as session:
                user_id = get_user(session=session, name=user).id
    elif user and user != principal.name:
        raise PermissionDenied("only admins can see other users' usage")
    with runtime.db.session() as session:
        return usage.summary(session=session, group_by=group_by, user_id=user_id, since=since, until=until)
