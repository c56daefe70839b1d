"""Small, named errors. The CLI and the API map them to a message and an exit code / status."""

from __future__ import annotations


class AssistantError(Exception):
    """Base of every error Otklik reports to a person instead of a traceback."""


class InputError(AssistantError):
    """Bad input from the user: an empty text, an unreadable file, a malformed row."""


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
