"""Fleet benchmark (issue 27): many simulated homes' routines learned on Ray.

    .venv/bin/python bench/fleet.py --json bench/out/fleet.json       # 2,000 homes
    .venv/bin/python bench/fleet.py --quick                            # 200 homes
    .venv/bin/python bench/fleet.py --dev                              # choose settings

Homes: bench/fleet_homes.py (the full simulator, cached in bench/out/fleet/homes/). Homes
0-59 are the development homes (`--dev` chooses the pooled model's size and when a space
gets its own model on them); the reported fleet is homes 60 .. 60+N-1, never looked at
while choosing. Cold-start figures are over the fleet's probe spaces (5 %, by a hash of the
id), which the pooled model never learned from; their test days are days 15-21.

Measured, in this order, each in its own output folder, with the same export and pooled model:
1. a plain serial loop over every space (`train(serial=True)`: the same per-space function
   in a fresh process of its own, without Ray) and Ray local mode with 2 workers over the
   same spaces, in `--repeats` pairs (3; serial first, then Ray first, in turn), all under
   one hold of `flock /tmp/hearthmind-bench.lock` (the machine's load printed beside each):
   the speedup is the median of the pairs' ratios, the rates the median runs';
2. a Ray run over the first `--kill-spaces` spaces in which one worker is SIGKILLed once the
   first batch is back: every space must still be fitted, exactly once;
3. cold start and the report's plots (docs/fleet-*.png) from the Ray run's manifest.
"""

from __future__ import annotations

import argparse
import fcntl
import json
import multiprocessing
import os
import shutil
import signal
import statistics
import sys
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from fleet_homes import make_fleet
from hearthmind.fleet.cluster import ray_session
from hearthmind.fleet.export import export, read_index
from hearthmind.fleet.fitting import FitSettings
from hearthmind.fleet.manifest import Manifest
from hearthmind.fleet.pooled import POOLED_FILE, ensure_pooled
from hearthmind.fleet.report import build_report, write_plots
from hearthmind.fleet.sources import Source, discover
from hearthmind.fleet.train import BatchResult, TrainOptions, TrainSummary, train

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "bench" / "out" / "fleet"
DEV_HOMES = 60
LOCK = "/tmp/hearthmind-bench.lock"


def loadavg() -> str:
    return Path("/proc/loadavg").read_text().strip()


@contextmanager
def bench_lock(use: bool = True) -> Iterator[None]:
    """The same lock as `flock /tmp/hearthmind-bench.lock`: timed runs do not overlap."""
    if not use:  # a trial of the bench's code, not figures to report
        yield
        return
    with open(LOCK, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def exported(sources: list[Source], folder: Path) -> Path:
    """The export of these spaces (made again only when the spaces differ)."""
    index = folder / "spaces.parquet"
    if index.is_file() and [e.space for e in read_index(folder)] == [s.space for s in sources]:
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    started = time.perf_counter()
    export(sources, folder)
    print(f"exported {len(sources)} spaces in {time.perf_counter() - started:.0f} s")
    return folder


def fresh(folder: Path, pooled_from: Path | None) -> Path:
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    if pooled_from is not None:  # the same pooled model in every run of this bench
        shutil.copy2(pooled_from / POOLED_FILE, folder / POOLED_FILE)
    return folder


def timed(export_dir: Path, out: Path, options: TrainOptions, label: str) -> dict[str, Any]:
    before = loadavg()
    if options.serial:
        # the serial loop in a fresh process of its own: this one runs Ray's driver, whose
        # threads would share the loop's interpreter lock (and its heap grows run by run)
        spawn = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=1, mp_context=spawn) as plain:
            summary = plain.submit(train, export_dir, out, options).result()
    else:
        summary = train(export_dir, out, options)
    after = loadavg()
    figures = {
        "seconds": summary.seconds,
        "per_min": summary.per_minute,
        "ok": summary.ok,
        "corrupt": summary.corrupt,
        "failed": summary.failed,
        "load_before": before,
        "load_after": after,
        "peak_rss_mb": summary.peak_rss_mb,
    }
    print(f"{label}: {summary.ok} spaces in {summary.seconds:.0f} s = {summary.per_minute:.0f}/min "
          f"(load {before} -> {after})")  # fmt: skip
    return figures


def median_run(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The run at the median rate (the lower middle one of an even number)."""
    ranked = sorted(runs, key=lambda r: r["per_min"])
    return ranked[(len(ranked) - 1) // 2]


def killed_run(export_dir: Path, out: Path, options: TrainOptions) -> dict[str, Any]:
    """Ray run in which a busy worker is SIGKILLed once the first batch is back."""
    killed: list[int] = []

    def kill_one(result: BatchResult) -> None:
        if not killed and result.pid > 0:
            killed.append(result.pid)  # it took the next batch at once: killed mid-task
            os.kill(result.pid, signal.SIGKILL)

    summary: TrainSummary = train(export_dir, out, options, on_batch=kill_one)
    entries = [e for e in Manifest(out).entries() if e.get("status") == "ok"]
    counts = Counter(e["space"] for e in entries)
    wanted = {e.space for e in read_index(export_dir) if e.status == "ok"}
    if options.only is not None:
        wanted &= options.only
    lost = len(wanted - set(counts))
    twice = sum(1 for n in counts.values() if n > 1)
    artefacts = sum(1 for s in wanted if (out / "models" / f"{s}.model").is_file())
    print(f"killed worker {killed}: {summary.ok} fitted, lost {lost}, twice {twice}, "
          f"artefacts {artefacts}/{len(wanted)}")  # fmt: skip
    return {"killed_pids": killed, "spaces": len(wanted), "lost": lost, "twice": twice,
            "artefacts": artefacts, "seconds": summary.seconds}  # fmt: skip


def dev_run(homes: list[Path], workers: int) -> None:
    """Cold start on the development homes for a few settings: what to choose."""
    sources = discover(homes)
    export_dir = exported(sources, OUT / "dev" / "export")
    days = (1, 3, 7, 14, 21)
    for pool in (5, 20):
        options = TrainOptions(
            settings=FitSettings(cold_start_days=days), pool_spaces=pool, probe_share=0.5
        )
        out = fresh(OUT / "dev" / f"pool{pool}", None)
        train(export_dir, out, options)
        report = build_report(Manifest(out).entries())
        print(f"pool of {pool} spaces: top-1 median {statistics.median(report.top1):.3f}")
        for d, c in report.cold_start.items():
            print(f"  {d:>2} days: pooled {c['pooled']:.3f}  per space {c['per_space']:.3f}"
                  f"  ({c['spaces']:.0f} probes)")  # fmt: skip


NODE_CORES = 16  # assumed node: 16 vCPUs (e.g. AWS c6i.4xlarge)
NODE_PRICE = 0.68  # assumed USD per node-hour (c6i.4xlarge on demand, us-east-1, list price)


def projection(fit_s: float, export_s: float, efficiency: float) -> list[dict[str, float]]:
    """Wall time and cost of a nightly run (export + fit) of 100,000 and 1,000,000 spaces on N
    nodes, from the measured per-space CPU seconds of this run and Ray's measured efficiency
    per core (speedup / workers) here; fixed costs (Ray start, the pooled fit) left out."""
    rows = []
    for spaces in (100_000, 1_000_000):
        for nodes in (1, 10, 100):
            cores = nodes * NODE_CORES * max(efficiency, 0.05)
            hours = spaces * (fit_s + export_s) / cores / 3600
            rows.append({"spaces": spaces, "nodes": nodes, "hours": hours,
                         "usd": hours * nodes * NODE_PRICE})  # fmt: skip
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--homes", type=int, default=2000)
    parser.add_argument("--quick", action="store_true", help="200 homes")
    parser.add_argument("--dev", action="store_true", help="settings on the development homes")
    parser.add_argument("--dev-homes", type=int, default=DEV_HOMES, help="with --dev: how many")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--kill-spaces", type=int, default=400)
    parser.add_argument("--repeats", type=int, default=3, help="timed serial/Ray pairs")
    parser.add_argument("--json", type=Path)
    parser.add_argument(
        "--no-lock", dest="lock", action="store_false", help="a trial: no bench lock"
    )
    parser.add_argument("--plots", type=Path, default=REPO / "docs", help="where the PNGs go")
    args = parser.parse_args(argv)
    homes_n = 200 if args.quick else args.homes
    homes = make_fleet(DEV_HOMES + homes_n, workers=args.workers)
    # Ray starts its workers at nice 15 by default, the serial loop runs at this process's
    # priority: on a shared machine that alone would starve Ray's side, so both run at ours
    os.environ.setdefault("RAY_worker_niceness", str(os.nice(0)))
    with ray_session(workers=args.workers):
        if args.dev:
            dev_run(homes[: args.dev_homes], args.workers)
            return 0
        sources = discover(homes[DEV_HOMES:])
        work = OUT / f"run-{homes_n}"
        export_dir = exported(sources, work / "export")
        options = TrainOptions()
        # the pooled model once (fitted by a first short run's `ensure_pooled`), shared
        seed = fresh(work / "pooled", None)
        ensure_pooled(export_dir, seed, read_index(export_dir), options.settings,
                      options.pool_spaces, options.probe_share)  # fmt: skip
        serial_opts = TrainOptions(serial=True)
        serials: list[dict[str, Any]] = []
        rays: list[dict[str, Any]] = []
        with bench_lock(args.lock):  # every timed run in one hold of the lock
            for n in range(args.repeats):
                # pairs in turn serial-first and Ray-first, so a drift in the machine's load
                # does not favour one side; each run in a fresh output folder
                pair = [("serial", serial_opts, serials), ("ray", options, rays)]
                for kind, opts, runs in pair if n % 2 == 0 else pair[::-1]:
                    label = f"{'serial loop' if kind == 'serial' else 'Ray, 2 workers'} #{n + 1}"
                    runs.append(timed(export_dir, fresh(work / kind, seed), opts, label))
        speedups = [r["per_min"] / s["per_min"] if s["per_min"] else 0.0
                    for s, r in zip(serials, rays, strict=True)]  # fmt: skip
        serial, ray_run = median_run(serials), median_run(rays)
        export_seconds = json.loads((export_dir / "export.json").read_text())["seconds"]
        subset = frozenset(s.space for s in sources[: args.kill_spaces])
        kill_opts = TrainOptions(only=subset)
        kill = killed_run(export_dir, fresh(work / "kill", seed), kill_opts)
    report = build_report(Manifest(work / "ray").entries())
    speedup = statistics.median(speedups)
    fit_s = serial["seconds"] / max(1, serial["ok"])
    # the export ran on `workers` cores: its CPU seconds per space
    export_s = export_seconds * args.workers / max(1, len(sources))
    plots = write_plots(report, args.plots)
    cold = {d: {"pooled": c["pooled"], "per_space": c["per_space"]}
            for d, c in report.cold_start.items()}  # fmt: skip
    result = {
        "spaces": ray_run["ok"],
        "ray_per_min": ray_run["per_min"],
        "serial_per_min": serial["per_min"],
        "speedup": speedup,
        "lost_after_kill": kill["lost"],
        "cold_start": cold,
        "peak_rss_mb_per_worker": max(ray_run["peak_rss_mb"].values(), default=0.0),
        "details": {
            "homes": homes_n,
            "serial": serial,
            "ray": ray_run,
            "serial_runs": serials,
            "ray_runs": rays,
            "speedups": speedups,
            "kill": kill,
            "cold_start_probes": {d: c["spaces"] for d, c in report.cold_start.items()},
            "report": report.as_dict(),
            "per_space_cpu_seconds": fit_s,
            "export_cpu_seconds_per_space": export_s,
            "projection": projection(fit_s, export_s, speedup / args.workers),
            "projection_assumptions": {"node_cores": NODE_CORES, "usd_per_node_hour": NODE_PRICE},
            "plots": [str(p) for p in plots],
        },
    }
    print(json.dumps({k: v for k, v in result.items() if k != "details"}, indent=2))
    if args.json is not None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
