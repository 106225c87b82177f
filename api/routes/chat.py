"""Chat, conversations, feedback, moderation and usage endpoints."""

from __future__ import annotations

import json
from collections.abc import Generator, Iterator
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, Field

from answer.turn import ChatEvent, ChatResult
from api.deps import ChatServiceDep, DatabaseDep, ModeratorDep, PrincipalDep, SettingsDep
from api.pagination import Limit, Offset
from api.streaming import ClosingStreamingResponse
from core.errors import InvalidInput, PermissionDenied
from core.metadata import conversations, usage
from core.metadata.conversations import ConversationDetail, ConversationPublic, MessagePublic
from core.providers.moderation import OPENAI_CATEGORIES
from core.types import ID_MAX_CHARS, NAME_MAX_CHARS, CollectionName

CHAT_MESSAGE_MAX_CHARS = 8000
MODERATION_MAX_INPUTS = 32
MODERATION_MAX_CHARS = 32_000

router = APIRouter(prefix="/v1", tags=["chat"])


class ChatRequest(BaseModel):
    message: str = Field(min_length=1, max_length=CHAT_MESSAGE_MAX_CHARS)
    conversation_id: str | None = Field(None, max_length=ID_MAX_CHARS)
    collection: CollectionName | None = None
    stream: bool = False


def sse(events: Iterator[ChatEvent]) -> Generator[str, None, None]:
    for event in events:
        yield f"event: {event.type}\ndata: {json.dumps(event.data, ensure_ascii=False)}\n\n"


@router.post(
    "/chat",
    summary="Ask a question; answers cite their sources. With stream=true: SSE events delta, reset, citations, done",
    responses={200: {"content": {"text/event-stream": {}}}},
)
def chat(body: ChatRequest, service: ChatServiceDep, principal: PrincipalDep) -> ChatResult:
    turn = service.start(principal, body.message, conversation_id=body.conversation_id, collection=body.collection)
    if not body.stream:
        return service.run(turn)
    events = service.events(turn)

    def close() -> None:  # the client may be gone: stop the answer, charge what it used
        events.close()
        service.settle(turn)

    return ClosingStreamingResponse(  # type: ignore[return-value]
        sse(events),
        on_close=close,
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


@router.get("/conversations")
def list_conversations(
    db: DatabaseDep, principal: PrincipalDep, limit: Limit = 50, offset: Offset = 0
) -> list[ConversationPublic]:
    with db.session() as session:
        return conversations.list_conversations(session=session, user_id=principal.user_id, limit=limit, offset=offset)


@router.get("/conversations/{conversation_id}")
def get_conversation(conversation_id: str, db: DatabaseDep, principal: PrincipalDep) -> ConversationDetail:
    with db.session() as session:
        return conversations.get_conversation(
            session=session, user_id=principal.user_id, conversation_id=conversation_id
        )


@router.delete("/conversations/{conversation_id}", status_code=204)
def delete_conversation(conversation_id: str, db: DatabaseDep, principal: PrincipalDep) -> Response:
    with db.session() as session:
        conversations.delete_conversation(session=session, user_id=principal.user_id, conversation_id=conversation_id)
    return Response(status_code=204)


class RewindRequest(BaseModel):
    question: str = Field(min_length=1, max_length=8000)


@router.post(
    "/conversations/{conversation_id}/rewind",
    summary="Forget the last question (if it is this one) and its answer, to ask again (Regenerate, Edit)",
)
def rewind_conversation(
    conversation_id: str, body: RewindRequest, db: DatabaseDep, principal: PrincipalDep
) -> dict[str, int]:
    with db.session() as session:
        removed = conversations.rewind_last_turn(
            session=session, user_id=principal.user_id, conversation_id=conversation_id, question=body.question
        )
    return {"removed": removed}


class FeedbackRequest(BaseModel):
    value: Literal[-1, 0, 1]


@router.post("/messages/{message_id}/feedback", summary="Thumbs up (1), down (-1) or clear (0)")
def feedback(message_id: str, body: FeedbackRequest, db: DatabaseDep, principal: PrincipalDep) -> MessagePublic:
    with db.session() as session:
        return conversations.set_feedback(
            session=session, user_id=principal.user_id, message_id=message_id, value=body.value
        )


class ModerationRequest(BaseModel):
    input: (
        Annotated[str, Field(max_length=MODERATION_MAX_CHARS)]
        | Annotated[
            list[Annotated[str, Field(max_length=MODERATION_MAX_CHARS)]], Field(max_length=MODERATION_MAX_INPUTS)
        ]
    )
    model: str | None = Field(None, max_length=NAME_MAX_CHARS)


@router.post("/moderations", summary="The content filter, in OpenAI's response shape")
def moderations(
    body: ModerationRequest, moderator: ModeratorDep, settings: SettingsDep, principal: PrincipalDep
) -> dict[str, Any]:
    texts = [body.input] if isinstance(body.input, str) else body.input
    if not texts:  # the schema bounds the count and each text's length
        raise InvalidInput("input must hold at least one text")
    results = []
    for text in texts:
        result = moderator.check(text)
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
        "model": body.model or f"knowbase-{settings.moderation_provider}",
        "results": results,
    }


@router.get("/usage", summary="Tokens and cost grouped by user, model or day (admins see everyone)")
def get_usage(
    db: DatabaseDep,
    principal: PrincipalDep,
    group_by: Literal["user", "model", "day"] = "day",
    since: datetime | None = None,
    until: datetime | None = None,
    user: Annotated[str | None, Query(max_length=NAME_MAX_CHARS)] = None,
) -> list[usage.UsageRow]:
    user_id: str | None = principal.user_id
    if principal.is_admin:
        user_id = None
        if user:
            from core.metadata.accounts import get_user

            with db.session() as session:
                user_id = get_user(session=session, name=user).id
    elif user and user != principal.name:
        raise PermissionDenied("only admins can see other users' usage")
    with db.session() as session:
        return usage.summary(session=session, group_by=group_by, user_id=user_id, since=since, until=until)
