"""One automation: its compiled triggers, conditions and actions, its run mode, and its entity
`automation.<id>` (state on/off; attributes id, last_triggered, mode, current, max), as in HA.

The hot path (a state change that triggers a rule) is: the state machine's per-entity index
calls the trigger inline, the conditions are plain function calls, and one task runs the
actions. Every run has one Context whose parent is the trigger's context, so the recorder can
answer "why did this light turn on?"."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from hearthmind.core import Context, Origin

from .actions import (
    ActionError,
    Halt,
    RunState,
    Step,
    compile_script,
    compile_variables,
    run_steps,
)
from .conditions import Condition, compile_conditions
from .templates import TemplateError, Variables
from .trigger import Detach, Trigger
from .triggers import compile_triggers
from .validation import KeyPath, RuleError, check_keys, pick, require_mapping

if TYPE_CHECKING:
    from .environment import RuleEnvironment

_LOGGER = logging.getLogger(__name__)

DOMAIN = "automation"
EVENT_AUTOMATION_TRIGGERED = "automation_triggered"
DEFAULT_MAX = 10
# As Home Assistant's automation entities: the recorder keeps the state and the name, not the
# bookkeeping that changes on every run (one new attribute row per run otherwise).
UNRECORDED_ATTRIBUTES = frozenset(("last_triggered", "mode", "current", "max", "id"))

RULE_KEYS = {
    "id",
    "alias",
    "description",
    "mode",
    "max",
    "max_exceeded",
    "initial_state",
    "trace",
    "variables",
    "trigger",
    "triggers",
    "condition",
    "conditions",
    "action",
    "actions",
}


class Mode(StrEnum):
    SINGLE = "single"
    RESTART = "restart"
    QUEUED = "queued"
    PARALLEL = "parallel"


@dataclass(slots=True)
class RuleSpec:
    """A rule compiled from its YAML mapping (validated; nothing attached yet)."""

    raw: Mapping[str, Any]
    id: str | None
    alias: str
    description: str
    mode: Mode
    max_runs: int
    initial_state: bool | None
    triggers: list[Trigger]
    condition: Condition | None
    steps: list[Step]
    variables: Callable[[Variables], dict[str, Any]] | None = None
    object_id: str = field(default="")


def slugify(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")
    return slug or "automation"


def compile_rule(raw: Any, path: KeyPath, env: RuleEnvironment, index: int) -> RuleSpec:
    """Validate and compile one rule; raises `RuleError` naming where in the rule it is bad."""
    rule = require_mapping(raw, path, "an automation")
    if "use_blueprint" in rule:
        raise RuleError((*path, "use_blueprint"), "blueprints are not supported")
    check_keys(rule, RULE_KEYS, path, "an automation")
    rule_id = rule.get("id")
    if rule_id is not None and not isinstance(rule_id, str | int):
        raise RuleError((*path, "id"), f"id must be text, got {rule_id!r}")
    alias = rule.get("alias")
    if alias is not None and not isinstance(alias, str):
        alias = str(alias)
    mode_raw = rule.get("mode", "single")
    try:
        mode = Mode(mode_raw)
    except ValueError:
        raise RuleError(
            (*path, "mode"), f"unknown mode {mode_raw!r} (single, restart, queued, parallel)"
        ) from None
    max_runs = rule.get("max", DEFAULT_MAX)
    if isinstance(max_runs, bool) or not isinstance(max_runs, int) or max_runs < 1:
        raise RuleError((*path, "max"), f"max must be a whole number >= 1, got {max_runs!r}")
    initial = rule.get("initial_state")
    if initial is not None and not isinstance(initial, bool):
        raise RuleError(
            (*path, "initial_state"), f"initial_state must be true or false, got {initial!r}"
        )
    key, trigger_config = pick(rule, path, "trigger", "triggers")
    if key is None or not trigger_config:
        raise RuleError(path, "an automation needs at least one trigger ('triggers:')")
    triggers = compile_triggers(trigger_config, (*path, key), env)
    key, condition_config = pick(rule, path, "condition", "conditions")
    condition = compile_conditions(condition_config, (*path, key or "condition"), env)
    key, action_config = pick(rule, path, "action", "actions")
    if key is None:
        raise RuleError(path, "an automation needs 'actions:'")
    steps = compile_script(action_config, (*path, key), env)
    variables = compile_variables(rule.get("variables"), (*path, "variables"), env)
    name = alias or (str(rule_id) if rule_id is not None else f"automation {index + 1}")
    return RuleSpec(
        raw=rule,
        id=None if rule_id is None else str(rule_id),
        alias=name,
        description=str(rule.get("description") or ""),
        mode=mode,
        max_runs=max_runs,
        initial_state=initial,
        triggers=triggers,
        condition=condition,
        steps=steps,
        variables=variables,
        object_id=slugify(str(rule_id) if rule_id is not None else name),
    )


class Automation:
    """A loaded rule attached to the hub."""

    def __init__(self, spec: RuleSpec, entity_id: str, env: RuleEnvironment, source: str) -> None:
        self.spec = spec
        self.entity_id = entity_id
        self.source = source
        self._env = env
        self._hub = env.hub
        self._detach: list[Detach] = []
        self._runs: set[asyncio.Task[None]] = set()
        self._queue_lock = asyncio.Lock() if spec.mode is Mode.QUEUED else None
        self.enabled = False
        self.removed = False  # set when reload or removal took the entity away
        self.load_key = ""  # what identifies the rule in its source across reloads
        self._write_context: Context | None = None  # a state write is due with this context
        self.last_triggered: float | None = None
        self.runs_started = 0
        self.runs_skipped = 0
        self.runs_failed = 0

    @property
    def name(self) -> str:
        return self.spec.alias

    @property
    def current(self) -> int:
        return len(self._runs)

    @property
    def is_running(self) -> bool:
        return bool(self._runs)

    # -- entity -------------------------------------------------------------------------------

    def attributes(self) -> dict[str, Any]:
        attrs: dict[str, Any] = {
            "id": self.spec.id,
            "friendly_name": self.spec.alias,
            "last_triggered": (
                datetime.fromtimestamp(self.last_triggered, UTC).isoformat()
                if self.last_triggered is not None
                else None
            ),
            "mode": self.spec.mode.value,
            "current": len(self._runs),
        }
        if self.spec.mode in (Mode.QUEUED, Mode.PARALLEL):
            attrs["max"] = self.spec.max_runs
        return attrs

    def write_state(self, context: Context) -> None:
        self._write_context = None
        self._hub.states.async_set(
            self.entity_id,
            "on" if self.enabled else "off",
            self.attributes(),
            context,
            unrecorded=UNRECORDED_ATTRIBUTES,
        )

    def _write_state_soon(self, context: Context) -> None:
        """Write the entity once the current burst of work is done: the run's first action
        goes out before this bookkeeping, and a run that ends at once costs one write, not
        two (its state then shows last_triggered with current back at 0)."""
        if self._write_context is None:
            asyncio.get_running_loop().call_soon(self._flush_state)
        self._write_context = context

    def _flush_state(self) -> None:
        context = self._write_context
        if context is None or self.removed:
            return
        finished = [task for task in self._runs if task.done()]  # done callbacks still queued
        self._runs.difference_update(finished)
        self.write_state(context)

    # -- on / off -----------------------------------------------------------------------------

    def enable(self, context: Context) -> None:
        if not self.enabled:
            self.enabled = True
            try:
                for trigger in self.spec.triggers:
                    self._detach.append(trigger.attach(self._on_trigger))
            except Exception:
                self._detach_all()
                self.enabled = False
                raise
        self.write_state(context)

    async def async_disable(self, context: Context, stop_actions: bool = True) -> None:
        """Detach the triggers; with `stop_actions` cancel the runs and wait for them."""
        if self.enabled:
            self.enabled = False
            self._detach_all()
        if stop_actions:
            await self._cancel_runs_and_wait()
        self.write_state(context)

    def _detach_all(self) -> None:
        for detach in self._detach:
            detach()
        self._detach.clear()

    def cancel_runs(self) -> None:
        for task in list(self._runs):
            task.cancel()

    async def async_stop(self) -> None:
        """Detach and cancel every run, waiting for them to end (reload, removal, hub stop)."""
        if self.enabled:
            self.enabled = False
            self._detach_all()
        await self._cancel_runs_and_wait()

    async def _cancel_runs_and_wait(self) -> None:
        """Cancel every run and wait for them, except the caller's own: a rule may turn
        itself off (it then ends at its next await)."""
        me = asyncio.current_task()
        runs = list(self._runs)
        for task in runs:
            task.cancel()
        others = [task for task in runs if task is not me]
        if others:
            await asyncio.gather(*others, return_exceptions=True)

    # -- triggering ---------------------------------------------------------------------------

    def _on_trigger(self, trigger: dict[str, Any], trigger_context: Context | None) -> None:
        """Called inline by a trigger: check conditions, then start a run per the mode."""
        if not self.enabled:
            return
        self.trigger(trigger, trigger_context, skip_condition=False)

    def trigger(
        self,
        trigger: Mapping[str, Any],
        trigger_context: Context | None,
        *,
        skip_condition: bool = False,
        extra_variables: Mapping[str, Any] | None = None,
    ) -> asyncio.Task[None] | None:
        """Start a run now (conditions first unless skipped); None when no run started."""
        hub = self._hub
        variables: dict[str, Any] = {"trigger": trigger, "this": hub.states.get(self.entity_id)}
        if extra_variables:
            variables.update(extra_variables)
        try:
            if self.spec.variables is not None:
                variables = self.spec.variables(variables)
            condition = None if skip_condition else self.spec.condition
            if condition is not None and not condition(variables):
                return None
        except TemplateError as err:
            self._failed("automation_template_errors", f"condition: {err}")
            return None
        except Exception as err:  # a condition must not break the trigger that called it
            self._failed("automation_errors", f"condition: {type(err).__name__}: {err}")
            return None
        mode = self.spec.mode
        if self._runs:
            if mode is Mode.SINGLE:
                self._skip("already running (mode: single)")
                return None
            if mode is Mode.RESTART:
                self.cancel_runs()
                self._runs.clear()  # they end at their next await; `current` counts the new one
            elif len(self._runs) >= self.spec.max_runs:
                self._skip(f"already {len(self._runs)} runs (mode: {mode}, max)")
                return None
        context = hub.context(Origin.AUTOMATION, parent=trigger_context)
        self.last_triggered = hub.clock.timestamp()
        self.runs_started += 1
        hub.bus.async_fire(
            EVENT_AUTOMATION_TRIGGERED,
            {
                "name": self.spec.alias,
                "entity_id": self.entity_id,
                "source": trigger.get("description"),
            },
            context,
        )
        task = hub.async_create_task(self._run(variables, context), name=self.entity_id)
        self._runs.add(task)
        # a done callback, not a `finally`: a run cancelled before it starts never runs one
        task.add_done_callback(lambda done: self._run_done(done, context))
        self._write_state_soon(context)
        return task

    def _run_done(self, task: asyncio.Task[None], context: Context) -> None:
        if task in self._runs:  # else a state write already counted it out
            self._runs.discard(task)
            if not self.removed:
                self._write_state_soon(context)

    def _skip(self, why: str) -> None:
        self.runs_skipped += 1
        self._hub.health.incr("automation_runs_skipped")
        _LOGGER.debug("%s: %s", self.entity_id, why)

    async def _run(self, variables: dict[str, Any], context: Context) -> None:
        if self._queue_lock is not None:
            async with self._queue_lock:
                await self._run_steps(variables, context)
        else:
            await self._run_steps(variables, context)

    async def _run_steps(self, variables: dict[str, Any], context: Context) -> None:
        try:
            await run_steps(self.spec.steps, RunState(variables, context))
        except Halt:
            pass
        except TemplateError as err:
            self._failed("automation_template_errors", f"template: {err}")
        except ActionError as err:
            self._failed("automation_errors", str(err))
        except Exception as err:  # a device integration may fail in any way: the hub goes on
            self._failed("automation_errors", f"{type(err).__name__}: {err}")

    def _failed(self, counter: str, message: str) -> None:
        self.runs_failed += 1
        text = f"{self.entity_id} ({self.spec.alias}): {message}; run aborted"
        self._hub.health.problem(counter, text, self._hub.clock.timestamp())
        _LOGGER.warning("%s", text)
