"""Fitting preferences onto what a space's devices can do: a room without colour lights gets
the brightness only, a thermostat that stops at 18 degrees gets 18 and says so.

Capabilities are read from the entities' attributes in Home Assistant's words
(`min_temp`/`max_temp`, `supported_color_modes`, `min_color_temp_kelvin`, `source_list`,
a `number` entity's `min`/`max`), so any integration's devices fit, not only the simulator's."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from hearthmind.core import State


@dataclass(frozen=True, slots=True)
class PlannedCall:
    key: str  # the preference
    entity_id: str
    domain: str
    service: str
    data: dict[str, Any]
    wanted: float | str
    applied: float | str


@dataclass
class Fit:
    """What of a set of preferences the devices take: `calls` to make, `unmet` with why."""

    calls: list[PlannedCall] = field(default_factory=list)
    unmet: dict[str, str] = field(default_factory=dict)  # key -> reason
    requested: int = 0

    @property
    def taken_share(self) -> float:
        """The share of requested preferences the devices take as asked (1.0: all of them)."""
        if self.requested == 0:
            return 1.0
        return (self.requested - len(self.unmet)) / self.requested


def _role(state: State) -> str | None:
    """Which preference a device serves."""
    domain, object_id = state.domain, state.object_id
    if domain == "climate":
        return "temperature"
    if domain == "light":
        return "light"
    if domain == "fan":
        return "fan"
    if domain == "number" and "seat_heat" in object_id:
        return "seat_heating"
    if domain == "media_player":
        return "media_source"
    if domain == "select" and "language" in object_id:
        return "language"
    return None


def _clip(value: float, low: float, high: float) -> float:
    return min(max(value, low), high)


def fit_preferences(prefs: Mapping[str, float | str], states: Iterable[State]) -> Fit:
    """Plan the calls that bring an area's devices to `prefs` ({key: value}), as near as the
    devices can; every preference no device takes (or takes only in part) is in `unmet`."""
    fit = Fit(requested=len(prefs))
    by_role: dict[str, list[State]] = {}
    for state in states:
        role = _role(state)
        if role is not None:
            by_role.setdefault(role, []).append(state)
    light_keys = {k: prefs[k] for k in ("brightness", "color_temp") if k in prefs}
    for key, wanted in prefs.items():
        if key in ("brightness", "color_temp"):
            continue
        devices = by_role.get(key, [])
        if not devices:
            fit.unmet[key] = f"no device here takes {key}"
            continue
        for state in devices:
            _fit_one(fit, key, wanted, state)
    if light_keys:
        _fit_lights(fit, light_keys, by_role.get("light", []))
    return fit


def _number(wanted: float | str, key: str, fit: Fit) -> float | None:
    if isinstance(wanted, str):
        try:
            return float(wanted)
        except ValueError:
            fit.unmet[key] = f"{key} {wanted!r} is not a number"
            return None
    return wanted


def _fit_one(fit: Fit, key: str, wanted: float | str, state: State) -> None:
    attrs = state.attributes
    eid = state.entity_id
    if key in ("temperature", "seat_heating", "fan"):
        number = _number(wanted, key, fit)
        if number is None:
            return
        if key == "temperature":
            low, high = float(attrs.get("min_temp", 7)), float(attrs.get("max_temp", 35))
        elif key == "fan":
            low, high = 0.0, 100.0
        else:
            low, high = float(attrs.get("min", 0)), float(attrs.get("max", 3))
        applied = round(_clip(number, low, high), 1)
        if applied != round(number, 1):
            fit.unmet[key] = f"{key} {number:g} is beyond what {eid} can do ({low:g}-{high:g})"
        if key == "temperature":
            call = ("climate", "set_temperature", {"temperature": applied, "hvac_mode": "heat"})
        elif key == "fan":
            call = ("fan", "set_percentage", {"percentage": int(applied)})
        else:
            call = ("number", "set_value", {"value": applied})
        fit.calls.append(PlannedCall(key, eid, *call, number, applied))
    elif key in ("media_source", "language"):
        options = attrs.get("source_list" if key == "media_source" else "options") or []
        if wanted not in options:
            fit.unmet[key] = f"{eid} has no {key} {wanted!r}"
            return
        if key == "media_source":
            call = ("media_player", "select_source", {"source": wanted})
        else:
            call = ("select", "select_option", {"option": wanted})
        fit.calls.append(PlannedCall(key, eid, *call, wanted, wanted))


def _fit_lights(fit: Fit, wanted: dict[str, float | str], lights: list[State]) -> None:
    if not lights:
        for key in wanted:
            fit.unmet[key] = f"no light here takes {key}"
        return
    any_colour = False
    for state in lights:
        modes = set(state.attributes.get("supported_color_modes") or ["onoff"])
        data: dict[str, Any] = {}
        if "brightness" in wanted and modes - {"onoff"}:
            number = _number(wanted["brightness"], "brightness", fit)
            if number is not None:
                data["brightness_pct"] = round(_clip(number, 1, 100))
        if "color_temp" in wanted and "color_temp" in modes:
            number = _number(wanted["color_temp"], "color_temp", fit)
            if number is not None:
                low = float(state.attributes.get("min_color_temp_kelvin", 2000))
                high = float(state.attributes.get("max_color_temp_kelvin", 6500))
                data["color_temp_kelvin"] = int(_clip(number, low, high))
                any_colour = True
                if not low <= number <= high:
                    fit.unmet["color_temp"] = f"{number:g} K is beyond {state.entity_id}"
        if data:
            key = "brightness" if "brightness_pct" in data else "color_temp"
            fit.calls.append(PlannedCall(key, state.entity_id, "light", "turn_on", data, -1, -1))
    if "color_temp" in wanted and not any_colour:
        fit.unmet["color_temp"] = "no light here changes colour temperature: brightness only"
    if "brightness" in wanted and not any(c.domain == "light" for c in fit.calls):
        fit.unmet["brightness"] = "no dimmable light here"
