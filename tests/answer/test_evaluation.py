import pytest

from answer.evaluation import AnswerTotals, answer_tokens, best_f1, contains_gold, quoted_text, token_f1
from answer.extractive import Extract
from answer.sentences import Sentence
from retrieval.context import SourcePublic

pytestmark = pytest.mark.unit


def _extract(*quotes: str) -> Extract:
    text = " ".join(quotes)
    source = SourcePublic(
        n=1,
        document_id="d",
        title="",
        source="s",
        page=None,
        pages=[],
        heading="",
        chunk_ids=["c1"],
        char_start=0,
        char_end=len(text),
        text=text,
    )
    quoted = [Sentence(1, source, q, 0, len(q), "c1", None, 0) for q in quotes]
    answer = "From the documents:\n" + "\n".join(f"- {q} [1]" for q in quotes)
    return Extract(answer, answered=True, quoted=quoted)


def test_tokens_drop_case_punctuation_and_articles_and_split_chinese_into_characters() -> None:
    assert answer_tokens("The Denver Broncos, in 2016!") == ["denver", "broncos", "in", "2016"]
    assert answer_tokens("《红楼梦》作者是曹雪芹。") == ["红", "楼", "梦", "作", "者", "是", "曹", "雪", "芹"]
    assert answer_tokens("GPT-4 模型") == ["gpt", "4", "模", "型"]


def test_token_f1_counts_chinese_characters() -> None:
    assert token_f1("曹雪芹", "曹雪芹") == 1.0
    # 3 of 9 predicted characters are the 3 gold ones: precision 1/3, recall 1 -> F1 0.5
    assert token_f1("红楼梦作者是曹雪芹", "曹雪芹") == pytest.approx(0.5)
    assert token_f1("高鹗", "曹雪芹") == 0.0


def test_token_f1_english_and_best_of_several_golds() -> None:
    assert token_f1("the Denver Broncos", "Denver Broncos") == 1.0
    # prediction: denver broncos won (3), gold: broncos (1) -> precision 1/3, recall 1
    assert token_f1("Denver Broncos won", "Broncos") == pytest.approx(0.5)
    assert best_f1("Denver Broncos won", ["Carolina", "Denver Broncos"]) == pytest.approx(0.8)
    assert best_f1("anything", []) == 0.0
    assert token_f1("", "Broncos") == 0.0


def test_contains_gold_ignores_case_and_whitespace_but_not_empty_golds() -> None:
    assert contains_gold("It was won by the Denver\nBroncos.", ["denver broncos"])
    assert contains_gold("作者是曹 雪芹", ["曹雪芹"])
    assert not contains_gold("It was won by Carolina.", ["Denver Broncos", " "])


def test_totals_score_quotes_and_count_no_answer_as_a_miss() -> None:
    totals = AnswerTotals()
    answered = _extract("Super Bowl 50 was won by the Denver Broncos.")
    assert quoted_text(answered) == "Super Bowl 50 was won by the Denver Broncos."
    totals.add(answered, ["Denver Broncos"])
    totals.add(Extract("I could not find this in the documents.", answered=False), ["Denver Broncos"])
    totals.add(_extract("作者是曹雪芹。"), ["曹雪芹"])
    totals.add(_extract("Nothing relevant here."), ["Carolina"])
    means = totals.means()
    assert means["answer_contains_gold"] == 0.5
    assert means["no_answer_rate"] == 0.25
    # F1: 2 of 8 tokens (precision 1/4, recall 1 -> 0.4) and 3 of 6 characters (2/3), over 4
    assert means["token_f1"] == pytest.approx(round((0.4 + 2 / 3) / 4, 3))


def test_empty_totals_are_zero() -> None:
    assert AnswerTotals().means() == {"answer_contains_gold": 0.0, "token_f1": 0.0, "no_answer_rate": 0.0}
