"""Who is calling and over what, when a reverse proxy sits in front: X-Forwarded-For/-Proto are
believed only from the addresses in KNOWBASE_TRUSTED_PROXIES (anyone else could forge them)."""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from starlette.requests import Request

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(trusted: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in trusted)


def _is_trusted(address: str, trusted: tuple[str, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in _networks(trusted))


def _peer(request: Request) -> str:
    return request.client.host if request.client else ""


def client_address(request: Request, trusted: list[str]) -> str:
    """The caller's address: the nearest X-Forwarded-For hop that is not itself a trusted proxy."""
    peer = _peer(request)
    proxies = tuple(trusted)
    if not _is_trusted(peer, proxies):
        return peer
    hops = [hop.strip() for header in request.headers.getlist("x-forwarded-for") for hop in header.split(",")]
    hops = [hop for hop in hops if hop]
    for hop in reversed(hops):
        if not _is_trusted(hop, proxies):
            return hop
    return hops[0] if hops else peer


def is_https(request: Request, trusted: list[str]) -> bool:
    if request.url.scheme == "https":
        return True
    if not _is_trusted(_peer(request), tuple(trusted)):
        return False
    # A chain of proxies lists one scheme per hop; the first is what the browser used.
    forwarded = request.headers.get("x-forwarded-proto", "").split(",")[0].strip().lower()
    return forwarded == "https"
