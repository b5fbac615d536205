"""Home Assistant 2024.3.3 with its own frontend, for bench/dashboard.py (runs inside HA's venv).

``serve CONFIG_DIR --port P``: HA with http (127.0.0.1:P), recorder and history on the
database bench/ha/history_bench.py filled in CONFIG_DIR, and the frontend (the
home-assistant-frontend package of this release), onboarding marked done; the 1,000
``sensor.bench_NNNN`` entities in the entity registry, 50 to each of 20 areas, so HA's
auto-generated dashboard lays them out by area as ours does. Prints ``READY <token>`` (a
long-lived access token of an admin user); then reads commands on stdin: ``drive RATE
SECONDS`` sets random bench sensors to the wall-clock time in ms at RATE per second (as
bench/dashboard.py's hub does) and prints ``DONE n``; ``quit``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sys
import time
from datetime import timedelta

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from boot import log, start_hass

ENTITIES = 1_000
AREAS = 20


def _onboarded(config_dir: str) -> None:
    """HA's frontend sends a new instance to onboarding; this one is past it."""
    storage = os.path.join(config_dir, ".storage")
    os.makedirs(storage, exist_ok=True)
    with open(os.path.join(storage, "onboarding"), "w", encoding="utf-8") as f:
        done = ["user", "core_config", "analytics", "integration"]
        json.dump(
            {"version": 4, "minor_version": 1, "key": "onboarding", "data": {"done": done}}, f
        )


async def serve(config_dir: str, port: int) -> None:
    _onboarded(config_dir)
    config = {
        "http": {"server_host": "127.0.0.1", "server_port": port},
        "recorder": {"auto_purge": False},
        "history": {},
        "frontend": {},
        "sensor": [],  # its frontend asks sensor/numeric_device_classes before drawing history
    }
    hass = await start_hass(config_dir, config)
    try:
        from homeassistant.auth.const import GROUP_ID_ADMIN
        from homeassistant.auth.models import TOKEN_TYPE_LONG_LIVED_ACCESS_TOKEN
        from homeassistant.core import Context
        from homeassistant.helpers import area_registry as ar
        from homeassistant.helpers import entity_registry as er

        areas = ar.async_get(hass)
        entities = er.async_get(hass)
        per_area = ENTITIES // AREAS
        area_ids = []
        for a in range(AREAS):
            name = f"Room {a + 1}"
            area = areas.async_get_area_by_name(name) or areas.async_create(name)
            area_ids.append(area.id)
        for i in range(ENTITIES):
            entry = entities.async_get_or_create(
                "sensor", "bench", f"bench_{i:04d}", suggested_object_id=f"bench_{i:04d}"
            )
            if entry.entity_id != f"sensor.bench_{i:04d}":
                raise SystemExit(f"registry made {entry.entity_id}")
            entities.async_update_entity(entry.entity_id, area_id=area_ids[i // per_area])
            hass.states.async_set(entry.entity_id, str(i), {"friendly_name": f"Bench sensor {i}"})
        await hass.async_block_till_done()
        user = await hass.auth.async_create_user("bench", group_ids=[GROUP_ID_ADMIN])
        refresh = await hass.auth.async_create_refresh_token(
            user,
            client_name="bench",
            token_type=TOKEN_TYPE_LONG_LIVED_ACCESS_TOKEN,
            access_token_expiration=timedelta(days=1),
        )
        token = hass.auth.async_create_access_token(refresh)
        log(f"dashboard: HA with its frontend on 127.0.0.1:{port}")
        print(f"READY {token}", flush=True)
        loop = asyncio.get_running_loop()
        rng = random.Random(1)
        while True:
            line = await loop.run_in_executor(None, sys.stdin.readline)
            words = line.split()
            if not words or words[0] == "quit":
                break
            rate, seconds = float(words[1]), float(words[2])
            began = loop.time()
            total = int(rate * seconds)
            for n in range(total):
                delay = began + n / rate - loop.time()
                if delay > 0:
                    await asyncio.sleep(delay)
                entity_id = f"sensor.bench_{rng.randrange(ENTITIES):04d}"
                hass.states.async_set(
                    entity_id,
                    f"{time.time() * 1000:.1f}",
                    {"friendly_name": entity_id},
                    context=Context(),
                )
            print(f"DONE {total}", flush=True)
    finally:
        await asyncio.wait_for(hass.async_stop(), 120)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=["serve"])
    parser.add_argument("config_dir")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    asyncio.run(serve(args.config_dir, args.port))


if __name__ == "__main__":
    main()
