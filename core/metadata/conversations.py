"""Conversations and messages, owned by one user each."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.errors import InvalidInput, NotFound
from core.metadata.models import Conversation, Message, utcnow


class MessagePublic(BaseModel):
    id: str
    role: str
    content: str
    citations: list[Any] | None
    mode: str | None
    unsupported_claims: list[str] = []  # claims of an answer with facts that no source states
    feedback: int | None
    created_at: datetime


class ConversationPublic(BaseModel):
    id: str
    title: str
    collection: str | None
    created_at: datetime
    updated_at: datetime


class ConversationDetail(ConversationPublic):
    messages: list[MessagePublic]


def _public(row: Conversation) -> ConversationPublic:
    return ConversationPublic(
        id=row.id, title=row.title, collection=row.collection, created_at=row.created_at, updated_at=row.updated_at
    )


def _message(row: Message) -> MessagePublic:
    return MessagePublic(
        id=row.id,
        role=row.role,
        content=row.content,
        citations=row.citations,
        mode=row.mode,
        unsupported_claims=row.unsupported_claims or [],
        feedback=row.feedback,
        created_at=row.created_at,
    )


def _owned(session: Session, user_id: str, conversation_id: str) -> Conversation:
    row = session.get(Conversation, conversation_id)
    if row is None or row.user_id != user_id:
        raise NotFound(f"conversation '{conversation_id}' does not exist")
    return row


def get_or_create(
    *, session: Session, user_id: str, conversation_id: str | None, title: str, collection: str | None
) -> Conversation:
    if conversation_id:
        return _owned(session, user_id, conversation_id)
    row = Conversation(user_id=user_id, title=title[:120], collection=collection)
    session.add(row)
    session.flush()
    return row


def history(*, session: Session, conversation_id: str) -> list[dict[str, str]]:
    rows = session.scalars(
        select(Message).where(Message.conversation_id == conversation_id).order_by(Message.created_at, Message.id)
    )
    return [{"role": m.role, "content": m.content} for m in rows if m.mode != "blocked"]


def add_message(
    *,
    session: Session,
    conversation_id: str,
    role: str,
    content: str,
    citations: list[Any] | None = None,
    mode: str | None = None,
    unsupported_claims: list[str] | None = None,
) -> Message:
    row = Message(
        conversation_id=conversation_id,
        role=role,
        content=content,
        citations=citations,
        mode=mode,
        unsupported_claims=unsupported_claims or None,
    )
    session.add(row)
    conversation = session.get(Conversation, conversation_id)
    if conversation is not None:
        conversation.updated_at = utcnow()
    session.flush()
    return row


def list_conversations(*, session: Session, user_id: str, limit: int = 50, offset: int = 0) -> list[ConversationPublic]:
    rows = session.scalars(
        select(Conversation)
        .where(Conversation.user_id == user_id)
        .order_by(Conversation.updated_at.desc())
        .limit(limit)
        .offset(offset)
    )
    return [_public(r) for r in rows]


def get_conversation(*, session: Session, user_id: str, conversation_id: str) -> ConversationDetail:
    row = _owned(session, user_id, conversation_id)
    messages = session.scalars(
        select(Message).where(Message.conversation_id == row.id).order_by(Message.created_at, Message.id)
    )
    return ConversationDetail(**_public(row).model_dump(), messages=[_message(m) for m in messages])


def delete_conversation(*, session: Session, user_id: str, conversation_id: str) -> None:
    session.delete(_owned(session, user_id, conversation_id))


def set_feedback(*, session: Session, user_id: str, message_id: str, value: int) -> MessagePublic:
    if value not in (-1, 0, 1):
        raise InvalidInput("feedback must be 1 (helpful), -1 (not helpful) or 0 (clear)")
    row = session.get(Message, message_id)
    if row is None or row.role != "assistant":
        raise NotFound(f"message '{message_id}' does not exist")
    _owned(session, user_id, row.conversation_id)
    row.feedback = value or None
    session.flush()
    return _message(row)


def rewind_last_turn(*, session: Session, user_id: str, conversation_id: str, question: str) -> int:
    """Forget the last question and its answer before it is asked again (Regenerate, Edit). Only when
    the last question is ``question``: a turn the server never stored must not take an older one with it.
    Returns how many messages were removed."""
    row = _owned(session, user_id, conversation_id)
    messages = list(
        session.scalars(
            select(Message).where(Message.conversation_id == row.id).order_by(Message.created_at, Message.id)
        )
    )
    last_question = next((i for i in range(len(messages) - 1, -1, -1) if messages[i].role == "user"), None)
    if last_question is None or messages[last_question].content != question:
        return 0
    for message in messages[last_question:]:
        session.delete(message)
    session.flush()
    return len(messages) - last_question
