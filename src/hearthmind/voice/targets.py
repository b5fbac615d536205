"""Which devices a request means: its name, area and floor slots read against the home's
vocabulary, narrowed by the domains the intent can act on, falling back to the speaker's room
(the satellite's area), then to the whole home where that is safe. Understanding only: nothing
here calls a service."""

from __future__ import annotations

from .answers import the
from .home import NamedEntity
from .turns import NotUnderstood, Turn

NOUN = {
    "light": "light",
    "switch": "switch",
    "fan": "fan",
    "cover": "cover",
    "lock": "lock",
    "media_player": "player",
    "climate": "thermostat",
    "vacuum": "vacuum",
    "scene": "scene",
    "script": "script",
}

# device intents, with the domains their target must be in (None: any)
TARGETED_INTENTS: dict[str, set[str] | None] = {
    "HassTurnOn": None,
    "HassTurnOff": None,
    "HassLightSet": {"light"},
    "HubLightStep": {"light"},
    "HassSetPosition": {"cover", "valve"},
    "HassGetState": None,
    "HassClimateGetTemperature": {"climate", "sensor"},
    "HassClimateSetTemperature": {"climate"},
    "HassGetWeather": {"weather"},
}


def has_target(turn: Turn) -> bool:
    """Whether a device intent points at something this home has ("turn on the living room
    fan" does not, in a home with no fan there). Intents without a target pass."""
    if turn.match.intent not in TARGETED_INTENTS:
        return True
    try:
        find_targets(turn, TARGETED_INTENTS[turn.match.intent], allow_whole_home=True)
    except NotUnderstood:
        return False
    return True


def where_said(turn: Turn) -> str:
    """ " in the Kitchen", " upstairs", " on the First Floor", or "" when no place was said."""
    if turn.slot("area"):
        return f" in {the(str(turn.slot('area')))}"
    floor = str(turn.slot("floor") or "")
    if floor.casefold() in ("upstairs", "downstairs"):
        return f" {floor.casefold()}"
    return f" on {the(floor)}" if floor else ""


def find_targets(
    turn: Turn, domains: set[str] | None = None, *, allow_whole_home: bool = False
) -> list[NamedEntity]:
    """The entities an intent's slots point at; NotUnderstood when there are none.

    A request read by the conversation layer (understanding.py) names its devices outright
    (`hub_entity_ids`), or asks for the whole home (`hub_scope: home`, "all the lights");
    the grammar never fills those slots."""
    chosen = turn.slot("hub_entity_ids")
    if chosen is not None:
        by_id = {e.entity_id: e for e in turn.home.entities}
        found = [by_id[i] for i in chosen if i in by_id]
        found = [e for e in found if not domains or e.domain in domains]
        if not found:
            noun = turn.slot("hub_noun") or (
                NOUN.get(next(iter(domains)), "device")
                if domains and len(domains) == 1
                else "device"
            )
            where = where_said(turn)
            if where:
                raise NotUnderstood(f"There's no {noun}{where} that I know of.", "no_target")
            raise NotUnderstood("Which device do you mean?", "no_target")
        return found
    name = turn.slot("name")
    area = turn.slot("area")
    floor = turn.slot("floor")
    domain_slot = turn.slot("domain")
    wanted = set(domains or ())
    if domain_slot:
        slot_domains = {domain_slot} if isinstance(domain_slot, str) else set(domain_slot)
        wanted = wanted & slot_domains if wanted else slot_domains
    classes = turn.slot("device_class")
    class_set = {classes} if isinstance(classes, str) else set(classes or ()) or None
    home = turn.home
    if name:
        found = home.find_entities(
            name=name, area=area if area and "area" not in turn.match.context_slots else None
        )
        if not found:
            found = home.find_entities(name=name)
        if wanted:
            found = [e for e in found if e.domain in wanted] or found
        if not found:
            raise NotUnderstood(f"I don't know a device called {name}.")
        return found
    if area or floor:
        found = home.find_entities(
            area=area, floor=floor, domains=wanted or None, device_classes=class_set
        )
        if not found:
            where = f"the {area}" if area else f"the {floor}"
            noun = NOUN.get(next(iter(wanted)), "device") if len(wanted) == 1 else "device"
            raise NotUnderstood(f"There's no {noun} in {where} that I know of.", "no_target")
        return found
    whole_home = turn.slot("hub_scope") == "home"
    if turn.area and not whole_home:
        found = home.find_entities(area=turn.area, domains=wanted or None, device_classes=class_set)
        if found:
            return found
    if wanted and (allow_whole_home or whole_home or wanted <= {"light"}):
        found = home.find_entities(domains=wanted, device_classes=class_set)
        if found:
            return found
    raise NotUnderstood("Which device do you mean?", "no_target")
