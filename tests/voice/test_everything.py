"""Everything and all: "turn everything off" (lights, switches, fans, players; never locks,
covers, valves or the heating), by room and by floor; "turn off the lights" is the speaker's
room, "all the lights" the home's."""

from __future__ import annotations

import pytest

from .conversing import Talk

HOME_OFF = [
    ("fan.turn_off", "fan.bedroom"),
    ("light.turn_off", "light.bedside"),
    ("light.turn_off", "light.desk"),
    ("light.turn_off", "light.kitchen"),
    ("light.turn_off", "light.reading"),
    ("light.turn_off", "light.sofa_lamp"),
    ("media_player.turn_off", "media_player.television"),
    ("switch.turn_off", "switch.kettle"),
    ("switch.turn_off", "switch.oven"),
]


@pytest.mark.parametrize(
    "said", ["turn everything off", "switch everything off", "could you turn it all off please"]
)
async def test_everything_off_in_the_home(talk: Talk, said: str) -> None:
    turn = await talk.say(said)
    assert talk.made() == HOME_OFF, turn.result.speech
    # nothing of a safety class, no blind and no heating is touched
    assert talk.state("lock.front_door").state == "locked"
    assert talk.state("valve.main_valve").state == "open"
    assert talk.state("cover.bedroom_curtain").state == "open"
    assert talk.state("climate.thermostat").state == "heat"
    assert turn.result.speech.startswith("Turned off everything: 5 lights, 2 switches,")
    assert turn.result.speech.endswith("Say 'undo' to turn them back on.")


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("turn off everything in the kitchen", ["light.kitchen", "switch.kettle", "switch.oven"]),
        ("everything off in here", ["light.reading", "light.sofa_lamp", "media_player.television"]),
        ("everything off upstairs", ["fan.bedroom", "light.bedside", "light.desk"]),
        (
            "turn everything off on the ground floor",
            [
                "light.kitchen",
                "light.reading",
                "light.sofa_lamp",
                "media_player.television",
                "switch.kettle",
                "switch.oven",
            ],
        ),
        (
            "everything off downstairs",
            [
                "light.kitchen",
                "light.reading",
                "light.sofa_lamp",
                "media_player.television",
                "switch.kettle",
                "switch.oven",
            ],
        ),
    ],
)
async def test_everything_off_in_a_room_or_on_a_floor(
    talk: Talk, said: str, expected: list[str]
) -> None:
    turn = await talk.say(said)
    assert [e for _, e in talk.made()] == sorted(expected), turn.result.speech


async def test_nothing_to_turn_off_there(talk: Talk) -> None:
    turn = await talk.say("turn everything off in the hall")
    assert talk.made() == [] and turn.result.answer.handled
    assert "nothing in the Hall" in turn.result.speech


async def test_everything_on_is_not_done_at_once(talk: Talk) -> None:
    turn = await talk.say("turn everything on")
    assert talk.made() == [] and "don't turn everything on" in turn.result.speech


async def test_the_lights_are_the_speakers_room_all_the_lights_the_homes(talk: Talk) -> None:
    await talk.say("turn off the lights")
    assert talk.made() == [
        ("light.turn_off", "light.reading"),
        ("light.turn_off", "light.sofa_lamp"),
    ]
    await talk.say("turn off all the lights")
    assert [e for _, e in talk.made()] == [
        "light.bedside", "light.desk", "light.kitchen", "light.reading", "light.sofa_lamp",
    ]  # fmt: skip
    await talk.say("kill all the lights")
    assert len(talk.made()) == 5
    await talk.say("turn on all the lights in the kitchen")  # a room said: that room
    assert talk.made() == [("light.turn_on", "light.kitchen")]


async def test_lights_on_a_floor(talk: Talk) -> None:
    await talk.say("turn off the lights upstairs")
    assert talk.made() == [("light.turn_off", "light.bedside"), ("light.turn_off", "light.desk")]


async def test_and_the_bedroom_after_everything_off(talk: Talk) -> None:
    await talk.say("everything off in the kitchen")
    talk.made()
    await talk.say("and the bedroom?")
    assert talk.made() == [("fan.turn_off", "fan.bedroom"), ("light.turn_off", "light.bedside")]
