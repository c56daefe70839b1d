"""The one module that knows the provider: it builds the chat model and names its failures.

Everything else sees a LangChain `BaseChatModel` and Otklik's own errors. Three providers:
OpenAI and every OpenAI-compatible server (`ChatOpenAI`), Yandex AI Studio through its
OpenAI-compatible API (`ChatOpenAI` with Yandex's auth header and model URI), and Sber's
GigaChat (`langchain_gigachat.GigaChat`, whose client exchanges the authorization key for
a 30-minute access token, renews it a minute before it expires, and on a 401 renews it
once and retries). Retries are the clients' own (`max_retries`, with their backoff and
`Retry-After`); nothing here or above adds a loop of its own, which would multiply the
attempts. Keys and tokens go to the clients only: no message here ever carries one.
"""

from __future__ import annotations

import binascii
from base64 import b64decode
from collections.abc import Callable

import gigachat.exceptions
import httpx
import openai
from langchain_core.exceptions import ContextOverflowError
from langchain_core.language_models import BaseChatModel
from langchain_gigachat import GigaChat
from langchain_openai import ChatOpenAI

from assistant.config import Settings
from assistant.errors import ConfigurationError, ModelUnavailableError, PromptTooLongError

# Local OpenAI-compatible servers ignore the key, but the client refuses to start without one.
LOCAL_API_KEY = "sk-local"
_OVERFLOW_HINTS = ("context_length_exceeded", "maximum context length", "context window", "prompt is too long")
_YANDEX_SCHEMES = {"api_key": "Api-Key", "iam_token": "Bearer"}


def make_chat_model(settings: Settings) -> BaseChatModel:
    """The chat model of the provider named by OTKLIK_MODEL, from the settings."""
    check_model_settings(settings)
    builders: dict[str, Callable[[Settings], BaseChatModel]] = {
        "openai": _openai,
        "yandexgpt": _yandexgpt,
        "gigachat": _gigachat,
    }
    return builders[settings.model](settings)


def _openai(settings: Settings) -> ChatOpenAI:
    key = settings.api_key.get_secret_value() if settings.api_key else LOCAL_API_KEY
    return _chat_openai(settings, model=settings.model_name, api_key=key)


def _yandexgpt(settings: Settings) -> ChatOpenAI:
    """Yandex's documented headers: `Api-Key <key>` or `Bearer <IAM token>`, and the folder as the
    openai client's project (`OpenAI-Project`), as Yandex's OpenAI-compatibility example sets it."""
    key = settings.api_key.get_secret_value() if settings.api_key else ""
    headers = {"Authorization": f"{_YANDEX_SCHEMES[settings.yandex_auth]} {key}"}
    if settings.yandex_folder_id:
        headers["OpenAI-Project"] = settings.yandex_folder_id
    return _chat_openai(settings, model=yandex_model_uri(settings), api_key=key, default_headers=headers)


def _chat_openai(settings: Settings, **provider: object) -> ChatOpenAI:
    # ChatOpenAI sends only `max_completion_tokens`; llama.cpp and older servers read `max_tokens`.
    extra = {} if settings.talks_to_openai else {"extra_body": {"max_tokens": settings.max_tokens}}
    return ChatOpenAI(
        base_url=settings.base_url,
        timeout=settings.request_timeout,
        max_retries=settings.max_retries,
        max_tokens=settings.max_tokens,
        temperature=settings.temperature,
        **provider,
        **extra,
    )


def _gigachat(settings: Settings) -> GigaChat:
    credentials = settings.gigachat_credentials.get_secret_value() if settings.gigachat_credentials else None
    return GigaChat(
        credentials=credentials,
        scope=settings.gigachat_scope,
        auth_url=settings.gigachat_auth_url,
        base_url=settings.base_url,
        model=settings.model_name,
        ca_bundle_file=str(settings.gigachat_ca_bundle) if settings.gigachat_ca_bundle else None,
        verify_ssl_certs=True,  # explicit: the SDK would otherwise take GIGACHAT_VERIFY_SSL_CERTS from the environment
        timeout=settings.request_timeout,
        max_retries=settings.max_retries,
        max_tokens=settings.max_tokens,
        temperature=settings.temperature,
    )


def yandex_model_uri(settings: Settings) -> str:
    """`gpt://<folder>/yandexgpt/latest` from OTKLIK_MODEL_NAME=yandexgpt/latest, or the URI as given."""
    if "://" in settings.model_name:
        return settings.model_name
    return f"gpt://{settings.yandex_folder_id}/{settings.model_name.strip('/')}"


def check_model_settings(settings: Settings) -> None:
    """What the provider needs, all of it named at once, before the first call."""
    missing = _missing(settings)
    if not settings.model_name.strip():
        missing.append("OTKLIK_MODEL_NAME is empty")
    if missing:
        raise ConfigurationError(f"OTKLIK_MODEL={settings.model}: " + "; ".join(missing))


def _missing(settings: Settings) -> list[str]:
    if settings.model == "gigachat":
        return _gigachat_missing(settings)
    if settings.model == "yandexgpt":
        return _yandex_missing(settings)
    if settings.base_url is None and settings.api_key is None:
        return [
            "needs OTKLIK_API_KEY for OpenAI, or OTKLIK_BASE_URL for an OpenAI-compatible server "
            "(vLLM, Ollama, llama.cpp)"
        ]
    return []


def _gigachat_missing(settings: Settings) -> list[str]:
    missing = []
    if settings.gigachat_credentials is None:
        missing.append("needs OTKLIK_GIGACHAT_CREDENTIALS (the authorization key of the GigaChat API project)")
    elif not _is_base64(settings.gigachat_credentials.get_secret_value()):
        missing.append(
            "OTKLIK_GIGACHAT_CREDENTIALS is not an authorization key (base64 of Client ID:Client Secret; "
            "not the Client Secret alone)"
        )
    if settings.gigachat_ca_bundle is not None and not settings.gigachat_ca_bundle.is_file():
        missing.append(f"OTKLIK_GIGACHAT_CA_BUNDLE: no such file {settings.gigachat_ca_bundle}")
    return missing


def _yandex_missing(settings: Settings) -> list[str]:
    missing = []
    if settings.api_key is None:
        missing.append("needs OTKLIK_API_KEY (an API key, or an IAM token with OTKLIK_YANDEX_AUTH=iam_token)")
    if not settings.yandex_folder_id and "://" not in settings.model_name:
        missing.append("needs OTKLIK_YANDEX_FOLDER_ID (the model URI is gpt://<folder>/<model>)")
    return missing


def _is_base64(value: str) -> bool:
    try:
        return bool(b64decode(value.strip(), validate=True))
    except (binascii.Error, ValueError):
        return False


def translate_error(error: Exception, settings: Settings) -> Exception:
    """The provider's exception as one of ours, or the original when it is not the provider's."""
    where = f"{settings.base_url or 'api.openai.com'} model {settings.model_name!r}"
    if isinstance(error, gigachat.exceptions.ResponseError):
        return _gigachat_error(error, settings, where)
    if isinstance(error, httpx.HTTPError):  # only GigaChat's client lets httpx's errors through
        return _transport_error(error, settings, where)
    if isinstance(error, ContextOverflowError) or _is_overflow(error):
        return PromptTooLongError(f"prompt longer than the context window ({_message(error)})")
    if isinstance(error, openai.AuthenticationError | openai.PermissionDeniedError):
        key = "OTKLIK_API_KEY and OTKLIK_YANDEX_AUTH" if settings.model == "yandexgpt" else "OTKLIK_API_KEY"
        return ConfigurationError(f"{where}: key rejected (HTTP {error.status_code}): check {key}")
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


def _gigachat_error(error: gigachat.exceptions.ResponseError, settings: Settings, where: str) -> Exception:
    """GigaChat's HTTP errors; its client has already renewed the token once on a 401."""
    status, body = error.status_code, _body(error)
    if status in (401, 403) and str(error.url).startswith(settings.gigachat_auth_url):
        return ConfigurationError(
            f"GigaChat's OAuth at {settings.gigachat_auth_url} rejected the authorization key (HTTP {status}): "
            "check OTKLIK_GIGACHAT_CREDENTIALS and OTKLIK_GIGACHAT_SCOPE"
        )
    if status in (401, 403):
        return ConfigurationError(
            f"{where}: access token refused although fresh or just renewed (HTTP {status}): "
            f"check OTKLIK_GIGACHAT_SCOPE and the project's access to the model ({body})"
        )
    if status == 404:
        return ConfigurationError(
            f"{where}: not found (HTTP 404): check OTKLIK_MODEL_NAME and OTKLIK_BASE_URL ({body})"
        )
    if status == 413:
        return PromptTooLongError(f"prompt longer than the context window ({body})")
    if status == 429 or status >= 500:
        return ModelUnavailableError(f"HTTP {status} after retries ({body})")
    return ConfigurationError(f"{where}: request rejected (HTTP {status}): {body}")


def _transport_error(error: httpx.HTTPError, settings: Settings, where: str) -> Exception:
    if isinstance(error, httpx.TimeoutException):
        return ModelUnavailableError(f"timed out after {settings.request_timeout:g} s ({where})")
    if "CERTIFICATE_VERIFY_FAILED" in str(error):
        return ConfigurationError(
            f"{where}: the server's certificate is not trusted: set OTKLIK_GIGACHAT_CA_BUNDLE "
            "to the Russian Trusted Root CA (PEM)"
        )
    return ModelUnavailableError(f"cannot connect ({where})")


def _body(error: gigachat.exceptions.ResponseError) -> str:
    """The error's response body, never its headers (the client's str() prints them)."""
    text = error.content.decode("utf-8", "replace") if error.content else ""
    return " ".join(text.split())[:300]


def _is_overflow(error: Exception) -> bool:
    return isinstance(error, openai.BadRequestError) and any(h in _message(error).lower() for h in _OVERFLOW_HINTS)


def _message(error: Exception) -> str:
    message = getattr(error, "message", None) or str(error)
    return " ".join(message.split())[:300]
