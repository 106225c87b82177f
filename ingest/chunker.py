"""Token-aware chunking that follows structure.

Blocks (headings, paragraphs, list items, table rows) are packed greedily up to ``target_tokens``.
A block too large for one chunk is split at sentence ends (including 。！？), and a sentence too
large is split at token boundaries as a last resort. A new heading starts a new chunk once the
current one is reasonably full. Overlap repeats whole trailing pieces of the previous chunk.

Every chunk is a contiguous span ``text[char_start:char_end]`` of the parsed document, so quotes
and citations can be checked against it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from core.text import sentence_spans
from core.tokens import count_tokens, encoding
from ingest.parsers.base import Block, ParsedDocument


@dataclass(frozen=True)
class Piece:
    start: int
    end: int
    tokens: int
    block: Block


@dataclass(frozen=True)
class Chunk:
    index: int
    text: str
    char_start: int
    char_end: int
    pages: tuple[int, ...]
    heading_path: tuple[str, ...]
    token_count: int
    content_hash: str
    page_starts: tuple[tuple[int, int], ...] = ()  # (document offset, page) where each page begins in the chunk

    @property
    def page(self) -> int | None:
        return self.pages[0] if self.pages else None


class Chunker:
    """Configuration in ``__init__``, data through ``run``.

    >>> chunks = Chunker(target_tokens=300, overlap_tokens=40).run(parsed_document)
    """

    def __init__(self, target_tokens: int = 350, overlap_tokens: int = 50) -> None:
        if target_tokens < 16:
            raise ValueError("target_tokens must be at least 16")
        if not 0 <= overlap_tokens < target_tokens:
            raise ValueError("overlap_tokens must be >= 0 and smaller than target_tokens")
        self.target = target_tokens
        self.overlap = overlap_tokens

    def run(self, document: ParsedDocument) -> list[Chunk]:
        pieces = [p for block in document.blocks for p in self._pieces(document.text, block)]
        groups = self._pack(pieces)
        return [self._chunk(document.text, i, group) for i, group in enumerate(groups)]

    # Splitting ---------------------------------------------------------------------------------
    def _pieces(self, text: str, block: Block) -> list[Piece]:
        tokens = count_tokens(text[block.start : block.end])
        if tokens <= self.target:
            return [Piece(block.start, block.end, tokens, block)]
        pieces = []
        for start, end in sentence_spans(text, block.start, block.end):
            sentence_tokens = count_tokens(text[start:end])
            if sentence_tokens <= self.target:
                pieces.append(Piece(start, end, sentence_tokens, block))
            else:
                pieces.extend(self._hard_split(text, start, end, block))
        return pieces

    def _hard_split(self, text: str, start: int, end: int, block: Block) -> list[Piece]:
        """Split an over-long sentence at token boundaries (mapped back to character offsets)."""
        pieces = []
        enc = encoding()
        position = start
        while position < end:
            window = text[position:end]
            token_ids = enc.encode(window, disallowed_special=())
            if len(token_ids) <= self.target:
                pieces.append(Piece(position, end, len(token_ids), block))
                break
            prefix = enc.decode(token_ids[: self.target]).rstrip("\ufffd")
            cut = position + len(prefix)
            # Prefer to cut after whitespace in the last fifth, so words stay whole.
            space = text.rfind(" ", position + int(len(prefix) * 0.8), cut)
            if space > position:
                cut = space + 1
            if cut <= position:
                cut = position + 1
            pieces.append(Piece(position, cut, count_tokens(text[position:cut]), block))
            position = cut
            while position < end and text[position].isspace():
                position += 1
        return pieces

    # Packing -----------------------------------------------------------------------------------
    def _pack(self, pieces: list[Piece]) -> list[list[Piece]]:
        groups: list[list[Piece]] = []
        current: list[Piece] = []
        current_tokens = 0
        fresh = 0  # pieces in ``current`` that are not overlap from the previous chunk
        for piece in pieces:
            starts_section = piece.block.kind == "heading" and piece.start == piece.block.start
            # +1 per joint: the separator between two pieces is usually one token.
            too_big = current_tokens + piece.tokens + 1 > self.target
            section_break = starts_section and current_tokens > self.target * 0.3
            if current and fresh and (too_big or section_break):
                groups.append(current)
                current = self._overlap(current) if not section_break else []
                current_tokens = sum(p.tokens + 1 for p in current)
                fresh = 0
                if current_tokens + piece.tokens + 1 > self.target:
                    current, current_tokens = [], 0
            current.append(piece)
            current_tokens += piece.tokens + 1
            fresh += 1
        if current and fresh:
            groups.append(current)
        return groups

    def _overlap(self, previous: list[Piece]) -> list[Piece]:
        carried: list[Piece] = []
        tokens = 0
        for piece in reversed(previous):
            if tokens + piece.tokens > self.overlap:
                break
            carried.insert(0, piece)
            tokens += piece.tokens
        return carried

    def _chunk(self, text: str, index: int, group: list[Piece]) -> Chunk:
        start, end = group[0].start, group[-1].end
        body = text[start:end]
        tokens = count_tokens(body)
        while tokens > self.target and len(group) > 1:  # separators cost more than estimated
            group = group[:-1]
            end = group[-1].end
            body = text[start:end]
            tokens = count_tokens(body)
        pages = tuple(sorted({p.block.page for p in group if p.block.page is not None}))
        page_starts: list[tuple[int, int]] = []
        for piece in group:
            if piece.block.page is not None and (not page_starts or page_starts[-1][1] != piece.block.page):
                page_starts.append((piece.start, piece.block.page))
        return Chunk(
            index=index,
            text=body,
            char_start=start,
            char_end=end,
            pages=pages,
            heading_path=group[0].block.heading_path or group[-1].block.heading_path,
            token_count=tokens,
            content_hash=hashlib.sha256(body.encode("utf-8")).hexdigest(),
            page_starts=tuple(page_starts),
        )
