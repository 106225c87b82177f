from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from api.deps import PrincipalDep, RuntimeDep
from core.types import UserPublic
from core.metadata import accounts

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="The process is alive")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz", summary="The database and vector store are reachable")
def readyz(runtime: RuntimeDep) -> JSONResponse:
    checks = runtime.readiness()
    ready = all(checks.values())
    if not ready:
        failed = ", ".join(name for name, ok in checks.items() if not ok)
        body = {"error": {"code": "not_ready", "message": f"not ready: {failed} unreachable", "details": checks}}
        return JSONResponse(body, status_code=503)
    return JSONResponse({"status": "ready", "checks": checks})


@router.get("/v1/me", summary="Who the caller is")
def me(principal: PrincipalDep, runtime: RuntimeDep) -> UserPublic:
    with runtime.db.session() as session:
        return accounts.user_public(session=session, name=principal.name)
