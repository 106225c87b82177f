"""Dependencies declared once as ``Annotated`` aliases; tests override them on the app."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from api.runtime import Runtime
from core.errors import PermissionDenied, Unauthorized
from core.metadata import accounts
from core.settings import Settings
from core.types import Principal, Role


def get_runtime(request: Request) -> Runtime:
    return request.app.state.runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


def get_settings(runtime: RuntimeDep) -> Settings:
    return runtime.settings


SettingsDep = Annotated[Settings, Depends(get_settings)]


def get_session(runtime: RuntimeDep):  # type: ignore[no-untyped-def]
    with runtime.db.session() as session:
        yield session


# scope="function": the commit runs when the endpoint returns, before the response is sent, so a
# failed commit answers 500 instead of a 2xx for work that was never stored.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


def get_principal(request: Request, runtime: RuntimeDep) -> Principal:
    header = request.headers.get("authorization")
    if header:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthorized("malformed Authorization header; expected 'Bearer kb-...'")
        with runtime.db.session() as session:
            principal = accounts.authenticate_key(session=session, key=token.strip())
    else:
        principal = _principal_from_cookie(request, runtime)
    request.scope.setdefault("state", {})["principal_name"] = principal.name
    return principal


SESSION_COOKIE = "kb_session"
CSRF_HEADER = "x-csrf-token"
_SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def cookie_session(request: Request, runtime: Runtime) -> tuple[Principal, str] | None:
    """The signed-in browser's principal and CSRF token, or None (the page routes use this too)."""
    from core.metadata import sessions

    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    with runtime.db.session() as session:
        return sessions.resolve(session=session, token=token)


def _principal_from_cookie(request: Request, runtime: RuntimeDep) -> Principal:
    """Browser sessions. State-changing requests must also carry the session's CSRF token."""
    if not request.cookies.get(SESSION_COOKIE):
        raise Unauthorized("missing API key: send 'Authorization: Bearer kb-...' or sign in")
    resolved = cookie_session(request, runtime)
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
