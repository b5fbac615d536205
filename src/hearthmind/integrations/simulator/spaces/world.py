"""A world of hubs and travelling people: a home hub and a car hub per person, one hotel hub
(100 rooms, other guests filling most nights), one office hub (hot desks, meeting rooms) and
one rental-car hub, on one simulated clock.

With `profiles=True` each hub runs `hearthmind.spaces.SpacesHub`; the people's profiles live
in their home hubs and start empty; the other hubs are paired with each home and ask for what
the person shares with their kind. With `profiles=False` no hub has the package and every
space runs on its own defaults (what cars, hotels and offices do today: a car remembers its
driver's last settings, a thermostat returns from away mode on arrival). Everything else,
the people, their days and their noise, is the same for the same seed.

`messages` holds every envelope that left a hub, for the benchmark's consent check."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from hearthmind.core import Hub, Origin, SimulatedClock, SpaceKind
from hearthmind.spaces.exchange import InProcessTransport, pair
from hearthmind.spaces.manager import SpacesHub
from hearthmind.spaces.profile import Category, Identity, Profile

from .itinerary import MINUTE
from .layouts import SimArea, build_car, build_home, build_hotel, build_office
from .people import Person, draw_person

START = datetime(2026, 1, 5, tzinfo=UTC)  # a Monday in winter
CHECKS_MIN = (3, 15, 30, 60, 90)  # when a person who just arrived feels the room again
WINDOW_MIN = 120  # minutes after arrival counted for out-of-band
HOME_RETURN_GUESS = 40 * MINUTE  # the office's guess of the way home, for its hint


@dataclass
class StayResult:
    person: str
    place: str
    area_id: str
    start: float
    first: bool
    measured: bool
    adjustments: int = 0
    out_of_band_min: int = 0
    window_min: int = 0


@dataclass
class World:
    seed: int
    days: int
    profiles: bool
    people_count: int = 12
    warmup_days: int = 14
    hotel_rooms: int = 100
    desks: int = 40
    meeting_rooms: int = 6
    rental_cars: int = 20
    hotel_fill: float = 0.65
    offline_rate: float = 0.05
    clock: SimulatedClock = field(init=False)
    transport: InProcessTransport = field(default_factory=InProcessTransport)
    hubs: dict[str, Hub] = field(default_factory=dict)
    spaces: dict[str, SpacesHub] = field(default_factory=dict)
    kinds: dict[str, SpaceKind] = field(default_factory=dict)  # hub id -> its spaces' kind
    areas: dict[str, SimArea] = field(default_factory=dict)
    people: dict[str, Person] = field(default_factory=dict)
    results: list[StayResult] = field(default_factory=list)
    messages: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.clock = SimulatedClock(START)
        rng = random.Random(self.seed)
        self._hub("hotel", SpaceKind.HOTEL_ROOM)
        for area in build_hotel(self.hubs["hotel"], "hotel", self.hotel_rooms, self.seed):
            self.areas[area.area_id] = area
        self._hub("office", SpaceKind.OFFICE)
        desks, rooms = build_office(
            self.hubs["office"], "office", self.desks, self.meeting_rooms, self.seed
        )
        for area in desks + rooms:
            self.areas[area.area_id] = area
        self._hub("rental", SpaceKind.VEHICLE)
        for n in range(self.rental_cars):
            area = build_car(self.hubs["rental"], f"rental_{n}")
            self.areas[area.area_id] = area
        for n in range(self.people_count):
            pid = f"p{n}"
            self.people[pid] = draw_person(pid, random.Random(rng.getrandbits(64)))
            self._hub(f"home-{pid}", SpaceKind.HOME)
            self.areas[f"home_{pid}_living"] = build_home(self.hubs[f"home-{pid}"], f"home_{pid}")
            self._hub(f"car-{pid}", SpaceKind.VEHICLE)
            self.areas[f"car_{pid}_cabin"] = build_car(self.hubs[f"car-{pid}"], f"car_{pid}")
        if self.profiles:
            self._set_up_profiles()
        for area in self.areas.values():
            if area.kind == SpaceKind.HOTEL_ROOM:
                self._housekeeping(area, sold=False)

    def _hub(self, hub_id: str, kind: SpaceKind) -> None:
        hub = Hub(clock=self.clock, seed=self.seed)
        self.hubs[hub_id] = hub
        self.kinds[hub_id] = kind
        if self.profiles:
            spaces = SpacesHub(hub, hub_id, self.transport)
            self.spaces[hub_id] = spaces
            self.transport.register(hub_id, spaces.async_receive)
            spaces.on_send.append(lambda peer, env: self.messages.append((hub_id, peer, env)))

    def _set_up_profiles(self) -> None:
        for pid, person in self.people.items():
            home = self.spaces[f"home-{pid}"]
            profile = Profile(
                pid, f"Person {pid}", Identity(phone=f"+00{pid}", key_id=f"key-{pid}")
            )
            profile.consent = {k: {Category(c) for c in v} for k, v in person.consent.items()}
            home.add_profile(profile, home_areas=[f"home_{pid}_living"])
            for peer in (f"car-{pid}", "hotel", "office", "rental"):
                pair(home.keys, self.spaces[peer].keys)

    # -- the spaces' own behaviour (the same with profiles on or off) ---------------------------

    def _staff(self) -> Any:
        return self.hubs["hotel"].context(Origin.PHYSICAL, "housekeeping")

    def _housekeeping(self, area: SimArea, sold: bool) -> None:
        """Rooms for sale wait in eco; a room sold for tonight is made up with the defaults."""
        ctx = self._staff()
        temp = area.defaults["temperature"] if sold else area.defaults["unsold_temperature"]
        if area.climate is not None:
            area.climate.set_by(ctx, "set_temperature", {"temperature": temp})
        if area.light is not None:
            area.light.set_by(
                ctx,
                "turn_on",
                {"brightness_pct": area.defaults["brightness"], "color_temp_kelvin": 3000},
            )
            area.light.set_by(ctx, "turn_off", {})

    def _space_arrival(self, area: SimArea, hub: Hub) -> None:
        ctx = hub.context(Origin.AUTOMATION)
        away = area.defaults.get("away_temperature")
        climate = area.climate
        # back from away mode to the comfort set-point, as a thermostat with a schedule does
        if area.kind == SpaceKind.HOME and climate is not None and climate.setpoint == away:
            climate.set_by(ctx, "set_temperature", {"temperature": area.defaults["temperature"]})
        if area.kind == SpaceKind.VEHICLE and area.climate is not None:
            area.climate.set_by(ctx, "turn_on", {})
        if area.light is not None and not area.light.on:
            area.light.set_by(ctx, "turn_on", {})  # a key card, a presence sensor

    def _space_departure(self, area: SimArea, hub: Hub) -> None:
        ctx = hub.context(Origin.AUTOMATION)
        if area.kind == SpaceKind.HOME and area.climate is not None:
            area.climate.set_by(
                ctx, "set_temperature", {"temperature": area.defaults["away_temperature"]}
            )
        if area.kind == SpaceKind.VEHICLE and area.climate is not None:
            area.climate.set_by(ctx, "turn_off", {})
        if area.kind == SpaceKind.HOTEL_ROOM:
            self._housekeeping(area, sold=False)
        elif area.kind == SpaceKind.OFFICE:
            d = area.defaults
            if area.light is not None:
                area.light.set_by(
                    ctx,
                    "turn_on",
                    {
                        "brightness_pct": d["brightness"],
                        "color_temp_kelvin": int(d.get("color_temp", 4000)),
                    },
                )
            if area.fan is not None:
                area.fan.set_by(ctx, "set_percentage", {"percentage": 0})
            if area.climate is not None:
                area.climate.set_by(ctx, "set_temperature", {"temperature": d["temperature"]})
        elif area.light is not None:
            area.light.set_by(ctx, "turn_off", {})
