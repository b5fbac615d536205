"""Homes in Home Assistant's intent-test fixture format (`_fixtures.yaml`: floors, areas,
entities with name/id/area/state/attributes), for benchmarks, tests and demos.

`populate_hub` puts such a home into a hub: areas in the registries, one state per entity
(friendly_name, aliases from name templates), and a small in-process device behind each
controllable entity that does what the domain services ask and reports its new state."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from hearthmind.core import Area, Context, Floor, HearthmindError, Hub, Origin
from hearthmind.core.domains import SERVICE_STATE

from .home import HomeVocabulary, NamedArea, NamedEntity, NamedFloor


def expand_names(template: str) -> tuple[str, ...]:
    """'Trader Joe[']s' -> ("Trader Joe's", "Trader Joes") (hassil template syntax)."""
    from hassil import is_template, parse_sentence, sample_expression

    if not is_template(template):
        return (template.strip(),)
    names = [" ".join(s.split()) for s in sample_expression(parse_sentence(template).expression)]
    return tuple(dict.fromkeys(n for n in names if n))


def _entity_id(entity: Mapping[str, Any]) -> str:
    """The fixture's id made valid ('sensor.price_per_kW' -> 'sensor.price_per_kw')."""
    raw = str(entity.get("id") or "")
    if not raw:
        name = expand_names(str(entity["name"]))[0]
        raw = f"{entity.get('domain', 'light')}.{name}"
    domain, _, object_id = raw.partition(".")
    clean = re.sub(r"[^a-z0-9_]+", "_", object_id.lower()).strip("_") or "unnamed"
    return f"{domain.lower()}.{clean}"


def home_from_fixtures(
    fixtures: Mapping[str, Any], base: HomeVocabulary | None = None
) -> HomeVocabulary:
    home = HomeVocabulary(
        list(base.areas) if base else [],
        list(base.floors) if base else [],
        list(base.entities) if base else [],
    )
    for floor in fixtures.get("floors") or []:
        home.floors.append(
            NamedFloor(str(floor.get("id", floor["name"])), expand_names(floor["name"]))
        )
    for area in fixtures.get("areas") or []:
        home.areas.append(
            NamedArea(
                str(area.get("id", area["name"])), expand_names(area["name"]), area.get("floor")
            )
        )
    for entity in fixtures.get("entities") or []:
        home.entities.append(
            NamedEntity(
                _entity_id(entity),
                expand_names(str(entity["name"])),
                entity.get("area"),
                dict(entity.get("attributes") or {}),
            )
        )
    return home


def populate_hub(hub: Hub, fixtures: Mapping[str, Any]) -> None:
    ctx = hub.context(Origin.SENSOR)
    for floor in fixtures.get("floors") or []:
        names = expand_names(floor["name"])
        level = floor.get("level")
        hub.registries.add_floor(
            Floor(
                str(floor.get("id", floor["name"])),
                names[0],
                names[1:],
                int(level) if level is not None else None,
            )
        )
    for area in fixtures.get("areas") or []:
        area_id = str(area.get("id", area["name"]))
        names = expand_names(area["name"])
        floor_id = area.get("floor")
        hub.registries.add_area(
            Area(area_id, names[0], floor_id=str(floor_id) if floor_id else None, aliases=names[1:])
        )
    for entity in fixtures.get("entities") or []:
        entity_id = _entity_id(entity)
        names = expand_names(str(entity["name"]))
        raw_state = entity.get("state", "off")
        state = raw_state.get("out", "off") if isinstance(raw_state, Mapping) else str(raw_state)
        attributes = {**(entity.get("attributes") or {}), "friendly_name": names[0]}
        if len(names) > 1:
            attributes["aliases"] = list(names[1:])
        hub.states.async_set(entity_id, state, attributes, ctx)
        if entity.get("area"):
            hub.registries.set_entity_area(entity_id, str(entity["area"]))
        device = _todo_device(hub) if entity_id.startswith("todo.") else _device(hub)
        hub.entities.async_add(entity_id, "voice_fixtures", device)


NEW_STATE = {
    **SERVICE_STATE, "start": "cleaning", "return_to_base": "docked",
    "media_play": "playing", "media_pause": "paused", "media_stop": "idle",
    "open_valve": "open", "close_valve": "closed", "alarm_disarm": "disarmed",
    "alarm_arm_home": "armed_home", "alarm_arm_away": "armed_away",
}  # fmt: skip


def _device(hub: Hub) -> Any:
    async def handle(
        service: str, entity_id: str, data: Mapping[str, Any], context: Context
    ) -> None:
        old = hub.states.get(entity_id)
        step = data.get("brightness_step_pct", data.get("brightness_step"))
        dims = service == "turn_on" and isinstance(step, int | float) and step < 0
        if dims and (old is None or old.state != "on"):
            return  # dimming an off light leaves it off (HA steps from 0, and 0 is off)
        attributes = dict(old.attributes) if old else {}
        attributes.update({k: v for k, v in data.items() if not isinstance(v, tuple)})
        for key, value in data.items():
            if isinstance(value, tuple):
                attributes[key] = list(value)
        new = NEW_STATE.get(service, old.state if old else "unknown")
        if service == "toggle" and old is not None:
            new = "off" if old.state == "on" else "on"
        hub.states.async_set(entity_id, new, attributes, context)

    return handle


def _todo_device(hub: Hub) -> Any:
    """A to-do list kept in memory: its state is the number of items still to do, as HA's."""
    items: dict[str, bool] = {}  # item -> done

    async def handle(
        service: str, entity_id: str, data: Mapping[str, Any], context: Context
    ) -> None:
        item = str(data.get("item", "")).casefold()
        if service == "add_item":
            items[item] = False
        elif service == "update_item":
            if item not in items:
                raise HearthmindError(f"{item!r} is not on {entity_id}")
            items[item] = data.get("status") == "completed"
        old = hub.states.get(entity_id)
        attributes = dict(old.attributes) if old else {}
        hub.states.async_set(
            entity_id, str(sum(not d for d in items.values())), attributes, context
        )

    return handle
