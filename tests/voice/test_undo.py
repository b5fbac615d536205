"""'Undo' within a conversation puts back what its last turn changed, through the safety
check; with nothing changed here it is the agent's undo, as before. And safety by
conversation: what may not be done by voice is refused, whatever the words."""

from __future__ import annotations

import pytest

from .conversing import Talk


async def test_undo_a_relative_change(talk: Talk) -> None:
    await talk.say("make the study 2 degrees warmer")
    assert talk.state("climate.study").attributes["temperature"] == 22
    turn = await talk.say("undo")
    assert talk.state("climate.study").attributes["temperature"] == 20
    assert turn.result.speech == "Undone: the Study Heater is back as before."


async def test_undo_everything_off_turns_back_on_only_what_was_on(talk: Talk) -> None:
    await talk.say("turn everything off")
    talk.made()
    await talk.say("undo that")
    assert talk.made() == [
        ("fan.turn_on", "fan.bedroom"),
        ("light.turn_on", "light.desk"),
        ("light.turn_on", "light.kitchen"),
        ("light.turn_on", "light.sofa_lamp"),
        ("media_player.turn_on", "media_player.television"),
        ("switch.turn_on", "switch.kettle"),
    ]  # the reading light, bedside lamp and oven were off: they stay off
    assert talk.state("light.reading").state == "off"
    assert talk.state("switch.oven").state == "off"


async def test_undo_the_volume_and_a_blind(talk: Talk) -> None:
    await talk.say("too loud")
    await talk.say("undo")
    assert talk.state("media_player.television").attributes["volume_level"] == 0.5
    await talk.say("close the bedroom curtain")
    await talk.say("put that back")
    assert talk.state("cover.bedroom_curtain").state == "open"


async def test_undo_twice_redoes(talk: Talk) -> None:
    await talk.say("turn off the sofa lamp")
    await talk.say("undo")
    assert talk.state("light.sofa_lamp").state == "on"
    await talk.say("undo")
    assert talk.state("light.sofa_lamp").state == "off"


async def test_undo_never_unlocks(talk: Talk) -> None:
    await talk.say("lock the front door")
    talk.hub.states.async_set(
        "lock.front_door",
        "unlocked",
        {"friendly_name": "Front Door"},
        talk.hub.context("sensor"),
    )  # someone unlocked it by hand; now lock, then undo
    await talk.say("lock the front door")
    turn = await talk.say("undo")
    assert talk.state("lock.front_door").state == "locked"
    assert turn.result.answer.error == "needs_confirmation" and "in the app" in turn.result.speech


async def test_undo_with_nothing_changed_here_is_the_agents(talk: Talk) -> None:
    turn = await talk.say("undo")
    assert turn.result.speech == "There's nothing I did recently to undo."
    assert talk.made() == []


@pytest.mark.parametrize(
    "said",
    [
        "open the main valve",
        "turn on the main valve",
        "could you please open the main valve",
        "set the main valve to 50 percent",
        "open the garage door",
        "garage door up",
        "unlock the front door",
        "open the front door",
        "unlock all the doors",
        "turn on the oven",
        "put the oven on",
    ],
)
async def test_refused_by_voice_in_a_conversation(talk: Talk, said: str) -> None:
    turn = await talk.say(said)
    assert talk.made() == [], said
    assert turn.result.answer.error == "needs_confirmation", turn.result.speech
    assert "in the app" in turn.result.speech


async def test_the_safe_direction_in_a_conversation(talk: Talk) -> None:
    await talk.say("shut the main valve")
    await talk.say("open it again")  # the pronoun does not get around the check
    assert talk.made() == [("valve.close_valve", "valve.main_valve")]
    assert talk.state("valve.main_valve").state == "closed"
