"""The fleet report, from a run's manifest: how accurate the spaces' models are (the
distribution over spaces), the cold-start curve (top-1 by days of history, the space's own
model against the pooled one fine-tuned, on probe spaces the pooled model never saw), the
slowest spaces, and what could not be fitted and why. Plots are PNG files."""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .manifest import Manifest


@dataclass
class FleetReport:
    spaces: int
    status: dict[str, int]
    served: dict[str, int]
    top1: list[float]  # per fitted space with an evaluation window
    cold_start: dict[str, dict[str, float]]  # days -> {pooled, per_space, spaces}
    slowest: list[tuple[str, float, int]]  # (space, seconds, events)
    problems: list[tuple[str, str, str]] = field(default_factory=list)  # (space, status, error)

    def quantile(self, q: float) -> float | None:
        if not self.top1:
            return None
        ordered = sorted(self.top1)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    def as_dict(self) -> dict[str, Any]:
        return {
            "spaces": self.spaces,
            "status": self.status,
            "served": self.served,
            "top1_median": statistics.median(self.top1) if self.top1 else None,
            "top1_p10": self.quantile(0.1),
            "top1_p90": self.quantile(0.9),
            "cold_start": self.cold_start,
            "slowest": self.slowest,
            "problems": self.problems[:50],
        }


def build_report(entries: Sequence[dict[str, Any]], slowest: int = 10) -> FleetReport:
    """The report over each space's latest entry."""
    latest = {e["space"]: e for e in entries}
    ok = [e for e in latest.values() if e.get("status") == "ok"]
    curves: dict[str, dict[str, list[float]]] = {}
    for entry in ok:
        for days, scores in (entry.get("cold_start") or {}).items():
            curve = curves.setdefault(days, {"pooled": [], "per_space": []})
            curve["pooled"].append(float(scores["pooled"]))
            curve["per_space"].append(float(scores["per_space"]))
    cold = {
        days: {
            "pooled": statistics.fmean(c["pooled"]),
            "per_space": statistics.fmean(c["per_space"]),
            "spaces": len(c["pooled"]),
        }
        for days, c in sorted(curves.items(), key=lambda kv: int(kv[0]))
    }
    by_time = sorted(ok, key=lambda e: -float(e.get("fit_seconds", 0.0)))[:slowest]
    return FleetReport(
        spaces=len(latest),
        status=dict(Counter(str(e.get("status")) for e in latest.values())),
        served=dict(Counter(str(e.get("served")) for e in ok)),
        top1=[float(e["top1"]) for e in ok if e.get("top1") is not None],
        cold_start=cold,
        slowest=[(e["space"], float(e["fit_seconds"]), int(e.get("events", 0))) for e in by_time],
        problems=[
            (e["space"], str(e.get("status")), str(e.get("error", "")))
            for e in latest.values()
            if e.get("status") != "ok"
        ],
    )


def report_run(out_dir: Path) -> FleetReport:
    return build_report(Manifest(out_dir).entries())


def write_plots(report: FleetReport, folder: Path, prefix: str = "fleet-") -> list[Path]:
    """Accuracy over spaces, the cold-start curve and the slowest spaces, as PNG files."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    folder.mkdir(parents=True, exist_ok=True)
    written = []
    fig, ax = plt.subplots(figsize=(6.4, 3.6))
    ax.hist([100 * t for t in report.top1], bins=40, color="#4477aa")
    ax.set_xlabel("next-event top-1 on the space's held-out last days (%)")
    ax.set_ylabel("spaces")
    ax.set_title(f"Accuracy over {len(report.top1)} spaces")
    written.append(_save(fig, folder / f"{prefix}accuracy.png"))
    if report.cold_start:
        days = [int(d) for d in report.cold_start]
        fig, ax = plt.subplots(figsize=(6.4, 3.6))
        for key, label, colour in (
            ("pooled", "pooled, fine-tuned on the space", "#228833"),
            ("per_space", "the space's own model only", "#cc6677"),
        ):
            ax.plot(days, [100 * report.cold_start[str(d)][key] for d in days], "o-",
                    label=label, color=colour)  # fmt: skip
        n = next(iter(report.cold_start.values()))["spaces"]
        ax.set_xlabel("days of history")
        ax.set_ylabel("next-event top-1 (%)")
        ax.set_xticks(days)
        ax.set_title(f"Cold start ({int(n)} probe spaces the pooled model never saw)")
        ax.legend()
        written.append(_save(fig, folder / f"{prefix}cold-start.png"))
    if report.slowest:
        fig, ax = plt.subplots(figsize=(6.4, 3.6))
        names = [f"{s} ({n} events)" for s, _, n in report.slowest][::-1]
        ax.barh(names, [t for _, t, _ in report.slowest][::-1], color="#aa7744")
        ax.set_xlabel("seconds (fit, evaluation, cold-start probes, artefact)")
        ax.set_title("Slowest spaces")
        written.append(_save(fig, folder / f"{prefix}slowest.png"))
    return written


def _save(fig: Any, path: Path) -> Path:
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    import matplotlib.pyplot as plt

    plt.close(fig)
    return path
