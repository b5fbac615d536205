"""Spaces, areas (rooms), devices and people as first-class records.

A person's presence is an entity, `person.<id>`, as Home Assistant's: `home`, `not_home` or a
zone's name; the room they are in is its `room` attribute."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class SpaceKind(StrEnum):
    HOME = "home"
    VEHICLE = "vehicle"
    HOTEL_ROOM = "hotel_room"
    OFFICE = "office"
    DATA_HALL = "data_hall"


@dataclass(slots=True)
class Space:
    id: str
    name: str
    kind: SpaceKind = SpaceKind.HOME
    latitude: float | None = None
    longitude: float | None = None
    time_zone: str = "UTC"


@dataclass(slots=True)
class Floor:
    """A storey, as Home Assistant's floor registry has it (`level` 0 is the ground floor)."""

    id: str
    name: str
    aliases: tuple[str, ...] = ()
    level: int | None = None


@dataclass(slots=True)
class Area:
    id: str
    name: str
    space_id: str | None = None
    floor_id: str | None = None  # HA's area.floor_id
    aliases: tuple[str, ...] = ()  # other names people call the room by (HA's area aliases)


@dataclass(slots=True)
class Device:
    id: str
    name: str
    area_id: str | None = None
    entity_ids: list[str] = field(default_factory=list)
    manufacturer: str | None = None
    model: str | None = None


@dataclass(slots=True)
class Person:
    id: str
    name: str
    user_id: str | None = None

    @property
    def entity_id(self) -> str:
        return f"person.{self.id}"


class Registries:
    """The hub's records of spaces, areas, devices and people."""

    def __init__(self) -> None:
        self.spaces: dict[str, Space] = {}
        self.floors: dict[str, Floor] = {}
        self.areas: dict[str, Area] = {}
        self.devices: dict[str, Device] = {}
        self.people: dict[str, Person] = {}
        self._entity_area: dict[str, str] = {}
        self._entity_device: dict[str, str] = {}

    def add_space(self, space: Space) -> Space:
        self.spaces[space.id] = space
        return space

    def add_floor(self, floor: Floor) -> Floor:
        self.floors[floor.id] = floor
        return floor

    def add_area(self, area: Area) -> Area:
        self.areas[area.id] = area
        return area

    def add_device(self, device: Device) -> Device:
        self.devices[device.id] = device
        for entity_id in device.entity_ids:
            self._entity_device[entity_id] = device.id
            if device.area_id:
                self._entity_area[entity_id] = device.area_id
        return device

    def add_person(self, person: Person) -> Person:
        self.people[person.id] = person
        return person

    def person_by_user(self, user_id: str | None) -> Person | None:
        if user_id is None:
            return None
        for person in self.people.values():
            if person.user_id == user_id or person.id == user_id:
                return person
        return None

    def set_entity_area(self, entity_id: str, area_id: str) -> None:
        self._entity_area[entity_id] = area_id

    def area_of(self, entity_id: str) -> Area | None:
        area_id = self._entity_area.get(entity_id)
        return self.areas.get(area_id) if area_id else None

    def device_of(self, entity_id: str) -> Device | None:
        device_id = self._entity_device.get(entity_id)
        return self.devices.get(device_id) if device_id else None

    def entities_in_area(self, area_id: str) -> list[str]:
        return [e for e, a in self._entity_area.items() if a == area_id]
