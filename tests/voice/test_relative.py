"""Relative and vague requests in a conversation: the temperature by steps (stated or one
degree), clamped, never more than 5 degrees at once; "which one?" with two thermostats in the
room and "warmer or cooler?" without a direction, answered by the next turn; lights brighter
and dimmer; the volume by 10 %."""

from __future__ import annotations

from typing import Any

import pytest

from hearthmind.core import Origin
from hearthmind.voice.intents import GrammarIntentRecognizer

from .conversing import HOME, Talk, make_talk

SET = "climate.set_temperature"


def temperature(talk: Talk, entity_id: str) -> Any:
    return talk.state(entity_id).attributes.get("temperature")


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("make the study 2 degrees warmer", 22),
        ("raise the temperature in the study by 3 degrees", 23),
        ("turn the heating up in the study", 21),
        ("lower the study heater by 2 degrees", 18),
        ("it's freezing in the study", 21),
        ("the study is too hot", 19),
        ("two degrees cooler in the study", 18),
        ("set the study heater 2 degrees higher", 22),
    ],
)
async def test_a_step_of_the_named_or_roomed_thermostat(
    talk: Talk, said: str, expected: float
) -> None:
    turn = await talk.say(said)
    assert talk.made() == [(SET, "climate.study")], turn.result.speech
    assert temperature(talk, "climate.study") == expected
    verb = "Raised" if expected > 20 else "Lowered"
    assert turn.result.speech.startswith(f"{verb} the Study Heater to {expected} degrees")
    assert "Say 'undo'" in turn.result.speech  # the way back is offered


async def test_a_big_step_is_made_as_five_and_said(talk: Talk) -> None:
    turn = await talk.say("make it 10 degrees hotter in the study")
    assert temperature(talk, "climate.study") == 25
    assert "big change" in turn.result.speech and "by 5 degrees, to 25" in turn.result.speech


async def test_steps_stop_at_the_entitys_limits(talk: Talk) -> None:
    """The Radiator's own max_temp (24) bounds it; a step past it stops there, and a step
    beyond it does nothing and says so."""
    await talk.say("raise the radiator by 4 degrees")
    assert temperature(talk, "climate.radiator") == 23
    turn = await talk.say("raise the radiator by 4 degrees")
    assert temperature(talk, "climate.radiator") == 24 and "the highest I set" in turn.result.speech
    talk.made()
    turn = await talk.say("make the radiator warmer")
    assert talk.made() == [] and turn.result.answer.handled
    assert "don't set it higher than 24" in turn.result.speech


async def test_fahrenheit_limits(recognizer: GrammarIntentRecognizer) -> None:
    """A thermostat that reports in Fahrenheit is bounded at 45-86 F, not 7-30 C."""
    home: dict[str, Any] = {
        "areas": [{"name": "Den", "id": "den"}],
        "entities": [
            {
                "name": "Den Thermostat",
                "id": "climate.den",
                "area": "den",
                "state": "heat",
                "attributes": {"temperature": 84, "temperature_unit": "°F"},
            }
        ],
    }
    talk = make_talk(recognizer, home)
    talk.area = "den"
    await talk.say("three degrees warmer")
    assert temperature(talk, "climate.den") == 86
    talk.talk.pipeline.close()


async def test_two_thermostats_in_the_room_are_asked_about(talk: Talk) -> None:
    asked = await talk.say("two degrees warmer")
    assert asked.asked and talk.made() == []
    assert asked.result.speech == "Which one, the Thermostat or the Radiator?"
    done = await talk.say("the radiator")
    assert talk.made() == [(SET, "climate.radiator")]
    assert temperature(talk, "climate.radiator") == 21 and not done.asked
    # "the first one", and "both"
    await talk.say("I'm cold")
    await talk.say("the first one")
    assert talk.made() == [(SET, "climate.thermostat")]
    await talk.say("a bit cooler")
    await talk.say("both")
    assert talk.made() == [(SET, "climate.radiator"), (SET, "climate.thermostat")]


async def test_a_request_instead_of_an_answer_is_taken_as_it_is(talk: Talk) -> None:
    await talk.say("make it warmer")
    await talk.say("turn on the reading light")
    assert talk.made() == [("light.turn_on", "light.reading")]


async def test_warmer_or_cooler(talk: Talk) -> None:
    asked = await talk.say("change the temperature in the study")
    assert asked.asked and asked.result.speech == "Warmer or cooler?"
    await talk.say("cooler, by 2 degrees")
    assert talk.made() == [(SET, "climate.study")]
    assert temperature(talk, "climate.study") == 18
    # both questions in turn: which way, then which one
    assert (await talk.say("adjust the heating")).result.speech == "Warmer or cooler?"
    assert (await talk.say("warmer")).result.speech.startswith("Which one")
    await talk.say("the thermostat")
    assert talk.made() == [(SET, "climate.thermostat")]


async def test_it_after_a_thermostat_means_the_thermostat(talk: Talk) -> None:
    await talk.say("make the study warmer")
    await talk.say("turn it down a bit")
    assert talk.made() == [(SET, "climate.study"), (SET, "climate.study")]
    assert temperature(talk, "climate.study") == 20


async def test_no_thermostat_here(talk: Talk) -> None:
    turn = await talk.say("it's freezing in the bedroom")
    assert talk.made() == [] and "no thermostat in the Bedroom" in turn.result.speech
    assert not turn.asked


@pytest.mark.parametrize(
    ("said", "expected", "step"),
    [
        ("brighter", ["light.reading", "light.sofa_lamp"], 25),  # the dark one comes on at 25
        ("a bit brighter in here", ["light.reading", "light.sofa_lamp"], 10),
        ("too bright", ["light.reading", "light.sofa_lamp"], -25),  # the off one stays off
        ("dim the bedroom", ["light.bedside"], -25),  # none on there: all of them
        ("make the kitchen brighter", ["light.kitchen"], 25),
        ("turn the lights up", ["light.reading", "light.sofa_lamp"], 25),
    ],
)
async def test_brighter_and_dimmer(talk: Talk, said: str, expected: list[str], step: int) -> None:
    turn = await talk.say(said)
    calls = [(s, e, d) for s, e, d in talk.calls]
    assert sorted(e for _, e, _ in calls) == expected, turn.result.speech
    assert all(s == "light.turn_on" and d["brightness_step_pct"] == step for s, _, d in calls)


async def test_dimmer_leaves_an_off_light_off_and_names_the_lit_ones(talk: Talk) -> None:
    turn = await talk.say("too bright in here")
    assert turn.result.speech.startswith("Dimmed the Sofa Lamp.")
    assert talk.state("light.reading").state == "off"


async def test_brighter_says_which_light_it_switched_on(talk: Talk) -> None:
    """Brighter in a room with a dark lamp: the lit one steps up, the dark one comes on at
    the step (as HA's brightness_step does from 0), and the answer tells them apart."""
    turn = await talk.say("brighter")
    assert "Brightened the Sofa Lamp" in turn.result.speech
    assert "turned on the Reading" in turn.result.speech and "25 percent" in turn.result.speech
    await talk.say("undo")
    assert talk.state("light.reading").state == "off"


@pytest.mark.parametrize(
    ("said", "level"),
    [
        ("too loud", 0.4),
        ("louder", 0.6),
        ("quieter please", 0.4),
        ("turn it down a bit", 0.4),
        ("turn the volume up", 0.6),
        ("the television is too loud", 0.4),
    ],
)
async def test_the_volume_by_ten_percent(talk: Talk, said: str, level: float) -> None:
    turn = await talk.say(said)
    assert talk.made() == [("media_player.volume_set", "media_player.television")]
    assert talk.state("media_player.television").attributes["volume_level"] == level
    assert f"to {level * 100:.0f} percent" in turn.result.speech


async def test_louder_means_the_player_just_acted_on(recognizer: GrammarIntentRecognizer) -> None:
    """With no player in the speaker's room, "louder" after "turn on the X" is the X."""
    home = {**HOME, "entities": [*HOME["entities"]]}
    home["entities"].append(
        {
            "name": "Kitchen Radio",
            "id": "media_player.kitchen_radio",
            "area": "kitchen",
            "state": "off",
            "attributes": {"volume_level": 0.2},
        }
    )
    talk = make_talk(recognizer, home)
    talk.area = "bedroom"
    await talk.say("turn on the kitchen radio")
    await talk.say("louder")
    assert talk.made() == [
        ("media_player.turn_on", "media_player.kitchen_radio"),
        ("media_player.volume_set", "media_player.kitchen_radio"),
    ]
    talk.talk.pipeline.close()


async def test_relative_changes_carry_the_speakers_voice_context(talk: Talk) -> None:
    await talk.talk.process("make the study warmer", user_id="mina", area="living_room")
    state = talk.state("climate.study")
    assert state.context.origin is Origin.VOICE and state.context.user_id == "mina"
