"""The only place exceptions become HTTP responses: ``{"error": {"code", "message", "details"}}``."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.security_headers import SECURITY_HEADERS
from core.errors import KnowbaseError, Unauthorized
from core.logging import request_id_var

log = logging.getLogger(__name__)
# Starlette's only words for a multipart body python-multipart could not parse; the commonest cause
# is a part header over its 4 KiB limit, i.e. a very long file name.
_MULTIPART_FAILURE = "Invalid multipart data."
_MULTIPART_MESSAGE = (
    "the multipart body could not be read: it is malformed or a part header (such as the file name) "
    "is longer than 4 KiB; file names may have at most 255 characters"
)


def error_response(
    status: int, code: str, message: str, details: Any = None, headers: Mapping[str, str] | None = None
) -> JSONResponse:
    # ``type`` and ``param`` are what OpenAI's SDKs read (``error.type``, ``error.param``); ``code``,
    # ``message`` and ``details`` are knowbase's own shape. Both in every error, one shape for all.
    param = details.get("param") if isinstance(details, dict) else None
    body = {
        "error": {
            "code": code,
            "message": message,
            "details": jsonable_encoder(details),
            "type": openai_error_type(status),
            "param": param,
        }
    }
    return JSONResponse(body, status_code=status, headers=headers)


def openai_error_type(status: int) -> str:
    return {
        400: "invalid_request_error",
        401: "authentication_error",
        403: "permission_error",
        404: "not_found_error",
        409: "conflict_error",
        413: "invalid_request_error",
        415: "invalid_request_error",
        422: "invalid_request_error",
        429: "rate_limit_error",
    }.get(status, "server_error" if status >= 500 else "invalid_request_error")


def _status_code_name(status: int) -> str:
    try:
        return HTTPStatus(status).phrase.lower().replace(" ", "_").replace("-", "_")
    except ValueError:
        return "error"


async def _knowbase_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, KnowbaseError)
    headers = {"WWW-Authenticate": "Bearer"} if isinstance(exc, Unauthorized) else None
    retry_after = getattr(exc, "retry_after", None)
    if retry_after:
        headers = {**(headers or {}), "Retry-After": str(int(retry_after))}
    if exc.status_code >= 500:
        log.error("request failed", extra={"error_code": exc.code, "error": exc.message})
    return error_response(exc.status_code, exc.code, exc.message, exc.details, headers)


async def _http_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    message = exc.detail if isinstance(exc.detail, str) else _status_code_name(exc.status_code).replace("_", " ")
    if exc.status_code == 404 and exc.detail == "Not Found":
        message = "no such route"
    elif exc.status_code == 400 and exc.detail == _MULTIPART_FAILURE:
        message = _MULTIPART_MESSAGE
    return error_response(exc.status_code, _status_code_name(exc.status_code), message, None, exc.headers)


async def _validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    details = [
        {"loc": list(err.get("loc", ())), "msg": err.get("msg", ""), "type": err.get("type", "")}
        for err in exc.errors()
    ]
    # For a union (text or list of texts), pydantic reports every branch; the wrong-type ones say least.
    telling = [d for d in details if not str(d["type"]).endswith("_type")] or details
    first = telling[0] if telling else {"loc": [], "msg": "invalid request"}
    where = ".".join(str(p) for p in first["loc"] if p != "body") or "request"
    return error_response(422, "invalid_input", f"{where}: {first['msg']}", details)


async def _unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    request_id = request.scope.get("state", {}).get("request_id") or request_id_var.get()
    log.exception("unhandled error", exc_info=exc, extra={"request_id": request_id})
    return error_response(
        500,
        "internal_error",
        "internal server error; the request id identifies it in the logs",
        {"request_id": request_id},
        {**SECURITY_HEADERS, "x-request-id": request_id} if request_id else SECURITY_HEADERS,
    )


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(KnowbaseError, _knowbase_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(Exception, _unexpected_error)
