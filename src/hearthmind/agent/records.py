"""What the agent remembers, as records and as the rows of its tables: an action, a
suggestion, an outcome, what a start loads; and the conversions both ways (store.py keeps the
tables and the queries)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson

from .events import LEVELS, Level
from .units import Evidence, RoutineUnit


@dataclass
class ActionRecord:
    action_id: str
    routine_id: str
    person: str | None
    entity_id: str
    service: str
    service_data: dict[str, Any]
    target: str
    previous: str | None
    context_id: str
    parent_id: str | None
    suggestion_id: str | None
    probability: float | None
    explanation: str
    status: str  # pending, done, kept, reverted, undone, failed, device_ignored
    time: float
    closed: float | None = None

    @property
    def target_item(self) -> str:
        return f"{self.entity_id}:{self.target}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "action_id": self.action_id,
            "routine_id": self.routine_id,
            "person": self.person,
            "entity_id": self.entity_id,
            "service": self.service,
            "service_data": self.service_data,
            "target": self.target,
            "previous": self.previous,
            "context_id": self.context_id,
            "parent_id": self.parent_id,
            "suggestion_id": self.suggestion_id,
            "probability": self.probability,
            "explanation": self.explanation,
            "status": self.status,
            "time": self.time,
            "closed": self.closed,
        }


@dataclass
class SuggestionRecord:
    suggestion_id: str
    routine_id: str
    person: str | None
    entity_id: str
    service: str
    service_data: dict[str, Any]
    target: str
    context_id: str
    parent_id: str | None
    probability: float | None
    explanation: str
    status: str  # open, accepted, declined, not_now, never, ignored, done_by_person
    created: float
    expires: float
    answered_by: str | None = None
    closed: float | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "suggestion_id": self.suggestion_id,
            "routine_id": self.routine_id,
            "person": self.person,
            "entity_id": self.entity_id,
            "service": self.service,
            "service_data": self.service_data,
            "target": self.target,
            "probability": self.probability,
            "explanation": self.explanation,
            "status": self.status,
            "answered_by": self.answered_by,
            "created": self.created,
            "expires": self.expires,
            "closed": self.closed,
        }


@dataclass
class Outcome:
    routine_id: str
    kind: str
    time: float
    action_id: str | None = None
    suggestion_id: str | None = None
    detail: str | None = None


@dataclass
class Loaded:
    """What a restart gets back."""

    routines: dict[str, RoutineUnit] = field(default_factory=dict)
    actions: list[ActionRecord] = field(default_factory=list)
    suggestions: list[SuggestionRecord] = field(default_factory=list)
    settings: dict[str, Any] = field(default_factory=dict)


def _json(value: Any) -> str:
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


def _level(value: Any, default: Level) -> Level:
    for level in LEVELS:
        if level == value:
            return level
    return default


def routine_row(unit: RoutineUnit) -> dict[str, Any]:
    return {
        "routine_id": unit.routine_id,
        "entity_id": unit.entity_id,
        "value": unit.value,
        "part_of_day": unit.part,
        "level": unit.level,
        "ceiling": unit.ceiling,
        "pinned": int(unit.pinned),
        "set_by": unit.set_by,
        "safety": unit.safety,
        "people": _json(dict(unit.people)),
        "habit": unit.habit,
        "evidence": _json(unit.evidence.as_dict()),
        "created_ts": unit.created,
        "updated_ts": unit.updated,
        "refused_by": _json(sorted(unit.refused_by)) if unit.refused_by else None,
    }


def unit_from_row(row: Mapping[Any, Any]) -> RoutineUnit:
    people = orjson.loads(row["people"] or "{}")
    return RoutineUnit(
        routine_id=row["routine_id"],
        entity_id=row["entity_id"],
        value=row["value"],
        part=row["part_of_day"],
        level=_level(row["level"], "observe"),
        ceiling=_level(row["ceiling"], "act"),
        pinned=bool(row["pinned"]),
        set_by=row["set_by"],
        safety=row["safety"],
        people=Counter({str(k): int(v) for k, v in people.items()}),
        habit=row["habit"],
        evidence=Evidence.from_dict(orjson.loads(row["evidence"] or "{}")),
        created=float(row["created_ts"]),
        updated=float(row["updated_ts"]),
        refused_by={str(u) for u in orjson.loads(row.get("refused_by") or "[]")},
    )


def action_row(a: ActionRecord) -> dict[str, Any]:
    return {
        "action_id": a.action_id,
        "routine_id": a.routine_id,
        "person": a.person,
        "entity_id": a.entity_id,
        "service": a.service,
        "service_data": _json(a.service_data),
        "target": a.target,
        "previous": a.previous,
        "context_id": a.context_id,
        "parent_id": a.parent_id,
        "suggestion_id": a.suggestion_id,
        "probability": a.probability,
        "explanation": a.explanation,
        "status": a.status,
        "time_ts": a.time,
        "closed_ts": a.closed,
    }


def action_from_row(row: Mapping[Any, Any]) -> ActionRecord:
    return ActionRecord(
        row["action_id"],
        row["routine_id"],
        row["person"],
        row["entity_id"],
        row["service"],
        orjson.loads(row["service_data"] or "{}"),
        row["target"],
        row["previous"],
        row["context_id"],
        row["parent_id"],
        row["suggestion_id"],
        row["probability"],
        row["explanation"],
        row["status"],
        float(row["time_ts"]),
        None if row["closed_ts"] is None else float(row["closed_ts"]),
    )


def suggestion_row(s: SuggestionRecord) -> dict[str, Any]:
    return {
        "suggestion_id": s.suggestion_id,
        "routine_id": s.routine_id,
        "person": s.person,
        "entity_id": s.entity_id,
        "service": s.service,
        "service_data": _json(s.service_data),
        "target": s.target,
        "context_id": s.context_id,
        "parent_id": s.parent_id,
        "probability": s.probability,
        "explanation": s.explanation,
        "status": s.status,
        "answered_by": s.answered_by,
        "created_ts": s.created,
        "expires_ts": s.expires,
        "closed_ts": s.closed,
    }


def suggestion_from_row(row: Mapping[Any, Any]) -> SuggestionRecord:
    return SuggestionRecord(
        row["suggestion_id"],
        row["routine_id"],
        row["person"],
        row["entity_id"],
        row["service"],
        orjson.loads(row["service_data"] or "{}"),
        row["target"],
        row["context_id"],
        row["parent_id"],
        row["probability"],
        row["explanation"],
        row["status"],
        float(row["created_ts"]),
        float(row["expires_ts"]),
        row["answered_by"],
        None if row["closed_ts"] is None else float(row["closed_ts"]),
    )
