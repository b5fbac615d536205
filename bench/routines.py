"""Routines benchmark: every model on SmartThings FR (published protocol) and on each home log
(70/30 split by days), one table, JSON figures, reliability plots, docs/BENCHMARKS.md section.

    .venv/bin/python bench/routines.py                       # all of ../shared/data, docs/
    .venv/bin/python bench/routines.py --smartthings DIR --home DIR --home DIR --json out.json
                                                 # part of the data: docs/ left alone
    .venv/bin/python bench/routines.py --valid --json valid.json   # choose settings here
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from hearthmind.routines.evaluation.harness import (
    default_data_dir,
    default_home_dirs,
    run_evaluation,
)
from hearthmind.routines.evaluation.report import bench_command

REPO = Path(__file__).resolve().parents[1]


SIMULATED = (("single", 28, 3), ("family", 28, 4), ("family", 365, 11))


def simulate(folder: Path) -> list[Path]:
    """The simulated homes' databases (made once; an existing database is reused)."""
    folder.mkdir(parents=True, exist_ok=True)
    hearthmind = Path(sys.executable).parent / "hearthmind"
    made = []
    for home, days, seed in SIMULATED:
        db = folder / f"{home}-{days}d-seed{seed}.db"
        if not db.exists():
            subprocess.run(
                [
                    str(hearthmind),
                    "sim",
                    "--home",
                    home,
                    "--days",
                    str(days),
                    "--seed",
                    str(seed),
                    "--db",
                    str(db),
                ],
                check=True,
            )
        made.append(db)
    return made


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--smartthings",
        type=Path,
        help="folder in the SmartThings format (train/valid/test .jsonl.xz + dictionary.json)",
    )
    parser.add_argument(
        "--home",
        type=Path,
        action="append",
        default=[],
        help="home log folder (CASAS, van Kasteren, Ordóñez, PlaceLab, HA database); repeatable",
    )
    parser.add_argument(
        "--sim-db",
        type=Path,
        action="append",
        default=[],
        help="database of a simulated home (with its ground truth beside it); repeatable",
    )
    parser.add_argument(
        "--timing-db",
        type=Path,
        help="a long history (e.g. a simulated year) to time the best model's fit and predictions on",
    )
    parser.add_argument(
        "--simulate",
        type=Path,
        metavar="DIR",
        help=(
            "make the simulated homes first, into DIR, with `hearthmind sim` (single 28 days seed 3, "
            "family 28 days seed 4, and a family year seed 11 for timing), and evaluate them"
        ),
    )
    parser.add_argument("--json", type=Path, help="write the figures here as JSON")
    parser.add_argument(
        "--docs",
        type=Path,
        help=(
            "where ROUTINES.md, the plots and BENCHMARKS.md go (default docs/, written only by a "
            "run on all of the data: a run on --smartthings or --home alone leaves docs/ as it "
            "is unless --docs names a folder)"
        ),
    )
    parser.add_argument("--no-docs", action="store_true", help="do not touch docs/")
    parser.add_argument(
        "--valid",
        action="store_true",
        help=(
            "score a split inside the training data, never the test split (SmartThings: fit on "
            "train, score on valid; home logs and simulated homes: the first 70%% of the "
            "training days to learn, the rest to score), to choose settings; docs/ is left alone"
        ),
    )
    parser.add_argument(
        "--time-zone",
        help=(
            "the residents' time zone (IANA), for a Home Assistant database (default UTC) and "
            "simulated homes (default: the zone their ground truth names)"
        ),
    )
    args = parser.parse_args(argv)
    try:
        zone = ZoneInfo(args.time_zone) if args.time_zone else None
    except (ZoneInfoNotFoundError, ValueError):
        parser.error(f"unknown time zone {args.time_zone!r} (e.g. Europe/Amsterdam)")
    data = default_data_dir()
    smartthings = args.smartthings
    homes = list(args.home)
    if smartthings is None and not homes:
        smartthings = data / "smartthings-fr"
        homes = default_home_dirs(data)
    if args.simulate is not None:
        made = simulate(args.simulate)
        args.sim_db += made[:2]
        args.timing_db = args.timing_db or made[2]
    docs = args.docs
    if docs is None and args.smartthings is None and not args.home:
        docs = REPO / "docs"  # all of the data: the published figures
    elif docs is None and not args.no_docs:
        print(
            "docs/ left as it is: this run covers part of the data (--docs DIR to write)",
            file=sys.stderr,
        )
    command = bench_command("bench/routines.py", argv)
    figures = run_evaluation(
        smartthings,
        homes,
        json_path=args.json,
        docs_dir=None if args.no_docs else docs,
        command=command,
        simulated=args.sim_db,
        timing_db=args.timing_db,
        validation=args.valid,
        home_zone=zone,
        sim_zone=zone,
    )
    print(
        json.dumps(
            {
                k: figures[k]
                for k in ("smartthings", "smartthings_unseen", "homes", "best", "best_chosen_on")
                if k in figures
            },
            indent=1,
        )
    )
    return 0 if (figures["smartthings"] or figures["homes"]) else 1


if __name__ == "__main__":
    raise SystemExit(main())
