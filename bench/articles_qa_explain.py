"""Why an articles-QA question fails, seen from inside: the sources of the extractive context, whether
the gold answer is in them, and the scorer's best sentences next to the gold one.

    python -m bench.articles_qa --keep            # prints data_dir
    python -m bench.articles_qa_explain DATA_DIR [zh04,en02,...]

Run it on a data directory no server is using (the embedded vector store is single-process).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from answer.sentences import source_sentences
from api.cli_ingest import local_principal
from api.wiring import build_services
from bench.articles_qa import QUESTIONS
from bench.qa_scoring import contains_gold
from core.settings import Settings

SHOWN = 3


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("data_dir", type=Path)
    parser.add_argument("ids", nargs="?", help="comma-separated question ids (default: all)")
    parser.add_argument("--questions", type=Path, default=QUESTIONS, help="a JSONL question set")
    args = parser.parse_args(argv)
    wanted = set(args.ids.split(",")) if args.ids else None
    items = [json.loads(line) for line in args.questions.read_text(encoding="utf-8").splitlines() if line.strip()]
    services = build_services(Settings(data_dir=args.data_dir, log_level="warning"))
    principal, chat = local_principal(services), services.chat.get()
    try:
        for item in items:
            if wanted and item["id"] not in wanted:
                continue
            retrieved = chat.fetcher.fetch(principal, item["question"], [], None)
            sentences = source_sentences(retrieved.context, retrieved.hits)
            scored = chat.extractive.scorer.score(item["question"], sentences)
            print(f"== {item['id']} {item['question']}")
            for source in retrieved.context.sources:
                holds = contains_gold(source.text, item["answers"]) if item["answerable"] else None
                print(f"   source [{source.n}] {source.source[:3]} {len(source.text)} chars, answer in it: {holds}")
            for rank, candidate in enumerate(scored):
                gold = item["answerable"] and contains_gold(candidate.display, item["answers"])
                if rank < SHOWN or gold:
                    mark = "GOLD" if gold else "    "
                    print(
                        f"   {mark} #{rank} {candidate.score:.3f} [{candidate.sentence.n}] {candidate.display[:120]!r}"
                    )
                if rank >= SHOWN and gold:
                    break
    finally:
        services.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
