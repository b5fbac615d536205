"""What the intentions file's time bound costs a fast simulation (issue 20, finding 9):
`hearthmind sim` of a family, run alternately with the bounds (as shipped) and with
count-only flushing (the time bounds set to infinity, as before), CPU seconds of the whole
process, median and range of --repeats runs each.

    flock /tmp/hearthmind-bench.lock .venv/bin/python bench/sim_flush.py --days 7 --repeats 3
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

RUN = """
import sys
from hearthmind.integrations.simulator.intentions import IntentionLog
if sys.argv[1] == "count-only":
    IntentionLog.FLUSH_SIM_SECONDS = IntentionLog.FLUSH_WALL_SECONDS = float("inf")
from hearthmind.cli import main
sys.argv = ["hearthmind", "sim", "--home", "family", "--days", sys.argv[2], "--db", sys.argv[3],
            "-c", sys.argv[4]]
main()
"""


def run(mode: str, days: float, folder: Path) -> float:
    db = folder / f"{mode}.db"
    for leftover in folder.glob(f"{mode}.db*"):
        leftover.unlink()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run([sys.executable, "-c", RUN, mode, str(days), str(db), str(folder / "cfg")],
                   check=True, capture_output=True, timeout=1800)  # fmt: skip
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--days", type=float, default=7)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    times: dict[str, list[float]] = {"bounded": [], "count-only": []}
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(args.repeats):
            for mode in times:
                times[mode].append(run(mode, args.days, Path(tmp)))
    load = Path("/proc/loadavg").read_text().split()[:3]
    result = {m: {"median_cpu_s": statistics.median(t), "min": min(t), "max": max(t)}
              for m, t in times.items()}  # fmt: skip
    result["load"] = load  # type: ignore[assignment]
    print(json.dumps(result, indent=1))
    if args.json:
        args.json.write_text(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
