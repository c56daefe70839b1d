"""The operator console: server-rendered pages under /console over the same service layer as
the JSON API, signed in with an API key (a signed, HttpOnly session cookie), CSRF-checked forms.
Every asset is served from /console/static: no CDN, no build step."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from api.console import auth, brands, mentions, pages
from api.console.session import load_secret
from api.console.web import HERE, PREFIX


def install(app: FastAPI) -> None:
    """Add the console's routes and static files; the signing secret is read (or made) once here."""
    settings, api_settings = app.state.settings, app.state.api_settings
    app.state.console_secret = load_secret(api_settings.session_secret, Path(settings.data_dir))
    for router in (auth.router, mentions.router, brands.router, pages.router):
        app.include_router(router)
    app.mount(f"{PREFIX}/static", StaticFiles(directory=HERE / "static"), name="console-static")
