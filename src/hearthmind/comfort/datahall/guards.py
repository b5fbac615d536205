"""What the supervisor checks before it trusts a reading: numbers that are numbers and
physically possible, sensors that still move, IT power without a sudden spike, supply air
that the coils can still hold (a chiller that trips shows here first).

Each guard returns a problem (a health counter and a message) or None.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

import numpy as np

from .readings import HallSensors

# A reading outside these is a broken transmitter, not a hall (C, kW).
RANGES = {
    "inlet": (0.0, 60.0),
    "supply": (-5.0, 50.0),
    "return": (-5.0, 70.0),
    "chilled water": (0.0, 40.0),
    "outdoor": (-60.0, 60.0),
}


@dataclass(frozen=True)
class Problem:
    counter: str
    message: str


def nonsense(s: HallSensors, zones: int) -> Problem | None:
    """NaN, infinity, a value no hall can have, or a zone missing."""
    if not s.finite():
        return Problem("datahall_sensor_nonsense", "a hall sensor reports a non-number")
    if not (len(s.zone_inlet_c) == len(s.zone_supply_c) == len(s.zone_return_c) == zones):
        return Problem(
            "datahall_sensor_nonsense",
            f"the hall reports {len(s.zone_inlet_c)} zones' inlets, {zones} expected",
        )
    checks = [
        *(("inlet", v) for v in s.zone_inlet_c),
        *(("supply", v) for v in s.zone_supply_c),
        *(("return", v) for v in s.zone_return_c),
        ("chilled water", s.chilled_water_supply_c),
        ("outdoor", s.outdoor_drybulb_c),
        ("outdoor", s.outdoor_wetbulb_c),
    ]
    for name, value in checks:
        low, high = RANGES[name]
        if not low <= value <= high:
            return Problem(
                "datahall_sensor_nonsense",
                f"{name} temperature {value:.1f} C is outside {low:.0f}-{high:.0f} C",
            )
    if s.it_kw < 0 or s.cooling_kw < 0:
        return Problem("datahall_sensor_nonsense", "a negative power reading")
    return None


@dataclass
class FreezeGuard:
    """A rack-inlet or IT-power sensor whose value has not changed for `steps` readings."""

    steps: int = 8
    _last: tuple[float, ...] | None = None
    _same: list[int] = field(default_factory=list)

    def check(self, s: HallSensors) -> Problem | None:
        values = (*s.zone_inlet_c, s.it_kw)
        if self._last is None or len(self._last) != len(values):
            self._last, self._same = values, [0] * len(values)
            return None
        self._same = [
            n + 1 if v == old else 0
            for n, v, old in zip(self._same, values, self._last, strict=True)
        ]
        self._last = values
        for i, n in enumerate(self._same):
            if n >= self.steps:
                what = "IT power" if i == len(values) - 1 else f"zone {i + 1} inlet"
                return Problem(
                    "datahall_sensor_frozen",
                    f"the {what} sensor has reported {values[i]:.2f} for {n + 1} readings",
                )
        return None


@dataclass
class SpikeGuard:
    """IT power well above its recent level: the plan's inlet bounds were learned at a
    lighter load, so the next hour runs colder."""

    ratio: float = 1.3
    hold_steps: int = 4
    _recent: deque[float] = field(default_factory=lambda: deque(maxlen=8))
    _hold: int = 0

    def check(self, s: HallSensors) -> Problem | None:
        base = float(np.median(self._recent)) if len(self._recent) >= 4 else None
        self._recent.append(s.it_kw)
        if base is not None and base > 0 and s.it_kw > self.ratio * base:
            self._hold = self.hold_steps
            return Problem(
                "datahall_it_spike",
                f"IT power {s.it_kw:.0f} kW jumped from {base:.0f} kW",
            )
        if self._hold > 0:
            self._hold -= 1
            return Problem("datahall_it_spike_hold", "holding cold after an IT-load spike")
        return None


@dataclass
class ShortfallGuard:
    """Supply air that stays above its set-point while the chilled water runs warm: the
    coils cannot cool (a tripped chiller, a stuck valve). Or the hall says its chiller is off
    on a fault."""

    tolerance_k: float = 1.5
    steps: int = 2
    _count: int = 0

    def check(
        self, s: HallSensors, supply_setpoints: tuple[float, ...], chilled_water_c: float
    ) -> Problem | None:
        if not s.chiller_running:
            return Problem("datahall_chiller_trip", "the chiller reports a trip")
        over = any(
            m > sp + self.tolerance_k
            for m, sp in zip(s.zone_supply_c, supply_setpoints, strict=False)
        )
        warm = s.chilled_water_supply_c > chilled_water_c + 3.0
        self._count = self._count + 1 if (over and warm) else 0
        if self._count >= self.steps:
            return Problem(
                "datahall_chiller_trip",
                f"supply air above its set-point with chilled water at "
                f"{s.chilled_water_supply_c:.1f} C (set {chilled_water_c:.1f} C): no cooling",
            )
        return None
