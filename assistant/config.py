"""One settings object, read once at start-up and passed to whatever needs it."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from assistant.tokens import NON_OPENAI_SAFETY_FACTOR, PROVIDER_TOKEN_FACTORS

REPO_ROOT = Path(__file__).resolve().parents[1]
Provider = Literal["offline", "openai", "gigachat", "yandexgpt"]
# What OTKLIK_MODEL_NAME and OTKLIK_BASE_URL mean when they are not set, per provider.
DEFAULT_MODEL_NAMES = {"openai": "gpt-4o-mini", "gigachat": "GigaChat-2-Max", "yandexgpt": "yandexgpt/latest"}
DEFAULT_BASE_URLS = {
    "gigachat": "https://gigachat.devices.sberbank.ru/api/v1",
    "yandexgpt": "https://llm.api.cloud.yandex.net/v1",
}
GIGACHAT_AUTH_URL = "https://ngw.devices.sberbank.ru:9443/api/v2/oauth"


def _default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "otklik"


class Settings(BaseSettings):
    """Everything configurable, from `OTKLIK_*` environment variables (or a `.env` file)."""

    model_config = SettingsConfigDict(env_prefix="OTKLIK_", env_file=".env", extra="ignore")

    data_dir: Path = Field(default_factory=_default_data_dir)
    model: Provider = "offline"
    brands_dir: Path = REPO_ROOT / "knowledge" / "brands"
    shared_dir: Path = REPO_ROOT / "knowledge" / "shared"
    prompts_dir: Path = REPO_ROOT / "prompts"
    text_models_dir: Path = REPO_ROOT / "assistant" / "text"  # sentiment.npz, mention_kind.npz (`otklik train`)

    chroma_path: Path | None = None
    chroma_host: str | None = None
    chroma_port: int = 8000
    chroma_ssl: bool = False

    retrieval_token_budget: int = Field(default=1200, ge=100)
    max_prompt_tokens: int = Field(default=6000, ge=500)
    # The language model: OTKLIK_MODEL=openai is OpenAI itself, or any OpenAI-compatible
    # server at OTKLIK_BASE_URL (vLLM, Ollama, llama.cpp, LM Studio); gigachat is Sber's
    # GigaChat API; yandexgpt is Yandex AI Studio's OpenAI-compatible API. Unset, the model
    # name and the URL are the provider's (DEFAULT_MODEL_NAMES, DEFAULT_BASE_URLS).
    model_name: str = DEFAULT_MODEL_NAMES["openai"]
    base_url: str | None = None
    api_key: SecretStr | None = None  # OpenAI's key, or Yandex's API key / IAM token
    # GigaChat: the authorization key (base64 of Client ID:Client Secret) is exchanged at the
    # OAuth URL for an access token that lives 30 minutes; the client renews it before then.
    gigachat_credentials: SecretStr | None = None
    gigachat_scope: Literal["GIGACHAT_API_PERS", "GIGACHAT_API_B2B", "GIGACHAT_API_CORP"] = "GIGACHAT_API_PERS"
    gigachat_auth_url: str = GIGACHAT_AUTH_URL
    gigachat_ca_bundle: Path | None = None  # the Russian Trusted Root CA that GigaChat's certificates chain to
    # Yandex AI Studio: the folder names the model (gpt://<folder>/yandexgpt/latest); the key is
    # sent as `Api-Key <key>` (a service account's API key) or `Bearer <token>` (an IAM token).
    yandex_folder_id: str | None = None
    yandex_auth: Literal["api_key", "iam_token"] = "api_key"
    structured_method: Literal["function_calling", "json_schema", "json_mode"] = "function_calling"
    request_timeout: float = Field(default=60.0, gt=0)
    max_retries: int = Field(default=2, ge=0, le=10)  # the openai client's own retries; we add none
    # After this many unavailable answers in a row the model is not called for the cooldown
    # (the offline fallback answers at once); 0 never stops calling.
    breaker_failures: int = Field(default=5, ge=0)
    breaker_cooldown: float = Field(default=30.0, gt=0)
    max_tokens: int = Field(default=600, ge=16)  # cap on each reply from the model
    temperature: float = Field(default=0.2, ge=0.0, le=2.0)
    concurrency: int = Field(default=4, ge=1, le=64)  # model calls in flight in a batch
    token_safety_factor: float | None = Field(default=None, ge=1.0)  # unset: 1.0 for OpenAI, 1.5 otherwise

    # A mention is compared with the brand's mentions of this many days for copied (fake)
    # reviews; older ones are forgotten, so the memory does not grow without end.
    duplicate_window_days: int = Field(default=90, ge=1)

    facts_per_draft: int = Field(default=4, ge=1, le=20)
    examples_per_draft: int = Field(default=3, ge=0, le=20)

    @model_validator(mode="after")
    def _provider_defaults(self) -> Settings:
        """The provider's own model name and URL where the user named none."""
        if "model_name" not in self.model_fields_set:
            self.model_name = DEFAULT_MODEL_NAMES.get(self.model, self.model_name)
        if self.base_url is None:
            self.base_url = DEFAULT_BASE_URLS.get(self.model)
        return self

    @property
    def chroma_dir(self) -> Path:
        return self.chroma_path or self.data_dir / "chroma"

    @property
    def talks_to_openai(self) -> bool:
        """OpenAI itself: its tokenizer is tiktoken's, its API takes only `max_completion_tokens`."""
        return self.model in ("offline", "openai") and (self.base_url is None or "api.openai.com" in self.base_url)

    @property
    def token_factor(self) -> float:
        """How many of the model's tokens one o200k token may cost (other tokenizers spend more)."""
        if self.token_safety_factor is not None:
            return self.token_safety_factor
        if self.model in PROVIDER_TOKEN_FACTORS:
            return PROVIDER_TOKEN_FACTORS[self.model]
        return 1.0 if self.model == "offline" or self.talks_to_openai else NON_OPENAI_SAFETY_FACTOR

    @property
    def tiktoken_cache_dir(self) -> Path:
        return self.data_dir / "tiktoken"
