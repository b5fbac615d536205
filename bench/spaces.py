"""Portable preference profiles (issue 24): a month of simulated people travelling between their
home, their car, hotel rooms and the office, with profiles on and off, on the same seeds.

Measured after a 14-day warm-up (the same life, not counted): manual comfort adjustments per
stay in a space the person never used before (a hotel room, a hot desk, a meeting room, a
rental car), minutes out of the person's comfort band in the two hours after each arrival,
the share of each applied profile the devices could take, and every message that left a hub
checked for preferences its person did not share with the receiving hub's kind of space.

Seeds 1 and 2 are development seeds (the hub's choices were made looking at them); the
figures are reported on seeds 101-103, which no choice looked at.

    .venv/bin/python bench/spaces.py --json bench/out/spaces.json        # a month, seeds 101-103
    .venv/bin/python bench/spaces.py --quick                             # a week
    .venv/bin/python bench/spaces.py --dev                               # the development seeds
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from pathlib import Path
from typing import Any

from rich.progress import Progress

from hearthmind.integrations.simulator.spaces.metrics import summarize
from hearthmind.integrations.simulator.spaces.run import Runner
from hearthmind.integrations.simulator.spaces.world import World

REPO = Path(__file__).resolve().parents[1]
DEV_SEEDS = (1, 2)
REPORT_SEEDS = (101, 102, 103)
PLACES = ("hotel", "desk", "meeting", "rental", "car", "home")


async def run_one(seed: int, days: int, profiles: bool, progress: Any, task: Any) -> dict[str, Any]:
    world = World(seed=seed, days=days, profiles=profiles)
    runner = Runner(world, progress=lambda f: progress.update(task, completed=f * 100))
    await runner.run()
    progress.update(task, completed=100)
    return summarize(world)


def pooled(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The runs of several seeds as one: means weighted by their stays and arrivals."""
    first = sum(r["first_stays"] for r in runs)
    arrivals = sum(r["arrivals"] for r in runs)
    applied = sum(r["profiles_applied"] for r in runs)
    out: dict[str, Any] = {
        "first_stays": first,
        "adjustments_per_first_stay": round(
            sum(r["adjustments_per_first_stay"] * r["first_stays"] for r in runs) / max(1, first), 4
        ),
        "arrivals": arrivals,
        "out_of_band_min_per_arrival": round(
            sum(r["out_of_band_min_per_arrival"] * r["arrivals"] for r in runs) / max(1, arrivals),
            3,
        ),
        "out_of_band_min_per_first_stay": round(
            sum(r["out_of_band_min_per_first_stay"] * r["first_stays"] for r in runs)
            / max(1, first),
            3,
        ),
        "profiles_applied": applied,
        "taken_share_mean": round(
            sum((r["taken_share_mean"] or 0) * r["profiles_applied"] for r in runs) / applied, 4
        )
        if applied
        else None,
        "taken_share_full": round(
            sum((r["taken_share_full"] or 0) * r["profiles_applied"] for r in runs) / applied, 4
        )
        if applied
        else None,
        "messages": sum(r["audit"]["messages"] for r in runs),
        "unconsented_shares": sum(r["audit"]["unconsented_shares"] for r in runs),
        "foreign_fields": sum(r["audit"]["foreign_fields"] for r in runs),
        "health": {},
        "by_place": {},
        "readiness": {
            "prepared": sum(r["readiness"]["prepared"] for r in runs),
            "missed": sum(r["readiness"]["missed"] for r in runs),
            "missed_hours": round(sum(r["readiness"]["missed_hours"] for r in runs), 1),
        },
    }
    for r in runs:
        for key, n in r["health"].items():
            out["health"][key] = out["health"].get(key, 0) + n
    for place in PLACES:
        rows = [r["by_place"][place] for r in runs if place in r["by_place"]]
        stays = sum(x["stays"] for x in rows)
        firsts = sum(x["first_stays"] for x in rows)
        out["by_place"][place] = {
            "stays": stays,
            "first_stays": firsts,
            "adjustments_per_first_stay": round(
                sum(x["adjustments_per_first_stay"] * x["first_stays"] for x in rows)
                / max(1, firsts),
                3,
            ),
            "out_of_band_min_per_arrival": round(
                sum(x["out_of_band_min_per_arrival"] * x["stays"] for x in rows) / max(1, stays), 2
            ),
        }
    away = [p for p in PLACES if p != "home"]
    stays = sum(out["by_place"][p]["stays"] for p in away)
    out["out_of_band_min_per_arrival_away_from_home"] = round(
        sum(
            out["by_place"][p]["out_of_band_min_per_arrival"] * out["by_place"][p]["stays"]
            for p in away
        )
        / max(1, stays),
        3,
    )
    return out


def plot(on: dict[str, Any], off: dict[str, Any], path: Path, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    places = [p for p in PLACES if off["by_place"][p]["stays"]]
    xs = range(len(places))
    for ax, key, label in (
        (axes[0], "adjustments_per_first_stay", "manual adjustments per first stay"),
        (axes[1], "out_of_band_min_per_arrival", "minutes out of comfort band after arrival"),
    ):
        ax.bar(
            [x - 0.2 for x in xs],
            [off["by_place"][p][key] for p in places],
            0.4,
            label="profiles off",
            color="#bbbbbb",
        )
        ax.bar(
            [x + 0.2 for x in xs],
            [on["by_place"][p][key] for p in places],
            0.4,
            label="profiles on",
            color="#3a7ca5",
        )
        ax.set_xticks(list(xs), places)
        ax.set_title(label, fontsize=10)
        ax.legend(fontsize=8)
    axes[0].set_ylabel("per stay (first stays only; car and home: none)")
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", type=Path, help="write the figures here")
    parser.add_argument("--quick", action="store_true", help="a week instead of a month")
    parser.add_argument("--dev", action="store_true", help="the development seeds (1, 2)")
    parser.add_argument("--seeds", type=int, nargs="*", help="seeds (default: 101 102 103)")
    parser.add_argument("--days", type=int, help="days measured (default 30, --quick 7)")
    parser.add_argument("--plot", type=Path, help="a PNG of the figures by kind of space")
    args = parser.parse_args(argv)
    days = args.days or (7 if args.quick else 30)
    seeds = tuple(args.seeds or (DEV_SEEDS if args.dev else REPORT_SEEDS))
    started = time.monotonic()
    results: dict[str, list[dict[str, Any]]] = {"on": [], "off": []}
    with Progress() as progress:
        for seed in seeds:
            for mode in ("off", "on"):
                task = progress.add_task(f"seed {seed}, profiles {mode}", total=100)
                results[mode].append(asyncio.run(run_one(seed, days, mode == "on", progress, task)))
    on, off = pooled(results["on"]), pooled(results["off"])
    adj = 1 - on["adjustments_per_first_stay"] / max(1e-9, off["adjustments_per_first_stay"])
    oob = 1 - on["out_of_band_min_per_arrival"] / max(1e-9, off["out_of_band_min_per_arrival"])
    report = {
        "profiles_on": on,
        "profiles_off": off,
        "adjustment_reduction": round(adj, 4),
        "out_of_band_reduction": round(oob, 4),
        "unconsented_shares": on["unconsented_shares"] + off["unconsented_shares"],
        "days": days,
        "warmup_days": 14,
        "seeds": list(seeds),
        "development_seeds": list(DEV_SEEDS),
        "seeds_are": "development" if set(seeds) <= set(DEV_SEEDS) else "report",
        "per_seed": {
            str(seed): {
                "on": {k: v for k, v in r_on.items() if k != "by_place"},
                "off": {k: v for k, v in r_off.items() if k != "by_place"},
            }
            for seed, r_on, r_off in zip(seeds, results["on"], results["off"], strict=True)
        },
        "seconds": round(time.monotonic() - started, 1),
        "command": "python bench/spaces.py " + " ".join(sys.argv[1:] if argv is None else argv),
    }
    print(
        f"first stays {on['first_stays']}: adjustments {off['adjustments_per_first_stay']:.2f}"
        f" -> {on['adjustments_per_first_stay']:.2f} per stay ({adj:.0%} fewer); out of band"
        f" {off['out_of_band_min_per_arrival']:.1f} -> {on['out_of_band_min_per_arrival']:.1f}"
        f" min per arrival ({oob:.0%} fewer); taken share {on['taken_share_mean']};"
        f" {report['unconsented_shares']} unconsented of {on['messages']} messages;"
        f" got ready {on['readiness']['prepared']} times, {on['readiness']['missed']} for nobody"
    )
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=1))
    if args.plot:
        plot(on, off, args.plot, f"{days} days, seeds {', '.join(map(str, seeds))}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
