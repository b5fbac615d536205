"""Lights left on in an empty room (agent/left_on.py), on a real hub (simulated clock, SQLite
recorder, the agent): when the area's motion sensors have all gone off, a light still on
there is proposed off as a routine of its own. It starts by watching (nobody back within the
undo window is a came-true), then asks; a yes switches it off with an agent Context; enough
evidence climbs it to act, where the next one is switched off without a question; a person
coming back and switching it on again within the undo window is a revert. An area without a
motion sensor where the people's rooms are not known, a sensor of another class, a light
already off, a second sensor still seeing someone, a person whose room is that area: nothing
is proposed. The people's rooms (a room-presence sensor's report on their person entity) tell
an area without a motion sensor empty, and every area when the last one leaves home."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from hearthmind.agent.left_on import routine_key
from hearthmind.core import Area, Origin

from .home import Home, start_home

pytestmark = pytest.mark.timeout(120)

KITCHEN_MOTION = "binary_sensor.kitchen_motion"
KITCHEN_DOOR = "binary_sensor.kitchen_door"
KEY = routine_key("light.kitchen")


async def kitchen(tmp_path: Path, config: str | None = None) -> Home:
    home = await start_home(tmp_path) if config is None else await start_home(tmp_path, config)
    hub = home.hub
    hub.registries.add_area(Area("kitchen", "Kitchen"))
    hub.registries.add_area(Area("hall", "Hall"))
    for entity_id, area in (
        ("light.kitchen", "kitchen"),
        (KITCHEN_MOTION, "kitchen"),
        (KITCHEN_DOOR, "kitchen"),
        ("light.hall", "hall"),
    ):
        hub.registries.set_entity_area(entity_id, area)
    sensor = hub.context(Origin.SENSOR)
    hub.states.async_set(
        KITCHEN_MOTION, "off", {"device_class": "motion", "friendly_name": "Kitchen motion"}, sensor
    )
    hub.states.async_set(
        KITCHEN_DOOR, "off", {"device_class": "door", "friendly_name": "Kitchen door"}, sensor
    )
    return home


async def visit(home: Home, day: int, hour: float, *, switch_off: bool = False) -> None:
    """Ana comes into the kitchen, switches the light on, leaves it on (or not); the motion
    sensor holds two minutes after she has gone."""
    when = home.at(day, hour)
    await home.run_until(when)
    home.sensor(KITCHEN_MOTION, "on")
    if home.state("light.kitchen") != "on":
        home.person("light.kitchen", "on")
    await home.run_until(when + timedelta(minutes=10))
    if switch_off:
        home.person("light.kitchen", "off")
    await home.run_until(when + timedelta(minutes=12))
    home.sensor(KITCHEN_MOTION, "off")
    await home.run_until(when + timedelta(minutes=13))


def motion(home: Home, value: str) -> None:
    attrs = {"device_class": "motion", "friendly_name": "Kitchen motion"}
    home.hub.states.async_set(KITCHEN_MOTION, value, attrs, home.hub.context(Origin.SENSOR))


def move(home: Home, room: str | None, who: str = "person.ana") -> None:
    """A room-presence sensor's report: where the person is (None: away from home)."""
    state = home.hub.states.get(who)
    assert state is not None
    attrs = {**state.attributes, "room": room}
    presence = "home" if room is not None else "not_home"
    home.hub.states.async_set(who, presence, attrs, home.hub.context(Origin.SENSOR))


def left_on_keys(home: Home) -> list[str]:
    return sorted(k for k in home.agent.units if k.startswith("left_on:"))


async def test_a_light_left_on_is_asked_about_then_switched_off_once_trusted(
    tmp_path: Path,
) -> None:
    home = await kitchen(tmp_path)
    home.sensor = lambda entity_id, value: motion(home, value)  # type: ignore[method-assign]
    try:
        agent = home.agent
        days = 0
        while (days == 0 or agent.unit(KEY).level != "act") and days < 8:
            await home.run_until(home.at(days, 9))  # the last occasion judged: nobody came back
            await visit(home, days, 10)
            asked = [e for e in home.said("agent_suggestion") if e.data["routine_id"] == KEY]
            if asked and asked[-1].time_fired >= home.at(days, 10).timestamp():
                assert "nobody has moved in the Kitchen" in asked[-1].data["explanation"]
                await agent.async_answer(
                    asked[-1].data["suggestion_id"], "yes", home.hub.context(Origin.APP, "ana")
                )
                assert home.state("light.kitchen") == "off", "a yes switches it off"
            days += 1
        assert agent.unit(KEY).level == "act", f"after {days} days"
        asked = [e for e in home.said("agent_suggestion") if e.data["routine_id"] == KEY]
        assert asked[0].time_fired < home.at(0, 11).timestamp(), "asked the first time"
        questions = len(home.said("agent_suggestion"))
        await visit(home, days, 10)
        assert home.state("light.kitchen") == "off"
        assert len(home.said("agent_suggestion")) == questions, "done without asking"
        action = home.said("agent_action")[-1]
        assert action.data["routine_id"] == KEY
        assert action.context.origin is Origin.AGENT
        # Ana comes back at once and switches it on again: a revert, and it falls
        await home.run_until(home.at(days, 10) + timedelta(minutes=14))
        home.person("light.kitchen", "on")
        await home.run_until(home.at(days, 11))
        assert agent.unit(KEY).level != "act"
    finally:
        await home.hub.async_stop()


async def test_nothing_is_proposed_where_emptiness_is_not_sensed(tmp_path: Path) -> None:
    home = await kitchen(tmp_path)
    try:
        sensor = home.hub.context(Origin.SENSOR)
        door = {"device_class": "door", "friendly_name": "Kitchen door"}
        # the light is off: nothing left on
        motion(home, "on")
        motion(home, "off")
        # a door sensor is not a motion sensor
        home.person("light.kitchen", "on")
        home.hub.states.async_set(KITCHEN_DOOR, "on", door, sensor)
        home.hub.states.async_set(KITCHEN_DOOR, "off", door, sensor)
        # the hall has no motion sensor of its own and Ana's room is not known: not judged
        home.person("light.hall", "on")
        # a second motion sensor in the kitchen still sees someone
        second = "binary_sensor.kitchen_motion_2"
        home.hub.registries.set_entity_area(second, "kitchen")
        attrs = {"device_class": "occupancy", "friendly_name": "Kitchen presence"}
        home.hub.states.async_set(second, "on", attrs, sensor)
        motion(home, "on")
        motion(home, "off")
        await home.run_until(home.at(0, 1))
        assert not any(k.startswith("left_on:") for k in home.agent.units)
        # the second one goes off too: now the kitchen is empty
        home.hub.states.async_set(second, "off", attrs, sensor)
        await home.run_until(home.at(0, 2))
        assert [k for k in home.agent.units if k.startswith("left_on:")] == [KEY]
    finally:
        await home.hub.async_stop()


async def test_the_switch_turns_it_off(tmp_path: Path) -> None:
    home = await start_home(tmp_path, config=_config_without_left_on())
    try:
        hub = home.hub
        hub.registries.add_area(Area("kitchen", "Kitchen"))
        hub.registries.set_entity_area("light.kitchen", "kitchen")
        hub.registries.set_entity_area(KITCHEN_MOTION, "kitchen")
        home.person("light.kitchen", "on")
        motion(home, "on")
        motion(home, "off")
        await home.run_until(home.at(0, 1))
        assert not any(k.startswith("left_on:") for k in home.agent.units)
    finally:
        await home.hub.async_stop()


def _config_without_left_on() -> str:
    from .home import CONFIG

    return CONFIG.replace("agent:\n", "agent:\n  left_on: false\n")


async def test_while_it_only_observes_nobody_coming_back_is_evidence(tmp_path: Path) -> None:
    """After a no it observes: a kitchen that stays empty is a came-true (switching the light
    off would have stood); someone back within the undo window is a not-true."""
    home = await kitchen(tmp_path)
    home.sensor = lambda entity_id, value: motion(home, value)  # type: ignore[method-assign]
    try:
        await visit(home, 5, 10)
        asked = home.said("agent_suggestion")[-1]
        await home.agent.async_answer(
            asked.data["suggestion_id"], "no", home.hub.context(Origin.APP, "ana")
        )
        assert home.agent.unit(KEY).level == "observe"
        home.events.clear()
        await visit(home, 6, 10)  # left on, nobody comes back
        await home.run_until(home.at(6, 11))
        await visit(home, 7, 10)  # left on, Ana back three minutes later
        await home.run_until(home.at(7, 10) + timedelta(minutes=15))
        motion(home, "on")
        await home.run_until(home.at(7, 11))
        kinds = [e.data["kind"] for e in home.said("agent_feedback") if e.data["routine_id"] == KEY]
        assert kinds == ["came_true", "not_true"]
        assert home.said("agent_action") == [] and home.said("agent_suggestion") == []
    finally:
        await home.hub.async_stop()


async def test_one_persons_never_is_theirs_not_the_households(tmp_path: Path) -> None:
    """A light left on is nobody's in particular: Ana's "never" stops her being asked, and Ben
    is asked next time; once everyone has said never, the routine is forbidden."""
    from hearthmind.core import Person

    home = await kitchen(tmp_path)
    home.hub.add_person(Person("ben", "Ben", user_id="ben"), presence="home")
    move(home, "hall")  # both in the hall: the kitchen is empty
    move(home, "hall", "person.ben")
    home.sensor = lambda entity_id, value: motion(home, value)  # type: ignore[method-assign]
    try:
        agent = home.agent
        asked_people = []
        for day, who in ((0, "ana"), (1, "ben")):
            await visit(home, day, 10)
            asked = home.said("agent_suggestion")[-1]
            asked_people.append(asked.data["person"])
            await agent.async_answer(
                asked.data["suggestion_id"], "never", home.hub.context(Origin.APP, who)
            )
            if who == "ana":
                assert agent.unit(KEY).level != "off" and agent.unit(KEY).refused_by == {"ana"}
        assert asked_people == ["ana", "ben"]
        assert agent.unit(KEY).level == "off"
    finally:
        await home.hub.async_stop()


async def test_an_occasion_not_asked_in_quiet_hours_is_judged_by_its_shadow(
    tmp_path: Path,
) -> None:
    """No questions in quiet hours: the light stays on, and the occasion is evidence all the
    same (nobody came back: a came-true), as a learned routine's held-back moments are."""
    from .home import CONFIG

    quiet = CONFIG.replace("quiet_hours: null", 'quiet_hours: {start: "22:00", end: "07:00"}')
    home = await kitchen(tmp_path, quiet)
    home.sensor = lambda entity_id, value: motion(home, value)  # type: ignore[method-assign]
    try:
        await visit(home, 0, 23)
        await home.run_until(home.at(1, 1))
        assert home.said("agent_suggestion") == [] and home.state("light.kitchen") == "on"
        kinds = [e.data["kind"] for e in home.said("agent_feedback") if e.data["routine_id"] == KEY]
        assert kinds == ["came_true"]
    finally:
        await home.hub.async_stop()


async def test_a_room_without_a_motion_sensor_is_empty_once_everyone_is_elsewhere(
    tmp_path: Path,
) -> None:
    """The hall has no motion sensor: the people's rooms tell. Ana leaving it while Ben is
    still there proposes nothing; Ben leaving too does; a person whose room the hub does not
    know keeps it undecided."""
    from hearthmind.core import Person

    home = await kitchen(tmp_path)
    home.hub.add_person(Person("ben", "Ben", user_id="ben"), presence="home")
    try:
        move(home, "hall")
        move(home, "hall", "person.ben")
        home.person("light.hall", "on")
        move(home, "kitchen")  # Ana leaves; Ben is still in the hall
        await home.run_until(home.at(0, 1))
        assert left_on_keys(home) == []
        move(home, "kitchen", "person.ben")  # the hall is empty now
        await home.run_until(home.at(0, 1) + timedelta(minutes=1))
        assert left_on_keys(home) == [routine_key("light.hall")]
        asked = home.said("agent_suggestion")[-1]
        assert asked.data["entity_id"] == "light.hall"

        # a third person at home whose room the hub does not know: the hall is not judged
        await home.agent.async_answer(
            asked.data["suggestion_id"], "yes", home.hub.context(Origin.APP, "ana")
        )
        await home.run_until(home.at(0, 3))
        assert home.state("light.hall") == "off"
        home.hub.add_person(Person("cy", "Cy", user_id="cy"), presence="home")
        move(home, "hall")
        home.person("light.hall", "on")
        home.events.clear()
        move(home, "kitchen")
        await home.run_until(home.at(0, 4))
        assert home.said("agent_suggestion") == [] and home.state("light.hall") == "on"
    finally:
        await home.hub.async_stop()


async def test_someone_sitting_still_keeps_the_room_in_use(tmp_path: Path) -> None:
    """The kitchen's motion sensor goes off while Ana sits there (her room says kitchen):
    nothing is proposed; when she has left and the sensor goes off, the light is."""
    home = await kitchen(tmp_path)
    try:
        move(home, "kitchen")
        motion(home, "on")
        home.person("light.kitchen", "on")
        motion(home, "off")  # she sits still
        await home.run_until(home.at(0, 1))
        assert left_on_keys(home) == []
        motion(home, "on")
        move(home, "hall")  # she leaves: the sensor still holds
        await home.run_until(home.at(0, 2))
        assert left_on_keys(home) == []
        motion(home, "off")
        await home.run_until(home.at(0, 3))
        assert left_on_keys(home) == [KEY]
    finally:
        await home.hub.async_stop()


async def test_the_last_one_out_leaves_every_room_empty(tmp_path: Path) -> None:
    """Ana leaves home from the hall, where she switched the light on, and the kitchen light
    is on under a motion sensor that still holds: every room is judged as she goes; the hall
    is empty (nobody home), the kitchen not until its sensor goes off."""
    home = await kitchen(tmp_path)
    try:
        move(home, "hall")
        home.person("light.hall", "on")
        home.person("light.kitchen", "on")
        motion(home, "on")
        await home.run_until(home.at(0, 1))
        assert left_on_keys(home) == []
        move(home, None)
        await home.run_until(home.at(0, 1) + timedelta(minutes=1))
        assert left_on_keys(home) == [routine_key("light.hall")]
        motion(home, "off")
        await home.run_until(home.at(0, 1) + timedelta(minutes=2))
        assert left_on_keys(home) == [routine_key("light.hall"), KEY]
    finally:
        await home.hub.async_stop()


async def test_someone_else_coming_in_is_a_use_of_their_own_not_a_revert(
    tmp_path: Path,
) -> None:
    """At act, the hub switches off the hall light Ana left on. Ben comes in and switches it
    on within the undo window: his own use, and the switch-off was kept. Ana comes back
    within the window the next time and switches it on: that was too early, a revert."""
    from hearthmind.core import Person

    home = await kitchen(tmp_path)
    home.hub.add_person(Person("ben", "Ben", user_id="ben"), presence="home")
    hall = routine_key("light.hall")
    try:
        agent = home.agent
        for day, back in ((0, "person.ben"), (1, "person.ana")):
            start = home.at(day, 1)
            await home.run_until(start)
            if day == 0:  # the routine exists once proposed; Ana sets it to act
                move(home, "kitchen", "person.ben")
                move(home, "hall")
                home.person("light.hall", "on")
                move(home, "kitchen")
                start += timedelta(minutes=30)
                await home.run_until(start)
                agent.set_level(hall, "act", "ana")
            move(home, "kitchen", "person.ben")
            move(home, "hall")
            home.person("light.hall", "on")
            move(home, "kitchen")  # Ana leaves the hall light on
            await home.run_until(start + timedelta(minutes=1))
            assert home.state("light.hall") == "off", "switched off at act"
            move(home, "hall", back)  # within the undo window
            home.person("light.hall", "on", user=back.partition(".")[2])
            await home.run_until(start + timedelta(minutes=15))
            kinds = [e.data["kind"] for e in home.said("agent_feedback")]
            if day == 0:
                assert kinds[-1] == "kept" and "revert" not in kinds
                assert agent.unit(hall).level == "act"
            else:
                assert kinds[-1] == "revert"
                assert agent.unit(hall).level != "act"
    finally:
        await home.hub.async_stop()
