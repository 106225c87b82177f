"""OpenAI's Responses objects built from a chat turn: the response, its ``file_search_call`` item,
the assistant ``message`` with ``file_citation`` annotations, and usage."""

from __future__ import annotations

import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from answer.markers import Marker
from answer.responses.request import ResponseRequest
from answer.turn import Turn
from core.metadata.openai_ids import FileRef
from core.providers.llm import Message
from retrieval.scope import normalized_score
from retrieval.search import SearchHit, SearchOptions


def new_id(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex}"


@dataclass
class ResponseDraft:
    """The fixed parts of one response, known before it is answered."""

    request: ResponseRequest
    id: str = field(default_factory=lambda: new_id("resp"))
    created_at: int = field(default_factory=lambda: int(time.time()))
    search_item_id: str = field(default_factory=lambda: new_id("fs"))
    message_item_id: str = field(default_factory=lambda: new_id("msg"))

    def response(
        self,
        *,
        status: str,
        output: list[dict[str, Any]],
        usage: dict[str, Any] | None = None,
        extension: dict[str, Any] | None = None,
        error: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        request = self.request
        body: dict[str, Any] = {
            "id": self.id,
            "object": "response",
            "created_at": self.created_at,
            "status": status,
            "completed_at": int(time.time()) if status == "completed" else None,
            "error": error,
            "incomplete_details": None,
            "instructions": request.instructions,
            "max_output_tokens": request.max_output_tokens,
            "model": request.model,
            "output": output,
            "parallel_tool_calls": True if request.parallel_tool_calls is None else request.parallel_tool_calls,
            "previous_response_id": request.previous_response_id,
            "reasoning": {"effort": None, "summary": None},
            "store": request.store,
            "temperature": request.temperature,
            "text": {"format": {"type": "text"}},
            "tool_choice": request.tool_choice,
            "tools": [tool.model_dump(mode="json") for tool in request.tools],
            "top_p": request.top_p,
            "truncation": request.truncation or "disabled",
            "usage": usage,
            "user": request.user,
            "metadata": request.metadata or {},
        }
        if extension is not None:
            body["knowbase"] = extension
        return body


@dataclass
class ResponseRun:
    draft: ResponseDraft
    turn: Turn
    earlier: list[Message]  # the conversation before this response (its chain, then earlier input items)
    given: list[Message]  # the earlier messages of this request's input


def search_item(item_id: str, status: str, queries: list[str], results: list[dict[str, Any]] | None) -> dict[str, Any]:
    return {"id": item_id, "type": "file_search_call", "status": status, "queries": queries, "results": results}


def search_results(hits: list[SearchHit], refs: Mapping[str, FileRef], options: SearchOptions) -> list[dict[str, Any]]:
    """The chunks the search found (not the neighbours added for context), best first."""
    results = []
    for hit in hits:
        ref = refs.get(hit.document_id)
        if hit.neighbor_of is not None or ref is None:
            continue
        results.append(
            {
                "file_id": ref.file_id,
                "filename": ref.filename,
                "score": round(normalized_score(hit.score, options), 6),
                "text": hit.text,
                "attributes": hit.attributes or {},
            }
        )
    return results


def message_item(item_id: str, status: str, content: list[dict[str, Any]]) -> dict[str, Any]:
    return {"id": item_id, "type": "message", "role": "assistant", "status": status, "content": content}


def text_part(text: str, annotations: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "output_text", "text": text, "annotations": annotations, "logprobs": []}


def refusal_part(text: str) -> dict[str, Any]:
    return {"type": "refusal", "refusal": text}


def file_citations(
    markers: list[Marker], cited: Mapping[int, str], refs: Mapping[str, FileRef], shift: int = 0
) -> list[dict[str, Any]]:
    """One ``file_citation`` per verified source number of each marker, at the marker's offset
    (plus ``shift``). ``cited`` maps a source number to its document id."""
    annotations = []
    for marker in markers:
        for n in marker.numbers:
            ref = refs.get(cited.get(n, ""))
            if ref is not None:
                annotations.append(
                    {
                        "type": "file_citation",
                        "file_id": ref.file_id,
                        "filename": ref.filename,
                        "index": marker.offset + shift,
                    }
                )
    return annotations


def usage_of(chat_usage: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "input_tokens": chat_usage["prompt_tokens"],
        "input_tokens_details": {"cached_tokens": 0, "cache_write_tokens": 0},
        "output_tokens": chat_usage["completion_tokens"],
        "output_tokens_details": {"reasoning_tokens": 0},
        "total_tokens": chat_usage["total_tokens"],
    }


def extension_of(result: Mapping[str, Any]) -> dict[str, Any]:
    """knowbase's own account of the answer, beside OpenAI's fields (as /v1/chat/completions)."""
    keys = ("mode", "moderation", "conversation_id", "message_id", "citations", "dropped_citations", "fallback_reason")
    return {key: result.get(key) for key in keys}
