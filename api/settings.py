"""The service's own settings (`OTKLIK_*`); the chain's settings stay in assistant/config.py."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class ApiSettings(BaseSettings):
    """Database and request limits of the HTTP service."""

    model_config = SettingsConfigDict(env_prefix="OTKLIK_", env_file=".env", extra="ignore")

    database_url: str | None = None  # unset: a SQLite file in OTKLIK_DATA_DIR
    max_text_chars: int = Field(default=5000, ge=100, le=20_000)
    sqlite_busy_timeout_ms: int = Field(default=5000, ge=0)
    # Any request body but a batch upload's (413 beyond; see api/limits.py).
    max_request_bytes: int = Field(default=1024 * 1024, ge=1024)
    # Batch uploads (POST /jobs): the whole body, and the data rows in it.
    max_upload_bytes: int = Field(default=64 * 1024 * 1024, ge=1024)
    max_upload_rows: int = Field(default=20_000, ge=1)
    # Threads for the sync routes (anyio's default is 40). A request waiting for the pipeline lock
    # holds one, so with fewer threads than concurrent clients the inbox listings queue behind
    # the submissions; an idle thread costs next to nothing.
    http_threads: int = Field(default=200, ge=8, le=5000)
    background_jobs: bool = True  # false: jobs are stored but not drafted (another process drafts them)
    # A mention claimed for drafting longer ago than this is taken to be orphaned (its drafter
    # died) and drafted again; with embedded Chroma (one process) every claim is released at start.
    draft_lease_seconds: int = Field(default=900, ge=30)
    # The web console (/console): its cookies are signed with this; unset, a random secret is
    # made once and kept (mode 0600) in OTKLIK_DATA_DIR. Eval runs (`otklik eval --out`) it lists.
    session_secret: str | None = Field(default=None, min_length=32)
    session_hours: int = Field(default=12, ge=1, le=24 * 30)
    eval_runs_dir: Path = Path("out")

    def url(self, data_dir: Path) -> str:
        """The database URL: OTKLIK_DATABASE_URL, else `<data dir>/otklik.db`."""
        if self.database_url:
            return self.database_url
        data_dir.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{data_dir / 'otklik.db'}"
