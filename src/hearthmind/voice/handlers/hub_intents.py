"""The hub's own intents: why did that change, don't do that again, what do I usually do,
good night, good morning. They read what the agent and the routines know, through the
protocols of sources.py."""

from __future__ import annotations

from .. import answers
from ..acting import Acting
from ..sources import EXPLANATION_SOURCE, FEEDBACK_SINK, ROUTINE_SOURCE
from ..turns import Turn, VoiceAnswer


async def explain(act: Acting, turn: Turn) -> VoiceAnswer:
    source = act.hub.data.get(EXPLANATION_SOURCE) or act.action_log
    reason = source.last_action_reason(turn.user_id)
    if reason is None:
        return VoiceAnswer("I haven't changed anything on my own lately.", None, True)
    return VoiceAnswer(reason, None, True)


async def reject(act: Acting, turn: Turn) -> VoiceAnswer:
    sink = act.hub.data.get(FEEDBACK_SINK) or act.action_log
    change = sink.reject_last_action(turn.user_id, turn.context)
    if change is None:
        return VoiceAnswer(
            "There's nothing I did recently to stop, but thank you for telling me.", None, True
        )
    return VoiceAnswer(f"Understood. {change}", None, True)


async def usual(act: Acting, turn: Turn) -> VoiceAnswer:
    weekday = turn.slot("weekday")
    when = turn.slot("part_of_day")
    source = act.hub.data.get(ROUTINE_SOURCE)
    text = source.describe_usual(turn.user_id, weekday, when) if source else None
    if text:
        return VoiceAnswer(text, None, True)
    span = " ".join(str(x) for x in (weekday, when) if x) or "days"
    span = span if span.endswith("s") else span + "s"
    return VoiceAnswer(
        f"I'm still learning your {span.capitalize() if weekday else span}; ask me again in a week or two.",
        None,
        True,
    )


async def good_night(act: Acting, turn: Turn) -> VoiceAnswer:
    lights = [e for e in turn.home.entities if e.domain == "light" and act.state(e) == "on"]
    actions = await act.call(turn, lights, lambda e: "turn_off") if lights else []
    name = answers.speaker_name(act.hub, turn.user_id)
    parts = [f"Good night, {name}." if name else "Good night."]
    if lights:
        parts.append(f"I've turned off {answers.things([e.name for e in lights], 'light')}.")
    unlocked = [e for e in turn.home.entities if e.domain == "lock" and act.state(e) == "unlocked"]
    if unlocked:
        parts.append(f"The {unlocked[0].name} is still unlocked.")
    return VoiceAnswer(" ".join(parts), None, True, actions)


async def good_morning(act: Acting, turn: Turn) -> VoiceAnswer:
    parts = [answers.greeting(act.hub, turn.user_id)]
    source = act.hub.data.get(ROUTINE_SOURCE)
    if source is not None:
        usual = source.describe_usual(turn.user_id, None, "morning")
        if usual:
            parts.append(usual)
    weather = [e for e in turn.home.entities if e.domain == "weather"]
    if weather and (state := act.hub.states.get(weather[0].entity_id)):
        parts.append(f"It's {state.state} outside.")
    return VoiceAnswer(" ".join(parts), None, True)
