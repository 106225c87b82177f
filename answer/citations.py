"""Citations: every ``[n]`` in an answer must name a source of the context and be supported by a
sentence of that source. Quotes are verbatim spans of the document's extracted text.

Extractive answers cite the sentences they quote (known source and offsets). For LLM answers each
claim is matched against the same sentences (``answer.sentences``) with the same measure, and the
quote must state every key fact of the claim (``answer.facts``); markers no sentence supports are
removed from the answer and reported. Claims the model left without a marker are attributed by
the server afterwards (``answer.attribution``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pydantic import BaseModel

from answer.facts import missing_facts
from answer.sentences import BULLET, Sentence, SentenceMatcher
from core.text import sentence_spans

MARKER = re.compile(r"\[(\d{1,3}(?:\s*[,，、]\s*\d{1,3})*)\]|【(\d{1,3})】")
SUPPORT_THRESHOLD = 0.5  # share of the claim's terms the quoted sentence must contain


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
    attributed: bool = False  # the model wrote no marker for it: the server found the quote

    @classmethod
    def of(cls, sentence: Sentence, *, attributed: bool = False) -> Citation:
        return cls(
            n=sentence.n,
            document_id=sentence.source.document_id,
            title=sentence.source.title,
            source=sentence.source.source,
            page=sentence.page,
            quote=sentence.text,
            start=sentence.start,
            end=sentence.end,
            chunk_id=sentence.chunk_id,
            attributed=attributed,
        )


@dataclass
class CheckedAnswer:
    text: str
    citations: list[Citation]
    dropped: list[int]  # numbers of removed markers: unknown source, or no quote supports that claim
    unsupported: list[str] = field(default_factory=list)  # claims with key facts that no source states


def quoted_citations(answer: str, quoted: list[Sentence]) -> CheckedAnswer:
    """An extractive answer: one citation per source, its first (best) quoted sentence."""
    first: dict[int, Sentence] = {}
    for sentence in quoted:
        first.setdefault(sentence.n, sentence)
    return CheckedAnswer(answer, [Citation.of(first[n]) for n in sorted(first)], [])


def check_citations(answer: str, sentences: list[Sentence], matcher: SentenceMatcher) -> CheckedAnswer:
    by_n: dict[int, list[Sentence]] = {}
    for candidate in sentences:
        by_n.setdefault(candidate.n, []).append(candidate)
    claims = claims_of(answer)
    best: dict[int, tuple[float, Sentence]] = {}
    dropped: list[int] = []
    removals: list[tuple[int, int, str]] = []  # marker spans to rewrite

    for match in MARKER.finditer(answer):
        numbers = [int(x) for x in re.split(r"\s*[,，、]\s*", match.group(1) or match.group(2))]
        claim = _claim_for(claims, match.start())
        wanted = matcher.terms(claim)
        kept = []
        for n in numbers:
            scored = [
                (score, s)
                for s in by_n.get(n, [])
                if (score := matcher.coverage(wanted, s)) >= SUPPORT_THRESHOLD and not missing_facts(claim, s.text)
            ]
            if not scored:
                dropped.append(n)  # an unknown source, or none of its sentences states the claim's words and facts
                continue
            score, sentence = max(scored, key=lambda item: item[0])
            kept.append(n)
            if n not in best or score > best[n][0]:
                best[n] = (score, sentence)
        replacement = "".join(f"[{n}]" for n in kept)
        if replacement != match.group(0):
            removals.append((match.start(), match.end(), replacement))

    text = answer
    for start, end, replacement in reversed(removals):
        text = text[:start] + replacement + text[end:]
    text = re.sub(r"[ \t]+([。.,，;；!?！？])", r"\1", text) if removals else text
    return CheckedAnswer(text, [Citation.of(best[n][1]) for n in sorted(best)], sorted(dropped))


def claims_of(answer: str) -> list[tuple[int, int, str]]:
    """Each sentence of the answer (its span) with its markers and list bullet ("- ", "2. ") removed."""
    return [(a, b, BULLET.sub("", MARKER.sub("", answer[a:b]).strip(), count=1)) for a, b in sentence_spans(answer)]


def claim_index(claims: list[tuple[int, int, str]], position: int) -> int | None:
    """The claim a marker at ``position`` belongs to; a marker alone (on its line, or after the full
    stop) cites the sentence before."""
    for index, (start, end, text) in enumerate(claims):
        if start <= position < end or (
            position >= end and (index + 1 == len(claims) or position < claims[index + 1][0])
        ):
            return index if text or not index else index - 1
    return len(claims) - 1 if claims else None


def _claim_for(claims: list[tuple[int, int, str]], position: int) -> str:
    index = claim_index(claims, position)
    return "" if index is None else claims[index][2]
