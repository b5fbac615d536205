"""Agent fixtures: the store's tests run on SQLite and on a real PostgreSQL, as the
recorder's do."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'hearthmind.db'}"
    server = request.getfixturevalue("postgres_server")
    return str(server.create_database())
