"""Fit the supervisor's plant surrogate from EnergyPlus runs on the DEVELOPMENT inputs only:
pyenergyplus's Newark NJ TMY3 weather (a file none of the three benchmark EPWs is) and the
Alibaba trace 2 with a random daily gain (the benchmark runs Google and Alibaba trace 1). Set-points are explored at
random (held 1-3 hours each) over the range the supervisor may choose.

    .venv/bin/python bench/datacenter_train.py [--out src/hearthmind/comfort/datahall/surrogate.yaml]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import datacenter_eplus as eplus
from hearthmind.comfort.datahall.readings import HallSensors, HallSetpoints
from hearthmind.comfort.datahall.supervisor import surrogate_input
from hearthmind.comfort.datahall.surrogate import SHIPPED, PlantSurrogate

DEV_WEATHER = "USA_NJ_Newark.Intl.AP.725020_TMY3.epw"
DEV_WORKLOAD = "workload/Alibaba_CPU_Data_Hourly_2.csv"


def dev_weather(name: str = DEV_WEATHER) -> Path:
    """A TMY3 file that ships with pyenergyplus (by its file name or its start)."""
    import pyenergyplus

    folder = Path(pyenergyplus.__file__).parent / "data" / "weather"
    exact = folder / name
    if exact.exists():
        return exact
    found = sorted(folder.glob(f"{name}*.epw"))
    if not found:
        raise SystemExit(f"no pyenergyplus weather file {name!r} in {folder}")
    return found[0]


class Explorer:
    """Random set-points held for 1-3 hours; records (inputs, cooling kW) pairs."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.command: HallSetpoints | None = None
        self.left = 0
        self.x: list[list[float]] = []
        self.y: list[float] = []

    def __call__(self, s: HallSensors) -> HallSetpoints:
        if self.command is not None:
            self.x.append(surrogate_input(self.command, s).tolist())
            self.y.append(s.cooling_kw)
        if self.left <= 0 or self.command is None:
            sat = self.rng.uniform(16.0, 26.0)
            self.command = HallSetpoints(
                zone_cooling_c=27.0,
                chilled_water_c=self.rng.uniform(6.0, 16.0),
                supply_air_c=(sat, sat),
                economiser=float(self.rng.random() < 0.7),
                mode="explore",
            )
            self.left = self.rng.randint(4, 12)
        self.left -= 1
        return self.command


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data", type=Path, default=None, help="../shared/data/energy/datacenter")
    ap.add_argument("--out", type=Path, default=SHIPPED)
    ap.add_argument("--months", type=int, nargs="*", default=None, help="default: whole year")
    ap.add_argument(
        "--weather",
        action="append",
        help=f"pyenergyplus TMY3 file(s) to explore on (repeatable; default {DEV_WEATHER})",
    )
    args = ap.parse_args()
    weathers = [dev_weather(w) for w in args.weather or [DEV_WEATHER]]
    data = args.data or eplus.data_dir()
    trace = eplus.load_workload(data / DEV_WORKLOAD)
    # the trace with a random gain a day (0.5-2.5, clipped to 1): the surrogate sees light
    # and full halls, not only this trace's level
    gains = np.random.default_rng(23).uniform(0.5, 2.5, size=len(trace) // 24 + 1)
    workload = np.clip(trace * np.repeat(gains, 24)[: len(trace)], 0.0, 1.0)
    explorer = Explorer(seed=23)
    start = time.time()
    months: list[int | None] = list(args.months) if args.months else [None]
    for weather in weathers:
        for month in months:
            eplus.run(weather, workload, controller=explorer, month=month)
    x = np.asarray(explorer.x)
    y = np.asarray(explorer.y)
    keep = np.isfinite(y) & np.all(np.isfinite(x), axis=1)
    x, y = x[keep], y[keep]
    # hold out every fifth day to say how well the surrogate predicts
    day = np.arange(len(y)) // 96
    test = day % 5 == 4
    model = PlantSurrogate.fit(x[~test], y[~test])
    err = model.predict(x[test]) - y[test]
    print(
        f"{len(y)} samples in {time.time() - start:.0f} s; held-out days: "
        f"MAE {np.mean(np.abs(err)):.2f} kW, RMSE {np.sqrt(np.mean(err**2)):.2f} kW "
        f"(mean cooling {y.mean():.1f} kW)"
    )
    model = PlantSurrogate.fit(x, y)
    model.save(
        args.out,
        note=(
            f"fitted by bench/datacenter_train.py on {' + '.join(w.name for w in weathers)}"
            f" + {DEV_WORKLOAD} "
            f"(development inputs), {len(y)} samples; held-out-day MAE "
            f"{np.mean(np.abs(err)):.2f} kW of mean {y.mean():.1f} kW"
        ),
    )
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
