"""Admin endpoints: users, groups, collections and API keys. Admin role required for all."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response

from api.deps import SESSION_COOKIE, AdminDep, PrincipalDep, SessionDep, VectorStoreDep, require_admin
from api.pagination import Limit, Offset
from core.access import readable_groups_of
from core.errors import Conflict
from core.metadata import accounts, collections, sessions
from core.metadata.models import Collection
from core.types import (
    CollectionCreate,
    CollectionPublic,
    CollectionUpdate,
    GroupCreate,
    GroupPublic,
    KeyCreate,
    KeyCreated,
    KeyLimitsUpdate,
    KeyPublic,
    UserCreate,
    UserPublic,
    UserUpdate,
)
from core.vectorstore import StoreFilter

router = APIRouter(prefix="/v1/admin", tags=["admin"], dependencies=[Depends(require_admin)])


@router.get("/users")
def list_users(session: SessionDep, limit: Limit = 500, offset: Offset = 0) -> list[UserPublic]:
    return accounts.list_users(session=session, limit=limit, offset=offset)


@router.post("/users", status_code=201)
def create_user(body: UserCreate, session: SessionDep) -> UserPublic:
    return accounts.create_user(
        session=session, name=body.name, role=body.role, groups=body.groups, password=body.password
    )


@router.get("/users/{name}")
def get_user(name: str, session: SessionDep) -> UserPublic:
    return accounts.user_public(session=session, name=name)


@router.patch("/users/{name}", summary="Change a user; a new password ends their other browser sessions")
def update_user(name: str, body: UserUpdate, session: SessionDep, request: Request, caller: AdminDep) -> UserPublic:
    token = request.cookies.get(SESSION_COOKIE) if caller.name == name else None
    return accounts.update_user(
        session=session,
        name=name,
        keep_session_id=sessions.session_id(token) if token else None,
        **body.model_dump(exclude_unset=True),
    )


@router.delete("/users/{name}", status_code=204)
def delete_user(name: str, session: SessionDep, principal: PrincipalDep) -> Response:
    if name == principal.name:
        # An admin deleting themselves could leave the server without anyone able to administer it.
        raise Conflict("you cannot delete your own account; ask another admin")
    accounts.delete_user(session=session, name=name)
    return Response(status_code=204)


@router.get("/groups")
def list_groups(session: SessionDep, limit: Limit = 500, offset: Offset = 0) -> list[GroupPublic]:
    groups = accounts.list_groups(session=session, limit=limit, offset=offset)
    return [GroupPublic(id=g.id, name=g.name, members=m) for g, m in groups]


@router.post("/groups", status_code=201)
def create_group(body: GroupCreate, session: SessionDep) -> GroupPublic:
    group = accounts.ensure_groups(session=session, names=[body.name])
    return (
        GroupPublic(id=group[0].id, name=group[0].name, members=[])
        if group
        else GroupPublic(id="", name=body.name, members=[])
    )


@router.delete("/groups/{name}", status_code=204)
def delete_group(name: str, session: SessionDep, store: VectorStoreDep) -> Response:
    for collection_id in accounts.delete_group(session=session, name=name):
        collection = session.get(Collection, collection_id)
        if collection is not None:  # searches check grants in the DB too: access ends with the commit
            store.set_payload(
                StoreFilter(collection_ids=[collection_id]), {"read_groups": readable_groups_of(collection)}
            )
    return Response(status_code=204)


@router.get("/collections")
def list_collections(session: SessionDep, limit: Limit = 500, offset: Offset = 0) -> list[CollectionPublic]:
    return collections.list_collections(session=session, limit=limit, offset=offset)


@router.post("/collections", status_code=201)
def create_collection(body: CollectionCreate, session: SessionDep) -> CollectionPublic:
    return collections.create_collection(session=session, **body.model_dump())


@router.patch("/collections/{name}")
def update_collection(
    name: str, body: CollectionUpdate, session: SessionDep, store: VectorStoreDep
) -> CollectionPublic:
    updated = collections.update_collection(session=session, name=name, **body.model_dump(exclude_unset=True))
    if body.read_groups is not None or body.write_groups is not None:
        # Chunks carry their collection's readers; searches also filter by collection from the DB,
        # so a removed group loses access at once even before this update lands.
        groups = sorted(set(updated.read_groups) | set(updated.write_groups))
        store.set_payload(StoreFilter(collection_ids=[updated.id]), {"read_groups": groups})
    return updated


@router.delete("/collections/{name}", status_code=204)
def delete_collection(name: str, session: SessionDep) -> Response:
    collections.delete_collection(session=session, name=name)
    return Response(status_code=204)


@router.get("/keys")
def list_keys(session: SessionDep, limit: Limit = 500, offset: Offset = 0) -> list[KeyPublic]:
    return accounts.list_keys(session=session, limit=limit, offset=offset)


@router.post("/keys", status_code=201, summary="Create a key; the response is the only time it is shown")
def create_key(body: KeyCreate, session: SessionDep) -> KeyCreated:
    return accounts.create_key(session=session, **body.model_dump())


@router.put("/keys/{key_id}/limits", summary="Set a key's requests and tokens per minute (null: no limit)")
def set_key_limits(key_id: str, body: KeyLimitsUpdate, session: SessionDep) -> KeyPublic:
    return accounts.set_key_limits(session=session, key_id=key_id, **body.model_dump())


@router.delete("/keys/{key_id}", summary="Revoke a key (by id or prefix)")
def revoke_key(key_id: str, session: SessionDep) -> KeyPublic:
    return accounts.revoke_key(session=session, key_id=key_id)
