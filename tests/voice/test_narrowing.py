"""Words that narrow, never widen (issue 25's blind set): a name's distinguishing word ("the
right blind") picks the device whose name has it; a room the home does not know is said so,
never read as the speaker's room; "something" is no device; one covering said where there are
several is asked about. Room synonyms are generic English, used only where they can mean one
area; a home's own words come from its configuration (HA's area aliases)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from hearthmind.voice.conversation import ASK_WHICH
from hearthmind.voice.intents import GrammarIntentRecognizer

from .conversing import HOME, Talk, make_talk

CLOSE = "cover.close_cover"


def home_with(*, areas: list[dict[str, Any]], entities: list[dict[str, Any]]) -> dict[str, Any]:
    return {**HOME, "areas": [*HOME["areas"], *areas], "entities": [*HOME["entities"], *entities]}


def blind(name: str, entity_id: str, area: str, device_class: str = "blind") -> dict[str, Any]:
    attributes = {"device_class": device_class}
    return {"name": name, "id": entity_id, "area": area, "state": "open", "attributes": attributes}


# two blinds in the study told apart by left and right; a guest room with a shade
BLINDS = home_with(
    areas=[{"name": "Guest Room", "id": "guest", "floor": "up"}],
    entities=[
        blind("Blind Left", "cover.blind_left", "study"),
        blind("Blind Right", "cover.blind_right", "study"),
        blind("Guest Shade", "cover.guest_shade", "guest", "shade"),
    ],
)


@pytest.fixture
async def blinds(recognizer: GrammarIntentRecognizer) -> AsyncIterator[Talk]:
    found = make_talk(recognizer, BLINDS)
    yield found
    found.talk.pipeline.close()


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("close the right blind in the study", "cover.blind_right"),
        ("close the left blind", "cover.blind_left"),  # from the living room: the home's
        ("close the blind on the right in the study", "cover.blind_right"),
        ("close the blinds in the spare room", "cover.guest_shade"),  # one guest room
        ("close the window blind", "cover.bay_window"),  # a word of the Bay Window's name
    ],
)
async def test_a_word_of_a_name_narrows(blinds: Talk, said: str, expected: str) -> None:
    turn = await blinds.say(said)
    assert blinds.made() == [(CLOSE, expected)], turn.result.speech


@pytest.mark.parametrize(
    ("said", "answer"),
    [
        # a name the home lacks is asked about, to learn it (test_learned_names.py)
        (
            "close the big blind",
            "I don't know a device called big blind. Which device do you mean?",
        ),
        ("close the blinds in the pantry", "I don't know a room called pantry."),
        ("turn off the lights in the games room", "I don't know a room called games room."),
        ("is the light on in the cellar", "I don't know a room called cellar."),
        ("turn on the reading lamp in the den", "I don't know a room called den."),
    ],
)
async def test_words_left_unknown_are_not_dropped(blinds: Talk, said: str, answer: str) -> None:
    """Neither the speaker's room nor the whole home stands in for what was not known."""
    turn = await blinds.say(said)
    assert blinds.made() == [] and turn.result.speech == answer
    assert not turn.result.answer.handled


async def test_one_covering_of_several_is_asked_about(blinds: Talk) -> None:
    blinds.area = "study"
    asked = await blinds.say("close the blind")
    assert asked.asked and blinds.made() == []
    assert asked.result.speech == "Which one, the Blind Left or the Blind Right?"
    await blinds.say("the left one")
    assert blinds.made() == [(CLOSE, "cover.blind_left")]
    await blinds.say("close the blinds")  # said as many: all of them
    assert blinds.made() == [(CLOSE, "cover.blind_left"), (CLOSE, "cover.blind_right")]


async def test_something_is_no_device(talk: Talk) -> None:
    asked = await talk.say("can you turn something off for me?")
    assert asked.asked and asked.result.speech == ASK_WHICH and talk.made() == []
    await talk.say("the kettle")
    assert talk.made() == [("switch.turn_off", "switch.kettle")]


async def test_room_synonyms_only_where_they_mean_one_area(
    recognizer: GrammarIntentRecognizer,
) -> None:
    """ "The lounge" is the Living Room in a home with one living room; in a home with a
    living room and a family room it could be either, so it is not guessed."""
    one = make_talk(recognizer)
    await one.say("turn on the lights in the lounge")
    assert one.made() == [("light.turn_on", "light.reading"), ("light.turn_on", "light.sofa_lamp")]
    one.talk.pipeline.close()
    family = home_with(areas=[{"name": "Family Room", "id": "family"}], entities=[])
    two = make_talk(recognizer, family)
    turn = await two.say("turn on the lights in the lounge")
    assert two.made() == [] and turn.result.speech == "I don't know a room called lounge."
    two.talk.pipeline.close()


async def test_a_configured_alias_wins_over_a_synonym(recognizer: GrammarIntentRecognizer) -> None:
    aliased = {
        **HOME,
        "areas": [
            {"name": "(Study|Lounge)", "id": "study", "floor": "up"} if a["id"] == "study" else a
            for a in HOME["areas"]
        ],
    }
    talk = make_talk(recognizer, aliased)
    await talk.say("switch off the lamps in the lounge")
    assert talk.made() == [("light.turn_off", "light.desk")]
    talk.talk.pipeline.close()


async def test_one_of_several_is_asked_about(talk: Talk) -> None:
    asked = await talk.say("turn off one light in the living room")
    assert asked.asked and talk.made() == []
    await talk.say("the sofa lamp")
    assert talk.made() == [("light.turn_off", "light.sofa_lamp")]


async def test_generic_words_for_a_name(recognizer: GrammarIntentRecognizer) -> None:
    """ "Overhead" is "ceiling" (generic English, both ways); a word no name has is refused."""
    ceiling = {"name": "Ceiling Light", "id": "light.ceiling", "area": "kitchen"}
    talk = make_talk(recognizer, home_with(areas=[], entities=[ceiling]))
    await talk.say("dim the overhead light in the kitchen")
    assert talk.made() == [("light.turn_on", "light.ceiling")]
    turn = await talk.say("switch off the porch light")
    assert talk.made() == [] and turn.result.speech.startswith(
        "I don't know a device called porch light."
    )
    talk.talk.pipeline.close()


async def test_every_part_joined_by_and_is_done(talk: Talk) -> None:
    await talk.say("turn on the lights in the kitchen and the study")
    assert talk.made() == [("light.turn_on", "light.desk"), ("light.turn_on", "light.kitchen")]
    await talk.say("switch off the television and the lights")
    assert talk.made() == [
        ("light.turn_off", "light.reading"),
        ("light.turn_off", "light.sofa_lamp"),
        ("media_player.turn_off", "media_player.television"),
    ]
    turn = await talk.say("turn off the kettle and the dishwasher")  # no dishwasher here
    assert talk.made() == [] and turn.result.speech.startswith(
        "I don't know a device called dishwasher."
    )


async def test_the_other_one_by_a_word_of_its_name(blinds: Talk) -> None:
    await blinds.say("close the left blind")
    await blinds.say("and the right one")
    assert blinds.made() == [(CLOSE, "cover.blind_left"), (CLOSE, "cover.blind_right")]
