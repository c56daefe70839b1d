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

    def url(self, data_dir: Path) -> str:
        """The database URL: OTKLIK_DATABASE_URL, else `<data dir>/otklik.db`."""
        if self.database_url:
            return self.database_url
        data_dir.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{data_dir / 'otklik.db'}"
