"""The application factory: `create_app(settings, components)` wires the database, the
chain's components and the routers; `otklik serve` runs it under uvicorn."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

from anyio import to_thread
from fastapi import FastAPI

from api import console
from api.db import make_engine, make_sessions, migrate
from api.errors import install_handlers
from api.jobs import JobWorker
from api.limits import RequestSizeLimit
from api.logs import install_log_redaction
from api.routes import brands, cases, health, jobs, mentions, reports
from api.service import release_claims
from api.settings import ApiSettings
from api.tables import utcnow
from assistant.config import Settings
from assistant.pipeline import Components, build_components

log = logging.getLogger("otklik.api")


def create_app(
    settings: Settings | None = None, components: Components | None = None, api_settings: ApiSettings | None = None
) -> FastAPI:
    """The service over `settings`; the schema is migrated and the components built (or given) here."""
    install_log_redaction()
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
    _release_orphaned_claims(app)
    install_handlers(app)
    app.add_middleware(
        RequestSizeLimit,
        max_bytes=api_settings.max_request_bytes,
        max_upload_bytes=api_settings.max_upload_bytes,
    )
    app.state.jobs = JobWorker(
        app.state.sessions,
        app.state.components,
        enabled=api_settings.background_jobs,
        lease_seconds=api_settings.draft_lease_seconds,
    )
    for router in (health.router, mentions.router, cases.router, brands.router, jobs.router, reports.router):
        app.include_router(router)
    console.install(app)  # the web console under /console
    return app


def _release_orphaned_claims(app: FastAPI) -> None:
    """Mentions left `drafting` by a process that died are drafted again. With embedded Chroma
    this is the only process, so every claim is orphaned; with a Chroma server other workers
    may be drafting, so only claims older than the lease are."""
    settings, lease = app.state.settings, app.state.api_settings.draft_lease_seconds
    older_than = utcnow() if settings.chroma_host is None else utcnow() - timedelta(seconds=lease)
    with app.state.sessions() as db:
        if released := release_claims(db, older_than):
            log.warning("%d mentions left mid-draft by a stopped server are pending again", released)


def create_app_from_env() -> FastAPI:
    """For `uvicorn --factory api.main:create_app_from_env` (several workers need a Chroma server)."""
    return create_app()


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    to_thread.current_default_thread_limiter().total_tokens = app.state.api_settings.http_threads
    app.state.jobs.start()  # takes up every job that is not done: the resume after a restart
    yield
    app.state.jobs.stop()
    app.state.components.store.flush()  # mentions remembered for near-duplicate checks
    app.state.engine.dispose()
