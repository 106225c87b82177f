"""Shared types: the caller (``Principal``), roles, and public schemas of accounts and collections."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import Annotated

from pydantic import BaseModel, Field

EVERYONE_GROUP = "everyone"  # implicit: every user is in it; needs no membership row
DEFAULT_COLLECTION = "default"

# Size limits of request fields (they appear in the OpenAPI schema as maxLength / maxItems).
NAME_MAX_CHARS = 120
PASSWORD_MAX_CHARS = 200
DESCRIPTION_MAX_CHARS = 2000
GROUPS_MAX_ITEMS = 100
ID_MAX_CHARS = 64
TITLE_MAX_CHARS = 500  # the width of the document title column
QUERY_MAX_CHARS = 2000  # search/context queries; the embedder sees at most its window anyway

GroupName = Annotated[str, Field(min_length=1, max_length=NAME_MAX_CHARS)]
GroupNames = Annotated[list[GroupName], Field(max_length=GROUPS_MAX_ITEMS)]
CollectionName = Annotated[str, Field(min_length=1, max_length=NAME_MAX_CHARS)]
Password = Annotated[str, Field(min_length=8, max_length=PASSWORD_MAX_CHARS)]


class Role(str, Enum):
    admin = "admin"  # everything
    editor = "editor"  # upload/delete in collections their groups may write
    reader = "reader"  # search and chat in collections their groups may read


@dataclass(frozen=True)
class Principal:
    """Who is calling. Built once per request by authentication and passed down explicitly."""

    user_id: str
    name: str
    role: Role
    groups: frozenset[str] = field(default_factory=frozenset)
    key_id: str | None = None

    @property
    def is_admin(self) -> bool:
        return self.role is Role.admin

    @property
    def all_groups(self) -> frozenset[str]:
        return self.groups | {EVERYONE_GROUP}


class UserPublic(BaseModel):
    id: str
    name: str
    role: Role
    groups: list[str]
    disabled: bool
    has_password: bool
    created_at: datetime


class UserCreate(BaseModel):
    name: str = Field(min_length=1, max_length=NAME_MAX_CHARS, pattern=r"^[\w.@-]+$")
    role: Role = Role.reader
    groups: GroupNames = Field(default_factory=list)
    password: Password | None = None


class UserUpdate(BaseModel):
    role: Role | None = None
    groups: GroupNames | None = None
    disabled: bool | None = None
    password: Password | None = None


class GroupPublic(BaseModel):
    id: str
    name: str
    members: list[str]


class GroupCreate(BaseModel):
    name: str = Field(min_length=1, max_length=NAME_MAX_CHARS, pattern=r"^[\w.-]+$")


class KeyPublic(BaseModel):
    id: str
    user: str
    role: Role
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None
    monthly_token_budget: int | None
    requests_per_minute: int | None = None
    tokens_per_minute: int | None = None


class KeyCreated(KeyPublic):
    key: str = Field(description="The API key itself. Shown only once: it is stored as a hash.")


class KeyCreate(BaseModel):
    user: str = Field(min_length=1, max_length=NAME_MAX_CHARS, pattern=r"^[\w.@-]+$")
    role: Role | None = Field(None, description="Role for a new user; changes an existing user's role.")
    groups: GroupNames | None = None
    name: str = Field("", max_length=NAME_MAX_CHARS)
    monthly_token_budget: int | None = Field(None, gt=0)
    requests_per_minute: int | None = Field(
        None, gt=0, le=1_000_000, description="Requests per minute; none = no limit"
    )
    tokens_per_minute: int | None = Field(None, gt=0, le=10**10, description="Tokens per minute; none = no limit")


class KeyLimitsUpdate(BaseModel):
    """New per-minute limits of a key; ``null`` removes a limit."""

    requests_per_minute: int | None = Field(None, gt=0, le=1_000_000)
    tokens_per_minute: int | None = Field(None, gt=0, le=10**10)


class CollectionPublic(BaseModel):
    id: str
    name: str
    description: str
    read_groups: list[str]
    write_groups: list[str]
    created_at: datetime


class CollectionCreate(BaseModel):
    name: str = Field(min_length=1, max_length=NAME_MAX_CHARS, pattern=r"^[\w.-]+$")
    description: str = Field("", max_length=DESCRIPTION_MAX_CHARS)
    read_groups: GroupNames = Field(default_factory=list)
    write_groups: GroupNames = Field(default_factory=list)


class CollectionUpdate(BaseModel):
    description: str | None = Field(None, max_length=DESCRIPTION_MAX_CHARS)
    read_groups: GroupNames | None = None
    write_groups: GroupNames | None = None
