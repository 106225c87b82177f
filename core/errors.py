"""The knowbase error tree. Adapters translate third-party errors into these at the boundary.

    KnowbaseError
    ├── NotFound
    ├── Unauthorized            (no or bad credentials)
    ├── PermissionDenied        (credentials fine, access not granted)
    ├── InvalidInput
    │   ├── BadRequest          (OpenAI-compatible routes: 400, not 422)
    │   ├── PayloadTooLarge
    │   └── UnsupportedMediaType
    ├── Conflict
    ├── ContentBlocked          (moderation refused a turn)
    ├── QuotaExceeded           (token budget spent)
    ├── ParseError              (a document could not be turned into text)
    └── ProviderError           (embeddings, LLM, moderation, vector store)
        ├── ProviderTimeout
        └── ProviderRateLimited

``api/errors.py`` is the only place these become HTTP responses.
"""

from __future__ import annotations

from typing import Any


class KnowbaseError(Exception):
    code = "internal_error"
    status_code = 500

    def __init__(self, message: str, *, details: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class NotFound(KnowbaseError):
    code, status_code = "not_found", 404


class Unauthorized(KnowbaseError):
    code, status_code = "unauthorized", 401


class PermissionDenied(KnowbaseError):
    code, status_code = "forbidden", 403


class InvalidInput(KnowbaseError):
    code, status_code = "invalid_input", 422


class BadRequest(InvalidInput):
    """What OpenAI answers with 400 (its API never uses 422): put ``param`` in ``details``."""

    code, status_code = "invalid_request", 400


class PayloadTooLarge(InvalidInput):
    code, status_code = "payload_too_large", 413


class UnsupportedMediaType(InvalidInput):
    code, status_code = "unsupported_media_type", 415


class Conflict(KnowbaseError):
    code, status_code = "conflict", 409


class ContentBlocked(KnowbaseError):
    code, status_code = "content_blocked", 400


class QuotaExceeded(KnowbaseError):
    code, status_code = "quota_exceeded", 429


class ParseError(KnowbaseError):
    code, status_code = "parse_error", 422


class ProviderError(KnowbaseError):
    code, status_code = "provider_error", 502


class ProviderTimeout(ProviderError):
    code, status_code = "provider_timeout", 504


class ProviderRateLimited(ProviderError):
    code, status_code = "provider_rate_limited", 503


class ProviderUnavailable(ProviderError):
    """The circuit breaker is open: the provider failed repeatedly and is not called for a cool-down."""

    code, status_code = "provider_unavailable", 503
