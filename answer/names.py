"""The names a question is about and whether a candidate sentence is about them: a technical name
(GPT-5, ChatGPT, DALL-E) its source must mention, the ones few candidates mention (a sentence that
does not name them is about something else), a product's tier (ChatGPT Team, not Plus) and versioned
variants (gpt-5-nano is not GPT-5)."""

from __future__ import annotations

import re

from answer.asked import DOCUMENT_KINDS, LATIN_NAME, document_names
from answer.sentences import Sentence
from core.text import ENGLISH_FUNCTION_WORDS, has_chinese, is_chinese

# Capitalised English function words are not names.
_NOT_NAMES = ENGLISH_FUNCTION_WORDS | frozenset(
    [
        "whose",
        "were",
        "could",
        "should",
        "would",
        "will",
        "may",
        "might",
        "these",
        "those",
        "there",
        "their",
        "they",
        "as",
        "been",
        "if",
        "not",
        "no",
        "yes",
        "please",
        "tell",
        "me",
    ]
    # dates are facts the answer states, not what the question is about
    + [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ]
    + ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
    # an identifier of something ("组织 ID", "file ID"): what the question asks for, named by a field
    + ["id", "ids"]
    # the language of a code example ("Python 示例里"): code shows it without naming it
    + ["python", "javascript", "typescript", "java", "node", "nodejs", "node.js", "curl"]
    + list(DOCUMENT_KINDS)
)


# "API-vs-fine-tuning" compares two things: it is no name (and "API-vs-fine" none that a source holds)
_VERSUS = re.compile(r"-(?:vs\.?|versus)-", re.IGNORECASE)


def question_entities(question: str) -> list[str]:
    """The technical names a question is about: Latin-script words holding a digit (GPT-5, o1-mini),
    mixed case (ChatGPT, OpenAI), a hyphen after a capital (DALL-E) or an underscore (an identifier,
    completion_window). Names like these stay as they are in documents of either language; ordinary
    capitalised words ("Carolina", "Team") and acronyms ("NFL", "XLIX") do not: they are translated or
    referred to otherwise. In a Chinese question every Latin word is such a name ("ChatGPT Team 套餐",
    "Usage Limits 页面"): the asker kept it in its original form, as the documents do. Words naming
    the document to look in ("the API FAQ") are none."""
    chinese = is_chinese(question)  # mostly Chinese: an English question quoting 年假 keeps the English rule
    names = []
    documents = document_names(question)
    # (a quote from a source that never mentions one answers about something else)
    for word in LATIN_NAME.findall(_VERSUS.sub(" ", question)):
        word = _described(word)
        if word[0].isdigit():  # "per-1K-token": a quantity, not a name
            continue
        if word.lower() in _NOT_NAMES or word.lower() in documents or len(word) < (2 if chinese else 3):
            continue
        camel = any(ch.isupper() for ch in word[1:]) and any(ch.islower() for ch in word)
        # (an identifier, "completion_window", is spelled the same in code of any language)
        if chinese or any(ch.isdigit() for ch in word) or camel or ("-" in word and word[0].isupper()) or "_" in word:
            plural = (chinese and len(word) > 3) or _PLURAL_ACRONYM.fullmatch(word)  # SDKs names the SDK
            names.append(word.lower().removesuffix("s") if plural else word.lower())
    return names


_DESCRIBED = re.compile(r"(?<=[A-Za-z])-[a-z]+$")


def _described(word: str) -> str:
    """The name of a name with a description attached ("OpenAI-compatible": OpenAI); versioned names
    keep their variant ("gpt-4o-mini", "o1-mini"). A function word joined on is no part of it
    ("per-1K-token": 1K-token)."""
    joined, _, rest = word.partition("-")
    if rest and joined.islower() and joined in _NOT_NAMES:
        word = rest
    head = _DESCRIBED.sub("", word)
    return head if head != word and not any(ch.isdigit() for ch in head) and not head.islower() else word


_PLURAL_ACRONYM = re.compile(r"[A-Z]{2,}s")


SUBJECT_SHARE = 0.2  # OpenAI in a third of an OpenAI knowledge base's sentences is no subject of its own
# ... nor is a name that every one of at least this many retrieved documents mentions: what the knowledge
# base is about ("OpenAI" in "OpenAI API Key"), though its FAQ answers rarely repeat it
TOPIC_DOCUMENTS = 3


def distinctive(entities: list[str], sentences: list[Sentence]) -> list[str]:
    """The question's names that few candidate sentences mention: what a heading naming one is about."""
    if not entities or not sentences:
        return []
    texts = [s.text.lower() for s in sentences]
    by_document: dict[str, list[str]] = {}
    for sentence, text in zip(sentences, texts, strict=True):
        by_document.setdefault(sentence.source.document_id, []).append(text)

    def topic(entity: str) -> bool:
        return len(by_document) >= TOPIC_DOCUMENTS and all(
            any(entity in text for text in document) for document in by_document.values()
        )

    return [e for e in entities if sum(e in t for t in texts) <= SUBJECT_SHARE * len(texts) and not topic(e)]


_CAPITALISED = re.compile(r"(?<=\s)[A-Z][A-Za-z]+")  # not the question's first word
# (whole words: the parts of an identifier, "chinese_text", are no name kept as it is)
_WORDS = re.compile(r"(?<![\w.])[a-z]+(?![\w.(])")


def spelled_names(question: str, entities: list[str], sentences: list[Sentence]) -> list[str]:
    """An English question's capitalised words that Chinese candidates spell the same way ("Whisper" in
    Chinese articles): not names by their form, so not required of a source, but the knowledge base
    keeps them as names, so a sentence that does not name one is about something else. (Words English
    sentences spell alike tell nothing: on XQuAD en and SQuAD they cost 1 point of answers.)"""
    if is_chinese(question):
        return []
    words = (
        {word.lower() for word in _CAPITALISED.findall(question)}
        - _NOT_NAMES
        - set(entities)
        - document_names(question)
    )
    if not words:
        return []
    # in English text a capitalised word is an ordinary one; inside a Chinese document it was kept as a
    # name, also on a line of its own without Chinese ("Kimi:https://api.moonshot.cn/v1")
    chinese_sources = {s.n for s in {s.n: s for s in sentences}.values() if has_chinese(s.source.text)}
    kept = [s.text.lower() for s in sentences if s.n in chinese_sources]
    spelled = set().union(*(_WORDS.findall(text) for text in kept)) if kept else set()
    return sorted(words & spelled)


# a kind of thing a name is of ("the Batch API", "the Agents SDK"): a line naming the Batch API's call
# or its Chinese name need not say "API"
_GENERIC_HEAD = re.compile(r"\b([A-Z][A-Za-z0-9.-]*)\s+(API|SDK)s?\b")


def generic_heads(question: str) -> dict[str, str]:
    """The question's generic heads ("api", "sdk") by the name they follow ("Batch API": api → batch)."""
    return {
        head.lower(): name.lower()
        for name, head in _GENERIC_HEAD.findall(question)
        if name.lower() not in _NOT_NAMES and not name.isupper()
    }


def qualifiers(question: str, entities: list[str]) -> dict[str, str]:
    """The question's brand names (mixed case: OpenAI, ChatGPT) that qualify the name right after them,
    by that name ("OpenAI API Key": openai → api): a line naming the API key of a source that names
    OpenAI is about OpenAI's. (Ordinary capitalised words, "Sky Digital", name one thing together.)"""
    found = {}
    for first, second in zip(entities, entities[1:], strict=False):
        pair = re.search(rf"({re.escape(first)})\s+{re.escape(second)}", question, re.IGNORECASE)
        spelled = pair.group(1) if pair else ""
        if first != second and any(ch.isupper() for ch in spelled[1:]) and any(ch.islower() for ch in spelled):
            found[first] = second
    return found


def is_versioned(name: str) -> bool:
    """Whether a name carries a version (gpt-5, gpt-3.5-turbo, o1-mini): such a name has variants and no tiers."""
    return any(ch.isdigit() for ch in name)


def names_subject(text: str, entities: list[str]) -> bool:
    """Whether ``text`` names one of the question's names that is more than a short acronym
    ("4.1 语音转文字(Whisper)" for a Whisper question; API, SDK name nothing in particular)."""
    lowered = text.lower()
    return any(len(entity) > 3 and entity in lowered for entity in entities)


def names_only_variants(text: str, entities: list[str]) -> bool:
    """Whether ``text`` names a longer variant of a question's name (gpt-5-nano, gpt-4o for gpt-4)
    and never the name itself."""
    lowered = text.lower()
    variant = False
    # only a versioned name has variants: gpt-5 → gpt-5-nano, gpt-4 → gpt-4o, gpt-3.5-turbo →
    # gpt-3.5-turbo-instruct (whisper-1 is Whisper); the question's other names ("token" in "GPT-5
    # 一次最多能吃进多少 token") do not make the text about gpt-5
    for entity in filter(is_versioned, entities):
        for match in re.finditer(re.escape(entity), lowered):
            following = lowered[match.end() : match.end() + 2]
            if following[:1].isascii() and following[:1].isalnum() or following[:1] == "-":
                variant = True
            else:
                return False
    return variant


def sibling_words(entities: list[str], sentences: list[Sentence]) -> dict[str, frozenset[str]]:
    """For each versioned name of the question with a last part ("text-embedding-3-small"), the last
    parts of the other names the sentences give it ({"large"} from "text-embedding-3-large")."""
    found: dict[str, frozenset[str]] = {}
    parted = [(entity, entity.rpartition("-")) for entity in filter(is_versioned, entities)]
    named = [(entity, stem, own) for entity, (stem, dash, own) in parted if dash and own.isalpha()]
    texts = " ".join({s.text.lower() for s in sentences}) if named else ""
    for entity, stem, own in named:
        others = set(re.findall(rf"(?<![\w.-]){re.escape(stem)}-([a-z]+)(?![\w.])", texts)) - {own}
        if others:
            found[entity] = frozenset(others)
    return found


def names_sibling(text: str, siblings: dict[str, frozenset[str]]) -> bool:
    """Whether ``text`` says it is about another variant by that variant's last part alone and never
    names the question's ("3072 维(large)" for text-embedding-3-small)."""
    lowered = text.lower()
    for entity, words in siblings.items():
        own = entity.rpartition("-")[2]
        if re.search(rf"\b{own}\b", lowered):
            continue
        if any(re.search(rf"\b{word}\b", lowered) for word in words):
            return True
    return False


# "ChatGPT Team": a product's tier or edition, a capitalised word right after its name
_TIER = r"\s+([A-Z][a-z]+)(?![a-z])"


def question_tiers(question: str, entities: list[str]) -> list[tuple[str, str]]:
    """The (name, tier) pairs an English question asks about ("ChatGPT Team" → ("chatgpt", "Team")).
    Only a name without a version has tiers (GPT-4 Turbo is written gpt-4-turbo as often)."""
    if is_chinese(question):
        return []  # a Chinese question's Latin words are all names already: "Team" must be in the source
    tiers = []
    for name in entities:
        if is_versioned(name):
            continue
        tier = re.search(f"(?i:{re.escape(name)}){_TIER}", question)
        if tier and tier.group(1).lower() not in _NOT_NAMES:
            tiers.append((name, tier.group(1)))
    return tiers


def names_another_tier(text: str, tiers: list[tuple[str, str]]) -> bool:
    """Whether ``text`` names another tier of a name the question asks a tier of (ChatGPT Plus for
    ChatGPT Team) and never the asked one. A text naming no tier at all may be about the asked one in
    other words ("ChatGPT 团队版"), so it is not marked."""
    other = False
    for name, tier in tiers:
        for named in re.finditer(f"(?i:{re.escape(name)}){_TIER}", text):
            if named.group(1) == tier:
                return False
            other = True
    return other


# "GPT-4o mini": a versioned name and the word after it, which the knowledge base uses as a variant's
# suffix ("gpt-4o-mini", "o1-mini"): one product, not GPT-4o described as small
_NAME_THEN_WORD = re.compile(r"(?<![\w.-])([A-Za-z]+-?\d[\w.]*)[ _]([A-Za-z]+)(?![\w-])")


def question_compounds(question: str, sentences: list[Sentence]) -> list[tuple[str, str]]:
    """The (name, compound) pairs a question names a versioned product's variant with a space
    (("gpt-4o", "gpt-4o mini") for "GPT-4o mini 收费多少"), when the candidates' sources write that word
    as a variant suffix of some versioned name ("gpt-4o-mini", "o1-mini"): "GPT-5 API" is no variant."""
    pairs = [(name.lower(), word.lower()) for name, word in _NAME_THEN_WORD.findall(question)]
    if not pairs or not sentences:
        return []
    sources = " ".join({s.n: s.source.text for s in sentences}.values()).lower()
    return [
        (name, f"{name} {word}")
        for name, word in pairs
        if re.search(rf"[a-z]+-?\d[a-z0-9.]*-{re.escape(word)}(?![a-z0-9])", sources)
    ]


def names_only_base(text: str, compounds: list[tuple[str, str]]) -> bool:
    """Whether ``text`` names a compound's base product (GPT-4o) and never the compound itself
    ("GPT-4o mini", "gpt-4o-mini"): it states something about another product."""
    lowered = text.lower()
    for _, compound in compounds:
        if compound in lowered or compound.replace(" ", "-") in lowered:
            return False
    return any(re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", lowered) is not None for name, _ in compounds)


def mentions_all(sentence: Sentence, entities: list[str]) -> bool:
    """Whether the sentence's source (its text, title or file name) names every one of ``entities``
    (the same for every sentence of a source: ask once per source)."""
    source = sentence.source
    where = f"{source.title} {source.source} {source.heading} {source.text}".lower()
    return all(entity in where for entity in entities)
