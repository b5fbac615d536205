"""What residents plan, what they intend when the moment comes, and the ground-truth log.

A `Step` is a line of a resident's plan for the day (go to the kitchen at 06:52; want the
kitchen light on if it is dark). When its time comes the resident *decides* (`Resident.decide`)
with what they see of the home: the result is an `Intention` (or nothing, when the condition
does not hold), which the resident then *acts* on (`Resident.act`) unless it is already
satisfied. Each device intention is written to the intentions log (see the package docstring
for the format), so that predictions can be scored against what people actually wanted."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, Literal

# when a wanted state applies: always; only if the room needs light; only if it has got dark
# and the light is still off (someone sitting there as dusk falls); only if nobody else is in
# the room; only if nobody else is at home; only if everyone else at home is asleep
Condition = Literal["always", "dark", "dusk", "alone", "last_out", "last_up"]


@dataclass(frozen=True, slots=True)
class Want:
    entity_id: str
    target: str  # "on", "off", "open", "closed", "locked", "unlocked", or a temperature "20.5"
    when: Condition = "always"


@dataclass(frozen=True, slots=True)
class Step:
    """One planned moment: at `at` (epoch seconds) move somewhere, or want something."""

    at: float
    activity: str
    move: str | None = None  # an area id, or "away"
    want: Want | None = None


@dataclass(frozen=True, slots=True)
class Intention:
    """What a resident wants of a device at a moment, and whether it already was so."""

    time: float
    user_id: str
    activity: str
    entity_id: str
    target: str
    satisfied: bool  # already in the wanted state: nothing to do
    satisfied_by: str | None = None  # origin of the change that made it so (e.g. "agent")
    reaction_to: str | None = None  # for an undo: the context id of the change undone
    state: str | None = None  # the entity's state once it is so ("playing" for a TV "on")

    @property
    def action(self) -> str:
        return f"{self.entity_id}:{self.target}"

    def as_record(self) -> dict[str, Any]:
        return {
            "time": datetime.fromtimestamp(self.time, UTC).isoformat(),
            "epoch": round(self.time, 3),
            "user_id": self.user_id,
            "action": self.action,
            "entity_id": self.entity_id,
            "target": self.target,
            "activity": self.activity,
            "executed": not self.satisfied,
            "already_satisfied": self.satisfied,
            "satisfied_by": self.satisfied_by,
            "reaction_to": self.reaction_to,
            # the same action as the recorder's states show it (entity_id:state)
            "recorded_action": f"{self.entity_id}:{self.state or self.target}",
        }


@dataclass(frozen=True, slots=True)
class Move:
    """A resident's intention to be somewhere (an area id, or "away")."""

    time: float
    user_id: str
    activity: str
    area: str


class IntentionLog:
    """Appends intentions as JSON Lines (buffered; `close` flushes). Each record names the
    home's `time_zone` (IANA), so that an evaluation can read the recorder's UTC times on the
    residents' clock, as the hub that ran the home did."""

    FLUSH_EVERY = 2000

    def __init__(self, path: Path | None, time_zone: str | None = None) -> None:
        self.path = path
        self.time_zone = time_zone
        self.count = 0
        self._buffer: list[str] = []
        self._file: IO[str] | None = None
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            # who meant to be where, and when: readable by its owner only
            fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            self._file = os.fdopen(fd, "a", encoding="utf-8")

    def write(self, intention: Intention) -> None:
        self.count += 1
        if self._file is None:
            return
        record = intention.as_record()
        if self.time_zone is not None:
            record["time_zone"] = self.time_zone
        self._buffer.append(json.dumps(record, separators=(",", ":")))
        if len(self._buffer) >= self.FLUSH_EVERY:
            self.flush()

    def flush(self) -> None:
        if self._file is None or not self._buffer:
            return
        self._file.write("\n".join(self._buffer) + "\n")
        self._file.flush()
        self._buffer.clear()

    def close(self) -> None:
        self.flush()
        if self._file is not None:
            self._file.close()
            self._file = None


def intentions_path_for(db_path: Path) -> Path:
    """The ground truth sits next to the database: `<db path>.intentions.jsonl`."""
    return db_path.with_name(db_path.name + ".intentions.jsonl")


def read_intentions(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]
