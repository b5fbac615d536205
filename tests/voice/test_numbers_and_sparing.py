"""What the fourth blind set found (issue 25): a value said with a device ("put the heater on
18", "the kitchen lights to 50%", "the telly volume to 30"), a room set to a number where it has
a thermostat, a correction that gives only a new value, a device spared by the request itself,
a name said without its room, the devices a question asked about as "it"/"them" next, small
talk, a coffee wished for, a room said as the answer to "which device?"."""

from __future__ import annotations

import copy
from collections.abc import AsyncIterator
from typing import Any

import pytest

from hearthmind.core import Origin
from hearthmind.voice.intents import GrammarIntentRecognizer

from .conversing import HOME, Talk, make_talk

SET = "climate.set_temperature"


def _kitchen_home() -> dict[str, Any]:
    """The conversation home with the kitchen's three lights named after the room, and a
    coffee maker."""
    home = copy.deepcopy(HOME)
    home["entities"] = [e for e in home["entities"] if e["id"] != "light.kitchen"]
    for name in ("Kitchen Countertop", "Kitchen Ceiling", "Kitchen Cabinets"):
        eid = "light." + name.lower().replace(" ", "_")
        home["entities"].append({"name": name, "id": eid, "area": "kitchen", "state": "on"})
    home["entities"].append(
        {"name": "Coffee Maker", "id": "switch.coffee_maker", "area": "kitchen", "state": "off"}
    )
    return home


@pytest.fixture
async def kitchen(recognizer: GrammarIntentRecognizer) -> AsyncIterator[Talk]:
    found = make_talk(recognizer, _kitchen_home())
    yield found
    found.talk.pipeline.close()


async def test_a_value_with_a_device_sets_it(talk: Talk) -> None:
    done = await talk.say("Put the study heater on 18 for me, please")
    assert talk.made() == [(SET, "climate.study")], done.result.speech
    assert talk.state("climate.study").attributes["temperature"] == 18
    await talk.say("set the telly volume to 30")
    assert [(s, e, d["volume_level"]) for s, e, d in talk.calls] == [
        ("media_player.volume_set", "media_player.television", 0.3)
    ]


async def test_a_group_of_lights_to_a_percentage(kitchen: Talk) -> None:
    done = await kitchen.say("set the kitchen lights to 50%")
    assert {(s, d["brightness_pct"]) for s, _, d in kitchen.calls} == {("light.turn_on", 50)}
    assert len(kitchen.made()) == 3, done.result.speech


async def test_a_room_to_a_number_is_its_temperature_where_it_has_a_thermostat(
    talk: Talk,
) -> None:
    await talk.say("Set the study to 20")
    assert talk.made() == [(SET, "climate.study")]
    await talk.say("actually, make that 18")
    assert talk.made() == [(SET, "climate.study")]
    assert talk.state("climate.study").attributes["temperature"] == 18
    await talk.say("set the kitchen to 20")  # no thermostat there: the light, as HA reads it
    assert talk.made() == [("light.turn_on", "light.kitchen")]


async def test_a_spared_device_is_left_alone(kitchen: Talk) -> None:
    await kitchen.say("turn off the kitchen lights but leave the countertop on")
    assert kitchen.made() == [
        ("light.turn_off", "light.kitchen_cabinets"),
        ("light.turn_off", "light.kitchen_ceiling"),
    ]
    done = await kitchen.say("turn off the kitchen lights except the pantry light")
    assert kitchen.made() == [] and "pantry light" in done.result.speech


async def test_a_name_without_its_room(kitchen: Talk) -> None:
    await kitchen.say("The kitchen's lit up, turn off the ceiling and the cabinets")
    assert kitchen.made() == [
        ("light.turn_off", "light.kitchen_cabinets"),
        ("light.turn_off", "light.kitchen_ceiling"),
    ]


async def test_what_a_question_asked_about_is_it_next(talk: Talk) -> None:
    asked = await talk.say("What's the radiator set to at the moment?")
    assert "19" in asked.result.speech
    await talk.say("Bump it up to 22")
    assert talk.made() == [(SET, "climate.radiator")]
    assert talk.state("climate.radiator").attributes["temperature"] == 22


@pytest.mark.parametrize(
    "said", ["OK, thanks, that's all", "Nothing, just checking. Ta!", "Hiya, you awake?"]
)
async def test_small_talk_is_answered_and_does_nothing(talk: Talk, said: str) -> None:
    done = await talk.say(said)
    assert done.result.answer.handled and talk.made() == []
    assert "didn't understand" not in done.result.speech


async def test_a_coffee_wished_for(kitchen: Talk) -> None:
    await kitchen.say("I could really do with a coffee right now")
    assert kitchen.made() == [("switch.turn_on", "switch.coffee_maker")]


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("make the living room lights a little softer",
         [("light.turn_on", "light.reading"), ("light.turn_on", "light.sofa_lamp")]),
        ("The study is like a fridge", [(SET, "climate.study")]),
        ("Ugh, the floor's covered in crumbs again, could you sort it out?",
         [("vacuum.start", "vacuum.robbie")]),
    ],
)  # fmt: skip
async def test_everyday_words(talk: Talk, said: str, expected: list[tuple[str, str]]) -> None:
    done = await talk.say(said)
    assert talk.made() == expected, done.result.speech


async def test_a_room_answers_which_device(talk: Talk) -> None:
    asked = await talk.say("turn it on please")
    assert asked.asked or "Which device" in asked.result.speech
    await talk.say("bedroom")
    assert talk.made() == [("light.turn_on", "light.bedside")]


async def test_the_same_for_a_device_in_here(talk: Talk) -> None:
    await talk.say("set the study heater to 19")
    talk.made()
    await talk.say("same for the radiator in here")
    assert talk.made() == [(SET, "climate.radiator")]
    assert talk.state("climate.radiator").attributes["temperature"] == 19


# -- the earlier blind sets' remaining misses, read again (development data) -------------


async def test_a_refused_device_is_still_it(talk: Talk) -> None:
    refused = await talk.say("Unlock the front door for me")
    assert talk.made() == [] and "app" in refused.result.speech
    await talk.say("ok, forget it, lock it instead")
    assert talk.made() == [("lock.lock", "lock.front_door")]
    await talk.say("unlock it")
    assert talk.made() == []  # still refused, whatever "it" now means


async def test_a_correction_with_only_a_value(talk: Talk) -> None:
    await talk.say("Set the radiator to 20, actually make it 21")
    assert talk.made() == [(SET, "climate.radiator")]
    assert talk.state("climate.radiator").attributes["temperature"] == 21


async def test_the_volume_asked_then_set(talk: Talk) -> None:
    asked = await talk.say("What's the volume on the television?")
    assert "50 percent" in asked.result.speech
    await talk.say("Put it at 30 percent")
    assert [(s, e, d["volume_level"]) for s, e, d in talk.calls] == [
        ("media_player.volume_set", "media_player.television", 0.3)
    ]


@pytest.mark.parametrize(
    ("turns", "expected"),
    [
        (["Start", "the vacuum"], [("vacuum.start", "vacuum.robbie")]),
        (["Switch off the lights in the living room", "what about the study? off there as well"],
         [("light.turn_off", "light.desk"), ("light.turn_off", "light.reading"),
          ("light.turn_off", "light.sofa_lamp")]),
        (["turn on the lounge lights"],
         [("light.turn_on", "light.reading"), ("light.turn_on", "light.sofa_lamp")]),
        (["the thermostat's set too high, drop it a couple of degrees"], [(SET, "climate.thermostat")]),
        (["Set the radiator to 20 and the study to 18, thanks love"],
         [(SET, "climate.radiator"), (SET, "climate.study")]),
        (["Telly off and hoover on."],
         [("media_player.turn_off", "media_player.television"), ("vacuum.start", "vacuum.robbie")]),
        (["get the kettle going", "And the telly on for the news, please."],
         [("media_player.turn_on", "media_player.television"), ("switch.turn_on", "switch.kettle")]),
        (["Bedtime, kids. Turn off the sofa lamp and put the reading light on so they can see.",
          "And the desk lamp, just for homework."],
         [("light.turn_off", "light.sofa_lamp"), ("light.turn_on", "light.desk"),
          ("light.turn_on", "light.reading")]),
        (["turn on the kitchen light", "and the study off"],
         [("light.turn_off", "light.desk"), ("light.turn_on", "light.kitchen")]),
        (["What's the radiator at right now?", "Drop it to 18"], [(SET, "climate.radiator")]),
        (["Open the garage door and get the light on in there"], []),  # the hall has no light
        (["Night night. Lounge lights off and bedside lamp on please"],
         [("light.turn_off", "light.reading"), ("light.turn_off", "light.sofa_lamp"),
          ("light.turn_on", "light.bedside")]),
    ],
)  # fmt: skip
async def test_read_again(talk: Talk, turns: list[str], expected: list[tuple[str, str]]) -> None:
    for said in turns:
        done = await talk.say(said)
    assert talk.made() == expected, done.result.speech


async def test_a_couple_of_degrees_is_two(talk: Talk) -> None:
    await talk.say("the thermostat's set too high, drop it a couple of degrees")
    assert talk.state("climate.thermostat").attributes["temperature"] == 19


async def test_too_much_sun_closes_the_blinds(talk: Talk) -> None:
    await talk.say("The living room is getting way too much sun")
    assert talk.made() == [("cover.close_cover", "cover.bay_window")]


@pytest.mark.parametrize(
    "said", ["Hi there, how are you doing today?", "Good morning! How are you today?"]
)
async def test_greetings(talk: Talk, said: str) -> None:
    done = await talk.say(said)
    assert done.result.answer.handled and talk.made() == []


async def test_who_is_home(talk: Talk) -> None:
    done = await talk.say("Who's home at the moment?")
    assert done.result.answer.handled and "person" in done.result.speech  # none set up here
    ctx = talk.hub.context(Origin.SENSOR)
    talk.hub.states.async_set("person.sam", "home", {"friendly_name": "Sam"}, ctx)
    talk.hub.states.async_set("person.alex", "not_home", {"friendly_name": "Alex"}, ctx)
    done = await talk.say("who's home")
    assert done.result.speech == "Sam is home."


async def test_how_warm_a_thermostat_reads(talk: Talk) -> None:
    done = await talk.say("How warm is it on the thermostat right now?")
    assert "20" in done.result.speech and talk.made() == []


async def test_where_someone_is(talk: Talk) -> None:
    ctx = talk.hub.context(Origin.SENSOR)
    talk.hub.states.async_set("person.ada", "Work", {"friendly_name": "Ada"}, ctx)
    assert (await talk.say("Where's Ada at the moment?")).result.speech == "Ada is at Work."
    unknown = await talk.say("where's Bob")
    assert unknown.result.answer.handled and "Bob" in unknown.result.speech


async def test_how_humid_it_is(talk: Talk) -> None:
    done = await talk.say("How humid is it in here?")
    assert done.result.answer.handled and "no humidity sensor" in done.result.speech
    ctx = talk.hub.context(Origin.SENSOR)
    humid = {"friendly_name": "Lounge Humidity", "device_class": "humidity"}
    talk.hub.states.async_set("sensor.lounge_humidity", "55", humid, ctx)
    talk.hub.registries.set_entity_area("sensor.lounge_humidity", "living_room")
    done = await talk.say("How humid is it in the living room?")
    assert done.result.speech == "The Lounge Humidity reads 55 percent."


async def test_the_temperature_asked_in_a_room_is_it_next(talk: Talk) -> None:
    asked = await talk.say("What temperature is it in the study?")
    assert asked.result.answer.handled
    await talk.say("Blimey, that's cold. Set it to 21.")
    assert talk.made() == [(SET, "climate.study")]


async def test_and_to_another_list_too(recognizer: GrammarIntentRecognizer) -> None:
    home = _kitchen_home()
    home["entities"] += [
        {"name": "Shopping List", "id": "todo.shopping_list", "state": "0"},
        {"name": "Trader Joe's", "id": "todo.trader_joes", "state": "0"},
    ]
    talk = make_talk(recognizer, home)
    await talk.say("Add bananas to the shopping list.")
    done = await talk.say("And to Trader Joe's too.")
    talk.talk.pipeline.close()
    assert talk.made() == [
        ("todo.add_item", "todo.shopping_list"),
        ("todo.add_item", "todo.trader_joes"),
    ]
    assert done.result.speech == "Added bananas to Trader Joe's."


async def test_and_the_ones_in_here(talk: Talk) -> None:
    await talk.say("Turn the kitchen light off")
    talk.made()
    await talk.say("and the ones in here")
    assert talk.made() == [
        ("light.turn_off", "light.reading"),
        ("light.turn_off", "light.sofa_lamp"),
    ]


async def test_and_a_device_named_with_its_room(talk: Talk) -> None:
    await talk.say("Turn on the bedside lamp")
    talk.made()
    await talk.say("and the sofa lamp in the living room while you're at it")
    assert talk.made() == [("light.turn_on", "light.sofa_lamp")]


async def test_in_there_is_the_room_of_what_was_just_spoken_of(kitchen: Talk) -> None:
    await kitchen.say("switch off the coffee maker and put the lights on in there")
    assert kitchen.made() == [
        ("light.turn_on", "light.kitchen_cabinets"),
        ("light.turn_on", "light.kitchen_ceiling"),
        ("light.turn_on", "light.kitchen_countertop"),
        ("switch.turn_off", "switch.coffee_maker"),
    ]
