"""Dependencies declared once as ``Annotated`` aliases; tests override them on the app."""

from __future__ import annotations

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


SessionDep = Annotated[Session, Depends(get_session)]


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


def _principal_from_cookie(request: Request, runtime: RuntimeDep) -> Principal:
    resolver = getattr(request.app.state, "cookie_principal", None)
    principal = resolver(request, runtime) if resolver else None
    if principal is None:
        raise Unauthorized("missing API key: send 'Authorization: Bearer kb-...'")
    return principal


PrincipalDep = Annotated[Principal, Depends(get_principal)]


def require_admin(principal: PrincipalDep) -> Principal:
    if principal.role is not Role.admin:
        raise PermissionDenied("this endpoint is for admins only")
    return principal


AdminDep = Annotated[Principal, Depends(require_admin)]
