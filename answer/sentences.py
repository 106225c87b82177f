"""The one place quotes come from: the sentences of the context's sources, each with its source
number and its exact offsets in the document's extracted text, and one measure of how well a
sentence matches a question or a claim. The extractive answerer picks from these sentences and
the citation check searches them, so a quote is always a verbatim span found the same way.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass

from core.providers.lexical import LexicalEncoder
from core.text import sentence_spans
from retrieval.context import ContextPublic, SourcePublic
from retrieval.search import SearchHit

BULLET = re.compile(r"^(?:[-*•·▪◦]|\d{1,2}[.)、])\s+")
MIN_SENTENCE_CHARS = 6
BEFORE_CHARS = 300
LEAD_IN_CHARS = 200  # a long run of colon lines keeps its end: the lines nearest the list
PARAGRAPH_BREAK_CHARS = 4  # chunks this far apart have only blank lines between them (the chunker cuts there)


@dataclass
class Sentence:
    n: int  # the number of its source in the context
    source: SourcePublic
    text: str  # verbatim: equals the document's extracted text[start:end]
    start: int
    end: int
    chunk_id: str
    page: int | None
    rank: int  # the position of its source in the context (0 = best)
    alone: bool = False  # the sentence is a whole line of its own, not a list item ("- …", "• …")
    lead_in: str = ""  # the lines ending in a colon that introduce its list ("A: GPT-5 引入了多项特性:")
    before: str = ""  # the sentences before it on its line (its paragraph), at most BEFORE_CHARS
    annotates: str = ""  # a code comment's: the statement it follows ('openai.organization = "org-…"')
    about: str = ""  # what its list is about beyond its lead-in (answer.sentences._lead_ins)
    refers: str = ""  # opening its line with a pointer back ("这一…"): the prose line it points to
    # ... that line when it ends the source's chunk before the one this line opens: only what the
    # sentence is about (the names it points back to), not what it says (answer.factors)
    refers_across: str = ""


def source_sentences(context: ContextPublic, hits: list[SearchHit]) -> list[Sentence]:
    """Every sentence of the text each source showed the model, in context order.

    Sentences are cut from the document text the source's chunks cover (overlapping chunks joined,
    as the context assembler joins them), only as far as the source's possibly truncated text goes.
    """
    by_id = {h.chunk_id: h for h in hits}
    found: list[Sentence] = []
    for rank, source in enumerate(context.sources):
        chunks = sorted((by_id[c] for c in source.chunk_ids if c in by_id), key=lambda h: h.char_start)
        earlier_end, earlier_text = -1, ""
        for doc_start, text, body_offset in _segments(chunks):
            limit = min(len(text), len(source.text) - body_offset)
            if limit <= 0:
                break
            # the segment before ends where this one starts but for a paragraph break
            across = earlier_text if 0 <= doc_start - earlier_end <= PARAGRAPH_BREAK_CHARS else ""
            earlier_end, earlier_text = doc_start + len(text), text
            line_starts, leads, abouts = _lead_ins(text)
            for a, b in sentence_spans(text, 0, limit):
                alone = _line_start(text, a) and (b == len(text) or text[b:].lstrip(" \t")[:1] in ("\n", ""))
                bullet = BULLET.match(text[a:b].lstrip())
                alone = alone and not (bullet and not bullet.group(0)[0].isdigit())  # "3. Pricing" may be a heading
                a += _prefix_length(text[a:b])
                if b - a < MIN_SENTENCE_CHARS:
                    continue
                start = doc_start + a
                line = bisect_right(line_starts, a) - 1
                points_back = _points_back(text, line_starts[line], a)
                chunk = next((h for h in reversed(chunks) if h.char_start <= start), chunks[0])
                found.append(
                    Sentence(
                        n=source.n,
                        source=source,
                        text=text[a:b],
                        start=start,
                        end=doc_start + b,
                        chunk_id=chunk.chunk_id,
                        page=chunk.page_at(start),
                        rank=rank,
                        alone=alone,
                        lead_in=leads[line],
                        about=abouts[line],
                        before=_before(text, line_starts[line], a),
                        refers=_last_prose_line(text[: line_starts[line]]) if points_back else "",
                        # (on a segment's first line nothing is before it in the segment)
                        refers_across=_last_prose_line(across) if points_back and line == 0 else "",
                    )
                )
    return found


def _before(text: str, line_start: int, start: int) -> str:
    """The sentences before ``start`` on its line, without the line's bullet, at most BEFORE_CHARS."""
    line_start += _prefix_length(text[line_start:start])
    return text[max(line_start, start - BEFORE_CHARS) : start].strip()


# a line opening with one of these continues the line before it ("这一价格降幅达到了惊人的 91%！" after the
# prices it compares). Within a line, the sentences before one are its ``before`` already.
_ANAPHOR = re.compile(r"^(?:这一|这种|这些|这个|此|该|上述|以上)")
_PROSE_LINE = re.compile(r"[\u4e00-\u9fff]")


def _points_back(text: str, line_start: int, start: int) -> bool:
    """Whether the sentence at ``start`` opens its line with a pointer back ("这一…")."""
    return line_start == start - _prefix_length(text[line_start:start]) and bool(_ANAPHOR.match(text[start:]))


def _last_prose_line(text: str) -> str:
    """The end of ``text``'s last prose line (an image or a blank line after it is skipped), at most
    BEFORE_CHARS: the line a sentence pointing back refers to."""
    for line in reversed(text.splitlines()):
        if _PROSE_LINE.search(line):
            return line.strip()[-BEFORE_CHARS:]
    return ""


def _lead_ins(text: str) -> tuple[list[int], list[str], list[str]]:
    """Each line's start, the lead-in in effect on it and what its list is about.

    The lead-in is the run of lines of their own ending in a colon before it ("A: GPT-5 引入了多项特性:",
    then "核心特性:"), kept over the list items that follow and ended by any other line of its own (a
    heading, a paragraph). What a list is about is wider: the run's first lines also for a colon line
    after the list ("性能提升:", a sibling of "核心特性:") and its lists, and the line just before a list
    without a colon line ("所有国产大模型兼容 OpenAI 协议,只需换base_url"). Only the lead-in is part of
    what a list item says: sibling lists sharing a head would all read alike."""
    starts: list[int] = []
    leads: list[str] = []
    abouts: list[str] = []
    lead, chained = "", False  # chained: the last non-blank line was a lead-in itself
    head = ""  # the run's lines before its last: what its siblings after a list are about too
    previous = ""  # the last line of its own that was neither a lead-in nor a list item
    introduced = ""  # such a line just before the list in effect
    numbered = ""  # the last numbered item ("3. 语音模型"): the lead-in of the bulleted items under it
    position = 0
    for line in text.splitlines(keepends=True):
        starts.append(position)
        position += len(line)
        stripped = line.strip()
        bullet = BULLET.match(stripped)
        if bullet:
            if not lead and previous:
                introduced = previous[-LEAD_IN_CHARS:]
            chained, previous = False, ""  # a colon line after the list starts a lead-in of its own
        elif stripped:
            introduced, numbered = "", ""
        numbered_item = bullet is not None and bullet.group(0)[0].isdigit()
        leads.append(lead or (numbered if bullet and not numbered_item else ""))
        if bullet and numbered_item:
            numbered = stripped[bullet.end() :][-LEAD_IN_CHARS:]
        ends_run = bool(stripped) and not bullet and not stripped.endswith((":", "："))
        abouts.append("" if ends_run else f"{head} {introduced}".strip())
        if not stripped or bullet:
            continue
        if stripped.endswith((":", "：")):
            if chained:
                head = lead
                lead = f"{lead} {stripped}"[-LEAD_IN_CHARS:]
            else:
                lead = stripped[-LEAD_IN_CHARS:]
            chained, previous = True, ""
        else:
            lead, chained, head, previous = "", False, "", stripped
    return starts or [0], leads or [""], abouts or [""]


def _segments(chunks: list[SearchHit]) -> Iterator[tuple[int, str, int]]:
    """Runs of contiguous document text: ``(document offset, text, offset in the source body)``.
    Mirrors ``retrieval.context._Group.text``: a gap between chunks becomes one newline there."""
    if not chunks:
        return
    start, text, end = chunks[0].char_start, chunks[0].text, chunks[0].char_end
    body_offset = 0
    for hit in chunks[1:]:
        if hit.char_end <= end:
            continue
        if hit.char_start < end:
            text += hit.text[end - hit.char_start :]
        else:
            yield start, text, body_offset
            body_offset += len(text) + 1
            start, text = hit.char_start, hit.text
        end = hit.char_end
    yield start, text, body_offset


def _line_start(text: str, position: int) -> bool:
    before = text[:position].rstrip(" \t")
    return not before or before.endswith("\n")


def _prefix_length(sentence: str) -> int:
    """Leading spaces and a list bullet ("- ", "2. ") are not part of the quote."""
    stripped = sentence.lstrip()
    bullet = BULLET.match(stripped)
    return len(sentence) - len(stripped) + (bullet.end() if bullet else 0)


class SentenceMatcher:
    """How much of a question's or claim's vocabulary a sentence contains, with the same BM25
    tokenizer that search uses (stems English, segments Chinese into words, drops stop words)."""

    def __init__(self, lexical: LexicalEncoder) -> None:
        self.lexical = lexical
        self._cache: dict[str, frozenset[int]] = {}

    def terms(self, text: str) -> frozenset[int]:
        terms = self._cache.get(text)
        if terms is None:
            terms = frozenset(self.lexical.encode_query(text).indices)
            if len(self._cache) < 10_000:
                self._cache[text] = terms
        return terms

    def coverage(self, wanted: frozenset[int], sentence: Sentence) -> float:
        """The share of ``wanted`` terms the sentence contains."""
        return len(wanted & self.terms(sentence.text)) / len(wanted) if wanted else 0.0
