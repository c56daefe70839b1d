"""Alembic migrations of the service database (applied at start-up by api.db.migrate)."""
