"""The MQTT discovery components Hearthmind understands, by discovery name."""

from __future__ import annotations

from typing import Any

from .alarm_control_panel import MqttAlarmControlPanel
from .base import EntityConfig, EntityHost, MqttEntity
from .binary_sensor import MqttBinarySensor
from .button import MqttButton
from .climate import MqttClimate
from .cover import MqttCover
from .device_tracker import MqttDeviceTracker
from .device_trigger import MqttDeviceTrigger
from .event import MqttEvent
from .fan import MqttFan
from .humidifier import MqttHumidifier
from .image import MqttImage
from .lawn_mower import MqttLawnMower
from .light import MqttLight
from .lock import MqttLock
from .notify import MqttNotify
from .number import MqttNumber
from .scene import MqttScene
from .select import MqttSelect
from .sensor import MqttSensor
from .siren import MqttSiren
from .switch import MqttSwitch
from .text import MqttText
from .update import MqttUpdate
from .vacuum import MqttVacuum
from .valve import MqttValve
from .water_heater import MqttWaterHeater

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
        # the device platforms of issue 26 (part B)
        MqttAlarmControlPanel,
        MqttButton,
        MqttDeviceTracker,
        MqttDeviceTrigger,
        MqttEvent,
        MqttHumidifier,
        MqttImage,
        MqttLawnMower,
        MqttNotify,
        MqttNumber,
        MqttScene,
        MqttSelect,
        MqttSiren,
        MqttText,
        MqttUpdate,
        MqttVacuum,
        MqttValve,
        MqttWaterHeater,
    )
}

# Home Assistant components that devices announce but Hearthmind does not model yet:
# refused with their own counter, so they are not mistaken for malformed discovery
KNOWN_UNSUPPORTED = frozenset(
    {
        "camera",
        "tag",
    }
)

__all__ = ["COMPONENTS", "KNOWN_UNSUPPORTED", "EntityConfig", "EntityHost", "MqttEntity"]
