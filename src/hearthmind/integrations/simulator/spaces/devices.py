"""Simulated devices of cars, hotel rooms, office desks and homes, with a memory of what they
did so a benchmark can read back the room's temperature and light at any minute.

A climate's room temperature follows its set-point as a first-order lag (time constant `tau`
minutes) from where it was, and drifts to the outside (`ambient`) when off; a light holds its
brightness and colour temperature; a fan its speed; a seat heater its level. Each device is an
entity with a command handler (`hub.entities`), reporting its new state with the caller's
Context, as every integration does. The domains Home Assistant has and this hub's core does
not yet (`number.set_value`, `select.select_option`, `media_player.select_source`) are
registered here, with HA's data."""

from __future__ import annotations

import bisect
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pydantic import Field

from hearthmind.core import Context, Device, HearthmindError, ServiceCall, ServiceData

if TYPE_CHECKING:
    from hearthmind.core import Hub

OWNER = "simulator_spaces"


class DeviceOffline(HearthmindError):
    counter = "device_offline"


class NumberSet(ServiceData):
    value: float


class SelectOption(ServiceData):
    option: str


class SelectSource(ServiceData):
    source: str = Field(min_length=1)


EXTRA_SERVICES: dict[tuple[str, str], type[ServiceData]] = {
    ("number", "set_value"): NumberSet,
    ("select", "select_option"): SelectOption,
    ("media_player", "select_source"): SelectSource,
}


def register_extra_services(hub: Hub) -> None:
    """Home Assistant's `number.set_value` & co., dispatched to the entity's handler."""
    for (domain, service), schema in EXTRA_SERVICES.items():
        if hub.services.has_service(domain, service):
            continue

        def make(svc: str) -> Any:
            async def dispatch(call: ServiceCall) -> None:
                data = call.data.model_dump(exclude_none=True)
                for entity_id in call.entity_ids:
                    entry = hub.entities.get(entity_id)
                    if entry is None or entry.handler is None:
                        raise HearthmindError(f"{entity_id} cannot do {call.domain}.{svc}")
                    await entry.handler(svc, entity_id, data, call.context)

            return dispatch

        hub.services.async_register(domain, service, make(service), schema)


@dataclass
class SimDevice:
    """Base: one entity in one hub, with a log of (time, what it was set to)."""

    hub: Hub
    entity_id: str
    name: str
    area_id: str
    online: bool = True
    log_times: list[float] = field(default_factory=list)
    log_values: list[dict[str, Any]] = field(default_factory=list)

    def register(self) -> None:
        self.hub.entities.async_add(self.entity_id, OWNER, self.command, unique_id=self.entity_id)
        device = Device(self.entity_id.replace(".", "_"), self.name, self.area_id, [self.entity_id])
        self.hub.registries.add_device(device)
        self.report(self.hub.context("sensor"))

    def settings(self) -> dict[str, Any]:
        raise NotImplementedError

    def state(self) -> tuple[str, dict[str, Any]]:
        raise NotImplementedError

    def apply(self, service: str, data: Mapping[str, Any]) -> None:
        raise NotImplementedError

    async def command(
        self, service: str, entity_id: str, data: Mapping[str, Any], context: Context
    ) -> None:
        if not self.online:
            raise DeviceOffline(f"{entity_id} is offline")
        self.apply(service, data)
        self.report(context)

    def report(self, context: Context) -> None:
        now = self.hub.clock.timestamp()
        self.log_times.append(now)
        self.log_values.append(self.settings())
        state, attrs = self.state()
        self.hub.states.async_set(
            self.entity_id, state, {**attrs, "friendly_name": self.name}, context
        )

    def settings_at(self, ts: float) -> dict[str, Any]:
        i = bisect.bisect_right(self.log_times, ts) - 1
        return self.log_values[max(i, 0)]

    def set_by(self, who: Context, service: str, data: Mapping[str, Any]) -> None:
        """A person (or housekeeping) at the device itself."""
        self.apply(service, data)
        self.report(who)


@dataclass
class SimClimate(SimDevice):
    setpoint: float = 21.0
    on: bool = True
    ambient: float = 8.0
    tau_min: float = 30.0
    min_temp: float = 16.0
    max_temp: float = 28.0
    _t0: float = 0.0
    _temp0: float = 20.0

    def temperature_at(self, ts: float) -> float:
        """The room's temperature at `ts` from the log of set-points (first-order lag)."""
        i = bisect.bisect_right(self.log_times, ts) - 1
        if i < 0:
            return self._temp0
        temp = self._temp0
        for j in range(i + 1):
            start = self.log_times[j]
            end = self.log_times[j + 1] if j < i else ts
            s = self.log_values[j]
            goal = s["setpoint"] if s["on"] else self.ambient
            temp = goal + (temp - goal) * math.exp(-(end - start) / 60 / self.tau_min)
        return temp

    def settings(self) -> dict[str, Any]:
        return {"setpoint": self.setpoint, "on": self.on}

    def state(self) -> tuple[str, dict[str, Any]]:
        return ("heat" if self.on else "off"), {
            "temperature": self.setpoint,
            "current_temperature": round(self.temperature_at(self.hub.clock.timestamp()), 1),
            "min_temp": self.min_temp,
            "max_temp": self.max_temp,
            "hvac_modes": ["off", "heat"],
        }

    def apply(self, service: str, data: Mapping[str, Any]) -> None:
        if service == "set_temperature" and data.get("temperature") is not None:
            self.setpoint = min(max(float(data["temperature"]), self.min_temp), self.max_temp)
            self.on = data.get("hvac_mode", "heat") != "off"
        elif service in ("turn_off", "set_hvac_mode") and data.get("hvac_mode", "off") == "off":
            self.on = False
        elif service in ("turn_on", "set_hvac_mode"):
            self.on = True


@dataclass
class SimLight(SimDevice):
    colour: bool = True
    on: bool = False
    brightness_pct: float = 70.0
    kelvin: int = 3000

    def settings(self) -> dict[str, Any]:
        return {"on": self.on, "brightness": self.brightness_pct, "kelvin": self.kelvin}

    def state(self) -> tuple[str, dict[str, Any]]:
        attrs: dict[str, Any] = {
            "supported_color_modes": ["color_temp"] if self.colour else ["brightness"],
            "brightness": round(self.brightness_pct / 100 * 255),
        }
        if self.colour:
            attrs.update(
                color_temp_kelvin=self.kelvin,
                min_color_temp_kelvin=2200,
                max_color_temp_kelvin=6500,
            )
        return ("on" if self.on else "off"), attrs

    def apply(self, service: str, data: Mapping[str, Any]) -> None:
        if service == "turn_off":
            self.on = False
            return
        self.on = True
        if data.get("brightness_pct") is not None:
            self.brightness_pct = float(data["brightness_pct"])
        elif data.get("brightness") is not None:
            self.brightness_pct = float(data["brightness"]) / 255 * 100
        if self.colour and data.get("color_temp_kelvin") is not None:
            self.kelvin = min(max(int(data["color_temp_kelvin"]), 2200), 6500)


@dataclass
class SimFan(SimDevice):
    percentage: int = 0

    def settings(self) -> dict[str, Any]:
        return {"percentage": self.percentage}

    def state(self) -> tuple[str, dict[str, Any]]:
        return ("on" if self.percentage else "off"), {"percentage": self.percentage}

    def apply(self, service: str, data: Mapping[str, Any]) -> None:
        if service == "turn_off":
            self.percentage = 0
        elif data.get("percentage") is not None:
            self.percentage = int(data["percentage"])


@dataclass
class SimSeatHeater(SimDevice):
    level: float = 0.0

    def settings(self) -> dict[str, Any]:
        return {"level": self.level}

    def state(self) -> tuple[str, dict[str, Any]]:
        return f"{self.level:g}", {"min": 0, "max": 3, "step": 1}

    def apply(self, service: str, data: Mapping[str, Any]) -> None:
        if service == "set_value":
            self.level = float(min(max(round(float(data["value"])), 0), 3))


@dataclass
class SimMedia(SimDevice):
    sources: tuple[str, ...] = ("Radio 1", "Jazz FM", "News", "Podcasts")
    source: str = "Radio 1"

    def settings(self) -> dict[str, Any]:
        return {"source": self.source}

    def state(self) -> tuple[str, dict[str, Any]]:
        return "idle", {"source": self.source, "source_list": list(self.sources)}

    def apply(self, service: str, data: Mapping[str, Any]) -> None:
        if service == "select_source":
            if data["source"] not in self.sources:
                raise HearthmindError(f"{self.entity_id} has no source {data['source']!r}")
            self.source = str(data["source"])
