"""More everyday words (issue 25's blind set): "bolt" the door, "shut off the water" (the main
valve), pause and play the TV, send the vacuum "back to its base", "it's dark in here", "get
some air moving", "would you mind ...", two requests in one sentence (the allowed part done,
the safety part refused, both said), and questions that are no command: the temperature
outside, whether the washing machine is still running, "ok, leave it then"."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from hearthmind.voice.intents import GrammarIntentRecognizer

from .conversing import HOME, Talk, make_talk

TV = "media_player.television"
OUTDOORS = {
    **HOME,
    "entities": [
        *HOME["entities"],
        {
            "name": "Outdoor Temperature",
            "id": "sensor.outdoor_temperature",
            "state": "4.5",
            "attributes": {"device_class": "temperature", "unit_of_measurement": "°C"},
        },
        {
            "name": "Washer",
            "id": "binary_sensor.washer",
            "state": "on",
            "attributes": {"device_class": "running"},
        },
    ],
}


@pytest.fixture
async def outdoors(recognizer: GrammarIntentRecognizer) -> AsyncIterator[Talk]:
    found = make_talk(recognizer, OUTDOORS)
    yield found
    found.talk.pipeline.close()


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("Bolt the front door", [("lock.lock", "lock.front_door")]),
        ("shut off the water", [("valve.close_valve", "valve.main_valve")]),
        ("turn the water off", [("valve.close_valve", "valve.main_valve")]),
        ("pause the television", [("media_player.media_pause", TV)]),
        ("Hold on, pause the TV for a sec", [("media_player.media_pause", TV)]),
        ("play the telly", [("media_player.media_play", TV)]),
        ("send Robbie back to its base", [("vacuum.return_to_base", "vacuum.robbie")]),
        ("it's dark in here", [("light.turn_on", "light.reading"),
                               ("light.turn_on", "light.sofa_lamp")]),
        ("it's pitch black in the kitchen", [("light.turn_on", "light.kitchen")]),
        ("It's stuffy and warm in here, get some air moving in the bedroom",
         [("fan.turn_on", "fan.bedroom")]),
        ("Would you mind closing the curtain in the bedroom?",
         [("cover.close_cover", "cover.bedroom_curtain")]),
        ("hey, mind running movie night for me?", [("script.turn_on", "script.movie_night")]),
    ],
)  # fmt: skip
async def test_everyday_words(talk: Talk, said: str, expected: list[tuple[str, str]]) -> None:
    turn = await talk.say(said)
    assert talk.made() == sorted(expected), turn.result.speech
    assert turn.result.answer.handled


async def test_turning_the_water_back_on_is_refused(talk: Talk) -> None:
    turn = await talk.say("turn the water back on")
    assert talk.made() == [] and "For safety" in turn.result.speech


async def test_two_requests_in_one_sentence(talk: Talk) -> None:
    """The allowed part is done and the safety part refused, and both are said."""
    turn = await talk.say("Open the garage door and turn on the kitchen light")
    assert talk.made() == [("light.turn_on", "light.kitchen")]
    speech = turn.result.speech
    assert "I don't open the Garage Door by voice alone" in speech
    assert "Turned on the Kitchen Light" in speech and turn.result.answer.handled
    await talk.say("turn off the desk lamp, then lock the front door")
    assert talk.made() == [("light.turn_off", "light.desk"), ("lock.lock", "lock.front_door")]
    # one verb for two devices is one request, as before
    await talk.say("turn on the kitchen light and the desk lamp")
    assert ("light.turn_on", "light.kitchen") in talk.made()


@pytest.mark.parametrize(
    ("said", "answer"),
    [
        ("How cold is it outside?", "It's 4.5 °C outside."),
        ("what's the temperature outside", "It's 4.5 °C outside."),
        ("Is the washing machine still running?", "Yes, the Washer is on."),
        ("ok, leave it then", "Okay."),
    ],
)
async def test_questions_and_acknowledgements(outdoors: Talk, said: str, answer: str) -> None:
    turn = await outdoors.say(said)
    assert outdoors.made() == [] and turn.result.answer.handled
    assert turn.result.speech == answer and not turn.asked


async def test_outside_without_a_sensor_is_no_device_question(talk: Talk) -> None:
    turn = await talk.say("How cold is it outside?")
    assert talk.made() == [] and not turn.asked
    assert turn.result.speech == "I don't have a reading from outside."


async def test_leave_it_after_a_question_does_nothing(talk: Talk) -> None:
    await talk.say("is the bedroom fan on?")
    turn = await talk.say("ok, leave it then")
    assert talk.made() == [] and turn.result.answer.handled and turn.result.speech == "Okay."


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("make sure the kitchen light is off", [("light.turn_off", "light.kitchen")]),
        ("start the robotic vacuum", [("vacuum.start", "vacuum.robbie")]),
        # every light of the room stepped down; the off one stays off (HA's step from 0)
        ("lower the lights in the room",
         [("light.turn_on", "light.reading"), ("light.turn_on", "light.sofa_lamp")]),
        ("turn down the brightness",  # no TV volume
         [("light.turn_on", "light.reading"), ("light.turn_on", "light.sofa_lamp")]),
        ("turn off the lights in the house",  # the home's, every one whatever its state
         [("light.turn_off", e) for e in ("light.bedside", "light.desk", "light.kitchen",
                                          "light.reading", "light.sofa_lamp")]),
    ],
)  # fmt: skip
async def test_more_everyday_words(talk: Talk, said: str, expected: list[tuple[str, str]]) -> None:
    turn = await talk.say(said)
    assert talk.made() == sorted(expected), turn.result.speech


@pytest.mark.parametrize(
    "said",
    ["start the vacuum in an hour", "turn on the kitchen light at 7 pm", "run movie night tonight"],
)
async def test_a_request_for_later_is_not_done_now(talk: Talk, said: str) -> None:
    turn = await talk.say(said)
    assert talk.made() == [] and "not at a set time" in turn.result.speech
