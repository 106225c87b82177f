"""API key and password hashing. Keys are random 256-bit secrets, so one SHA-256 suffices;
passwords are low-entropy, so they get scrypt (a memory-hard KDF from the standard library)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from functools import lru_cache

from core.settings import API_KEY_PREFIX

_SCRYPT_N, _SCRYPT_R, _SCRYPT_P = 2**14, 8, 1


def generate_api_key() -> str:
    return API_KEY_PREFIX + secrets.token_urlsafe(32)


def hash_api_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def key_prefix(key: str) -> str:
    return key[:10]


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=_SCRYPT_N, r=_SCRYPT_R, p=_SCRYPT_P, dklen=32)
    encoded = base64.b64encode(salt).decode() + "$" + base64.b64encode(digest).decode()
    return f"scrypt${_SCRYPT_N}${_SCRYPT_R}${_SCRYPT_P}${encoded}"


_Parsed = tuple[bytes, bytes, int, int, int]  # salt, digest, n, r, p


@lru_cache(maxsize=1)
def _stand_in() -> _Parsed:
    parsed = _parse(hash_password(secrets.token_urlsafe(16)))
    assert parsed is not None
    return parsed


def _parse(stored: str | None) -> _Parsed | None:
    try:
        scheme, n, r, p, salt_b64, digest_b64 = (stored or "").split("$")
        if scheme != "scrypt":
            return None
        return base64.b64decode(salt_b64), base64.b64decode(digest_b64), int(n), int(r), int(p)
    except ValueError:
        return None


def verify_password(password: str, stored: str | None) -> bool:
    """Always runs scrypt: a missing or unreadable hash (unknown user, user without a password)
    takes as long as a wrong password, so timing does not tell them apart."""
    parsed = _parse(stored)
    salt, expected, n, r, p = parsed if parsed is not None else _stand_in()
    digest = hashlib.scrypt(password.encode(), salt=salt, n=n, r=r, p=p, dklen=len(expected))
    return parsed is not None and hmac.compare_digest(digest, expected)
