"""Where things are in a home, as residents think of it: the kitchen light, the coffee machine,
the front door. Found from the home's YAML by area and role, in file order (stable)."""

from __future__ import annotations

from dataclasses import dataclass, field

from .spec import HomeSpec

AWAY = "away"  # where a resident is when not at home (not an area)


@dataclass(slots=True)
class AreaThings:
    lights: list[str] = field(default_factory=list)
    covers: list[str] = field(default_factory=list)
    motion: list[str] = field(default_factory=list)
    tvs: list[str] = field(default_factory=list)
    thermostats: list[str] = field(default_factory=list)
    temperature: list[str] = field(default_factory=list)
    windowless: bool = False


class Layout:
    def __init__(self, spec: HomeSpec) -> None:
        self.spec = spec
        self.areas: dict[str, AreaThings] = {
            a.id: AreaThings(windowless=a.windowless) for a in spec.areas
        }
        self.roles: dict[str, str] = {}
        for device, entity in spec.entities():
            things = self.areas[device.area]
            kind = entity.resolved_kind
            if entity.role:
                self.roles.setdefault(entity.role, entity.entity_id)
            if kind == "light":
                things.lights.append(entity.entity_id)
            elif kind == "cover":
                things.covers.append(entity.entity_id)
            elif kind == "motion":
                things.motion.append(entity.entity_id)
            elif kind == "tv":
                things.tvs.append(entity.entity_id)
            elif kind == "thermostat":
                things.thermostats.append(entity.entity_id)
            elif kind == "temperature" and entity.role != "outdoor":
                things.temperature.append(entity.entity_id)
        self.kitchen = self._area("kitchen")
        self.living = self._area("living_room", "living", "lounge")
        self.bathroom = self._area("bathroom", "bath")
        self.hallway = self._area("hallway", "hall", "entrance")
        self.office = self._area("office", "study")
        thermostats = [t for a in self.areas.values() for t in a.thermostats]
        self.thermostat = thermostats[0] if thermostats else None

    def _area(self, *names: str) -> str | None:
        for name in names:
            if name in self.areas:
                return name
        for name in names:
            for area in self.areas:
                if name in area:
                    return area
        return None

    def role(self, role: str) -> str | None:
        return self.roles.get(role)

    def light(self, area: str | None) -> str | None:
        if area is None or area not in self.areas:
            return None
        lights = self.areas[area].lights
        return lights[0] if lights else None

    def lights(self, area: str | None) -> list[str]:
        if area is None or area not in self.areas:
            return []
        return list(self.areas[area].lights)

    def cover(self, area: str | None) -> str | None:
        if area is None or area not in self.areas:
            return None
        covers = self.areas[area].covers
        return covers[0] if covers else None

    def tv(self, area: str | None) -> str | None:
        if area is None or area not in self.areas:
            return None
        tvs = self.areas[area].tvs
        return tvs[0] if tvs else None
