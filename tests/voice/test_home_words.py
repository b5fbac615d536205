"""The home's words in a conversation: other names for things (telly, shades, air con), the
verbs people use ("shades up", "kill the lights"), the framing around a request ("could you
please ...", "I want the TV on"), aliases from configuration, scripts and the vacuum; help,
and a hint when nothing was understood."""

from __future__ import annotations

import pytest

from hearthmind.core import Area, Origin

from .conversing import Talk

TV = "media_player.television"


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("I want the TV on", [("media_player.turn_on", TV)]),
        ("put the telly on", [("media_player.turn_on", TV)]),
        ("switch the telly off please", [("media_player.turn_off", TV)]),
        ("turn off the tv set", [("media_player.turn_off", TV)]),
        ("hey, can you put the TV on for me", [("media_player.turn_on", TV)]),
        ("shades up", [("cover.open_cover", "cover.bay_window")]),
        ("open the curtains", [("cover.open_cover", "cover.bay_window")]),
        ("I want to down the blind", [("cover.close_cover", "cover.bay_window")]),
        ("close the drapes in the bedroom", [("cover.close_cover", "cover.bedroom_curtain")]),
        (
            "kill the lights",
            [("light.turn_off", "light.reading"), ("light.turn_off", "light.sofa_lamp")],
        ),
        ("switch on the lamps in the bedroom", [("light.turn_on", "light.bedside")]),
        ("could you please turn on the kitchen light", [("light.turn_on", "light.kitchen")]),
        ("would you mind turning off the desk lamp", [("light.turn_off", "light.desk")]),
        ("I'd like the bedroom fan off", [("fan.turn_off", "fan.bedroom")]),
        ("start the hoover", [("vacuum.start", "vacuum.robbie")]),
        ("send the vacuum home", [("vacuum.return_to_base", "vacuum.robbie")]),
        ("run movie night", [("script.turn_on", "script.movie_night")]),
        ("start movie night", [("script.turn_on", "script.movie_night")]),
        ("lock up the front door", [("lock.lock", "lock.front_door")]),
        ("shut the main valve", [("valve.close_valve", "valve.main_valve")]),
    ],
)
async def test_other_words_for_the_same_request(
    talk: Talk, said: str, expected: list[tuple[str, str]]
) -> None:
    turn = await talk.say(said)
    assert talk.made() == sorted(expected), turn.result.speech
    assert turn.result.answer.handled


async def test_a_kind_the_home_lacks_is_said(talk: Talk) -> None:
    for said in ("turn on the air conditioning", "air con on please", "turn down the AC"):
        turn = await talk.say(said)
        assert talk.made() == [] and turn.result.answer.handled, said
        assert turn.result.speech == "There's no air conditioner in this home that I know of."


async def test_aliases_from_configuration(talk: Talk) -> None:
    """HA's aliases: of an entity (its `aliases` attribute) and of an area."""
    hub = talk.hub
    ctx = hub.context(Origin.SENSOR)
    old = hub.states.require(TV)
    hub.states.async_set(TV, old.state, {**old.attributes, "aliases": ["Goggle Box"]}, ctx)
    hub.registries.add_area(Area("study", "Study", floor_id="up", aliases=("Snug",)))
    await talk.say("turn off the goggle box")
    assert talk.made() == [("media_player.turn_off", TV)]
    await talk.say("make the snug warmer")  # read after the grammar
    assert talk.made() == [("climate.set_temperature", "climate.study")]
    await talk.say("turn off the lights in the snug")  # the grammar knows the alias too
    assert talk.made() == [("light.turn_off", "light.desk")]


@pytest.mark.parametrize(
    ("said", "answer"),
    [
        ("are the lights on in the kitchen", "Yes: Kitchen Light."),
        ("are the lights on upstairs", "Yes: Desk Lamp."),
        ("is the main valve open", "Yes, the Main Valve is open."),
        ("is the bay window open", "No, the Bay Window is closed."),
        ("is the front door locked?", "Yes, the Front Door is locked."),
    ],
)
async def test_questions_are_answered_not_acted_on(talk: Talk, said: str, answer: str) -> None:
    turn = await talk.say(said)
    assert talk.made() == [] and turn.result.answer.handled
    assert turn.result.speech.startswith(answer), turn.result.speech


@pytest.mark.parametrize("said", ["what can you do", "help", "what can I say", "help me"])
async def test_help_says_what_works_here(talk: Talk, said: str) -> None:
    turn = await talk.say(said)
    speech = turn.result.speech
    assert turn.result.answer.handled and talk.made() == []
    assert "change the temperature" in speech and "open and close the blinds" in speech
    assert "Try 'turn on the Sofa Lamp'" in speech  # a light in the speaker's room


async def test_not_understood_gets_a_hint(talk: Talk) -> None:
    turn = await talk.say("purple monkey dishwasher")
    assert not turn.result.answer.handled and turn.result.answer.error == "no_intent"
    assert "didn't understand" in turn.result.speech
    assert "Try 'turn on the Sofa Lamp'" in turn.result.speech
    assert talk.made() == []


async def test_it_with_nothing_to_point_at_asks_which(talk: Talk) -> None:
    asked = await talk.say("close it")
    assert asked.asked and asked.result.speech == "Which device do you mean?"
    await talk.say("the bedroom curtain")
    assert talk.made() == [("cover.close_cover", "cover.bedroom_curtain")]


async def test_a_read_request_is_redone_elsewhere(talk: Talk) -> None:
    await talk.say("brighter in the kitchen")
    await talk.say("and the study?")
    assert talk.made() == [("light.turn_on", "light.desk"), ("light.turn_on", "light.kitchen")]
    await talk.say("raise the study heater by 1 degree")
    await talk.say("and the radiator")
    assert talk.made() == [
        ("climate.set_temperature", "climate.radiator"),
        ("climate.set_temperature", "climate.study"),
    ]


async def test_more_less_and_them(talk: Talk) -> None:
    await talk.say("make the study warmer")
    await talk.say("a bit more")
    assert talk.state("climate.study").attributes["temperature"] == 22
    await talk.say("less")
    assert talk.state("climate.study").attributes["temperature"] == 21
    talk.made()
    await talk.say("turn on the lights in the living room")
    talk.made()
    await talk.say("dim them")  # all that was turned on, not the first of them
    assert talk.made() == [
        ("light.turn_on", "light.reading"),
        ("light.turn_on", "light.sofa_lamp"),
    ]


@pytest.mark.parametrize(
    "said",
    [
        "the coffee is too hot",
        "the kids are too loud",
        "it's cold outside",
        "tell me a joke",
        "I love you",
    ],
)
async def test_remarks_about_other_things_are_not_acted_on(talk: Talk, said: str) -> None:
    await talk.say(said)
    assert talk.made() == [], said


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("set the study heating to 23", [("climate.set_temperature", "climate.study")]),
        ("clean the house", [("vacuum.start", "vacuum.robbie")]),
        ("stop cleaning", [("vacuum.return_to_base", "vacuum.robbie")]),
        ("close the garage", [("cover.close_cover", "cover.garage_door")]),
    ],
)
async def test_more_everyday_requests(
    talk: Talk, said: str, expected: list[tuple[str, str]]
) -> None:
    from hearthmind.core import Area

    talk.hub.registries.add_area(Area("garage", "Garage"))
    talk.hub.registries.set_entity_area("cover.garage_door", "garage")
    turn = await talk.say(said)
    assert talk.made() == expected, turn.result.speech


async def test_thanks(talk: Talk) -> None:
    await talk.say("turn on the reading light")
    turn = await talk.say("thanks")
    assert turn.result.speech == "You're welcome." and turn.result.answer.handled


async def test_a_name_said_with_another_word_for_its_kind(talk: Talk) -> None:
    await talk.say("turn on the reading lamp")  # the Reading Light
    assert talk.made() == [("light.turn_on", "light.reading")]
    turn = await talk.say("is anything on in the kitchen")
    assert turn.result.speech == "Yes: Kitchen Light and Kettle."
