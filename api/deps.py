"""Dependencies declared once as ``Annotated`` aliases. Each component has its own provider, so a
test can replace exactly one with ``app.dependency_overrides[get_chat_service] = lambda: fake``.

The components come from ``api.wiring.build_services`` (kept on ``app.state.services`` by
``create_app``); routes never reach into that container themselves.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from answer.service import ChatService
from api.wiring import Services
from core.errors import PermissionDenied, Unauthorized
from core.metadata import accounts
from core.metadata.db import Database
from core.providers.embeddings import Embedder
from core.providers.moderation import Moderator
from core.settings import Settings
from core.types import Principal, Role
from core.vectorstore import VectorStore
from ingest.service import DocumentService
from retrieval.service import RetrievalService


def get_services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


_ServicesDep = Annotated[Services, Depends(get_services)]


def get_settings(services: _ServicesDep) -> Settings:
    return services.settings


def get_database(services: _ServicesDep) -> Database:
    return services.db


def get_retrieval_service(services: _ServicesDep) -> RetrievalService:
    return services.retrieval.get()


def get_chat_service(services: _ServicesDep) -> ChatService:
    return services.chat.get()


def get_document_service(services: _ServicesDep) -> DocumentService:
    return services.documents


def get_moderator(services: _ServicesDep) -> Moderator:
    return services.moderator.get()


def get_vector_store(services: _ServicesDep) -> VectorStore:
    return services.vector_store.get()


def get_background_embedder(services: _ServicesDep) -> Embedder:
    """The embedder that runs beside ingestion (a niced process for the local model), so embedding
    requests from other programs never delay searches."""
    return services.passage_embedder.get()


def get_readiness(services: _ServicesDep) -> Callable[[], dict[str, bool]]:
    return services.readiness


SettingsDep = Annotated[Settings, Depends(get_settings)]
DatabaseDep = Annotated[Database, Depends(get_database)]
RetrievalServiceDep = Annotated[RetrievalService, Depends(get_retrieval_service)]
ChatServiceDep = Annotated[ChatService, Depends(get_chat_service)]
DocumentServiceDep = Annotated[DocumentService, Depends(get_document_service)]
ModeratorDep = Annotated[Moderator, Depends(get_moderator)]
VectorStoreDep = Annotated[VectorStore, Depends(get_vector_store)]
BackgroundEmbedderDep = Annotated[Embedder, Depends(get_background_embedder)]
ReadinessDep = Annotated[Callable[[], dict[str, bool]], Depends(get_readiness)]


def get_session(db: DatabaseDep) -> Iterator[Session]:
    with db.session() as session:
        yield session


# scope="function": the commit runs when the endpoint returns, before the response is sent, so a
# failed commit answers 500 instead of a 2xx for work that was never stored.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


def get_principal(request: Request, db: DatabaseDep) -> Principal:
    header = request.headers.get("authorization")
    if header:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthorized("malformed Authorization header; expected 'Bearer kb-...'")
        with db.session() as session:
            principal = accounts.authenticate_key(session=session, key=token.strip())
    else:
        principal = _principal_from_cookie(request, db)
    request.scope.setdefault("state", {})["principal_name"] = principal.name
    return principal


SESSION_COOKIE = "kb_session"
CSRF_HEADER = "x-csrf-token"
_SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def cookie_session(request: Request, db: Database) -> tuple[Principal, str] | None:
    """The signed-in browser's principal and CSRF token, or None (the page routes use this too)."""
    from core.metadata import sessions

    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    with db.session() as session:
        return sessions.resolve(session=session, token=token)


def _principal_from_cookie(request: Request, db: Database) -> Principal:
    """Browser sessions. State-changing requests must also carry the session's CSRF token."""
    if not request.cookies.get(SESSION_COOKIE):
        raise Unauthorized("missing API key: send 'Authorization: Bearer kb-...' or sign in")
    resolved = cookie_session(request, db)
    if resolved is None:
        raise Unauthorized("your session has expired; sign in again")
    principal, csrf = resolved
    if request.method not in _SAFE_METHODS and not secrets.compare_digest(request.headers.get(CSRF_HEADER, ""), csrf):
        raise PermissionDenied("missing or wrong CSRF token; reload the page")
    request.state.csrf_token = csrf
    return principal


PrincipalDep = Annotated[Principal, Depends(get_principal)]


def require_admin(principal: PrincipalDep) -> Principal:
    if principal.role is not Role.admin:
        raise PermissionDenied("this endpoint is for admins only")
    return principal


AdminDep = Annotated[Principal, Depends(require_admin)]
