"""A simulated plant stepped on the hub's clock: the simulated cottage and data hall are each a
model advanced every 15 minutes from the hub's start until it stops. The timer chain, its
cancelling and the start-up wiring were written twice, once per plant; they live here."""

from __future__ import annotations

from datetime import timedelta
from typing import TypeVar

from hearthmind.core import DataKey, Hub, track_time_interval
from hearthmind.core.clock import TimerHandle


class Stepped:
    """A plant with entities (`attach`) and a `tick` the hub's clock calls every `interval`."""

    interval: timedelta
    hub: Hub
    _timer: TimerHandle | None = None

    def attach(self) -> None:
        raise NotImplementedError

    def tick(self) -> None:
        raise NotImplementedError

    def schedule(self) -> None:
        self._timer = track_time_interval(self.hub.clock, self.interval, self.tick)

    def stop(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None


P = TypeVar("P", bound=Stepped)


def start_stepped(hub: Hub, key: DataKey[P], plant: P) -> P:
    """Attach `plant`'s entities, keep it under `key`, step it from the hub's start to its stop."""
    plant.attach()
    hub.data[key] = plant
    hub.async_at_start(plant.schedule)

    async def stop() -> None:
        plant.stop()

    hub.async_on_stop(stop)
    return plant
