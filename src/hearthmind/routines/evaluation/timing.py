"""How long the best model takes on a long history: fitting (wall and CPU seconds) and one
prediction (median and 95th percentile), as the issue asks (a year < 60 s, < 5 ms)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from ..models import ContextRanker
from ..recorder_bridge import read_observations


def measure_fit_and_predict(db: Path, predictions: int = 300) -> dict[str, Any]:
    log = read_observations(db)
    if len(log.observations) < 100:
        raise ValueError(f"{db}: too little history to time ({len(log.observations)} observations)")
    model = ContextRanker()
    wall, cpu = time.perf_counter(), time.process_time()
    model.fit([log.observations])
    fit_s, fit_cpu_s = time.perf_counter() - wall, time.process_time() - cpu
    latencies = []
    obs = log.observations
    for i in range(predictions):
        end = len(obs) - 1 - (i * 97) % max(1, len(obs) - 40)
        recent = obs[max(0, end - 30) : end]
        if not recent:
            continue
        t0 = time.perf_counter()
        model.predict(recent[-1].time, recent, 3)
        latencies.append(time.perf_counter() - t0)
    latencies.sort()
    return {
        "model": model.name,
        "observations": len(obs),
        "days": log.days,
        "fit_s": round(fit_s, 1),
        "fit_cpu_s": round(fit_cpu_s, 1),
        "predict_ms_median": round(latencies[len(latencies) // 2] * 1000, 2),
        "predict_ms_p95": round(latencies[int(0.95 * (len(latencies) - 1))] * 1000, 2),
    }
