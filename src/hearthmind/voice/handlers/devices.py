"""Device intents: turn on and off, lights (level, colour, warmth, a step), covers and valves,
the vacuum, media, volume, the thermostat, the coffee machine."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any

from .. import answers
from ..acting import Acting
from ..targets import NOUN, find_targets
from ..turns import AskBack, NotUnderstood, Question, Turn, VoiceAnswer
from .adjust import ask_which

TurnHandler = Callable[[Acting, Turn], Awaitable[VoiceAnswer]]

ON_SERVICE = {
    "cover": "open_cover",
    "valve": "open_valve",
    "lock": "lock",
    "vacuum": "start",
    "button": "press",
    "input_button": "press",
}
OFF_SERVICE = {
    "cover": "close_cover",
    "valve": "close_valve",
    "lock": "unlock",
    "vacuum": "return_to_base",
}
COLOR_RGB = {
    "white": (255, 255, 255), "red": (255, 0, 0), "orange": (255, 165, 0),
    "yellow": (255, 255, 0), "green": (0, 255, 0), "blue": (0, 0, 255),
    "purple": (128, 0, 128), "pink": (255, 192, 203), "brown": (165, 42, 42),
    "violet": (238, 130, 238), "cyan": (0, 255, 255), "magenta": (255, 0, 255),
    "indigo": (75, 0, 130), "gold": (255, 215, 0), "teal": (0, 128, 128),
    "turquoise": (64, 224, 208), "lavender": (230, 230, 250), "black": (0, 0, 0),
}  # fmt: skip


async def turn_on(act: Acting, turn: Turn) -> VoiceAnswer:
    entities = find_targets(turn)
    actions = await act.call(turn, entities, lambda e: ON_SERVICE.get(e.domain, "turn_on"))
    what = answers.things([e.name for e in entities], NOUN.get(entities[0].domain, "device"))
    verb = {
        "lock": "Locked", "cover": "Opened", "valve": "Opened", "vacuum": "Started",
        "scene": "Activated", "script": "Started",
    }.get(entities[0].domain, "Turned on")  # fmt: skip
    return act.done(turn, f"{verb} {what}.", actions)


async def turn_off(act: Acting, turn: Turn) -> VoiceAnswer:
    entities = find_targets(turn)
    actions = await act.call(turn, entities, lambda e: OFF_SERVICE.get(e.domain, "turn_off"))
    what = answers.things([e.name for e in entities], NOUN.get(entities[0].domain, "device"))
    verb = {"cover": "Closed", "valve": "Closed", "vacuum": "Sent home"}.get(
        entities[0].domain, "Turned off"
    )
    return act.done(turn, f"{verb} {what}.", actions)


async def light_set(act: Acting, turn: Turn) -> VoiceAnswer:
    entities = find_targets(turn, {"light"})
    data: dict[str, Any] = {}
    said = ""
    if turn.slot("brightness") is not None:
        pct = max(0.0, min(100.0, float(turn.slot("brightness"))))
        data["brightness_pct"] = pct
        said = f"to {pct:.0f} percent"
    elif turn.slot("color") is not None:
        color = str(turn.slot("color")).lower()
        rgb = COLOR_RGB.get(color)
        if rgb is None:
            raise NotUnderstood(f"I don't know the colour {color}.", "bad_value")
        data["rgb_color"] = rgb
        said = f"to {color}"
    elif turn.slot("temperature") is not None:
        data["color_temp_kelvin"] = int(float(turn.slot("temperature")))
        said = f"to {data['color_temp_kelvin']} kelvin"
    else:
        raise NotUnderstood("How should I set the light?", "no_value")
    actions = await act.call(
        turn, entities, lambda e: "turn_on" if e.domain == "light" else None, data
    )
    what = answers.things([e.name for e in entities], "light")
    return act.done(turn, f"Set {what} {said}.", actions)


async def light_step(act: Acting, turn: Turn) -> VoiceAnswer:
    entities = find_targets(turn, {"light"})
    down = turn.slot("direction") == "down"
    # every light of the room (or group) is stepped, as Home Assistant's brightness_step
    # does from 0 for an off light: "brighter" turns the dark ones on at the step (two
    # writers of scripted dialogs who never saw this code expected the room's dark lamp to
    # come on), "dimmer" leaves them off, so only the lit ones are named as dimmed
    step = float(turn.slot("step_pct") or 25)
    dark = [e for e in entities if act.state(e) != "on"]
    data = {"brightness_step_pct": -step if down else step}
    actions = await act.call(
        turn, entities, lambda e: "turn_on" if e.domain == "light" else None, data
    )
    lit = [e.name for e in entities if e not in dark]
    if down:
        said = f"Dimmed {answers.things(lit or [e.name for e in entities], 'light')}."
    elif not lit:
        said = f"Turned on {answers.things([e.name for e in dark], 'light')} at {step:.0f} percent."
    elif dark:
        said = (
            f"Brightened {answers.things(lit, 'light')}, and turned on "
            f"{answers.things([e.name for e in dark], 'light')} at {step:.0f} percent."
        )
    else:
        said = f"Brightened {answers.things(lit, 'light')}."
    return act.done(turn, said, actions)


async def set_position(act: Acting, turn: Turn) -> VoiceAnswer:
    entities = find_targets(turn, {"cover", "valve"})
    position = int(float(turn.slot("position")))
    actions = await act.call(
        turn,
        entities,
        lambda e: "set_cover_position" if e.domain == "cover" else "set_valve_position",
        {"position": position},
    )
    what = answers.things([e.name for e in entities], "cover")
    return act.done(turn, f"Set {what} to {position} percent.", actions)


async def vacuum_start(act: Acting, turn: Turn) -> VoiceAnswer:
    entities = find_targets(turn, {"vacuum"}, allow_whole_home=True)
    actions = await act.call(turn, entities, lambda e: "start")
    return act.done(turn, "Cleaning has started.", actions)


async def vacuum_return(act: Acting, turn: Turn) -> VoiceAnswer:
    entities = find_targets(turn, {"vacuum"}, allow_whole_home=True)
    actions = await act.call(turn, entities, lambda e: "return_to_base")
    return act.done(turn, "Sending the vacuum home.", actions)


def media(service: str, verb: str) -> TurnHandler:
    async def handle(act: Acting, turn: Turn) -> VoiceAnswer:
        entities = find_targets(turn, {"media_player"}, allow_whole_home=True)
        playing = [e for e in entities if act.state(e) == "playing"] or entities
        actions = await act.call(turn, playing[:1], lambda e: service)
        return act.done(turn, f"{verb}.", actions)

    return handle


async def set_volume(act: Acting, turn: Turn) -> VoiceAnswer:
    entities = find_targets(turn, {"media_player"}, allow_whole_home=True)
    level = max(0.0, min(100.0, float(turn.slot("volume_level") or turn.slot("volume") or 50)))
    actions = await act.call(
        turn, entities[:1], lambda e: "volume_set", {"volume_level": level / 100}
    )
    return act.done(turn, f"Volume set to {level:.0f}.", actions)


async def set_temperature(act: Acting, turn: Turn) -> VoiceAnswer:
    entities = find_targets(turn, {"climate"}, allow_whole_home=True)
    if turn.slot("temperature") is None:
        # "set the office thermostat" (read by the conversation): which one, then to what
        if len(entities) > 1:
            raise ask_which(turn, entities)
        chosen = replace(
            turn.match, slots={**turn.match.slots, "hub_entity_ids": [entities[0].entity_id]}
        )
        raise AskBack(
            f"What temperature should I set {answers.the(entities[0].name)} to?",
            Question("value", chosen),
        )
    if len(entities) > 1 and not turn.slot("hub_each") and turn.slot("hub_scope") != "home":
        # "set the temperature to 21" where two thermostats are: one temperature said, so
        # which one is asked (the answer, or "both", sets it), never both set at once
        raise ask_which(turn, entities)
    temp = float(turn.slot("temperature"))
    actions = await act.call(turn, entities, lambda e: "set_temperature", {"temperature": temp})
    what = answers.things([e.name for e in entities], "thermostat")
    return act.done(turn, f"Set {what} to {temp:g} degrees.", actions)


async def coffee(act: Acting, turn: Turn) -> VoiceAnswer:
    makers = [e for e in turn.home.entities if "coffee" in e.name.lower()]
    if not makers:
        raise NotUnderstood("I don't know a coffee machine in this home.")
    actions = await act.call(turn, makers[:1], lambda e: ON_SERVICE.get(e.domain, "turn_on"))
    return act.done(turn, "Your coffee is on its way.", actions)
