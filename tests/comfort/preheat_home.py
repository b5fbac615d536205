"""A home for the pre-heating tests: a real hub (simulated clock, the recorder on a real SQLite
file, optionally the agent), one room with 1R1C physics (R 5 K/kW, C 3 kWh/K, 10 kW heater)
behind a thermostat that reports ``current_temperature`` and ``hvac_action``, an outdoor
sensor, and Anna: on work days up at 06:40, out 08:30-17:30, in bed at 22:30; at weekends up
at 08:40 and home all day. Before the tests the thermostat runs a fixed schedule (21 C
06:00-23:00, else 16 C), which the recorder keeps as history."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from hearthmind.bootstrap import SetupOptions, async_setup_hub
from hearthmind.comfort.preheat_component import get_preheat
from hearthmind.comfort.preheat_controller import Preheat
from hearthmind.core import Context, Hub, Origin, Person, SimulatedClock

START = datetime(2026, 1, 5, tzinfo=UTC)  # a Monday
CLIMATE = "climate.living_room"
OUTDOOR = "sensor.outdoor_temperature"
MOTION = "binary_sensor.living_room_motion"
R, C, MAX_KW = 5.0, 3.0, 10.0
STEP = 600.0

CONFIG = """
preheat:
  outdoor_temperature: sensor.outdoor_temperature
  comfort: 21.0
  band: 1.0
  setback: 16.0
  people: {person.anna: 20.5}
  history_days: 14
  rooms:
    living_room:
      climate: climate.living_room
      max_heat_kw: 10
"""
NO_AGENT = CONFIG + "agent:\n  enabled: false\n"
WITH_AGENT = CONFIG + "agent:\n  quiet_hours: null\n"


@dataclass
class PreheatHome:
    hub: Hub
    clock: SimulatedClock
    temp: float = 18.0
    heating: bool = False
    ignoring: bool = False  # a thermostat that takes commands and does nothing
    commands: list[tuple[dict[str, Any], Context]] = field(default_factory=list)
    command_times: list[float] = field(default_factory=list)  # on the hub's clock

    @property
    def preheat(self) -> Preheat:
        found = get_preheat(self.hub)
        assert found is not None
        return found

    def at(self, day: int, hour: float) -> datetime:
        return START + timedelta(days=day, hours=hour)

    def setpoint(self) -> float:
        state = self.hub.states.get(CLIMATE)
        assert state is not None
        return float(state.attributes["temperature"])

    def report(self, setpoint: float | None = None, ctx: Context | None = None) -> None:
        self.hub.states.async_set(
            CLIMATE,
            "heat",
            {
                "friendly_name": "Living room thermostat",
                "temperature": self.setpoint() if setpoint is None else setpoint,
                "current_temperature": round(self.temp, 2),
                "hvac_action": "heating" if self.heating else "idle",
            },
            ctx or self.hub.context(Origin.SENSOR),
        )

    def step(self, now: float, schedule: bool) -> None:
        """Ten minutes of the room, Anna and the weather; with `schedule`, the fixed one."""
        wall = now % 86400 / 3600.0
        workday = (int(now // 86400) + 3) % 7 < 5
        outdoor = 2.0 + 3.0 * math.sin(2 * math.pi * (wall - 9.0) / 24.0)
        sensor = self.hub.context(Origin.SENSOR)
        self.hub.states.async_set(OUTDOOR, f"{outdoor:.2f}", {"unit_of_measurement": "°C"}, sensor)
        up_at = 6 + 40 / 60 if workday else 8 + 40 / 60
        out = workday and 8.5 <= wall < 17.5
        self.hub.set_presence("anna", "not_home" if out else "home", sensor)
        moving = up_at <= wall < 22.5 and not out
        self.hub.states.async_set(MOTION, "on" if moving else "off", {}, sensor)
        target = 21.0 if 6.0 <= wall < 23.0 else 16.0
        if not schedule:
            target = self.setpoint()
        if self.temp < target - 0.25:
            self.heating = True
        elif self.temp > target + 0.25:
            self.heating = False
        # what the thermostat reports now holds for the next ten minutes
        ctx = self.hub.context(Origin.AUTOMATION) if schedule else None
        self.report(target, ctx)
        heat = MAX_KW if self.heating else 0.0
        self.temp += STEP / 3600.0 / C * ((outdoor - self.temp) / R + heat)

    async def live(self, until: datetime, schedule: bool = False) -> None:
        while self.clock.timestamp() + STEP <= until.timestamp():
            await self.clock.async_run_until(
                datetime.fromtimestamp(self.clock.timestamp() + STEP, UTC)
            )
            self.step(self.clock.timestamp(), schedule)


async def start_home(
    config_dir: Path, config: str, history_days: int = 10, agent: bool = False
) -> PreheatHome:
    (config_dir / "configuration.yaml").write_text(config)
    clock = SimulatedClock(START)
    components = ["recorder", "routines", "agent", "preheat"] if agent else ["recorder", "preheat"]
    hub = await async_setup_hub(config_dir, SetupOptions(seed=3), clock, components)
    home = PreheatHome(hub, clock)

    async def thermostat(
        service: str, entity_id: str, data: Mapping[str, Any], ctx: Context
    ) -> None:
        home.commands.append((dict(data), ctx))
        home.command_times.append(home.clock.timestamp())
        if not home.ignoring:
            home.report(float(data["temperature"]), ctx)

    hub.add_person(Person("anna", "Anna", user_id="anna"), presence="home")
    home.report(16.0)
    hub.entities.async_add(CLIMATE, "test", thermostat)
    await home.preheat.async_stop()  # the tests tick it themselves, at the hours they choose
    await home.live(home.at(history_days, 0), schedule=True)
    return home
