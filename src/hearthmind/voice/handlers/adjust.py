"""The requests the conversation layer reads beyond the grammar (understanding.py): a step of
the temperature, the volume; a device action in everyday words; everything off; what the hub
can do here; a kind of device the home does not have. Each acts through `Acting` (the safety
check included) and answers with the result ("Raised the Thermostat to 22 degrees.")."""

from __future__ import annotations

from typing import Any

from .. import answers
from ..acting import Acting
from ..home import NamedEntity
from ..targets import NOUN, find_targets, where_said
from ..turns import AskBack, NotUnderstood, Question, ServiceAction, Turn, VoiceAnswer

MAX_STEP = 5.0  # degrees at once: a bigger change is made as 5 and said so (issue 25)
CELSIUS_RANGE = (7.0, 30.0)
FAHRENHEIT_RANGE = (45.0, 86.0)
# a reading above this is no room in Celsius: the device reports in Fahrenheit whatever the
# hub's unit system says (a bridged US thermostat in a metric hub)
CELSIUS_READING_MAX = 45.0
VOLUME_STEP = 0.1

# (domain, action) -> service; None: that device cannot do it
SERVICES: dict[str, dict[str, str]] = {
    "on": {"cover": "open_cover", "valve": "open_valve", "lock": "lock", "vacuum": "start",
           "button": "press", "input_button": "press"},
    "off": {"cover": "close_cover", "valve": "close_valve", "lock": "unlock",
            "vacuum": "return_to_base", "alarm_control_panel": "alarm_disarm"},
    "open": {"cover": "open_cover", "valve": "open_valve", "lock": "open"},
    "close": {"cover": "close_cover", "valve": "close_valve", "lock": "lock"},
    "lock": {"lock": "lock"},
    "unlock": {"lock": "unlock", "alarm_control_panel": "alarm_disarm"},
    "disarm": {"alarm_control_panel": "alarm_disarm"},
    "arm": {"alarm_control_panel": "alarm_arm_away"},
    "start": {"vacuum": "start", "media_player": "media_play", "button": "press"},
    "stop": {"vacuum": "return_to_base", "media_player": "media_stop", "cover": "stop_cover"},
    "home": {"vacuum": "return_to_base"},
    "pause": {"media_player": "media_pause", "vacuum": "pause"},
    "play": {"media_player": "media_play", "vacuum": "start"},
}  # fmt: skip
# what an action does to a domain not listed above
DEFAULT_SERVICE = {"on": "turn_on", "off": "turn_off", "start": "turn_on", "stop": "turn_off"}
ON_OFF_DOMAINS = frozenset(
    {"light", "switch", "fan", "media_player", "climate", "script", "input_boolean",
     "humidifier", "water_heater", "siren"}
)  # fmt: skip
DONE = {
    "open_cover": "Opened", "close_cover": "Closed", "open_valve": "Opened",
    "close_valve": "Closed", "lock": "Locked", "start": "Started",
    "return_to_base": "Sent home", "turn_on": "Turned on", "turn_off": "Turned off",
    "media_play": "Playing", "media_pause": "Paused", "media_stop": "Stopped", "stop_cover": "Stopped",
    "alarm_arm_away": "Armed", "press": "Pressed",
}  # fmt: skip


def service_for(domain: str, action: str) -> str | None:
    service = SERVICES.get(action, {}).get(domain)
    if service is None and domain in ON_OFF_DOMAINS | {"scene"}:
        service = DEFAULT_SERVICE.get(action)
        if domain == "scene" and service != "turn_on":
            return None  # a scene is activated, never turned off
    return service


def _either(names: list[str]) -> str:
    """'the Thermostat or the EcoBee'."""
    said = [answers.the(n) for n in names]
    return said[0] if len(said) == 1 else ", ".join(said[:-1]) + " or " + said[-1]


def ask_which(turn: Turn, entities: list[NamedEntity]) -> AskBack:
    options = tuple(e.entity_id for e in entities)
    return AskBack(
        f"Which one, {_either([e.name for e in entities[:4]])}?",
        Question("which", turn.match, options),
    )


async def device_action(act: Acting, turn: Turn) -> VoiceAnswer:
    entities = find_targets(turn)
    if turn.slot("hub_ask_if_many") and len(entities) > 1 and not turn.slot("hub_each"):
        raise ask_which(turn, entities)
    action = str(turn.slot("hub_action"))
    unable = [e for e in entities if service_for(e.domain, action) is None]
    if unable:
        verb = {"home": "send home", "disarm": "disarm", "arm": "arm"}.get(action, action)
        raise NotUnderstood(f"I can't {verb} {answers.the(unable[0].name)}.", "unsupported")
    actions = await act.call(turn, entities, lambda e: service_for(e.domain, action))
    first = service_for(entities[0].domain, action) or ""
    domains = {e.domain for e in entities}
    noun = NOUN.get(entities[0].domain, "device") if len(domains) == 1 else "device"
    what = answers.things([e.name for e in entities], noun)
    if entities[0].domain in ("scene", "script") and first == "turn_on":
        return act.done(
            turn, f"{'Activated' if entities[0].domain == 'scene' else 'Started'} {what}.", actions
        )
    return act.done(turn, f"{DONE.get(first, 'Done:')} {what}.", actions)


# -- the temperature -----------------------------------------------------------------------


def _number(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if number == number else None  # NaN is no reading


def degrees(value: float) -> str:
    return f"{value:g} degree" if value == 1 else f"{value:g} degrees"


def climate_limits(act: Acting, entity: NamedEntity, base: float) -> tuple[float, float]:
    """The set-point's bounds: the entity's own min/max_temp, else a room's in its unit."""
    state = act.hub.states.get(entity.entity_id)
    attrs = state.attributes if state is not None else entity.attributes
    low, high = _number(attrs.get("min_temp")), _number(attrs.get("max_temp"))
    if low is not None and high is not None and low < high:
        return low, high
    unit = str(attrs.get("temperature_unit") or attrs.get("unit_of_measurement") or "")
    system = getattr(act.hub.config.core, "unit_system", "metric")
    fahrenheit = "F" in unit.upper() or (
        not unit and (base > CELSIUS_READING_MAX or system in ("us_customary", "imperial"))
    )
    return FAHRENHEIT_RANGE if fahrenheit else CELSIUS_RANGE


async def climate_step(act: Acting, turn: Turn) -> VoiceAnswer:
    direction = turn.slot("direction")
    if direction not in ("up", "down"):
        raise AskBack("Warmer or cooler?", Question("direction", turn.match))
    entities = find_targets(turn, {"climate"})
    if len(entities) > 1 and not turn.slot("hub_each"):
        raise ask_which(turn, entities)
    actions: list[ServiceAction] = []
    said: list[str] = []
    for entity in entities:  # several only when the answer to "which one?" was "both"
        done, speech = await _step_one(act, turn, entity, direction == "up")
        actions += done
        said.append(speech)
    return act.done(turn, " ".join(said), actions)


async def _step_one(
    act: Acting, turn: Turn, entity: NamedEntity, up: bool
) -> tuple[list[ServiceAction], str]:
    state = act.hub.states.get(entity.entity_id)
    attrs = state.attributes if state is not None else {}
    base = _number(attrs.get("temperature"))
    reading = base is None  # no set-point known: the step starts from the room's reading
    if base is None:
        base = _number(attrs.get("current_temperature"))
    if base is None:
        raise NotUnderstood(f"I don't know what {answers.the(entity.name)} is set to.", "no_value")
    asked = _number(turn.slot("hub_amount")) or 1.0
    step = min(abs(asked), MAX_STEP)
    low, high = climate_limits(act, entity, base)
    target = min(max(round(base + (step if up else -step), 1), low), high)
    name = answers.the(entity.name)
    if (up and target <= base) or (not up and target >= base):
        edge, limit = ("higher", high) if up else ("lower", low)
        now = f"reads {degrees(base)}" if reading else f"is set to {degrees(base)}"
        return [], f"{_capital(name)} {now}; I don't set it {edge} than {limit:g}."
    actions = await act.call(turn, [entity], lambda e: "set_temperature", {"temperature": target})
    verb = "Raised" if up else "Lowered"
    if target in (low, high):
        edge = "highest" if target == high else "lowest"
        return actions, f"{verb} {name} to {target:g} degrees, the {edge} I set."
    if abs(asked) > MAX_STEP:
        return actions, (
            f"That's a big change at once, so I {verb.lower()} {name} by {step:g} degrees, "
            f"to {target:g}."
        )
    return actions, f"{verb} {name} to {target:g} degrees."


# -- the volume ----------------------------------------------------------------------------


def volume_of(act: Acting, entity: NamedEntity) -> float | None:
    """A player's volume as 0..1 (a fixture's "50" is read as percent)."""
    state = act.hub.states.get(entity.entity_id)
    level = _number(state.attributes.get("volume_level")) if state is not None else None
    if level is None:
        return None
    return level / 100 if level > 1 else level


async def volume_step(act: Acting, turn: Turn) -> VoiceAnswer:
    entities = find_targets(turn, {"media_player"})
    if len(entities) > 1 and not turn.slot("hub_each"):
        awake = [e for e in entities if act.state(e) not in ("off", "unavailable", "unknown")]
        playing = [e for e in awake if act.state(e) == "playing"]
        entities = playing or awake or entities
        if len(entities) > 1:
            raise ask_which(turn, entities)
    up = turn.slot("direction") == "up"
    actions: list[ServiceAction] = []
    said: list[str] = []
    for entity in entities:
        level = volume_of(act, entity)
        name = answers.the(entity.name)
        if level is None:
            raise NotUnderstood(
                f"I don't know how loud {name} is; say 'set the volume to 30'.", "no_value"
            )
        target = round(min(1.0, max(0.0, level + (VOLUME_STEP if up else -VOLUME_STEP))), 2)
        if target == level:
            said.append(f"{_capital(name)} is already as {'loud' if up else 'quiet'} as it goes.")
            continue
        actions += await act.call(turn, [entity], lambda e: "volume_set", {"volume_level": target})
        said.append(f"Turned {name} {'up' if up else 'down'} to {target * 100:.0f} percent.")
    return act.done(turn, " ".join(said), actions)


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


# -- everything -----------------------------------------------------------------------------


async def everything_off(act: Acting, turn: Turn) -> VoiceAnswer:
    place = where_said(turn)
    if not turn.slot("hub_entity_ids"):
        return act.done(
            turn,
            f"There's nothing{place} for me to turn off: I leave locks, doors, blinds and the "
            "heating as they are.",
            [],
        )
    entities = find_targets(turn)
    actions = await act.call(turn, entities, lambda e: "turn_off")
    counts: dict[str, list[str]] = {}
    for entity in entities:
        counts.setdefault(NOUN.get(entity.domain, "device"), []).append(entity.name)
    parts = [
        answers.the(names[0])
        if len(names) == 1
        else f"{len(names)} {noun}es"
        if noun == "switch"
        else f"{len(names)} {noun}s"
        for noun, names in counts.items()
    ]
    return act.done(turn, f"Turned off everything{place}: {answers.join_names(parts)}.", actions)


async def everything_on(act: Acting, turn: Turn) -> VoiceAnswer:
    return VoiceAnswer(
        "I don't turn everything on at once. Tell me what to turn on, like 'turn on the "
        "lights in here'.",
        None,
        False,
        error="unsupported",
    )


async def later(act: Acting, turn: Turn) -> VoiceAnswer:
    """A request for a later time: nothing is done now, and no schedule is made by voice."""
    return VoiceAnswer(
        "I can only do that now, not at a set time. Ask me again when you want it done, or "
        "make an automation in the app.",
        None,
        False,
        error="unsupported",
    )


async def no_such_device(act: Acting, turn: Turn) -> VoiceAnswer:
    """A kind of device the home has none of: understood, and answered as it is."""
    noun = str(turn.slot("hub_noun") or "device")
    return VoiceAnswer(f"There's no {noun} in this home that I know of.", None, True)


# -- what the hub can do here -------------------------------------------------------------

ABILITIES = (
    ("light", "turn lights on and off and make them brighter or dimmer"),
    ("climate", "change the temperature"),
    ("cover", "open and close the blinds"),
    ("media_player", "turn the TV on, off, up or down"),
    ("vacuum", "start the vacuum"),
    ("script", "run your scenes and scripts"),
    ("todo", "add things to your lists"),
)


def example(turn: Turn) -> str:
    """A request that works here: a light in the speaker's room, else any light or switch."""
    area = turn.home.area(turn.area)
    for domain in ("light", "switch", "fan"):
        found = [e for e in turn.home.entities if e.domain == domain]
        mine = [e for e in found if area is not None and e.area_id == area.id]
        for entity in mine or found:
            return f"turn on {answers.the(entity.name)}"
    return "what time is it"


def abilities(turn: Turn, most: int = 5) -> list[str]:
    """What works in this home, by the kinds of device it has (at most `most` of them)."""
    domains = {e.domain for e in turn.home.entities} | (
        {"script"} if any(e.domain == "scene" for e in turn.home.entities) else set()
    )
    return [text for domain, text in ABILITIES if domain in domains][:most]


async def help_here(act: Acting, turn: Turn) -> VoiceAnswer:
    locks = [e for e in turn.home.entities if e.domain == "lock"]
    asked = f"is {answers.the(locks[0].name)} locked?" if locks else "what time is it?"
    said = answers.join_names([*abilities(turn), f"answer questions like '{asked}'"])
    return VoiceAnswer(f"Here I can {said}. Try '{example(turn)}'.", None, True)


async def thanks(act: Acting, turn: Turn) -> VoiceAnswer:
    return act.done(turn, "You're welcome.", [])


async def hello(act: Acting, turn: Turn) -> VoiceAnswer:
    return act.done(turn, "Hello, I'm here. What can I do for you?", [])


def hint(turn: Turn) -> str:
    """What to try instead, after a request no reading matched."""
    can = ", ".join(abilities(turn, most=2) or ["turn things on and off"])
    return f"I can {can} and more. Try '{example(turn)}', or ask 'what can you do?'"
