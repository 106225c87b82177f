"""SQLAlchemy 2 table definitions. Rows never leave ``core.metadata``: services return schemas."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> datetime:
    return datetime.now(UTC)


def new_id() -> str:
    return uuid.uuid4().hex


class Base(DeclarativeBase):
    pass


user_groups = Table(
    "user_groups",
    Base.metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("group_id", ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True),
)


class User(Base):
    __tablename__ = "users"
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(120), unique=True, index=True)
    role: Mapped[str] = mapped_column(String(16))  # admin | editor | reader
    password_hash: Mapped[str | None] = mapped_column(String(255), default=None)
    disabled: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    groups: Mapped[list[Group]] = relationship(secondary=user_groups, lazy="selectin")
    keys: Mapped[list[ApiKey]] = relationship(back_populates="user", cascade="all, delete-orphan")


class Group(Base):
    __tablename__ = "groups"
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(120), unique=True, index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ApiKey(Base):
    __tablename__ = "api_keys"
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120), default="")
    prefix: Mapped[str] = mapped_column(String(16))  # first characters, to recognise a key in lists
    key_hash: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    monthly_token_budget: Mapped[int | None] = mapped_column(BigInteger, default=None)
    requests_per_minute: Mapped[int | None] = mapped_column(Integer, default=None)
    tokens_per_minute: Mapped[int | None] = mapped_column(BigInteger, default=None)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    user: Mapped[User] = relationship(back_populates="keys", lazy="joined")


class RateLimitWindow(Base):
    """What a key has used in one minute (fixed windows, shared by every process through the DB)."""

    __tablename__ = "rate_limit_windows"
    key_id: Mapped[str] = mapped_column(ForeignKey("api_keys.id", ondelete="CASCADE"), primary_key=True)
    minute: Mapped[int] = mapped_column(BigInteger, primary_key=True)  # Unix time // 60
    requests: Mapped[int] = mapped_column(Integer, default=0)
    tokens: Mapped[int] = mapped_column(BigInteger, default=0)


class Collection(Base):
    __tablename__ = "collections"
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(120), unique=True, index=True)
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    grants: Mapped[list[CollectionGrant]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", back_populates="collection"
    )


class CollectionGrant(Base):
    """``access`` is ``read`` or ``write`` (write implies read) for one group on one collection."""

    __tablename__ = "collection_grants"
    __table_args__ = (UniqueConstraint("collection_id", "group_name", "access"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    collection_id: Mapped[str] = mapped_column(ForeignKey("collections.id", ondelete="CASCADE"), index=True)
    # By name, not id, so the implicit group "everyone" needs no row.
    group_name: Mapped[str] = mapped_column(String(120))
    access: Mapped[str] = mapped_column(String(8))
    collection: Mapped[Collection] = relationship(back_populates="grants")


class Document(Base):
    __tablename__ = "documents"
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    collection_id: Mapped[str] = mapped_column(ForeignKey("collections.id"), index=True)
    title: Mapped[str] = mapped_column(String(500))
    source_name: Mapped[str] = mapped_column(String(500))
    content_type: Mapped[str] = mapped_column(String(100), default="")
    size_bytes: Mapped[int] = mapped_column(BigInteger, default=0)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    storage_path: Mapped[str] = mapped_column(String(1000))
    status: Mapped[str] = mapped_column(String(16), default="queued", index=True)
    error: Mapped[str | None] = mapped_column(Text, default=None)
    pages: Mapped[int | None] = mapped_column(Integer, default=None)
    chunk_count: Mapped[int] = mapped_column(Integer, default=0)
    token_count: Mapped[int] = mapped_column(Integer, default=0)
    version: Mapped[int] = mapped_column(Integer, default=1)
    uploader_id: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), default=None)
    # OpenAI file attributes (copied onto every chunk's payload) and a per-document chunking
    # {"max_tokens", "overlap_tokens"}; None = the server's chunking.
    attributes: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    chunking: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)


class IngestionJob(Base):
    __tablename__ = "ingestion_jobs"
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="queued", index=True)
    progress_done: Mapped[int] = mapped_column(Integer, default=0)
    progress_total: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text, default=None)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    # Claim order (ingest/jobs.py): enqueue time plus the document's size at a reference rate.
    due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    size_bytes: Mapped[int] = mapped_column(BigInteger, default=0)
    # The worker running the job ("host:pid:random") and until when its claim holds.
    owner: Mapped[str | None] = mapped_column(String(120), default=None)
    lease_expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    heartbeat_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)


class EmbeddingCacheEntry(Base):
    """Which chunk contents are already embedded by which model (the vector lives in Qdrant)."""

    __tablename__ = "embedding_cache"
    content_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    model: Mapped[str] = mapped_column(String(200), primary_key=True)
    vector: Mapped[bytes] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class LexicalTermCount(Base):
    """How many published chunks of a collection contain a sparse term (its BM25 document frequency).
    The row with ``term == TOTAL_CHUNKS_TERM`` (-1) holds the collection's chunk count. Query IDF is
    summed over the collections a caller may read, so scores never depend on other collections."""

    __tablename__ = "lexical_term_counts"
    collection_id: Mapped[str] = mapped_column(ForeignKey("collections.id", ondelete="CASCADE"), primary_key=True)
    term: Mapped[int] = mapped_column(BigInteger, primary_key=True)  # sparse index (u32), or -1
    chunks: Mapped[int] = mapped_column(Integer, default=0)


class LexicalDocumentTerms(Base):
    """One published document version's contribution to ``lexical_term_counts``, kept so that it
    can be subtracted exactly when the version is replaced or the document deleted."""

    __tablename__ = "lexical_document_terms"
    document_id: Mapped[str] = mapped_column(String(32), primary_key=True)  # no FK: outlives a racing delete
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    collection_id: Mapped[str] = mapped_column(String(32), index=True)
    chunks: Mapped[int] = mapped_column(Integer)
    terms: Mapped[bytes] = mapped_column(LargeBinary)  # little-endian uint32 pairs (term, chunks containing it)


class Conversation(Base):
    __tablename__ = "conversations"
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(300), default="")
    collection: Mapped[str | None] = mapped_column(String(120), default=None)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)


class Message(Base):
    __tablename__ = "messages"
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(16))  # user | assistant
    content: Mapped[str] = mapped_column(Text)
    citations: Mapped[list[Any] | None] = mapped_column(JSON, default=None)
    mode: Mapped[str | None] = mapped_column(String(16), default=None)  # llm | extractive | blocked
    unsupported_claims: Mapped[list[Any] | None] = mapped_column(JSON, default=None)  # claims no source states
    feedback: Mapped[int | None] = mapped_column(Integer, default=None)  # +1 / -1
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class UsageRecord(Base):
    __tablename__ = "usage_records"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    key_id: Mapped[str | None] = mapped_column(ForeignKey("api_keys.id", ondelete="SET NULL"), index=True)
    kind: Mapped[str] = mapped_column(String(16), default="chat")
    model: Mapped[str] = mapped_column(String(200), default="")
    prompt_tokens: Mapped[int] = mapped_column(Integer, default=0)
    completion_tokens: Mapped[int] = mapped_column(Integer, default=0)
    cost: Mapped[float] = mapped_column(Float, default=0.0)
    latency_ms: Mapped[float] = mapped_column(Float, default=0.0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)


class UsageReservation(Base):
    """Tokens a chat turn in progress may still spend; settled into a UsageRecord when it ends."""

    __tablename__ = "usage_reservations"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    key_id: Mapped[str] = mapped_column(ForeignKey("api_keys.id", ondelete="CASCADE"), index=True)
    tokens: Mapped[int] = mapped_column(BigInteger, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class UiSession(Base):
    """A signed-in browser. Only the token's hash is stored; the CSRF token guards state changes."""

    __tablename__ = "ui_sessions"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256 of the cookie token
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class StoredResponse(Base):
    """A response of OpenAI's Responses API, kept for retrieval and ``previous_response_id``: the
    response object as returned, and the conversation so far (its inputs and answers)."""

    __tablename__ = "openai_responses"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # resp_ + 32 hex
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    conversation_id: Mapped[str | None] = mapped_column(String(32), default=None)  # no FK: may be deleted
    message_id: Mapped[str | None] = mapped_column(String(32), default=None)  # the answer in that conversation
    body: Mapped[dict[str, Any]] = mapped_column(JSON)
    messages: Mapped[list[Any]] = mapped_column(JSON)
    input_items: Mapped[list[Any]] = mapped_column(JSON)  # the request's input, as OpenAI lists it
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class OpenAIFile(Base):
    """A file of OpenAI's Files API: stored once (content-addressed, like uploads), owned by its
    uploader, and added to any number of vector stores (each addition is a document)."""

    __tablename__ = "openai_files"
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)  # the id after "file-"
    owner_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(500))
    purpose: Mapped[str] = mapped_column(String(32), index=True)
    size_bytes: Mapped[int] = mapped_column(BigInteger, default=0)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_path: Mapped[str] = mapped_column(String(1000), index=True)
    content_type: Mapped[str] = mapped_column(String(100), default="")  # detected format, "unknown" if none
    error: Mapped[str | None] = mapped_column(Text, default=None)  # why knowbase cannot read it
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)


class VectorStoreSettings(Base):
    """What OpenAI's vector store has beyond its collection: a free-form name, metadata, expiry."""

    __tablename__ = "vector_store_settings"
    collection_id: Mapped[str] = mapped_column(ForeignKey("collections.id", ondelete="CASCADE"), primary_key=True)
    name: Mapped[str] = mapped_column(String(500), default="")
    meta: Mapped[dict[str, Any] | None] = mapped_column("metadata", JSON, default=None)
    expires_after_days: Mapped[int | None] = mapped_column(Integer, default=None)
    last_active_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    creator_id: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), default=None)


class VectorStoreFile(Base):
    """A file added to a vector store, and the document it became there (which holds the file's
    attributes and chunking). A cancelled addition keeps its document, failed and empty."""

    __tablename__ = "vector_store_files"
    __table_args__ = (UniqueConstraint("collection_id", "file_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    collection_id: Mapped[str] = mapped_column(ForeignKey("collections.id", ondelete="CASCADE"), index=True)
    file_id: Mapped[str] = mapped_column(ForeignKey("openai_files.id", ondelete="CASCADE"), index=True)
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    batch_id: Mapped[str | None] = mapped_column(String(32), default=None, index=True)
    cancelled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class VectorStoreFileBatch(Base):
    __tablename__ = "vector_store_file_batches"
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)  # the id after "vsfb_"
    collection_id: Mapped[str] = mapped_column(ForeignKey("collections.id", ondelete="CASCADE"), index=True)
    cancelled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
