"""Lights left on in an empty room (issue 18: "turn things off that were left on").

When an area is empty (below; its motion sensors' own hold time is the wait, so nobody has
moved there for that long), each light and media player still on in the area is proposed off
to the agent as a routine of its own, `left_on:light.kitchen`, one per entity whatever the
hour: nobody there and the light on is the same habit at 08:00 as at 22:00. The agent's
ladder decides what happens (proposals.py). A new one is asked about at once, as other
proposed routines are ("The Kitchen light is on and nobody has moved in the Kitchen for a
while: shall I switch it off?": a light left on is worth a question, and a yes switches it
off then); yeses climb it to act. An occasion not asked (quiet hours, nobody at home to ask,
the question budget) or only observed (after a no) is judged by its own shadow: a came-true
when nobody came back within the undo window (switching it off would have stood) or a person
switched it off themselves, else a not-true. It falls on a revert (the one who left came back
and switched it on again within the undo window) or a no, as any routine does; someone else
coming in and switching it on is a use of their own, and the switch-off is kept (`new_use`).

An area is empty when the hub senses it so (`LeftOn._empty`): none of its motion sensors
(Home Assistant's `motion`, `occupancy` and `presence` classes) sees anyone, and no person at
home is in it as their person entity's `room` says (a room-presence integration: ESPresense,
Bermuda; the hub's gate reads the same attribute). Someone sitting still in front of the TV,
whose motion sensor has long gone off, keeps the living room in use. An area without a motion
sensor is judged by the people alone: empty only when the hub knows where everyone at home is
and none is there, or nobody is home (the last one out), and never when the hub knows of no
people at all. The moments it is judged: an area's last motion sensor going off, and a person
leaving it (every area when the last one leaves home). Every emptying is a new occasion: the
one before it, if still open, is judged at once."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from hearthmind.core import EVENT_STATE_CHANGED, Context, Event, Hub, State

from .acting import name_of, service_for, value_of
from .proposals import Proposal, close_occasion
from .safety import AWAY_STATES, anyone_home, person_room, user_of
from .store import ActionRecord

if TYPE_CHECKING:
    from hearthmind.core.events import StateChangedData

    from .agent import Agent

_LOGGER = logging.getLogger(__name__)

COMPONENT = "left_on"
MOTION_CLASSES = frozenset({"motion", "occupancy", "presence"})
DOMAINS = ("light", "media_player")
OFF_VALUES = frozenset({"off", "standby", "unavailable", "unknown"})
# how long the occasion stays open: a person who left it on and meant to switch it off would
# have done so by then (came true); the agent judges it this long after the room emptied
WAIT_FOR_PEOPLE = 15 * 60.0


def routine_key(entity_id: str) -> str:
    return f"{COMPONENT}:{entity_id}"


class LeftOn:
    """Watches motion sensors and proposes switching off what was left on behind people."""

    def __init__(self, hub: Hub, agent: Agent) -> None:
        self.hub = hub
        self.agent = agent
        self._unsub: Callable[[], None] | None = None
        self._entered: dict[str, float] = {}  # area id -> when someone last came in
        self._left_by: dict[str, str] = {}  # area id -> the user who last left it

    def start(self) -> None:
        self._unsub = self.hub.bus.async_listen(EVENT_STATE_CHANGED, self._changed)
        self.agent.new_use = self.new_use

    async def async_stop(self) -> None:
        if self._unsub is not None:
            self._unsub()
            self._unsub = None
        self.agent.new_use = None

    def _changed(self, event: Event[StateChangedData]) -> None:
        new, old = event.data["new_state"], event.data["old_state"]
        if new is None or old is None:
            return
        if new.domain == "person":
            self._person_moved(user_of(new), _room(old), _room(new), event.context)
            return
        if new.domain != "binary_sensor" or new.state == old.state:
            return
        if new.attributes.get("device_class") not in MOTION_CLASSES:
            return
        area = self.hub.registries.area_of(new.entity_id)
        if area is None:
            return
        if new.state == "on":
            self._entered[area.id] = self.hub.clock.timestamp()
        elif new.state == "off" and old.state == "on":
            self._check(area.id, event.context)

    def _person_moved(self, user: str, was: str | None, now: str | None, context: Context) -> None:
        """A person changed rooms (or came or went): the room they are in is in use; the
        one they left may be empty now, and every room is when the last one left home."""
        if was == now:
            return
        if now is not None and now != _AWAY:
            self._entered[now] = self.hub.clock.timestamp()
        left = None if was == _AWAY else was
        if left is not None:
            self._left_by[left] = user
        if now == _AWAY and not anyone_home(self.hub):
            for area_id in list(self.hub.registries.areas):
                self._check(area_id, context)
        elif left is not None:
            self._check(left, context)

    def _check(self, area_id: str, sensed: Context) -> None:
        """Propose off what is on in the area, if the hub senses it empty."""
        if not self.agent.enabled or not self._empty(area_id):
            return
        area = self.hub.registries.areas.get(area_id)
        if area is None:
            return
        for entity_id in self._in_area(area_id):
            if entity_id.partition(".")[0] in DOMAINS and self._left_on(entity_id):
                self.agent.spawn(
                    self._propose(entity_id, area_id, area.name, sensed), "agent-left-on"
                )

    def new_use(self, action: ActionRecord, user: str) -> str | None:
        """A light or TV it switched off in an empty room, switched on again within the undo
        window by someone in that room now who is not the one who left it last: they came in
        for a use of their own, and switching off stood for the one who left (who, coming
        back, makes it a revert: it was too early). None (a revert) when the hub does not
        know who left, or the action is not a left-on one."""
        if not action.routine_id.startswith(f"{COMPONENT}:"):
            return None
        area = self.hub.registries.area_of(action.entity_id)
        if area is None:
            return None
        left = self._left_by.get(area.id)
        if left is None or left == user or person_room(self.hub, user) != area.id:
            return None
        return f"{user} came in after {left} had left: a use of their own"

    def _empty(self, area_id: str) -> bool:
        """Whether the hub senses nobody in the area (module docstring)."""
        sensors = [e for e in self._in_area(area_id) if self._is_motion(e)]
        if any(self._on(e) for e in sensors):
            return False  # a sensor there still sees someone
        people = self.hub.states.async_all("person")
        rooms = [p.attributes.get("room") for p in people if str(p.state) not in AWAY_STATES]
        if area_id in rooms:
            return False  # someone is there, sitting still maybe
        if sensors:
            return True
        # no motion sensor: the people alone tell, when the hub knows where each one is
        return bool(people) and None not in rooms

    def _in_area(self, area_id: str) -> list[str]:
        return self.hub.registries.entities_in_area(area_id)

    def _is_motion(self, entity_id: str) -> bool:
        state = self.hub.states.get(entity_id)
        return (
            state is not None
            and state.domain == "binary_sensor"
            and state.attributes.get("device_class") in MOTION_CLASSES
        )

    def _on(self, entity_id: str) -> bool:
        state = self.hub.states.get(entity_id)
        return state is not None and state.state == "on"

    def _left_on(self, entity_id: str) -> bool:
        state = self.hub.states.get(entity_id)
        if state is None or str(state.state) in OFF_VALUES:
            return False
        entry = self.hub.entities.get(entity_id)
        if entry is None or entry.handler is None:
            return False  # nothing the hub can command
        return service_for(entity_id, "off", value_of(state)) is not None

    async def _propose(self, entity_id: str, area_id: str, area: str, sensed: Context) -> None:
        now = self.hub.clock.timestamp()
        name = name_of(self.hub.states.get(entity_id), entity_id)
        key = routine_key(entity_id)
        open_one = self.agent.proposals.get(key)
        if open_one is not None and not open_one.closed:
            close_occasion(self.agent, open_one)  # a new emptying: the last one is judged
        proposal = Proposal(
            routine_key=key,
            entity_id=entity_id,
            value="off",
            at=now,
            due=now + WAIT_FOR_PEOPLE,
            question=f"The {name} is on and nobody has moved in the {area} for a while: "
            "shall I switch it off?",
            reason=f"nobody has moved in the {area} for a while and the {name} was left on",
            probability=self._sure(key),
            while_away=True,  # the last one out: lights off in an empty home too
            judge=lambda: self._stayed_empty(area_id, entity_id, now),
        )
        try:
            await self.agent.async_propose(proposal, sensed)
        except Exception as err:  # an entity gone meanwhile: counted, the hub goes on
            self.agent.problem("agent_left_on_errors", f"left on {entity_id}: {err!r}")
            _LOGGER.warning("left on %s: %r", entity_id, err)

    def _stayed_empty(self, area_id: str, entity_id: str, since: float) -> bool:
        """An occasion only observed: switching it off would have stood when nobody came
        back within the undo window (someone back in the dark would have switched it on)."""
        back = self._entered.get(area_id)
        window = self.agent.config.undo_window(entity_id)
        return back is None or back <= since or back > since + window

    def _sure(self, key: str) -> float:
        """How sure: the share of this routine's recent outcomes that were right (a yes, an
        action kept, a person switching it off), a half before there are any."""
        unit = self.agent.units.get(key)
        rate = None if unit is None else unit.evidence.rate
        return 0.5 if rate is None else rate


_AWAY = "away"  # where a person not at home is, for `_person_moved`


def _room(person: State) -> str | None:
    """Where a person entity says they are: their room, `_AWAY`, or None (home, room not
    known)."""
    if str(person.state) in AWAY_STATES:
        return _AWAY
    room = person.attributes.get("room")
    return None if room is None else str(room)


__all__ = ["COMPONENT", "LeftOn", "routine_key"]
