"""Boot a real Home Assistant 2024.3.3 core in this process (runs inside HA's venv).

We go through ``homeassistant.bootstrap.async_from_config_dict``, the same path as
``hass -c DIR``, with one change: the default integrations (frontend, backup, cloud,
network, ...) are not set up, so the instance holds only what the benchmark configures
(core, recorder when asked, http+mqtt+automation for the MQTT run) and needs no extra
downloads. Logging goes to stderr at WARNING so HA's own complaints stay visible.
"""

from __future__ import annotations

import json
import logging
import os
import resource
import sys
import time
from typing import Any

from homeassistant import bootstrap, core, loader

CORE_CONFIG: dict[str, Any] = {
    "name": "Bench",
    "latitude": 52.37,
    "longitude": 4.89,
    "elevation": 0,
    "unit_system": "metric",
    "time_zone": "UTC",
    "currency": "EUR",
    "country": "NL",
}


def log(message: str) -> None:
    print(f"[ha {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def peak_rss_mb() -> float:
    """Peak resident set size of this process (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def setup_logging() -> None:
    """HA's log to stderr; BENCH_HA_LOG=DEBUG shows everything."""
    if not logging.getLogger().handlers:
        logging.basicConfig(
            level=os.environ.get("BENCH_HA_LOG", "WARNING"),
            stream=sys.stderr,
            format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        )


async def start_hass(config_dir: str, config: dict[str, Any]) -> core.HomeAssistant:
    """Set up HA from ``config`` (a configuration.yaml as a dict) and start it."""
    setup_logging()
    bootstrap.DEFAULT_INTEGRATIONS.clear()
    hass = core.HomeAssistant(config_dir)
    hass.config.skip_pip = True
    loader.async_setup(hass)
    full = {"homeassistant": dict(CORE_CONFIG), **config}
    # Integrations such as mqtt re-read configuration.yaml; JSON is valid YAML.
    with open(os.path.join(config_dir, "configuration.yaml"), "w", encoding="utf-8") as f:
        json.dump(full, f, indent=1)
    if await bootstrap.async_from_config_dict(full, hass) is None:
        raise SystemExit("Home Assistant core failed to set up")
    missing = [d for d in config if d not in hass.config.components]
    if missing:
        raise SystemExit(f"Home Assistant could not set up: {', '.join(missing)}")
    await hass.async_start()
    await hass.async_block_till_done()
    return hass
