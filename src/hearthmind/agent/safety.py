"""The hard rules around the ladder, whatever the confidence: safety classes are never acted
on without a person's yes; no questions in quiet hours nor beyond a daily budget per person;
nothing done for people who are away unless the routine is about being away.

Safety classes: locks, alarms (alarm_control_panel), valves (the `valve` domain, or anything
named a valve), garage doors, doors and gates (covers of those device classes), ovens and
cooktops (by name: oven, cooktop, hob, stove, cooker, never a cooker hood), covers, switches,
thermostats and water heaters whose id names an entrance, heat, water or an alarm (garage,
gate, entrance, front_door, oven, hob, stove, valve, alarm), and the entity ids configured as
`sensitive` (a `*` matches any run of characters)."""

from __future__ import annotations

import fnmatch
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from hearthmind.core import Hub, State

SAFETY_DOMAINS = {
    "lock": "a lock",
    "alarm_control_panel": "an alarm",
    "valve": "a valve",
}
ENTRANCE_COVERS = {"garage": "a garage door", "door": "a door", "gate": "a gate"}
_HEAT_WORDS = {"oven", "cooktop", "hob", "stove", "cooker"}
_NOT_HEAT = {"hood", "extractor", "fan"}
_WORDS = re.compile(r"[a-z0-9]+")
# in the id of a cover, switch, thermostat or water heater: an entrance, heat or water
_IN_ID = re.compile(r"garage|gate|entrance|front_door|oven|cooktop|hob|stove|valve|alarm")
_ID_DOMAINS = frozenset({"cover", "switch", "climate", "water_heater"})

# values that switch something off or close it: what may be done for people who are away
# when nobody is home ("the last one out, lights off")
OFF_LIKE = frozenset({"off", "closed", "idle", "standby", "paused"})
AWAY_STATES = frozenset({"not_home", "away"})


def _words(*texts: str) -> set[str]:
    out: set[str] = set()
    for text in texts:
        out.update(_WORDS.findall(text.lower()))
    return out


def safety_class(entity_id: str, state: State | None, sensitive: Iterable[str] = ()) -> str | None:
    """Why acting on this entity needs a person's yes (e.g. "a lock"), or None."""
    for pattern in sensitive:
        if fnmatch.fnmatchcase(entity_id, pattern):
            return "marked sensitive"
    domain, _, object_id = entity_id.partition(".")
    if domain in SAFETY_DOMAINS:
        return SAFETY_DOMAINS[domain]
    attributes: Mapping[str, Any] = state.attributes if state is not None else {}
    if domain == "cover":
        device_class = attributes.get("device_class")
        if isinstance(device_class, str) and device_class in ENTRANCE_COVERS:
            return ENTRANCE_COVERS[device_class]
    name = attributes.get("friendly_name")
    words = _words(object_id, name if isinstance(name, str) else "")
    if "valve" in words:
        return "a valve"
    if words & _HEAT_WORDS and not words & _NOT_HEAT and domain != "fan":
        return "an oven or cooktop"
    if domain in _ID_DOMAINS and (found := _IN_ID.search(object_id)) is not None:
        return f"named {found.group(0).replace('_', ' ')}: an entrance, heat, water or alarm"
    return None


def _person_state(hub: Hub, user_id: str) -> State | None:
    person = hub.registries.person_by_user(user_id)
    return hub.states.get(person.entity_id if person is not None else f"person.{user_id}")


def presence(hub: Hub, user_id: str) -> str | None:
    """The person entity's state for a user (None: the hub does not know them)."""
    state = _person_state(hub, user_id)
    return None if state is None else state.state


def person_room(hub: Hub, user_id: str) -> str | None:
    """The area a person is in, as their person entity says (None: away or unknown)."""
    state = _person_state(hub, user_id)
    if state is None or state.state in AWAY_STATES:
        return None
    room = state.attributes.get("room")
    return None if room is None else str(room)


def is_away(hub: Hub, user_id: str) -> bool:
    return presence(hub, user_id) in AWAY_STATES


def anyone_home(hub: Hub) -> bool:
    """Someone is home (True as well when the hub knows of no people at all)."""
    people = hub.states.async_all("person")
    return not people or any(p.state not in AWAY_STATES for p in people)


class QuestionBudget:
    """Questions asked per person per day of the home; None counts as one person."""

    def __init__(self, per_day: int) -> None:
        self.per_day = per_day
        self._asked: Counter[tuple[str | None, int]] = Counter()

    def left(self, person: str | None, day: int) -> int:
        return max(0, self.per_day - self._asked[(person, day)])

    def spend(self, person: str | None, day: int) -> None:
        self._asked[(person, day)] += 1
        for key in [k for k in self._asked if k[1] < day - 1]:
            del self._asked[key]  # only today's and yesterday's are kept

    def asked(self, person: str | None, day: int) -> int:
        return self._asked[(person, day)]


UNDOER_REVERTS = 3  # undone actions in UNDOER_DAYS that may make a person one to ask first
UNDOER_SHARE = 0.15  # ... when they undo at least this share of what it did around them
UNDOER_DAYS = 14.0


class Undoers:
    """Who undid the agent's actions lately, of those done around them: someone who undoes
    a good share of what it does (more than its mistakes) is asked first."""

    def __init__(self, kept: Mapping[str, Any] | None = None) -> None:
        kept = kept or {}
        self._undone: dict[str, list[float]] = _times(kept.get("undone"))
        self._around: dict[str, list[float]] = _times(kept.get("around"))

    def around(self, hub: Hub, entity_id: str, when: float) -> None:
        """An action on `entity_id`: the people at home in its room saw it."""
        for user_id in people_in_room(hub, entity_id):
            self._around.setdefault(user_id, []).append(when)

    def undone_by(self, user_id: str, when: float) -> None:
        self._undone.setdefault(user_id, []).append(when)

    def as_dict(self) -> dict[str, Any]:
        return {
            "undone": {k: list(v) for k, v in self._undone.items() if v},
            "around": {k: list(v) for k, v in self._around.items() if v},
        }

    def recent(self, now: float) -> list[str]:
        since = now - UNDOER_DAYS * 86400.0
        for times in (*self._undone.values(), *self._around.values()):
            times[:] = [t for t in times if t >= since]
        out = []
        for user_id, undone in self._undone.items():
            seen = max(len(self._around.get(user_id, [])), len(undone))
            if len(undone) >= UNDOER_REVERTS and len(undone) >= UNDOER_SHARE * seen:
                out.append(user_id)
        return out

    def near(self, hub: Hub, entity_id: str, now: float) -> str | None:
        """One of them at home and in the entity's room (a room the hub cannot tell is
        taken to be theirs)."""
        undoers = self.recent(now)
        if not undoers:
            return None
        here = people_in_room(hub, entity_id)
        return next((u for u in undoers if u in here), None)


def user_of(person: State) -> str:
    """The user id a person entity stands for (its `user_id`, else its object id)."""
    return str(person.attributes.get("user_id") or person.object_id)


def people_in_room(hub: Hub, entity_id: str) -> list[str]:
    """The users at home in the entity's room (everyone at home when the hub cannot tell
    the entity's room or theirs)."""
    area = hub.registries.area_of(entity_id)
    out = []
    for state in hub.states.async_all("person"):
        if state.state in AWAY_STATES:
            continue
        room = state.attributes.get("room")
        if area is None or room is None or room == area.id:
            out.append(user_of(state))
    return out


def _times(raw: Any) -> dict[str, list[float]]:
    if not isinstance(raw, Mapping):
        return {}
    return {str(k): [float(t) for t in v] for k, v in raw.items() if isinstance(v, list)}
