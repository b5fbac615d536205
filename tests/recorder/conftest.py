"""Recorder fixtures: every test that takes `db_url` runs on SQLite and on a real PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from hearthmind.core import Hub, SimulatedClock
from hearthmind.recorder import Recorder

START = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'hearthmind.db'}"
    server = request.getfixturevalue("postgres_server")
    return str(server.create_database())


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'hearthmind.db'}"


@pytest.fixture
def hub() -> Hub:
    return Hub(clock=SimulatedClock(START), seed=3)


@pytest.fixture
async def recorder(hub: Hub, db_url: str) -> AsyncIterator[Recorder]:
    rec = Recorder(hub, db_url)
    await rec.async_start()
    await hub.async_start()
    yield rec
    await hub.async_stop()
    await rec.async_stop()
