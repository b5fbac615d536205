"""The simulated home over MQTT: its devices announce themselves with Home Assistant MQTT
discovery, report their states and take commands on their command topics, exactly as real
Zigbee2MQTT-style devices do, through the same broker the hub's MQTT integration uses.

So the demo shows the whole path: a device's MQTT message -> the hub's state -> the
recorder -> an automation's command back over MQTT -> the device.

Layout (per entity, `<base>` = `hearthmind_sim/<home>/<domain>/<object_id>`):
    discovery  homeassistant/<component>/hearthmind_sim_<home>/<object_id>/config (retained)
    state      <base>/state   (lights: JSON schema; climate: JSON read by templates)
    command    <base>/set     (+ <base>/percentage/set, <base>/position/set,
                               <base>/mode/set, <base>/temperature/set)
Entities of domains that MQTT discovery has no component for (media_player) and people's
presence stay on the in-process path: they are not MQTT devices.

A real device never learns what caused a command. The simulated ones share the hub's process,
and the residents' ground truth (which hub change someone undid) needs the cause, so the bridge
binds to it explicitly, through the core's public record of every service call: the
`call_service` event (as Home Assistant fires it) carries the call's Context and its target
entities, and a command arriving on an entity's topic is applied with the Context of the
latest call that targeted that entity (without one, a new `automation` context). Nothing here
reads the MQTT integration's internals: discovery is awaited on the hub's state machine."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from typing import Any

import orjson

from hearthmind.core import (
    EVENT_CALL_SERVICE,
    CallServiceData,
    Context,
    Event,
    Hub,
    Origin,
    SetupOptions,
)
from hearthmind.integrations.mqtt import DATA_KEY as MQTT_KEY
from hearthmind.integrations.mqtt.connection import MqttConnection
from hearthmind.integrations.mqtt.discovery import slugify
from hearthmind.integrations.mqtt.payloads import (
    PayloadError,
    decode_text,
    kelvin_to_mired,
    mired_to_kelvin,
    number_in,
    parse_float,
    parse_json_object,
)

from .binding import register_records
from .devices import DeviceCommandError
from .home import SimulatedHome
from .records import EntityChange, EntityInfo

_LOGGER = logging.getLogger(__name__)

OWNER = "simulator"
MQTT_DOMAINS = frozenset(
    {"light", "switch", "fan", "cover", "lock", "climate", "binary_sensor", "sensor"}
)
DISCOVERY_WAIT = 10.0  # seconds for the hub to discover every device before it starts

CommandParser = Callable[[str], tuple[str, dict[str, Any]]]


def _on_off(text: str) -> tuple[str, dict[str, Any]]:
    if text == "ON":
        return "turn_on", {}
    if text == "OFF":
        return "turn_off", {}
    raise PayloadError(f"command {text[:40]!r} is neither ON nor OFF")


def _light_json(text: str) -> tuple[str, dict[str, Any]]:
    message = parse_json_object(text)
    state = message.get("state")
    if state == "OFF":
        return "turn_off", {}
    if state not in ("ON", None):
        raise PayloadError(f"light command state {str(state)[:40]!r} is neither ON nor OFF")
    data: dict[str, Any] = {}
    if message.get("brightness") is not None:
        data["brightness"] = max(0, min(255, round(number_in(message["brightness"], "brightness"))))
    if message.get("color_temp") is not None:
        data["color_temp_kelvin"] = mired_to_kelvin(number_in(message["color_temp"], "color_temp"))
    if message.get("transition") is not None:
        data["transition"] = number_in(message["transition"], "transition")
    return "turn_on", data


def _percentage(text: str) -> tuple[str, dict[str, Any]]:
    pct = round(parse_float(text, "percentage"))
    if not 0 <= pct <= 100:
        raise PayloadError(f"percentage {pct} outside 0..100")
    return "set_percentage", {"percentage": pct}


def _cover(text: str) -> tuple[str, dict[str, Any]]:
    services = {"OPEN": "open_cover", "CLOSE": "close_cover", "STOP": "stop_cover"}
    if text not in services:
        raise PayloadError(f"cover command {text[:40]!r} is not OPEN, CLOSE or STOP")
    return services[text], {}


def _position(text: str) -> tuple[str, dict[str, Any]]:
    position = round(parse_float(text, "position"))
    if not 0 <= position <= 100:
        raise PayloadError(f"position {position} outside 0..100")
    return "set_cover_position", {"position": position}


def _lock(text: str) -> tuple[str, dict[str, Any]]:
    services = {"LOCK": "lock", "UNLOCK": "unlock", "OPEN": "open"}
    if text not in services:
        raise PayloadError(f"lock command {text[:40]!r} is not LOCK, UNLOCK or OPEN")
    return services[text], {}


def _mode(text: str) -> tuple[str, dict[str, Any]]:
    return "set_hvac_mode", {"hvac_mode": text}


def _temperature(text: str) -> tuple[str, dict[str, Any]]:
    return "set_temperature", {"temperature": parse_float(text, "temperature")}


class CommandCauses:
    """Per entity, the Context of the latest service call that targeted it, from the core's
    `call_service` events: the explicit binding through which an in-process simulated device
    learns what caused the command it receives over MQTT."""

    def __init__(self, hub: Hub) -> None:
        self._latest: dict[str, Context] = {}
        self._unsubscribe = hub.bus.async_listen(EVENT_CALL_SERVICE, self._on_call)

    def _on_call(self, event: Event[CallServiceData]) -> None:
        targets = event.data["service_data"].get("entity_id")
        for entity_id in [targets] if isinstance(targets, str) else targets or ():
            self._latest[str(entity_id)] = event.context

    def of(self, entity_id: str) -> Context | None:
        return self._latest.get(entity_id)

    def close(self) -> None:
        self._unsubscribe()


class MqttBridge:
    """Binds a `SimulatedHome` to a broker as MQTT devices."""

    def __init__(
        self,
        hub: Hub,
        home: SimulatedHome,
        connection: MqttConnection,
        discovery_prefix: str = "homeassistant",
    ) -> None:
        self.hub = hub
        self.home = home
        self.connection = connection
        self.causes = CommandCauses(hub)
        self.prefix = discovery_prefix
        node = slugify(home.name) or "home"
        self.node_id = f"hearthmind_sim_{node}"
        self.root = f"hearthmind_sim/{node}"
        self.mqtt_entities: dict[str, EntityInfo] = {}
        self._commands: dict[str, tuple[str, CommandParser]] = {}  # topic -> entity, parser
        self._unsubscribe: Callable[[], None] | None = None

    # -- set-up ------------------------------------------------------------------------------

    def base(self, entity_id: str) -> str:
        domain, _, object_id = entity_id.partition(".")
        return f"{self.root}/{domain}/{object_id}"

    def attach(self) -> None:
        register_records(self.hub, self.home)
        devices = {d.id: d for d in self.home.devices()}
        for info in self.home.entities():
            if info.domain in MQTT_DOMAINS:
                self.mqtt_entities[info.entity_id] = info
                device = devices.get(info.device_id)
                config = self.discovery_config(info, device.name if device else None)
                object_id = info.entity_id.partition(".")[2]
                self.connection.publish(
                    f"{self.prefix}/{info.domain}/{self.node_id}/{object_id}/config",
                    orjson.dumps(config),
                    qos=1,
                    retain=True,
                )
                state, attributes = self.home.state(info.entity_id)
                self._publish_state(info, state, attributes)
            else:
                self._attach_in_process(info)
        for topic in self._commands:
            self.connection.subscribe(topic)
        self._unsubscribe = self.home.subscribe(self._on_change)

    def _attach_in_process(self, info: EntityInfo) -> None:
        async def handle(service: str, entity_id: str, data: Mapping[str, Any], ctx: Any) -> None:
            self._apply(entity_id, service, dict(data), ctx)

        self.hub.entities.async_add(
            info.entity_id,
            OWNER,
            handle if info.controllable else None,
            device_id=info.device_id,
            unique_id=f"simulator_{info.entity_id}",
        )
        state, attributes = self.home.state(info.entity_id)
        self.hub.states.async_set(
            info.entity_id, state, attributes, self.hub.context(Origin.SENSOR)
        )

    def discovery_config(self, info: EntityInfo, device_name: str | None) -> dict[str, Any]:
        """The entity as a Zigbee2MQTT-style device would announce it (abbreviated keys)."""
        base = self.base(info.entity_id)
        caps = info.capabilities
        config: dict[str, Any] = {
            "~": base,
            "name": info.name,
            "obj_id": info.entity_id.partition(".")[2],
            "uniq_id": f"{self.node_id}_{info.entity_id.replace('.', '_')}",
            "stat_t": "~/state",
            "dev": {
                "ids": [info.device_id],
                "name": device_name or info.device_id,
                "mf": "Hearthmind simulator",
                "sa": info.area,
            },
        }
        domain = info.domain
        commands: dict[str, CommandParser] = {}
        if domain == "light":
            config.update(schema="json", cmd_t="~/set", brightness=True)
            commands["~/set"] = _light_json
        elif domain == "switch":
            config["cmd_t"] = "~/set"
            commands["~/set"] = _on_off
        elif domain == "fan":
            config.update(cmd_t="~/set", pct_cmd_t="~/percentage/set", pct_stat_t="~/percentage")
            commands["~/set"] = _on_off
            commands["~/percentage/set"] = _percentage
        elif domain == "cover":
            config.update(cmd_t="~/set", pos_t="~/position", set_pos_t="~/position/set")
            commands["~/set"] = _cover
            commands["~/position/set"] = _position
        elif domain == "lock":
            config.update(cmd_t="~/set", pl_open="OPEN")
            commands["~/set"] = _lock
        elif domain == "climate":
            del config["stat_t"]
            config.update(
                modes=list(caps.get("hvac_modes", ["off", "heat"])),
                min_temp=caps.get("min_temp", 7.0),
                max_temp=caps.get("max_temp", 30.0),
                temp_step=caps.get("step", 0.5),
                mode_cmd_t="~/mode/set",
                mode_stat_t="~/state",
                mode_stat_tpl="{{ value_json.mode }}",
                temp_cmd_t="~/temperature/set",
                temp_stat_t="~/state",
                temp_stat_tpl="{{ value_json.target }}",
                curr_temp_t="~/state",
                curr_temp_tpl="{{ value_json.current }}",
            )
            commands["~/mode/set"] = _mode
            commands["~/temperature/set"] = _temperature
        elif domain in ("binary_sensor", "sensor"):
            if caps.get("device_class"):
                config["dev_cla"] = caps["device_class"]
            if caps.get("unit_of_measurement"):
                config["unit_of_meas"] = caps["unit_of_measurement"]
                # an energy meter is total_increasing (HA's Energy dashboard needs it)
                config["stat_cla"] = caps.get("state_class", "measurement")
        for suffix, parser in commands.items():
            self._commands[base + suffix[1:]] = (info.entity_id, parser)
        return config

    # -- device -> broker --------------------------------------------------------------------

    def _on_change(self, change: EntityChange) -> None:
        info = self.mqtt_entities.get(change.entity_id)
        if info is not None:
            self._publish_state(info, change.state, change.attributes)
        elif change.entity_id.startswith("person."):
            self.hub.set_presence(
                change.entity_id[len("person.") :], change.state, change.context, change.attributes
            )
        else:  # in-process entities (media_player)
            self.hub.states.async_set(
                change.entity_id, change.state, change.attributes, change.context
            )

    def _publish_state(self, info: EntityInfo, state: str, attributes: Mapping[str, Any]) -> None:
        base = self.base(info.entity_id)
        publish = self.connection.publish
        domain = info.domain
        if domain == "light":
            message: dict[str, Any] = {"state": "ON" if state == "on" else "OFF"}
            if attributes.get("brightness") is not None:
                message["brightness"] = attributes["brightness"]
            if attributes.get("color_temp_kelvin"):
                message["color_temp"] = kelvin_to_mired(attributes["color_temp_kelvin"])
            publish(f"{base}/state", orjson.dumps(message), 0, True)
        elif domain in ("switch", "fan", "binary_sensor"):
            publish(f"{base}/state", "ON" if state == "on" else "OFF", 0, True)
            if domain == "fan" and attributes.get("percentage") is not None:
                publish(f"{base}/percentage", str(attributes["percentage"]), 0, True)
        elif domain == "cover":
            publish(f"{base}/state", state, 0, True)
            if attributes.get("current_position") is not None:
                publish(f"{base}/position", str(attributes["current_position"]), 0, True)
        elif domain == "lock":
            publish(f"{base}/state", state.upper(), 0, True)
        elif domain == "climate":
            report = {
                "mode": state,
                "target": attributes.get("temperature"),
                "current": attributes.get("current_temperature"),
            }
            publish(f"{base}/state", orjson.dumps(report), 0, True)
        else:  # sensor
            publish(f"{base}/state", state, 0, True)

    # -- broker -> device --------------------------------------------------------------------

    def handle_message(self, topic: str, payload: bytes, retained: bool = False) -> None:
        target = self._commands.get(topic)
        if target is None:
            return
        entity_id, parser = target
        try:
            service, data = parser(decode_text(payload))
        except PayloadError as err:
            self.hub.health.problem(
                "mqtt_bad_payload",
                f"simulated {entity_id} ({topic}): {err}",
                self.hub.clock.timestamp(),
            )
            return
        context = self.causes.of(entity_id) or self.hub.context(Origin.AUTOMATION)
        self._apply(entity_id, service, data, context)

    def _apply(self, entity_id: str, service: str, data: dict[str, Any], context: Context) -> None:
        try:
            self.home.apply_command(entity_id, service, data, context)
        except DeviceCommandError as err:
            self.hub.health.problem(err.counter, str(err), self.hub.clock.timestamp())

    def detach(self) -> None:
        self.causes.close()
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None


async def async_bind(hub: Hub, home: SimulatedHome, options: SetupOptions) -> MqttBridge:
    """Bind `home` through the broker the hub's MQTT integration uses (set up before the
    simulator in bootstrap; with `--mqtt` and no broker configured that is the embedded one)."""
    integration = hub.data.get(MQTT_KEY)
    if integration is None:
        raise RuntimeError("the MQTT bridge needs the MQTT integration set up first")
    bridge_ref: list[MqttBridge] = []

    def on_message(topic: str, payload: bytes, retained: bool) -> None:
        bridge_ref[0].handle_message(topic, payload, retained)

    connection = MqttConnection(
        integration.connection.settings,
        f"hearthmind-sim-{hub.contexts.new_id()[-8:].lower()}",
        on_message,
        hub.health,
        hub.clock.timestamp,
    )
    bridge = MqttBridge(hub, home, connection, integration.config.discovery_prefix)
    bridge_ref.append(bridge)
    bridge.attach()
    await connection.async_start()

    async def stop() -> None:
        bridge.detach()
        await connection.async_stop()

    hub.async_on_stop(stop)
    await connection.async_wait_connected(DISCOVERY_WAIT)
    # let the hub discover every device before it starts, so automations see them all
    deadline = asyncio.get_running_loop().time() + DISCOVERY_WAIT
    while not all(e in hub.states for e in bridge.mqtt_entities):
        if asyncio.get_running_loop().time() > deadline:
            missing = [e for e in bridge.mqtt_entities if e not in hub.states]
            _LOGGER.warning("simulated devices not discovered in time: %s", missing[:5])
            break
        await asyncio.sleep(0.02)
    return bridge
