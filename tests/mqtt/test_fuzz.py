"""Random bytes and random JSON into every MQTT payload parser: discovery, each
component's state topics (all of them, as the integration dispatches them), and the
simulated devices' command parsers. Nothing may raise; bad input is counted."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hearthmind.core import Hub
from hearthmind.integrations.mqtt import MqttConfig, MqttIntegration
from hearthmind.integrations.mqtt.connection import BrokerSettings
from hearthmind.integrations.mqtt.discovery import DiscoveryError, build_config, parse_discovery
from hearthmind.integrations.mqtt.payloads import PayloadError
from hearthmind.integrations.simulator import mqtt_bridge

FUZZ = settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=5)
    ),
    max_leaves=12,
)
# JSON objects that look like device reports (known keys, random values)
report_keys = st.sampled_from(
    ["state", "brightness", "color_temp", "color", "mode", "target", "current", "watts", "r"]
)
reports = st.dictionaries(report_keys, json_values, max_size=5)


def _json(value: Any) -> bytes:
    return json.dumps(value, allow_nan=True).encode()


payloads = st.one_of(
    st.binary(max_size=200),
    json_values.map(_json),
    reports.map(_json),
    st.sampled_from([b"ON", b"OFF", b"None", b"LOCKED", b"open", b"heat", b"42", b"1e999"]),
)

DEVICES: dict[str, dict[str, Any]] = {
    "light/json": {
        "name": "Json",
        "schema": "json",
        "brightness": True,
        "cmd_t": "j/set",
        "stat_t": "j",
        "json_attr_t": "j",
        "avty_t": "j/avail",
    },
    "light/plain": {
        "name": "Plain",
        "cmd_t": "p/set",
        "stat_t": "p",
        "bri_stat_t": "p/bri",
        "bri_cmd_t": "p/bri/set",
        "bri_scl": 100,
        "clr_temp_stat_t": "p/ct",
        "rgb_stat_t": "p/rgb",
        "stat_val_tpl": "{{ value_json.state }}",
    },
    "switch/s": {"name": "S", "cmd_t": "s/set", "stat_t": "s", "val_tpl": "{{ value | upper }}"},
    "binary_sensor/b": {"name": "B", "stat_t": "b", "val_tpl": "{{ value_json.r }}"},
    "sensor/n": {
        "name": "N",
        "stat_t": "n",
        "val_tpl": "{{ value_json.watts }}",
        "unit_of_meas": "W",
    },
    "sensor/t": {"name": "T", "stat_t": "t"},
    "climate/c": {
        "name": "C",
        "mode_cmd_t": "c/mode/set",
        "mode_stat_t": "c",
        "mode_stat_tpl": "{{ value_json.mode }}",
        "temp_cmd_t": "c/t/set",
        "temp_stat_t": "c",
        "temp_stat_tpl": "{{ value_json.target }}",
        "curr_temp_t": "c",
        "curr_temp_tpl": "{{ value_json.current | float }}",
    },
    "cover/v": {"name": "V", "cmd_t": "v/set", "stat_t": "v", "pos_t": "v/pos", "set_pos_t": "v/p"},
    "lock/l": {"name": "L", "cmd_t": "l/set", "stat_t": "l", "val_tpl": "{{ value_json.state }}"},
    "fan/f": {
        "name": "F",
        "cmd_t": "f/set",
        "stat_t": "f",
        "pct_stat_t": "f/pct",
        "pct_cmd_t": "f/pct/set",
        "spd_rng_max": 3,
    },
}


def make_integration() -> MqttIntegration:
    hub = Hub()
    integration = MqttIntegration(
        hub, MqttConfig(broker="mqtt://127.0.0.1:1"), BrokerSettings("127.0.0.1", 1)
    )
    for key, config in DEVICES.items():
        integration.handle_message(f"homeassistant/{key}/config", _json(config))
    assert len(integration.entities) == len(DEVICES), hub.health.as_dict()
    for topic in list(integration._handlers):  # the availability topic: online
        if topic.endswith("avail"):
            integration.handle_message(topic, b"online")
    return integration


def test_every_state_topic_survives_random_payloads() -> None:
    integration = make_integration()
    hub = integration.hub
    topics = sorted(integration._handlers)
    assert len(topics) >= 15

    @FUZZ
    @given(topic=st.sampled_from(topics), payload=payloads)
    def feed(topic: str, payload: bytes) -> None:
        before = hub.health["mqtt_bad_payload"]
        integration.handle_message(topic, payload)  # must not raise
        for entity in integration.entities.values():
            state = hub.states.require(entity.entity_id)
            assert isinstance(state.state, str) and len(state.state) <= 255
        assert hub.health["mqtt_bad_payload"] >= before

    feed()
    assert hub.health["mqtt_bad_payload"] > 0  # the fuzzing did hit the error paths
    assert "listener_errors" not in hub.health.counts


@FUZZ
@given(
    component=st.sampled_from(["light", "switch", "sensor", "climate", "cover", "lock", "fan"]),
    payload=payloads,
)
def test_discovery_survives_random_payloads(component: str, payload: bytes) -> None:
    topic = f"homeassistant/{component}/x/config"
    try:
        message = parse_discovery("homeassistant", topic, payload)
        if message.config is not None:
            build_config(message)
    except DiscoveryError as err:
        assert topic in str(err)


@FUZZ
@given(
    config=st.dictionaries(
        st.sampled_from(sorted({k for d in DEVICES.values() for k in d})), json_values, max_size=8
    )
)
def test_discovery_of_random_configs_never_crashes_the_hub(config: dict[str, Any]) -> None:
    integration = make_integration()
    integration.handle_message("homeassistant/light/r/config", _json(config))
    integration.handle_message("homeassistant/sensor/r/config", _json(config))
    errors = integration.hub.health.counts
    assert "listener_errors" not in errors


@FUZZ
@given(payload=st.binary(max_size=200) | json_values.map(_json) | reports.map(_json))
def test_simulated_device_command_parsers(payload: bytes) -> None:
    parsers = [
        mqtt_bridge._on_off,
        mqtt_bridge._light_json,
        mqtt_bridge._percentage,
        mqtt_bridge._cover,
        mqtt_bridge._position,
        mqtt_bridge._lock,
        mqtt_bridge._mode,
        mqtt_bridge._temperature,
    ]
    text = payload.decode("utf-8", errors="replace")
    for parse in parsers:
        try:
            service, data = parse(text)
        except PayloadError:
            continue
        assert isinstance(service, str) and isinstance(data, dict)
