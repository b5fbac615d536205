"""`hearthmind demo` and `hearthmind run`: the hub in real time (or at `--speed` x for the demo's
simulated home), showing who does what: a rich Live screen on a terminal, plain lines otherwise."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys
from collections import deque
from dataclasses import dataclass
from datetime import UTC, datetime, time, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from hearthmind.core import (
    EVENT_STATE_CHANGED,
    Event,
    HealthProblem,
    Hub,
    InstanceLock,
    RealClock,
    SetupOptions,
    StateChangedData,
    load_config,
)

from .common import DEFAULT_CONFIG, ConfigDir, config_dir, console, user_errors

if TYPE_CHECKING:
    from hearthmind.integrations.simulator import SimulatedHome

# The command line starts fast: the hub's packages load inside the command that needs them.

Verbose = Annotated[
    int,
    typer.Option("-v", "--verbose", count=True, help="Show info (-v) or debug (-vv) logs too."),
]


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
        # the home's one time zone (a simulated home's is its own: the simulator set it)
        return datetime.fromtimestamp(ts, self.hub.config.zone).strftime("%a %d %b %H:%M:%S")

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
            room = presence.attributes.get("room")
            area = self.hub.registries.areas.get(room) if isinstance(room, str) else None
            where = area.name if area is not None else presence.state.replace("_", " ")
            # last_updated: a move between rooms changes the room attribute, not the state
            people.add_row(person.name, where, self._local(presence.last_updated)[-8:])
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


def _where_lines(hub: Hub, demo: bool) -> list[str]:
    """Where a person reaches the hub: its API (and the demo's token), its MQTT broker."""
    from hearthmind.api import demo_access, get_server
    from hearthmind.integrations.mqtt import DATA_KEY as MQTT_KEY
    from hearthmind.integrations.mqtt.broker_auth import CREDENTIALS_FILE

    lines = []
    server = get_server(hub)
    if server is not None:
        if demo:
            url, token = demo_access(hub)
            lines.append(f"API: {url}  token: {token} (kept across restarts)")
            # the fragment never reaches the server; the page keeps the token and drops it
            lines.append(f"dashboard: {url}/#token={token}")
        else:
            url = server.url
            lines.append(
                f"API: {url} (hearthmind call/say/states -c {hub.config.config_dir} use it; "
                "a token for other clients: hearthmind token create --name NAME)"
            )
    else:
        lines.append("API: not served")
    mqtt = hub.data.get(MQTT_KEY)
    if mqtt is not None:
        broker = mqtt.broker
        if broker is not None:
            settings = mqtt.connection.settings
            who = (
                f"user {settings.username}, password in {hub.config.config_dir / CREDENTIALS_FILE}"
                if settings.username
                else "anonymous clients allowed"
            )
            lines.append(
                f"MQTT: embedded broker at {broker.url} ({who}; discovery prefix "
                f"{mqtt.config.discovery_prefix})"
            )
        else:
            lines.append(f"MQTT: broker {mqtt.connection.settings.url}")
    return lines


async def _run_hub(
    config: Path,
    options: SetupOptions,
    clock: Any,
    live: bool,
    header: list[str],
    verbose: int = 0,
) -> HubOutcome:
    from hearthmind.bootstrap import async_setup_hub

    # before anything is opened, and released after everything is closed: a second hub on
    # this folder stops at once, with one line
    with InstanceLock(config):
        log_path = _start_logging(config, verbose)
        hub = await async_setup_hub(config, options, clock)
        try:
            lines = [*header, *_where_lines(hub, demo=options.home is not None)]
            lines.append(f"log: {log_path}; times in {hub.config.core.time_zone}")
            await _serve(hub, live, lines)
        finally:
            await hub.async_stop()
    return HubOutcome(dict(hub.health.counts), list(hub.health.recent))


@dataclass
class HubOutcome:
    counts: dict[str, int]
    problems: list[HealthProblem]


def _start_logging(config: Path, verbose: int) -> Path:
    from hearthmind.bootstrap import COMPONENTS
    from hearthmind.core import LoggerConfig, configure_logging, load_config

    loaded = load_config(config)
    section = loaded.section("logger", LoggerConfig)
    aliases = {name: module for name, module in COMPONENTS}
    return configure_logging(config, section, loaded.zone, verbose, aliases)


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
    port: Annotated[
        int | None,
        typer.Option(
            "--port", help="Serve the API on this port (default: http: server_port, 8123)."
        ),
    ] = None,
    mqtt: Annotated[
        bool,
        typer.Option(
            "--mqtt/--no-mqtt",
            help="Simulated devices over the embedded MQTT broker, with discovery.",
        ),
    ] = True,
    seed: Annotated[int | None, typer.Option("--seed", help="Same seed, same days.")] = None,
    verbose: Verbose = 0,
) -> None:
    """Run the hub, its recorder and a simulated home at SPEED x real time, live.

    Shows the simulated clock, who is where, and each change with who or what caused it.
    Ctrl-C stops it cleanly."""
    from hearthmind.integrations.simulator import load_home

    with user_errors():
        spec = load_home(home)
        _preload_components()
        cfg = config_dir(config)
        # a new folder's configuration says the zone the home lives in
        load_config(cfg, time_zone=spec.time_zone)
        start, resumed = _demo_start(cfg, spec.zone)
        clock = RealClock(start=start, speed=speed)
        options = SetupOptions(
            home=home, seed=seed, mqtt=mqtt, api_port=port, extra={"serve_api": True}
        )
        header = [
            f"Hearthmind demo: {spec.name}, {len(spec.residents)} residents, {speed:g}x real "
            f"time, config {cfg} (database {cfg / 'hearthmind.db'})",
            f"clock: {start.astimezone(spec.zone):%a %d %b %H:%M} {spec.time_zone}"
            + (" (continuing the recorded history)" if resumed else ""),
        ]
        outcome = asyncio.run(_run_hub(cfg, options, clock, sys.stdout.isatty(), header, verbose))
    _say_stopped(outcome)


def _demo_start(cfg: Path, zone: tzinfo) -> tuple[datetime, bool]:
    """Where the demo's clock starts: where the recorded history ends (so two runs never
    interleave), else 06:00 today in the home's zone, as people are about to wake up."""
    from hearthmind.recorder import config_db_url, last_recorded_time

    with contextlib.suppress(Exception):  # an unreadable database is the recorder's to say
        last = last_recorded_time(config_db_url(load_config(cfg, create=False)))
        if last is not None:
            return datetime.fromtimestamp(last + 1, UTC), True
    today = RealClock().now().astimezone(zone).date()
    return datetime.combine(today, time(6, 0), zone), False


def run(config: ConfigDir = DEFAULT_CONFIG, verbose: Verbose = 0) -> None:
    """Start the hub from the configuration directory, in real time, until Ctrl-C. The API
    is served on `http: server_port` (8123 by default)."""
    cfg = config_dir(config)
    with user_errors():
        outcome = asyncio.run(
            _run_hub(
                cfg,
                SetupOptions(extra={"serve_api": True}),
                RealClock(),
                sys.stdout.isatty(),
                [f"Hearthmind running from {cfg}; Ctrl-C stops it"],
                verbose,
            )
        )
    _say_stopped(outcome)


def _say_stopped(outcome: HubOutcome) -> None:
    """The stop line names each counted problem (how many, the last one's words)."""
    counts = outcome.counts
    errors = counts.get("errors", 0)
    line = (
        f"stopped cleanly: {counts.get('events', 0)} events, {errors} problem{'s' * (errors != 1)}"
    )
    last: dict[str, str] = {}
    for problem in outcome.problems:
        last[problem.counter] = problem.message
    named = [
        f"{counts.get(counter, 0)} {counter} (last: {_short(message)})"
        for counter, message in last.items()
    ]
    console.print(
        line + (": " + "; ".join(named) if named else ""), highlight=False, soft_wrap=True
    )


def _short(message: str, most: int = 160) -> str:
    return message if len(message) <= most else message[: most - 1] + "…"


def register(app: typer.Typer) -> None:
    """Adds this module's commands to the `hearthmind` app."""
    app.command("demo")(demo)
    app.command("run")(run)
