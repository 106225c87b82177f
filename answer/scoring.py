"""How well a source sentence answers a question: the question's terms it contains weighted by how
rare they are among the candidates (words from the BM25 tokenizer, and character bigrams for
Chinese), how close it is in meaning (sentence embeddings, for the best lexical candidates), whether
it carries what the question asks for (a number, a date, a name: ``answer.kinds``), and the rank of
its source (how those weigh is ``answer.factors``'). Also: the shortest clause of a long sentence
that answers. What may be quoted at all is ``answer.quotable``'s, which statement of code answers
``answer.code``'s, how a table row is shown and picked ``answer.tables``'."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace
from functools import cache

import numpy as np

from answer.aliases import phrase_aliases, with_aliases
from answer.asked import unknown_acronyms
from answer.code import CodeQuestion, code_answer, with_statement
from answer.conversions import REVERSED, SAME, conversions, direction
from answer.factors import VARIANT_PENALTY, Asked
from answer.kinds import carries, names_in
from answer.names import mentions_all
from answer.quotable import announces_count, can_answer, prose_tail
from answer.semantic import QuerySideSimilarity, SemanticSimilarity
from answer.sentences import Sentence, SentenceMatcher
from answer.tables import TABLE_RULE, TableRow, is_table_line, other_rows, table_row
from core.providers.glossary import Glossary
from core.text import has_chinese, is_chinese

_CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")
_LATIN_WORD = re.compile(r"[a-z]+|\d+")
# also between the rows of a flattened table and the items of a list run into one line ("a - b - c")
_CLAUSE_END = re.compile(r"[，,；;：:、]\s*|\|\s+(?=\|)|\s[-•]\s")

MAX_QUOTE_CHARS = 200
LABEL_EVIDENCE = 0.6  # a list entry or table row labelled by the question's own number (error 429)
MIN_QUOTE_CHARS = 60  # a clause of a long line shorter than this is quoted with the next one
OTHER_ROW_PENALTY = VARIANT_PENALTY  # a row of the table the question names, not the row it names
# The semantic term: its share of the evidence, and the similarities mapped to 0 (unrelated
# sentences' median) and 1 (well above answering sentences' median), from SQuAD and CMRC dev.
SEMANTIC_WEIGHT = 0.35
SEMANTIC_FLOOR = 0.2
SEMANTIC_CEILING = 0.7
# A sentence in the other language than the question has little lexical evidence (shared names,
# numbers): it answers on meaning, with cross-lingual similarities (lower: answering sentences'
# median 0.36-0.41 on XQuAD dev, unrelated ones' 99th percentile 0.21-0.27) mapped the same way.
CROSS_LINGUAL_FLOOR = 0.15
CROSS_LINGUAL_CEILING = 0.5
# ... blended with the words the dictionary finds on both sides (CC-CEDICT glosses), at 0.65 meaning,
# and scaled so that the common threshold (0.4) stands for 0.35 on this blend. bench.extractive, XQuAD
# dev, 300 questions each way, answer contains gold / no_answer when unanswerable: en→zh 0.70 / 0.94
# (meaning or shared words, whichever is more) → 0.76 / 0.96; zh→en 0.49 / 0.96 → 0.49 / 0.97.
CROSS_LINGUAL_WEIGHT = 0.65
CROSS_LINGUAL_SCALE = 0.4 / 0.35
SEMANTIC_CANDIDATES = 32  # embedded per question: the cost bound
# The query-side model (e5) for the best candidates so far: its share of the evidence, and how far
# above the candidates' median similarity counts in full. e5's similarities are compressed (0.75-0.92
# on the articles); the answering sentence stood 0.04-0.10 above the median (bench.articles_qa).
# ~0.55 ms a token on 2 cores (a candidate is 10-90 tokens), cached by text: the cost bound. 24
# answered 2 more of 84 article questions at 0.45 but put the chat's p95 over 500 ms; 12 (or 8 with
# their median lowered by the 0.009 it stands above the 16's) answered 4-24 fewer of 780 and declined
# 0-2 fewer of 196 (held-out 31).
QUERY_SIDE_CANDIDATES = 16
# Past the best 8 a candidate only helps set the median, and its first 100 characters place it as
# well: the 31 article sets and the four dev sets answered the same, for 5% fewer tokens on average
# and up to a quarter when long English sentences are candidates.
QUERY_SIDE_WHOLE = 8
QUERY_SIDE_MEDIAN_CHARS = 100
QUERY_SIDE_WEIGHT = 0.5
QUERY_SIDE_SPREAD = 0.05
# A list item stating the value asked for keeps this share of its list's heading line's evidence
# (answer.scoring._inherit_headers): 0.6 to 1.0 answered the same 2 more of 276 article questions
# (bench.articles_qa offline) and declined the same
HEADER_SHARE = 0.8
NAMED_HOLDERS = 3  # a name more candidates state is what they are all about, not one thing they point to
# an acronym of the question no candidate knows; 0.5 declined 2 more of 148 article questions and answered the same
UNKNOWN_ACRONYM_PENALTY = 0.5
# a conversion the way the question asks ("audio into text": "语音转文字"), or the other way ("文字转语音")
DIRECTION_BONUS = 0.3
DIRECTION_PENALTY = 0.5
MIN_FOR_MEDIAN = 5  # fewer candidates have no meaningful median: the weighting is left out


@dataclass
class Scored:
    score: float
    sentence: Sentence  # the quoted span (possibly a clause of the original sentence)
    display: str  # what the answer shows: the quote, or "header: value" for a table row
    # it states the kind of value the question asks for (a price, a size, an address) and names its subject
    states_asked_value: bool = False


# question words and particles: a bigram with one of them carries no evidence
_FUNCTION_CHARS = frozenset("吗呢吧啊么的了是在有什哪里谁几多少怎样请问能可以会要和与或及该这那个为用")


def bigrams(text: str, latin: bool = True) -> frozenset[str]:
    """Chinese character bigrams, plus (``latin``) the Latin words and numbers of mixed text ("Whisper 模型")."""
    grams: set[str] = set()
    for run in _CJK_RUN.findall(text):
        grams.update(run[i : i + 2] for i in range(len(run) - 1))
    grams = {g for g in grams if g[0] not in _FUNCTION_CHARS and g[1] not in _FUNCTION_CHARS}
    if latin:
        grams.update(word for word in _LATIN_WORD.findall(text.lower()) if len(word) > 1)
    return frozenset(grams)


# what a question asks with, not about: the tokenizer keeps these Chinese words
_QUESTION_WORDS = (
    "是 做 什么 用 的 了 吗 呢 吧 哪里 哪儿 哪个 哪些 哪 谁 多少 几 怎么 怎样 如何 为什么 有 在 能 可以 会 要 请问 一下 "
    "我 我们 你 你们 它 这个 那个 些 想 把 该 能不能 能否 是否 可不可以 咱们 自己 一般 比较 最好 好 意思 指 "
    "当初 到底 究竟 大概 大约 应该 需要 得 啥 吗 多 请 告诉"
)


class SentenceScorer:
    def __init__(
        self,
        matcher: SentenceMatcher,
        semantic: SemanticSimilarity | None = None,
        semantic_weight: float = SEMANTIC_WEIGHT,
        glossary: Glossary | None = None,
        query_side: QuerySideSimilarity | None = None,
    ) -> None:
        self.matcher = matcher
        self.glossary = glossary
        self.query_side = query_side
        self.semantic = semantic
        self.semantic_weight = semantic_weight if semantic is not None else 0.0
        self.asking = frozenset().union(*(matcher.terms(word) for word in _QUESTION_WORDS.split()))

    def score(self, question: str, sentences: list[Sentence]) -> list[Scored]:
        wanted = self.matcher.terms(question) - self.asking
        # a Chinese question's English words count as they are; an English question's Chinese words
        # count as bigrams (its English words are measured, stemmed, by the tokenizer's terms)
        chinese_question = is_chinese(question)
        wanted_grams = bigrams(question, latin=chinese_question) if has_chinese(question) else frozenset()
        # an English question's "tokens-per-minute" is a sentence's TPM (Chinese ones ask in Chinese)
        aliases = {} if chinese_question else phrase_aliases(question, self.matcher)
        term_sets = [with_aliases(s.text, self.matcher.terms(s.text), aliases) for s in sentences]
        gram_sets = [bigrams(s.text) for s in sentences]
        total = len(sentences) + 1
        # across languages the words meet through the dictionary: an English question's words in a
        # Chinese sentence's glosses, a Chinese question's glosses in an English sentence's words
        # (an English question meets any sentence with Chinese words in it, "使用Grafana可视化指标" too)
        crossing = [has_chinese(s.text) if not chinese_question else not is_chinese(s.text) for s in sentences]
        glossed: frozenset[int] = frozenset()
        glosses: list[str] = []  # an English question's: the English of each sentence with Chinese words
        if self.glossary is not None and any(crossing):
            if chinese_question:
                glossed = self.matcher.terms(self.glossary.english(question)) - self.asking
            else:
                glosses = [self.glossary.english(s.text) if c else "" for s, c in zip(sentences, crossing, strict=True)]
                term_sets = [t | self.matcher.terms(g) if g else t for t, g in zip(term_sets, glosses, strict=True)]
        idf_terms = _idf(wanted, term_sets, total)
        idf_glossed = _idf(glossed, term_sets, total)
        idf_grams = _idf(wanted_grams, gram_sets, total)
        rarity = idf_terms | idf_grams
        asked = Asked.of(question, sentences)
        entities, numbers = asked.entities, asked.numbers
        candidates: list[tuple[float, float, Scored]] = []  # lexical evidence, type and rank factor
        rows: dict[int, TableRow] = {}  # candidates that are table rows, by index
        labelled: set[int] = set()  # candidates labelled by the question's own number, by index

        def matched(text: str, terms: frozenset[int], grams: frozenset[str]) -> float:
            """The question's terms ``text`` holds, weighted by rarity (words, glosses, bigrams)."""
            lexical = _weighted(idf_terms, terms)
            if glossed and not is_chinese(text):
                lexical = max(lexical, _weighted(idf_glossed, terms))
            return max(lexical, _weighted(idf_grams, grams)) if wanted_grams else lexical

        @cache
        def shares_words(text: str) -> bool:
            """Whether ``text`` uses a word of the question (or its gloss, or a Chinese bigram of it)."""
            return bool(wanted & self._terms(text, chinese_question, aliases)) or bool(wanted_grams & bigrams(text))

        one_per_source = {s.n: s for s in reversed(sentences)}
        named_in = {n: mentions_all(s, entities) for n, s in one_per_source.items()} if entities else {}
        # what each candidate says, for the models: a list item with its lead-in ("GPT-5 引入了多项特性:
        # 超大上下文:支持272K输入tokens"), as the item alone does not say what it is about
        meanings: list[str] = []
        code = CodeQuestion.of(asked, sentences)
        asked_conversions = [(self._side_terms(c.source), self._side_terms(c.target)) for c in conversions(question)]

        def sentence_side(side: str) -> frozenset[object]:
            return self._terms(side, chinese_question, aliases) | bigrams(side)

        for sentence, terms, grams in zip(sentences, term_sets, gram_sets, strict=True):
            if TABLE_RULE.match(sentence.text):
                continue
            # a lead-in counting its items answers how many ("主要有五个功能区：")
            counted = asked.kind == "quantity" and announces_count(sentence.text, question)
            in_code = code_answer(sentence, code)
            if in_code is not None:
                sentence, about = in_code
                terms, grams = self._terms(about, chinese_question, aliases), frozenset()
            elif not (counted or can_answer(sentence.text)):
                prose = prose_tail(sentence)
                if prose is None:
                    continue
                if code.attribute:  # which attribute does it: the statement the comment annotates says
                    prose = with_statement(prose, sentence)
                # a comment is about the statement it follows: its names count as the comment's words
                about = f"{prose.annotates} {prose.text}"
                sentence, terms, grams = prose, self._terms(about, chinese_question, aliases), bigrams(prose.text)
            if entities and not named_in[sentence.n]:
                continue
            row: TableRow | None = None
            if is_table_line(sentence.text):
                row = table_row(sentence, question, sentences)
                if row is None:
                    continue  # a table's header row states no value
                quote, display = sentence, row.display
                # a table row also matches by its column headers
                terms, grams = self._terms(display, chinese_question, aliases), bigrams(display)
            else:
                quote, display = self._shorten(sentence, wanted, wanted_grams, chinese_question, rarity, aliases, asked)
            lexical = matched(display, terms, grams)
            if numbers and _labelled_by(display, numbers):
                # the entry for the question's number ("429: 请求频率超限", "403 — 描述: 权限不足"): BM25
                # keeps no numbers, so its words alone would count too little
                lexical = max(lexical, LABEL_EVIDENCE)
                labelled.add(len(candidates))
            factor, states = asked.judge(sentence, quote, display, row)
            if asked_conversions:
                way = direction(asked_conversions, conversions(display), sentence_side)
                factor *= 1 + DIRECTION_BONUS if way == SAME else 1 - DIRECTION_PENALTY if way == REVERSED else 1
            if row is not None:
                rows[len(candidates)] = row
            candidates.append((lexical, factor, Scored(0, quote, display, states_asked_value=states)))
            # a line pointing back ("这一价格降幅…") says what about with the line it points to; a lead-in
            # about something else than the question ("常见认证错误及解决方案:") would make a self-contained
            # item ("检查API Key格式(以"sk-"开头,51个字符)") read as about that other thing
            lead_in = sentence.lead_in if sentence.lead_in and shares_words(sentence.lead_in) else ""
            parts = (lead_in, sentence.annotates, sentence.refers, display)
            # (an import or a call, as words: code reads as nothing like a question to the models)
            meanings.append(about if in_code is not None else " ".join(part for part in parts if part))

        # a row of a table whose other row's label matches the question more is that other row's neighbour
        def label_evidence(label: str) -> float:
            # words and bigrams both count: "每分钟请求数" and "每分钟tokens数" share the bigrams a
            # question asks with ("请" is a function character), not the word 请求
            terms = self._terms(label, chinese_question, aliases)
            return _weighted(idf_terms, terms) + _weighted(idf_glossed, terms) + _weighted(idf_grams, bigrams(label))

        for i in other_rows(rows, label_evidence, [c[0] for c in candidates]):
            lexical, factor, neighbour = candidates[i]
            candidates[i] = (lexical, factor * (1 - OTHER_ROW_PENALTY), replace(neighbour, states_asked_value=False))
        evidence = self._evidence(question, candidates, meanings)
        evidence = self._query_side(question, candidates, evidence, meanings)
        # which names a list gives under a heading the question matches ("🧠 企业知识库(RAG系统)" for the
        # vector databases of the RAG case): its items that name something, as far as the heading goes
        naming = [asked.kind in ("name", "person") and carries(asked.kind, c[2].display, question) for c in candidates]
        evidence = _inherit_headers(candidates, evidence, naming)
        if asked.kind == "address":  # (for amounts it lent a price line every name of the prices: −16 declines)
            evidence = _inherit_named(candidates, evidence, question)
        # ... whatever the models make of its words: in the other language than the question its label's
        # evidence would count only in the blend with meaning ("What does a 403 error mean?")
        evidence = [max(e, LABEL_EVIDENCE) if i in labelled else e for i, e in enumerate(evidence)]
        # an acronym of the question no candidate has (nor its gloss, nor its spelled-out words): the
        # question is about something these sources do not know ("Who is OpenAI's CTO?")
        texts = [s.text for s in sentences]
        unknown = unknown_acronyms(question, texts, term_sets, self.matcher.terms, [g for g in glosses if g])
        kept = (1 - UNKNOWN_ACRONYM_PENALTY) if unknown else 1.0
        # evidence first: type and rank adjust it, they do not make an unrelated sentence answer
        scored = [replace(c[2], score=e * c[1] * kept) for c, e in zip(candidates, evidence, strict=True)]
        return sorted(scored, key=lambda s: -s.score)

    def _query_side(
        self, question: str, candidates: list[tuple[float, float, Scored]], evidence: list[float], meanings: list[str]
    ) -> list[float]:
        """The evidence weighed by the query-side model's similarity, for the best QUERY_SIDE_CANDIDATES
        so far: how far each stands above their median (on one topic all are close; the answer is closer).
        At the median a candidate keeps 1 - QUERY_SIDE_WEIGHT of its evidence, a QUERY_SIDE_SPREAD above
        it 1 + QUERY_SIDE_WEIGHT; candidates not embedded keep 1 - QUERY_SIDE_WEIGHT."""
        # too few candidates have no median to stand above: a lone answering sentence must not lose half
        if self.query_side is None or len(candidates) < MIN_FOR_MEDIAN:
            return evidence
        best = sorted(range(len(candidates)), key=lambda i: -evidence[i] * candidates[i][1])[:QUERY_SIDE_CANDIDATES]
        texts = [
            meanings[i] if rank < QUERY_SIDE_WHOLE else meanings[i][:QUERY_SIDE_MEDIAN_CHARS]
            for rank, i in enumerate(best)
        ]
        similarities = self.query_side.similarities(question, texts)
        if similarities is None:
            return evidence
        median = float(np.median(similarities))
        # it scales the evidence rather than adding to it: among unrelated paragraphs one sentence is
        # always above the median, and must not answer on that alone (bench.extractive's unanswerables)
        blended = [(1 - QUERY_SIDE_WEIGHT) * value for value in evidence]
        for i, similarity in zip(best, similarities, strict=True):
            closeness = _closeness(float(similarity) - median, 0.0, QUERY_SIDE_SPREAD)
            blended[i] = evidence[i] * (1 - QUERY_SIDE_WEIGHT + 2 * QUERY_SIDE_WEIGHT * closeness)
        return blended

    def _terms(self, text: str, chinese_question: bool, aliases: dict[str, frozenset[int]]) -> frozenset[int]:
        """A quote's terms, with its glosses when it is Chinese and the question is not, and the
        question's phrases it uses a short form of."""
        terms = with_aliases(text, self.matcher.terms(text), aliases)
        if self.glossary is not None and not chinese_question and has_chinese(text):
            terms |= self._glosses(text)
        return terms

    def _side_terms(self, side: str) -> frozenset[object]:
        """A side of a conversion the question asks about: its words, their glosses, its bigrams."""
        glossed = self.glossary.english(side) if self.glossary is not None and has_chinese(side) else ""
        return self.matcher.terms(side) - self.asking | self.matcher.terms(glossed) | bigrams(side)

    def _glosses(self, text: str) -> frozenset[int]:
        assert self.glossary is not None
        return self.matcher.terms(self.glossary.english(text))

    def _evidence(
        self, question: str, candidates: list[tuple[float, float, Scored]], meanings: list[str]
    ) -> list[float]:
        """Lexical evidence, blended with semantic similarity for the best SEMANTIC_CANDIDATES
        (the others, less likely to answer, are not embedded: they keep their lexical share). A
        sentence in the other language counts on meaning alone unless its shared words say more."""
        weight = self.semantic_weight
        lexical = [c[0] for c in candidates]
        if not weight or self.semantic is None or not candidates:
            return lexical
        best = sorted(range(len(candidates)), key=lambda i: -lexical[i])[:SEMANTIC_CANDIDATES]
        similarities = self.semantic.similarities(question, [meanings[i] for i in best])
        if similarities is None:
            return lexical
        chinese = is_chinese(question)
        same = [is_chinese(candidates[i][2].display) == chinese for i in best]
        # in a knowledge base on one topic every candidate is close to the question; what answers is
        # closer than the others: similarities count above the candidates' median when it is high
        lift_same = _lift([float(x) for x, s in zip(similarities, same, strict=True) if s], SEMANTIC_FLOOR)
        lift_cross = _lift([float(x) for x, s in zip(similarities, same, strict=True) if not s], CROSS_LINGUAL_FLOOR)
        evidence = [(1 - weight) * value for value in lexical]
        for i, similarity, in_language in zip(best, similarities, same, strict=True):
            if in_language:
                evidence[i] += weight * _closeness(float(similarity) - lift_same, SEMANTIC_FLOOR, SEMANTIC_CEILING)
            else:
                meaning = _closeness(float(similarity) - lift_cross, CROSS_LINGUAL_FLOOR, CROSS_LINGUAL_CEILING)
                blend = (1 - CROSS_LINGUAL_WEIGHT) * lexical[i] + CROSS_LINGUAL_WEIGHT * meaning
                evidence[i] = CROSS_LINGUAL_SCALE * blend
        return evidence

    def _shorten(
        self,
        sentence: Sentence,
        wanted: frozenset[int],
        grams: frozenset[str],
        chinese_question: bool,
        rarity: dict[object, float],
        aliases: dict[str, frozenset[int]],
        asked: Asked,
    ) -> tuple[Sentence, str]:
        if len(sentence.text) <= MAX_QUOTE_CHARS:
            return sentence, sentence.text
        # a window carrying what the question asks for (the name after "计划替代旧的") counts as one
        # more of its terms, of average rarity
        typed = asked.kind != "other"
        carried_weight = sum(rarity.values()) / len(rarity) if rarity else 0.0
        # the window of consecutive clauses (≤ MAX_QUOTE_CHARS) holding most of the question's terms,
        # weighted by rarity (the clause naming "Responses API … 替代", not the one saying "API" twice)
        cuts = [0] + [m.end() for m in _CLAUSE_END.finditer(sentence.text)] + [len(sentence.text)]
        best: tuple[float, int, int] = (-1.0, 0, min(len(sentence.text), MAX_QUOTE_CHARS))
        for i in range(len(cuts) - 1):
            for j in range(i + 1, len(cuts)):
                if cuts[j] - cuts[i] > MAX_QUOTE_CHARS:
                    break
                piece = sentence.text[cuts[i] : cuts[j]]
                found = (wanted & self._terms(piece, chinese_question, aliases)) | (grams & bigrams(piece))
                hit = sum(rarity.get(term, 1.0) for term in found)
                if typed and found and carries(asked.kind, piece, asked.question):
                    hit += carried_weight
                # the fewest characters for as many terms: the clause that says it, not its neighbours
                if hit > best[0] or (hit == best[0] and cuts[j] - cuts[i] < best[2] - best[1]):
                    best = (hit, cuts[i], cuts[j])
        _, a, b = best
        # a clause naming the subject is often followed by the one saying what about it
        while b - a < MIN_QUOTE_CHARS and b < len(sentence.text):
            following = next(cut for cut in cuts if cut > b)
            if following - a > MAX_QUOTE_CHARS:
                break
            b = following
        piece = sentence.text[a:b].rstrip(" ，,；;：:、")
        narrowed = replace(sentence, text=piece, start=sentence.start + a, end=sentence.start + a + len(piece))
        return narrowed, piece


def _inherit_headers(
    candidates: list[tuple[float, float, Scored]], evidence: list[float], naming: list[bool]
) -> list[float]:
    """A list item stating the value asked for has at least HEADER_SHARE of the evidence of the line
    heading its list: "🔁 API变更适配策略" matches "where do we track API changes" and says nothing
    itself; its item "关注官方Changelog(https://…)" says where, in words the question does not use.
    An item naming something (``naming``, for a which/who question) scores at most what its heading
    does: a heading that would not answer does not make its items answer."""
    line_at: dict[str, int] = {}
    for i, (_, _, candidate) in enumerate(candidates):
        line_at.setdefault(candidate.sentence.text.strip(), i)
    inherited = list(evidence)
    for i, (_, factor, candidate) in enumerate(candidates):
        if not candidate.states_asked_value and not naming[i]:
            continue
        sentence = candidate.sentence
        for header in {sentence.about.strip(), sentence.lead_in.strip()} - {""}:
            j = line_at.get(header)
            if j is None or j == i:
                continue
            share = HEADER_SHARE * evidence[j]
            if not candidate.states_asked_value:
                share = min(share, evidence[j] * candidates[j][1] / factor) if factor else 0.0
            inherited[i] = max(inherited[i], share)
    return inherited


def _inherit_named(candidates: list[tuple[float, float, Scored]], evidence: list[float], question: str) -> list[float]:
    """A line stating the address asked for has at least HEADER_SHARE of the evidence of a line naming
    the same thing, a name the question does not say and few candidates do: "OpenAI 官方提供了一个工具
    **Tokenizer**，可以…查看它们是如何被转换成 Tokens 的" matches "where can I see how text is split into
    tokens" and gives no address; "Tokenizer 工具地址：https://platform.openai.com/tokenizer" does, in
    words the question does not use."""
    asked = names_in(question) | set(_LATIN_WORD.findall(question.lower()))
    names = [names_in(c[2].display) - asked for c in candidates]
    holders: dict[str, int] = {}
    for found in names:
        for name in found:
            holders[name] = holders.get(name, 0) + 1
    inherited = list(evidence)
    for i, (_, _, candidate) in enumerate(candidates):
        if not candidate.states_asked_value:
            continue
        rare = {name for name in names[i] if holders[name] <= NAMED_HOLDERS}
        for j, other in enumerate(names):
            if j != i and rare & other:
                inherited[i] = max(inherited[i], HEADER_SHARE * evidence[j])
    return inherited


def _lift(similarities: list[float], floor: float) -> float:
    """How far the candidates' median similarity stands above an unrelated sentence's (``floor``)."""
    if len(similarities) < 5:
        return 0.0
    return max(0.0, sorted(similarities)[len(similarities) // 2] - floor)


def _closeness(similarity: float, floor: float, ceiling: float) -> float:
    return min(1.0, max(0.0, (similarity - floor) / (ceiling - floor)))


def _idf(
    wanted: frozenset[str] | frozenset[int], sets: list[frozenset[str]] | list[frozenset[int]], total: int
) -> dict[object, float]:
    return {t: math.log(1 + total / (1 + sum(t in s for s in sets))) for t in wanted}


def _weighted(idf: dict[object, float], present: frozenset[str] | frozenset[int]) -> float:
    whole = sum(idf.values())
    return sum(w for t, w in idf.items() if t in present) / whole if whole else 0.0


_LABEL = re.compile(r"^\W*(\d+(?:\.\d+)?)\s*(?:[:：—–-]|\|)")


def _labelled_by(text: str, numbers: set[str]) -> bool:
    """Whether ``text`` is the entry of a list or table labelled by one of ``numbers``."""
    label = _LABEL.match(text)
    return label is not None and label.group(1) in numbers
