"""Writes tests/routines/data/ha-2024.3.3.sqlite with a real Home Assistant recorder.

Run it with Home Assistant 2024.3.3's own interpreter (not the project's venv):

    bench/.ha-venv/bin/python tests/routines/make_ha_db.py tests/routines/data/ha-2024.3.3.sqlite

or with a PostgreSQL URL (`postgresql://user@127.0.0.1:PORT/DB`; the HA venv then needs
psycopg2-binary, as any HA install on PostgreSQL does). The committed
tests/routines/data/ha-2024.3.3.postgresql.sql is `pg_dump --no-owner --no-privileges --inserts`
of such a database; the test loads it into its own server when HA cannot run.

It boots HA's core with only the recorder, then sets states the way integrations, people and
automations do: a motion sensor (no user, no parent), a light switched from the UI (context
with a user id), the same light switched at the wall (plain context), a coffee machine switched
by an automation (context with a parent id), a numeric temperature, an unavailable light, an
attribute-only update, a thermostat that reports its room temperature (same state, new
attributes) until a person raises its set-point from the app, and an automation started by
Home Assistant's start trigger (a context with neither parent nor user). The test (test_homeassistant_import.py) checks how Hearthmind's
importer reads each of them."""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from pathlib import Path

from homeassistant import bootstrap, core, loader
from homeassistant.const import __version__ as HA_VERSION

USER_ID = "9f3c2a7b5e1d4c6a8b0e2f4a6c8e0a1b"  # a person's HA user id (hex, as HA makes them)


async def write(out: str) -> None:
    bootstrap.DEFAULT_INTEGRATIONS.clear()
    with tempfile.TemporaryDirectory() as config_dir:
        hass = core.HomeAssistant(config_dir)
        hass.config.skip_pip = True
        loader.async_setup(hass)
        config = {
            "homeassistant": {
                "name": "Test",
                "latitude": 52.37,
                "longitude": 4.89,
                "elevation": 0,
                "unit_system": "metric",
                "time_zone": "UTC",
            },
            "recorder": {"db_url": out, "commit_interval": 0},
            # a time-style trigger: HA starts the run in a context with no parent and no user,
            # like a switch pressed at the wall; only its automation_triggered event tells
            "input_boolean": {"porch": {"name": "Porch"}},
            "automation": [
                {
                    "id": "porch_at_start",
                    "alias": "Porch on at start",
                    "trigger": {"platform": "homeassistant", "event": "start"},
                    "action": {
                        "service": "input_boolean.turn_on",
                        "target": {"entity_id": "input_boolean.porch"},
                    },
                }
            ],
        }
        if await bootstrap.async_from_config_dict(config, hass) is None:
            raise SystemExit("Home Assistant failed to set up")
        await hass.async_start()
        await hass.async_block_till_done()
        person = core.Context(user_id=USER_ID)
        steps: list[tuple[str, str, dict[str, object], core.Context | None]] = [
            ("binary_sensor.hall_motion", "on", {"device_class": "motion"}, None),
            ("light.kitchen", "on", {"brightness": 200}, person),  # from the app, by a person
            ("binary_sensor.hall_motion", "off", {"device_class": "motion"}, None),
            ("light.kitchen", "on", {"brightness": 120}, person),  # attribute-only change
            ("sensor.kitchen_temperature", "21.5", {"unit_of_measurement": "°C"}, None),
            ("switch.coffee", "on", {}, core.Context(parent_id=core.Context().id)),  # automation
            ("light.kitchen", "off", {}, core.Context()),  # at the wall switch
            ("light.hallway", "unavailable", {}, None),
            ("binary_sensor.hall_motion", "on", {"device_class": "motion"}, None),
            ("light.hallway", "on", {}, core.Context()),
            (
                "climate.living_room",
                "heat",
                {"temperature": 19.0, "current_temperature": 18.0},
                None,
            ),
            (
                "climate.living_room",
                "heat",
                {"temperature": 19.0, "current_temperature": 18.5},
                None,
            ),
            (
                "climate.living_room",
                "heat",
                {"temperature": 21.0, "current_temperature": 18.5},
                person,
            ),
            (
                "climate.living_room",
                "off",
                {"temperature": 21.0, "current_temperature": 19.0},
                person,
            ),
        ]
        for entity_id, state, attributes, context in steps:
            hass.states.async_set(entity_id, state, attributes, context=context)
            await hass.async_block_till_done()
            await asyncio.sleep(0.05)  # distinct timestamps, in order
        await hass.async_stop()
    print(f"Home Assistant {HA_VERSION} wrote {out}")


if __name__ == "__main__":
    if "://" in sys.argv[1]:
        asyncio.run(write(sys.argv[1]))
    else:
        target = Path(sys.argv[1]).resolve()
        if target.exists():
            os.remove(target)
        asyncio.run(write(f"sqlite:///{target}"))
