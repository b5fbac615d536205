"""Actions: service calls (`service:` or `action:`), `delay`, inline conditions, `event`,
`variables`, `stop`, `if`/`then`/`else`, `choose`, `repeat` and `wait_template`.

A rule's action list compiles once into a list of steps; a run awaits them in order with the
run's variables and its one Context, whose parent is the trigger's context. Delays and waits use
`hub.clock` only."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from hearthmind.core import EVENT_STATE_CHANGED, Context, Event, HearthmindError

from .conditions import Condition, compile_condition, compile_conditions
from .templates import Render, TemplateError, Variables, is_template, template_true
from .triggers import compile_triggers
from .validation import (
    KeyPath,
    RuleError,
    as_list,
    check_keys,
    parse_duration,
    pick,
    require_mapping,
)

if TYPE_CHECKING:
    from .environment import RuleEnvironment


class Halt(Exception):
    """Ends a run quietly: a condition did not hold, or `stop:`."""


class ActionError(Exception):
    """A step failed (unknown service, bad data, a device error): the run is aborted."""


class RunState:
    """One run of a rule: its variables (`trigger`, `this`, `variables:` ...) and context."""

    __slots__ = ("context", "variables")

    def __init__(self, variables: dict[str, Any], context: Context) -> None:
        self.variables = variables
        self.context = context


Step = Callable[[RunState], Awaitable[None]]
_COMMON = {"alias", "enabled", "continue_on_error"}


async def run_steps(steps: list[Step], run: RunState) -> None:
    for step in steps:
        await step(run)
        task = asyncio.current_task()
        if task is not None and task.cancelling():
            # stopped by its own step (a rule turning itself off): end before the next one,
            # which might never reach an await where the cancellation would land
            raise asyncio.CancelledError


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
        return _delay(config, path, env)
    if "condition" in config or "and" in config or "or" in config or "not" in config:
        return _condition(config, path, env)
    if "event" in config:
        return _event(config, path, env)
    if "variables" in config:
        return _variables(config, path, env)
    if "stop" in config:
        return _stop(config, path)
    if "if" in config:
        return _if(config, path, env)
    if "choose" in config:
        return _choose(config, path, env)
    if "repeat" in config:
        return _repeat(config, path, env)
    if "wait_template" in config:
        return _wait_template(config, path, env)
    if "wait_for_trigger" in config:
        return _wait_for_trigger(config, path, env)
    if "parallel" in config:
        return _parallel(config, path, env)
    if "sequence" in config:
        check_keys(config, _COMMON | {"sequence"}, path, "a sequence action")
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
        _COMMON
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


# -- delay, wait ------------------------------------------------------------------------------


def _delay(config: Mapping[str, Any], path: KeyPath, env: RuleEnvironment) -> Step:
    check_keys(config, _COMMON | {"delay"}, path, "a delay")
    value = config["delay"]
    clock = env.hub.clock
    render = env.templates.compile_value(value, (*path, "delay"))
    if render is None:
        seconds = parse_duration(value, (*path, "delay"))

        async def fixed_delay(_run: RunState) -> None:
            await clock.async_sleep(seconds)

        return fixed_delay

    async def templated_delay(run: RunState) -> None:
        rendered = render(run.variables)
        try:
            seconds = parse_duration(rendered, ())
        except RuleError as err:
            raise TemplateError(f"delay template gave {rendered!r}: {err.reason}") from None
        await clock.async_sleep(seconds)

    return templated_delay


def _wait_template(config: Mapping[str, Any], path: KeyPath, env: RuleEnvironment) -> Step:
    """Wait until a template is true (re-checked on every state change), at most `timeout`."""
    check_keys(
        config, _COMMON | {"wait_template", "timeout", "continue_on_timeout"}, path, "a wait"
    )
    text = config["wait_template"]
    if not isinstance(text, str):
        raise RuleError((*path, "wait_template"), "wait_template must be template text")
    template = env.templates.compile(text, (*path, "wait_template"))
    timeout = parse_duration(config["timeout"], (*path, "timeout")) if "timeout" in config else None
    continue_on_timeout = bool(config.get("continue_on_timeout", True))
    hub = env.hub
    templates = env.templates

    async def wait(run: RunState) -> None:
        if template_true(templates.render_template(template, run.variables)):
            run.variables = {**run.variables, "wait": {"completed": True, "remaining": timeout}}
            return
        done: asyncio.Future[bool] = asyncio.get_running_loop().create_future()

        def on_change(_event: Event) -> None:
            if done.done():
                return
            try:
                if template_true(templates.render_template(template, run.variables)):
                    done.set_result(True)
            except TemplateError as err:
                done.set_exception(err)

        def on_timeout() -> None:
            if not done.done():
                done.set_result(False)

        unsubscribe = hub.bus.async_listen(EVENT_STATE_CHANGED, on_change)
        start = hub.clock.timestamp()
        timer = (
            hub.clock.call_at(datetime.fromtimestamp(start + timeout, UTC), on_timeout)
            if timeout is not None
            else None
        )
        try:
            completed = await done
        finally:
            unsubscribe()
            if timer is not None:
                timer.cancel()
        remaining = None if timeout is None else max(0.0, timeout - (hub.clock.timestamp() - start))
        run.variables = {**run.variables, "wait": {"completed": completed, "remaining": remaining}}
        if not completed and not continue_on_timeout:
            raise Halt()

    return wait


def _wait_for_trigger(config: Mapping[str, Any], path: KeyPath, env: RuleEnvironment) -> Step:
    """Wait until one of the given triggers fires (`wait.trigger` then holds its variables)."""
    check_keys(
        config, _COMMON | {"wait_for_trigger", "timeout", "continue_on_timeout"}, path, "a wait"
    )
    triggers = compile_triggers(config["wait_for_trigger"], (*path, "wait_for_trigger"), env)
    if not triggers:
        raise RuleError((*path, "wait_for_trigger"), "wait_for_trigger needs a trigger")
    timeout = parse_duration(config["timeout"], (*path, "timeout")) if "timeout" in config else None
    continue_on_timeout = bool(config.get("continue_on_timeout", True))
    hub = env.hub

    async def wait(run: RunState) -> None:
        done: asyncio.Future[dict[str, Any] | None] = asyncio.get_running_loop().create_future()

        def fired(variables: dict[str, Any], _context: Context | None) -> None:
            if not done.done():
                done.set_result(variables)

        def on_timeout() -> None:
            if not done.done():
                done.set_result(None)

        detaches = [trigger.attach(fired) for trigger in triggers]
        start = hub.clock.timestamp()
        timer = (
            hub.clock.call_at(datetime.fromtimestamp(start + timeout, UTC), on_timeout)
            if timeout is not None
            else None
        )
        try:
            result = await done
        finally:
            for detach in detaches:
                detach()
            if timer is not None:
                timer.cancel()
        remaining = None if timeout is None else max(0.0, timeout - (hub.clock.timestamp() - start))
        run.variables = {**run.variables, "wait": {"trigger": result, "remaining": remaining}}
        if result is None and not continue_on_timeout:
            raise Halt()

    return wait


def _parallel(config: Mapping[str, Any], path: KeyPath, env: RuleEnvironment) -> Step:
    """Run branches at once; each sees the run's variables (its own copy) and context. The
    first failure cancels the others and fails the run."""
    check_keys(config, _COMMON | {"parallel"}, path, "a parallel action")
    raw = config["parallel"]
    branches: list[list[Step]] = []
    for i, branch in enumerate(as_list(raw)):
        here = (*path, "parallel", i) if isinstance(raw, list) else (*path, "parallel")
        if isinstance(branch, Mapping) and "sequence" in branch and len(branch) == 1:
            branches.append(compile_script(branch["sequence"], (*here, "sequence"), env))
        else:
            step = compile_step(branch, here, env)
            branches.append([step] if step is not None else [])

    async def branch_run(steps: list[Step], run: RunState) -> None:
        with contextlib.suppress(Halt):  # a condition ends its own branch only
            await run_steps(steps, RunState(dict(run.variables), run.context))

    async def parallel(run: RunState) -> None:
        tasks = [asyncio.ensure_future(branch_run(steps, run)) for steps in branches]
        try:
            await asyncio.gather(*tasks)
        finally:
            for task in tasks:
                task.cancel()

    return parallel


# -- conditions and flow ----------------------------------------------------------------------


def _condition(config: Mapping[str, Any], path: KeyPath, env: RuleEnvironment) -> Step:
    check = compile_condition(dict(config), path, env)

    async def condition(run: RunState) -> None:
        if not check(run.variables):
            raise Halt()

    return condition


def _stop(config: Mapping[str, Any], path: KeyPath) -> Step:
    check_keys(config, _COMMON | {"stop", "error", "response_variable"}, path, "a stop action")
    error = bool(config.get("error", False))
    reason = str(config["stop"])

    async def stop(_run: RunState) -> None:
        if error:
            raise ActionError(f"stopped: {reason}")
        raise Halt()

    return stop


def _if(config: Mapping[str, Any], path: KeyPath, env: RuleEnvironment) -> Step:
    check_keys(config, _COMMON | {"if", "then", "else"}, path, "an if action")
    if "then" not in config:
        raise RuleError(path, "an if action needs 'then'")
    check = compile_conditions(config["if"], (*path, "if"), env)
    if check is None:
        raise RuleError((*path, "if"), "an if action needs at least one condition")
    then = compile_script(config["then"], (*path, "then"), env)
    otherwise = compile_script(config.get("else"), (*path, "else"), env)

    async def if_then_else(run: RunState) -> None:
        await run_steps(then if check(run.variables) else otherwise, run)

    return if_then_else


def _choose(config: Mapping[str, Any], path: KeyPath, env: RuleEnvironment) -> Step:
    check_keys(config, _COMMON | {"choose", "default"}, path, "a choose action")
    options: list[tuple[Condition, list[Step]]] = []
    raw = config["choose"]
    for i, option in enumerate(as_list(raw)):
        here = (*path, "choose", i) if isinstance(raw, list) else (*path, "choose")
        option = require_mapping(option, here, "a choose option")
        check_keys(option, {"conditions", "sequence", "alias"}, here, "a choose option")
        check = compile_conditions(option.get("conditions"), (*here, "conditions"), env)
        if check is None:
            raise RuleError(here, "a choose option needs 'conditions'")
        options.append((check, compile_script(option.get("sequence"), (*here, "sequence"), env)))
    default = compile_script(config.get("default"), (*path, "default"), env)

    async def choose(run: RunState) -> None:
        for check, steps in options:
            if check(run.variables):
                await run_steps(steps, run)
                return
        await run_steps(default, run)

    return choose


MAX_REPEAT = 10_000  # a runaway loop in a rule must not hold the hub forever


def _repeat(config: Mapping[str, Any], path: KeyPath, env: RuleEnvironment) -> Step:
    check_keys(config, _COMMON | {"repeat"}, path, "a repeat action")
    spec = require_mapping(config["repeat"], (*path, "repeat"), "repeat")
    here = (*path, "repeat")
    check_keys(spec, {"count", "while", "until", "for_each", "sequence"}, here, "repeat")
    if "sequence" not in spec:
        raise RuleError(here, "repeat needs 'sequence'")
    steps = compile_script(spec["sequence"], (*here, "sequence"), env)
    kinds = [k for k in ("count", "while", "until", "for_each") if k in spec]
    if len(kinds) != 1:
        raise RuleError(here, "repeat needs exactly one of 'count', 'while', 'until', 'for_each'")
    kind = kinds[0]
    if kind == "for_each":
        items_raw = spec["for_each"]
        render_items = env.templates.compile_value(items_raw, (*here, "for_each"))
        if render_items is None and not isinstance(items_raw, list):
            raise RuleError((*here, "for_each"), "for_each must be a list or a template")

        async def repeat_for_each(run: RunState) -> None:
            items = items_raw if render_items is None else render_items(run.variables)
            if not isinstance(items, list):
                raise TemplateError(f"repeat for_each gave {items!r}, not a list")
            await _loop(
                run, steps, lambda i: i < min(len(items), MAX_REPEAT), lambda i: True, items
            )

        return repeat_for_each
    if kind == "count":
        render_count = env.templates.compile_value(spec["count"], (*here, "count"))
        static_count = spec["count"]
        if render_count is None and (
            isinstance(static_count, bool) or not isinstance(static_count, int) or static_count < 0
        ):
            raise RuleError((*here, "count"), f"count must be a whole number, got {static_count!r}")

        async def repeat_count(run: RunState) -> None:
            count = static_count if render_count is None else render_count(run.variables)
            if isinstance(count, bool) or not isinstance(count, int):
                raise TemplateError(f"repeat count gave {count!r}, not a whole number")
            await _loop(run, steps, lambda i: i < min(count, MAX_REPEAT), lambda i: True)

        return repeat_count
    check = compile_conditions(spec[kind], (*here, kind), env)
    if check is None:
        raise RuleError((*here, kind), f"repeat {kind} needs at least one condition")

    async def repeat_cond(run: RunState) -> None:
        if kind == "while":
            await _loop(run, steps, lambda i: check(run.variables), lambda i: True)
        else:
            await _loop(run, steps, lambda i: True, lambda i: not check(run.variables))

    return repeat_cond


async def _loop(
    run: RunState,
    steps: list[Step],
    before: Callable[[int], bool],
    after: Callable[[int], bool],
    items: list[Any] | None = None,
) -> None:
    outer = run.variables
    for i in range(MAX_REPEAT):
        repeat: dict[str, Any] = {"index": i + 1, "first": i == 0}
        if items is not None:
            if i >= len(items):
                break
            repeat.update(item=items[i], last=i == len(items) - 1)
        run.variables = {**outer, "repeat": repeat}
        if not before(i):
            break
        await run_steps(steps, run)
        if not after(i):
            break
        await asyncio.sleep(0)  # a tight loop of instant steps must let the hub breathe
    run.variables = outer


# -- events and variables ---------------------------------------------------------------------


def _event(config: Mapping[str, Any], path: KeyPath, env: RuleEnvironment) -> Step:
    check_keys(
        config, _COMMON | {"event", "event_data", "event_data_template"}, path, "an event action"
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
    check_keys(config, _COMMON | {"variables"}, path, "a variables action")
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
