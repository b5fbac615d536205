"""Device models: each kind answers Home Assistant's services; anything else is refused."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hearthmind.integrations.simulator import DeviceCommandError, SimEntity
from hearthmind.integrations.simulator.devices import SERVICES, initial_state
from hearthmind.integrations.simulator.spec import EntityKind


def entity(kind: EntityKind, entity_id: str) -> SimEntity:
    state, attrs = initial_state(kind)
    return SimEntity(entity_id, kind, "Thing", "kitchen", "dev", state=state, attributes=attrs)


def test_light_brightness_is_remembered() -> None:
    light = entity("light", "light.kitchen")
    assert light.apply("turn_on", {"brightness_pct": 50})
    assert (light.state, light.attributes["brightness"]) == ("on", 128)
    assert light.apply("turn_off", {})
    assert light.state == "off" and "brightness" not in light.attributes
    light.apply("toggle", {})
    assert light.attributes["brightness"] == 128
    assert not light.apply("turn_on", {})  # already so: nothing changes


def test_a_brightness_step_from_off_starts_at_zero() -> None:
    """As Home Assistant's light.turn_on: dimming an off light leaves it off; a step up turns
    it on at the step, not at its remembered brightness."""
    light = entity("light", "light.kitchen")
    light.apply("turn_on", {"brightness_pct": 80})
    light.apply("turn_off", {})
    assert not light.apply("turn_on", {"brightness_step_pct": -25})
    assert light.state == "off"
    assert light.apply("turn_on", {"brightness_step_pct": 25})
    assert (light.state, light.attributes["brightness"]) == ("on", 64)
    light.apply("turn_on", {"brightness_step_pct": -10})
    assert light.attributes["brightness"] == 38


def test_cover_lock_thermostat_tv_fan() -> None:
    cover = entity("cover", "cover.bedroom")
    cover.apply("set_cover_position", {"position": 30})
    assert (cover.state, cover.attributes["current_position"]) == ("open", 30)
    cover.apply("turn_off", {})  # homeassistant.turn_off closes a cover
    assert cover.state == "closed"
    lock = entity("lock", "lock.front_door")
    lock.apply("unlock", {})
    assert lock.state == "unlocked"
    climate = entity("thermostat", "climate.living_room")
    climate.apply("set_temperature", {"temperature": 21.3})
    assert climate.attributes["temperature"] == 21.5
    assert climate.satisfies("21.5") and not climate.satisfies("20.5")
    climate.apply("set_hvac_mode", {"hvac_mode": "off"})
    assert climate.state == "off" and climate.attributes["hvac_action"] == "off"
    tv = entity("tv", "media_player.tv")
    with pytest.raises(DeviceCommandError, match="the TV is off"):
        tv.apply("media_play", {})
    tv.apply("turn_on", {})
    tv.apply("media_pause", {})
    assert tv.state == "paused" and tv.satisfies("on")
    fan = entity("fan", "fan.bathroom")
    fan.apply("set_percentage", {"percentage": 0})
    assert fan.state == "off"
    fan.apply("turn_on", {})
    assert fan.state == "on" and fan.attributes["percentage"] == 66


@pytest.mark.parametrize("kind", ["motion", "door", "temperature", "power", "energy"])
def test_sensors_refuse_commands(kind: EntityKind) -> None:
    sensor = entity(kind, "binary_sensor.x" if kind in ("motion", "door") else "sensor.x")
    with pytest.raises(DeviceCommandError):
        sensor.apply("turn_on", {})
    assert not sensor.controllable


def test_thermostat_refuses_out_of_range() -> None:
    climate = entity("thermostat", "climate.x")
    with pytest.raises(DeviceCommandError, match=r"not in 7\.\.30"):
        climate.apply("set_temperature", {"temperature": 45})
    assert climate.attributes["temperature"] == 17.5


values = st.one_of(
    st.none(),
    st.integers(-1000, 1000),
    st.floats(),
    st.text(max_size=5),
    st.lists(st.integers(), max_size=3),
)
KINDS: list[EntityKind] = ["light", "switch", "fan", "cover", "lock", "thermostat", "tv"]


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(KINDS),
    st.one_of(
        st.sampled_from(sorted({s for v in SERVICES.values() for s in v})), st.text(max_size=10)
    ),
    st.dictionaries(
        st.sampled_from(
            [
                "brightness",
                "brightness_pct",
                "percentage",
                "position",
                "temperature",
                "hvac_mode",
                "volume_level",
                "x",
            ]
        ),
        values,
        max_size=3,
    ),
)
def test_any_command_is_applied_or_refused(
    kind: EntityKind, service: str, data: dict[str, Any]
) -> None:
    """Data straight from the wire (e.g. MQTT) never breaks a device: it acts or says why."""
    thing = entity(kind, "light.x")
    before = thing.snapshot()
    try:
        thing.apply(service, data)
    except DeviceCommandError as err:
        assert thing.snapshot() == before  # a refused command leaves the device as it was
        assert err.entity_id == "light.x"


@pytest.mark.parametrize("value", [float("inf"), float("-inf")])
def test_an_infinite_percentage_is_refused(value: float) -> None:
    """Found by the test above on a fresh clone: int(inf) raised OverflowError out of the
    fan, where every other bad number is refused."""
    fan = entity("fan", "fan.x")
    before = fan.snapshot()
    with pytest.raises(DeviceCommandError, match="bad data"):
        fan.apply("set_percentage", {"percentage": value})
    assert fan.snapshot() == before


def test_refused_mode_leaves_set_point() -> None:
    climate = entity("thermostat", "climate.x")
    with pytest.raises(DeviceCommandError, match="hvac mode"):
        climate.apply("set_temperature", {"temperature": 21, "hvac_mode": "cool"})
    assert climate.attributes["temperature"] == 17.5
