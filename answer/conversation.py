"""The conversation side of a turn: open (or continue) it before answering, store the exchange after."""

from __future__ import annotations

from sqlalchemy.orm import Session

from answer.citations import Citation
from core.metadata import conversations
from core.metadata.db import Database
from core.providers.llm import Message
from core.types import Principal

TITLE_CHARS = 80
BLOCKED_TITLE = "(blocked)"
BLOCKED_MESSAGE = "[blocked by moderation]"


def open_conversation(
    db: Database,
    principal: Principal,
    *,
    conversation_id: str | None,
    message: str,
    blocked: bool,
    collection: str | None,
    history: list[Message] | None,
) -> tuple[str, list[Message]]:
    """The conversation's id and its earlier messages (``history`` when the client sends its own).

    :raises NotFound: ``conversation_id`` is not one of the caller's conversations.
    """
    with db.session() as session:
        conversation = conversations.get_or_create(
            session=session,
            user_id=principal.user_id,
            conversation_id=conversation_id,
            title=BLOCKED_TITLE if blocked else message.strip()[:TITLE_CHARS],
            collection=collection,
        )
        past = (
            history if history is not None else conversations.history(session=session, conversation_id=conversation.id)
        )
        return conversation.id, past


def save_exchange(
    session: Session,
    *,
    conversation_id: str,
    question: str,
    answer: str,
    citations: list[Citation],
    mode: str,
    unsupported_claims: list[str] | None = None,
) -> str:
    """Store the question and the answer; returns the answer's message id."""
    conversations.add_message(session=session, conversation_id=conversation_id, role="user", content=question)
    stored = conversations.add_message(
        session=session,
        conversation_id=conversation_id,
        role="assistant",
        content=answer,
        citations=[c.model_dump() for c in citations],
        mode=mode,
        unsupported_claims=unsupported_claims,
    )
    return stored.id
