"""The world outside and inside the walls: the sun, the outdoor temperature over the year and
the day, and a simple thermal model of each heated room."""

from __future__ import annotations

import math
import random
from datetime import UTC, datetime

from .spec import ThermalSpec, WeatherSpec

DAY = 86400.0


def sun_elevation(ts: float, latitude: float, longitude: float) -> float:
    """The sun's elevation in degrees (a textbook approximation, good to about a degree)."""
    dt = datetime.fromtimestamp(ts, UTC)
    doy = dt.timetuple().tm_yday
    declination = math.radians(23.44) * math.sin(2 * math.pi * (284 + doy) / 365)
    solar_hours = dt.hour + dt.minute / 60 + dt.second / 3600 + longitude / 15
    hour_angle = math.radians(15 * (solar_hours - 12))
    lat = math.radians(latitude)
    sin_elev = math.sin(lat) * math.sin(declination) + math.cos(lat) * math.cos(
        declination
    ) * math.cos(hour_angle)
    return math.degrees(math.asin(max(-1.0, min(1.0, sin_elev))))


class Weather:
    """Outdoor temperature: yearly swing (coldest mid-January), daily swing (warmest at 15:00
    local solar time), and weather fronts that drift from day to day, all from a seed."""

    def __init__(self, spec: WeatherSpec, longitude: float, seed: str) -> None:
        self.spec = spec
        self.longitude = longitude
        self._seed = seed
        self._fronts: dict[int, float] = {}

    def _front(self, day: int) -> float:
        # an AR(1) walk over days, computed forward from a fixed anchor so any day is
        # reproducible whatever order days are asked in
        if day in self._fronts:
            return self._fronts[day]
        anchor = day - day % 64
        value = random.Random(f"{self._seed}:front:{anchor}").gauss(0, self.spec.weather_sd)
        for d in range(anchor, day + 1):
            if d > anchor:
                rng = random.Random(f"{self._seed}:front:{d}")
                value = 0.75 * value + rng.gauss(0, self.spec.weather_sd * 0.66)
            self._fronts[d] = value
        return value

    def daily_mean(self, ts: float) -> float:
        """The outdoor temperature without the swing of the day: the season and the fronts."""
        days = ts / DAY
        season = -math.cos(2 * math.pi * (days - 15) / 365.25)
        day = int(days)
        frac = days - day
        front = (1 - frac) * self._front(day) + frac * self._front(day + 1)
        return self.spec.mean + self.spec.season_amplitude * season + front

    def outdoor(self, ts: float) -> float:
        solar_hours = (ts / 3600 + self.longitude / 15) % 24
        daily = -math.cos(2 * math.pi * (solar_hours - 3) / 24)
        return self.daily_mean(ts) + self.spec.day_amplitude * daily


class ThermalZone:
    """One heated room: loses heat toward outdoors, gains it from a modulating boiler whose
    output follows how far the room is below its set-point (as OpenTherm thermostats do, so
    the boiler does not cycle on and off every few minutes)."""

    GAIN = 1.5  # output per degree below the set-point

    def __init__(self, spec: ThermalSpec, start: float) -> None:
        self.spec = spec
        self.temperature = start
        self.heating = False

    def step(self, seconds: float, outdoor: float, target: float | None) -> None:
        hours = seconds / 3600
        power = 0.0
        if target is not None:
            power = min(1.0, max(0.0, 0.5 + self.GAIN * (target - self.temperature)))
        self.heating = power > 0.05
        loss = (outdoor - self.temperature) * (1 - math.exp(-hours / self.spec.loss_hours))
        self.temperature += loss + self.spec.heat_rate * power * hours
