"""Actions: a rule's action list compiled into steps. This module dispatches each action to
its compiler and holds the ones that act: service calls (`service:` or `action:`), `event` and
`variables`. Waits are in waits.py, conditions and flow (`if`, `choose`, `repeat`, `parallel`,
`stop`) in flow.py, what a step is in steps.py.

A rule's action list compiles once into a list of steps; a run awaits them in order with the
run's variables and its one Context, whose parent is the trigger's context. Delays and waits use
`hub.clock` only."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from hearthmind.core import HearthmindError

from . import flow, waits
from .steps import COMMON_KEYS, ActionError, Halt, RunState, Step, run_steps
from .templates import Render, Variables, is_template
from .validation import KeyPath, RuleError, as_list, check_keys, pick, require_mapping

if TYPE_CHECKING:
    from .environment import RuleEnvironment

__all__ = [
    "ActionError",
    "Halt",
    "RunState",
    "Step",
    "compile_script",
    "compile_step",
    "compile_variables",
    "run_steps",
]


def compile_script(value: Any, path: KeyPath, env: RuleEnvironment) -> list[Step]:
    items = as_list(value)
    steps: list[Step] = []
    for i, item in enumerate(items):
        here = (*path, i) if isinstance(value, list) else path
        step = compile_step(item, here, env)
        if step is not None:
            steps.append(step)
    return steps


def compile_step(config: Any, path: KeyPath, env: RuleEnvironment) -> Step | None:
    config = require_mapping(config, path, "an action")
    if config.get("enabled", True) is False:
        return None
    if "service" in config or "action" in config:
        return _service(config, path, env)
    if "delay" in config:
        return waits.compile_delay(config, path, env)
    if "condition" in config or "and" in config or "or" in config or "not" in config:
        return flow.compile_condition_step(config, path, env)
    if "event" in config:
        return _event(config, path, env)
    if "variables" in config:
        return _variables(config, path, env)
    if "stop" in config:
        return flow.compile_stop(config, path)
    if "if" in config:
        return flow.compile_if(config, path, env, compile_script)
    if "choose" in config:
        return flow.compile_choose(config, path, env, compile_script)
    if "repeat" in config:
        return flow.compile_repeat(config, path, env, compile_script)
    if "wait_template" in config:
        return waits.compile_wait_template(config, path, env)
    if "wait_for_trigger" in config:
        return waits.compile_wait_for_trigger(config, path, env)
    if "parallel" in config:
        return flow.compile_parallel(config, path, env, compile_script)
    if "sequence" in config:
        check_keys(config, COMMON_KEYS | {"sequence"}, path, "a sequence action")
        steps = compile_script(config["sequence"], (*path, "sequence"), env)
        return lambda run: run_steps(steps, run)
    raise RuleError(
        path,
        "unknown action: want one of service/action, delay, condition, event, variables, "
        "stop, if, choose, repeat, wait_template, wait_for_trigger, parallel, sequence "
        f" (got keys: {', '.join(map(str, config))})",
    )


# -- service calls ----------------------------------------------------------------------------


def _service(config: Mapping[str, Any], path: KeyPath, env: RuleEnvironment) -> Step:
    check_keys(
        config,
        COMMON_KEYS
        | {"service", "action", "target", "data", "data_template", "entity_id", "metadata"}
        | {"response_variable"},
        path,
        "a service call",
    )
    key, name = pick(config, path, "service", "action")
    assert key is not None
    if not isinstance(name, str) or not name.strip():
        raise RuleError((*path, key), f"{key} must be 'domain.service' text, got {name!r}")
    if not is_template(name) and (name.count(".") != 1 or not all(name.split("."))):
        raise RuleError((*path, key), f"invalid service {name!r}: want 'domain.service'")
    service_name = env.templates.compile_text(name.strip(), (*path, key))
    data: dict[str, Any] = {}
    for data_key in ("data", "data_template"):
        if data_key in config and config[data_key] is not None:
            data.update(require_mapping(config[data_key], (*path, data_key), data_key))
    target: dict[str, Any] = {}
    if "target" in config and config["target"] is not None:
        target_map = require_mapping(config["target"], (*path, "target"), "target")
        check_keys(target_map, {"entity_id", "area_id", "device_id"}, (*path, "target"), "target")
        target.update(target_map)
    if "entity_id" in config:  # the legacy place of the target
        target["entity_id"] = config["entity_id"]
    render_data = env.templates.compile_value(data, (*path, "data"))
    render_target = env.templates.compile_value(target, (*path, "target"))
    continue_on_error = bool(config.get("continue_on_error", False))
    hub = env.hub
    services = hub.services
    static_name = None if is_template(name) else name.strip().split(".")
    static_target: dict[str, Any] | None = None if render_target else (target or None)
    if static_target is not None and "device_id" in static_target:
        static_target = None  # resolved per call: devices can be added after the rule

    async def call_service(run: RunState) -> None:
        if static_name is not None:
            domain, service = static_name
        else:
            rendered = service_name(run.variables)
            domain, _, service = rendered.partition(".")
            if not domain or not service:
                raise ActionError(f"service template gave {rendered!r}, not 'domain.service'")
        payload = data if render_data is None else render_data(run.variables)
        if static_target is not None:
            call_target: Mapping[str, Any] | None = static_target
        else:
            raw = target if render_target is None else render_target(run.variables)
            call_target = _resolve_devices(env, domain, raw) if raw else None
        try:
            await services.async_call(
                domain, service, payload, context=run.context, target=call_target, blocking=True
            )
        except HearthmindError as err:
            if continue_on_error:
                return
            raise ActionError(f"{domain}.{service} failed: {err}") from err

    return call_service


def _resolve_devices(
    env: RuleEnvironment, domain: str, target: Mapping[str, Any]
) -> dict[str, Any]:
    """`target: {device_id: ...}`: the device's entities of the service's domain."""
    out = dict(target)
    device_ids = out.pop("device_id", None)
    if device_ids is None:
        return out
    ids = as_list(out.get("entity_id"))
    if len(ids) == 1 and isinstance(ids[0], str):
        ids = [p.strip() for p in ids[0].split(",") if p.strip()]
    for device_id in as_list(device_ids):
        device = env.hub.registries.devices.get(str(device_id))
        if device is None:
            raise ActionError(f"unknown device {device_id!r} in target")
        ids.extend(
            e for e in device.entity_ids if domain == "homeassistant" or e.startswith(domain + ".")
        )
    out["entity_id"] = ids
    return out


def _event(config: Mapping[str, Any], path: KeyPath, env: RuleEnvironment) -> Step:
    check_keys(
        config,
        COMMON_KEYS | {"event", "event_data", "event_data_template"},
        path,
        "an event action",
    )
    name = config["event"]
    if not isinstance(name, str) or not name:
        raise RuleError((*path, "event"), "event must be an event type (text)")
    event_type = env.templates.compile_text(name, (*path, "event"))
    data: dict[str, Any] = {}
    for key in ("event_data", "event_data_template"):
        if config.get(key) is not None:
            data.update(require_mapping(config[key], (*path, key), key))
    render = env.templates.compile_value(data, (*path, "event_data"))
    bus = env.hub.bus

    async def fire_event(run: RunState) -> None:
        payload = data if render is None else render(run.variables)
        bus.async_fire(event_type(run.variables), dict(payload), run.context)

    return fire_event


def _variables(config: Mapping[str, Any], path: KeyPath, env: RuleEnvironment) -> Step:
    check_keys(config, COMMON_KEYS | {"variables"}, path, "a variables action")
    values = require_mapping(config["variables"], (*path, "variables"), "variables")
    renders = [
        (str(k), v, env.templates.compile_value(v, (*path, "variables", str(k))))
        for k, v in values.items()
    ]

    async def set_variables(run: RunState) -> None:
        new = dict(run.variables)
        for key, value, render in renders:
            new[key] = value if render is None else render(new)  # later ones see earlier ones
        run.variables = new

    return set_variables


def compile_variables(
    value: Any, path: KeyPath, env: RuleEnvironment
) -> Callable[[Variables], dict[str, Any]] | None:
    """A rule's top-level `variables:`, rendered at the start of each run."""
    if value is None:
        return None
    values = require_mapping(value, path, "variables")
    renders: list[tuple[str, Any, Render | None]] = [
        (str(k), v, env.templates.compile_value(v, (*path, str(k)))) for k, v in values.items()
    ]

    def render(variables: Variables) -> dict[str, Any]:
        new = dict(variables)
        for key, raw, r in renders:
            new[key] = raw if r is None else r(new)
        return new

    return render
