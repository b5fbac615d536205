"""What a compiled action is: a step that a run awaits with its variables and its Context.

Shared by the action compilers (actions.py: services, events, variables; waits.py: delays and
waits; flow.py: conditions, if, choose, repeat, parallel) and by the rule that runs them."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from hearthmind.core import Context

from .validation import KeyPath

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
# compiles an action list; flow steps get it passed in, so they need not import actions.py
ScriptCompiler = Callable[[Any, KeyPath, "RuleEnvironment"], list[Step]]
COMMON_KEYS = {"alias", "enabled", "continue_on_error"}


async def run_steps(steps: list[Step], run: RunState) -> None:
    for step in steps:
        await step(run)
        task = asyncio.current_task()
        if task is not None and task.cancelling():
            # stopped by its own step (a rule turning itself off): end before the next one,
            # which might never reach an await where the cancellation would land
            raise asyncio.CancelledError
