"""Vector stores: knowbase collections seen through OpenAI's shapes.

Creating one makes a collection that the creator's groups read and write (an admin's is admin-only
until an admin grants groups through the collections API); existing collections appear as stores to
whoever may read them, and nobody else sees or finds them. The collection's name comes from the
store's name (made unique); the store's own name, metadata and expiry live beside it."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.access import readable_collections
from core.errors import BadRequest, PermissionDenied
from core.metadata.collections import create_collection
from core.metadata.models import Collection, VectorStoreSettings, new_id, utcnow
from core.metadata.openai_ids import vector_store_id
from core.types import DEFAULT_COLLECTION, NAME_MAX_CHARS, Principal, Role
from ingest.openai.pages import Order, cursor_page, list_object, timestamp, validate_metadata
from ingest.openai.store_files import StoreFileService, file_counts, store_collection, store_entries

MAX_CREATE_FILES = 500
MAX_EXPIRY_DAYS = 365
STORE_NAME_MAX_CHARS = 500
_NOT_A_NAME_CHAR = re.compile(r"[^\w.-]+")


def expires_after_days(value: Any) -> int | None:
    """``{"anchor": "last_active_at", "days": n}`` checked; None clears the expiry."""
    if value is None:
        return None
    days = value.get("days") if isinstance(value, dict) else None
    if not isinstance(value, dict) or value.get("anchor") != "last_active_at":
        raise BadRequest("expires_after.anchor must be 'last_active_at'", details={"param": "expires_after"})
    if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= MAX_EXPIRY_DAYS:
        raise BadRequest(f"expires_after.days must be from 1 to {MAX_EXPIRY_DAYS}", details={"param": "expires_after"})
    return days


class StoreService:
    def __init__(self, store_files: StoreFileService) -> None:
        self.store_files = store_files

    def store_object(self, session: Session, collection: Collection) -> dict[str, Any]:
        settings = session.get(VectorStoreSettings, collection.id)
        entries = store_entries(session, collection.id)
        counts = file_counts(entries)
        last_active = settings.last_active_at if settings else collection.created_at
        days = settings.expires_after_days if settings else None
        expires_at = timestamp(last_active + timedelta(days=days)) if days else None
        now = timestamp(utcnow()) or 0
        status = (
            "expired" if expires_at and expires_at <= now else "in_progress" if counts["in_progress"] else "completed"
        )
        return {
            "id": vector_store_id(collection.id),
            "object": "vector_store",
            "created_at": timestamp(collection.created_at),
            "name": settings.name if settings and settings.name else collection.name,
            "description": collection.description or None,
            "usage_bytes": sum(e.document.size_bytes for e in entries if e.status == "completed"),
            "file_counts": counts,
            "status": status,
            "last_active_at": timestamp(last_active),
            "metadata": (settings.meta if settings else None) or {},
            "expires_after": {"anchor": "last_active_at", "days": days} if days else None,
            "expires_at": expires_at,
        }

    def create(
        self,
        *,
        session: Session,
        principal: Principal,
        name: str | None,
        description: str | None,
        metadata: Any,
        file_ids: list[str],
        chunking_strategy: Any,
        expires_after: Any,
    ) -> dict[str, Any]:
        if principal.role is Role.reader:
            raise PermissionDenied("readers cannot create vector stores; ask an admin for an editor key")
        groups = [] if principal.is_admin else sorted(principal.groups)
        if not principal.is_admin and not groups:
            raise PermissionDenied(
                "you belong to no group, so nobody could use a vector store you create; ask an admin to add you to one"
            )
        if len(file_ids) > MAX_CREATE_FILES:
            raise BadRequest(f"at most {MAX_CREATE_FILES} file_ids", details={"param": "file_ids"})
        meta = validate_metadata(metadata)
        days = expires_after_days(expires_after)
        created = create_collection(
            session=session,
            name=self._collection_name(session, name or ""),
            description=description or "",
            read_groups=groups,
            write_groups=groups,
        )
        collection = session.get(Collection, created.id)
        assert collection is not None
        session.add(
            VectorStoreSettings(
                collection_id=collection.id,
                name=name or "",
                meta=meta,
                expires_after_days=days,
                creator_id=principal.user_id,
            )
        )
        session.flush()
        for file_id in file_ids:
            self.store_files.add(
                session=session,
                principal=principal,
                collection=collection,
                file_id=file_id,
                chunking_strategy=chunking_strategy,
            )
        return self.store_object(session, collection)

    @staticmethod
    def _collection_name(session: Session, name: str) -> str:
        """A valid, unused collection name like the store's name (a short suffix when it is taken)."""
        base = _NOT_A_NAME_CHAR.sub("-", name).strip("-.")[: NAME_MAX_CHARS - 9] or "vector-store"
        taken = session.scalar(select(Collection.id).where(Collection.name == base))
        return f"{base}-{new_id()[:8]}" if taken else base

    def list(
        self,
        *,
        session: Session,
        principal: Principal,
        after: str | None,
        before: str | None,
        limit: int,
        order: Order,
    ) -> dict[str, Any]:
        ids = list(readable_collections(session=session, principal=principal).values())
        collections = list(session.scalars(select(Collection).where(Collection.id.in_(ids))))
        page, more = cursor_page(
            collections,
            key=lambda c: (c.created_at, c.id),
            ident=lambda c: vector_store_id(c.id),
            after=after,
            before=before,
            limit=limit,
            order=order,
        )
        return list_object([self.store_object(session, c) for c in page], more)

    def modify(self, *, session: Session, principal: Principal, vs_id: str, changes: dict[str, Any]) -> dict[str, Any]:
        """``changes`` holds only the fields the request set (``name``, ``metadata``, ``expires_after``)."""
        collection = store_collection(session, principal, vs_id, write=True)
        settings = session.get(VectorStoreSettings, collection.id)
        if settings is None:
            settings = VectorStoreSettings(collection_id=collection.id, name=collection.name)
            session.add(settings)
        if "name" in changes:
            settings.name = changes["name"] or ""
        if "metadata" in changes:
            settings.meta = validate_metadata(changes["metadata"])
        if "expires_after" in changes:
            settings.expires_after_days = expires_after_days(changes["expires_after"])
        settings.last_active_at = utcnow()
        session.flush()
        return self.store_object(session, collection)

    def delete(self, *, session: Session, principal: Principal, vs_id: str) -> dict[str, Any]:
        """The store, its collection and every document in it (the Files themselves stay)."""
        collection = store_collection(session, principal, vs_id, write=True)
        if collection.name == DEFAULT_COLLECTION:
            raise BadRequest("the default collection cannot be deleted", details={"param": "vector_store_id"})
        settings = session.get(VectorStoreSettings, collection.id)
        if not principal.is_admin and (settings is None or settings.creator_id is None):
            raise PermissionDenied("only admins delete collections that were not created as vector stores")
        for entry in store_entries(session, collection.id):
            self.store_files.remove(session=session, entry=entry)
        session.delete(collection)
        session.flush()
        return {"id": vs_id, "object": "vector_store.deleted", "deleted": True}
