"""The state machine: the current state of every entity, and `state_changed` events."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any

from .context import Context
from .errors import InvalidEntityIdError, UnknownEntityError
from .events import EVENT_STATE_CHANGED, Event, EventBus, StateChangedData, Unsubscribe

_ENTITY_ID = re.compile(r"^(?!_)[\da-z_]+(?<!_)\.(?!_)[\da-z_]+(?<!_)$")
_EMPTY: Mapping[str, Any] = MappingProxyType({})
NOTHING_UNRECORDED: frozenset[str] = frozenset()

MAX_STATE_LENGTH = 255


def valid_entity_id(entity_id: str) -> bool:
    return bool(_ENTITY_ID.match(entity_id))


def split_entity_id(entity_id: str) -> tuple[str, str]:
    domain, _, object_id = entity_id.partition(".")
    return domain, object_id


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat()


class State:
    """An entity's state: a string, attributes, when it last changed and why.

    Times are float seconds since the epoch (UTC) for speed; `as_dict` gives Home Assistant's
    ISO shapes."""

    __slots__ = (
        "attributes",
        "context",
        "domain",
        "entity_id",
        "last_changed",
        "last_updated",
        "object_id",
        "state",
        "unrecorded",
    )

    def __init__(
        self,
        entity_id: str,
        state: str,
        attributes: Mapping[str, Any] | None,
        last_changed: float,
        last_updated: float,
        context: Context,
        unrecorded: frozenset[str] = NOTHING_UNRECORDED,
    ) -> None:
        self.entity_id = entity_id
        self.domain, self.object_id = split_entity_id(entity_id)
        self.state = state
        self.attributes = _EMPTY if not attributes else MappingProxyType(dict(attributes))
        self.last_changed = last_changed
        self.last_updated = last_updated
        self.context = context
        # attributes the recorder leaves out (Home Assistant's `_unrecorded_attributes`):
        # bookkeeping that changes on every update and would make every row's set unique
        self.unrecorded = unrecorded

    @property
    def name(self) -> str:
        name = self.attributes.get("friendly_name")
        return str(name) if name else self.object_id.replace("_", " ")

    def as_dict(self) -> dict[str, Any]:
        return {
            "entity_id": self.entity_id,
            "state": self.state,
            "attributes": dict(self.attributes),
            "last_changed": _iso(self.last_changed),
            "last_updated": _iso(self.last_updated),
            "context": self.context.as_dict(),
        }

    def __repr__(self) -> str:
        return f"<State {self.entity_id}={self.state}>"


StateListener = Callable[[Event[StateChangedData]], None]


class StateMachine:
    """Holds current states; every change fires `state_changed` with old and new state.

    `async_track_entities` is an index by entity id, so that many listeners that each watch a
    few entities cost one dictionary lookup per change, not one call per listener."""

    def __init__(self, bus: EventBus, clock_ts: Callable[[], float]) -> None:
        self._states: dict[str, State] = {}
        self._bus = bus
        self._clock_ts = clock_ts
        self._trackers: dict[str, list[StateListener]] = {}

    def get(self, entity_id: str) -> State | None:
        return self._states.get(entity_id)

    def require(self, entity_id: str) -> State:
        state = self._states.get(entity_id)
        if state is None:
            raise UnknownEntityError(entity_id)
        return state

    def __contains__(self, entity_id: object) -> bool:
        return entity_id in self._states

    def __len__(self) -> int:
        return len(self._states)

    def async_all(self, domain: str | None = None) -> list[State]:
        if domain is None:
            return list(self._states.values())
        return [s for s in self._states.values() if s.domain == domain]

    def entity_ids(self, domain: str | None = None) -> list[str]:
        return [s.entity_id for s in self.async_all(domain)]

    def async_set(
        self,
        entity_id: str,
        new_state: str,
        attributes: Mapping[str, Any] | None = None,
        context: Context | None = None,
        *,
        force_update: bool = False,
        context_factory: Callable[[], Context] | None = None,
        unrecorded: frozenset[str] = NOTHING_UNRECORDED,
    ) -> State | None:
        """Set a state; returns the new `State`, or None when nothing changed."""
        old = self._states.get(entity_id)
        if old is None and not valid_entity_id(entity_id):
            raise InvalidEntityIdError(entity_id)
        new_state = str(new_state)
        if len(new_state) > MAX_STATE_LENGTH:
            raise ValueError(
                f"state of {entity_id} is {len(new_state)} characters (max {MAX_STATE_LENGTH})"
            )
        same_state = old is not None and old.state == new_state
        if (
            same_state
            and not force_update
            and old is not None
            and (dict(old.attributes) == dict(attributes or {}))
        ):
            return None
        if context is None:
            if context_factory is None:
                raise ValueError("a state change needs a context")
            context = context_factory()
        now = self._clock_ts()
        last_changed = old.last_changed if (same_state and old is not None) else now
        state = State(entity_id, new_state, attributes, last_changed, now, context, unrecorded)
        self._states[entity_id] = state
        event = Event(
            EVENT_STATE_CHANGED,
            {"entity_id": entity_id, "old_state": old, "new_state": state},
            now,
            context,
        )
        self._bus.async_fire_event(event)
        trackers = self._trackers.get(entity_id)
        if trackers:
            for listener in tuple(trackers):
                self._bus._call(listener, event)
        return state

    def async_remove(self, entity_id: str, context: Context) -> bool:
        old = self._states.pop(entity_id, None)
        if old is None:
            return False
        self._bus.async_fire(
            EVENT_STATE_CHANGED,
            {"entity_id": entity_id, "old_state": old, "new_state": None},
            context,
        )
        return True

    def async_track_entities(
        self, entity_ids: Iterable[str], listener: StateListener
    ) -> Unsubscribe:
        """Call `listener(event)` on each `state_changed` of one of `entity_ids`."""
        ids = list(entity_ids)
        for entity_id in ids:
            self._trackers.setdefault(entity_id, []).append(listener)

        def unsubscribe() -> None:
            for entity_id in ids:
                listeners = self._trackers.get(entity_id, [])
                if listener in listeners:
                    listeners.remove(listener)

        return unsubscribe
