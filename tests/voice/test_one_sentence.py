"""What a sentence says of itself and of the turn before (issue 25's second blind set): a
remark before a request lends it no verb ("Movie time!", "Good night,"), a correction in the
same sentence replaces what came before it, one temperature said where two thermostats are
asks which, a follow-up keeps the last request's kind and takes its own value, and a device
named in full answers "which one?" even beyond the options."""

from __future__ import annotations

import pytest

from .conversing import Talk

SET = "climate.set_temperature"


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        (
            "Movie time! Turn on the TV and close the blinds in here",
            [("cover.close_cover", "cover.bay_window"),
             ("media_player.turn_on", "media_player.television")],
        ),
        (
            "Good night, lock the front door and turn off the kitchen light please",
            [("light.turn_off", "light.kitchen"), ("lock.lock", "lock.front_door")],
        ),
        ("Right then. Close the bay window", [("cover.close_cover", "cover.bay_window")]),
    ],
)  # fmt: skip
async def test_a_remark_before_the_request_lends_it_nothing(
    talk: Talk, said: str, expected: list[tuple[str, str]]
) -> None:
    done = await talk.say(said)
    assert talk.made() == expected, done.result.speech


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("Turn on the kitchen light, no wait, sorry, the desk lamp", ("light.turn_on", "light.desk")),
        ("turn the kitchen light off, I mean the kettle", ("switch.turn_off", "switch.kettle")),
        ("switch on the oven, actually the kettle", ("switch.turn_on", "switch.kettle")),
        ("open the bay window, no, close the garage door", ("cover.close_cover", "cover.garage_door")),
    ],
)  # fmt: skip
async def test_a_correction_replaces_what_came_before(
    talk: Talk, said: str, expected: tuple[str, str]
) -> None:
    done = await talk.say(said)
    assert talk.made() == [expected], done.result.speech


async def test_one_temperature_where_two_thermostats_are_asks_which(talk: Talk) -> None:
    asked = await talk.say("Can you set the temperature to 21?")
    assert asked.asked and talk.made() == []
    assert asked.result.speech == "Which one, the Thermostat or the Radiator?"
    await talk.say("the radiator")
    assert talk.made() == [(SET, "climate.radiator")]
    assert talk.state("climate.radiator").attributes["temperature"] == 21
    await talk.say("set the temperature to 20")
    await talk.say("both")
    assert talk.made() == [(SET, "climate.radiator"), (SET, "climate.thermostat")]


async def test_an_answer_naming_a_device_beyond_the_options(talk: Talk) -> None:
    await talk.say("set the temperature")
    await talk.say("the study heater, 18 degrees")
    assert talk.made() == [(SET, "climate.study")]


async def test_warmer_or_cooler_answered_with_a_temperature(talk: Talk) -> None:
    asked = await talk.say("I want to change the temperature")
    assert asked.asked and talk.made() == []
    await talk.say("the radiator, make it 22")
    assert talk.made() == [(SET, "climate.radiator")]
    assert talk.state("climate.radiator").attributes["temperature"] == 22


async def test_a_follow_up_keeps_the_kind_and_takes_its_value(talk: Talk) -> None:
    await talk.say("set the radiator to 18")
    assert talk.made() == [(SET, "climate.radiator")]
    await talk.say("and the study to 17")
    assert talk.made() == [(SET, "climate.study")]
    assert talk.state("climate.study").attributes["temperature"] == 17
    await talk.say("turn off the kitchen light")
    await talk.say("and the bedroom")
    talk.made()
    await talk.say("oh, and the study")
    assert talk.made() == [("light.turn_off", "light.desk")]


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("it's too dark in here", ["light.reading", "light.sofa_lamp"]),
        ("more light in here please", ["light.reading", "light.sofa_lamp"]),
        ("Can't see a thing in here, lights please", ["light.reading", "light.sofa_lamp"]),
        ("it's so gloomy in the living room", ["light.reading", "light.sofa_lamp"]),
        ("brighter in here", ["light.reading", "light.sofa_lamp"]),  # the dark one at the step
    ],
)
async def test_too_dark_switches_the_off_lights_on_too(
    talk: Talk, said: str, expected: list[str]
) -> None:
    done = await talk.say(said)
    assert talk.made() == [("light.turn_on", e) for e in expected], done.result.speech


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("Put the telly on pause", [("media_player.media_pause", "media_player.television")]),
        ("you can start the film again on the television",
         [("media_player.media_play", "media_player.television")]),
        ("get Robbie to clean up please", [("vacuum.start", "vacuum.robbie")]),
        ("the hoover's done, send it back to charge", [("vacuum.return_to_base", "vacuum.robbie")]),
        ("Shut off the main valve, there's a leak under the sink",
         [("valve.close_valve", "valve.main_valve")]),
    ],
)  # fmt: skip
async def test_everyday_phrases_say_what_they_ask(
    talk: Talk, said: str, expected: list[tuple[str, str]]
) -> None:
    done = await talk.say(said)
    assert talk.made() == expected, done.result.speech


async def test_did_i_leave_is_a_question(talk: Talk) -> None:
    done = await talk.say("Did I leave the front door unlocked?")
    assert done.result.answer.handled and talk.made() == []
    assert "locked" in done.result.speech
    helped = await talk.say("What are you able to help me with?")
    assert helped.result.answer.handled and talk.made() == []
