"""People from HA's `person:` section, on a real hub: the state follows the device trackers by
HA's rule, the `room` follows the room-presence sensors (Bermuda names the area, ESPresense
gives its id), each change carries a Context whose parent is the tracker's, and a bad entry
is named, counted and left out while the others load."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hearthmind.core import Area, Hub, Origin, SetupOptions, load_config
from hearthmind.core.sections import unused_parts
from hearthmind.integrations import person

CONFIG = """
person:
  - name: Ana
    user_id: ana-user
    device_trackers: [device_tracker.ana_phone, device_tracker.ana_wifi]
    room_sensors: [sensor.ana_phone_area, sensor.ana_espresense]
  - name: Ben Okafor
    room_sensors: [sensor.ben_watch_area]
"""


async def make_hub(config_dir: Path, yaml_text: str = CONFIG) -> Hub:
    (config_dir / "configuration.yaml").write_text(yaml_text, encoding="utf-8")
    hub = Hub(load_config(config_dir))
    hub.registries.add_area(Area("kitchen", "Kitchen"))
    hub.registries.add_area(Area("living_room", "Living room"))
    await person.async_setup(hub, SetupOptions())
    return hub


def report(hub: Hub, entity_id: str, state: str, **attributes: Any) -> None:
    hub.states.async_set(entity_id, state, attributes, hub.context(Origin.SENSOR))


async def test_the_state_follows_the_trackers_as_home_assistants_does(tmp_path: Path) -> None:
    hub = await make_hub(tmp_path)
    ana = "person.ana"
    assert hub.states.require(ana).state == "unknown", "no tracker has reported yet"
    assert hub.states.require(ana).attributes["user_id"] == "ana-user"
    report(hub, "device_tracker.ana_phone", "not_home", source_type="gps", latitude=52.1)
    assert hub.states.require(ana).state == "not_home"
    assert hub.states.require(ana).attributes["latitude"] == 52.1
    # the router sees the phone at home: a stationary "home" wins over the GPS
    report(hub, "device_tracker.ana_wifi", "home", source_type="router")
    state = hub.states.require(ana)
    assert state.state == "home" and state.attributes["source"] == "device_tracker.ana_wifi"
    # the tracker's battery changes, not where she is: the person is not written again
    report(hub, "device_tracker.ana_wifi", "home", source_type="router", battery=80)
    assert hub.states.require(ana) is state
    # the router loses it (stationary not_home): the GPS, more recent or not, says where
    report(hub, "device_tracker.ana_wifi", "not_home", source_type="router")
    report(hub, "device_tracker.ana_phone", "Work", source_type="gps")
    assert hub.states.require(ana).state == "Work"
    # an unavailable tracker is left out
    report(hub, "device_tracker.ana_phone", "unavailable", source_type="gps")
    assert hub.states.require(ana).state == "not_home"
    # who changed it: the sensor, for Ana, because of the tracker's own (last) report
    tracker = hub.states.require("device_tracker.ana_phone")
    context = hub.states.require(ana).context
    assert context.origin == Origin.SENSOR and context.user_id == "ana-user"
    assert context.parent_id == tracker.context.id
    await hub.async_stop()


async def test_the_room_follows_the_room_sensors(tmp_path: Path) -> None:
    hub = await make_hub(tmp_path)
    ana, ben = "person.ana", "person.ben_okafor"
    report(hub, "device_tracker.ana_wifi", "home", source_type="router")
    report(hub, "sensor.ana_phone_area", "Living room")  # Bermuda: the area's name
    assert hub.states.require(ana).attributes["room"] == "living_room"
    report(hub, "sensor.ana_espresense", "kitchen")  # ESPresense: the room's id, later
    assert hub.states.require(ana).attributes["room"] == "kitchen"
    report(hub, "sensor.ana_espresense", "not_home")  # out of its range: Bermuda's says
    assert hub.states.require(ana).attributes["room"] == "living_room"
    report(hub, "sensor.ana_phone_area", "Garden shed")  # no such area here
    report(hub, "sensor.ana_espresense", "unknown")
    assert hub.states.require(ana).attributes["room"] is None
    report(hub, "sensor.ana_phone_area", "Kitchen")
    report(hub, "device_tracker.ana_wifi", "not_home", source_type="router")
    state = hub.states.require(ana)
    assert state.state == "not_home" and state.attributes["room"] is None, "away: no room"
    # Ben has no tracker: his room sensor alone says home or not
    assert hub.states.require(ben).state == "unknown"
    report(hub, "sensor.ben_watch_area", "Kitchen")
    assert (hub.states.require(ben).state, hub.states.require(ben).attributes["room"]) == (
        "home",
        "kitchen",
    )
    report(hub, "sensor.ben_watch_area", "not_home")
    assert hub.states.require(ben).state == "not_home"
    assert {p.id for p in hub.registries.people.values()} == {"ana", "ben_okafor"}
    await hub.async_stop()


async def test_a_bad_entry_is_named_counted_and_left_out(tmp_path: Path) -> None:
    config = """
person:
  - name: Ana
    device_trackers: [sensor.not_a_tracker]
  - name: Ben
    device_trackers: device_tracker.ben_phone
  - name: Cy
    favourite_colour: blue
  - {}
"""
    hub = await make_hub(tmp_path, config)
    assert hub.health.counts["person_config_errors"] == 3
    messages = [p.message for p in hub.health.recent]
    assert any("'sensor.not_a_tracker' is not a device_tracker" in m for m in messages)
    assert any("person.2.favourite_colour: unknown key" in m for m in messages)
    assert any("configuration.yaml" in m and "line" in m for m in messages)
    report(hub, "device_tracker.ben_phone", "home", source_type="router")
    assert hub.states.require("person.ben").state == "home"
    assert hub.states.get("person.ana") is None and hub.states.get("person.cy") is None
    await hub.async_stop()


async def test_a_simulated_resident_is_not_made_twice(tmp_path: Path) -> None:
    from hearthmind.core import Person

    (tmp_path / "configuration.yaml").write_text("person:\n  - name: Mina\n", encoding="utf-8")
    hub = Hub(load_config(tmp_path))
    hub.add_person(
        Person("mina", "Mina", user_id="mina"), presence="home", attributes={"room": "kitchen"}
    )
    await person.async_setup(hub, SetupOptions())
    assert hub.health.counts["person_config_errors"] == 1
    assert hub.states.require("person.mina").attributes["room"] == "kitchen", "left as it was"
    await hub.async_stop()


async def test_the_section_is_read_not_reported_unused(tmp_path: Path) -> None:
    (tmp_path / "configuration.yaml").write_text(CONFIG, encoding="utf-8")
    config = load_config(tmp_path)
    assert not [w for w in unused_parts(config) if "person" in str(w)]


async def test_the_agent_finds_a_room_empty_by_a_real_room_sensor(tmp_path: Path) -> None:
    """A home with no simulator: Ana from `person:`, her room from a Bermuda-style sensor. The
    hall has no motion sensor; once she is in the kitchen, the light she left on in the hall
    is proposed off (agent/left_on.py reads her person entity's room)."""
    from datetime import timedelta

    from hearthmind.agent.left_on import routine_key
    from tests.agent.home import CONFIG as AGENT_CONFIG
    from tests.agent.home import start_home

    config = AGENT_CONFIG.rstrip("\n") + (
        "\nperson:\n  - name: Ana\n    id: ana\n    room_sensors: [sensor.ana_area]\n"
    )
    home = await start_home(tmp_path, config, components=("recorder", "person", "agent"))
    hub = home.hub
    try:
        hub.registries.add_area(Area("hall", "Hall"))
        hub.registries.add_area(Area("kitchen", "Kitchen"))
        hub.registries.set_entity_area("light.hall", "hall")
        report(hub, "sensor.ana_area", "Hall")
        assert hub.states.require("person.ana").attributes["room"] == "hall"
        home.person("light.hall", "on")
        report(hub, "sensor.ana_area", "Kitchen")
        await home.run_until(home.at(0, 0) + timedelta(minutes=1))
        assert routine_key("light.hall") in home.agent.units
        asked = home.said("agent_suggestion")[-1]
        assert asked.data["entity_id"] == "light.hall" and asked.data["person"] == "ana"
    finally:
        await hub.async_stop()


async def test_a_tracker_without_a_source_type_is_stationary_as_in_home_assistant(
    tmp_path: Path,
) -> None:
    hub = await make_hub(tmp_path)
    report(hub, "device_tracker.ana_phone", "Work", source_type="gps")
    report(hub, "device_tracker.ana_wifi", "home")  # no source_type: not a GPS one
    assert hub.states.require("person.ana").state == "home"
    report(hub, "device_tracker.ana_wifi", "Shop")  # a zone from a stationary one...
    report(hub, "device_tracker.ana_phone", "not_home", source_type="gps")
    assert hub.states.require("person.ana").state == "not_home", "...the GPS outranks it"
    report(hub, "device_tracker.ana_phone", "unavailable", source_type="gps")
    assert hub.states.require("person.ana").state == "Shop", "without the GPS, it counts"
    await hub.async_stop()
