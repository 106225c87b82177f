"""OpenAI's cursor lists (``after``/``before``/``limit``/``order``) and its map validation
(``attributes`` of files, ``metadata`` of stores)."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, Literal, TypeVar

from core.errors import BadRequest

T = TypeVar("T")
Order = Literal["asc", "desc"]
MAX_MAP_ITEMS, MAX_KEY_CHARS, MAX_STRING_CHARS = 16, 64, 512


def cursor_page(
    items: Sequence[T],
    *,
    key: Callable[[T], tuple[Any, ...]],
    ident: Callable[[T], str],
    after: str | None,
    before: str | None,
    limit: int,
    order: Order,
) -> tuple[list[T], bool]:
    """One page of ``items`` in ``order`` (by ``key``), after/before the item whose id is the cursor,
    and whether more follow. An unknown cursor is a 400 naming it."""
    ordered = sorted(items, key=key, reverse=order == "desc")
    ids = [ident(item) for item in ordered]
    start, end = 0, len(ordered)
    for name, cursor in (("after", after), ("before", before)):
        if cursor is not None and cursor not in ids:
            raise BadRequest(f"{name}: no object with id '{cursor}' in this list", details={"param": name})
    if after is not None:
        start = ids.index(after) + 1
    if before is not None:
        end = ids.index(before)
    window = ordered[start:end]
    if before is not None and after is None:
        return window[-limit:], len(window) > limit
    return window[:limit], len(window) > limit


def list_object(data: list[dict[str, Any]], has_more: bool) -> dict[str, Any]:
    return {
        "object": "list",
        "data": data,
        "first_id": data[0]["id"] if data else None,
        "last_id": data[-1]["id"] if data else None,
        "has_more": has_more,
    }


def timestamp(moment: datetime | None) -> int | None:
    if moment is None:
        return None
    if moment.tzinfo is None:  # SQLite hands back naive datetimes; they are UTC
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp())


def validate_attributes(value: Any, param: str = "attributes") -> dict[str, str | int | float | bool] | None:
    """OpenAI's file attributes: at most 16, keys up to 64 characters, values strings up to 512
    characters, numbers or booleans.

    :raises BadRequest: anything else, naming the offending key."""
    if value is None:
        return None
    mapping = _mapping(value, param)
    for key, item in mapping.items():
        if isinstance(item, str):
            if len(item) > MAX_STRING_CHARS:
                raise _bad(f"{param}.{key}: strings may have at most {MAX_STRING_CHARS} characters", param)
        elif isinstance(item, float) and not math.isfinite(item):
            raise _bad(f"{param}.{key}: numbers must be finite", param)
        elif not isinstance(item, bool | int | float):
            raise _bad(f"{param}.{key}: values must be strings, numbers or booleans", param)
    return dict(mapping)


def validate_metadata(value: Any, param: str = "metadata") -> dict[str, str] | None:
    """OpenAI's metadata: at most 16 string values up to 512 characters, keys up to 64."""
    if value is None:
        return None
    mapping = _mapping(value, param)
    for key, item in mapping.items():
        if not isinstance(item, str) or len(item) > MAX_STRING_CHARS:
            raise _bad(f"{param}.{key}: values must be strings of at most {MAX_STRING_CHARS} characters", param)
    return {str(k): str(v) for k, v in mapping.items()}


def _mapping(value: Any, param: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise _bad(f"{param} must be an object", param)
    if len(value) > MAX_MAP_ITEMS:
        raise _bad(f"{param} may have at most {MAX_MAP_ITEMS} keys, not {len(value)}", param)
    for key in value:
        if not isinstance(key, str) or not key or len(key) > MAX_KEY_CHARS:
            raise _bad(f"{param}: keys must be strings of 1 to {MAX_KEY_CHARS} characters", param)
    return value


def _bad(message: str, param: str) -> BadRequest:
    return BadRequest(message, details={"param": param})
