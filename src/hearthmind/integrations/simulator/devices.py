"""Models of simulated devices: each entity's state and how it answers a command.

A model knows nothing of the hub or of MQTT: `apply(service, data)` changes it (a command from
the hub, or a person at the device, expressed as the same service), and the caller reports the
result through whichever binding is in use."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from hearthmind.core import Context, HearthmindError

from .spec import EntityKind

ON_STATES = frozenset({"on", "playing", "paused", "idle", "heat", "open", "unlocked"})


class DeviceCommandError(HearthmindError):
    """A command the device cannot carry out (a sensor told to turn on, a bad value)."""

    counter = "device_command_rejected"

    def __init__(self, entity_id: str, service: str, reason: str) -> None:
        super().__init__(f"{entity_id} cannot {service}: {reason}")
        self.entity_id = entity_id
        self.service = service


# services each kind accepts (beyond the generic turn_on/turn_off/toggle mapping below)
SERVICES: dict[EntityKind, tuple[str, ...]] = {
    "light": ("turn_on", "turn_off", "toggle"),
    "switch": ("turn_on", "turn_off", "toggle"),
    "fan": ("turn_on", "turn_off", "toggle", "set_percentage"),
    "cover": ("open_cover", "close_cover", "stop_cover", "toggle", "set_cover_position"),
    "lock": ("lock", "unlock", "open"),
    "thermostat": ("set_temperature", "set_hvac_mode", "turn_on", "turn_off"),
    "tv": (
        "turn_on",
        "turn_off",
        "toggle",
        "media_play",
        "media_pause",
        "media_stop",
        "volume_set",
    ),
    "motion": (),
    "door": (),
    "temperature": (),
    "power": (),
    "energy": (),
}

# a heat pump's meter (made by the simulator with thermal: physics: rc), as Home Assistant's
# power and energy sensors describe themselves; energy only grows (the Energy dashboard's
# total_increasing), power is a measurement
METER_ATTRIBUTES: dict[EntityKind, dict[str, str]] = {
    "power": {"device_class": "power", "unit_of_measurement": "kW", "state_class": "measurement"},
    "energy": {
        "device_class": "energy",
        "unit_of_measurement": "kWh",
        "state_class": "total_increasing",
    },
}

# what residents want, as a target word, and the service that gets it
TARGET_SERVICE: dict[EntityKind, dict[str, str]] = {
    "light": {"on": "turn_on", "off": "turn_off"},
    "switch": {"on": "turn_on", "off": "turn_off"},
    "fan": {"on": "turn_on", "off": "turn_off"},
    "cover": {"open": "open_cover", "closed": "close_cover"},
    "lock": {"locked": "lock", "unlocked": "unlock"},
    "tv": {"on": "turn_on", "off": "turn_off"},
}


@dataclass(slots=True)
class SimEntity:
    """One simulated entity: what it is, where it is, and its current state."""

    entity_id: str
    kind: EntityKind
    name: str
    area: str
    device_id: str
    role: str | None = None
    auto_off_minutes: float | None = None
    state: str = "off"
    attributes: dict[str, Any] = field(default_factory=dict)
    last_context: Context | None = None  # who caused the current state
    last_changed: float = 0.0
    # remembered between on/off, as real bulbs and TVs do
    _memory: dict[str, Any] = field(default_factory=dict)

    @property
    def domain(self) -> str:
        return self.entity_id.split(".", 1)[0]

    @property
    def controllable(self) -> bool:
        return bool(SERVICES[self.kind])

    @property
    def services(self) -> tuple[str, ...]:
        return SERVICES[self.kind]

    def capabilities(self) -> dict[str, Any]:
        """What a binding needs to describe the entity (e.g. MQTT discovery)."""
        caps: dict[str, Any] = {"kind": self.kind, "services": list(self.services)}
        if self.kind == "light":
            caps["supported_color_modes"] = ["brightness"]
        elif self.kind == "fan":
            caps["percentage"] = True
        elif self.kind == "cover":
            caps["position"] = True
        elif self.kind == "thermostat":
            caps.update(hvac_modes=["off", "heat"], min_temp=7.0, max_temp=30.0, step=0.5)
        elif self.kind in ("motion", "door"):
            caps["device_class"] = "motion" if self.kind == "motion" else "door"
        elif self.kind == "temperature":
            caps.update(device_class="temperature", unit_of_measurement="°C")
        elif self.kind in METER_ATTRIBUTES:
            caps.update(METER_ATTRIBUTES[self.kind])
        return caps

    def snapshot(self) -> tuple[str, dict[str, Any]]:
        return self.state, dict(self.attributes)

    # -- commands ---------------------------------------------------------------------------

    def satisfies(self, target: str) -> bool:
        """Is the entity already in the state a person wants (`on`, `closed`, `20.5`)?"""
        if self.kind == "thermostat":
            return self.state == "heat" and _num(self.attributes.get("temperature")) == float(
                target
            )
        if self.kind == "tv" and target == "on":
            return self.state in ON_STATES
        return self.state == target

    def target_state(self, target: str) -> str:
        """The state the entity shows once it is as wanted (a TV wanted "on" is "playing", a
        thermostat set to 20.5 is "heat")."""
        if self.kind == "thermostat":
            return "heat"
        if self.kind == "tv" and target == "on":
            return self.state if self.state in ON_STATES else "playing"
        return target

    def target_command(self, target: str) -> tuple[str, dict[str, Any]]:
        """The service (and data) that brings the entity to `target`."""
        if self.kind == "thermostat":
            return "set_temperature", {"temperature": float(target), "hvac_mode": "heat"}
        try:
            return TARGET_SERVICE[self.kind][target], {}
        except KeyError:
            raise DeviceCommandError(self.entity_id, target, "no such target") from None

    def apply(self, service: str, data: Mapping[str, Any]) -> bool:
        """Carry out `service`; returns whether state or attributes changed."""
        before = (self.state, dict(self.attributes))
        service = self._generic(service)
        if service not in self.services:
            raise DeviceCommandError(
                self.entity_id, service, f"a {self.kind} accepts {', '.join(self.services)}"
            )
        try:
            getattr(self, f"_apply_{self.kind}")(service, data)
        except DeviceCommandError:
            self.state, self.attributes = before
            raise
        except (KeyError, TypeError, ValueError, OverflowError) as err:
            # data that did not come through the hub's schemas (e.g. straight from MQTT); an
            # infinite number is no percentage either (int(inf) raises OverflowError)
            self.state, self.attributes = before
            raise DeviceCommandError(self.entity_id, service, f"bad data {err!r}") from err
        return (self.state, self.attributes) != before

    def _generic(self, service: str) -> str:
        # homeassistant.turn_on/off/toggle reach every domain (as in Home Assistant)
        if self.kind == "cover":
            mapped = {"turn_on": "open_cover", "turn_off": "close_cover"}
            return mapped.get(service, service)
        return service

    def _toggle_target(self, service: str) -> bool:
        if service == "toggle":
            return self.state not in ON_STATES
        return service == "turn_on"

    def _apply_light(self, service: str, data: Mapping[str, Any]) -> None:
        if self._toggle_target(service):
            brightness = self._memory.get("brightness", 255)
            if "brightness" in data:
                brightness = int(data["brightness"])
            elif "brightness_pct" in data:
                brightness = round(float(data["brightness_pct"]) * 255 / 100)
            elif "brightness_step_pct" in data:
                # a step from off starts at 0, as HA's: "dimmer" leaves an off light off,
                # "brighter" turns it on at the step
                current = int(self.attributes.get("brightness", 255)) if self.state == "on" else 0
                brightness = current + round(float(data["brightness_step_pct"]) * 255 / 100)
            brightness = max(0, min(255, brightness))
            if brightness == 0:
                self._off_light()
                return
            self._memory["brightness"] = brightness
            self.state = "on"
            self.attributes.update(brightness=brightness, color_mode="brightness")
        else:
            self._off_light()

    def _off_light(self) -> None:
        self.state = "off"
        self.attributes.pop("brightness", None)
        self.attributes["color_mode"] = None

    def _apply_switch(self, service: str, data: Mapping[str, Any]) -> None:
        self.state = "on" if self._toggle_target(service) else "off"

    def _apply_fan(self, service: str, data: Mapping[str, Any]) -> None:
        if service == "set_percentage":
            pct = int(data["percentage"])
        elif self._toggle_target(service):
            pct = int(data.get("percentage") or self._memory.get("percentage", 66))
        else:
            pct = 0
        if pct > 0:
            self._memory["percentage"] = pct
        self.state = "on" if pct > 0 else "off"
        self.attributes["percentage"] = pct

    def _apply_cover(self, service: str, data: Mapping[str, Any]) -> None:
        # covers move at once here: people and the hub care about where they end up
        position = int(self.attributes.get("current_position", 0))
        if service == "open_cover":
            position = 100
        elif service == "close_cover":
            position = 0
        elif service == "toggle":
            position = 0 if position > 0 else 100
        elif service == "set_cover_position":
            position = int(data["position"])
        self.attributes["current_position"] = position
        self.state = "open" if position > 0 else "closed"

    def _apply_lock(self, service: str, data: Mapping[str, Any]) -> None:
        self.state = "locked" if service == "lock" else "unlocked"

    def _apply_thermostat(self, service: str, data: Mapping[str, Any]) -> None:
        if service == "set_temperature":
            if data.get("temperature") is None:
                raise DeviceCommandError(self.entity_id, service, "temperature is required")
            target = float(data["temperature"])
            if not 7.0 <= target <= 30.0:
                raise DeviceCommandError(self.entity_id, service, f"{target} is not in 7..30 °C")
            self.attributes["temperature"] = round(target * 2) / 2
            if data.get("hvac_mode") is not None:
                self._hvac_mode(service, str(data["hvac_mode"]))
        elif service == "set_hvac_mode":
            self._hvac_mode(service, str(data["hvac_mode"]))
        else:
            self.state = "heat" if service == "turn_on" else "off"
        self.attributes["hvac_action"] = self._hvac_action()

    def _hvac_mode(self, service: str, mode: str) -> None:
        if mode not in ("off", "heat"):
            raise DeviceCommandError(self.entity_id, service, f"hvac mode {mode!r} (off, heat)")
        self.state = mode

    def _hvac_action(self) -> str:
        if self.state == "off":
            return "off"
        return "heating" if self._memory.get("heating", False) else "idle"

    def set_heating(self, heating: bool) -> bool:
        """The thermal model's call: is the boiler on? Returns whether attributes changed."""
        self._memory["heating"] = heating
        action = self._hvac_action()
        if self.attributes.get("hvac_action") == action:
            return False
        self.attributes["hvac_action"] = action
        return True

    def _apply_tv(self, service: str, data: Mapping[str, Any]) -> None:
        if service == "volume_set":
            self.attributes["volume_level"] = round(float(data["volume_level"]), 2)
            return
        if service in ("media_play", "media_pause", "media_stop"):
            if self.state == "off":
                raise DeviceCommandError(self.entity_id, service, "the TV is off")
            self.state = {"media_play": "playing", "media_pause": "paused"}.get(service, "idle")
            return
        self.state = "playing" if self._toggle_target(service) else "off"


def _num(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def initial_state(kind: EntityKind) -> tuple[str, dict[str, Any]]:
    """How each kind of entity starts (before the first night)."""
    if kind == "light":
        return "off", {"supported_color_modes": ["brightness"], "color_mode": None}
    if kind == "fan":
        return "off", {"percentage": 0}
    if kind == "cover":
        return "closed", {"current_position": 0}
    if kind == "lock":
        return "locked", {}
    if kind == "thermostat":
        return "heat", {
            "hvac_modes": ["off", "heat"],
            "min_temp": 7.0,
            "max_temp": 30.0,
            "target_temp_step": 0.5,
            "temperature": 17.5,
            "current_temperature": 18.0,
            "hvac_action": "idle",
        }
    if kind == "tv":
        return "off", {"volume_level": 0.3}
    if kind in ("motion", "door"):
        return "off", {"device_class": "motion" if kind == "motion" else "door"}
    if kind == "temperature":
        return "18.0", {
            "device_class": "temperature",
            "unit_of_measurement": "°C",
            "state_class": "measurement",
        }
    if kind == "power":
        return "0.0", dict(METER_ATTRIBUTES[kind])
    if kind == "energy":
        return "0.00", dict(METER_ATTRIBUTES[kind])
    return "off", {}
