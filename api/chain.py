"""The one pipeline lock: the knowledge store keeps in-memory buffers and embedded Chroma is not
shared safely between threads, so one pipeline call at a time per process. Every service module
takes it around the chain's calls (api.service re-exports it as `service.CHAIN`)."""

from __future__ import annotations

import threading

CHAIN = threading.Lock()
