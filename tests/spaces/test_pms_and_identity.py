"""A hotel's PMS messages read into the rooms' hub (a reservation gets the room ready, a
check-out forgets the guest, a booking for a room the hotel does not have is refused and
counted); people recognised by a phone or a key; one hub serving a home and a car."""

from __future__ import annotations

from hearthmind.core import Hub, SimulatedClock, SpaceKind
from hearthmind.integrations.simulator.spaces.layouts import build_car, build_home
from hearthmind.integrations.simulator.spaces.pms import PmsLink, pms_message
from hearthmind.spaces import SpacesHub

from .conftest import START, Hubs, ana_profile

LINK = {"subject": "ana", "home_hub": "home-ana"}


async def test_pms_reservation_check_in_and_check_out(hubs: Hubs) -> None:
    pms = PmsLink(hubs.hotel.hub, "hotel", hubs.hotel)
    room = hubs.rooms[0]
    assert room.climate is not None
    number = room.area_id.rsplit("_", 1)[-1]
    arrival = hubs.clock.timestamp() + 4 * 3600
    assert await pms.receive(pms_message("reservation", number, "R1", "Ana", arrival, LINK))
    await hubs.run_until(arrival)
    assert room.climate.setpoint == 21.5  # ready for her (16:00: her day)
    assert await pms.receive(pms_message("check_in", number, "R1", "Ana", None, LINK))
    assert await pms.receive(pms_message("check_out", number, "R1", "Ana", None, LINK))
    assert room.area_id not in hubs.hotel.stays


async def test_pms_messages_the_hotel_cannot_use(hubs: Hubs) -> None:
    pms = PmsLink(hubs.hotel.hub, "hotel", hubs.hotel)
    assert not await pms.receive(pms_message("reservation", 999, "R9", "Ana", 0.0, LINK))
    assert not await pms.receive({"event": "teleport"})
    assert not await pms.receive("junk")
    number = hubs.rooms[0].area_id.rsplit("_", 1)[-1]
    assert not await pms.receive(pms_message("reservation", number, "R2", "Ana", None, LINK))
    assert hubs.hotel.hub.health["pms_bad_message"] == 4
    assert "no such room" in hubs.hotel.hub.health.recent[0].message
    # a guest without a profile link checks in: the room keeps its defaults
    assert await pms.receive(pms_message("check_in", number, "R3", "Walk In"))
    assert hubs.hotel.stays[hubs.rooms[0].area_id].view is None


async def test_one_hub_serves_a_home_and_a_car_and_knows_people_by_their_key() -> None:
    hub = Hub(clock=SimulatedClock(START))
    spaces = SpacesHub(hub, "family")
    home, cabin = build_home(hub, "home"), build_car(hub, "car")
    spaces.add_profile(ana_profile(), home_areas=[home.area_id])
    stay = await spaces.async_arrive_as(cabin.area_id, "key-ana")
    assert stay is not None and stay.kind == SpaceKind.VEHICLE
    assert cabin.seat is not None and cabin.seat.level == 2.0
    assert cabin.climate is not None and cabin.climate.setpoint == 21.5
    assert await spaces.async_arrive_as(home.area_id, "+3510001") is not None
    assert home.light is not None and home.light.brightness_pct == 80.0
    # a key nobody was paired with: a guest, counted, the car keeps its own settings
    before = cabin.climate.setpoint
    await spaces.async_depart(cabin.area_id)
    assert await spaces.async_arrive_as(cabin.area_id, "key-unknown") is None
    assert hub.health["spaces_unknown_identity"] == 1 and cabin.climate.setpoint == before
