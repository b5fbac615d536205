"""Soak: the hub under steady load for an hour (issue 20). Does it lose messages, grow, or
slow down?

Workload (bench/core_mqtt.py's, held for an hour, with the rest of a hub running):

* a real Mosquitto on a free 127.0.0.1 port; 1,000 sensors from MQTT discovery;
* 100 automations (state of sensor k -> `mqtt.publish` of it on bench/cmd/k), the recorder
  (SQLite) and the routines learner on (refit every 10 minutes, 2 in --quick), learning
  from people's actions: a light switched by hand (`origin: physical`) every 2 s;
* 1,000 MQTT state messages/s from bench/ha/mqtt_load.py in its own process; latency is the
  sensor's state message to the automation's command at a subscriber, per window (5
  minutes; 1 in --quick), a new generator per window after the hub has answered a ping;
* in a second process, an API client polling (`/api/hearthmind/health` and one state every
  second, all states every 30 s) and a WebSocket client subscribed to every state change
  (with `coalesce_messages`, as Home Assistant's frontend asks);
* the hub's RSS sampled every minute. Its growth is measured from the first sample after
  the learner's first fit (the model is the last big thing a starting hub allocates) to
  the last sample.

Targets: 0 lost, RSS growth < 5 %, p99 < 5 ms in every window.

The broker runs with `set_tcp_nodelay true` (Nagle's algorithm off on its sockets; mosquitto
leaves it on by default). With the default, the broker's small writes can wait for the
receiver's delayed ACK (most likely on the latency probe's subscriber, which sends nothing
back for an ACK to ride on; which leg was not measured apart): one
5-minute window at 12:34 UTC (load 1.7) gave p50 6.15 / p99 19.89 ms with the hub's event
loop late by more than 1.51 ms only 1 % of the time and no GC pause over 5.6 ms (the
per-window `loop_lag_*` and `gc*` figures), against p50 0.73 / p99 2.45 ms with Nagle off at
12:40 (load 2.1). One-minute windows (`--quick`) had hidden it. `SOAK_BROKER_NAGLE=1` runs
with mosquitto's default. Each window also reports the loop's lag (a 5 ms sleep's lateness,
p99 and max) and each GC generation's (collections, longest ms, total ms).

    python bench/soak.py [--quick] [--json FILE] [--docs]

`--json` writes {"lost", "rss_growth", "p99_ms_max", ...}; `--docs` adds the figures to
docs/BENCHMARKS.md."""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
for path in (REPO, REPO / "bench"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

from tests.fixtures.mosquitto import MosquittoServer  # noqa: E402

from core_mqtt import SENSORS, _generator, automations_yaml  # noqa: E402

RATE = 1_000.0
LIGHTS = 4  # switched by "hand", for the learner


class Pauses:
    """What holds the hub's event loop up, for diagnosis beside the latency figures: each
    garbage collection's length by generation (gc.callbacks), and the loop's lag (how late a
    5 ms sleep wakes), per window."""

    def __init__(self) -> None:
        self.gc: dict[int, list[float]] = {0: [], 1: [], 2: []}
        self.lag: list[float] = []
        self._started = 0.0

    def on_gc(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.gc[info["generation"]].append((time.perf_counter() - self._started) * 1000)

    async def watch_loop(self) -> None:
        while True:
            before = time.perf_counter()
            await asyncio.sleep(0.005)
            self.lag.append((time.perf_counter() - before - 0.005) * 1000)

    def take(self) -> dict[str, Any]:
        """This window's figures; starts the next window's."""
        lag, self.lag = sorted(self.lag), []
        out: dict[str, Any] = {
            "loop_lag_p99_ms": round(lag[int(0.99 * (len(lag) - 1))], 2) if lag else None,
            "loop_lag_max_ms": round(lag[-1], 2) if lag else None,
        }
        for generation, runs in self.gc.items():
            out[f"gc{generation}"] = (len(runs), round(max(runs, default=0.0), 2),
                                      round(sum(runs), 1))  # fmt: skip
            self.gc[generation] = []
        return out


def log(message: str) -> None:
    print(f"[soak {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        pages = int(f.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 1e6


# -- the clients' process -------------------------------------------------------------------


async def _clients(url: str, token: str) -> dict[str, Any]:
    """Poll and listen until stdin closes (the soak is over), then print the counts."""
    import httpx
    import websockets

    counts: dict[str, Any] = {"polls": 0, "poll_errors": 0, "ws_messages": 0}
    headers = {"Authorization": f"Bearer {token}"}
    loop = asyncio.get_running_loop()
    stdin_closed = loop.run_in_executor(None, sys.stdin.read)

    async def poll() -> None:
        async with httpx.AsyncClient(base_url=url, headers=headers, timeout=30) as http:
            n = 0
            while not stdin_closed.done():
                paths = ["/api/hearthmind/health", f"/api/states/sensor.bench_{n % SENSORS}"]
                if n % 30 == 0:
                    paths.append("/api/states")
                for path in paths:
                    r = await http.get(path)
                    counts["polls"] += 1
                    counts["poll_errors"] += r.status_code != 200
                n += 1
                await asyncio.sleep(1.0)

    async def subscribe() -> None:
        ws_url = url.replace("http://", "ws://") + "/api/websocket"
        async with websockets.connect(ws_url, max_size=None) as ws:
            await ws.recv()
            await ws.send(json.dumps({"type": "auth", "access_token": token}))
            await ws.recv()
            # as Home Assistant's frontend: several events per frame when they come fast
            features = {"coalesce_messages": 1}
            await ws.send(json.dumps({"id": 1, "type": "supported_features", "features": features}))
            await ws.send(
                json.dumps({"id": 2, "type": "subscribe_events", "event_type": "state_changed"})
            )
            while not stdin_closed.done():
                try:
                    await asyncio.wait_for(ws.recv(), 1.0)
                except TimeoutError:
                    continue
                counts["ws_messages"] += 1

    results = await asyncio.gather(poll(), subscribe(), return_exceptions=True)
    counts["failures"] = [repr(r) for r in results if isinstance(r, BaseException)]
    return counts


# -- the hub --------------------------------------------------------------------------------


async def _soak(
    minutes: float, window_minutes: float, refit_minutes: float, with_clients: bool = True
) -> dict[str, Any]:
    from hearthmind.api.tokens import TokenStore
    from hearthmind.bootstrap import SetupOptions, async_setup_hub
    from hearthmind.core import Origin
    from hearthmind.integrations.mqtt import MqttIntegration
    from hearthmind.integrations.mqtt.connection import MqttConnection
    from hearthmind.recorder import get_recorder
    from hearthmind.routines.component import get_learner

    # the broker with Nagle off, as a home hub's broker should run (the docstring says why);
    # SOAK_BROKER_NAGLE=1 measures with mosquitto's default
    nodelay = os.environ.get("SOAK_BROKER_NAGLE") != "1"
    with MosquittoServer(nodelay=nodelay) as broker, tempfile.TemporaryDirectory() as tmp:
        await _generator(broker.port, "discover", "--count", str(SENSORS))
        config_dir = Path(tmp)
        (config_dir / "configuration.yaml").write_text(
            f"hearthmind:\n  name: Soak\nmqtt:\n  broker: {broker.url}\n"
            f"routines:\n  refit_every_hours: {refit_minutes / 60}\n  min_history: 50\n"
            + automations_yaml(),
            encoding="utf-8",
        )
        port = _free_port()
        hub = await async_setup_hub(
            config_dir,
            SetupOptions(record=True, api_port=port),
            components=["recorder", "mqtt", "automations", "routines", "api"],
        )
        clients: asyncio.subprocess.Process | None = None
        try:
            integration = hub.data["mqtt"]
            assert isinstance(integration, MqttIntegration)
            deadline = time.monotonic() + 60
            while len(integration.entities) < SENSORS or hub.heap.pending:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"only {len(integration.entities)} sensors discovered")
                await asyncio.sleep(0.05)
            recorder = get_recorder(hub)
            learner = get_learner(hub)
            assert learner is not None, "the routines learner is not running"

            async def pong(token: bytes) -> None:
                await hub.async_block_till_done()
                if recorder is not None:
                    await recorder.async_flush()
                control.publish("bench/ctl/pong", token, 1)

            control = MqttConnection(
                integration.connection.settings,
                "hearthmind-soak-control",
                lambda _t, payload, _r: hub.async_create_task(pong(payload), name="soak pong"),
                hub.health,
                hub.clock.timestamp,
            )
            control.subscribe("bench/ctl/ping", 1)
            await control.async_start()
            await control.async_wait_connected(10)

            async def person() -> None:
                # a resident's habit: lights switched by hand, on a rhythm the learner can find
                n = 0
                while True:
                    light = f"light.soak_{n % LIGHTS}"
                    ctx = hub.context(Origin.PHYSICAL, user_id="soak")
                    hub.states.async_set(light, "on" if n // LIGHTS % 2 else "off", {}, ctx)
                    n += 1
                    await asyncio.sleep(2.0)

            samples: list[dict[str, Any]] = []

            async def sample() -> None:
                start = time.monotonic()
                while True:
                    samples.append(
                        {
                            "minute": round((time.monotonic() - start) / 60, 2),
                            "rss_mb": round(rss_mb(), 1),
                            "refits": learner.refits,
                            "observations": len(learner.history),
                        }
                    )
                    log(f"RSS {samples[-1]['rss_mb']} MB, {learner.refits} fits")
                    await asyncio.sleep(60)

            token = TokenStore(config_dir).create("soak", hub.clock.now(), replace=True)
            clients = None if not with_clients else await asyncio.create_subprocess_exec(
                sys.executable, __file__, "--clients", f"http://127.0.0.1:{port}", token,
                stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
            )  # fmt: skip
            pauses = Pauses()
            gc.callbacks.append(pauses.on_gc)
            tasks = [
                hub.async_create_task(person(), name="soak person"),
                hub.async_create_task(sample(), name="soak memory"),
                hub.async_create_task(pauses.watch_loop(), name="soak loop lag"),
            ]
            load = [round(os.getloadavg()[0], 2)]
            windows: list[dict[str, Any]] = []
            for w in range(max(1, round(minutes / window_minutes))):
                args = ["run", "--rate", str(RATE), "--ping", "--seconds",
                        str(window_minutes * 60), "--quiet", "3", "--drain-cap", "30"]  # fmt: skip
                head = (await _generator(broker.port, *args))["headline"]
                windows.append(
                    {k: head.get(k) for k in ("sent", "lost", "p50_ms", "p99_ms", "max_ms")}
                    | {"load": round(os.getloadavg()[0], 2)}
                    | pauses.take()  # (count, longest ms, total ms) per GC generation
                )
                log(f"window {w + 1}: {windows[-1]}")
            samples.append(
                {"minute": "end", "rss_mb": round(rss_mb(), 1), "refits": learner.refits,
                 "observations": len(learner.history)}
            )  # fmt: skip
            gc.callbacks.remove(pauses.on_gc)
            for task in tasks:
                task.cancel()
            await control.async_stop()
            client_counts = await _end_clients(clients) if clients is not None else {}
        finally:
            if clients is not None and clients.returncode is None:
                clients.kill()
            await hub.async_stop()
    fitted = [s for s in samples if s["refits"] >= 1]
    base = fitted[0]["rss_mb"] if fitted else samples[0]["rss_mb"]
    p99s = [w["p99_ms"] for w in windows if w["p99_ms"] is not None]
    return {
        "lost": sum(w["lost"] for w in windows),
        "rss_growth": round((samples[-1]["rss_mb"] - base) / base, 4),
        "p99_ms_max": round(max(p99s), 2) if p99s else float("inf"),
        "rss_base_mb": base,
        "rss_max_growth": round((max(s["rss_mb"] for s in fitted or samples) - base) / base, 4),
        "sent": sum(w["sent"] for w in windows),
        "windows": windows,
        "memory": samples,
        "clients": client_counts,
        "health": dict(sorted(hub.health.counts.items())),
        "minutes": minutes,
        "load_average_start": load[0],
    }


async def _end_clients(clients: asyncio.subprocess.Process) -> dict[str, Any]:
    """Closing their stdin ends them; they print their counts."""
    assert clients.stdin is not None and clients.stdout is not None
    clients.stdin.close()
    out = await asyncio.wait_for(clients.stdout.read(), 60)
    await clients.wait()
    lines = out.decode().strip().splitlines()
    counts: dict[str, Any] = json.loads(lines[-1]) if lines else {}
    return counts


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def docs_section(result: dict[str, Any], command: str, finished: float | None = None) -> str:
    rows = "\n".join(
        f"| {i + 1} | {w['sent']:,} | {w['lost']} | {w['p50_ms']:.2f} | {w['p99_ms']:.2f} | "
        f"{w['max_ms']:.1f} | {w['load']} |"
        for i, w in enumerate(result["windows"])
    )
    mem = ", ".join(f"{s['rss_mb']:.0f}" for s in result["memory"])
    clients = result["clients"] or {}
    failures = f", failures: {clients['failures']}" if clients.get("failures") else ""
    return f"""## Soak

Command: `{command}` (ended {time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(finished))}, {result["minutes"]:g} minutes, 2 shared CPUs, load average {result["load_average_start"]} at start).

1,000 MQTT messages/s through a real Mosquitto (`set_tcp_nodelay true`) to 1,000 discovered sensors, 100 automations
answering over MQTT, the recorder (SQLite) and the routines learner on (a light switched by
hand every 2 s; refits during the run), an API client polling every second and a WebSocket
client subscribed to every state change (bench/soak.py's docstring has the details).

| figure | value | target |
|---|---:|---:|
| messages lost | {result["lost"]} of {result["sent"]:,} | 0 |
| RSS growth after the first fit | {result["rss_growth"] * 100:.1f} % (from {result["rss_base_mb"]:.0f} MB) | < 5 % |
| worst window's p99 (ms) | {result["p99_ms_max"]:.2f} | < 5 |

| window | sent | lost | p50 (ms) | p99 (ms) | max (ms) | load average |
|---:|---:|---:|---:|---:|---:|---:|
{rows}

RSS per minute (MB): {mem}. Clients: {clients.get("polls", 0):,} polls ({clients.get("poll_errors", 0)} errors), {clients.get("ws_messages", 0):,} WebSocket frames received{failures}.
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="5 minutes, 1-minute windows")
    parser.add_argument("--minutes", type=float, help="length (default 60; 5 with --quick)")
    parser.add_argument("--json", type=Path, help="write the figures to this file")
    parser.add_argument("--docs", action="store_true", help="add them to docs/BENCHMARKS.md")
    parser.add_argument(
        "--docs-from",
        type=Path,
        metavar="JSON",
        help="write docs/BENCHMARKS.md's section from a run's --json file (e.g. the check's)",
    )
    parser.add_argument("--command", help="with --docs-from: the command that made the file")
    parser.add_argument("--no-clients", action="store_true", help="diagnosis: no API clients")
    parser.add_argument("--clients", nargs=2, metavar=("URL", "TOKEN"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.clients:
        url, token = args.clients
        print(json.dumps(asyncio.run(_clients(url, token))), flush=True)
        return
    if args.docs_from:
        result = json.loads(args.docs_from.read_text(encoding="utf-8"))
        command = args.command or f"python bench/soak.py --json {args.docs_from}"
        _write_docs(docs_section(result, command, args.docs_from.stat().st_mtime))
        return
    minutes = args.minutes or (5.0 if args.quick else 60.0)
    window = 1.0 if args.quick else 5.0
    refit = 2.0 if args.quick else 10.0
    result = asyncio.run(_soak(minutes, window, refit, with_clients=not args.no_clients))
    text = json.dumps(result, indent=2)
    print(text)
    if args.json:
        args.json.write_text(text + "\n", encoding="utf-8")
    if args.docs:
        command = "python bench/soak.py " + " ".join(sys.argv[1:])
        _write_docs(docs_section(result, command))


def _write_docs(section: str) -> None:
    path = REPO / "docs" / "BENCHMARKS.md"
    text = path.read_text(encoding="utf-8")
    start = text.find("## Soak\n")
    if start >= 0:
        end = text.find("\n## ", start + 1)
        text = text[:start] + section + (text[end + 1 :] if end >= 0 else "")
    else:
        text = text.rstrip("\n") + "\n\n" + section
    path.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
