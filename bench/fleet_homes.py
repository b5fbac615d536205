"""The simulated fleet behind bench/fleet.py: many homes of 30 days, each a recorder database
made by the full simulator (`hearthmind sim`'s `run_sim`: residents, devices, the hub's
recorder), with varied residents and seeds, cached under bench/out/fleet/homes/.

Variety: the three shipped homes (single, couple, family), each in variants whose residents
wake, leave, come back and go to bed earlier or later (a home-wide shift of -90..+90 minutes)
and like coffee and TV more or less; every home has its own seed. A home's database is made
once and reused (a finished one has its `.done` marker beside it).

    .venv/bin/python bench/fleet_homes.py --homes 2000     # makes what is missing
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
from concurrent.futures import ProcessPoolExecutor, as_completed
from datetime import datetime, timedelta
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
HOMES_DIR = REPO / "bench" / "out" / "fleet" / "homes"
TEMPLATES = ("single", "couple", "family")
VARIANTS = 8  # residents' variants per shipped home
DAYS = 30
_CLOCKS = ("wake", "wake_weekend", "leave", "back", "bedtime", "bedtime_weekend")


def home_name(index: int) -> str:
    return f"home-{index:06d}"


def _shifted(clock: str, minutes: int) -> str:
    moment = datetime(2026, 1, 1, int(clock[:2]), int(clock[3:5])) + timedelta(minutes=minutes)
    return moment.strftime("%H:%M")


def variant_file(template: str, variant: int, folder: Path) -> Path:
    """A shipped home with its residents' days shifted and their likings varied (seeded by
    the variant, so every run makes the same variants)."""
    from hearthmind.integrations.simulator.spec import home_path

    path = folder / f"{template}-v{variant}.yaml"
    if path.exists():
        return path
    data = yaml.safe_load(home_path(template).read_text())
    rng = random.Random(f"{template}-{variant}")
    shift = rng.choice(range(-90, 91, 15))
    for resident in data.get("residents", []):
        schedule = resident.setdefault("schedule", {})
        for key in _CLOCKS:
            if key in schedule:
                schedule[key] = _shifted(str(schedule[key]), shift)
        for key in ("coffee", "tv", "reads_in_bed"):
            if key in schedule:
                schedule[key] = round(min(1.0, max(0.0, schedule[key] + rng.uniform(-0.3, 0.3))), 2)
    folder.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(yaml.safe_dump(data, sort_keys=False))
    tmp.replace(path)
    return path


def make_home(index: int, folder: Path) -> Path:
    """One home's recorder database (made by the full simulator; reused when done)."""
    from hearthmind.cli.sim import run_sim

    db = folder / f"{home_name(index)}.db"
    done = db.with_suffix(".done")
    if done.exists():
        return db
    template = TEMPLATES[index % len(TEMPLATES)]
    variant = (index // len(TEMPLATES)) % VARIANTS
    spec = variant_file(template, variant, folder / "variants")
    for leftover in folder.glob(f"{db.name}*"):  # a half-made home from an interrupted run
        leftover.unlink()
    asyncio.run(run_sim(str(spec), DAYS, str(db), seed=1000 + index))
    done.write_text(f"{template} v{variant} seed {1000 + index}\n")
    return db


def make_fleet(homes: int, folder: Path = HOMES_DIR, workers: int = 2) -> list[Path]:
    """The first `homes` homes of the fleet, made where missing, with a progress bar."""
    from rich.progress import Progress

    folder.mkdir(parents=True, exist_ok=True)
    for template in TEMPLATES:  # made once, before the workers race for them
        for variant in range(VARIANTS):
            variant_file(template, variant, folder / "variants")
    missing = [i for i in range(homes) if not (folder / f"{home_name(i)}.done").exists()]
    if missing:
        with Progress() as progress, ProcessPoolExecutor(workers) as pool:
            task = progress.add_task("simulating the fleet", total=len(missing))
            futures = [pool.submit(make_home, i, folder) for i in missing]
            for future in as_completed(futures):
                future.result()
                progress.advance(task)
    return [folder / f"{home_name(i)}.db" for i in range(homes)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--homes", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    made = make_fleet(args.homes, workers=args.workers)
    print(f"{len(made)} homes in {HOMES_DIR}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
