"""Citation check: every ``[n]`` in an answer must name a given source, and the server finds the
quote in that source that supports the claim. Unsupported citations are removed from the answer
and reported; returned quotes are verbatim spans of the extracted document text."""

from __future__ import annotations

import re
from dataclasses import dataclass

from pydantic import BaseModel

from core.text import sentence_spans
from retrieval.context import SourcePublic
from retrieval.search import SearchHit

MARKER = re.compile(r"\[(\d{1,3}(?:\s*[,，、]\s*\d{1,3})*)\]|【(\d{1,3})】")
SUPPORT_THRESHOLD = 0.5


class Citation(BaseModel):
    n: int
    document_id: str
    title: str
    source: str
    page: int | None
    quote: str
    start: int  # character offsets of the quote in the document's extracted text
    end: int
    chunk_id: str


@dataclass
class CheckedAnswer:
    text: str
    citations: list[Citation]
    dropped: list[int]  # numbers of removed markers: unknown source, or no quote supports that claim


_WORD = re.compile(r"[a-z0-9]+")
_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+")
_STOP = frozenset(
    [
        "the",
        "a",
        "an",
        "of",
        "to",
        "in",
        "on",
        "at",
        "for",
        "and",
        "or",
        "but",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "it",
        "its",
        "this",
        "that",
        "these",
        "those",
        "with",
        "by",
        "from",
        "as",
        "they",
        "them",
        "their",
        "you",
        "your",
        "we",
        "our",
        "he",
        "she",
        "his",
        "her",
        "not",
        "no",
        "do",
        "does",
        "did",
        "have",
        "has",
        "had",
        "will",
        "would",
        "can",
        "could",
        "should",
        "may",
    ]
)


def terms(text: str) -> set[str]:
    """Words for Latin text, character bigrams for Chinese."""
    lowered = text.lower()
    found = {w for w in _WORD.findall(lowered) if len(w) > 1 and w not in _STOP}
    for run in _CJK_RUN.findall(lowered):
        found.update({run[i : i + 2] for i in range(len(run) - 1)} if len(run) > 1 else {run})
    return found


def support(claim: str, sentence: str) -> float:
    """The share of the claim's terms that the source sentence contains."""
    wanted = terms(claim)
    return len(wanted & terms(sentence)) / len(wanted) if wanted else 0.0


def _claims(answer: str) -> list[tuple[int, int, str]]:
    """Each sentence of the answer with its markers removed."""
    return [(a, b, MARKER.sub("", answer[a:b]).strip()) for a, b in sentence_spans(answer)]


def check_citations(answer: str, sources: list[SourcePublic], hits: list[SearchHit]) -> CheckedAnswer:
    by_n = {s.n: s for s in sources}
    chunks = {h.chunk_id: h for h in hits}
    claims = _claims(answer)
    best: dict[int, tuple[float, Citation]] = {}
    dropped: list[int] = []
    removals: list[tuple[int, int, str]] = []  # marker spans to rewrite

    for match in MARKER.finditer(answer):
        numbers = [int(x) for x in re.split(r"\s*[,，、]\s*", match.group(1) or match.group(2))]
        claim = _claim_for(claims, match.start())
        kept = []
        for n in numbers:
            citation, score = _supporting_quote(n, claim, by_n, chunks)
            if citation is None:
                dropped.append(n)
                continue
            kept.append(n)
            if n not in best or score > best[n][0]:
                best[n] = (score, citation)
        replacement = "".join(f"[{n}]" for n in kept)
        if replacement != match.group(0):
            removals.append((match.start(), match.end(), replacement))

    text = answer
    for start, end, replacement in reversed(removals):
        text = text[:start] + replacement + text[end:]
    text = re.sub(r"[ \t]+([。.,，;；!?！？])", r"\1", text) if removals else text
    return CheckedAnswer(text=text, citations=[best[n][1] for n in sorted(best)], dropped=sorted(dropped))


def _claim_for(claims: list[tuple[int, int, str]], position: int) -> str:
    for index, (start, end, text) in enumerate(claims):
        if start <= position < end or (
            position >= end and (index + 1 == len(claims) or position < claims[index + 1][0])
        ):
            if text:
                return text
            return claims[index - 1][2] if index else ""  # a marker alone on its line cites the sentence before
    return claims[-1][2] if claims else ""


def _supporting_quote(
    n: int, claim: str, by_n: dict[int, SourcePublic], chunks: dict[str, SearchHit]
) -> tuple[Citation | None, float]:
    source = by_n.get(n)
    if source is None or not claim:
        return None, 0.0
    best_score, best_citation = 0.0, None
    for chunk_id in source.chunk_ids:
        hit = chunks.get(chunk_id)
        if hit is None:
            continue
        for a, b in sentence_spans(hit.text):
            score = support(claim, hit.text[a:b])
            if score > best_score:
                quote = hit.text[a:b]
                best_score = score
                best_citation = Citation(
                    n=n,
                    document_id=source.document_id,
                    title=source.title,
                    source=source.source,
                    page=hit.page_at(hit.char_start + a),
                    quote=quote,
                    start=hit.char_start + a,
                    end=hit.char_start + b,
                    chunk_id=hit.chunk_id,
                )
    return (best_citation, best_score) if best_score >= SUPPORT_THRESHOLD else (None, best_score)
