"""One settings object, read once at start-up and passed to whatever needs it."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parents[1]


def _default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "otklik"


class Settings(BaseSettings):
    """Everything configurable, from `OTKLIK_*` environment variables (or a `.env` file)."""

    model_config = SettingsConfigDict(env_prefix="OTKLIK_", env_file=".env", extra="ignore")

    data_dir: Path = Field(default_factory=_default_data_dir)
    model: Literal["offline", "openai"] = "offline"
    brands_dir: Path = REPO_ROOT / "knowledge" / "brands"
    shared_dir: Path = REPO_ROOT / "knowledge" / "shared"
    prompts_dir: Path = REPO_ROOT / "prompts"

    chroma_path: Path | None = None
    chroma_host: str | None = None
    chroma_port: int = 8000
    chroma_ssl: bool = False

    retrieval_token_budget: int = Field(default=1200, ge=100)
    max_prompt_tokens: int = Field(default=6000, ge=500)
    facts_per_draft: int = Field(default=4, ge=1, le=20)
    examples_per_draft: int = Field(default=3, ge=0, le=20)

    @property
    def chroma_dir(self) -> Path:
        return self.chroma_path or self.data_dir / "chroma"

    @property
    def tiktoken_cache_dir(self) -> Path:
        return self.data_dir / "tiktoken"
