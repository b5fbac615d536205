"""What every trigger is: a compiled YAML trigger that `attach(fire)`es to the hub and calls
`fire(variables, context)` inline, and the per-entity `for:` timers that state triggers share."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from hearthmind.core import Context, State

from .validation import KeyPath

if TYPE_CHECKING:
    from hearthmind.core import Hub
    from hearthmind.core.clock import TimerHandle

    from .environment import RuleEnvironment

FireTrigger = Callable[[dict[str, Any], Context | None], None]
Detach = Callable[[], None]

TRIGGER_KEYS = {"platform", "trigger", "id", "alias", "enabled"}


class Trigger:
    """Base: the trigger's platform, its `id` (HA's `trigger.id`, default its index)."""

    platform = ""

    def __init__(
        self, config: Mapping[str, Any], path: KeyPath, index: int, env: RuleEnvironment
    ) -> None:
        self.env = env
        self.index = str(index)
        self.id = str(config.get("id", self.index))
        self.description = self.platform

    def base_variables(self) -> dict[str, Any]:
        return {"platform": self.platform, "id": self.id, "idx": self.index}

    def attach(self, fire: FireTrigger) -> Detach:
        raise NotImplementedError


class PendingTimers:
    """The `for:` timers of one attached trigger, one per entity: started when the entity
    begins to match, cancelled when it stops matching, all cancelled on detach. Each timer
    keeps the state it was started for, so a later change can be compared against it."""

    def __init__(self, hub: Hub) -> None:
        self._hub = hub
        self._timers: dict[str, tuple[TimerHandle, State | None]] = {}

    def __bool__(self) -> bool:
        return bool(self._timers)

    def held(self, entity_id: str) -> State | None:
        """The state the entity's running timer was started for (None: no timer, or none kept)."""
        timer = self._timers.get(entity_id)
        return None if timer is None else timer[1]

    def running(self, entity_id: str) -> bool:
        return entity_id in self._timers

    def start(
        self, entity_id: str, seconds: float, fire: Callable[[], None], held: State | None = None
    ) -> None:
        """(Re)start the entity's timer: `fire` runs after `seconds` unless cancelled first."""
        self.cancel(entity_id)

        def elapsed() -> None:
            self._timers.pop(entity_id, None)
            fire()

        when = datetime.fromtimestamp(self._hub.clock.timestamp() + seconds, UTC)
        self._timers[entity_id] = (self._hub.clock.call_at(when, elapsed), held)

    def cancel(self, entity_id: str) -> None:
        timer = self._timers.pop(entity_id, None)
        if timer is not None:
            timer[0].cancel()

    def cancel_all(self) -> None:
        for handle, _ in self._timers.values():
            handle.cancel()
        self._timers.clear()
