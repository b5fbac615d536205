"""Ray's overhead in CPU time, which a shared machine does not distort as it does wall time.

On this machine the kernel shares the CPU between sessions (sched_autogroup): a bench's
serial loop and Ray's workers, in the bench's one session, get that session's share whatever
their number, so with other sessions busy the wall-clock speedup measures the scheduler, not
Ray. CPU seconds do not: this runs a serial loop and Ray (2 workers) over the same spaces
of bench/fleet.py's export and counts the CPU seconds of every process of this session
(the bench, Ray's raylet, GCS, agents, workers) from /proc, before and after each.

    .venv/bin/python bench/fleet_cpu.py --spaces 200 --json bench/out/fleet-cpu.json
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from pathlib import Path

from hearthmind.fleet.cluster import ray_session
from hearthmind.fleet.export import read_index
from hearthmind.fleet.train import TrainOptions, train

REPO = Path(__file__).resolve().parents[1]
TICKS = os.sysconf("SC_CLK_TCK")


def session_cpu_seconds() -> float:
    """User + system CPU seconds of every live process in this session, children's included
    once they are reaped (Ray's processes are alive until shutdown, so they are counted)."""
    sid = os.getsid(0)
    total = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        if int(fields[3]) != sid:  # field 6 of stat: the session id
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / TICKS


def run(export_dir: Path, out: Path, options: TrainOptions) -> dict[str, float]:
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    pooled = export_dir.parent / "pooled" / "pooled.model"
    shutil.copy2(pooled, out / "pooled.model")
    cpu0, wall0 = session_cpu_seconds(), time.perf_counter()
    summary = train(export_dir, out, options)
    cpu, wall = session_cpu_seconds() - cpu0, time.perf_counter() - wall0
    return {"spaces": summary.ok, "cpu_s": cpu, "wall_s": wall, "cpu_per_space": cpu / summary.ok}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--spaces", type=int, default=200)
    parser.add_argument("--run", type=Path, default=REPO / "bench" / "out" / "fleet" / "run-2000")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    if os.getsid(0) != os.getpid():  # a session of its own: count only what this run starts
        os.execvp("setsid", ["setsid", "--wait", sys.executable, *sys.argv])
    export_dir = args.run / "export"
    only = frozenset(e.space for e in read_index(export_dir)[: args.spaces])
    work = args.run / "cpu"
    serial = run(export_dir, work / "serial", TrainOptions(serial=True, only=only))
    os.environ.setdefault("RAY_worker_niceness", str(os.nice(0)))
    with ray_session(workers=2):
        idle0 = session_cpu_seconds()
        time.sleep(5)  # Ray's processes at rest: their CPU is overhead too, counted below
        idle = (session_cpu_seconds() - idle0) / 5
        ray_run = run(export_dir, work / "ray", TrainOptions(only=only))
    result = {
        "serial": serial,
        "ray": ray_run,
        "ray_idle_cpu_per_s": idle,
        "ray_cpu_overhead": ray_run["cpu_s"] / serial["cpu_s"] - 1,
        # an estimate: both cores free, Ray's CPU spread over them as its workers' is
        "speedup_if_cores_free": 2 * serial["cpu_s"] / ray_run["cpu_s"],
        "load": Path("/proc/loadavg").read_text().strip(),
    }
    print(json.dumps(result, indent=2))
    if args.json is not None:
        args.json.write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
