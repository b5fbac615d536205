"""Safety classes by voice: a lock is never unlocked or opened, a garage door, gate or door
never opened, a water valve never opened, an alarm never disarmed, an oven or cooktop never
turned on by voice or text alone; the other direction is always done."""

from __future__ import annotations

from typing import Any

import pytest

from hearthmind.core import Hub, Origin
from hearthmind.voice.fixtures import populate_hub
from hearthmind.voice.home import NamedEntity
from hearthmind.voice.pipeline import VoicePipeline
from hearthmind.voice.safety import needs_confirmation

EXTRA: dict[str, Any] = {
    "entities": [
        {"name": "Main Valve", "id": "valve.main_valve", "state": "closed"},
        {"name": "Oven", "id": "switch.oven", "area": "kitchen", "state": "off"},
        {"name": "Kitchen Hob", "id": "switch.kitchen_hob", "area": "kitchen", "state": "off"},
        {"name": "Hobby Lamp", "id": "switch.hobby_lamp", "area": "office", "state": "off"},
        {"name": "House Alarm", "id": "alarm_control_panel.house", "state": "armed_away"},
        {
            "name": "Driveway Gate",
            "id": "cover.driveway_gate",
            "state": "closed",
            "attributes": {"device_class": "gate"},
        },
        {
            "name": "Patio Blind",
            "id": "cover.patio_blind",
            "state": "closed",
            "attributes": {"device_class": "blind"},
        },
    ]
}


def entity(entity_id: str, name: str, **attributes: Any) -> NamedEntity:
    return NamedEntity(entity_id, (name,), None, attributes)


@pytest.mark.parametrize(
    ("entity_id", "name", "attributes", "service", "data", "refused"),
    [
        ("lock.front", "Front Door", {}, "unlock", {}, True),
        ("lock.front", "Front Door", {}, "open", {}, True),
        ("lock.front", "Front Door", {}, "lock", {}, False),
        ("valve.main", "Main Valve", {}, "open_valve", {}, True),
        ("valve.main", "Main Valve", {}, "toggle", {}, True),
        ("valve.main", "Main Valve", {}, "set_valve_position", {"position": 30}, True),
        ("valve.main", "Main Valve", {}, "set_valve_position", {"position": 0}, False),
        ("valve.main", "Main Valve", {}, "close_valve", {}, False),
        ("alarm_control_panel.h", "Alarm", {}, "alarm_disarm", {}, True),
        ("alarm_control_panel.h", "Alarm", {}, "alarm_arm_away", {}, False),
        ("cover.g", "Garage Door", {"device_class": "garage"}, "open_cover", {}, True),
        ("cover.g", "Gate", {"device_class": "gate"}, "open_cover", {}, True),
        ("cover.g", "Back Door", {"device_class": "door"}, "open_cover", {}, True),
        ("cover.g", "Gate", {"device_class": "gate"}, "set_cover_position", {"position": 50}, True),
        ("cover.g", "Gate", {"device_class": "gate"}, "close_cover", {}, False),
        ("cover.b", "Blind", {"device_class": "blind"}, "open_cover", {}, False),
        ("switch.oven", "Oven", {}, "turn_on", {}, True),
        ("switch.plug_3", "Stove", {}, "turn_on", {}, True),
        ("switch.cooktop_left", "Left plate", {}, "turn_on", {}, True),
        ("switch.oven", "Oven", {}, "turn_off", {}, False),
        ("climate.oven", "Oven", {}, "set_hvac_mode", {"hvac_mode": "heat"}, True),
        ("climate.oven", "Oven", {}, "set_hvac_mode", {"hvac_mode": "off"}, False),
        ("switch.hobby_lamp", "Hobby Lamp", {}, "turn_on", {}, False),
        ("light.kitchen", "Kitchen", {}, "turn_on", {}, False),
    ],
)
def test_what_needs_confirmation(
    entity_id: str,
    name: str,
    attributes: dict[str, Any],
    service: str,
    data: dict[str, Any],
    refused: bool,
) -> None:
    assert needs_confirmation(entity(entity_id, name, **attributes), service, data) is refused


@pytest.fixture
def safety_hub(hub: Hub) -> Hub:
    populate_hub(hub, EXTRA)
    return hub


@pytest.mark.parametrize(
    "said",
    [
        "open the main valve",
        "set the main valve to 50 percent",
        "turn on the oven",
        "turn on the kitchen hob",
        "open the driveway gate",
        "open the garage door",
        "unlock the front door",
        "disarm the house alarm",
    ],
)
async def test_refused_by_voice_and_nothing_changes(
    safety_hub: Hub, pipeline: VoicePipeline, said: str
) -> None:
    before = {s.entity_id: s.state for s in safety_hub.states.async_all()}
    result = await pipeline.handle_text(said)
    assert result.answer.error in ("needs_confirmation", "no_intent", "unsupported"), result.speech
    if result.match is not None and result.answer.error == "needs_confirmation":
        assert "confirm that in the app" in result.speech
    assert {s.entity_id: s.state for s in safety_hub.states.async_all()} == before


async def test_the_safe_direction_is_done(safety_hub: Hub, pipeline: VoicePipeline) -> None:
    ctx = safety_hub.context(Origin.SENSOR)
    safety_hub.states.async_set("valve.main_valve", "open", {"friendly_name": "Main Valve"}, ctx)
    safety_hub.states.async_set("switch.oven", "on", {"friendly_name": "Oven"}, ctx)
    safety_hub.states.async_set(
        "cover.garage_door", "open", {"friendly_name": "Garage Door", "device_class": "garage"}, ctx
    )
    for said in ("close the main valve", "turn off the oven", "close the garage door"):
        result = await pipeline.handle_text(said)
        assert result.answer.handled, (said, result.speech)
    assert safety_hub.states.require("valve.main_valve").state == "closed"
    assert safety_hub.states.require("switch.oven").state == "off"
    assert safety_hub.states.require("cover.garage_door").state == "closed"
    # a blind is no way in: it opens by voice
    opened = await pipeline.handle_text("open the patio blind")
    assert opened.answer.handled and safety_hub.states.require("cover.patio_blind").state == "open"
