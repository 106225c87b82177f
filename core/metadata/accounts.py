"""Users, groups and API keys: keyword-only functions over a session, returning public schemas."""

from __future__ import annotations

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from core.errors import Conflict, InvalidInput, NotFound, Unauthorized
from core.metadata.models import ApiKey, CollectionGrant, Group, UiSession, User, utcnow
from core.security import generate_api_key, hash_api_key, hash_password, key_prefix, verify_password
from core.types import EVERYONE_GROUP, KeyCreated, KeyPublic, Principal, Role, UserPublic


def _user_public(user: User) -> UserPublic:
    return UserPublic(
        id=user.id,
        name=user.name,
        role=Role(user.role),
        groups=sorted(g.name for g in user.groups),
        disabled=user.disabled,
        has_password=bool(user.password_hash),
        created_at=user.created_at,
    )


def _key_public(key: ApiKey) -> KeyPublic:
    return KeyPublic(
        id=key.id,
        user=key.user.name,
        role=Role(key.user.role),
        name=key.name,
        prefix=key.prefix,
        created_at=key.created_at,
        last_used_at=key.last_used_at,
        revoked_at=key.revoked_at,
        monthly_token_budget=key.monthly_token_budget,
        requests_per_minute=key.requests_per_minute,
        tokens_per_minute=key.tokens_per_minute,
    )


def principal_for(user: User, key_id: str | None = None) -> Principal:
    return Principal(
        user_id=user.id,
        name=user.name,
        role=Role(user.role),
        groups=frozenset(g.name for g in user.groups),
        key_id=key_id,
    )


# Groups ---------------------------------------------------------------------------------------
def ensure_groups(*, session: Session, names: list[str]) -> list[Group]:
    """Return the named groups, creating missing ones. ``everyone`` is implicit and never stored."""
    groups = []
    for name in dict.fromkeys(n.strip() for n in names if n.strip()):
        if name == EVERYONE_GROUP:
            continue
        group = session.scalar(select(Group).where(Group.name == name))
        if group is None:
            group = Group(name=name)
            session.add(group)
            session.flush()
        groups.append(group)
    return groups


def list_groups(*, session: Session, limit: int | None = None, offset: int = 0) -> list[tuple[Group, list[str]]]:
    users = session.scalars(select(User)).all()
    result = []
    for group in session.scalars(select(Group).order_by(Group.name).limit(limit).offset(offset)).all():
        result.append((group, sorted(u.name for u in users if group in u.groups)))
    return result


def delete_group(*, session: Session, name: str) -> list[str]:
    """Delete a group with its memberships and its collection grants (grants name groups by name,
    so a new group of the same name must start with none). Returns the ids of the collections
    whose grants changed, whose chunks' reader lists the caller must refresh."""
    group = session.scalar(select(Group).where(Group.name == name))
    if group is None:
        raise NotFound(f"group '{name}' does not exist")
    changed = sorted(
        set(session.scalars(select(CollectionGrant.collection_id).where(CollectionGrant.group_name == name)))
    )
    session.execute(delete(CollectionGrant).where(CollectionGrant.group_name == name))
    session.delete(group)
    session.flush()
    session.expire_all()  # loaded collections must not keep the deleted grants
    return changed


# Users ----------------------------------------------------------------------------------------
def get_user(*, session: Session, name: str) -> User:
    user = session.scalar(select(User).where(User.name == name))
    if user is None:
        raise NotFound(f"user '{name}' does not exist")
    return user


def create_user(
    *, session: Session, name: str, role: Role, groups: list[str] | None = None, password: str | None = None
) -> UserPublic:
    if session.scalar(select(User).where(User.name == name)) is not None:
        raise Conflict(f"user '{name}' already exists")
    user = User(name=name, role=role.value, password_hash=hash_password(password) if password else None)
    user.groups = ensure_groups(session=session, names=groups or [])
    session.add(user)
    session.flush()
    return _user_public(user)


def update_user(
    *,
    session: Session,
    name: str,
    role: Role | None = None,
    groups: list[str] | None = None,
    disabled: bool | None = None,
    password: str | None = None,
    keep_session_id: str | None = None,
) -> UserPublic:
    """A new password ends the user's browser sessions, except ``keep_session_id`` (the one that
    made the change, when users change their own)."""
    user = get_user(session=session, name=name)
    if role is not None:
        user.role = role.value
    if groups is not None:
        user.groups = ensure_groups(session=session, names=groups)
    if disabled is not None:
        user.disabled = disabled
    if password is not None:
        user.password_hash = hash_password(password)
        ended = delete(UiSession).where(UiSession.user_id == user.id)
        if keep_session_id is not None:
            ended = ended.where(UiSession.id != keep_session_id)
        session.execute(ended)
    session.flush()
    return _user_public(user)


def delete_user(*, session: Session, name: str) -> None:
    session.delete(get_user(session=session, name=name))


def list_users(*, session: Session, limit: int | None = None, offset: int = 0) -> list[UserPublic]:
    query = select(User).order_by(User.name).limit(limit).offset(offset)
    return [_user_public(u) for u in session.scalars(query).all()]


def user_public(*, session: Session, name: str) -> UserPublic:
    return _user_public(get_user(session=session, name=name))


def authenticate_password(*, session: Session, name: str, password: str) -> Principal:
    user = session.scalar(select(User).where(User.name == name))
    # verify_password runs scrypt even without a hash, so timing does not reveal which names exist.
    ok = verify_password(password, user.password_hash if user else None)
    if user is None or not ok or user.disabled:
        raise Unauthorized("wrong user name or password")
    return principal_for(user)


# API keys -------------------------------------------------------------------------------------
def create_key(
    *,
    session: Session,
    user: str,
    role: Role | None = None,
    groups: list[str] | None = None,
    name: str = "",
    monthly_token_budget: int | None = None,
    requests_per_minute: int | None = None,
    tokens_per_minute: int | None = None,
    raw_key: str | None = None,
) -> KeyCreated:
    """Create a key for ``user`` (creating the user, with ``role``, if needed). The clear key is
    returned once here and stored only as a hash."""
    existing = session.scalar(select(User).where(User.name == user))
    if existing is None:
        if role is None:
            raise InvalidInput(f"user '{user}' does not exist; give a role to create it")
        existing = User(name=user, role=role.value)
        session.add(existing)
    elif role is not None:
        existing.role = role.value
    if groups is not None:
        existing.groups = ensure_groups(session=session, names=groups)
    key = raw_key or generate_api_key()
    row = ApiKey(
        user=existing,
        name=name,
        prefix=key_prefix(key),
        key_hash=hash_api_key(key),
        monthly_token_budget=monthly_token_budget,
        requests_per_minute=requests_per_minute,
        tokens_per_minute=tokens_per_minute,
    )
    session.add(row)
    session.flush()
    return KeyCreated(key=key, **_key_public(row).model_dump())


def list_keys(
    *, session: Session, include_revoked: bool = True, limit: int | None = None, offset: int = 0
) -> list[KeyPublic]:
    query = select(ApiKey).order_by(ApiKey.created_at, ApiKey.id).limit(limit).offset(offset)
    if not include_revoked:
        query = query.where(ApiKey.revoked_at.is_(None))
    return [_key_public(k) for k in session.scalars(query).all()]


def set_key_limits(
    *, session: Session, key_id: str, requests_per_minute: int | None, tokens_per_minute: int | None
) -> KeyPublic:
    """Set (or, with None, remove) a key's per-minute limits; found by id or displayed prefix."""
    row = _find_key(session, key_id)
    row.requests_per_minute, row.tokens_per_minute = requests_per_minute, tokens_per_minute
    session.flush()
    return _key_public(row)


def revoke_key(*, session: Session, key_id: str) -> KeyPublic:
    """Revoke by id or by the displayed prefix."""
    row = _find_key(session, key_id)
    if row.revoked_at is None:
        row.revoked_at = utcnow()
    session.flush()
    return _key_public(row)


def _find_key(session: Session, key_id: str) -> ApiKey:
    row = session.get(ApiKey, key_id)
    if row is None:
        matches = session.scalars(select(ApiKey).where(ApiKey.prefix == key_id)).all()
        if len(matches) > 1:
            raise Conflict(f"prefix '{key_id}' matches {len(matches)} keys; use the key id")
        row = matches[0] if matches else None
    if row is None:
        raise NotFound(f"API key '{key_id}' does not exist")
    return row


def authenticate_key(*, session: Session, key: str) -> Principal:
    row = session.scalar(select(ApiKey).where(ApiKey.key_hash == hash_api_key(key)))
    if row is None:
        raise Unauthorized("invalid API key")
    if row.revoked_at is not None:
        raise Unauthorized("this API key has been revoked")
    if row.user.disabled:
        raise Unauthorized("this user is disabled")
    now = utcnow()
    last = row.last_used_at
    if last is not None and last.tzinfo is None:  # SQLite hands back naive datetimes
        last = last.replace(tzinfo=now.tzinfo)
    # Touch at most once a minute: a write per request would serialise SQLite.
    if last is None or (now - last).total_seconds() > 60:
        row.last_used_at = now
    return principal_for(row.user, key_id=row.id)


def key_exists(*, session: Session, key: str) -> bool:
    return session.scalar(select(ApiKey.id).where(ApiKey.key_hash == hash_api_key(key))) is not None


def count_active_admin_keys(*, session: Session) -> int:
    return (
        session.scalar(
            select(func.count(ApiKey.id)).join(User).where(User.role == Role.admin.value, ApiKey.revoked_at.is_(None))
        )
        or 0
    )
