"""The cottage's deferrable loads in the hub: which are asked for, by when, and which run;
and the shapes the cottage publishes (the plan per hour, HA's forecast list).

A load with a daily ``by`` is asked for once before each ``by`` (after it ran for today's, it
waits for tomorrow's); ``request`` asks for one by a time (the earlier deadline wins);
``started`` marks it running until its ``hours`` are over. A load whose last possible start
(its deadline less its hours) is this hour is started whatever the plan says.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from typing import TYPE_CHECKING, Any

from hearthmind.core import HearthmindError

from .cottage import CottageDecision, Deferrable
from .hub_io import float_or_none

if TYPE_CHECKING:
    from hearthmind.core import State

    from .cottage_component import CottageLoad

HOUR = 3600.0


class UnknownLoadError(HearthmindError):
    counter = "cottage_unknown_load"


def next_time(hhmm: str, now: float, zone: tzinfo | None) -> float:
    """The next HH:MM on the home's clock strictly after ``now``."""
    hour, minute = (int(x) for x in hhmm.split(":"))
    local = datetime.fromtimestamp(now, zone or UTC)
    when = local.replace(hour=hour, minute=minute, second=0, microsecond=0)
    if when.timestamp() <= now:
        when = (when + timedelta(days=1)).replace(hour=hour, minute=minute)
    return when.timestamp()


@dataclass
class LoadState:
    name: str
    cfg: CottageLoad
    deadline: float | None = None  # asked for: it must be done by then
    served_until: float = -math.inf  # the daily deadline its last run was for
    running_until: float | None = None

    def hours_left(self, now: float) -> int:
        """Hours left to start it (1 or less: now)."""
        if self.deadline is None:
            return 10**6
        return math.floor((self.deadline - now) / HOUR + 1e-9) - (self.cfg.hours - 1)


class Loads:
    def __init__(self, loads: dict[str, CottageLoad], zone: tzinfo | None) -> None:
        self.zone = zone
        self.by_name = {name: LoadState(name, cfg) for name, cfg in loads.items()}

    def update(self, now: float) -> list[LoadState]:
        """Daily loads asked for again; returns the loads whose run is over (to switch off)."""
        over = []
        for load in self.by_name.values():
            if load.running_until is not None and load.running_until <= now + 1.0:
                load.running_until = None
                over.append(load)
            if load.cfg.by and load.deadline is None and load.running_until is None:
                due = next_time(load.cfg.by, now, self.zone)
                if due > load.served_until + 1.0:
                    load.deadline = due
        return over

    def request(self, name: str, by: str | None, now: float) -> LoadState:
        load = self.by_name[name]
        hhmm = by or load.cfg.by
        due = next_time(hhmm, now, self.zone) if hhmm else now + 24 * HOUR
        load.deadline = due if load.deadline is None else min(load.deadline, due)
        return load

    def pending(self) -> list[LoadState]:
        return [
            x for x in self.by_name.values() if x.deadline is not None and x.running_until is None
        ]

    def deferrables(self, now: float) -> list[Deferrable]:
        return [Deferrable(x.name, x.cfg.kw, x.hours_left(now)) for x in self.pending()]

    def due(self, now: float) -> list[str]:
        """Loads that must start this hour, whatever the plan says."""
        return [x.name for x in self.pending() if x.hours_left(now) <= 1]

    def started(self, name: str, now: float) -> None:
        load = self.by_name[name]
        if load.cfg.by:  # today's run is done, whenever it was asked for
            load.served_until = max(
                load.deadline or now, next_time(load.cfg.by, now - 1.0, self.zone)
            )
        load.deadline = None
        load.running_until = now + load.cfg.hours * HOUR

    def running_kw(self, now: float, hours: int) -> list[float]:
        """The running loads' power over the next ``hours`` (they are part of the load)."""
        out = [0.0] * hours
        for x in self.by_name.values():
            if x.running_until is None:
                continue
            left = math.ceil((x.running_until - now) / HOUR - 1e-9)
            for k in range(min(hours, max(0, left))):
                out[k] += x.cfg.kw
        return out

    def describe(self) -> dict[str, dict[str, str | None]]:
        def iso(ts: float | None) -> str | None:
            return None if ts is None else datetime.fromtimestamp(ts, UTC).isoformat()

        return {
            x.name: {"deadline": iso(x.deadline), "running_until": iso(x.running_until)}
            for x in self.by_name.values()
        }


def hourly_plan(
    dec: CottageDecision, stamps: list[str], battery_kw: float, start: list[str]
) -> list[dict[str, Any]]:
    """The plan per hour (on the safe rule: this hour only)."""
    if not dec.solved:
        return [
            {
                "datetime": stamps[0],
                "heat_kw": round(dec.heat_kw, 3),
                "tank_kw": round(dec.tank_kw, 3),
                "battery_kw": round(battery_kw, 3),
                "loads": start,
            }
        ]
    return [
        {
            "datetime": stamps[k],
            "heat_kw": round(float(dec.plan_heat[k]), 3),
            "tank_kw": round(float(dec.plan_tank_kw[k]), 3),
            "battery_kw": round(float(dec.plan_battery_kw[k]), 3),
            "soc_kwh": round(float(dec.plan_soc[k]), 3),
            "room_c": round(float(dec.plan_room[k]), 2),
            "tank_c": round(float(dec.plan_tank_c[k]), 2),
            "loads": sorted(n for n, h in dec.load_hour.items() if h == k),
        }
        for k in range(min(len(stamps), dec.plan_heat.size))
    ]


def forecast_attributes(stamps: list[str], series: Any, name: str) -> dict[str, Any]:
    """Home Assistant's forecast shape: a list of {datetime, value}."""
    return {
        "unit_of_measurement": "kWh",
        "forecast": [
            {"datetime": t, "value": round(float(v), 3)}
            for t, v in zip(stamps, series, strict=True)
        ],
        "friendly_name": name,
    }


def reported(state: State | None) -> str | None:
    """What a device reports, as the cottage's command to it is written."""
    if state is None:
        return None
    if state.entity_id.partition(".")[0] in ("climate", "water_heater"):
        value = float_or_none(state.attributes.get("temperature"))
        return None if value is None else f"{value:g}"
    if state.entity_id.startswith("number."):
        value = float_or_none(state.state)
        return None if value is None else f"{round(value, 3):g}"
    return state.state
