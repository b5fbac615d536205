"""Stays in a hotel room, a car and a home: a profile applied before arrival, fitted to the
room's devices, explained and undone; check-out forgets; bad input leaves the space on its
defaults and is counted."""

from __future__ import annotations

import pytest

from hearthmind.core import Origin
from hearthmind.spaces.applying import EVENT_PROFILE_SUGGESTION
from hearthmind.spaces.exchange import ExchangeError
from hearthmind.spaces.profile import Activity, ContextSet
from hearthmind.spaces.stays import SpacesError

from .conftest import Hubs

HOUR = 3600.0


async def test_a_booking_gets_the_room_ready_before_arrival(hubs: Hubs) -> None:
    room = hubs.rooms[0]
    assert room.climate is not None
    now = hubs.clock.timestamp()
    arrival = now + 6.5 * HOUR  # 18:30, the evening
    await hubs.hotel.async_expect(room.area_id, "ana", "home-ana", arrival)
    assert room.climate.setpoint == 17.0  # nothing yet: the room waits unsold
    await hubs.run_until(arrival - 1)
    assert room.climate.setpoint == 22.5  # ana's evening, an hour before she comes
    assert room.climate.temperature_at(arrival) == pytest.approx(22.5, abs=1.0)
    app = next(iter(hubs.hotel.applier.applications.values()))
    assert app.status == "applied" and app.activity == "evening"
    assert "22.5" in app.explanation and "learned:home" in app.explanation


async def test_a_room_without_colour_lights_gets_the_brightness_only(hubs: Hubs) -> None:
    room = hubs.rooms[1]
    assert room.light is not None
    room.light.colour = False
    room.light.report(hubs.hotel.hub.context(Origin.SENSOR))
    await hubs.hotel.async_arrive(room.area_id, "ana", "home-ana")
    app = next(iter(hubs.hotel.applier.applications.values()))
    assert room.light.brightness_pct == 80.0  # ana's day
    assert room.light.kelvin == 3000  # the lamp cannot change it
    assert "brightness only" in app.fit.unmet["color_temp"]
    assert "no device" in app.fit.unmet["seat_heating"]  # shared comfort, no seat here
    assert app.fit.taken_share == pytest.approx(2 / 4)  # temperature and brightness


async def test_a_preference_no_device_can_meet_is_clipped_named_and_counted(hubs: Hubs) -> None:
    hubs.home.edit(
        "ana", {"context": "travel", "activity": "day", "key": "temperature", "value": 14}
    )
    room = next(r for r in hubs.rooms if r.climate is not None and r.climate.min_temp >= 16)
    assert room.climate is not None
    await hubs.hotel.async_arrive(room.area_id, "ana", "home-ana")
    app = next(iter(hubs.hotel.applier.applications.values()))
    assert room.climate.setpoint == room.climate.min_temp  # as near as it can, still working
    assert "beyond what" in app.fit.unmet["temperature"]
    assert hubs.hotel.hub.health["spaces_unmet_preferences"] >= 1


async def test_a_guest_without_a_profile_gets_the_defaults(hubs: Hubs) -> None:
    room = hubs.rooms[2]
    assert room.climate is not None and room.light is not None
    before = (room.climate.setpoint, room.light.brightness_pct)
    stay = await hubs.hotel.async_arrive(room.area_id, "walk-in guest", None)
    assert stay.view is None
    assert (room.climate.setpoint, room.light.brightness_pct) == before
    # someone the home does not know: refused there, counted, defaults here
    other = hubs.rooms[3]
    stay = await hubs.hotel.async_arrive(other.area_id, "bob", "home-ana")
    assert stay.view is None
    assert (
        hubs.hotel.hub.health["spaces_peer_refused"] + hubs.home.hub.health["spaces_unknown_person"]
        >= 1
    )


async def test_a_booking_for_a_room_that_does_not_exist(hubs: Hubs) -> None:
    with pytest.raises(SpacesError, match="no room or area 'hotel_room_999'"):
        await hubs.hotel.async_expect("hotel_room_999", "ana", "home-ana", 0.0)
    assert hubs.hotel.hub.health["spaces_unknown_room"] == 1
    # the hotel goes on: the next booking works
    await hubs.hotel.async_arrive(hubs.rooms[0].area_id, "ana", "home-ana")
    assert hubs.rooms[0].area_id in hubs.hotel.stays


async def test_check_out_forgets_and_sends_what_was_learned_home(hubs: Hubs) -> None:
    room = hubs.rooms[0]
    assert room.climate is not None
    await hubs.hotel.async_arrive(room.area_id, "ana", "home-ana")
    ctx = hubs.hotel.hub.context(Origin.PHYSICAL, "ana")
    room.climate.set_by(ctx, "set_temperature", {"temperature": 23.0})
    room.climate.set_by(
        hubs.hotel.hub.context(Origin.AGENT, "ana"), "set_temperature", {"temperature": 25.0}
    )  # the hub's own: never learned
    result = await hubs.hotel.async_depart(room.area_id)
    assert result["learned"] == 1 and result["learned_sent"]
    assert room.area_id not in hubs.hotel.stays
    assert not hubs.hotel.applier.applications
    assert not hubs.hotel.routines and not hubs.hotel.applier.ladder.standing
    learned = hubs.home.profiles["ana"].preferences[
        (ContextSet.TRAVEL, Activity.DAY, "temperature")
    ]
    assert learned.value == 23.0 and learned.source == "learned:hotel_room:hotel"


async def test_a_guest_who_keeps_nothing_of_hotels(hubs: Hubs) -> None:
    hubs.home.edit("ana", {"keep_hotel_learning": False})
    room = hubs.rooms[0]
    assert room.climate is not None
    await hubs.hotel.async_arrive(room.area_id, "ana", "home-ana")
    room.climate.set_by(
        hubs.hotel.hub.context(Origin.PHYSICAL, "ana"), "set_temperature", {"temperature": 23.0}
    )
    await hubs.hotel.async_depart(room.area_id)
    assert (ContextSet.TRAVEL, Activity.DAY, "temperature") not in hubs.home.profiles[
        "ana"
    ].preferences


async def test_undo_puts_back_what_was_there(hubs: Hubs) -> None:
    room = hubs.rooms[0]
    assert room.climate is not None and room.light is not None
    before = room.climate.setpoint
    await hubs.hotel.async_arrive(room.area_id, "ana", "home-ana")
    assert room.climate.setpoint != before
    app = await hubs.hotel.applier.async_undo(None, hubs.hotel.hub.context(Origin.APP, "ana"))
    assert app.status == "undone"
    assert room.climate.setpoint == before


async def test_at_suggest_level_nothing_changes_until_a_yes(hubs: Hubs) -> None:
    hubs.hotel.applier.level = "suggest"
    seen = []
    hubs.hotel.hub.bus.async_listen(EVENT_PROFILE_SUGGESTION, seen.append)
    room = hubs.rooms[0]
    assert room.climate is not None
    await hubs.hotel.async_arrive(room.area_id, "ana", "home-ana")
    await hubs.hotel.hub.async_block_till_done()
    assert room.climate.setpoint == 17.0 and len(seen) == 1
    await hubs.hotel.applier.async_accept(seen[0].data["action_id"])
    assert room.climate.setpoint == 21.5


async def test_the_car_eta_gets_the_home_ready(hubs: Hubs) -> None:
    climate = hubs.home_area.climate
    assert climate is not None
    climate.set_by(
        hubs.home.hub.context(Origin.AUTOMATION), "set_temperature", {"temperature": 16.5}
    )  # away
    await hubs.car.async_arrive(hubs.cabin.area_id, "ana", "home-ana")
    assert hubs.cabin.seat is not None and hubs.cabin.seat.level == 2.0  # travel set, shared
    eta = hubs.clock.timestamp() + 2 * HOUR
    assert await hubs.car.async_send_eta("home-ana", "ana", eta)
    await hubs.run_until(eta - 91 * 60)
    assert climate.setpoint == 16.5
    await hubs.run_until(eta - 89 * 60)
    assert climate.setpoint == 21.5  # 90 minutes ahead, the day's temperature
    # the car was given nothing it was not shared: no light, no media
    assert hubs.cabin.light is None


async def test_a_car_that_goes_offline_on_the_way(hubs: Hubs) -> None:
    cabin = hubs.cabin
    assert cabin.climate is not None
    await hubs.car.async_arrive(cabin.area_id, "ana", "home-ana")
    cabin.climate.set_by(
        hubs.car.hub.context(Origin.PHYSICAL, "ana"), "set_temperature", {"temperature": 24.0}
    )
    hubs.transport.online["home-ana"] = False  # out of reach
    sent = await hubs.car.async_send_eta("home-ana", "ana", hubs.clock.timestamp() + HOUR)
    assert not sent
    assert hubs.car.hub.health["spaces_peer_offline"] == 1
    result = await hubs.car.async_depart(cabin.area_id)
    assert not result["learned_sent"] and len(hubs.car.outbox) == 1  # kept, not lost
    # the home works on without the ETA: she arrives and gets her profile then
    await hubs.home.async_arrive(hubs.home_area.area_id, "ana")
    assert hubs.home_area.climate is not None and hubs.home_area.climate.setpoint == 21.5
    hubs.transport.online["home-ana"] = True
    assert await hubs.car.async_flush_outbox() == 1
    travel = hubs.home.profiles["ana"].preferences[(ContextSet.TRAVEL, Activity.DAY, "temperature")]
    assert travel.value == 24.0


async def test_deleting_a_profile_reaches_every_space(hubs: Hubs) -> None:
    room = hubs.rooms[0]
    await hubs.hotel.async_arrive(room.area_id, "ana", "home-ana")
    await hubs.car.async_arrive(hubs.cabin.area_id, "ana", "home-ana")
    assert hubs.home.export("ana")["shared_with"] == [
        {"peer": "car-ana", "kind": "vehicle"},
        {"peer": "hotel", "kind": "hotel_room"},
    ]
    result = await hubs.home.async_delete_profile("ana")
    assert result["reached"] == ["car-ana", "hotel"] and not result["pending"]
    assert room.area_id not in hubs.hotel.stays and not hubs.hotel.applier.applications
    assert hubs.cabin.area_id not in hubs.car.stays
    with pytest.raises(SpacesError):
        hubs.home.export("ana")
    # a space asking for her now gets nothing: defaults
    stay = await hubs.hotel.async_arrive(hubs.rooms[1].area_id, "ana", "home-ana")
    assert stay.view is None


async def test_an_unpaired_hub_cannot_send(hubs: Hubs) -> None:
    with pytest.raises(ExchangeError, match="unknown hub"):
        await hubs.hotel.async_receive(
            {
                "format": "hearthmind.spaces",
                "version": 1,
                "issuer": "stranger",
                "type": "eta",
                "audience": "hotel",
                "body": {},
                "signature": "00",
            }
        )
    assert hubs.hotel.hub.health["spaces_unknown_peer"] == 1


async def test_a_hotel_in_another_time_zone_keeps_its_own_clock(hubs: Hubs) -> None:
    hubs.hotel.hub.registries.spaces["hotel"].time_zone = "Asia/Tokyo"  # UTC+9
    room = hubs.rooms[0]
    assert room.climate is not None
    # the fixture's clock is at 12:00 UTC: 21:00 in Tokyo
    await hubs.hotel.async_arrive(room.area_id, "ana", "home-ana")
    app = next(iter(hubs.hotel.applier.applications.values()))
    assert app.activity == "evening" and room.climate.setpoint == 22.5
    # what she chooses there is learned for the activity on that clock
    room.climate.set_by(
        hubs.hotel.hub.context(Origin.PHYSICAL, "ana"), "set_temperature", {"temperature": 23.0}
    )
    await hubs.hotel.async_depart(room.area_id)
    prefs = hubs.home.profiles["ana"].preferences
    assert prefs[(ContextSet.TRAVEL, Activity.EVENING, "temperature")].value == 23.0


async def test_nobody_comes_and_the_home_goes_back_to_away(hubs: Hubs) -> None:
    climate = hubs.home_area.climate
    assert climate is not None
    climate.set_by(
        hubs.home.hub.context(Origin.AUTOMATION), "set_temperature", {"temperature": 16.5}
    )  # away
    eta = hubs.clock.timestamp() + 2 * HOUR
    await hubs.home.async_expect(hubs.home_area.area_id, "ana", None, eta)
    await hubs.run_until(eta)
    assert climate.setpoint == 21.5
    await hubs.run_until(eta + 2 * HOUR + 60)
    assert climate.setpoint == 16.5  # put back: nobody came
    assert hubs.home_area.area_id not in hubs.home.stays
    assert hubs.home.hub.health["spaces_no_shows"] == 1
    assert hubs.home.applier.ladder.level("ana", "home") == "act"  # not her revert
