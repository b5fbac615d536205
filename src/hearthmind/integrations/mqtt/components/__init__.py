"""The MQTT discovery components Hearthmind understands, by discovery name."""

from __future__ import annotations

from typing import Any

from .base import EntityConfig, EntityHost, MqttEntity
from .binary_sensor import MqttBinarySensor
from .climate import MqttClimate
from .cover import MqttCover
from .fan import MqttFan
from .light import MqttLight
from .lock import MqttLock
from .sensor import MqttSensor
from .switch import MqttSwitch

COMPONENTS: dict[str, type[MqttEntity[Any]]] = {
    cls.component: cls
    for cls in (
        MqttLight,
        MqttSwitch,
        MqttBinarySensor,
        MqttSensor,
        MqttClimate,
        MqttCover,
        MqttLock,
        MqttFan,
    )
}

# Home Assistant components that devices announce but Hearthmind does not model yet:
# refused with their own counter, so they are not mistaken for malformed discovery
KNOWN_UNSUPPORTED = frozenset(
    {
        "alarm_control_panel",
        "button",
        "camera",
        "device_automation",
        "device_tracker",
        "event",
        "humidifier",
        "image",
        "lawn_mower",
        "notify",
        "number",
        "scene",
        "select",
        "siren",
        "tag",
        "text",
        "update",
        "vacuum",
        "valve",
        "water_heater",
    }
)

__all__ = ["COMPONENTS", "KNOWN_UNSUPPORTED", "EntityConfig", "EntityHost", "MqttEntity"]
