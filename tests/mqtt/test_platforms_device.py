"""Issue 26 part B through a real Mosquitto: MQTT device triggers and event entities reach
automations as in Home Assistant; image bytes arrive unchanged; stateless entities (button,
scene, notify, event, image) report ISO timestamps as their state."""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

import aiomqtt
import pytest

from hearthmind.automations import get_manager
from hearthmind.core import Event, Hub, Origin
from hearthmind.integrations.mqtt import MqttIntegration
from tests.fixtures.mosquitto import MosquittoServer

from .conftest import announce, settled, start_hub, wait_for

REMOTE = {"identifiers": ["0x90fd9ffffedf1266"], "name": "Remote", "manufacturer": "IKEA"}


@pytest.fixture
async def hub_mosquitto(
    mosquitto: MosquittoServer, prefix: str
) -> AsyncIterator[tuple[Hub, MqttIntegration]]:
    hub, integration = await start_hub(mosquitto.url, discovery_prefix=prefix)
    try:
        yield hub, integration
    finally:
        await hub.async_stop()


@pytest.fixture
async def client(mosquitto: MosquittoServer) -> AsyncIterator[aiomqtt.Client]:
    host, port = mosquitto.url.split("://", 1)[1].rsplit(":", 1)
    async with aiomqtt.Client(host, int(port)) as c:
        yield c


def fired(hub: Hub) -> list[dict[str, Any]]:
    log: list[dict[str, Any]] = []
    hub.bus.async_listen("fired", lambda e: log.append(dict(e.data)))
    return log


def rule(trigger: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": "r",
        "mode": "parallel",
        "triggers": [trigger],
        "actions": [
            {
                "event": "fired",
                "event_data": {"sub": "{{ trigger.subtype }}", "payload": "{{ trigger.payload }}"},
            }
        ],
    }


async def test_device_trigger_fires_automation(
    hub_mosquitto: tuple[Hub, MqttIntegration], client: aiomqtt.Client, prefix: str
) -> None:
    """Zigbee2MQTT's remote: `action` payloads on its topic, one trigger per action."""
    hub, mqtt = hub_mosquitto
    await get_manager(hub).async_add_rules(
        [
            rule(
                {
                    "platform": "device",
                    "domain": "mqtt",
                    "device_id": "0x90fd9ffffedf1266",
                    "type": "action",
                    "subtype": "on",
                }
            )
        ]
    )
    log = fired(hub)
    triggers: list[Event] = []
    hub.bus.async_listen("device_trigger", triggers.append)
    for action in ("on", "off"):
        await client.publish(
            f"{prefix}/device_automation/0x90fd9ffffedf1266/action_{action}/config",
            json.dumps(
                {
                    "automation_type": "trigger",
                    "type": "action",
                    "subtype": action,
                    "payload": action,
                    "topic": "zigbee2mqtt/Remote/action",
                    "device": REMOTE,
                }
            ),
        )
    await wait_for(lambda: "zigbee2mqtt/Remote/action" in mqtt._handlers, what="subscribed")
    await settled(mqtt)
    # a device trigger is no entity and has no state
    assert not [e for e in hub.states.entity_ids() if e.startswith("device_automation.")]

    await client.publish("zigbee2mqtt/Remote/action", "off")
    await client.publish("zigbee2mqtt/Remote/action", "brightness_up")
    await client.publish("zigbee2mqtt/Remote/action", "on")
    await wait_for(lambda: bool(log), what="the automation's run")
    assert log == [{"sub": "on", "payload": "on"}]
    assert [(e.data["type"], e.data["subtype"]) for e in triggers] == [
        ("action", "off"),
        ("action", "on"),
    ]


async def test_event_entity_reaches_automation(
    hub_mosquitto: tuple[Hub, MqttIntegration], client: aiomqtt.Client, prefix: str
) -> None:
    """An MQTT event entity: each event is a new state, so a state trigger on it fires once
    per event, and the event's type is an attribute the rule can test."""
    hub, mqtt = hub_mosquitto
    await get_manager(hub).async_add_rules(
        [
            {
                "id": "e",
                "mode": "parallel",
                "triggers": [{"platform": "state", "entity_id": "event.doorbell"}],
                "conditions": [
                    {
                        "condition": "template",
                        "value_template": "{{ trigger.to_state.attributes.event_type == 'press' }}",
                    }
                ],
                "actions": [{"event": "fired", "event_data": {"sub": "ring", "payload": ""}}],
            }
        ]
    )
    log = fired(hub)
    await announce(
        client,
        "event",
        "doorbell",
        {"name": "Doorbell", "state_topic": "doorbell/event", "event_types": ["press", "hold"]},
        prefix,
    )
    await wait_for(lambda: hub.states.get("event.doorbell") is not None, what="discovery")
    await settled(mqtt)
    await client.publish("doorbell/event", json.dumps({"event_type": "hold"}))
    await client.publish("doorbell/event", json.dumps({"event_type": "press", "x": 1}))
    await wait_for(lambda: bool(log), what="the rule's run")
    state = hub.states.require("event.doorbell")
    assert state.attributes["event_type"] == "press" and state.attributes["x"] == 1
    datetime.fromisoformat(state.state)  # the time of the last event
    assert state.context.origin is Origin.PHYSICAL  # someone pressed it
    assert len(log) == 1


async def test_image_bytes_and_timestamp_states(
    hub_mosquitto: tuple[Hub, MqttIntegration], client: aiomqtt.Client, prefix: str
) -> None:
    hub, mqtt = hub_mosquitto
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe"
    await announce(client, "image", "cam", {"name": "Cam", "image_topic": "cam/raw"}, prefix)
    await announce(
        client,
        "image",
        "cam64",
        {"name": "Cam64", "image_topic": "cam/b64", "image_encoding": "b64"},
        prefix,
    )
    await announce(client, "button", "bell", {"name": "Bell", "command_topic": "bell/set"}, prefix)
    await wait_for(
        lambda: all(hub.states.get(e) for e in ("image.cam", "image.cam64", "button.bell")),
        what="discovery",
    )
    await settled(mqtt)
    assert hub.states.require("image.cam").state == "unknown"
    await client.publish("cam/raw", png)
    await client.publish("cam/b64", base64.b64encode(png))
    await wait_for(lambda: hub.states.require("image.cam64").state != "unknown")
    await wait_for(lambda: hub.states.require("image.cam").state != "unknown")
    assert mqtt.entities["image.cam"].image == png  # type: ignore[attr-defined]
    assert mqtt.entities["image.cam64"].image == png  # type: ignore[attr-defined]
    datetime.fromisoformat(hub.states.require("image.cam").state)

    await hub.services.async_call(
        "button", "press", {"entity_id": "button.bell"}, context=hub.context(Origin.APP)
    )
    pressed = hub.states.require("button.bell").state
    assert datetime.fromisoformat(pressed).tzinfo is not None


async def test_update_news_is_the_devices_not_a_persons(
    hub_mosquitto: tuple[Hub, MqttIntegration], client: aiomqtt.Client, prefix: str
) -> None:
    """A controllable entity's unasked report is a person at the device (issue 20), except
    an update's: a firmware on offer is the device's news."""
    hub, mqtt = hub_mosquitto
    await announce(
        client,
        "update",
        "fw",
        {"name": "Fw", "state_topic": "fw/state", "command_topic": "fw/install"},
        prefix,
    )
    await wait_for(lambda: hub.states.get("update.fw") is not None, what="discovery")
    await settled(mqtt)
    report = {"installed_version": "1.0", "latest_version": "1.0"}
    await client.publish("fw/state", json.dumps(report))
    await wait_for(lambda: hub.states.require("update.fw").state == "off")
    await client.publish("fw/state", json.dumps({**report, "latest_version": "1.1"}))
    await wait_for(lambda: hub.states.require("update.fw").state == "on")
    assert hub.states.require("update.fw").context.origin is Origin.SENSOR
