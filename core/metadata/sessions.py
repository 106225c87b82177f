"""Browser sessions: a random cookie token (stored hashed) with its CSRF token."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import delete
from sqlalchemy.orm import Session

from core.metadata.accounts import principal_for
from core.metadata.models import UiSession, User, utcnow
from core.types import Principal

SESSION_DAYS = 7


def session_id(token: str) -> str:
    """The stored id of a cookie token (its hash)."""
    return hashlib.sha256(token.encode()).hexdigest()


def create_session(*, session: Session, user_id: str) -> tuple[str, str]:
    """Returns (cookie token, CSRF token)."""
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
    session.execute(delete(UiSession).where(UiSession.expires_at < utcnow()))
    session.add(
        UiSession(
            id=session_id(token), user_id=user_id, csrf_token=csrf, expires_at=utcnow() + timedelta(days=SESSION_DAYS)
        )
    )
    return token, csrf


def resolve(*, session: Session, token: str) -> tuple[Principal, str] | None:
    row = session.get(UiSession, session_id(token))
    if row is None:
        return None
    expires = row.expires_at if row.expires_at.tzinfo else row.expires_at.replace(tzinfo=utcnow().tzinfo)
    if expires < utcnow():
        session.delete(row)
        return None
    user = session.get(User, row.user_id)
    if user is None or user.disabled:
        return None
    return principal_for(user), row.csrf_token


def end_session(*, session: Session, token: str) -> None:
    session.execute(delete(UiSession).where(UiSession.id == session_id(token)))
