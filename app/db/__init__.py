"""Persistence: ORM models (one metadata), the engine factory and Alembic migrations."""
