"""Automations: user-written trigger / condition / action rules in Home Assistant's YAML format.

`async_setup(hub, options)` loads the rules of the config directory (the `automation:` section
of configuration.yaml, often `!include automations.yaml`, and `automations.yaml`), registers
the `automation.*` services and keeps the `AutomationManager` in `hub.data["automations"]`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hearthmind.core import Hub, load_config

from .automation import EVENT_AUTOMATION_TRIGGERED, Automation, Mode, RuleSpec, compile_rule
from .explain import ChainLink, describe_chain, explain_context_chain
from .manager import AutomationManager, LoadResult, RuleRejection
from .templates import TemplateError
from .validation import RuleError

DATA_KEY = "automations"

__all__ = [
    "DATA_KEY",
    "EVENT_AUTOMATION_TRIGGERED",
    "Automation",
    "AutomationManager",
    "ChainLink",
    "LoadResult",
    "Mode",
    "RuleError",
    "RuleRejection",
    "RuleSpec",
    "TemplateError",
    "async_setup",
    "check_config_dir",
    "compile_rule",
    "describe_chain",
    "explain_context_chain",
    "get_manager",
]


def get_manager(hub: Hub) -> AutomationManager:
    """The hub's automation manager, created (with its services) on first use."""
    manager = hub.data.get(DATA_KEY)
    if not isinstance(manager, AutomationManager):
        manager = AutomationManager(hub, hub.config.config_dir)
        manager.register_services()
        hub.data[DATA_KEY] = manager
        hub.async_on_stop(manager.async_stop)
    return manager


def check_config_dir(config_dir: Path | str) -> list[RuleRejection]:
    """The rejected rules of a configuration directory (file, line, reason), loading nothing:
    for a `check` command. Raises `ConfigError` if configuration.yaml itself is broken."""
    directory = Path(config_dir).expanduser()
    return AutomationManager(Hub(load_config(directory, create=False)), directory).check_config()


async def async_setup(hub: Hub, options: Any) -> None:
    manager = get_manager(hub)
    await manager.async_load_config(hub.config.raw, hub.config.lines)
