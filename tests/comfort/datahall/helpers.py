"""Readings of a made-up hall for the supervisor's tests."""

from __future__ import annotations

from dataclasses import replace

from hearthmind.comfort.datahall.readings import HallSensors


def reading(t: float = 0.0, **changes: object) -> HallSensors:
    """A summer afternoon at moderate IT load: inlets 1-2 K over 20 C supply air."""
    base = HallSensors(
        time_h=t,
        zone_inlet_c=(21.5 + 0.01 * t, 22.0 + 0.01 * t),
        zone_supply_c=(20.0, 20.0),
        zone_return_c=(30.0, 31.0),
        chilled_water_supply_c=8.0,
        outdoor_drybulb_c=24.0,
        outdoor_wetbulb_c=18.0,
        it_kw=110.0 + (t % 1.0),
        cooling_kw=15.0,
        mixed_air_c=(26.0, 26.5),
    )
    return replace(base, **changes)  # type: ignore[arg-type]
