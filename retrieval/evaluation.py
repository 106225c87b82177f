"""Retrieval metrics over datasets in the ``shared/eval`` layout:
``corpus.jsonl`` {id,title,text}, ``queries.jsonl`` {id,text}, ``qrels.tsv`` (query-id corpus-id score)
and, for QA sets, ``answers.jsonl`` {id, answers}."""

from __future__ import annotations

import csv
import json
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

_SPACE = re.compile(r"\s+")


@dataclass
class Dataset:
    name: str
    corpus: list[dict[str, Any]]
    queries: list[dict[str, Any]]
    qrels: dict[str, dict[str, int]]
    answers: dict[str, list[str]] = field(default_factory=dict)


def _jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def load_dataset(folder: Path) -> Dataset:
    qrels: dict[str, dict[str, int]] = {}
    with (folder / "qrels.tsv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            qrels.setdefault(row["query-id"], {})[row["corpus-id"]] = int(row["score"])
    answers = {}
    if (folder / "answers.jsonl").exists():
        answers = {row["id"]: row["answers"] for row in _jsonl(folder / "answers.jsonl")}
    queries = [q for q in _jsonl(folder / "queries.jsonl") if q["id"] in qrels]
    return Dataset(folder.name, _jsonl(folder / "corpus.jsonl"), queries, qrels, answers)


def cross_lingual(questions: Dataset, passages: Dataset) -> Dataset:
    """The questions (and judgements) of one parallel set against the passages of the other (same
    passage ids, e.g. XQuAD en/zh); gold answers come from the passages' side, in their language."""
    answers = {q["id"]: passages.answers[q["id"]] for q in questions.queries if q["id"] in passages.answers}
    return Dataset(passages.name, passages.corpus, questions.queries, questions.qrels, answers)


def restrict_to(dataset: Dataset, passage_ids: set[str]) -> Dataset:
    """Only the queries whose relevant passages are all among ``passage_ids`` (partial-corpus runs)."""
    queries = [q for q in dataset.queries if set(dataset.qrels.get(q["id"], {})) <= passage_ids]
    return Dataset(dataset.name, dataset.corpus, queries, dataset.qrels, dataset.answers)


def ndcg_at(ranked: list[str], relevant: dict[str, int], k: int = 10) -> float:
    dcg = sum(relevant.get(doc, 0) / math.log2(rank + 2) for rank, doc in enumerate(ranked[:k]))
    ideal = sorted(relevant.values(), reverse=True)[:k]
    idcg = sum(grade / math.log2(rank + 2) for rank, grade in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def recall_at(ranked: list[str], relevant: dict[str, int], k: int) -> float:
    wanted = {doc for doc, grade in relevant.items() if grade > 0}
    return len(wanted & set(ranked[:k])) / len(wanted) if wanted else 0.0


def mrr_at(ranked: list[str], relevant: dict[str, int], k: int = 10) -> float:
    for rank, doc in enumerate(ranked[:k]):
        if relevant.get(doc, 0) > 0:
            return 1.0 / (rank + 1)
    return 0.0


def answer_in(texts: Iterable[str], answers: list[str]) -> bool:
    """A gold answer appears in one of the texts (whitespace-insensitive, as extraction may reflow)."""
    gold = [_SPACE.sub("", a) for a in answers if a.strip()]
    return any(g in _SPACE.sub("", text) for text in texts for g in gold)


def distinct(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


@dataclass
class MetricTotals:
    queries: int = 0
    sums: dict[str, float] = field(default_factory=dict)

    def add(self, **values: float) -> None:
        for name, value in values.items():
            self.sums[name] = self.sums.get(name, 0.0) + value

    def means(self) -> dict[str, float]:
        return {name: round(total / self.queries, 4) for name, total in self.sums.items()} if self.queries else {}


def score_query(
    totals: MetricTotals,
    ranked_documents: list[str],
    chunk_texts: list[str],
    relevant: dict[str, int],
    answers: list[str] | None,
) -> None:
    totals.queries += 1
    totals.add(
        ndcg_at_10=ndcg_at(ranked_documents, relevant, 10),
        recall_at_1=recall_at(ranked_documents, relevant, 1),
        recall_at_5=recall_at(ranked_documents, relevant, 5),
        recall_at_10=recall_at(ranked_documents, relevant, 10),
        mrr_at_10=mrr_at(ranked_documents, relevant, 10),
    )
    if answers:
        totals.add(
            answer_in_top_1=float(answer_in(chunk_texts[:1], answers)),
            answer_in_top_5=float(answer_in(chunk_texts[:5], answers)),
            answer_in_top_10=float(answer_in(chunk_texts[:10], answers)),
        )
