"""Actions that steer a run: inline conditions, `stop`, `if`/`then`/`else`, `choose`, `repeat`
and `parallel`. Those that hold actions of their own compile them with the `script` compiler
they are given (actions.compile_script), so this module does not import the dispatcher."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from .conditions import Condition, compile_condition, compile_conditions
from .steps import COMMON_KEYS, ActionError, Halt, RunState, ScriptCompiler, Step, run_steps
from .templates import TemplateError
from .validation import KeyPath, RuleError, as_list, check_keys, require_mapping

if TYPE_CHECKING:
    from .environment import RuleEnvironment


def compile_condition_step(config: Mapping[str, Any], path: KeyPath, env: RuleEnvironment) -> Step:
    check = compile_condition(dict(config), path, env)

    async def condition(run: RunState) -> None:
        if not check(run.variables):
            raise Halt()

    return condition


def compile_stop(config: Mapping[str, Any], path: KeyPath) -> Step:
    check_keys(config, COMMON_KEYS | {"stop", "error", "response_variable"}, path, "a stop action")
    error = bool(config.get("error", False))
    reason = str(config["stop"])

    async def stop(_run: RunState) -> None:
        if error:
            raise ActionError(f"stopped: {reason}")
        raise Halt()

    return stop


def compile_if(
    config: Mapping[str, Any], path: KeyPath, env: RuleEnvironment, script: ScriptCompiler
) -> Step:
    check_keys(config, COMMON_KEYS | {"if", "then", "else"}, path, "an if action")
    if "then" not in config:
        raise RuleError(path, "an if action needs 'then'")
    check = compile_conditions(config["if"], (*path, "if"), env)
    if check is None:
        raise RuleError((*path, "if"), "an if action needs at least one condition")
    then = script(config["then"], (*path, "then"), env)
    otherwise = script(config.get("else"), (*path, "else"), env)

    async def if_then_else(run: RunState) -> None:
        await run_steps(then if check(run.variables) else otherwise, run)

    return if_then_else


def compile_choose(
    config: Mapping[str, Any], path: KeyPath, env: RuleEnvironment, script: ScriptCompiler
) -> Step:
    check_keys(config, COMMON_KEYS | {"choose", "default"}, path, "a choose action")
    options: list[tuple[Condition, list[Step]]] = []
    raw = config["choose"]
    for i, option in enumerate(as_list(raw)):
        here = (*path, "choose", i) if isinstance(raw, list) else (*path, "choose")
        option = require_mapping(option, here, "a choose option")
        check_keys(option, {"conditions", "sequence", "alias"}, here, "a choose option")
        check = compile_conditions(option.get("conditions"), (*here, "conditions"), env)
        if check is None:
            raise RuleError(here, "a choose option needs 'conditions'")
        options.append((check, script(option.get("sequence"), (*here, "sequence"), env)))
    default = script(config.get("default"), (*path, "default"), env)

    async def choose(run: RunState) -> None:
        for check, steps in options:
            if check(run.variables):
                await run_steps(steps, run)
                return
        await run_steps(default, run)

    return choose


MAX_REPEAT = 10_000  # a runaway loop in a rule must not hold the hub forever


def compile_repeat(
    config: Mapping[str, Any], path: KeyPath, env: RuleEnvironment, script: ScriptCompiler
) -> Step:
    check_keys(config, COMMON_KEYS | {"repeat"}, path, "a repeat action")
    spec = require_mapping(config["repeat"], (*path, "repeat"), "repeat")
    here = (*path, "repeat")
    check_keys(spec, {"count", "while", "until", "for_each", "sequence"}, here, "repeat")
    if "sequence" not in spec:
        raise RuleError(here, "repeat needs 'sequence'")
    steps = script(spec["sequence"], (*here, "sequence"), env)
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


def compile_parallel(
    config: Mapping[str, Any], path: KeyPath, env: RuleEnvironment, script: ScriptCompiler
) -> Step:
    """Run branches at once; each sees the run's variables (its own copy) and context. The
    first failure cancels the others and fails the run."""
    check_keys(config, COMMON_KEYS | {"parallel"}, path, "a parallel action")
    raw = config["parallel"]
    branches: list[list[Step]] = []
    for i, branch in enumerate(as_list(raw)):
        here = (*path, "parallel", i) if isinstance(raw, list) else (*path, "parallel")
        if isinstance(branch, Mapping) and "sequence" in branch and len(branch) == 1:
            branches.append(script(branch["sequence"], (*here, "sequence"), env))
        else:  # one action: a script of one step (none when it is disabled)
            branches.append(script(require_mapping(branch, here, "an action"), here, env))

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
