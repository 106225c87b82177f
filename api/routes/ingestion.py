"""The ingestion queue as the caller may see it (``ingest/queue_view.py``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import DatabaseDep, PrincipalDep
from ingest.queue_view import MAX_ENTRIES, queue_view
from ingest.schemas import QueueView

router = APIRouter(prefix="/v1/ingestion", tags=["documents"])


@router.get("/queue", summary="Waiting and running ingestion jobs the caller may read, with position and ETA")
def ingestion_queue(
    db: DatabaseDep, principal: PrincipalDep, limit: Annotated[int, Query(ge=1, le=MAX_ENTRIES)] = 100
) -> QueueView:
    with db.session() as session:
        return queue_view(session=session, principal=principal, limit=limit)
