"""A simulated off-grid cottage for the hub: PV from the sun, a base house load, a battery
behind an inverter, a heat-pump-heated room, a hot-water tank and two deferrable loads, no
grid. Its sensors and set-points are entities, commanded through services like any device,
so the hub's `cottage:` section can be pointed at them (issue 22).

    cottage_simulator:          # configuration.yaml
      pv_kwp: 6
      battery_kwh: 13.5
      battery_kw: 5
      seed: 0
      epw: weather/amsterdam.epw   # optional: a real year; else the synthetic weather

Entities (prefix `cottage_sim`):
    sensor.cottage_sim_pv_power, _house_power (the base load only), _battery_power (kW,
        + charge), _heat_pump_power (electric, kW), _outdoor_temperature (C),
        _battery_soc (%), _unserved_energy (kWh, total_increasing)
    number.cottage_sim_battery_power    the inverter's set-point, kW (+ charge / - discharge)
    climate.cottage_sim_living_room     heat/off; set_temperature
    water_heater.cottage_sim_tank       set_temperature (its element heats to it)
    switch.cottage_sim_dishwasher, switch.cottage_sim_washing_machine

Every 15 minutes of the hub's clock: the weather (an EPW year or the home simulator's
synthetic weather, outdoor.py), PV = kWp x irradiance x performance ratio, the base load (a
daily shape with seeded noise), the room (thermal.RoomPhysics; a modulating heat pump gives the
heat that reaches its set-point, electricity = heat / COP), the tank (its element, the draws
at 07, 13 and 20 h, standing losses, never below the 15 C mains water), the loads (on for
their duration, then off by themselves) and the battery. Off grid, the battery can only
charge from PV beyond the use and discharge into use beyond PV. It charges up to its set-point
(0 or less: not at all; the rest of the PV is curtailed); it discharges what the house lacks,
or with `strict_setpoint: true` no more than its set-point. Without a set-point (or once one
is `command_hold_minutes` old) it balances PV minus use by itself like an off-grid inverter.
Use left unserved (an empty or power-limited battery) is counted. Deterministic from `seed` on the simulated clock.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field

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

from .outdoor import EpwOutdoor, OutdoorWeather, SyntheticWeather, read_epw, thermal_module
from .spec import WeatherSpec
from .stepped import Stepped, start_stepped

if TYPE_CHECKING:  # NumPy loads only when a simulated cottage is configured
    from .thermal import RoomPhysics

STEP = timedelta(minutes=15)
MAINS_C = 15.0  # the cold water that refills the tank
ROOM_C = 20.0  # around the tank
OWNER = "cottage_simulator"


class SimLoadConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kw: float = Field(gt=0, le=50)
    hours: float = Field(default=1.0, gt=0, le=12)


def _default_loads() -> dict[str, SimLoadConfig]:
    return {
        "dishwasher": SimLoadConfig(kw=1.2, hours=1.0),
        "washing_machine": SimLoadConfig(kw=0.8, hours=2.0),
    }


class CottageSimulatorConfig(BaseModel):
    """The `cottage_simulator:` section."""

    model_config = ConfigDict(extra="forbid")

    prefix: str = Field(default="cottage_sim", pattern=r"^[a-z][a-z0-9_]*$")
    seed: int = 0
    epw: str | None = Field(default=None, min_length=1)  # relative: from the config folder
    weather: WeatherSpec = WeatherSpec()  # the synthetic weather's parameters (no epw here)
    pv_kwp: float = Field(default=6.0, ge=0, le=1000)
    pv_performance: float = Field(default=0.85, gt=0, le=1)  # inverter, heat, dirt
    base_load_kw: float = Field(default=0.4, ge=0, le=100)  # the daily mean of the base load
    load_noise: float = Field(default=0.15, ge=0, le=1)  # relative sd per 15 minutes
    battery_kwh: float = Field(default=13.5, gt=0, le=1000)
    battery_kw: float = Field(default=5.0, gt=0, le=500)
    battery_efficiency: float = Field(default=0.95, gt=0, le=1)  # one way
    initial_soc: float = Field(default=0.5, ge=0, le=1)
    command_hold_minutes: float = Field(default=90.0, gt=0, le=1440)
    # False: the inverter forms the cottage's grid, so it covers any deficit it can whatever
    # the set-point (holding back would black the house out); True: it discharges no more
    # than the set-point and the rest is unserved (what an hourly set-point costs)
    strict_setpoint: bool = False
    heat_pump_kw: float = Field(default=5.0, gt=0, le=100)  # thermal output
    room_start_c: float = Field(default=19.0, ge=-20, le=40)
    room_setpoint_c: float = Field(default=20.0, ge=5, le=30)
    tank_litres: float = Field(default=200.0, gt=0, le=5000)
    tank_heater_kw: float = Field(default=2.0, gt=0, le=50)
    tank_start_c: float = Field(default=55.0, ge=MAINS_C, le=95)
    tank_setpoint_c: float = Field(default=55.0, ge=MAINS_C, le=85)
    tank_loss_kw_per_k: float = Field(default=0.002, ge=0, le=1)
    hot_water_kwh: dict[int, float] = Field(default_factory=lambda: {7: 2.0, 13: 1.0, 20: 3.0})
    loads: dict[str, SimLoadConfig] = Field(default_factory=_default_loads)


register_section("cottage_simulator", CottageSimulatorConfig)


@dataclass
class CottageState:
    soc_kwh: float
    tank_c: float
    room_sp: float
    tank_sp: float
    heating: bool = True  # the room's hvac_mode is heat
    battery_sp: float | None = None  # kW; None: the inverter balances by itself
    battery_sp_at: float = -math.inf
    running_until: dict[str, float] = field(default_factory=dict)
    outdoor: float = 10.0
    ghi: float = 0.0
    pv_kw: float = 0.0
    base_kw: float = 0.0
    heat_kw: float = 0.0  # the heat pump's heat
    hp_kw: float = 0.0  # and its electricity
    tank_kw: float = 0.0
    loads_kw: float = 0.0
    battery_kw: float = 0.0  # + charge
    unserved_kw: float = 0.0
    curtailed_kw: float = 0.0
    unserved_kwh: float = 0.0


class CottagePlant:
    """The physics, one step at a time (no hub in here: tests drive it directly)."""

    def __init__(
        self, cfg: CottageSimulatorConfig, weather: OutdoorWeather, room: RoomPhysics, zone: tzinfo
    ) -> None:
        self.cfg = cfg
        self.weather = weather
        self.room = room
        self.zone = zone
        self.tank_kwh_per_k = cfg.tank_litres * 4.186 / 3600.0
        self.s = CottageState(
            soc_kwh=cfg.initial_soc * cfg.battery_kwh,
            tank_c=cfg.tank_start_c,
            room_sp=cfg.room_setpoint_c,
            tank_sp=cfg.tank_setpoint_c,
        )
        self._cop = thermal_module("cottage_simulator", "the simulated cottage").heat_pump_cop

    def local_hours(self, ts: float) -> float:
        local = datetime.fromtimestamp(ts, self.zone)
        return local.hour + local.minute / 60 + local.second / 3600

    def base_load(self, ts: float) -> float:
        """A daily shape (night, a morning and a larger evening peak) with seeded noise;
        its daily mean is `base_load_kw`."""
        h = self.local_hours(ts)
        shape = (
            0.5
            + 0.9 * math.exp(-(((h - 7.5) / 1.2) ** 2))
            + 1.6 * math.exp(-(((h - 19.0) / 2.0) ** 2))
            + 0.3 * math.exp(-(((h - 13.0) / 3.0) ** 2))
        )
        mean = 0.5 + (0.9 * 1.2 + 1.6 * 2.0 + 0.3 * 3.0) * math.sqrt(math.pi) / 24.0
        rng = random.Random(f"{self.cfg.seed}:load:{int(ts // STEP.total_seconds())}")
        noise = max(1.0 + rng.gauss(0.0, self.cfg.load_noise), 0.2)
        return self.cfg.base_load_kw * shape / mean * noise

    def command(self, kw: float, ts: float) -> float:
        self.s.battery_sp = min(max(kw, -self.cfg.battery_kw), self.cfg.battery_kw)
        self.s.battery_sp_at = ts
        return self.s.battery_sp

    def start(self, name: str, ts: float) -> None:
        self.s.running_until[name] = ts + self.cfg.loads[name].hours * 3600.0

    def step(self, ts: float, hours: float = STEP.total_seconds() / 3600.0) -> CottageState:
        """The step that starts at ``ts``."""
        s, cfg, room = self.s, self.cfg, self.room
        s.outdoor = self.weather.outdoor(ts)
        s.ghi = self.weather.irradiance(ts)
        s.pv_kw = cfg.pv_kwp * s.ghi / 1000.0 * cfg.pv_performance
        s.base_kw = self.base_load(ts)
        # the room: the heat that brings the air to its set-point this step, within the pump
        need = 0.0
        if s.heating and room.air < s.room_sp:
            need = (s.room_sp - room.air) * room.c_air / hours
            need += (room.air - s.outdoor) / room.r_out + (room.air - room.mass) / room.r_air_mass
        s.heat_kw = min(max(need, 0.0), room.max_heat_kw)
        room.step(s.outdoor, s.heat_kw, s.ghi, hours, substeps=3)
        s.hp_kw = s.heat_kw / float(self._cop(s.outdoor))
        # the tank: the element on below its set-point (1 K of hysteresis), the draws
        element = s.tank_c < s.tank_sp - 1.0 or (s.tank_kw > 0 and s.tank_c < s.tank_sp)
        s.tank_kw = cfg.tank_heater_kw if element else 0.0
        draw = cfg.hot_water_kwh.get(int(self.local_hours(ts)), 0.0) * hours
        loss = cfg.tank_loss_kw_per_k * (s.tank_c - ROOM_C) * hours
        s.tank_c += (s.tank_kw * hours - draw - loss) / self.tank_kwh_per_k
        s.tank_c = min(max(s.tank_c, MAINS_C), 95.0)
        # the loads: on until their time is up
        s.loads_kw = sum(cfg.loads[n].kw for n, end in s.running_until.items() if ts < end)
        use = s.base_kw + s.hp_kw + s.tank_kw + s.loads_kw
        # the battery: off grid it charges from the surplus and discharges into the deficit
        if ts - s.battery_sp_at > cfg.command_hold_minutes * 60.0:
            s.battery_sp = None
        surplus = s.pv_kw - use
        eff = cfg.battery_efficiency
        if surplus >= 0:
            want = surplus if s.battery_sp is None else min(max(s.battery_sp, 0.0), surplus)
            room_kw = (cfg.battery_kwh - s.soc_kwh) / (hours * eff)
            s.battery_kw = min(want, cfg.battery_kw, room_kw)
            s.soc_kwh += s.battery_kw * hours * eff
        else:
            want = -surplus
            if s.battery_sp is not None and cfg.strict_setpoint:
                want = min(max(-s.battery_sp, 0.0), -surplus)
            s.battery_kw = -min(want, cfg.battery_kw, s.soc_kwh * eff / hours)
            s.soc_kwh += s.battery_kw * hours / eff
        s.soc_kwh = min(max(s.soc_kwh, 0.0), cfg.battery_kwh)
        net = s.pv_kw - use - s.battery_kw
        s.curtailed_kw = max(net, 0.0)
        s.unserved_kw = max(-net, 0.0)
        s.unserved_kwh += s.unserved_kw * hours
        return s


DATA_KEY: DataKey[SimulatedCottage] = DataKey("cottage_simulator")

_SENSORS: tuple[tuple[str, str, str, str], ...] = (
    # name, device_class, unit, state_class
    ("pv_power", "power", "kW", "measurement"),
    ("house_power", "power", "kW", "measurement"),
    ("battery_power", "power", "kW", "measurement"),
    ("heat_pump_power", "power", "kW", "measurement"),
    ("outdoor_temperature", "temperature", "°C", "measurement"),
    ("battery_soc", "battery", "%", "measurement"),
    ("unserved_energy", "energy", "kWh", "total_increasing"),
)


class SimulatedCottage(Stepped):
    """The plant bound to the hub: entities, service handlers, a 15-minute tick."""

    interval = STEP

    def __init__(self, hub: Hub, cfg: CottageSimulatorConfig) -> None:
        self.hub = hub
        self.cfg = cfg
        self.p = cfg.prefix
        core = hub.config.core
        zone = ZoneInfo(core.time_zone)
        thermal = thermal_module("cottage_simulator", "the simulated cottage")
        weather: OutdoorWeather
        if cfg.epw is None:
            weather = SyntheticWeather(
                cfg.weather, core.latitude, core.longitude, f"{cfg.seed}:weather"
            )
        else:
            path = Path(cfg.epw).expanduser()
            if not path.is_absolute():
                path = hub.config.config_dir / path
            weather = EpwOutdoor(read_epw(path), zone)
        room = thermal.RoomPhysics(
            max_heat_kw=cfg.heat_pump_kw, air=cfg.room_start_c, mass=cfg.room_start_c
        )
        self.plant = CottagePlant(cfg, weather, room, zone)
        self.steps = 0
        self.commanded: dict[str, Context] = {}  # entity -> the Context of its last command

    def eid(self, domain: str, name: str) -> str:
        return f"{domain}.{self.p}_{name}"

    # -- entities ---------------------------------------------------------------------------

    def attach(self) -> None:
        hub = self.hub
        hub.registries.add_space(Space(self.p, "Cottage", SpaceKind.HOME))
        hub.registries.add_area(Area(f"{self.p}_living_room", "Cottage living room", self.p))
        commanded = [
            self.eid("number", "battery_power"),
            self.eid("climate", "living_room"),
            self.eid("water_heater", "tank"),
        ] + [self.eid("switch", name) for name in self.cfg.loads]
        for eid in commanded:
            hub.entities.async_add(eid, OWNER, self._command)
        sensors = [self.eid("sensor", name) for name, *_ in _SENSORS]
        for eid in sensors:
            hub.entities.async_add(eid, OWNER, None)
        hub.registries.add_device(
            Device(
                f"{self.p}_plant",
                "Off-grid cottage",
                f"{self.p}_living_room",
                commanded + sensors,
                "Hearthmind",
                "simulated cottage",
            )
        )
        self.tick()

    def _publish(self, ctx: Context | None = None) -> None:
        s, cfg = self.plant.s, self.cfg
        ctx = ctx or self.hub.context(Origin.SENSOR)
        put = self.hub.states.async_set
        values = {
            "pv_power": s.pv_kw,
            "house_power": s.base_kw,
            "battery_power": s.battery_kw,
            "heat_pump_power": s.hp_kw,
            "outdoor_temperature": s.outdoor,
            "battery_soc": 100.0 * s.soc_kwh / cfg.battery_kwh,
            "unserved_energy": s.unserved_kwh,
        }
        for name, device_class, unit, state_class in _SENSORS:
            put(
                self.eid("sensor", name),
                f"{values[name]:.3f}",
                {
                    "unit_of_measurement": unit,
                    "device_class": device_class,
                    "state_class": state_class,
                    "friendly_name": f"Cottage {name.replace('_', ' ')}",
                },
                ctx,
            )
        sp = s.battery_sp
        put(
            self.eid("number", "battery_power"),
            "unknown" if sp is None else f"{round(sp, 3):g}",
            {
                "min": -cfg.battery_kw,
                "max": cfg.battery_kw,
                "step": 0.001,
                "mode": "box",
                "unit_of_measurement": "kW",
                "device_class": "power",
                "control": "auto" if sp is None else "setpoint",
                "friendly_name": "Cottage battery power set-point",
            },
            ctx,
        )
        room = self.plant.room
        put(
            self.eid("climate", "living_room"),
            "heat" if s.heating else "off",
            {
                "temperature": s.room_sp,
                "current_temperature": round(room.air, 2),
                "hvac_modes": ["heat", "off"],
                "hvac_action": "heating" if s.heat_kw > 0.05 else "idle",
                "min_temp": 5.0,
                "max_temp": 30.0,
                "target_temp_step": 0.5,
                "temperature_unit": "°C",
                "friendly_name": "Cottage living room",
            },
            ctx,
        )
        put(
            self.eid("water_heater", "tank"),
            "electric",
            {
                "temperature": s.tank_sp,
                "current_temperature": round(s.tank_c, 2),
                "min_temp": 30.0,
                "max_temp": 85.0,
                "operation_list": ["electric"],
                "operation_mode": "electric",
                "heating": s.tank_kw > 0,
                "friendly_name": "Cottage hot-water tank",
            },
            ctx,
        )
        now = self.hub.clock.timestamp()
        for name in self.cfg.loads:
            end = s.running_until.get(name)
            on = end is not None and now < end
            put(
                self.eid("switch", name),
                "on" if on else "off",
                {"friendly_name": f"Cottage {name.replace('_', ' ')}"},
                ctx,
            )

    # -- commands ---------------------------------------------------------------------------

    async def _command(
        self, service: str, entity_id: str, data: Mapping[str, Any], context: Context
    ) -> None:
        s = self.plant.s
        now = self.hub.clock.timestamp()
        self.commanded[entity_id] = context
        domain, name = entity_id.split(".", 1)
        name = name.removeprefix(f"{self.p}_")
        if domain == "number" and "value" in data:
            self.plant.command(float(data["value"]), now)
        elif domain == "climate":
            if "temperature" in data:
                s.room_sp = min(max(float(data["temperature"]), 5.0), 30.0)
            mode = data.get("hvac_mode")
            if service in ("turn_on", "turn_off"):
                mode = "heat" if service == "turn_on" else "off"
            if mode is not None:
                s.heating = mode != "off"
        elif domain == "water_heater" and "temperature" in data:
            s.tank_sp = min(max(float(data["temperature"]), 30.0), 85.0)
        elif domain == "switch":
            running = now < s.running_until.get(name, -math.inf)
            if service == "turn_on" or (service == "toggle" and not running):
                if not running:  # a programme that runs is not restarted
                    self.plant.start(name, now)
            else:
                s.running_until.pop(name, None)  # cancelled
        self._publish(context)

    # -- running ----------------------------------------------------------------------------

    def tick(self) -> None:
        self.plant.step(self.hub.clock.timestamp())
        self.steps += 1
        self._publish()


async def async_setup(hub: Hub, options: SetupOptions) -> None:
    """Run a simulated off-grid cottage when configuration.yaml has `cottage_simulator:`."""
    if "cottage_simulator" not in hub.config.raw:
        return
    cfg = hub.config.section("cottage_simulator", CottageSimulatorConfig)
    start_stepped(hub, DATA_KEY, SimulatedCottage(hub, cfg))
