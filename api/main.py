"""The application factory: `create_app(settings, components)` wires the database, the
chain's components and the routers; `otklik serve` runs it under uvicorn."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from api.db import make_engine, make_sessions, migrate
from api.errors import install_handlers
from api.routes import cases, health, mentions
from api.settings import ApiSettings
from assistant.config import Settings
from assistant.pipeline import Components, build_components


def create_app(
    settings: Settings | None = None, components: Components | None = None, api_settings: ApiSettings | None = None
) -> FastAPI:
    """The service over `settings`; the schema is migrated and the components built (or given) here."""
    settings = settings or Settings()
    api_settings = api_settings or ApiSettings()
    engine = make_engine(api_settings.url(settings.data_dir), api_settings.sqlite_busy_timeout_ms)
    migrate(engine)
    app = FastAPI(
        title="Otklik",
        summary="Reply assistant for brand mentions: inbox, drafts, review and cases.",
        version="0.1.0",
        lifespan=_lifespan,
    )
    app.state.settings, app.state.api_settings, app.state.engine = settings, api_settings, engine
    app.state.sessions = make_sessions(engine)
    app.state.components = components or build_components(settings)
    install_handlers(app)
    for router in (health.router, mentions.router, cases.router):
        app.include_router(router)
    return app


def create_app_from_env() -> FastAPI:
    """For `uvicorn --factory api.main:create_app_from_env` (several workers need a Chroma server)."""
    return create_app()


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    yield
    app.state.components.store.flush()  # mentions remembered for near-duplicate checks
    app.state.engine.dispose()
