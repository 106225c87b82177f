"""The answer without an LLM (or when it fails): the sources' sentences that best match the
question, each followed by its ``[n]``. The chosen sentences are the citations."""

from __future__ import annotations

from dataclasses import dataclass, field

from answer.prompts import NO_ANSWER, language_of
from answer.sentences import Sentence, SentenceMatcher

EXTRACTIVE_LEAD = {"en": "From the documents:", "zh": "以下内容摘自相关文档："}
MIN_OVERLAP = 0.25  # share of the question's terms a sentence must contain to be quoted
MAX_SENTENCES = 3
MAX_PER_SOURCE = 2
RANK_BONUS = 0.05  # breaks near-ties in favour of better-ranked sources


@dataclass
class Extract:
    text: str
    answered: bool
    quoted: list[Sentence] = field(default_factory=list)  # in the order they appear in ``text``


class ExtractiveAnswerer:
    def __init__(self, matcher: SentenceMatcher) -> None:
        self.matcher = matcher

    def answer(self, question: str, sentences: list[Sentence]) -> Extract:
        language = language_of(question)
        wanted = self.matcher.terms(question)
        scored: list[tuple[float, Sentence]] = []
        for sentence in sentences:
            overlap = self.matcher.coverage(wanted, sentence)
            if overlap >= MIN_OVERLAP:
                scored.append((overlap + RANK_BONUS / (sentence.rank + 1), sentence))
        chosen: list[Sentence] = []
        per_source: dict[int, int] = {}
        for _, sentence in sorted(scored, key=lambda s: -s[0]):
            if per_source.get(sentence.n, 0) >= MAX_PER_SOURCE or any(sentence.text == c.text for c in chosen):
                continue
            chosen.append(sentence)
            per_source[sentence.n] = per_source.get(sentence.n, 0) + 1
            if len(chosen) == MAX_SENTENCES:
                break
        if not chosen:
            return Extract(NO_ANSWER[language], answered=False)
        lines = [f"- {sentence.text} [{sentence.n}]" for sentence in chosen]
        return Extract(EXTRACTIVE_LEAD[language] + "\n" + "\n".join(lines), answered=True, quoted=chosen)
