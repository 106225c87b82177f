"""OpenAI's Responses API with the ``file_search`` tool: ``POST /v1/responses`` (plain or streamed),
``GET``/``DELETE /v1/responses/{id}`` and its input items. The mapping lives in ``answer/responses``.
As OpenAI, an invalid request is a 400 here (not the 422 of knowbase's own routes)."""

from __future__ import annotations

import json
from collections.abc import Generator, Iterator
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query

from answer.responses.request import ResponseRequest
from answer.responses.service import ResponsesService
from api.deps import ChatServiceDep, DatabaseDep, PrincipalDep, RetrievalServiceDep
from api.openai_route import OpenAIRoute
from api.streaming import ClosingStreamingResponse

router = APIRouter(prefix="/v1", tags=["openai-compatible"], route_class=OpenAIRoute)


def _service(chat: ChatServiceDep, retrieval: RetrievalServiceDep, db: DatabaseDep) -> ResponsesService:
    return ResponsesService(chat=chat, retrieval=retrieval, db=db)


def _sse(events: Iterator[dict[str, Any]]) -> Generator[str, None, None]:
    for event in events:
        yield f"event: {event['type']}\ndata: {json.dumps(event, ensure_ascii=False)}\n\n"


@router.post(
    "/responses",
    summary="Answer with the file_search tool over vector stores, as OpenAI's Responses API (stream=true: SSE)",
    responses={200: {"content": {"text/event-stream": {}}}},
)
def create_response(  # type: ignore[no-untyped-def]
    body: ResponseRequest,
    chat: ChatServiceDep,
    retrieval: RetrievalServiceDep,
    db: DatabaseDep,
    principal: PrincipalDep,
):
    service = _service(chat, retrieval, db)
    run = service.start(principal, body)
    if not body.stream:
        return service.complete(run)
    events = service.stream(run)

    def close() -> None:  # the client may be gone: stop the answer, charge what it used
        events.close()
        chat.settle(run.turn)

    return ClosingStreamingResponse(
        _sse(events),
        on_close=close,
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


@router.get("/responses/{response_id}", summary="A stored response (the caller's own)")
def retrieve_response(
    response_id: str, chat: ChatServiceDep, retrieval: RetrievalServiceDep, db: DatabaseDep, principal: PrincipalDep
) -> dict[str, Any]:
    return _service(chat, retrieval, db).retrieve(principal, response_id)


@router.get("/responses/{response_id}/input_items", summary="The input items of a stored response")
def list_input_items(
    response_id: str,
    chat: ChatServiceDep,
    retrieval: RetrievalServiceDep,
    db: DatabaseDep,
    principal: PrincipalDep,
    after: Annotated[str | None, Query(max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    order: Literal["asc", "desc"] = "desc",
) -> dict[str, Any]:
    service = _service(chat, retrieval, db)
    return service.input_items(principal, response_id, after=after, limit=limit, order=order)


@router.delete("/responses/{response_id}", summary="Delete a stored response (the caller's own)")
def delete_response(
    response_id: str, chat: ChatServiceDep, retrieval: RetrievalServiceDep, db: DatabaseDep, principal: PrincipalDep
) -> dict[str, Any]:
    return _service(chat, retrieval, db).delete(principal, response_id)
