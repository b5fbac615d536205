"""The event bus: every change in the hub is an `Event` with a `Context`.

Listeners are plain callables run inline on the event loop (cheap, like Home Assistant's
`@callback`), or coroutine functions, which the bus schedules as tasks. A listener that raises
is counted and logged; it never stops the bus or the other listeners.

Event types name the shape of their data, as Home Assistant's `EventType[...]` does:
`EVENT_STATE_CHANGED` carries `StateChangedData`, so a listener of it reads
`event.data["new_state"]` as a `State | None` to the type checker. Other events (an
integration's own) keep plain string types and `Mapping[str, Any]` data."""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any, Generic, TypedDict, overload

from typing_extensions import TypeVar  # a TypeVar with a default (PEP 696) on Python 3.11

from .context import Context
from .health import HealthCounters

if TYPE_CHECKING:
    from .states import State

_DataT = TypeVar("_DataT", bound=Mapping[str, Any], default=Mapping[str, Any])
_DataT_co = TypeVar("_DataT_co", bound=Mapping[str, Any], default=Mapping[str, Any], covariant=True)


class EventType(str, Generic[_DataT]):
    """An event type that names its data's shape (Home Assistant's `EventType`)."""

    __slots__ = ()


class StateChangedData(TypedDict):
    entity_id: str
    old_state: State | None  # None: the entity is new
    new_state: State | None  # None: the entity was removed


class CallServiceData(TypedDict):
    domain: str
    service: str
    service_data: dict[str, Any]


class NoEventData(TypedDict):
    pass


_LOGGER = logging.getLogger(__name__)

MATCH_ALL = "*"
EVENT_STATE_CHANGED: EventType[StateChangedData] = EventType("state_changed")
EVENT_CALL_SERVICE: EventType[CallServiceData] = EventType("call_service")
EVENT_HUB_START: EventType[NoEventData] = EventType("hub_start")
EVENT_HUB_STOP: EventType[NoEventData] = EventType("hub_stop")


class Event(Generic[_DataT_co]):
    """Something that happened, when (the hub clock's time) and why (its context)."""

    __slots__ = ("context", "data", "event_type", "time_fired")

    def __init__(
        self,
        event_type: str,
        data: _DataT_co,
        time_fired: float,
        context: Context,
    ) -> None:
        self.event_type = event_type
        self.data = data
        self.time_fired = time_fired  # seconds since the epoch, UTC
        self.context = context

    def as_dict(self) -> dict[str, Any]:
        from datetime import UTC, datetime

        data = {k: (v.as_dict() if hasattr(v, "as_dict") else v) for k, v in self.data.items()}
        return {
            "event_type": self.event_type,
            "data": data,
            "origin": "LOCAL",
            "time_fired": datetime.fromtimestamp(self.time_fired, UTC).isoformat(),
            "context": self.context.as_dict(),
        }

    def __repr__(self) -> str:
        return f"<Event {self.event_type} {dict(self.data)!r} {self.context.origin}>"


# a listener of events whose data has the shape _DataT: called inline, or a coroutine function
EventListener = Callable[[Event[_DataT]], None] | Callable[[Event[_DataT]], Awaitable[None]]
Unsubscribe = Callable[[], None]


class EventBus:
    """Dispatches events by type; `MATCH_ALL` listeners see every event."""

    def __init__(self, health: HealthCounters, clock_ts: Callable[[], float]) -> None:
        self._listeners: dict[str, list[EventListener[Any]]] = {}
        self._health = health
        self._clock_ts = clock_ts
        self._tasks: set[asyncio.Task[None]] = set()

    @overload
    def async_listen(
        self, event_type: EventType[_DataT], listener: EventListener[_DataT]
    ) -> Unsubscribe: ...

    @overload
    def async_listen(self, event_type: str, listener: EventListener) -> Unsubscribe: ...

    def async_listen(self, event_type: str, listener: EventListener[Any]) -> Unsubscribe:
        self._listeners.setdefault(event_type, []).append(listener)

        def unsubscribe() -> None:
            listeners = self._listeners.get(event_type, [])
            if listener in listeners:
                listeners.remove(listener)

        return unsubscribe

    def async_listen_once(self, event_type: str, listener: EventListener) -> Unsubscribe:
        def once(event: Event) -> None:
            unsub()
            self._call(listener, event)

        unsub = self.async_listen(event_type, once)
        return unsub

    def listener_count(self) -> dict[str, int]:
        return {k: len(v) for k, v in self._listeners.items() if v}

    @overload
    def async_fire(
        self,
        event_type: EventType[_DataT],
        data: _DataT,
        context: Context,
        time_fired: float | None = None,
    ) -> Event[_DataT]: ...

    @overload
    def async_fire(
        self,
        event_type: str,
        data: Mapping[str, Any],
        context: Context,
        time_fired: float | None = None,
    ) -> Event: ...

    def async_fire(
        self,
        event_type: str,
        data: Mapping[str, Any],
        context: Context,
        time_fired: float | None = None,
    ) -> Event:
        event = Event(
            event_type, data, self._clock_ts() if time_fired is None else time_fired, context
        )
        self.async_fire_event(event)
        return event

    def async_fire_event(self, event: Event[Any]) -> None:
        self._health.counts["events"] += 1
        specific = self._listeners.get(event.event_type)
        if specific:
            for listener in tuple(specific):
                self._call(listener, event)
        if event.event_type != MATCH_ALL:
            wildcard = self._listeners.get(MATCH_ALL)
            if wildcard:
                for listener in tuple(wildcard):
                    self._call(listener, event)

    def _call(self, listener: EventListener[Any], event: Event[Any]) -> None:
        try:
            result = listener(event)
            if result is not None and inspect.isawaitable(result):
                task = asyncio.ensure_future(self._guard(result, listener))
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)
        except Exception as err:  # a broken listener must not stop the bus
            self._listener_failed(listener, err)

    async def _guard(self, awaitable: Awaitable[None], listener: EventListener[Any]) -> None:
        try:
            await awaitable
        except Exception as err:
            self._listener_failed(listener, err)

    def _listener_failed(self, listener: EventListener[Any], err: Exception) -> None:
        name = getattr(listener, "__qualname__", repr(listener))
        self._health.problem(
            "listener_errors", f"listener {name} failed: {err!r}", self._clock_ts()
        )
        _LOGGER.exception("listener %s failed", name, exc_info=err)

    async def async_drain(self) -> None:
        """Wait for the listener tasks already scheduled."""
        while self._tasks:
            await asyncio.gather(*tuple(self._tasks), return_exceptions=True)
