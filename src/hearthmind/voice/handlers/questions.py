"""Questions: a device's state, the temperature, the time and date, the weather; "never mind"."""

from __future__ import annotations

from .. import answers
from ..acting import Acting
from ..targets import find_targets
from ..turns import Turn, VoiceAnswer


async def get_state(act: Acting, turn: Turn) -> VoiceAnswer:
    entities = find_targets(turn, allow_whole_home=True)
    wanted = turn.slot("state")
    if wanted is not None:
        matching = [e for e in entities if act.state(e) == wanted]
        if turn.slot("name"):
            speech = f"{'Yes' if matching else 'No'}, the {entities[0].name} is {act.state(entities[0]) or 'unknown'}."
        elif matching:
            speech = f"Yes: {answers.join_names([e.name for e in matching[:4]])}."
        else:
            speech = "No, none of them."
        return VoiceAnswer(speech, None, True)
    parts = []
    for entity in entities[:3]:
        state = act.hub.states.get(entity.entity_id)
        value = state.state if state else "unknown"
        unit = state.attributes.get("unit_of_measurement", "") if state else ""
        parts.append(f"the {entity.name} is {value}{(' ' + str(unit)) if unit else ''}")
    speech = answers.join_names(parts)
    return VoiceAnswer(speech[0].upper() + speech[1:] + ".", None, True)


async def get_temperature(act: Acting, turn: Turn) -> VoiceAnswer:
    entities = find_targets(turn, {"climate", "sensor"}, allow_whole_home=True)
    for entity in entities:
        state = act.hub.states.get(entity.entity_id)
        if state is None:
            continue
        temp = state.attributes.get("current_temperature", None)
        if temp is None and entity.domain == "sensor":
            temp = state.state
        if temp is not None:
            return VoiceAnswer(f"It's {temp} degrees.", None, True)
    return VoiceAnswer(
        "I don't have a temperature reading right now.", None, False, error="no_value"
    )


async def current_time(act: Acting, turn: Turn) -> VoiceAnswer:
    now = answers.local_now(act.hub)
    return VoiceAnswer(f"It's {now.strftime('%H:%M')}.", None, True)


async def current_date(act: Acting, turn: Turn) -> VoiceAnswer:
    now = answers.local_now(act.hub)
    return VoiceAnswer(f"It's {now.strftime('%A, %B')} {now.day}.", None, True)


async def weather(act: Acting, turn: Turn) -> VoiceAnswer:
    entities = find_targets(turn, {"weather"}, allow_whole_home=True)
    state = act.hub.states.get(entities[0].entity_id)
    if state is None:
        return VoiceAnswer("I have no weather report right now.", None, False, error="no_value")
    temp = state.attributes.get("temperature")
    extra = f" and {temp} degrees" if temp is not None else ""
    return VoiceAnswer(f"It's {state.state}{extra}.", None, True)


async def nevermind(act: Acting, turn: Turn) -> VoiceAnswer:
    return VoiceAnswer("Okay.", None, True)
