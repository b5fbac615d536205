"""Actions that wait: `delay`, `wait_template` and `wait_for_trigger`, on `hub.clock` only."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeVar

from hearthmind.core import EVENT_STATE_CHANGED, Context, Event

from .steps import COMMON_KEYS, Halt, RunState, Step
from .templates import TemplateError, template_true
from .triggers import compile_triggers
from .validation import KeyPath, RuleError, check_keys, parse_duration

if TYPE_CHECKING:
    from hearthmind.core import Hub

    from .environment import RuleEnvironment

T = TypeVar("T")


async def _await_or_time_out(
    hub: Hub, done: asyncio.Future[T], limit: float | None, timed_out: T
) -> tuple[T, float | None]:
    """`done`'s result, or `timed_out` once `limit` seconds of the hub's clock have passed
    (None: no limit); with the seconds of the limit that were left. Not asyncio.timeout: that
    counts the loop's time, and a rule waits on the hub's (simulated or sped up) clock."""

    def on_timeout() -> None:
        if not done.done():
            done.set_result(timed_out)

    start = hub.clock.timestamp()
    timer = (
        hub.clock.call_at(datetime.fromtimestamp(start + limit, UTC), on_timeout)
        if limit is not None
        else None
    )
    try:
        result = await done
    finally:
        if timer is not None:
            timer.cancel()
    remaining = None if limit is None else max(0.0, limit - (hub.clock.timestamp() - start))
    return result, remaining


def compile_delay(config: Mapping[str, Any], path: KeyPath, env: RuleEnvironment) -> Step:
    check_keys(config, COMMON_KEYS | {"delay"}, path, "a delay")
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


def compile_wait_template(config: Mapping[str, Any], path: KeyPath, env: RuleEnvironment) -> Step:
    """Wait until a template is true (re-checked on every state change), at most `timeout`."""
    check_keys(
        config, COMMON_KEYS | {"wait_template", "timeout", "continue_on_timeout"}, path, "a wait"
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

        unsubscribe = hub.bus.async_listen(EVENT_STATE_CHANGED, on_change)
        try:
            completed, remaining = await _await_or_time_out(hub, done, timeout, False)
        finally:
            unsubscribe()
        run.variables = {**run.variables, "wait": {"completed": completed, "remaining": remaining}}
        if not completed and not continue_on_timeout:
            raise Halt()

    return wait


def compile_wait_for_trigger(
    config: Mapping[str, Any], path: KeyPath, env: RuleEnvironment
) -> Step:
    """Wait until one of the given triggers fires (`wait.trigger` then holds its variables)."""
    check_keys(
        config, COMMON_KEYS | {"wait_for_trigger", "timeout", "continue_on_timeout"}, path, "a wait"
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

        detaches = [trigger.attach(fired) for trigger in triggers]
        try:
            result, remaining = await _await_or_time_out(hub, done, timeout, None)
        finally:
            for detach in detaches:
                detach()
        run.variables = {**run.variables, "wait": {"trigger": result, "remaining": remaining}}
        if result is None and not continue_on_timeout:
            raise Halt()

    return wait
