"""Does the evaluation harness hold up on bigger data than the shared samples? The shared logs
repeated: the CASAS sample N times in time (each copy 30 days after the one before, so the
70/30 split tests on copies of the training days: the accuracy means nothing, the time and
memory do), and SmartThings FR's training split N times (the real test split). Each runs in a
child process (bench/routines.py --no-docs), timed, with its own peak memory.

    .venv/bin/python bench/routines_scale.py                       # CASAS x10, SmartThings x20
    .venv/bin/python bench/routines_scale.py --casas 3 --smartthings 5 --no-docs
"""

from __future__ import annotations

import argparse
import json
import lzma
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from hearthmind.routines.evaluation.harness import default_data_dir
from hearthmind.routines.evaluation.report import bench_command, save_json, write_section

REPO = Path(__file__).resolve().parents[1]


def repeated_casas(source: Path, copies: int, target: Path) -> int:
    """The CASAS sample's lines, `copies` times, each copy 30 days later. Returns the lines."""
    with lzma.open(source, "rt") as fh:
        lines = fh.read().splitlines()
    target.mkdir(parents=True, exist_ok=True)
    written = 0
    with (target / "data").open("w") as out:
        for k in range(copies):
            shift = timedelta(days=30 * k)
            for line in lines:
                parts = line.split(" ", 2)
                if len(parts) < 3:
                    continue
                whole, _, fraction = parts[1].partition(".")
                moment = datetime.fromisoformat(f"{parts[0]} {whole}") + shift
                out.write(f"{moment:%Y-%m-%d %H:%M:%S}.{fraction or '0'} {parts[2]}\n")
                written += 1
    return written


def repeated_smartthings(source: Path, copies: int, target: Path) -> int:
    """SmartThings FR with its training split `copies` times. Returns the training sequences."""
    target.mkdir(parents=True, exist_ok=True)
    for name in ("dictionary.json", "valid.jsonl.xz", "test.jsonl.xz"):
        shutil.copy(source / name, target / name)
    with lzma.open(source / "train.jsonl.xz", "rt") as fh:
        train = fh.read()
    with lzma.open(target / "train.jsonl.xz", "wt", preset=1) as out:
        for _ in range(copies):
            out.write(train if train.endswith("\n") else train + "\n")
    return copies * sum(1 for line in train.splitlines() if line.strip())


def run(option: str, folder: Path, out: Path) -> dict[str, Any]:
    """bench/routines.py on one data set in a child process: seconds, its peak memory (from
    wait4, this child's own), and its figures."""
    started = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, str(REPO / "bench/routines.py"), option, str(folder), "--no-docs",
         "--json", str(out)],
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise SystemExit(f"bench/routines.py {option} {folder} failed ({child.returncode})")
    seconds = time.perf_counter() - started
    figures = json.loads(out.read_text())
    return {"seconds": round(seconds, 1), "peak_mb": round(usage.ru_maxrss / 1024), **figures}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--casas", type=int, default=10, help="copies of the CASAS sample")
    parser.add_argument("--smartthings", type=int, default=20, help="copies of FR's train split")
    parser.add_argument("--data", type=Path, default=None, help="default ../shared/data")
    parser.add_argument("--json", type=Path, help="write the figures here as JSON")
    parser.add_argument("--docs", type=Path, default=REPO / "docs")
    parser.add_argument("--no-docs", action="store_true", help="do not touch docs/")
    args = parser.parse_args(argv)
    data = args.data or default_data_dir()
    casas = data / "casas" / "casas-al-smarthome-sample" / "data.xz"
    smartthings = data / "smartthings-fr"
    if not casas.is_file() or not smartthings.is_dir():
        parser.error(f"needs the CASAS sample and SmartThings FR under {data}")
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="hearthmind-scale-") as tmp:
        work = Path(tmp)
        sequences = repeated_smartthings(smartthings, args.smartthings, work / "st")
        st = run("--smartthings", work / "st", work / "st.json")
        ranker = st["smartthings"][st["best"]]
        results["smartthings"] = {
            "copies": args.smartthings, "training_sequences": sequences,
            "seconds": st["seconds"], "peak_mb": st["peak_mb"], "best": st["best"],
            "best_top1": ranker["top1"], "best_fit_s": ranker.get("fit_s"),
        }  # fmt: skip
        events = repeated_casas(casas, args.casas, work / "casas")
        home = run("--home", work / "casas", work / "casas.json")
        scored = next(iter(home["homes"].values()))
        results["casas"] = {
            "copies": args.casas, "events": events, "seconds": home["seconds"],
            "peak_mb": home["peak_mb"], "best_fit_s": scored[home["best"]].get("fit_s"),
        }  # fmt: skip
    print(json.dumps(results, indent=1))
    if args.json:
        save_json(results, args.json)
    if not args.no_docs:
        command = bench_command("bench/routines_scale.py", argv)
        st, home = results["smartthings"], results["casas"]
        body = "\n".join(
            [
                f"Command: `{command}`",
                "",
                "The whole harness (every model, bench/routines.py) on the shared data repeated: "
                "time and peak memory of one run on this 2-core machine. Repeated data tests on "
                "copies of what was learned, so its accuracy means nothing here.",
                "",
                "| data | size | harness time | peak memory | best model's fit |",
                "|---|---|---:|---:|---:|",
                f"| SmartThings FR, train x{st['copies']} | {st['training_sequences']:,} training "
                f"sequences | {st['seconds']:.0f} s | {st['peak_mb']:,} MB | "
                f"{st['best_fit_s']} s |",
                f"| CASAS sample x{home['copies']} | {home['events']:,} events, "
                f"{30 * home['copies']} days | {home['seconds']:.0f} s | {home['peak_mb']:,} MB "
                f"| {home['best_fit_s']} s |",
                "",
            ]
        )
        write_section(
            args.docs / "BENCHMARKS.md", body, name="routines-scale", title="Routines: scale"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
