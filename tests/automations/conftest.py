"""A real hub on a simulated clock, with real entities whose devices answer commands the way
an integration's do (state reported back with the command's context)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from hearthmind.automations import AutomationManager, get_manager
from hearthmind.core import Context, Hub, HubConfig, LineMap, Origin, SimulatedClock

# Monday 3 June 2024, 08:00 UTC (10:00 in Amsterdam)
START = datetime(2024, 6, 3, 8, 0, tzinfo=UTC)
CORE = {
    "name": "Test home",
    "latitude": 52.37,
    "longitude": 4.89,
    "time_zone": "Europe/Amsterdam",
}


@dataclass
class Command:
    service: str
    entity_id: str
    data: dict[str, Any]
    context: Context
    at: float


@dataclass
class Devices:
    """Lights and switches that obey commands and log them."""

    hub: Hub
    commands: list[Command] = field(default_factory=list)

    def add(self, entity_id: str, state: str = "off", **attributes: Any) -> None:
        self.hub.entities.async_add(entity_id, "test", self._handle)
        self.hub.states.async_set(entity_id, state, attributes, self.hub.context(Origin.SENSOR))

    async def _handle(
        self, service: str, entity_id: str, data: Mapping[str, Any], context: Context
    ) -> None:
        self.commands.append(
            Command(service, entity_id, dict(data), context, self.hub.clock.timestamp())
        )
        old = self.hub.states.get(entity_id)
        state = {"turn_on": "on", "turn_off": "off"}.get(service)
        if service == "toggle":
            state = "off" if old is not None and old.state == "on" else "on"
        attrs = dict(old.attributes) if old is not None else {}
        attrs.update({k: v for k, v in data.items() if k in ("brightness", "brightness_pct")})
        self.hub.states.async_set(entity_id, state or "unknown", attrs, context)

    def calls(self, entity_id: str | None = None) -> list[Command]:
        return [c for c in self.commands if entity_id is None or c.entity_id == entity_id]


def make_hub(clock: SimulatedClock, config_dir: Path, raw: dict[str, Any] | None = None) -> Hub:
    raw = {"hearthmind": dict(CORE), **(raw or {})}
    return Hub(HubConfig(config_dir, raw, LineMap()), clock, seed=7)


@pytest.fixture
def clock() -> SimulatedClock:
    return SimulatedClock(START)


@pytest.fixture
async def hub(clock: SimulatedClock, tmp_path: Path) -> AsyncIterator[Hub]:
    hub = make_hub(clock, tmp_path)
    await hub.async_start()
    yield hub
    await hub.async_stop()


@pytest.fixture
def devices(hub: Hub) -> Devices:
    devices = Devices(hub)
    devices.add("light.hall")
    devices.add("light.kitchen")
    devices.add("switch.fan")
    return devices


@pytest.fixture
def manager(hub: Hub) -> AutomationManager:
    return get_manager(hub)


def sensor(hub: Hub, entity_id: str, state: Any, user: str | None = None, **attrs: Any) -> Context:
    """A sensor reports a state (origin sensor); returns the state change's context."""
    context = hub.context(Origin.SENSOR, user_id=user)
    hub.states.async_set(entity_id, str(state), attrs, context)
    return context
