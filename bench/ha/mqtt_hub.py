"""Home Assistant 2024.3.3 as the hub under MQTT load (runs inside HA's venv).

Sets up a real HA core with http (loopback), the recorder (default settings, SQLite in
a temporary config dir; ``--no-recorder`` leaves it out), MQTT as a config entry pointing
at the benchmark's Mosquitto (discovery on), and 100 automations:

    - id: bench_<k>            # k = 0 .. 99
      mode: queued             # HA's default max for queued: 10
      trigger: [{platform: state, entity_id: sensor.bench_<k>}]
      action:
        - service: mqtt.publish
          data: {topic: bench/cmd/<k>, payload: "{{ trigger.to_state.state }}"}

The 1,000 sensors come from the retained discovery configs that the load generator
published before HA started (bench/ha/mqtt_load.py). Once all 1,000 exist this prints
``READY`` on stdout; it answers ``bench/ctl/ping`` with the same payload on
``bench/ctl/pong`` once its loop is idle and its recorder has committed. SIGTERM stops
HA and prints one JSON line with what it saw (warnings by logger, peak RSS).
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import logging
import os
import re
import signal
import sys
import tempfile
import time
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from boot import log, peak_rss_mb, setup_logging, start_hass
from homeassistant.components import mqtt
from homeassistant.components.recorder import get_instance
from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback

PING_TOPIC = "bench/ctl/ping"
PONG_TOPIC = "bench/ctl/pong"


class WarningCounter(logging.Handler):
    """Counts HA's warnings and errors by logger, to explain what got lost."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.counts: collections.Counter[str] = collections.Counter()
        self.samples: dict[str, str] = {}

    def emit(self, record: logging.LogRecord) -> None:
        # one key per kind of complaint: "automation.bench_7" and "..._8" count together
        name = re.sub(r"\.bench_\d+$", ".bench_*", record.name)
        key = f"{record.levelname} {name}: {str(record.msg)[:80]}"
        self.counts[key] += 1
        self.samples.setdefault(key, record.getMessage()[:300])


def automations(count: int) -> list[dict[str, Any]]:
    return [
        {
            "id": f"bench_{k}",
            "alias": f"bench {k}",
            "mode": "queued",
            "trigger": [{"platform": "state", "entity_id": f"sensor.bench_{k}"}],
            "action": [
                {
                    "service": "mqtt.publish",
                    "data": {
                        "topic": f"bench/cmd/{k}",
                        "payload": "{{ trigger.to_state.state }}",
                    },
                }
            ],
        }
        for k in range(count)
    ]


async def wait_for_entities(hass: HomeAssistant, devices: int, timeout: float) -> None:
    wanted = [f"sensor.bench_{i}" for i in range(devices)]
    deadline = time.monotonic() + timeout
    while True:
        missing = sum(1 for e in wanted if hass.states.get(e) is None)
        if not missing:
            return
        if time.monotonic() > deadline:
            sample = [s.entity_id for s in hass.states.async_all("sensor")][:5]
            raise SystemExit(f"{missing} of {devices} discovered sensors missing; have {sample}")
        await asyncio.sleep(0.2)


async def run(args: argparse.Namespace) -> dict[str, Any]:
    setup_logging()
    counter = WarningCounter()
    logging.getLogger().addHandler(counter)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    loop.add_signal_handler(signal.SIGINT, stop.set)
    with tempfile.TemporaryDirectory(prefix="ha-mqtt-bench-") as config_dir:
        config: dict[str, Any] = {
            "http": {"server_host": ["127.0.0.1"], "server_port": args.http_port},
            "automation": automations(args.automations),
        }
        if args.recorder:
            config["recorder"] = {}
        hass = await start_hass(config_dir, config)
        try:
            entry = ConfigEntry(
                version=1,
                minor_version=1,
                domain="mqtt",
                title="bench broker",
                data={"broker": "127.0.0.1", "port": args.broker_port, "discovery": True},
                source="user",
            )
            await hass.config_entries.async_add(entry)
            await wait_for_entities(hass, args.devices, args.ready_timeout)
            await hass.async_block_till_done()

            async def answer(token: str) -> None:
                await hass.async_block_till_done()
                if args.recorder:
                    await get_instance(hass).async_block_till_done()
                await mqtt.async_publish(hass, PONG_TOPIC, token)

            @callback
            def on_ping(msg: mqtt.ReceiveMessage) -> None:
                hass.async_create_background_task(answer(str(msg.payload)), "bench pong")

            await mqtt.async_subscribe(hass, PING_TOPIC, on_ping)
            log(f"ready: {len(hass.states.async_all('sensor'))} sensors, recorder {args.recorder}")
            print("READY", flush=True)
            await stop.wait()
        finally:
            await asyncio.wait_for(hass.async_stop(), 120)
    return {
        "cpu_seconds": time.process_time(),
        "peak_rss_mb": peak_rss_mb(),
        "warnings": dict(counter.counts.most_common(10)),
        "warning_samples": counter.samples,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--broker-port", type=int, required=True)
    parser.add_argument("--http-port", type=int, required=True)
    parser.add_argument("--no-recorder", dest="recorder", action="store_false")
    parser.add_argument("--devices", type=int, default=1_000)
    parser.add_argument("--automations", type=int, default=100)
    parser.add_argument("--ready-timeout", type=float, default=180.0)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(run(args))), flush=True)


if __name__ == "__main__":
    main()
