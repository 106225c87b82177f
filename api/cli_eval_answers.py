"""``knowbase eval-answers DIR``: the extractive answer's quality on a QA set (``answers.jsonl``),
through the same retrieval, context and answerer the chat uses without an LLM.

``--cross-lingual PARALLEL_DIR`` asks DIR's questions over PARALLEL_DIR's corpus (same question
ids, e.g. XQuAD en/zh) and judges against PARALLEL_DIR's gold answers, which are in the corpus's
language. ``--sample N`` evaluates N questions drawn with a fixed seed; ``--max-documents M`` ingests
only M passages, the sampled questions' gold passages always among them.
"""

from __future__ import annotations

import argparse
import json
import random
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from answer.evaluation import AnswerTotals
from answer.sentences import source_sentences
from api.cli_eval import _ingest
from api.cli_ingest import local_principal
from api.progress import ProgressBar
from core.errors import InvalidInput, KnowbaseError
from core.settings import Settings
from retrieval.evaluation import Dataset, load_dataset

SAMPLE_SEED = 7
MAX_SAMPLE = 100_000


def add_command(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    command = sub.add_parser("eval-answers", help="measure extractive answer quality on a QA dataset")
    command.add_argument("folder", type=Path)
    command.add_argument(
        "--cross-lingual", type=Path, default=None, metavar="PARALLEL_DIR", help="answer over this parallel corpus"
    )
    command.add_argument("--sample", type=int, default=200, help="questions to evaluate (fixed seed; 0 = all)")
    command.add_argument("--max-documents", type=int, default=None, help="ingest only N passages (golds included)")
    command.add_argument("--json", action="store_true")
    command.set_defaults(handler=run_eval_answers)


def sample_questions(questions: Dataset, answers: dict[str, list[str]], size: int) -> list[dict[str, Any]]:
    """``size`` questions that have gold answers, drawn with a fixed seed (all of them for 0)."""
    if not 0 <= size <= MAX_SAMPLE:
        raise InvalidInput(f"--sample must be between 0 and {MAX_SAMPLE}")
    usable = [q for q in questions.queries if answers.get(q["id"])]
    if size and size < len(usable):
        usable = random.Random(SAMPLE_SEED).sample(usable, size)
    return usable


def corpus_subset(corpus: Dataset, questions: list[dict[str, Any]], limit: int | None) -> Dataset:
    """The corpus with the questions' gold passages first, so ``limit`` never drops one."""
    if limit is None:
        return corpus
    gold = {doc for q in questions for doc, grade in corpus.qrels.get(q["id"], {}).items() if grade > 0}
    ordered = [p for p in corpus.corpus if p["id"] in gold] + [p for p in corpus.corpus if p["id"] not in gold]
    return replace(corpus, corpus=ordered[: max(limit, len(gold))])


def run_eval_answers(args: argparse.Namespace, settings: Settings) -> int:
    from api.wiring import build_services

    try:
        questions = load_dataset(args.folder)
        corpus = load_dataset(args.cross_lingual) if args.cross_lingual else questions
        if not corpus.answers:
            raise InvalidInput(f"{corpus.name} has no answers.jsonl: answer-level evaluation needs gold answers")
        chosen = sample_questions(questions, corpus.answers, args.sample)
    except (KnowbaseError, OSError) as error:
        print(f"knowbase: {getattr(error, 'message', error)}")
        return 1
    # the answer without an LLM, whatever the configuration says
    services = build_services(settings.model_copy(update={"llm_base_url": ""}))
    services.bootstrap()
    try:
        principal = local_principal(services)
        collection = f"eval-{corpus.name}".replace("_", "-")
        _ingest(services, principal, corpus_subset(corpus, chosen, args.max_documents), collection, None)
        chat = services.chat.get()
        totals = AnswerTotals()
        bar = ProgressBar(len(chosen), "answers ")
        began = time.perf_counter()
        for number, query in enumerate(chosen, 1):
            retrieved = chat.fetcher.fetch(principal, query["text"], [], collection)
            sentences = source_sentences(retrieved.context, retrieved.hits)
            totals.add(chat.extractive.answer(query["text"], sentences), corpus.answers[query["id"]])
            if number % 10 == 0 or number == len(chosen):
                bar.update(number)
        bar.close()
        elapsed = time.perf_counter() - began
    except KnowbaseError as error:
        print(f"knowbase: {error.message}")
        return 1
    finally:
        services.close()
    report = {
        "questions": questions.name,
        "corpus": corpus.name,
        "sample": totals.questions,
        **totals.means(),
        "answer_ms_mean": round(elapsed / max(totals.questions, 1) * 1000, 1),
    }
    if args.json:
        print(json.dumps(report, ensure_ascii=False))
    else:
        print(f"\n{report['questions']} questions over {report['corpus']} ({report['sample']} sampled)")
        print("  " + "  ".join(f"{k}={v}" for k, v in report.items() if k not in ("questions", "corpus", "sample")))
    return 0
