"""``POST /v1/responses`` answered by the chat engine: the request becomes a chat turn scoped to the
file_search tool's vector stores (``start``: every refusal happens here, before any output), the
turn's events become OpenAI's stream events (``events``), and the finished response is stored for
retrieval and ``previous_response_id`` unless ``store`` is false.

>>> run = responses.start(principal, parse_request(body))
>>> for event in responses.events(run): ...    # response.created … response.completed
>>> responses.complete(run)                     # the events consumed: the response object
"""

from __future__ import annotations

import logging
from collections.abc import Generator, Iterator
from contextlib import closing
from itertools import count
from typing import Any

from answer.markers import MarkerStripper, verified_markers
from answer.prompts import INSTRUCTIONS_MAX_CHARS
from answer.responses import objects, stored
from answer.responses.objects import ResponseDraft, ResponseRun
from answer.responses.request import QUESTION_MAX_CHARS, FileSearchTool, InputMessage, ResponseRequest
from answer.service import ChatService
from core.access import readable_collections
from core.errors import BadRequest, KnowbaseError, NotFound
from core.metadata import responses
from core.metadata.db import Database
from core.metadata.openai_ids import collection_id_of, file_refs
from core.providers.llm import Message
from core.types import Principal
from retrieval.filters import to_condition
from retrieval.scope import SearchScope
from retrieval.service import RetrievalService

log = logging.getLogger(__name__)
Event = dict[str, Any]


class ResponsesService:
    def __init__(self, *, chat: ChatService, retrieval: RetrievalService, db: Database) -> None:
        self.chat, self.retrieval, self.db = chat, retrieval, db

    # Before any output ---------------------------------------------------------------------------
    def start(self, principal: Principal, request: ResponseRequest) -> ResponseRun:
        """:raises BadRequest: the input holds no question, or one that is too long.
        :raises NotFound: an unknown or unreadable vector store, or previous response.
        :raises QuotaExceeded: the key's token budget is spent."""
        question, earlier, instructions = _split_input(request)
        # PII in earlier messages is redacted as in the question: before the prompt and the store.
        earlier = [{"role": m["role"], "content": self.chat.screen.redact(m["content"])} for m in earlier]
        given = list(earlier)
        conversation_id = None
        if request.previous_response_id:
            with self.db.session() as session:
                chain = responses.chain(
                    session=session, user_id=principal.user_id, response_id=request.previous_response_id
                )
            earlier = [*chain.messages, *earlier]
            conversation_id = chain.conversation_id if request.store else None
        scope = self._scope(principal, request.file_search)
        turn = self.chat.start(
            principal,
            question,
            conversation_id=conversation_id,
            history=earlier,
            scope=scope,
            instructions=instructions,
        )
        return ResponseRun(ResponseDraft(request), turn, earlier, given)

    def _scope(self, principal: Principal, tool: FileSearchTool | None) -> SearchScope | None:
        """The tool's vector stores as collections; without the tool, every readable collection."""
        if tool is None:
            return None
        with self.db.session() as session:
            readable = set(readable_collections(session=session, principal=principal).values())
        collection_ids = []
        for store_id in dict.fromkeys(tool.vector_store_ids):
            collection_id = collection_id_of(store_id)
            if collection_id is None or collection_id not in readable:
                raise NotFound(f"vector store '{store_id}' does not exist", details={"param": "vector_store_ids"})
            collection_ids.append(collection_id)
        ranking = tool.ranking_options
        hybrid = ranking.hybrid_search if ranking else None
        return SearchScope(
            collection_ids=tuple(collection_ids),
            max_results=tool.max_num_results,
            weights=(hybrid.embedding_weight, hybrid.text_weight) if hybrid else None,
            score_threshold=(ranking.score_threshold or 0.0) if ranking else 0.0,
            filters=to_condition(tool.filters) if tool.filters else None,
        )

    # Output --------------------------------------------------------------------------------------
    def complete(self, run: ResponseRun) -> dict[str, Any]:
        """The response object, once answered (the events consumed)."""
        final: dict[str, Any] = {}
        for event in self.events(run):
            if event["type"] == "response.completed":
                final = event["response"]
        return final

    def stream(self, run: ResponseRun) -> Generator[Event, None, None]:
        """``events`` for a stream already under way: a failure ends it with ``response.failed``."""
        sequence = 0
        try:
            for event in self.events(run):
                sequence = event["sequence_number"]
                yield event
        except KnowbaseError as error:
            log.error("response failed mid-stream", extra={"error": error.message, "response_id": run.draft.id})
            failed = run.draft.response(
                status="failed", output=[], error={"code": "server_error", "message": error.message}
            )
            yield {"type": "response.failed", "sequence_number": sequence + 1, "response": failed}

    def events(self, run: ResponseRun) -> Generator[Event, None, None]:
        """OpenAI's event sequence for the turn. Closing it early (or a failure) stops the answer and
        charges what it used."""
        try:
            yield from self._events(run)
        finally:
            self.chat.settle(run.turn)

    def _events(self, run: ResponseRun) -> Generator[Event, None, None]:
        numbers = count()

        def event(kind: str, **fields: Any) -> Event:
            return {"type": kind, "sequence_number": next(numbers), **fields}

        draft, turn = run.draft, run.turn
        shell = draft.response(status="in_progress", output=[])
        yield event("response.created", response=shell)
        yield event("response.in_progress", response=shell)
        output: list[dict[str, Any]] = []
        if not turn.blocked:  # a refused question is not searched
            yield from self._search_events(run, event, output)
        where = {"output_index": len(output), "item_id": draft.message_item_id}
        yield event(
            "response.output_item.added",
            output_index=len(output),
            item=objects.message_item(draft.message_item_id, "in_progress", []),
        )
        refusing = bool(turn.blocked)
        part = objects.refusal_part("") if refusing else objects.text_part("", [])
        yield event("response.content_part.added", **where, content_index=0, part=part)

        stripper, streamed, shift, result = MarkerStripper(), "", 0, None
        with closing(self.chat.events(turn)) as chat_events:
            for chat_event in chat_events:
                text = ""
                if chat_event.type == "delta":
                    text = chat_event.data["text"] if refusing else stripper.feed(chat_event.data["text"])
                elif chat_event.type == "reset":  # a stream cannot take text back: say what follows replaces it
                    text = stripper.flush() + f"\n\n[{chat_event.data['reason']}]\n\n"
                    stripper, shift = MarkerStripper(), len(streamed) + len(text)
                elif chat_event.type == "done":
                    result = chat_event.data
                if text:
                    streamed += text
                    kind = "response.refusal.delta" if refusing else "response.output_text.delta"
                    extra: dict[str, Any] = {} if refusing else {"logprobs": []}
                    yield event(kind, **where, content_index=0, delta=text, **extra)
        tail = "" if refusing else stripper.flush()
        if tail:
            streamed += tail
            yield event("response.output_text.delta", **where, content_index=0, delta=tail, logprobs=[])
        assert result is not None, "a chat turn always ends with its result"

        if result["mode"] == "blocked":
            content, streamed_annotations = [objects.refusal_part(result["answer"])], []
        else:
            cited = {c["n"]: c["document_id"] for c in result["citations"]}
            with self.db.session() as session:
                refs = file_refs(session, cited.values())
            markers = verified_markers(stripper, result["answer"])
            streamed_annotations = objects.file_citations(markers, cited, refs, shift)
            content = [objects.text_part(stripper.text, objects.file_citations(markers, cited, refs))]
        for index, annotation in enumerate(streamed_annotations):
            yield event(
                "response.output_text.annotation.added",
                **where,
                content_index=0,
                annotation_index=index,
                annotation=annotation,
            )
        if refusing:
            yield event("response.refusal.done", **where, content_index=0, refusal=streamed)
            done_part = objects.refusal_part(streamed)
        else:
            yield event("response.output_text.done", **where, content_index=0, text=streamed, logprobs=[])
            done_part = objects.text_part(streamed, streamed_annotations)
        yield event("response.content_part.done", **where, content_index=0, part=done_part)
        message = objects.message_item(draft.message_item_id, "completed", content)
        output.append(message)
        yield event("response.output_item.done", output_index=len(output) - 1, item=message)
        final = draft.response(
            status="completed",
            output=output,
            usage=objects.usage_of(result["usage"]),
            extension=objects.extension_of(result),
        )
        stored.keep(self.db, run, final, result)
        yield event("response.completed", response=final)

    def _search_events(self, run: ResponseRun, event: Any, output: list[dict[str, Any]]) -> Iterator[Event]:
        """The search ran in ``start`` (so that its errors are HTTP errors); its events follow."""
        draft, turn = run.draft, run.turn
        index, item_id = len(output), draft.search_item_id
        yield event(
            "response.output_item.added",
            output_index=index,
            item=objects.search_item(item_id, "in_progress", [], None),
        )
        for stage in ("in_progress", "searching", "completed"):
            yield event(f"response.file_search_call.{stage}", output_index=index, item_id=item_id)
        results = None
        if draft.request.includes_results:
            options = turn.scope.options(self.retrieval.options(), 0) if turn.scope else self.retrieval.options()
            with self.db.session() as session:
                refs = file_refs(session, (hit.document_id for hit in turn.hits))
            results = objects.search_results(turn.hits, refs, options)
        item = objects.search_item(item_id, "completed", [turn.query], results)
        output.append(item)
        yield event("response.output_item.done", output_index=index, item=item)

    # Stored responses ----------------------------------------------------------------------------
    def retrieve(self, principal: Principal, response_id: str) -> dict[str, Any]:
        return stored.retrieve(self.db, principal, response_id)

    def delete(self, principal: Principal, response_id: str) -> dict[str, Any]:
        return stored.delete(self.db, principal, response_id)

    def input_items(
        self, principal: Principal, response_id: str, *, after: str | None, limit: int, order: str
    ) -> dict[str, Any]:
        return stored.input_items(self.db, principal, response_id, after=after, limit=limit, order=order)


def _split_input(request: ResponseRequest) -> tuple[str, list[Message], str | None]:
    """The question (the last input item, a user message), the earlier user and assistant messages,
    and the instructions with any system or developer messages of the input added."""
    if isinstance(request.input, str):
        question, earlier_items = request.input, []
    else:
        messages = [item for item in request.input if isinstance(item, InputMessage)]
        if not messages or messages[-1].role != "user" or request.input[-1] is not messages[-1]:
            raise BadRequest("input: the last item must be a user message", details={"param": "input"})
        question, earlier_items = messages[-1].text, messages[:-1]
    if not question.strip():
        raise BadRequest("input: the question is empty", details={"param": "input"})
    if len(question) > QUESTION_MAX_CHARS:
        raise BadRequest(
            f"input: the question (the last user message) is longer than {QUESTION_MAX_CHARS} characters",
            details={"param": "input", "max_chars": QUESTION_MAX_CHARS, "chars": len(question)},
        )
    earlier: list[Message] = [
        {"role": m.role, "content": m.text} for m in earlier_items if m.role in ("user", "assistant") and m.text
    ]
    system = [m.text for m in earlier_items if m.role in ("system", "developer") and m.text]
    instructions = "\n\n".join([t for t in (request.instructions, *system) if t]) or None
    if instructions and len(instructions) > INSTRUCTIONS_MAX_CHARS:
        raise BadRequest(
            f"instructions (with the input's system and developer messages) exceed {INSTRUCTIONS_MAX_CHARS} characters",
            details={"param": "instructions", "max_chars": INSTRUCTIONS_MAX_CHARS, "chars": len(instructions)},
        )
    return question, earlier, instructions
