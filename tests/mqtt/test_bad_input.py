"""Bad input over a real broker (Mosquitto and the embedded one): each problem is counted
under a counter that names it, with a message that names the topic, and the hub carries on
(a good message right after it still works)."""

from __future__ import annotations

import json

import aiomqtt
import pytest

from hearthmind.core import EVENT_STATE_CHANGED, Event, Hub
from hearthmind.integrations.mqtt import MqttIntegration

from .conftest import announce, settled, wait_for

LIGHT = {
    "name": "Desk",
    "schema": "json",
    "brightness": True,
    "command_topic": "desk/set",
    "state_topic": "desk",
}


def last_message(hub: Hub, counter: str) -> str:
    return next(p.message for p in reversed(hub.health.recent) if p.counter == counter)


@pytest.mark.parametrize(
    ("topic", "payload", "counter", "words"),
    [
        ("homeassistant/light/a/config", b"{not json", "mqtt_bad_discovery", "not valid JSON"),
        ("homeassistant/light/b/config", b"[1, 2]", "mqtt_bad_discovery", "not an object"),
        (
            "homeassistant/light/c/config",
            json.dumps({"command_topic": "c/set", "brightness_scale": "lots"}).encode(),
            "mqtt_bad_discovery",
            "brightness_scale",
        ),
        (
            "homeassistant/sensor/d/config",
            json.dumps({"name": "D"}).encode(),  # no state_topic
            "mqtt_bad_discovery",
            "state_topic",
        ),
        # a template that does not compile no longer refuses the device: it fails per
        # message (issue 26; tests/mqtt/parity/discovery.yaml, test_templates_per_message.py)
        ("homeassistant/toaster/f/config", b"{}", "mqtt_bad_discovery", "unknown component"),
        ("homeassistant/camera/g/config", b"{}", "mqtt_unsupported_component", "camera"),
        (
            "homeassistant/switch/h/config",
            b'{"name": "' + b"x" * 100_000 + b'"}',
            "mqtt_bad_discovery",
            "limit",
        ),
    ],
)
async def test_bad_discovery_is_counted(
    hub_mqtt: tuple[Hub, MqttIntegration],
    device: aiomqtt.Client,
    topic: str,
    payload: bytes,
    counter: str,
    words: str,
    prefix: str,
) -> None:
    hub, _ = hub_mqtt
    topic = topic.replace("homeassistant", prefix, 1)
    await device.publish(topic, payload)
    await wait_for(lambda: hub.health[counter] >= 1, what=counter)
    message = last_message(hub, counter)
    assert topic in message and words in message
    # the hub carries on: a good announcement right after works
    await announce(device, "light", "desk", LIGHT, prefix)
    await wait_for(lambda: hub.states.get("light.desk") is not None)


async def test_bad_state_payloads_are_counted(
    hub_mqtt: tuple[Hub, MqttIntegration], device: aiomqtt.Client, prefix: str
) -> None:
    hub, mqtt = hub_mqtt
    await announce(device, "light", "desk", LIGHT, prefix)
    await announce(
        device,
        "sensor",
        "power",
        {
            "name": "Power",
            "stat_t": "power",
            "val_tpl": "{{ value_json.watts }}",
            "unit_of_meas": "W",
        },
        prefix,
    )
    await wait_for(lambda: hub.states.get("sensor.power") is not None)
    await settled(mqtt)
    changes: list[Event] = []
    hub.bus.async_listen(EVENT_STATE_CHANGED, changes.append)
    bad = [
        ("desk", b"{not json", "not valid JSON"),
        ("desk", b'"ON"', "not an object"),
        ("desk", json.dumps({"state": 5}).encode(), "not a string"),
        ("desk", json.dumps({"state": "MAYBE"}).encode(), "neither"),
        ("desk", json.dumps({"state": "ON", "brightness": "bright"}).encode(), "brightness"),
        ("desk", json.dumps({"state": "ON", "color": 7}).encode(), "color"),
        ("desk", b"\xff\xfe\x00", "not utf-8"),
        ("desk", b"{" + b" " * 70_000 + b"}", "limit"),
        ("power", json.dumps({"volts": 230}).encode(), "has no 'watts'"),
        ("power", json.dumps({"watts": "lots"}).encode(), "not a number"),
        ("power", b"[]", "has no 'watts'"),
    ]
    for n, (topic, payload, words) in enumerate(bad, start=1):
        await device.publish(topic, payload)
        await wait_for(lambda n=n: hub.health["mqtt_bad_payload"] >= n, what=words)
        message = last_message(hub, "mqtt_bad_payload")
        assert topic in message and words in message, message
    assert changes == []  # nothing bad reached the state machine
    await device.publish("desk", json.dumps({"state": "ON", "brightness": 10}))
    await device.publish("power", json.dumps({"watts": 42.5}))
    await wait_for(lambda: hub.states.require("sensor.power").state == "42.5")
    assert hub.states.require("light.desk").state == "on"
