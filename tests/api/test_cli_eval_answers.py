import json
from pathlib import Path

import pytest

from api.cli import main

pytestmark = pytest.mark.integration

PASSAGES = {
    "p1": (
        "Super Bowl 50 was won by the Denver Broncos, who beat the Carolina Panthers 24 to 10.",
        "第50届超级碗由丹佛野马队赢得，他们以24比10击败了卡罗来纳黑豹队。",
    ),
    "p2": (
        "The Amazon rainforest covers most of the Amazon basin of South America.",
        "亚马逊雨林覆盖了南美洲亚马逊盆地的大部分地区。",
    ),
    "p3": ("Oxygen is a chemical element with symbol O.", "氧是一种化学元素，符号为O。"),
}
QUESTIONS = {
    "q1": ("Who won Super Bowl 50?", "谁赢得了第50届超级碗？", "Denver Broncos", "丹佛野马队"),
    "q2": ("What does the Amazon rainforest cover?", "亚马逊雨林覆盖了什么？", "Amazon basin", "亚马逊盆地"),
    "q3": ("What is the airspeed of a swallow?", "燕子的飞行速度是多少？", "unknowable", "无法知道"),
}


def _write(folder: Path, language: int, with_answers: bool = True) -> Path:
    folder.mkdir(parents=True)
    rows = [{"id": k, "title": "", "text": v[language]} for k, v in PASSAGES.items()]
    (folder / "corpus.jsonl").write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows))
    queries = [{"id": k, "text": v[language]} for k, v in QUESTIONS.items()]
    (folder / "queries.jsonl").write_text("\n".join(json.dumps(q, ensure_ascii=False) for q in queries))
    (folder / "qrels.tsv").write_text("query-id\tcorpus-id\tscore\nq1\tp1\t1\nq2\tp2\t1\nq3\tp3\t1\n")
    if with_answers:
        answers = [{"id": k, "answers": [v[2 + language]]} for k, v in QUESTIONS.items()]
        (folder / "answers.jsonl").write_text("\n".join(json.dumps(a, ensure_ascii=False) for a in answers))
    return folder


@pytest.fixture
def environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("KNOWBASE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("KNOWBASE_EMBEDDING_PROVIDER", "fake")
    return tmp_path


def _report(capsys: pytest.CaptureFixture[str]) -> dict[str, object]:
    return json.loads(capsys.readouterr().out.strip().splitlines()[-1])  # type: ignore[no-any-return]


def test_eval_answers_same_language_and_cross_lingual(environment: Path, capsys: pytest.CaptureFixture[str]) -> None:
    english = _write(environment / "set_en", 0)
    chinese = _write(environment / "set_zh", 1)
    assert main(["eval-answers", str(english), "--sample", "0", "--json"]) == 0
    report = _report(capsys)
    assert report["questions"] == report["corpus"] == "set_en" and report["sample"] == 3
    # q1 and q2 are quoted from their passages; nothing in the corpus answers q3
    assert report["answer_contains_gold"] == pytest.approx(0.667, abs=0.001)
    assert report["no_answer_rate"] == pytest.approx(0.333, abs=0.001)
    assert 0 < float(report["token_f1"]) < float(report["answer_contains_gold"])  # type: ignore[arg-type]

    # English questions over the Chinese corpus, judged against the Chinese gold answers
    assert main(["eval-answers", str(english), "--cross-lingual", str(chinese), "--sample", "2", "--json"]) == 0
    report = _report(capsys)
    assert report["questions"] == "set_en" and report["corpus"] == "set_zh" and report["sample"] == 2
    assert set(report) >= {"answer_contains_gold", "token_f1", "no_answer_rate", "answer_ms_mean"}


def test_eval_answers_refuses_sets_without_answers_and_bad_samples(
    environment: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bare = _write(environment / "bare", 0, with_answers=False)
    assert main(["eval-answers", str(bare)]) == 1
    assert "bare has no answers.jsonl" in capsys.readouterr().out
    english = _write(environment / "set_en", 0)
    assert main(["eval-answers", str(english), "--sample", "-1"]) == 1
    assert "--sample must be between 0 and 100000" in capsys.readouterr().out
    assert main(["eval-answers", str(environment / "missing")]) == 1
    assert "No such file" in capsys.readouterr().out


def test_samples_are_fixed_and_subsets_keep_every_gold_passage(environment: Path) -> None:
    from api.cli_eval_answers import corpus_subset, sample_questions
    from retrieval.evaluation import load_dataset

    dataset = load_dataset(_write(environment / "set_en", 0))
    first = sample_questions(dataset, dataset.answers, 2)
    assert first == sample_questions(dataset, dataset.answers, 2) and len(first) == 2
    assert len(sample_questions(dataset, {"q1": ["x"], "q2": []}, 0)) == 1  # only questions with answers
    gold = {next(iter(dataset.qrels[q["id"]])) for q in first}
    subset = corpus_subset(dataset, first, 1)
    assert {p["id"] for p in subset.corpus} == gold  # the limit never drops a gold passage
    assert [p["id"] for p in corpus_subset(dataset, first, 3).corpus][:2] == [
        p["id"] for p in dataset.corpus if p["id"] in gold
    ]
    assert corpus_subset(dataset, first, None) is dataset
