"""Liveness: the database answers and the knowledge store holds brands. No key needed."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import text

from api import service
from api.deps import ComponentsDep, SessionDep
from api.schemas import Health

router = APIRouter(tags=["health"])


@router.get("/health")
def health(db: SessionDep, parts: ComponentsDep) -> Health:
    db.execute(text("SELECT 1"))
    return Health(
        status="ok",
        database=db.get_bind().dialect.name,
        brands=len(service.brand_ids(parts)),
        backend=parts.settings.model,
    )
