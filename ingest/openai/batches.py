"""File batches: several files added to a vector store at once, followed and cancelled together."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from core.errors import BadRequest, NotFound
from core.metadata.models import Collection, VectorStoreFileBatch
from core.metadata.openai_ids import vector_store_id
from core.types import Principal
from ingest.openai.pages import timestamp
from ingest.openai.store_files import StoreFileService, file_counts, store_entries

BATCH_PREFIX = "vsfb_"
MAX_BATCH_FILES = 2000


class BatchService:
    def __init__(self, store_files: StoreFileService) -> None:
        self.store_files = store_files

    def object(self, session: Session, batch: VectorStoreFileBatch) -> dict[str, Any]:
        counts = file_counts(store_entries(session, batch.collection_id, batch.id))
        if batch.cancelled:
            status = "cancelled"
        elif counts["in_progress"]:
            status = "in_progress"
        elif counts["total"] and counts["failed"] == counts["total"]:
            status = "failed"
        else:
            status = "completed"
        return {
            "id": BATCH_PREFIX + batch.id,
            "object": "vector_store.files_batch",
            "created_at": timestamp(batch.created_at),
            "vector_store_id": vector_store_id(batch.collection_id),
            "status": status,
            "file_counts": counts,
        }

    def create(
        self,
        *,
        session: Session,
        principal: Principal,
        collection: Collection,
        file_ids: list[str] | None,
        files: list[dict[str, Any]] | None,
        attributes: Any = None,
        chunking_strategy: Any = None,
    ) -> VectorStoreFileBatch:
        """One batch adding every file (all or none: an unknown file refuses the whole batch)."""
        if (file_ids is None) == (files is None):
            raise BadRequest("give either file_ids or files, not both", details={"param": "file_ids"})
        wanted: list[dict[str, Any]] = (
            [{"file_id": f, "attributes": attributes, "chunking_strategy": chunking_strategy} for f in file_ids]
            if file_ids is not None
            else list(files or [])
        )
        if not 1 <= len(wanted) <= MAX_BATCH_FILES:
            raise BadRequest(f"a batch holds 1 to {MAX_BATCH_FILES} files", details={"param": "file_ids"})
        batch = VectorStoreFileBatch(collection_id=collection.id)
        session.add(batch)
        session.flush()
        for item in wanted:
            self.store_files.add(
                session=session,
                principal=principal,
                collection=collection,
                file_id=str(item.get("file_id", "")),
                attributes=item.get("attributes"),
                chunking_strategy=item.get("chunking_strategy"),
                batch_id=batch.id,
            )
        return batch

    def get(self, session: Session, collection: Collection, batch_id: str) -> VectorStoreFileBatch:
        raw = batch_id.removeprefix(BATCH_PREFIX) if batch_id.startswith(BATCH_PREFIX) else None
        batch = session.get(VectorStoreFileBatch, raw) if raw else None
        if batch is None or batch.collection_id != collection.id:
            raise NotFound(f"No such file batch: {batch_id}", details={"param": "batch_id"})
        return batch

    def cancel(self, session: Session, batch: VectorStoreFileBatch) -> None:
        for entry in store_entries(session, batch.collection_id, batch.id):
            self.store_files.cancel(session, entry)
        batch.cancelled = True
        session.flush()
