"""Service calls: validation, dispatch to the entity's integration, errors that are counted."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hearthmind.core import (
    Area,
    Context,
    Device,
    Hub,
    InvalidServiceDataError,
    NoHandlerError,
    Origin,
    ServiceNotFoundError,
    SimulatedClock,
    UnknownEntityError,
)


def hub_with_light() -> tuple[Hub, list[tuple[str, str, dict[str, Any], Context]]]:
    hub = Hub(clock=SimulatedClock(datetime(2026, 1, 5, tzinfo=UTC)), seed=2)
    calls: list[tuple[str, str, dict[str, Any], Context]] = []

    async def handler(service: str, entity_id: str, data: Mapping[str, Any], ctx: Context) -> None:
        calls.append((service, entity_id, dict(data), ctx))
        hub.states.async_set(entity_id, "on" if service == "turn_on" else "off", dict(data), ctx)

    hub.registries.add_area(Area("kitchen", "Kitchen"))
    hub.registries.add_device(Device("d1", "Kitchen light", "kitchen", ["light.kitchen"]))
    hub.states.async_set("light.kitchen", "off", None, hub.context(Origin.SENSOR))
    hub.entities.async_add("light.kitchen", "test", handler)
    hub.states.async_set("sensor.temp", "20", None, hub.context(Origin.SENSOR))
    return hub, calls


async def test_call_reaches_the_owner_with_validated_data_and_context() -> None:
    hub, calls = hub_with_light()
    ctx = hub.context(Origin.VOICE, "mina")
    await hub.services.async_call(
        "light",
        "turn_on",
        {"brightness_pct": 50},
        target={"entity_id": "light.kitchen"},
        context=ctx,
    )
    assert calls == [("turn_on", "light.kitchen", {"brightness_pct": 50.0}, ctx)]
    state = hub.states.get("light.kitchen")
    assert state is not None and state.state == "on" and state.context.origin is Origin.VOICE


async def test_area_target_resolves_to_entities_of_the_domain() -> None:
    hub, calls = hub_with_light()
    await hub.services.async_call(
        "light", "turn_on", target={"area_id": "kitchen"}, context=hub.context(Origin.APP)
    )
    assert [c[1] for c in calls] == ["light.kitchen"]


async def test_errors_name_the_problem_and_are_counted() -> None:
    hub, calls = hub_with_light()
    ctx = hub.context(Origin.APP)
    with pytest.raises(UnknownEntityError, match=r"light\.garage"):
        await hub.services.async_call(
            "light", "turn_on", {"entity_id": "light.garage"}, context=ctx
        )
    with pytest.raises(ServiceNotFoundError, match=r"light\.explode"):
        await hub.services.async_call(
            "light", "explode", {"entity_id": "light.kitchen"}, context=ctx
        )
    with pytest.raises(InvalidServiceDataError, match="brightness"):
        await hub.services.async_call(
            "light", "turn_on", {"entity_id": "light.kitchen", "brightness": 300}, context=ctx
        )
    with pytest.raises(InvalidServiceDataError, match="no target"):
        await hub.services.async_call("light", "turn_on", {}, context=ctx)
    with pytest.raises(NoHandlerError, match=r"sensor\.temp"):
        await hub.services.async_call(
            "homeassistant", "turn_on", {"entity_id": "sensor.temp"}, context=ctx
        )
    assert calls == []
    counters = hub.health.counts
    assert counters["unknown_entity"] == 1
    assert counters["unknown_service"] == 1
    assert counters["invalid_service_data"] == 2
    assert counters["entity_not_controllable"] == 1
    assert counters["errors"] == 5


@settings(
    max_examples=150,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    st.dictionaries(
        st.sampled_from(
            ["brightness", "brightness_pct", "rgb_color", "transition", "junk", "entity_id"]
        ),
        st.one_of(
            st.none(),
            st.integers(-1000, 1000),
            st.text(max_size=5),
            st.lists(st.integers(), max_size=4),
        ),
        max_size=4,
    )
)
async def test_random_service_data_never_crashes(data: dict[str, Any]) -> None:
    hub, _ = hub_with_light()
    payload = {"entity_id": "light.kitchen", **data}
    try:
        await hub.services.async_call("light", "turn_on", payload, context=hub.context(Origin.APP))
    except (InvalidServiceDataError, UnknownEntityError):
        assert hub.health["errors"] == 1
    else:
        assert hub.health["errors"] == 0


def test_hub_data_takes_typed_keys_only_by_name() -> None:
    from hearthmind.core import DataKey, HubData

    data = HubData()
    key: DataKey[list[int]] = DataKey("numbers")
    assert data.get(key) is None and key not in data
    data[key] = [1, 2]
    assert data[key] == [1, 2] and "numbers" in data and data.names() == ["numbers"]
    assert data.pop(key) == [1, 2] and data.get(key) is None
