"""Answers without their ``[n]`` markers, and where each marker stood: OpenAI's ``output_text`` has
no markers, its ``file_citation`` annotations carry the character offset instead.

A marker goes together with the spaces before it ("costs 5 euros [2]." becomes "costs 5 euros.",
the citation at offset 13). ``MarkerStripper`` works on streamed text: it holds back a tail that may
still become a marker. ``verified_markers`` keeps, of the markers in the streamed answer, the
numbers the citation check left at the same place in the checked answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from answer.citations import MARKER

_SEPARATORS = re.compile(r"\s*[,，、]\s*")
_WITH_SPACES = re.compile(r"[ \t]*(?:" + MARKER.pattern + ")")
# A tail that may still grow into a marker: spaces, then an unclosed "[1, 2" or "【1".
_OPEN_TAIL = re.compile(r"[ \t]*(?:\[[\d\s,，、]*|【\d*)?\Z")
OPEN_TAIL_MAX_CHARS = 40  # a longer unclosed bracket is text, not a marker


@dataclass(frozen=True)
class Marker:
    offset: int  # in the text without markers
    numbers: tuple[int, ...]


class MarkerStripper:
    def __init__(self) -> None:
        self.text = ""  # everything released so far, without markers
        self.markers: list[Marker] = []
        self._held = ""

    def feed(self, chunk: str) -> str:
        """Add streamed text; returns the text now known to hold no (part of a) marker."""
        buffer = self._held + chunk
        tail = _OPEN_TAIL.search(buffer)
        cut = tail.start() if tail is not None and len(buffer) - tail.start() <= OPEN_TAIL_MAX_CHARS else len(buffer)
        self._held = buffer[cut:]
        return self._release(buffer[:cut])

    def flush(self) -> str:
        held, self._held = self._held, ""
        return self._release(held)

    def _release(self, text: str) -> str:
        released, last = [], 0
        for match in _WITH_SPACES.finditer(text):
            released.append(text[last : match.start()])
            offset = len(self.text) + sum(map(len, released))
            numbers = tuple(int(n) for n in _SEPARATORS.split(match.group(1) or match.group(2)))
            self.markers.append(Marker(offset, numbers))
            last = match.end()
        released.append(text[last:])
        out = "".join(released)
        self.text += out
        return out


def strip_markers(text: str) -> tuple[str, list[Marker]]:
    stripper = MarkerStripper()
    stripper.feed(text)
    stripper.flush()
    return stripper.text, stripper.markers


def verified_markers(streamed: MarkerStripper, checked_answer: str) -> list[Marker]:
    """The streamed answer's markers reduced to the numbers the checked answer kept at that place.

    The check only rewrites markers and removes spaces, so a place is the count of other non-space
    characters before it, the same in both texts."""
    checked_text, checked = strip_markers(checked_answer)
    checked_places, streamed_places = _places(checked_text), _places(streamed.text)
    kept: dict[int, set[int]] = {}
    for marker in checked:
        kept.setdefault(checked_places[marker.offset], set()).update(marker.numbers)
    verified = []
    for marker in streamed.markers:
        here = kept.get(streamed_places[marker.offset], set())
        numbers = tuple(dict.fromkeys(n for n in marker.numbers if n in here))
        if numbers:
            verified.append(Marker(marker.offset, numbers))
    return verified


def _places(text: str) -> list[int]:
    """For every offset 0..len(text), how many non-space characters come before it."""
    places = [0]
    for char in text:
        places.append(places[-1] + (not char.isspace()))
    return places
