import json
import math
from pathlib import Path

import pytest

from api.cli import main
from retrieval.evaluation import answer_in, mrr_at, ndcg_at, recall_at

pytestmark = pytest.mark.unit


def test_metrics_by_hand() -> None:
    relevant = {"a": 1, "b": 2}
    assert ndcg_at(["b", "a", "x"], relevant) == pytest.approx(1.0)
    expected = (1 / math.log2(3)) / (2 + 1 / math.log2(3))
    assert ndcg_at(["x", "a"], relevant) == pytest.approx(expected)
    assert recall_at(["x", "a", "b"], relevant, 2) == 0.5
    assert mrr_at(["x", "y", "b"], relevant) == pytest.approx(1 / 3)
    assert mrr_at(["x"] * 10 + ["a"], relevant) == 0.0
    assert answer_in(["年假 为十五天"], ["年假为十五天"]) and not answer_in(["nothing"], ["x"])


def _dataset(folder: Path) -> Path:
    folder.mkdir()
    passages = {
        "p1": ("Annual leave", "Employees receive fifteen days of paid annual leave each year."),
        "p2": ("Expenses", "Expense claims must be filed within thirty days with receipts."),
        "p3": ("年假", "员工每年享有十五天带薪年假，可以结转五天。"),
        "p4": ("Canteen", "The canteen serves lunch from noon until two."),
    }
    queries = {
        "q1": ("How many days of annual leave?", "p1", "fifteen days"),
        "q2": ("报销期限是多久", "p2", "thirty days"),
        "q3": ("年假可以结转几天？", "p3", "五天"),
        "q4": ("When is lunch served?", "p4", "noon"),
    }
    (folder / "corpus.jsonl").write_text(
        "\n".join(json.dumps({"id": k, "title": t, "text": x}) for k, (t, x) in passages.items())
    )
    (folder / "queries.jsonl").write_text(
        "\n".join(json.dumps({"id": k, "text": q}) for k, (q, _, _) in queries.items())
    )
    (folder / "qrels.tsv").write_text(
        "query-id\tcorpus-id\tscore\n" + "".join(f"{k}\t{p}\t1\n" for k, (_, p, _) in queries.items())
    )
    (folder / "answers.jsonl").write_text(
        "\n".join(json.dumps({"id": k, "answers": [a]}) for k, (_, _, a) in queries.items())
    )
    return folder


def test_eval_command_ingests_once_and_reports_metrics(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("KNOWBASE_DATA_DIR", str(tmp_path / "data"))
    folder = _dataset(tmp_path / "tiny")
    assert main(["eval", str(folder), "--mode", "hybrid,dense,lexical", "--fusion", "rrf,dbsf", "--json"]) == 0
    report = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert report["passages"] == 4 and report["queries"] == 4
    runs = {(r["mode"], r["fusion"]): r for r in report["runs"]}
    assert set(runs) == {("hybrid", "rrf"), ("hybrid", "dbsf"), ("dense", None), ("lexical", None)}
    assert runs[("hybrid", "rrf")]["recall_at_5"] == 1.0 and runs[("hybrid", "rrf")]["answer_in_top_5"] == 1.0
    assert 0 < runs[("hybrid", "rrf")]["ndcg_at_10"] <= 1
    # The second run reuses the scratch collection instead of ingesting again.
    assert main(["eval", str(folder), "--json"]) == 0
    again = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert again["passages"] == 4 and again["ingest_s"] < report["ingest_s"]
