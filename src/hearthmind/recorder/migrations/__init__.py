"""Alembic migrations of the recorder's schema (run by `hearthmind.recorder.migrate`)."""
