"""The event bus and the state machine."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hearthmind.core import (
    EVENT_STATE_CHANGED,
    MATCH_ALL,
    Event,
    Hub,
    InvalidEntityIdError,
    Origin,
    SimulatedClock,
    valid_entity_id,
)


def make_hub() -> Hub:
    return Hub(clock=SimulatedClock(datetime(2026, 1, 5, tzinfo=UTC)), seed=1)


async def test_state_change_fires_event_with_context() -> None:
    hub = make_hub()
    seen: list[Event] = []
    hub.bus.async_listen(EVENT_STATE_CHANGED, seen.append)
    ctx = hub.context(Origin.PHYSICAL, "mina")
    hub.states.async_set("light.kitchen", "on", {"brightness": 200}, ctx)
    assert len(seen) == 1
    event = seen[0]
    assert event.context is ctx
    assert event.data["old_state"] is None
    assert event.data["new_state"].state == "on"
    assert event.data["new_state"].context.user_id == "mina"


async def test_unchanged_state_is_not_an_event_and_last_changed_is_kept() -> None:
    hub = make_hub()
    seen: list[Event] = []
    hub.bus.async_listen(MATCH_ALL, seen.append)
    ctx = hub.context(Origin.SENSOR)
    first = hub.states.async_set("sensor.temp", "20", {"unit": "C"}, ctx)
    assert hub.states.async_set("sensor.temp", "20", {"unit": "C"}, ctx) is None
    assert isinstance(hub.clock, SimulatedClock)
    await hub.clock.async_advance(timedelta(minutes=5))
    second = hub.states.async_set("sensor.temp", "20", {"unit": "°C"}, ctx)
    assert first is not None and second is not None
    assert second.last_changed == first.last_changed  # same state string
    assert second.last_updated == first.last_updated + 300
    assert len(seen) == 2


async def test_tracking_only_calls_listeners_of_that_entity() -> None:
    hub = make_hub()
    calls: dict[str, int] = {"a": 0, "b": 0}

    def on_a(event: Event) -> None:
        calls["a"] += 1

    def on_b(event: Event) -> None:
        calls["b"] += 1

    hub.states.async_track_entities(["light.a"], on_a)
    unsub = hub.states.async_track_entities(["light.b"], on_b)
    ctx = hub.context(Origin.PHYSICAL)
    hub.states.async_set("light.a", "on", None, ctx)
    hub.states.async_set("light.b", "on", None, ctx)
    unsub()
    hub.states.async_set("light.b", "off", None, ctx)
    assert calls == {"a": 1, "b": 1}


async def test_failing_listener_is_counted_and_does_not_stop_the_bus() -> None:
    hub = make_hub()
    seen: list[str] = []

    def broken(event: Event) -> None:
        raise RuntimeError("boom")

    async def broken_async(event: Event) -> None:
        raise ValueError("async boom")

    hub.bus.async_listen(EVENT_STATE_CHANGED, broken)
    hub.bus.async_listen(EVENT_STATE_CHANGED, broken_async)
    hub.bus.async_listen(EVENT_STATE_CHANGED, lambda e: seen.append(e.data["entity_id"]))
    hub.states.async_set("switch.kettle", "on", None, hub.context(Origin.PHYSICAL))
    await hub.async_block_till_done()
    assert seen == ["switch.kettle"]
    assert hub.health["listener_errors"] == 2
    assert any("boom" in p.message for p in hub.health.recent)


async def test_async_listeners_run_as_tasks() -> None:
    hub = make_hub()
    done = asyncio.Event()

    async def listener(event: Event) -> None:
        await asyncio.sleep(0)
        done.set()

    hub.bus.async_listen("custom", listener)
    hub.bus.async_fire("custom", {"x": 1}, hub.context(Origin.APP))
    await asyncio.wait_for(done.wait(), 1)


@given(st.text(max_size=40))
def test_entity_id_validation_rejects_junk(entity_id: str) -> None:
    hub = make_hub()
    ctx = hub.context(Origin.SENSOR)
    if valid_entity_id(entity_id):
        assert hub.states.async_set(entity_id, "x", None, ctx) is not None
    else:
        with pytest.raises(InvalidEntityIdError):
            hub.states.async_set(entity_id, "x", None, ctx)


def test_entity_id_examples() -> None:
    assert valid_entity_id("light.kitchen")
    assert valid_entity_id("binary_sensor.front_door_2")
    for bad in ("light", "Light.kitchen", "light.", ".kitchen", "light.kit chen", "light._x"):
        assert not valid_entity_id(bad)


def test_state_as_dict_has_home_assistant_shape() -> None:
    hub = make_hub()
    state = hub.states.async_set(
        "light.kitchen", "on", {"friendly_name": "Kitchen"}, hub.context(Origin.APP, "u1")
    )
    assert state is not None
    d = state.as_dict()
    assert set(d) == {"entity_id", "state", "attributes", "last_changed", "last_updated", "context"}
    assert d["last_changed"].startswith("2026-01-05T00:00:00")
    assert d["context"]["origin"] == "app"
    assert state.name == "Kitchen"


async def test_at_start_runs_at_hub_start_or_at_once_when_running() -> None:
    """A component set up before the hub starts begins with it; one set up later, at once."""
    hub = make_hub()
    ran: list[str] = []
    hub.async_at_start(lambda: ran.append("early"))
    assert ran == []
    await hub.async_start()
    await hub.async_block_till_done()
    assert ran == ["early"]
    hub.async_at_start(lambda: ran.append("late"))
    assert ran == ["early", "late"]
    await hub.async_stop()
