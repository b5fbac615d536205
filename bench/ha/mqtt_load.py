"""MQTT load generator for the hub-vs-Home-Assistant MQTT latency benchmark.

Runs as its own process (any venv with paho-mqtt 1.x or 2.x) so that the hub being
measured gets the CPU it needs and the measurement does not share its event loop.
The workload is defined in bench/core_ha.py's docstring; in short:

* ``discover``: publishes 1,000 retained Home Assistant discovery configs
  ``homeassistant/sensor/bench_<i>/config`` (qos 1), one sensor per device, state topic
  ``bench/sensor/<i>/state``.
* ``run``: publishes state messages (qos 0) round-robin to the 100 sensors that have an
  automation, each payload a fresh sequence number (decimal), paced evenly at RATE msg/s,
  and subscribes to ``bench/cmd/+`` where each automation publishes the state that
  triggered it. Latency = arrival of command ``seq`` minus the publish of state ``seq``,
  both taken with this process's monotonic clock. A command that has not arrived when
  the drain ends is lost. The drain ends when all commands are in; or (``--ping``) 1 s
  after the hub answers a ping sent after the last publish, i.e. once it has handled
  everything; or (no ping) after ``quiet`` s without any arrival; or at ``drain_cap`` s
  after the last publish (300 s for the 1,000/s run, 30 s for search steps).
* The sustained-rate search: 20 s steps, rates 100, 200, 400, ... doubling until a step
  fails (anything lost, or p99 >= 1 s), then three bisection steps between the highest
  passing and the lowest failing rate; the highest passing rate is ``max_rate``.

Before each step, when ``--ping`` is given, the generator publishes ``bench/ctl/ping``
with a token and waits for the same token on ``bench/ctl/pong``: the hub answers once it
has handled everything before it (HA driver: loop idle and recorder committed), so a
backlog from a failed step does not leak into the next one.

Prints one JSON object on stdout; progress goes to stderr.
"""

from __future__ import annotations

import argparse
import json
import select
import socket
import statistics
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import paho.mqtt.client as mqtt

DEVICES = 1_000
AUTOMATED_SENSORS = 100
STATE_TOPIC = "bench/sensor/{i}/state"
COMMAND_TOPIC = "bench/cmd/{i}"
DISCOVERY_TOPIC = "homeassistant/sensor/bench_{i}/config"
PING_TOPIC = "bench/ctl/ping"
PONG_TOPIC = "bench/ctl/pong"
STEP_SECONDS = 20.0
P99_LIMIT_MS = 1_000.0


def log(message: str) -> None:
    print(f"[mqtt_load {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def new_client(name: str) -> mqtt.Client:
    """A paho client for either paho 1.x or 2.x."""
    client_id = f"bench-{name}-{uuid.uuid4().hex[:8]}"
    if hasattr(mqtt, "CallbackAPIVersion"):
        return mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=client_id)
    return mqtt.Client(client_id=client_id)


def discovery_config(i: int) -> dict[str, Any]:
    return {
        "name": None,
        "object_id": f"bench_{i}",
        "unique_id": f"bench_{i}",
        "state_topic": STATE_TOPIC.format(i=i),
        "device": {"identifiers": [f"bench_{i}"], "name": f"Bench {i}"},
    }


def connect(client: mqtt.Client, host: str, port: int) -> None:
    connected = threading.Event()
    client.on_connect = lambda *args: connected.set()
    client.max_inflight_messages_set(1000)
    client.max_queued_messages_set(0)
    client.connect(host, port, keepalive=60)
    client.loop_start()
    if not connected.wait(10):
        raise SystemExit(f"no connection to the broker at {host}:{port}")


def publish_discovery(host: str, port: int, count: int) -> dict[str, Any]:
    client = new_client("discovery")
    connect(client, host, port)
    infos = [
        client.publish(
            DISCOVERY_TOPIC.format(i=i), json.dumps(discovery_config(i)), qos=1, retain=True
        )
        for i in range(count)
    ]
    for info in infos:
        info.wait_for_publish(30)
    client.loop_stop()
    client.disconnect()
    return {"discovery_configs": count}


@dataclass
class Receiver:
    """Collects command arrivals (seq -> monotonic time) and pong tokens. Only the
    generator's one thread touches it (paho calls on_message from its loop_read)."""

    arrivals: dict[int, float] = field(default_factory=dict)
    pongs: set[str] = field(default_factory=set)
    last_arrival: float = 0.0
    bad_payloads: int = 0

    def on_message(self, _client: Any, _userdata: Any, msg: Any) -> None:
        now = time.perf_counter()
        if msg.topic == PONG_TOPIC:
            self.pongs.add(msg.payload.decode(errors="replace"))
            return
        try:
            seq = int(float(msg.payload))
        except ValueError:
            self.bad_payloads += 1
            return
        self.arrivals.setdefault(seq, now)
        self.last_arrival = now


class LoadGenerator:
    """One thread drives both connections (publisher and subscriber) with select().

    A paho client per connection with its own network thread (loop_start) put three Python
    threads on one GIL: an arrival could wait out the publisher's switch interval (5 ms)
    before it was timestamped, which showed as p99 of 9-13 ms against a trivial echo client.
    Here the publisher writes straight to its socket, and between publishes the thread waits
    in select() on both sockets, so an arrival is read and timestamped as soon as it lands.
    """

    def __init__(self, host: str, port: int, sensors: int, ping: bool = False) -> None:
        self.sensors = sensors
        self.ping = ping
        self.receiver = Receiver()
        self._next_misc = time.perf_counter() + 1.0  # keepalive bookkeeping (loop_misc)
        self.sub = new_client("sub")
        self.sub.on_message = self.receiver.on_message
        subscribed: list[bool] = []
        self.sub.on_subscribe = lambda *args: subscribed.append(True)
        self._connect(self.sub, host, port)
        self.sub.subscribe([(COMMAND_TOPIC.format(i="+"), 0), (PONG_TOPIC, 0)])
        self._pump_until(
            lambda: bool(subscribed), 10.0, "subscription to the command topics", self.sub
        )
        self.pub = new_client("pub")
        self._connect(self.pub, host, port)
        self.sent: list[float] = []  # index = seq, value = publish time

    def _connect(self, client: mqtt.Client, host: str, port: int) -> None:
        connected: list[bool] = []
        client.on_connect = lambda *args: connected.append(True)
        client.max_inflight_messages_set(1000)
        client.max_queued_messages_set(0)
        client.connect(host, port, keepalive=60)
        # paho leaves Nagle's algorithm on: a small publish then waits for the broker's
        # (delayed) ACK, up to 40 ms (bench/core_mqtt.py --echo-floor measures the floor)
        client.socket().setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._pump_until(lambda: bool(connected), 10.0, f"connection to {host}:{port}", client)

    def pump(self, timeout: float, clients: list[mqtt.Client] | None = None) -> None:
        """Wait up to ``timeout`` s for socket traffic and handle all of it."""
        clients = clients or [self.sub, self.pub]
        socks = {c.socket(): c for c in clients if c.socket() is not None}
        want_write = [s for s, c in socks.items() if c.want_write()]
        readable, writable, _ = select.select(list(socks), want_write, [], max(0.0, timeout))
        for sock in readable:
            client = socks[sock]
            client.loop_read(100)
        for sock in writable:
            socks[sock].loop_write()
        now = time.perf_counter()
        if now >= self._next_misc:
            for client in clients:
                client.loop_misc()  # keepalive pings and retries
            self._next_misc = now + 1.0

    def _pump_until(
        self, done: Any, timeout: float, what: str, client: mqtt.Client | None = None
    ) -> None:
        deadline = time.perf_counter() + timeout
        clients = [client] if client is not None else None
        while not done():
            if time.perf_counter() > deadline:
                raise SystemExit(f"{what}: no answer within {timeout:.0f} s")
            self.pump(0.05, clients)

    def sleep(self, seconds: float) -> None:
        """Handle traffic for ``seconds``."""
        end = time.perf_counter() + seconds
        while (left := end - time.perf_counter()) > 0:
            self.pump(left)

    def quiesce(self, timeout: float) -> float | None:
        """Ping the hub and wait for its pong; seconds waited, or None on timeout."""
        token = uuid.uuid4().hex
        start = time.perf_counter()
        next_ping = start
        while time.perf_counter() - start < timeout:
            # re-sent every 5 s: a hub may still be setting up its subscription
            if time.perf_counter() >= next_ping:
                self.pub.publish(PING_TOPIC, token, qos=1)
                next_ping += 5.0
            if token in self.receiver.pongs:
                return time.perf_counter() - start
            self.sleep(0.05)
        return None

    def step(self, rate: float, seconds: float, quiet: float, drain_cap: float) -> dict[str, Any]:
        """Publish at ``rate`` msg/s for ``seconds``, drain, and summarise."""
        first = len(self.sent)
        total = int(rate * seconds)
        start = time.perf_counter()
        sent = 0
        while sent < total:
            due = min(total, int((time.perf_counter() - start) * rate) + 1)
            while sent < due:
                seq = first + sent
                self.sent.append(time.perf_counter())
                self.pub.publish(STATE_TOPIC.format(i=seq % self.sensors), str(seq), qos=0)
                sent += 1
            next_at = start + sent / rate
            delay = next_at - time.perf_counter()
            # wait for the next publish time in select(), reading arrivals as they land
            self.pump(delay if delay > 0 else 0.0)
        publish_seconds = time.perf_counter() - start
        end = time.perf_counter()
        wanted = range(first, first + total)
        # With --ping the drain ends once the hub has handled everything (its pong) plus
        # 1 s for commands in flight; without it, after `quiet` s with no arrival.
        token = uuid.uuid4().hex if self.ping else None
        next_ping, pong_at, ended = end, None, "cap"
        while True:
            self.sleep(0.05)
            now = time.perf_counter()
            if token is not None and now >= next_ping:
                self.pub.publish(PING_TOPIC, token, qos=1)
                next_ping += 5.0
            got = sum(1 for s in wanted if s in self.receiver.arrivals)
            last = max(self.receiver.last_arrival, end)
            if pong_at is None and token in self.receiver.pongs:
                pong_at = now
            if got == total:
                ended = "all arrived"
                break
            if token is None and now - last > quiet:
                ended = "quiet"
                break
            if pong_at is not None and now - pong_at > 1.0:
                ended = "hub idle"
                break
            if now - end > drain_cap:
                break
        arrivals = [self.receiver.arrivals[s] for s in wanted if s in self.receiver.arrivals]
        latencies = sorted(
            (self.receiver.arrivals[s] - self.sent[s]) * 1000.0
            for s in wanted
            if s in self.receiver.arrivals
        )
        # commands answered per second, from the first publish to the last arrival
        answering = (max(arrivals) - start) if arrivals else publish_seconds
        lost = total - len(latencies)
        result: dict[str, Any] = {
            "rate": rate,
            "seconds": seconds,
            "sent": total,
            "received": len(latencies),
            "lost": lost,
            "publish_rate": total / publish_seconds,
            "answered_per_s": len(latencies) / max(answering, 1e-9),
            "drain_seconds": time.perf_counter() - end,
            "drain_ended": ended,
        }
        if latencies:
            result.update(
                p50_ms=percentile(latencies, 50),
                p99_ms=percentile(latencies, 99),
                max_ms=latencies[-1],
                mean_ms=statistics.fmean(latencies),
            )
        else:
            result.update(p50_ms=None, p99_ms=None, max_ms=None, mean_ms=None)
        result["passed"] = lost == 0 and bool(latencies) and latencies_ok(result)
        return result

    def close(self) -> None:
        for client in (self.pub, self.sub):
            client.disconnect()
        self.pump(0.0)


def latencies_ok(result: dict[str, Any]) -> bool:
    p99 = result.get("p99_ms")
    return p99 is not None and p99 < P99_LIMIT_MS


def percentile(sorted_values: list[float], pct: float) -> float:
    """Nearest-rank percentile of an already sorted list."""
    rank = max(1, -(-len(sorted_values) * pct // 100))
    return sorted_values[int(rank) - 1]


def run(args: argparse.Namespace) -> dict[str, Any]:
    gen = LoadGenerator(args.host, args.port, args.sensors, args.ping)
    out: dict[str, Any] = {"steps": []}

    def settle(label: str) -> None:
        if not args.ping:
            gen.sleep(2.0)
            return
        waited = gen.quiesce(args.quiesce_timeout)
        log(f"{label}: hub quiet after {waited if waited is None else round(waited, 1)} s")
        if waited is None:
            out.setdefault("warnings", []).append(f"no pong before {label}")

    try:
        settle("headline")
        log(f"headline: {args.rate:.0f} msg/s for {args.seconds:.0f} s")
        head = gen.step(args.rate, args.seconds, args.quiet, args.drain_cap)
        log(f"headline: {summary(head)}")
        out["headline"] = head
        if args.dump:
            # per message: seq, publish time, command arrival (perf_counter, which is
            # CLOCK_MONOTONIC: comparable with the hub's own timestamps on this machine)
            with open(args.dump, "w", encoding="utf-8") as f:
                for seq, sent in enumerate(gen.sent):
                    f.write(
                        f"{seq} {sent:.7f} {gen.receiver.arrivals.get(seq, float('nan')):.7f}\n"
                    )
        if args.search:
            out["max_rate"] = search(gen, args, out["steps"], settle)
    finally:
        gen.close()
    return out


def search(
    gen: LoadGenerator,
    args: argparse.Namespace,
    steps: list[dict[str, Any]],
    settle: Any,
) -> float:
    """Doubling from 100 msg/s until a step fails (halving when 100/s fails), then bisect 3x."""
    best = 0.0
    rate = 100.0
    failed: float | None = None

    def passes(rate: float, label: str) -> bool:
        settle(f"{label} {rate:.0f}/s")
        res = gen.step(rate, STEP_SECONDS, args.step_quiet, args.step_drain_cap)
        steps.append(res)
        log(f"{label} {rate:.0f}/s: {summary(res)}")
        return bool(res["passed"])

    if passes(rate, "step"):
        while rate * 2 <= args.max_search_rate:
            best, rate = rate, rate * 2
            if not passes(rate, "step"):
                failed = rate
                break
        else:
            best = rate
    else:
        # even 100/s fails (a slow or busy machine): halve until a rate holds
        failed = rate
        while rate > 100.0 / 8:
            rate /= 2
            if passes(rate, "step"):
                best = rate
                break
            failed = rate
    if failed is None or best == 0.0:
        return best
    for _ in range(3):
        rate = round((best + failed) / 2)
        if passes(rate, "bisect"):
            best = rate
        else:
            failed = rate
    return best


def summary(res: dict[str, Any]) -> str:
    def ms(key: str) -> str:
        value = res.get(key)
        return "-" if value is None else f"{value:.1f} ms"

    return (
        f"sent {res['sent']}, lost {res['lost']}, p50 {ms('p50_ms')}, p99 {ms('p99_ms')}, "
        f"answered {res['answered_per_s']:.0f}/s, {'PASS' if res['passed'] else 'FAIL'}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="cmd", required=True)
    for name in ("discover", "run"):
        p = sub.add_parser(name)
        p.add_argument("--host", default="127.0.0.1")
        p.add_argument("--port", type=int, required=True)
    sub.choices["discover"].add_argument("--count", type=int, default=DEVICES)
    r = sub.choices["run"]
    r.add_argument("--sensors", type=int, default=AUTOMATED_SENSORS)
    r.add_argument("--rate", type=float, default=1_000.0)
    r.add_argument("--seconds", type=float, default=STEP_SECONDS)
    r.add_argument("--quiet", type=float, default=15.0, help="drain ends after this silence")
    r.add_argument("--drain-cap", type=float, default=300.0)
    r.add_argument("--step-quiet", type=float, default=5.0)
    r.add_argument("--step-drain-cap", type=float, default=30.0)
    r.add_argument("--search", action="store_true", help="also find the sustained rate")
    r.add_argument("--max-search-rate", type=float, default=204_800.0)
    r.add_argument("--ping", action="store_true", help="hub answers bench/ctl/ping")
    r.add_argument("--quiesce-timeout", type=float, default=300.0)
    r.add_argument("--dump", help="diagnosis: write each headline message's times to this file")
    args = parser.parse_args()
    if args.cmd == "discover":
        result = publish_discovery(args.host, args.port, args.count)
    else:
        result = run(args)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
