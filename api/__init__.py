"""The HTTP service (FastAPI); built in the service issue."""
