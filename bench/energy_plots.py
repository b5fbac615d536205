"""Plots of a typical week of each part of bench/energy.py (PNG in docs/).

.venv/bin/python bench/energy_plots.py [bench/out/energy-series.json ...]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

WEEK = 168


def _week(n: int, preferred_day: int) -> slice:
    start = preferred_day * 24 if n >= preferred_day * 24 + WEEK else 0
    return slice(start, min(n, start + WEEK))


def plot_citylearn(series: dict[str, Any], title: str, path: Path) -> None:
    runs = {k: v for k, v in series.items() if v}
    n = len(next(iter(runs.values()))["net"])
    sl = _week(n, 180)
    fig, (a1, a2) = plt.subplots(2, 1, figsize=(10, 6), sharex=True)
    for name, s in runs.items():
        a1.plot(np.arange(sl.stop - sl.start), np.array(s["net"])[sl], label=name.replace("_", " "))
        a2.plot(
            np.arange(sl.stop - sl.start),
            np.array(s["soc"])[sl].mean(axis=1),
            label=name.replace("_", " "),
        )
    a1.set_ylabel("district net use (kWh/h)")
    a2.set_ylabel("mean battery state of charge")
    a2.set_xlabel("hour of the week")
    a1.set_title(title)
    a1.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


def plot_cottage(traces: dict[str, Any], path: Path) -> None:
    n = len(traces["ours"]["soc"])
    sl = _week(n, 190)  # mid-January for a year from July; the first week in shorter runs
    fig, axes = plt.subplots(3, 1, figsize=(10, 8), sharex=True)
    x = np.arange(sl.stop - sl.start)
    axes[0].plot(x, np.array(traces["ours"]["pv"])[sl], color="orange", label="PV")
    for name, tr in traces.items():
        axes[0].plot(x, np.array(tr["use"])[sl], label=f"use, {name}")
        axes[1].plot(x, np.array(tr["soc"])[sl], label=name)
        axes[2].plot(x, np.array(tr["room"])[sl], label=name)
    axes[0].set_ylabel("kWh/h")
    axes[1].set_ylabel("battery (kWh)")
    axes[2].set_ylabel("room (C)")
    axes[2].set_xlabel("hour of the week")
    axes[0].set_title("Off-grid cottage: a week")
    for a in axes:
        a.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


def plot_preheat(
    series: dict[str, Any],
    outdoor: list[float],
    path: Path,
    rooms: dict[str, str] | None = None,
) -> None:
    """A week of each home: the house (single zone), or with ``rooms`` (home -> area) the
    one room of each home the series hold (bench/energy_preheat.py: the living room)."""
    homes = sorted({k.split(":")[0] for k in series})
    fig, axes = plt.subplots(len(homes), 1, figsize=(10, 3 * len(homes)), sharex=True)
    for ax, home in zip(np.atleast_1d(axes), homes, strict=False):
        occ = np.array(series[f"{home}:occupied"], dtype=float)
        x = np.arange(len(occ))
        room = (rooms or {}).get(home)
        who = f"someone awake in the {room.replace('_', ' ')}" if room else "someone home and awake"
        ax.fill_between(x, 15, 15 + 7 * occ, color="0.9", step="post", label=who)
        ax.plot(x, series[f"{home}:fixed"], label="fixed schedule")
        ax.plot(x, series[f"{home}:ours"], label="ours (pre-heating)")
        ax.set_ylabel(f"{home}: {room.replace('_', ' ') if room else 'room'} (C)")
        ax.set_ylim(14, 23)
        ax.legend(fontsize=8, loc="lower right")
    np.atleast_1d(axes)[-1].set_xlabel("hour of the first January week")
    np.atleast_1d(axes)[0].set_title(
        f"Pre-heating vs a fixed schedule (outdoor mean {np.mean(outdoor):.1f} C)"
    )
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


def plot_all(result: dict[str, Any], docs: Path) -> list[Path]:
    made = []
    c22 = result.get("citylearn_2022", {}).get("_series", {})
    for ds, series in c22.items():
        p = docs / "energy-citylearn-2022.png"
        plot_citylearn(series, f"CityLearn {ds}: a week", p)
        made.append(p)
        break
    c23 = result.get("citylearn_2023", {}).get("_series")
    if c23:
        p = docs / "energy-citylearn-2023.png"
        plot_citylearn({"ours": c23}, "CityLearn 2023 phase 2 (local evaluation): ours, a week", p)
        made.append(p)
    cot = result.get("cottage", {}).get("_series")
    if cot:
        p = docs / "energy-cottage.png"
        plot_cottage(cot, p)
        made.append(p)
    ph = result.get("home_preheat", {})
    if ph.get("_series"):
        p = docs / "energy-preheat.png"
        plot_preheat(
            {k: v for k, v in ph["_series"].items() if not k.endswith(("model", "setpoint"))},
            ph.get("outdoor", [0.0]),
            p,
            ph.get("series_room"),
        )
        made.append(p)
    return made


if __name__ == "__main__":
    merged: dict[str, Any] = {}
    for arg in sys.argv[1:] or ["bench/out/energy-series.json"]:
        merged.update(json.loads(Path(arg).read_text()))
    for p in plot_all(merged, Path(__file__).resolve().parents[1] / "docs"):
        print(p)
