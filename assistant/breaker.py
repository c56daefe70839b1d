"""A circuit breaker for the language model.

When the model server is down, every call waits out its timeout and the client's retries
before the offline fallback answers: a batch of a thousand mentions would take hours.
After `threshold` unavailable answers in a row the breaker opens and calls fail at once
(the fallback answers instantly) for `cooldown` seconds; then calls go through again,
and one more failure opens it again.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from assistant.errors import ModelUnavailableError, PromptTooLongError


class CircuitOpenError(ModelUnavailableError):
    """The model is not called: it failed too often just now."""


class CircuitBreaker:
    def __init__(self, threshold: int, cooldown: float, clock: Callable[[], float] = time.monotonic):
        self._threshold = threshold  # 0: never open
        self._cooldown = cooldown
        self._clock = clock
        self._lock = threading.Lock()
        self._failures = 0
        self._open_until = 0.0
        self._last_reason = ""

    def check(self) -> None:
        """Raise CircuitOpenError while the breaker is open."""
        with self._lock:
            remaining = self._open_until - self._clock()
            if remaining > 0:
                raise CircuitOpenError(
                    f"not called for {remaining:.0f} s more after {self._failures} failures in a row "
                    f"(last: {self._last_reason})"
                )

    def success(self) -> None:
        with self._lock:
            self._failures = 0

    def failure(self, error: Exception) -> None:
        """Count a failure that says the server is unavailable (not a too-long prompt, not our own refusal)."""
        if not isinstance(error, ModelUnavailableError) or isinstance(error, PromptTooLongError | CircuitOpenError):
            return
        with self._lock:
            self._failures += 1
            self._last_reason = error.reason
            if self._threshold and self._failures >= self._threshold:
                self._open_until = self._clock() + self._cooldown
