"""CLI commands: `sim`, `demo`, `run`, `states`, `call`.

- `sim` runs a simulated home as fast as it can on a simulated clock and leaves its history
  in a database (and the residents' intentions next to it, `<db>.intentions.jsonl`).
- `demo` runs the hub (recorder, simulated home, MQTT and API when asked) at `--speed` x
  real time and shows who does what: a rich Live screen on a terminal, plain lines otherwise.
- `run` runs the hub from the configuration directory in real time.
- `states` reads the last recorded state of each entity from the database (works whether or
  not a hub is running: the recorder's SQLite is in WAL mode).
- `call` goes through the running hub's API, as Home Assistant's own clients do: the hub owns
  the devices, so a second hub built from the same config must not drive them behind its back.
  The call is first checked here exactly as the hub would (service known, data valid against
  the service's schema), then sent with a token (`--token` or HEARTHMIND_TOKEN) to `--url`
  (default: the `api:` section's host and port, else 127.0.0.1:8770). With no hub answering,
  it says so and how to start one.

Every error the user can cause (a broken YAML file, an unknown home, entity or service, bad
service data, a database that cannot be opened) is printed as one clear line naming the
problem and ends the command with a non-zero exit code (2: bad input, 1: nothing to talk
to), never a traceback."""

from __future__ import annotations

import asyncio
import contextlib
import json
import signal
import sqlite3
import sys
import time as wall
import urllib.error
import urllib.request
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
import yaml

from hearthmind.core import (
    DOMAIN_SERVICES,
    EVENT_STATE_CHANGED,
    ConfigError,
    Event,
    HealthCounters,
    HearthmindError,
    InvalidServiceDataError,
    ServiceNotFoundError,
)

from .common import DEFAULT_CONFIG, ConfigDir, config_dir, console, err_console

if TYPE_CHECKING:
    from hearthmind.core import Hub
    from hearthmind.integrations.simulator import SimulatedHome

SIM_START = date(2026, 1, 5)  # a Monday: `sim` starts here at local midnight by default
EXIT_USER_ERROR = 2  # bad input: config, home, entity, service data
EXIT_UNAVAILABLE = 1  # nothing to talk to (no database yet, no API answering)


def fail(message: str, code: int = EXIT_USER_ERROR) -> typer.Exit:
    err_console.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    return typer.Exit(code)


@contextlib.contextmanager
def user_errors() -> Iterator[None]:
    """Turn the errors a user can cause into one line and an exit code."""
    try:
        yield
    except HearthmindError as err:
        raise fail(str(err)) from err
    except OSError as err:
        raise fail(f"{err.strerror or err}: {err.filename or ''}".rstrip(": ")) from err


# -- sim --------------------------------------------------------------------------------------


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
    from hearthmind.bootstrap import SetupOptions
    from hearthmind.core import Hub, Origin, SimulatedClock, load_config
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


# -- demo and run -----------------------------------------------------------------------------


class LiveView:
    """What the demo shows: the clock, who is where, the latest changes and who made them."""

    def __init__(self, hub: Hub, home: SimulatedHome | None, keep: int = 18) -> None:
        self.hub = hub
        self.home = home
        self.changes: deque[tuple[float, str, str, str]] = deque(maxlen=keep)
        self.count = 0

    def on_change(self, event: Event) -> str | None:
        new = event.data.get("new_state")
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

        def remember(event: Event) -> None:
            view.on_change(event)

        hub.bus.async_listen(EVENT_STATE_CHANGED, remember)
        with Live(view.render(), console=console, refresh_per_second=4) as screen:
            waiter = asyncio.ensure_future(_wait_for_signal())
            while not waiter.done():
                screen.update(view.render())
                await asyncio.wait([waiter], timeout=0.25)
    else:

        def plain(event: Event) -> None:
            line = view.on_change(event)
            if line is not None:
                print(line, flush=True)

        hub.bus.async_listen(EVENT_STATE_CHANGED, plain)
        await _wait_for_signal()


async def _run_hub(
    config: Path, options: Any, clock: Any, live: bool, header: list[str]
) -> dict[str, int]:
    from hearthmind.bootstrap import async_setup_hub

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
    from hearthmind.bootstrap import SetupOptions
    from hearthmind.core import RealClock
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
    console.print(
        f"stopped cleanly: {counts.get('events', 0)} events, {counts.get('errors', 0)} problems",
        highlight=False,
    )


def run(config: ConfigDir = DEFAULT_CONFIG) -> None:
    """Start the hub from the configuration directory, in real time, until Ctrl-C."""
    from hearthmind.bootstrap import SetupOptions
    from hearthmind.core import RealClock

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
    console.print(
        f"stopped cleanly: {counts.get('events', 0)} events, {counts.get('errors', 0)} problems",
        highlight=False,
    )


# -- states -----------------------------------------------------------------------------------


def _db_url(cfg: Path, db: str | None) -> str:
    from hearthmind.core import Hub, load_config
    from hearthmind.recorder import recorder_db_url

    return recorder_db_url(Hub(load_config(cfg, create=False)), db)


def latest_states(url: str, domain: str | None = None) -> list[dict[str, Any]]:
    """The last recorded state of each entity (read-only; the hub may be running)."""
    from sqlalchemy import func, select

    from hearthmind.recorder import open_engine
    from hearthmind.recorder.schema import state_attributes, states

    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        if not path.exists():
            raise FileNotFoundError(
                2, "no database yet (run `hearthmind demo` or `sim`)", str(path)
            )
    engine = open_engine(url)
    last = select(func.max(states.c.state_id)).group_by(states.c.entity_id)
    if domain:
        last = last.where(states.c.entity_id.like(f"{domain}.%"))
    query = (
        select(
            states.c.entity_id,
            states.c.state,
            states.c.last_updated_ts,
            states.c.origin,
            states.c.user_id,
            state_attributes.c.shared_attrs,
        )
        .select_from(states.outerjoin(state_attributes))
        .where(states.c.state_id.in_(last.scalar_subquery()))
        .order_by(states.c.entity_id)
    )
    try:
        with engine.connect() as conn:
            rows = conn.execute(query).all()
    finally:
        engine.dispose()
    return [
        {
            "entity_id": r.entity_id,
            "state": r.state,
            "last_updated_ts": r.last_updated_ts,
            "origin": r.origin,
            "user_id": r.user_id,
            "attributes": json.loads(r.shared_attrs) if r.shared_attrs else {},
        }
        for r in rows
        if r.state is not None
    ]


def states_command(
    config: ConfigDir = DEFAULT_CONFIG,
    domain: Annotated[str | None, typer.Option("--domain", help="Only this domain.")] = None,
    db: Annotated[str | None, typer.Option("--db", help="Database file or URL.")] = None,
) -> None:
    """Print the last recorded state of every entity (from the database)."""
    from rich.table import Table
    from sqlalchemy.exc import SQLAlchemyError

    cfg = config_dir(config)
    with user_errors():
        url = _db_url(cfg, db)
        if url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).exists():
            raise fail(
                f"no database yet at {url.removeprefix('sqlite:///')} (run `hearthmind demo` "
                "or `hearthmind sim` first)",
                EXIT_UNAVAILABLE,
            )
        try:
            rows = latest_states(url, domain)
        except (SQLAlchemyError, sqlite3.Error) as err:
            raise fail(f"cannot read {url}: {str(err).splitlines()[0]}", EXIT_UNAVAILABLE) from err
    table = Table(title=f"{len(rows)} entities ({url})")
    for column in ("entity", "state", "last updated", "origin", "user"):
        table.add_column(column, overflow="fold")  # never cut an entity id short
    for row in rows:
        when = datetime.fromtimestamp(row["last_updated_ts"]).astimezone()
        table.add_row(
            row["entity_id"],
            row["state"],
            when.strftime("%Y-%m-%d %H:%M:%S %Z"),
            row["origin"],
            row["user_id"] or "",
        )
    console.print(table)


# -- call -------------------------------------------------------------------------------------


def parse_service_data(pairs: list[str]) -> dict[str, Any]:
    """`brightness=120 rgb_color=[255,0,0] transition=1.5` -> typed values (YAML scalars)."""
    data: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise InvalidServiceDataError("call", "data", f"{pair!r} is not key=value")
        try:
            data[key.strip()] = yaml.safe_load(value) if value.strip() else ""
        except yaml.YAMLError:
            data[key.strip()] = value
    return data


def validate_call(
    service: str, entity_id: str, data: dict[str, Any], health: HealthCounters
) -> tuple[str, str]:
    """Check a service call the way the hub will (service known, data valid), and count what
    is wrong, before anything goes over the wire."""
    from pydantic import ValidationError

    from hearthmind.core import valid_entity_id
    from hearthmind.core.errors import InvalidEntityIdError

    domain, _, name = service.partition(".")
    if not valid_entity_id(entity_id):
        err: HearthmindError = InvalidEntityIdError(entity_id)
        health.problem(err.counter, str(err))
        raise err
    if not name or (domain not in DOMAIN_SERVICES and domain != "homeassistant"):
        err = ServiceNotFoundError(domain, name)
        health.problem(err.counter, str(err))
        raise err
    schemas = DOMAIN_SERVICES.get(domain, {})
    if domain != "homeassistant":
        schema = schemas.get(name)
        if schema is None:
            err = ServiceNotFoundError(domain, name)
            health.problem(err.counter, str(err))
            raise err
        try:
            schema.model_validate(data)
        except ValidationError as exc:
            reason = "; ".join(
                f"{'.'.join(str(p) for p in e['loc']) or 'data'}: {e['msg']}" for e in exc.errors()
            )
            err = InvalidServiceDataError(domain, name, reason)
            health.problem(err.counter, str(err))
            raise err from exc
    return domain, name


def call(
    service: Annotated[str, typer.Argument(help="domain.service, e.g. light.turn_on")],
    entity_id: Annotated[str, typer.Argument(help="The target, e.g. light.kitchen")],
    data: Annotated[list[str] | None, typer.Argument(help="key=value service data")] = None,
    config: ConfigDir = DEFAULT_CONFIG,
    url: Annotated[
        str | None, typer.Option("--url", help="The hub's API (default from the config).")
    ] = None,
    token: Annotated[
        str | None,
        typer.Option("--token", envvar="HEARTHMIND_TOKEN", help="An API token."),
    ] = None,
) -> None:
    """Call a service on the running hub, through its API.

    The call is checked here first, then sent with a token (`hearthmind token create`)."""
    health = HealthCounters()
    cfg = config_dir(config)
    with user_errors():
        payload = parse_service_data(data or [])
        domain, name = validate_call(service, entity_id, payload, health)
        base = url or _api_url(cfg)
    if not token:
        raise fail(
            "no API token: create one with `hearthmind token create -c DIR --name cli` and "
            "pass it with --token or HEARTHMIND_TOKEN",
            EXIT_UNAVAILABLE,
        )
    body = json.dumps({"entity_id": entity_id, **payload}).encode()
    request = urllib.request.Request(
        f"{base.rstrip('/')}/api/services/{domain}/{name}",
        data=body,
        method="POST",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            answer = json.loads(response.read() or b"null")
    except urllib.error.HTTPError as err:
        message = _http_message(err)
        raise fail(f"the hub refused {service} on {entity_id}: {message}") from err
    except (urllib.error.URLError, OSError) as err:
        reason = getattr(err, "reason", err)
        raise fail(
            f"no hub API answering at {base} ({reason}): start it with `hearthmind run -c DIR` "
            "or `hearthmind demo -c DIR --port N` (calls go through the running hub, which "
            "owns the devices)",
            EXIT_UNAVAILABLE,
        ) from err
    changed = answer if isinstance(answer, list) else []
    console.print(f"{service} {entity_id}: ok", highlight=False)
    for state in changed:
        if isinstance(state, dict):
            console.print(f"  {state.get('entity_id')} -> {state.get('state')}", highlight=False)


def _api_url(cfg: Path) -> str:
    from hearthmind.core import load_config

    config = load_config(cfg, create=False)
    section = config.raw.get("api") or {}
    host = section.get("host", "127.0.0.1") if isinstance(section, dict) else "127.0.0.1"
    port = section.get("port", 8770) if isinstance(section, dict) else 8770
    return f"http://{host}:{port}"


def _http_message(err: urllib.error.HTTPError) -> str:
    try:
        body = json.loads(err.read() or b"{}")
        if isinstance(body, dict) and body.get("message"):
            return f"HTTP {err.code}: {body['message']}"
    except (ValueError, OSError):
        pass
    return f"HTTP {err.code} {err.reason}"


def register(app: typer.Typer) -> None:
    """Adds this module's commands to the `hearthmind` app."""
    app.command("sim")(sim)
    app.command("demo")(demo)
    app.command("run")(run)
    app.command("states")(states_command)
    app.command("call")(call)
