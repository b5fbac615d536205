"""Who or what caused a change: the `Context` carried by every event and state change."""

from __future__ import annotations

import os
import random
import time
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Origin(StrEnum):
    """Where a change came from. Learning uses this: the hub learns from what people did,
    never from what it did itself."""

    PHYSICAL = "physical"  # a person at the device
    VOICE = "voice"
    APP = "app"
    AUTOMATION = "automation"
    AGENT = "agent"
    SENSOR = "sensor"

    @property
    def is_human(self) -> bool:
        return self in HUMAN_ORIGINS


# A person caused it: at the device, by voice, in an app. The one list every reader uses (the
# routines learn from these, the logbook names a person for them).
HUMAN_ORIGINS: frozenset[Origin] = frozenset({Origin.PHYSICAL, Origin.VOICE, Origin.APP})


@dataclass(frozen=True, slots=True)
class Context:
    """The cause of an event: `parent_id` links an automation's action to its trigger."""

    id: str
    origin: Origin
    user_id: str | None = None
    parent_id: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "origin": self.origin.value,
            "user_id": self.user_id,
            "parent_id": self.parent_id,
        }


_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
# two Crockford characters per 10 bits: a ULID (130 bits) is 13 table lookups
_PAIRS = [a + b for a in _CROCKFORD for b in _CROCKFORD]


def _ulid(ms: int, rand80: int) -> str:
    value = (ms << 80) | rand80
    pairs = _PAIRS
    return "".join([pairs[(value >> shift) & 1023] for shift in range(120, -10, -10)])


class ContextFactory:
    """Makes sortable, ULID-shaped context ids. With a seed the ids are reproducible, so a
    simulated home with the same seed writes the same history bit for bit."""

    __slots__ = ("_millis", "_rng")

    def __init__(self, millis: Any, seed: int | None = None) -> None:
        # `millis` is a callable returning the clock's time in ms; never the wall clock directly.
        self._millis = millis
        # ids need to be unique, not secret: one generator seeded from the OS when no seed is given
        self._rng = random.Random(
            seed if seed is not None else int.from_bytes(os.urandom(16), "big")
        )

    def new_id(self) -> str:
        return _ulid(int(self._millis()), self._rng.getrandbits(80))

    def new(
        self,
        origin: Origin | str,
        user_id: str | None = None,
        parent: Context | str | None = None,
    ) -> Context:
        parent_id = parent.id if isinstance(parent, Context) else parent
        return Context(self.new_id(), Origin(origin), user_id, parent_id)


def wall_millis() -> float:
    """Only for id generation outside a hub (tests, importers)."""
    return time.time() * 1000  # hub code uses hub.clock instead


DEFAULT_CONTEXTS = ContextFactory(wall_millis)
