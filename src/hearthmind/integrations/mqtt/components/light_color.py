"""Colour conversions as Home Assistant's `color_util` makes them, so a light reports every
representation HA reports (`hs_color`, `rgb_color`, `xy_color` beside the one the device
sent) with the same numbers."""

from __future__ import annotations

import colorsys
import math

HS = tuple[float, float]
RGB = tuple[int, int, int]
XY = tuple[float, float]


def hs_to_rgb(hue: float, sat: float) -> RGB:
    red, green, blue = colorsys.hsv_to_rgb(hue / 360, sat / 100, 1.0)
    return round(red * 255), round(green * 255), round(blue * 255)


def rgb_to_hs(red: float, green: float, blue: float) -> HS:
    hue, sat, _ = colorsys.rgb_to_hsv(red / 255, green / 255, blue / 255)
    return round(hue * 360, 3), round(sat * 100, 3)


def _linear(channel: float) -> float:
    return pow((channel + 0.055) / 1.055, 2.4) if channel > 0.04045 else channel / 12.92


def rgb_to_xy(red: float, green: float, blue: float) -> XY:
    if red + green + blue == 0:
        return 0.0, 0.0
    r, g, b = _linear(red / 255), _linear(green / 255), _linear(blue / 255)
    x_ = r * 0.664511 + g * 0.154324 + b * 0.162028
    y_ = r * 0.283881 + g * 0.668433 + b * 0.047685
    z_ = r * 0.000088 + g * 0.072310 + b * 0.986039
    total = x_ + y_ + z_
    return round(x_ / total, 3), round(y_ / total, 3)


def xy_to_rgb(x: float, y: float, brightness: int = 255) -> RGB:
    if brightness == 0:
        return 0, 0, 0
    big_y = brightness / 255.0
    if y == 0.0:
        y += 0.00000000001
    big_x = (big_y / y) * x
    big_z = (big_y / y) * (1 - x - y)
    channels = [
        big_x * 1.656492 - big_y * 0.354851 - big_z * 0.255038,
        -big_x * 0.707196 + big_y * 1.655397 + big_z * 0.036152,
        big_x * 0.051713 - big_y * 0.121364 + big_z * 1.011530,
    ]
    channels = [
        12.92 * c if c <= 0.0031308 else 1.055 * pow(c, 1.0 / 2.4) - 0.055 for c in channels
    ]
    channels = [max(0.0, c) for c in channels]
    top = max(channels)
    if top > 1:
        channels = [c / top for c in channels]
    return int(channels[0] * 255), int(channels[1] * 255), int(channels[2] * 255)


def xy_to_hs(x: float, y: float) -> HS:
    return rgb_to_hs(*xy_to_rgb(x, y))


def hs_to_xy(hue: float, sat: float) -> XY:
    return rgb_to_xy(*hs_to_rgb(hue, sat))


def _clamp(value: float) -> float:
    return min(max(value, 0.0), 255.0)


def kelvin_to_rgb(kelvin: float) -> tuple[float, float, float]:
    """Tanner Helland's approximation, as HA's color_temperature_to_rgb."""
    t = min(max(kelvin, 1000), 40000) / 100.0
    red = 255.0 if t <= 66 else _clamp(329.698727446 * math.pow(t - 60, -0.1332047592))
    if t <= 66:
        green = _clamp(99.4708025861 * math.log(t) - 161.1195681661)
    else:
        green = _clamp(288.1221695283 * math.pow(t - 60, -0.0755148492))
    if t >= 66:
        blue = 255.0
    elif t <= 19:
        blue = 0.0
    else:
        blue = _clamp(138.5177312231 * math.log(t - 10) - 305.0447927307)
    return red, green, blue


def kelvin_to_hs(kelvin: float) -> HS:
    return rgb_to_hs(*kelvin_to_rgb(kelvin))


def rgbw_to_rgb(red: int, green: int, blue: int, white: int) -> RGB:
    mixed = (red + white, green + white, blue + white)
    return _match_max(max(red, green, blue, white), mixed)


def rgbww_to_rgb(color: tuple[int, ...], min_kelvin: int, max_kelvin: int) -> RGB:
    """HA's color_rgbww_to_rgb: the white channels as the colour temperature between the
    light's limits that their ratio gives, added to r, g, b."""
    red, green, blue, cold, warm = color[:5]
    max_mireds = math.floor(1_000_000 / min_kelvin)
    min_mireds = math.floor(1_000_000 / max_kelvin)
    ratio = warm / (cold + warm) if cold + warm else 0.5
    mired = min_mireds + ratio * (max_mireds - min_mireds)
    kelvin = math.floor(1_000_000 / mired) if mired else 0
    w_r, w_g, w_b = kelvin_to_rgb(kelvin)
    level = max(cold, warm) / 255
    mixed = (red + w_r * level, green + w_g * level, blue + w_b * level)
    top_in = max(red, green, blue, cold, warm)
    top_out = max(mixed)
    factor = top_in / top_out if top_out else 0.0
    return (round(mixed[0] * factor), round(mixed[1] * factor), round(mixed[2] * factor))


def _match_max(wanted: int, values: tuple[int, int, int]) -> RGB:
    top = max(values)
    if top == 0:
        return 0, 0, 0
    factor = wanted / top
    return (round(values[0] * factor), round(values[1] * factor), round(values[2] * factor))


def derived(
    mode: str | None, value: object, kelvin_range: tuple[int, int] = (2000, 6535)
) -> dict[str, object]:
    """The other representations HA reports for a light in `mode` with `value`."""
    if mode == "hs" and isinstance(value, tuple):
        hue, sat = float(value[0]), float(value[1])
        return {
            "hs_color": (round(hue, 3), round(sat, 3)),
            "rgb_color": hs_to_rgb(hue, sat),
            "xy_color": hs_to_xy(hue, sat),
        }
    if mode == "xy" and isinstance(value, tuple):
        x, y = float(value[0]), float(value[1])
        return {
            "hs_color": xy_to_hs(x, y),
            "rgb_color": xy_to_rgb(x, y),
            "xy_color": (round(x, 6), round(y, 6)),
        }
    if mode == "rgb" and isinstance(value, tuple):
        r, g, b = (int(v) for v in value[:3])
        return {
            "hs_color": rgb_to_hs(r, g, b),
            "rgb_color": (r, g, b),
            "xy_color": rgb_to_xy(r, g, b),
        }
    if mode == "rgbw" and isinstance(value, tuple):
        rgb = rgbw_to_rgb(*(int(v) for v in value[:4]))
        return {"hs_color": rgb_to_hs(*rgb), "rgb_color": rgb, "xy_color": rgb_to_xy(*rgb)}
    if mode == "rgbww" and isinstance(value, tuple):
        rgb = rgbww_to_rgb(tuple(int(v) for v in value), *kelvin_range)
        return {"hs_color": rgb_to_hs(*rgb), "rgb_color": rgb, "xy_color": rgb_to_xy(*rgb)}
    if mode == "color_temp" and isinstance(value, int | float):
        hue, sat = kelvin_to_hs(value)
        return {
            "hs_color": (hue, sat),
            "rgb_color": hs_to_rgb(hue, sat),
            "xy_color": hs_to_xy(hue, sat),
        }
    return {}
