from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from api.deps import DatabaseDep, PrincipalDep, ReadinessDep
from api.errors import error_response
from core.metadata import accounts
from core.types import UserPublic

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="The process is alive")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz", summary="The database and vector store are reachable")
def readyz(readiness: ReadinessDep) -> JSONResponse:
    checks = readiness()
    ready = all(checks.values())
    if not ready:
        failed = ", ".join(name for name, ok in checks.items() if not ok)
        return error_response(503, "not_ready", f"not ready: {failed} unreachable", checks)
    return JSONResponse({"status": "ready", "checks": checks})


@router.get("/v1/collections", summary="Collections the caller may read, and whether they may write them")
def my_collections(principal: PrincipalDep, db: DatabaseDep) -> list[dict[str, Any]]:
    from sqlalchemy import select

    from core.access import can_write, readable_collections
    from core.metadata.models import Collection

    with db.session() as session:
        names = readable_collections(session=session, principal=principal)
        rows = session.scalars(
            select(Collection).where(Collection.id.in_(list(names.values()))).order_by(Collection.name)
        )
        return [
            {"name": c.name, "can_write": can_write(session=session, principal=principal, collection=c)} for c in rows
        ]


@router.get("/v1/me", summary="Who the caller is")
def me(principal: PrincipalDep, db: DatabaseDep) -> UserPublic:
    with db.session() as session:
        return accounts.user_public(session=session, name=principal.name)
