"""Repeated runs of one benchmark, reported as the median run with every run's rate, the range
and the load average at each start: one rule for both sides of bench/core.py (ours and Home
Assistant's, bench/core_ha.py), so they are summarised the same way."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any


def median_of_runs(run: Callable[[], dict[str, Any]], runs: int) -> dict[str, Any]:
    """`runs` calls of `run` (each returns a dict with `per_s`); the median run's figures, every
    run's rate, the range, and the 1-minute load average at the start of each."""
    results = []
    for _ in range(runs):
        load = os.getloadavg()[0]
        result = run()
        result["load_average_at_start"] = round(load, 2)
        results.append(result)
    ordered = sorted(results, key=lambda r: r["per_s"])
    median = dict(ordered[len(ordered) // 2])
    median["runs"] = [round(r["per_s"]) for r in results]
    median["range"] = [round(ordered[0]["per_s"]), round(ordered[-1]["per_s"])]
    median["load_averages"] = [r["load_average_at_start"] for r in results]
    return median
