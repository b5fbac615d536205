"""The heated rooms of a simulated home, stepped on the thermal tick, and what their sensors
report: thermostats (`current_temperature`, `hvac_action`), room and outdoor temperature
sensors and, with `thermal: physics: rc`, each heated room's heat-pump power and energy.

Two room models (`thermal: physics:` in the home file):

- `simple` (the default): environment.ThermalZone per thermostat, one node and a modulating
  boiler. The seeded histories other benchmarks are measured on come from it; it is unchanged.
- `rc`: each heated area (an area with a thermostat) is a two-node RC room (thermal.
  RoomPhysics: air and building mass, sun through the windows, none in windowless areas)
  with its own heat pump (one per room, as air-to-air heat pumps are, so the hub can fit a
  model per room from that room's own power). The heat pump modulates: at each tick it
  delivers the heat that brings the air to the set-point by the next tick, at most its
  `max_heat_kw` (a deadbeat inverter controller). Modulating rather than on/off because an
  on/off thermostat needs ticks of a few minutes, and every extra timer costs the simulated
  clock (a 5-minute tick made a 60-day family run 40 % slower); modulating holds the
  set-point within the existing 30-minute tick, with the physics in 5-minute sub-steps.
  Electrical power = heat / COP(outdoor) (thermal.heat_pump_cop).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, Protocol

from .devices import SimEntity, initial_state
from .environment import ThermalZone
from .layout import Layout
from .outdoor import OutdoorWeather, thermal_module
from .records import DeviceInfo
from .spec import HomeSpec, heat_pump_ids, heated_areas

if TYPE_CHECKING:
    from .thermal import RoomPhysics

THERMAL_TICK = 1800.0  # seconds between thermal model steps (rooms change slowly)
# smallest change a temperature sensor reports (as battery sensors do, to save power)
INDOOR_STEP = 0.3
OUTDOOR_STEP = 0.5
RC_SUBSTEPS = 6  # 5-minute Euler steps in a tick: the air node's time constant is ~40 min
POWER_STEP = 0.05  # kW: the least change of electrical power a meter reports
ENERGY_STEP = 0.25  # kWh: the least rise of the energy counter reported
IDLE_SHARE = 0.05  # below this share of its maximum heat the heat pump shows "idle"
START_TEMPERATURE = 18.0  # rooms, air and mass, before the first tick


class RoomHost(Protocol):
    """What the rooms need of the home: to report a change with a sensor context."""

    def report_reading(self, entity: SimEntity) -> None:
        """A thermostat's new reading (it keeps `last_context` naming who last set it)."""
        ...

    def report_sensor(self, entity: SimEntity, state: str) -> None:
        """A sensor's new state, reported only if it differs."""
        ...


class Rooms:
    """Reports shared by both room models; a subclass steps its rooms in `_step_rooms`."""

    tick_seconds = THERMAL_TICK

    def __init__(
        self,
        layout: Layout,
        entities: Mapping[str, SimEntity],
        weather: OutdoorWeather,
        host: RoomHost,
    ) -> None:
        self.layout = layout
        self.weather = weather
        self._entities = entities
        self._host = host
        self._reported: dict[str, float] = {}
        self._temperature_sensors = [e for e in entities.values() if e.kind == "temperature"]

    def made_devices(self) -> list[tuple[DeviceInfo, list[SimEntity]]]:
        """Devices the room model adds to the home (none for the simple model)."""
        return []

    def start(self, now: float) -> None:
        """Called when the home starts, one tick before the first `tick`."""

    def tick(self, now: float) -> None:
        outdoor = self.weather.outdoor(now)
        main = self._step_rooms(now, outdoor)
        self._report_temperature_sensors(outdoor, main)

    def area_temperature(self, area: str) -> float | None:
        """The air temperature of a heated area (None for an area without a thermostat)."""
        raise NotImplementedError

    def _step_rooms(self, now: float, outdoor: float) -> float | None:
        """Step the rooms to `now` and report their thermostats; the first room's
        temperature (what unheated rooms follow), None in a home without heating."""
        raise NotImplementedError

    def _report_thermostat(self, thermostat: SimEntity, temperature: float, heating: bool) -> None:
        reading = round(temperature, 1)
        moved = abs(reading - self._reported.get(thermostat.entity_id, -99.0)) >= INDOOR_STEP
        if moved:
            self._reported[thermostat.entity_id] = reading
            thermostat.attributes["current_temperature"] = reading
        if thermostat.set_heating(heating) or moved:
            self._host.report_reading(thermostat)

    def _report_temperature_sensors(self, outdoor: float, main: float | None) -> None:
        for entity in self._temperature_sensors:
            if entity.role == "outdoor":
                value, step = outdoor, OUTDOOR_STEP
            else:
                area_value = self.area_temperature(entity.area)
                if area_value is not None:
                    value = area_value
                else:  # an unheated room follows the heated ones, a little colder
                    value = (main if main is not None else outdoor) - 1.2
                step = INDOOR_STEP
            last = self._reported.get(entity.entity_id)
            if last is None or abs(value - last) >= step:
                self._reported[entity.entity_id] = round(value, 1)
                self._host.report_sensor(entity, f"{round(value, 1):.1f}")


class SimpleRooms(Rooms):
    """One `ThermalZone` per thermostat (the model every seeded history so far comes from)."""

    def __init__(
        self,
        spec: HomeSpec,
        layout: Layout,
        entities: Mapping[str, SimEntity],
        weather: OutdoorWeather,
        host: RoomHost,
    ) -> None:
        super().__init__(layout, entities, weather, host)
        self._zones: dict[str, ThermalZone] = {
            eid: ThermalZone(spec.thermal, START_TEMPERATURE)
            for eid, ent in entities.items()
            if ent.kind == "thermostat"
        }

    def area_temperature(self, area: str) -> float | None:
        for thermostat in self.layout.areas[area].thermostats:
            return self._zones[thermostat].temperature
        return None

    def _step_rooms(self, now: float, outdoor: float) -> float | None:
        main: float | None = None
        for entity_id, zone in self._zones.items():
            thermostat = self._entities[entity_id]
            target = thermostat.attributes.get("temperature")
            zone.step(
                self.tick_seconds,
                outdoor,
                float(target) if thermostat.state == "heat" and target is not None else None,
            )
            main = zone.temperature if main is None else main
            self._report_thermostat(thermostat, zone.temperature, zone.heating)
        return main


@dataclass(slots=True)
class HeatedRoom:
    """A heated area with `physics: rc`: its room, its thermostats and its heat pump."""

    area: str
    physics: RoomPhysics
    thermostats: list[SimEntity]
    power: SimEntity
    energy: SimEntity
    heat_kw: float = 0.0  # heat output from this tick to the next
    electric_kw: float = 0.0  # what that costs in electricity (heat / COP)
    energy_kwh: float = 0.0  # electricity since the home started
    # the room at the next tick, known when the heat is decided (the model is linear in it)
    next_air: float = START_TEMPERATURE
    next_mass: float = START_TEMPERATURE
    reported_power: float | None = None
    reported_energy: float = 0.0
    # what a tick at full heat adds to air and mass, whatever the room and the weather:
    # the room is linear, so a tick is its unheated step plus this times the share of heat
    full_heat_air: float = 0.0
    full_heat_mass: float = 0.0


class RcRooms(Rooms):
    """Two-node RC rooms heated by modulating heat pumps (see the module docstring)."""

    def __init__(
        self,
        spec: HomeSpec,
        layout: Layout,
        entities: Mapping[str, SimEntity],
        weather: OutdoorWeather,
        host: RoomHost,
    ) -> None:
        super().__init__(layout, entities, weather, host)
        self._thermal = thermal_module(spec.name, "thermal: physics: rc")
        rc = spec.thermal.rc
        names = {a.id: a.name for a in spec.areas}
        self._devices: list[tuple[DeviceInfo, list[SimEntity]]] = []
        self.rooms: dict[str, HeatedRoom] = {}
        for area in heated_areas(spec):
            device_id, power_id, energy_id = heat_pump_ids(area)
            name = f"{names[area]} heat pump"
            power = _meter(power_id, "power", f"{name} power", area, device_id)
            energy = _meter(energy_id, "energy", f"{name} energy", area, device_id)
            device = DeviceInfo(
                device_id,
                name,
                area,
                names[area],
                "Hearthmind Simulator",
                "Simulated heat pump (RC room)",
                (power_id, energy_id),
            )
            self._devices.append((device, [power, energy]))
            physics: RoomPhysics = self._thermal.RoomPhysics(
                c_air=rc.c_air,
                c_mass=rc.c_mass,
                r_air_mass=rc.r_air_mass,
                r_out=rc.r_out,
                solar_aperture_m2=0.0 if layout.areas[area].windowless else rc.solar_aperture_m2,
                max_heat_kw=rc.max_heat_kw,
                air=START_TEMPERATURE,
                mass=START_TEMPERATURE,
            )
            thermostats = [entities[t] for t in layout.areas[area].thermostats]
            room = HeatedRoom(area, physics, thermostats, power, energy)
            response: RoomPhysics = self._thermal.RoomPhysics(
                c_air=rc.c_air,
                c_mass=rc.c_mass,
                r_air_mass=rc.r_air_mass,
                r_out=rc.r_out,
                max_heat_kw=rc.max_heat_kw,
                air=0.0,
                mass=0.0,
            )
            response.step(0.0, rc.max_heat_kw, 0.0, self.tick_seconds / 3600, RC_SUBSTEPS)
            room.full_heat_air, room.full_heat_mass = response.air, response.mass
            self.rooms[area] = room

    def made_devices(self) -> list[tuple[DeviceInfo, list[SimEntity]]]:
        return list(self._devices)

    def area_temperature(self, area: str) -> float | None:
        room = self.rooms.get(area)
        return None if room is None else room.physics.air

    def start(self, now: float) -> None:
        outdoor = self.weather.outdoor(now)
        sun = self.weather.irradiance(now)
        cop = self._cop(outdoor)
        for room in self.rooms.values():
            self._decide(room, outdoor, sun, cop)

    def _cop(self, outdoor: float) -> float:
        return float(self._thermal.heat_pump_cop(outdoor))

    def _step_rooms(self, now: float, outdoor: float) -> float | None:
        hours = self.tick_seconds / 3600
        sun = self.weather.irradiance(now)
        cop = self._cop(outdoor)
        main: float | None = None
        for room in self.rooms.values():
            # the tick that just ended, with the heat decided at its start
            room.physics.air, room.physics.mass = room.next_air, room.next_mass
            room.energy_kwh += room.electric_kw * hours
            self._decide(room, outdoor, sun, cop)
            heating = room.heat_kw > IDLE_SHARE * room.physics.max_heat_kw
            for thermostat in room.thermostats:
                self._report_thermostat(thermostat, room.physics.air, heating)
            self._report_meters(room, cop)
            main = room.physics.air if main is None else main
        return main

    def _decide(self, room: HeatedRoom, outdoor: float, sun: float, cop: float) -> None:
        """The heat from now to the next tick: what brings the air to the highest set-point
        of the room's heating thermostats by then, between nothing and the maximum."""
        targets = [
            float(t.attributes["temperature"])
            for t in room.thermostats
            if t.state == "heat" and t.attributes.get("temperature") is not None
        ]
        physics = room.physics
        air, mass = physics.air, physics.mass
        physics.step(outdoor, 0.0, sun, self.tick_seconds / 3600, RC_SUBSTEPS)
        cold_air, cold_mass = physics.air, physics.mass
        physics.air, physics.mass = air, mass  # the room itself moves on at the next tick
        share = 0.0
        if targets and cold_air < max(targets):
            share = min(1.0, (max(targets) - cold_air) / room.full_heat_air)
        room.next_air = cold_air + share * room.full_heat_air
        room.next_mass = cold_mass + share * room.full_heat_mass
        room.heat_kw = share * physics.max_heat_kw
        room.electric_kw = room.heat_kw / cop

    def _report_meters(self, room: HeatedRoom, cop: float) -> None:
        last = room.reported_power
        if (
            last is None
            or abs(room.electric_kw - last) >= POWER_STEP
            or (room.electric_kw == 0.0) != (last == 0.0)
        ):
            room.reported_power = room.electric_kw
            # the heat delivered and the COP beside the electricity: what a room model fits
            room.power.attributes.update(heat_output_kw=round(room.heat_kw, 2), cop=round(cop, 2))
            self._host.report_sensor(room.power, f"{room.electric_kw:.2f}")
        if room.energy_kwh - room.reported_energy >= ENERGY_STEP:
            # reported rounded: rounding keeps order, so the counter never goes down
            room.reported_energy = room.energy_kwh
            self._host.report_sensor(room.energy, f"{room.energy_kwh:.2f}")


def _meter(
    entity_id: str, kind: Literal["power", "energy"], name: str, area: str, device_id: str
) -> SimEntity:
    state, attributes = initial_state(kind)
    attributes["friendly_name"] = name
    return SimEntity(entity_id, kind, name, area, device_id, None, None, state, attributes)


def make_rooms(
    spec: HomeSpec,
    layout: Layout,
    entities: Mapping[str, SimEntity],
    weather: OutdoorWeather,
    host: RoomHost,
) -> Rooms:
    """The home's rooms as its `thermal: physics:` says."""
    if spec.thermal.physics == "rc":
        return RcRooms(spec, layout, entities, weather, host)
    return SimpleRooms(spec, layout, entities, weather, host)
