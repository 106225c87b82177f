"""``knowbase eval-moderation FILE.jsonl``: the configured moderator on labelled lines
``{"text", "flagged", "categories"?}``; prints accuracy, false-block rate and per-category
precision/recall as JSON."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from core.errors import InvalidInput
from core.providers.moderation import Moderator
from core.settings import Settings

MAX_LINES = 100_000


def add_command(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    command = sub.add_parser("eval-moderation", help="measure moderation on a labelled JSONL file")
    command.add_argument("file", type=Path, help='lines of {"text", "flagged", "categories"?}')
    command.set_defaults(handler=run_eval_moderation)


def load_cases(path: Path) -> list[dict[str, Any]]:
    if not path.is_file():
        raise InvalidInput(f"no such file: {path}")
    cases: list[dict[str, Any]] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            case = json.loads(line)
        except json.JSONDecodeError as error:
            raise InvalidInput(f"{path}:{number}: not JSON ({error.msg})") from error
        if (
            not isinstance(case, dict)
            or not isinstance(case.get("text"), str)
            or not isinstance(case.get("flagged"), bool)
        ):
            raise InvalidInput(f'{path}:{number}: expected {{"text": str, "flagged": bool, "categories"?: [str]}}')
        categories = case.get("categories")
        if categories is not None and not (
            isinstance(categories, list) and all(isinstance(c, str) for c in categories)
        ):
            raise InvalidInput(f"{path}:{number}: categories must be a list of strings")
        cases.append(case)
        if len(cases) > MAX_LINES:
            raise InvalidInput(f"{path}: more than {MAX_LINES} cases")
    if not cases:
        raise InvalidInput(f"{path}: no cases")
    return cases


def evaluate(moderator: Moderator, cases: list[dict[str, Any]]) -> dict[str, Any]:
    correct = false_blocks = benign = 0
    counts: dict[str, dict[str, int]] = {}
    for case in cases:
        result = moderator.check(case["text"])
        correct += result.flagged == case["flagged"]
        if not case["flagged"]:
            benign += 1
            false_blocks += result.flagged
        if "categories" not in case:
            continue
        expected, predicted = set(case["categories"]), set(result.flagged_categories)
        for name in expected | predicted:
            tally = counts.setdefault(name, {"tp": 0, "fp": 0, "fn": 0})
            tally["tp" if name in expected and name in predicted else "fp" if name in predicted else "fn"] += 1
    per_category = {
        name: {
            "support": t["tp"] + t["fn"],
            "precision": round(t["tp"] / (t["tp"] + t["fp"]), 4) if t["tp"] + t["fp"] else None,
            "recall": round(t["tp"] / (t["tp"] + t["fn"]), 4) if t["tp"] + t["fn"] else None,
        }
        for name, t in sorted(counts.items())
    }
    return {
        "cases": len(cases),
        "accuracy": round(correct / len(cases), 4),
        "false_block_rate": round(false_blocks / benign, 4) if benign else None,
        "false_blocks": false_blocks,
        "benign": benign,
        "per_category": per_category,
    }


def run_eval_moderation(args: argparse.Namespace, settings: Settings) -> int:
    from api.runtime import Runtime

    cases = load_cases(args.file)
    print(json.dumps(evaluate(Runtime(settings).moderator, cases), ensure_ascii=False, indent=2))
    return 0
