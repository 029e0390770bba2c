"""Shared test fixtures. Real services (PostgreSQL, Redis, a server process) live in services.py."""

from services import postgres_db, postgres_url, redis_url  # noqa: F401 (pytest fixtures)
