"""Week plots of the data-hall benchmark: hottest rack inlet, supply air, chilled water and
cooling power of ours, shipped and best fixed, for a summer and a winter week."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

WEEKS = {"summer": 196 * 24, "winter": 14 * 24}  # mid-July, mid-January (hour of the year)
COLOURS = {"ours": "tab:green", "shipped": "tab:red", "best_fixed": "tab:blue"}


def week_plots(
    series: dict[str, dict[str, list[float]]],
    folder: Path,
    month: int | None,
    label: str = "the run's first weather file and workload",
) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    hours = len(series["ours"]["inlet_c"])
    weeks = WEEKS if month is None else {f"month-{month}": 0}  # a month: its first week
    for name, first in weeks.items():
        if first + 168 > hours:
            continue
        sl = slice(first, first + 168)
        fig, axes = plt.subplots(4, 1, figsize=(10, 9), sharex=True)
        t = np.arange(168) / 24.0
        for ctl, s in series.items():
            kw = {"color": COLOURS[ctl], "label": ctl.replace("_", " "), "lw": 1.2}
            axes[0].plot(t, np.asarray(s["inlet_c"])[sl], **kw)
            axes[1].plot(t, np.asarray(s["supply_c"])[sl], **kw)
            axes[2].plot(t, np.asarray(s["chilled_water_c"])[sl], **kw)
            axes[3].plot(t, np.asarray(s["hvac_kwh"])[sl], **kw)
        axes[0].axhspan(18, 27, color="0.9", zorder=0)
        axes[0].set_ylabel("hottest inlet (C)")
        axes[1].set_ylabel("supply air (C)")
        axes[2].set_ylabel("chilled water (C)")
        axes[3].set_ylabel("cooling (kWh/h)")
        ax2 = axes[1].twinx()
        ax2.plot(t, np.asarray(series["ours"]["outdoor_c"])[sl], color="0.5", ls=":", lw=1)
        ax2.set_ylabel("outdoor (C, dotted)")
        axes[3].set_xlabel("day of the week")
        axes[0].legend(loc="upper right", ncol=3, fontsize=8)
        fig.suptitle(f"Data hall in EnergyPlus, {name} week ({label})")
        fig.tight_layout()
        path = folder / f"datacenter-{name}-week.png"
        fig.savefig(path, dpi=90)
        plt.close(fig)
        out.append(path)
    return out
