"""Running a simulated home on a hub with a simulated clock, for tests."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from pathlib import Path

from hearthmind.core import EVENT_STATE_CHANGED, Event, Hub, SimulatedClock
from hearthmind.integrations.simulator import (
    HomeSpec,
    InProcessBinding,
    IntentionLog,
    SimulatedHome,
    load_home,
)

START = datetime(2026, 1, 5).date()  # a Monday


class SimRun:
    def __init__(
        self,
        home: str | HomeSpec = "single",
        seed: int = 7,
        log: Path | None = None,
        reliance: bool = True,
    ) -> None:
        spec = home if isinstance(home, HomeSpec) else load_home(home)
        self.start = datetime.combine(START, time(0), spec.zone)
        self.clock = SimulatedClock(self.start)
        self.hub = Hub(clock=self.clock, seed=seed)
        self.home = SimulatedHome(
            spec,
            self.clock,
            seed=seed,
            make_context=lambda origin, user: self.hub.context(origin, user),
            intentions=IntentionLog(log),
            reliance=reliance,
        )
        InProcessBinding(self.hub, self.home).attach()
        self.changes: list[Event] = []
        self.hub.bus.async_listen(EVENT_STATE_CHANGED, self.changes.append)

    async def start_home(self) -> None:
        await self.hub.async_start()
        self.home.start()

    async def run_until(self, day: int, hour: float) -> None:
        await self.clock.async_run_until(self.start + timedelta(days=day, hours=hour))

    def local(self, ts: float) -> datetime:
        return datetime.fromtimestamp(ts, self.home.zone)
