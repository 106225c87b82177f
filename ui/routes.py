"""Page routes: sign-in, chat, documents, admin and usage. Pages are thin: the browser talks to the
same REST API as every other client, authenticated by the session cookie plus a CSRF header."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from api.deps import SESSION_COOKIE, RuntimeDep, cookie_session
from core.errors import Unauthorized
from core.metadata import accounts, sessions
from core.metadata.sessions import SESSION_DAYS
from ui.i18n import LANGUAGES, REASONS, choose_language, translations

LANG_COOKIE = "kb_lang"
templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
router = APIRouter(include_in_schema=False)


def _language(request: Request) -> str:
    return choose_language(request.cookies.get(LANG_COOKIE), request.headers.get("accept-language"))


def _here(request: Request) -> str:
    """This page with its query (the open conversation), so switching language keeps both."""
    return request.url.path + (f"?{request.url.query}" if request.url.query else "")


def _page(request: Request, runtime: RuntimeDep, template: str, *, admin: bool = False, **context) -> Response:  # type: ignore[no-untyped-def]
    resolved = cookie_session(request, runtime)
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


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/ui/chat", failed: bool = False) -> Response:
    language = _language(request)
    return templates.TemplateResponse(
        request, "login.html", {"t": translations(language), "lang": language, "next": next, "failed": failed}
    )


@router.post("/login")
def login(
    request: Request,
    runtime: RuntimeDep,
    username: str = Form(...),
    password: str = Form(...),
    next: str = Form("/ui/chat"),
) -> Response:
    target = next if next.startswith("/") and not next.startswith("//") else "/ui/chat"
    try:
        with runtime.db.session() as session:
            principal = accounts.authenticate_password(session=session, name=username, password=password)
            token, _ = sessions.create_session(session=session, user_id=principal.user_id)
    except Unauthorized:
        return RedirectResponse(f"/login?failed=1&next={quote(target)}", status_code=303)
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=SESSION_DAYS * 86400,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/",
    )
    return response


@router.post("/logout")
def logout(request: Request, runtime: RuntimeDep, csrf: str = Form("")) -> Response:
    resolved = cookie_session(request, runtime)
    if resolved is not None and resolved[1] == csrf:
        with runtime.db.session() as session:
            sessions.end_session(session=session, token=request.cookies[SESSION_COOKIE])
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/ui/lang")
def switch_language(to: str, next: str = "/ui/chat") -> Response:
    response = RedirectResponse(
        next if next.startswith("/") and not next.startswith("//") else "/ui/chat", status_code=303
    )
    if to in LANGUAGES:
        response.set_cookie(LANG_COOKIE, to, max_age=365 * 86400, samesite="lax", path="/")
    return response


@router.get("/ui/chat", response_class=HTMLResponse)
def chat_page(request: Request, runtime: RuntimeDep) -> Response:
    return _page(request, runtime, "chat.html")


@router.get("/ui/documents", response_class=HTMLResponse)
def documents_page(request: Request, runtime: RuntimeDep) -> Response:
    return _page(request, runtime, "documents.html", max_upload_mb=runtime.settings.max_upload_mb)


@router.get("/ui/admin", response_class=HTMLResponse)
def admin_page(request: Request, runtime: RuntimeDep) -> Response:
    return _page(request, runtime, "admin.html", admin=True)


@router.get("/ui/usage", response_class=HTMLResponse)
def usage_page(request: Request, runtime: RuntimeDep) -> Response:
    return _page(request, runtime, "usage.html", admin=True)


@router.get("/ui/search", response_class=HTMLResponse)
def search_page(request: Request, runtime: RuntimeDep) -> Response:
    return _page(request, runtime, "search.html")


@router.get("/ui/documents/{document_id}", response_class=HTMLResponse)
def document_page(request: Request, runtime: RuntimeDep, document_id: str) -> Response:
    # The page only carries the id; the data comes from the API, which checks access.
    return _page(request, runtime, "document.html", document_id=document_id[:64])
