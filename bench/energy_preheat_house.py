"""The pre-heating bench's house split into its rooms (zoned heating, as with smart radiator
valves or a heat pump per room): which areas are rooms, and their physics stepped together.

The split keeps today's one-room house (thermal.RoomPhysics's defaults) whole: N rooms each
with 1/N of its capacities, N times its resistances (1/N of each conductance), 1/N of the heat
pump's output, and the glazing shared among the rooms with windows. N identical rooms on one
set-point are then exactly the one-room house (tests/bench/test_energy_preheat.py).

Rooms exchange heat through interior walls and open doors: each room's air gains
``interior_factor / r_out_room * (mean air of the other rooms - its air)`` kW. The factor
(1.0 by default: an interior coupling as strong as the room's loss to outdoors) is an
ASSUMPTION, not fitted to any house: the stronger the coupling, the more a cold room is
warmed by its neighbours and the less there is to gain from heating rooms separately.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from hearthmind.integrations.simulator.layout import Layout
from hearthmind.integrations.simulator.spec import HomeSpec
from hearthmind.integrations.simulator.thermal import RoomPhysics

Array = npt.NDArray[np.float64]
HYSTERESIS = 0.25  # K either side of the set-point, as the single-zone bench's thermostat


def indoor_rooms(spec: HomeSpec) -> list[str]:
    """The areas people can be in, in the home file's order.

    The home files mark no area as outdoor, so "indoor" is what the simulated people use:
    the rooms the planners' Layout finds by name (kitchen, living room, bathroom, hallway,
    office) and the residents' bedrooms. Every move the planners make goes to one of these,
    and an area none of them can go to (the family's garden) is not a heated room.
    """
    layout = Layout(spec)
    used = {layout.kitchen, layout.living, layout.bathroom, layout.hallway, layout.office}
    used |= {r.bedroom for r in spec.residents}
    return [a.id for a in spec.areas if a.id in used]


@dataclass
class HousePhysics:
    """N two-node rooms (air and mass, as RoomPhysics) with air-to-air interior coupling.

    Units as RoomPhysics: kWh/K, K/kW, kW, hours. ``air``, ``mass`` and ``aperture`` are
    per room; the other parameters are the same for every room (the split is even).
    """

    rooms: tuple[str, ...]
    c_air: float
    c_mass: float
    r_air_mass: float
    r_out: float
    aperture: Array  # kW of sun per kW/m2 of global irradiance, per room
    max_heat_kw: float  # per room
    interior_factor: float
    air: Array
    mass: Array

    @classmethod
    def split(
        cls,
        rooms: Sequence[str],
        windowless: Sequence[bool],
        house: RoomPhysics | None = None,
        interior_factor: float = 1.0,
    ) -> HousePhysics:
        """``house`` (RoomPhysics's defaults if None) split evenly into ``rooms``."""
        house = house or RoomPhysics()
        n = len(rooms)
        windowed = np.array([not w for w in windowless], dtype=bool)
        # with no windowed room the sun is shared by all, so the house's gain is kept whole
        share = windowed if windowed.any() else np.ones(n, dtype=bool)
        aperture = np.where(share, house.solar_aperture_m2 / share.sum(), 0.0)
        return cls(
            rooms=tuple(rooms),
            c_air=house.c_air / n,
            c_mass=house.c_mass / n,
            r_air_mass=house.r_air_mass * n,
            r_out=house.r_out * n,
            aperture=aperture.astype(float),
            max_heat_kw=house.max_heat_kw / n,
            interior_factor=interior_factor,
            air=np.full(n, house.air),
            mass=np.full(n, house.mass),
        )

    @classmethod
    def for_home(
        cls, spec: HomeSpec, interior_factor: float = 1.0, house: RoomPhysics | None = None
    ) -> HousePhysics:
        """The home file's indoor rooms, windowless ones getting no sun."""
        rooms = indoor_rooms(spec)
        dark = {a.id for a in spec.areas if a.windowless}
        return cls.split(rooms, [r in dark for r in rooms], house, interior_factor)

    def copy(self) -> HousePhysics:
        """An independent house in the same state (both policies start January alike)."""
        return HousePhysics(
            self.rooms,
            self.c_air,
            self.c_mass,
            self.r_air_mass,
            self.r_out,
            self.aperture.copy(),
            self.max_heat_kw,
            self.interior_factor,
            self.air.copy(),
            self.mass.copy(),
        )

    def exchange_kw(self) -> Array:
        """Heat into each room's air from the others' mean air. With one conductance for all
        rooms it sums to zero: the interior walls move heat, they neither make nor lose it."""
        n = len(self.air)
        if n < 2:
            return np.zeros(n)
        others = (self.air.sum() - self.air) / (n - 1)
        return np.asarray(self.interior_factor / self.r_out * (others - self.air), dtype=float)

    def step(self, outdoor_c: float, heat_kw: Array, ghi_w_m2: float, hours: float) -> Array:
        """One explicit Euler step of ``hours`` (the same update as RoomPhysics.step with one
        substep, plus the exchange, taken from the temperatures at the start of the step)."""
        heat = np.clip(heat_kw, 0.0, self.max_heat_kw)
        sun = self.aperture * max(ghi_w_m2, 0.0) / 1000.0
        to_mass = (self.air - self.mass) / self.r_air_mass
        to_out = (self.air - outdoor_c) / self.r_out
        self.air = self.air + hours * (heat + sun + self.exchange_kw() - to_mass - to_out) / (
            self.c_air
        )
        self.mass = self.mass + hours * to_mass / self.c_mass
        return self.air


def thermostat_hour(
    house: HousePhysics,
    setpoints: Array,
    outdoor_c: float,
    ghi_w_m2: float,
    present: npt.NDArray[np.bool_],
    ticks: int,
    comfort_floor: float,
) -> tuple[Array, npt.NDArray[np.bool_]]:
    """An hour of each room's on/off thermostat (the single-zone bench's, per room): mean heat
    per room (kW) and, per room, whether it was below ``comfort_floor`` at a tick someone
    awake was in it (``present``: rooms x ticks)."""
    heating = house.air < setpoints  # each hour starts from the thermostat's plain reading
    heat_sum = np.zeros(len(house.air))
    cold = np.zeros(len(house.air), dtype=bool)
    for tick in range(ticks):
        heating = np.where(
            house.air < setpoints - HYSTERESIS,
            True,
            np.where(house.air > setpoints + HYSTERESIS, False, heating),
        )
        q = np.where(heating, house.max_heat_kw, 0.0)
        house.step(outdoor_c, q, ghi_w_m2, 1 / ticks)
        heat_sum += q / ticks
        cold |= present[:, tick] & (house.air < comfort_floor)
    return heat_sum, cold
