"""OpenAI's vector stores, the files in them and file batches (``/v1/vector_stores/...``). A store is
a collection; the logic lives in ``ingest/openai``. Responses about work in progress carry
``openai-poll-after-ms`` for the SDK's ``*_and_poll`` helpers."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, ConfigDict, Field

from api.deps import DatabaseDep, PrincipalDep, SessionDep
from api.openai_route import OpenAIRoute
from api.routes.openai_files import Cursor, KnowledgeBaseDep
from core.types import DESCRIPTION_MAX_CHARS, ID_MAX_CHARS
from ingest.openai.batches import MAX_BATCH_FILES
from ingest.openai.service import POLL_AFTER_MS
from ingest.openai.store_files import STATUSES, store_collection
from ingest.openai.stores import MAX_CREATE_FILES, STORE_NAME_MAX_CHARS

router = APIRouter(prefix="/v1/vector_stores", tags=["openai-vector-stores"], route_class=OpenAIRoute)
FileId = Annotated[str, Field(max_length=ID_MAX_CHARS)]
Limit = Annotated[int, Query(ge=1, le=100)]
Order = Literal["asc", "desc"]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class StoreCreate(_Body):
    name: str | None = Field(None, max_length=STORE_NAME_MAX_CHARS)
    description: str | None = Field(None, max_length=DESCRIPTION_MAX_CHARS)
    metadata: dict[str, Any] | None = None
    file_ids: list[FileId] = Field(default_factory=list, max_length=MAX_CREATE_FILES)
    chunking_strategy: dict[str, Any] | None = None
    expires_after: dict[str, Any] | None = None


class StoreUpdate(_Body):
    name: str | None = Field(None, max_length=STORE_NAME_MAX_CHARS)
    metadata: dict[str, Any] | None = None
    expires_after: dict[str, Any] | None = None


class StoreFileCreate(_Body):
    file_id: FileId
    attributes: dict[str, Any] | None = None
    chunking_strategy: dict[str, Any] | None = None


class StoreFileUpdate(_Body):
    attributes: dict[str, Any] | None


class BatchFile(_Body):
    file_id: FileId
    attributes: dict[str, Any] | None = None
    chunking_strategy: dict[str, Any] | None = None


class BatchCreate(_Body):
    file_ids: list[FileId] | None = Field(None, max_length=MAX_BATCH_FILES)
    files: list[BatchFile] | None = Field(None, max_length=MAX_BATCH_FILES)
    attributes: dict[str, Any] | None = None
    chunking_strategy: dict[str, Any] | None = None


def _polled(response: Response) -> None:
    response.headers["openai-poll-after-ms"] = str(POLL_AFTER_MS)


# Stores ------------------------------------------------------------------------------------------
@router.post("", summary="Create a vector store (a collection the creator's groups read and write)")
def create_store(
    body: StoreCreate, kb: KnowledgeBaseDep, db: DatabaseDep, principal: PrincipalDep, response: Response
) -> dict[str, Any]:
    with db.session() as session:
        store = kb.stores.create(
            session=session,
            principal=principal,
            name=body.name,
            description=body.description,
            metadata=body.metadata,
            file_ids=body.file_ids,
            chunking_strategy=body.chunking_strategy,
            expires_after=body.expires_after,
        )
    kb.documents.after_commit()
    _polled(response)
    return store


@router.get("", summary="Vector stores the caller may read")
def list_stores(
    kb: KnowledgeBaseDep,
    session: SessionDep,
    principal: PrincipalDep,
    after: Cursor = None,
    before: Cursor = None,
    limit: Limit = 20,
    order: Order = "desc",
) -> dict[str, Any]:
    return kb.stores.list(session=session, principal=principal, after=after, before=before, limit=limit, order=order)


@router.get("/{vs_id}", summary="One vector store, with live file counts")
def retrieve_store(vs_id: str, kb: KnowledgeBaseDep, session: SessionDep, principal: PrincipalDep) -> dict[str, Any]:
    return kb.stores.store_object(session, store_collection(session, principal, vs_id))


@router.post("/{vs_id}", summary="Change a store's name, metadata or expiry")
def modify_store(
    vs_id: str, body: StoreUpdate, kb: KnowledgeBaseDep, session: SessionDep, principal: PrincipalDep
) -> dict[str, Any]:
    changes = body.model_dump(exclude_unset=True)
    return kb.stores.modify(session=session, principal=principal, vs_id=vs_id, changes=changes)


@router.delete("/{vs_id}", summary="Delete a store and its documents (the files stay)")
def delete_store(vs_id: str, kb: KnowledgeBaseDep, session: SessionDep, principal: PrincipalDep) -> dict[str, Any]:
    return kb.stores.delete(session=session, principal=principal, vs_id=vs_id)


# Files in a store --------------------------------------------------------------------------------
@router.post("/{vs_id}/files", summary="Add a file to a store; it is ingested in the background")
def create_store_file(
    vs_id: str,
    body: StoreFileCreate,
    kb: KnowledgeBaseDep,
    db: DatabaseDep,
    principal: PrincipalDep,
    response: Response,
) -> dict[str, Any]:
    with db.session() as session:
        collection = store_collection(session, principal, vs_id, write=True)
        entry = kb.store_files.add(
            session=session,
            principal=principal,
            collection=collection,
            file_id=body.file_id,
            attributes=body.attributes,
            chunking_strategy=body.chunking_strategy,
        )
        created = kb.store_files.file_object(entry)
    kb.documents.after_commit()
    _polled(response)
    return created


@router.get("/{vs_id}/files", summary="The files of a store, optionally of one status")
def list_store_files(
    vs_id: str,
    kb: KnowledgeBaseDep,
    session: SessionDep,
    principal: PrincipalDep,
    after: Cursor = None,
    before: Cursor = None,
    limit: Limit = 20,
    order: Order = "desc",
    filter: Annotated[str | None, Query(pattern=f"^({'|'.join(STATUSES)})$")] = None,
) -> dict[str, Any]:
    collection = store_collection(session, principal, vs_id)
    return kb.store_files.list_files(
        session=session, collection=collection, status=filter, after=after, before=before, limit=limit, order=order
    )


@router.get("/{vs_id}/files/{file_id}", summary="One file of a store: status, last_error, attributes")
def retrieve_store_file(
    vs_id: str, file_id: str, kb: KnowledgeBaseDep, session: SessionDep, principal: PrincipalDep, response: Response
) -> dict[str, Any]:
    entry = kb.store_files.entry(session, store_collection(session, principal, vs_id), file_id)
    _polled(response)
    return kb.store_files.file_object(entry)


@router.post("/{vs_id}/files/{file_id}", summary="Replace a file's attributes (on its stored chunks at once)")
def update_store_file(
    vs_id: str,
    file_id: str,
    body: StoreFileUpdate,
    kb: KnowledgeBaseDep,
    session: SessionDep,
    principal: PrincipalDep,
) -> dict[str, Any]:
    collection = store_collection(session, principal, vs_id, write=True)
    entry = kb.store_files.entry(session, collection, file_id)
    return kb.store_files.file_object(
        kb.store_files.update_attributes(session=session, entry=entry, attributes=body.attributes)
    )


@router.delete("/{vs_id}/files/{file_id}", summary="Take a file out of a store (the file stays)")
def delete_store_file(
    vs_id: str, file_id: str, kb: KnowledgeBaseDep, session: SessionDep, principal: PrincipalDep
) -> dict[str, Any]:
    collection = store_collection(session, principal, vs_id, write=True)
    return kb.store_files.remove(session=session, entry=kb.store_files.entry(session, collection, file_id))


@router.get("/{vs_id}/files/{file_id}/content", summary="The text extracted from a file of the store")
def store_file_content(
    vs_id: str, file_id: str, kb: KnowledgeBaseDep, session: SessionDep, principal: PrincipalDep
) -> dict[str, Any]:
    entry = kb.store_files.entry(session, store_collection(session, principal, vs_id), file_id)
    return kb.store_files.content(entry)


# File batches ------------------------------------------------------------------------------------
@router.post("/{vs_id}/file_batches", summary="Add several files at once")
def create_batch(
    vs_id: str, body: BatchCreate, kb: KnowledgeBaseDep, db: DatabaseDep, principal: PrincipalDep, response: Response
) -> dict[str, Any]:
    with db.session() as session:
        collection = store_collection(session, principal, vs_id, write=True)
        batch = kb.batches.create(
            session=session,
            principal=principal,
            collection=collection,
            file_ids=body.file_ids,
            files=[f.model_dump(exclude_unset=True) for f in body.files] if body.files is not None else None,
            attributes=body.attributes,
            chunking_strategy=body.chunking_strategy,
        )
        created = kb.batches.object(session, batch)
    kb.documents.after_commit()
    _polled(response)
    return created


@router.get("/{vs_id}/file_batches/{batch_id}", summary="A batch's status and file counts")
def retrieve_batch(
    vs_id: str, batch_id: str, kb: KnowledgeBaseDep, session: SessionDep, principal: PrincipalDep, response: Response
) -> dict[str, Any]:
    batch = kb.batches.get(session, store_collection(session, principal, vs_id), batch_id)
    _polled(response)
    return kb.batches.object(session, batch)


@router.post("/{vs_id}/file_batches/{batch_id}/cancel", summary="Stop the batch's files still in progress")
def cancel_batch(
    vs_id: str, batch_id: str, kb: KnowledgeBaseDep, session: SessionDep, principal: PrincipalDep
) -> dict[str, Any]:
    batch = kb.batches.get(session, store_collection(session, principal, vs_id, write=True), batch_id)
    kb.batches.cancel(session, batch)
    return kb.batches.object(session, batch)


@router.get("/{vs_id}/file_batches/{batch_id}/files", summary="The files of a batch")
def list_batch_files(
    vs_id: str,
    batch_id: str,
    kb: KnowledgeBaseDep,
    session: SessionDep,
    principal: PrincipalDep,
    after: Cursor = None,
    before: Cursor = None,
    limit: Limit = 20,
    order: Order = "desc",
    filter: Annotated[str | None, Query(pattern=f"^({'|'.join(STATUSES)})$")] = None,
) -> dict[str, Any]:
    collection = store_collection(session, principal, vs_id)
    batch = kb.batches.get(session, collection, batch_id)
    return kb.store_files.list_files(
        session=session,
        collection=collection,
        batch_id=batch.id,
        status=filter,
        after=after,
        before=before,
        limit=limit,
        order=order,
    )
