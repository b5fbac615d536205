"""Clocks, reproducible contexts and configuration errors that name the file and line."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from hearthmind.core import (
    ConfigError,
    ContextFactory,
    Hub,
    Origin,
    SimulatedClock,
    load_config,
    track_time_interval,
)

START = datetime(2026, 1, 5, tzinfo=UTC)


async def test_simulated_clock_fires_timers_in_order_and_sleepers_wake() -> None:
    clock = SimulatedClock(START)
    fired: list[tuple[str, datetime]] = []
    clock.call_at(START + timedelta(hours=2), lambda: fired.append(("b", clock.now())))
    clock.call_at(START + timedelta(hours=1), lambda: fired.append(("a", clock.now())))
    cancelled = clock.call_at(
        START + timedelta(hours=1, minutes=30), lambda: fired.append(("x", clock.now()))
    )
    cancelled.cancel()

    async def sleeper() -> None:
        await clock.async_sleep(90 * 60)
        fired.append(("sleeper", clock.now()))

    import asyncio

    task = asyncio.ensure_future(sleeper())
    await clock.async_run_until(START + timedelta(days=1))
    await task
    assert [name for name, _ in fired] == ["a", "sleeper", "b"]
    assert fired[1][1] == START + timedelta(minutes=90)
    assert clock.now() == START + timedelta(days=1)


async def test_track_time_interval_repeats_until_cancelled() -> None:
    """Every interval from now on, the next one set after the action ran; a cancel, even from
    inside the action, ends it (the simulators' and planners' ticking)."""
    start = datetime(2026, 1, 5, tzinfo=UTC)
    clock = SimulatedClock(start)
    seen: list[datetime] = []
    handle = track_time_interval(clock, timedelta(minutes=15), lambda: seen.append(clock.now()))
    await clock.async_run_until(start + timedelta(hours=1))
    assert seen == [start + timedelta(minutes=15 * k) for k in (1, 2, 3, 4)]
    handle.cancel()
    await clock.async_run_until(start + timedelta(hours=2))
    assert len(seen) == 4

    fired: list[int] = []

    def once() -> None:
        fired.append(1)
        inner.cancel()

    inner = track_time_interval(clock, timedelta(minutes=1), once)
    await clock.async_run_until(start + timedelta(hours=3))
    assert fired == [1]


def test_seeded_context_ids_are_reproducible_and_sortable() -> None:
    a = ContextFactory(lambda: 1_000_000, seed=5)
    b = ContextFactory(lambda: 1_000_000, seed=5)
    ids_a = [a.new(Origin.PHYSICAL).id for _ in range(5)]
    assert ids_a == [b.new(Origin.PHYSICAL).id for _ in range(5)]
    later = ContextFactory(lambda: 2_000_000, seed=5).new(Origin.AGENT).id
    assert all(later > i for i in ids_a)
    assert len(ids_a[0]) == 26


def test_parent_context_is_linked() -> None:
    hub = Hub(clock=SimulatedClock(START), seed=1)
    trigger = hub.context(Origin.SENSOR)
    action = hub.context(Origin.AUTOMATION, parent=trigger)
    assert action.parent_id == trigger.id and action.origin is Origin.AUTOMATION


def test_config_created_with_defaults(tmp_path: Path) -> None:
    cfg = load_config(tmp_path / "cfg")
    assert cfg.core.name == "Home"
    assert (tmp_path / "cfg" / "configuration.yaml").exists()


def test_broken_yaml_names_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "configuration.yaml").write_text("hearthmind:\n  name: Home\n  latitude: [1, 2\n")
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path)
    assert info.value.path.endswith("configuration.yaml")
    assert info.value.line is not None and info.value.line >= 3
    assert "configuration.yaml, line" in str(info.value)


def test_invalid_value_names_its_line(tmp_path: Path) -> None:
    (tmp_path / "configuration.yaml").write_text("hearthmind:\n  name: Home\n  latitude: 123\n")
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path)
    assert info.value.line == 3
    assert "hearthmind.latitude" in str(info.value)


def test_secrets_and_includes(tmp_path: Path) -> None:
    (tmp_path / "secrets.yaml").write_text("home_name: Cottage\n")
    (tmp_path / "extra.yaml").write_text("- a: 1\n")
    (tmp_path / "configuration.yaml").write_text(
        "hearthmind:\n  name: !secret home_name\nthings: !include extra.yaml\n"
    )
    cfg = load_config(tmp_path)
    assert cfg.core.name == "Cottage"
    assert cfg.raw["things"] == [{"a": 1}]
    (tmp_path / "configuration.yaml").write_text("hearthmind:\n  name: !secret nope\n")
    with pytest.raises(ConfigError, match="secret 'nope'"):
        load_config(tmp_path)


class Section(BaseModel):
    port: int = 1


def test_component_section_errors_name_the_line(tmp_path: Path) -> None:
    (tmp_path / "configuration.yaml").write_text("hearthmind:\n  name: x\napi:\n  port: lots\n")
    cfg = load_config(tmp_path)
    with pytest.raises(ConfigError) as info:
        cfg.section("api", Section)
    assert info.value.line == 4 and "api.port" in str(info.value)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_any_text_as_config_loads_or_raises_config_error(text: str) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        Path(d, "configuration.yaml").write_text(text, encoding="utf-8")
        try:
            load_config(d)
        except ConfigError as err:
            assert "configuration.yaml" in str(err)
