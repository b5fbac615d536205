"""`hearthmind sim`: a simulated home run as fast as it can on a simulated clock, its history left
in a database (and the residents' intentions next to it, `<db>.intentions.jsonl`)."""

from __future__ import annotations

import asyncio
import time as wall
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Annotated, Any

import typer

from hearthmind.core import (
    EVENT_STATE_CHANGED,
    ConfigError,
    Event,
    Hub,
    Origin,
    SetupOptions,
    SimulatedClock,
    load_config,
)

from .common import (
    DEFAULT_CONFIG,
    EXIT_UNAVAILABLE,
    ConfigDir,
    config_dir,
    console,
    err_console,
    fail,
    user_errors,
)

# The command line starts fast: the hub's packages load inside the command that needs them.

SIM_START = date(2026, 1, 5)  # a Monday: `sim` starts here at local midnight by default


@dataclass
class SimResult:
    days: float
    seconds: float
    events: int
    physical: int
    intentions: int
    committed_states: int
    committed_events: int
    problems: dict[str, int]
    intentions_path: Path | None


async def run_sim(
    home: str,
    days: float,
    db: str,
    seed: int,
    *,
    config: Path | None = None,
    start: date = SIM_START,
    progress: Any = None,
) -> SimResult:
    """Run a simulated home for `days` as fast as possible, recording into `db`."""
    from hearthmind.integrations.simulator import InProcessBinding, create_home, load_home
    from hearthmind.recorder import Recorder, RecorderError
    from hearthmind.recorder.engine import normalize_url

    spec = load_home(home)
    begin = datetime.combine(start, time(0), spec.zone)
    clock = SimulatedClock(begin)
    # Nothing in a `sim` run listens asynchronously (the simulator and the recorder's queue
    # are synchronous), so fewer settling yields per timer keep the order and save time.
    clock.SETTLE_YIELDS = 2
    # a simulation needs no configuration directory; read one only if it is there
    hub_config = load_config(config, create=False) if config is not None else None
    hub = Hub(hub_config, clock, seed=seed)
    url = normalize_url(db)
    recorder = Recorder(hub, url)
    try:
        await recorder.async_start()
    except RecorderError as err:
        raise ConfigError(db, None, str(err)) from err
    sim_home = create_home(hub, spec, SetupOptions(home=home, seed=seed, db_url=url))
    InProcessBinding(hub, sim_home).attach()

    async def close_home() -> None:
        sim_home.close()

    hub.async_on_stop(close_home)
    physical = 0
    events = 0

    def count(event: Event) -> None:
        nonlocal physical, events
        events += 1
        if event.context.origin is Origin.PHYSICAL:
            physical += 1

    hub.bus.async_listen(EVENT_STATE_CHANGED, count)
    await hub.async_start()
    sim_home.start()
    t0 = wall.perf_counter()
    total = days * 86400
    done = 0.0
    try:
        while done < total:
            step = min(86400.0, total - done)
            done += step
            await clock.async_run_until(begin + timedelta(seconds=done))
            await recorder.async_throttle()  # never let the writer fall far behind
            if progress is not None:
                progress(done / 86400)
    finally:
        committed_before_stop = recorder
        await hub.async_stop()
    seconds = wall.perf_counter() - t0
    return SimResult(
        days,
        seconds,
        events,
        physical,
        sim_home.intentions.count,
        committed_before_stop.committed_states,
        committed_before_stop.committed_events,
        {
            k: v
            for k, v in sorted(hub.health.counts.items())
            if k not in ("events", "service_calls")
        },
        sim_home.intentions.path,
    )


def sim(
    home: Annotated[str, typer.Option("--home", help="single, couple, family, or a YAML path.")],
    days: Annotated[float, typer.Option("--days", min=0.0, help="Simulated days.")],
    db: Annotated[str, typer.Option("--db", help="Database file (SQLite) or URL.")],
    seed: Annotated[int, typer.Option("--seed", help="Same seed, same history.")] = 0,
    start: Annotated[
        str, typer.Option("--start", help="First day (local midnight), YYYY-MM-DD.")
    ] = SIM_START.isoformat(),
    config: ConfigDir = DEFAULT_CONFIG,
) -> None:
    """Run a simulated home for N days as fast as possible, recording its history.

    The residents' intentions (ground truth) go to <db>.intentions.jsonl."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    try:
        first = date.fromisoformat(start)
    except ValueError as err:
        raise fail(f"--start {start!r} is not a date like 2026-01-05") from err
    with (
        user_errors(),
        Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            TextColumn("{task.completed:.0f}/{task.total:.0f} days"),
            TimeElapsedColumn(),
            console=err_console,
            transient=False,
        ) as bar,
    ):
        task = bar.add_task(f"simulating {home}", total=days)
        result = asyncio.run(
            run_sim(
                home,
                days,
                db,
                seed,
                config=config_dir(config),
                start=first,
                progress=lambda d: bar.update(task, completed=d),
            )
        )
    rate = result.days / result.seconds if result.seconds > 0 else float("inf")
    console.print(
        f"{result.days:g} days of [bold]{home}[/] (seed {seed}) in {result.seconds:.1f} s "
        f"({rate:.1f} days/s): {result.events} state changes, {result.physical} by people "
        f"at devices, {result.intentions} intentions; committed {result.committed_states} "
        f"states and {result.committed_events} events to {db}",
        highlight=False,
    )
    if result.intentions_path is not None:
        console.print(f"ground truth: {result.intentions_path}", highlight=False)
    errors = result.problems.get("errors", 0)
    if errors:
        raise fail(f"{errors} problems during the run: {result.problems}", EXIT_UNAVAILABLE)


def register(app: typer.Typer) -> None:
    """Adds this module's commands to the `hearthmind` app."""
    app.command("sim")(sim)
