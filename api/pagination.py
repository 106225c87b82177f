"""``limit`` / ``offset`` query parameters shared by every list endpoint. Bounded so that a huge or
negative value is a 422, never a database overflow (SQLite and PostgreSQL offsets are 64-bit)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

MAX_LIMIT = 1000
MAX_OFFSET = 1_000_000_000


Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Items to skip")]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description=f"At most {MAX_LIMIT} items per page")]
