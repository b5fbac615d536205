"""A remark that a device is (still, left) on asks for it off, never on: the state word in
"X is on", "left X on", "X's still on" is no verb (issue 25, the held-out set's wrong calls);
a follow-up naming its own device acts on that device; a second request joined by "and"
takes its own particle ("... turn that off, and the bedroom fan on")."""

from __future__ import annotations

import copy

import pytest

from hearthmind.voice.intents import GrammarIntentRecognizer

from .conversing import HOME, Talk, make_talk


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("Someone left the kitchen light on again", [("light.turn_off", "light.kitchen")]),
        ("Nobody's in the study but the light's still on", [("light.turn_off", "light.desk")]),
        ("the TV is still on and no one's watching",
         [("media_player.turn_off", "media_player.television")]),
        ("The kettle was left on", [("switch.turn_off", "switch.kettle")]),
        ("the sofa lamp is on", [("light.turn_off", "light.sofa_lamp")]),
    ],
)  # fmt: skip
async def test_a_device_left_on_is_turned_off(
    talk: Talk, said: str, expected: list[tuple[str, str]]
) -> None:
    done = await talk.say(said)
    assert talk.made() == expected, done.result.speech


@pytest.mark.parametrize(
    "said",
    ["the reading light is still on", "you left the bedside lamp on", "the oven's on again"],
)
async def test_a_remark_never_turns_on(talk: Talk, said: str) -> None:
    await talk.say(said)
    assert all(not service.endswith("turn_on") for service, _ in talk.made())


async def test_the_state_word_beside_a_request_is_no_verb(talk: Talk) -> None:
    done = await talk.say("the TV's on, turn it down")
    assert talk.made() == [("media_player.volume_set", "media_player.television")]
    assert "down" in done.result.speech
    asked = await talk.say("is the sofa lamp still on?")
    assert talk.made() == [] and "on" in asked.result.speech
    await talk.say("leave the reading light on")
    assert talk.made() == [("light.turn_on", "light.reading")]


async def test_a_follow_up_naming_its_own_device_acts_on_it(talk: Talk) -> None:
    await talk.say("Turn on the kettle")
    talk.made()
    done = await talk.say("oh, and switch the bedroom fan off while you're at it")
    assert talk.made() == [("fan.turn_off", "fan.bedroom")], done.result.speech
    await talk.say("Turn on the reading light")
    talk.made()
    await talk.say("and the bedside lamp too while you're at it")
    assert talk.made() == [("light.turn_on", "light.bedside")]


async def test_after_a_coffee_a_device_named_is_that_device(
    recognizer: GrammarIntentRecognizer,
) -> None:
    home = copy.deepcopy(HOME)
    home["entities"].append({"name": "Coffee Maker", "id": "switch.coffee_maker", "state": "off"})
    talk = make_talk(recognizer, home)
    try:
        await talk.say("Turn on the coffee maker")
        assert talk.made() == [("switch.turn_on", "switch.coffee_maker")]
        await talk.say("and the oven too")
        assert all(eid != "switch.coffee_maker" for _, eid in talk.made())
        await talk.say("and the kettle too while you're at it")
        assert talk.made() == [("switch.turn_on", "switch.kettle")]
    finally:
        talk.talk.pipeline.close()


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("Right, uh, the kettle, turn that off would you, and the bedroom fan on",
         [("fan.turn_on", "fan.bedroom"), ("switch.turn_off", "switch.kettle")]),
        ("turn on the reading light and the kitchen light off",
         [("light.turn_off", "light.kitchen"), ("light.turn_on", "light.reading")]),
    ],
)  # fmt: skip
async def test_a_second_request_takes_its_own_particle(
    talk: Talk, said: str, expected: list[tuple[str, str]]
) -> None:
    done = await talk.say(said)
    assert talk.made() == expected, done.result.speech


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("study heater to 22 please", [("climate.set_temperature", "climate.study")]),
        ("sofa lamp to 30 percent", [("light.turn_on", "light.sofa_lamp")]),
    ],
)  # fmt: skip
async def test_a_device_and_a_value_with_no_verb_sets_it(
    talk: Talk, said: str, expected: list[tuple[str, str]]
) -> None:
    done = await talk.say(said)
    assert talk.made() == expected, done.result.speech
