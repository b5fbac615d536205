"""The YAML description of a simulated home: areas, devices with their entities, residents.

`load_home("family")` loads a home shipped with the package (simulator/homes/*.yaml);
`load_home("path/to/home.yaml")` loads any file. Every error is a `ConfigError` naming the
file and the line."""

from __future__ import annotations

import re
from datetime import time
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from hearthmind.core import ConfigError, load_yaml, valid_entity_id, validate
from hearthmind.core.config import LineMap

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

# What a simulated entity is; the domain of its entity id decides the default.
EntityKind = Literal[
    "light",
    "switch",
    "fan",
    "cover",
    "lock",
    "thermostat",
    "tv",
    "motion",
    "door",
    "temperature",
    "power",
    "energy",
]
# kinds the simulator makes itself (a heated room's heat pump with `thermal: physics: rc`);
# a home file cannot declare them, since nothing would drive them
MADE_KINDS: tuple[EntityKind, ...] = ("power", "energy")
DEFAULT_KIND: dict[str, EntityKind] = {
    "light": "light",
    "switch": "switch",
    "fan": "fan",
    "cover": "cover",
    "lock": "lock",
    "climate": "thermostat",
    "media_player": "tv",
}
KIND_DOMAINS: dict[str, tuple[str, ...]] = {
    "light": ("light",),
    "switch": ("switch",),
    "fan": ("fan",),
    "cover": ("cover",),
    "lock": ("lock",),
    "thermostat": ("climate",),
    "tv": ("media_player",),
    "motion": ("binary_sensor",),
    "door": ("binary_sensor",),
    "temperature": ("sensor",),
    "power": ("sensor",),
    "energy": ("sensor",),
}

_CLOCK = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


def parse_clock(value: str) -> time:
    match = _CLOCK.match(value.strip())
    if not match:
        raise ValueError(f"{value!r} is not a time of day like '07:30'")
    return time(int(match.group(1)), int(match.group(2)))


def minutes_of(value: str) -> float:
    t = parse_clock(value)
    return t.hour * 60.0 + t.minute


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AreaSpec(_Strict):
    id: str = Field(pattern=r"^[a-z0-9_]+$")
    name: str
    # rooms without daylight (bathroom, hallway) need a light whatever the sun does
    windowless: bool = False


class EntitySpec(_Strict):
    entity_id: str
    name: str | None = None
    kind: EntityKind | None = None
    # what residents use it for: coffee, kettle, tv, front_door, front_lock, extractor,
    # shower_fan, outdoor; lights, covers, motion sensors and thermostats are found by area
    role: str | None = None
    auto_off_minutes: float | None = Field(default=None, gt=0, le=24 * 60)

    @field_validator("entity_id")
    @classmethod
    def _valid_id(cls, value: str) -> str:
        if not valid_entity_id(value):
            raise ValueError(f"{value!r} is not an entity id like 'light.kitchen'")
        return value

    @model_validator(mode="after")
    def _kind_fits_domain(self) -> EntitySpec:
        domain = self.entity_id.split(".", 1)[0]
        kind = self.kind or DEFAULT_KIND.get(domain)
        if kind is None:
            raise ValueError(f"{self.entity_id}: say which kind of {domain} it is (kind: ...)")
        if domain not in KIND_DOMAINS[kind]:
            raise ValueError(f"{self.entity_id}: a {kind} must be a {KIND_DOMAINS[kind][0]}")
        if kind in MADE_KINDS:
            raise ValueError(
                f"{self.entity_id}: {kind} sensors are made by the simulator for each heated "
                "room with thermal: physics: rc, not declared"
            )
        return self

    @property
    def resolved_kind(self) -> EntityKind:
        kind = self.kind or DEFAULT_KIND.get(self.entity_id.split(".", 1)[0])
        assert kind is not None  # checked by the validator
        return kind


class DeviceSpec(_Strict):
    id: str = Field(pattern=r"^[a-z0-9_]+$")
    name: str
    area: str
    manufacturer: str = "Hearthmind Simulator"
    model: str | None = None
    entities: list[EntitySpec] = Field(min_length=1)


class ScheduleSpec(_Strict):
    """A resident's usual day; the simulator varies every figure from day to day."""

    workdays: list[Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]] = [
        "mon",
        "tue",
        "wed",
        "thu",
        "fri",
    ]
    wake: str = "07:00"
    wake_weekend: str = "08:45"
    leave: str = "08:00"
    back: str = "17:45"
    bedtime: str = "23:00"
    bedtime_weekend: str = "23:45"
    work_from_home: float = Field(default=0.0, ge=0, le=1)  # chance per work day
    drift_minutes: float = Field(default=15.0, ge=0, le=120)  # day-to-day drift of wake/bed
    shower: Literal["morning", "evening"] = "morning"
    coffee: float = Field(default=0.8, ge=0, le=1)
    tv: float = Field(default=0.6, ge=0, le=1)
    cooks: float = Field(default=0.5, ge=0, le=1)  # share of the household's cooking
    reads_in_bed: float = Field(default=0.4, ge=0, le=1)
    goes_out_weekend: float = Field(default=0.6, ge=0, le=1)
    sick_rate: float = Field(default=0.015, ge=0, le=1)  # chance a day starts an illness
    business_trip_rate: float = Field(default=0.0, ge=0, le=1)  # chance per work week
    child: bool = False  # needs waking, goes to school with an adult, no locks or thermostat

    @field_validator(
        "wake", "wake_weekend", "leave", "back", "bedtime", "bedtime_weekend", mode="after"
    )
    @classmethod
    def _clock(cls, value: str) -> str:
        parse_clock(value)
        return value


class AgentAttitudeSpec(_Strict):
    """How a resident takes a hub that acts and asks for them (issue 18). Every chance is
    drawn from the resident's own reaction generator, so plans stay the same either way."""

    # a change or a question is "what they were about to do" when a planned want of theirs
    # for that entity and state comes within this many minutes (3 at most for switching
    # something off in the room they are in: nobody wants the light off while still there)
    horizon_minutes: float = Field(default=20.0, gt=0, le=240)
    # chance to undo even what they were about to do themselves ("I do it myself")
    revert_wanted: float = Field(default=0.0, ge=0, le=1)
    # answering suggestions: chance to leave one unanswered (busy, phone elsewhere) ...
    ignore: float = Field(default=0.1, ge=0, le=1)
    # ... to answer against their own plans (a misclick, a change of mind) ...
    noise: float = Field(default=0.05, ge=0, le=1)
    # ... to decline even what they wanted; and how a decline is said: "not now" or
    # "never" (the rest say "no")
    decline_wanted: float = Field(default=0.0, ge=0, le=1)
    not_now: float = Field(default=0.3, ge=0, le=1)
    never: float = Field(default=0.0, ge=0, le=1)
    # mean seconds before they answer (drawn from an exponential, at least 3 s)
    answer_delay_seconds: float = Field(default=45.0, gt=0, le=3600)
    # Relying on the hub to switch off behind them (residents.py): people who have seen a
    # hub switch lights off in rooms they left stop doing it by hand, as occupants of rooms
    # with occupancy-sensor lighting do; never all of it (habit), and less after finding a
    # light still burning. Chosen a priori, not tuned on results.
    # at most this share of their leave-room switch-offs is left to the hub (0: never rely)
    reliance_max: float = Field(default=0.8, ge=0, le=1)
    # added each time they find the hub switched off a light or TV they had left on: a few
    # such times before they count on it
    reliance_step: float = Field(default=0.25, ge=0, le=1)
    # reliance is multiplied by this each time one they left to the hub is still on: trust
    # is lost faster than it is won
    reliance_drop: float = Field(default=0.5, ge=0, le=1)
    # minutes after leaving that they notice a light they left to the hub (uniform draw):
    # long enough for a hub that waits for the motion sensors (2 min) to have done it
    notice_minutes: tuple[
        Annotated[float, Field(gt=0, le=240)], Annotated[float, Field(gt=0, le=240)]
    ] = (5.0, 15.0)

    @model_validator(mode="after")
    def _declines_add_up(self) -> AgentAttitudeSpec:
        if self.not_now + self.never > 1:
            raise ValueError("agent: not_now + never is the share of declines, at most 1")
        if self.notice_minutes[0] > self.notice_minutes[1]:
            raise ValueError("agent: notice_minutes is [earliest, latest], earliest first")
        return self


class ResidentSpec(_Strict):
    id: str = Field(pattern=r"^[a-z0-9_]+$")
    name: str
    bedroom: str
    schedule: ScheduleSpec = ScheduleSpec()
    # how they take the hub's own changes: chance to undo one that goes against them
    undo_rate: float = Field(default=0.7, ge=0, le=1)
    agent: AgentAttitudeSpec = AgentAttitudeSpec()


class WeatherSpec(_Strict):
    """Outdoor temperature: a yearly and a daily swing plus weather that lasts days."""

    mean: float = Field(default=10.5, ge=-40, le=45)
    season_amplitude: float = Field(default=7.5, ge=0, le=30)
    day_amplitude: float = Field(default=3.5, ge=0, le=20)
    weather_sd: float = Field(default=2.5, ge=0, le=15)
    # a real year instead of the synthetic one: an EnergyPlus weather file (EPW) gives the
    # outdoor temperature and the sun (global horizontal irradiance), hour by hour of the
    # year in local standard time. A relative path is taken from the home file's folder.
    epw: str | None = Field(default=None, min_length=1)


class RcRoomSpec(_Strict):
    """The two-node room of thermal.RoomPhysics (air and building mass), one per heated area
    with `thermal: physics: rc`. The defaults are the pre-heating bench's room."""

    c_air: float = Field(default=1.2, gt=0, le=100)  # kWh/K, the air and furnishings
    c_mass: float = Field(default=8.0, gt=0, le=1000)  # kWh/K, walls and floors
    r_air_mass: float = Field(default=0.6, gt=0, le=100)  # K/kW between air and mass
    r_out: float = Field(default=6.0, gt=0, le=500)  # K/kW from the air to outdoors
    # effective glazing: kW of sun per kW/m2 of global irradiance (0 in windowless areas)
    solar_aperture_m2: float = Field(default=3.0, ge=0, le=100)
    max_heat_kw: float = Field(default=6.0, gt=0, le=100)  # the heat pump's heat output


class ThermalSpec(_Strict):
    # The room model. "simple" (the default) is environment.ThermalZone, one node and a
    # modulating boiler: the seeded histories the other issues' benchmarks are measured on
    # come from it, so it stays the default and those histories do not move. "rc" makes
    # each heated area a two-node RC room (thermal.RoomPhysics) with a heat pump whose COP
    # falls with the cold, and reports its power and energy (rooms.py).
    physics: Literal["simple", "rc"] = "simple"
    rc: RcRoomSpec = RcRoomSpec()
    loss_hours: float = Field(default=30.0, gt=0, le=500)  # time constant toward outdoors
    heat_rate: float = Field(default=1.6, gt=0, le=20)  # degrees per hour when heating
    comfort: float = Field(default=20.5, ge=5, le=30)
    night: float = Field(default=17.5, ge=5, le=30)
    away: float = Field(default=16.0, ge=5, le=30)
    # people touch the thermostat only while the day's mean outdoor temperature is below this
    heating_below: float = Field(default=15.0, ge=-40, le=40)


class HouseholdSpec(_Strict):
    guests_weekend: float = Field(default=0.25, ge=0, le=1)  # chance of guests on a weekend day
    guests_weekday: float = Field(default=0.05, ge=0, le=1)
    trip_rate: float = Field(default=0.02, ge=0, le=1)  # chance a Friday starts a trip away
    dinner: str = "18:45"

    @field_validator("dinner")
    @classmethod
    def _clock(cls, value: str) -> str:
        parse_clock(value)
        return value


class HomeSpec(_Strict):
    name: str
    time_zone: str = "Europe/Amsterdam"
    latitude: float = Field(default=52.37, ge=-90, le=90)
    longitude: float = Field(default=4.89, ge=-180, le=180)
    areas: list[AreaSpec] = Field(min_length=1)
    devices: list[DeviceSpec] = Field(min_length=1)
    residents: list[ResidentSpec] = Field(min_length=1)
    weather: WeatherSpec = WeatherSpec()
    thermal: ThermalSpec = ThermalSpec()
    household: HouseholdSpec = HouseholdSpec()

    @field_validator("time_zone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as err:
            raise ValueError(f"unknown time zone {value!r}") from err
        return value

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    def entities(self) -> list[tuple[DeviceSpec, EntitySpec]]:
        return [(d, e) for d in self.devices for e in d.entities]


HOMES_PACKAGE = "hearthmind.integrations.simulator.homes"


def shipped_homes() -> list[str]:
    """Names of the homes shipped with the package."""
    folder = resources.files(HOMES_PACKAGE)
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".yaml"))


def home_path(name_or_path: str) -> Path:
    """A shipped home by name, or a YAML file by path."""
    if re.fullmatch(r"[a-z0-9_]+", name_or_path):
        candidate = resources.files(HOMES_PACKAGE).joinpath(f"{name_or_path}.yaml")
        if candidate.is_file():
            return Path(str(candidate))
        path = Path(name_or_path)
        if not path.exists():
            known = ", ".join(shipped_homes())
            raise ConfigError(name_or_path, None, f"no such home (shipped homes: {known})")
        return path
    return Path(name_or_path).expanduser()


def load_home(name_or_path: str) -> HomeSpec:
    """Load and validate a home; a `ConfigError` names the file and line of any problem."""
    path = home_path(name_or_path)
    data, lines = load_yaml(path)
    if not isinstance(data, dict):
        raise ConfigError(str(path), 1, "a home must be a mapping (name, areas, devices, ...)")
    spec = parse_home(data, lines, str(path))
    epw = spec.weather.epw
    if epw is not None and not Path(epw).expanduser().is_absolute():
        # beside the home file, as an !include is: the file is read when the home is set up
        weather = spec.weather.model_copy(update={"epw": str(path.parent / epw)})
        spec = spec.model_copy(update={"weather": weather})
    return spec


def parse_home(data: Any, lines: LineMap | None = None, source: str = "<home>") -> HomeSpec:
    lines = lines or LineMap()
    if not lines.lines:
        lines.lines[()] = (source, 0)
    spec = validate(HomeSpec, data, lines)
    problem = find_reference_problem(spec)
    if problem is not None:
        where, reason = problem
        file, line = lines.where(where)
        raise ConfigError(file or source, line, reason)
    return spec


def find_reference_problem(spec: HomeSpec) -> tuple[tuple[str | int, ...], str] | None:
    """Names that must match (areas, unique ids): (where in the YAML, what is wrong)."""
    areas = [a.id for a in spec.areas]
    for i, area in enumerate(spec.areas):
        if area.id in areas[:i]:
            return ("areas", i, "id"), f"areas.{i}.id: area {area.id!r} is defined twice"
    seen: set[str] = set()
    device_ids: set[str] = set()
    for i, device in enumerate(spec.devices):
        if device.area not in areas:
            known = ", ".join(areas)
            return ("devices", i, "area"), (
                f"devices.{i}.area: unknown area {device.area!r} (areas: {known})"
            )
        if device.id in device_ids:
            return ("devices", i, "id"), f"devices.{i}.id: device {device.id!r} is defined twice"
        device_ids.add(device.id)
        for j, entity in enumerate(device.entities):
            if entity.entity_id in seen:
                return ("devices", i, "entities", j, "entity_id"), (
                    f"devices.{i}.entities.{j}: entity {entity.entity_id} is defined twice"
                )
            seen.add(entity.entity_id)
    people: set[str] = set()
    for i, resident in enumerate(spec.residents):
        if resident.bedroom not in areas:
            return ("residents", i, "bedroom"), (
                f"residents.{i}.bedroom: unknown area {resident.bedroom!r}"
            )
        if resident.id in people:
            return ("residents", i, "id"), f"residents.{i}.id: {resident.id!r} is defined twice"
        people.add(resident.id)
    if all(r.schedule.child for r in spec.residents):
        return ("residents",), "residents: a home needs at least one adult"
    if spec.thermal.physics == "rc":
        for heated in heated_areas(spec):
            device_id, *sensors = heat_pump_ids(heated)
            if device_id in device_ids:
                return ("thermal", "physics"), (
                    f"thermal.physics: rc makes a device {device_id!r} for {heated}'s heat pump; "
                    "the home already has one of that id"
                )
            for entity_id in sensors:
                if entity_id in seen:
                    return ("thermal", "physics"), (
                        f"thermal.physics: rc makes {entity_id} for {heated}'s heat pump; "
                        "the home already has that entity"
                    )
    return None


def heated_areas(spec: HomeSpec) -> list[str]:
    """Areas with a thermostat, in the file's order of areas."""
    with_thermostat = {d.area for d, e in spec.entities() if e.resolved_kind == "thermostat"}
    return [a.id for a in spec.areas if a.id in with_thermostat]


def heat_pump_ids(area: str) -> tuple[str, str, str]:
    """(device id, power sensor, energy sensor) of a heated area's heat pump (physics rc)."""
    return (
        f"{area}_heat_pump",
        f"sensor.{area}_heat_pump_power",
        f"sensor.{area}_heat_pump_energy",
    )
