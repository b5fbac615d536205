"""People, Home Assistant's `person:` section: a `person.<id>` entity per person, whose state
follows their device trackers as HA's does, and (Hearthmind's own) whose `room` attribute
follows their room-presence sensors.

    person:
      - name: Ana
        id: ana                                   # default: the name made an id
        user_id: ana                              # their user id in Contexts (default: id)
        device_trackers: [device_tracker.ana_phone, device_tracker.ana_wifi]
        room_sensors: [sensor.ana_phone_area]     # where in the home: Bermuda, ESPresense

The state, as HA's person integration makes it: `home` while a stationary tracker (any
source type but `gps`: a router or bluetooth one only sees them at home) says home; else the
most recently updated GPS tracker's state (`home`, `not_home` or a zone's name); else the most
recently updated stationary one's other state (`not_home` or a zone's name); `unknown` before
any tracker has reported (an unknown or unavailable tracker is left out). The `room`: the area
the most recently updated room sensor names, by the area's id or its name (Bermuda reports the
name, ESPresense the id), and none while they are not home or when no sensor names an area
(`not_home`, `unknown`). With no tracker reported, the room sensors alone say it: a room is
home, all of them `not_home` is not home. The agent reads both: nothing is done for someone
away, and a room is empty when nobody is in it (agent/left_on.py). A simulated home's
residents are people already (the simulator makes them); a `person:` entry with a resident's
id is left out, with a warning.

A bad entry (a key HA does not have, a tracker id that is not a device_tracker) is named with
its file and line, counted (`person_config_errors`) and left out; the others load."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from hearthmind.core import (
    EVENT_STATE_CHANGED,
    ConfigError,
    Context,
    Event,
    Hub,
    Origin,
    Person,
    SetupOptions,
    State,
    register_section,
)
from hearthmind.core.config import validate
from hearthmind.core.events import StateChangedData

_LOGGER = logging.getLogger(__name__)

__all__ = ["PersonConfig", "async_setup", "presence_of", "room_of"]

DOMAIN = "person"
IGNORED = frozenset({"unknown", "unavailable", ""})
NOWHERE = frozenset({"not_home", "away", "unknown", "unavailable", "none", ""})

register_section(DOMAIN)  # HA's `person:`: a list of people, each checked on its own


class PersonConfig(BaseModel):
    """One entry of `person:`, HA's keys plus `room_sensors`."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1)
    id: str | None = None
    user_id: str | None = None
    device_trackers: list[str] = Field(default_factory=list)
    room_sensors: list[str] = Field(default_factory=list)
    picture: str | None = None  # HA's: kept as entity_picture

    @field_validator("device_trackers", "room_sensors", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value

    @field_validator("device_trackers")
    @classmethod
    def _trackers(cls, value: list[str]) -> list[str]:
        for entity_id in value:
            if not entity_id.startswith("device_tracker."):
                raise ValueError(f"{entity_id!r} is not a device_tracker entity id")
        return value

    @field_validator("room_sensors")
    @classmethod
    def _sensors(cls, value: list[str]) -> list[str]:
        for entity_id in value:
            if "." not in entity_id:
                raise ValueError(f"{entity_id!r} is not an entity id")
        return value

    @property
    def person_id(self) -> str:
        return self.id or re.sub(r"[^a-z0-9]+", "_", self.name.casefold()).strip("_") or "person"


def presence_of(trackers: Iterable[State]) -> State | None:
    """The tracker state a person's state comes from, by HA's rule (module docstring)."""
    home: State | None = None
    gps: State | None = None
    away: State | None = None
    for state in trackers:
        if state.state in IGNORED:
            continue
        if state.attributes.get("source_type") == "gps":
            gps = _latest(gps, state)
        elif state.state == "home":
            home = _latest(home, state)
        else:  # not_home, or a zone's name (HA's current rule; it once took not_home only)
            away = _latest(away, state)
    return home or gps or away


def room_of(hub: Hub, sensors: Iterable[State]) -> str | None:
    """The area id the most recently updated room sensor names (None: no area)."""
    latest: State | None = None
    for state in sensors:
        if str(state.state).casefold() not in NOWHERE:
            latest = _latest(latest, state)
    if latest is None:
        return None
    said = str(latest.state).strip().casefold()
    for area in hub.registries.areas.values():
        if said in (area.id.casefold(), area.name.casefold(), _slug(area.name)):
            return area.id
    return None


def _latest(best: State | None, state: State) -> State:
    return state if best is None or state.last_updated > best.last_updated else best


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.casefold()).strip("_")


class Tracked:
    """One configured person: recomputes their state when a tracker or room sensor changes."""

    def __init__(self, hub: Hub, config: PersonConfig) -> None:
        self.hub = hub
        self.config = config
        self.person = Person(config.person_id, config.name, config.user_id or config.person_id)
        self.watched = frozenset(config.device_trackers) | frozenset(config.room_sensors)

    def update(self, cause: Context | None = None) -> None:
        trackers = [s for e in self.config.device_trackers if (s := self.hub.states.get(e))]
        sensors = [s for e in self.config.room_sensors if (s := self.hub.states.get(e))]
        source = presence_of(trackers)
        room = room_of(self.hub, sensors)
        if source is not None:
            presence = str(source.state)
        elif room is not None:
            presence = "home"  # no tracker has reported: a room in the home is at home
        elif sensors and all(str(s.state).casefold() in ("not_home", "away") for s in sensors):
            presence = "not_home"  # ESPresense's "out of range of every room"
        else:
            presence = "unknown"
        if presence != "home":
            room = None
        attributes: dict[str, Any] = {
            "id": self.person.id,
            "device_trackers": list(self.config.device_trackers),
            "room": room,
        }
        if source is not None:
            attributes["source"] = source.entity_id
            for key in ("latitude", "longitude", "gps_accuracy"):
                if key in source.attributes:
                    attributes[key] = source.attributes[key]
        if self.config.picture:
            attributes["entity_picture"] = self.config.picture
        # the state machine writes nothing when state and attributes are as they were (a
        # tracker's battery changed, not where they are)
        context = self.hub.context(Origin.SENSOR, self.person.user_id, cause)
        self.hub.set_presence(self.person.id, presence, context, attributes)


def _entries(hub: Hub) -> list[PersonConfig]:
    raw = hub.config.raw.get(DOMAIN)
    if raw is None:
        return []
    items = raw if isinstance(raw, list) else [raw]
    people: list[PersonConfig] = []
    for index, item in enumerate(items):
        try:
            people.append(validate(PersonConfig, item, hub.config.lines, (DOMAIN, index)))
        except ConfigError as err:
            hub.health.problem("person_config_errors", str(err), hub.clock.timestamp())
            _LOGGER.error("person left out: %s", err)
    return people


async def async_setup(hub: Hub, options: SetupOptions) -> None:
    tracked: dict[str, Tracked] = {}
    for config in _entries(hub):
        one = Tracked(hub, config)
        if one.person.id in hub.registries.people or one.person.id in tracked:
            message = f"person {one.person.id!r} is already there (a simulated resident?)"
            hub.health.problem("person_config_errors", message, hub.clock.timestamp())
            _LOGGER.warning("person left out: %s", message)
            continue
        hub.registries.add_person(one.person)
        tracked[one.person.id] = one
        one.update()
    if not tracked:
        return
    by_entity: dict[str, list[Tracked]] = {}
    for one in tracked.values():
        for entity_id in one.watched:
            by_entity.setdefault(entity_id, []).append(one)

    def changed(event: Event[StateChangedData]) -> None:
        for one in by_entity.get(event.data["entity_id"], ()):
            one.update(event.context)

    unsub = hub.bus.async_listen(EVENT_STATE_CHANGED, changed)

    async def stop() -> None:
        unsub()

    hub.async_on_stop(stop)
