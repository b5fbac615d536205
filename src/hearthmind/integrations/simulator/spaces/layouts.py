"""Building simulated spaces into a hub: a home, a car, a hotel of 100 rooms, an office floor.

Each builder adds a `Space` of its kind, its areas and their devices, and returns the areas'
devices by role ("climate", "light", "fan", "seat", "media") so the world (and a benchmark) can
read them back. Rooms differ as real ones do: some hotel rooms have colour-temperature lights
and some brightness only, some thermostats stop at 19-25 degrees, some desks have a fan."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from hearthmind.core import Area, Space, SpaceKind

from .devices import (
    SimClimate,
    SimDevice,
    SimFan,
    SimLight,
    SimMedia,
    SimSeatHeater,
    register_extra_services,
)

if TYPE_CHECKING:
    from hearthmind.core import Hub


@dataclass
class SimArea:
    area_id: str
    space_id: str
    kind: SpaceKind
    devices: dict[str, SimDevice] = field(default_factory=dict)
    # what the space sets when nobody is there / for a guest without a profile
    defaults: dict[str, float] = field(default_factory=dict)

    @property
    def climate(self) -> SimClimate | None:
        found = self.devices.get("climate")
        return found if isinstance(found, SimClimate) else None

    @property
    def light(self) -> SimLight | None:
        found = self.devices.get("light")
        return found if isinstance(found, SimLight) else None

    @property
    def seat(self) -> SimSeatHeater | None:
        found = self.devices.get("seat")
        return found if isinstance(found, SimSeatHeater) else None

    @property
    def fan(self) -> SimFan | None:
        found = self.devices.get("fan")
        return found if isinstance(found, SimFan) else None


def _area(hub: Hub, space: Space, area_id: str, name: str) -> SimArea:
    hub.registries.add_area(Area(area_id, name, space.id))
    return SimArea(area_id, space.id, space.kind)


def _add(area: SimArea, role: str, device: SimDevice) -> None:
    device.register()
    area.devices[role] = device


def build_home(hub: Hub, home_id: str, ambient: float = 6.0) -> SimArea:
    register_extra_services(hub)
    space = hub.registries.add_space(Space(home_id, f"Home {home_id}", SpaceKind.HOME))
    area = _area(hub, space, f"{home_id}_living", "Living room")
    area.defaults = {"temperature": 21.0, "away_temperature": 16.5}
    _add(
        area,
        "climate",
        SimClimate(
            hub,
            f"climate.{home_id}_living",
            "Thermostat",
            area.area_id,
            setpoint=21.0,
            ambient=ambient,
            tau_min=40.0,
            _temp0=21.0,
        ),
    )
    _add(area, "light", SimLight(hub, f"light.{home_id}_living", "Living light", area.area_id))
    _add(area, "media", SimMedia(hub, f"media_player.{home_id}_living", "Speaker", area.area_id))
    return area


def build_car(hub: Hub, car_id: str, ambient: float = 4.0) -> SimArea:
    register_extra_services(hub)
    space = hub.registries.add_space(Space(car_id, f"Car {car_id}", SpaceKind.VEHICLE))
    area = _area(hub, space, f"{car_id}_cabin", "Cabin")
    area.defaults = {"temperature": 21.0, "seat_heating": 0.0}
    _add(
        area,
        "climate",
        SimClimate(
            hub,
            f"climate.{car_id}_cabin",
            "Cabin climate",
            area.area_id,
            setpoint=21.0,
            on=False,
            ambient=ambient,
            tau_min=5.0,
            min_temp=16.0,
            max_temp=28.0,
            _temp0=ambient,
        ),
    )
    _add(
        area, "seat", SimSeatHeater(hub, f"number.{car_id}_seat_heat", "Seat heating", area.area_id)
    )
    _add(area, "media", SimMedia(hub, f"media_player.{car_id}_radio", "Radio", area.area_id))
    return area


def build_hotel(
    hub: Hub, hotel_id: str, rooms: int = 100, seed: int = 0, ambient: float = 6.0
) -> list[SimArea]:
    """A hotel of `rooms` rooms on floors of 20; a third with brightness-only lights, a
    fifth with thermostats limited to 19-25 degrees."""
    register_extra_services(hub)
    rng = random.Random(seed)
    space = hub.registries.add_space(Space(hotel_id, f"Hotel {hotel_id}", SpaceKind.HOTEL_ROOM))
    out = []
    for n in range(rooms):
        number = (n // 20 + 1) * 100 + n % 20 + 1
        area = _area(hub, space, f"{hotel_id}_room_{number}", f"Room {number}")
        limited = rng.random() < 0.2
        area.defaults = {
            "temperature": 21.0,
            "brightness": 70.0,
            "color_temp": 3000.0,
            "unsold_temperature": 17.0,
        }
        _add(
            area,
            "climate",
            SimClimate(
                hub,
                f"climate.{hotel_id}_room_{number}",
                f"Room {number} climate",
                area.area_id,
                setpoint=17.0,
                ambient=ambient,
                tau_min=25.0,
                min_temp=19.0 if limited else 16.0,
                max_temp=25.0 if limited else 28.0,
                _temp0=17.0,
            ),
        )
        _add(
            area,
            "light",
            SimLight(
                hub,
                f"light.{hotel_id}_room_{number}",
                f"Room {number} light",
                area.area_id,
                colour=rng.random() >= 1 / 3,
            ),
        )
        out.append(area)
    return out


def build_office(
    hub: Hub, office_id: str, desks: int = 40, meeting_rooms: int = 6, seed: int = 0
) -> tuple[list[SimArea], list[SimArea]]:
    """An office floor: hot desks (a lamp each, half with colour temperature; a fan at some)
    and meeting rooms (a thermostat and brightness-only lights)."""
    register_extra_services(hub)
    rng = random.Random(seed)
    space = hub.registries.add_space(Space(office_id, f"Office {office_id}", SpaceKind.OFFICE))
    desk_areas = []
    for n in range(1, desks + 1):
        area = _area(hub, space, f"{office_id}_desk_{n}", f"Desk {n}")
        area.defaults = {"brightness": 60.0, "color_temp": 4000.0, "fan": 0.0}
        _add(
            area,
            "light",
            SimLight(
                hub,
                f"light.{office_id}_desk_{n}",
                f"Desk {n} lamp",
                area.area_id,
                on=True,
                brightness_pct=60.0,
                kelvin=4000,
                colour=rng.random() < 0.5,
            ),
        )
        if rng.random() < 0.6:
            _add(
                area, "fan", SimFan(hub, f"fan.{office_id}_desk_{n}", f"Desk {n} fan", area.area_id)
            )
        desk_areas.append(area)
    rooms = []
    for n in range(1, meeting_rooms + 1):
        area = _area(hub, space, f"{office_id}_meeting_{n}", f"Meeting room {n}")
        area.defaults = {"temperature": 21.0, "brightness": 80.0}
        _add(
            area,
            "climate",
            SimClimate(
                hub,
                f"climate.{office_id}_meeting_{n}",
                f"Meeting room {n} climate",
                area.area_id,
                setpoint=21.0,
                ambient=19.0,
                tau_min=20.0,
                _temp0=21.0,
            ),
        )
        _add(
            area,
            "light",
            SimLight(
                hub,
                f"light.{office_id}_meeting_{n}",
                f"Meeting room {n} light",
                area.area_id,
                on=True,
                brightness_pct=80.0,
                colour=False,
            ),
        )
        rooms.append(area)
    return desk_areas, rooms
