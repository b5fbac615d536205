"""Simulated people who travel between their home, their car, hotel rooms and the office.

Each person has true wants (hidden from every hub): a temperature, a light level and colour
temperature by activity, a seat heating level, a desk fan speed, a little different at work.
They act honestly: they feel the room (with noise), and when the gap between what the room
does and what they want is larger than their own tolerance they change the device, to what
they want (with noise). They never know whether profiles are on; the same seed gives them the
same wants, the same days and the same noise in both runs."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from hearthmind.core import Context, SpaceKind

from .layouts import SimArea

# a person's comfort band: within it they are comfortable (the benchmark's minutes out of band)
BAND = {"temperature": 1.0, "brightness": 15.0, "color_temp": 600.0, "seat": 0.5, "fan": 20.0}


@dataclass
class Wants:
    temperature: dict[str, float]  # by activity: day, evening, sleep
    brightness: dict[str, float]
    kelvin: dict[str, float]
    seat: float
    fan: float
    work_temperature_offset: float
    work_brightness_offset: float


def draw_wants(rng: random.Random) -> Wants:
    day = rng.gauss(21.5, 1.0)
    return Wants(
        temperature={
            "day": day,
            "evening": day + rng.gauss(0.4, 0.3),
            "sleep": day - abs(rng.gauss(2.0, 0.7)),
        },
        brightness={
            "day": min(100.0, rng.gauss(78, 10)),
            "evening": max(15.0, rng.gauss(45, 12)),
            "sleep": 10.0,
        },
        kelvin={"day": rng.gauss(4500, 500), "evening": rng.gauss(2800, 300), "sleep": 2400.0},
        seat=float(rng.choice((0, 1, 2, 2, 3))),
        fan=float(rng.choice((0, 0, 20, 40, 60))),
        work_temperature_offset=rng.gauss(-0.3, 0.3),
        work_brightness_offset=rng.gauss(8, 5),
    )


@dataclass
class Person:
    person_id: str
    wants: Wants
    consent: dict[SpaceKind, set[str]]  # what they share with each kind (ground truth)
    wake_hour: float
    bed_hour: float
    rng: random.Random  # their perception and hand noise
    tol_temperature: float = 1.0
    tol_brightness: float = 18.0
    tol_kelvin: float = 700.0
    adjustments: list[dict[str, Any]] = field(default_factory=list)

    def activity(self, ts: float) -> str:
        hour = (ts % 86400) / 3600
        if self.wake_hour <= hour < 18.0:
            return "day"
        if 18.0 <= hour < self.bed_hour:
            return "evening"
        return "sleep"

    def want(self, kind: SpaceKind, ts: float) -> dict[str, float]:
        act = self.activity(ts)
        w = self.wants
        temp = w.temperature[act] + (w.work_temperature_offset if kind == SpaceKind.OFFICE else 0)
        bright = w.brightness[act] + (w.work_brightness_offset if kind == SpaceKind.OFFICE else 0)
        return {
            "temperature": temp,
            "brightness": min(100.0, bright),
            "color_temp": w.kelvin[act],
            "seat": w.seat,
            "fan": w.fan,
        }

    def out_of_band(self, area: SimArea, ts: float) -> bool:
        """Whether the area is outside this person's comfort band at `ts` (ground truth)."""
        want = self.want(area.kind, ts)
        climate, light, seat, fan = area.climate, area.light, area.seat, area.fan
        if climate is not None and (
            abs(climate.temperature_at(ts) - want["temperature"]) > BAND["temperature"]
        ):
            return True
        if light is not None and self.activity(ts) != "sleep":
            s = light.settings_at(ts)
            if not s["on"] or abs(s["brightness"] - want["brightness"]) > BAND["brightness"]:
                return True
            if light.colour and abs(s["kelvin"] - want["color_temp"]) > BAND["color_temp"]:
                return True
        if seat is not None and abs(seat.settings_at(ts)["level"] - want["seat"]) > BAND["seat"]:
            return True
        return (
            fan is not None and abs(fan.settings_at(ts)["percentage"] - want["fan"]) > BAND["fan"]
        )

    def likes(self, kind: SpaceKind, ts: float, calls: list[dict[str, Any]]) -> bool:
        """Whether they say yes to a suggested setting (on their phone): every value near
        enough to what they will want then, as they judge it (with noise)."""
        want = self.want(kind, ts)
        rng = self.rng
        for call in calls:
            data = call.get("data", {})
            checks = (
                ("temperature", "temperature", self.tol_temperature, 0.3),
                ("brightness_pct", "brightness", self.tol_brightness, 5.0),
                ("color_temp_kelvin", "color_temp", self.tol_kelvin, 150.0),
                ("percentage", "fan", 25.0, 5.0),
                ("value", "seat", 0.99, 0.0),
            )
            for field_name, key, tolerance, noise in checks:
                value = data.get(field_name)
                if isinstance(value, int | float) and (
                    abs(value + rng.gauss(0, noise) - want[key]) > tolerance
                ):
                    return False
        return True

    def check(self, area: SimArea, ts: float, context: Context) -> int:
        """Feel the area and change what is too far from what they want; returns how many
        devices they changed (each one a manual comfort adjustment)."""
        want = self.want(area.kind, ts)
        rng = self.rng
        changed = 0
        keys: list[str] = []
        climate = area.climate
        if climate is not None:
            felt = climate.temperature_at(ts) + rng.gauss(0, 0.4)
            setpoint_ok = abs(climate.setpoint - want["temperature"]) <= self.tol_temperature / 2
            if abs(felt - want["temperature"]) > self.tol_temperature and not (
                setpoint_ok and climate.on
            ):
                target = round((want["temperature"] + rng.gauss(0, 0.25)) * 2) / 2
                climate.set_by(context, "set_temperature", {"temperature": target})
                changed += 1
                keys.append("temperature")
        light = area.light
        if light is not None and self.activity(ts) != "sleep":
            data: dict[str, Any] = {}
            seen = light.brightness_pct if light.on else 0.0
            if abs(seen + rng.gauss(0, 5) - want["brightness"]) > self.tol_brightness:
                data["brightness_pct"] = round(
                    min(100.0, max(5.0, want["brightness"] + rng.gauss(0, 5)))
                )
            if light.colour and abs(light.kelvin + rng.gauss(0, 150) - want["color_temp"]) > (
                self.tol_kelvin
            ):
                data["color_temp_kelvin"] = int(want["color_temp"] + rng.gauss(0, 150))
            if data:
                light.set_by(context, "turn_on", data)
                changed += 1
                keys.append("light")
        seat = area.seat
        if seat is not None and abs(seat.level - want["seat"]) >= 1:
            seat.set_by(context, "set_value", {"value": want["seat"]})
            changed += 1
            keys.append("seat")
        fan = area.fan
        if fan is not None and abs(fan.percentage - want["fan"]) > 25:
            fan.set_by(context, "set_percentage", {"percentage": int(want["fan"])})
            changed += 1
            keys.append("fan")
        if changed:
            self.adjustments.append({"ts": ts, "area": area.area_id, "keys": keys})
        return changed


def draw_person(person_id: str, rng: random.Random) -> Person:
    consent: dict[SpaceKind, set[str]] = {
        SpaceKind.HOME: {"comfort", "light", "media", "language"},
        SpaceKind.VEHICLE: {"comfort", "media", "language"},
        SpaceKind.HOTEL_ROOM: {"comfort", "light"},
        SpaceKind.OFFICE: {"comfort", "light"},
    }
    # some people share less: no light with the office, no media with cars, nothing with hotels
    if rng.random() < 0.15:
        consent[SpaceKind.OFFICE] = {"comfort"}
    if rng.random() < 0.1:
        consent[SpaceKind.HOTEL_ROOM] = set()
    if rng.random() < 0.3:
        consent[SpaceKind.VEHICLE].discard("media")
    return Person(
        person_id,
        draw_wants(rng),
        consent,
        wake_hour=7.0 + rng.random() * 0.5,
        bed_hour=22.5 + rng.random(),
        rng=random.Random(rng.getrandbits(64)),
        tol_temperature=rng.uniform(0.7, 1.3),
        tol_brightness=rng.uniform(12, 25),
        tol_kelvin=rng.uniform(500, 900),
    )
