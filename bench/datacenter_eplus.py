"""The data hall in real EnergyPlus: Sinergym's two-zone chilled-water data center driven
through pyenergyplus's API callbacks.

The CPU-loading schedule follows an hourly IT-load trace; a controller (or none: the
model's own set-point managers) is asked every 15 minutes for set-points, which are written
in `after_predictor_after_hvac_managers` (earlier the model's managers overwrite them).
The hall is read like a real one: rack inlets (ITE inlet dry-bulb), supply and return air,
chilled-water supply and outdoor temperatures, IT power and HVAC power.
"""

from __future__ import annotations

import json
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from hearthmind.comfort.datahall.readings import HallSensors, HallSetpoints, safe_setpoints  # noqa: E402

MODEL = ROOT / "bench" / "datahall" / "2ZoneDataCenterHVAC_wEconomizer_CW.epJSON"
ZONES = ("East", "West")
ITE = {"East": "EASTDATACENTER_EQUIP", "West": "WESTDATACENTER_EQUIP"}
SUPPLY_NODES = (
    "Zone DEC Outlet Node",
    "Zone IEC Outlet Node",
    "Zone CCoil Air Outlet Node",
    "Air Loop Outlet Node",
    "Zone Mixed Air Node",
)
FAN_HEAT_K = 0.4  # 300 Pa at 70 % fan efficiency, motor outside the air stream
DAYS_IN_MONTH = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)

Controller = Callable[[HallSensors], HallSetpoints | None]


@dataclass(frozen=True)
class Fixed:
    """Constant zone cooling and chilled-water set-points, the model's managers otherwise."""

    zone_cooling_c: float
    chilled_water_c: float


@dataclass
class RunResult:
    """Hourly series of one run (hour of the run period, not of the year)."""

    inlet_c: list[float] = field(default_factory=list)  # hottest rack inlet of the hour
    inlet_min_c: list[float] = field(default_factory=list)  # coldest rack inlet of the hour
    hvac_kwh: list[float] = field(default_factory=list)
    it_kwh: list[float] = field(default_factory=list)
    outdoor_c: list[float] = field(default_factory=list)
    chilled_water_c: list[float] = field(default_factory=list)
    supply_c: list[float] = field(default_factory=list)
    modes: dict[str, int] = field(default_factory=dict)

    def figures(self) -> dict[str, float]:
        """The issue's figures: cooling energy, cooling PUE, inlet temperatures."""
        hot = np.asarray(self.inlet_c)
        cold = np.asarray(self.inlet_min_c)
        cooling = float(np.sum(self.hvac_kwh))
        it = float(np.sum(self.it_kwh))
        return {
            "cooling_kwh": round(cooling, 1),
            "it_kwh": round(it, 1),
            "pue": round((it + cooling) / it, 4) if it > 0 else float("nan"),
            "hours_above_27": int(np.sum(hot > 27.0)),
            "hours_below_18": int(np.sum(cold < 18.0)),
            "max_inlet_c": round(float(hot.max()), 2),
            "p95_inlet_c": round(float(np.percentile(hot, 95)), 2),
            "min_inlet_c": round(float(cold.min()), 2),
        }


def prepare_model(out_dir: Path, month: int | None, days: int | None = None) -> Path:
    """The model with its run period (a year, one month, or its first `days`), 15-minute
    steps kept."""
    model = json.loads(MODEL.read_text())
    period = model["RunPeriod"]["RUNPERIOD 1"]
    first, last = (1, 12) if month is None else (month, month)
    period.update(
        begin_month=first,
        begin_day_of_month=1,
        end_month=last,
        end_day_of_month=DAYS_IN_MONTH[last - 1] if days is None else days,
    )
    # The ITE's own inlet report: the figures a real hall's rack sensors give.
    model["Output:Variable"] = {
        "ite inlet": {
            "key_value": "*",
            "variable_name": "ITE Air Inlet Dry-Bulb Temperature",
            "reporting_frequency": "Hourly",
        }
    }
    # Nothing but what the bench reads: no drawing, no tables.
    for key in ("Output:Surfaces:Drawing", "Output:Constructions", "Output:VariableDictionary"):
        model.pop(key, None)
    path = out_dir / "hall.epJSON"
    path.write_text(json.dumps(model))
    return path


class _Hall:
    """Handles and per-step bookkeeping of one EnergyPlus run."""

    def __init__(
        self,
        api: Any,
        workload: np.ndarray,
        controller: Controller | None,
        fixed: Fixed | None,
        trip_at_h: float | None = None,
    ) -> None:
        self.trip_at_h = trip_at_h
        self.tripped = False
        self.api = api
        self.x = api.exchange
        self.workload = workload
        self.controller = controller
        self.fixed = fixed
        self.ready = False
        self.h: dict[str, int] = {}
        self.command: HallSetpoints | None = None
        self.result = RunResult()
        self._hour: list[tuple[float, float, float, float, float, float, float]] = []

    def request(self, state: Any) -> None:
        for zone in ZONES:
            self.x.request_variable(state, "ITE Air Inlet Dry-Bulb Temperature", ITE[zone])
            for node in (f"{zone} Zone Inlet Node", f"{zone} Zone Return Air Node"):
                self.x.request_variable(state, "System Node Temperature", node)
            self.x.request_variable(state, "System Node Temperature", f"{zone} Zone Mixed Air Node")
        self.x.request_variable(state, "System Node Temperature", "CW Supply Outlet Node")
        self.x.request_variable(state, "Site Outdoor Air Drybulb Temperature", "Environment")
        self.x.request_variable(state, "Site Outdoor Air Wetbulb Temperature", "Environment")
        for name in (
            "Facility Total HVAC Electricity Demand Rate",
            "Facility Total Building Electricity Demand Rate",
        ):
            self.x.request_variable(state, name, "Whole Building")
        self.x.request_variable(state, "Chiller Electricity Rate", "CHILLER")

    def _handles(self, state: Any) -> bool:
        x = self.x
        h = self.h
        for zone in ZONES:
            h[f"inlet {zone}"] = x.get_variable_handle(
                state, "ITE Air Inlet Dry-Bulb Temperature", ITE[zone]
            )
            h[f"supply {zone}"] = x.get_variable_handle(
                state, "System Node Temperature", f"{zone} Zone Inlet Node"
            )
            h[f"return {zone}"] = x.get_variable_handle(
                state, "System Node Temperature", f"{zone} Zone Return Air Node"
            )
            h[f"mixed {zone}"] = x.get_variable_handle(
                state, "System Node Temperature", f"{zone} Zone Mixed Air Node"
            )
            for part in SUPPLY_NODES:
                h[f"sat {zone} {part}"] = x.get_actuator_handle(
                    state, "System Node Setpoint", "Temperature Setpoint", f"{zone} {part}"
                )
            h[f"oa {zone}"] = x.get_actuator_handle(
                state,
                "Outdoor Air Controller",
                "Air Mass Flow Rate",
                f"{zone} Data Center OA Controller".upper(),
            )
            h[f"flow {zone}"] = x.get_variable_handle(
                state, "System Node Mass Flow Rate", f"{zone} Zone Mixed Air Node"
            )
        h["chw"] = x.get_variable_handle(state, "System Node Temperature", "CW Supply Outlet Node")
        h["odb"] = x.get_variable_handle(
            state, "Site Outdoor Air Drybulb Temperature", "Environment"
        )
        h["owb"] = x.get_variable_handle(
            state, "Site Outdoor Air Wetbulb Temperature", "Environment"
        )
        h["hvac"] = x.get_variable_handle(
            state, "Facility Total HVAC Electricity Demand Rate", "Whole Building"
        )
        h["bldg"] = x.get_variable_handle(
            state, "Facility Total Building Electricity Demand Rate", "Whole Building"
        )
        h["chiller power"] = x.get_variable_handle(state, "Chiller Electricity Rate", "CHILLER")
        h["cpu"] = x.get_actuator_handle(
            state, "Schedule:Compact", "Schedule Value", "DATA CENTER CPU LOADING SCHEDULE"
        )
        h["zone sp"] = x.get_actuator_handle(
            state, "Schedule:Compact", "Schedule Value", "COOLING SETPOINTS"
        )
        h["chiller"] = x.get_actuator_handle(
            state, "Plant Component Chiller:Electric", "On/Off Supervisory", "CHILLER"
        )
        h["chw sp"] = x.get_actuator_handle(
            state, "Schedule:Compact", "Schedule Value", "CW LOOP TEMP SCHEDULE"
        )
        missing = [k for k, v in h.items() if v < 0 and not k.startswith("flow")]
        if missing:
            raise RuntimeError(f"EnergyPlus lacks handles for {missing}")
        return True

    def _hour_of_year(self, state: Any) -> float:
        x = self.x
        return (x.day_of_year(state) - 1) * 24 + x.current_time(state) - 0.25

    def control(self, state: Any) -> None:
        """after_predictor_after_hvac_managers: write the set-points of this step."""
        x = self.x
        if not self.ready:
            if not x.api_data_fully_ready(state):
                return
            self.ready = self._handles(state)
        now = self._hour_of_year(state)
        if self.trip_at_h is not None and now >= self.trip_at_h and not x.warmup_flag(state):
            self.tripped = True  # a chiller fault: it stays off from here on
        if self.tripped:
            x.set_actuator_value(state, self.h["chiller"], 0.0)
        hour = int(now) % len(self.workload)
        x.set_actuator_value(state, self.h["cpu"], float(self.workload[hour]))
        if self.fixed is not None:
            x.set_actuator_value(state, self.h["zone sp"], self.fixed.zone_cooling_c)
            x.set_actuator_value(state, self.h["chw sp"], self.fixed.chilled_water_c)
        cmd = self.command
        if self.controller is None:
            return
        if cmd is None or x.warmup_flag(state):
            # before the controller's first word (and through the warm-up days) the hall
            # runs on the safe set-points a supervised hall starts with
            cmd = safe_setpoints(len(ZONES), "starting")
        x.set_actuator_value(state, self.h["zone sp"], cmd.zone_cooling_c)
        x.set_actuator_value(state, self.h["chw sp"], cmd.chilled_water_c)
        for zone, sat in zip(ZONES, cmd.supply_air_c, strict=True):
            # every node the model's single-zone manager sets (evaporative coolers, coil,
            # loop outlet), and the mixed air just below for the fan's heat
            for part in SUPPLY_NODES:
                value = sat - FAN_HEAT_K if part == "Zone Mixed Air Node" else sat
                x.set_actuator_value(state, self.h[f"sat {zone} {part}"], value)
            if cmd.economiser <= 0.0:
                # economiser locked out: the outdoor-air flow actuated to zero (a closed hall)
                x.set_actuator_value(state, self.h[f"oa {zone}"], 0.0)
            else:
                x.reset_actuator(state, self.h[f"oa {zone}"])

    def read(self, state: Any) -> None:
        """end_zone_timestep_after_zone_reporting: read the hall, ask the controller."""
        x = self.x
        if not self.ready or x.warmup_flag(state):
            return
        h = self.h

        def v(key: str) -> float:
            return float(x.get_variable_value(state, h[key]))

        hvac_kw = v("hvac") / 1000.0
        it_kw = v("bldg") / 1000.0
        sensors = HallSensors(
            time_h=self._hour_of_year(state) + 0.25,
            zone_inlet_c=tuple(v(f"inlet {z}") for z in ZONES),
            zone_supply_c=tuple(v(f"supply {z}") for z in ZONES),
            zone_return_c=tuple(v(f"return {z}") for z in ZONES),
            chilled_water_supply_c=v("chw"),
            outdoor_drybulb_c=v("odb"),
            outdoor_wetbulb_c=v("owb"),
            it_kw=it_kw,
            cooling_kw=hvac_kw,
            mixed_air_c=tuple(v(f"mixed {z}") for z in ZONES),
            chiller_running=not self.tripped,
        )
        self._hour.append(
            (
                max(sensors.zone_inlet_c),
                min(sensors.zone_inlet_c),
                hvac_kw * 0.25,
                it_kw * 0.25,
                sensors.outdoor_drybulb_c,
                sensors.chilled_water_supply_c,
                float(np.mean(sensors.zone_supply_c)),
            )
        )
        if len(self._hour) == 4:
            rows = np.asarray(self._hour)
            r = self.result
            r.inlet_c.append(float(rows[:, 0].max()))
            r.inlet_min_c.append(float(rows[:, 1].min()))
            r.hvac_kwh.append(float(rows[:, 2].sum()))
            r.it_kwh.append(float(rows[:, 3].sum()))
            r.outdoor_c.append(float(rows[:, 4].mean()))
            r.chilled_water_c.append(float(rows[:, 5].mean()))
            r.supply_c.append(float(rows[:, 6].mean()))
            self._hour = []
        if self.controller is not None:
            self.command = self.controller(sensors)
            if self.command is not None:
                mode = self.command.mode
                self.result.modes[mode] = self.result.modes.get(mode, 0) + 1


def run(
    epw: Path,
    workload: np.ndarray,
    controller: Controller | None = None,
    fixed: Fixed | None = None,
    month: int | None = None,
    days: int | None = None,
    model: Path | None = None,
    trip_at_h: float | None = None,
) -> RunResult:
    """One EnergyPlus run of the hall; raises RuntimeError when EnergyPlus fails."""
    from pyenergyplus.api import EnergyPlusAPI

    api = EnergyPlusAPI()
    state = api.state_manager.new_state()
    hall = _Hall(api, workload, controller, fixed, trip_at_h)
    api.runtime.set_console_output_status(state, False)
    hall.request(state)
    api.runtime.callback_after_predictor_after_hvac_managers(state, hall.control)
    api.runtime.callback_end_zone_timestep_after_zone_reporting(state, hall.read)
    with tempfile.TemporaryDirectory(prefix="hall-") as tmp:
        path = model or prepare_model(Path(tmp), month, days)
        if not epw.exists():
            api.state_manager.delete_state(state)
            raise RuntimeError(f"EnergyPlus cannot start: no weather file {epw}")
        code = api.runtime.run_energyplus(state, ["-w", str(epw), "-d", tmp, str(path)])
        if code != 0 or not hall.result.inlet_c:
            err = Path(tmp) / "eplusout.err"
            tail = err.read_text(errors="replace")[-600:] if err.exists() else ""
            api.state_manager.delete_state(state)
            raise RuntimeError(f"EnergyPlus failed (exit {code}) on {epw.name}: {tail}")
    api.state_manager.delete_state(state)
    return hall.result


def it_power_per_kelvin_kw(model: Path = MODEL) -> float:
    """The hall's extra IT kW per K of inlet from the model's ITE objects: each one's design
    power (W/m2 x its zone's floor area) times its CPU power curve's inlet coefficient
    (Sinergym's 0.0667 per K). Design power as a whole, fans and UPS losses in it, as a
    data sheet's figure would be; about 6.5 kW/K for the two zones."""
    m = json.loads(model.read_text())
    curves = m.get("Curve:Biquadratic", {})
    total = 0.0
    for ite in m["ElectricEquipment:ITE:AirCooled"].values():
        if ite.get("design_power_input_calculation_method") != "Watts/Area":
            raise ValueError(f"ITE design power by {ite['design_power_input_calculation_method']}")
        zone = ite["zone_or_space_name"]
        area = sum(
            _polygon_area(s["vertices"])
            for s in m["BuildingSurface:Detailed"].values()
            if s["surface_type"] == "Floor" and s["zone_name"] == zone
        )
        curve = curves[ite["cpu_power_input_function_of_loading_and_air_temperature_curve_name"]]
        total += ite["watts_per_floor_area"] * area * float(curve.get("coefficient4_y", 0.0))
    return total / 1000.0


def _polygon_area(vertices: list[dict[str, float]]) -> float:
    """A flat floor's area (shoelace in x-y; the model's floors are horizontal)."""
    x = np.array([v["vertex_x_coordinate"] for v in vertices])
    y = np.array([v["vertex_y_coordinate"] for v in vertices])
    return float(abs(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1))) / 2)


def load_workload(csv: Path) -> np.ndarray:
    """An hourly CPU-utilisation trace (column cpu_load, 0-1), clipped to 0-1."""
    import pandas as pd

    values = pd.read_csv(csv)["cpu_load"].to_numpy(dtype=float)
    values = np.where(np.isfinite(values), values, 0.5)
    return np.clip(values, 0.0, 1.0)


def data_dir() -> Path:
    """../shared/data/energy/datacenter, or $HEARTHMIND_DATA/energy/datacenter."""
    import os

    base = Path(os.environ.get("HEARTHMIND_DATA", ROOT.parent / "shared" / "data"))
    return base / "energy" / "datacenter"
