"""The one module that knows the provider: it builds the chat model and names its failures.

Everything else sees a LangChain `BaseChatModel` and Otklik's own errors. Retries are the
openai client's (`max_retries`, with its backoff and `Retry-After`); nothing here or
above adds a loop of its own, which would multiply the attempts.
"""

from __future__ import annotations

import openai
from langchain_core.exceptions import ContextOverflowError
from langchain_core.language_models import BaseChatModel
from langchain_openai import ChatOpenAI

from assistant.config import Settings
from assistant.errors import ConfigurationError, ModelUnavailableError, PromptTooLongError

# Local OpenAI-compatible servers ignore the key, but the client refuses to start without one.
LOCAL_API_KEY = "sk-local"
_OVERFLOW_HINTS = ("context_length_exceeded", "maximum context length", "context window", "prompt is too long")


def make_chat_model(settings: Settings) -> BaseChatModel:
    """A `ChatOpenAI` for OpenAI itself or any OpenAI-compatible server, from the settings."""
    check_model_settings(settings)
    key = settings.api_key.get_secret_value() if settings.api_key else LOCAL_API_KEY
    # ChatOpenAI sends only `max_completion_tokens`; llama.cpp and older servers read `max_tokens`.
    extra = {} if settings.talks_to_openai else {"extra_body": {"max_tokens": settings.max_tokens}}
    return ChatOpenAI(
        model=settings.model_name,
        base_url=settings.base_url,
        api_key=key,
        timeout=settings.request_timeout,
        max_retries=settings.max_retries,
        max_tokens=settings.max_tokens,
        temperature=settings.temperature,
        **extra,
    )


def check_model_settings(settings: Settings) -> None:
    """OpenAI itself needs a key; a local server needs at least its URL."""
    if settings.base_url is None and settings.api_key is None:
        raise ConfigurationError(
            "OTKLIK_MODEL=openai needs OTKLIK_API_KEY for OpenAI, "
            "or OTKLIK_BASE_URL for an OpenAI-compatible server (vLLM, Ollama, llama.cpp)"
        )
    if not settings.model_name.strip():
        raise ConfigurationError("OTKLIK_MODEL_NAME is empty")


def translate_error(error: Exception, settings: Settings) -> Exception:
    """The provider's exception as one of ours, or the original when it is not the provider's."""
    where = f"{settings.base_url or 'api.openai.com'} model {settings.model_name!r}"
    if isinstance(error, ContextOverflowError) or _is_overflow(error):
        return PromptTooLongError(f"prompt longer than the context window ({_message(error)})")
    if isinstance(error, openai.AuthenticationError | openai.PermissionDeniedError):
        return ConfigurationError(f"{where}: key rejected (HTTP {error.status_code}): check OTKLIK_API_KEY")
    if isinstance(error, openai.NotFoundError):
        return ConfigurationError(
            f"{where}: not found (HTTP 404): check OTKLIK_MODEL_NAME and OTKLIK_BASE_URL ({_message(error)})"
        )
    if isinstance(error, openai.APITimeoutError):
        return ModelUnavailableError(f"timed out after {settings.request_timeout:g} s ({where})")
    if isinstance(error, openai.APIConnectionError):
        return ModelUnavailableError(f"cannot connect ({where})")
    if isinstance(error, openai.APIStatusError) and (error.status_code == 429 or error.status_code >= 500):
        return ModelUnavailableError(f"HTTP {error.status_code} after retries ({_message(error)})")
    if isinstance(error, openai.BadRequestError | openai.UnprocessableEntityError):
        hint = "; try OTKLIK_STRUCTURED_METHOD=function_calling" if "response_format" in _message(error) else ""
        return ConfigurationError(f"{where}: request rejected (HTTP {error.status_code}): {_message(error)}{hint}")
    return error


def _is_overflow(error: Exception) -> bool:
    return isinstance(error, openai.BadRequestError) and any(h in _message(error).lower() for h in _OVERFLOW_HINTS)


def _message(error: Exception) -> str:
    message = getattr(error, "message", None) or str(error)
    return " ".join(message.split())[:300]
