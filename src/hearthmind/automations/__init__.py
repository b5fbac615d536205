"""Automations: user-written trigger / condition / action rules in Home Assistant's YAML format.

Where rules come from (as in HA): the `automation:` section of configuration.yaml (a list, one
rule, or `!include automations.yaml`; also `automation <label>:` sections) and, when present,
`automations.yaml` in the config directory. Rules added from code (`async_add_rules`) live
beside them and survive reloads.

Supported (HA's keys, old and new spellings: `platform:`/`trigger:`, `service:`/`action:`,
`trigger`/`triggers`, `condition`/`conditions`, `action`/`actions`):

* triggers: state (from, to, not_from, not_to, attribute, for), numeric_state (above, below,
  attribute, value_template, for), time (at), time_pattern (hours/minutes/seconds, `/n`),
  event (event_type, event_data, context.user_id), sun (sunrise/sunset, offset),
  homeassistant (start/shutdown), template (value_template, for);
* conditions: state (for, attribute, match), numeric_state, time (after, before, weekday),
  sun, template (also a bare template string), trigger (id), and/or/not;
* actions: service calls (target, data, data_template, templates anywhere), delay, inline
  conditions, event, variables, stop, if/then/else, choose, repeat (count, while, until,
  for_each), wait_template, wait_for_trigger, parallel, sequence;
* modes single, restart, queued and parallel (with max); `automation.<id>` entities with
  last_triggered, mode, current, max; services automation.turn_on / turn_off / toggle /
  trigger / reload.

`async_setup(hub, options)` loads the config directory's rules, registers the services and
keeps the `AutomationManager` in `hub.data[DATA_KEY]` (see `get_manager`)."""

from __future__ import annotations

from pathlib import Path

from hearthmind.core import DataKey, Hub, SetupOptions, load_config, register_section

from .automation import EVENT_AUTOMATION_TRIGGERED, Automation, Mode, RuleSpec, compile_rule
from .explain import ChainLink, describe_chain, explain_context_chain
from .manager import AutomationManager, LoadResult, RuleRejection
from .templates import TemplateError
from .validation import RuleError

DATA_KEY: DataKey[AutomationManager] = DataKey("automations")
# HA's `automation:` (and `automation name:`): a list of rules, checked by the loader
register_section("automation")

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
    if manager is None:
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


async def async_setup(hub: Hub, options: SetupOptions) -> None:
    manager = get_manager(hub)
    await manager.async_load_config(hub.config.raw, hub.config.lines)
