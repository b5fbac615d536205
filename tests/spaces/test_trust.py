"""The agent's ladder for a person's profile in a kind of space: a pull-back right after an
application is a revert and it falls to suggest; accepted suggestions bring it back to act;
a declined one changes nothing in the room; the space's own level is the ceiling."""

from __future__ import annotations

from hearthmind.core import Origin

from .conftest import Hubs


async def test_a_pull_back_makes_it_ask_and_yes_twice_makes_it_act_again(hubs: Hubs) -> None:
    hotel, room = hubs.hotel, hubs.rooms[0]
    assert room.climate is not None
    await hotel.async_arrive(room.area_id, "ana", "home-ana")  # 17 -> 21.5 (her day)
    assert room.climate.setpoint == 21.5
    # a small correction away from where it was is not a revert
    room.climate.set_by(
        hotel.hub.context(Origin.PHYSICAL, "ana"), "set_temperature", {"temperature": 22.0}
    )
    assert hotel.applier.ladder.level("ana", "hotel_room") == "act"
    await hotel.async_depart(room.area_id)
    room = hubs.rooms[2]
    assert room.climate is not None
    await hotel.async_arrive(room.area_id, "ana", "home-ana")
    # pulled back towards what the room had: a revert; the hotel now asks her first
    room.climate.set_by(
        hotel.hub.context(Origin.PHYSICAL, "ana"), "set_temperature", {"temperature": 18.0}
    )
    assert hotel.hub.health["spaces_reverts"] == 1
    assert hotel.applier.ladder.level("ana", "hotel_room") == "suggest"
    # while she stays, each change of activity asks first; two yeses and it acts again
    stay = hotel.stays[room.area_id]
    for hour in (18.0, 22.5):
        at = hubs.clock.timestamp() - hubs.clock.timestamp() % 86400 + hour * 3600 + 60
        await hubs.run_until(at)
        app = hotel.applier.applications[stay.applications[-1]]
        assert app.status == "suggested" and app.activity in ("evening", "sleep")
        before = room.climate.setpoint
        await hotel.applier.async_accept(app.action_id)
        assert room.climate.setpoint != before
    assert hotel.applier.ladder.level("ana", "hotel_room") == "act"
    await hubs.run_until(hubs.clock.timestamp() + 9 * 3600)  # 07:00
    assert hotel.applier.applications[stay.applications[-1]].status == "applied"


async def test_a_declined_suggestion_and_her_own_undo(hubs: Hubs) -> None:
    hotel, room = hubs.hotel, hubs.rooms[0]
    assert room.climate is not None
    await hotel.async_arrive(room.area_id, "ana", "home-ana")
    await hotel.applier.async_undo(None, hotel.hub.context(Origin.APP, "ana"))
    assert hotel.applier.ladder.level("ana", "hotel_room") == "suggest"
    hotel.stays.pop(room.area_id)
    stay = await hotel.async_arrive(room.area_id, "ana", "home-ana")
    app = hotel.applier.decline(stay.applications[-1])
    assert app.status == "declined" and room.climate.setpoint == 17.0
    assert hotel.hub.health["spaces_declined"] == 1


async def test_the_space_level_is_the_ceiling_and_a_visited_hub_forgets_the_standing(
    hubs: Hubs,
) -> None:
    hotel = hubs.hotel
    hotel.applier.level = "observe"
    stay = await hotel.async_arrive(hubs.rooms[0].area_id, "ana", "home-ana")
    assert hotel.applier.applications[stay.applications[-1]].status == "noted"
    await hotel.async_depart(hubs.rooms[0].area_id)
    assert hotel.applier.ladder.standing == {}
