"""Questions: a device's state, the temperature, the time and date, the weather; "never mind"."""

from __future__ import annotations

import re

from .. import answers
from ..acting import Acting
from ..home import NamedEntity, normalize_name
from ..targets import find_targets
from ..turns import Turn, VoiceAnswer
from .adjust import degrees, volume_of


async def get_state(act: Acting, turn: Turn) -> VoiceAnswer:
    entities = find_targets(turn, allow_whole_home=True)
    wanted = turn.slot("state")
    if entities and all(e.domain == "person" for e in entities):
        return _people(act, turn, entities, wanted)
    if wanted is not None:
        matching = [e for e in entities if _is(act, e, wanted)]
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


def _is(act: Acting, entity: NamedEntity, wanted: str) -> bool:
    """Whether the entity is in the state asked about; a thermostat is "on" in any mode but
    off (its state is heat, cool, auto ...)."""
    state = act.state(entity)
    if entity.domain == "climate" and wanted == "on":
        return state not in (None, "off", "unavailable", "unknown")
    return state == wanted


def _where(act: Acting, entity: NamedEntity) -> str:
    """Where a person is, as said: "in the kitchen", "home", "out", "at Work" (a zone).
    Person states are Home Assistant's (home, not_home, a zone); the room is an attribute."""
    state = act.hub.states.get(entity.entity_id)
    if state is None or state.state in ("unknown", "unavailable"):
        return "somewhere I don't know"
    if state.state == "not_home":
        return "out"
    if state.state != "home":
        return f"at {state.state}"
    room = state.attributes.get("room")
    area = act.hub.registries.areas.get(room) if isinstance(room, str) else None
    return f"home, in {_room_phrase(area.name)}" if area is not None else "home"


def _room_phrase(name: str) -> str:
    """A room as said after "in": the kitchen; Sam's room (no "the" before a name)."""
    if "'" in name:
        return name
    return "the " + (name[0].lower() + name[1:] if name[1:2].islower() else name)


def _people(act: Acting, turn: Turn, people: list[NamedEntity], wanted: str | None) -> VoiceAnswer:
    """Who is home, is Sam home, where is Sam: by person state (home/not_home/zone)."""
    if wanted is not None:
        matching = [p for p in people if act.state(p) == wanted]
        if turn.slot("name"):
            person = people[0]
            yes = "Yes" if matching else "No"
            return VoiceAnswer(f"{yes}, {person.name} is {_where(act, person)}.", None, True)
        if not matching:
            return VoiceAnswer("Nobody is." if wanted != "home" else "Nobody is home.", None, True)
        names = answers.join_names([p.name for p in matching])
        verb = "is" if len(matching) == 1 else "are"
        place = "home" if wanted == "home" else ("out" if wanted == "not_home" else f"at {wanted}")
        return VoiceAnswer(f"{names} {verb} {place}.", None, True)
    parts = [f"{p.name} is {_where(act, p)}" for p in people[:4]]
    return VoiceAnswer(answers.join_names(parts) + ".", None, True)


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
            try:
                said = degrees(float(temp))
            except (TypeError, ValueError):
                said = f"{temp} degrees"
            return VoiceAnswer(f"It's {said}.", None, True)
    for entity in entities:
        state = act.hub.states.get(entity.entity_id)
        target = state.attributes.get("temperature") if state is not None else None
        if isinstance(target, int | float):
            name = answers.the(entity.name)
            return VoiceAnswer(
                f"{name[:1].upper()}{name[1:]} has no reading; it is set to {degrees(target)}.",
                None,
                True,
            )
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


OUTDOOR = re.compile(r"\b(outside|outdoors?|exterior)\b", re.I)


async def get_setting(act: Acting, turn: Turn) -> VoiceAnswer:
    """What a device is set to ("what's the office thermostat set to?"): a thermostat's
    set-point (or, without one, its reading), a light's brightness, a player's volume."""
    entity = find_targets(turn)[0]
    state = act.hub.states.get(entity.entity_id)
    attrs = state.attributes if state is not None else {}
    name = answers.the(entity.name)
    name = name[:1].upper() + name[1:]
    if entity.domain == "climate":
        if attrs.get("temperature") is not None:
            return VoiceAnswer(f"{name} is set to {attrs['temperature']} degrees.", None, True)
        reading = attrs.get("current_temperature")
        now = f"; it reads {reading} degrees" if reading is not None else ""
        return VoiceAnswer(f"{name} has no set temperature{now}.", None, True)
    if entity.domain == "light" and attrs.get("brightness") is not None:
        percent = round(float(attrs["brightness"]) / 255 * 100)
        return VoiceAnswer(f"{name} is at {percent} percent.", None, True)
    if entity.domain == "media_player" and (level := volume_of(act, entity)) is not None:
        return VoiceAnswer(f"{name}'s volume is at {round(level * 100)} percent.", None, True)
    return VoiceAnswer(f"{name} is {act.state(entity) or 'unknown'}.", None, True)


async def outside_temperature(act: Acting, turn: Turn) -> VoiceAnswer:
    """How cold it is outside: the home's outdoor temperature sensor, else its weather."""
    for entity in turn.home.entities:
        state = act.hub.states.get(entity.entity_id)
        if entity.domain != "sensor" or state is None or not any(map(OUTDOOR.search, entity.names)):
            continue
        unit = str(state.attributes.get("unit_of_measurement") or "")
        if state.attributes.get("device_class") == "temperature" or unit in ("°C", "°F"):
            return VoiceAnswer(f"It's {state.state} {unit} outside.".replace("  ", " "), None, True)
    for entity in turn.home.entities:
        state = act.hub.states.get(entity.entity_id)
        if entity.domain == "weather" and state is not None:
            temp = state.attributes.get("temperature")
            if temp is not None:
                return VoiceAnswer(f"It's {temp} degrees and {state.state} outside.", None, True)
    return VoiceAnswer("I don't have a reading from outside.", None, False, error="no_value")


async def who_is_home(act: Acting, turn: Turn) -> VoiceAnswer:
    """Who is in, from the home's people (person entities at "home")."""
    people = act.hub.states.async_all("person")
    if not people:
        return VoiceAnswer("I can't tell: nobody is set up as a person in this home.", None, True)
    home = [p.name for p in people if p.state == "home"]
    if not home:
        return VoiceAnswer("Nobody is home.", None, True)
    verb = "is" if len(home) == 1 else "are"
    return VoiceAnswer(f"{answers.join_names(home)} {verb} home.", None, True)


async def where_is(act: Acting, turn: Turn) -> VoiceAnswer:
    """Where one of the home's people is: their person entity's state (home, away, a zone)."""
    said = str(turn.slot("name") or "").strip()
    for person in act.hub.states.async_all("person"):
        if person.name.casefold() == said.casefold() or person.entity_id == f"person.{said}":
            where = {"home": "at home", "not_home": "away"}.get(person.state, f"at {person.state}")
            return VoiceAnswer(f"{person.name} is {where}.", None, True)
    return VoiceAnswer(f"I don't know anyone called {said.title()} here.", None, True)


async def humidity(act: Acting, turn: Turn) -> VoiceAnswer:
    """How humid it is: the room's humidity sensors, else the home's (outdoors said so)."""
    sensors = [
        e for e in turn.home.entities
        if e.domain == "sensor" and e.attributes.get("device_class") == "humidity"
    ]  # fmt: skip
    area = turn.home.area(str(turn.slot("area") or "")) or turn.home.area(turn.area or "")

    def in_area(entity: NamedEntity) -> bool:
        if area is None:
            return False
        named = any(normalize_name(n) in normalize_name(entity.name) for n in area.names)
        return entity.area_id == area.id or (entity.area_id is None and named)

    here = [e for e in sensors if in_area(e)]
    if not sensors:
        return VoiceAnswer("There's no humidity sensor in this home.", None, True)
    missing = f"There's no humidity sensor in the {area.name}; " if area and not here else ""
    readings = []
    for entity in (here or sensors)[:3]:
        state = act.hub.states.get(entity.entity_id)
        value = state.state if state is not None else "unknown"
        readings.append(f"{answers.the(entity.name)} reads {value} percent")
    text = "; ".join(readings)
    said = f"{missing}{text}." if missing else f"{text[:1].upper()}{text[1:]}."
    return VoiceAnswer(said, None, True)
