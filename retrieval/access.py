"""The caller's access, as a filter applied *inside* every vector-store query (never after it)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from core.access import readable_collections, require_readable
from core.errors import NotFound
from core.types import Principal
from core.vectorstore import StoreFilter
from core.vectorstore.attribute_filter import AttributeCondition


@dataclass(frozen=True)
class AccessScope:
    """What a caller may see: collection ids (fresh from the DB) and, for non-admins, their groups,
    which every chunk's payload must share too."""

    collection_names: dict[str, str]  # id -> name
    groups: list[str] | None  # None for admins
    attributes: AttributeCondition | None = None  # the caller's own filter: narrows, never widens

    def store_filter(self, **extra: Any) -> StoreFilter:
        return StoreFilter(
            collection_ids=sorted(self.collection_names), read_groups=self.groups, attributes=self.attributes, **extra
        )


def access_scope(*, session: Session, principal: Principal, collection: str | None = None) -> AccessScope:
    """:raises NotFound: ``collection`` does not exist or the caller may not read it."""
    if collection is not None:
        collection_id = require_readable(session=session, principal=principal, name=collection)
        names = {collection_id: collection}
    else:
        names = {cid: name for name, cid in readable_collections(session=session, principal=principal).items()}
    groups = None if principal.is_admin else sorted(principal.all_groups)
    return AccessScope(collection_names=names, groups=groups)


def access_scope_of(*, session: Session, principal: Principal, collection_ids: Sequence[str]) -> AccessScope:
    """The scope of several collections named by id (OpenAI's vector stores).

    :raises NotFound: one of them does not exist or the caller may not read it (the first such id).
    """
    readable = {cid: name for name, cid in readable_collections(session=session, principal=principal).items()}
    for collection_id in collection_ids:
        if collection_id not in readable:
            raise NotFound(f"collection '{collection_id}' does not exist")
    groups = None if principal.is_admin else sorted(principal.all_groups)
    return AccessScope(collection_names={cid: readable[cid] for cid in collection_ids}, groups=groups)
