"""The json schema of an MQTT light (Zigbee2MQTT, ESPHome): one JSON report, one JSON
command, as Home Assistant reads and writes them.

A report names its colour mode (`"color_mode": "xy"`) and carries that colour in `color`;
a report without `color_mode` whose `color` says which it is (only `x`/`y`, only `h`/`s`,
`r`/`g`/`b`) is read as that mode, where HA drops it (issue 26)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import orjson

from hearthmind.core import Context

from ..payloads import PayloadError, number_in, parse_json_object
from .base import on_off_payloads
from .light_color import hs_to_rgb, hs_to_xy, rgb_to_hs, xy_to_hs
from .light_commands import scale_color
from .light_state import kelvin_to_mired, mired_to_kelvin

if TYPE_CHECKING:
    from .light import MqttLight


class JsonLightSchema:
    def __init__(self, entity: MqttLight) -> None:
        self.entity = entity

    def modes(self) -> list[str]:
        c = self.entity.config
        if c.supported_color_modes:
            return list(c.supported_color_modes)
        return ["brightness"] if c.brightness else ["onoff"]

    # -- reports ---------------------------------------------------------------------------

    def on_state(self, text: str) -> None:
        self.apply(parse_json_object(text))
        self.entity.report()

    def apply(self, data: Mapping[str, Any]) -> None:
        """Validates everything before changing anything."""
        entity = self.entity
        light = entity.light
        state = entity.state
        if "state" in data:
            raw = data["state"]
            if raw is None:
                state = "unknown"
            elif not isinstance(raw, str):
                raise PayloadError(f"state is {type(raw).__name__}, not a string")
            else:
                on = on_off_payloads(raw, "ON", "OFF", "state")
                state = "unknown" if on is None else ("on" if on else "off")
        values: dict[str, Any] = {}
        if "brightness" in data and ("brightness" in light.supported or _has_color(light)):
            raw = data["brightness"]
            if raw is None:
                values["brightness"] = None
            else:
                device = number_in(raw, "brightness")
                scale = entity.config.brightness_scale
                if device != 0:  # HA ignores a zero brightness (the state says off)
                    values["brightness"] = max(1, min(255, round(device / scale * 255)))
        if "effect" in data:
            values["effect"] = data["effect"]
        mode, color_values = self._color(data)
        entity.state = state
        light.values.update(values)
        if mode is not None:
            light.values.update(color_values)
            light.color_mode = mode

    def _color(self, data: Mapping[str, Any]) -> tuple[str | None, dict[str, Any]]:
        light = self.entity.light
        mode = data.get("color_mode")
        color = data.get("color")
        if color is not None and not isinstance(color, Mapping):
            raise PayloadError(f"color is {type(color).__name__}, not an object")
        if mode is None:
            mode = _inferred_mode(color, data)
            if mode is None:
                return None, {}
        if not isinstance(mode, str) or mode not in light.supported:
            if mode in ("xy", "hs", "rgb") and color is not None and _has_color(light):
                return self._converted(mode, color)
            raise PayloadError(f"Invalid color mode {str(mode)[:20]!r} received")
        try:
            if mode == "color_temp":
                raw = data.get("color_temp")
                if raw is None:
                    return mode, {"color_temp_kelvin": None}
                number = number_in(raw, "color_temp")
                kelvin = (
                    round(number)
                    if self.entity.config.color_temp_kelvin
                    else mired_to_kelvin(number)
                )
                return mode, {"color_temp_kelvin": kelvin}
            if color is None:
                if mode in ("brightness", "onoff", "white"):
                    return mode, {}
                raise KeyError("color")
            if mode == "hs":
                return mode, {"hs_color": (number_in(color["h"], "h"), number_in(color["s"], "s"))}
            if mode == "xy":
                return mode, {"xy_color": (number_in(color["x"], "x"), number_in(color["y"], "y"))}
            channels = {"rgb": "rgb", "rgbw": "rgbw", "rgbww": "rgbcw"}.get(mode)
            if channels is not None:
                value = tuple(int(number_in(color[k], k)) for k in channels)
                return mode, {f"{mode}_color": value}
            return mode, {}
        except KeyError:
            raise PayloadError("Invalid or incomplete color value received") from None

    def _converted(self, mode: str, color: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
        """A colour in a mode the light does not list: in the nearest one it does."""
        if mode == "xy":
            hs = xy_to_hs(number_in(color.get("x"), "x"), number_in(color.get("y"), "y"))
        elif mode == "rgb":
            hs = rgb_to_hs(*(number_in(color.get(k), k) for k in "rgb"))
        else:
            hs = (number_in(color.get("h"), "h"), number_in(color.get("s"), "s"))
        supported = self.entity.light.supported
        if "hs" in supported:
            return "hs", {"hs_color": hs}
        if "xy" in supported:
            return "xy", {"xy_color": hs_to_xy(*hs)}
        return "rgb", {"rgb_color": hs_to_rgb(*hs)}

    # -- commands --------------------------------------------------------------------------

    def command(self, wanted: Mapping[str, Any], data: Mapping[str, Any], context: Context) -> None:
        entity = self.entity
        c = entity.config
        light = entity.light
        message: dict[str, Any] = {"state": "ON" if wanted["on"] else "OFF"}
        if "flash" in wanted:
            message["flash"] = (
                c.flash_time_short if wanted["flash"] == "short" else c.flash_time_long
            )
        if "transition" in wanted:
            message["transition"] = wanted["transition"]
        if wanted["on"]:
            # HA sends brightness only to a light whose config says `brightness: true`;
            # to others the colour carries it
            brightness_supported = c.brightness
            if "hs_color" in wanted:
                hue, sat = wanted["hs_color"]
                message["color"] = {"h": hue, "s": sat}
            if "xy_color" in wanted:
                x, y = wanted["xy_color"]
                message["color"] = {"x": x, "y": y}
            for mode, keys in (("rgb", "rgb"), ("rgbw", "rgbw"), ("rgbww", "rgbcw")):
                color = wanted.get(f"{mode}_color")
                if color is None:
                    continue
                if not brightness_supported:
                    color = scale_color(tuple(color), int(wanted.get("brightness", 255)))
                message["color"] = dict(zip(keys, color, strict=True))
            white = "white" in wanted and "white" in light.supported
            if "brightness" in wanted and brightness_supported and not white:
                scaled = round(wanted["brightness"] / 255 * c.brightness_scale)
                message["brightness"] = max(1, scaled)  # never rounded down to 0
            if "color_temp_kelvin" in wanted:
                kelvin = wanted["color_temp_kelvin"]
                message["color_temp"] = kelvin if c.color_temp_kelvin else kelvin_to_mired(kelvin)
            if "effect" in wanted:
                message["effect"] = wanted["effect"]
            if white:
                level = min(round(wanted["white"] / 255 * c.white_scale), c.white_scale)
                message["white"] = max(1, level)
        entity.publish(c.command_topic, orjson.dumps(message).decode(), context)


def _has_color(light: Any) -> bool:
    return any(m not in ("onoff", "brightness") for m in light.supported)


def _inferred_mode(color: Mapping[str, Any] | None, data: Mapping[str, Any]) -> str | None:
    if color is not None:
        keys = set(color)
        if {"x", "y"} <= keys:
            return "xy"
        if {"h", "s"} <= keys:
            return "hs"
        if {"r", "g", "b", "c", "w"} <= keys:
            return "rgbww"
        if {"r", "g", "b", "w"} <= keys:
            return "rgbw"
        if {"r", "g", "b"} <= keys:
            return "rgb"
    if data.get("color_temp") is not None:
        return "color_temp"
    return None
