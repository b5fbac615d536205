"""The pure parts: abbreviations and `~`, templates (the fast path agrees with Jinja),
entity ids, the config section, and the command payloads of each component (read from the
outbox of a hub that is not connected: commands wait there for the broker)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hearthmind.core import ConfigError, Hub, Origin, load_config
from hearthmind.integrations.mqtt import DATA_KEY as MQTT_KEY
from hearthmind.integrations.mqtt import MqttConfig, MqttIntegration, parse_broker_url
from hearthmind.integrations.mqtt.abbreviations import expand_discovery_payload
from hearthmind.integrations.mqtt.connection import BrokerSettings
from hearthmind.integrations.mqtt.templates import TemplateError, ValueTemplate


def test_abbreviations_and_base_topic() -> None:
    config = expand_discovery_payload(
        {
            "~": "zigbee2mqtt/hall",
            "stat_t": "~",
            "cmd_t": "~/set",
            "avty": [{"t": "~/availability", "pl_avail": "up"}],
            "json_attr_t": "attrs/~",
            "dev": {"ids": ["0x1"], "mf": "IKEA", "mdl": "E27", "sw": "1.0", "sa": "Hall"},
            "o": {"name": "z2m", "sw": "1.39", "url": "https://example.invalid"},
            "uniq_id": "u1",
        }
    )
    assert config["state_topic"] == "zigbee2mqtt/hall"
    assert config["command_topic"] == "zigbee2mqtt/hall/set"
    assert config["json_attributes_topic"] == "attrs/zigbee2mqtt/hall"
    assert config["availability"] == [
        {"topic": "zigbee2mqtt/hall/availability", "payload_available": "up"}
    ]
    assert config["device"] == {
        "identifiers": ["0x1"],
        "manufacturer": "IKEA",
        "model": "E27",
        "sw_version": "1.0",
        "suggested_area": "Hall",
    }
    assert config["origin"]["support_url"] == "https://example.invalid"
    assert config["unique_id"] == "u1" and "~" not in config


@pytest.mark.parametrize(
    ("source", "payload", "expected"),
    [
        ("{{ value_json.a.b }}", '{"a": {"b": 21.5}}', "21.5"),
        ("{{ value_json['a'][1] }}", '{"a": [1, true]}', "True"),
        ("{{ value }}", "raw text", "raw text"),
        ("{{ value | int + 1 }}", "41", "42"),
        ("{{ 'ON' if value_json.contact == false else 'OFF' }}", '{"contact": false}', "ON"),
        ("{{ value_json.temperature | float | round(1) }}", '{"temperature": "21.46"}', "21.5"),
        ("{{ value_json.items }}", '{"items": 3}', None),  # Jinja's answer: a dict method
    ],
)
def test_templates(source: str, payload: str, expected: str | None) -> None:
    rendered = ValueTemplate(source).render(payload)
    if expected is not None:
        assert rendered == expected


def test_template_errors_name_the_template() -> None:
    broken = ValueTemplate("{{ value_json. }}")  # compiles lazily: fails per message
    assert broken.compile_error is not None
    with pytest.raises(TemplateError, match="does not compile"):
        broken.render('{"x": 1}')
    with pytest.raises(TemplateError, match="has no 'missing'"):
        ValueTemplate("{{ value_json.missing }}").render('{"x": 1}')
    with pytest.raises(TemplateError, match="rendering template"):
        ValueTemplate("{{ value_json.x.__class__.__mro__ }}").render('{"x": 1}')
    with pytest.raises(TemplateError, match="not JSON"):
        ValueTemplate("{{ value_json.x }}").render("plain")


keys = st.text(alphabet="abcxyz_", min_size=1, max_size=4)
docs = st.recursive(
    st.integers() | st.text(max_size=5) | st.booleans() | st.none() | st.floats(allow_nan=False),
    lambda c: st.dictionaries(keys, c, max_size=3),
    max_leaves=6,
)


@settings(max_examples=100, deadline=None)
@given(doc=docs, path=st.lists(keys, min_size=1, max_size=3))
def test_fast_path_agrees_with_jinja(doc: Any, path: list[str]) -> None:
    """`{{ value_json.a.b }}` is read without Jinja; it must give Jinja's answer."""
    source = "{{ value_json." + ".".join(path) + " }}"
    fast = ValueTemplate(source)
    slow = ValueTemplate(source + "{{ '' }}")  # not the simple shape: rendered by Jinja
    payload = json.dumps(doc)
    results = []
    for template in (fast, slow):
        try:
            results.append(template.render(payload))
        except TemplateError:
            results.append("<error>")
    assert results[0] == results[1]


def test_broker_urls_and_config(tmp_path: Path) -> None:
    url = parse_broker_url("mqtts://hub:s%40cret@broker.lan")
    assert (url.host, url.port, url.username, url.password, url.tls) == (
        "broker.lan",
        8883,
        "hub",
        "s@cret",
        True,
    )
    settings_ = MqttConfig(broker="mqtt://127.0.0.1:1884").broker_settings()
    assert (settings_.port, settings_.tls, settings_.url) == (1884, False, "mqtt://127.0.0.1:1884")
    keyed = MqttConfig(host="b", username="u", password="p", tls=True, ca_certs="/ca.pem")
    s = keyed.broker_settings()
    assert (s.port, s.tls, s.ca_certs, s.url) == (8883, True, "/ca.pem", "mqtts://u@b:8883")
    assert not MqttConfig().external
    # Home Assistant's own YAML: broker as a host, port beside it, its certificate key names
    ha = MqttConfig.model_validate(
        {"broker": "192.168.1.10", "port": 1884, "username": "u", "certificate": "/ca.pem"}
    )
    s = ha.broker_settings()
    assert (s.host, s.port, s.username, s.ca_certs) == ("192.168.1.10", 1884, "u", "/ca.pem")
    assert MqttConfig(broker="broker.lan").broker_settings().port == 1883
    tls = MqttConfig.model_validate({"host": "b", "client_cert": "/c.pem", "client_key": "/k.pem"})
    assert (tls.certfile, tls.keyfile) == ("/c.pem", "/k.pem")
    with pytest.raises(ValueError, match="give a host name or address"):
        MqttConfig(broker="user@broker.lan")

    (tmp_path / "configuration.yaml").write_text(
        "hearthmind:\n  name: Home\nmqtt:\n  broker: http://wrong\n  keepalive: 60\n"
    )
    with pytest.raises(ConfigError) as err:
        load_config(tmp_path).section("mqtt", MqttConfig)
    assert "configuration.yaml" in str(err.value) and "scheme" in str(err.value)
    # the check spans keys, and its message names one: the line of that key (broker:)
    assert "line 4: mqtt.broker:" in str(err.value)


def integration_with(*configs: tuple[str, dict[str, Any]]) -> MqttIntegration:
    hub = Hub()
    integration = MqttIntegration(
        hub, MqttConfig(broker="mqtt://127.0.0.1:1"), BrokerSettings("127.0.0.1", 1)
    )
    for key, config in configs:
        integration.handle_message(f"homeassistant/{key}/config", json.dumps(config).encode())
    return integration


def sent(integration: MqttIntegration) -> list[tuple[str, str]]:
    out = [
        (t, p if isinstance(p, str) else p.decode())
        for t, p, _, _ in integration.connection._outbox
    ]
    integration.connection._outbox.clear()
    return out


async def test_entity_ids_like_home_assistant() -> None:
    integration = integration_with(
        ("switch/a", {"name": "Coffee Maker", "cmd_t": "a"}),
        ("switch/b", {"name": "Coffee Maker", "cmd_t": "b"}),
        ("switch/c", {"object_id": "espresso", "name": "X", "cmd_t": "c"}),
        ("sensor/d", {"name": "Temperature", "stat_t": "d", "dev": {"name": "Hall", "ids": "h"}}),
        ("sensor/node/e", {"name": None, "stat_t": "e", "dev": {"name": "Bench 7", "ids": "b7"}}),
    )
    assert sorted(integration.entities) == [
        "sensor.bench_7",
        "sensor.hall_temperature",
        "switch.coffee_maker",
        "switch.coffee_maker_2",
        "switch.espresso",
    ]
    hall = integration.hub.states.require("sensor.hall_temperature")
    assert hall.attributes["friendly_name"] == "Hall Temperature"


async def test_command_payloads_of_each_component() -> None:
    integration = integration_with(
        (
            "light/plain",
            {
                "name": "Plain",
                "cmd_t": "p/set",
                "bri_cmd_t": "p/bri/set",
                "bri_scl": 100,
                "clr_temp_cmd_t": "p/ct/set",
                "on_cmd_type": "first",
            },
        ),
        ("fan/f", {"name": "F", "cmd_t": "f/set", "pct_cmd_t": "f/pct/set", "spd_rng_max": 3}),
        (
            "cover/v",
            {"name": "V", "cmd_t": "v/set", "set_pos_t": "v/pos", "pos_t": "v/p", "pos_clsd": 0},
        ),
        ("lock/l", {"name": "L", "cmd_t": "l/set", "stat_t": "l", "pl_open": "OPEN"}),
        (
            "climate/c",
            {
                "name": "C",
                "modes": ["off", "heat"],
                "mode_cmd_t": "c/mode",
                "temp_cmd_t": "c/temp",
                "temp_cmd_tpl": "{{ value | round(1) }}",
                "max_temp": 25,
            },
        ),
    )
    hub = integration.hub
    ctx = hub.context(Origin.AGENT)

    async def call(domain: str, service: str, entity: str, **data: Any) -> list[tuple[str, str]]:
        await hub.services.async_call(domain, service, {"entity_id": entity, **data}, context=ctx)
        return sent(integration)

    assert await call(
        "light", "turn_on", "light.plain", brightness=255, color_temp_kelvin=2500
    ) == [
        ("p/set", "ON"),
        ("p/bri/set", "100"),
        ("p/ct/set", "400"),
    ]
    # optimistic (no state topic): the state follows the command, with its context
    assert hub.states.require("light.plain").state == "on"
    assert hub.states.require("light.plain").context.id == ctx.id
    assert await call("light", "toggle", "light.plain") == [("p/set", "OFF")]
    # as HA: set_percentage sends the speed only (turn_on with a percentage sends both)
    assert await call("fan", "set_percentage", "fan.f", percentage=66) == [("f/pct/set", "2")]
    assert await call("cover", "set_cover_position", "cover.v", position=40) == [("v/pos", "40")]
    assert await call("cover", "close_cover", "cover.v") == [("v/set", "CLOSE")]
    assert await call("lock", "open", "lock.l") == [("l/set", "OPEN")]
    assert await call("climate", "set_temperature", "climate.c", temperature=30) == [
        ("c/temp", "25.0")
    ]
    assert await call("climate", "set_hvac_mode", "climate.c", hvac_mode="heat") == [
        ("c/mode", "heat")
    ]
    with pytest.raises(Exception, match="no mode 'cool'"):
        await call("climate", "set_hvac_mode", "climate.c", hvac_mode="cool")
    assert hub.health["mqtt_command_rejected"] == 1


async def test_one_zigbee2mqtt_device_many_entities_on_one_topic() -> None:
    device = {"ids": ["0xabc"], "name": "Bathroom sensor"}
    integration = integration_with(
        *(
            (
                f"sensor/0xabc/{key}",
                {
                    "name": key.title(),
                    "stat_t": "zigbee2mqtt/bathroom",
                    "val_tpl": f"{{{{ value_json.{key} }}}}",
                    "unit_of_meas": unit,
                    "dev": device,
                },
            )
            for key, unit in (("temperature", "°C"), ("humidity", "%"), ("battery", "%"))
        )
    )
    integration.handle_message(
        "zigbee2mqtt/bathroom",
        json.dumps(
            {"temperature": 22.4, "humidity": 61, "battery": 97, "linkquality": 120}
        ).encode(),
    )
    states = integration.hub.states
    assert states.require("sensor.bathroom_sensor_temperature").state == "22.4"
    assert states.require("sensor.bathroom_sensor_humidity").state == "61"
    assert states.require("sensor.bathroom_sensor_battery").state == "97"
    assert integration.hub.registries.devices["0xabc"].entity_ids == [
        "sensor.bathroom_sensor_temperature",
        "sensor.bathroom_sensor_humidity",
        "sensor.bathroom_sensor_battery",
    ]


async def test_retained_state_is_not_a_person_at_the_device() -> None:
    integration = integration_with(
        ("switch/k", {"name": "Kettle", "cmd_t": "k/set", "stat_t": "k"})
    )
    states = integration.hub.states
    integration.handle_message("k", b"ON", retained=True)  # the state it had: replayed
    assert states.require("switch.kettle").context.origin is Origin.SENSOR
    integration.handle_message("k", b"OFF")  # live, no command pending: someone at it
    assert states.require("switch.kettle").context.origin is Origin.PHYSICAL


async def test_one_message_one_state_write_and_readings_are_sensor() -> None:
    integration = integration_with(
        (
            "climate/th",
            {
                "name": "Thermostat",
                "modes": ["off", "heat"],
                "mode_cmd_t": "th/mode",
                "mode_stat_t": "th",
                "mode_stat_tpl": "{{ value_json.mode }}",
                "temp_stat_t": "th",
                "temp_stat_tpl": "{{ value_json.target }}",
                "curr_temp_t": "th",
                "curr_temp_tpl": "{{ value_json.current }}",
            },
        )
    )
    hub = integration.hub
    changes: list[Any] = []
    hub.bus.async_listen("state_changed", changes.append)
    report = {"mode": "off", "target": 20.5, "current": 18.0}
    integration.handle_message("th", json.dumps(report).encode())
    assert len(changes) == 1  # three values, one write
    # the device's first word says what it is, not what anybody did (issue 20)
    assert hub.states.require("climate.thermostat").context.origin is Origin.SENSOR
    report = {**report, "mode": "heat"}
    integration.handle_message("th", json.dumps(report).encode())
    assert len(changes) == 2
    state = hub.states.require("climate.thermostat")
    assert (state.state, state.attributes["temperature"]) == ("heat", 20.5)
    assert state.context.origin is Origin.PHYSICAL  # somebody turned the heating on
    integration.handle_message("th", json.dumps({**report, "current": 18.5}).encode())
    assert len(changes) == 3
    assert hub.states.require("climate.thermostat").context.origin is Origin.SENSOR


async def test_setup_only_when_configured_or_asked(tmp_path: Path) -> None:
    from hearthmind.bootstrap import SetupOptions
    from hearthmind.integrations.mqtt import async_setup

    hub = Hub(load_config(tmp_path))
    await async_setup(hub, SetupOptions())
    assert "mqtt" not in hub.data  # no `mqtt:` section, not asked
    (tmp_path / "configuration.yaml").write_text("mqtt:\n  embedded_port: 0\n")
    hub = Hub(load_config(tmp_path))
    await async_setup(hub, SetupOptions())
    await hub.async_start()
    try:
        integration = hub.data[MQTT_KEY]
        assert integration.broker is not None  # no broker given: the embedded one
        assert integration.connection.connected
        assert integration.connection.settings.host == "127.0.0.1"
    finally:
        await hub.async_stop()


async def test_availability_list_all_and_template() -> None:
    integration = integration_with(
        (
            "binary_sensor/w",
            {
                "name": "Window",
                "stat_t": "w",
                "avty_mode": "all",
                "avty": [
                    {"t": "bridge/state", "val_tpl": "{{ value_json.state }}"},
                    {"t": "w/availability", "pl_avail": "up", "pl_not_avail": "down"},
                ],
            },
        )
    )
    state = integration.hub.states.require
    assert state("binary_sensor.window").state == "unavailable"
    integration.handle_message("bridge/state", b'{"state": "online"}')
    integration.handle_message("w", b"ON")
    assert state("binary_sensor.window").state == "unavailable"  # `all`: one is not enough
    integration.handle_message("w/availability", b"up")
    assert state("binary_sensor.window").state == "on"
    integration.handle_message("bridge/state", b'{"state": "offline"}')
    assert state("binary_sensor.window").state == "unavailable"
    integration.handle_message("w/availability", b"sideways")
    assert integration.hub.health["mqtt_bad_payload"] == 1
