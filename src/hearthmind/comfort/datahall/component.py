"""The supervisor in the hub: it reads the data hall's sensor entities every 15 minutes and
sets its set-point entities through services, like any other controller.

    datahall:                    # configuration.yaml
      prefix: data_hall          # entity ids: sensor.data_hall_zone_1_inlet_temperature, ...
      zones: 2
      it_design_kw: 200          # scales the shipped surrogate to this hall
      it_power_per_kelvin_kw: 0  # > 0: minimise cooling + IT (servers' kW per K of inlet)

What it decided and why is the state of `sensor.<prefix>_supervisor` (the mode: mpc, rule or
safe) with the reasons in words and the set-points as attributes. A missing or unreadable
entity, like every other bad input, gives the safe set-points and a health count.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from hearthmind.core import (
    DataKey,
    HearthmindError,
    Hub,
    Origin,
    SetupOptions,
    register_section,
)

from .readings import HallSensors, HallSetpoints, safe_setpoints

if TYPE_CHECKING:  # SciPy and NumPy load only when a hall is configured
    from .supervisor import DataHallSupervisor
    from .surrogate import PlantSurrogate

_LOGGER = logging.getLogger(__name__)


# without it_design_kw the hall is the shipped surrogate's (IT up to about 210 kW): a
# quarter of that per K
MAX_IT_PER_KELVIN_KW = 50.0


class DataHallConfig(BaseModel):
    """The `datahall:` section."""

    model_config = ConfigDict(extra="forbid")

    prefix: str = "data_hall"
    zones: int = 2
    interval_minutes: float = 15.0
    it_design_kw: float | None = None
    learn_online: bool = True  # refine the surrogate from the hall's own history
    # the hall's extra IT power per K of rack-inlet temperature (kW/K, from the servers'
    # data sheets or a step test); 0 minimises cooling alone, > 0 cooling + IT
    it_power_per_kelvin_kw: float = Field(default=0.0, ge=0.0, allow_inf_nan=False)

    @model_validator(mode="after")
    def _plausible_sensitivity(self) -> DataHallConfig:
        # Servers' power rises a few % of design per K (Sinergym's model: 6.7 %); a quarter
        # of the design power per K is a unit slip (W for kW, per-server for the hall).
        limit = 0.25 * self.it_design_kw if self.it_design_kw else MAX_IT_PER_KELVIN_KW
        if self.it_power_per_kelvin_kw > limit:
            of = (
                f"0.25 x it_design_kw ({self.it_design_kw:g} kW)"
                if self.it_design_kw
                else "the limit without it_design_kw"
            )
            raise ValueError(
                f"it_power_per_kelvin_kw {self.it_power_per_kelvin_kw:g} kW/K is more than "
                f"{of}, {limit:g} kW/K: give the whole hall's extra IT kW per K of inlet"
            )
        return self


register_section("datahall", DataHallConfig)


class HallController:
    """Reads the hall's entities, asks the supervisor, calls the set-point services."""

    def __init__(self, hub: Hub, cfg: DataHallConfig, surrogate: PlantSurrogate | None) -> None:
        from .planner import PlanLimits
        from .supervisor import DataHallSupervisor, SupervisorConfig

        self.hub = hub
        self.cfg = cfg
        self.sup: DataHallSupervisor = DataHallSupervisor(
            cfg.zones,
            surrogate,
            report=lambda counter, message: hub.health.problem(
                counter, message, hub.clock.timestamp()
            ),
            config=SupervisorConfig(
                learn_online=cfg.learn_online,
                limits=PlanLimits(it_power_per_kelvin_kw=cfg.it_power_per_kelvin_kw),
            ),
        )
        self.ticks = 0
        self._timer: Any = None

    def _eid(self, domain: str, name: str) -> str:
        return f"{domain}.{self.cfg.prefix}_{name}"

    def _number(self, entity_id: str) -> float:
        state = self.hub.states.get(entity_id)
        if state is None:
            raise LookupError(f"{entity_id} does not exist")
        try:
            return float(state.state)
        except ValueError:
            raise LookupError(f"{entity_id} reports {state.state!r}, not a number") from None

    def read(self) -> HallSensors:
        """The hall's reading from its entities (LookupError names what is missing)."""
        zones = [f"zone_{z + 1}" for z in range(self.cfg.zones)]

        def zone_temps(kind: str) -> tuple[float, ...]:
            return tuple(
                self._number(self._eid("sensor", f"{z}_{kind}_temperature")) for z in zones
            )

        chiller = self.hub.states.get(self._eid("binary_sensor", "chiller_running"))
        return HallSensors(
            time_h=self.hub.clock.timestamp() / 3600.0,
            zone_inlet_c=zone_temps("inlet"),
            zone_supply_c=zone_temps("supply_air"),
            zone_return_c=zone_temps("return_air"),
            mixed_air_c=zone_temps("mixed_air"),
            chilled_water_supply_c=self._number(
                self._eid("sensor", "chilled_water_supply_temperature")
            ),
            outdoor_drybulb_c=self._number(self._eid("sensor", "outdoor_temperature")),
            outdoor_wetbulb_c=self._number(self._eid("sensor", "outdoor_wet_bulb_temperature")),
            it_kw=self._number(self._eid("sensor", "it_power")),
            cooling_kw=self._number(self._eid("sensor", "cooling_power")),
            chiller_running=chiller is None or chiller.state != "off",
        )

    async def async_tick(self) -> HallSetpoints:
        """One supervision step: read, decide, set, say why."""
        self.ticks += 1
        try:
            sensors = self.read()
        except LookupError as err:
            message = f"data hall: {err}"
            self.hub.health.problem("datahall_sensor_missing", message, self.hub.clock.timestamp())
            _LOGGER.warning("%s; safe set-points", message)
            cmd = safe_setpoints(self.cfg.zones, message)
            self.sup.last = cmd
        else:
            cmd = self.sup.step(sensors)
        await self.apply(cmd)
        return cmd

    async def apply(self, cmd: HallSetpoints) -> None:
        ctx = self.hub.context(Origin.AUTOMATION)
        calls: list[tuple[str, str, dict[str, Any], str]] = [
            (
                "number",
                "set_value",
                {"value": round(cmd.chilled_water_c, 2)},
                self._eid("number", "chilled_water_setpoint"),
            ),
            (
                "switch",
                "turn_on" if cmd.economiser >= 0.5 else "turn_off",
                {},
                self._eid("switch", "economiser"),
            ),
        ]
        for z, sat in enumerate(cmd.supply_air_c):
            calls.append(
                (
                    "number",
                    "set_value",
                    {"value": round(sat, 2)},
                    self._eid("number", f"zone_{z + 1}_supply_air_setpoint"),
                )
            )
            calls.append(
                (
                    "climate",
                    "set_temperature",
                    {"temperature": round(cmd.zone_cooling_c, 1)},
                    self._eid("climate", f"zone_{z + 1}"),
                )
            )
        for domain, service, data, entity_id in calls:
            try:
                await self.hub.services.async_call(
                    domain, service, data, context=ctx, target={"entity_id": entity_id}
                )
            except HearthmindError as err:  # counted by the service registry already
                _LOGGER.warning(
                    "data hall: %s.%s on %s failed: %s", domain, service, entity_id, err
                )
        self.hub.states.async_set(
            self._eid("sensor", "supervisor"),
            cmd.mode,
            {
                "friendly_name": "Data hall supervisor",
                "reasons": list(cmd.reasons),
                "chilled_water_setpoint": round(cmd.chilled_water_c, 2),
                "supply_air_setpoints": [round(v, 2) for v in cmd.supply_air_c],
                "zone_cooling_setpoint": cmd.zone_cooling_c,
                "economiser": cmd.economiser >= 0.5,
                "fallbacks": dict(self.sup.counts),
            },
            ctx,
        )

    def schedule(self, first: bool = True) -> None:
        def fire() -> None:
            self.hub.async_create_task(self.async_tick())
            self.schedule(first=False)

        # the first step a minute after the start (the hall's readings are there), then
        # every interval, so the steps fall a minute after the hall's own quarter-hours
        delay = timedelta(minutes=1 if first else self.cfg.interval_minutes)
        self._timer = self.hub.clock.call_at(self.hub.clock.now() + delay, fire)

    def stop(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None


DATA_KEY: DataKey[HallController] = DataKey("datahall")


def shipped_surrogate(it_design_kw: float | None) -> PlantSurrogate | None:
    from .surrogate import PlantSurrogate

    try:
        surrogate = PlantSurrogate.load()
    except (OSError, ValueError, KeyError) as err:
        _LOGGER.warning("data hall: no surrogate (%s): the safe rule runs the hall", err)
        return None
    return surrogate.scaled_to(it_design_kw) if it_design_kw else surrogate


async def async_setup(hub: Hub, options: SetupOptions) -> None:
    """Supervise the hall when configuration.yaml has `datahall:`."""
    if "datahall" not in hub.config.raw:
        return
    cfg = hub.config.section("datahall", DataHallConfig)
    controller = HallController(hub, cfg, shipped_surrogate(cfg.it_design_kw))
    hub.data[DATA_KEY] = controller

    hub.async_at_start(controller.schedule)

    async def stop() -> None:
        controller.stop()

    hub.async_on_stop(stop)
