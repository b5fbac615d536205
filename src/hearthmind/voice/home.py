"""What the voice pipeline knows of the home: the names of its areas, floors and entities.

Built from the hub (areas from the registries, entity names from each state's
`friendly_name` and `aliases` attributes), or from any mapping in Home Assistant's intent
test fixture shape, so sentences are matched against this home's own words."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from hearthmind.core import Hub, split_entity_id

from .learned import learned_names

# Context keys copied from an entity's attributes into the slot list, so templates that
# require e.g. `device_class: window` can pick the right entities (as Home Assistant does).
CONTEXT_ATTRIBUTES = ("device_class", "supported_features")


def normalize_name(name: str) -> str:
    """Names are compared case-folded, without punctuation or repeated spaces."""
    return re.sub(r"\s+", " ", re.sub(r"[^\w\s']", " ", name.casefold())).strip()


@dataclass(frozen=True, slots=True)
class NamedArea:
    id: str
    names: tuple[str, ...]
    floor_id: str | None = None

    @property
    def name(self) -> str:
        return self.names[0]


@dataclass(frozen=True, slots=True)
class NamedFloor:
    id: str
    names: tuple[str, ...]
    level: int | None = None  # 0 the ground floor, as Home Assistant numbers them

    @property
    def name(self) -> str:
        return self.names[0]


@dataclass(frozen=True, slots=True)
class NamedEntity:
    entity_id: str
    names: tuple[str, ...]
    area_id: str | None = None
    attributes: Mapping[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.names[0]

    @property
    def domain(self) -> str:
        return split_entity_id(self.entity_id)[0]

    def context(self) -> dict[str, Any]:
        ctx: dict[str, Any] = {"domain": self.domain}
        for key in CONTEXT_ATTRIBUTES:
            if key in self.attributes:
                ctx[key] = self.attributes[key]
        return ctx


@dataclass(slots=True)
class HomeVocabulary:
    """Areas, floors and entities with every name a person may call them by."""

    areas: list[NamedArea] = field(default_factory=list)
    floors: list[NamedFloor] = field(default_factory=list)
    entities: list[NamedEntity] = field(default_factory=list)

    @classmethod
    def from_hub(cls, hub: Hub, *, with_floors: bool = False) -> HomeVocabulary:
        """The home as the hub knows it now. Floors only `with_floors`: the grammar's home
        leaves them out, because the speech models are built from samples of the grammar
        with this home's names, and floor names would add sentences to those samples (the
        speech figures were measured without them); floors are read after the grammar, by
        the conversation layer (understanding.py)."""
        areas = [
            NamedArea(area.id, _names(area.name, area.aliases), area.floor_id)
            for area in hub.registries.areas.values()
        ]
        floors = (
            [
                NamedFloor(floor.id, _names(floor.name, floor.aliases), floor.level)
                for floor in hub.registries.floors.values()
            ]
            if with_floors
            else []
        )
        entities: list[NamedEntity] = []
        learned = learned_names(hub)  # names people gave things in conversation (learned.py)
        for state in hub.states.async_all():
            if state.domain in ("zone", "sun"):
                continue
            friendly = state.attributes.get("friendly_name")
            if not isinstance(friendly, str) or not friendly.strip():
                continue
            area = hub.registries.area_of(state.entity_id)
            aliases = (
                *(state.attributes.get("aliases") or ()),
                *learned.names_for(state.entity_id),
            )
            entities.append(
                NamedEntity(
                    state.entity_id,
                    _names(friendly, aliases),
                    area.id if area else None,
                    dict(state.attributes),
                )
            )
        return cls(areas=areas, floors=floors, entities=entities)

    def area(self, name: str | None) -> NamedArea | None:
        if not name:
            return None
        wanted = normalize_name(name)
        for area in self.areas:
            if area.id == name or any(normalize_name(n) == wanted for n in area.names):
                return area
        return None

    def floor(self, name: str | None) -> NamedFloor | None:
        if not name:
            return None
        wanted = normalize_name(name)
        for floor in self.floors:
            if floor.id == name or any(normalize_name(n) == wanted for n in floor.names):
                return floor
        return None

    def find_entities(
        self,
        *,
        name: str | None = None,
        area: str | None = None,
        floor: str | None = None,
        domains: Iterable[str] | None = None,
        device_classes: Iterable[str] | None = None,
    ) -> list[NamedEntity]:
        """Entities matching every constraint given (a name, an area, a floor, domains)."""
        wanted_name = normalize_name(name) if name else None
        area_rec = self.area(area) if area else None
        if area and area_rec is None:
            return []
        floor_rec = self.floor(floor) if floor else None
        if floor and floor_rec is None:
            return []
        floor_areas = {a.id for a in self.areas if floor_rec and a.floor_id == floor_rec.id}
        domain_set = set(domains) if domains else None
        class_set = set(device_classes) if device_classes else None
        found = []
        for entity in self.entities:
            if wanted_name and all(normalize_name(n) != wanted_name for n in entity.names):
                continue
            if area_rec and entity.area_id != area_rec.id:
                continue
            if floor_rec and entity.area_id not in floor_areas:
                continue
            if domain_set and entity.domain not in domain_set:
                continue
            if class_set and entity.attributes.get("device_class") not in class_set:
                continue
            found.append(entity)
        return found

    def words(self) -> set[str]:
        """Every word of every name: the vocabulary a grammar-based recogniser needs."""
        out: set[str] = set()
        for names in (
            *(a.names for a in self.areas),
            *(f.names for f in self.floors),
            *(e.names for e in self.entities),
        ):
            for n in names:
                out.update(normalize_name(n).split())
        return out


def _names(name: str, aliases: Any) -> tuple[str, ...]:
    extra = [aliases] if isinstance(aliases, str) else list(aliases or ())
    seen: list[str] = []
    for n in [name, *extra]:
        n = str(n).strip()
        if n and n not in seen:
            seen.append(n)
    return tuple(seen)
