"""What a light knows and how Home Assistant shows it: the colour modes it supports, the
colour mode it is in, and the attributes of a light (`color_mode`, `brightness`,
`color_temp_kelvin`, `hs_color`, `rgb_color`, `xy_color`, ...; all `None` while it is off),
shared by both MQTT light schemas."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ..payloads import PayloadError
from .light_color import derived

COLOR_MODES = ("color_temp", "hs", "rgb", "rgbw", "rgbww", "white", "xy")
VALID_MODES = frozenset({"onoff", "brightness", *COLOR_MODES})
# the modes in which a light has a brightness HA reports
BRIGHTNESS_MODES = frozenset({"brightness", *COLOR_MODES})
COLOR_ATTRIBUTES = (
    "color_temp_kelvin", "color_temp", "hs_color", "rgb_color", "rgbw_color", "rgbww_color",
    "xy_color",
)  # fmt: skip
LIGHT_ATTRIBUTES = frozenset(
    {
        "brightness", "color_mode", "effect", "effect_list", "max_color_temp_kelvin",
        "max_mireds", "min_color_temp_kelvin", "min_mireds", "supported_color_modes",
        *COLOR_ATTRIBUTES,
    }
)  # fmt: skip
DEFAULT_MIN_KELVIN = 2000
DEFAULT_MAX_KELVIN = 6535


def mired_to_kelvin(mired: float) -> int:
    """HA's color_temperature_mired_to_kelvin (floored, as HA does)."""
    if mired <= 0:
        raise PayloadError(f"color temperature {mired} mired is not positive")
    return math.floor(1_000_000 / mired)


def kelvin_to_mired(kelvin: float) -> int:
    return math.floor(1_000_000 / kelvin)


def valid_modes(modes: Iterable[str]) -> list[str]:
    """HA's valid_supported_color_modes: colour modes exclude onoff and brightness; white
    needs another colour mode; the result sorted as HA shows it."""
    wanted = set(modes)
    unknown = wanted - VALID_MODES
    if unknown:
        raise ValueError(f"unknown color modes {sorted(unknown)}")
    if not wanted:
        raise ValueError("supported_color_modes is empty")
    if wanted & set(COLOR_MODES) and wanted & {"onoff", "brightness"}:
        raise ValueError("onoff and brightness cannot go with colour modes")
    if "white" in wanted and not wanted & (set(COLOR_MODES) - {"white"}):
        raise ValueError("white needs another colour mode")
    if len(wanted & {"onoff", "brightness"}) > 1:
        raise ValueError("onoff and brightness are exclusive")
    return sorted(wanted)


@dataclass
class LightState:
    """The reported values (HA units: brightness 0..255, kelvin) and the colour mode."""

    supported: list[str]
    min_kelvin: int = DEFAULT_MIN_KELVIN
    max_kelvin: int = DEFAULT_MAX_KELVIN
    effect_list: list[str] | None = None
    color_mode: str | None = None
    values: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.color_mode is None and len(self.supported) == 1:
            self.color_mode = self.supported[0]

    @property
    def single_mode(self) -> bool:
        return len(self.supported) == 1

    def set_color(self, mode: str, key: str, value: Any) -> None:
        """A colour the device reported, and the mode it puts the light in."""
        self.values[key] = value
        if mode in self.supported or not self.supported:
            self.color_mode = mode

    def attributes(self, on: bool) -> dict[str, Any]:
        attrs: dict[str, Any] = {"supported_color_modes": list(self.supported)}
        if "color_temp" in self.supported:
            attrs["min_color_temp_kelvin"] = self.min_kelvin
            attrs["max_color_temp_kelvin"] = self.max_kelvin
            attrs["min_mireds"] = kelvin_to_mired(self.max_kelvin)
            attrs["max_mireds"] = kelvin_to_mired(self.min_kelvin)
        if self.effect_list is not None:
            attrs["effect_list"] = list(self.effect_list)
        # on without a known colour mode yet: HA says "unknown" (and shows no brightness)
        mode = (self.color_mode or "unknown") if on else None
        attrs["color_mode"] = mode
        attrs["brightness"] = self.values.get("brightness") if mode in BRIGHTNESS_MODES else None
        for key in COLOR_ATTRIBUTES:
            attrs[key] = None
        if self.effect_list is not None or "effect" in self.values:
            attrs["effect"] = self.values.get("effect") if on else None
        if not on or mode is None:
            return attrs
        if mode == "color_temp":
            kelvin = self.values.get("color_temp_kelvin")
            if kelvin is not None:
                attrs["color_temp_kelvin"] = kelvin
                attrs["color_temp"] = kelvin_to_mired(kelvin)
                attrs.update(derived("color_temp", kelvin))
        elif mode in ("hs", "xy", "rgb", "rgbw", "rgbww"):
            key = f"{mode}_color"
            value = self.values.get(key)
            if value is not None:
                attrs[key] = value
                attrs.update(derived(mode, value, (self.min_kelvin, self.max_kelvin)))
        return attrs
