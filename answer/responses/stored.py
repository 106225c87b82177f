"""Responses kept after they are answered: the response object for retrieval, the conversation so
far for ``previous_response_id``, the input items; or, with ``store: false``, nothing at all."""

from __future__ import annotations

from typing import Any

from answer.conversation import BLOCKED_MESSAGE
from answer.responses import objects
from answer.responses.objects import ResponseRun
from core.errors import NotFound
from core.metadata import conversations, responses
from core.metadata.db import Database
from core.providers.llm import Message
from core.types import Principal


def keep(db: Database, run: ResponseRun, final: dict[str, Any], result: dict[str, Any]) -> None:
    """Store the response (``store``), or forget the exchange the chat engine recorded."""
    principal = run.turn.principal
    with db.session() as session:
        if not run.draft.request.store:
            conversations.delete_conversation(
                session=session, user_id=principal.user_id, conversation_id=result["conversation_id"]
            )
            return
        exchange: list[Message] = []
        if result["mode"] != "blocked":  # as in conversations: a refused exchange is not history
            exchange = [
                {"role": "user", "content": run.turn.message},
                {"role": "assistant", "content": result["answer"]},
            ]
        responses.save(
            session=session,
            response_id=run.draft.id,
            user_id=principal.user_id,
            body=final,
            messages=[*run.earlier, *exchange],
            input_items=_input_items(run, result),
            conversation_id=result["conversation_id"],
            message_id=result["message_id"],
        )


def _input_items(run: ResponseRun, result: dict[str, Any]) -> list[dict[str, Any]]:
    """The request's messages as OpenAI lists them (redacted; a refused question by its placeholder)."""
    blocked = result["mode"] == "blocked" and result["moderation"].get("stage") == "input"
    question: Message = {"role": "user", "content": BLOCKED_MESSAGE if blocked else run.turn.message}
    items = []
    for message in [*run.given, question]:
        assistant = message["role"] == "assistant"
        part = (
            objects.text_part(message["content"], [])
            if assistant
            else {"type": "input_text", "text": message["content"]}
        )
        items.append(
            {
                "id": objects.new_id("msg"),
                "type": "message",
                "role": message["role"],
                "status": "completed",
                "content": [part],
            }
        )
    return items


def input_items(
    db: Database, principal: Principal, response_id: str, *, after: str | None, limit: int, order: str
) -> dict[str, Any]:
    """A cursor page of the response's input items (newest first unless ``order`` is asc).

    :raises NotFound: no such response (or another user's), or ``after`` is not one of its items."""
    with db.session() as session:
        items = responses.get_input_items(session=session, user_id=principal.user_id, response_id=response_id)
    if order == "desc":
        items.reverse()
    if after is not None:
        position = next((i for i, item in enumerate(items) if item["id"] == after), None)
        if position is None:
            raise NotFound(f"input item '{after}' does not exist", details={"param": "after"})
        items = items[position + 1 :]
    page = items[:limit]
    return {
        "object": "list",
        "data": page,
        "first_id": page[0]["id"] if page else None,
        "last_id": page[-1]["id"] if page else None,
        "has_more": len(items) > len(page),
    }


def retrieve(db: Database, principal: Principal, response_id: str) -> dict[str, Any]:
    """:raises NotFound: no such response, or another user's."""
    with db.session() as session:
        return responses.get_body(session=session, user_id=principal.user_id, response_id=response_id)


def delete(db: Database, principal: Principal, response_id: str) -> dict[str, Any]:
    """:raises NotFound: no such response, or another user's."""
    with db.session() as session:
        responses.delete(session=session, user_id=principal.user_id, response_id=response_id)
    return {"id": response_id, "object": "response", "deleted": True}
