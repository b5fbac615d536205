"""What `light.turn_on` asks of a light (in the hub's units) and the default schema's
commands for it, as Home Assistant sends them: the colour the light can take (a colour it
cannot is converted to one it can), the brightness scaled to the device's range, the
`on_command_type` order."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..payloads import PayloadError
from .light_color import hs_to_rgb, hs_to_xy, rgb_to_hs, rgb_to_xy, xy_to_hs, xy_to_rgb
from .light_state import LightState, kelvin_to_mired, mired_to_kelvin

if TYPE_CHECKING:
    from .light import MqttLight


def wanted_values(
    service: str, data: Mapping[str, Any], light: LightState, *, is_on: bool = True
) -> dict[str, Any]:
    """`{"on": bool, "brightness": 0..255, "hs_color": ..., ...}` for a turn_on/turn_off."""
    wanted: dict[str, Any] = {"on": service == "turn_on"}
    for key in ("transition", "flash"):
        if data.get(key) is not None:
            wanted[key] = data[key]
    if service != "turn_on":
        return wanted
    current = light.values.get("brightness")
    base = int(current) if isinstance(current, int | float) else 255
    if not is_on:
        base = 0  # a step from off starts at 0, as HA's: dimming leaves it off
    if data.get("brightness") is not None:
        wanted["brightness"] = int(data["brightness"])
    elif data.get("brightness_pct") is not None:
        wanted["brightness"] = round(float(data["brightness_pct"]) * 255 / 100)
    elif data.get("brightness_step") is not None:
        wanted["brightness"] = max(0, min(255, base + int(data["brightness_step"])))
    elif data.get("brightness_step_pct") is not None:
        step = round(float(data["brightness_step_pct"]) * 255 / 100)
        wanted["brightness"] = max(0, min(255, base + step))
    if wanted.get("brightness") == 0:
        return {"on": False}
    if data.get("color_temp_kelvin") is not None:
        wanted["color_temp_kelvin"] = int(data["color_temp_kelvin"])
    elif data.get("color_temp") is not None:
        wanted["color_temp_kelvin"] = mired_to_kelvin(float(data["color_temp"]))
    for key in ("hs_color", "xy_color", "rgb_color", "rgbw_color", "rgbww_color"):
        if data.get(key) is not None:
            value = tuple(data[key])
            wanted[key] = value if key in ("hs_color", "xy_color") else tuple(int(v) for v in value)
    _convert_color(wanted, light.supported)
    if data.get("white") is not None:
        white = data["white"]
        # HA: a brightness given with white is the white level
        wanted["white"] = wanted.get("brightness", base if white is True else int(white))
    if data.get("effect") is not None:
        effect = str(data["effect"])
        if light.effect_list is not None and effect not in light.effect_list:
            raise PayloadError(f"effect {effect!r} is not one of {light.effect_list}")
        wanted["effect"] = effect
    return wanted


def _convert_color(wanted: dict[str, Any], supported: list[str]) -> None:
    """A colour in a mode the light lacks, in one it has (as HA's light service does)."""
    hs: tuple[float, float] | None = None
    if "hs_color" in wanted and "hs" not in supported:
        hs = wanted.pop("hs_color")
    elif "rgb_color" in wanted and "rgb" not in supported:
        hs = rgb_to_hs(*wanted.pop("rgb_color"))
    elif "xy_color" in wanted and "xy" not in supported:
        hs = xy_to_hs(*wanted.pop("xy_color"))
    if hs is None:
        return
    if "hs" in supported:
        wanted["hs_color"] = hs
    elif "rgb" in supported:
        wanted["rgb_color"] = hs_to_rgb(*hs)
    elif "xy" in supported:
        wanted["xy_color"] = hs_to_xy(*hs)


def scale_color(color: tuple[int, ...], brightness: int, exact: bool = True) -> tuple[int, ...]:
    """A colour dimmed to `brightness` (HA rounds a colour it is given; a colour it
    re-dims for a new brightness alone goes through HSV and is truncated)."""
    if exact:
        return tuple(round(channel * brightness / 255) for channel in color)
    return tuple(int(channel * brightness / 255) for channel in color)


def device_brightness(brightness: int, scale: int) -> int:
    """HA: the device's value for a 0..255 brightness, never rounded down to 0."""
    return max(1, min(round(brightness / 255 * scale), scale))


def default_commands(entity: MqttLight, wanted: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(topic, payload) in the order HA publishes them for the default schema."""
    c = entity.config
    if not wanted["on"]:
        return [(c.command_topic, c.payload_off)]
    light = entity.light
    sends: list[tuple[str, str]] = []
    render = _renderer(entity)
    # with no brightness topic, a colour carries the brightness (HA's rgb brightness)
    bri_by_color = c.brightness_command_topic is None
    brightness = wanted.get("brightness", light.values.get("brightness") or 255)
    color_sent = False
    if "hs_color" in wanted and c.hs_command_topic:
        hue, sat = wanted["hs_color"]
        sends.append((c.hs_command_topic, render("hs", f"{hue},{sat}", hue=hue, sat=sat)))
        color_sent = True
    if "xy_color" in wanted and c.xy_command_topic:
        x, y = wanted["xy_color"]
        sends.append((c.xy_command_topic, render("xy", f"{x},{y}", x=x, y=y)))
        color_sent = True
    for mode, names in (
        ("rgb", ("red", "green", "blue")),
        ("rgbw", ("red", "green", "blue", "white")),
        ("rgbww", ("red", "green", "blue", "cold_white", "warm_white")),
    ):
        key, topic = f"{mode}_color", getattr(c, f"{mode}_command_topic")
        color = wanted.get(key)
        if color is None and bri_by_color and "brightness" in wanted and light.color_mode == mode:
            # a new brightness of a colour-dimmed light: its colour (white if none yet)
            color = light.values.get(key) or (255,) * len(names)
        if color is None or not topic:
            continue
        if bri_by_color:
            color = scale_color(tuple(color), int(brightness), exact=False)
        text = ",".join(str(v) for v in color)
        sends.append((topic, render(mode, text, **dict(zip(names, color, strict=True)))))
        color_sent = True
    if "brightness" in wanted and c.brightness_command_topic:
        value = device_brightness(wanted["brightness"], c.brightness_scale)
        sends.append((c.brightness_command_topic, render("brightness", str(value))))
    elif c.on_command_type == "brightness" and c.brightness_command_topic:
        value = device_brightness(int(brightness), c.brightness_scale)
        sends.append((c.brightness_command_topic, render("brightness", str(value))))
    if "color_temp_kelvin" in wanted and c.color_temp_command_topic:
        kelvin = wanted["color_temp_kelvin"]
        value = kelvin if c.color_temp_kelvin else kelvin_to_mired(kelvin)
        sends.append((c.color_temp_command_topic, render("color_temp", str(value))))
    if "effect" in wanted and c.effect_command_topic:
        sends.append((c.effect_command_topic, render("effect", wanted["effect"])))
    if "white" in wanted and c.white_command_topic:
        value = device_brightness(wanted["white"], c.white_scale)
        sends.append((c.white_command_topic, str(value)))
    del color_sent
    on = (c.command_topic, c.payload_on)
    if c.on_command_type == "first":
        return [on, *sends]
    if c.on_command_type == "brightness" and any(t == c.brightness_command_topic for t, _ in sends):
        return sends
    return [*sends, on]


def _renderer(entity: MqttLight) -> Any:
    c = entity.config
    templates = {
        "hs": c.hs_command_template,
        "xy": c.xy_command_template,
        "rgb": c.rgb_command_template,
        "rgbw": c.rgbw_command_template,
        "rgbww": c.rgbww_command_template,
        "brightness": c.brightness_command_template,
        "color_temp": c.color_temp_command_template,
        "effect": c.effect_command_template,
    }

    def render(kind: str, text: str, **variables: Any) -> str:
        from ..templates import optional_template

        template = optional_template(templates[kind])
        if template is None:
            return text
        value: Any = text
        if kind in ("brightness", "color_temp"):
            value = int(text)
        return template.render_command(value, entity_id=entity.entity_id, **variables)

    return render


__all__ = ["default_commands", "device_brightness", "rgb_to_xy", "wanted_values", "xy_to_rgb"]
