"""The answer without an LLM (or when it fails): the sources' sentences that best match the
question, each followed by its ``[n]``. The chosen sentences are the citations."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from answer.prompts import NO_ANSWER, language_of
from answer.scoring import SEMANTIC_WEIGHT, Scored, SentenceScorer
from answer.semantic import QuerySideSimilarity, SemanticSimilarity
from answer.sentences import Sentence, SentenceMatcher
from core.providers.glossary import Glossary

EXTRACTIVE_LEAD = {"en": "From the documents:", "zh": "以下内容摘自相关文档："}
# Calibrated with bench/extractive.py on SQuAD, CMRC and XQuAD dev (gold paragraph among 4 others vs 5
# others, 150 questions each): at 0.42, with both semantic terms, the answer contains a gold answer for
# 72% (en) / 72% (zh) / 83% (en questions, zh paragraphs) / 53% (zh over en), and it is no_answer for
# 99% / 98% / 93% / 95% of unanswerable questions (without the query-side term, at 0.4: 65% / 74% /
# 79% / 50% and 100% / 99% / 95% / 96%). 0.45 declines 1-2% more on dev and answers 4 fewer of 84
# article questions (bench.articles_qa); 0.4 declines 3% fewer on CMRC.
ANSWER_THRESHOLD = 0.42
# a sentence stating the price, size, address or acronym's meaning a question asks for, about its
# subject (Scored.states_asked_value), answers at a lower score: on dev it answers 0 more and declines
# 0-2 of 300 fewer per set (bench.extractive); over the five articles it answers 10 more of 108
# (bench.articles_qa, server). 0.2 → 0.15: 300 article questions +6 answered ("超大上下文:支持272K输入
# tokens" at 0.18), 1 fewer declined (kept by the "how many days" rule of answer.asked); dev answers the
# same, declines 7 of 2,100 fewer (0.17 alike)
VALUE_THRESHOLD = 0.15
FOLLOW_SHARE = 0.85  # a second or third quote must score at least this share of the best one
# ... or this share, for the first line stating the value asked for after lines that do not: the
# address line after the one saying what the tool is ("Tokenizer 工具地址：https://…"). On dev
# (bench.extractive, 300 per set) SQuAD answered 1 more, no other set changed; declining cannot change
VALUE_FOLLOW_SHARE = 0.7
# Up to three quotes, from any sources: two at most from one source (as until this release) left out the
# third of three close lines of one source; dev (bench.extractive, 300 per set) answers 9 more of 1,200
# without that cap (SQuAD +1, CMRC +5, en→zh +3, zh→en 0), declines the same; articles +1 of 564
MAX_SENTENCES = 3


@dataclass
class Extract:
    text: str
    answered: bool
    quoted: list[Sentence] = field(default_factory=list)  # in the order they appear in ``text``


class ExtractiveAnswerer:
    """Quotes the sentences that answer the question, best first, only while each clears the
    threshold (never padded); ``no_answer`` in the question's language when none does. Without
    ``semantic`` only lexical, question-type, structure and rank evidence is used."""

    def __init__(
        self,
        matcher: SentenceMatcher,
        threshold: float = ANSWER_THRESHOLD,
        semantic: SemanticSimilarity | None = None,
        semantic_weight: float = SEMANTIC_WEIGHT,
        glossary: Glossary | None = None,
        query_side: QuerySideSimilarity | None = None,
    ) -> None:
        self.matcher = matcher
        self.scorer = SentenceScorer(matcher, semantic, semantic_weight, glossary, query_side)
        self.threshold = threshold

    def answer(self, question: str, sentences: list[Sentence]) -> Extract:
        return self.select(question, self.scorer.score(question, sentences))

    def select(self, question: str, ranked: list[Scored], threshold: float | None = None) -> Extract:
        """The answer from candidates ranked best first (``threshold``: another than the calibrated one)."""
        threshold = self.threshold if threshold is None else threshold
        language = language_of(question)
        chosen: list[Scored] = []
        value_threshold = min(threshold, VALUE_THRESHOLD)
        best = ranked[0].score if ranked else 0.0
        for candidate in ranked:
            lead = chosen[0].score if chosen else best
            if candidate.score < value_threshold or candidate.score < VALUE_FOLLOW_SHARE * lead:
                break
            stated = any(c.states_asked_value for c in chosen)
            if candidate.score < FOLLOW_SHARE * lead and (stated or not candidate.states_asked_value):
                continue  # a line stating the value may still come
            if candidate.score < (value_threshold if candidate.states_asked_value else threshold):
                # under the threshold the best sentence does not answer; one close to it that states the
                # value asked for does ("272K tokens" just under "gpt-5-nano: 100万token上下文")
                continue
            if any(c.display == candidate.display for c in chosen):
                continue
            chosen.append(candidate)
            if len(chosen) == MAX_SENTENCES:
                break
        if not chosen:
            return Extract(NO_ANSWER[language], answered=False)
        chosen = _with_antecedents(_with_continuations(chosen, ranked, threshold), ranked)
        lines = [f"- {c.display} [{c.sentence.n}]" for c in chosen]
        quoted = [c.sentence for c in chosen]
        return Extract(EXTRACTIVE_LEAD[language] + "\n" + "\n".join(lines), answered=True, quoted=quoted)


def _with_continuations(chosen: list[Scored], ranked: list[Scored], threshold: float) -> list[Scored]:
    """Each quote followed by the line pointing back to it ("这一价格降幅达到了惊人的 91%" after the line
    with the two prices) when that line clears the threshold on its own: it finishes the quoted
    statement, however far under the quote's score its few words of the question leave it."""
    result: list[Scored] = []
    room = MAX_SENTENCES - len(chosen)
    for quote in chosen:
        result.append(quote)
        if room <= 0:
            continue  # no room for a continuation: not worth looking for one
        said = quote.sentence.text.strip()
        continuation = next(
            (
                candidate
                for candidate in ranked
                if candidate.score >= threshold
                and candidate.sentence.refers
                and candidate.sentence.n == quote.sentence.n
                and said.endswith(candidate.sentence.refers)
                and all(candidate.display != c.display for c in [*chosen, *result])
            ),
            None,
        )
        if continuation is not None:
            result.append(continuation)
            room -= 1
    return result


# a pointer back inside a sentence ("超过该限制", "this limit"): what it points to is the sentence before
_POINTER = re.compile(
    r"(?<!应)该(?=[\u4e00-\u9fff])|(?<![因如彼从由就与])此(?![外时前后])(?=[\u4e00-\u9fff])|这一|这些|这个|这种|上述|"
    r"^(?:this|these|that|those|it|its|they|their)\b",
    re.IGNORECASE,
)


def _with_antecedents(chosen: list[Scored], ranked: list[Scored]) -> list[Scored]:
    """Each quote pointing back ("如果当月 API 使用金额超过该限制，OpenAI 会停止…") preceded by the
    sentence it points to ("…每个月的最大消费总金额，默认为 120 美元。"), when that one may be quoted:
    the quote says what happens at a limit, its antecedent what the limit is."""
    result: list[Scored] = []
    room = MAX_SENTENCES - len(chosen)
    for quote in chosen:
        sentence = quote.sentence
        before = sentence.before or sentence.refers
        if room > 0 and before and _POINTER.search(sentence.text):
            antecedent = next(
                (
                    candidate
                    for candidate in ranked
                    if candidate.sentence.n == sentence.n
                    and candidate.sentence.end <= sentence.start
                    and before.endswith(candidate.sentence.text.strip())
                    and all(candidate.display != c.display for c in [*chosen, *result])
                ),
                None,
            )
            if antecedent is not None:
                result.append(antecedent)
                room -= 1
        result.append(quote)
    return result
