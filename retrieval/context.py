"""Pack the best chunks into numbered sources within a token budget.

Adjacent or overlapping chunks of one document merge into one source. The budget is checked on
the final text with the real tokenizer, so the context never exceeds it.

>>> context = ContextAssembler().assemble(hits, max_tokens=3000)
>>> context.text.startswith("[1] ")
True
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pydantic import BaseModel

from core.tokens import count_tokens, truncate_to_tokens
from retrieval.search import SearchHit

SOURCE_SEPARATOR = "\n\n"
MIN_USEFUL_TOKENS = 24  # a truncated source shorter than this is noise
KNOWN_CONTEXT_WINDOWS = {
    "gpt-4o": 128_000,
    "gpt-4o-mini": 128_000,
    "gpt-4.1": 1_000_000,
    "gpt-4.1-mini": 1_000_000,
    "gpt-3.5-turbo": 16_385,
    "deepseek-chat": 64_000,
    "deepseek-reasoner": 64_000,
    "moonshot-v1-8k": 8_192,
    "moonshot-v1-32k": 32_768,
    "moonshot-v1-128k": 131_072,
    "qwen2.5:7b": 32_768,
    "llama3.1:8b": 131_072,
}


def context_budget(
    *,
    context_window: int,
    system_prompt_tokens: int = 0,
    history_tokens: int = 0,
    answer_tokens: int = 0,
    margin: int = 64,
) -> int:
    """Tokens left for sources once the prompt's other parts and the answer are reserved."""
    return max(0, context_window - system_prompt_tokens - history_tokens - answer_tokens - margin)


class SourcePublic(BaseModel):
    n: int
    document_id: str
    title: str
    source: str
    page: int | None
    pages: list[int]
    heading: str
    chunk_ids: list[str]
    char_start: int
    char_end: int
    text: str
    truncated: bool = False


class ContextPublic(BaseModel):
    context: str
    sources: list[SourcePublic]
    tokens: int
    budget: int


@dataclass
class _Group:
    hits: list[SearchHit] = field(default_factory=list)

    @property
    def first(self) -> SearchHit:
        return self.hits[0]

    def accepts(self, hit: SearchHit) -> bool:
        same = hit.document_id == self.first.document_id and hit.version == self.first.version
        return same and any(abs(hit.chunk_index - h.chunk_index) <= 1 for h in self.hits)

    def anchors_only(self) -> _Group:
        """The group without the neighbours added for context (the hits themselves)."""
        anchors = [h for h in self.hits if h.neighbor_of is None]
        return _Group(anchors or self.hits[:1])

    def text(self) -> str:
        """Chunks in document order; overlapping windows are joined without repeating text."""
        ordered = sorted(self.hits, key=lambda h: h.char_start)
        text, end = ordered[0].text, ordered[0].char_end
        for hit in ordered[1:]:
            if hit.char_end <= end:
                continue
            if hit.char_start < end:
                text += hit.text[end - hit.char_start :]
            else:
                text += "\n" + hit.text
            end = hit.char_end
        return text


def _header(n: int, group: _Group) -> str:
    first = group.first
    pages = sorted({p for h in group.hits for p in h.pages})
    where = ""
    if pages:
        where = f", p. {pages[0]}" if len(pages) == 1 else f", pp. {pages[0]}-{pages[-1]}"
    title = first.title or first.source
    source = f" ({first.source})" if first.source and first.source != title else ""
    return f"[{n}] {title}{source}{where}"


class ContextAssembler:
    def assemble(self, hits: list[SearchHit], max_tokens: int) -> ContextPublic:
        groups: list[_Group] = []
        for hit in hits:
            for group in groups:
                if group.accepts(hit):
                    group.hits.append(hit)
                    break
            else:
                groups.append(_Group([hit]))

        blocks: list[str] = []
        sources: list[SourcePublic] = []
        for group in groups:
            n = len(sources) + 1
            header = _header(n, group)
            body = group.text()
            block = f"{header}\n{body}"
            candidate = SOURCE_SEPARATOR.join([*blocks, block])
            truncated = False
            if count_tokens(candidate) > max_tokens and len(group.anchors_only().hits) < len(group.hits):
                group = group.anchors_only()  # neighbours are the first thing to give up
                header, body = _header(n, group), group.text()
                block = f"{header}\n{body}"
                candidate = SOURCE_SEPARATOR.join([*blocks, block])
            if count_tokens(candidate) > max_tokens:
                prefix = SOURCE_SEPARATOR.join([*blocks, header + "\n"]) if blocks else header + "\n"
                room = max_tokens - count_tokens(prefix)
                if room < MIN_USEFUL_TOKENS:
                    break
                body = truncate_to_tokens(body, room)
                block = f"{header}\n{body}"
                truncated = True
                # Token counts are not additive at joins: trim until the whole text fits.
                while body and count_tokens(SOURCE_SEPARATOR.join([*blocks, block])) > max_tokens:
                    body = body[: max(0, len(body) - max(1, len(body) // 20))]
                    block = f"{header}\n{body}"
                if count_tokens(body) < MIN_USEFUL_TOKENS:
                    break
            blocks.append(block)
            pages = sorted({p for h in group.hits for p in h.pages})
            sources.append(
                SourcePublic(
                    n=n,
                    document_id=group.first.document_id,
                    title=group.first.title,
                    source=group.first.source,
                    page=pages[0] if pages else None,
                    pages=pages,
                    heading=group.first.heading,
                    chunk_ids=[h.chunk_id for h in sorted(group.hits, key=lambda h: h.char_start)],
                    char_start=min(h.char_start for h in group.hits),
                    char_end=max(h.char_end for h in group.hits),
                    text=body,
                    truncated=truncated,
                )
            )
            if truncated:
                break
        text = SOURCE_SEPARATOR.join(blocks)
        tokens = count_tokens(text)
        assert tokens <= max_tokens, "context assembly exceeded its budget"
        return ContextPublic(context=text, sources=sources, tokens=tokens, budget=max_tokens)
