"""Small, named errors. The CLI and the API map them to a message and an exit code / status."""

from __future__ import annotations


class AssistantError(Exception):
    """Base of every error Otklik reports to a person instead of a traceback."""


class InputError(AssistantError):
    """Bad input from the user: an empty text, an unreadable file, a malformed row."""


class ApiEditsError(InputError):
    """A brand folder would overwrite knowledge a brand owner edited through the API."""


class UnknownBrandError(AssistantError):
    def __init__(self, brand: str, known: list[str]):
        hint = ", ".join(known) if known else "none — run `otklik ingest knowledge/brands/<brand>`"
        super().__init__(f"unknown brand {brand!r}; known brands: {hint}")
        self.brand = brand


class BrandFileError(AssistantError):
    """A brand folder's file is missing or malformed; names the file and the field."""

    def __init__(self, path: object, problem: str):
        super().__init__(f"{path}: {problem}")
        self.path = path
        self.problem = problem


class ConfigurationError(AssistantError):
    """The language model is misconfigured (missing key or URL, rejected key, unknown model):
    a person must fix the settings, so nothing falls back silently."""


class ModelUnavailableError(AssistantError):
    """The model did not answer after the client's own retries (timeout, 429, 5xx, no connection)."""

    def __init__(self, reason: str):
        super().__init__(f"language model unavailable: {reason}")
        self.reason = reason


class PromptTooLongError(ModelUnavailableError):
    """The server rejected the prompt as longer than its context window."""


class ModelOutputError(AssistantError):
    """The model's output did not fit the schema, even after one re-ask carrying the error."""

    def __init__(self, prompt: str, attempts: list[str], raw: str):
        last = attempts[-1] if attempts else "no attempt"
        super().__init__(f"{prompt}: invalid model output after {len(attempts)} attempts: {last}")
        self.prompt = prompt
        self.attempts = attempts
        self.raw = raw
