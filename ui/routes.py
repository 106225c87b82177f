"""Page routes: sign-in, chat, documents, admin and usage. Pages are thin: the browser talks to the
same REST API as every other client, authenticated by the session cookie plus a CSRF header."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from api.deps import SESSION_COOKIE, DatabaseDep, SettingsDep, cookie_session
from api.proxy import client_address, is_https
from core.errors import Unauthorized
from core.metadata import accounts, sessions
from core.metadata.sessions import SESSION_DAYS
from core.throttle import SignInThrottle
from core.types import NAME_MAX_CHARS, PASSWORD_MAX_CHARS
from ui.i18n import LANGUAGES, REASONS, choose_language, translations

LANG_COOKIE = "kb_lang"
templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
router = APIRouter(include_in_schema=False)


def _language(request: Request) -> str:
    return choose_language(request.cookies.get(LANG_COOKIE), request.headers.get("accept-language"))


def _here(request: Request) -> str:
    """This page with its query (the open conversation), so switching language keeps both."""
    return request.url.path + (f"?{request.url.query}" if request.url.query else "")


def _page(request: Request, db: DatabaseDep, template: str, *, admin: bool = False, **context) -> Response:  # type: ignore[no-untyped-def]
    resolved = cookie_session(request, db)
    if resolved is None:
        return RedirectResponse(f"/login?next={quote(request.url.path)}", status_code=303)
    principal, csrf = resolved
    language = _language(request)
    text = translations(language)
    if admin and not principal.is_admin:
        template, context = "forbidden.html", {}
    response = templates.TemplateResponse(
        request,
        template,
        {
            "t": text,
            "lang": language,
            "user": principal,
            "csrf": csrf,
            "page": template.split(".")[0],
            "here": _here(request),
            "reasons": REASONS if language == "zh-CN" else [],
            **context,
        },
        status_code=403 if template == "forbidden.html" else 200,
    )
    return response


@router.get("/")
def home() -> Response:
    return RedirectResponse("/ui/chat", status_code=303)


def _login_page(request: Request, next: str, *, failed: bool = False, retry_after: int = 0) -> Response:
    language = _language(request)
    context = {
        "t": translations(language),
        "lang": language,
        "next": next,
        "failed": failed,
        "retry_after": retry_after,
        "name_max": NAME_MAX_CHARS,
        "password_max": PASSWORD_MAX_CHARS,
    }
    if not retry_after:
        return templates.TemplateResponse(request, "login.html", context)
    return templates.TemplateResponse(
        request, "login.html", context, status_code=429, headers={"Retry-After": str(retry_after)}
    )


@router.get("/login", response_class=HTMLResponse)
def login_form(
    request: Request, next: Annotated[str, Query(max_length=2000)] = "/ui/chat", failed: bool = False
) -> Response:
    return _login_page(request, next, failed=failed)


@router.post("/login")
def login(
    request: Request,
    db: DatabaseDep,
    settings: SettingsDep,
    username: Annotated[str, Form(max_length=NAME_MAX_CHARS)],
    password: Annotated[str, Form(max_length=PASSWORD_MAX_CHARS)],
    next: Annotated[str, Form(max_length=2000)] = "/ui/chat",
) -> Response:
    target = next if next.startswith("/") and not next.startswith("//") else "/ui/chat"
    throttle: SignInThrottle = request.app.state.signin_throttle
    address = client_address(request, settings.trusted_proxies)
    # Checked before the password, and by the submitted name: the answer is the same for real and
    # unknown names, and a correct password does not get through while the name is throttled.
    wait = throttle.retry_after(username, address)
    if wait:
        return _login_page(request, target, retry_after=wait)
    try:
        with db.session() as session:
            principal = accounts.authenticate_password(session=session, name=username, password=password)
            token, _ = sessions.create_session(session=session, user_id=principal.user_id)
    except Unauthorized:
        throttle.failed(username, address)
        return RedirectResponse(f"/login?failed=1&next={quote(target)}", status_code=303)
    throttle.succeeded(username)
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=SESSION_DAYS * 86400,
        httponly=True,
        samesite="lax",
        secure=is_https(request, settings.trusted_proxies),
        path="/",
    )
    return response


@router.post("/logout")
def logout(request: Request, db: DatabaseDep, csrf: str = Form("")) -> Response:
    resolved = cookie_session(request, db)
    if resolved is not None and resolved[1] == csrf:
        with db.session() as session:
            sessions.end_session(session=session, token=request.cookies[SESSION_COOKIE])
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/ui/lang")
def switch_language(
    request: Request,
    settings: SettingsDep,
    to: Annotated[str, Query(max_length=16)],
    next: Annotated[str, Query(max_length=2000)] = "/ui/chat",
) -> Response:
    response = RedirectResponse(
        next if next.startswith("/") and not next.startswith("//") else "/ui/chat", status_code=303
    )
    if to in LANGUAGES:
        secure = is_https(request, settings.trusted_proxies)
        response.set_cookie(LANG_COOKIE, to, max_age=365 * 86400, samesite="lax", secure=secure, path="/")
    return response


@router.get("/ui/chat", response_class=HTMLResponse)
def chat_page(request: Request, db: DatabaseDep) -> Response:
    return _page(request, db, "chat.html")


@router.get("/ui/documents", response_class=HTMLResponse)
def documents_page(request: Request, db: DatabaseDep, settings: SettingsDep) -> Response:
    return _page(request, db, "documents.html", max_upload_mb=settings.max_upload_mb)


@router.get("/ui/admin", response_class=HTMLResponse)
def admin_page(request: Request, db: DatabaseDep) -> Response:
    return _page(request, db, "admin.html", admin=True)


@router.get("/ui/usage", response_class=HTMLResponse)
def usage_page(request: Request, db: DatabaseDep) -> Response:
    return _page(request, db, "usage.html", admin=True)


@router.get("/ui/search", response_class=HTMLResponse)
def search_page(request: Request, db: DatabaseDep) -> Response:
    return _page(request, db, "search.html")


@router.get("/ui/documents/{document_id}", response_class=HTMLResponse)
def document_page(request: Request, db: DatabaseDep, document_id: str) -> Response:
    # The page only carries the id; the data comes from the API, which checks access.
    return _page(request, db, "document.html", document_id=document_id[:64])
