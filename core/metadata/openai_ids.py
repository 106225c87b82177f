"""How knowbase objects are named in OpenAI's knowledge-base API.

A vector store is a collection seen through OpenAI's shapes: ``vs_`` + the collection id. A file is
``file-`` + an id; a document ingested from an uploaded file answers to that file's id, a document
uploaded through knowbase's own API to ``file-`` + its document id. Every OpenAI-facing module
(files, vector stores, search, responses) names objects through this module only.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.metadata.models import Document, VectorStoreFile

VECTOR_STORE_PREFIX = "vs_"
FILE_PREFIX = "file-"
_HEX_ID = re.compile(r"[0-9a-f]{32}")


@dataclass(frozen=True, slots=True)
class FileRef:
    file_id: str
    filename: str


def vector_store_id(collection_id: str) -> str:
    return VECTOR_STORE_PREFIX + collection_id


def collection_id_of(vector_store_id: str) -> str | None:
    """The collection id inside a vector store id, or None when it cannot name one."""
    if not vector_store_id.startswith(VECTOR_STORE_PREFIX):
        return None
    raw = vector_store_id.removeprefix(VECTOR_STORE_PREFIX)
    return raw if _HEX_ID.fullmatch(raw) else None


def file_id_of_document(document_id: str) -> str:
    return FILE_PREFIX + document_id


def raw_file_id(file_id: str) -> str | None:
    """The id inside a file id, or None when it cannot name one."""
    if not file_id.startswith(FILE_PREFIX):
        return None
    raw = file_id.removeprefix(FILE_PREFIX)
    return raw if _HEX_ID.fullmatch(raw) else None


def file_refs(session: Session, document_ids: Iterable[str]) -> dict[str, FileRef]:
    """The OpenAI file id and filename of each document, for citations and search results."""
    wanted = sorted(set(document_ids))
    if not wanted:
        return {}
    rows = session.execute(
        select(Document.id, Document.source_name, VectorStoreFile.file_id)
        .outerjoin(VectorStoreFile, VectorStoreFile.document_id == Document.id)
        .where(Document.id.in_(wanted))
    )
    return {
        doc_id: FileRef(FILE_PREFIX + file_id if file_id else file_id_of_document(doc_id), name)
        for doc_id, name, file_id in rows
    }
