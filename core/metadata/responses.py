"""Stored responses of OpenAI's Responses API, each owned by one user: another user's id is unknown."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.errors import NotFound
from core.metadata.models import Conversation, Message, StoredResponse

HISTORY_MAX_MESSAGES = 100  # the newest messages a response keeps for the next one in its chain


@dataclass(frozen=True)
class ResponseChain:
    """What a response continues: the messages so far and, when that response is still the last
    answer of its conversation, the conversation to append to."""

    messages: list[dict[str, str]]
    conversation_id: str | None


def save(
    *,
    session: Session,
    response_id: str,
    user_id: str,
    body: dict[str, Any],
    messages: list[dict[str, str]],
    input_items: list[dict[str, Any]],
    conversation_id: str | None,
    message_id: str | None,
) -> None:
    session.add(
        StoredResponse(
            id=response_id,
            user_id=user_id,
            body=body,
            messages=messages[-HISTORY_MAX_MESSAGES:],
            input_items=input_items,
            conversation_id=conversation_id,
            message_id=message_id,
        )
    )
    session.flush()


def _owned(session: Session, user_id: str, response_id: str) -> StoredResponse:
    row = session.get(StoredResponse, response_id)
    if row is None or row.user_id != user_id:
        raise NotFound(f"response '{response_id}' does not exist")
    return row


def get_body(*, session: Session, user_id: str, response_id: str) -> dict[str, Any]:
    """:raises NotFound: no such response, or another user's."""
    return dict(_owned(session, user_id, response_id).body)


def get_input_items(*, session: Session, user_id: str, response_id: str) -> list[dict[str, Any]]:
    """:raises NotFound: no such response, or another user's."""
    return list(_owned(session, user_id, response_id).input_items)


def delete(*, session: Session, user_id: str, response_id: str) -> None:
    """:raises NotFound: no such response, or another user's."""
    session.delete(_owned(session, user_id, response_id))
    session.flush()


def chain(*, session: Session, user_id: str, response_id: str) -> ResponseChain:
    """:raises NotFound: no such response, or another user's."""
    row = _owned(session, user_id, response_id)
    conversation_id = None
    if row.conversation_id and row.message_id:
        conversation = session.get(Conversation, row.conversation_id)
        last = session.scalar(
            select(Message.id)
            .where(Message.conversation_id == row.conversation_id)
            .order_by(Message.created_at.desc(), Message.id.desc())
            .limit(1)
        )
        if conversation is not None and conversation.user_id == user_id and last == row.message_id:
            conversation_id = row.conversation_id
    return ResponseChain(messages=list(row.messages), conversation_id=conversation_id)
