"""`hearthmind demo` and `hearthmind run`: the hub in real time (or at `--speed` x for the demo's
simulated home), showing who does what: a rich Live screen on a terminal, plain lines otherwise."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys
from collections import deque
from datetime import datetime, time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from hearthmind.core import (
    EVENT_STATE_CHANGED,
    Event,
    Hub,
    InstanceLock,
    RealClock,
    SetupOptions,
    StateChangedData,
)

from .common import DEFAULT_CONFIG, ConfigDir, config_dir, console, user_errors

if TYPE_CHECKING:
    from hearthmind.integrations.simulator import SimulatedHome

# The command line starts fast: the hub's packages load inside the command that needs them.


class LiveView:
    """What the demo shows: the clock, who is where, the latest changes and who made them."""

    def __init__(self, hub: Hub, home: SimulatedHome | None, keep: int = 18) -> None:
        self.hub = hub
        self.home = home
        self.changes: deque[tuple[float, str, str, str]] = deque(maxlen=keep)
        self.count = 0

    def on_change(self, event: Event[StateChangedData]) -> str | None:
        new = event.data["new_state"]
        if new is None:
            return None
        self.count += 1
        ctx = event.context
        who = ctx.origin.value + (f" ({ctx.user_id})" if ctx.user_id else "")
        self.changes.append((event.time_fired, new.entity_id, new.state, who))
        return f"{self._local(event.time_fired)}  {new.entity_id} -> {new.state}  by {who}"

    def _local(self, ts: float) -> str:
        zone = self.home.zone if self.home is not None else None
        return datetime.fromtimestamp(ts, zone).strftime("%a %d %b %H:%M:%S")

    def render(self) -> Any:
        from rich.console import Group
        from rich.panel import Panel
        from rich.table import Table

        title = f"{self.home.name if self.home else 'Hearthmind'} — {self._local(self.hub.clock.timestamp())}"
        if self.home is not None:
            labels = ", ".join(self.home.stats.labels[1:]) or "an ordinary day"
            title += f"  ({labels}; guests: {self.home.guests})"
        people = Table(show_header=True, header_style="bold", expand=True)
        people.add_column("person")
        people.add_column("where")
        people.add_column("since")
        for person in self.hub.registries.people.values():
            presence = self.hub.states.get(person.entity_id)
            if presence is None:
                continue
            area = self.hub.registries.areas.get(presence.state)
            where = area.name if area is not None else presence.state.replace("_", " ")
            people.add_row(person.name, where, self._local(presence.last_changed)[-8:])
        log = Table(show_header=True, header_style="bold", expand=True)
        log.add_column("time", no_wrap=True)
        log.add_column("entity")
        log.add_column("state")
        log.add_column("caused by")
        for ts, entity_id, state, who in reversed(self.changes):
            log.add_row(self._local(ts)[-8:], entity_id, state, who)
        counts = self.hub.health.counts
        footer = (
            f"{self.count} changes, {counts['service_calls']} service calls, "
            f"{counts['errors']} problems — Ctrl-C stops"
        )
        return Panel(Group(people, log, footer), title=title)


async def _wait_for_signal() -> None:
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    await stop.wait()


async def _serve(hub: Hub, live: bool, header: list[str]) -> None:
    """Show the hub's changes until Ctrl-C (rich Live on a terminal, plain lines otherwise)."""
    from hearthmind.integrations.simulator import get_home

    view = LiveView(hub, get_home(hub))
    for line in header:
        console.print(line, highlight=False, soft_wrap=True)
    if live:
        from rich.live import Live

        def remember(event: Event[StateChangedData]) -> None:
            view.on_change(event)

        hub.bus.async_listen(EVENT_STATE_CHANGED, remember)
        with Live(view.render(), console=console, refresh_per_second=4) as screen:
            waiter = asyncio.ensure_future(_wait_for_signal())
            while not waiter.done():
                screen.update(view.render())
                await asyncio.wait([waiter], timeout=0.25)
    else:

        def plain(event: Event[StateChangedData]) -> None:
            line = view.on_change(event)
            if line is not None:
                print(line, flush=True)

        hub.bus.async_listen(EVENT_STATE_CHANGED, plain)
        await _wait_for_signal()


async def _run_hub(
    config: Path, options: SetupOptions, clock: Any, live: bool, header: list[str]
) -> dict[str, int]:
    from hearthmind.bootstrap import async_setup_hub

    # before anything is opened, and released after everything is closed: a second hub on
    # this folder stops at once, with one line
    with InstanceLock(config):
        hub = await async_setup_hub(config, options, clock)
        try:
            lines = list(header)
            with contextlib.suppress(Exception):
                from hearthmind.api import demo_access, get_server

                if get_server(hub) is not None:
                    url, token = demo_access(hub)
                    lines.append(f"API: {url}  token: {token}")
                    lines.append(f"status page: {url}/#token={token}")
            await _serve(hub, live, lines)
        finally:
            await hub.async_stop()
    return dict(hub.health.counts)


def _preload_components() -> None:
    """Import the components before the demo's sped-up clock starts, so that seconds of
    importing are not hours of the simulated morning."""
    import importlib

    from hearthmind.bootstrap import COMPONENTS

    for _, module in COMPONENTS:
        with contextlib.suppress(ImportError):
            importlib.import_module(module)


def demo(
    config: ConfigDir = DEFAULT_CONFIG,
    home: Annotated[
        str, typer.Option("--home", help="single, couple, family or a path.")
    ] = "family",
    speed: Annotated[float, typer.Option("--speed", min=0.01, help="x real time.")] = 60.0,
    port: Annotated[int, typer.Option("--port", help="Serve the API on this port.")] = 8770,
    mqtt: Annotated[
        bool,
        typer.Option(
            "--mqtt/--no-mqtt",
            help="Simulated devices over the embedded MQTT broker, with discovery.",
        ),
    ] = True,
    seed: Annotated[int | None, typer.Option("--seed", help="Same seed, same days.")] = None,
) -> None:
    """Run the hub, its recorder and a simulated home at SPEED x real time, live.

    Shows the simulated clock, who is where, and each change with who or what caused it.
    Ctrl-C stops it cleanly."""
    from hearthmind.integrations.simulator import load_home

    with user_errors():
        spec = load_home(home)
        _preload_components()
        # the demo starts at 06:00 local time today, so people are about to wake up
        today = RealClock().now().astimezone(spec.zone).date()
        start = datetime.combine(today, time(6, 0), spec.zone)
        clock = RealClock(start=start, speed=speed)
        options = SetupOptions(home=home, seed=seed, mqtt=mqtt, api_port=port)
        cfg = config_dir(config)
        header = [
            f"Hearthmind demo: {spec.name}, {len(spec.residents)} residents, {speed:g}x real "
            f"time, config {cfg} (database {cfg / 'hearthmind.db'})"
        ]
        counts = asyncio.run(_run_hub(cfg, options, clock, sys.stdout.isatty(), header))
    _say_stopped(counts)


def run(config: ConfigDir = DEFAULT_CONFIG) -> None:
    """Start the hub from the configuration directory, in real time, until Ctrl-C."""
    cfg = config_dir(config)
    with user_errors():
        counts = asyncio.run(
            _run_hub(
                cfg,
                SetupOptions(),
                RealClock(),
                sys.stdout.isatty(),
                [f"Hearthmind running from {cfg}; Ctrl-C stops it"],
            )
        )
    _say_stopped(counts)


def _say_stopped(counts: dict[str, int]) -> None:
    console.print(
        f"stopped cleanly: {counts.get('events', 0)} events, {counts.get('errors', 0)} problems",
        highlight=False,
    )


def register(app: typer.Typer) -> None:
    """Adds this module's commands to the `hearthmind` app."""
    app.command("demo")(demo)
    app.command("run")(run)
