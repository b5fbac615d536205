"""The hub: one event bus, one state machine, one service registry, one clock."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from pathlib import Path
from typing import Any

from .clock import Clock, RealClock
from .component import HubData
from .config import HubConfig, load_config
from .context import Context, ContextFactory, Origin
from .domains import register_domain_services
from .entities import EntityRegistry
from .events import EVENT_HUB_START, EVENT_HUB_STOP, EventBus
from .health import HealthCounters
from .heap import HeapSettler
from .registry import Person, Registries
from .services import ServiceRegistry
from .states import StateMachine

_LOGGER = logging.getLogger(__name__)

StopHook = Callable[[], Awaitable[None]]
# How long one stop hook may take before the hub gives up on it and goes on with the next (Home
# Assistant bounds each of its shutdown stages the same way): a hook that hangs must not keep
# the recorder, which stops last, from writing what it holds.
STOP_HOOK_TIMEOUT = 30.0
# Tasks the hub cancels at stop get this long to finish their clean-up.
STOP_TASKS_TIMEOUT = 10.0


class Hub:
    """The root object every component receives. Components register stop hooks, which run in
    reverse order of registration when the hub stops (so the recorder, registered first, is the
    last to stop and commits everything the others produced)."""

    def __init__(
        self,
        config: HubConfig | None = None,
        clock: Clock | None = None,
        *,
        seed: int | None = None,
    ) -> None:
        self.config = config or HubConfig(Path("."), {}, _empty_lines())
        self.clock: Clock = clock or RealClock()
        self.health = HealthCounters()
        self.contexts = ContextFactory(lambda: self.clock.timestamp() * 1000, seed)
        self.bus = EventBus(self.health, self.clock.timestamp)
        self.states = StateMachine(self.bus, self.clock.timestamp)
        self.registries = Registries()
        self.services = ServiceRegistry(
            self.bus,
            self.states,
            self.health,
            self.clock.timestamp,
            area_entities=self.registries.entities_in_area,
        )
        self.entities = EntityRegistry()
        self.heap = HeapSettler()  # see heap.py: short full garbage collections
        register_domain_services(self)
        self.data = HubData()  # per-component storage, by typed key (component.py)
        self._stop_hooks: list[tuple[StopHook, float]] = []
        self._tasks: set[asyncio.Task[Any]] = set()
        self.running = False

    @classmethod
    def from_config_dir(cls, config_dir: Path | str | None, clock: Clock | None = None) -> Hub:
        return cls(load_config(config_dir), clock)

    # -- contexts ---------------------------------------------------------------------------

    def context(
        self, origin: Origin | str, user_id: str | None = None, parent: Context | None = None
    ) -> Context:
        return self.contexts.new(origin, user_id, parent)

    # -- people -----------------------------------------------------------------------------

    def add_person(
        self,
        person: Person,
        presence: str = "home",
        attributes: Mapping[str, Any] | None = None,
    ) -> Person:
        self.registries.add_person(person)
        self.set_presence(person.id, presence, self.context(Origin.SENSOR), attributes)
        return person

    def set_presence(
        self,
        person_id: str,
        presence: str,
        context: Context,
        attributes: Mapping[str, Any] | None = None,
    ) -> None:
        """`presence` as Home Assistant's person: home, not_home or a zone's name; where in
        the home (`room`) and the like go in `attributes`."""
        person = self.registries.people[person_id]
        self.states.async_set(
            person.entity_id,
            presence,
            {
                **(attributes or {}),
                "friendly_name": person.name,
                "user_id": person.user_id or person.id,
            },
            context,
        )

    # -- lifecycle --------------------------------------------------------------------------

    def async_on_stop(self, hook: StopHook, timeout: float = STOP_HOOK_TIMEOUT) -> None:
        """Run `hook` at stop (last added, first run), for at most `timeout` seconds."""
        self._stop_hooks.append((hook, timeout))

    def async_at_start(self, callback: Callable[[], None]) -> None:
        """Run `callback` once the hub runs: now if it already does, else at hub_start (Home
        Assistant's helpers.start.async_at_start), so a component set up late still starts."""
        if self.running:
            callback()
        else:
            self.bus.async_listen_once(EVENT_HUB_START, lambda _event: callback())

    def async_create_task(
        self, coro: Coroutine[Any, Any, Any], name: str | None = None
    ) -> asyncio.Task[Any]:
        task = asyncio.get_running_loop().create_task(coro, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)
        return task

    def _task_done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            err = task.exception()
            self.health.problem(
                "task_errors", f"task {task.get_name()} failed: {err!r}", self.clock.timestamp()
            )
            _LOGGER.error("task %s failed", task.get_name(), exc_info=err)

    async def async_start(self) -> None:
        self.running = True
        self.bus.async_fire(EVENT_HUB_START, {}, self.context(Origin.AUTOMATION))

    async def async_block_till_done(self) -> None:
        """Let scheduled listener tasks run to completion."""
        for _ in range(3):
            await asyncio.sleep(0)
            await self.bus.async_drain()

    async def async_stop(self) -> None:
        """Stop, running each stop hook once. A hub whose set-up failed half way (never
        started) still closes what was set up (the recorder, a broker, a port)."""
        if not self.running and not self._stop_hooks:
            return
        started, self.running = self.running, False
        self.heap.cancel()
        if started:
            self.bus.async_fire(EVENT_HUB_STOP, {}, self.context(Origin.AUTOMATION))
            await self.bus.async_drain()
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            _done, stuck = await asyncio.wait(set(self._tasks), timeout=STOP_TASKS_TIMEOUT)
            for task in stuck:
                self._overran(f"task {task.get_name()}", STOP_TASKS_TIMEOUT, task)
        hooks, self._stop_hooks = self._stop_hooks, []
        for hook, timeout in reversed(hooks):
            await self._async_run_stop_hook(hook, timeout)

    async def _async_run_stop_hook(self, hook: StopHook, limit: float) -> None:
        """Run one stop hook in its own task, bounded: one that overruns is named, counted and
        cancelled, and the stop goes on."""
        name = getattr(hook, "__qualname__", repr(hook))

        async def run() -> None:
            await hook()

        task = asyncio.get_running_loop().create_task(run(), name=f"stop hook {name}")
        done, _pending = await asyncio.wait({task}, timeout=limit)
        if not done:
            self._overran(f"stop hook {name}", limit, task)
            task.cancel()
            await asyncio.wait({task}, timeout=STOP_TASKS_TIMEOUT)
            return
        err = task.exception()
        if err is not None:
            self.health.problem("stop_errors", f"stop hook {name} failed: {err!r}")
            _LOGGER.error("stop hook %s failed", name, exc_info=err)

    def _overran(self, what: str, timeout: float, task: asyncio.Task[Any]) -> None:
        """Say which part of the stop hung and where (its coroutine's stack), and count it."""
        where = "".join(f"\n  {place}" for place in _awaiting(task.get_coro()))
        self.health.problem("stop_timeouts", f"{what} still running after {timeout:g} s")
        _LOGGER.error(
            "stop: %s still running after %g s, given up on; it was at:%s",
            what,
            timeout,
            where or " (no frames)",
        )


def _awaiting(coro: Any) -> list[str]:
    """Where a suspended coroutine waits, down its chain of awaits (Task.get_stack shows only
    the outermost frame of a coroutine)."""
    places: list[str] = []
    while coro is not None and len(places) < 50:
        frame = getattr(coro, "cr_frame", None) or getattr(coro, "gi_frame", None)
        if frame is not None:
            code = frame.f_code
            places.append(f"{code.co_filename}:{frame.f_lineno} in {code.co_name}")
        coro = getattr(coro, "cr_await", None) or getattr(coro, "gi_yieldfrom", None)
    return places


def _empty_lines() -> Any:
    from .config import LineMap

    return LineMap()
