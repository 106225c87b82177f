"""Citations for the claims an LLM left without a marker. Small models often answer correctly and
cite nothing; rather than return an answer with no sources, the server finds them.

Runs on the answer after ``check_citations``, so every marker still in the text is verified and a
claim whose markers were all dropped counts as unmarked. For each unmarked claim (a sentence of the
answer):

- **with key facts** (numbers, amounts, dates, versions, codes, proper names — ``answer.facts``):
  the best sentence of the sources that states every fact and shares at least ``SUPPORT_THRESHOLD``
  of the claim's terms — the same test a marker passes, except that a name may also be the
  document's title, heading or file name ("According to the Travel Policy, …") — is its quote. No such sentence: the claim
  is listed in ``unsupported``, and the reader is shown that no source backs it.
- **without key facts**: words alone are weak evidence ("the policy applies to everyone" shares
  words with many sentences), so it is attributed only when one sentence holds at least
  ``LEXICAL_ONLY_THRESHOLD`` of at least ``MIN_LEXICAL_TERMS`` terms. Otherwise it stays
  unattributed but is *not* called unsupported: it states nothing the fact check could refute.
- Not claims at all: headings, lead-ins ending in a colon, list numbers, code blocks, table rules,
  and sentences saying the documents do not contain something.

An attributed claim gets its ``[n]`` inserted in the text, before its final punctuation, so the
numbers the reader sees match the citations. Citations stay one per source number: a source that a
verified marker already cites keeps that citation; a source cited only by the server gets one with
``attributed=True``.
"""

from __future__ import annotations

import re

from answer.citations import MARKER, SUPPORT_THRESHOLD, CheckedAnswer, Citation, claim_index, claims_of
from answer.facts import facts_of, missing_facts
from answer.sentences import Sentence, SentenceMatcher

LEXICAL_ONLY_THRESHOLD = 0.8  # share of a fact-free claim's terms one sentence must contain
MIN_LEXICAL_TERMS = 4  # fewer terms than this are too little evidence without facts
MIN_CLAIM_LETTERS = 5  # "1." or "Yes." is not a claim
_CODE_BLOCK = re.compile(r"```.*?(?:```|\Z)", re.S)
_NOT_A_CLAIM = re.compile(r"^\s*(?:#|\|?\s*:?-{3,})|[:：]\s*\**\s*$")
_ABOUT_THE_SOURCES = re.compile(  # "The documents do not mention …", "文档中没有提及…"
    r"\b(?:documents?|sources?|context|text|information)\b[^.!?]*(?:\bnot\b|n't\b|\bno\b)[^.!?]*"
    r"\b(?:contain|mention|say|state|provide|specify|include|cover|address|information|details?)"
    r"|\bno (?:information|mention|details?)\b|\b(?:could|can)(?:\s*not|n't) find\b"
    r"|(?:文档|资料|来源|上下文)[^。！？]*(?:没有|未|并未|不)(?:提及|提到|包含|说明|涉及|相关)|(?:没有|未)(?:找到|提及|提到)",
    re.IGNORECASE,
)
_TAIL = re.compile(r"(?:[.!?;。！？；…]+[\"'”’」』）)*_]*|\s*\|)\s*$")
_CJK = re.compile(r"[\u3400-\u9fff\uff00-\uffef]")


def attribute(checked: CheckedAnswer, sentences: list[Sentence], matcher: SentenceMatcher) -> CheckedAnswer:
    text = checked.text
    claims = claims_of(text)
    marked = {claim_index(claims, m.start()) for m in MARKER.finditer(text)}
    code = [m.span() for m in _CODE_BLOCK.finditer(text)]
    citations = {c.n: c for c in checked.citations}
    attributed: dict[int, tuple[float, Sentence]] = {}
    inserts: list[tuple[int, int]] = []  # (position in text, source number)
    unsupported: list[str] = []

    for index, (start, end, claim) in enumerate(claims):
        if index in marked or not is_claim(claim) or any(a <= start < b for a, b in code):
            continue
        cells = claim.replace("|", "\n")  # a table cell starts like a sentence: "| Days |" names nobody
        found = _support(cells, sentences, matcher)
        if found is None:
            if facts_of(cells) and claim not in unsupported:  # a repeated claim is listed once
                unsupported.append(claim)
            continue
        score, sentence = found
        inserts.append((_marker_position(text, start, end), sentence.n))
        if sentence.n not in citations and (sentence.n not in attributed or score > attributed[sentence.n][0]):
            attributed[sentence.n] = (score, sentence)

    for position, n in reversed(inserts):
        before = text[position - 1] if position else " "
        marker = f"[{n}]" if before.isspace() or _CJK.match(before) else f" [{n}]"
        text = text[:position] + marker + text[position:]
    citations.update({n: Citation.of(sentence, attributed=True) for n, (_, sentence) in attributed.items()})
    return CheckedAnswer(
        text, [citations[n] for n in sorted(citations)], checked.dropped, [*checked.unsupported, *unsupported]
    )


def is_claim(claim: str) -> bool:
    """A sentence of an answer that asserts something (not a heading, lead-in, list number, or a
    remark that the documents lack the answer)."""
    if sum(ch.isalpha() for ch in claim) < MIN_CLAIM_LETTERS or _NOT_A_CLAIM.search(claim):
        return False
    return not _ABOUT_THE_SOURCES.search(claim)


def _support(claim: str, sentences: list[Sentence], matcher: SentenceMatcher) -> tuple[float, Sentence] | None:
    """The sentence that best supports the claim, with its coverage; None when none is good enough."""
    wanted = matcher.terms(claim)
    has_facts = bool(facts_of(claim))
    if not has_facts and len(wanted) < MIN_LEXICAL_TERMS:
        return None
    threshold = SUPPORT_THRESHOLD if has_facts else LEXICAL_ONLY_THRESHOLD
    best: tuple[float, Sentence] | None = None
    for sentence in sentences:  # in context order: on a tie the better-ranked source wins
        score = matcher.coverage(wanted, sentence)
        if score < threshold or (best is not None and score <= best[0]):
            continue
        if has_facts and missing_facts(claim, stated_by(sentence)):
            continue
        best = (score, sentence)
    return best


def stated_by(sentence: Sentence) -> str:
    """What a quote states, for the fact check: the sentence, and the name of the document it is in
    ("According to the Employee Handbook, …" names the source, not a fact the quote must repeat)."""
    source = sentence.source
    return "\n".join((sentence.text, source.title, source.heading, source.source))


def _marker_position(text: str, start: int, end: int) -> int:
    """Before the claim's final punctuation (or a table row's closing bar), else at its end."""
    tail = _TAIL.search(text, start, end)
    return tail.start() if tail else end
