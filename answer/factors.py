"""What a question asks for and about (``Asked``), and how a candidate sentence's evidence is weighed
for it: the type of value it carries, its source's rank, whether it is a heading, and whether it is
about the question's subject rather than another name, version or tier."""

from __future__ import annotations

from dataclasses import dataclass

from answer.asked import (
    asked_acronyms,
    asked_amount,
    asked_count,
    asks_measure,
    asks_url,
    counted_words,
    names_measure_word,
    spells_out,
    states_amount,
    states_count,
    value_kinds,
)
from answer.kinds import asks_model, asks_variant, carries, question_type
from answer.names import (
    distinctive,
    generic_heads,
    names_another_tier,
    names_only_base,
    names_only_variants,
    names_sibling,
    names_subject,
    qualifiers,
    question_compounds,
    question_entities,
    question_tiers,
    sibling_words,
    spelled_names,
)
from answer.quotable import PLAIN_NUMBER, Sections, can_answer, is_heading
from answer.sentences import Sentence
from answer.tables import TableRow

# The question names a number (error 403, AIME 2025) the sentence lacks: it is about another one.
NUMBER_PENALTY = 0.3
MISSING_NAME_PENALTY = NUMBER_PENALTY  # the same for a name the question asks about (its source has it)
# A heading names a subject and rarely states its answer ("4.1 语音转文字(Whisper)" does; "五、模型选择
# 与配置" does not): only a strong match of the question makes it the answer.
HEADING_PENALTY = 0.5
# The sentence names only another variant of the question's name (gpt-5-nano for GPT-5).
VARIANT_PENALTY = 0.5
# The sentence names the base product of the variant asked about (GPT-4o for "GPT-4o mini") and its
# context never names the variant
BASE_PRODUCT_PENALTY = 0.7
# The sentence states an amount of another kind than the one asked for: an input price for a training
# price ("GPT-4o 微调训练每百万 token 收费多少"), and its context never names the kind asked for
OTHER_KIND_PENALTY = 0.7
TYPE_BONUS = 0.15  # the sentence carries what the question type asks for
# it does not (a when / how-many question): 0.3 to 0.8 changed 1 of 300 answers per dev set (bench.extractive),
# while among sentences of one topic (bench.articles_qa) it is what tells the answer from a near miss
TYPE_PENALTY = 0.7
# a line without what the question's type asks for; an endpoint may be answered by its name ("the Chat
# Completions API"), so a line without an address keeps more, unless the question asks for the URL itself
MISSING_TYPE_PENALTY = {
    "quantity": TYPE_PENALTY,
    "date": TYPE_PENALTY,
    "address": TYPE_PENALTY / 2,
    "person": TYPE_PENALTY / 2,
    "model": TYPE_PENALTY / 2,  # which model: a line naming none (answer.kinds.carries)
    "url": TYPE_PENALTY,
}
RANK_BONUS = 0.08


@dataclass(frozen=True)
class Asked:
    """What a question asks for and about, read once per question."""

    question: str
    kind: str  # answer.kinds.question_type
    amount: str | None  # money or size (answer.asked.asked_amount)
    measure: bool  # the measure is named: only a size with its unit answers
    model: bool  # which model: a line naming none misses what it asks (answer.kinds.asks_model)
    measure_word: str | None  # a Chinese count's measure word (多少张)
    counted: frozenset[str]  # what an English how-many question counts (answer.asked.counted_words)
    url: bool  # the URL itself is asked for
    variant: bool  # which variant of its name: lines naming its variants answer (answer.kinds.asks_variant)
    acronyms: list[str]  # whose meaning is asked
    entities: list[str]  # the technical names it is about
    tiers: list[tuple[str, str]]  # the (name, tier) pairs it asks about
    compounds: list[tuple[str, str]]  # the (name, variant) pairs it asks about: ("gpt-4o", "gpt-4o mini")
    siblings: dict[str, frozenset[str]]  # its names' siblings' last parts (answer.names.sibling_words)
    numbers: set[str]  # the numbers it names on their own
    subjects: list[str]  # its names few candidates mention
    qualified: dict[str, str]  # a name qualifying the next one, by it (answer.names.qualifiers)
    value_kinds: frozenset[str]  # what the amount asked for is of (answer.asked.value_kinds)
    sections: Sections  # the heading each line is under: what it is about too

    @classmethod
    def of(cls, question: str, sentences: list[Sentence]) -> Asked:
        kind = question_type(question)
        amount = asked_amount(question) if kind == "quantity" else None
        entities = question_entities(question)
        return cls(
            question=question,
            kind=kind,
            amount=amount,
            measure=kind == "quantity" and asks_measure(question),
            model=kind == "name" and asks_model(question),
            measure_word=asked_count(question) if kind == "quantity" and amount is None else None,
            counted=counted_words(question),
            url=kind == "address" and asks_url(question),
            variant=asks_variant(question),
            acronyms=asked_acronyms(question),
            entities=entities,
            tiers=question_tiers(question, entities),
            compounds=question_compounds(question, sentences),
            siblings=sibling_words(entities, sentences),
            numbers=question_numbers(question),
            subjects=distinctive(entities + spelled_names(question, entities, sentences), sentences),
            qualified=generic_heads(question) | qualifiers(question, entities),
            value_kinds=value_kinds(question) if amount is not None else frozenset(),
            sections=Sections(sentences),
        )

    def judge(self, sentence: Sentence, quote: Sentence, display: str, row: TableRow | None) -> tuple[float, bool]:
        """The factor of a candidate's evidence for its type, rank, structure and subject, and whether it
        states the value asked for about the question's subject (``Scored.states_asked_value``)."""
        kind, subjects, numbers = self.kind, self.subjects, self.numbers
        # what an acronym stands for, spelled out (a Chinese definition can not be told apart)
        defines = any(spells_out(display, acronym) for acronym in self.acronyms)
        carried = defines or (kind != "other" and carries(kind, quote.text, self.question))
        # (code passes a number without its unit: "r.setex(key, 3600, response)" states the seconds)
        label = row.label if row is not None else ""
        if (
            self.measure
            and carried
            and not defines
            and not states_amount("size", display, label)
            and can_answer(display)
        ):
            carried = False  # "两部分" is a number, not the length asked for
        # a share or a price ("省钱 50%") is no count of the requests a Chinese question asks for with its
        # measure word ("多少条请求"); "how many" names none, and "how many of the voters" takes a share
        measure_word = self.measure_word
        if measure_word and names_measure_word(measure_word) and carried and not defines:
            carried = states_count(measure_word, display) or not states_amount("money", display)
        bonus = TYPE_BONUS if carried else 0.0
        # no name recogniser: a sentence without a capitalised word may still name someone in Chinese
        wanted = "url" if self.url else "model" if self.model else kind
        penalty = 0.0 if carried else MISSING_TYPE_PENALTY.get(wanted, 0.0)
        factor = 1 + bonus - penalty + RANK_BONUS / (sentence.rank + 1)
        if is_heading(sentence) and not names_subject(display, subjects):
            factor *= 1 - HEADING_PENALTY
        # a line pointing back ("这一价格降幅…") is about the numbers of the line it points to too
        if numbers and not numbers & set(PLAIN_NUMBER.findall(f"{sentence.refers} {display}")):
            factor *= 1 - NUMBER_PENALTY
        # what it is about: its list's lead-in, its paragraph's sentences before it, its table's
        # caption and its document's title
        caption = row.caption if row is not None else ""
        # (a table row's display holds only the columns asked about: the row's other cells count too)
        whole = sentence.text if row is not None else ""
        # (the heading a line is under only where what it names is asked: finding headings costs)
        section = self.sections.of(sentence) if subjects or self.compounds or self.value_kinds else ""
        named = f"{sentence.source.title} {section} {sentence.about} {sentence.lead_in} {sentence.before} {sentence.refers} {sentence.refers_across} {sentence.annotates} {caption} {whole} {display}"
        named = named.lower()
        # (a source naming OpenAI is about OpenAI's API key where a line names the API key)
        about_else = bool(subjects) and not all(
            entity in named or self.qualified.get(entity, entity) in named for entity in subjects
        )
        if about_else:
            # the source names it, this sentence is about something else (a name most candidates
            # mention, OpenAI in an OpenAI knowledge base, tells nothing); what its list's lead-in
            # or its paragraph's sentences before it name, it is about too
            factor *= 1 - MISSING_NAME_PENALTY
        variant = (
            (bool(self.entities) and not self.variant and names_only_variants(display, self.entities))
            or names_another_tier(display, self.tiers)
            or names_sibling(display, self.siblings)
        )
        if variant:
            factor *= 1 - VARIANT_PENALTY
        # GPT-4o's price is no answer about GPT-4o mini, however well the rest matches: a wrong value
        base_only = names_only_base(named, self.compounds)
        if base_only:
            factor *= 1 - BASE_PRODUCT_PENALTY
        # an amount of another kind: its line (with the line it points back to, its list's lead-in)
        # names another kind, and nothing it is about names the kind asked for
        other_kind = (
            bool(self.value_kinds)
            and bool(value_kinds(f"{sentence.lead_in} {sentence.refers} {display}"))
            and not value_kinds(named) & self.value_kinds
        )
        if other_kind:
            factor *= 1 - OTHER_KIND_PENALTY
        asked_value = (
            (self.amount is not None and states_amount(self.amount, display, label))
            or (self.measure_word is not None and states_count(self.measure_word, display, self.counted))
            or (kind == "address" and carried)
            or defines
        )
        return factor, asked_value and not (about_else or variant or base_only or other_kind)


def question_numbers(question: str) -> set[str]:
    """The numbers a question names on their own (403, 2025), not inside names (GPT-4o, o1)."""
    return set(PLAIN_NUMBER.findall(question))
