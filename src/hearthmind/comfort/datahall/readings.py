"""What a data hall reports and what its supervisor sets: the contract between the
supervisor and any hall (EnergyPlus in the bench, the simulated hall in the hub, a real one).

Only what a real hall's building-management system measures: rack inlet, supply-air,
return-air, chilled-water and outdoor temperatures, IT power and cooling-plant power.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

# ASHRAE TC 9.9 recommended rack-inlet band (C).
INLET_LOW_C = 18.0
INLET_HIGH_C = 27.0


@dataclass(frozen=True)
class HallSensors:
    """One 15-minute reading of the hall. Temperatures in C, powers in kW.

    `zone_inlet_c` holds each zone's hottest rack inlet; `zone_supply_c` and
    `zone_return_c` the air handlers' supply and return air of the same zones.
    """

    time_h: float  # hours since the start of the year (the hall's clock)
    zone_inlet_c: tuple[float, ...]
    zone_supply_c: tuple[float, ...]
    zone_return_c: tuple[float, ...]
    chilled_water_supply_c: float
    outdoor_drybulb_c: float
    outdoor_wetbulb_c: float
    it_kw: float
    cooling_kw: float
    mixed_air_c: tuple[float, ...] = ()  # after the economiser's damper, when measured
    chiller_running: bool = True

    def finite(self) -> bool:
        """Every number is a number (a broken transmitter reports NaN or inf)."""
        values = (
            *self.zone_inlet_c,
            *self.zone_supply_c,
            *self.zone_return_c,
            self.chilled_water_supply_c,
            self.outdoor_drybulb_c,
            self.outdoor_wetbulb_c,
            self.it_kw,
            self.cooling_kw,
        )
        return all(math.isfinite(v) for v in values)


@dataclass(frozen=True)
class HallSetpoints:
    """What the supervisor sets for the next 15 minutes.

    `economiser` enables the air handlers' outdoor-air economiser (1: the damper may open
    as far as the air handler's own mixed-air control wants; 0: locked out, minimum outdoor
    air only). Values between are rounded by the hall.
    """

    zone_cooling_c: float
    chilled_water_c: float
    supply_air_c: tuple[float, ...]
    economiser: float
    mode: str = "mpc"  # "mpc", "rule" (the safe fallback) or "safe"
    reasons: tuple[str, ...] = field(default=())


# Cold enough for any load the hall was sized for, yet not below the band: supply air at
# 19 C puts rack inlets at 19-21 C whatever the IT load (the inlets sit 0-2 K above the
# supply), chilled water at the chiller's rated 6.7 C gives the coils their full capacity,
# and the air handlers' own economiser control (with its own high limit) stays on.
SAFE_SUPPLY_AIR_C = 19.0
SAFE_CHILLED_WATER_C = 6.7
SAFE_ZONE_COOLING_C = 22.0


def safe_setpoints(zones: int, reason: str) -> HallSetpoints:
    """The set-points used when the supervisor cannot trust its inputs or its plan."""
    return HallSetpoints(
        zone_cooling_c=SAFE_ZONE_COOLING_C,
        chilled_water_c=SAFE_CHILLED_WATER_C,
        supply_air_c=(SAFE_SUPPLY_AIR_C,) * zones,
        economiser=1.0,
        mode="safe",
        reasons=(reason,),
    )
