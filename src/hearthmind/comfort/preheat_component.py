"""Pre-conditioning in the hub: each room warmed just in time for the people the recorded
history expects, through the agent's ladder where the agent runs (issue 22, item 2).

    preheat:                                   # configuration.yaml
      outdoor_temperature: sensor.outdoor_temperature
      comfort: 21.0            # C, when nobody's preference says otherwise
      band: 1.0                # K below the target the room may be while people are up
      setback: 16.0            # C, the floor while nobody is expected
      people: {person.anna: 20.5, person.ben: 21.5}   # preferred temperatures (optional)
      price: sensor.electricity_price     # optional, per kWh (a `forecast` list is used)
      carbon: sensor.grid_carbon          # optional, kg/kWh, weighed by carbon_weight
      activity: [binary_sensor.kitchen_motion]        # default: every motion sensor
      rooms:
        living_room:
          climate: climate.living_room    # current_temperature, hvac_action heating/idle
          temperature_sensor: sensor.living_room_temperature   # optional
          max_heat_kw: 6.0                # the heater's output when hvac_action is heating

Every hour (preheat_controller.py): each room's 1R1C model (comfort.thermal), fitted daily
from the recorder's history (preheat_history.py), and the hours someone is usually home and
up, plan the heat of the next 24 hours with HiGHS (comfort.preheat.plan_or_rule) for a floor
of the expected people's highest preferred temperature less the band while they are up, the
setback otherwise, at the price and carbon of each hour. When the plan starts heating before
people get up or come home, the change ("heat to 21 C from 06:05") is proposed to the agent
as a heating routine (agent.proposals); without the agent the hub does it itself. Each room
has ``sensor.<room>_preheat_plan``: the next start (a timestamp) or ``idle``, with the plan,
the model and the reason in words. Bad input leaves the room to its own thermostat, logged
and counted (comfort.guard)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field, field_validator

from hearthmind.core import DataKey, Hub, SetupOptions, register_section

if TYPE_CHECKING:  # NumPy, SciPy and HiGHS load only when rooms are configured
    from .preheat_controller import Preheat


class PreheatRoom(BaseModel):
    model_config = ConfigDict(extra="forbid")

    climate: str
    temperature_sensor: str | None = None
    max_heat_kw: float = Field(default=6.0, gt=0, le=100)
    name: str | None = None  # how sentences call it (default: the key, "living room")
    people: list[str] | None = None  # person entities expected in it (default: everyone)

    @field_validator("climate")
    @classmethod
    def _is_climate(cls, value: str) -> str:
        if not value.startswith("climate."):
            raise ValueError(f"{value!r} is not a climate entity")
        return value


class PreheatConfig(BaseModel):
    """The ``preheat:`` section."""

    model_config = ConfigDict(extra="forbid")

    rooms: dict[str, PreheatRoom]
    outdoor_temperature: str
    comfort: float = Field(default=21.0, ge=5, le=30)
    band: float = Field(default=1.0, ge=0, le=5)
    setback: float = Field(default=16.0, ge=5, le=30)
    people: dict[str, float] = Field(default_factory=dict)
    presence: list[str] | None = None  # default: every person.* entity
    activity: list[str] | None = None  # default: every binary_sensor.*motion*
    price: str | None = None
    carbon: str | None = None
    carbon_weight: float = Field(default=1.0, ge=0)
    cop: float = Field(default=1.0, gt=0, le=10)  # heat per unit of electricity
    history_days: int = Field(default=28, ge=2, le=365)
    min_history_hours: int = Field(default=48, ge=24)
    # an hour is expected up when it was so on this share of the days of its kind (tuned on
    # the pre-heating benchmark, bench/energy_preheat.py TUNING)
    occupied_share: float = Field(default=0.3, gt=0, le=1)
    solver_time_limit_s: float = Field(default=2.0, ge=0, le=60)


register_section("preheat", PreheatConfig)

DATA_KEY: DataKey[Preheat] = DataKey("preheat")


def get_preheat(hub: Hub) -> Preheat | None:
    return hub.data.get(DATA_KEY)


async def async_setup(hub: Hub, options: SetupOptions) -> None:
    """Plan rooms' heating when configuration.yaml has ``preheat:``."""
    if "preheat" not in hub.config.raw:
        return
    from .preheat_controller import Preheat

    controller = Preheat(hub, hub.config.section("preheat", PreheatConfig))
    hub.data[DATA_KEY] = controller
    hub.async_at_start(controller.schedule)

    async def _stop() -> None:
        await controller.async_stop()

    hub.async_on_stop(_stop)
