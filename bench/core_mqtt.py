"""Hearthmind's MQTT latency benchmark: a device's MQTT state message -> the hub's state ->
an automation -> the automation's MQTT command leaving the hub, measured at a subscriber.

Workload (the same as bench/core_ha.py runs on Home Assistant 2024.3.3; the load
generator bench/ha/mqtt_load.py is shared by both, in its own process):

* a real Mosquitto on a free 127.0.0.1 port;
* 1,000 sensors from retained MQTT discovery configs (`homeassistant/sensor/bench_<i>/config`);
* 100 automations, one per sensor 0..99 (Hearthmind's own automations, YAML as in HA):

      - id: bench_<k>
        mode: queued
        trigger: [{platform: state, entity_id: sensor.bench_<k>}]
        action:
          - service: mqtt.publish
            data: {topic: bench/cmd/<k>, payload: "{{ trigger.to_state.state }}"}

* the recorder on (SQLite in a temporary config directory);
* state messages round-robin over the 100 automated sensors at 1,000 messages/s; latency is
  the command's arrival minus the state's publish, both on the generator's clock; a command
  that never arrives is lost. `mqtt_max_rate`: the highest rate sustained for 20 s with
  nothing lost and p99 < 1 s (doubling from 100/s, then three bisection steps).

`run_hearthmind_mqtt(quick)` returns `mqtt_p50_ms`, `mqtt_p99_ms`, `mqtt_lost` and (not in
quick mode) `mqtt_max_rate`. Standalone: `python bench/core_mqtt.py [--quick]` prints JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from tests.fixtures.mosquitto import MosquittoServer  # noqa: E402

LOAD_GENERATOR = REPO / "bench" / "ha" / "mqtt_load.py"
ECHO_CLIENT = REPO / "bench" / "ha" / "mqtt_echo.py"
SENSORS = 1_000
AUTOMATIONS = 100
RATE = 1_000.0


def automations_yaml(count: int = AUTOMATIONS) -> str:
    rules = []
    for k in range(count):
        rules.append(
            f"""  - id: bench_{k}
    alias: bench {k}
    mode: queued
    trigger:
      - platform: state
        entity_id: sensor.bench_{k}
    action:
      - service: mqtt.publish
        data:
          topic: bench/cmd/{k}
          payload: "{{{{ trigger.to_state.state }}}}"
"""
        )
    return "automation:\n" + "".join(rules)


def log(message: str) -> None:
    print(f"[core_mqtt {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


async def _generator(port: int, *args: str) -> dict[str, Any]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        str(LOAD_GENERATOR),
        *args,
        "--port",
        str(port),
        stdout=asyncio.subprocess.PIPE,
    )
    out, _ = await proc.communicate()
    if proc.returncode != 0:
        raise RuntimeError(f"load generator {args[0]} exited with {proc.returncode}")
    result: dict[str, Any] = json.loads(out.decode().strip().splitlines()[-1])
    return result


async def _run(
    quick: bool, record: bool = True, commit_interval: float | None = None, seconds: float = 5.0
) -> dict[str, Any]:
    from hearthmind.bootstrap import SetupOptions, async_setup_hub
    from hearthmind.integrations.mqtt import MqttIntegration
    from hearthmind.integrations.mqtt.connection import MqttConnection
    from hearthmind.recorder import get_recorder

    with MosquittoServer() as broker, tempfile.TemporaryDirectory() as tmp:
        await _generator(broker.port, "discover", "--count", str(SENSORS))
        config_dir = Path(tmp)
        (config_dir / "configuration.yaml").write_text(
            f"hearthmind:\n  name: Bench\nmqtt:\n  broker: {broker.url}\n"
            + (f"recorder:\n  commit_interval: {commit_interval}\n" if commit_interval else "")
            + automations_yaml(),
            encoding="utf-8",
        )
        hub = await async_setup_hub(
            config_dir,
            SetupOptions(record=record),
            components=["recorder", "mqtt", "automations"],
        )
        try:
            integration = hub.data["mqtt"]
            assert isinstance(integration, MqttIntegration)
            deadline = time.monotonic() + 60
            while len(integration.entities) < SENSORS:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"only {len(integration.entities)} sensors discovered")
                await asyncio.sleep(0.05)
            # steady state: the hub settles its heap once discovery has been quiet (see
            # hearthmind.core.heap); measure after that, as a home runs after its start-up
            while hub.heap.pending and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
            automations = len(hub.data["automations"])
            log(
                f"{len(integration.entities)} sensors, {automations} automations, recorder {'on' if record else 'off'}"
            )
            recorder = get_recorder(hub)

            # answer the generator's ping once everything before it is handled and committed
            async def pong(token: bytes) -> None:
                await hub.async_block_till_done()
                if recorder is not None:
                    await recorder.async_flush()
                control.publish("bench/ctl/pong", token, 1)

            def on_control(topic: str, payload: bytes, retained: bool) -> None:
                hub.async_create_task(pong(payload), name="bench pong")

            control = MqttConnection(
                integration.connection.settings,
                "hearthmind-bench-control",
                on_control,
                hub.health,
                hub.clock.timestamp,
            )
            control.subscribe("bench/ctl/ping", 1)
            await control.async_start()
            await control.async_wait_connected(10)
            args = ["run", "--rate", str(RATE), "--ping"]
            if quick:
                args += ["--seconds", str(seconds), "--quiet", "3", "--drain-cap", "15"]
            else:
                args += ["--search"]
            # CPU seconds of this process (hub, recorder thread) per message: unlike latency,
            # this does not depend on what else the machine is running
            load = os.getloadavg()[0]
            cpu0 = time.process_time()
            result = await _generator(broker.port, *args)
            cpu = time.process_time() - cpu0
            await control.async_stop()
            head = result["headline"]
            handled = sum(s.get("sent", 0) for s in [head, *result.get("steps", [])])
            out: dict[str, Any] = {
                "mqtt_p50_ms": head["p50_ms"],
                "mqtt_p99_ms": head["p99_ms"],
                "mqtt_lost": head["lost"],
                "mqtt_sent": head["sent"],
                "mqtt_rate": RATE,
                "mqtt_entities": len(integration.entities),
                "mqtt_automations": automations,
                "mqtt_automations_kind": "hearthmind.automations (YAML rules, mode queued)",
                "mqtt_recorder": recorder is not None,
                "mqtt_hub_cpu_us_per_msg": round(cpu / max(1, handled) * 1e6, 1),
                "mqtt_load_average": round(load, 2),
                # every counter: drops anywhere (automation queues, recorder) show here
                "mqtt_health": dict(sorted(hub.health.counts.items())),
            }
            if not quick:
                out["mqtt_max_rate"] = result.get("max_rate")
                out["mqtt_steps"] = [
                    {k: s.get(k) for k in ("rate", "sent", "lost", "p50_ms", "p99_ms", "passed")}
                    for s in result.get("steps", [])
                ]
            return out
        finally:
            await hub.async_stop()


def run_echo_floor(seconds: float = 5.0) -> dict[str, Any]:
    """The harness's own floor: broker + load generator + a trivial single-threaded paho
    client that answers each state with its command (bench/ha/mqtt_echo.py), no hub."""
    import subprocess

    with MosquittoServer() as broker:
        echo = subprocess.Popen([sys.executable, str(ECHO_CLIENT), "--port", str(broker.port)])
        try:
            args = ["run", "--rate", str(RATE), "--ping", "--seconds", str(seconds)]
            result = asyncio.run(_generator(broker.port, *args, "--quiet", "3"))
        finally:
            echo.kill()
            echo.wait()
    head = result["headline"]
    return {
        "echo_p50_ms": head["p50_ms"],
        "echo_p99_ms": head["p99_ms"],
        "echo_max_ms": head["max_ms"],
        "echo_lost": head["lost"],
    }


def run_hearthmind_mqtt(
    quick: bool,
    record: bool = True,
    commit_interval: float | None = None,
    seconds: float = 5.0,
) -> dict[str, Any]:
    """The figures for bench/core.py's `hearthmind` part."""
    return asyncio.run(_run(quick, record, commit_interval, seconds))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="5 s at 1,000/s, no rate search")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--no-recorder", action="store_true", help="for diagnosis only")
    parser.add_argument(
        "--commit-interval", type=float, help="diagnosis: the recorder's commit_interval (s)"
    )
    parser.add_argument(
        "--seconds", type=float, default=5.0, help="length of the --quick run (default 5 s)"
    )
    parser.add_argument(
        "--echo-floor",
        action="store_true",
        help="calibration: measure the harness against a trivial paho echo client, no hub",
    )
    args = parser.parse_args()
    if args.echo_floor:
        result = run_echo_floor(args.seconds)
    else:
        result = run_hearthmind_mqtt(
            args.quick, not args.no_recorder, args.commit_interval, args.seconds
        )
    text = json.dumps(result, indent=2)
    print(text)
    if args.json:
        args.json.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
