"""Services of the device domains that MQTT discovery (and later other integrations) brings:
number, select, button, text, scene, siren, valve, humidifier, water heater, vacuum, lawn
mower, alarm panel, update and notify, with Home Assistant's names and data
(`number.set_value` with `value`, `alarm_control_panel.alarm_arm_home` with `code`, ...).

`domains.py` merges this table into its own, so these are validated and dispatched to the
owning integration exactly as `light.turn_on` is."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from .services import ServiceData


class _NoData(ServiceData):
    pass


class NumberSetValue(ServiceData):
    value: float


class TextSetValue(ServiceData):
    value: str = Field(max_length=255)


class SelectOption(ServiceData):
    option: str


class SelectCycle(ServiceData):
    cycle: bool = True


class SceneTurnOn(ServiceData):
    transition: float | None = Field(default=None, ge=0, le=6553)


class SirenTurnOn(ServiceData):
    tone: str | int | None = None
    volume_level: float | None = Field(default=None, ge=0, le=1)
    duration: int | None = Field(default=None, ge=0)


class ValvePosition(ServiceData):
    position: int = Field(ge=0, le=100)


class HumidifierHumidity(ServiceData):
    humidity: float = Field(ge=0, le=100)


class HumidifierMode(ServiceData):
    mode: str


class WaterHeaterTemperature(ServiceData):
    temperature: float
    operation_mode: str | None = None


class WaterHeaterOperationMode(ServiceData):
    operation_mode: str


class WaterHeaterAwayMode(ServiceData):
    away_mode: bool


class VacuumFanSpeed(ServiceData):
    fan_speed: str


class VacuumSendCommand(ServiceData):
    command: str = Field(min_length=1)
    params: dict[str, Any] | list[Any] | None = None


class AlarmCode(ServiceData):
    code: str | None = None


class UpdateInstall(ServiceData):
    version: str | None = None
    backup: bool = False


class NotifyMessage(ServiceData):
    message: str
    title: str | None = None


_ALARM = (
    "alarm_disarm",
    "alarm_arm_home",
    "alarm_arm_away",
    "alarm_arm_night",
    "alarm_arm_vacation",
    "alarm_arm_custom_bypass",
    "alarm_trigger",
)

DEVICE_DOMAIN_SERVICES: dict[str, dict[str, type[ServiceData]]] = {
    "number": {"set_value": NumberSetValue},
    "text": {"set_value": TextSetValue},
    "select": {
        "select_option": SelectOption,
        "select_first": _NoData,
        "select_last": _NoData,
        "select_next": SelectCycle,
        "select_previous": SelectCycle,
    },
    "button": {"press": _NoData},
    "scene": {"turn_on": SceneTurnOn},
    "siren": {"turn_on": SirenTurnOn, "turn_off": _NoData, "toggle": _NoData},
    "valve": {
        "open_valve": _NoData,
        "close_valve": _NoData,
        "stop_valve": _NoData,
        "toggle": _NoData,
        "set_valve_position": ValvePosition,
    },
    "humidifier": {
        "turn_on": _NoData,
        "turn_off": _NoData,
        "toggle": _NoData,
        "set_humidity": HumidifierHumidity,
        "set_mode": HumidifierMode,
    },
    "water_heater": {
        "set_temperature": WaterHeaterTemperature,
        "set_operation_mode": WaterHeaterOperationMode,
        "set_away_mode": WaterHeaterAwayMode,
        "turn_on": _NoData,
        "turn_off": _NoData,
    },
    "vacuum": {
        "start": _NoData,
        "pause": _NoData,
        "stop": _NoData,
        "return_to_base": _NoData,
        "clean_spot": _NoData,
        "locate": _NoData,
        "set_fan_speed": VacuumFanSpeed,
        "send_command": VacuumSendCommand,
    },
    "lawn_mower": {"start_mowing": _NoData, "pause": _NoData, "dock": _NoData},
    "alarm_control_panel": dict.fromkeys(_ALARM, AlarmCode),
    "update": {"install": UpdateInstall, "skip": _NoData, "clear_skipped": _NoData},
    "notify": {"send_message": NotifyMessage},
}
