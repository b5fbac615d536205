"""Domain services with Home Assistant's names and data (`light.turn_on` with `brightness`,
`climate.set_temperature` with `temperature`, ...). Each call is validated here once, then
dispatched to the integration that owns each targeted entity."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field

from .device_domains import DEVICE_DOMAIN_SERVICES
from .errors import HearthmindError
from .services import ServiceCall, ServiceData
from .states import split_entity_id

if TYPE_CHECKING:
    from .hub import Hub


class NoHandlerError(HearthmindError):
    counter = "entity_not_controllable"

    def __init__(self, entity_id: str, service: str) -> None:
        super().__init__(f"{entity_id} cannot do {service}: no integration accepts commands for it")


class EmptyData(ServiceData):
    pass


class LightTurnOn(ServiceData):
    brightness: int | None = Field(default=None, ge=0, le=255)
    brightness_pct: float | None = Field(default=None, ge=0, le=100)
    brightness_step: int | None = Field(default=None, ge=-255, le=255)
    brightness_step_pct: float | None = Field(default=None, ge=-100, le=100)
    color_temp_kelvin: int | None = Field(default=None, ge=1000, le=12000)
    color_temp: int | None = Field(default=None, ge=1, le=1000)  # mired (HA before 2026.1)
    rgb_color: tuple[int, int, int] | None = None
    rgbw_color: tuple[int, int, int, int] | None = None
    rgbww_color: tuple[int, int, int, int, int] | None = None
    hs_color: tuple[float, float] | None = None
    xy_color: tuple[float, float] | None = None
    white: int | bool | None = None
    flash: Literal["short", "long"] | None = None
    transition: float | None = Field(default=None, ge=0, le=3600)
    effect: str | None = None


class FanPreset(ServiceData):
    preset_mode: str


class FanOscillate(ServiceData):
    oscillating: bool


class FanDirection(ServiceData):
    direction: Literal["forward", "reverse"]


class CoverTilt(ServiceData):
    tilt_position: int = Field(ge=0, le=100)


class ClimatePreset(ServiceData):
    preset_mode: str


class ClimateFanMode(ServiceData):
    fan_mode: str


class ClimateSwingMode(ServiceData):
    swing_mode: str


class ClimateHumidity(ServiceData):
    humidity: float = Field(ge=0, le=100)


class TransitionData(ServiceData):
    transition: float | None = Field(default=None, ge=0, le=3600)
    flash: Literal["short", "long"] | None = None  # light.turn_off takes it too (HA)


class FanTurnOn(ServiceData):
    percentage: int | None = Field(default=None, ge=0, le=100)
    preset_mode: str | None = None


class FanPercentage(ServiceData):
    percentage: int = Field(ge=0, le=100)


class CoverPosition(ServiceData):
    position: int = Field(ge=0, le=100)


class LockData(ServiceData):
    code: str | None = None


HvacMode = Literal["off", "heat", "cool", "heat_cool", "auto", "dry", "fan_only"]


class ClimateTemperature(ServiceData):
    temperature: float | None = Field(default=None, ge=-50, le=100)
    target_temp_low: float | None = Field(default=None, ge=-50, le=100)
    target_temp_high: float | None = Field(default=None, ge=-50, le=100)
    hvac_mode: HvacMode | None = None


class ClimateHvacMode(ServiceData):
    hvac_mode: HvacMode


class MediaVolume(ServiceData):
    volume_level: float = Field(ge=0, le=1)


class TodoAddItem(ServiceData):
    item: str = Field(min_length=1, max_length=255)
    due_date: str | None = None
    description: str | None = Field(default=None, max_length=1000)


class TodoUpdateItem(ServiceData):
    item: str = Field(min_length=1)  # the item's name or uid
    rename: str | None = Field(default=None, min_length=1, max_length=255)
    status: Literal["needs_action", "completed"] | None = None


class TodoRemoveItem(ServiceData):
    item: str | list[str]  # names or uids, one or several (as HA takes them)


ON_OFF = {"turn_on": EmptyData, "turn_off": EmptyData, "toggle": EmptyData}

# the state a plain service brings an entity to, as Home Assistant's entities report it (no
# set-point: a thermostat's has no plain opposite); the simulated residents read suggestions
# with it and the benchmarks read agent actions with it
SERVICE_STATE: dict[str, str] = {
    "turn_on": "on",
    "turn_off": "off",
    "open_cover": "open",
    "close_cover": "closed",
    "lock": "locked",
    "unlock": "unlocked",
}

DOMAIN_SERVICES: dict[str, dict[str, type[ServiceData]]] = {
    "light": {"turn_on": LightTurnOn, "turn_off": TransitionData, "toggle": LightTurnOn},
    "switch": dict(ON_OFF),
    "input_boolean": dict(ON_OFF),
    # a script entity runs when turned on and stops when turned off (HA's script.turn_on)
    "script": dict(ON_OFF),
    "fan": {
        "turn_on": FanTurnOn,
        "turn_off": EmptyData,
        "toggle": EmptyData,
        "set_percentage": FanPercentage,
        "set_preset_mode": FanPreset,
        "oscillate": FanOscillate,
        "set_direction": FanDirection,
    },
    "cover": {
        "open_cover": EmptyData,
        "close_cover": EmptyData,
        "stop_cover": EmptyData,
        "toggle": EmptyData,
        "set_cover_position": CoverPosition,
        "open_cover_tilt": EmptyData,
        "close_cover_tilt": EmptyData,
        "stop_cover_tilt": EmptyData,
        "toggle_cover_tilt": EmptyData,
        "set_cover_tilt_position": CoverTilt,
    },
    "lock": {"lock": LockData, "unlock": LockData, "open": LockData},
    "climate": {
        "set_temperature": ClimateTemperature,
        "set_hvac_mode": ClimateHvacMode,
        "set_preset_mode": ClimatePreset,
        "set_fan_mode": ClimateFanMode,
        "set_swing_mode": ClimateSwingMode,
        "set_humidity": ClimateHumidity,
        "turn_on": EmptyData,
        "turn_off": EmptyData,
        "toggle": EmptyData,
    },
    "media_player": {
        "turn_on": EmptyData,
        "turn_off": EmptyData,
        "toggle": EmptyData,
        "media_play": EmptyData,
        "media_pause": EmptyData,
        "media_stop": EmptyData,
        "volume_set": MediaVolume,
    },
    # to-do lists (the shopping list): Home Assistant's todo services
    "todo": {
        "add_item": TodoAddItem,
        "update_item": TodoUpdateItem,
        "remove_item": TodoRemoveItem,
        "remove_completed_items": EmptyData,
    },
    # number, select, button, siren, valve, alarm panel, vacuum, ... (MQTT's device domains)
    **DEVICE_DOMAIN_SERVICES,
}

# `homeassistant.turn_on` etc. act on any entity, whatever its domain (as in HA)
GENERIC_SERVICES = ("turn_on", "turn_off", "toggle")


def register_domain_services(hub: Hub) -> None:
    for domain, services in DOMAIN_SERVICES.items():
        for service, schema in services.items():
            hub.services.async_register(
                domain,
                service,
                _dispatcher(hub, service),
                schema,
                description=f"{service.replace('_', ' ')} for {domain} entities",
            )
    for service in GENERIC_SERVICES:
        hub.services.async_register(
            "homeassistant",
            service,
            _dispatcher(hub, service, generic=True),
            EmptyData,
            description=f"{service.replace('_', ' ')} for any entity",
        )


def _dispatcher(hub: Hub, service: str, generic: bool = False) -> Any:
    async def dispatch(call: ServiceCall) -> None:
        data = call.data.model_dump(exclude_none=True)
        for entity_id in call.entity_ids:
            entry = hub.entities.get(entity_id)
            if generic and split_entity_id(entity_id)[0] not in DOMAIN_SERVICES:
                entry = None
            if entry is None or entry.handler is None:
                err = NoHandlerError(entity_id, f"{call.domain}.{service}")
                hub.health.problem(err.counter, str(err), hub.clock.timestamp())
                raise err
            await entry.handler(service, entity_id, data, call.context)

    return dispatch
