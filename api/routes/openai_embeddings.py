"""``POST /v1/embeddings``: the configured embedder for other internal programs, in OpenAI's shape.

Whatever ``model`` a client names, the configured embedder answers and the response says which.
e5 models embed with a prefix: ``query: `` by default (e5's advice for symmetric use such as
similarity and clustering); the extension ``input_type: "passage"`` embeds documents for
asymmetric retrieval. The work runs beside ingestion (a lower-priority process for the local
model), so a large request never delays searches.
"""

from __future__ import annotations

import base64
from typing import Annotated, Literal

import numpy as np
from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field, model_validator

from api.deps import BackgroundEmbedderDep, PrincipalDep
from api.openai_route import OpenAIRoute
from core.errors import BadRequest
from core.tokens import count_tokens

router = APIRouter(prefix="/v1", tags=["openai-compatible"], route_class=OpenAIRoute)
INPUT_MAX_ITEMS = 256
INPUT_MAX_CHARS = 32_000  # per text, before counting tokens
INPUT_MAX_TOKENS = 8192  # per text, as OpenAI's embedding models
TOTAL_MAX_TOKENS = 300_000  # per request, as OpenAI
Text = Annotated[str, Field(max_length=INPUT_MAX_CHARS)]
TokenArray = Annotated[list[int], Field(max_length=INPUT_MAX_TOKENS)]


class EmbeddingRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    input: (
        Text
        | Annotated[list[Text], Field(min_length=1, max_length=INPUT_MAX_ITEMS)]
        | TokenArray
        | Annotated[list[TokenArray], Field(max_length=INPUT_MAX_ITEMS)]
    )
    model: str = Field(max_length=200)
    encoding_format: Literal["float", "base64"] = "float"
    dimensions: int | None = Field(None, ge=1)
    user: str | None = Field(None, max_length=200)
    input_type: Literal["query", "passage"] = "query"  # knowbase extension (see the module docstring)

    @model_validator(mode="after")
    def _text_only(self) -> EmbeddingRequest:
        values = self.input if isinstance(self.input, list) else [self.input]
        if any(not isinstance(v, str) for v in values):
            raise BadRequest("input: token arrays are not supported; send the text itself", details={"param": "input"})
        return self


class Embedding(BaseModel):
    object: Literal["embedding"] = "embedding"
    index: int
    embedding: list[float] | str


class EmbeddingUsage(BaseModel):
    prompt_tokens: int
    total_tokens: int


class EmbeddingList(BaseModel):
    object: Literal["list"] = "list"
    data: list[Embedding]
    model: str
    usage: EmbeddingUsage


@router.post("/embeddings", summary="Embed texts with the configured embedder (OpenAI's shape)")
def create_embeddings(
    body: EmbeddingRequest, embedder: BackgroundEmbedderDep, principal: PrincipalDep
) -> EmbeddingList:
    del principal  # any signed-in caller may embed: nothing here reads documents
    texts = [body.input] if isinstance(body.input, str) else [str(t) for t in body.input]
    if body.dimensions is not None and body.dimensions != embedder.dim:
        raise BadRequest(
            f"dimensions: the configured embedder ({embedder.model_id}) returns {embedder.dim} dimensions "
            "and cannot shorten them; leave dimensions out",
            details={"param": "dimensions"},
        )
    counts = [count_tokens(text) for text in texts]
    for index, (text, tokens) in enumerate(zip(texts, counts)):
        if not text:
            raise BadRequest(f"input[{index}]: an empty string cannot be embedded", details={"param": "input"})
        if tokens > INPUT_MAX_TOKENS:
            raise BadRequest(
                f"input[{index}]: {tokens} tokens, more than the {INPUT_MAX_TOKENS} an input may have",
                details={"param": "input"},
            )
    if sum(counts) > TOTAL_MAX_TOKENS:
        raise BadRequest(f"input: at most {TOTAL_MAX_TOKENS} tokens per request", details={"param": "input"})
    if body.input_type == "passage":
        vectors = embedder.embed_passages(texts)
    else:
        vectors = np.vstack([embedder.embed_query(text) for text in texts])
    return EmbeddingList(
        data=[Embedding(index=i, embedding=_encode(row, body.encoding_format)) for i, row in enumerate(vectors)],
        model=embedder.model_id,
        usage=EmbeddingUsage(prompt_tokens=sum(counts), total_tokens=sum(counts)),
    )


def _encode(row: np.ndarray, encoding_format: str) -> list[float] | str:
    if encoding_format == "base64":  # little-endian float32, as OpenAI's SDK decodes it
        return base64.b64encode(np.asarray(row, dtype="<f4").tobytes()).decode("ascii")
    return [float(v) for v in row]
