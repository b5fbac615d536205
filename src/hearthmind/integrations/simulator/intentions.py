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
import time
from collections.abc import Callable
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
    # a switch-off on leaving a room, left on for the hub (reliance.py): neither done nor
    # found done yet; what came of it is logged when they notice
    left_to_hub: bool = False

    @property
    def action(self) -> str:
        return f"{self.entity_id}:{self.target}"

    def as_record(self) -> dict[str, Any]:
        record: dict[str, Any] = {
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
        if self.left_to_hub:
            # only on these records, so logs without reliance keep their exact format
            record["executed"] = False
            record["left_to_hub"] = True
        return record


@dataclass(frozen=True, slots=True)
class Move:
    """A resident's intention to be somewhere (an area id, or "away")."""

    time: float
    user_id: str
    activity: str
    area: str


class IntentionLog:
    """Appends intentions as JSON Lines. Each record names the home's `time_zone` (IANA), so
    that an evaluation can read the recorder's UTC times on the residents' clock, as the hub
    that ran the home did.

    Buffered, but never for long: the buffer goes to the file when it holds FLUSH_EVERY
    records, when an intention comes FLUSH_SIM_SECONDS of simulated time or more after the
    last flush, or FLUSH_WALL_SECONDS of real time after it, whichever comes first (and on
    `close`). After a kill the file therefore misses at most the intentions of one simulated
    minute (those written since the last flush), where a count alone let it lag the recorder
    by days (issue 20: 13 simulated days; a family makes ~110 intentions a day). What the
    bound costs a fast simulation: see docs/DESIGN-NOTES.md (hardening)."""

    FLUSH_EVERY = 2000
    FLUSH_SIM_SECONDS = 60.0
    FLUSH_WALL_SECONDS = 1.0

    def __init__(
        self,
        path: Path | None,
        time_zone: str | None = None,
        *,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.path = path
        self.time_zone = time_zone
        self.count = 0
        self._buffer: list[str] = []
        self._file: IO[str] | None = None
        self._monotonic = monotonic  # real time (a test gives its own)
        self._flushed_wall = monotonic()
        self._flushed_sim: float | None = None  # simulated time of the last flush
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
        if self._flushed_sim is None:
            self._flushed_sim = intention.time
        if (
            len(self._buffer) >= self.FLUSH_EVERY
            or intention.time - self._flushed_sim >= self.FLUSH_SIM_SECONDS
            or self._monotonic() - self._flushed_wall >= self.FLUSH_WALL_SECONDS
        ):
            self.flush()
            self._flushed_sim = intention.time

    def flush(self) -> None:
        if self._file is None or not self._buffer:
            return
        self._file.write("\n".join(self._buffer) + "\n")
        self._file.flush()
        self._buffer.clear()
        self._flushed_wall = self._monotonic()

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
