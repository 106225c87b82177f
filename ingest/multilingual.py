"""The second dense vector: the multilingual sentence encoder over each chunk, so that a question in
one language finds a passage in another. Written at ingestion; stores made before it are filled in
by ``backfill_multilingual`` (at start, in the background), reading the text back from the payload."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from typing import Any, Protocol

import numpy as np

from core.text import UNDETERMINED_SCRIPT, dominant_script, han_share
from core.vectorstore.base import SCRIPT, StoreFilter, VectorStore

log = logging.getLogger(__name__)


class SentenceEncoding(Protocol):
    def encode(self, texts: list[str]) -> np.ndarray: ...


def multilingual_text(title: str, heading: str, text: str) -> str:
    """What the sentence encoder sees: title, section path and chunk text (the same at ingestion
    and in the backfill, which only has the payload)."""
    section = " > ".join(part for part in heading.split(" > ") if part and part != title)
    return "\n".join(part for part in (title, section, text) if part)


def payload_text(payload: dict[str, Any]) -> str:
    return multilingual_text(
        str(payload.get("title", "")), str(payload.get("heading", "")), str(payload.get("text", ""))
    )


def backfill_multilingual(
    store: VectorStore,
    encoder: SentenceEncoding,
    *,
    batch: int = 64,
    should_stop: Callable[[], bool] = lambda: False,
) -> int:
    """Adds the multilingual vector to every point that lacks it (and the ``script`` the
    cross-lingual prefetch filters on, ``backfill_scripts``); returns how many vectors were filled.
    Safe to interrupt and to run while ingestion goes on (new points arrive with both)."""
    if not store.multilingual_dim:
        return 0
    backfill_scripts(store, batch=batch * 4, should_stop=should_stop)
    filled = 0
    done: set[str] = set()
    while not should_stop():
        lacking = [hit for hit in store.missing_multilingual(batch) if hit.id not in done]
        if not lacking:  # nothing left (or only points whose update did not take: never loop on them)
            break
        done.update(hit.id for hit in lacking)
        vectors = encoder.encode([payload_text(hit.payload) for hit in lacking])
        filled += _store_vectors(store, {hit.id: vectors[row] for row, hit in enumerate(lacking)})
    if filled:
        log.info("multilingual vectors added to %d existing chunks", filled)
    return filled


def backfill_scripts(store: VectorStore, *, batch: int = 256, should_stop: Callable[[], bool] = lambda: False) -> int:
    """Gives every chunk stored before the ``script`` payload its script, detected from its text;
    returns how many chunks were updated. Until then a chunk is only absent from the cross-lingual
    prefetch (``plan_query``), which is how it was searched before."""
    updated = 0
    tried: set[str] = set()
    while not should_stop():
        lacking = [hit for hit in store.fetch(StoreFilter(without_script=True), limit=batch) if hit.id not in tried]
        if not lacking:  # done (or only chunks whose update did not take: never loop on them)
            break
        tried.update(hit.id for hit in lacking)
        chunks: dict[tuple[str, int, str], list[int]] = defaultdict(list)
        for hit in lacking:
            payload = hit.payload
            key = (str(payload.get("document_id", "")), int(payload.get("version", 1)), payload_script(payload))
            chunks[key].append(int(payload.get("chunk_index", 0)))
        for (document_id, version, script), indexes in chunks.items():
            where = StoreFilter(document_ids=[document_id], version=version, chunk_indexes=indexes, without_script=True)
            store.set_payload(where, {SCRIPT: script})
        updated += len(lacking)
    if updated:
        log.info("script detected for %d existing chunks", updated)
    return updated


CHINESE_SHARE = 0.2


def chunk_script(title: str, text: str) -> str:
    """The writing system a chunk is in: its text's (its title's when the text has no letters). A
    chunk that is a fifth Chinese counts as Chinese: Chinese articles carry code and English terms,
    and a Chinese question finds such a chunk by its words, without the cross-lingual boost."""
    script = dominant_script(text)
    if script == UNDETERMINED_SCRIPT:
        return dominant_script(title)
    if script == "latn" and han_share(text) >= CHINESE_SHARE:
        return "hani"
    return script


def payload_script(payload: dict[str, Any]) -> str:
    return chunk_script(str(payload.get("title", "")), str(payload.get("text", "")))


def _store_vectors(store: VectorStore, vectors: dict[str, np.ndarray]) -> int:
    """Stores a batch; returns how many points took their vector. Ingestion may delete points
    meanwhile (a new version published, a document removed), which fails the whole batch update:
    then point by point, skipping the points that are gone."""
    try:
        store.set_multilingual(vectors)
        return len(vectors)
    except Exception:
        log.debug("multilingual batch update failed; retrying point by point", exc_info=True)
    stored = 0
    for point, vector in vectors.items():
        try:
            store.set_multilingual({point: vector})
            stored += 1
        except Exception:  # deleted since the scroll; a store that is down fails the next scroll
            log.debug("point %s no longer takes a multilingual vector", point, exc_info=True)
    return stored
