"""The off-grid cottage in the hub: PV, a battery, a heat pump, a hot-water tank and deferrable
loads, no grid (issue 22, items 4 and 5).

    cottage:                                  # configuration.yaml
      pv_power: sensor.pv_power               # W or kW (its unit_of_measurement says)
      house_power: sensor.house_power         # the base load, W or kW
      battery_soc: sensor.battery_soc         # %
      battery_setpoint: number.battery_power  # optional: kW, + charge / - discharge
      battery_kwh: 13.5
      battery_kw: 5.0
      room: climate.living_room               # current_temperature; its set-point is set
      outdoor_temperature: sensor.outdoor_temperature
      water_heater: water_heater.tank         # or switch.* with tank_temperature: sensor.*
      loads:                                  # deferrable: started by a deadline
        dishwasher: {switch: switch.dishwasher, kw: 1.2, hours: 1, by: "21:00"}

Every hour (cottage_controller.py) it reads and guards the entities, forecasts the base load,
PV and outdoor temperature from what it has seen (comfort.forecast), learns the room's model
(comfort.thermal, seeded from the recorder's history when there is one), plans 24 hours with
the cottage LP (comfort.cottage: unserved energy first, then discomfort, a reserve for the
night) and acts on the first hour: the battery's set-point, the room's and the tank's, and the
loads whose start the plan (or the deadline) says is now. It publishes ``sensor.cottage_plan``
(``plan`` or ``rule``; the plan per hour and the reasons in words) and
``sensor.cottage_pv_forecast`` / ``sensor.cottage_load_forecast`` (HA's ``forecast`` list of
{datetime, value}). No room model yet, a failed or timed-out solve, a missing or nonsense
reading, a device ignoring its command: the library's safe rule, a log line and a count in
hub.health. A load with ``by`` is asked for every day (done once before each ``by``);
``cottage.request_load`` asks for one (optionally by a time), ``cottage.run_load`` starts one.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from hearthmind.core import (
    DataKey,
    HearthmindError,
    Hub,
    ServiceCall,
    ServiceData,
    SetupOptions,
    register_section,
)

if TYPE_CHECKING:  # NumPy, SciPy and HiGHS load only when a cottage is configured
    from .cottage_controller import Cottage

HHMM = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


def _hhmm(value: str | None) -> str | None:
    if value is not None and not HHMM.match(value):
        raise ValueError(f"{value!r} is not a time of day (HH:MM)")
    return value


def _domain(value: str | None, *domains: str) -> str | None:
    if value is not None and value.partition(".")[0] not in domains:
        raise ValueError(f"{value!r} is not a {' or '.join(domains)} entity")
    return value


class CottageLoad(BaseModel):
    """A deferrable load: switched on when the plan starts it, off after ``hours``."""

    model_config = ConfigDict(extra="forbid")

    switch: str
    kw: float = Field(gt=0, le=50)
    hours: int = Field(default=1, ge=1, le=12)
    by: str | None = None  # HH:MM: asked for every day, done by then (else: when requested)

    _switch = field_validator("switch")(
        classmethod(lambda cls, v: _domain(v, "switch", "input_boolean"))
    )
    _by = field_validator("by")(classmethod(lambda cls, v: _hhmm(v)))


class CottageConfig(BaseModel):
    """The ``cottage:`` section."""

    model_config = ConfigDict(extra="forbid")

    pv_power: str
    house_power: str
    battery_soc: str
    battery_setpoint: str | None = None
    battery_kwh: float = Field(default=13.5, gt=0, le=1000)
    battery_kw: float = Field(default=5.0, gt=0, le=500)
    room: str
    outdoor_temperature: str
    irradiance: str | None = None  # W/m2, optional (the room model's sun)
    water_heater: str
    tank_temperature: str | None = None  # default: the water heater's current_temperature
    tank_litres: float = Field(default=200.0, gt=0, le=5000)
    tank_heater_kw: float = Field(default=2.0, gt=0, le=50)
    heat_pump_kw: float = Field(default=5.0, gt=0, le=100)  # thermal
    cop: float = Field(default=3.0, gt=0, le=10)  # heat per unit of electricity
    comfort: float = Field(default=20.0, ge=5, le=30)  # the room's floor while people are up
    setback: float = Field(default=17.0, ge=5, le=30)  # and at night
    night: tuple[str, str] = ("23:00", "07:00")
    hot_water_kwh: dict[int, float] = Field(
        default_factory=lambda: {7: 2.0, 13: 1.0, 20: 3.0}
    )  # hour of day -> kWh drawn
    loads: dict[str, CottageLoad] = Field(default_factory=dict)
    solver_time_limit_s: float = Field(default=3.0, ge=0, le=60)
    prefix: str = "cottage"

    _room = field_validator("room")(classmethod(lambda cls, v: _domain(v, "climate")))
    _tank = field_validator("water_heater")(
        classmethod(lambda cls, v: _domain(v, "water_heater", "switch"))
    )
    _bat = field_validator("battery_setpoint")(
        classmethod(lambda cls, v: _domain(v, "number", "input_number"))
    )

    @field_validator("night")
    @classmethod
    def _night(cls, value: tuple[str, str]) -> tuple[str, str]:
        for part in value:
            _hhmm(part)
        return value

    @model_validator(mode="after")
    def _tank_reading(self) -> CottageConfig:
        if self.water_heater.startswith("switch.") and self.tank_temperature is None:
            raise ValueError("a switch.* water heater needs tank_temperature (a sensor)")
        return self


register_section("cottage", CottageConfig)

DATA_KEY: DataKey[Cottage] = DataKey("cottage")


class RequestLoadData(ServiceData):
    load: str = Field(min_length=1, max_length=64)
    by: str | None = None  # HH:MM (default: the load's own `by`, else 24 hours from now)

    _by = field_validator("by")(classmethod(lambda cls, v: _hhmm(v)))


class RunLoadData(ServiceData):
    load: str = Field(min_length=1, max_length=64)


def get_cottage(hub: Hub) -> Cottage | None:
    return hub.data.get(DATA_KEY)


async def async_setup(hub: Hub, options: SetupOptions) -> None:
    """Run the cottage when configuration.yaml has ``cottage:``."""
    if "cottage" not in hub.config.raw:
        return
    from .cottage_controller import Cottage

    controller = Cottage(hub, hub.config.section("cottage", CottageConfig))
    hub.data[DATA_KEY] = controller

    async def request(call: ServiceCall) -> dict[str, Any]:
        data = RequestLoadData.model_validate(call.data.model_dump())
        return controller.request(data.load, data.by)

    async def run(call: ServiceCall) -> dict[str, Any]:
        data = RunLoadData.model_validate(call.data.model_dump())
        return await controller.async_run_now(data.load, call.context)

    def counted(handler: Any) -> Any:
        async def wrapped(call: ServiceCall) -> dict[str, Any]:
            try:
                out: dict[str, Any] = await handler(call)
            except HearthmindError as err:
                hub.health.problem(err.counter, str(err), hub.clock.timestamp())
                raise
            return out

        return wrapped

    for name, handler, schema, text in (
        ("request_load", request, RequestLoadData, "ask for a deferrable load, done by a time"),
        ("run_load", run, RunLoadData, "start a deferrable load now"),
    ):
        hub.services.async_register(
            "cottage", name, counted(handler), schema, needs_target=False, description=text
        )
    hub.async_at_start(controller.schedule)

    async def _stop() -> None:
        await controller.async_stop()

    hub.async_on_stop(_stop)
