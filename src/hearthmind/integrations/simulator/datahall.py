"""A simulated data hall for the hub: a small plant model (air handlers with an economiser,
chilled-water coils, a chiller and its pumps and tower) whose sensors and set-points are
entities, commanded through services like any device.

    datahall_simulator:          # configuration.yaml
      zones: 2
      it_design_kw: 200
      seed: 0

Entities (prefix `data_hall`, zones `zone_1`, `zone_2`, ...):
    sensor.data_hall_zone_N_inlet_temperature        hottest rack inlet of the zone (C)
    sensor.data_hall_zone_N_supply_air_temperature   sensor.data_hall_zone_N_return_air_temperature
    sensor.data_hall_zone_N_mixed_air_temperature    sensor.data_hall_chilled_water_supply_temperature
    sensor.data_hall_outdoor_temperature             sensor.data_hall_outdoor_wet_bulb_temperature
    sensor.data_hall_it_power, sensor.data_hall_cooling_power (kW)
    binary_sensor.data_hall_chiller_running
    number.data_hall_zone_N_supply_air_setpoint      number.data_hall_chilled_water_setpoint
    climate.data_hall_zone_N (cool; set_temperature: the zone's cooling set-point)
    switch.data_hall_economiser

The plant model is simple physics (energy balances and part-load curves with the ASHRAE
reference chiller's temperature dependence), not EnergyPlus: the benchmark runs EnergyPlus.
`trip_chiller()` and `spike_it(factor)` make the faults the supervisor must survive.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict

from hearthmind.core import (
    Area,
    Context,
    DataKey,
    Device,
    Hub,
    Origin,
    SetupOptions,
    Space,
    SpaceKind,
    register_section,
)

from .stepped import Stepped, start_stepped

STEP = timedelta(minutes=15)
PREFIX = "data_hall"
CP_AIR = 1.006  # kJ/(kg K)
FAN_HEAT_K = 0.4


class DataHallSimulatorConfig(BaseModel):
    """The `datahall_simulator:` section."""

    model_config = ConfigDict(extra="forbid")

    zones: int = 2
    it_design_kw: float = 200.0
    seed: int = 0
    mean_outdoor_c: float = 13.0  # the year's mean (Northern Virginia's, roughly)


register_section("datahall_simulator", DataHallSimulatorConfig)


@dataclass
class PlantState:
    supply_sp: list[float]
    zone_sp: list[float]
    chw_sp: float = 7.0
    economiser: bool = True
    chiller_ok: bool = True
    it_gain: float = 1.0
    inlet: list[float] = field(default_factory=list)
    supply: list[float] = field(default_factory=list)
    ret: list[float] = field(default_factory=list)
    mixed: list[float] = field(default_factory=list)
    chw: float = 7.0
    outdoor: float = 10.0
    wetbulb: float = 8.0
    it_kw: float = 0.0
    cooling_kw: float = 0.0


class HallPlant:
    """The physics, one 15-minute step at a time (no hub in here: tests drive it directly)."""

    def __init__(self, zones: int, it_design_kw: float, seed: int, mean_outdoor_c: float) -> None:
        self.zones = zones
        self.design = it_design_kw
        self.mean_outdoor = mean_outdoor_c
        self.rng = random.Random(seed)
        self.s = PlantState(supply_sp=[18.0] * zones, zone_sp=[23.0] * zones)
        # design air flow (kg/s) for the design load at a 10 K rise, per zone
        self.design_flow = it_design_kw / zones / (CP_AIR * 10.0)

    def weather(self, hours: float) -> tuple[float, float]:
        """Outdoor dry bulb and wet bulb: a seasonal and a daily swing with some noise."""
        day = hours / 24.0
        season = -11.0 * math.cos(2 * math.pi * (day - 15) / 365.0)
        daily = -5.0 * math.cos(2 * math.pi * (hours % 24 - 3) / 24.0)
        dry = self.mean_outdoor + season + daily + self.rng.gauss(0.0, 0.5)
        wet = dry - (3.0 + 0.15 * max(dry, 0.0))  # a moderately humid climate
        return dry, wet

    def it_load(self, hours: float) -> float:
        """IT power (kW): a daily cycle around 60 % of design, with noise and any spike."""
        frac = 0.6 + 0.15 * math.sin(2 * math.pi * (hours % 24 - 8) / 24.0)
        frac += self.rng.gauss(0.0, 0.02)
        return max(0.05, min(frac * self.s.it_gain, 1.2)) * self.design

    def step(self, hours: float) -> PlantState:
        s = self.s
        s.outdoor, s.wetbulb = self.weather(hours)
        s.it_kw = self.it_load(hours)
        # servers draw a little more with warmer inlets (fans speed up): 1 %/K over 24 C
        warm = max(max(s.inlet, default=20.0) - 24.0, 0.0)
        heat = s.it_kw * (1 + 0.01 * warm) / self.zones
        fan_kw = coil_kw = 0.0
        s.inlet, s.supply, s.ret, s.mixed = [], [], [], []
        cooling_capacity_ok = s.chiller_ok
        for z in range(self.zones):
            sp = s.supply_sp[z]
            # VAV: flow for the zone's heat at its cooling set-point, 30-100 % of design
            rise = max(s.zone_sp[z] - sp, 2.0)
            flow = min(max(heat / (CP_AIR * rise), 0.3 * self.design_flow), self.design_flow)
            ret = sp + heat / (CP_AIR * flow)
            if s.economiser and s.outdoor < ret - 1.0 and s.wetbulb < 17.0:
                mixed = max(s.outdoor, sp - FAN_HEAT_K)
            else:
                mixed = 0.95 * ret + 0.05 * s.outdoor  # minimum outdoor air
            after_fan = mixed + FAN_HEAT_K
            supply = sp if cooling_capacity_ok else max(after_fan, sp)
            if not cooling_capacity_ok:
                ret = supply + heat / (CP_AIR * flow)
            coil_kw += max(after_fan - supply, 0.0) * CP_AIR * flow
            fan_kw += 0.04 * self.design / self.zones * (flow / self.design_flow) ** 3
            # the hottest rack: the supply, the zone's hot-air recirculation, zone offsets
            inlet = supply + 0.5 + 0.8 * z + 0.12 * (ret - supply)
            s.inlet.append(inlet + self.rng.gauss(0.0, 0.05))
            s.supply.append(supply)
            s.ret.append(ret)
            s.mixed.append(mixed)
        chiller_kw = pump_kw = tower_kw = 0.0
        if coil_kw > 0.0 and s.chiller_ok:
            cond = s.wetbulb + 5.0
            # the ASHRAE reference chiller's EIR(T) (../shared/data/energy/README.md)
            eir_t = (
                0.3617782
                - 0.0230016 * s.chw_sp
                + 0.0009672 * s.chw_sp**2
                + 0.0131801 * cond
                + 0.0003761 * cond**2
                - 0.0007121 * s.chw_sp * cond
            )
            plr = min(coil_kw / (0.9 * self.design), 1.0)
            eir_plr = 0.02297712 + 0.90150452 * plr + 0.07551826 * plr**2
            chiller_kw = 0.9 * self.design / 5.5 * eir_t * eir_plr
            # warmer chilled water: a smaller coil temperature difference, more pumping
            pump_kw = 0.012 * coil_kw * (1 + 0.04 * max(s.chw_sp - 7.0, 0.0))
            tower_kw = 0.015 * coil_kw
            s.chw = s.chw_sp
        else:
            s.chw = min(s.chw + 1.5, max(s.ret, default=s.chw))  # no chiller: the loop warms
        s.cooling_kw = fan_kw + chiller_kw + pump_kw + tower_kw
        return s


DATA_KEY: DataKey[SimulatedDataHall] = DataKey("datahall_simulator")


class SimulatedDataHall(Stepped):
    """The plant bound to the hub: entities, service handlers, a 15-minute tick."""

    interval = STEP

    def __init__(self, hub: Hub, cfg: DataHallSimulatorConfig) -> None:
        self.hub = hub
        self.cfg = cfg
        self.plant = HallPlant(cfg.zones, cfg.it_design_kw, cfg.seed, cfg.mean_outdoor_c)
        self._start = hub.clock.timestamp()
        self.steps = 0

    # -- entities ---------------------------------------------------------------------------

    def zone_ids(self) -> list[str]:
        return [f"zone_{z + 1}" for z in range(self.cfg.zones)]

    def attach(self) -> None:
        hub = self.hub
        hub.registries.add_space(Space(PREFIX, "Data hall", SpaceKind.DATA_HALL))
        entity_ids: list[str] = []
        for zone in self.zone_ids():
            hub.registries.add_area(Area(f"{PREFIX}_{zone}", f"Data hall {zone}", PREFIX))
            for eid in (
                f"number.{PREFIX}_{zone}_supply_air_setpoint",
                f"climate.{PREFIX}_{zone}",
            ):
                hub.entities.async_add(eid, "datahall_simulator", self._command)
                entity_ids.append(eid)
            for kind in ("inlet", "supply_air", "return_air", "mixed_air"):
                eid = f"sensor.{PREFIX}_{zone}_{kind}_temperature"
                hub.entities.async_add(eid, "datahall_simulator", None)
                entity_ids.append(eid)
        for eid in ("number.chilled_water_setpoint", "switch.economiser"):
            full = eid.replace(".", f".{PREFIX}_")
            hub.entities.async_add(full, "datahall_simulator", self._command)
            entity_ids.append(full)
        for name in (
            "chilled_water_supply_temperature",
            "outdoor_temperature",
            "outdoor_wet_bulb_temperature",
            "it_power",
            "cooling_power",
        ):
            hub.entities.async_add(f"sensor.{PREFIX}_{name}", "datahall_simulator", None)
            entity_ids.append(f"sensor.{PREFIX}_{name}")
        hub.entities.async_add(
            f"binary_sensor.{PREFIX}_chiller_running", "datahall_simulator", None
        )
        entity_ids.append(f"binary_sensor.{PREFIX}_chiller_running")
        hub.registries.add_device(
            Device(
                f"{PREFIX}_plant",
                "Data hall cooling plant",
                None,
                entity_ids,
                "Hearthmind",
                "simulated hall",
            )
        )
        self.tick()

    def _ctx(self) -> Context:
        return self.hub.context(Origin.SENSOR)

    def _publish(self, ctx: Context | None = None) -> None:
        s = self.plant.s
        ctx = ctx or self._ctx()
        put = self.hub.states.async_set

        def temp(eid: str, value: float, name: str) -> None:
            put(
                eid,
                f"{value:.2f}",
                {
                    "unit_of_measurement": "°C",
                    "device_class": "temperature",
                    "state_class": "measurement",
                    "friendly_name": name,
                },
                ctx,
            )

        for z, zone in enumerate(self.zone_ids()):
            label = f"Data hall {zone.replace('_', ' ')}"
            temp(f"sensor.{PREFIX}_{zone}_inlet_temperature", s.inlet[z], f"{label} rack inlet")
            temp(
                f"sensor.{PREFIX}_{zone}_supply_air_temperature", s.supply[z], f"{label} supply air"
            )
            temp(f"sensor.{PREFIX}_{zone}_return_air_temperature", s.ret[z], f"{label} return air")
            temp(f"sensor.{PREFIX}_{zone}_mixed_air_temperature", s.mixed[z], f"{label} mixed air")
            put(
                f"number.{PREFIX}_{zone}_supply_air_setpoint",
                f"{s.supply_sp[z]:.1f}",
                {
                    "min": 12.0,
                    "max": 26.0,
                    "step": 0.1,
                    "unit_of_measurement": "°C",
                    "friendly_name": f"{label} supply air set-point",
                },
                ctx,
            )
            put(
                f"climate.{PREFIX}_{zone}",
                "cool",
                {
                    "temperature": s.zone_sp[z],
                    "current_temperature": round(s.ret[z], 2),
                    "hvac_modes": ["cool"],
                    "min_temp": 18.0,
                    "max_temp": 32.0,
                    "friendly_name": label,
                },
                ctx,
            )
        temp(f"sensor.{PREFIX}_chilled_water_supply_temperature", s.chw, "Chilled water supply")
        temp(f"sensor.{PREFIX}_outdoor_temperature", s.outdoor, "Outdoor dry bulb")
        temp(f"sensor.{PREFIX}_outdoor_wet_bulb_temperature", s.wetbulb, "Outdoor wet bulb")
        for name, value in (("it_power", s.it_kw), ("cooling_power", s.cooling_kw)):
            put(
                f"sensor.{PREFIX}_{name}",
                f"{value:.2f}",
                {
                    "unit_of_measurement": "kW",
                    "device_class": "power",
                    "state_class": "measurement",
                    "friendly_name": f"Data hall {name.replace('_', ' ')}",
                },
                ctx,
            )
        put(
            f"number.{PREFIX}_chilled_water_setpoint",
            f"{s.chw_sp:.1f}",
            {
                "min": 5.0,
                "max": 18.0,
                "step": 0.1,
                "unit_of_measurement": "°C",
                "friendly_name": "Chilled water set-point",
            },
            ctx,
        )
        put(
            f"switch.{PREFIX}_economiser",
            "on" if s.economiser else "off",
            {"friendly_name": "Economiser"},
            ctx,
        )
        put(
            f"binary_sensor.{PREFIX}_chiller_running",
            "on" if s.chiller_ok else "off",
            {"device_class": "running", "friendly_name": "Chiller running"},
            ctx,
        )

    # -- commands ---------------------------------------------------------------------------

    async def _command(
        self, service: str, entity_id: str, data: Mapping[str, Any], context: Context
    ) -> None:
        s = self.plant.s
        domain, name = entity_id.split(".", 1)
        if domain == "switch":
            s.economiser = service == "turn_on" or (service == "toggle" and not s.economiser)
        elif domain == "number":
            value = float(data["value"])
            if name == f"{PREFIX}_chilled_water_setpoint":
                s.chw_sp = min(max(value, 5.0), 18.0)
            else:
                z = self.zone_ids().index(
                    name.removeprefix(f"{PREFIX}_").removesuffix("_supply_air_setpoint")
                )
                s.supply_sp[z] = min(max(value, 12.0), 26.0)
        elif domain == "climate" and "temperature" in data:
            z = self.zone_ids().index(name.removeprefix(f"{PREFIX}_"))
            s.zone_sp[z] = min(max(float(data["temperature"]), 18.0), 32.0)
        self._publish(context)

    # -- running ----------------------------------------------------------------------------

    def hours(self) -> float:
        return (self.hub.clock.timestamp() - self._start) / 3600.0 + 24.0 * 180  # from midsummer

    def tick(self) -> None:
        self.plant.step(self.hours())
        self.steps += 1
        self._publish()

    def trip_chiller(self, tripped: bool = True) -> None:
        self.plant.s.chiller_ok = not tripped

    def spike_it(self, factor: float) -> None:
        self.plant.s.it_gain = factor


async def async_setup(hub: Hub, options: SetupOptions) -> None:
    """Run a simulated data hall when configuration.yaml has `datahall_simulator:`."""
    if "datahall_simulator" not in hub.config.raw:
        return
    cfg = hub.config.section("datahall_simulator", DataHallSimulatorConfig)
    start_stepped(hub, DATA_KEY, SimulatedDataHall(hub, cfg))
