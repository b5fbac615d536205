"""Intents become service calls on a real hub, with the voice origin and the speaker."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hearthmind.core import EVENT_STATE_CHANGED, Event, Hub, Origin, SimulatedClock
from hearthmind.voice.intents import GrammarIntentRecognizer
from hearthmind.voice.pipeline import VoicePipeline
from hearthmind.voice.sources import EVENT_VOICE_FEEDBACK, EXPLANATION_SOURCE, ROUTINE_SOURCE
from hearthmind.voice.timers import EVENT_TIMER_FINISHED

from .conftest import make_hub


def changes(hub: Hub) -> list[Event]:
    seen: list[Event] = []
    hub.bus.async_listen(EVENT_STATE_CHANGED, seen.append)
    return seen


async def test_turn_on_with_voice_context(hub: Hub, pipeline: VoicePipeline) -> None:
    result = await pipeline.handle_text("turn on the kitchen light", user_id="mina")
    state = hub.states.require("light.kitchen")
    assert state.state == "on"
    assert state.context.origin == Origin.VOICE
    assert state.context.user_id == "mina"
    assert result.answer.handled and "Mina" in result.speech
    assert [a.service for a in result.answer.actions] == ["turn_on"]


async def test_dim_to_percent(hub: Hub, pipeline: VoicePipeline) -> None:
    await pipeline.handle_text("dim the kitchen lights to 50 percent")
    state = hub.states.require("light.kitchen")
    assert state.state == "on" and state.attributes["brightness_pct"] == 50


async def test_unknown_device_does_nothing(hub: Hub, pipeline: VoicePipeline) -> None:
    seen = changes(hub)
    result = await pipeline.handle_text("turn on the sauna heater")
    assert result.speech == "I don't know a device called sauna heater."
    assert not result.answer.handled and result.answer.error == "unknown_device"
    assert seen == []
    assert hub.health["voice_unknown_target"] == 1


async def test_gibberish_does_nothing(hub: Hub, pipeline: VoicePipeline) -> None:
    seen = changes(hub)
    result = await pipeline.handle_text("purple monkey dishwasher")
    assert result.answer.error == "no_intent" and "didn't understand" in result.speech
    assert seen == []


async def test_unlock_needs_the_app(hub: Hub, pipeline: VoicePipeline) -> None:
    result = await pipeline.handle_text("unlock the front door")
    assert hub.states.require("lock.front_door").state == "unlocked"  # unchanged, as it was
    assert result.answer.error == "needs_confirmation"
    locked = await pipeline.handle_text("lock the front door")
    assert locked.answer.handled and hub.states.require("lock.front_door").state == "locked"


async def test_explain_and_reject_last_automation(hub: Hub, pipeline: VoicePipeline) -> None:
    # an automation turns the living room lamp on; the person asks why, then says no
    hub.states.async_set(
        "light.living_room_lamp",
        "on",
        {"friendly_name": "Living Room Lamp", "reason": "it got dark at 18:05"},
        hub.context(Origin.AUTOMATION),
    )
    why = await pipeline.handle_text("why did you do that", user_id="mina")
    assert "Living Room Lamp" in why.speech and "it got dark at 18:05" in why.speech
    feedback: list[Event] = []
    hub.bus.async_listen(EVENT_VOICE_FEEDBACK, feedback.append)
    no = await pipeline.handle_text("don't do that again", user_id="mina")
    assert no.answer.handled and "Living Room Lamp" in no.speech
    assert feedback and feedback[0].data["entity_id"] == "light.living_room_lamp"
    assert feedback[0].context.origin == Origin.VOICE


async def test_a_registered_explanation_source_answers_instead_of_the_log(
    hub: Hub, pipeline: VoicePipeline
) -> None:
    """The agent registers under voice's typed keys; voice asks it, not the action log."""

    class Agent:
        def last_action_reason(self, user_id: str | None) -> str | None:
            return f"Because {user_id} usually reads at nine."

    hub.data[EXPLANATION_SOURCE] = Agent()
    why = await pipeline.handle_text("why did you do that", user_id="mina")
    assert why.speech == "Because mina usually reads at nine."


async def test_explain_with_nothing_to_explain(pipeline: VoicePipeline) -> None:
    result = await pipeline.handle_text("why did you do that")
    assert "haven't changed anything" in result.speech


async def test_usual_routine_asks_the_routine_source(hub: Hub, pipeline: VoicePipeline) -> None:
    asked: list[tuple[str | None, str | None, str | None]] = []

    class Routines:
        def describe_usual(self, user_id: str | None, weekday: str | None, part: str | None) -> str:
            asked.append((user_id, weekday, part))
            return "On Saturday mornings you have coffee at nine and open the blinds."

    result = await pipeline.handle_text("what do I usually do on Saturday mornings", user_id="mina")
    assert "still learning" in result.speech  # no routine source yet: honest
    hub.data[ROUTINE_SOURCE] = Routines()  # the routines' describer registers under its key
    result = await pipeline.handle_text("what do I usually do on Saturday mornings", user_id="mina")
    assert result.speech.startswith("On Saturday mornings")
    assert asked == [("mina", "saturday", "morning")]


async def test_good_night(hub: Hub, pipeline: VoicePipeline) -> None:
    await pipeline.handle_text("turn on the kitchen light")
    result = await pipeline.handle_text("good night", user_id="mina")
    assert result.speech.startswith("Good night, Mina.")
    assert "Front Door is still unlocked" in result.speech
    assert hub.states.require("light.kitchen").state == "off"
    assert hub.states.require("light.office").state == "off"
    assert hub.states.require("lock.front_door").state == "unlocked"  # told, not acted on


async def test_timer_runs_on_the_hub_clock(recognizer: GrammarIntentRecognizer) -> None:
    start = datetime(2026, 3, 7, 8, 0, tzinfo=UTC)
    clock = SimulatedClock(start)
    hub = make_hub(clock)
    pipeline = VoicePipeline(hub, recognizer, correct_transcripts=False)
    done: list[Event] = []
    hub.bus.async_listen(EVENT_TIMER_FINISHED, done.append)
    answer = await pipeline.handle_text("set a timer for 5 minutes")
    assert answer.speech == "Timer set for 5 minutes."
    status = await pipeline.handle_text("timer status")
    assert "5 minutes left" in status.speech
    await clock.async_run_until(start + timedelta(minutes=6))
    assert len(done) == 1
    pipeline.close()


async def test_a_possessive_name_takes_no_article(hub: Hub, pipeline: VoicePipeline) -> None:
    """ "Turned on Sam's light", not "the Sam's light"."""
    ctx = hub.context(Origin.SENSOR)
    hub.states.async_set("light.sam", "off", {"friendly_name": "Sam's light"}, ctx)
    kitchen = hub.entities.get("light.kitchen")
    assert kitchen is not None
    hub.entities.async_add("light.sam", "test", kitchen.handler)
    result = await pipeline.handle_text("turn on Sam's light")
    assert hub.states.require("light.sam").state == "on"
    assert "Sam's light" in result.speech and "the Sam's" not in result.speech
