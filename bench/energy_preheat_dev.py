"""The choice of the pre-heating bench's TUNING, on the development seed only.

    PYTHONPATH=src .venv/bin/python bench/energy_preheat_dev.py [--weather EPW] [--quick]

Runs the per-room bench (bench/energy_preheat.py, zones "rooms", interior factor 1.0) on
seed 11 for each setting of a small grid, prints a table and writes it to
bench/out/preheat-dev.json. The grid: occupied_share x margin, and warm_ahead: whether the
room is to be warm by the end of the hour before an expected hour (1, the hub's own rule in
comfort.preheat_plan.floors) or only by the end of that hour (0, the bench as it was). The rule, fixed before the grid was run: the largest energy saving
among the settings with no more discomfort hours than the fixed schedule; if none has, the one
with the fewest discomfort hours (then the larger saving), and the table says no setting met
the bound. Seed 7, the report, is never run here.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from energy import OUT, WEATHER  # noqa: E402
from energy_preheat import run_preheat  # noqa: E402

DEV_SEED = 11
SHARES = (0.2, 0.3, 0.5, 0.7)
MARGINS = (0.25, 0.5)
WARM_AHEAD = (0, 1)


def choose(rows: list[dict[str, Any]]) -> tuple[dict[str, Any], bool]:
    """The chosen row and whether it keeps discomfort within the fixed schedule's."""
    ok = [r for r in rows if r["discomfort_hours"] <= r["baseline_discomfort_hours"]]
    if ok:
        return max(ok, key=lambda r: r["energy_saving"]), True
    return min(rows, key=lambda r: (r["discomfort_hours"], -r["energy_saving"])), False


def main() -> None:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--weather", type=Path, default=WEATHER)
    p.add_argument("--quick", action="store_true", help="a week of January, to try the script")
    args = p.parse_args()
    rows: list[dict[str, Any]] = []
    for ahead, share, margin in itertools.product(WARM_AHEAD, SHARES, MARGINS):
        t0 = time.time()
        tuning = {"occupied_share": share, "margin": margin, "warm_ahead": ahead}
        r = run_preheat(args.weather, args.quick, DEV_SEED, tuning=tuning)
        one = r["single_zone"]
        rows.append(
            {
                **tuning,
                "energy_saving": round(r["energy_saving"], 4),
                "discomfort_hours": r["discomfort_hours"],
                "baseline_discomfort_hours": r["baseline_discomfort_hours"],
                "by_home": {
                    h: {
                        "energy_saving": round(v["energy_saving"], 4),
                        "discomfort_hours": v["discomfort_hours"],
                    }
                    for h, v in r["by_home"].items()
                },
                "single_zone": {
                    "energy_saving": round(one["energy_saving"], 4),
                    "discomfort_hours": one["discomfort_hours"],
                    "baseline_discomfort_hours": one["baseline_discomfort_hours"],
                },
                "seconds": round(time.time() - t0),
            }
        )
        print(json.dumps(rows[-1]), file=sys.stderr, flush=True)
    best, within = choose(rows)
    print(f"seed {DEV_SEED}, {'a week' if args.quick else 'January'}, per room")
    print(
        "ahead  share  margin  saving  discomfort  fixed  | single zone: saving  discomfort  fixed"
    )
    for r in rows:
        one = r["single_zone"]
        mark = " <- chosen" if r is best else ""
        print(
            f"{r['warm_ahead']:5d}  {r['occupied_share']:5.2f}  {r['margin']:6.2f}  "
            f"{r['energy_saving']:+6.1%}  "
            f"{r['discomfort_hours']:10d}  {r['baseline_discomfort_hours']:5d}  |  "
            f"{one['energy_saving']:+6.1%}  {one['discomfort_hours']:10d}  "
            f"{one['baseline_discomfort_hours']:5d}{mark}"
        )
    if not within:
        print("no setting keeps discomfort within the fixed schedule's: the fewest is chosen")
    OUT.mkdir(exist_ok=True)
    out = {
        "seed": DEV_SEED,
        "days": 7 if args.quick else 31,
        "weather": str(args.weather),
        "rule": "largest energy_saving with discomfort_hours <= baseline_discomfort_hours; "
        "if none, fewest discomfort_hours",
        "chosen": {k: best[k] for k in ("occupied_share", "margin", "warm_ahead")},
        "chosen_within_bound": within,
        "rows": rows,
    }
    path = OUT / ("preheat-dev-quick.json" if args.quick else "preheat-dev.json")
    path.write_text(json.dumps(out, indent=1))
    print(path)


if __name__ == "__main__":
    main()
