"""Collections and their group grants."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.errors import Conflict, InvalidInput, NotFound
from core.metadata.models import Collection, CollectionGrant, Document
from core.types import DEFAULT_COLLECTION, EVERYONE_GROUP, CollectionPublic


def _public(collection: Collection) -> CollectionPublic:
    return CollectionPublic(
        id=collection.id,
        name=collection.name,
        description=collection.description,
        read_groups=sorted(g.group_name for g in collection.grants if g.access == "read"),
        write_groups=sorted(g.group_name for g in collection.grants if g.access == "write"),
        created_at=collection.created_at,
    )


def _set_grants(collection: Collection, read_groups: list[str], write_groups: list[str]) -> None:
    collection.grants = [
        CollectionGrant(group_name=name, access=access)
        for access, names in (("read", read_groups), ("write", write_groups))
        for name in dict.fromkeys(n.strip() for n in names if n.strip())
    ]


def get_collection(*, session: Session, name: str) -> Collection:
    row = session.scalar(select(Collection).where(Collection.name == name))
    if row is None:
        raise NotFound(f"collection '{name}' does not exist")
    return row


def collection_public(*, session: Session, name: str) -> CollectionPublic:
    return _public(get_collection(session=session, name=name))


def list_collections(*, session: Session, limit: int | None = None, offset: int = 0) -> list[CollectionPublic]:
    query = select(Collection).order_by(Collection.name).limit(limit).offset(offset)
    return [_public(c) for c in session.scalars(query).all()]


def create_collection(
    *, session: Session, name: str, description: str = "", read_groups: list[str], write_groups: list[str]
) -> CollectionPublic:
    from core.metadata.accounts import ensure_groups

    if session.scalar(select(Collection).where(Collection.name == name)) is not None:
        raise Conflict(f"collection '{name}' already exists")
    ensure_groups(session=session, names=read_groups + write_groups)
    row = Collection(name=name, description=description)
    _set_grants(row, read_groups, write_groups)
    session.add(row)
    session.flush()
    return _public(row)


def update_collection(
    *,
    session: Session,
    name: str,
    description: str | None = None,
    read_groups: list[str] | None = None,
    write_groups: list[str] | None = None,
) -> CollectionPublic:
    from core.metadata.accounts import ensure_groups

    row = get_collection(session=session, name=name)
    if description is not None:
        row.description = description
    if read_groups is not None or write_groups is not None:
        current = _public(row)
        reads = read_groups if read_groups is not None else current.read_groups
        writes = write_groups if write_groups is not None else current.write_groups
        ensure_groups(session=session, names=reads + writes)
        row.grants.clear()
        session.flush()
        _set_grants(row, reads, writes)
    session.flush()
    return _public(row)


def delete_collection(*, session: Session, name: str) -> None:
    if name == DEFAULT_COLLECTION:
        raise InvalidInput("the default collection cannot be deleted")
    row = get_collection(session=session, name=name)
    documents = session.scalar(select(func.count(Document.id)).where(Document.collection_id == row.id)) or 0
    if documents:
        raise Conflict(f"collection '{name}' still holds {documents} documents; delete them first")
    session.delete(row)


def ensure_default_collection(*, session: Session) -> None:
    """``default`` exists from the start, readable and writable by every user."""
    if session.scalar(select(Collection).where(Collection.name == DEFAULT_COLLECTION)) is None:
        create_collection(
            session=session,
            name=DEFAULT_COLLECTION,
            description="Shared by everyone",
            read_groups=[EVERYONE_GROUP],
            write_groups=[EVERYONE_GROUP],
        )
