"""Room physics for the simulated homes: real weather from an EPW file, a two-node RC room
(air and building mass) and a heat pump whose COP falls as it gets colder outside.

Two nodes on purpose: the hub fits a one-node grey-box model to what it records, so the
model it learns is an approximation of the physics here, as it is of a real house.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

Array = npt.NDArray[np.float64]


@dataclass(frozen=True)
class EpwWeather:
    """Hourly weather of a typical year (8,760 hours from 1 January, local standard time)."""

    name: str
    latitude: float
    outdoor_c: Array
    ghi_w_m2: Array  # global horizontal irradiance

    @classmethod
    def read(cls, path: Path) -> EpwWeather:
        """Dry-bulb temperature (field 7) and global horizontal radiation (field 14), read
        and checked by the simulated home's reader (outdoor.read_epw: a bad file is a
        ConfigError naming it and the line)."""
        from .outdoor import read_epw  # outdoor loads this module lazily, for NumPy

        return read_epw(path)


def heat_pump_cop(
    outdoor_c: float | Array, supply_c: float = 35.0, carnot_share: float = 0.45
) -> Array:
    """Heating COP: a share of the Carnot COP between outdoors and the supply water."""
    lift = np.maximum(supply_c - np.asarray(outdoor_c, dtype=float), 5.0)
    return np.asarray(np.clip(carnot_share * (supply_c + 273.15) / lift, 1.5, 6.0), dtype=float)


@dataclass
class RoomPhysics:
    """Air node (C_air) coupled to a mass node (C_mass), losing heat to outdoors.

    Units: kWh/K for capacities, K/kW for resistances, kW for powers, hours for time.
    """

    c_air: float = 1.2
    c_mass: float = 8.0
    r_air_mass: float = 0.6
    r_out: float = 6.0
    solar_aperture_m2: float = 3.0  # effective glazing: kW per kW/m2 of global irradiance
    max_heat_kw: float = 6.0
    air: float = 20.0
    mass: float = 20.0

    def step(
        self,
        outdoor_c: float,
        heat_kw: float,
        ghi_w_m2: float,
        hours: float = 1.0,
        substeps: int = 12,
    ) -> float:
        """Advance by ``hours`` with a constant heat input; returns the air temperature."""
        heat = min(max(heat_kw, 0.0), self.max_heat_kw)
        sun = self.solar_aperture_m2 * max(ghi_w_m2, 0.0) / 1000.0
        dt = hours / substeps
        for _ in range(substeps):
            to_mass = (self.air - self.mass) / self.r_air_mass
            to_out = (self.air - outdoor_c) / self.r_out
            self.air += dt * (heat + sun - to_mass - to_out) / self.c_air
            self.mass += dt * to_mass / self.c_mass
        return self.air


def winter_start_hour(month: int = 1) -> int:
    """The first hour of a month in a non-leap typical year."""
    days = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
    return 24 * sum(days[: month - 1])


def solar_elevation_factor(hour_of_year: int, latitude: float) -> float:
    """A rough clear-sky share (0-1) for when no irradiance is known."""
    day = hour_of_year // 24
    decl = 23.45 * math.sin(math.radians(360 * (284 + day) / 365))
    hour_angle = 15 * ((hour_of_year % 24) + 0.5 - 12)
    lat = math.radians(latitude)
    s = math.sin(lat) * math.sin(math.radians(decl)) + math.cos(lat) * math.cos(
        math.radians(decl)
    ) * math.cos(math.radians(hour_angle))
    return max(0.0, s)
