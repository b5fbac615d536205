"""The main path through a real broker: discovery -> entity, report -> state with the right
cause, service call -> command with the caller's context kept on the device's answer."""

from __future__ import annotations

import json

import aiomqtt
import paho.mqtt.client as paho

from hearthmind.core import Hub, Origin
from hearthmind.integrations.mqtt import MqttIntegration
from tests.fixtures.mosquitto import MosquittoServer

from .conftest import TopicSpy, announce, settled, start_hub, wait_for


async def test_light_json_schema_round_trip(
    hub_mqtt: tuple[Hub, MqttIntegration], device: aiomqtt.Client, prefix: str
) -> None:
    hub, mqtt = hub_mqtt
    await announce(
        device,
        "light",
        "kitchen",
        {
            "~": "zigbee2mqtt/kitchen",
            "name": "Kitchen",
            "uniq_id": "0x01_light",
            "schema": "json",
            "brightness": True,
            "cmd_t": "~/set",
            "stat_t": "~",
            "dev": {"ids": ["0x01"], "name": "Kitchen", "mf": "IKEA"},
        },
        prefix,
    )
    await wait_for(lambda: hub.states.get("light.kitchen") is not None, what="discovery")
    await settled(mqtt)
    assert hub.registries.devices["0x01"].manufacturer == "IKEA"

    # the device's first word says what it is: nobody did that (issue 20)
    await device.publish("zigbee2mqtt/kitchen", json.dumps({"state": "OFF", "brightness": 127}))
    await wait_for(lambda: hub.states.require("light.kitchen").state == "off")
    assert hub.states.require("light.kitchen").context.origin is Origin.SENSOR
    # a person at the switch: the report is physical
    await device.publish("zigbee2mqtt/kitchen", json.dumps({"state": "ON", "brightness": 127}))
    await wait_for(lambda: hub.states.require("light.kitchen").state == "on")
    state = hub.states.require("light.kitchen")
    assert state.attributes["brightness"] == 127
    assert state.context.origin is Origin.PHYSICAL

    # the app turns it off: a command leaves with the app's context, the answer carries it
    commands = await TopicSpy(device).start("zigbee2mqtt/kitchen/set")
    ctx = hub.context(Origin.APP, user_id="anna")
    await hub.services.async_call(
        "light", "turn_on", {"entity_id": "light.kitchen", "brightness_pct": 50}, context=ctx
    )
    await wait_for(lambda: commands.on("zigbee2mqtt/kitchen/set"), what="command")
    assert json.loads(commands.on("zigbee2mqtt/kitchen/set")[0]) == {
        "state": "ON",
        "brightness": 128,
    }
    await device.publish("zigbee2mqtt/kitchen", json.dumps({"state": "ON", "brightness": 128}))
    await wait_for(lambda: hub.states.require("light.kitchen").attributes["brightness"] == 128)
    answered = hub.states.require("light.kitchen")
    assert answered.context.id == ctx.id and answered.context.user_id == "anna"
    commands.stop()


async def test_switch_sensor_binary_sensor(
    hub_mqtt: tuple[Hub, MqttIntegration], device: aiomqtt.Client, prefix: str
) -> None:
    hub, mqtt = hub_mqtt
    await announce(
        device,
        "switch",
        "plug",
        {"name": "Plug", "command_topic": "plug/set", "state_topic": "plug/state"},
        prefix,
    )
    await announce(
        device,
        "sensor",
        "hall_temp",
        {
            "name": "Hall temperature",
            "stat_t": "hall/sensor",
            "val_tpl": "{{ value_json.temperature }}",
            "unit_of_meas": "°C",
            "dev_cla": "temperature",
            "json_attr_t": "hall/sensor",
            "json_attr_tpl": "{{ {'battery': value_json.battery} | tojson }}",
        },
        prefix,
    )
    await announce(
        device,
        "binary_sensor",
        "door",
        {
            "name": "Front door",
            "stat_t": "door/contact",
            "val_tpl": "{{ 'ON' if value_json.contact == false else 'OFF' }}",
            "dev_cla": "door",
        },
        prefix,
    )
    await wait_for(lambda: len(hub.states) >= 3, what="three entities")
    await settled(mqtt)
    await device.publish("hall/sensor", json.dumps({"temperature": 21.5, "battery": 90}))
    await device.publish("door/contact", json.dumps({"contact": False}))
    await device.publish("plug/state", "OFF")  # its first word: a report, not a person
    await wait_for(lambda: hub.states.require("switch.plug").state == "off")
    assert hub.states.require("switch.plug").context.origin is Origin.SENSOR
    await device.publish("plug/state", "ON")
    await wait_for(lambda: hub.states.require("sensor.hall_temperature").state == "21.5")
    await wait_for(lambda: hub.states.require("binary_sensor.front_door").state == "on")
    await wait_for(lambda: hub.states.require("switch.plug").state == "on")
    temp = hub.states.require("sensor.hall_temperature")
    assert temp.attributes["unit_of_measurement"] == "°C"
    assert temp.attributes["battery"] == 90
    assert temp.context.origin is Origin.SENSOR
    assert hub.states.require("switch.plug").context.origin is Origin.PHYSICAL

    commands = await TopicSpy(device).start("plug/set")
    await hub.services.async_call(
        "switch",
        "toggle",
        {"entity_id": "switch.plug"},
        context=hub.context(Origin.AUTOMATION),
    )
    await wait_for(lambda: commands.on("plug/set") == ["OFF"], what="OFF command")
    commands.stop()


async def test_availability_and_removal(
    hub_mqtt: tuple[Hub, MqttIntegration], device: aiomqtt.Client, prefix: str
) -> None:
    hub, mqtt = hub_mqtt
    await announce(
        device,
        "lock",
        "front",
        {
            "name": "Front lock",
            "cmd_t": "lock/front/set",
            "stat_t": "lock/front",
            "avty_t": "lock/front/availability",
        },
        prefix,
    )
    await wait_for(lambda: hub.states.get("lock.front_lock") is not None)
    await settled(mqtt)
    assert hub.states.require("lock.front_lock").state == "unavailable"
    await device.publish("lock/front/availability", "online")
    await device.publish("lock/front", "LOCKED")
    await wait_for(lambda: hub.states.require("lock.front_lock").state == "locked")
    await device.publish("lock/front/availability", "offline")
    await wait_for(lambda: hub.states.require("lock.front_lock").state == "unavailable")
    await device.publish("lock/front/availability", "online")
    await wait_for(lambda: hub.states.require("lock.front_lock").state == "locked")
    # an empty retained config removes the entity
    await device.publish(f"{prefix}/lock/front/config", b"", retain=True)
    await wait_for(lambda: hub.states.get("lock.front_lock") is None, what="removal")
    assert "lock.front_lock" not in hub.entities


async def test_burst_arrives_whole_and_in_order(mosquitto: MosquittoServer, prefix: str) -> None:
    """Thousands of reports at once (read many per system call): none lost, none reordered."""
    hub, mqtt = await start_hub(mosquitto.url, discovery_prefix=prefix)
    try:
        async with aiomqtt.Client(mosquitto.host, mosquitto.port) as device:
            await announce(
                device, "sensor", "counter", {"name": "Counter", "stat_t": "burst"}, prefix
            )
            await wait_for(lambda: hub.states.get("sensor.counter") is not None)
            await settled(mqtt)
        seen: list[str] = []
        hub.states.async_track_entities(
            ["sensor.counter"], lambda event: seen.append(event.data["new_state"].state)
        )
        publisher = paho.Client(paho.CallbackAPIVersion.VERSION2)
        publisher.connect(mosquitto.host, mosquitto.port)
        publisher.loop_start()
        try:
            for n in range(3000):
                publisher.publish("burst", str(n), qos=1)
            await wait_for(
                lambda: len(seen) == 3000, timeout=30, what=f"3000 reports ({len(seen)})"
            )
        finally:
            publisher.loop_stop()
            publisher.disconnect()
        assert seen == [str(n) for n in range(3000)]
    finally:
        await hub.async_stop()
