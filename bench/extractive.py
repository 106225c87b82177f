"""Calibrates the extractive answerer on SQuAD and CMRC dev: for each question its gold paragraph
among 4 random others (answerable) and 5 random others (unanswerable). Prints JSON: how often the
answer contains a gold answer, and the ``no_answer`` rates, per language and threshold.

    python -m bench.extractive [--limit 200] [--thresholds 0.3,0.4,0.5]
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

from answer.extractive import ExtractiveAnswerer
from answer.sentences import SentenceMatcher, source_sentences
from core.providers.lexical import LexicalEncoder
from retrieval.context import ContextAssembler
from retrieval.search import SearchHit

EVAL = Path(__file__).resolve().parent.parent.parent / "shared" / "eval"
SETS = {"en": "squad11_dev", "zh": "cmrc2018_dev"}


def _jsonl(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _hit(index: int, paragraph: dict[str, object]) -> SearchHit:
    text = str(paragraph["text"])
    return SearchHit(
        chunk_id=f"c{index}",
        document_id=str(paragraph["id"]),
        collection="eval",
        title=str(paragraph.get("title", "")),
        source=str(paragraph["id"]),
        page=None,
        pages=[],
        heading="",
        text=text,
        score=1.0 - index / 10,
        chunk_index=0,
        version=1,
        char_start=0,
        char_end=len(text),
    )


def run(language: str, limit: int, thresholds: list[float]) -> dict[str, object]:
    folder = EVAL / SETS[language]
    corpus = {str(p["id"]): p for p in _jsonl(folder / "corpus.jsonl")}
    queries = {str(q["id"]): str(q["text"]) for q in _jsonl(folder / "queries.jsonl")}
    answers = {str(a["id"]): [str(x) for x in a["answers"]] for a in _jsonl(folder / "answers.jsonl")}  # type: ignore[attr-defined]
    gold = dict(line.split("\t")[:2] for line in (folder / "qrels.tsv").read_text().splitlines()[1:])
    rng = random.Random(7)
    ids = sorted(q for q in queries if q in gold and q in answers)
    rng.shuffle(ids)
    paragraph_ids = sorted(corpus)
    answerers = {t: ExtractiveAnswerer(SentenceMatcher(LexicalEncoder()), threshold=t) for t in thresholds}
    contains = dict.fromkeys(thresholds, 0)
    silent_answerable = dict.fromkeys(thresholds, 0)
    silent_unanswerable = dict.fromkeys(thresholds, 0)
    for query_id in ids[:limit]:
        others = [p for p in rng.sample(paragraph_ids, 6) if p != gold[query_id]]
        answerable = [gold[query_id], *others[:4]]
        rng.shuffle(answerable)
        for shown, unanswerable in ((answerable, False), (others[:5], True)):
            hits = [_hit(i, corpus[p]) for i, p in enumerate(shown)]
            sentences = source_sentences(ContextAssembler().assemble(hits, 100_000), hits)
            for threshold, answerer in answerers.items():
                extract = answerer.answer(queries[query_id], sentences)
                if unanswerable:
                    silent_unanswerable[threshold] += not extract.answered
                elif not extract.answered:
                    silent_answerable[threshold] += 1
                else:
                    contains[threshold] += any(a.lower() in extract.text.lower() for a in answers[query_id])
    n = min(limit, len(ids))
    return {
        str(t): {
            "answer_contains_gold": round(contains[t] / n, 3),
            "no_answer_on_answerable": round(silent_answerable[t] / n, 3),
            "no_answer_on_unanswerable": round(silent_unanswerable[t] / n, 3),
        }
        for t in thresholds
    } | {"questions": n}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--limit", type=int, default=200)
    parser.add_argument("--thresholds", default="0.3,0.4,0.5,0.6")
    args = parser.parse_args()
    thresholds = [float(t) for t in args.thresholds.split(",")]
    print(json.dumps({language: run(language, args.limit, thresholds) for language in SETS}, indent=2))


if __name__ == "__main__":
    main()
