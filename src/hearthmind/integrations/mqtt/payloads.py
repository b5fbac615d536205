"""Pure functions that turn MQTT payload bytes into values, or raise `PayloadError` saying
what is wrong. Nothing here touches the hub, so each can be fed random input cheaply."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import orjson

DEFAULT_MAX_PAYLOAD = 64 * 1024  # bytes; larger state payloads are refused, not parsed


class PayloadError(ValueError):
    """A payload that cannot be used: names the problem, not the bytes (they may be huge)."""


def decode_text(raw: bytes, limit: int = DEFAULT_MAX_PAYLOAD, encoding: str = "utf-8") -> str:
    if len(raw) > limit:
        raise PayloadError(f"payload is {len(raw)} bytes (limit {limit})")
    try:
        return raw.decode(encoding)
    except (UnicodeDecodeError, LookupError) as err:
        raise PayloadError(f"payload is not {encoding} text: {err}") from err


def parse_json(text: str | bytes) -> Any:
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError as err:
        raise PayloadError(f"payload is not valid JSON: {err}") from err


def parse_json_object(text: str | bytes) -> dict[str, Any]:
    value = parse_json(text)
    if not isinstance(value, dict):
        raise PayloadError(f"payload is JSON {type(value).__name__}, not an object")
    return value


def parse_float(text: str, what: str = "value") -> float:
    try:
        value = float(text)
    except (TypeError, ValueError) as err:
        raise PayloadError(f"{what} {_short(text)!r} is not a number") from err
    if not math.isfinite(value):
        raise PayloadError(f"{what} {_short(text)!r} is not a finite number")
    return value


def number_in(value: Any, what: str) -> float:
    """A JSON field that must be a finite number (bool is not a number here)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        if isinstance(value, str):
            return parse_float(value, what)
        raise PayloadError(f"{what} is {type(value).__name__}, not a number")
    if isinstance(value, float) and not math.isfinite(value):
        raise PayloadError(f"{what} is not a finite number")
    return float(value)


def parse_rgb(text: str) -> tuple[int, int, int]:
    parts = text.split(",")
    if len(parts) != 3:
        raise PayloadError(f"color {_short(text)!r} is not 'r,g,b'")
    values = [int(parse_float(p.strip(), "color channel")) for p in parts]
    if not all(0 <= v <= 255 for v in values):
        raise PayloadError(f"color {_short(text)!r} has a channel outside 0..255")
    return values[0], values[1], values[2]


def rgb_in(value: Any) -> tuple[int, int, int]:
    """`{"r": 255, "g": 0, "b": 0}` (Zigbee2MQTT's `color`)."""
    if not isinstance(value, Mapping):
        raise PayloadError(f"color is {type(value).__name__}, not an object with r, g, b")
    try:
        channels = [int(number_in(value[c], f"color.{c}")) for c in ("r", "g", "b")]
    except KeyError as err:
        raise PayloadError(f"color has no {err.args[0]!r} channel") from err
    if not all(0 <= v <= 255 for v in channels):
        raise PayloadError("color has a channel outside 0..255")
    return channels[0], channels[1], channels[2]


def mired_to_kelvin(mired: float) -> int:
    if mired <= 0:
        raise PayloadError(f"color temperature {mired} mired is not positive")
    return round(1_000_000 / mired)


def kelvin_to_mired(kelvin: float) -> int:
    return round(1_000_000 / kelvin)


def _short(text: Any, limit: int = 40) -> str:
    s = str(text)
    return s if len(s) <= limit else s[:limit] + "..."
