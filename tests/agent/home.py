"""A small home for the agent's tests: a real hub (simulated clock, the recorder on a real
SQLite file, the routines learning with a fast model, the agent), with devices that do what
they are told (or, on purpose, ignore it), a motion sensor, a lock, and a resident, Ana, who
lives a routine the agent can learn: every morning the hall motion sensor, then she switches
the hall light on; at night she switches it off."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from hearthmind.agent import Agent, get_agent
from hearthmind.agent.events import (
    EVENT_AGENT_ACTION,
    EVENT_AGENT_FEEDBACK,
    EVENT_AGENT_SUGGESTION,
    EVENT_SUGGESTION_ANSWERED,
)
from hearthmind.bootstrap import SetupOptions, async_setup_hub
from hearthmind.core import Context, Event, Hub, Origin, Person, SimulatedClock
from hearthmind.routines.component import get_learner
from hearthmind.routines.online import RoutineLearner

from ..waiting import wait_for

START = datetime(2026, 3, 2, 0, 0, tzinfo=UTC)  # a Monday

# far west of Greenwich, so that Ana's 07:00 (UTC) is dark every day of the test
CONFIG = """
homeassistant:
  longitude: -60
routines:
  model: markov
  min_history: 20
agent:
  quiet_hours: null
  ladder:
    suggest_after: 2
    act_after: 3
    act_min_rate: 0.75
    trigger_min: 3
    trigger_min_rate: 0.7
"""

LIGHTS = ("light.hall", "light.kitchen")
MOTION = "binary_sensor.hall_motion"
LOCK = "lock.front_door"
THERMOSTAT = "climate.living_room"


@dataclass
class Home:
    hub: Hub
    clock: SimulatedClock
    config_dir: Path
    ignoring: set[str] = field(default_factory=set)  # devices that ignore commands
    failing: set[str] = field(default_factory=set)  # devices that cannot be reached
    commands: list[tuple[str, str, Context]] = field(default_factory=list)
    events: dict[str, list[Event]] = field(default_factory=dict)

    @property
    def agent(self) -> Agent:
        agent = get_agent(self.hub)
        assert agent is not None
        return agent

    @property
    def learner(self) -> RoutineLearner:
        learner = get_learner(self.hub)
        assert learner is not None
        return learner

    def said(self, event_type: str) -> list[Event]:
        return self.events.get(event_type, [])

    def at(self, day: int, hour: float) -> datetime:
        return START + timedelta(days=day, hours=hour)

    async def run_until(self, when: datetime) -> None:
        await self.clock.async_run_until(when)

    def sensor(self, entity_id: str, value: str) -> None:
        self.hub.states.async_set(
            entity_id, value, {"friendly_name": "Hall motion"}, self.hub.context(Origin.SENSOR)
        )

    def person(self, entity_id: str, value: str, user: str = "ana") -> None:
        state = self.hub.states.get(entity_id)
        attrs = dict(state.attributes) if state is not None else {}
        self.hub.states.async_set(entity_id, value, attrs, self.hub.context(Origin.PHYSICAL, user))

    def state(self, entity_id: str) -> str | None:
        state = self.hub.states.get(entity_id)
        return None if state is None else state.state

    def jitter(self, day: int) -> timedelta:
        """A few minutes either way, the same for a given day (people are not clocks)."""
        return timedelta(seconds=(day * 7919) % 600 - 300)

    async def morning(self, day: int, *, ana_acts: bool = True) -> None:
        """Around 07:00 the hall motion sensor; 30 s later Ana switches the light on unless
        it is on already."""
        wake = self.at(day, 7) + self.jitter(day)
        await self.run_until(wake)
        self.sensor(MOTION, "on")
        await self.run_until(wake + timedelta(seconds=30))
        if ana_acts and self.state("light.hall") != "on":
            self.person("light.hall", "on")
        await self.run_until(wake + timedelta(minutes=2))
        self.sensor(MOTION, "off")

    async def night(self, day: int) -> None:
        await self.run_until(self.at(day, 23) + self.jitter(day))
        if self.state("light.hall") != "off":
            self.person("light.hall", "off")

    async def days(self, first: int, last: int) -> None:
        for day in range(first, last):
            await self.morning(day)
            await self.night(day)

    async def learned(self) -> None:
        await wait_for(lambda: self.learner.model is not None, 60, "the first fit")


async def start_home(
    config_dir: Path,
    config: str = CONFIG,
    clock: SimulatedClock | None = None,
    components: tuple[str, ...] = ("recorder", "routines", "agent"),
) -> Home:
    (config_dir / "configuration.yaml").write_text(config)
    clock = clock or SimulatedClock(START)
    hub = await async_setup_hub(config_dir, SetupOptions(seed=5), clock, list(components))
    home = Home(hub, clock, config_dir)
    add_devices(home)
    for event_type in (
        EVENT_AGENT_ACTION,
        EVENT_AGENT_SUGGESTION,
        EVENT_SUGGESTION_ANSWERED,
        EVENT_AGENT_FEEDBACK,
    ):
        hub.bus.async_listen(
            event_type, lambda e, t=event_type: home.events.setdefault(t, []).append(e)
        )
    return home


def add_devices(home: Home) -> None:
    hub = home.hub

    async def device(service: str, entity_id: str, data: Mapping[str, Any], ctx: Context) -> None:
        home.commands.append((service, entity_id, ctx))
        if entity_id in home.ignoring:
            return  # a device that takes the command and does nothing
        if entity_id in home.failing:
            raise RuntimeError(f"{entity_id} is unreachable")
        if service == "set_temperature":
            attrs = {"friendly_name": "Thermostat", "temperature": data["temperature"]}
            hub.states.async_set(entity_id, str(data.get("hvac_mode", "heat")), attrs, ctx)
            return
        value = {
            "turn_on": "on",
            "turn_off": "off",
            "lock": "locked",
            "unlock": "unlocked",
        }[service]
        state = hub.states.get(entity_id)
        attrs = dict(state.attributes) if state is not None else {}
        hub.states.async_set(entity_id, value, attrs, ctx)

    sensor = hub.context(Origin.SENSOR)
    for entity_id in LIGHTS:
        name = entity_id.split(".")[1].title() + " light"
        if entity_id not in hub.states:
            hub.states.async_set(entity_id, "off", {"friendly_name": name}, sensor)
        hub.entities.async_add(entity_id, "test", device)
    if LOCK not in hub.states:
        hub.states.async_set(LOCK, "locked", {"friendly_name": "Front door lock"}, sensor)
    hub.entities.async_add(LOCK, "test", device)
    if THERMOSTAT not in hub.states:
        hub.states.async_set(
            THERMOSTAT, "heat", {"friendly_name": "Thermostat", "temperature": 19.0}, sensor
        )
    hub.entities.async_add(THERMOSTAT, "test", device)
    if MOTION not in hub.states:
        hub.states.async_set(MOTION, "off", {"friendly_name": "Hall motion"}, sensor)
    hub.entities.async_add(MOTION, "test", None)
    if "ana" not in hub.registries.people:
        hub.add_person(Person("ana", "Ana", user_id="ana"), presence="home")
