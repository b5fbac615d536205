"""The routines learner's memory over a simulated year (issue 20, finding 8: "memory grows
with the routines learner, about 12 MB per simulated day", 199 -> 593 MB over 35 simulated
days, flat with routines disabled).

A hub with the recorder, a simulated home and the routines learner (its defaults: the
boosted ranker, `history_days: 90`), on a simulated clock from 2026-01-05 as fast as the clock
allows; the learner refits at the end of every `--refit-every` days (the bench refits, as
bench/agent_run.py does, so no refit is skipped while the clock races), in a child process
(`routines: fit_in: process`, the default) or in a thread (`--fit-in thread`, the way before).
After each refit: the hub process's RSS (after a full garbage collection), the learner's
history and the recorder's database size.

Flat means: from the first refit after the history is full (`history_days` plus one refit
period) to the end of the year, RSS stays within 5 % of where it was then.

    python bench/learner_year.py [--home family] [--days 365] [--fit-in process|thread|both]
                                 [--json FILE] [--docs]
    python bench/learner_year.py --docs-from FILE [--command TEXT]

`--docs` writes the section of docs/BENCHMARKS.md between its markers and a plot
(docs/learner-year.png)."""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[1]
for _path in (REPO, REPO / "bench"):  # soak.py reads tests.fixtures
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

from agent_run import NEVER, learners, quiet_logs, start_simulated_hub  # noqa: E402
from docs_section import write_marked  # noqa: E402
from hearthmind.integrations.simulator import load_home  # noqa: E402
from soak import rss_mb  # noqa: E402

MARK_START, MARK_END = "<!-- learner-year:start -->", "<!-- learner-year:end -->"
FLAT = 0.05


async def run_year(
    home: str, days: int, refit_every: int, history_days: float, fit_in: str, seed: int
) -> dict[str, Any]:
    from rich.progress import Progress

    spec = load_home(home)
    samples: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="hearthmind-year-") as tmp:
        folder = Path(tmp)
        config = {
            "hearthmind": {"time_zone": spec.time_zone},
            "routines": {
                "refit_every_hours": NEVER,  # the bench refits (see the docstring)
                "history_days": history_days,
                "fit_in": fit_in,
            },
        }
        (folder / "configuration.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
        db = folder / "home.db"
        hub, clock, begin = await start_simulated_hub(
            folder, home, seed, ("recorder", "simulator", "routines")
        )
        found = learners(hub)
        assert found, "the routines learner is not running"
        learner = found[0]
        learner._first_fit_at = float("inf")  # the bench's refits only
        t0 = time.perf_counter()
        gc.collect()
        samples.append(_sample(0, learner, db, 0.0))
        try:
            with Progress() as progress:
                task = progress.add_task(f"{home}, fit in {fit_in}", total=days)
                for day in range(1, days + 1):
                    await clock.async_run_until(begin + timedelta(days=day))
                    if day % refit_every == 0 or day == days:
                        fit_started = time.perf_counter()
                        await learner.async_refit()
                        fit_seconds = time.perf_counter() - fit_started
                        gc.collect()
                        samples.append(_sample(day, learner, db, fit_seconds))
                    progress.advance(task)
        finally:
            await hub.async_stop()
        wall = time.perf_counter() - t0
        problems = {k: v for k, v in hub.health.counts.items() if "error" in k and v}
    full = [s for s in samples if s["day"] >= history_days + refit_every]
    base = full[0]["rss_mb"] if full else samples[-1]["rss_mb"]
    return {
        "home": home,
        "days": days,
        "fit_in": fit_in,
        "history_days": history_days,
        "refit_every_days": refit_every,
        "seed": seed,
        "samples": samples,
        "rss_base_mb": base,
        "rss_base_day": full[0]["day"] if full else None,
        "rss_end_mb": samples[-1]["rss_mb"],
        "rss_growth": round((samples[-1]["rss_mb"] - base) / base, 4),
        "rss_max_growth": round((max(s["rss_mb"] for s in full or samples) - base) / base, 4),
        "flat": all(abs(s["rss_mb"] - base) / base < FLAT for s in full),
        "refits": learner.refits,
        "problems": problems,
        "wall_minutes": round(wall / 60, 1),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }


def _sample(day: int, learner: Any, db: Path, fit_seconds: float) -> dict[str, Any]:
    wal = Path(str(db) + "-wal")
    size = sum(p.stat().st_size for p in (db, wal) if p.exists())
    return {
        "day": day,
        "rss_mb": round(rss_mb(), 1),
        "history": len(learner.history),
        "db_mb": round(size / 1e6, 1),
        "fit_seconds": round(fit_seconds, 2),
    }


def docs_section(results: list[dict[str, Any]], command: str) -> str:
    rows = []
    for r in results:
        by_day = {s["day"]: s for s in r["samples"]}
        picks = [d for d in (28, 91, 182, r["days"]) if d in by_day] or [r["days"]]
        at = ", ".join(f"day {d}: {by_day[d]['rss_mb']:.0f}" for d in picks)
        rows.append(
            f"| {r['home']} | {r['fit_in']} | {r['rss_base_mb']:.0f} (day {r['rss_base_day']}) "
            f"| {r['rss_end_mb']:.0f} | {r['rss_growth'] * 100:+.1f} % "
            f"| {r['rss_max_growth'] * 100:+.1f} % | {'yes' if r['flat'] else 'no'} | {at} "
            f"| {max(s['history'] for s in r['samples']):,} | {r['wall_minutes']} | "
            f"{r['load_average'][0]} |"
        )
    table = "\n".join(rows)
    return f"""{MARK_START}
## Routines learner over a simulated year (issue 20)

Command: `{command}` ({results[-1]["when"]}; `bench/learner_year.py`'s docstring has the set-up).
A hub with the recorder, a simulated home and the routines learner (boosted ranker,
`history_days: {results[0]["history_days"]:g}`), refitted every {results[0]["refit_every_days"]} simulated days; RSS of the hub's
process after each refit and a full garbage collection. "Flat": within 5 % of the first
refit after the history is full, to the end. With fits in a child, the child's own peak is
not in these figures: it goes back to the system when the fit ends.

| home | refit in | RSS when full (MB) | RSS at the end (MB) | growth | largest | flat | RSS along the year (MB) | history (most) | minutes | load |
|---|---|---:|---:|---:|---:|---|---|---:|---:|---:|
{table}

![RSS over a simulated year](learner-year.png)
{MARK_END}"""


def plot(results: list[dict[str, Any]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 4))
    for r in results:
        days = [s["day"] for s in r["samples"]]
        ax.plot(
            days, [s["rss_mb"] for s in r["samples"]], label=f"{r['home']}, fit in {r['fit_in']}"
        )
    ax.axvline(results[0]["history_days"], color="grey", linestyle=":", label="history full")
    ax.set_xlabel("simulated day")
    ax.set_ylabel("hub RSS after refit (MB)")
    ax.set_title("The routines learner's memory over a simulated year")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def write_docs(section: str) -> None:
    write_marked(REPO / "docs" / "BENCHMARKS.md", MARK_START, MARK_END, section)


def _in_own_process(way: str, args: argparse.Namespace) -> dict[str, Any]:
    """One way's year in a fresh process: what one run left in memory is not the other's."""
    import subprocess

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "r.json"
        command = [
            sys.executable, __file__, "--home", args.home, "--days", str(args.days),
            "--refit-every", str(args.refit_every), "--history-days", str(args.history_days),
            "--seed", str(args.seed), "--fit-in", way, "--json", str(out),
        ]  # fmt: skip
        subprocess.run(command, check=True)
        result: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))[0]
        return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--home", default="family")
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--refit-every", type=int, default=7, help="days between refits")
    parser.add_argument("--history-days", type=float, default=90.0)
    parser.add_argument("--fit-in", choices=("process", "thread", "both"), default="process")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--docs", action="store_true")
    parser.add_argument(
        "--docs-from", type=Path, metavar="JSON", help="write the docs from a run's --json file"
    )
    parser.add_argument("--command", help="with --docs-from: the command that made the file")
    args = parser.parse_args()
    if args.docs_from:
        done = json.loads(args.docs_from.read_text(encoding="utf-8"))
        made_by = args.command or f"python bench/learner_year.py --json {args.docs_from}"
        write_docs(docs_section(done, made_by))
        plot(done, REPO / "docs" / "learner-year.png")
        return
    quiet_logs()
    if args.fit_in == "both":
        results = [_in_own_process(way, args) for way in ("process", "thread")]
    else:
        results = [
            asyncio.run(
                run_year(
                    args.home, args.days, args.refit_every, args.history_days, args.fit_in,
                    args.seed,
                )
            )
        ]  # fmt: skip
    for r in results:
        print(
            f"{r['home']}, fit in {r['fit_in']}: RSS {r['rss_base_mb']} MB at day "
            f"{r['rss_base_day']} -> {r['rss_end_mb']} MB at day {r['days']} "
            f"({r['rss_growth'] * 100:+.1f} %, largest {r['rss_max_growth'] * 100:+.1f} %), "
            f"flat: {r['flat']}, {r['wall_minutes']} min"
        )
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    if args.docs:
        command = "python bench/learner_year.py " + " ".join(sys.argv[1:])
        write_docs(docs_section(results, command))
        plot(results, REPO / "docs" / "learner-year.png")


if __name__ == "__main__":
    main()
