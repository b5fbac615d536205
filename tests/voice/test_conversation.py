"""Conversations (HA's conversation_id): pronouns and "again" after a request, "and the
office?", the answer to "Which device?", and forgetting after a silence."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hearthmind.core import Hub, SimulatedClock
from hearthmind.voice.conversation import ASK_WHICH, IDLE_SECONDS, Conversations
from hearthmind.voice.intents import GrammarIntentRecognizer
from hearthmind.voice.pipeline import VoicePipeline

from .conftest import make_hub


def state(hub: Hub, entity_id: str) -> str:
    return hub.states.require(entity_id).state


async def test_it_means_what_was_just_acted_on(hub: Hub, pipeline: VoicePipeline) -> None:
    talk = Conversations(pipeline)
    first = await talk.process("turn on the kitchen light")
    assert state(hub, "light.kitchen") == "on"
    again = await talk.process("turn it off again", first.conversation_id)
    assert state(hub, "light.kitchen") == "off", again.result.speech
    # another conversation knows nothing of it: "it" is asked about, not guessed
    other = await talk.process("turn it on")
    assert other.conversation_id != first.conversation_id
    assert other.asked and other.result.speech == ASK_WHICH
    assert state(hub, "light.kitchen") == "off"


async def test_which_device_is_answered_by_the_next_turn(hub: Hub, pipeline: VoicePipeline) -> None:
    talk = Conversations(pipeline)
    asked = await talk.process("turn it on")
    assert asked.asked and state(hub, "light.office") == "on"  # the office light starts on
    answered = await talk.process("the living room lamp", asked.conversation_id)
    assert not answered.asked
    assert state(hub, "light.living_room_lamp") == "on", answered.result.speech
    # an answer that is a whole request of its own is taken as that request
    asked = await talk.process("switch it on")
    await talk.process("turn off the office light", asked.conversation_id)
    assert state(hub, "light.office") == "off"


async def test_and_the_office(hub: Hub, pipeline: VoicePipeline) -> None:
    talk = Conversations(pipeline)
    first = await talk.process("turn off the lights in the kitchen")
    assert state(hub, "light.office") == "on"
    await talk.process("and the office?", first.conversation_id)
    assert state(hub, "light.office") == "off"


async def test_a_conversation_forgets_after_a_silence(recognizer: GrammarIntentRecognizer) -> None:
    clock = SimulatedClock(datetime(2026, 1, 5, 7, 0, tzinfo=UTC))
    hub = make_hub(clock)
    pipeline = VoicePipeline(hub, recognizer, correct_transcripts=False)
    talk = Conversations(pipeline)
    first = await talk.process("turn on the kitchen light")
    await clock.async_advance(timedelta(seconds=IDLE_SECONDS + 1))
    later = await talk.process("turn it off", first.conversation_id)
    assert later.asked and state(hub, "light.kitchen") == "on"
    pipeline.close()
