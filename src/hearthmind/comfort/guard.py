"""Bad input around the comfort controllers: each check says what is wrong, counts it in the
hub's health counters (``health.problem(counter, message, timestamp)``), logs it, and tells the
caller to use its safe rule instead of the plan. Nothing here raises on bad data.

Counters: ``comfort_missing_reading``, ``comfort_thermostat_ignored``, ``comfort_solver_failed``,
``comfort_forecast_off``, ``comfort_battery_nonsense``.
"""

from __future__ import annotations

import logging
import math
from collections import deque
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from .lp import Array

LOGGER = logging.getLogger(__name__)


class Health(Protocol):
    def problem(self, counter: str, message: str, timestamp: float = 0.0) -> None: ...


@dataclass
class Guard:
    """One controller's checks; ``fallbacks`` counts the hours its safe rule ran."""

    health: Health
    name: str
    fallbacks: int = 0
    _errors: deque[float] = field(default_factory=lambda: deque(maxlen=24 * 14))
    _ignored_hours: int = 0

    def _say(self, counter: str, message: str, ts: float) -> None:
        text = f"{self.name}: {message}; using the safe rule"
        LOGGER.warning(text)
        self.health.problem(counter, text, ts)
        self.fallbacks += 1

    def reading(
        self, what: str, value: float | None, ts: float, lo: float = -60.0, hi: float = 100.0
    ) -> bool:
        """True when a reading is there and plausible."""
        if value is None or not math.isfinite(value) or not lo <= value <= hi:
            self._say("comfort_missing_reading", f"no usable {what} reading ({value!r})", ts)
            return False
        return True

    def battery(
        self,
        soc_kwh: float | None,
        capacity_kwh: float,
        last_soc_kwh: float | None,
        max_step_kwh: float,
        ts: float,
    ) -> bool:
        """A state of charge outside 0..capacity, or one that jumped more than the battery's
        power allows in an hour, is nonsense."""
        ok = (
            soc_kwh is not None
            and math.isfinite(soc_kwh)
            and -0.01 <= soc_kwh <= capacity_kwh * 1.01
        )
        if ok and last_soc_kwh is not None and soc_kwh is not None:
            ok = abs(soc_kwh - last_soc_kwh) <= max_step_kwh * 1.2 + 0.05
        if not ok:
            self._say(
                "comfort_battery_nonsense",
                f"battery reports {soc_kwh!r} kWh (capacity {capacity_kwh}, before {last_soc_kwh!r})",
                ts,
            )
        return ok

    def thermostat(
        self,
        commanded: float,
        reported: float | None,
        heating_expected: bool,
        temp_rise: float | None,
        ts: float,
        patience_hours: int = 2,
    ) -> bool:
        """A thermostat that does not take its set-point, or whose room does not warm while it
        should be heating, for ``patience_hours`` in a row, is ignoring commands."""
        ignoring = (reported is not None and abs(reported - commanded) > 0.3) or (
            heating_expected and temp_rise is not None and temp_rise <= 0.0
        )
        self._ignored_hours = self._ignored_hours + 1 if ignoring else 0
        if self._ignored_hours >= patience_hours:
            self._say(
                "comfort_thermostat_ignored",
                f"the thermostat ignores its set-point {commanded:.1f} C "
                f"(reports {reported!r}, room change {temp_rise!r} K) for {self._ignored_hours} h",
                ts,
            )
            return False
        return True

    def solver(self, err: Exception, ts: float) -> None:
        """The solver failed or timed out."""
        self._say("comfort_solver_failed", f"no plan from the solver: {err}", ts)

    def forecast(self, predicted: float, actual: float, ts: float, factor: float = 4.0) -> bool:
        """A forecast far off: the last hour's error above ``factor`` times the typical error of
        the last two weeks (and above an absolute floor)."""
        err = abs(predicted - actual)
        typical = float(np.median(self._errors)) if len(self._errors) >= 24 else None
        self._errors.append(err)
        if typical is not None and err > max(factor * typical, 0.5):
            self._say(
                "comfort_forecast_off",
                f"forecast {predicted:.2f} against {actual:.2f} (typical error {typical:.2f})",
                ts,
            )
            return False
        return True


def clean_series(values: Array) -> tuple[Array, int]:
    """Missing values (NaN) carried forward from the last good one; returns how many were."""
    out = np.asarray(values, dtype=float).copy()
    bad = ~np.isfinite(out)
    last = 0.0
    for i, v in enumerate(out):
        if np.isfinite(v):
            last = v
        else:
            out[i] = last
    return out, int(bad.sum())
