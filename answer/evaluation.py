"""Answer-level metrics for QA sets: does the extractive answer contain a gold answer, its token F1
against the best gold answer (SQuAD's normalisation; every Chinese character is one token, as in
the CMRC evaluation), and how often it answered ``no_answer``."""

from __future__ import annotations

import re
import string
from collections import Counter
from dataclasses import dataclass

from answer.extractive import Extract

_ARTICLES = re.compile(r"\b(a|an|the)\b")
_TOKEN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]|[^\W_]+")
_SPACE = re.compile(r"\s+")
_PUNCTUATION = frozenset(string.punctuation + "，。、；：？！“”‘’（）《》【】—…·「」『』")


def answer_tokens(text: str) -> list[str]:
    """Lower-cased words without punctuation or English articles; each CJK character apart."""
    lowered = "".join(" " if c in _PUNCTUATION else c for c in text.lower())
    return _TOKEN.findall(_ARTICLES.sub(" ", lowered))


def token_f1(prediction: str, gold: str) -> float:
    predicted, expected = answer_tokens(prediction), answer_tokens(gold)
    common = sum((Counter(predicted) & Counter(expected)).values())
    if not common:
        return 0.0
    precision, recall = common / len(predicted), common / len(expected)
    return 2 * precision * recall / (precision + recall)


def best_f1(prediction: str, golds: list[str]) -> float:
    return max((token_f1(prediction, g) for g in golds), default=0.0)


def contains_gold(prediction: str, golds: list[str]) -> bool:
    """A gold answer appears in the prediction, ignoring case and whitespace (quotes may reflow)."""
    squeezed = _SPACE.sub("", prediction).lower()
    return any(g.strip() and _SPACE.sub("", g).lower() in squeezed for g in golds)


def quoted_text(extract: Extract) -> str:
    """What the answer quotes, without its lead line and ``[n]`` markers: the text F1 is measured on."""
    return " ".join(s.text for s in extract.quoted)


@dataclass
class AnswerTotals:
    questions: int = 0
    answered: int = 0
    contained: int = 0
    f1_sum: float = 0.0

    def add(self, extract: Extract, golds: list[str]) -> None:
        self.questions += 1
        if not extract.answered:
            return  # no_answer on an answerable question: contains nothing, F1 0
        self.answered += 1
        quoted = quoted_text(extract)
        self.contained += contains_gold(extract.text, golds)
        self.f1_sum += best_f1(quoted, golds)

    def means(self) -> dict[str, float]:
        n = max(self.questions, 1)
        return {
            "answer_contains_gold": round(self.contained / n, 3),
            "token_f1": round(self.f1_sum / n, 3),
            "no_answer_rate": round((self.questions - self.answered) / n, 3),
        }
