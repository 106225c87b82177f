"""The request of ``POST /v1/responses`` as OpenAI defines it, validated with OpenAI's status: every
refusal is a 400 that names the parameter. Known parameters that do not apply to a knowledge base
(temperature, reasoning, …) are accepted and ignored; unknown ones are refused, as OpenAI does."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    ValidationError,
    model_validator,
)

from answer.prompts import INSTRUCTIONS_MAX_CHARS
from core.errors import BadRequest
from retrieval.filters import Filter, check_filter_size

QUESTION_MAX_CHARS = 8000  # as /v1/chat
TEXT_MAX_CHARS = 32_000  # an earlier message of the conversation
INPUT_MAX_ITEMS = 100
CONTENT_MAX_PARTS = 32
VECTOR_STORES_MAX = 16
INCLUDABLE = (
    "file_search_call.results",
    "web_search_call.results",
    "web_search_call.action.sources",
    "message.input_image.image_url",
    "computer_call_output.output.image_url",
    "code_interpreter_call.outputs",
    "reasoning.encrypted_content",
    "message.output_text.logprobs",
)
UNSUPPORTED = {  # parameters OpenAI knows whose effect knowbase cannot give: refused, not ignored
    "background": "background responses are not supported; send stream=true to follow a long answer",
    "conversation": "OpenAI conversations are not supported; chain responses with previous_response_id",
    "prompt": "prompt templates are not supported; send instructions and input",
}
Text = Annotated[str, Field(max_length=TEXT_MAX_CHARS)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class HybridSearch(Strict):
    embedding_weight: float = Field(ge=0)
    text_weight: float = Field(ge=0)


class RankingOptions(Strict):
    ranker: Literal["auto", "default-2024-11-15"] | None = None
    score_threshold: float | None = Field(None, ge=0, le=1)
    hybrid_search: HybridSearch | None = None


class FileSearchTool(Strict):
    type: Literal["file_search"]
    vector_store_ids: list[Annotated[str, Field(max_length=64)]] = Field(min_length=1, max_length=VECTOR_STORES_MAX)
    max_num_results: int | None = Field(None, ge=1, le=50)
    filters: Filter | None = None
    ranking_options: RankingOptions | None = None

    @model_validator(mode="after")
    def _bounded_filter(self) -> FileSearchTool:
        if self.filters is not None:
            check_filter_size(self.filters)
        weights = self.ranking_options.hybrid_search if self.ranking_options else None
        if weights is not None and weights.embedding_weight + weights.text_weight <= 0:
            raise ValueError("hybrid_search weights must not both be 0")
        return self


class ContentPart(Strict):
    type: Literal["input_text", "output_text", "refusal"]
    text: Text | None = None
    refusal: Text | None = None
    annotations: list[Any] | None = Field(None, max_length=1000)  # an earlier output passed back as input
    logprobs: list[Any] | None = Field(None, max_length=100_000)
    prompt_cache_breakpoint: dict[str, Any] | None = None


class InputMessage(Strict):
    type: Literal["message"] = "message"
    role: Literal["user", "assistant", "system", "developer"]
    content: Text | Annotated[list[ContentPart], Field(max_length=CONTENT_MAX_PARTS)]
    id: str | None = Field(None, max_length=64)
    status: str | None = Field(None, max_length=32)
    phase: str | None = Field(None, max_length=32)

    @property
    def text(self) -> str:
        if isinstance(self.content, str):
            return self.content
        return "".join(part.text or part.refusal or "" for part in self.content)


class EarlierToolCall(BaseModel):
    """A file_search_call of an earlier output passed back as input: it adds nothing to the prompt."""

    type: Literal["file_search_call"]
    model_config = ConfigDict(extra="allow")


def _item_type(item: Any) -> str:
    kind = item.get("type", "message") if isinstance(item, dict) else getattr(item, "type", "message")
    return kind if kind in ("message", "file_search_call") else "unsupported"


class UnsupportedItem(BaseModel):
    type: str = Field(max_length=64)

    @model_validator(mode="after")
    def _refuse(self) -> UnsupportedItem:
        raise ValueError(f"input items of type '{self.type}' are not supported; send messages with text")


InputItem = Annotated[
    Annotated[InputMessage, Tag("message")]
    | Annotated[EarlierToolCall, Tag("file_search_call")]
    | Annotated[UnsupportedItem, Tag("unsupported")],
    Discriminator(_item_type),
]


class ResponseRequest(Strict):
    model: str = Field("knowbase", max_length=120)
    input: (
        Annotated[str, Field(min_length=1, max_length=QUESTION_MAX_CHARS)]
        | Annotated[list[InputItem], Field(min_length=1, max_length=INPUT_MAX_ITEMS)]
    )
    instructions: str | None = Field(None, max_length=INSTRUCTIONS_MAX_CHARS)
    tools: list[FileSearchTool] = Field(default_factory=list, max_length=1)
    tool_choice: Literal["auto", "required"] | dict[str, Any] = "auto"
    include: list[Literal[INCLUDABLE]] | None = Field(None, max_length=len(INCLUDABLE))  # type: ignore[valid-type]
    previous_response_id: str | None = Field(None, max_length=64)
    store: bool = True
    stream: bool = False
    metadata: dict[Annotated[str, Field(max_length=64)], Annotated[str, Field(max_length=512)]] | None = Field(
        None, max_length=16
    )
    # Refused unless null or false (see UNSUPPORTED).
    background: bool | None = None
    conversation: None = None
    prompt: None = None
    # Accepted and ignored: they tune a model's sampling, caching or reasoning.
    max_output_tokens: int | None = Field(None, ge=16)
    max_tool_calls: int | None = Field(None, ge=1)
    parallel_tool_calls: bool | None = None
    temperature: float | None = Field(None, ge=0, le=2)
    top_p: float | None = Field(None, ge=0, le=1)
    top_logprobs: int | None = Field(None, ge=0, le=20)
    truncation: Literal["auto", "disabled"] | None = None
    user: str | None = Field(None, max_length=256)
    safety_identifier: str | None = Field(None, max_length=256)
    service_tier: str | None = Field(None, max_length=32)
    prompt_cache_key: str | None = Field(None, max_length=256)
    prompt_cache_retention: str | None = Field(None, max_length=32)
    prompt_cache_options: dict[str, Any] | None = None
    reasoning: dict[str, Any] | None = None
    text: dict[str, Any] | None = None
    stream_options: dict[str, Any] | None = None
    context_management: list[Any] | None = Field(None, max_length=8)
    moderation: dict[str, Any] | None = None

    @model_validator(mode="before")
    @classmethod
    def _supported(cls, data: Any) -> Any:
        refuse_unsupported(data)
        return data

    @property
    def file_search(self) -> FileSearchTool | None:
        return self.tools[0] if self.tools else None

    @property
    def includes_results(self) -> bool:
        return "file_search_call.results" in (self.include or [])


def parse_request(body: Any) -> ResponseRequest:
    """:raises BadRequest: the body is not a valid request, names an unsupported tool or parameter."""
    try:
        return ResponseRequest.model_validate(body)
    except ValidationError as error:
        raise bad_request(error.errors(include_url=False, include_context=False, include_input=False)) from None


def refuse_unsupported(body: Any) -> None:
    """The refusals that name what knowbase does not serve, before the schema's own checks.

    :raises BadRequest: (not a ValueError, so validation passes it on as it is)."""
    if not isinstance(body, dict):
        raise BadRequest("the request body must be a JSON object")
    for name, why in UNSUPPORTED.items():
        if body.get(name) not in (None, False):
            raise BadRequest(f"{name}: {why}", details={"param": name})
    tools = body.get("tools")
    for index, tool in enumerate(tools if isinstance(tools, list) else []):
        kind = tool.get("type") if isinstance(tool, dict) else None
        if kind != "file_search":
            raise BadRequest(
                f"tools[{index}]: tool type '{kind}' is not supported; knowbase serves only 'file_search'",
                details={"param": f"tools[{index}].type"},
            )
    if isinstance(tools, list) and len(tools) > 1:
        raise BadRequest("tools: at most one file_search tool may be given", details={"param": "tools"})
    text = body.get("text")
    if isinstance(text, dict) and isinstance(text.get("format"), dict) and text["format"].get("type") != "text":
        raise BadRequest("text.format: only plain text answers are supported", details={"param": "text.format"})
    choice = body.get("tool_choice")
    if choice == "none" or (isinstance(choice, dict) and choice.get("type") != "file_search"):
        raise BadRequest(
            "tool_choice: knowbase always searches; use 'auto', 'required' or file_search",
            details={"param": "tool_choice"},
        )


def _problem(error: Mapping[str, Any]) -> dict[str, Any]:
    # without FastAPI's "body" and pydantic's names for union branches ("list[...]", "constrained-str", tags)
    loc = [str(p) for p in error["loc"] if not re.search(r"[\[\-]", str(p)) and p not in _BRANCH_TAGS]
    return {"loc": loc, "msg": error["msg"], "type": error["type"]}


_BRANCH_TAGS = ("body", "message", "file_search_call", "unsupported", "ComparisonFilter", "CompoundFilter")


def bad_request(errors: Sequence[Any]) -> BadRequest:
    """Pydantic's (or FastAPI's) validation errors as one 400 naming the first telling problem."""
    problems = [_problem(e) for e in errors]
    if any(p["type"] == "json_invalid" for p in problems):
        return BadRequest("the request body is not valid JSON")
    unknown = next((p for p in problems if p["type"] == "extra_forbidden" and len(p["loc"]) == 1), None)
    if unknown is not None:
        return BadRequest(f"Unknown parameter: '{unknown['loc'][0]}'.", details={"param": unknown["loc"][0]})
    telling = [p for p in problems if not str(p["type"]).endswith("_type")] or problems
    first = telling[0]
    where = ".".join(first["loc"]) or "request"
    return BadRequest(f"{where}: {first['msg']}", details={"param": where, "errors": problems[:20]})
