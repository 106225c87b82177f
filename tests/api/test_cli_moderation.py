"""``knowbase eval-moderation``: the metrics and the input checks."""

import json
from pathlib import Path

import pytest

from api.cli_moderation import evaluate, load_cases
from core.errors import InvalidInput
from core.providers.moderation import ModerationResult

pytestmark = pytest.mark.unit


class KeywordModerator:
    def check(self, text: str) -> ModerationResult:
        hit = "kill" in text
        return ModerationResult(flagged=hit, categories={"violence": hit, "hate": False})


def test_metrics(tmp_path: Path) -> None:
    lines = [
        {"text": "I will kill you", "flagged": True, "categories": ["violence"]},
        {"text": "they are vermin", "flagged": True, "categories": ["hate"]},
        {"text": "kill the process", "flagged": False},
        {"text": "annual leave", "flagged": False, "categories": []},
    ]
    path = tmp_path / "cases.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n\n", encoding="utf-8")
    report = evaluate(KeywordModerator(), load_cases(path))
    assert report["cases"] == 4 and report["accuracy"] == 0.5
    assert report["false_block_rate"] == 0.5 and report["false_blocks"] == 1 and report["benign"] == 2
    assert report["per_category"]["violence"] == {"support": 1, "precision": 1.0, "recall": 1.0}
    assert report["per_category"]["hate"] == {"support": 1, "precision": None, "recall": 0.0}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not json\n", "not JSON"),
        ('{"text": "x"}\n', "expected"),
        ('{"text": "x", "flagged": true, "categories": "hate"}\n', "list"),
        ("\n", "no cases"),
    ],
)
def test_bad_files_are_refused_clearly(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InvalidInput, match=message):
        load_cases(path)
    with pytest.raises(InvalidInput, match="no such file"):
        load_cases(tmp_path / "missing.jsonl")
