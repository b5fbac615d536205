"""Solar + battery MPC in the hub, for configured PV, battery and grid-meter entities.

    home_energy:                          # configuration.yaml
      pv_power: sensor.pv_power           # kW, the last hour's mean
      house_power: sensor.house_power     # kW, the home's own use (without the battery)
      battery_soc: sensor.battery_soc     # %, as inverters report it
      battery_setpoint: number.battery_charge_power   # kW, + charge / - discharge
      battery_kwh: 10
      battery_kw: 5
      price: sensor.electricity_price     # optional, per kWh
      carbon: sensor.grid_carbon          # optional, kg/kWh

Every hour it reads the entities, learns its forecasts of the home's use and PV from what it
has seen (hearthmind.comfort.forecast), plans the battery over 24 hours with HiGHS
(battery_mpc) and sets the battery's set-point through ``number.set_value``. It publishes
``sensor.home_energy_load_forecast`` and ``sensor.home_energy_pv_forecast`` (the next hour's
kWh as the state, the day ahead as the ``forecast`` attribute) and ``sensor.home_energy_plan``
(mpc or rule; the plan per hour and the reasons in words as attributes; the API serves it as
any state). Missing readings, a battery reporting nonsense or a failed solve: the safe rule,
a log line and a health count (comfort.guard).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict

from hearthmind.core import (
    DataKey,
    Hub,
    SetupOptions,
    register_section,
)

if TYPE_CHECKING:  # NumPy, SciPy and HiGHS load only when a battery is configured
    from .home_energy_controller import HomeEnergy


class HomeEnergyConfig(BaseModel):
    """The ``home_energy:`` section."""

    model_config = ConfigDict(extra="forbid")

    pv_power: str
    house_power: str
    battery_soc: str
    battery_setpoint: str
    battery_kwh: float = 10.0
    battery_kw: float = 5.0
    price: str | None = None
    carbon: str | None = None
    prefix: str = "home_energy"


register_section("home_energy", HomeEnergyConfig)


DATA_KEY: DataKey[HomeEnergy] = DataKey("home_energy")


async def async_setup(hub: Hub, options: SetupOptions) -> None:
    """Plan the battery when configuration.yaml has ``home_energy:``."""
    if "home_energy" not in hub.config.raw:
        return
    from .home_energy_controller import HomeEnergy

    controller = HomeEnergy(hub, hub.config.section("home_energy", HomeEnergyConfig))
    hub.data[DATA_KEY] = controller

    hub.async_at_start(controller.schedule)

    async def _stop() -> None:
        controller.stop()

    hub.async_on_stop(_stop)
