"""The one rule that turns a state change into what the routines learn, for the recorder's
history (`recorder_bridge.read_observations`) and the live hub (`online.RoutineLearner`) alike,
so that a model fitted on the recorded past and updated live learns one stream.

Fed every change of an entity, in time order, an `Observer` keeps the entity's last learned
value and attributes, and returns an `Observation` for the changes worth learning:

* only changes caused by people (`HUMAN_ORIGINS`: at the device, by voice, in an app) and
  reported by sensors; the hub's own changes (automations, the agent) are never learned, so it
  does not learn its own habits back;
* not a device reporting new attributes with the same learned value (a thermostat's room
  temperature): `is_attribute_report`;
* not an entity becoming unavailable, unknown or removed, and not a numeric reading
  (a temperature is a measurement, not an event).

What it leaves out is counted by reason in an `ImportReport` when one is given (the recorder
reader's); the live learner passes none. The time is the caller's: UTC from the recorder (moved
to the residents' wall clock afterwards, `observations.on_wall_clock`), the wall clock live."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hearthmind.core import HUMAN_ORIGINS, Origin

from .observations import (
    ImportReport,
    Kind,
    Observation,
    is_attribute_report,
    is_number,
    learned_value,
)

# what the routines learn from: people and sensors (core.Origin values)
LEARNED_ORIGINS: frozenset[str] = frozenset({*HUMAN_ORIGINS, Origin.SENSOR})
_NOT_A_VALUE = ("unavailable", "unknown")


class Observer:
    """Per entity, the last change's learned value and attributes; `observe` applies the rule."""

    __slots__ = ("_previous", "report")

    def __init__(self, report: ImportReport | None = None) -> None:
        self.report = report
        self._previous: dict[str, tuple[str | None, Mapping[str, Any]]] = {}

    def remember(self, entity_id: str, state: str | None, attributes: Mapping[str, Any]) -> None:
        """What an entity is now, without learning from it (a state from before the learner
        started listening)."""
        value = None if state is None else learned_value(entity_id, state, attributes)
        self._previous[entity_id] = (value, attributes)

    def knows(self, entity_id: str) -> bool:
        return entity_id in self._previous

    def observe(
        self,
        time: float,
        entity_id: str,
        state: str | None,
        attributes: Mapping[str, Any],
        origin: str,
        user_id: str | None,
    ) -> Observation | None:
        """The observation this change makes, or None (counted in the report, if any).
        `state` None: the entity was removed."""
        value = None if state is None else learned_value(entity_id, state, attributes)
        before = self._previous.get(entity_id)
        self._previous[entity_id] = (value, attributes)
        if origin not in LEARNED_ORIGINS:
            return None  # the hub's own doing: remembered, never learned
        if self.report is not None:
            self.report.lines += 1
        human = origin in HUMAN_ORIGINS
        if is_attribute_report(before, value, attributes, human):
            self._skip("attribute update", f"{entity_id} stays {value}")
            return None
        if value is None or value in _NOT_A_VALUE:
            self._skip("unavailable state", f"{entity_id} -> {state!r}")
            return None
        if is_number(value):
            self._skip("numeric reading", f"{entity_id} = {state}")
            return None
        kind = Kind.ACTION if human else Kind.SENSOR
        return Observation(time, f"{entity_id}:{value}", kind, user_id, str(origin))

    def _skip(self, reason: str, message: str) -> None:
        if self.report is not None:
            self.report.skip(reason, message)
