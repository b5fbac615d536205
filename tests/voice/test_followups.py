"""Turns that lean on the one before (issue 25's blind set): a request with no device asks
"Which device?" and the next turn finishes it; a question's device is what "it" means next;
"that", "them both", "carry on"; the last request redone elsewhere ("the reading light too",
"same for the kitchen", "and the bedroom one"), of the same kind and never wider; a
temperature to set asked for, and a place as the answer to "which one?"."""

from __future__ import annotations

import pytest

from hearthmind.core import Origin
from hearthmind.voice.conversation import ASK_WHICH

from .conversing import Talk

SET = "climate.set_temperature"
TV = "media_player.television"


@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [
        ("Turn on", "the desk lamp", ("light.turn_on", "light.desk")),
        ("open", "the bedroom curtain", ("cover.open_cover", "cover.bedroom_curtain")),
        ("Close", "the bay window", ("cover.close_cover", "cover.bay_window")),
        ("turn off", "the kettle", ("switch.turn_off", "switch.kettle")),
        ("Switch off", "the bedroom fan", ("fan.turn_off", "fan.bedroom")),
        ("could you turn on", "the reading light please", ("light.turn_on", "light.reading")),
        ("turn something on", "the kitchen light", ("light.turn_on", "light.kitchen")),
    ],
)
async def test_a_request_without_its_device_asks_which(
    talk: Talk, first: str, second: str, expected: tuple[str, str]
) -> None:
    asked = await talk.say(first)
    assert asked.asked and asked.result.speech == ASK_WHICH and talk.made() == []
    done = await talk.say(second)
    assert talk.made() == [expected], done.result.speech


async def test_a_temperature_to_set_is_asked_for(talk: Talk) -> None:
    asked = await talk.say("Set the study heater")
    assert asked.asked and talk.made() == []
    assert asked.result.speech == "What temperature should I set the Study Heater to?"
    await talk.say("19 degrees")
    assert talk.made() == [(SET, "climate.study")]
    assert talk.state("climate.study").attributes["temperature"] == 19
    # two in the room: which one first, and the answer may bring the value with it
    asked = await talk.say("set the temperature")
    assert asked.result.speech == "Which one, the Thermostat or the Radiator?"
    await talk.say("the radiator, 20 degrees")
    assert talk.made() == [(SET, "climate.radiator")]
    assert talk.state("climate.radiator").attributes["temperature"] == 20


async def test_a_place_answers_which_one(talk: Talk) -> None:
    asked = await talk.say("turn the heating up")
    assert asked.asked and talk.made() == []
    await talk.say("in the study")
    assert talk.made() == [(SET, "climate.study")]


async def test_it_after_a_question_is_what_was_asked_about(talk: Talk) -> None:
    ctx = talk.hub.context(Origin.SENSOR)
    talk.hub.states.async_set("lock.front_door", "unlocked", {"friendly_name": "Front Door"}, ctx)
    asked = await talk.say("is the front door locked?")
    assert asked.result.answer.handled and talk.made() == []
    await talk.say("lock it then")
    assert talk.made() == [("lock.lock", "lock.front_door")]
    setting = await talk.say("What's the radiator set to?")
    assert setting.result.speech == "The Radiator is set to 19 degrees." and talk.made() == []
    await talk.say("set it to 21")
    assert talk.made() == [(SET, "climate.radiator")]


async def test_that_them_both_and_carry_on(talk: Talk) -> None:
    await talk.say("turn on the kettle")
    await talk.say("turn that off now")
    assert talk.made() == [
        ("switch.turn_off", "switch.kettle"),
        ("switch.turn_on", "switch.kettle"),
    ]
    await talk.say("turn on the reading light")
    await talk.say("and the bedside lamp")
    await talk.say("ok, turn them both off")
    assert talk.made() == [
        ("light.turn_off", "light.bedside"),
        ("light.turn_off", "light.reading"),
        ("light.turn_on", "light.bedside"),
        ("light.turn_on", "light.reading"),
    ]
    await talk.say("Hold on, pause the television for a sec")
    await talk.say("ok, you can carry on")
    assert talk.made() == [("media_player.media_pause", TV), ("media_player.media_play", TV)]
    await talk.say("pause the telly")
    await talk.say("play it again")
    assert talk.made() == [("media_player.media_pause", TV), ("media_player.media_play", TV)]


@pytest.mark.parametrize(
    ("first", "then", "expected"),
    [
        ("turn on the sofa lamp", "the reading light too", ("light.turn_on", "light.reading")),
        ("turn on the desk lamp", "same for the kitchen", ("light.turn_on", "light.kitchen")),
        ("dim the sofa lamp", "the reading light as well", ("light.turn_on", "light.reading")),
        ("turn off the desk lamp", "and the bedroom one", ("light.turn_off", "light.bedside")),
        ("close the bay window", "and the one in the bedroom", ("cover.close_cover",
                                                                 "cover.bedroom_curtain")),
    ],
)  # fmt: skip
async def test_the_last_request_elsewhere(
    talk: Talk, first: str, then: str, expected: tuple[str, str]
) -> None:
    await talk.say(first)
    talk.made()
    turn = await talk.say(then)
    assert talk.made() == [expected], turn.result.speech


async def test_elsewhere_keeps_the_kind_and_never_widens(talk: Talk) -> None:
    """After the kettle (a switch), "the bedroom one" is a switch of the bedroom, which has
    none: said so, and the Bedroom Fan and lamp are left alone."""
    await talk.say("turn off the kettle")
    talk.made()
    turn = await talk.say("and the bedroom one")
    assert talk.made() == [] and "no switch in the Bedroom" in turn.result.speech
    await talk.say("turn on the kitchen light")
    talk.made()
    asked = await talk.say("and the one in the living room")  # two lights there: which one?
    assert asked.asked and talk.made() == []
    await talk.say("the sofa lamp")
    assert talk.made() == [("light.turn_on", "light.sofa_lamp")]


async def test_a_device_pointed_at_with_nothing_to_redo_does_nothing(talk: Talk) -> None:
    """ "The study one" alone: the grammar would read "study 1" as a brightness of 1 %."""
    turn = await talk.say("the study one")
    assert talk.made() == [] and turn.result.speech == ASK_WHICH


async def test_a_follow_up_to_a_place_the_home_lacks_is_said(talk: Talk) -> None:
    await talk.say("turn on the kitchen light")
    talk.made()
    turn = await talk.say("and the pantry")
    assert (
        talk.made() == [] and turn.result.speech == "I don't know a room or device called pantry."
    )
