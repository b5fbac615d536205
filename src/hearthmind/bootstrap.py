"""Sets a hub up from its configuration directory, Home Assistant style: each component has
`async_setup(hub, options) -> None`, reads its own section of configuration.yaml, and
registers a stop hook. Order matters: the recorder first (so it sees everything and stops last),
then the device integrations, automations, and the API on top."""

from __future__ import annotations

import importlib
import logging
import sys
from pathlib import Path

from hearthmind.core import Clock, ComponentSetup, Hub, HubConfig, SetupOptions, load_config
from hearthmind.core.sections import ConfigWarning, unused_parts

_LOGGER = logging.getLogger(__name__)

__all__ = ["COMPONENTS", "SetupOptions", "async_setup_hub", "config_warnings", "tune_runtime"]


# (component, module) in setup order
COMPONENTS: list[tuple[str, str]] = [
    ("recorder", "hearthmind.recorder"),
    ("mqtt", "hearthmind.integrations.mqtt"),
    ("simulator", "hearthmind.integrations.simulator"),
    ("datahall_simulator", "hearthmind.integrations.simulator.datahall"),
    ("cottage_simulator", "hearthmind.integrations.simulator.cottage"),
    ("person", "hearthmind.integrations.person"),
    ("todo", "hearthmind.integrations.todo"),
    ("automations", "hearthmind.automations"),
    ("routines", "hearthmind.routines.component"),
    ("agent", "hearthmind.agent"),
    ("spaces", "hearthmind.spaces.component"),
    ("preheat", "hearthmind.comfort.preheat_component"),
    ("datahall", "hearthmind.comfort.datahall.component"),
    ("home_energy", "hearthmind.comfort.home_energy"),
    ("cottage", "hearthmind.comfort.cottage_component"),
    ("voice", "hearthmind.voice"),
    ("wyoming", "hearthmind.api.wyoming"),
    ("api", "hearthmind.api"),
]


async def async_setup_hub(
    config_dir: Path | str | None,
    options: SetupOptions,
    clock: Clock | None = None,
    components: list[str] | None = None,
) -> Hub:
    hub = Hub(load_config(config_dir), clock, seed=options.seed)
    wanted = components or [name for name, _ in COMPONENTS]
    if components is None:  # a whole hub: say what in its configuration nothing will read
        for warning in config_warnings(hub.config):
            _LOGGER.warning("%s", warning)
    try:
        for name, module_name in COMPONENTS:
            if name not in wanted:
                continue
            module = importlib.import_module(module_name)
            setup: ComponentSetup | None = getattr(module, "async_setup", None)
            if setup is None:
                _LOGGER.debug("component %s has no async_setup yet", name)
                continue
            await setup(hub, options)
    except BaseException:
        # what was set up before the failure is closed again (database, broker, ports)
        await hub.async_stop()
        raise
    tune_runtime()
    hub.heap.settle_now()
    await hub.async_start()
    return hub


def config_warnings(config: HubConfig) -> list[ConfigWarning]:
    """Sections and keys of `config` that no component reads, with file and line. Every
    component's module is imported first, since each registers its section on import."""
    for _, module_name in COMPONENTS:
        try:
            importlib.import_module(module_name)
        except ImportError:  # an optional extra not installed: its section stays known
            _LOGGER.debug("component module %s not importable", module_name)
    return unused_parts(config, [name for name, _ in COMPONENTS])


def tune_runtime() -> None:
    """Keep the event loop's latency low while other threads (the recorder's writer) work.

    A thread that holds the GIL keeps the loop waiting up to the switch interval (5 ms by
    default): 1 ms bounds that wait. (Short full garbage collections are the hub's
    HeapSettler's job: see hearthmind.core.heap.)"""
    sys.setswitchinterval(0.001)
