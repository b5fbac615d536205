"""What a number said in a conversation means: a room "to 20" is a temperature where the room
has a thermostat and nothing says light; "actually, make that 18" is the last request again
with the new value. Both read after the grammar, in the conversation layer only, so the
sentence grammar (and the speech figures' samples) stay as they are."""

from __future__ import annotations

import re
from dataclasses import replace

from .followups import with_value
from .home import HomeVocabulary
from .intents import IntentMatch
from .places import area_named
from .words import clean

# words that make a bare number a light's brightness ("set the office lights to 20")
LIGHT_SAID = re.compile(r"\b(?:lights?|lamps?|bright\w*|dim\w*|percent)\b")
# the range a bare number is read as degrees in (Celsius set-points people say)
DEGREES = (5.0, 35.0)
# "actually, make that 18", "no, 19 please", "change it to 21 instead": only a new value
REVALUE = re.compile(
    r"^(?:(?:no+|nope|actually|sorry|wait|oh|um+|hmm+|i mean|on second thoughts?|or rather)"
    r"[,.!]?\s+)*"
    r"(?:make (?:that|it)|change (?:that|it) to|set (?:that|it) to|let'?s (?:say|do|go with)|"
    r"how about|go with|try|to)?\s*"
    r"(\d+(?:\.\d+)?)\s*(?:degrees?|percent)?"
    r"(?:\s+(?:instead|then|please|thanks|thank you))*$"
)
CORRECTING = re.compile(
    r"\b(?:no+|nope|actually|sorry|wait|i mean|second thoughts?|rather|make (?:that|it)|"
    r"change (?:that|it)|instead|how about)\b"
)


def temperature_meant(
    match: IntentMatch, said: str, home: HomeVocabulary, speaker_area: str | None
) -> IntentMatch:
    """ "Set the office to 20": the grammar reads a room's brightness (Home Assistant's
    sentence "set <area> to <brightness>"); with a thermostat in that room, no word of
    light and a number people set rooms to, it is the room's temperature."""
    slots = match.slots
    if (
        match.intent != "HassLightSet"
        or "brightness" not in slots
        or not set(slots) <= {"area", "brightness"}
        or LIGHT_SAID.search(clean(said))
    ):
        return match
    value = float(slots["brightness"])
    if not DEGREES[0] <= value <= DEGREES[1]:
        return match
    place = str(slots.get("area") or "")
    area = area_named(home, place) if place else home.area(speaker_area or "")
    if area is None or not any(
        e.domain == "climate" and e.area_id == area.id for e in home.entities
    ):
        return match
    return replace(
        match,
        intent="HassClimateSetTemperature",
        slots={"area": area.name, "temperature": value},
    )


def revalued(last: IntentMatch | None, said: str) -> IntentMatch | None:
    """ "Actually, make that 18" after a request with a value: the request with 18."""
    if last is None:
        return None
    words = clean(said)
    found = REVALUE.match(words)
    if found is None or not CORRECTING.search(words):
        return None
    again = with_value(last, float(found.group(1)))
    return again if again is not last else None
