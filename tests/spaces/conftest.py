"""Hubs with spaces on one simulated clock: a person's home hub (their profile) and a hotel
hub of a few rooms, paired, talking in process (the HTTP way is in test_http.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from hearthmind.core import Hub, SimulatedClock, SpaceKind
from hearthmind.integrations.simulator.spaces.layouts import (
    SimArea,
    build_car,
    build_home,
    build_hotel,
)
from hearthmind.spaces import Category, Identity, Profile, SpacesHub
from hearthmind.spaces.exchange import InProcessTransport, pair
from hearthmind.spaces.profile import Activity, ContextSet, PreferenceValue

START = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)


@dataclass
class Hubs:
    clock: SimulatedClock
    transport: InProcessTransport
    home: SpacesHub
    hotel: SpacesHub
    car: SpacesHub
    rooms: list[SimArea]
    home_area: SimArea
    cabin: SimArea

    async def run_until(self, ts: float) -> None:
        await self.clock.async_run_until(datetime.fromtimestamp(ts, UTC))


def ana_profile() -> Profile:
    profile = Profile("ana", "Ana", Identity(phone="+3510001", key_id="key-ana"))
    for act, temp, bright, kelvin in (
        (Activity.DAY, 21.5, 80.0, 4500.0),
        (Activity.EVENING, 22.5, 40.0, 2700.0),
        (Activity.SLEEP, 19.0, 10.0, 2400.0),
    ):
        for key, value in (("temperature", temp), ("brightness", bright), ("color_temp", kelvin)):
            profile.set(ContextSet.HOME, act, key, PreferenceValue(value, 0.9, "learned:home:h", 9))
    profile.set(
        ContextSet.TRAVEL,
        Activity.DAY,
        "seat_heating",
        PreferenceValue(2.0, 0.8, "learned:vehicle:car", 5),
    )
    profile.consent = {
        SpaceKind.HOME: set(Category),
        SpaceKind.HOTEL_ROOM: {Category.COMFORT, Category.LIGHT},
        SpaceKind.VEHICLE: {Category.COMFORT},
    }
    return profile


@pytest.fixture
async def hubs() -> AsyncIterator[Hubs]:
    clock = SimulatedClock(START)
    transport = InProcessTransport()
    made = {}
    for hub_id in ("home-ana", "hotel", "car-ana"):
        hub = Hub(clock=clock, seed=3)
        spaces = SpacesHub(hub, hub_id, transport)
        transport.register(hub_id, spaces.async_receive)
        made[hub_id] = spaces
    home, hotel, car = made["home-ana"], made["hotel"], made["car-ana"]
    home_area = build_home(home.hub, "home_ana")
    rooms = build_hotel(hotel.hub, "hotel", rooms=4, seed=5)
    cabin = build_car(car.hub, "car_ana")
    home.add_profile(ana_profile(), home_areas=[home_area.area_id])
    pair(home.keys, hotel.keys)
    pair(home.keys, car.keys)
    yield Hubs(clock, transport, home, hotel, car, rooms, home_area, cabin)
    for spaces in made.values():
        spaces.close()
