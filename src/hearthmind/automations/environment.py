"""What compiling and running rules needs from the hub: its states and clock, the home's time
zone and location (for time and sun triggers), and the template environment."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from hearthmind.core import Hub

from .templates import Templates


@dataclass(frozen=True, slots=True)
class Location:
    latitude: float
    longitude: float
    elevation: float


class RuleEnvironment:
    def __init__(self, hub: Hub) -> None:
        self.hub = hub
        core = hub.config.core
        self.tz: tzinfo
        try:
            self.tz = ZoneInfo(core.time_zone)
        except (ZoneInfoNotFoundError, ValueError):
            hub.health.problem(
                "automation_config_errors",
                f"unknown time_zone {core.time_zone!r} in the hearthmind: section; "
                "time triggers use UTC",
                hub.clock.timestamp(),
            )
            self.tz = ZoneInfo("UTC")
        self.location = Location(core.latitude, core.longitude, core.elevation)
        self.templates = Templates(hub, self.tz)
