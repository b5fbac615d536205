"""Our supervisor as an EnergyPlus controller: the hall's readings in, set-points out, with
a forecast of the next two hours' weather from the EPW itself (a perfect weather forecast,
as a hub with a forecast service would have it, roughly) and IT power held at its
current value (no workload forecast: the hub would not know the jobs ahead)."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from hearthmind.comfort.datahall.readings import HallSensors, HallSetpoints
from hearthmind.comfort.datahall.supervisor import DataHallSupervisor, Forecast, SupervisorConfig
from hearthmind.comfort.datahall.surrogate import PlantSurrogate


def epw_hourly(epw: Path) -> tuple[np.ndarray, np.ndarray]:
    """Hourly dry bulb and wet bulb (C) of an EPW (wet bulb from dry bulb and humidity by
    Stull's 2011 formula: within 0.3 K over the weather we meet)."""
    cols = pd.read_csv(epw, skiprows=8, header=None)
    dry = cols[6].to_numpy(dtype=float)
    rh = np.clip(cols[8].to_numpy(dtype=float), 1.0, 100.0)
    wet = (
        dry * np.arctan(0.151977 * np.sqrt(rh + 8.313659))
        + np.arctan(dry + rh)
        - np.arctan(rh - 1.676331)
        + 0.00391838 * rh**1.5 * np.arctan(0.023101 * rh)
        - 4.686035
    )
    return dry, wet


class Ours:
    """Calls the supervisor with the reading and the weather forecast of the horizon."""

    def __init__(
        self, epw: Path, surrogate: PlantSurrogate, config: SupervisorConfig | None = None
    ) -> None:
        self.dry, self.wet = epw_hourly(epw)
        self.sup = DataHallSupervisor(zones=2, surrogate=surrogate, config=config)
        self.problems: dict[str, int] = {}

    def __call__(self, s: HallSensors) -> HallSetpoints:
        h = self.sup.config.horizon
        steps = s.time_h + 0.25 * np.arange(1, h + 1)
        idx = np.floor(steps).astype(int) % len(self.dry)
        forecast = Forecast(
            outdoor_c=tuple(float(v) for v in self.dry[idx]),
            wetbulb_c=tuple(float(v) for v in self.wet[idx]),
        )
        return self.sup.step(s, forecast)
