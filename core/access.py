"""Who may read or write which collection. The one place the access policy is decided;
``retrieval/access.py`` turns its answer into a vector-store filter."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.errors import NotFound, PermissionDenied
from core.metadata.models import Collection, CollectionGrant
from core.types import Principal, Role


def readable_collections(*, session: Session, principal: Principal) -> dict[str, str]:
    """Map of collection name → id the principal may read (write implies read)."""
    query = select(Collection.name, Collection.id)
    if not principal.is_admin:
        query = query.where(
            Collection.id.in_(
                select(CollectionGrant.collection_id).where(CollectionGrant.group_name.in_(principal.all_groups))
            )
        )
    return dict(session.execute(query).all())


def can_write(*, session: Session, principal: Principal, collection: Collection) -> bool:
    if principal.is_admin:
        return True
    if principal.role is not Role.editor:
        return False
    return any(g.access == "write" and g.group_name in principal.all_groups for g in collection.grants)


def require_readable(*, session: Session, principal: Principal, name: str) -> str:
    """Return the collection id, or NotFound if it does not exist *or* the caller may not read it,
    so that existence of private collections is not revealed."""
    collection_id = readable_collections(session=session, principal=principal).get(name)
    if collection_id is None:
        raise NotFound(f"collection '{name}' does not exist")
    return collection_id


def require_writable(*, session: Session, principal: Principal, name: str) -> Collection:
    require_readable(session=session, principal=principal, name=name)
    collection = session.scalar(select(Collection).where(Collection.name == name))
    assert collection is not None
    if not can_write(session=session, principal=principal, collection=collection):
        if principal.role is Role.reader:
            raise PermissionDenied("readers cannot change documents; ask an admin for an editor key")
        raise PermissionDenied(f"you may read but not write collection '{name}'")
    return collection


def readable_groups_of(collection: Collection) -> list[str]:
    """Groups that may read a collection (write implies read): stored on every chunk's payload."""
    return sorted({g.group_name for g in collection.grants})
