"""A device spared by the request itself: "turn off the kitchen lights but leave the
countertop", "all the lights off except the hall". The sparing words are taken off before the
request is read, and the devices they name (or the room: "except in the kitchen") are taken out
of what the request then finds; a spared name the home does not know is said, and nothing is
done, since what the person wanted left alone cannot be told apart."""

from __future__ import annotations

import re
from dataclasses import replace

from hearthmind.core import Context

from .home import HomeVocabulary, normalize_name
from .intents import IntentMatch
from .naming import entity_names, named_by
from .places import area_named
from .targets import find_targets
from .turns import NotUnderstood, Turn

SPARED = re.compile(
    r"[,;]?\s+(?:(?:but|and)\s+(?:leave|keep|not|don'?t\s+(?:touch|turn|switch|do))|"
    r"except(?:\s+for)?|apart\s+from|other\s+than|save\s+for|but\s+not)\s+"
    r"(?:(?:the|my|off|on)\s+)?(?P<what>[\w' ]+?)"
    r"(?:\s+(?:on|off|alone|as\s+it\s+is|be|lit|open|closed|please))*[.!?]?$",
    re.I,
)


def split_spared(said: str) -> tuple[str, str | None]:
    """The request without its sparing words, and the device they name (or None)."""
    found = SPARED.search(said)
    if found is None or found.start() == 0:
        return said, None
    return said[: found.start()].rstrip(" ,;"), normalize_name(found.group("what"))


def without_spared(
    match: IntentMatch,
    spared: str,
    home: HomeVocabulary,
    context: Context,
    area: str | None,
) -> IntentMatch:
    """The request for every device it finds but the spared one(s)."""
    turn = Turn(match, home, context, None, area)
    try:
        found = find_targets(turn)
    except NotUnderstood:
        return match  # nothing there: the handler says so
    place = area_named(home, re.sub(r"^(?:in|from)\s+", "", spared))
    named = entity_names(home, None).get(spared)
    words = [w for w in spared.split() if w not in ("light", "lights", "lamp")] or spared.split()

    def spare(entity_id: str) -> bool:
        if place is not None:
            return any(e.entity_id == entity_id and e.area_id == place.id for e in home.entities)
        if named is not None:
            return entity_id == named
        return any(e.entity_id == entity_id and named_by(e, words) for e in home.entities)

    if place is None and named is None and not any(named_by(e, words) for e in home.entities):
        return IntentMatch("HubDeviceAction", unmatched={"name": spared}, source="reader")
    kept = [e.entity_id for e in found if not spare(e.entity_id)]
    if len(kept) == len(found) or not kept:
        return match  # nothing of what it found was spared (or all was): as it was said
    slots = {k: v for k, v in match.slots.items() if k not in ("area", "domain", "name", "floor")}
    return replace(match, slots={**slots, "hub_entity_ids": kept})
